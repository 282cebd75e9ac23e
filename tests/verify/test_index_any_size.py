"""Integer-array indexing holds at any size (issues 12 and 14): ``np.arange(X.shape[0])`` is a
node printed as arange(n), the scatter that undoes indexing writes its shape by name, and the
``--fix`` backward, derived at n = 6 and pasted, is right at n = 11."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from derive.reports.fix import paste_code

from derive.trace import trace
from derive.usermodule import load
from derive.verify import verify, verify_module

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "modules"
TRACED_N = 6  # the batch the corpus modules' inputs(rng) draw
OTHER_N = 11  # the batch the pasted code is checked at: a size it was never derived at
CLOSE = 1e-10  # pasted code and a hand-written backward: the same float64 arithmetic, reordered


def _pasted(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<pasted fix>", "exec"), namespace)  # our own generated code
    return namespace


def _no_traced_sizes(code: str) -> None:
    body = code[code.index("def backward"):]
    assert "np.array([0, 1, 2" not in code, code
    assert not re.search(r"(?<![\w.])6(?![\w.])", body), body  # no literal of n = 6
    assert "(6, 3)" not in code and "(6,)" not in code, code


def _labels_at(n: int, d: int, classes: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {"X": rng.standard_normal((n, d)), "y": rng.integers(0, classes, size=n)}


def _softmax_reference(W, X, y):
    """The right backward of softmax_loss_vec__bug's forward (no regularisation there)."""
    s = X @ W
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return {"W": X.T @ p / len(y)}


REFERENCES = {  # an independent right backward for each bug's forward
    "softmax_loss_vec__bug": lambda: _softmax_reference,
    "svm_loss_vec__bug": lambda: load(CORPUS / "svm_loss_vec.py").function("backward"),
}


@pytest.mark.parametrize("stem", sorted(REFERENCES))
def test_pasted_fix_of_a_label_loss_is_right_at_another_batch(stem: str) -> None:
    bug = load(CORPUS / f"{stem}.py")
    result = verify_module(bug, prove=False, points=1)
    assert result.gradients["W"].verdict == "wrong" and result.traced is not None
    code = paste_code(result.traced.backward, result.shapes)
    _no_traced_sizes(code)
    assert "np.arange(X.shape[0])" in code
    pasted = _pasted(code)["backward"]
    d, classes = bug.shapes()["W"]
    data = _labels_at(OTHER_N, d, classes)
    W = np.random.default_rng(2).standard_normal((d, classes))
    got = pasted(W, data["X"], data["y"])["W"]
    want = REFERENCES[stem]()(W, data["X"], data["y"])["W"]
    np.testing.assert_allclose(got, want, rtol=CLOSE, atol=CLOSE)
    r = verify(bug.function("forward"), pasted, shapes={"W": (d, classes)},
               inputs=lambda rng: _labels_at(OTHER_N, d, classes), prove=False, points=2)
    assert r.ok and r.gradients["W"].verdict == "ok", str(r.gradients["W"])


def test_flattened_rows_of_a_sequence_loss_hold_at_other_sizes() -> None:
    """temporal_softmax picks logp[np.arange(n * t), y.reshape(n * t)]: a product of sizes."""
    bug = load(CORPUS / "temporal_softmax__bug.py")
    result = verify_module(bug, prove=False, points=1)
    code = paste_code(result.traced.backward, result.shapes)
    assert "np.arange((x.shape[0]) * (x.shape[1]))" in code
    assert "np.array([" not in code and "(2, 3, 4)" not in code and "(6," not in code, code
    pasted = _pasted(code)["backward"]
    right = load(CORPUS / "temporal_softmax.py").function("backward")
    rng = np.random.default_rng(6)
    for n, t, v in [(3, 5, 4), (1, 7, 2)]:
        x = rng.standard_normal((n, t, v))
        y, mask = rng.integers(0, v, (n, t)), rng.random((n, t)) < 0.7
        np.testing.assert_allclose(pasted(x, y, mask)["x"], right(x, y, mask)["x"],
                                   rtol=CLOSE, atol=CLOSE)


