"""The claims of the lecture notebook (000, and the cells its later version 001 changes)."""

from __future__ import annotations

from derive.claims.model import S000, S001, Claim

_FN = f"{S000} §1.2.1 Functions"
_DER = f"{S000} §1.2.2 Derivatives"
_CH = f"{S000} §1.2.4 The Chain rule"
_LONG = f"{S000} §1.2.5 Slightly Longer Example"
_MULTI = f"{S000} §1.2.6 Functions with Multiple Inputs"
_VEC = f"{S000} §1.2.7 Functions with multiple vector inputs"
_MAT = f"{S000} §1.2.8 Functions with matrix multiplication"
_LIN = f"{S000} §1.3 Linear Regression as Neural Network"
_NN = f"{S000} §1.4 Improved model: Neural Network"

_RANGE = {"r": [i / 100 for i in range(-200, 200)]}  # np.arange(-2, 2, 0.01), as plotted
_C = {"C": [[0.3, -1.1], [2.0, 0.5], [-0.7, 1.4]]}  # an upstream dL/dS that is not all ones
_E11 = {"E": [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]], "R": [[1.0], [0.0], [0.0]]}
_E32 = {"E": [[0.0, 0.0], [0.0, 0.0], [0.0, 1.0]], "R": [[0.0], [0.0], [1.0]]}
_G = {"G": [[0.4], [-1.3], [0.8], [2.1], [-0.5]]}  # an upstream gradient for a 5-row batch
# The six single-term matrices summed, entry by entry in the section's notation: entry (i, k)
# collects σ'(XW_ij) w_kj over the two columns j of N = X W (3 × 3 from 3 × 2 times 2 × 3).
_SIX = ("the sum of the six matrices, entry (i, k) = Σ_j ∂σ/∂u(XW_ij) w_kj: "
        + "; ".join(f"row {i}: " + ", ".join(
            " + ".join(f"σ'(XW_{i}{j}) w_{k}{j}" for j in (1, 2)) for k in (1, 2, 3))
            for i in (1, 2, 3)),)
_SUMMED = ("judged for the loss the text defines, Λ(P, Y) = (Y − P)² summed over the batch; "
           "the code's loss is the mean, whose gradient is this one divided by n",)

