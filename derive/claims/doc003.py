"""The claims of the blog post "How to implement NN from scratch" (003).

The post's layer functions are generic (f1, f2, f3); the case checks them with f = σ, and
the formula language's f1/df1 stand for that choice, so corrections print as the post writes.
Sizes are named as the post names them (n, id, h1, h2, od), so shapes are checked by name.
"""

from __future__ import annotations

from derive.claims.model import S003, Claim

_X = {"x": [[0.3, -1.2, 0.7]], "W": [[0.5, -0.4], [1.1, 0.2], [-0.6, 0.9]]}
# y = x W with D = C = 8, so W_{7,8} exists; no entry is zero, so "not 0" can be seen
_D8 = {"x": [[0.3, -1.2, 0.7, 1.5, -0.4, 0.9, -2.1, 0.6]],
       "W": [[round((-1) ** (i + j) * ((i * 8 + j) * 7 % 13 + 1) / 4, 2) for j in range(8)]
             for i in range(8)]}
# Y = X W with N = 3 rows, D = 4, C = 2
_N3 = {"X": [[0.3, -1.2, 0.7, 1.5], [-0.4, 0.9, -2.1, 0.6], [1.3, 0.2, -0.8, -1.7]],
       "W": [[0.5, -0.4], [1.1, 0.2], [-0.6, 0.9], [1.4, -1.3]]}
_VBM = f"{S003} vecotr by matrix"
_MBM = f"{S003} matrix by matrix"
_BP = f"{S003} backpropagation"

_THREE = "0.5 * sum((f3(f2(f1(X0 @ W1) @ W2) @ W3) - T) ** 2)"
_DELTAS = (("d3", "(X3 - T) * df3(X2 @ W3)"), ("d2", "d3 @ W3.T * df2(X1 @ W2)"),
           ("d1", "d2 @ W2.T * df1(X0 @ W1)"))
_DIMS = {"X0": ("n", "id"), "T": ("n", "od"), "W1": ("id", "h1"), "W2": ("h1", "h2"),
         "W3": ("h2", "od"), "X1": ("n", "h1"), "X2": ("n", "h2"), "X3": ("n", "od")}
_NAMES = {"d1": "δ1", "d2": "δ2", "d3": "δ3"}
_NUMERATOR = ("the post's own J_f has a row per output f_i (m × n): numerator layout",)


def _bp(text: str, **kw: object) -> Claim:
    base = dict(case="three-layer", defs=_DELTAS, dims=_DIMS, notation=_NAMES)
    return Claim(_BP, "formula", text, **{**base, **kw})  # type: ignore[arg-type]


