"""A pytest helper: check hand-written gradients inside a user's own test suite.

    from derive.testing import assert_gradients

    def test_my_backward():
        assert_gradients(forward, backward, shapes={"X": (8, 3), "W": (3, 1)}, rtol=1e-6)

A failure raises AssertionError whose message is the diagnosis, one line per gradient
(``W  wrong  scaled  factor 8 ...: scaled by 8 (a missing 1/N?)``), then for each wrong
gradient up to five entries (index, expected, yours), the largest absolute and relative
errors, the tolerance, the point and the seed, as numpy.testing does. A verdict that rests
on finite differences alone, or on a float32 tolerance, passes with a :class:`DeriveWarning`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive.errors import DeriveWarning
from derive.numeric.config import RTOL
from derive.verify import GradientResult, VerifyResult, verify

# Entries listed per wrong gradient in a failure message (numpy.testing lists a few too).
ROWS = 5


def assert_gradients(forward: Callable[..., Any], backward: Callable[..., Mapping[str, Any]],
                     *, rtol: float | None = None, atol: float | None = None,
                     eps: float | None = None, err_msg: str = "", **kw: Any) -> VerifyResult:
    """verify(forward, backward, **kw); AssertionError with the diagnosis if any is wrong.

    ``rtol``/``atol`` replace the comparison's tolerances, ``eps`` the relative step of the
    finite differences; ``err_msg`` heads the failure message. The other keyword arguments
    are those of :func:`derive.verify.verify` (shapes, inputs, seed, points, fd, prove). Bad
    input raises the project's own exceptions, not AssertionError: a test that cannot check
    is an error, not a failure; an exception of your own code is chained, so pytest shows
    your line. Returns the result when all is right (kinks included: any subgradient passes).
    """
    __tracebackhide__ = True
    kw.setdefault("prove", False)  # test suites want speed; the rules are proved elsewhere
    result = verify(forward, backward, rtol=rtol, atol=atol, eps=eps, **kw)
    if not result.ok:
        raise AssertionError(failure_message(result, err_msg))
    for text in weak_evidence(result, rtol):
        warnings.warn(text, DeriveWarning, stacklevel=2)
    return result


def weak_evidence(result: VerifyResult, rtol: float | None = None) -> list[str]:
    """What a passing verdict rests on that is weaker than a derivation at float64."""
    out = []
    if result.numeric_only:
        names = [k for k, g in result.gradients.items() if g.numeric_only]
        out.append(f"numeric only: {', '.join(names)} judged by finite differences alone "
                   f"({result.numeric_only_reason})")
    loose = [k for k, g in result.gradients.items()
             if rtol is None and not g.numeric_only and g.tolerance > RTOL]
    if result.float32 or loose:
        which = f" ({', '.join(loose)} judged with rtol up to " \
                f"{max(result.gradients[k].tolerance for k in loose):g})" if loose else ""
        out.append(f"low precision: float32{which}; a float64 check is stricter")
    return out


def failure_message(result: VerifyResult, err_msg: str = "") -> str:
    """The diagnosis (summary, one line per gradient, notes), then the numbers of each wrong
    gradient: up to ROWS entries, max errors, tolerance, point and seed."""
    text = str(result).splitlines()  # the lines, then the summary
    out = [err_msg] if err_msg else []
    out += [text[-1], *text[:-1]]  # the summary first: pytest shows the first line
    for g in result.gradients.values():
        if g.verdict == "wrong":
            out += ["", *_numbers(g, result)]
    return "\n".join(out)


def _numbers(g: GradientResult, result: VerifyResult) -> list[str]:
    where = f"at point {g.point + 1} of {result.points} (seed {result.seed})"
    out = [f"{g.name}: {where}"]
    try:
        yours = np.asarray(g.got, dtype=np.float64)
    except (TypeError, ValueError):
        yours = None
    exp = None if g.expected is None else np.asarray(g.expected, dtype=np.float64)
    if exp is not None and yours is not None and yours.shape == exp.shape:
        idx = _worst(g, exp, yours)
        out.append(f"  {'index':<16} {'expected':>16} {'yours':>16}")
        out += [f"  {str(i):<16} {_g(exp[i]):>16} {_g(yours[i]):>16}" for i in idx[:ROWS]]
        bad = len(g.entries) or len(idx)
        if bad > ROWS:
            out.append(f"  ... {bad - ROWS} more of {max(exp.size, 1)} entries")
    elif exp is not None:
        shape = "not an array" if yours is None else f"shape {yours.shape}"
        out.append(f"  expected shape {exp.shape}, yours {shape}")
    out.append(f"  max abs error {_g(g.max_abs_error)}, max rel error {_g(g.max_rel_error)}, "
               f"tolerance rtol {_g(g.tolerance)}")
    return out


def _worst(g: GradientResult, exp: np.ndarray, yours: np.ndarray) -> list[tuple[int, ...]]:
    """The entries to show: the located ones, largest error first, else the largest errors."""
    with np.errstate(all="ignore"):
        err = np.abs(exp - yours)
    err = np.where(np.isnan(err), np.inf, err)
    if exp.ndim == 0:
        return [()]
    listed = [tuple(e) for e in g.entries if len(e) == exp.ndim]
    if not listed:
        order = np.argsort(-err, axis=None, kind="stable")[:ROWS]
        listed = [tuple(int(i) for i in np.unravel_index(j, exp.shape)) for j in order]
    return sorted(listed, key=lambda i: -err[i])


def _g(x: Any) -> str:
    x = float(x)
    return f"{x:.6g}" if math.isfinite(x) or math.isnan(x) else str(x)
