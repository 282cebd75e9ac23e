"""Verdicts of issue 13: state (copies, call order, determinism), low precision, small
differences explained, and deep networks whose correct gradient is never judged wrong."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from derive.errors import InputError
from derive.verify import verify

SHAPE = {"x": (4, 3)}


def _f(x):
    return np.sum(np.tanh(x) ** 2)


def _g(x):
    return 2 * np.tanh(x) * (1 - np.tanh(x) ** 2)


# ---- state

def test_a_backward_returning_the_same_buffer_each_call_is_judged_on_copies() -> None:
    buffer = np.zeros((4, 3))

    def backward(x):
        buffer[...] = _g(x)
        return {"x": buffer}

    r = verify(_f, backward, shapes=SHAPE, prove=False)
    assert r.gradients["x"].verdict == "ok"
    wrong = verify(_f, lambda x: (buffer.__setitem__(Ellipsis, 2 * _g(x)), {"x": buffer})[1],
                   shapes=SHAPE, prove=False)
    assert (wrong.gradients["x"].diagnosis, wrong.gradients["x"].factor) == ("scaled", 2.0)


def test_forward_then_backward_at_the_same_point() -> None:
    cache: dict[str, np.ndarray] = {}
    calls: list[str] = []

    def forward(x):
        calls.append("f")
        cache["t"] = np.tanh(x)
        return np.sum(cache["t"] ** 2)

    def backward(x):
        calls.append("b")
        t = cache["t"]  # what the forward left at this very point
        assert np.array_equal(t, np.tanh(x))
        return {"x": 2 * t * (1 - t**2)}

    r = verify(forward, backward, shapes=SHAPE, prove=False, points=3)
    assert r.gradients["x"].verdict == "ok"
    assert calls[:7] == ["f", "b", "f", "b", "f", "b", "f"]  # then forward again at point 1


@pytest.mark.parametrize("kind", ["counter", "random"])
def test_a_forward_that_is_not_deterministic_gets_no_verdict(kind: str) -> None:
    count = [0]

    def forward(x):
        count[0] += 1
        extra = 1e-3 * count[0] if kind == "counter" else 1e-6 * np.random.rand()
        return np.sum(np.tanh(x) ** 2) + extra

    with pytest.raises(InputError, match="forward is not deterministic: two calls at the same "
                                         "point gave"):
        verify(forward, lambda x: {"x": _g(x)}, shapes=SHAPE, prove=False)


def test_not_deterministic_is_exit_2_in_the_cli(tmp_path, capsys) -> None:
    from derive.reports.cli import main

    p = tmp_path / "nd.py"
    p.write_text("import numpy as np\nSHAPES = {'x': (3,)}\nN = [0]\n"
                 "def forward(x):\n    N[0] += 1\n    return float(np.sum(x**2)) + N[0]\n"
                 "def backward(x):\n    return {'x': 2 * x}\n")
    assert main(["verify", str(p), "--no-prove"]) == 2
    err = capsys.readouterr().err
    assert "forward is not deterministic" in err and "Traceback" not in err


# ---- low precision

@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_low_precision_backward_of_a_right_gradient_is_ok_and_flagged(dtype) -> None:
    r = verify(_f, lambda x: {"x": _g(x).astype(dtype)}, shapes=SHAPE, prove=False)
    assert r.gradients["x"].verdict == "ok"
    name = np.dtype(dtype).name
    assert any(n.startswith(f"{name} backward for x") and "low precision" in n for n in r.notes)


def test_a_float32_backward_one_tenth_of_a_percent_off_is_caught() -> None:
    def backward(x):
        g = _g(x)
        g[1, 2] *= 1.001
        return {"x": g.astype(np.float32)}

    r = verify(_f, backward, shapes=SHAPE, prove=False)
    g = r.gradients["x"]
    assert g.verdict == "wrong" and (1, 2) in g.entries


# ---- small differences explained

def test_an_epsilon_left_out_of_the_backward_is_named() -> None:
    r = verify(lambda p: -np.sum(np.log(p + 1e-8)), lambda p: {"p": -1 / p},
               inputs=lambda rng: {"p": rng.random((4, 3)) * 0.01 + 1e-5}, prove=False)
    g = r.gradients["p"]
    assert (g.verdict, g.diagnosis) == ("wrong", "entries")
    assert "relative: consistent with an epsilon or clipping" in g.message


# ---- deep networks: a correct gradient is never judged wrong

def _mlp(layers: int, act: str, n: int, d: int, h: int):
    names = ["X"] + [f"W{i}" for i in range(1, layers + 1)]

    def f_act(z):
        return np.tanh(z) if act == "tanh" else 1 / (1 + np.exp(-z))

    def d_act(a):
        return 1 - a**2 if act == "tanh" else a * (1 - a)

    def forward(**k):
        a = k["X"]
        for i in range(1, layers + 1):
            a = f_act(a @ k[f"W{i}"])
        return np.sum(a**2) / k["X"].shape[0]

    def backward(**k):
        acts = [k["X"]]
        for i in range(1, layers + 1):
            acts.append(f_act(acts[-1] @ k[f"W{i}"]))
        g, out = 2 * acts[-1] / k["X"].shape[0], {}
        for i in range(layers, 0, -1):
            dz = g * d_act(acts[i])
            out[f"W{i}"] = acts[i - 1].T @ dz
            g = dz @ k[f"W{i}"].T
        return out

    sig = inspect.Signature([inspect.Parameter(x, inspect.Parameter.KEYWORD_ONLY)
                             for x in names])
    forward.__signature__ = sig  # type: ignore[attr-defined]
    backward.__signature__ = sig  # type: ignore[attr-defined]
    shapes = {"X": (n, d), **{f"W{i}": (d if i == 1 else h, h) for i in range(1, layers + 1)}}
    return forward, backward, shapes


@pytest.mark.parametrize("seed", [0, 1])
def test_the_issue_s_eight_layer_tanh_network(seed: int) -> None:
    # n = 256, d = 13, h = 64 with standard-normal weights: W1 and W2 were judged wrong
    forward, backward, shapes = _mlp(8, "tanh", 256, 13, 64)
    r = verify(forward, backward, shapes=shapes, seed=seed, prove=False, points=1)
    assert r.ok and not r.numeric_only, r.notes
    assert all(g.verdict == "ok" for g in r.gradients.values())


@pytest.mark.parametrize("layers", [8, 16])
@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_deep_networks_of_tanh_and_sigmoid(layers: int, act: str, seed: int) -> None:
    forward, backward, shapes = _mlp(layers, act, 16, 5, 8)
    r = verify(forward, backward, shapes=shapes, seed=seed, prove=False, points=1)
    assert r.ok and all(g.verdict == "ok" for g in r.gradients.values()), r.notes


@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
def test_a_deep_network_s_mistake_is_still_caught(act: str) -> None:
    forward, backward, shapes = _mlp(8, act, 16, 5, 8)

    def wrong(**k):
        out = backward(**k)
        out["W1"] = out["W1"].copy()
        out["W1"][2, 3] *= 1.01
        return out

    wrong.__signature__ = backward.__signature__  # type: ignore[attr-defined]
    r = verify(forward, wrong, shapes=shapes, prove=False, points=1)
    g = r.gradients["W1"]
    assert g.verdict == "wrong" and g.entries == [(2, 3)]
    assert all(r.gradients[w].verdict == "ok" for w in r.gradients if w != "W1")
