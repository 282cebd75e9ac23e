"""The networks of the documents in numpy: 003's three layers and 002's XOR network.

Split from numeric/documents.py (same conventions: the documents' own sigmoid, "as printed"
keeps their mistakes). Sources: 003 = 003_dbb8e357b1da829d.txt, blog post "How to implement
NN from scratch"; 002 = 002_04ad88c71b3d2d48.txt, slides "Introduction to Artificial Neural
Networks 1".
"""

from __future__ import annotations

from typing import Any

import numpy as np
from derive.numeric.documents import doc_sigmoid, doc_sigmoid_prime

ndarray = np.ndarray


# --- 003 "backpropagation": three sigmoid layers, E = 1/2 ||X3 - T||^2 ----------------------


def _three_layer_info(X0: ndarray, W1: ndarray, W2: ndarray, W3: ndarray) -> dict[str, ndarray]:
    """X1 = f1(X0 W1), X2 = f2(X1 W2), X3 = f3(X2 W3), f = sigmoid (003 "seutp")."""
    X1 = doc_sigmoid(X0 @ W1)
    X2 = doc_sigmoid(X1 @ W2)
    X3 = doc_sigmoid(X2 @ W3)
    return {"X1": X1, "X2": X2, "X3": X3}


def three_layer_forward(X0: ndarray, T: ndarray, W1: ndarray, W2: ndarray, W3: ndarray) -> Any:
    """E = 0.5 * sum((X3 - T)^2) (003 "backpropagation", f1 = f2 = f3 = sigmoid)."""
    X3 = _three_layer_info(X0, W1, W2, W3)["X3"]
    return 0.5 * np.sum((X3 - T) ** 2)


def _three_layer_deltas(
    X0: ndarray, T: ndarray, W1: ndarray, W2: ndarray, W3: ndarray
) -> dict[str, ndarray]:
    """delta3 and delta2 of 003 (these two are derived correctly there)."""
    info = _three_layer_info(X0, W1, W2, W3)
    delta3 = (info["X3"] - T) * doc_sigmoid_prime(info["X2"] @ W3)
    delta2 = (delta3 @ W3.T) * doc_sigmoid_prime(info["X1"] @ W2)
    return {**info, "delta3": delta3, "delta2": delta2}


def three_layer_gradients(
    X0: ndarray, T: ndarray, W1: ndarray, W2: ndarray, W3: ndarray
) -> dict[str, ndarray]:
    """Correct delta rule: dW3 = X2^T d3, dW2 = X1^T d2, d1 = (d2 W2^T) o f1'(X0 W1),
    dW1 = X0^T d1. Source: 003 "backpropagation" (W3 and W2 derivations are right there).
    """
    d = _three_layer_deltas(X0, T, W1, W2, W3)
    delta1 = (d["delta2"] @ W2.T) * doc_sigmoid_prime(X0 @ W1)
    return {
        "W1": X0.T @ delta1,
        "W2": d["X1"].T @ d["delta2"],
        "W3": d["X2"].T @ d["delta3"],
    }


def three_layer_dW1_as_printed(
    X0: ndarray, T: ndarray, W1: ndarray, W2: ndarray, W3: ndarray
) -> ndarray:
    """dE/dW1 = [W2^T delta2 o f1'(X0 W1)] X0^T as printed in 003 "backpropagation".

    Returns the bare array (one gradient, slotted into three_layer_gradients' dict by callers).

    Wrong order on both products (should be X0^T [(delta2 W2^T) o f1']); for general shapes
    numpy raises ValueError (matmul core-dimension mismatch), which callers diagnose as "shape".
    """
    d = _three_layer_deltas(X0, T, W1, W2, W3)
    return (W2.T @ d["delta2"] * doc_sigmoid_prime(X0 @ W1)) @ X0.T


# --- 002 "Solving XOR with a Neural Network" -------------------------------------------------


def xor_weights() -> dict[str, ndarray]:
    """Hand-set weights of the slide: hidden OR (20, 20, -10) and NAND (-20, -20, 30),
    output AND (20, 20, -30).
    """
    return {
        "W1": np.array([[20.0, -20.0], [20.0, -20.0]]),
        "B1": np.array([[-10.0, 30.0]]),
        "W2": np.array([[20.0], [20.0]]),
        "B2": np.array([[-30.0]]),
    }


def xor_inputs() -> dict[str, ndarray]:
    """The four XOR inputs and targets (002 "Solving XOR with a Neural Network")."""
    return {
        "X": np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
        "T": np.array([[0.0], [1.0], [1.0], [0.0]]),
    }


def xor_predict(
    X: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> tuple[ndarray, ndarray]:
    """(hidden, output) activations: H = sigmoid(X W1 + B1), Y = sigmoid(H W2 + B2)."""
    H = doc_sigmoid(X @ W1 + B1)
    Y = doc_sigmoid(H @ W2 + B2)
    return H, Y


def xor_forward(X: ndarray, T: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray) -> Any:
    """E = 0.5 * sum((Y - T)^2) for the XOR network (loss chosen here; the slide has none)."""
    _, Y = xor_predict(X, W1, B1, W2, B2)
    return 0.5 * np.sum((Y - T) ** 2)


def xor_gradients(
    X: ndarray, T: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> dict[str, ndarray]:
    """Hand-written backward pass of xor_forward (delta rule, biases summed over the batch)."""
    H, Y = xor_predict(X, W1, B1, W2, B2)
    delta2 = (Y - T) * Y * (1 - Y)
    delta1 = (delta2 @ W2.T) * H * (1 - H)
    return {
        "W1": X.T @ delta1,
        "B1": delta1.sum(axis=0, keepdims=True),
        "W2": H.T @ delta2,
        "B2": delta2.sum(axis=0, keepdims=True),
    }
