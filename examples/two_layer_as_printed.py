"""The two-layer network of 000 §1.4, the backward pass as printed (``loss_gradients`` [44]).

Mistakes: ``dLdP = -(y - P)`` drops the 2/N of the mean ("remove constant does not change the
direction"), so every gradient is N/2 = 4 times too large for a batch of 8; B2 comes back as a
scalar; and B1 is summed over the batch and then again over the hidden units
(``dLdB1.sum(axis=0)`` twice), one number for all hidden biases.

Expected: ``derive verify examples/two_layer_as_printed.py`` -> W1 wrong, scaled, factor 4;
B1 wrong, collapsed (summed over all axes, scaled by 4); W2 wrong, scaled, factor 4; B2 wrong,
scaled, factor 4 (shape () named in the message) (exit 1).
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
    # remove constant does not change the direction
    dLdP = -(y - P)
    dPdM2 = np.ones_like(M2)
    dPdB2 = np.ones_like(B2)
    dLdM2 = dLdP * dPdM2
    dLdB2 = (dLdP * dPdB2).sum(axis=0)
    dM2dW2 = O1.T
    dM2dO1 = W2.T
    dLdW2 = dM2dW2 @ dLdP
    dLdO1 = dLdM2 @ dM2dO1
    dO1dN1 = sigmoid(N1) * (1 - sigmoid(N1))
    dLdN1 = dLdO1 * dO1dN1
    dN1dB1 = np.ones_like(B1)
    dN1dM1 = np.ones_like(M1)
    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0)
    dLdM1 = dLdN1 * dN1dM1
    dM1dW1 = X.T
    dLdW1 = dM1dW1 @ dLdM1
    return {"W2": dLdW2, "B2": dLdB2.sum(axis=0), "W1": dLdW1, "B1": dLdB1.sum(axis=0)}
