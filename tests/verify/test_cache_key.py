"""The derivation cache keys on what decides the graph (issue 11.4): the forward's code, the
globals and closure values it reads, shapes and dtypes. Editing a global re-derives (it used to
keep the old graph: numeric only, with a wrong reason); check_case derives from its Case."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from derive import check_case
from derive.cases import Case, get
from derive.check import derivation as case_derivation
from derive.verify import derivation, verify
from derive.verify.cachekey import key_of

SCALE = 2.0
WEIGHTS = np.array([1.0, 2.0, 3.0])


def forward_scaled(x):
    return SCALE * np.sum(x ** 2)


def forward_weighted(x):
    return np.sum(WEIGHTS * x ** 2)


def test_editing_a_global_re_derives_and_judges_right(monkeypatch) -> None:
    shapes = {"x": (3,)}
    first = verify(forward_scaled, lambda x: {"x": 2 * SCALE * x}, shapes=shapes, prove=False)
    assert first.ok and not first.numeric_only
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 5.0)
    right = verify(forward_scaled, lambda x: {"x": 10.0 * x}, shapes=shapes, prove=False)
    assert right.ok and not right.numeric_only and right.fallback_reason is None
    assert right.traced is not first.traced
    stale = verify(forward_scaled, lambda x: {"x": 4.0 * x}, shapes=shapes, prove=False)
    g = stale.gradients["x"]
    assert (g.verdict, g.diagnosis, g.numeric_only) == ("wrong", "scaled", False)
    assert g.factor == pytest.approx(0.4)


def test_an_array_edited_in_place_re_derives(monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "WEIGHTS", WEIGHTS.copy())
    shapes = {"x": (3,)}
    w = sys.modules[__name__].WEIGHTS
    before = derivation(forward_weighted, shapes, ("x",))
    assert derivation(forward_weighted, shapes, ("x",)) is before  # unchanged: cached
    w[1] = 7.0
    after = derivation(forward_weighted, shapes, ("x",))
    assert after is not before
    r = verify(forward_weighted, lambda x: {"x": 2 * w * x}, shapes=shapes, prove=False)
    assert r.ok and not r.numeric_only


def test_the_key_follows_code_closures_shapes_and_dtypes() -> None:
    def make(c):
        return lambda x: c * np.sum(x)

    shapes = {"x": (2,)}
    assert key_of(make(2.0), shapes, ("x",)) == key_of(make(2.0), shapes, ("x",))
    assert key_of(make(2.0), shapes, ("x",)) != key_of(make(3.0), shapes, ("x",))
    assert key_of(make(2.0), shapes, ("x",)) != key_of(make(2.0), {"x": (3,)}, ("x",))
    assert key_of(make(2.0), shapes, ("x",), {"x": "float64"}) != \
        key_of(make(2.0), shapes, ("x",), {"x": "float32"})
    assert key_of(lambda x: np.sum(x), shapes, ("x",)) != \
        key_of(lambda x: np.sum(x * x), shapes, ("x",))
    # arrays by content, dtype and shape
    a = np.zeros(4)
    assert key_of(make(a), shapes, ("x",)) == key_of(make(np.zeros(4)), shapes, ("x",))
    assert key_of(make(a), shapes, ("x",)) != key_of(make(np.zeros(4, np.float32)), shapes,
                                                      ("x",))
    assert key_of(make(a), shapes, ("x",)) != key_of(make(np.zeros((2, 2))), shapes, ("x",))


def test_an_object_whose_content_cannot_be_read_is_not_cached() -> None:
    class Model:
        scale = 3.0

    model = Model()

    def forward(x):
        return model.scale * np.sum(x ** 2)

    assert key_of(forward, {"x": (2,)}, ("x",)) is None
    r = verify(forward, lambda x: {"x": 6.0 * x}, shapes={"x": (2,)}, prove=False)
    assert r.ok and not r.numeric_only
    model.scale = 4.0  # mutated: derived again, so still right
    r = verify(forward, lambda x: {"x": 8.0 * x}, shapes={"x": (2,)}, prove=False)
    assert r.ok and not r.numeric_only


def _cube(x):
    return x ** 3


def test_a_case_that_reuses_a_registered_name_gets_its_own_derivation() -> None:
    """Issue 11: it got the registered case's derivation (fd 12.0 against matrix 4.0)."""
    square = get("square")
    cube = Case("square", "x cubed", "a test", "x^3 at x = 2", _cube, ("x",),
                lambda: {"x": np.array(2.0)}, hand=lambda x: {"x": 3 * x ** 2})
    r = check_case(cube, prove=False)
    g = r.gradients["x"]
    assert r.ok and float(g.matrix) == pytest.approx(12.0) and float(g.fd) == pytest.approx(12.0)
    assert float(check_case(square, prove=False).gradients["x"].matrix) == pytest.approx(4.0)
    assert case_derivation(cube)[0] is not case_derivation("square")[0]


def test_check_case_takes_an_unregistered_case_or_a_name() -> None:
    case = Case("not-registered", "x cubed", "a test", "x^3 at x = 2", _cube, ("x",),
                lambda: {"x": np.array(2.0)})
    assert float(check_case(case, prove=False).gradients["x"].matrix) == pytest.approx(12.0)
    by_name = check_case("linear", prove=False)
    assert by_name.case is get("linear") and by_name.ok
