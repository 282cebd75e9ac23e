"""The table of elementary functions: one row per function, everything about it.

softplus was added as one row (derive/functions.py) plus its stable numpy form
(derive/numeric/functions.py); these tests show that the row alone makes it traceable,
differentiable, printable, provable and stable at +-1000 in the generated code.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from derive.numeric import functions as nf

from derive import backward as B
from derive import elementwise as EW
from derive import expr as E
from derive.compile import compile_numpy, derivative_numpy
from derive.functions import TABLE, U, sympy_namespace
from derive.graph import from_forward
from derive.printers import to_latex, to_text


def test_every_row_differentiates_and_its_numpy_derivative_matches_sympy() -> None:
    x = np.array([-1.7, -0.3, 0.4, 2.2])
    for name, row in TABLE.items():
        at = {"positive": np.abs(x) + 0.5, "unit": np.tanh(x) * 0.9}.get(row.domain, x)
        exact = sp.lambdify(U, row.derivative(1), modules=[sympy_namespace(), "numpy"])
        with np.errstate(all="ignore"):
            want = np.broadcast_to(np.asarray(exact(at), dtype=float), at.shape)
            got = np.asarray(derivative_numpy(name, 1)(at), dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=name)


def test_softplus_row_is_traced_and_proved() -> None:
    def forward(x):
        return np.sum(nf.softplus(x))

    graph = from_forward(forward, {"x": (2, 2)}, ("x",))
    assert [s.node.op for s in graph.steps] == ["sum"]
    assert graph.output.args[0].attrs == ("softplus", 0)
    bw = B.derive(graph)
    truth = EW.ground_truth(graph.output, graph.inputs, ("x",))
    proof = EW.prove("x", EW.evaluate(bw.gradient("x"), truth.symbols), truth.gradients["x"])
    assert proof.proved, proof.message


@pytest.mark.filterwarnings("error")
def test_softplus_gradient_is_finite_at_plus_minus_1000() -> None:
    def forward(x):
        return np.sum(nf.softplus(x))

    bw = B.derive(from_forward(forward, {"x": (4,)}, ("x",)))
    code = compile_numpy(bw)
    x = np.array([-1000.0, -1.0, 1.0, 1000.0])
    with np.errstate(all="raise"):
        grad = code.backward(x=x)["x"]
    np.testing.assert_array_equal(grad[[0, 3]], [0.0, 1.0])
    np.testing.assert_allclose(grad[1:3], nf.sigmoid(x[1:3]), rtol=1e-15)
    with np.errstate(all="raise"):
        d1 = derivative_numpy("softplus", 1)(x)
    np.testing.assert_array_equal(d1[[0, 3]], [0.0, 1.0])


def test_softplus_prints_itself() -> None:
    x = E.leaf("x", (3,))
    assert to_latex(E.fn("softplus", x)) == r"\operatorname{softplus}\left(x\right)"
    assert to_latex(E.fn("softplus", x, 1)) == r"\sigma\left(x\right)"
    assert to_text(E.fn("softplus", x)) == "softplus(x)"
    assert TABLE["softplus"].letter() == r"\operatorname{softplus}"
