"""A pytest helper: check hand-written gradients inside a user's own test suite.

    from derive.testing import assert_gradients

    def test_my_backward():
        assert_gradients(forward, backward, shapes={"X": (8, 3), "W": (3, 1)})

A failure raises AssertionError whose message is the diagnosis, one line per gradient
(``W  wrong  scaled  factor 8 ...: scaled by 8 (a missing 1/N, N = 8?)``), then, as
numpy.testing does, up to five wrong entries with the expected value and yours, the largest
absolute and relative errors, the tolerance, the point and the seed. A verdict that rests on
finite differences alone, or on a low-precision gradient, passes with a ``DeriveWarning``.
An exception in the user's own code is raised chained to it, so pytest shows the user's line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive.verify import GradientResult, VerifyResult, verify

# Wrong entries listed per gradient in a failure message (numpy.testing lists them all; a
# 1024x64 gradient scaled by 2 would print 65536 lines).
FAILURE_ROWS = 5


def assert_gradients(forward: Callable[..., Any], backward: Callable[..., Mapping[str, Any]],
                     *, rtol: float | None = None, atol: float = 0.0, eps: float | None = None,
                     err_msg: str = "", **kw: Any) -> VerifyResult:
    """verify(forward, backward, **kw); AssertionError with the diagnosis if any is wrong.

    ``rtol``/``atol`` (an entry passes within either) and ``eps`` (the relative
    finite-difference step) are those of torch, jax and numpy.testing; the other keyword
    arguments are :func:`derive.verify.verify`'s (shapes, inputs, seed, points, fd, prove,
    mode). ``err_msg`` heads the failure message. Bad input raises the project's own
    exceptions, not AssertionError: a test that cannot check is an error, not a failure.
    Returns the result when all is right (kinks included: any subgradient passes).
    """
    __tracebackhide__ = True
    kw.setdefault("prove", False)  # test suites want speed; the rules are proved elsewhere
    result = verify(forward, backward, rtol=rtol, atol=atol, eps=eps, **kw)
    if not result.ok:
        raise AssertionError(failure_message(result, err_msg))
    return result


def failure_message(result: VerifyResult, err_msg: str = "") -> str:
    """The diagnosis lines, then the numbers behind each wrong gradient."""
    lines = [err_msg] if err_msg else []
    lines += [result.summary(), *result.lines()]
    for g in result.gradients.values():
        if g.verdict == "wrong":
            lines += ["", *_numbers(g, result.seed)]
    return "\n".join(lines)


def _numbers(g: GradientResult, seed: int) -> list[str]:
    out = [f"{g.name}: max abs error {g.max_abs_error:.6g}, max rel error "
           f"{g.max_rel_error:.6g}, tolerance rtol {g.tolerance:g} (point {g.point + 1}, "
           f"seed {seed})"]
    expected, got = g.expected, g.got
    try:
        got_a = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return out
    if expected is None or got_a.shape != np.shape(expected) or not g.entries:
        return out
    width = max(len(str(e)) for e in g.entries[:FAILURE_ROWS])
    out.append(f"  {'index':<{width}}  {'expected':>16}  {'yours':>16}")
    for idx in g.entries[:FAILURE_ROWS]:
        out.append(f"  {str(idx):<{width}}  {float(expected[idx]):>16.9g}  "
                   f"{float(got_a[idx]):>16.9g}")
    if len(g.entries) > FAILURE_ROWS:
        out.append(f"  ... and {len(g.entries) - FAILURE_ROWS} more wrong entries")
    return out