CLAIMS: tuple[Claim, ...] = (
    Claim(_FN, "code", "ax[1].plot(input_range, leaky_relu(input_range)); "
          "ax[1].set_title('\"ReLU\" function')", case=None, point=_RANGE,
          truth="relu(r)", claimed="leaky_relu(r)", correction="relu(r)",
          notation={"r": "input_range"},
          note="f_2(x) = max(x, 0) is the ReLU defined above the plot; the curve drawn is leaky "
               "ReLU, max(0.2x, x), which differs for every x < 0"),
    Claim(_DER, "formula",
          "df/dx = (2.001^2 - 1.999^2) / 0.002 = 4, for f(x) = x^2 at x = 2",
          r"\frac{df}{dx} = \frac{2.001^2 - 1.999^2}{0.002} = 4", case="square",
          premise="x ** 2", wrt="x", claimed="(2.001 ** 2 - 1.999 ** 2) / 0.002"),
    Claim(_DER, "formula", "d(x^2)/dx = 2x",
          r"\frac{df(x^2)}{dx} = 2x", case="square", premise="x ** 2", wrt="x", claimed="2 * x"),
    Claim(_DER, "formula", "for every 0.001 increase when x = 2, it will increase 4 x 0.001 "
          "in the output", case="square", predict=("square(x + t)", "t", 0.001),
          claimed="4 * 0.001"),
    Claim(_DER, "formula", "2.001^2 = 4.004", truth="2.001 ** 2", claimed="4.004",
          note="4.004001, printed to three decimals"),
    Claim(_DER, "formula", "every 1 unit increase in x = 2 will increase 4 units on the output",
          case="square", truth="square(x + 1) - square(x)", claimed="4 * 1",
          lhs="f(3) − f(2)", correction="5",
          caveats=("the derivative 4 predicts the change of small steps; over a whole unit the "
                   "square grows by 2·2·1 + 1² = 5",)),
    Claim(_DER, "formula", "if x = 3, then the rate of change is 6", point={"x": 3.0},
          premise="square(x)", wrt="x", claimed="6"),
    Claim(_CH, "formula",
          "df2/dx(x) = df2/du(f1(x)) * df1/dx(x), for f1 = square, f2 = sigmoid at x = 2",
          r"\frac{df_2}{dx}(x) = \frac{df_2}{du}(f_1(x)) \cdot \frac{df_1}{dx}(x)",
          case="chain-2", premise="sigmoid(square(x))", wrt="x",
          claimed="dsigmoid(square(x)) * dsquare(x)"),
    Claim(_CH, "formula", "df1(5)/dx = 3, f1(5) = 1, df2(1)/dx = -2: changing the input to box "
          "two by 3 units changes its output by -2 x 3 = -6 units", point={"x": 5.0},
          premise="-2 * (3 * x - 14)", wrt="x", claimed="-2 * 3",
          note="checked with f1(x) = 3x − 14 and f2(u) = −2u, which have exactly the three "
               "printed values; the chain rule uses nothing else"),
    Claim(_CH, "formula",
          "manual_deriv means that if we increase the input by 0.0001 unit, it will increase "
          "the output by manual_deriv * 0.001",
          r"f(2 + 0.0001) - f(2) \approx \text{manual\_deriv} \times 0.001", case="chain-2",
          defs=(("m", "(sigmoid(square(x + 0.0001)) - sigmoid(square(x - 0.0001))) / 0.0002"),),
          truth="sigmoid(square(x + 0.0001)) - sigmoid(square(x))", claimed="m * 0.001",
          lhs="f(2 + 0.0001) − f(2)", correction="m * 0.0001",
          notation={"m": "manual_deriv"},
          note="the code beside it uses 0.0001, as it should"),
    Claim(_CH, "code",
          "def chain_deriv_2(chain, x):\n    f1 = chain[0]\n    f2 = chain[1]\n"
          "    f1_of_x = f1(x)\n    df1dx = deriv(f1, x)\n    df2du = deriv(f2, f1(x))\n"
          "    return df1dx * df2du", case="chain-2",
          note="finite differences with delta = 0.001 inside: close to, not equal to, the exact "
               "derivative"),
    Claim(_LONG, "formula",
          "df3/dx(x) = df3/du(f2(f1(x))) * df2/du(f1(x)) * df1/dx(x)",
          r"\frac{df_3}{dx}(x) = \frac{df_3}{du}(f_2(f_1(x))) \cdot \frac{df_2}{du}(f_1(x)) "
          r"\cdot \frac{df_1}{dx}(x)", case="chain-3",
          premise="sigmoid(square(leaky_relu(x)))", wrt="x",
          claimed="dsigmoid(square(leaky_relu(x))) * dsquare(leaky_relu(x)) * dleaky_relu(x)"),
    Claim(_LONG, "code",
          "def chain_deriv_3(chain, x):\n    f1_of_x = f1(x)\n    f2_of_x = f2(f1_of_x)\n"
          "    df3du = deriv(f3, f2_of_x)\n    df2du = deriv(f2, f1_of_x)\n"
          "    df1dx = deriv(f1, x)\n    return df1dx * df2du * df3du", case="chain-3"),
    Claim(_LONG, "formula", "if we increase the input at point -4 by 0.1 unit, it will "
          "increase the output by backward_pass * 0.1", case="chain-3",
          predict=("sigmoid(square(leaky_relu(x + t)))", "t", 0.1),
          claimed="dsigmoid(square(leaky_relu(x))) * dsquare(leaky_relu(x)) * dleaky_relu(x)"
                  " * 0.1",
          note="the printed pair 0.6475757341144874 against 0.647519817310113 differ by the "
               "second-order term"),
    Claim(_MULTI, "formula",
          "df/dx = dsigma/du(alpha(x, y)) * dalpha/dx((x, y)), with dalpha/dx = 1",
          r"\frac{\partial f}{\partial x} = \frac{\partial \sigma}{\partial u}(\alpha(x, y)) "
          r"\cdot \frac{\partial \alpha}{\partial x}((x, y))", case="add-sigma",
          premise="sigmoid(x + y)", wrt="x", claimed="dsigmoid(x + y) * 1"),
    Claim(_MULTI, "formula", "df/dy = dsigma/du(alpha(x, y)) * dalpha/dy((x, y))",
          case="add-sigma", premise="sigmoid(x + y)", wrt="y", claimed="dsigmoid(x + y) * 1"),
    Claim(_MULTI, "formula", "dalpha/dx((x, y)) = 1 and dalpha/dy((x, y)) = 1", case="add-sigma",
          premise="x + y", wrt="y", claimed="1"),
    Claim(_MULTI, "code",
          "def multiple_inputs_add_backward(x, y, sigma):\n    a = x + y\n"
          "    dsda = deriv(sigma, a)\n    dadx, dady = 1, 1\n    return dsda * dadx, dsda * dady",
          case="add-sigma"),
    Claim(_VEC, "formula",
          "dnu/dX = [w1 w2 w3] = W^T", r"\frac{\partial \nu}{\partial X} = W^{\top}",
          case="row-vector", premise="X @ W", wrt="X", claimed="W.T"),
    Claim(_VEC, "formula",
          "dnu/dW = [x1; x2; x3] = X^T", r"\frac{\partial \nu}{\partial W} = X^{\top}",
          case="row-vector", premise="X @ W", wrt="W", claimed="X.T"),
    Claim(_VEC, "formula",
          "df/dX = dsigma/du(x1*w1 + x2*w2 + x3*w3) @ W^T",
          r"\frac{\partial f}{\partial X} = \frac{\partial \sigma}{\partial u}"
          r"(x_1 w_1 + x_2 w_2 + x_3 w_3) \, W^{\top}",
          case="row-vector", premise="sigmoid(X @ W)", wrt="X", claimed="dsigmoid(X @ W) @ W.T"),
    Claim(_VEC, "code",
          "def matrix_function_backward_1(X, W, sigma):\n    N = np.dot(X, W)\n    S = sigma(N)\n"
          "    dSdN = deriv(sigma, N)\n    dNdX = np.transpose(W, (1, 0))\n"
          "    return np.dot(dSdN, dNdX)", case="row-vector"),
    Claim(_VEC, "code", "# multiply them together; since dNdX is 1x1 here, order doesn't matter",
          case="row-vector", claimed="W.T", shape=("1", "1"), commute=("dsigmoid(N)", "W.T"),
          notation={"W": "W", "N": "N"}, lhs="the 1×1 factor", correction="dsigmoid(N)",
          note="dNdX = Wᵀ is the 1×3 factor; dSdN = σ'(N) is the 1×1 one"),
    Claim(_VEC, "formula", "If x_1 is increased by k units, the output should increase by "
          "backward[0][0] * k units (k = 0.001)", case="row-vector",
          point={"E": [[1.0, 0.0, 0.0]]}, predict=("sigmoid((X + t * E) @ W)", "t", 0.001),
          claimed="(dsigmoid(X @ W) @ W.T)[0, 0] * 0.001"),
    Claim(_MAT, "formula", "dLambda/du(S) = [[1, 1], [1, 1], [1, 1]]",
          r"\frac{\partial \Lambda}{\partial u}(S) = \mathbf{1}_{3 \times 2}",
          case="matrix-sum", premise="sum(S)", wrt="S", claimed="ones_like(S)"),
    Claim(_MAT, "formula", "dLambda/du(N) = dLambda/du(S) * dsigma/du(N) = [dsigma/du(XW_ij)]",
          case="matrix-sum", premise="sum(sigmoid(N))", wrt="N",
          claimed="ones_like(S) * dsigmoid(N)"),
    Claim(_MAT, "formula", "each element of X (a 3 x 3 matrix) ... each element of N "
          "(a 3 x 2 matrix)", case="matrix-sum", claimed="X @ W", shape=("3", "2")),
    Claim(_MAT, "formula", "d sigma(XW_11)/dx_1 = dsigma/du(XW_11) x w_11", case="matrix-sum",
          point=_E11, premise="sum(E * sigmoid(X @ W))", wrt="X", entry=(0, 0),
          claimed="dsigmoid(N)[0, 0] * W[0, 0]", note="x_1 is x_11, as the next line says"),
    Claim(_MAT, "formula", "d sigma(XW_11)/dX = [[s'(XW_11) w_11, s'(XW_11) w_21, "
          "s'(XW_11) w_31], [0, 0, 0], [0, 0, 0]]", case="matrix-sum", point=_E11,
          premise="sum(E * sigmoid(X @ W))", wrt="X", claimed="dsigmoid(N)[0, 0] * (R * W[:, 0])"),
    Claim(_MAT, "formula", "d sigma(XW_32)/dX = [[0, 0, 0, 0], [0, 0, 0], [s'(XW_32) w_12, "
          "s'(XW_32) w_22, s'(XW_32) w_32]]", case="matrix-sum", point=_E32,
          premise="sum(E * sigmoid(X @ W))", wrt="X", claimed="dsigmoid(N)[2, 1] * (R * W[:, 1])",
          caveats=("its first row prints four zeros for three columns",)),
    Claim(_MAT, "formula", "(six matrices dsigma(XW_ij)/dX summed)",
          garbled="the extracted sum of six 3x3 matrices has lost its rows and columns "
                  "(one row of three entries is left, the terms repeat; dsigma(XW_31)/dX is "
                  "listed twice, seven terms for six)", case="matrix-sum",
          premise="sum(sigmoid(X @ W))", wrt="X", lhs="∂Λ/∂X(S)",
          correction="dsigmoid(N) @ W.T", caveats=_SIX),
    Claim(_MAT, "formula", "(the combined 3x3 matrix of dsigma/du(XW_ij) * w_kl sums)",
          garbled="the extracted matrix runs its three rows together and repeats terms such as "
                  "dsigma/du(XW_21) * w_21", case="matrix-sum",
          premise="sum(sigmoid(X @ W))", wrt="X", lhs="∂Λ/∂X(S)",
          correction="dsigmoid(N) @ W.T", caveats=_SIX),
    Claim(_MAT, "formula",
          "dLambda/du(X) = dnu/dX(X, W) * dsigma/du(N) * dLambda/du(S)",
          r"\frac{\partial \Lambda}{\partial u}(X) = \frac{\partial \nu}{\partial X}(X, W) * "
          r"\frac{\partial \sigma}{\partial u}(N) * \frac{\partial \Lambda}{\partial u}(S)",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          claimed="W.T * dsigmoid(N) * ones_like(S)", lhs="∂Λ/∂u(X)",
          correction="ones_like(S) * dsigmoid(N) @ W.T",
          note="the chain rule stated first, in the order of the scalar case, with dnu/dX = W^T "
               "as §1.2.7 gives it"),
    Claim(_MAT, "formula", "[dsigma/du(XW_ij)] * [[w11, w21, w31], [w12, w22, w32]] is the "
          "previous (3 x 3) matrix", case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          claimed="dsigmoid(N) * W.T",
          readings=(("* as the matrix product", "dsigmoid(N) @ W.T"),),
          meant="* as the matrix product",
          meant_why="its result is the 3 × 3 matrix above it, which only the matrix product of "
                    "a 3 × 2 and a 2 × 3 matrix gives"),
    Claim(_MAT, "formula",
          "dLambda/du(X) = dLambda/du(S) * dsigma/du(N) @ W^T",
          r"\frac{\partial \Lambda}{\partial u}(X) = \frac{\partial \Lambda}{\partial u}(S) * "
          r"\frac{\partial \sigma}{\partial u}(N) \,@\, W^{T}", case="matrix-sum",
          premise="sum(sigmoid(X @ W))", wrt="X", claimed="ones_like(S) * dsigmoid(N) @ W.T",
          readings=(("@ first", "ones_like(S) * (dsigmoid(N) @ W.T)"),),
          meant="as numpy reads it",
          meant_why="the text forms dΛ/du(N) = dΛ/du(S) * dσ/du(N) first, then multiplies by "
                    "Wᵀ"),
    Claim(_MAT, "formula",
          "dLambda/du(W) = X^T @ dLambda/du(S) * dsigma/du(N)",
          r"\frac{\partial \Lambda}{\partial u}(W) = X^{T} \,@\, "
          r"\frac{\partial \Lambda}{\partial u}(S) * \frac{\partial \sigma}{\partial u}(N)",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="W",
          claimed="X.T @ ones_like(S) * dsigmoid(N)",
          readings=(("the elementwise product first", "X.T @ (ones_like(S) * dsigmoid(N))"),),
          meant="the elementwise product first",
          meant_why="the text says Xᵀ goes on the left of the chain's product, and the code "
                    "line after it is np.dot(dNdW, dSdN)"),
    Claim(_MAT, "formula", "dNdW = np.transpose(X, (1, 0)); dLdW = np.dot(dNdW, dSdN)",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="W", claimed="X.T @ dsigmoid(N)",
          stress=("sum(C * sigmoid(X @ W))", "X.T @ dsigmoid(N)", _C), lhs="dLdW",
          correction="X.T @ (ones_like(S) * dsigmoid(N))",
          note="dSdN where dLdN = dLdS * dSdN is meant"),
    Claim(_MAT, "code",
          "def matrix_function_backward_sum_1(X, W, sigma):\n    N = np.dot(X, W)\n"
          "    S = sigma(N)\n    L = np.sum(S)\n    dLdS = np.ones_like(S)\n"
          "    dSdN = deriv(sigma, N)\n    dLdN = dLdS * dSdN\n"
          "    dNdX = np.transpose(W, (1, 0))\n    dLdX = np.dot(dSdN, dNdX)\n    return dLdX",
          case="matrix-sum", premise="sum(sigmoid(X @ W))", wrt="X",
          stress=("sum(C * sigmoid(X @ W))", "dsigmoid(N) @ W.T", _C),
          note="it multiplies dSdN, not dLdN, by dNdX"),
    Claim(_LIN, "formula",
          "dLambda/dW = dLambda/dP(P, Y) * dalpha/dN(N, B) * dnu/dW(X, W)",
          r"\frac{\partial \Lambda}{\partial W} = \frac{\partial \Lambda}{\partial P}(P,Y) * "
          r"\frac{\partial \alpha}{\partial N}(N,B) * \frac{\partial \nu}{\partial W}(X,W)",
          case="linear", premise="sum((y - (X @ W + B)) ** 2)", wrt="W",
          claimed="-2 * (y - P) * ones_like(N) * X.T", lhs="∂Λ/∂W",
          correction="X.T @ (-2 * (y - P) * ones_like(N))", caveats=_SUMMED,
          note="with the factors the section derives below it (dnu/dW = X^T); its code "
               "multiplies in the other order, X^T @ dLdN"),
    Claim(_LIN, "formula",
          "dLambda/dB = dLambda/dP(P, Y) * dalpha/dB(N, B)",
          r"\frac{\partial \Lambda}{\partial B} = \frac{\partial \Lambda}{\partial P}(P,Y) * "
          r"\frac{\partial \alpha}{\partial B}(N,B)",
          case="linear", premise="sum((y - (X @ W + B)) ** 2)", wrt="B",
          claimed="-2 * (y - P) * ones_like(B)", lhs="∂Λ/∂B",
          correction="sum_rows(-2 * (y - P) * ones_like(B))", caveats=_SUMMED,
          notation={"sum_rows": "Σ_rows"},
          note="B is broadcast over the batch, so its gradient needs a sum over the rows; the "
               "section's code has it (.sum(axis=0)), the formula does not"),
    Claim(_LIN, "formula",
          "Since Lambda(P, Y) = (Y - P)^2, dLambda/dP(P, Y) = -1 * (2 * (Y - P)^2)",
          r"\frac{\partial \Lambda}{\partial P}(P, Y) = -1 * (2 * (Y - P)^2)", case="linear",
          premise="sum((y - P) ** 2)", wrt="P", claimed="-1 * (2 * (y - P) ** 2)",
          lhs="∂Λ/∂P(P, Y)", correction="-1 * (2 * (y - P))", notation={"y": "Y"},
          caveats=_SUMMED),
    Claim(_LIN, "formula", "dnu/dW(X, W) = X^T (on the left: dLdW = dNdW @ dLdN)", case="linear",
          point=_G, premise="sum(G * (X @ W))", wrt="W", claimed="X.T @ G"),
    Claim(_LIN, "formula", "dalpha/dN(N, B) is simply a list of ones with shape of N",
          case="linear", point=_G, premise="sum(G * (N + B))", wrt="N",
          claimed="G * ones_like(N)"),
    Claim(f"{S001} §1.3 Linear Regression as Neural Network", "formula",
          "we sum the expressions for dLdB along axis = 0, because b is added to each row",
          case="linear", point=_G, premise="sum(G * (N + B))", wrt="B", claimed="sum_rows(G)"),
    Claim(_LIN, "code",
          "def loss_gradients(forward_info, weights):\n"
          "    dLdP = -2 * (forward_info['y'] - forward_info['P'])\n"
          "    dPdN = np.ones_like(forward_info['N'])\n    dPdB = np.ones_like(weights['B'])\n"
          "    dLdN = dLdP * dPdN\n    dNdW = forward_info['X'].T\n    dLdW = dNdW @ dLdN\n"
          "    dLdB = (dLdP * dPdB).sum(axis=0)\n    ...", case="linear",
          note="the loss is a mean over the batch, so dLdP needs 1/N"),
    Claim(_NN, "formula",
          "dsigma/du(x) = sigma(x) * (1 - sigma(x))",
          r"\frac{\partial \sigma}{\partial u}(x) = \sigma(x) * (1 - \sigma(x))", case="sigmoid",
          premise="sigmoid(x)", wrt="x", claimed="sigmoid(x) * (1 - sigmoid(x))"),
    Claim(_NN, "code", "#remove constant does not change the direction\n"
          "dLdP = -(forward_info['y'] - forward_info['P'])", case="two-layer",
          premise="mean((y - P) ** 2)", wrt="P", claimed="-(y - P)", direction=True,
          caveats=("the direction is kept; the step is n/2 times larger, which the learning "
                   "rate absorbs",)),
    Claim(_NN, "code",
          "def loss_gradients(forward_info, weights):\n"
          "    #remove constant does not change the direction\n"
          "    dLdP = -(forward_info['y'] - forward_info['P'])\n    ...\n"
          "    dLdB2 = (dLdP * dPdB2).sum(axis=0)\n    ...\n"
          "    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0)\n    ...\n"
          "    loss_gradients['B2'] = dLdB2.sum(axis=0)\n"
          "    loss_gradients['B1'] = dLdB1.sum(axis=0)", case="two-layer",
          note=f"the same code in {S001} §1.4; summing dLdB1 a second time adds the hidden "
               "units' bias gradients together"),
    Claim(f"{S001} §1.4 Improved model: Neural Network", "code",
          "dM2d01 = weights['W2'].T\n...\ndLdO1 = dLdM2 @ dM2dO1", case="two-layer",
          program="loss_gradients (001)",
          note="the name is defined with a zero and read with a letter O; the extraction reads "
               "O as 0 elsewhere too ('01' keys), so the notebook itself may have run"),
)
