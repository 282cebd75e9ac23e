"""Each derivative rule against elementwise SymPy; the LaTeX and numpy printers, pinned.

A rule is exercised by a one-operation graph, L = sum(op(inputs) * K), where K is a
constant of distinct exact entries, so the upstream gradient is not all ones and a
transposed or misplaced entry shows. The rule's matrix form is proved equal to the
elementwise truth, and the generated numpy code is run against the lambdified truth.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp

from derive import backward as B
from derive import elementwise as EW
from derive import expr as E
from derive.check import exact_values
from derive.compile import compile_numpy
from derive.expr import Node
from derive.functions import TABLE
from derive.graph import build
from derive.ops.concat import concat
from derive.ops.linalg import det, inv, logabsdet
from derive.ops.pointwise import logic
from derive.ops.ranges import arange, eye
from derive.ops.reduce import cumsum
from derive.ops.softmax import log_softmax, softmax
from derive.printers import escape_latex, name_latex, to_latex, to_numpy
from derive.rules import RULES, vjp

Builder = Callable[..., Node]


def _weights(shape: tuple[int, ...]) -> Node:
    """K: distinct exact binary fractions (0.75, 1.25, ...), or a scalar 1.5."""
    if not shape:
        return E.const(1.5)
    return E.const(np.arange(1, int(np.prod(shape)) + 1).reshape(shape) * 0.5 + 0.25)


def _rule_case(f: Builder, shapes: dict[str, tuple[int, ...]]) -> tuple[Node, dict, B.Backward]:
    inputs = {k: E.leaf(k, s) for k, s in shapes.items()}
    body = f(**inputs)
    out = E.reduce("sum", E.mul(body, _weights(body.shape)))
    graph = build(out, inputs, tuple(shapes))
    return out, inputs, B.derive(graph)


def _mx(a: Node, b: Node) -> Node:
    return E.maximum(a, b)


def _where(a: Node, b: Node) -> Node:
    return E.where(E.compare(">", a, b), E.mul(a, b), E.sub(a, b))


S32, S12, S23 = (3, 2), (1, 2), (2, 3)
MASK = np.array([[True, False], [False, True], [True, False]])
RULE_CASES: list[tuple[str, Builder, dict[str, tuple[int, ...]], bool]] = [
    ("add", E.add, {"a": S32, "b": S32}, False),
    ("add-broadcast-row", E.add, {"a": S32, "b": S12}, False),
    ("add-broadcast-scalar", E.add, {"a": S32, "b": ()}, False),
    ("sub-broadcast", E.sub, {"a": S12, "b": S32}, False),
    ("mul", E.mul, {"a": S32, "b": S32}, False),
    ("mul-broadcast-column", E.mul, {"a": S32, "b": (3, 1)}, False),
    ("div", E.div, {"a": S32, "b": S32}, True),
    ("neg", E.neg, {"a": S32}, False),
    ("pow-2", lambda a: E.power(a, E.const(2.0)), {"a": S32}, False),
    ("pow-3", lambda a: E.power(a, E.const(3.0)), {"a": S32}, False),
    ("pow-variable", E.power, {"a": S12, "b": S12}, True),
    ("matmul-2d", E.matmul, {"a": S32, "b": S23}, False),
    ("matmul-row", E.matmul, {"a": (3,), "b": S32}, False),
    ("matmul-column", E.matmul, {"a": S32, "b": (2,)}, False),
    ("matmul-dot", E.matmul, {"a": (3,), "b": (3,)}, False),
    ("transpose", E.transpose, {"a": S32}, False),
    ("transpose-3d", lambda a: E.transpose(a, (1, 2, 0)), {"a": (2, 3, 2)}, False),
    ("reshape", lambda a: E.reshape(a, (2, 3)), {"a": S32}, False),
    ("sum-all", lambda a: E.reduce("sum", a), {"a": S32}, False),
    ("sum-axis0", lambda a: E.reduce("sum", a, 0), {"a": S32}, False),
    ("sum-axis1-keepdims", lambda a: E.reduce("sum", a, 1, True), {"a": S32}, False),
    ("mean-all", lambda a: E.reduce("mean", a), {"a": S32}, False),
    ("mean-axis0", lambda a: E.reduce("mean", a, 0), {"a": S32}, False),
    ("sum_to", lambda a: E.sum_to(a, (1, 2)), {"a": S32}, False),
    ("broadcast_to", lambda a: E.broadcast_to(a, S32), {"a": S12}, False),
    ("ones", lambda a, b: E.mul(E.ones(a), b), {"a": S32, "b": S32}, False),
    ("maximum", _mx, {"a": S32, "b": S32}, False),
    ("minimum", E.minimum, {"a": S32, "b": S32}, False),
    ("where-compare", _where, {"a": S32, "b": S32}, False),
    ("logaddexp", E.logaddexp, {"a": S32, "b": S32}, False),
    ("getitem-column", lambda a: E.getitem(a, E.index_key((slice(None), 1), 2)), {"a": S32},
     False),
    ("getitem-rows", lambda a: E.getitem(a, E.index_key(slice(1, None), 2)), {"a": S32}, False),
    ("getitem-entry", lambda a: E.mul(E.getitem(a, E.index_key((2, 0), 2)), a), {"a": S32},
     False),
    ("setitem-rows", lambda a, b: E.setitem(a, b, (("slice", 0, 2, None),)),
     {"a": S32, "b": (2, 2)}, False),
    ("setitem-broadcast-entry", lambda a, b: E.setitem(a, b, (1,)), {"a": S32, "b": (1,)},
     False),
    ("getitem-fancy-repeated", lambda a: E.getitem(a, (("arg", 0), ("arg", 1)), (
        E.const(np.array([0, 2, 2, 0])), E.const(np.array([1, 0, 1, 1])))), {"a": S32}, False),
    ("getitem-mask", lambda a: E.getitem(a, (("arg", 0),), (E.const(MASK),), shape=(3,)),
     {"a": S32}, False),
    ("arange-labels", lambda a: E.getitem(a, (("arg", 0), ("arg", 1)), (
        arange(E.dim("a", 0, 3), 3), E.const(np.array([1, 0, 1])))), {"a": S32}, False),
    ("eye-one-hot", lambda a: E.mul(a, E.getitem(eye(E.dim("a", 1, 2), 2), (("arg", 0),), (
        E.const(np.array([1, 0, 1])),))), {"a": S32}, False),
    ("getitem-newaxis", lambda a: E.getitem(a, (("none",), ("slice", None, None, None))),
     {"a": S32}, False),
    ("concat-columns", lambda a, b: concat([a, b], 1), {"a": S32, "b": (3, 1)}, False),
    ("concat-rows", lambda a, b: concat([a, b], 0), {"a": S32, "b": S12}, False),
    ("einsum-trace", lambda a: E.einsum("ii->", a), {"a": (3, 3)}, False),
    ("einsum-diagonal", lambda a: E.einsum("ii->i", a), {"a": (3, 3)}, False),
    ("einsum-three", lambda a, b, c: E.einsum("ij,jk,k->i", a, b, c),
     {"a": S32, "b": S23, "c": (3,)}, False),
    ("einsum-row-sums", lambda a: E.einsum("ij->i", a), {"a": S32}, False),
    ("prod-axis0", lambda a: E.reduce("prod", a, 0), {"a": S32}, False),
    ("prod-all", lambda a: E.reduce("prod", a), {"a": S32}, False),
    ("cumsum-axis1", lambda a: cumsum(a, 1), {"a": S32}, False),
    ("cumsum-flat", lambda a: cumsum(a), {"a": S32}, False),
    ("inv", inv, {"a": (2, 2)}, False),
    ("det", det, {"a": (3, 3)}, False),
    ("logabsdet", logabsdet, {"a": (2, 2)}, False),
    ("matmul-batched", E.matmul, {"a": (2, 3, 2), "b": (2, 2, 3)}, False),
    ("matmul-batched-broadcast", E.matmul, {"a": (2, 3, 2), "b": S23}, False),
    ("full-like", lambda a: E.mul(E.full(a.shape, 2.0, like=a), a), {"a": S32}, False),
    ("softmax-rows", lambda a: softmax(a, 1), {"a": S32}, False),
    ("softmax-columns", lambda a: softmax(a, 0), {"a": S32}, False),
    ("log_softmax-rows", lambda a: log_softmax(a, 1), {"a": S32}, False),
    ("log_softmax-vector", lambda a: log_softmax(a, 0), {"a": (4,)}, False),
    ("logic-and", lambda a, b: E.where(logic("and", E.compare(">", a, E.const(0.0)),
                                              E.compare(">", b, E.const(0.0))),
                                        E.mul(a, b), E.sub(a, b)), {"a": S32, "b": S32}, False),
] + [
    (f"fn-{name}", (lambda n: lambda a: E.fn(n, a))(name), {"a": S32}, TABLE[name].domain)
    for name in TABLE
]


def _point(shapes: dict[str, tuple[int, ...]], domain: bool | str) -> dict[str, np.ndarray]:
    """Inputs in the operation's domain: True or "positive" (log, sqrt), "unit" (|u| < 1)."""
    rng = np.random.default_rng(7)
    out = {}
    for k, s in shapes.items():
        v = rng.standard_normal(s)
        if domain in (True, "positive"):
            v = np.abs(v) + 0.5
        elif domain == "unit":
            v = np.tanh(v) * 0.9
        out[k] = v
    return out


