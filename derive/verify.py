"""Verify a user's hand-written backward pass against the derivation of their forward pass.

Pipeline of pure stages, as :mod:`derive.check` for the documents' cases:

1. draw K points (standard normal from ``numpy.random.default_rng(seed)``, or the user's
   ``inputs(rng)``) and run the user's ``forward``, then ``backward``, at each point (results
   copied as they arrive), and ``forward`` once more at the first point: a forward that is not
   deterministic is an InputError, never a verdict; ``backward``'s keys say which arguments
   are checked, the others are constants;
2. trace ``forward`` at the shapes, derive the gradient by rules in matrix form and compile
   it to numpy: once per (forward, shapes, names), cached, and independent of the batch size;
3. compare the compiled gradient with the user's at every point, entry by entry, with
   :func:`numeric.compare.compare` (so every wrong entry is located, by index);
4. validate the derived gradient with finite differences of the user's own forward: central
   differences along random directions (cheap at any size) and per entry on a sample of
   entries, or on every entry with ``fd="all"``;
5. at a kink (ReLU at 0, ``|x|`` at 0, a tie in max) one-sided differences decide:
   any subgradient passes, the entry is ``nondifferentiable``, never ``wrong``;
6. optionally prove the matrix form equal to elementwise SymPy at a reduced shape.

When the tracer meets a numpy call it cannot map, the verdict comes from per-entry finite
differences of the forward alone, and says so (``numeric_only``).
"""

from __future__ import annotations

import copy
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from derive import elementwise as EW
from derive import expr as E
from derive import layer, proofcache
from derive import proof as P
from derive import usermodule as U
from derive.backward import Backward
from derive.backward import derive as derive_backward
from derive.compile import NumpyCode, compile_numpy, evaluate_numeric, step_values
from derive.errors import DeriveError, InputError, ProofTimeout, TraceError
from derive.functions import TABLE
from derive.graph import Graph, from_forward, kink_nodes
from derive.numeric import evidence
from derive.numeric.compare import (
    LOWP_ULPS,
    Comparison,
    batch_message,
    compare,
)
from derive.numeric.fd import FD_REL_STEP, kink_mask, taylor_remainder_slope

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]

FD_MODES = ("sample", "all")

# Per-entry central differences validate the derived gradient on this many entries per
# gradient (all of them when it has fewer): 2 forward calls each, so cost stays flat in size.
FD_SAMPLE = 64

# Random directions at the first point: each costs 2 forward calls and catches any error of
# the derived gradient larger than the directional tolerance, wherever it sits, with
# probability ~1 (the miss probability is computed and reported); two keep that chance below
# 1e-6 on the documents' networks, for 4 forward calls.
FD_DIRECTIONS = 2

# With fd="all", per-entry differences of every entry come from the traced graph
# (derive.deltas: only the slice a perturbation changes is recomputed), after this many
# entries are checked against differences of your own forward (they must agree).
FD_SPOT = 4

# Taylor remainder test (issue 6): the slope of log r(h) against log h along one random
# direction per gradient, r(h) = |f(x + h v) - f(x) - h g.v|: about 2 when g is the
# gradient, about 1 when it is not, whatever the tolerance.
TAYLOR_SEED = 7

# Its steps: one per decade, 1e-1 to 1e-6 (7 forward calls per gradient, a few percent of a
# run; numeric.fd.TAYLOR_STEPS has two per decade for the report's plot).
TAYLOR_STEPS = np.logspace(-1, -6, 6)

# When every entry is judged right, one Taylor test along one direction over all gradients
# confirms them together (a wrong one would drag the joint remainder to O(h), slope ~1), over
# fewer steps: the quadratic regime of a right gradient shows from h = 0.1 down. A joint slope
# at or above TAYLOR_JOINT_OK (halfway between 1 and 2, with margin for a 4-point fit) settles
# them all; otherwise, and whenever a gradient is wrong, each gets its own test over
# TAYLOR_STEPS, so the slope names the wrong one.
TAYLOR_JOINT_STEPS = np.logspace(-1, -4, 4)
TAYLOR_JOINT_OK = 1.7

# Central differences with the cbrt(eps) step carry ~1e-10 relative error (check.FD_RTOL's
# reasoning); 1e-5 keeps a wide margin while a real slip (a factor, a sign) is O(1).
FD_RTOL = 1e-5

# Absolute slack of a central difference, relative to max(1, |f|): round-off eps * |f| / h
# with h ~ 6e-6 is ~4e-11 |f|; 1e-8 leaves a 250x margin, and gradient entries below it are
# below what finite differences can resolve at all.
FD_NOISE = 1e-8

# A float32 forward has eps ~ 1.2e-7: steps of cbrt(eps) ~ 5e-3, results good to ~1e-4.
FD32_REL_STEP = float(np.cbrt(np.finfo(np.float32).eps))
FD32_RTOL = 1e-2
FD32_NOISE = 1e-4

# The traced forward must reproduce the user's forward: both are float64 numpy of the same
# operations, equal to ~1e-15; 1e-8 tolerates reordered sums, not a mis-traced operation.
FORWARD_RTOL = 1e-8

# One-sided differences at most this many entries per gradient and point (2 forward calls
# each): where a gradient differs at more entries than this, it is not a matter of kinks.
KINK_PROBE_MAX = 2048

# Prove by default only when the reduced shapes have at most this many input entries: SymPy
# differentiates entry by entry, and ~50 entries keep it well under a second for a network.
PROVE_AUTO_MAX_ENTRIES = 48

# An automatic proof (not asked for) gets a small work budget, so it never dominates a run;
# asking with ``prove=True`` / ``--prove`` gives the full one (derive.proof).
PROOF_AUTO_BUDGET = P.AUTO_BUDGET

# Sizes that reduced shapes use for every dimension above 3 (1 stays 1: it broadcasts).
REDUCED_SIZES = (2, 3)

# Derivations kept per process (each is a few kB of nodes and one compiled function).
CACHE_SIZE = 64