CLAIMS: tuple[Claim, ...] = (
    Claim(f"{S003} derivative", "formula", "y = x W, dy/dx = W",
          r"\vec{y} = \vec{x} W, \quad \frac{d\vec{y}}{d\vec{x}} = W", point=_X,
          premise="x @ W", wrt="x", claimed="W", jacobian=True, meant="numerator layout",
          meant_why="the Jacobian the post defines next has a row per output f_i",
          lhs="dy⃗/dx⃗", correction="W.T", caveats=_NUMERATOR + (
              "W is the post's own answer under denominator layout (a row per input)",),
          note="the post's own Jacobian is m x n with a row per output; for y = x W that is W^T"),
    Claim(f"{S003} derivative", "formula", "The shape is m x n (m outputs f_i, n inputs x_j)",
          point=_X, premise="x @ W", wrt="x", claimed="ones_like(W.T)", jacobian=True,
          pattern=True, note="y = x W has m = 2 outputs and n = 3 inputs: J is 2 × 3"),
    Claim(_VBM, "formula", "y_3 = x_1 W_{1,3} + x_2 W_{2,3} + ... + x_D W_{D,3}", point=_D8,
          truth="(x @ W)[0, 2]", claimed="sum(x[0, :] * W[:, 2])"),
    Claim(_VBM, "formula", "dy_3/dW_{7,8} = 0", point=_D8, premise="x @ W", wrt="W",
          jacobian=True, entry=(2, 6 * 8 + 7), claimed="0"),
    Claim(_VBM, "formula", "dy_3/dW_{2,3} = x_2", point=_D8, premise="x @ W", wrt="W",
          jacobian=True, entry=(2, 1 * 8 + 2), claimed="x[0, 1]"),
    Claim(_VBM, "formula", "when the index of the y component is equal to the second index of "
          "W, the derivative will be non-zero, but will be zero otherwise", point=_D8,
          premise="x @ W", wrt="W", jacobian=True, pattern=True,
          claimed="kron(ones_like(x), eye_cols(W))"),
    Claim(_VBM, "formula", "dy_j/dW_{i,j} = x_i, and the other elements of the 3-d array are 0",
          point=_D8, premise="x @ W", wrt="W", jacobian=True, claimed="kron(x, eye_cols(W))"),
    Claim(_VBM, "formula", "F_{i,j,k} = dy_i/dW_{j,k}: F_{i,j,i} = x_j, all other entries zero",
          point=_D8, premise="x @ W", wrt="W", jacobian=True, claimed="kron(x, eye_cols(W))",
          note="the Jacobian's row i, column (j, k) is F_{i,j,k}; kron(x, I) puts x_j at k = i"),
    Claim(_MBM, "formula", "Y = X W will also be a matrix, with N rows and C columns",
          point=_N3, claimed="X @ W", shape=("N", "C"), dims={"X": ("N", "D"), "W": ("D", "C")}),
    Claim(_MBM, "formula", "dY_{a,b}/dX_{c,d} = 0 if a != c, not 0 otherwise", point=_N3,
          premise="X @ W", wrt="X", jacobian=True, pattern=True,
          claimed="kron(eye_rows(X), ones_like(W.T))",
          caveats=("'not 0' holds for a W with no zero entry: the entry is W_{d,b}",)),
    Claim(_MBM, "formula", "dY_{i,j}/dX_{i,k} = d/dX_{i,k} (sum_{k=1}^{D} X_{i,k} W_{k,j}) "
          "= W_{k,j}", point=_N3, premise="X @ W", wrt="X", jacobian=True,
          claimed="kron(eye_rows(X), W.T)",
          caveats=("the printed sum reuses k as its own summation index; read with a fresh "
                   "index m, ∂/∂X_ik Σ_m X_im W_mj = W_kj",)),
    Claim(_MBM, "formula", "dY_{i,:}/dX_{i,:} = W^T",
          r"\frac{\partial Y_{i,:}}{\partial X_{i,:}} = W^{T}", point=_X,
          premise="x @ W", wrt="x", claimed="W.T", jacobian=True, meant="numerator layout",
          meant_why="the post's J_f has a row per output", caveats=_NUMERATOR),
    _bp("dE/dW3 = X2^T delta3, delta3 = (X3 - T) o f3'(X2 W3)",
        latex=r"\frac{\partial E}{\partial W_{3}} = X_{2}^{T} \delta_{3}, \quad "
              r"\delta_{3} = (X_{3} - T) \circ f_{3}'(X_{2} W_{3})",
        premise=_THREE, wrt="W3", claimed="X2.T @ d3"),
    _bp("delta3 is n x od", claimed="d3", shape=("n", "od")),
    _bp("dE/dW3 must have the same dimensions as W3 (h2 x od)", claimed="X2.T @ d3",
        shape=("h2", "od")),
    _bp("dE/dW2 = X1^T delta2, delta2 = delta3 W3^T o f2'(X1 W2)",
        latex=r"\frac{\partial E}{\partial W_{2}} = X_{1}^{T} \delta_{2}, \quad "
              r"\delta_{2} = \delta_{3} W_{3}^{T} \circ f_{2}'(X_{1} W_{2})",
        premise=_THREE, wrt="W2", claimed="X1.T @ d2"),
    _bp("delta2 is n x h2", claimed="d2", shape=("n", "h2")),
    _bp("dE/dW2 must have the same dimensions as W2 (h1 x h2)", claimed="X1.T @ d2",
        shape=("h1", "h2")),
    _bp("dE/dW1 = [W2^T delta2 o f1'(X0 W1)] X0^T",
        latex=r"\frac{\partial E}{\partial W_{1}} = \left[W_{2}^{T} \delta_{2} \circ "
              r"f_{1}'(X_{0} W_{1})\right] X_{0}^{T}",
        premise=_THREE, wrt="W1", claimed="(W2.T @ d2 * df1(X0 @ W1)) @ X0.T",
        lhs="∂E/∂W1", correction="X0.T @ (d2 @ W2.T * df1(X0 @ W1))"),
    _bp("dE/dW1 = X0^T delta1",
        latex=r"\frac{\partial E}{\partial W_{1}} = X_{0}^{T} \delta_{1}",
        premise=_THREE, wrt="W1", claimed="X0.T @ d1",
        note="the post never defines delta1; read as the recursion's "
             "delta1 = delta2 W2^T o f1'(X0 W1)"),
    _bp("delta1 is n x h1", claimed="d1", shape=("n", "h1")),
    _bp("dE/dW1 must have the same dimensions as W1 (id x h1)", claimed="X0.T @ d1",
        shape=("id", "h1")),
)