def test_every_rule_is_exercised() -> None:
    # amax/amin: SymPy cannot simplify Max(a, b, c) against its derivative in budget, so
    # their rule is checked numerically in tests/verify/test_max_reductions.py
    ops = {case[0].split("-")[0] for case in RULE_CASES} | {"where", "compare", "amax", "amin"}
    ops |= {"scatter"}  # appears only in backward programs (the adjoint of getitem)
    assert set(RULES) <= ops | {"sum_to", "broadcast_to"}, set(RULES) - ops
    assert {c[0] for c in RULE_CASES} >= {f"fn-{n}" for n in TABLE}


@pytest.mark.parametrize(("label", "f", "shapes", "positive"), RULE_CASES,
                         ids=[c[0] for c in RULE_CASES])
def test_rule_matches_elementwise_sympy(label: str, f: Builder,
                                       shapes: dict[str, tuple[int, ...]],
                                       positive: bool) -> None:
    out, inputs, bw = _rule_case(f, shapes)
    truth = EW.ground_truth(out, inputs, tuple(shapes))
    for w in shapes:
        matrix_form = EW.evaluate(bw.gradient(w), truth.symbols)
        proof = EW.prove(w, matrix_form, truth.gradients[w])
        assert proof.proved, (label, w, proof.message)
    # the generated numpy code runs and agrees with the lambdified truth
    point = _point(shapes, positive)
    code = compile_numpy(bw)
    got = code.backward(**point)
    fwd, exact = exact_values(truth, tuple(shapes), point)
    assert float(code.forward(**point)) == pytest.approx(fwd, rel=1e-12)
    for w in shapes:
        assert np.shape(got[w]) == shapes[w], (label, w)
        np.testing.assert_allclose(got[w], exact[w], rtol=1e-10, atol=1e-12, err_msg=label)


