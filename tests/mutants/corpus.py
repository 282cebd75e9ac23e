"""A mutation corpus: correct backward passes, and each with one realistic mistake.

Six forwards in the documents' style (linear regression, a two-layer and a three-layer
network, the matrix sum, softmax cross-entropy, a tanh/exp chain), each with its correct
backward pass and mutants of it. A mutant names the gradient its mistake lands in and what
``derive.verify`` must say about it: the diagnosis, and for systematic mistakes the factor
or the wrong entry. ``python tests/mutants/summary.py`` prints the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Arrays = dict[str, np.ndarray]


def sigmoid(x: Any) -> Any:
    return 1 / (1 + np.exp(-x))


@dataclass(frozen=True)
class Forward:
    name: str
    forward: Callable[..., Any]
    backward: Callable[..., dict[str, Any]]
    shapes: dict[str, tuple[int, ...]]
    inputs: Callable[[np.random.Generator], Arrays] | None = None


@dataclass(frozen=True)
class Mutant:
    forward: str  # Forward.name
    name: str
    mistake: str  # the kind: factor, sign, transpose, chain, axis, swap, activation, entry
    backward: Callable[..., dict[str, Any]]
    gradient: str  # where the mistake lands
    diagnosis: str
    factor: float | None = None
    entries: tuple[tuple[int, ...], ...] | None = None  # checked when given


# ---------------------------------------------------------------- linear regression


N = 6  # batch size of every forward


def lin_forward(X, W, B, y):
    P = X @ W + B
    return np.mean((y - P) ** 2)


def lin_backward(X, W, B, y):
    dP = -2 * (y - (X @ W + B)) / X.shape[0]
    return {"W": X.T @ dP, "B": dP.sum(axis=0, keepdims=True)}


def _lin(mutate: Callable[[Arrays, Arrays], Arrays]) -> Callable[..., dict[str, Any]]:
    def backward(X, W, B, y):
        a = {"X": X, "W": W, "B": B, "y": y}
        return mutate(lin_backward(X, W, B, y), a)
    return backward


def lin_no_mean(X, W, B, y):
    dP = -2 * (y - (X @ W + B))
    return {"W": X.T @ dP, "B": dP.sum(axis=0, keepdims=True)}


def lin_no_two(X, W, B, y):
    dP = -(y - (X @ W + B)) / X.shape[0]
    return {"W": X.T @ dP, "B": dP.sum(axis=0, keepdims=True)}


def lin_sign(X, W, B, y):
    dP = 2 * (y - (X @ W + B)) / X.shape[0]
    return {"W": X.T @ dP, "B": dP.sum(axis=0, keepdims=True)}


def lin_bias_unsummed(X, W, B, y):
    dP = -2 * (y - (X @ W + B)) / X.shape[0]
    return {"W": X.T @ dP, "B": dP}


def lin_swapped(X, W, B, y):
    dP = -2 * (y - (X @ W + B)) / X.shape[0]
    return {"W": dP.T @ X, "B": dP.sum(axis=0, keepdims=True)}


def lin_bias_mean(X, W, B, y):
    dP = -2 * (y - (X @ W + B)) / X.shape[0]
    return {"W": X.T @ dP, "B": dP.mean(axis=0, keepdims=True)}


def _bump(name: str, idx: tuple[int, ...], by: float = 1e-3):
    def mutate(g: Arrays, a: Arrays) -> Arrays:
        g = dict(g)
        g[name] = np.array(g[name], copy=True)
        g[name][idx] += by
        return g
    return mutate


# ---------------------------------------------------------------- two-layer (sigmoid)


def two_forward(X, W1, B1, W2, B2, y):
    N1 = X @ W1 + B1
    O1 = sigmoid(N1)
    P = O1 @ W2 + B2
    return np.mean((y - P) ** 2)


def _two(X, W1, B1, W2, B2, y, *, factor=1.0, act=None, drop_act=False, w2_t=False,
         b1_axis=0, b1_sum=True, o1_for_x=False):
    N1 = X @ W1 + B1
    O1 = sigmoid(N1)
    P = O1 @ W2 + B2
    dP = -2 * (y - P) / X.shape[0] * factor
    dW2 = O1.T @ dP
    dB2 = dP.sum(axis=0, keepdims=True)
    dO1 = dP @ W2.T
    dact = O1 * (1 - O1) if act is None else act(N1, O1)
    dN1 = dO1 if drop_act else dO1 * dact
    dW1 = (O1 if o1_for_x else X).T @ dN1
    dB1 = dN1.sum(axis=b1_axis, keepdims=True) if b1_sum else dN1
    return {"W1": dW1, "B1": dB1, "W2": dW2.T if w2_t else dW2, "B2": dB2}


def two_backward(X, W1, B1, W2, B2, y):
    return _two(X, W1, B1, W2, B2, y)


def _two_with(**kw: Any) -> Callable[..., dict[str, Any]]:
    def backward(X, W1, B1, W2, B2, y):
        return _two(X, W1, B1, W2, B2, y, **kw)
    return backward


def _two_only(name: str, **kw: Any) -> Callable[..., dict[str, Any]]:
    """Only gradient ``name`` from the mutated pass, the rest right."""
    def backward(X, W1, B1, W2, B2, y):
        right = _two(X, W1, B1, W2, B2, y)
        right[name] = _two(X, W1, B1, W2, B2, y, **kw)[name]
        return right
    return backward


def _two_collapsed(X, W1, B1, W2, B2, y):
    g = _two(X, W1, B1, W2, B2, y)
    g["B1"] = np.full_like(g["B1"], g["B1"].sum())  # every hidden bias, the same update
    return g


# ---------------------------------------------------------------- three-layer (tanh, relu)


def three_forward(X, W1, W2, W3, y):
    H1 = np.tanh(X @ W1)
    H2 = np.maximum(H1 @ W2, 0)
    P = H2 @ W3
    return np.mean((y - P) ** 2)


def _three(X, W1, W2, W3, y, *, tanh_d=None, relu_d=None, drop_tanh=False, w1_t=False,
           w3_from=None):
    A1 = X @ W1
    H1 = np.tanh(A1)
    A2 = H1 @ W2
    H2 = np.maximum(A2, 0)
    P = H2 @ W3
    dP = -2 * (y - P) / X.shape[0]
    dW3 = (H2 if w3_from is None else w3_from(H1, H2)).T @ dP
    dH2 = dP @ W3.T
    dA2 = dH2 * ((A2 > 0) if relu_d is None else relu_d(A2))
    dW2 = H1.T @ dA2
    dH1 = dA2 @ W2.T
    dA1 = dH1 if drop_tanh else dH1 * ((1 - H1**2) if tanh_d is None else tanh_d(A1, H1))
    dW1 = X.T @ dA1
    return {"W1": dW1.T if w1_t else dW1, "W2": dW2, "W3": dW3}


def three_backward(X, W1, W2, W3, y):
    return _three(X, W1, W2, W3, y)


def _three_with(**kw: Any) -> Callable[..., dict[str, Any]]:
    def backward(X, W1, W2, W3, y):
        return _three(X, W1, W2, W3, y, **kw)
    return backward


# ---------------------------------------------------------------- matrix sum (documents 002)


def msum_forward(X, W):
    N = X @ W
    S = sigmoid(N)
    return np.sum(S)


def msum_backward(X, W):
    S = sigmoid(X @ W)
    dN = S * (1 - S)
    return {"X": dN @ W.T, "W": X.T @ dN}


def msum_as_printed(X, W):  # the documents' dLdX = dSdN * ... : W.T without the sigmoid'
    return {"X": np.ones((X.shape[0], W.shape[1])) @ W.T, "W": msum_backward(X, W)["W"]}


def msum_x_transposed(X, W):
    g = msum_backward(X, W)
    return {"X": g["X"].T, "W": g["W"]}


def msum_w_collapsed(X, W):
    g = msum_backward(X, W)
    return {"X": g["X"], "W": g["W"].sum(axis=0, keepdims=True)}


def msum_sigmoid_d(X, W):
    S = sigmoid(X @ W)
    return {"X": S @ W.T, "W": X.T @ S}  # sigma instead of sigma'


# ---------------------------------------------------------------- softmax cross-entropy


def soft_forward(Z, Y):
    E = np.exp(Z - 0.5)
    L = np.log(np.sum(E, axis=1, keepdims=True)) + 0.5
    return -np.sum(Y * (Z - L)) / Z.shape[0]


def soft_inputs(rng: np.random.Generator) -> Arrays:
    labels = rng.integers(0, 4, size=N)
    return {"Y": np.eye(4)[labels]}


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def soft_backward(Z, Y):
    return {"Z": (_softmax(Z) - Y) / Z.shape[0]}


def soft_no_mean(Z, Y):
    return {"Z": _softmax(Z) - Y}


def soft_sign(Z, Y):
    return {"Z": (Y - _softmax(Z)) / Z.shape[0]}


def soft_no_softmax(Z, Y):
    return {"Z": (np.exp(Z) - Y) / Z.shape[0]}  # exp not normalised


def soft_wrong_axis(Z, Y):
    E = np.exp(Z - Z.max())
    return {"Z": (E / E.sum(axis=0, keepdims=True) - Y) / Z.shape[0]}


# ---------------------------------------------------------------- tanh/exp chain


def chain_forward(x, w):
    return np.sum(np.tanh(np.exp(x) * w))


def chain_backward(x, w):
    e = np.exp(x)
    d = 1 - np.tanh(e * w) ** 2
    return {"x": d * e * w, "w": d * e}


def chain_drop_exp(x, w):
    e = np.exp(x)
    d = 1 - np.tanh(e * w) ** 2
    return {"x": d * w, "w": d * e}  # d/dx e^x dropped


def chain_tanh_d(x, w):
    e = np.exp(x)
    d = 1 - np.tanh(e * w)  # 1 - tanh, not 1 - tanh^2
    return {"x": d * e * w, "w": d * e}


def chain_swapped(x, w):
    e = np.exp(x)
    d = 1 - np.tanh(e * w) ** 2
    return {"x": d * e, "w": d * e * w}  # the two gradients swapped


def chain_sum(x, w):
    g = chain_backward(x, w)
    return {"x": g["x"], "w": np.sum(g["w"])}  # summed although w is a vector


# ---------------------------------------------------------------- the corpus


FORWARDS: dict[str, Forward] = {f.name: f for f in (
    Forward("linear regression", lin_forward, lin_backward,
            {"X": (N, 3), "W": (3, 1), "B": (1, 1), "y": (N, 1)}),
    Forward("two-layer", two_forward, two_backward,
            {"X": (N, 3), "W1": (3, 4), "B1": (1, 4), "W2": (4, 1), "B2": (1, 1), "y": (N, 1)}),
    Forward("three-layer", three_forward, three_backward,
            {"X": (N, 3), "W1": (3, 4), "W2": (4, 4), "W3": (4, 1), "y": (N, 1)}),
    Forward("matrix sum", msum_forward, msum_backward, {"X": (3, 3), "W": (3, 2)}),
    Forward("softmax cross-entropy", soft_forward, soft_backward, {"Z": (N, 4), "Y": (N, 4)},
            soft_inputs),
    Forward("tanh-exp chain", chain_forward, chain_backward, {"x": (5,), "w": (5,)}),
)}


def _square_w2(X, W1, W2, W3, y):  # W2 is 4x4: a transpose keeps the shape
    g = _three(X, W1, W2, W3, y)
    g["W2"] = g["W2"].T
    return g


MUTANTS: tuple[Mutant, ...] = (
    # linear regression
    Mutant("linear regression", "no 1/N (the documents' own)", "factor", lin_no_mean, "W",
           "scaled", float(N)),
    Mutant("linear regression", "no 2 from the square", "factor", lin_no_two, "W", "scaled", 0.5),
    Mutant("linear regression", "y - P for P - y", "sign", lin_sign, "W", "sign", -1.0),
    Mutant("linear regression", "bias not summed over the batch", "axis", lin_bias_unsummed,
           "B", "missing-sum"),
    Mutant("linear regression", "dP.T @ X for X.T @ dP", "swap", lin_swapped, "W", "transposed"),
    Mutant("linear regression", "bias averaged, not summed", "factor", lin_bias_mean, "B",
           "scaled", 1 / N),
    Mutant("linear regression", "W[1, 0] off by 1e-3", "entry", _lin(_bump("W", (1, 0))), "W",
           "entries", None, ((1, 0),)),
    Mutant("linear regression", "B off by 1e-3", "entry", _lin(_bump("B", (0, 0))), "B",
           "entries", None, ((0, 0),)),
    # two-layer
    Mutant("two-layer", "no 1/N", "factor", _two_with(factor=N), "W1", "scaled", float(N)),
    Mutant("two-layer", "2/N twice", "factor", _two_with(factor=2.0), "W2", "scaled", 2.0),
    Mutant("two-layer", "sign of the loss", "sign", _two_with(factor=-1.0), "B2", "sign", -1.0),
    Mutant("two-layer", "sigmoid' dropped", "chain", _two_only("W1", drop_act=True), "W1",
           "entries"),
    Mutant("two-layer", "sigmoid' as sigma", "activation",
           _two_only("W1", act=lambda n, o: o), "W1", "entries"),
    Mutant("two-layer", "sigmoid' as 1 - sigma", "activation",
           _two_only("W1", act=lambda n, o: 1 - o), "W1", "entries"),
    Mutant("two-layer", "dW2 transposed", "transpose", _two_with(w2_t=True), "W2",
           "transposed"),
    Mutant("two-layer", "hidden bias not summed", "axis", _two_only("B1", b1_sum=False), "B1",
           "missing-sum"),
    Mutant("two-layer", "hidden bias summed over the units", "axis",
           _two_only("B1", b1_axis=1), "B1", "shape"),
    Mutant("two-layer", "one update for every hidden bias (the documents')", "axis",
           _two_collapsed, "B1", "collapsed"),
    Mutant("two-layer", "O1 for X in dW1", "swap", _two_only("W1", o1_for_x=True), "W1",
           "shape"),
    Mutant("two-layer", "W1[2, 3] off by 1e-3", "entry",
           lambda **a: _bump("W1", (2, 3))(two_backward(**a), a), "W1", "entries", None,
           ((2, 3),)),
    # three-layer
    Mutant("three-layer", "tanh' dropped", "chain", _three_with(drop_tanh=True), "W1",
           "entries"),
    Mutant("three-layer", "tanh' as 1 - tanh", "activation",
           _three_with(tanh_d=lambda a, h: 1 - h), "W1", "entries"),
    Mutant("three-layer", "relu' always 1 (the mask that is always true)", "activation",
           _three_with(relu_d=lambda a: np.ones_like(a)), "W2", "entries"),
    Mutant("three-layer", "relu' as relu", "activation",
           _three_with(relu_d=lambda a: np.maximum(a, 0)), "W2", "entries"),
    Mutant("three-layer", "dW1 transposed", "transpose", _three_with(w1_t=True), "W1",
           "transposed"),
    Mutant("three-layer", "dW2 transposed (square)", "transpose", _square_w2, "W2",
           "transposed"),
    Mutant("three-layer", "H1 for H2 in dW3", "swap", _three_with(w3_from=lambda h1, h2: h1),
           "W3", "entries"),
    # matrix sum
    Mutant("matrix sum", "dLdX without sigma' (the documents')", "chain", msum_as_printed, "X",
           "entries"),
    Mutant("matrix sum", "dX transposed (square)", "transpose", msum_x_transposed, "X",
           "transposed"),
    Mutant("matrix sum", "dW summed over rows", "axis", msum_w_collapsed, "W", "collapsed"),
    Mutant("matrix sum", "sigma for sigma'", "activation", msum_sigmoid_d, "W", "entries"),
    # softmax cross-entropy
    Mutant("softmax cross-entropy", "no 1/N", "factor", soft_no_mean, "Z", "scaled", float(N)),
    Mutant("softmax cross-entropy", "Y - softmax", "sign", soft_sign, "Z", "sign", -1.0),
    Mutant("softmax cross-entropy", "exp not normalised", "chain", soft_no_softmax, "Z",
           "entries"),
    Mutant("softmax cross-entropy", "softmax over the batch axis", "axis", soft_wrong_axis, "Z",
           "entries"),
    # tanh/exp chain
    Mutant("tanh-exp chain", "e^x factor dropped", "chain", chain_drop_exp, "x", "entries"),
    Mutant("tanh-exp chain", "tanh' as 1 - tanh", "activation", chain_tanh_d, "x", "entries"),
    Mutant("tanh-exp chain", "dx and dw swapped", "swap", chain_swapped, "x", "entries"),
    Mutant("tanh-exp chain", "dw summed to a number", "axis", chain_sum, "w", "collapsed"),
)

# Mistakes whose diagnosis is not "entries": the systematic ones, named exactly.
SYSTEMATIC = tuple(m for m in MUTANTS if m.diagnosis != "entries" or m.entries is not None)
