"""Each numpy call the tracer maps: traced (no fallback), and its derived gradient equal to
central finite differences of the plain-numpy forward; then end to end through verify()."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from derive.numeric.fd import central_gradient
from derive.numeric.functions import sigmoid

from derive.verify import derivation, verify

Case = tuple[Callable[..., Any], dict[str, tuple[int, ...]], Callable[[np.random.Generator], dict]]


def _normal(rng: np.random.Generator, shapes: dict[str, tuple[int, ...]]) -> dict:
    return {k: rng.standard_normal(s) for k, s in shapes.items()}


def _positive(*names: str) -> Callable[[np.random.Generator, dict], dict]:
    def make(rng: np.random.Generator, shapes: dict) -> dict:
        out = _normal(rng, shapes)
        for n in names:
            out[n] = 0.5 + rng.uniform(size=shapes[n])
        return out

    return make


A, B, V, S = (3, 2), (2, 4), (2,), ()

CASES: dict[str, tuple[Callable[..., Any], dict, Callable[..., dict]]] = {
    "exp": (lambda x, w: np.sum(np.exp(x) * w), {"x": A, "w": A}, _normal),
    "log": (lambda x, w: np.sum(np.log(x) * w), {"x": A, "w": A}, _positive("x")),
    "tanh": (lambda x: np.sum(np.tanh(x) ** 2), {"x": A}, _normal),
    "power-const": (lambda x: np.sum(np.power(x, 3)), {"x": A}, _normal),
    "power-both": (lambda x, y: np.sum(np.power(x, y)), {"x": A, "y": A}, _positive("x")),
    "pow-operator": (lambda x: np.sum(x ** 2 + 1 / x), {"x": A}, _positive("x")),
    "square-reciprocal": (lambda x: np.sum(np.square(x) + np.reciprocal(x)), {"x": A},
                          _positive("x")),
    "sqrt": (lambda x: np.sum(np.sqrt(x)), {"x": A}, _positive("x")),
    "abs": (lambda x, w: np.sum(np.abs(x) * w + abs(w)), {"x": A, "w": A}, _normal),
    "maximum": (lambda x, w: np.sum(np.maximum(x, 0.5 * w) ** 2), {"x": A, "w": A}, _normal),
    "minimum": (lambda x, w: np.sum(np.minimum(x, w) * x), {"x": A, "w": A}, _normal),
    "where-gt": (lambda x: np.sum(np.where(x > 0, x, 0.1 * x) ** 2), {"x": A}, _normal),
    "where-ge-le": (lambda x, w: np.sum(np.where(x >= w, x * w, np.where(x <= -w, x, w))),
                    {"x": A, "w": A}, _normal),
    "where-lt": (lambda x: np.sum(np.where(x < 0.3, np.exp(x), x)), {"x": A}, _normal),
    "where-eq-ne": (lambda x: np.sum(np.where(x == 0, 1.0, x * x) + np.where(x != 1, x, 0)),
                    {"x": A}, _normal),
    "where-ufunc-compare": (lambda x: np.sum(np.where(np.greater(x, 0), x, -x) * x),
                            {"x": A}, _normal),
    "logaddexp": (lambda x, w: np.sum(np.logaddexp(x, w)), {"x": A, "w": A}, _normal),
    "sum-axis-keepdims": (lambda x: np.sum(np.sum(x, axis=0, keepdims=True) ** 2), {"x": A},
                          _normal),
    "sum-method-axis": (lambda x: np.sum(x.sum(axis=1) ** 3), {"x": A}, _normal),
    "mean-axis": (lambda x: np.mean(np.mean(x ** 2, axis=1, keepdims=True) * x), {"x": A},
                  _normal),
    "mean-method": (lambda x: (x ** 2).mean(), {"x": A}, _normal),
    "matmul-operator": (lambda x, w: np.sum(np.tanh(x @ w)), {"x": A, "w": B}, _normal),
    "np-matmul": (lambda x, w: np.sum(np.matmul(x, w) ** 2), {"x": A, "w": B}, _normal),
    "np-dot": (lambda x, w: np.sum(np.dot(x, w) ** 2), {"x": A, "w": B}, _normal),
    "dot-method": (lambda x, w: np.sum(x.dot(w) ** 2), {"x": A, "w": B}, _normal),
    "vector-matmul": (lambda v, w: np.sum(np.exp(v @ w)), {"v": V, "w": B}, _normal),
    "dot-vectors": (lambda v, u: np.dot(v, u) ** 2, {"v": V, "u": V}, _normal),
    "transpose": (lambda x, w: np.sum((x.T @ w.T) ** 2) + np.sum(np.transpose(x) @ x),
                  {"x": A, "w": (4, 3)}, _normal),
    "transpose-method": (lambda x: np.sum(x.transpose(1, 0) * np.arange(6.0).reshape(2, 3)),
                         {"x": A}, _normal),
    "reshape": (lambda x: np.sum(x.reshape(6) * np.arange(6.0))
                + np.sum(np.reshape(x, (2, 3)) ** 2), {"x": A}, _normal),
    "reshape-minus-one": (lambda x: np.sum(np.exp(x.reshape(-1))), {"x": A}, _normal),
    "broadcast-row": (lambda x, b: np.sum(np.tanh(x + b)), {"x": A, "b": (1, 2)}, _normal),
    "broadcast-vector": (lambda x, b: np.sum((x * b - b) ** 2), {"x": A, "b": V}, _normal),
    "broadcast-scalar": (lambda x, s: np.sum(np.exp(s * x) / (1 + s ** 2)), {"x": A, "s": S},
                         _normal),
    "ones-zeros-like": (lambda x: np.sum(np.ones_like(x) * x ** 2 + np.zeros_like(x) + x),
                        {"x": A}, _normal),
    "sub-div-neg": (lambda x, w: np.sum(-(x - w) / (1 + w ** 2)), {"x": A, "w": A}, _normal),
    "sigmoid-table": (lambda x: np.sum(sigmoid(x) ** 2), {"x": A}, _normal),
    "len-shape": (lambda x: np.sum(x ** 2) / len(x) + np.sum(x) / x.shape[1], {"x": A}, _normal),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_gradient_matches_finite_differences(name: str) -> None:
    forward, shapes, draw = CASES[name]
    point = draw(np.random.default_rng(11), shapes)
    wrt = tuple(shapes)
    d = derivation(forward, shapes, wrt)  # raises TraceError if the call is not mapped
    assert float(d.code.forward(**point)) == pytest.approx(float(forward(**point)), rel=1e-12)
    grads = d.code.backward(**point)
    for w in wrt:
        fd = central_gradient(forward, point, w)
        np.testing.assert_allclose(grads[w], fd, rtol=1e-6, atol=1e-8, err_msg=f"{name}: d/d{w}")


@pytest.mark.parametrize("name", ["where-eq-ne", "matmul-operator", "broadcast-scalar"])
def test_verify_accepts_the_derived_gradient(name: str) -> None:
    forward, shapes, draw = CASES[name]

    def backward(**arrays: np.ndarray) -> dict:
        return derivation(forward, shapes, tuple(shapes)).code.backward(**arrays)

    result = verify(forward, backward, shapes=shapes, inputs=lambda rng: draw(rng, shapes),
                    prove=False)
    assert result.ok and not result.numeric_only
    assert all(g.verdict == "ok" for g in result.gradients.values())


def test_equality_inside_where_is_traced_not_identity() -> None:
    d = derivation(CASES["where-eq-ne"][0], {"x": A}, ("x",))
    ops = [s.node.op for s in d.graph.steps]
    x = np.array([[0.0, 1.0], [2.0, 0.0], [1.0, -1.0]])
    assert float(d.code.forward(x=x)) == float(CASES["where-eq-ne"][0](x))
    assert ops  # the output step exists


def test_derivation_is_cached_per_forward_and_shapes() -> None:
    f = CASES["tanh"][0]
    assert derivation(f, {"x": A}, ("x",)) is derivation(f, {"x": A}, ("x",))
    assert derivation(f, {"x": (5, 2)}, ("x",)) is not derivation(f, {"x": A}, ("x",))
