"""Issue 12.1 and 12.5: constants keep their dtype and their values reach the tracer; where
tracing stops, the user's file, line and construct are named.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

import derive
from derive.errors import InputError


def _nll(x, y):
    logp = x - np.log(np.sum(np.exp(x), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(x.shape[0]), y])


def _nll_grad(x, y):
    p = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    p[np.arange(x.shape[0]), y] -= 1
    return {"x": p / x.shape[0]}


def _labels(rng):
    return {"y": rng.integers(0, 3, size=4)}


def test_integer_labels_index_and_stay_constants_of_the_graph() -> None:
    r = derive.verify(_nll, _nll_grad, shapes={"x": (4, 3)}, inputs=_labels, prove=False)
    assert r.ok and r.traced is not None and r.constants == ("y",)
    assert r.traced.graph.inputs["y"].op == "input" and "y" not in r.traced.graph.wrt


def test_a_python_if_on_a_constant_is_derived_again_at_each_point() -> None:
    def forward(x, flag):
        return np.sum(x**2) if flag[0] else np.sum(x**3)

    def right(x, flag):
        return {"x": 2 * x if flag[0] else 3 * x**2}

    def wrong_when_off(x, flag):
        return {"x": 2 * x if flag[0] else 2 * x}

    def flags(rng):
        return {"flag": np.array([next(order)])}

    order = itertools.cycle([True, False, True])
    r = derive.verify(forward, right, shapes={"x": (3,)}, prove=False, inputs=flags)
    assert r.ok and r.traced is not None and r.fallback_reason is None
    order = itertools.cycle([True, False, True])
    r = derive.verify(forward, wrong_when_off, shapes={"x": (3,)}, prove=False, inputs=flags)
    g = r.gradients["x"]
    assert (g.verdict, g.point, g.numeric_only) == ("wrong", 1, False)


def test_boolean_masks_keep_their_dtype() -> None:
    def forward(x, keep):
        return np.sum(np.where(keep, x, 0.0) ** 2)

    r = derive.verify(forward, lambda x, keep: {"x": 2 * x * keep}, shapes={"x": (3, 2)},
                      inputs=lambda rng: {"keep": rng.random((3, 2)) < 0.5}, prove=False)
    assert r.ok and r.traced is not None


def test_a_gradient_for_an_integer_input_is_one_clear_line() -> None:
    with pytest.raises(InputError, match=r"^backward returned a gradient for 'y', an array of "
                                         r"int64: integer and boolean arrays"):
        derive.verify(_nll, lambda x, y: {**_nll_grad(x, y), "y": np.zeros(4)},
                      shapes={"x": (4, 3)}, inputs=_labels)


def test_where_tracing_stops_is_named_in_the_text_and_the_json() -> None:
    def forward(x):
        y = np.sort(x)
        return np.sum(y**2)

    r = derive.verify(forward, lambda x: {"x": 2 * x}, shapes={"x": (4,)})
    assert r.ok and r.traced is None
    assert r.numeric_only_reason is not None
    assert r.numeric_only_reason.startswith("test_constants.py:")
    assert r.numeric_only_reason.endswith(": y = np.sort(x) (numpy.sort)")
    assert r.fallback_text.startswith("the tracer cannot map numpy.sort, at test_constants.py:")
    assert json.loads(json.dumps(r.to_json()))["numeric_only_reason"] == r.numeric_only_reason
