"""What a verification returns: the derivation, one verdict per gradient, and the run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from derive.backward import Backward
from derive.compile import NumpyCode
from derive.graph import Graph

if TYPE_CHECKING:  # SymPy's side, imported only where a proof runs
    from derive import elementwise as EW

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# The JSON's schema: its name and version; the version grows when a field changes meaning.
SCHEMA = "derive.verify/1"

# How the tracer's own TraceError messages begin: a numpy call or a Python construct it lacks.
_UNMAPPED = ("numpy.", "ndarray.", "converting ", "float() ", "a Python ", "indexing ")

# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Derivation:
    """What the symbolic side produced: graph of named steps, backward program, numpy code."""

    graph: Graph
    backward: Backward
    code: NumpyCode
    seconds: float
    # What finite differences and proofs have established about this derivation (it does not
    # depend on the point): filled by verify(), so repeated checks skip the costly part.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class GradientResult:
    """The verdict for one gradient, from the worst of the K points (``point``, 0-based)."""

    name: str
    verdict: str  # "ok" | "wrong" | "nondifferentiable"
    diagnosis: str | None  # numeric.compare.DIAGNOSES, or None when ok
    factor: float | None
    max_rel_error: float
    max_abs_error: float
    entries: list[tuple[int, ...]]
    numeric_only: bool
    message: str
    shape: Shape
    tolerance: float
    point: int
    expected: np.ndarray | None = field(default=None, repr=False)
    got: Any = field(default=None, repr=False)
    validation: str = ""
    # (entries differenced one by one, entries) when the derivation was validated
    differenced: tuple[int, int] | None = None
    proof: EW.Proof | None = None
    # Probability that an error of the derived gradient confined to one entry (as large as
    # the largest entry) escapes finite differences: the sampled entries and the random
    # directions both miss it. 0 when every entry was differenced.
    miss_probability: float | None = None
    # Taylor remainder test of your gradient at point 1: slope ~2 right, ~1 wrong (None: no
    # evidence, e.g. f linear along the direction); taylor holds (steps h, remainders r(h)).
    taylor_slope: float | None = None
    taylor: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.verdict != "wrong"

    def __repr__(self) -> str:
        factor = "" if self.factor is None else f", factor={self.factor:g}"
        return (f"GradientResult({self.name!r}, {self.verdict!r}, diagnosis={self.diagnosis!r}"
                f"{factor}, entries={len(self.entries)})")


@dataclass(frozen=True)
class VerifyResult:
    """All gradients' verdicts and what they rest on. Shows itself in Jupyter."""

    gradients: dict[str, GradientResult]
    shapes: dict[str, Shape]
    constants: tuple[str, ...]
    traced: Derivation | None
    fallback_reason: str | None
    notes: tuple[str, ...]
    points: int
    seed: int
    fd: str
    proof_shapes: dict[str, Shape] | None = None
    proof_note: str = ""
    elementwise: EW.Elementwise | None = None
    label: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    mode: str = "scalar"  # "vjp": a layer checked through backward(dout, ...) (derive.layer)
    fallback_where: str = ""  # the user's line where tracing stopped: "model.py:42: ..."

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.gradients.values())

    @property
    def numeric_only(self) -> bool:
        return any(g.numeric_only for g in self.gradients.values())

    @property
    def fallback_text(self) -> str:
        """Why the verdicts are numeric only, as a clause: 'the tracer cannot map numpy.sort'."""
        r = self.fallback_reason or ""
        at = f", at {self.fallback_where}" if self.fallback_where else ""
        if r.startswith(_UNMAPPED):
            return f"the tracer cannot map {r}{at}"
        return f"the tracer fell back ({r}){at}"

    @property
    def numeric_only_reason(self) -> str | None:
        """Why some verdict rests on finite differences alone: where and why tracing stopped
        ('model.py:42: out[n, f] = ... (numpy.pad)'), or why a derived gradient was not
        trusted; None when every gradient was derived and confirmed."""
        if self.fallback_reason is not None:
            if self.fallback_where:
                return f"{self.fallback_where} ({self.fallback_reason})"
            return self.fallback_reason
        if not self.numeric_only:
            return None
        return next((n for n in self.notes if "finite differences alone" in n),
                    "judged by finite differences alone")

    @property
    def float32(self) -> bool:
        return any("float32" in n for n in self.notes)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` contract (:data:`SCHEMA`): ok, why numeric only, the notes, and per
        gradient verdict, diagnosis, factor, errors, tolerance and message (check's fields)."""
        from derive._version import __version__

        return {
            "schema": SCHEMA,
            "derive_version": __version__,
            "ok": self.ok,
            "mode": self.mode,
            "seed": self.seed,
            "points": self.points,
            "notes": list(self.notes),
            "numeric_only_reason": self.numeric_only_reason,
            "gradients": {
                k: {
                    "verdict": g.verdict,
                    "diagnosis": g.diagnosis,
                    "factor": _finite_or_none(g.factor),
                    "max_rel_error": _finite_or_none(g.max_rel_error),
                    "max_abs_error": _finite_or_none(g.max_abs_error),
                    "tolerance": _finite_or_none(g.tolerance),
                    "message": g.message,
                    "entries": [list(e) for e in g.entries],
                    "point": g.point,
                    "numeric_only": g.numeric_only,
                    "miss_probability": _finite_or_none(g.miss_probability),
                    "taylor_slope": _finite_or_none(g.taylor_slope),
                }
                for k, g in self.gradients.items()
            },
        }

    def __str__(self) -> str:
        from derive.reports.verify_text import text  # lazy: a display method, as _repr_*

        return text(self)

    def __repr__(self) -> str:
        grads = ", ".join(repr(g) for g in self.gradients.values())
        return f"VerifyResult(ok={self.ok}, gradients=[{grads}])"

    def _repr_html_(self) -> str:
        from derive.reports.verify_html import render  # lazy: reports imports derive, never back

        return render(self, fragment=True)

    def _repr_markdown_(self) -> str:
        from derive.reports.notebook import verify_markdown  # lazy, as above

        return verify_markdown(self)

    def _repr_latex_(self) -> str:
        from derive.reports.notebook import verify_latex  # lazy, as above

        return verify_latex(self)


def _finite_or_none(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