def test_a_missing_rule_names_the_operation() -> None:
    with pytest.raises(NotImplementedError, match="no derivative rule for operation 'input'"):
        vjp(E.leaf("X", (2, 2)), E.const(1.0))


def test_the_bias_gradient_is_summed_over_the_batch_in_one_place() -> None:
    """Undoing broadcasting is sum_to: a (1, h) bias gets the batch sum, kept 2-D."""
    _, _, bw = _rule_case(lambda M, B: E.add(M, B), {"M": (5, 4), "B": (1, 4)})
    g = bw.gradient("B")
    assert g.op == "sum_to" and g.shape == (1, 4)
    assert to_latex(g) == (
        r"\operatorname{sum}_{\text{rows}}\left(\begin{bmatrix} 0.75 & 1.25 "
        r"& 1.75 & 2.25 \\ 2.75 & 3.25 & 3.75 & 4.25 \\ 4.75 & 5.25 & 5.75 & 6.25 \\ 6.75 & "
        r"7.25 & 7.75 & 8.25 \\ 8.75 & 9.25 & 9.75 & 10.25 \end{bmatrix}\right)")
    ns: dict[str, object] = {}
    assert to_numpy(g, ns) == "_c0.sum(axis=0, keepdims=True)"
    assert list(ns) == ["_c0"]


# --- LaTeX printer -----------------------------------------------------------------------

X, W, A = E.leaf("X", (3, 3)), E.leaf("W", (3, 2)), E.leaf("A", (3, 2))
N = E.matmul(X, W).named("N")