def test_one_hot_rows_from_eye_hold_at_another_batch() -> None:
    bug = load(CORPUS / "one_hot_xent__bug.py")
    result = verify_module(bug, prove=False, points=1)
    code = paste_code(result.traced.backward, result.shapes)
    assert "t = np.eye(logits.shape[1])[y]" in code and "_c0" not in code, code
    pasted = _pasted(code)["backward"]
    right = load(CORPUS / "one_hot_xent.py").function("backward")
    rng = np.random.default_rng(7)
    logits, y = rng.standard_normal((OTHER_N, 4)), rng.integers(0, 4, OTHER_N)
    np.testing.assert_allclose(pasted(logits, y)["logits"], right(logits, y)["logits"],
                               rtol=CLOSE, atol=CLOSE)


def test_the_math_names_the_range(cli) -> None:
    rc, out, _ = cli("verify", str(CORPUS / "softmax_loss_vec__bug.py"), "--fix")
    assert rc == 1
    assert "L = −sum(logp[arange(n), y]) / n" in out
    assert "∂L/∂logp = scatter[arange(n), y](−1 / n 𝟙)" in out
    assert r"\operatorname{scatter}_{[\operatorname{arange}\left(n\right), y]}" in out
    assert "constant]" not in out and "bmatrix" not in out
    _no_traced_sizes(out[out.index("import numpy"):])


def test_scatter_and_ones_print_sizes_by_name() -> None:
    result = verify_module(load(CORPUS / "softmax_loss_vec__bug.py"), prove=False, points=1)
    code = paste_code(result.traced.backward, result.shapes)
    assert "(X.shape[0], W.shape[1]), np.s_[" in code
    assert "np.ones((X.shape[0],))" in code


def _forward_len(W, X, y):
    s = X @ W
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -np.take_along_axis(logp, y[:, None], axis=1).mean() + \
        0.5 * np.sum(logp[np.arange(len(X)), y] ** 2)


def _backward_len(W, X, y):
    n = len(X)
    s = X @ W
    p = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    logp = np.log(p)
    picked = logp[np.arange(n), y]
    g = -p * picked[:, None]
    g[np.arange(n), y] += picked
    g[np.arange(n), y] -= 1 / n
    g += p / n
    return {"W": X.T @ g}


def test_take_along_axis_and_len_are_by_name_and_right_at_another_batch() -> None:
    def labels(rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"X": rng.standard_normal((TRACED_N, 4)), "y": rng.integers(0, 3, TRACED_N)}

    r = verify(_forward_len, _backward_len, shapes={"W": (4, 3)}, inputs=labels, prove=False)
    assert r.ok and not r.gradients["W"].numeric_only
    code = paste_code(r.traced.backward)
    _no_traced_sizes(code)
    assert "np.arange(y.shape[0])[:, None]" in code  # take_along_axis's range, by name
    assert "np.arange(X.shape[0])" in code  # np.arange(len(X))
    W = np.random.default_rng(3).standard_normal((4, 3))
    data = _labels_at(OTHER_N, 4, 3)
    got = _pasted(code)["backward"](W, data["X"], data["y"])["W"]
    want = _backward_len(W, data["X"], data["y"])["W"]
    np.testing.assert_allclose(got, want, rtol=CLOSE, atol=CLOSE)


def _forward_mask(W, X, keep):
    s = np.tanh(X @ W)
    return np.sum(s[keep] ** 2) / X.shape[0]


def _backward_mask(W, X, keep):
    s = np.tanh(X @ W)
    g = np.zeros_like(s)
    g[keep] = 2 * s[keep] * (1 - s[keep] ** 2) / X.shape[0]
    return {"W": X.T @ g}


