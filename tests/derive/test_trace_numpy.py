"""The numpy of issue 12, traced: each forward is traced with no fallback, its derived
gradient (compiled to numpy) equals central finite differences of the plain forward, and
the matrix form is proved against elementwise SymPy at the shape given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from derive.numeric.fd import central_gradient

from derive import backward as B
from derive import elementwise as EW
from derive.compile import compile_numpy
from derive.errors import TraceError
from derive.graph import from_forward
from derive.trace import trace_full

Shapes = dict[str, tuple[int, ...]]


def _softmax_ce(Z, y):
    Z = Z - np.max(Z, axis=1, keepdims=True)
    logp = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    N = Z.shape[0]
    return -np.sum(logp[np.arange(N), y]) / N


def _softmax_ce_plain(Z, y):
    logp = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(Z.shape[0]), y])


def _svm_loop(W, X, y):
    loss = 0.0
    scores = X @ W
    for i in range(X.shape[0]):
        correct = scores[i, y[i]]
        for j in range(W.shape[1]):
            if j == y[i]:
                continue
            loss = loss + np.maximum(0.0, scores[i, j] - correct + 1.0)
    return loss / X.shape[0]


def _conv_loops(x, w, b):
    N, C, H, W_ = x.shape
    F, _, HH, WW = w.shape
    out = np.zeros((N, F, H - HH + 1, W_ - WW + 1))
    for n in range(N):
        for f in range(F):
            for i in range(H - HH + 1):
                for j in range(W_ - WW + 1):
                    out[n, f, i, j] = np.sum(x[n, :, i:i + HH, j:j + WW] * w[f]) + b[f]
    return np.sum(out ** 2)


def _rnn(x, h0, Wx, Wh, b):
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ Wx + h @ Wh + b)
    return np.sum(h ** 2)


def _maxpool(x):
    N, C, H, W = x.shape
    out = np.zeros((N, C, H // 2, W // 2))
    for i in range(H // 2):
        for j in range(W // 2):
            out[:, :, i, j] = np.max(x[:, :, 2 * i:2 * i + 2, 2 * j:2 * j + 2], axis=(2, 3))
    return np.sum(out * np.arange(out.size).reshape(out.shape))


def _masked_relu(x):
    out = x.copy()
    out[x <= 0] = 0  # a mask of a differentiated input: np.where(mask, 0, out)
    out[out > 1] = 1.0  # a mask of a step before it
    return np.sum(out**2)


def _layernorm(x, g, b):
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + 1e-5)
    return np.sum((xhat * g + b) ** 3)


def _batchnorm(x, gamma, beta):
    mu = np.mean(x, axis=0)
    sd = np.std(x, axis=0, ddof=1)
    return np.sum(np.tanh(gamma * (x - mu) / sd + beta))


def _attention(Q, K, V):
    s = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    s = s - s.max(axis=-1, keepdims=True)
    a = np.exp(s)
    a = a / a.sum(axis=-1, keepdims=True)
    return np.sum((a @ V) ** 2)


def _one_hot(W, X, y):
    Y = np.zeros((X.shape[0], W.shape[1]))
    Y[np.arange(X.shape[0]), y] = 1.0
    P = X @ W
    return np.mean((P - Y) ** 2)


def _embedding(E_, idx):
    vecs = E_[idx]
    return np.sum(np.tanh(vecs).sum(axis=1) ** 2)


def _dropout_mask(x, mask):
    return np.sum(np.where(mask, x / 0.5, 0.0) ** 2)


POSITIVE = ("x_pos", "A_spd")

CASES: dict[str, tuple[Callable[..., Any], Shapes, dict[str, np.ndarray]]] = {
    "softmax-ce-integer-labels": (_softmax_ce, {"Z": (5, 4)}, {"y": np.array([0, 3, 1, 1, 2])}),
    "softmax-ce-plain": (_softmax_ce_plain, {"Z": (3, 3)}, {"y": np.array([0, 2, 2])}),
    "svm-loop-labels": (_svm_loop, {"W": (3, 4), "X": (5, 3)}, {"y": np.array([0, 3, 1, 1, 2])}),
    "conv-loops": (_conv_loops, {"x": (2, 2, 4, 4), "w": (2, 2, 3, 3), "b": (2,)}, {}),
    "rnn-unrolled": (_rnn, {"x": (2, 4, 3), "h0": (2, 5), "Wx": (3, 5), "Wh": (5, 5),
                            "b": (5,)}, {}),
    "maxpool-loops": (_maxpool, {"x": (2, 2, 4, 4)}, {}),
    "layernorm": (_layernorm, {"x": (4, 5), "g": (5,), "b": (5,)}, {}),
    "batchnorm-std-ddof": (_batchnorm, {"x": (6, 3), "gamma": (3,), "beta": (3,)}, {}),
    "attention-batched": (_attention, {"Q": (2, 3, 4), "K": (2, 5, 4), "V": (2, 5, 3)}, {}),
    "one-hot-buffer": (_one_hot, {"W": (3, 4), "X": (5, 3)}, {"y": np.array([0, 3, 1, 1, 2])}),
    "embedding-lookup": (_embedding, {"E_": (6, 3)}, {"idx": np.array([[0, 5], [2, 2]])}),
    "dropout-bool-mask": (_dropout_mask, {"x": (3, 4)},
                          {"mask": np.array([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 0]],
                                            dtype=bool)}),
    "clip-norm": (lambda x: np.sum(np.clip(x, -0.5, 0.8) ** 2) + np.linalg.norm(x),
                  {"x": (3, 4)}, {}),
    "squeeze-expand-split": (lambda x: sum(np.sum(np.squeeze(np.expand_dims(p, 0)) ** 2 * k)
                                           for k, p in enumerate(np.split(x, 2, axis=1), 1)),
                             {"x": (3, 4)}, {}),
    "concat-stack": (lambda a, b: np.sum(np.concatenate([a, b], axis=0) ** 2)
                     + np.sum(np.stack([a, b], axis=2) * 2) + np.sum(np.hstack([a, b]) ** 3)
                     + np.sum(np.vstack([a, b]) * np.arange(12.0).reshape(4, 3)),
                     {"a": (2, 3), "b": (2, 3)}, {}),
    "swapaxes-moveaxis-transpose": (lambda x: np.sum(np.swapaxes(x, 0, 2) ** 2
                                                     * np.arange(24.0).reshape(4, 3, 2))
                                    + np.sum(np.moveaxis(x, 0, -1)[0] ** 3)
                                    + np.sum(x.transpose(1, 0, 2) * 2),
                                    {"x": (2, 3, 4)}, {}),
    "einsum-tensordot-outer-inner-kron": (
        lambda a, b: np.sum(np.einsum("ij,kj->ik", a, b) ** 2)
        + np.sum(np.tensordot(a, b, axes=([1], [1])) * 3) + np.sum(np.outer(a[0], b[1]) ** 2)
        + np.inner(a[0], b[0]) ** 2 + np.sum(np.kron(a, b) ** 2), {"a": (2, 3), "b": (2, 3)}, {}),
    "trace-diag-prod-cumsum": (lambda A: np.trace(A) ** 2 + np.sum(np.diag(A) ** 3)
                               + np.prod(A[0]) + np.sum(np.cumsum(A, axis=1) ** 2)
                               + np.sum(np.diag(A[1]) * A), {"A": (3, 3)}, {}),
    "amax-amin-nansum-nanmean": (lambda x: np.amax(x, axis=0).sum() - np.amin(x)
                                 + np.nansum(x ** 2) + np.nanmean(x ** 3), {"x": (3, 4)}, {}),
    "trig-and-logs": (lambda x: np.sum(np.sin(x) * np.cos(x) + np.arctan(x) + np.sinh(x)
                                       + np.cosh(x) + np.exp2(x) + np.hypot(x, 2.0)),
                      {"x": (2, 3)}, {}),
    "positive-logs-cbrt": (lambda x_pos: np.sum(np.log2(x_pos) + np.log10(x_pos)
                                                + np.cbrt(x_pos) + np.sign(x_pos) * x_pos),
                           {"x_pos": (2, 3)}, {}),
    "linalg": (lambda A_spd, b: np.linalg.det(A_spd) + np.linalg.slogdet(A_spd)[1]
               + np.sum(np.linalg.inv(A_spd) ** 2) + np.sum(np.linalg.solve(A_spd, b) ** 2),
               {"A_spd": (3, 3), "b": (3,)}, {}),
    "newaxis-take-along-axis": (lambda x: np.sum(x[:, None, :] * x[None, :, :])
                                + np.sum(np.take_along_axis(x, np.array([[1], [0], [2]]),
                                                            axis=1) ** 2), {"x": (3, 4)}, {}),
    "masked-write-relu": (_masked_relu, {"x": (3, 4)}, {}),
    "if-on-a-constant": (lambda x, flag: np.sum(x ** 2) if flag > 0 else np.sum(x ** 3),
                         {"x": (3,)}, {"flag": np.array(1.0)}),
}


def _point(shapes: Shapes, seed: int = 3) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    out = {}
    for k, s in shapes.items():
        v = rng.standard_normal(s)
        if k == "x_pos":
            v = np.abs(v) + 0.5
        if k == "A_spd":
            v = v @ v.T + 3 * np.eye(s[0])
        out[k] = v
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_and_equal_to_finite_differences(name: str) -> None:
    forward, shapes, constants = CASES[name]
    graph = from_forward(forward, shapes, tuple(shapes), constants)
    code = compile_numpy(B.derive(graph))
    point = _point(shapes)
    args = {**point, **constants}
    assert float(code.forward(**args)) == pytest.approx(float(forward(**args)), rel=1e-12)
    grads = code.backward(**args)
    for w in shapes:
        fd = central_gradient(forward, args, w)
        np.testing.assert_allclose(grads[w], fd, rtol=2e-6, atol=1e-7, err_msg=f"{name}: {w}")


@pytest.mark.parametrize("name", ["masked-write-relu", "softmax-ce-plain", "svm-loop-labels",
                                  "one-hot-buffer", "embedding-lookup", "dropout-bool-mask",
                                  "conv-loops"])
def test_the_matrix_form_is_proved(name: str) -> None:
    forward, shapes, constants = CASES[name]
    small = {k: tuple(min(d, 2) if name == "conv-loops" and k == "x" and i == 0 else d
                      for i, d in enumerate(s)) for k, s in shapes.items()}
    graph = from_forward(forward, small, tuple(small), constants)
    bw = B.derive(graph)
    truth = EW.ground_truth(graph.output, graph.inputs, graph.wrt, constants)
    env = dict(truth.symbols)
    for w in graph.wrt:
        proof = EW.prove(w, EW.evaluate(bw.gradient(w), env), truth.gradients[w])
        assert proof.proved, (name, w, proof.message)


def test_integer_labels_stay_names_in_the_graph_and_the_code() -> None:
    forward, shapes, constants = CASES["softmax-ce-integer-labels"]
    graph = from_forward(forward, shapes, ("Z",), constants)
    code = compile_numpy(B.derive(graph))
    assert "y]" in code.backward_source  # indexed by the labels passed in, not baked ones
    other = {"Z": _point(shapes)["Z"], "y": np.array([3, 3, 0, 2, 1])}
    fd = central_gradient(forward, other, "Z")
    np.testing.assert_allclose(code.backward(**other)["Z"], fd, rtol=1e-6, atol=1e-8)


def test_a_variable_assigned_in_a_loop_names_every_step() -> None:
    forward, shapes, _ = CASES["rnn-unrolled"]
    graph = from_forward(forward, shapes, tuple(shapes))
    names = [s.name for s in graph.steps]
    assert names[:4] == ["h_1", "h_2", "h_3", "h_4"]


def test_control_flow_on_a_constant_specializes_the_graph() -> None:
    forward, shapes, constants = CASES["if-on-a-constant"]
    t = trace_full(forward, shapes, constants)
    assert t.specialized  # holds for flag > 0 only: a per-point derivation
    assert not trace_full(CASES["conv-loops"][0], CASES["conv-loops"][1]).specialized


def test_where_tracing_stops_names_the_line() -> None:
    def forward(x):
        y = x * 2
        if y[0] > 0:  # control flow on a differentiated value
            return np.sum(y)
        return np.sum(y ** 2)

    with pytest.raises(TraceError) as info:
        from_forward(forward, {"x": (3,)}, ("x",))
    assert "a Python if/while" in str(info.value)
    assert info.value.where.startswith("test_trace_numpy.py:")
    assert info.value.where.split(":", 2)[2] == " if y[0] > 0:"  # the code, not its comment


def test_an_unmapped_call_is_named_with_its_line() -> None:
    def forward(x):
        return np.sum(np.sort(x) ** 2)

    with pytest.raises(TraceError, match=r"^numpy\.sort$") as info:
        from_forward(forward, {"x": (3,)}, ("x",))
    assert info.value.located().endswith("return np.sum(np.sort(x) ** 2) (numpy.sort)")
