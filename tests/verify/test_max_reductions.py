"""max/min reductions (np.max, np.min, ndarray.max/min with axis and keepdims): traced,
differentiated by a rule that sends the gradient to the entries that attain the extreme, and
used by the stable softmax that subtracts the row maximum."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric.fd import central_gradient

from derive import elementwise as EW
from derive.backward import derive as derive_backward
from derive.graph import from_forward
from derive.verify import verify


def _softmax_xent(X, W, Y):
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -(Y * logp).sum() / X.shape[0]


def _softmax_backward(X, W, Y):
    Z = X @ W
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    return {"W": X.T @ (P - Y) / X.shape[0]}


def _inputs(rng):
    return {"X": rng.standard_normal((4, 3)), "W": rng.standard_normal((3, 5)),
            "Y": np.eye(5)[rng.integers(0, 5, 4)]}


def test_stable_softmax_is_traced_not_numeric_only() -> None:
    r = verify(_softmax_xent, _softmax_backward, inputs=_inputs, prove=False)
    assert r.ok and r.gradients["W"].verdict == "ok"
    assert not r.gradients["W"].numeric_only


def test_a_missing_one_over_n_in_softmax_is_scaled_by_n() -> None:
    def wrong(X, W, Y):
        return {"W": _softmax_backward(X, W, Y)["W"] * X.shape[0]}

    g = verify(_softmax_xent, wrong, inputs=_inputs, prove=False).gradients["W"]
    assert (g.verdict, g.diagnosis, g.factor) == ("wrong", "scaled", 4.0)


@pytest.mark.parametrize("reduce", [
    lambda x: np.max(x, axis=0),
    lambda x: np.min(x, axis=1, keepdims=True),
    lambda x: x.max(),
    lambda x: x.min(axis=0),
    lambda x: np.max(x, axis=(0, 1), keepdims=True),
])
def test_max_rule_matches_finite_differences_and_sympy(reduce) -> None:
    weights = np.array([[1.0, -2.0, 0.5], [0.3, 1.5, -1.0]])

    def forward(x):
        return np.sum(np.tanh(reduce(x * 1.7)) * 1.3)

    x = np.array([[0.2, -1.1, 0.7], [1.4, 0.3, -0.6]]) + 0.01 * weights
    graph = from_forward(forward, {"x": x.shape}, ("x",))
    bw = derive_backward(graph)
    from derive.compile import compile_numpy

    grad = compile_numpy(bw).backward(x=x)["x"]
    np.testing.assert_allclose(grad, central_gradient(forward, {"x": x}, "x"), rtol=1e-7,
                               atol=1e-10)
    # the elementwise SymPy form (Max/Min of the entries) evaluates to the same forward value
    ew = EW.ground_truth(graph.output, graph.inputs, graph.wrt)
    value = float(ew.output.subs({s: v for s, v in zip(np.ravel(ew.symbols["x"]), np.ravel(x))}))
    assert value == pytest.approx(forward(x), rel=1e-12)


def test_a_tie_splits_the_gradient_and_is_not_wrong() -> None:
    def forward(x):
        return np.max(x)

    def backward(x):  # all to the first maximum: a valid subgradient at the tie
        g = np.zeros_like(x)
        g[np.argmax(x)] = 1.0
        return {"x": g}

    r = verify(forward, backward, inputs={"x": np.array([1.0, 3.0, 3.0])}, prove=False)
    assert r.gradients["x"].verdict in ("ok", "nondifferentiable")