LATEX = [
    ("matmul", E.matmul(X, W), r"X \, W"),
    ("transpose", E.transpose(W), r"W^{T}"),
    ("transpose of a sum", E.transpose(E.add(A, A)), r"\left(A + A\right)^{T}"),
    ("double transpose", E.transpose(E.transpose(W)), r"W"),
    ("sigmoid", E.fn("sigmoid", N), r"\sigma\left(N\right)"),
    ("sigmoid of an expression", E.fn("sigmoid", E.matmul(X, W)),
     r"\sigma\left(X \, W\right)"),
    ("sigmoid'", E.fn("sigmoid", N, 1), r"\sigma'\left(N\right)"),
    ("sigmoid''", E.fn("sigmoid", N, 2),
     r"\left(\sigma\left(N\right) - 1\right) \left(2 \sigma\left(N\right) - 1\right) "
     r"\sigma\left(N\right)"),
    ("leaky relu", E.fn("leaky_relu", A), r"\max\left(0.2 A, A\right)"),
    ("leaky relu'", E.fn("leaky_relu", A, 1), r"\operatorname{lrelu}'\left(A\right)"),
    ("square", E.fn("square", A), r"\left(A\right)^{2}"),
    ("abs'", E.fn("abs", A, 1), r"\operatorname{sign}\left(A\right)"),
    ("sign", E.fn("sign", A), r"\operatorname{sign}\left(A\right)"),
    ("sum", E.reduce("sum", A), r"\operatorname{sum}\left(A\right)"),
    ("sum over axis 0", E.reduce("sum", A, 0), r"\operatorname{sum}_{0}\left(A\right)"),
    ("mean over axis 1", E.reduce("mean", A, 1), r"\operatorname{mean}_{1}\left(A\right)"),
    ("sum over rows", E.sum_to(A, (1, 2)), r"\operatorname{sum}_{\text{rows}}\left(A\right)"),
    ("hadamard", Node("mul", (E.ones(A), E.fn("sigmoid", N, 1)), A.shape),
     r"\mathbf{1} \odot \sigma'\left(N\right)"),
    ("scalar times", E.mul(E.const(0.5), A), r"0.5 \, A"),
    ("neg of a sum", E.neg(E.add(A, A)), r"-\left(A + A\right)"),
    ("sub", E.sub(A, E.sub(A, A)), r"A - \left(A - A\right)"),
    ("div", E.div(A, E.const(2.0)), r"\frac{A}{2}"),
    ("pow", E.power(E.sub(A, A), E.const(2.0)), r"\left(A - A\right)^{2}"),
    ("matmul of a product", E.matmul(E.mul(A, A), E.transpose(W)),
     r"\left(A \odot A\right) \, W^{T}"),
    ("const matrix", E.const(np.array([[1.0, 2.0], [3.0, 0.5]])),
     r"\begin{bmatrix} 1 & 2 \\ 3 & 0.5 \end{bmatrix}"),
    ("maximum", E.maximum(A, E.const(0.0)), r"\max\left(A, 0\right)"),
    ("where", E.where(E.compare(">", A, E.const(0.0)), A, E.const(0.0)),
     r"\begin{cases} A & A > 0 \\ 0 & \text{otherwise} \end{cases}"),
    ("compare >=", E.compare(">=", A, A), r"A \geq A"),
    ("adjoint", E.adjoint("dLdN", (3, 2)), r"\frac{\partial L}{\partial N}"),
]


@pytest.mark.parametrize(("label", "node", "expected"), LATEX, ids=[c[0] for c in LATEX])
def test_latex_printer(label: str, node: Node, expected: str) -> None:
    assert to_latex(node) == expected


def test_named_nodes_print_as_names_unless_expanded() -> None:
    node = E.matmul(E.fn("sigmoid", N, 1), E.transpose(W))
    assert to_latex(node) == r"\sigma'\left(N\right) \, W^{T}"
    assert to_latex(node, expand=True) == r"\sigma'\left(X \, W\right) \, W^{T}"


