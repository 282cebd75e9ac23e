"""A pytest helper: check hand-written gradients inside a user's own test suite.

    from derive.testing import assert_gradients

    def test_my_backward():
        assert_gradients(forward, backward, shapes={"X": (8, 3), "W": (3, 1)})

A failure raises AssertionError whose message is the diagnosis, one line per gradient
(``W  wrong  scaled  factor 8 ...: scaled by 8 (a missing 1/N?)``), so pytest shows what is
wrong and where without a traceback into this package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from derive.verify import VerifyResult, verify


def assert_gradients(forward: Callable[..., Any], backward: Callable[..., Mapping[str, Any]],
                     **kw: Any) -> VerifyResult:
    """verify(forward, backward, **kw); AssertionError with the diagnosis if any is wrong.

    Keyword arguments are those of :func:`derive.verify.verify` (shapes, inputs, seed,
    points, fd, prove). Bad input raises the project's own exceptions, not AssertionError:
    a test that cannot check is an error, not a failure. Returns the result when all is
    right (kinks included: any subgradient passes).
    """
    __tracebackhide__ = True
    kw.setdefault("prove", False)  # test suites want speed; the rules are proved elsewhere
    result = verify(forward, backward, **kw)
    if not result.ok:
        raise AssertionError("\n".join([result.summary(), *result.lines()]))
    return result