def test_a_boolean_mask_fix_holds_at_another_batch_and_count() -> None:
    def masked(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"X": rng.standard_normal((n, 4)), "keep": rng.random(n) < 0.5}

    r = verify(_forward_mask, _backward_mask, shapes={"W": (4, 3)},
               inputs=lambda rng: masked(TRACED_N, rng), prove=False)
    assert r.ok and not r.gradients["W"].numeric_only
    code = paste_code(r.traced.backward)
    _no_traced_sizes(code)
    data = masked(OTHER_N, np.random.default_rng(4))
    W = np.random.default_rng(5).standard_normal((4, 3))
    got = _pasted(code)["backward"](W, data["X"], data["keep"])["W"]
    want = _backward_mask(W, data["X"], data["keep"])["W"]
    np.testing.assert_allclose(got, want, rtol=CLOSE, atol=CLOSE)


def _ops(forward, shapes: dict, constants: dict) -> set[str]:
    from derive import expr as E

    node, _ = trace(forward, shapes, constants)
    return {n.op for n in E.topological(node)}


def test_arange_of_a_traced_size_is_a_node_and_of_a_number_a_constant() -> None:
    y = np.array([0, 2, 1, 0])
    by_size = _ops(lambda x, y: x[np.arange(x.shape[0]), y].sum(), {"x": (4, 3)}, {"y": y})
    by_number = _ops(lambda x, y: x[np.arange(4), y].sum(), {"x": (4, 3)}, {"y": y})
    assert "arange" in by_size and "dim" in by_size
    assert "arange" not in by_number and "const" in by_number


A = (2, 3, 5, 7)  # distinct sizes: each output axis's size names the axis it must come from
I11 = np.zeros(11, np.intp)
KEYS = [  # (numpy key on an array shaped A, output axes known by no name)
    ((slice(None), I11), ()),
    ((I11, slice(None), I11), ()),  # apart: the index axes go first
    ((None, Ellipsis, I11), (0,)),  # the new axis has size 1
    ((0, I11), ()),  # an int beside an array is an index too: in place
    ((slice(None), 0, slice(None), I11), ()),  # apart again
    ((np.zeros((13, 1), np.intp), I11), ()),  # broadcast together: (13, 11)
    ((slice(None), slice(1, 3)), (1,)),  # a slice of another size is no one's size
]


