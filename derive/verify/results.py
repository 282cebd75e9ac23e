"""What a verification returns: the derivation, one verdict per gradient, and the run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from derive import elementwise as EW
from derive.backward import Backward
from derive.compile import NumpyCode
from derive.graph import Graph

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# The JSON's form: bumped when a field changes meaning or goes away (adding one does not).
JSON_SCHEMA = "derive.verify/2"

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

    def line(self, width: int = 0) -> str:
        """'W1  wrong  scaled  factor 4  max rel error 0.75: scaled by 4 (a missing 1/N?)'."""
        parts = [f"{self.name:<{width}}", f"{self.verdict:<17}"]
        parts.append(f"{self.diagnosis or '-':<17}")
        if self.factor is not None:
            parts.append(f"factor {self.factor:g}")
        parts.append(f"max rel error {_num(self.max_rel_error)}")
        text = "  ".join(parts)
        if self.numeric_only:
            text += "  [numeric only]"
        if self.verdict != "ok":
            text += f": {self.message}"
        return text


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
        if r.startswith(_UNMAPPED):
            return f"the tracer cannot map {r}"
        return f"the tracer fell back ({r})"

    @property
    def float32(self) -> bool:
        return any("float32" in n for n in self.notes)

    def lines(self) -> list[str]:
        """One line per gradient, then the notes: the diagnosis a user reads first."""
        width = max((len(k) for k in self.gradients), default=0)
        out = [g.line(width) for g in self.gradients.values()]
        out += [f"note: {n}" for n in self.notes]
        return out

    def summary(self) -> str:
        wrong = [k for k, g in self.gradients.items() if g.verdict == "wrong"]
        n = len(self.gradients)
        if wrong:
            head = "the gradient is wrong" if n == 1 else f"{len(wrong)} of {n} gradients wrong"
            return f"{head}: {', '.join(wrong)}"
        kinks = [k for k, g in self.gradients.items() if g.verdict == "nondifferentiable"]
        tail = f" ({', '.join(kinks)} at a kink: any subgradient passes)" if kinks else ""
        return f"{'the gradient is' if n == 1 else f'all {n} gradients'} right{tail}"

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` contract (schema derive.verify/2): ok, the run, and per gradient the
        verdict, diagnosis, factor, errors, tolerance, entries, message and evidence."""
        from derive._version import __version__

        return {
            "schema": JSON_SCHEMA,
            "derive_version": __version__,
            "ok": self.ok,
            "mode": self.mode,
            "points": self.points,
            "seed": self.seed,
            "shapes": {k: list(v) for k, v in self.shapes.items()},
            "constants": list(self.constants),
            "numeric_only_reason": self.fallback_reason,
            "notes": list(self.notes),
            "proof": self.proof_note or None,
            "gradients": {
                k: {
                    "verdict": g.verdict,
                    "diagnosis": g.diagnosis,
                    "factor": _finite_or_none(g.factor),
                    "message": g.message,
                    "max_abs_error": _finite_or_none(g.max_abs_error),
                    "max_rel_error": _finite_or_none(g.max_rel_error),
                    "tolerance": _finite_or_none(g.tolerance),
                    "entries": [list(e) for e in g.entries],
                    "point": g.point,
                    "numeric_only": g.numeric_only,
                    "miss_probability": _finite_or_none(g.miss_probability),
                    "taylor_slope": _finite_or_none(g.taylor_slope),
                    "proved": None if g.proof is None else g.proof.proved,
                }
                for k, g in self.gradients.items()
            },
        }

    def taylor_line(self) -> str:
        """'Taylor remainder slopes (about 2 right, about 1 wrong): W1 2.0, B1 2.0'."""
        parts = [f"{k} {_slope(g.taylor_slope)}" for k, g in self.gradients.items()]
        return f"Taylor remainder slopes (about 2 right, about 1 wrong): {', '.join(parts)}"

    def miss_text(self) -> str:
        """The stated chance that finite differences miss a one-entry error of the derivation."""
        ps = [g.miss_probability for g in self.gradients.values() if g.miss_probability is not None]
        if not ps:
            return ""
        worst = max(ps)
        if worst == 0.0:
            return ("probability that finite differences miss an error of the derived "
                    "gradient: 0 (every entry differenced)")
        return (f"probability that finite differences miss an error of the derived gradient "
                f"confined to one entry: at most {worst:.2g}")

    def __str__(self) -> str:
        return "\n".join([*self.lines(), self.summary()])

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


def _slope(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _num(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2g}"