@pytest.mark.parametrize(("name", "latex"), [
    ("W1", "W_{1}"), ("B_2", "B_{2}"), ("dLdN", r"\frac{\partial L}{\partial N}"),
    ("dLdW1", r"\frac{\partial L}{\partial W_{1}}"), ("sigma", r"\sigma"),
    ("delta3", r"\delta_{3}"), ("x", "x"), ("input_", r"\mathit{input\_}"),
    ("f1_of_x", r"\mathit{f1\_of\_x}"), ("loss", r"\mathit{loss}"),
])
def test_name_latex(name: str, latex: str) -> None:
    assert name_latex(name) == latex


def test_escape_latex() -> None:
    assert escape_latex(r"a_b$c%d&e#f{g}h^i~j\k") == (
        r"a\_b\$c\%d\&e\#f\{g\}h\^{}i\~{}j\textbackslash{}k")


def test_the_documents_matrix_forms(results: dict) -> None:
    """The issue's dL/dX = (sigma'(XW) * 1) W^T, dL/dW = X^T (sigma'(XW) * 1); two-layer W1."""
    bw = results["matrix-sum"].backward
    assert to_latex(bw.gradient("X")) == \
        r"\left(\mathbf{1} \odot \sigma'\left(N\right)\right) \, W^{T}"
    assert to_latex(bw.gradient("W")) == \
        r"X^{T} \, \left(\mathbf{1} \odot \sigma'\left(N\right)\right)"
    assert to_latex(bw.gradient("X"), expand=True) == \
        r"\left(\mathbf{1} \odot \sigma'\left(X \, W\right)\right) \, W^{T}"
    bw = results["two-layer"].backward
    assert to_latex(bw.gradient("W1")) == (
        r"X^{T} \, \left(\left(-\left(\frac{\mathbf{1}}{n} \odot \left(2 \, \left(y - P\right)"
        r"\right)\right)\right) \, W_{2}^{T} \odot \sigma'\left(N_{1}\right)\right)")
    assert to_latex(bw.gradient("B1")) == (
        r"\operatorname{sum}_{\text{rows}}\left(\left(-\left(\frac{\mathbf{1}}{n} \odot "
        r"\left(2 \, \left(y - P\right)\right)\right)\right) \, W_{2}^{T} \odot "
        r"\sigma'\left(N_{1}\right)\right)")
    assert [to_latex(a.expr) for a in bw.assignments][:3] == [
        r"-\left(\frac{\mathbf{1}}{n} \odot \left(2 \, \left(y - P\right)\right)\right)",
        r"\operatorname{sum}_{\text{rows}}\left(\frac{\partial L}{\partial P}\right)",
        r"\frac{\partial L}{\partial P}",
    ]


# --- numpy printer -----------------------------------------------------------------------

NUMPY = [
    (E.matmul(X, W), "X @ W"),
    (E.transpose(W), "W.T"),
    (E.transpose(E.leaf("T", (2, 3, 4)), (1, 2, 0)), "np.transpose(T, (1, 2, 0))"),
    (E.fn("sigmoid", N), "sigmoid(N)"),
    (E.fn("sigmoid", N, 1), "d1_sigmoid(N)"),
    (Node("mul", (E.ones(N), E.fn("sigmoid", N, 1)), N.shape), "np.ones_like(N) * d1_sigmoid(N)"),
    (E.reduce("sum", A, 0), "np.sum(A, axis=0)"),
    (E.reduce("mean", A, 1, True), "np.mean(A, axis=1, keepdims=True)"),
    (E.sum_to(A, (2,)), "A.sum(axis=0)"),
    (E.sum_to(A, (1, 2)), "A.sum(axis=0, keepdims=True)"),
    (E.power(E.sub(A, A), E.const(2.0)), "np.power(A - A, 2.0)"),
    (E.neg(E.add(A, A)), "-(A + A)"),
    (E.maximum(A, E.const(0.0)), "np.maximum(A, 0.0)"),
]


@pytest.mark.parametrize(("node", "expected"), NUMPY, ids=[c[1] for c in NUMPY])
def test_numpy_printer(node: Node, expected: str) -> None:
    assert to_numpy(node, {}) == expected