@pytest.mark.parametrize(("key", "unnamed"), KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_each_output_axis_of_an_index_is_the_axis_numpy_takes(key: tuple, unnamed: tuple
                                                              ) -> None:
    from derive import expr as E
    from derive.numpy_shapes import parse_key
    from derive.ops import OPS

    template, arrays = parse_key(key)
    node = E.getitem(E.leaf("a", A), template, tuple(E.leaf(f"i{k}", t.node.shape)
                                                     for k, t in enumerate(arrays)))
    assert node.shape == np.empty(A, np.int8)[key].shape
    for axis, size in enumerate(node.shape):
        sources = OPS["getitem"].axis_sources(node, axis)
        named = {node.args[i].shape[k] for i, k in sources}
        expected = set() if axis in unnamed else {size}
        assert named == expected, (key, axis, sources)


def test_a_product_of_sizes_is_named_and_a_size_times_an_array_still_is() -> None:
    def flat(x):
        n, t = x.shape
        return np.sum(x.reshape(n * t)[np.arange(n * t)] * n)

    ops = _ops(flat, {"x": (3, 4)}, {})
    assert {"arange", "dim"} <= ops and "mul" in ops


def test_one_hot_rows_from_an_eye_of_a_literal_size_follow_the_labels() -> None:
    """np.eye(3)[y]: the pasted code indexes the identity by the labels it is given, never
    the one-hot rows of the labels drawn when it was derived."""
    def forward(W, X, y):
        Y = np.eye(3)[y]
        z = X @ W
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return -np.sum(Y * np.log(p)) / X.shape[0]

    def wrong(W, X, y):  # the 1/n forgotten
        z = X @ W
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return {"W": X.T @ (p - np.eye(3)[y])}

    inputs = lambda rng: _labels_at(TRACED_N, 4, 3)  # noqa: E731
    result = verify(forward, wrong, {"W": (4, 3)}, inputs=inputs, prove=False, points=1)
    assert result.gradients["W"].verdict == "wrong"
    code = paste_code(result.traced.backward, result.shapes)
    assert "[y]" in code, code
    pasted = _pasted(code)["backward"]
    other = _labels_at(OTHER_N, 4, 3, seed=5)
    W = np.random.default_rng(2).standard_normal((4, 3))
    z = other["X"] @ W
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    right = other["X"].T @ (p - np.eye(3)[other["y"]]) / OTHER_N
    np.testing.assert_allclose(pasted(W, **other)["W"], right, rtol=CLOSE, atol=CLOSE)


def test_a_fix_unrolled_from_loops_says_it_holds_at_the_traced_sizes_only() -> None:
    from derive.reports.fix import fix_text

    looped = verify_module(load(CORPUS / "conv_loops__bug.py"), prove=False, points=1)
    assert "holds at these sizes only" in fix_text(looped)
    vectorised = verify_module(load(CORPUS / "softmax_loss_vec__bug.py"), prove=False, points=1)
    assert "holds at these sizes only" not in fix_text(vectorised)


def test_the_printed_reshape_names_its_sizes() -> None:
    from derive.reports.fix import forward_lines

    r = verify_module(load(CORPUS / "temporal_softmax.py"), prove=False, points=1)
    lines = [line for line in forward_lines(r.traced.backward) if "reshape(" in line]
    assert lines and all(not re.search(r"reshape\([^)]*\b6\b", line) for line in lines), lines
    assert any("reshape(x, (n dim_1(x))×dim_2(x))" in line for line in lines), lines


def _forward_mask_mean(W, X, keep):
    s = np.tanh(X @ W)
    return np.mean(s[keep] ** 2)


def _backward_mask_mean(W, X, keep):
    s = np.tanh(X @ W)
    g = np.zeros_like(s)
    g[keep] = 2 * s[keep] * (1 - s[keep] ** 2) / (np.count_nonzero(keep) * W.shape[1])
    return {"W": X.T @ g}


def test_a_mean_over_a_mask_divides_by_its_count_by_name() -> None:
    """np.mean(s[keep]) divides by how many entries keep selects: written |keep| and
    np.count_nonzero(keep), never the count of the mask that was drawn."""
    def masked(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        keep = np.arange(n) % 3 != 1  # 4 of 6 rows traced; 7 of 11 at OTHER_N
        return {"X": rng.standard_normal((n, 4)), "keep": keep}

    r = verify(_forward_mask_mean, _backward_mask_mean, shapes={"W": (4, 3)},
               inputs=lambda rng: masked(TRACED_N, rng), prove=True)
    assert r.ok and not r.gradients["W"].numeric_only
    assert r.gradients["W"].proof is not None and r.gradients["W"].proof.proved
    code = paste_code(r.traced.backward)
    _no_traced_sizes(code)
    assert "np.count_nonzero(keep)" in code
    body = code[code.index("def backward"):]
    assert not re.search(r"(?<![\w.])4\.0(?![\w.])", body), body  # not the traced count
    from derive.reports.fix import derivation_lines

    assert any("|keep|" in line for line in derivation_lines(r.traced.backward))
    data = masked(OTHER_N, np.random.default_rng(4))
    W = np.random.default_rng(5).standard_normal((4, 3))
    got = _pasted(code)["backward"](W, data["X"], data["keep"])["W"]
    want = _backward_mask_mean(W, data["X"], data["keep"])["W"]
    np.testing.assert_allclose(got, want, rtol=CLOSE, atol=CLOSE)
