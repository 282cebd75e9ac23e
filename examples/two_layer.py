"""The two-layer network of 000 §1.4, corrected: X @ W1 + B1 -> sigmoid -> @ W2 + B2 -> MSE.

The documents' ``loss_gradients`` with the corrections: dLdP = -2 (y - P) / N (the constant
the document drops does change the gradient's size), each bias gradient summed once over
the batch with its shape kept.

Expected: ``derive verify examples/two_layer.py`` -> W1, B1, W2, B2 ok (exit 0).
"""

import numpy as np

SHAPES = {"X": (8, 3), "y": (8, 1), "W1": (3, 4), "B1": (1, 4), "W2": (4, 1), "B2": (1, 1)}


def sigmoid(x):
    return 1 / (1 + np.exp(-1.0 * x))


def forward(X, y, W1, B1, W2, B2):
    M1 = X @ W1
    N1 = M1 + B1
    O1 = sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    L = np.mean(np.power(y - P, 2))
    return L


def backward(X, y, W1, B1, W2, B2):
    M1 = X @ W1
    N1 = M1 + B1
    O1 = sigmoid(N1)
    M2 = O1 @ W2
    P = M2 + B2
    dLdP = -2 * (y - P) / y.shape[0]
    dPdM2 = np.ones_like(M2)
    dPdB2 = np.ones_like(B2)
    dLdM2 = dLdP * dPdM2
    dLdB2 = (dLdP * dPdB2).sum(axis=0, keepdims=True)
    dM2dW2 = O1.T
    dM2dO1 = W2.T
    dLdW2 = dM2dW2 @ dLdM2
    dLdO1 = dLdM2 @ dM2dO1
    dO1dN1 = sigmoid(N1) * (1 - sigmoid(N1))
    dLdN1 = dLdO1 * dO1dN1
    dN1dB1 = np.ones_like(B1)
    dN1dM1 = np.ones_like(M1)
    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0, keepdims=True)
    dLdM1 = dLdN1 * dN1dM1
    dM1dW1 = X.T
    dLdW1 = dM1dW1 @ dLdM1
    return {"W1": dLdW1, "B1": dLdB1, "W2": dLdW2, "B2": dLdB2}
