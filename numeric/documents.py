"""The documents' hand-written code, as printed (mistakes included) and corrected.

Sources (see /work/shared/seeds/README.md):
  000 = 000_c5d3501ff112bbd5.txt, lecture notebook "9.1 Deep Learning - Neural Network" (2020-10-26)
  001 = 001_18c9884adda04527.txt, later version of the same notebook (2020-10-29)
  002 = 002_04ad88c71b3d2d48.txt, slides "Introduction to Artificial Neural Networks 1"
  003 = 003_dbb8e357b1da829d.txt, blog post "How to implement NN from scratch"

"As printed" functions keep the documents' arithmetic exactly (their own sigmoid, np.power,
the deriv with delta 0.001, the operation order) so the printed numbers are reproduced to the
last digit. Gradient functions return {input name: gradient}; forwards return the value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

ndarray = np.ndarray
ArrayFunction = Callable[[Any], Any]

# The documents' derivative step (000 §1.2.2 "Derivatives", 002 "Derivatives").
DOC_DELTA = 0.001

# Seeds printed with the matrix examples (000 §1.2.7 uses Weidman's 190203, §1.2.8 prints 190204).
ROW_VECTOR_SEED = 190203
MATRIX_SUM_SEED = 190204


# --- 000 §1.2.1 "Functions", §1.2.2 "Derivatives", 002 "Functions"/"Derivatives" -------------


def doc_square(x: Any) -> Any:
    """x**2 as printed: np.power(x, 2). Source: 002 "Functions" (code), 000 §1.2.1."""
    return np.power(x, 2)


def doc_leaky_relu(x: Any) -> Any:
    """Leaky ReLU as printed: np.maximum(0.2 * x, x). Source: 002 "Functions" (code)."""
    return np.maximum(0.2 * x, x)


def doc_sigmoid(x: Any) -> Any:
    """Sigmoid as printed: 1 / (1 + np.exp(-x)) (overflows for x << 0).

    Source: 002 "Nesting Sigmoid and Square Function"; 001 §1.4 prints the same as
    1 / (1 + np.exp(-1.0 * x)), identical in value.
    """
    return 1 / (1 + np.exp(-x))


def doc_deriv(func: ArrayFunction, input_: Any, delta: float = DOC_DELTA) -> Any:
    """Central difference as printed: (f(x+d) - f(x-d)) / (2d), d = 0.001.

    Source: 000 §1.2.2 "Derivatives" (code cell, def line lost in extraction; prints
    deriv(square, 2) = 3.999999999995595) and 002 "Derivatives" (printed as "derlv").
    """
    return (func(input_ + delta) - func(input_ - delta)) / (2 * delta)


def doc_sigmoid_prime(x: Any) -> Any:
    """Exact sigmoid derivative s(1-s), the form 000 §1.4 gives ("Step 2")."""
    s = doc_sigmoid(x)
    return s * (1 - s)


def _doc_square_prime(x: Any) -> Any:
    return 2 * x


def _doc_leaky_relu_prime(x: Any) -> Any:
    """1 for x > 0, 0.2 for x < 0; at the kink x = 0 this picks the right slope 1."""
    return np.where(np.asarray(x) >= 0, 1.0, 0.2)


# Exact derivatives of the documents' three elementary functions (corrections of deriv()).
DOC_EXACT_DERIVS: dict[ArrayFunction, ArrayFunction] = {
    doc_square: _doc_square_prime,
    doc_sigmoid: doc_sigmoid_prime,
    doc_leaky_relu: _doc_leaky_relu_prime,
}


# --- 000 §1.2.3 "Nested Functions", §1.2.4 "The Chain rule", §1.2.5 "Slightly Longer Example" --


def chain_length_2(chain: Sequence[ArrayFunction], x: Any) -> Any:
    """f2(f1(x)). Source: 002 "Nested Functions" (printed with parameter `a` but body f2(f1(x)),
    a NameError; 000 §1.2.3 lost the def). Prints 0.9820137900379085 for [square, sigmoid] at 2.
    """
    assert len(chain) == 2, "Length of input 'chain' should be 2"
    f1 = chain[0]
    f2 = chain[1]
    return f2(f1(x))


def chain_deriv_2(chain: Sequence[ArrayFunction], x: Any) -> Any:
    """deriv(f1, x) * deriv(f2, f1(x)) as printed. Source: 000 §1.2.4 "The Chain rule" [8]
    (002 "The Chain Rule" adds an input_range.ndim == 1 assert that fails for the scalar 2).
    Prints Backward 0.0706508353807067 for [square, sigmoid] at 2.
    """
    assert len(chain) == 2, "This function requires 'Chain' objects of length 2"
    f1 = chain[0]
    f2 = chain[1]
    f1_of_x = f1(x)  # noqa: F841  (computed and unused in the document)
    df1dx = doc_deriv(f1, x)
    df2du = doc_deriv(f2, f1(x))
    return df1dx * df2du


def chain_length_3(chain: Sequence[ArrayFunction], x: Any) -> Any:
    """f3(f2(f1(x))). Source: 000 §1.2.5 "Slightly Longer Example" (def lost in extraction).
    Prints 0.6547534606063192 for [leaky_relu, square, sigmoid] at -4.
    """
    assert len(chain) == 3, "Length of input 'chain' should be 3"
    f1 = chain[0]
    f2 = chain[1]
    f3 = chain[2]
    return f3(f2(f1(x)))


def chain_deriv_3(chain: Sequence[ArrayFunction], x: Any) -> Any:
    """df1dx * df2du * df3du with deriv(), as printed. Source: 000 §1.2.5 "Slightly Longer
    Example", 002 "Slightly Longer Example". Prints -0.07233643296206184 at -4.
    """
    assert len(chain) == 3, "This function requires 'Chain' objects to have length 3"
    f1 = chain[0]
    f2 = chain[1]
    f3 = chain[2]
    f1_of_x = f1(x)
    f2_of_x = f2(f1_of_x)
    df3du = doc_deriv(f3, f2_of_x)
    df2du = doc_deriv(f2, f1_of_x)
    df1dx = doc_deriv(f1, x)
    return df1dx * df2du * df3du


def manual_deriv(func: ArrayFunction, x: Any, step: float) -> Any:
    """(f(x+step) - f(x-step)) / (2*step), written as 000 §1.2.4 [10] does it with
    step 0.0001: (delta_1 - delta_2) / 0.0002 -> 0.07065082585744342.
    """
    delta_1 = func(x + step)
    delta_2 = func(x - step)
    return (delta_1 - delta_2) / (2 * step)


def chain_deriv_exact(chain: Sequence[ArrayFunction], x: Any) -> Any:
    """Corrected chain rule: exact derivatives of the documents' functions instead of deriv()."""
    value = x
    result: Any = 1.0
    for k, func in enumerate(chain):
        slope = DOC_EXACT_DERIVS[func](value)
        result = slope if k == 0 else result * slope
        value = func(value)
    return result


