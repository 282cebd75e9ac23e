"""The three-layer network and its delta recursion (003, "backpropagation")."""

from __future__ import annotations

import numpy as np

from derive.cases import Case
from derive.numeric import doc_nets as D
from derive.numeric.functions import sigmoid

SRC = "003_dbb8e357b1da829d.txt backpropagation"
SEED = 2022
SHAPE = (2, 3, 4, 3, 2)  # n, id, h1, h2, od: all different where it matters, so W2^T delta2 fails


def three_layer(X0, T, W1, W2, W3):
    X1 = sigmoid(X0 @ W1)
    X2 = sigmoid(X1 @ W2)
    X3 = sigmoid(X2 @ W3)
    E = 0.5 * np.sum(np.power(X3 - T, 2))
    return E


def point() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    n, i, h1, h2, o = SHAPE
    return {"X0": rng.standard_normal((n, i)), "T": rng.uniform(size=(n, o)),
            "W1": rng.standard_normal((i, h1)), "W2": rng.standard_normal((h1, h2)),
            "W3": rng.standard_normal((h2, o))}


def _as_printed(X0, T, W1, W2, W3):
    """The delta recursion as printed: W3 and W2 as the post derives them, W1 as it prints it."""
    grads = dict(D.three_layer_gradients(X0, T, W1, W2, W3))
    try:
        grads["W1"] = D.three_layer_dW1_as_printed(X0, T, W1, W2, W3)
    except ValueError as exc:  # the printed W2^T delta_2 does not multiply: that is the finding
        grads["W1"] = f"ValueError: {exc}"
    return grads


# The post's recursion (003 "backpropagation"), with the post's generic f (checked with f = σ)
DELTA_RULE = (
    ("d3", "δ3", "(X3 - T) * df3(X2 @ W3)"),
    ("W3", "∂E/∂W3", "X2.T @ d3"),
    ("d2", "δ2", "d3 @ W3.T * df2(X1 @ W2)"),
    ("W2", "∂E/∂W2", "X1.T @ d2"),
    ("d1", "δ1", "d2 @ W2.T * df1(X0 @ W1)"),
    ("W1", "∂E/∂W1", "X0.T @ d1"),
)
DIMS = {"X0": ("n", "id"), "T": ("n", "od"), "W1": ("id", "h1"), "W2": ("h1", "h2"),
        "W3": ("h2", "od"), "X1": ("n", "h1"), "X2": ("n", "h2"), "X3": ("n", "od")}
NAMES = {"d1": "δ1", "d2": "δ2", "d3": "δ3"}

CASES = (
    Case(
        "three-layer", "Three layers and the delta rule", SRC,
        r"X_1 = f_1(X_0 W_1), X_2 = f_2(X_1 W_2), X_3 = f_3(X_2 W_3), "
        r"E = \tfrac{1}{2} \lVert X_3 - T \rVert^2, with f_1 = f_2 = f_3 = \sigma",
        three_layer, ("W1", "W2", "W3"), point,
        hand=D.three_layer_gradients, as_printed=_as_printed,
        notes=("E is the loss, as the post names it; δk = ∂E/∂(Xk−1 Wk) and ∂E/∂Wk = "
               "Xk−1ᵀ δk, each step below with the shape of every factor",),
        extra={"delta_rule": DELTA_RULE, "dims": DIMS, "names": NAMES},
    ),
)