def test_generated_backward_reads_like_the_documents(results: dict) -> None:
    code = results["matrix-sum"].code
    src = code.backward_source
    assert any(line.startswith("    dSdN = ") for line in src.splitlines())
    for line in ("    N = X @ W", "    S = sigmoid(N)", "    dLdS = np.ones_like(S)",
                 "    dLdN = dLdS * dSdN", "    dNdX = W.T", "    dLdX = dLdN @ dNdX",
                 "    dNdW = X.T", "    dLdW = dNdW @ dLdN"):
        assert line in src.splitlines(), (line, src)
    r = results["matrix-sum"]
    got = code.backward(**r.inputs)
    np.testing.assert_allclose(got["X"], r.gradients["X"].exact, rtol=1e-13)
    # the source is what runs: compile it again from the text and get the same numbers
    from derive.compile import namespace

    ns = namespace()
    exec(compile(src, "<test>", "exec"), ns)  # noqa: S102 - the engine's own generated code
    np.testing.assert_array_equal(ns["backward"](**r.inputs)["X"], got["X"])


def test_sympy_sigmoid_prints_itself() -> None:
    x = sp.Symbol("x")
    from derive.functions import sigmoid

    assert sp.latex(sigmoid(x)) == r"\sigma\left(x\right)"
    assert sp.latex(sigmoid(x) ** 2) == r"\sigma\left(x\right)^{2}"
    assert sp.diff(sigmoid(x), x) == sigmoid(x) * (1 - sigmoid(x))


# --- every formula of every case: balanced, converts to MathML, compiles with LaTeX -------


def _case_formulas(results: dict) -> list[tuple[str, str]]:
    """(where, LaTeX) for every step, assignment, term factor and gradient of every case."""
    out = []
    for name, r in results.items():
        for s in r.graph.steps:
            out.append((f"{name} step {s.name}", s.latex()))
        for a in r.backward.assignments:
            out.append((f"{name} {a.target}", f"{name_latex(a.target)} = {to_latex(a.expr)}"))
            for t in a.terms:
                out.append((f"{name} {a.target} term via {t.via}", to_latex(t.expr)))
                if t.factor is not None:
                    out.append((f"{name} {a.target} factor", to_latex(t.factor)))
        for w in r.graph.wrt:
            out.append((f"{name} dL/d{w}", to_latex(r.backward.gradient(w))))
            out.append((f"{name} dL/d{w} expanded", to_latex(r.backward.gradient(w), True)))
    return out


def _balanced(tex: str) -> bool:
    depth = 0
    for i, c in enumerate(tex):
        if c in "{}" and i and tex[i - 1] == "\\":
            continue  # \{ and \} are characters, not groups
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


def test_every_case_formula_is_balanced_and_converts_to_mathml(results: dict) -> None:
    from derive.reports.mathml import to_mathml

    formulas = _case_formulas(results)
    assert len(formulas) > 150
    for where, tex in formulas:
        assert tex, where
        assert _balanced(tex), (where, tex)
        assert tex.count(r"\left") == tex.count(r"\right"), (where, tex)
        assert tex.count(r"\begin{") == tex.count(r"\end{"), (where, tex)
        assert "?" not in tex, (where, tex)  # an unnamed step or leaf
        assert to_mathml(tex).startswith("<math"), where


def test_no_step_is_labelled_with_a_function_of_the_wrong_arity(results: dict) -> None:
    """Leaky ReLU's step once read \\max\\left(x\\right): max takes two arguments."""
    for r in results.values():
        for s in r.graph.steps:
            assert not s.latex().startswith(rf"{name_latex(s.name)} = \max"), s.latex()
    steps = {s.name: s.latex() for s in results["chain-3"].graph.steps}
    assert steps["f1_of_x"] == (r"\mathit{f1\_of\_x} = \operatorname{lrelu}\left(x\right) = "
                                r"\max\left(0.2 x, x\right)")
    assert results["relu"].graph.steps[0].latex() == (
        r"L = \operatorname{relu}\left(x\right) = \max\left(x, 0\right)")
    # a step reads its arguments in the order the expression does: X W_1 + B_1
    assert results["xor"].graph.steps[0].latex() == (
        r"H = \sigma\left(X, W_{1}, B_{1}\right) = \sigma\left(X \, W_{1} + B_{1}\right)")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_every_case_formula_compiles_with_pdflatex(results: dict, tmp_path) -> None:
    body = "\n".join(rf"\[ {tex} \]" for _, tex in _case_formulas(results))
    doc = (r"\documentclass{article}\usepackage{amsmath,amssymb}"
           r"\begin{document}" + "\n" + body + "\n" + r"\end{document}" + "\n")
    (tmp_path / "f.tex").write_text(doc)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "f.tex"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
