"""The claims corpus: (module, name, formula, verdict, diagnosis, factor), written by hand.

Each right formula is derived on paper from the module's forward; each wrong one carries a
mistake students make (a dropped 2/n, a flipped sign, a transpose, a bias not summed over the
batch, a sum too many, a wrong derivative), so the expected diagnosis is known in advance.
"""

# linear regression: N = X W, P = N + B, L = mean((y - P)^2); dL/dP = 2/n (P - y)
LR = [
    ("lr", "W", "2/n * X.T @ (P - y)", "correct", None, None),
    ("lr", "W", r"\frac{2}{n} X^\top (P - y)", "correct", None, None),
    ("lr", "W", "X.T @ (P - y) * 2 / X.shape[0]", "correct", None, None),
    ("lr", "W", r"\frac{2}{n} X^T (P - y)", "correct", None, None),
    ("lr", "W", "Xᵀ·(2/n (P − y))", "correct", None, None),
    ("lr", "W", "X.T @ (P - y)", "wrong", "scaled", "n/2"),
    ("lr", "W", "2/n * X.T @ (y - P)", "wrong", "sign", "-1"),
    ("lr", "W", "1/n * X.T @ (P - y)", "wrong", "scaled", "1/2"),
    ("lr", "W", "2/n * (P - y).T @ X", "wrong", "transposed", None),
    ("lr", "W", "2/n * X @ (P - y)", "wrong", "shape", None),
    ("lr", "B", "np.sum(2/n * (P - y), axis=0, keepdims=True)", "correct", None, None),
    ("lr", "B", r"\frac{2}{n} \mathbf{1}^T (P - y)", "correct", None, None),
    ("lr", "B", r"\frac{2}{n}\sum_i (P - y)", "correct", None, None),
    ("lr", "B", "2/n * (P - y)", "wrong", "missing-sum", None),
    ("lr", "B", "np.mean(P - y, axis=0, keepdims=True)", "wrong", "scaled", "1/2"),
]

# the documents' two-layer network (000 §1.4): O1 = sigma(N1), P = O1 W2 + B2, MSE
TWO = [
    ("two", "W2", "2/n * O1.T @ (P - y)", "correct", None, None),
    ("two", "W2", r"\frac{2}{n} O_1^T (P - y)", "correct", None, None),
    ("two", "W1", "X.T @ ((2/n * (P - y)) @ W2.T * O1 * (1 - O1))", "correct", None, None),
    ("two", "W1", r"X^T \left( \frac{2}{n}(P - y) W_2^T \odot \sigma'(N1) \right)",
     "correct", None, None),
    ("two", "W1", r"\frac{2}{n} X^T \left( (P - y) W_2^\top \circ O_1 \circ (1 - O_1) \right)",
     "correct", None, None),
    ("two", "W1", "X.T @ ((P - y) @ W2.T * O1 * (1 - O1))", "wrong", "scaled", "n/2"),
    ("two", "W1", "X.T @ (2/n * (P - y) @ W2.T * sigmoid(N1))", "wrong", "entries", None),
    ("two", "B1", "np.sum(2/n * (P - y) @ W2.T * O1 * (1 - O1), axis=0, keepdims=True)",
     "correct", None, None),
    ("two", "B1", "2/n * (P - y) @ W2.T * O1 * (1 - O1)", "wrong", "missing-sum", None),
    ("two", "B2", r"\frac{2}{n} \sum_i (P - y)", "correct", None, None),
    ("two", "B2", "np.sum(2/n * (P - y))", "wrong", "shape", None),
    ("two", "B2", "np.sum(2 * (P - y), axis=0, keepdims=True)", "wrong", "scaled", "n"),
]

# a tanh MLP: Z = X W1 + b1, H = tanh(Z), P = H W2 + b2, L = mean over n*k entries
TANH = [
    ("tanh", "W2", "2/(n * P.shape[1]) * H.T @ (P - y)", "correct", None, None),
    ("tanh", "W1", "X.T @ (2/(n*y.shape[1]) * (P - y) @ W2.T * (1 - H**2))",
     "correct", None, None),
    ("tanh", "W1", r"X^T \left( \frac{2}{n \cdot 1} (P - y) W_2^T \odot (1 - H^2) \right)",
     "wrong", "scaled", "2 at n = 6, 3 at n = 7"),
    ("tanh", "W1", "X.T @ (2/(n*y.shape[1]) * (P - y) @ W2.T * (1 - tanh(Z)**2))",
     "correct", None, None),
    ("tanh", "W1", "X.T @ (2/(n*y.shape[1]) * (P - y) @ W2.T * (1 - H))", "wrong", "entries",
     None),
    ("tanh", "b1", "np.sum(2/(n*y.shape[1]) * (P - y) @ W2.T * (1 - H**2), axis=0, "
     "keepdims=True)", "correct", None, None),
    ("tanh", "W2", "2/(n*2) * H.T @ (P - y)", "wrong", "scaled", "3/2"),
]

# softmax cross-entropy with one-hot labels: dL/dZ = (P - Y)/n
SOFTMAX = [
    ("softmax", "W", "X.T @ (P - Y) / n", "correct", None, None),
    ("softmax", "W", r"\frac{1}{n} X^\top (P - Y)", "correct", None, None),
    ("softmax", "b", r"\frac{1}{n} \sum_i (P - Y)", "correct", None, None),
    ("softmax", "W", "X.T @ (P - Y)", "wrong", "scaled", "n"),
    ("softmax", "W", "X.T @ (Y - P) / n", "wrong", "sign", "-1"),
    ("softmax", "b", "(P - Y) / n", "wrong", "missing-sum", None),
]

# a ReLU layer: the indicator mask
RELU = [
    ("relu", "W", "X.T @ (S @ V.T * (Z > 0))", "correct", None, None),
    ("relu", "W", r"X^T \left( S V^T \odot \mathbb{1}[Z > 0] \right)", "correct", None, None),
    ("relu", "W", "X.T @ (S @ V.T)", "wrong", "entries", None),
    ("relu", "V", "A.T @ S", "correct", None, None),
    ("relu", "V", r"A^T S \cdot 2", "wrong", "scaled", "2"),
]

# the documents' other cases: L = sum(sigma(X W)) (000 §1.2.8) and the delta rule (003)
DOCS = [
    ("sum", "W", r"X^T \sigma'(N)", "correct", None, None),
    ("sum", "W", "X.T @ (S * (1 - S))", "correct", None, None),
    ("sum", "X", "S * (1 - S) @ W.T", "correct", None, None),
    ("sum", "X", r"\sigma'(N) W", "wrong", "shape", None),
    ("three", "W3", r"X_2^T \left( (X_3 - T) \odot X_3 \odot (1 - X_3) \right)",
     "correct", None, None),
    ("three", "W1", r"\left[ W_2^T \left( (X_3 - T) \odot X_3 \odot (1 - X_3) \right) \odot "
     r"\sigma'(X_0 W_1) \right] X_0^T", "wrong", "shape", None),
]

# ambiguous groupings: X is square in matrix_sum, so (Xᵀ S) ⊙ (1 − S) and Xᵀ (S ⊙ (1 − S))
# both multiply; only the second is right
AMBIGUOUS = [
    ("sum", "W", "X.T @ S * (1 - S)", "ambiguous", None, None),
    ("sum", "W", r"X^T S \odot (1 - S)", "ambiguous", None, None),
    ("sum", "W", r"X^T S \odot S", "ambiguous", "entries", None),
]

ALL = LR + TWO + TANH + SOFTMAX + RELU + DOCS + AMBIGUOUS
