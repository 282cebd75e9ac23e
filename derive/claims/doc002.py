"""The claims of the slides "Introduction to Artificial Neural Networks 1" (002)."""

from __future__ import annotations

from derive.claims.model import S002, Claim

_OR_AND = {"a": [0.0, 1.0, 0.0, 1.0], "b": [0.0, 1.0, 1.0, 0.0]}
_XOR = f"{S002} Solving XOR with a Neural Network"
_DIMS = {"X": ("3", "3"), "W": ("3", "2"), "N": ("3", "2"), "S": ("3", "2")}

CLAIMS: tuple[Claim, ...] = (
    Claim(_XOR, "formula",
          "sigma(20*0 + 20*0 - 10) ~ 0, sigma(20*1 + 20*1 - 10) ~ 1, "
          "sigma(20*0 + 20*1 - 10) ~ 1, sigma(20*1 + 20*0 - 10) ~ 1",
          point=_OR_AND, claimed="sigmoid(20 * a + 20 * b - 10)", approx=(0, 1, 1, 1)),
    Claim(_XOR, "formula",
          "sigma(-20*0 - 20*0 + 30) ~ 1, sigma(-20*1 - 20*1 + 30) ~ 0, "
          "sigma(-20*0 - 20*1 + 30) ~ 1, sigma(-20*1 - 20*0 + 30) ~ 1",
          point=_OR_AND, claimed="sigmoid(-20 * a - 20 * b + 30)", approx=(1, 0, 1, 1)),
    Claim(_XOR, "formula",
          "sigma(20*0 + 20*1 - 30) ~ 0, sigma(20*1 + 20*0 - 30) ~ 0, "
          "sigma(20*1 + 20*1 - 30) ~ 1 (printed twice)",
          point={"a": [0.0, 1.0, 1.0], "b": [1.0, 0.0, 1.0]},
          claimed="sigmoid(20 * a + 20 * b - 30)", approx=(0, 0, 1)),
    Claim(_XOR, "formula",
          "the network with these weights computes XOR of its two inputs", case="xor",
          claimed="sigmoid(sigmoid(X @ W1 + B1) @ W2 + B2)", approx=(0, 1, 1, 0)),
    Claim(f"{S002} Derivatives", "code",
          "def derlv(func, input_, delta=0.001): ... (later code calls deriv)",
          garbled="the extraction reads the name deriv as derlv (i as l); every later slide "
                  "calls deriv"),
    Claim(f"{S002} Nested Functions", "code",
          "def chain_length_2(chain, a):\n    f1 = chain[0]\n    f2 = chain[1]\n"
          "    return f2(f1(x))", case="square", program="chain_length_2 (002)",
          note="with a global x in scope (a notebook) it runs silently at that x and ignores "
               "a"),
    Claim(f"{S002} The Chain Rule", "formula",
          "df2/du(x) = df2/du(f1(x)) x df1/du(x)", case="chain-2",
          premise="sigmoid(square(x))", wrt="x", claimed="dsigmoid(square(x)) * dsquare(x)"),
    Claim(f"{S002} Slightly Longer Example", "formula",
          "df3/du(x) = df3/du(f2(f1(x))) x df2/du(f1(x)) x df1/du(x)", case="chain-3",
          premise="sigmoid(square(leaky_relu(x)))", wrt="x",
          claimed="dsigmoid(square(leaky_relu(x))) * dsquare(leaky_relu(x)) * dleaky_relu(x)"),
    Claim(f"{S002} Derivatives of Functions with Multiple Inputs", "formula",
          "df/dx = dsigma/du(x + y) x dalpha/dx((x, y)), dalpha/dx = 1", case="add-sigma",
          premise="sigmoid(x + y)", wrt="x", claimed="dsigmoid(x + y) * 1"),
    Claim(f"{S002} Derivatives of Functions with Multiple Vector Inputs", "formula",
          "dgamma/dX = [w1, w2, w3] = W^T", case="row-vector", premise="X @ W", wrt="X",
          claimed="W.T"),
    Claim(f"{S002} Functions with Multiple Vector Inputs", "formula",
          "dgamma/dW = [x1, x2, x3] = X^T",
          r"\frac{\partial \gamma}{\partial W} = [x_1, x_2, x_3] = X^{T}",
          case="row-vector", premise="X @ W", wrt="W", claimed="X", lhs="∂γ/∂W",
          correction="X.T",
          caveats=("the row [x1, x2, x3] is X; it is the derivative of the number N by the "
                   "column W under numerator layout, and Xᵀ (the column [x1; x2; x3] 000 "
                   "prints) is the gradient, W's shape: the equation is false under either",),
          note="the bracket is printed as a row, which is X itself; X^T is the column "
               "[x1; x2; x3] that 000 prints"),
    Claim(f"{S002} Vector Functions and Their Derivatives: The Backward Pass", "formula",
          "dS/dX = dsigma/du(x1 w1 + x2 w2 + ... + xn wn) x W^T", case="row-vector",
          premise="sigmoid(X @ W)", wrt="X", claimed="dsigmoid(X @ W) @ W.T"),
    Claim(f"{S002} Vector Functions and Their Derivatives: The Backward Pass", "code",
          "# multiply them together; since dNdX is 1x1 here, order doesn't matter",
          case="row-vector", claimed="W.T", shape=("1", "1"), commute=("dsigmoid(N)", "W.T"),
          lhs="the 1×1 factor", correction="dsigmoid(N)",
          note="dNdX = Wᵀ is the 1×3 factor; dSdN = σ'(N) is the 1×1 one"),
    Claim(f"{S002} Two 2D Matrix Inputs and One Matrix Output", "formula",
          "dO/du(X) is (3x3) matrix", case="matrix-sum", claimed="ones_like(X @ W) @ W.T",
          shape=("3", "3"), dims=_DIMS,
          caveats=("the (3×3) is the gradient of sum(O); the Jacobian of O (3×2) by X (3×3) "
                   "has 3·2·3·3 entries",)),
    Claim(f"{S002} Two 2D Matrix Inputs and One Matrix Output", "formula",
          "dO/du(X) = ones * W^T, (3x2)(2x3)",
          r"\frac{dO}{du}(X) = \mathbf{1}_{(3 \times 2)} \, W^{T}_{(2 \times 3)}",
          case="matrix-sum", premise="sum(X @ W)", wrt="X", claimed="ones_like(X @ W) * W.T",
          readings=(("* as the matrix product", "ones_like(X @ W) @ W.T"),),
          meant="* as the matrix product",
          meant_why="the shapes printed under it, (3×2)(2×3), make * a matrix product"),
    Claim(f"{S002} The Backward Pass", "formula", "dLambda/du(S) = ones (3x2)",
          case="matrix-sum", premise="sum(S)", wrt="S", claimed="ones_like(S)"),
    Claim(f"{S002} The Backward Pass", "formula", "dsigma/du(N) is (3x2)", case="matrix-sum",
          claimed="dsigmoid(N)", shape=("3", "2"), dims=_DIMS),
    Claim(f"{S002} The Backward Pass", "formula", "dgamma/du(X) = W^T (2x3)",
          case="matrix-sum", claimed="W.T", shape=("2", "3"), dims=_DIMS),
    Claim(f"{S002} The Backward Pass", "formula",
          "dL/dX = dLambda/du(S) x dsigma/du(N) x dgamma/du(X); note: second multiplication is "
          "element-wise multiplication, while first is matrix multiplication",
          r"\frac{dL}{dX} = \frac{d\Lambda}{du}(S) \times \frac{d\sigma}{du}(N) \times "
          r"\frac{d\gamma}{du}(X)", case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          claimed="ones_like(S) @ dsigmoid(N) * W.T", dims=_DIMS, lhs="dL/dX",
          correction="ones_like(S) * dsigmoid(N) @ W.T",
          note="the note has the two products the wrong way round"),
    Claim(f"{S002} The Backward Pass", "formula", "Thus, dL/dX is a (3x3) matrix as expected",
          case="matrix-sum", claimed="ones_like(S) * dsigmoid(N) @ W.T", shape=("3", "3"),
          dims=_DIMS),
)