VERDICT_ORDER = {"ok": 0, "nondifferentiable": 1, "wrong": 2}

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
        """The ``--json`` contract: ok, and per gradient verdict, diagnosis, factor, ..."""
        return {
            "ok": self.ok,
            "gradients": {
                k: {
                    "verdict": g.verdict,
                    "diagnosis": g.diagnosis,
                    "factor": _finite_or_none(g.factor),
                    "max_rel_error": _finite_or_none(g.max_rel_error),
                    "entries": [list(e) for e in g.entries],
                    "numeric_only": g.numeric_only,
                    "miss_probability": _finite_or_none(g.miss_probability),
                    "taylor_slope": _finite_or_none(g.taylor_slope),
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

        return render(self)


def _finite_or_none(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _slope(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _num(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2g}"


# ---------------------------------------------------------------- the public entry point


def verify(
    forward: Callable[..., Any],
    backward: Callable[..., Mapping[str, Any]],
    shapes: Mapping[str, Any] | None = None,
    inputs: Callable[[np.random.Generator], Mapping[str, Any]] | Mapping[str, Any] | None = None,
    seed: int = 0,
    points: int = 3,
    fd: str = "sample",
    prove: bool | None = None,
    label: str = "",
    mode: str | None = None,
) -> VerifyResult:
    """Check ``backward`` against the derivative of ``forward`` at ``points`` random points.

    ``shapes`` maps argument names to shapes; ``inputs`` is a function of a numpy Generator
    (or a dict) giving some or all arrays, the rest are standard-normal draws. Only the names
    ``backward`` returns are checked. Bad input raises :class:`derive.errors.DeriveError`
    (InputError, UserCodeError) with a one-line message.

    Every entry of the user's gradient is compared with the derived one at every point, so
    a single wrong entry is always located. The derived gradient is validated by finite
    differences of ``forward``: along random directions over all checked inputs at once
    (FD_DIRECTIONS at the first point, one at each other), and per entry on k = min(FD_SAMPLE,
    n) sampled entries of each n-entry gradient, once per derivation (``fd="all"``: every
    entry, every time). A symbolic error confined to one entry would escape the sample with
    probability 1 - k/n (92% for W1 of a (1024, 13, 64) network), and the directions only if
    it is below ~FD_RTOL * |g| * sqrt(N), N the entries of all checked inputs; but rules act
    on whole arrays, so their errors are not confined to one entry. ``prove`` (default: when
    the reduced shapes are small) proves the matrix form against elementwise SymPy.
    """
    clock = _Clock()
    forward, backward, inputs, mode = layer.adapt(forward, backward, shapes, inputs, mode)
    names, optional = _parameters(forward, shapes)
    draws = _points(names, optional, shapes, inputs, seed, points, fd)
    clock.lap("draw")
    f, fvals, user, wrt = _run_user(forward, backward, names, draws)
    clock.lap("user")
    derivation, reason, symbolic = _symbolic(forward, f.shapes, wrt, draws, fvals)
    clock.lap("derive")
    grads, notes = _Context(f, draws, fvals, user, wrt, fd, seed, derivation, symbolic).judge()
    batch = _batch_size(f.shapes, names)
    grads = {k: replace(g, message=batch_message(g.message, g.factor, batch))
             for k, g in grads.items()}
    clock.lap("compare")
    proof_shapes, proof_note, ew = None, "", None
    if derivation is not None and _want_proof(prove, f.shapes):
        budget = P.FULL_BUDGET if prove else PROOF_AUTO_BUDGET
        proof_shapes, proof_note, ew, proofs = _prove(forward, f.shapes, wrt, budget)
        grads = {k: _with_proof(g, proofs.get(k)) for k, g in grads.items()}
        notes += _proof_problems(proofs)
    clock.lap("prove")
    return VerifyResult(
        gradients=grads, shapes=f.shapes, constants=tuple(n for n in names if n not in wrt),
        traced=derivation, fallback_reason=reason, notes=tuple(notes), points=points,
        seed=seed, fd=fd, proof_shapes=proof_shapes, proof_note=proof_note, elementwise=ew,
        label=label, timings=clock.laps,
    )


class _Clock:
    """Seconds per stage, for the benchmark of issue 5 (``VerifyResult.timings``)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.laps["total"] = now - self.start
        self.last = now


def _points(names: list[str], optional: set[str], shapes: Mapping[str, Any] | None,
            inputs: Any, seed: int, points: int, fd: str) -> list[Arrays]:
    """The K points, after checking the options and the shapes against forward's arguments."""
    if fd not in FD_MODES:
        raise InputError(f"fd must be one of {', '.join(FD_MODES)}, got {fd!r}")
    U.check_points(points)
    U.check_seed(seed)
    given = U.validate_shapes(shapes or {}, "shapes")
    unknown = [k for k in given if k not in names]
    if unknown:
        raise InputError(f"a shape is given for {_names(unknown)}, not an argument of forward "
                         f"({', '.join(names)})")
    rng = np.random.default_rng(seed)
    draws = [_draw(rng, names, optional, given, inputs, k) for k in range(points)]
    _same_shapes(draws, {k: v.shape for k, v in draws[0].items()})
    return draws


def _run_user(forward: Callable[..., Any], backward: Callable[..., Any], names: list[str],
              draws: list[Arrays]
              ) -> tuple[_ScalarForward, list[float], list[dict[str, Any]], tuple[str, ...]]:
    """The call order, documented and kept: at each point forward, then backward, at the same
    point (a backward may read what its forward cached); forward once more at the first point,
    which must give the same value (no verdict rests on a forward that is not a function).
    backward's first answer says what is checked; its results are copied as they arrive."""
    U.check_function(backward, "backward")
    f = _ScalarForward(forward, {k: tuple(v.shape) for k, v in draws[0].items()})
    fvals = [f.value(draws[0], first=True)]
    user = [_user_gradients(backward, draws[0], names, None)]
    wrt = tuple(k for k in names if k in user[0])
    undrawn = [k for k in wrt if k not in draws[0]]
    if undrawn:
        raise InputError(f"backward returned {_names(undrawn)}, which has no shape: give one to "
                         "differentiate it")
    for p in draws[1:]:
        fvals.append(f.value(p))
        user.append(_user_gradients(backward, p, names, wrt))
    _deterministic(fvals[0], f.value(draws[0]))
    return f, fvals, user, wrt


# Two calls of a forward at one point must agree to this (relative): the same float64 code
# on the same arrays gives the same bits, up to a threaded BLAS reordering a sum (~1e-15).
DETERMINISM_RTOL = 1e-12


def _deterministic(first: float, again: float) -> None:
    if abs(first - again) <= DETERMINISM_RTOL * max(abs(first), abs(again)):
        return
    raise InputError(f"forward is not deterministic: two calls at the same point gave "
                     f"{first:.17g} and {again:.17g} (np.random, a call counter or state kept "
                     "between calls?); a gradient can only be checked for a function")


def verify_module(
    module: U.UserModule,
    forward: str = "forward",
    backward: str = "backward",
    shapes: Mapping[str, Shape] | None = None,
    **kw: Any,
) -> VerifyResult:
    """verify() on a loaded user module: its SHAPES, overridden by ``shapes``, its inputs()."""
    fwd = module.function(forward)
    bwd = module.function(backward)
    merged = {**module.shapes(), **(shapes or {})}
    inputs = module.optional_function("inputs")
    return verify(fwd, bwd, shapes=merged or None, inputs=inputs, label=module.label, **kw)


# ---------------------------------------------------------------- inputs


def _parameters(forward: Callable[..., Any], shapes: Mapping[str, Any] | None
                ) -> tuple[list[str], set[str]]:
    """forward's argument names (in order) and those with defaults (which may be left out)."""
    import inspect

    if not callable(forward):
        raise InputError(f"forward must be a function, got a {type(forward).__name__}")
    U.check_function(forward, "forward")
    try:
        sig = inspect.signature(forward)
    except (TypeError, ValueError):
        raise InputError("cannot read forward's arguments (inspect.signature failed)") from None
    names, optional, var_kw = [], set(), False
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            names.append(p.name)
            if p.default is not p.empty:
                optional.add(p.name)
        elif p.kind is p.POSITIONAL_ONLY:
            raise InputError(f"forward's argument {p.name!r} is positional-only; the arrays "
                             "are passed by name")
    if var_kw:
        names += [k for k in (shapes or {}) if k not in names]
    if not names:
        raise InputError("forward takes no arguments: nothing to differentiate")
    return names, optional


def _as_array(value: Any, name: str, where: str) -> np.ndarray:
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):
        raise InputError(f"{where} gave {name!r} that is not a rectangular array") from None
    if a.dtype.kind not in "biuf":
        raise InputError(f"{where} gave {name!r} of dtype {a.dtype}, not real numbers")
    return np.array(a, dtype=np.float64)


def _given_inputs(inputs: Any, rng: np.random.Generator, names: list[str]) -> Arrays:
    if inputs is None:
        return {}
    if callable(inputs):
        raw = U.call(inputs, "inputs(rng)", rng)
        where = "inputs(rng)"
    else:
        raw, where = inputs, "inputs"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where} must return a dict of arrays, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in names]
    if unknown:
        raise InputError(f"{where} returned {_names(unknown)}, not arguments of forward "
                         f"({', '.join(names)})")
    return {k: _as_array(v, k, where) for k, v in raw.items()}


def _draw(rng: np.random.Generator, names: list[str], optional: set[str],
          shapes: dict[str, Shape], inputs: Any, k: int) -> Arrays:
    """One point: the user's arrays where given, standard-normal draws for the rest."""
    given = _given_inputs(inputs, rng, names)
    out: Arrays = {}
    for name in names:
        if name in given:
            a = given[name]
            if name in shapes and a.shape != shapes[name]:
                raise InputError(
                    f"inputs(rng) gave {name} of shape {U.shape_text(a.shape)}, but its shape "
                    f"is given as {U.shape_text(shapes[name])}")
        elif name in shapes:
            a = rng.standard_normal(shapes[name])
        elif name in optional:
            continue
        else:
            raise InputError(f"no shape for {name!r}: add it to SHAPES, pass --shape "
                             f"{name}=AxB, or return it from inputs(rng)")
        U.check_array(a, name)
        _finite(a, name, k)
        out[name] = a
    return out


def _finite(a: np.ndarray, name: str, k: int) -> None:
    bad = ~np.isfinite(a)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"input {name} is not finite at point {k + 1}: {a[idx]} at index "
                         f"{idx}")


def _same_shapes(draws: list[Arrays], shapes: dict[str, Shape]) -> None:
    for k, d in enumerate(draws[1:], start=2):
        for name, a in d.items():
            if a.shape != shapes[name]:
                raise InputError(f"inputs(rng) gave {name} of shape {U.shape_text(a.shape)} at "
                                 f"point {k}, {U.shape_text(shapes[name])} at point 1")


def _names(items: list[Any]) -> str:
    return ", ".join(repr(x) for x in items)


# ---------------------------------------------------------------- calling user code


class _ScalarForward:
    """The user's forward as f(arrays) -> float, on fresh copies (it may modify its inputs)."""

    def __init__(self, forward: Callable[..., Any], shapes: dict[str, Shape]) -> None:
        self.forward = forward
        self.shapes = shapes
        self.float32 = False
        self.calls = 0

    def __call__(self, arrays: Mapping[str, np.ndarray]) -> float:
        self.calls += 1
        with np.errstate(all="ignore"):
            value = U.call(self.forward, "forward", **_copies(arrays))
        return float(np.asarray(value, dtype=np.float64).reshape(()))

    def value(self, arrays: Arrays, first: bool = False) -> float:
        """forward at a point, with the shape and scalar checks that make a clear message."""
        try:
            with np.errstate(all="ignore"):
                value = self.forward(**_copies(arrays))
        except U.SHAPE_EXCEPTIONS as exc:
            raise InputError(
                f"forward fails on the given shapes {U.shapes_text(self.shapes)}: "
                f"{U.describe(exc)}{U.location(exc, self.forward)}") from None
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: one line, always
            raise U.user_error(exc, "forward", self.forward) from None
        U.check_returned(value, "forward")
        try:
            a = np.asarray(value)
            out = np.asarray(a, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError(f"forward must return a number, got {type(value).__name__}") from None
        if out.size != 1:
            raise InputError(f"forward must return a scalar (a float or 0-d array), got shape "
                             f"{out.shape} at shapes {U.shapes_text(self.shapes)}")
        if first and a.dtype == np.float32:
            self.float32 = True
        v = float(out.reshape(()))
        if not math.isfinite(v):
            raise InputError(f"forward returned {v} at shapes {U.shapes_text(self.shapes)}: "
                             "give inputs(rng) that keep it finite (log or sqrt of a negative "
                             "draw?)")
        return v


def _copies(arrays: Mapping[str, np.ndarray]) -> Arrays:
    return {k: np.array(v, copy=True) for k, v in arrays.items()}


def _user_gradients(backward: Callable[..., Any], point: Arrays, names: list[str],
                    wrt: tuple[str, ...] | None) -> dict[str, Any]:
    """backward at a point: a dict whose keys are arguments of forward (the same each time)."""
    with np.errstate(all="ignore"):
        raw = U.call(backward, "backward", **_copies(point))
    if not isinstance(raw, Mapping):
        raise InputError("backward must return a dict mapping argument names to gradient "
                         f"arrays, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in names]
    if unknown:
        plural = "are not arguments" if len(unknown) > 1 else "is not an argument"
        raise InputError(f"backward returned {_names(unknown)}, which {plural} of forward "
                         f"({', '.join(names)})")
    if not raw:
        raise InputError("backward returned an empty dict: no gradient to check")
    if wrt is not None and set(raw) != set(wrt):
        raise InputError(f"backward returned different names at different points: "
                         f"{sorted(raw)} and {sorted(wrt)}")
    return {k: _copied(v) for k, v in raw.items()}


def _copied(value: Any) -> Any:
    """A result copied as it arrives: a backward may return the same buffer at every call."""
    if isinstance(value, np.ndarray):
        return value.copy()
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable object is judged as it is
        return value


# ---------------------------------------------------------------- the symbolic side


_CACHE: OrderedDict[tuple, Derivation | DeriveError] = OrderedDict()


def derivation(forward: Callable[..., Any], shapes: Mapping[str, Shape],
               wrt: tuple[str, ...]) -> Derivation:
    """Trace, derive by rules and compile: once per (forward, shapes, names), then cached.

    The cost depends on the number of operations, not on the sizes: the expressions refer
    to whole arrays. Failures (a numpy call the tracer cannot map) are cached too.
    """
    key = (forward, tuple(shapes.items()), tuple(wrt))
    try:
        hit = _CACHE.get(key)
    except TypeError:  # an unhashable callable: no caching
        key, hit = None, None
    if hit is None:
        hit = _build(forward, shapes, wrt)
        if key is not None:
            _CACHE[key] = hit
            while len(_CACHE) > CACHE_SIZE:
                _CACHE.popitem(last=False)
    elif key is not None:
        _CACHE.move_to_end(key)
    if isinstance(hit, DeriveError):
        raise type(hit)(str(hit))  # a fresh exception: the cached one keeps no traceback
    return hit


def _build(forward: Callable[..., Any], shapes: Mapping[str, Shape],
           wrt: tuple[str, ...]) -> Derivation | DeriveError:
    t0 = time.perf_counter()
    try:
        graph = from_forward(forward, dict(shapes), tuple(wrt))
    except TraceError as exc:
        return TraceError(str(exc))
    except AttributeError as exc:
        if getattr(exc, "obj", None) is not None and type(exc.obj).__name__ == "Traced":
            return TraceError(f"ndarray.{exc.name}")
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}")
    except Exception as exc:  # noqa: BLE001 - forward ran on arrays; this is the tracer's limit
        return TraceError(f"{U.describe(exc)}{U.location(exc, forward)}")
    if graph.output.size != 1:
        return TraceError(f"the traced output has shape {graph.output.shape}, not a scalar")
    bw = derive_backward(graph)
    code = compile_numpy(bw)
    return Derivation(graph, bw, code, time.perf_counter() - t0)


def _symbolic(forward: Callable[..., Any], shapes: dict[str, Shape], wrt: tuple[str, ...],
              draws: list[Arrays], fvals: list[float]
              ) -> tuple[Derivation | None, str | None, list[Arrays] | None]:
    """The derivation and its gradient at every point, or None and why the tracer fell back."""
    try:
        d = derivation(forward, shapes, wrt)
    except TraceError as exc:
        return None, str(exc), None
    values = []
    for k, (p, f0) in enumerate(zip(draws, fvals)):
        try:
            with np.errstate(all="ignore"):
                value, grads = d.code.value_and_gradient(**p)  # type: ignore[misc]
                traced = float(np.asarray(value, dtype=np.float64).reshape(()))
                g = {w: np.asarray(v, dtype=np.float64) for w, v in grads.items()}
        except Exception as exc:  # noqa: BLE001 - our generated code failing is our limit
            return None, f"the derived code fails: {U.describe(exc)}", None
        if not abs(traced - f0) <= FORWARD_RTOL * max(1.0, abs(f0), abs(traced)):
            return None, (f"the traced forward gives {traced:.10g} where yours gives {f0:.10g} "
                          f"at point {k + 1} (an operation the tracer reads differently)"), None
        values.append(g)
    return d, None, values


# ---------------------------------------------------------------- finite differences


def _flat_indices(shape: Shape, flat: np.ndarray) -> list[tuple[int, ...]]:
    if not shape:
        return [()]
    return [tuple(int(i) for i in idx) for idx in zip(*np.unravel_index(flat, shape))]


def _perturbed(point: Arrays, name: str, idx: tuple[int, ...], value: float) -> Arrays:
    out = dict(point)
    x = np.array(point[name], copy=True)
    x[idx] = value
    out[name] = x
    return out


class _Differences:
    """Central and one-sided differences of the user's forward at chosen entries."""

    def __init__(self, f: _ScalarForward) -> None:
        self.f = f
        self.rel_step = FD32_REL_STEP if f.float32 else FD_REL_STEP
        self.rtol = FD32_RTOL if f.float32 else FD_RTOL
        self.noise = FD32_NOISE if f.float32 else FD_NOISE

    def _h(self, x: float) -> float:
        return self.rel_step * max(1.0, abs(x))

    def central(self, point: Arrays, name: str, indices: list[tuple[int, ...]]) -> np.ndarray:
        out = np.empty(len(indices))
        x = point[name]
        for i, idx in enumerate(indices):
            xi = float(x[idx])
            h = self._h(xi)
            up, down = xi + h, xi - h
            fp = self.f(_perturbed(point, name, idx, up))
            fm = self.f(_perturbed(point, name, idx, down))
            out[i] = (fp - fm) / (up - down)
        return out

    def entry_function(self, point: Arrays, name: str, indices: list[tuple[int, ...]]
                       ) -> Callable[[np.ndarray], np.ndarray]:
        """f with entry indices[i] of ``name`` set to values[i], for each i (numeric.refine)."""
        def fe(values: np.ndarray) -> np.ndarray:
            out = np.empty(len(indices))
            for i, idx in enumerate(indices):
                v = float(values[i])
                out[i] = self.f(_perturbed(point, name, idx, v)) if math.isfinite(v) else np.nan
            return out

        return fe

    def one_sided(self, point: Arrays, name: str, indices: list[tuple[int, ...]],
                  f0: float, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        left, right = np.empty(len(indices)), np.empty(len(indices))
        x = point[name]
        for i, idx in enumerate(indices):
            xi = float(x[idx])
            h = scale * self._h(xi)
            up, down = xi + h, xi - h
            left[i] = (f0 - self.f(_perturbed(point, name, idx, down))) / (xi - down)
            right[i] = (self.f(_perturbed(point, name, idx, up)) - f0) / (up - xi)
        return left, right

    def bracket(self, point: Arrays, name: str, indices: list[tuple[int, ...]],
                f0: float) -> tuple[np.ndarray, np.ndarray]:
        """[left, right] one-sided derivatives, widened by their own error: a one-sided
        difference is off by O(h), estimated as its change when h doubles (so a correct
        subgradient is never outside by that error, whatever RTOL)."""
        lo, hi = self.one_sided(point, name, indices, f0)
        lo2, hi2 = self.one_sided(point, name, indices, f0, scale=2.0)
        err = np.maximum(np.abs(lo - lo2), np.abs(hi - hi2))
        return np.minimum(lo, hi) - err, np.maximum(lo, hi) + err

    def directional(self, point: Arrays, v: Mapping[str, np.ndarray]) -> float:
        """Central difference along v (a direction over one or several inputs): ~ grad . v."""
        x_max = max(float(np.max(np.abs(point[w]), initial=0.0)) for w in v)
        v_max = max(float(np.max(np.abs(d), initial=0.0)) for d in v.values())
        h = self.rel_step * max(1.0, x_max) / max(v_max, 1e-300)
        plus, minus = dict(point), dict(point)
        for w, d in v.items():
            plus[w], minus[w] = point[w] + h * d, point[w] - h * d
        return (self.f(plus) - self.f(minus)) / (2 * h)

    def directional_doubt(self, point: Arrays, v: Mapping[str, np.ndarray], gv: float,
                          f0: float, scale: float) -> bool:
        """Whether refined differences along v decide against the derivative gv."""
        x_max = max(float(np.max(np.abs(point[w]), initial=0.0)) for w in v)
        v_max = max(float(np.max(np.abs(d), initial=0.0)) for d in v.values())
        h = self.rel_step * max(1.0, x_max) / max(v_max, 1e-300)

        def fe(ts: np.ndarray) -> np.ndarray:
            out = np.empty(len(ts))
            for i, t in enumerate(ts):
                moved = dict(point)
                for w, d in v.items():
                    moved[w] = point[w] + float(t) * d
                out[i] = self.f(moved) if math.isfinite(float(t)) else np.nan
            return out

        return bool(evidence.still_disagree(np.array([gv]), fe, np.zeros(1), f0, h,
                                            self.rtol, scale)[0])

    def agree(self, a: np.ndarray, b: np.ndarray, f0: float) -> np.ndarray:
        """Entrywise agreement of a derivative with a difference, within FD tolerance."""
        scale = np.maximum(np.abs(a), np.abs(b))
        return np.abs(a - b) <= self.rtol * scale + self.noise * max(1.0, abs(f0))


# ---------------------------------------------------------------- judging


@dataclass
class _Context:
    """One verification's data; judge() turns it into a GradientResult per name."""

    f: _ScalarForward
    draws: list[Arrays]
    fvals: list[float]
    user: list[dict[str, Any]]
    wrt: tuple[str, ...]
    fd: str
    seed: int
    derivation: Derivation | None
    symbolic: list[Arrays] | None

    def __post_init__(self) -> None:
        self.diff = _Differences(self.f)
        self.rng = np.random.default_rng([self.seed, 1])  # FD draws: independent of the points
        self.notes: list[str] = []
        self.kinky = self.derivation is None or bool(kink_nodes(self.derivation.graph))
        self._ties: dict[int, bool] = {}

    def ties(self, k: int) -> bool:
        """Whether point k sits exactly on a kink of the traced graph (computed once)."""
        if k not in self._ties:
            d = self.derivation
            self._ties[k] = bool(self.kinky and d is not None and _kink_ties(d, self.draws[k]))
        return self._ties[k]

    def judge(self) -> tuple[dict[str, GradientResult], list[str]]:
        refs = None
        if self.symbolic is not None:
            refs = {w: [s[w] for s in self.symbolic] for w in self.wrt}
        suspects = self._directional_suspects(refs) if refs is not None else {}
        out: dict[str, GradientResult] = {}
        for w in self.wrt:
            reason = None if refs is None else self._validate(w, refs[w], suspects.get(w, []))
            if refs is None or reason is not None:
                if reason:
                    self.notes.append(reason)
                out[w] = self._numeric(w)
            else:
                out[w] = self._against(w, refs[w])
            out[w] = replace(out[w], miss_probability=self._miss(w, out[w], refs))
        joint = self._taylor_joint() if all(g.verdict == "ok" for g in out.values()) else None
        for w in self.wrt:
            out[w] = replace(out[w], **(joint if joint is not None else self._taylor(w)))
        if self.f.float32:
            self.notes.append("float32 forward: finite differences with step "
                              f"{FD32_REL_STEP:.1g} and rtol {FD32_RTOL:g}")
        for dtype in (np.float32, np.float16):
            low = [w for w in self.wrt if _dtype(self.user[0][w]) == dtype]
            if low:
                tol = LOWP_ULPS * float(np.finfo(dtype).eps)
                self.notes.append(f"{np.dtype(dtype)} backward for {', '.join(low)}: judged "
                                  f"with rtol {tol:g} of the gradient's scale, which fits "
                                  f"{np.dtype(dtype)} (low precision)")
        return out, self.notes

    # -- what the checks could miss, and the Taylor test --------------------------
    def _miss(self, w: str, g: GradientResult, refs: dict[str, list[np.ndarray]] | None
              ) -> float:
        """Chance that an error of the derived gradient of w confined to one entry, as large
        as its largest entry, escapes finite differences: it is outside the sampled entries
        (1 - k/n) and each random direction v (unit, over all N checked entries) misses it,
        |error * v_i| <= slack with v_i ~ N(0, 1/N): P = erf(slack sqrt(N) / (err sqrt 2))."""
        if g.numeric_only or refs is None or self.fd == "all":
            return 0.0
        n = int(np.prod(refs[w][0].shape, dtype=np.int64))
        p_sample = 1.0 - min(FD_SAMPLE, n) / n
        if p_sample == 0.0:
            return 0.0
        names = [x for x in self.wrt if all(np.all(np.isfinite(r)) for r in refs[x])]
        g0 = {x: refs[x][0] for x in names}
        size = sum(int(np.size(v)) for v in g0.values())
        norm = math.sqrt(sum(float(np.sum(v * v)) for v in g0.values()))
        slack = self.diff.rtol * norm + self.diff.noise * max(1.0, abs(self.fvals[0]))
        err = float(np.max(np.abs(refs[w][0]), initial=0.0))
        if err == 0.0 or not names:
            return p_sample
        p_one = math.erf(slack * math.sqrt(size) / (err * math.sqrt(2.0)))
        return p_sample * p_one ** (FD_DIRECTIONS + len(self.draws) - 1)

    def _usable(self, w: str) -> np.ndarray | None:
        """Your gradient of w at point 1 as float64, when it has w's shape and is finite."""
        try:
            ga = np.asarray(self.user[0][w], dtype=np.float64)
        except (TypeError, ValueError):
            return None
        ok = ga.shape == np.shape(self.draws[0][w]) and bool(np.all(np.isfinite(ga)))
        return ga if ok else None

    def _slope(self, grads: dict[str, np.ndarray], seed: int,
               steps: np.ndarray = TAYLOR_STEPS) -> dict[str, Any]:
        def f(**arrays: np.ndarray) -> float:
            return self.f(arrays)

        try:
            with np.errstate(all="ignore"):
                slope, hs, rs = taylor_remainder_slope(f, self.draws[0], grads, seed=seed,
                                                       hs=steps, f0=self.fvals[0])
        except DeriveError:
            return {}
        return {"taylor_slope": None if math.isnan(slope) else slope, "taylor": (hs, rs)}

    def _taylor_joint(self) -> dict[str, Any] | None:
        """One Taylor test for all gradients together (one direction over every checked input):
        the common case, all right, costs one set of forward passes instead of one per
        gradient. None when it does not settle every gradient."""
        grads = {w: self._usable(w) for w in self.wrt}
        if len(self.wrt) < 2 or any(g is None for g in grads.values()):
            return None
        result = self._slope(grads, TAYLOR_SEED, TAYLOR_JOINT_STEPS)  # type: ignore[arg-type]
        slope = result.get("taylor_slope")
        if "taylor" not in result or (slope is not None and slope < TAYLOR_JOINT_OK):
            return None
        return result

    def _taylor(self, w: str) -> dict[str, Any]:
        """The Taylor remainder slope of your gradient of w at point 1 (one random direction)."""
        ga = self._usable(w)
        if ga is None:
            return {}
        return self._slope({w: ga}, TAYLOR_SEED + self.wrt.index(w))

    # -- validation of the derived gradient ------------------------------------
    def _direction_ok(self, k: int, g: Mapping[str, np.ndarray], names: tuple[str, ...]) -> bool:
        """One random direction over ``names`` at point k: difference quotient = g . v?"""
        v = {w: self.rng.standard_normal(np.shape(g[w])) for w in names}
        norm_v = math.sqrt(sum(float(np.sum(d * d)) for d in v.values()))
        v = {w: d / max(norm_v, 1e-300) for w, d in v.items()}
        dd = self.diff.directional(self.draws[k], v)
        gv = sum(float(np.sum(g[w] * v[w])) for w in names)
        norm_g = math.sqrt(sum(float(np.sum(g[w] * g[w])) for w in names))
        slack = self.diff.rtol * norm_g + self.diff.noise * max(1.0, abs(self.fvals[k]))
        if abs(dd - gv) <= slack:
            return True
        # one step is no proof against a derivation (a deep network's curvature): refine
        return not self.diff.directional_doubt(self.draws[k], v, gv, self.fvals[k], norm_g)

    def _directional_suspects(self, refs: dict[str, list[np.ndarray]]
                              ) -> dict[str, list[int]]:
        """Points where a gradient fails the directional check: random directions over all
        checked inputs at once (FD_DIRECTIONS at the first point, one at the others, 2
        forward calls each); only a failure is localised, with directions per input."""
        suspects: dict[str, list[int]] = {}
        finite = tuple(w for w in self.wrt if all(np.all(np.isfinite(r)) for r in refs[w]))
        for k in range(len(self.draws)):
            if not finite:
                break
            g = {w: refs[w][k] for w in finite}
            tries = FD_DIRECTIONS if k == 0 else 1
            if all(self._direction_ok(k, g, finite) for _ in range(tries)):
                continue
            for w in finite:
                if not all(self._direction_ok(k, g, (w,)) for _ in range(FD_DIRECTIONS)):
                    suspects.setdefault(w, []).append(k)
        return suspects

    def _validate(self, w: str, ref: list[np.ndarray], suspect: list[int]) -> str | None:
        """None when finite differences confirm the derived gradient of w, else why not.

        Per-entry central differences: on a sample of FD_SAMPLE entries once per derivation
        (it does not depend on the point), on every entry with fd="all", and on every entry
        at a point where the directional check failed (to tell a kink from a fault)."""
        for k, r in enumerate(ref):
            if not np.all(np.isfinite(r)):
                idx = tuple(int(i) for i in np.argwhere(~np.isfinite(r))[0])
                return (f"the derived gradient of {w} overflows at point {k + 1} (index {idx}: "
                        f"{r[idx]}), so {w} is judged by finite differences alone")
        shape = ref[0].shape
        every = list(np.ndindex(*shape)) if shape else [()]
        memo = self.derivation.memo if self.derivation is not None else {}
        plan: dict[int, list[tuple[int, ...]]] = {k: every for k in suspect}
        if self.fd == "all":
            plan[0] = every
        elif ("sampled", w) not in memo and 0 not in plan:
            size = len(every)
            n = min(FD_SAMPLE, size)
            plan[0] = _flat_indices(shape, np.sort(self.rng.choice(size, n, replace=False)))
        for k, chosen in sorted(plan.items()):
            bad = self._entries_disagree(w, ref[k], k, chosen)
            if bad:
                return (f"the derived gradient of {w} disagrees with finite differences of "
                        f"your forward at {list(bad[:5])} (point {k + 1}), so {w} is judged "
                        "by finite differences alone; please report this tracer limitation")
        memo[("sampled", w)] = True
        return None

    def _entries_disagree(self, w: str, g: np.ndarray, k: int,
                          chosen: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        """Entries where derived and central differ and one-sided differences don't excuse it."""
        p, f0 = self.draws[k], self.fvals[k]
        fdv = self._central(w, k, chosen)
        gv = np.array([g[i] for i in chosen])
        bad = [chosen[i] for i in np.flatnonzero(~self.diff.agree(gv, fdv, f0))]
        if bad:  # a difference at one step is no proof against a derivation: refine it first
            xs = np.array([p[w][i] for i in bad], dtype=np.float64)
            gb = np.array([g[i] for i in bad])
            doubt = evidence.still_disagree(gb, self.diff.entry_function(p, w, bad), xs, f0,
                                            self.diff.rel_step, self.diff.rtol,
                                            float(np.max(np.abs(g), initial=0.0)))
            bad = [bad[i] for i in np.flatnonzero(doubt)]
        if not bad:
            return []
        lo, hi = self.diff.bracket(p, w, bad, f0)
        gb = np.array([g[i] for i in bad])
        scale = float(np.max(np.abs(g), initial=0.0))
        kink = kink_mask(lo, hi, scale=scale)
        slack = self.diff.rtol * np.maximum(np.abs(lo), np.abs(hi)) + self.diff.noise
        inside = (gb >= np.minimum(lo, hi) - slack) & (gb <= np.maximum(lo, hi) + slack)
        return [bad[i] for i in np.flatnonzero(~(kink & inside))]

    def _central(self, w: str, k: int, chosen: list[tuple[int, ...]]) -> np.ndarray:
        """Central differences at the chosen entries: for many entries, along the traced
        graph (derive.deltas, the slice each perturbation changes), once FD_SPOT of them
        agree with differences of your own forward; else, or when the graph has an
        operation it does not cover, your forward twice per entry."""
        p = self.draws[k]
        d = self.derivation
        if d is None or len(chosen) <= 4 * FD_SPOT or self.f.float32:
            return self.diff.central(p, w, chosen)
        from derive import deltas

        try:
            ev = d.memo.get("deltas")
            if ev is None:
                ev = d.memo["deltas"] = deltas.Evaluator(d.graph)
            shape = np.shape(p[w])
            flat = np.array([np.ravel_multi_index(i, shape) if shape else 0 for i in chosen])
            fast = deltas.central_differences(ev, p, w, flat, self.diff.rel_step)
        except deltas.Unsupported:
            return self.diff.central(p, w, chosen)
        spot = np.sort(self.rng.choice(len(chosen), FD_SPOT, replace=False))
        slow = self.diff.central(p, w, [chosen[i] for i in spot])
        if not np.all(self.diff.agree(fast[spot], slow, self.fvals[k])):
            return self.diff.central(p, w, chosen)
        fast[spot] = slow
        return fast

    # -- the user's gradient against the derived one -----------------------------
    def _against(self, w: str, ref: list[np.ndarray]) -> GradientResult:
        comparisons = []
        for k in range(len(self.draws)):
            cand = self.user[k][w]
            c = compare(ref[k], cand)
            ties = self.ties(k)
            if ties or (self.kinky and c.verdict == "wrong" and c.diagnosis == "entries"):
                c = self._at_kinks(w, ref[k], cand, c, k, probe_all=ties)
            if ties and c.verdict == "wrong":
                c = self._by_convention(w, cand, c, k)
            comparisons.append(c)
        validation = self._validation_text(w, ref[0].shape)
        return _aggregate(w, comparisons, ref, self.user, False, validation)

    def _at_kinks(self, w: str, ref: np.ndarray, cand: Any, c: Comparison, k: int,
                  probe_all: bool) -> Comparison:
        """Re-judge with one-sided differences: at a kink any subgradient passes."""
        cand_a = np.asarray(cand)
        if cand_a.shape != ref.shape:
            return c
        p, f0 = self.draws[k], self.fvals[k]
        every = list(np.ndindex(*ref.shape)) if ref.shape else [()]
        where = every if probe_all else list(c.entries)
        if not where or len(where) > KINK_PROBE_MAX:
            return c
        lo, hi = ref.copy(), ref.copy()
        l_, h_ = self.diff.bracket(p, w, where, f0)
        for i, idx in enumerate(where):
            lo[idx], hi[idx] = l_[i], h_[i]
        c = compare(ref, cand, subgradient=(lo, hi))
        if c.verdict != "ok":
            return c
        kinks = kink_mask(lo, hi, scale=float(np.max(np.abs(ref), initial=0.0)))
        if not np.any(kinks):
            return c
        at = tuple(tuple(int(i) for i in idx) for idx in np.argwhere(kinks))
        message = (f"nondifferentiable: the point is on a kink at {list(at)[:8]}"
                   f"{' ...' if len(at) > 8 else ''}; any subgradient passes, yours is one")
        return Comparison("nondifferentiable", "nondifferentiable", None, c.max_abs_error,
                          c.max_rel_error, at, c.tolerance, message)

    def _by_convention(self, w: str, cand: Any, c: Comparison, k: int) -> Comparison:
        """Many kinks hit at once (a zero-initialised layer, an all-zero input row): the
        one-sided differences of one entry need not bracket the chain rule there, but a
        framework's convention (relu'(0) = 0, 1/2 or 1, the same at every kink) gives a
        subgradient. A candidate equal to the chain rule under one of them is not wrong."""
        d = self.derivation
        vg = d.code.value_and_gradient if d is not None else None
        if vg is None:
            return c
        for h0, what in KINK_CONVENTIONS:
            try:
                with np.errstate(all="ignore"):
                    _, grads = _under_convention(vg, h0)(**self.draws[k])
                ref = np.asarray(grads[w], dtype=np.float64)
            except Exception:  # noqa: BLE001 - a convention we cannot evaluate is not a match
                continue
            if not np.all(np.isfinite(ref)):
                continue
            m = compare(ref, cand)
            if m.verdict == "ok":
                message = (f"nondifferentiable: the point is on kinks of several steps at once; "
                           f"yours is the chain rule with {what}, a subgradient")
                return Comparison("nondifferentiable", "nondifferentiable", None,
                                  m.max_abs_error, m.max_rel_error, c.entries, m.tolerance,
                                  message)
        return c

    def _validation_text(self, w: str, shape: Shape) -> str:
        size = int(np.prod(shape, dtype=np.int64))
        n = size if self.fd == "all" else min(FD_SAMPLE, size)
        return (f"derived by rules; finite differences of your forward agree along random "
                f"directions at all {len(self.draws)} points, and per entry at {n} of {size} "
                "entries")

    # -- numeric only --------------------------------------------------------------
    def _numeric(self, w: str) -> GradientResult:
        """Per-entry central differences of the forward, at every entry and every point."""
        comparisons, refs = [], []
        for k, p in enumerate(self.draws):
            shape = np.shape(p[w])
            every = list(np.ndindex(*shape)) if shape else [()]
            fdv = self.diff.central(p, w, every).reshape(shape)
            refs.append(fdv)
            comparisons.append(self._numeric_compare(w, fdv, self.user[k][w], k))
        size = int(np.prod(np.shape(self.draws[0][w]), dtype=np.int64))
        validation = (f"numeric only: central differences at all {size} entries of each of "
                      f"{len(self.draws)} points (tolerance rtol {self.diff.rtol:g})")
        return _aggregate(w, comparisons, refs, self.user, True, validation)

    def _numeric_compare(self, w: str, fdv: np.ndarray, cand: Any, k: int) -> Comparison:
        """compare() against differences judged relative to the gradient, not to f: disputed
        entries are refined (numeric.evidence), undecidable ones follow the Taylor slope."""
        try:
            c = np.asarray(cand, dtype=np.float64)
        except (TypeError, ValueError):
            return compare(np.nan_to_num(fdv), cand, rtol=self.diff.rtol)
        if c.shape != fdv.shape or not np.all(np.isfinite(c)):
            return compare(np.nan_to_num(fdv), cand, rtol=self.diff.rtol)
        p = self.draws[k]

        def entries(where: Any) -> Any:
            return self.diff.entry_function(p, w, list(where))

        def slope() -> float | None:
            return self._slope({w: c}, TAYLOR_SEED + self.wrt.index(w)).get("taylor_slope")

        result = evidence.numeric_verdict(fdv, c, self.fvals[k], self.diff.rel_step,
                                          self.diff.rtol, entries, np.asarray(p[w]), slope)
        if _is_low_precision(cand) and result.verdict == "ok":
            result = replace(result, message=result.message + " [low precision]")
        return result


def _dtype(x: Any) -> Any:
    try:  # a ragged list is not an array at all
        return getattr(np.asarray(x), "dtype", None)
    except ValueError:
        return None


def _is_low_precision(x: Any) -> bool:
    return _dtype(x) in (np.float16, np.float32)


def _is_float32(x: Any) -> bool:
    try:  # a ragged list is not an array at all: compare() calls it wrong, this says no
        return getattr(np.asarray(x), "dtype", None) == np.float32
    except ValueError:
        return False


def _aggregate(w: str, comparisons: list[Comparison], refs: list[np.ndarray],
               user: list[dict[str, Any]], numeric_only: bool, validation: str) -> GradientResult:
    """The worst point decides; entries are the union over points with that verdict."""
    worst = max(range(len(comparisons)), key=lambda i: (VERDICT_ORDER[comparisons[i].verdict],
                                                        -i))
    c = comparisons[worst]
    entries = sorted({e for x in comparisons if x.verdict == c.verdict for e in x.entries})
    rel = [x.max_rel_error for x in comparisons]
    ab = [x.max_abs_error for x in comparisons]
    return GradientResult(
        name=w, verdict=c.verdict, diagnosis=c.diagnosis, factor=c.factor,
        max_rel_error=_nanmax(rel), max_abs_error=_nanmax(ab), entries=entries,
        numeric_only=numeric_only, message=c.message, shape=tuple(refs[worst].shape),
        tolerance=c.tolerance, point=worst, expected=refs[worst], got=user[worst][w],
        validation=validation,
    )


def _batch_size(shapes: Mapping[str, Shape], names: list[str]) -> int | None:
    """N for the hints: the rows of the first input with two or more axes (X of (N, d))."""
    for name in names:
        shape = shapes.get(name, ())
        if len(shape) >= 2:
            return int(shape[0])
    return None


def _nanmax(xs: list[float]) -> float:
    finite = [x for x in xs if not math.isnan(x)]
    return max(finite) if finite else float("nan")


# ---------------------------------------------------------------- kinks




# The derivative at a kink that frameworks and course code use: the step H(0) (relu'(0),
# and a tie of max/min) fixed to one value at every kink node.
KINK_CONVENTIONS = ((0.0, "relu'(0) = 0 (a mask written x > 0)"),
                    (1.0, "relu'(0) = 1 (a mask written x >= 0)"),
                    (0.5, "relu'(0) = 1/2"))

# leaky ReLU's slope left of 0 (its row: max(u/5, u))
LEAKY_SLOPE = 0.2


def _under_convention(f: Callable[..., Any], h0: float) -> Callable[..., Any]:
    """The compiled gradient with the step function's value at 0 set to h0."""
    import types

    def step(u: Any) -> Any:
        return np.heaviside(u, h0)

    def leaky(u: Any) -> Any:
        return np.where(u > 0, 1.0, np.where(u < 0, LEAKY_SLOPE,
                                             LEAKY_SLOPE + (1 - LEAKY_SLOPE) * h0))

    g = {**f.__globals__, "heaviside": step, "d1_relu": step, "d1_leaky_relu": leaky}
    return types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)


def _kink_ties(d: Derivation, point: Arrays) -> bool:
    """Whether the point sits exactly on a kink: a tie in max/min, a kink argument hit."""
    probes: list[E.Node] = []
    extremes: list[E.Node] = []
    for n in kink_nodes(d.graph):
        if n.op in ("amax", "amin"):
            extremes.append(n)
        elif n.op in ("maximum", "minimum"):
            probes.append(E.sub(n.args[0], n.args[1]))
        elif n.op == "where" and n.args[0].op == "compare":
            probes.append(E.sub(*n.args[0].args))
        elif n.op == "fn":
            probes += [E.sub(n.args[0], E.const(k)) for k in TABLE[n.attrs[0]].kinks]
    if not probes and not extremes:
        return False
    with np.errstate(all="ignore"):
        env = {**point, **step_values(d.graph, point)}
        if any(_tied(evaluate_numeric(n.args[0], env), n) for n in extremes):
            return True
        return any(np.any(evaluate_numeric(p, env) == 0.0) for p in probes)


def _tied(values: np.ndarray, n: E.Node) -> bool:
    """Whether a max/min reduction is attained by two entries or more somewhere."""
    axes = n.attrs[0]
    axes = tuple(range(values.ndim)) if axes is None else axes
    pick = np.max if n.op == "amax" else np.min
    hits = np.sum(values == pick(values, axis=axes, keepdims=True), axis=axes)
    return bool(np.any(hits > 1))


# ---------------------------------------------------------------- proofs at a reduced shape


def reduced_shapes(shapes: Mapping[str, Shape]) -> dict[str, Shape]:
    """Every size above 3 shrunk to 2 or 3 (distinct sizes alternate), sizes 1-3 kept."""
    big = sorted({s for shape in shapes.values() for s in shape if s > 3})
    small = {s: REDUCED_SIZES[i % len(REDUCED_SIZES)] for i, s in enumerate(big)}
    return {k: tuple(small.get(s, s) for s in shape) for k, shape in shapes.items()}


def _entries(shapes: Mapping[str, Shape]) -> int:
    return sum(int(np.prod(s, dtype=np.int64)) for s in shapes.values())


def _want_proof(prove: bool | None, shapes: Mapping[str, Shape]) -> bool:
    if prove is not None:
        return bool(prove)
    return _entries(reduced_shapes(shapes)) <= PROVE_AUTO_MAX_ENTRIES


def _prove(forward: Callable[..., Any], shapes: dict[str, Shape], wrt: tuple[str, ...],
           budget: P.WorkBudget) -> tuple[dict[str, Shape], str, EW.Elementwise | None,
                                         dict[str, EW.Proof]]:
    """Retrace at reduced shapes and prove each matrix-form gradient, within the budget."""
    small = reduced_shapes(shapes)
    try:
        d = derivation(forward, small, wrt)
    except TraceError as exc:
        return small, f"not proved: forward does not trace at {U.shapes_text(small)} ({exc})", \
            None, {}
    key = ("proof", budget)
    if key not in d.memo:  # a proof is about the graph, not the point: once per derivation
        d.memo[key] = _stored_proof(d, small, wrt, budget)
    return d.memo[key]


def _stored_proof(d: Derivation, small: dict[str, Shape], wrt: tuple[str, ...],
                  budget: P.WorkBudget) -> tuple[dict[str, Shape], str,
                                                 EW.Elementwise | None, dict[str, EW.Proof]]:
    """The proof kept on disk for this graph's structure, else proved now and kept."""
    key = proofcache.structure_key(d.graph.output, wrt, small, budget)
    kept = proofcache.load(key)
    if kept is not None:
        note, proofs = kept
        return small, note + " (kept from an earlier run)", None, proofs
    small, note, ew, proofs = _prove_derivation(d, small, wrt, budget)
    if ew is not None:
        proofcache.store(key, note, proofs)
    return small, note, ew, proofs


def _prove_derivation(d: Derivation, small: dict[str, Shape], wrt: tuple[str, ...],
                      budget: P.WorkBudget) -> tuple[dict[str, Shape], str,
                                                     EW.Elementwise | None, dict[str, EW.Proof]]:
    g = d.graph
    try:
        memo: dict[int, np.ndarray] = {}  # one pass over the graph, shared by every form
        ew = EW.ground_truth(g.output, g.inputs, g.wrt, max_ops=budget.entry_ops, memo=memo,
                             max_nodes=budget.graph_ops)
        env = dict(ew.symbols)
        for s in g.steps:
            env[s.name] = EW.evaluate(s.node, env, memo)
        forms = {w: EW.evaluate(d.backward.gradient(w), env, memo) for w in wrt}
    except ProofTimeout as exc:
        return small, str(exc), None, {}
    except Exception as exc:  # noqa: BLE001 - an op without elementwise form: no proof, no crash
        return small, f"not proved: {U.describe(exc)}", None, {}
    proofs = {w: EW.prove(w, forms[w], ew.gradients[w], budget) for w in wrt}
    return small, _proof_note(small, proofs, budget), ew, proofs


def _proof_note(small: dict[str, Shape], proofs: dict[str, EW.Proof],
                budget: P.WorkBudget) -> str:
    done = [w for w, p in proofs.items() if p.proved]
    seconds = sum(p.seconds for p in proofs.values())
    at = f"at {U.shapes_text(small)}"
    if len(done) == len(proofs):
        return f"matrix form = elementwise SymPy {at}, every entry ({seconds:.2g} s)"
    rest = [w for w in proofs if w not in done]
    head = f"proved {', '.join(done)} {at}; " if done else ""
    return f"{head}{', '.join(rest)} not proved within the {budget.describe()}"


def _with_proof(g: GradientResult, proof: EW.Proof | None) -> GradientResult:
    if proof is None:
        return g
    return replace(g, proof=proof)


def _proof_problems(proofs: dict[str, EW.Proof]) -> list[str]:
    """A failed proof is our problem, not the user's: say so (undecided is just a result)."""
    out = []
    for w, p in proofs.items():
        if p.refuted:
            out.append(f"the matrix form of {w} was not proved equal to elementwise SymPy "
                       f"({p.message}); please report it")
    return out


class _CallableModule(type(math)):
    """``derive.verify`` names both this module and the function the API promises: once the
    module is imported, ``derive.verify`` is the module, so calling it calls verify()."""

    def __call__(self, *args: Any, **kwargs: Any) -> VerifyResult:
        return verify(*args, **kwargs)


import sys as _sys  # noqa: E402 - only for the line below

_sys.modules[__name__].__class__ = _CallableModule
