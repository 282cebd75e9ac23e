"""The numbers the report draws, computed where the check runs: reports only format them.

Backward values on every edge of the graph (the diagram's red labels), a scalar case's
function and derivative over a range with finite-difference dots, the finite-difference
error against the step, and the Taylor-remainder slopes of the exact and the as-printed
gradient. Everything here is plain numpy data, so figures can be drawn in another process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive.numeric.fd import central_gradient, error_vs_step, taylor_remainder_slope

Arrays = dict[str, np.ndarray]

CURVE_POINTS = 401  # a smooth line at print resolution
FD_POINTS = 13  # finite-difference dots over a curve: enough to see, few enough to tell apart
CURVE_MIN_SPAN = 3.0  # the curve shows at least x0 ± 3, where the documents' functions bend


@dataclass(frozen=True)
class Curve:
    """f and f' (by the rules) of a one-scalar case over x0 ± span, with FD dots."""

    name: str
    x0: float
    f0: float
    g0: float
    xs: np.ndarray
    ys: np.ndarray
    dys: np.ndarray
    xd: np.ndarray
    fd: np.ndarray


@dataclass(frozen=True)
class StepErrors:
    """|central difference - exact| for each step h, at the case's point."""

    x0: float
    hs: np.ndarray
    errors: np.ndarray


@dataclass(frozen=True)
class Taylor:
    """Remainders of the first-order model with the exact and the as-printed gradient."""

    hs: np.ndarray
    exact: np.ndarray
    exact_slope: float
    printed: np.ndarray
    printed_slope: float


@dataclass(frozen=True)
class Evidence:
    """All of a case's drawn numbers; None where a figure does not apply to the case."""

    adjoints: Arrays
    curve: Curve | None
    step_errors: StepErrors | None
    taylor: Taylor | None

    def as_json(self) -> dict[str, Any]:
        """Plain lists and floats (non-finite as None) for ``derive check --json``."""
        def plain(v: Any) -> Any:
            if isinstance(v, (np.ndarray, float, np.floating)):
                a = np.asarray(v, dtype=np.float64)
                return np.where(np.isfinite(a), a, np.nan).tolist() if a.ndim else \
                    (float(a) if np.isfinite(a) else None)
            return v

        def nan_none(x: Any) -> Any:
            if isinstance(x, list):
                return [nan_none(y) for y in x]
            return None if isinstance(x, float) and not np.isfinite(x) else x

        def record(obj: Any) -> Any:
            if obj is None:
                return None
            return {k: nan_none(plain(v)) for k, v in vars(obj).items()}

        return {"adjoints": {k: nan_none(plain(v)) for k, v in self.adjoints.items()},
                "curve": record(self.curve), "step_errors": record(self.step_errors),
                "taylor": record(self.taylor)}


def single_scalar(inputs: Mapping[str, np.ndarray], wrt: tuple[str, ...]) -> str | None:
    """The input name when the case is f(x) of one scalar x, else None."""
    if len(inputs) == 1 and len(wrt) == 1:
        (name,) = inputs
        if np.shape(inputs[name]) == ():
            return name
    return None


def _values(f: Callable[..., Any], name: str, xs: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.array([float(np.asarray(f(**{name: np.array(x)})).reshape(())) for x in xs])


def case_curve(result: Any) -> Curve | None:
    """The function and its derivative by the compiled rules around the point, FD as dots."""
    name = single_scalar(result.inputs, result.graph.wrt)
    if name is None:
        return None
    forward, backward = result.case.forward, result.code.backward
    x0 = float(result.inputs[name])
    span = max(CURVE_MIN_SPAN, abs(x0))
    xs = np.linspace(x0 - span, x0 + span, CURVE_POINTS)
    xd = np.linspace(x0 - span, x0 + span, FD_POINTS)
    fd = np.array([float(central_gradient(forward, {name: np.array(x)}, name)) for x in xd])
    return Curve(name, x0, float(result.forward["matrix"]),
                 float(result.gradients[name].matrix), xs, _values(forward, name, xs),
                 _values(lambda **a: backward(**a)[name], name, xs), xd, fd)


def step_errors(result: Any) -> StepErrors | None:
    """The central difference's error against its step, for a one-scalar case."""
    name = single_scalar(result.inputs, result.graph.wrt)
    if name is None:
        return None
    x0 = float(result.inputs[name])
    f = result.case.forward
    hs, errs = error_vs_step(lambda x: f(**{name: np.array(x)}), x0,
                             float(result.gradients[name].exact))
    return StepErrors(x0, np.asarray(hs, dtype=np.float64), np.asarray(errs, dtype=np.float64))


def _as_printed(result: Any) -> Arrays | None:
    """The as-printed gradients (exact where a shape differs), if one is wrong; else None."""
    grads, wrong = {}, False
    for w, g in result.gradients.items():
        p = g.as_printed
        if p is not None and not isinstance(p, str) and np.shape(p) == np.shape(g.exact):
            grads[w] = np.asarray(p, dtype=np.float64)
            wrong = wrong or (g.vs_printed is not None and not g.vs_printed.ok)
        else:
            grads[w] = np.asarray(g.exact)
    return grads if wrong else None


def taylor(result: Any) -> Taylor | None:
    """Taylor-remainder slopes (2 for a right gradient, 1 for a wrong one) of a matrix case
    whose printed code is wrong."""
    wrong = _as_printed(result)
    if wrong is None or not result.inputs or any(np.ndim(v) == 0 for v in result.inputs.values()):
        return None
    exact = {w: np.asarray(g.exact) for w, g in result.gradients.items()}
    s_ok, hs, r_ok = taylor_remainder_slope(result.case.forward, result.inputs, exact)
    s_bad, _, r_bad = taylor_remainder_slope(result.case.forward, result.inputs, wrong)
    return Taylor(np.asarray(hs), np.asarray(r_ok), float(s_ok), np.asarray(r_bad), float(s_bad))


def gather(result: Any, adjoints: Arrays) -> Evidence:
    """Every drawn number of one checked case (a CaseResult; its adjoints from
    derive.check.adjoint_values, which evaluates the backward program)."""
    return Evidence(adjoints, case_curve(result), step_errors(result), taylor(result))