# --- 000 §1.2.6 "Functions with Multiple Inputs", 002 "Functions with Multiple Inputs" --------


def multiple_inputs_add(x: ndarray, y: ndarray, sigma: ArrayFunction = doc_sigmoid) -> Any:
    """sigma(x + y) as printed. Source: 002 "Functions with Multiple Inputs" (code),
    000 §1.2.6 [18]. Prints 0.9990889488055994 at (3, 4) with sigmoid.
    """
    assert x.shape == y.shape
    a = x + y
    return sigma(a)


def multiple_inputs_add_backward(
    x: ndarray, y: ndarray, sigma: ArrayFunction = doc_sigmoid
) -> tuple[Any, Any]:
    """(dsda * 1, dsda * 1) with dsda = deriv(sigma, x + y), as printed (a tuple).

    Source: 002 "Derivatives of Functions with Multiple Inputs", 000 §1.2.6 [18].
    Prints (0.0009102213310852036, 0.0009102213310852036) at (3, 4).
    """
    a = x + y
    dsda = doc_deriv(sigma, a)
    dadx, dady = 1, 1
    return dsda * dadx, dsda * dady


def add_sigma_backward(x: Any, y: Any) -> dict[str, Any]:
    """Hand gradient of sigma(x + y): both partials are sigma'(x + y) = s(1 - s), exactly."""
    d = doc_sigmoid_prime(np.asarray(x, dtype=np.float64) + np.asarray(y, dtype=np.float64))
    return {"x": d, "y": d}


