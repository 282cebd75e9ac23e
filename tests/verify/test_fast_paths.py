"""The fast paths of issue 5 give the slow paths' answers: folded and shared-subexpression
code against the plain matrix form, differences along the graph against differences of the
user's forward, --fd all against the sample; the located entry; the Taylor slope.

Small shapes only, and nothing here is timed (benchmarks/peers.py does that).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from derive.numeric.fd import FD_REL_STEP, central_gradient
from derive.reports.cli import main

from derive import deltas
from derive.compile import evaluate_numeric
from derive.verify import derivation, verify

SHAPES = {"X": (16, 5), "y": (16, 1), "W1": (5, 8), "B1": (1, 8), "W2": (8, 1), "B2": (1, 1)}
BUG = (3, 7)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward(X, y, W1, B1, W2, B2):
    O1 = sigmoid(X @ W1 + B1)
    P = O1 @ W2 + B2
    return np.mean((y - P) ** 2)


def backward(X, y, W1, B1, W2, B2):
    O1 = sigmoid(X @ W1 + B1)
    P = O1 @ W2 + B2
    dLdP = -2 * (y - P) / y.shape[0]
    dLdN1 = (dLdP @ W2.T) * O1 * (1 - O1)
    return {"W1": X.T @ dLdN1, "B1": dLdN1.sum(axis=0, keepdims=True),
            "W2": O1.T @ dLdP, "B2": dLdP.sum(axis=0, keepdims=True)}


def backward_bug(**kw):
    g = backward(**kw)
    g["W1"] = g["W1"].copy()
    g["W1"][BUG] += 1e-3
    return g


def backward_scaled(**kw):
    g = backward(**kw)
    g["W2"] = 2 * g["W2"]
    return g


# Forwards whose graphs cover the operations of the fast paths: matmul both ways, transpose,
# reshape, sums and means with and without keepdims, broadcasting, table functions, kinks.
GRAPHS = {
    "tanh-square": (lambda x, W: np.sum(np.tanh(x @ W) ** 2), {"x": (5, 3), "W": (3, 4)}),
    "maximum-mean": (lambda x, W: np.mean(np.maximum(x.T @ W, 0.1) * 3 - 1),
                     {"x": (3, 5), "W": (3, 4)}),
    "reshape": (lambda x, W: np.sum((W @ x.T).reshape(-1) ** 2), {"x": (5, 3), "W": (4, 3)}),
    "axis-sums": (lambda x, W: np.sum(np.sum(x * x, axis=0) * np.mean(W, axis=1, keepdims=True).T),
                  {"x": (5, 3), "W": (3, 3)}),
    "twice": (lambda x, W: np.sum(x @ W @ W.T) + np.sum(np.exp(W).T, axis=1).sum(),
              {"x": (5, 3), "W": (3, 3)}),
    "log-div": (lambda x, W: np.sum(np.log(1 + x ** 2) / (W.sum(axis=0) + 10)),
                {"x": (5, 3), "W": (4, 3)}),
    "two-layer": (forward, SHAPES),
}


def _point(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s) for k, s in shapes.items()}


@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_compiled_code_equals_the_plain_matrix_form(case: str) -> None:
    f, shapes = GRAPHS[case]
    d = derivation(f, shapes, tuple(shapes))
    p = _point(shapes)
    fast = d.code.backward(**p)
    env = dict(p)
    for s in d.graph.steps:
        env[s.name] = evaluate_numeric(s.node, env)
    for w in shapes:
        plain = evaluate_numeric(d.backward.gradient(w), env)
        np.testing.assert_allclose(fast[w], plain, rtol=1e-12, atol=1e-14)
    assert float(d.code.forward(**p)) == pytest.approx(float(f(**p)), rel=1e-12)


@pytest.mark.parametrize("case", sorted(GRAPHS))
def test_graph_differences_equal_differences_of_the_forward(case: str) -> None:
    f, shapes = GRAPHS[case]
    d = derivation(f, shapes, tuple(shapes))
    ev = deltas.Evaluator(d.graph)
    p = _point(shapes, seed=1)
    for w in shapes:
        fast = deltas.central_differences(ev, p, w, np.arange(p[w].size), FD_REL_STEP)
        slow = central_gradient(f, p, w)
        np.testing.assert_allclose(fast.reshape(p[w].shape), slow, rtol=1e-6, atol=1e-8)


def test_graph_differences_in_small_batches() -> None:
    d = derivation(forward, SHAPES, ("W1",))
    ev = deltas.Evaluator(d.graph)
    p = _point(SHAPES)
    whole = deltas.central_differences(ev, p, "W1", np.arange(40), FD_REL_STEP)
    old = deltas.BATCH
    try:
        deltas.BATCH = 3
        batched = deltas.central_differences(ev, p, "W1", np.arange(40), FD_REL_STEP)
    finally:
        deltas.BATCH = old
    np.testing.assert_allclose(whole, batched, rtol=1e-12)


def test_generated_code_folds_constants_and_reuses_the_forward() -> None:
    src = derivation(forward, SHAPES, tuple(SHAPES)).code.backward_source
    assert "np.ones" not in src  # (1/n) * 2 folded into one number
    # the hand-written 1 / (1 + exp(-N)) is recognized: the stable sigmoid, computed once,
    # and its derivative through the forward value, O1 (1 - O1)
    assert src.count("sigmoid(") == 1 and "exp(" not in src
    assert "O1 * (1.0 - O1)" in src
    assert "d1_exp" not in src and "np.power" not in src
    assert "dLdP = " in src and "return {" in src


@pytest.mark.parametrize("bw", [backward, backward_bug, backward_scaled])
def test_fd_all_and_sample_give_the_same_verdicts(bw) -> None:
    a = verify(forward, bw, shapes=SHAPES, prove=False)
    b = verify(forward, bw, shapes=SHAPES, prove=False, fd="all")
    for k in SHAPES.keys() & a.gradients.keys():
        ga, gb = a.gradients[k], b.gradients[k]
        assert (ga.verdict, ga.diagnosis, ga.entries) == (gb.verdict, gb.diagnosis, gb.entries)
        assert gb.miss_probability == 0.0
        assert 0.0 <= ga.miss_probability < 1.0


def test_fd_all_falls_back_where_the_graph_has_a_comparison() -> None:
    def f(x, w):
        return np.sum(np.where(x * w > 0, x * w, 0.0))

    def g(x, w):
        return {"w": np.where(x * w > 0, x, 0.0)}

    shapes = {"x": (6, 4), "w": (6, 4)}
    a = verify(f, g, shapes=shapes, prove=False)
    b = verify(f, g, shapes=shapes, prove=False, fd="all")
    assert a.gradients["w"].verdict == b.gradients["w"].verdict == "ok"


def test_a_single_wrong_entry_is_located_by_its_index() -> None:
    r = verify(forward, backward_bug, shapes=SHAPES, prove=False)
    g = r.gradients["W1"]
    assert (g.verdict, g.diagnosis, g.entries) == ("wrong", "entries", [BUG])
    assert r.to_json()["gradients"]["W1"]["entries"] == [list(BUG)]
    assert all(r.gradients[k].verdict == "ok" for k in ("B1", "W2", "B2"))


def test_taylor_slope_two_when_right_one_when_wrong() -> None:
    right = verify(forward, backward, shapes=SHAPES, prove=False)
    for g in right.gradients.values():
        assert g.taylor_slope == pytest.approx(2.0, abs=0.2)
    wrong = verify(forward, backward_scaled, shapes=SHAPES, prove=False)
    assert wrong.gradients["W2"].taylor_slope == pytest.approx(1.0, abs=0.2)
    assert wrong.gradients["W1"].taylor_slope == pytest.approx(2.0, abs=0.2)
    assert wrong.to_json()["gradients"]["W2"]["taylor_slope"] == pytest.approx(1.0, abs=0.2)


def test_compiled_gradient_matches_elementwise_sympy() -> None:
    r = verify(forward, backward, shapes=SHAPES, prove=True)
    assert r.ok and all(g.proof is not None and g.proof.proved for g in r.gradients.values())


def test_cli_fd_all_json_and_human(tmp_path, capsys) -> None:
    mod = tmp_path / "net.py"
    mod.write_text(
        "import numpy as np\n"
        f"SHAPES = {SHAPES!r}\n"
        "def forward(X, y, W1, B1, W2, B2):\n"
        "    O1 = 1 / (1 + np.exp(-(X @ W1 + B1)))\n"
        "    return np.mean((y - (O1 @ W2 + B2)) ** 2)\n"
        "def backward(X, y, W1, B1, W2, B2):\n"
        "    O1 = 1 / (1 + np.exp(-(X @ W1 + B1)))\n"
        "    dLdP = -2 * (y - (O1 @ W2 + B2)) / y.shape[0]\n"
        "    dLdN1 = (dLdP @ W2.T) * O1 * (1 - O1)\n"
        "    dW1 = X.T @ dLdN1\n"
        "    dW1[3, 7] += 1e-3\n"
        "    return {'W1': dW1, 'B1': dLdN1.sum(axis=0, keepdims=True),\n"
        "            'W2': O1.T @ dLdP, 'B2': dLdP.sum(axis=0, keepdims=True)}\n")
    assert main(["verify", str(mod), "--json", "--fd", "all", "--no-prove"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["gradients"]["W1"]["entries"] == [[3, 7]]
    assert data["gradients"]["W1"]["miss_probability"] == 0.0
    assert data["gradients"]["W2"]["taylor_slope"] == pytest.approx(2.0, abs=0.2)
    assert main(["verify", str(mod), "--no-prove"]) == 1
    out = capsys.readouterr().out
    assert "Taylor remainder slopes (about 2 right, about 1 wrong): W1 " in out
    assert "probability that finite differences miss an error" in out
