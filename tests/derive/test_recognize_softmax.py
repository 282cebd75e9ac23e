"""Hand-written softmax and log-softmax become single operations (derive.recognize_axis).

Each form below is how course code and libraries write it; the graph must hold one softmax
(or log_softmax) node along the right axis, the derivation must be the textbook
P ⊙ (g − Σ g ⊙ P), and the compiled gradient must equal finite differences of the forward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from derive.numeric.fd import central_gradient

from derive import backward as B
from derive import expr as E
from derive.compile import compile_numpy
from derive.graph import from_forward
from derive.printers import to_text


def _keepdims(z: Any) -> Any:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.sum(e / e.sum(axis=1, keepdims=True) * np.arange(1.0, 5.0))


def _newaxis_twice(z: Any) -> Any:  # np.exp computed twice, the sum re-kept with [:, None]
    z = z - np.max(z, axis=1)[:, None]
    p = np.exp(z) / np.exp(z).sum(axis=1)[:, np.newaxis]
    return np.sum(p ** 2)


def _unshifted_columns(z: Any) -> Any:
    return np.sum(np.exp(z) / np.sum(np.exp(z), axis=0, keepdims=True) * z)


def _vector(z: Any) -> Any:
    return np.sum(np.exp(z) / np.sum(np.exp(z)) * np.arange(1.0, 6.0))


def _log_keepdims(z: Any) -> Any:
    s = z - z.max(axis=1, keepdims=True)
    logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    return -np.sum(logp[:, 1])


def _log_rekept(z: Any) -> Any:  # log(sum(...))[:, None]
    return np.sum((z - np.log(np.exp(z).sum(axis=1))[:, None]) ** 2)


def _log_of_softmax(z: Any) -> Any:
    return -np.mean(np.log(np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)))


FORMS: dict[str, tuple[Callable[..., Any], tuple[int, ...], str, int]] = {
    "keepdims": (_keepdims, (3, 4), "softmax", 1),
    "newaxis-twice": (_newaxis_twice, (3, 4), "softmax", 1),
    "unshifted-columns": (_unshifted_columns, (3, 4), "softmax", 0),
    "vector": (_vector, (5,), "softmax", 0),
    "log-keepdims": (_log_keepdims, (3, 4), "log_softmax", 1),
    "log-rekept": (_log_rekept, (3, 4), "log_softmax", 1),
    "log-of-softmax": (_log_of_softmax, (3, 4), "log_softmax", 1),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_a_hand_written_form_is_one_operation(name: str) -> None:
    forward, shape, op, axis = FORMS[name]
    graph = from_forward(forward, {"z": shape}, ("z",))
    found = [n for n in E.topological(graph.output) if n.op == op]
    assert [n.attrs.axis for n in found] == [axis]
    assert not any(n.op in ("amax", "div") and n.shape == shape
                   for n in E.topological(graph.output))  # no max shift, no quotient left
    z = np.random.default_rng(3).standard_normal(shape) * 3
    code = compile_numpy(B.derive(graph))
    np.testing.assert_allclose(code.backward(z=z)["z"], central_gradient(forward, {"z": z}, "z"),
                               rtol=1e-6, atol=1e-9)


def test_the_derivation_is_the_textbook_one() -> None:
    graph = from_forward(_keepdims, {"z": (3, 4)}, ("z",))
    bw = B.derive(graph)
    assert "softmax_1(z)" in to_text(bw.gradient("z"))
    assert not any(n.op == "amax" for n in E.topological(bw.gradient("z")))


def test_a_different_denominator_is_not_a_softmax() -> None:
    def forward(a: Any, b: Any) -> Any:  # exp(a) / Σ exp(b): not a softmax of anything
        return np.sum(np.exp(a) / np.exp(b).sum(axis=1, keepdims=True))

    graph = from_forward(forward, {"a": (2, 3), "b": (2, 3)}, ("a", "b"))
    assert not any(n.op == "softmax" for n in E.topological(graph.output))


def test_the_stable_form_holds_where_the_naive_one_overflows() -> None:
    graph = from_forward(_keepdims, {"z": (3, 4)}, ("z",))
    code = compile_numpy(B.derive(graph))
    z = np.array([[1000.0, 0.0, -1000.0, 1.0]] * 3)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is right
        grad = code.backward(z=z)["z"]
    assert np.all(np.isfinite(grad))


def test_a_softmax_the_user_named_keeps_its_name() -> None:
    """P = softmax(Z) then log(P): P stays a step (claims and printed steps refer to it)."""
    def forward(Z: Any) -> Any:
        E = np.exp(Z - np.max(Z, axis=1, keepdims=True))
        P = E / np.sum(E, axis=1, keepdims=True)
        return -np.sum(np.log(P)[:, 0])

    graph = from_forward(forward, {"Z": (3, 4)}, ("Z",))
    assert [(s.name, s.node.op) for s in graph.steps if s.node.op == "softmax"] == \
        [("P", "softmax")]


def test_differences_through_the_graph_cross_a_softmax() -> None:
    """derive.deltas perturbs entries along the graph: across softmax and log-softmax too,
    agreeing with differences of the forward itself."""
    from derive import deltas

    def forward(W: Any, X: Any) -> Any:
        z = X @ W
        e = np.exp(z - z.max(axis=1, keepdims=True))
        s = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return np.sum(e / e.sum(axis=1, keepdims=True) * np.arange(1.0, 4.0)) + \
            np.sum(s * np.array([1.0, 0.0, 0.0]))

    graph = from_forward(forward, {"W": (4, 3), "X": (5, 4)}, ("W",))
    assert {"softmax", "log_softmax"} <= {n.op for n in E.topological(graph.output)}
    rng = np.random.default_rng(0)
    point = {"W": rng.standard_normal((4, 3)), "X": rng.standard_normal((5, 4))}
    fast = deltas.central_differences(deltas.Evaluator(graph), point, "W", np.arange(12), 1e-6)
    np.testing.assert_allclose(fast, central_gradient(forward, point, "W").ravel(),
                               rtol=1e-6, atol=1e-7)