def mul_sigma_forward(x: Any, y: Any) -> Any:
    """sigma(x * y): the multiplicative variant of 000 §1.2.6 (not printed; a derived case)."""
    return doc_sigmoid(np.asarray(x, dtype=np.float64) * np.asarray(y, dtype=np.float64))


def mul_sigma_backward(x: Any, y: Any) -> dict[str, Any]:
    """Hand gradient of sigma(x * y): d/dx = sigma'(xy) * y, d/dy = sigma'(xy) * x."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    d = doc_sigmoid_prime(x * y)
    return {"x": d * y, "y": d * x}


# --- 000 §1.2.7 "Functions with multiple vector inputs", 002 "Vector Functions ..." ----------


def doc_inputs_row_vector() -> dict[str, ndarray]:
    """X (1, 3), W (3, 1) as drawn after np.random.seed(190203) (000 §1.2.7 prints
    X = [[0.47231121 0.61514271 -1.72622715]]). Uses a private RandomState with the same stream,
    so the global numpy RNG is left alone.
    """
    rng = np.random.RandomState(ROW_VECTOR_SEED)
    X = rng.randn(1, 3)
    W = rng.randn(3, 1)
    return {"X": X, "W": W}


def matrix_forward_extra(X: ndarray, W: ndarray, sigma: ArrayFunction = doc_sigmoid) -> ndarray:
    """S = sigma(X @ W) as printed. Source: 002 "Vector Functions and Their Derivatives: One
    Step Further" (code), 000 §1.2.7. Prints Forward [[0.89779986]].
    """
    assert X.shape[1] == W.shape[0]
    N = np.dot(X, W)
    S = sigma(N)
    return S


def matrix_function_backward_1(
    X: ndarray, W: ndarray, sigma: ArrayFunction = doc_sigmoid
) -> dict[str, ndarray]:
    """dS/dX = deriv(sigma, N) . W^T as printed. Source: 000 §1.2.7 [23], 002 "Vector Functions
    and Their Derivatives: The Backward Pass". Prints [[0.08516695 -0.05574581 -0.11206627]].
    """
    assert X.shape[1] == W.shape[0]
    N = np.dot(X, W)
    S = sigma(N)  # noqa: F841  (computed and unused in the document)
    dSdN = doc_deriv(sigma, N)
    dNdX = np.transpose(W, (1, 0))
    return {"X": np.dot(dSdN, dNdX)}


def matrix_function_backward_hand(X: ndarray, W: ndarray) -> dict[str, ndarray]:
    """Hand gradients of sigmoid(X @ W) (one row): dX = s'(N) @ W.T, dW = X.T @ s'(N).

    The W gradient is the one 000 §1.2.7 states in math (dnu/dW = X^T) but never codes.
    """
    dSdN = doc_sigmoid_prime(X @ W)
    return {"X": dSdN @ W.T, "W": X.T @ dSdN}


# --- 000 §1.2.8 "Functions with matrix multiplication", 002 "Complex Computational Graph" ----


def doc_inputs_matrix_sum() -> dict[str, ndarray]:
    """X (3, 3), W (3, 2) as drawn after np.random.seed(190204) (000 §1.2.8 [28])."""
    rng = np.random.RandomState(MATRIX_SUM_SEED)
    X = rng.randn(3, 3)
    W = rng.randn(3, 2)
    return {"X": X, "W": W}


def matrix_function_forward_sum(X: ndarray, W: ndarray, sigma: ArrayFunction = doc_sigmoid) -> Any:
    """L = sum(sigma(X @ W)) as printed (000 §1.2.8, def lines lost). L rounds to 2.3755."""
    assert X.shape[1] == W.shape[0]
    N = np.dot(X, W)
    S = sigma(N)
    L = np.sum(S)
    return L


def matrix_function_backward_sum_1(
    X: ndarray, W: ndarray, sigma: ArrayFunction = doc_sigmoid
) -> dict[str, ndarray]:
    """dL/dX as printed. Source: 000 §1.2.8 [27].

    The document builds dLdN = dLdS * dSdN but then returns np.dot(dSdN, dNdX), skipping dLdN;
    numerically identical here only because dLdS is all ones.
    """
    assert X.shape[1] == W.shape[0]
    N = np.dot(X, W)
    S = sigma(N)
    L = np.sum(S)  # noqa: F841  (computed and unused in the document)
    dLdS = np.ones_like(S)
    dSdN = doc_deriv(sigma, N)
    dLdN = dLdS * dSdN  # noqa: F841  (the document's unused, correct intermediate)
    dNdX = np.transpose(W, (1, 0))
    dLdX = np.dot(dSdN, dNdX)
    return {"X": dLdX}


def matrix_function_backward_sum_W(
    X: ndarray, W: ndarray, sigma: ArrayFunction = doc_sigmoid
) -> dict[str, ndarray]:
    """Corrected W gradient the 000 §1.2.8 note describes: dLdW = X^T @ dLdN (dLdN, not dSdN),
    with the document's deriv() for sigma'.
    """
    assert X.shape[1] == W.shape[0]
    N = np.dot(X, W)
    dLdS = np.ones_like(N)
    dLdN = dLdS * doc_deriv(sigma, N)
    dNdW = np.transpose(X, (1, 0))
    return {"W": np.dot(dNdW, dLdN)}


def matrix_function_backward_sum_hand(X: ndarray, W: ndarray) -> dict[str, ndarray]:
    """Exact gradients of sum(sigmoid(X @ W)): dX = s'(N) @ W.T, dW = X.T @ s'(N)."""
    dLdN = doc_sigmoid_prime(X @ W)
    return {"X": dLdN @ W.T, "W": X.T @ dLdN}


# --- 000/001 §1.3 "Linear Regression as Neural Network" --------------------------------------


def linreg_forward(X: ndarray, y: ndarray, W: ndarray, B: ndarray) -> Any:
    """loss = mean((y - (X @ W + B))^2) as printed (000 §1.3 [30], asserts included)."""
    assert X.shape[0] == y.shape[0]
    assert X.shape[1] == W.shape[0]
    assert B.shape[0] == B.shape[1] == 1
    N = X @ W
    P = N + B
    loss = np.mean(np.power(y - P, 2))
    return loss


def linreg_gradients_as_printed(X: ndarray, y: ndarray, W: ndarray, B: ndarray) -> dict[str, Any]:
    """loss_gradients as printed (000 §1.3 [31]).

    Mistakes: dLdP = -2 * (y - P) omits the 1/N of the mean (gradients are N times too large),
    and dLdB = (dLdP * dPdB).sum(axis=0) has shape (1,), not B's (1, 1). (The math line above
    it even writes dLambda/dP = -1 * (2 * (Y - P)^2), a stray square the code does not have.)
    """
    N = X @ W
    P = N + B
    dLdP = -2 * (y - P)
    dPdN = np.ones_like(N)
    dPdB = np.ones_like(B)
    dLdN = dLdP * dPdN
    dNdW = X.T
    dLdW = dNdW @ dLdN
    dLdB = (dLdP * dPdB).sum(axis=0)
    return {"W": dLdW, "B": dLdB}


def linreg_gradients(X: ndarray, y: ndarray, W: ndarray, B: ndarray) -> dict[str, ndarray]:
    """Corrected gradients of mean((y - XW - B)^2): factor 2/N, B gradient shaped (1, 1)."""
    P = X @ W + B
    dLdP = -2 * (y - P) / (y - P).size
    return {"W": X.T @ dLdP, "B": dLdP.sum(axis=0, keepdims=True)}


# --- 000 §1.4 / 001 §1.4 "Improved model: Neural Network" ------------------------------------


def _two_layer_info(
    X: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> dict[str, ndarray]:
    """forward_info of 000 §1.4 [43]: M1, N1, O1, M2, P."""
    M1 = X @ W1
    N1 = M1 + B1
    O1 = doc_sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    return {"M1": M1, "N1": N1, "O1": O1, "M2": M2, "P": P}


def two_layer_forward(
    X: ndarray, y: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> Any:
    """loss = mean((y - P)^2), P = sigmoid(X W1 + B1) W2 + B2, as printed (000 §1.4 [43])."""
    P = _two_layer_info(X, W1, B1, W2, B2)["P"]
    return np.mean(np.power(y - P, 2))


def two_layer_gradients_as_printed(
    X: ndarray, y: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> dict[str, Any]:
    """loss_gradients as printed (000 §1.4 [44]; 001 §1.4 lost its first lines).

    Mistakes: dLdP = -(y - P) drops the 2/N of the mean ("remove constant does not change the
    direction"), so W1, W2 are N/2 times too large; B2 comes back as a scalar; and B1 is
    dLdB1.sum(axis=0) applied twice, a scalar equal to the sum over all hidden units, so every
    hidden bias receives the same update. dLdW2 uses dLdP where dLdM2 is meant (equal here).
    """
    info = _two_layer_info(X, W1, B1, W2, B2)
    dLdP = -(y - info["P"])
    dPdM2 = np.ones_like(info["M2"])
    dPdB2 = np.ones_like(B2)
    dLdM2 = dLdP * dPdM2
    dLdB2 = (dLdP * dPdB2).sum(axis=0)
    dM2dW2 = info["O1"].T
    dM2dO1 = W2.T
    dLdW2 = dM2dW2 @ dLdP
    dLdO1 = dLdM2 @ dM2dO1
    dO1dN1 = doc_sigmoid(info["N1"]) * (1 - doc_sigmoid(info["N1"]))
    dLdN1 = dLdO1 * dO1dN1
    dN1dB1 = np.ones_like(B1)
    dN1dM1 = np.ones_like(info["M1"])
    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0)
    dLdM1 = dLdN1 * dN1dM1
    dM1dW1 = X.T
    dLdW1 = dM1dW1 @ dLdM1
    return {
        "W2": dLdW2,
        "B2": dLdB2.sum(axis=0),
        "W1": dLdW1,
        "B1": dLdB1.sum(axis=0),
    }


def two_layer_gradients(
    X: ndarray, y: ndarray, W1: ndarray, B1: ndarray, W2: ndarray, B2: ndarray
) -> dict[str, ndarray]:
    """Corrected gradients of two_layer_forward: factor 2/N, biases summed once over the batch."""
    info = _two_layer_info(X, W1, B1, W2, B2)
    dLdP = -2 * (y - info["P"]) / (y - info["P"]).size
    dLdN1 = (dLdP @ W2.T) * doc_sigmoid_prime(info["N1"])
    return {
        "W2": info["O1"].T @ dLdP,
        "B2": dLdP.sum(axis=0, keepdims=True),
        "W1": X.T @ dLdN1,
        "B1": dLdN1.sum(axis=0, keepdims=True),
    }
