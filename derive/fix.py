"""The right gradient, printed for a user: matrix-form text, LaTeX, SymPy and paste-able numpy.

Everything here prints what :mod:`derive.verify` derived and checked: the same backward
program (:class:`derive.backward.Backward`) feeds the terminal text, the LaTeX of
:func:`derive.printers.to_latex` and the numpy source of :func:`derive.compile.backward_source`,
so the fix a user pastes is exactly the gradient the checks compared with.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp
from sympy.printing.numpy import NumPyPrinter as SympyNumPyPrinter

from derive import expr as E
from derive.backward import Assignment, Backward, adjoint_name
from derive.compile import backward_source
from derive.expr import Node, const_value
from derive.functions import TABLE, U
from derive.printers import NumpyPrinter, to_latex

if TYPE_CHECKING:
    from derive.verify import VerifyResult

# SymPy's pretty printer is shown for elementwise forms up to this many operations; beyond,
# a 2-D drawing is wider than a terminal and says less than the matrix form.
PRETTY_MAX_OPS = 40

# ... and up to this many columns: a wrapped 2-D drawing is unreadable.
PRETTY_MAX_WIDTH = 100

# Constant arrays up to this many entries are written into the pasted code; larger ones are
# named in a comment (they come from the user's own forward, which has them).
INLINE_CONST_MAX = 100

# Elementary functions as plain numpy, for pasted code (rows with a numpy ufunc are aliased).
ORDER0_SOURCE = {
    "sigmoid": "    e = np.exp(-np.abs(u))\n    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))",
    "relu": "    return np.maximum(u, 0.0)",
    "leaky_relu": "    return np.maximum(0.2 * u, u)",
    "square": "    return u ** 2",
    "heaviside": "    return np.heaviside(u, 0.5)",
}

# The adjoint of indexing, for pasted code (numeric.functions.scatter, written out).
SCATTER_SOURCE = (
    "def scatter(g, shape, key):\n"
    "    out = np.zeros(shape)\n"
    "    out[key] = g\n"
    "    return out\n"
)

_SYMBOL = {"sigmoid": "σ", "heaviside": "H"}
_SUPERSCRIPT = {2.0: "²", 3.0: "³"}
_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 2, "div": 3, "matmul": 3, "pow": 4}


# ---------------------------------------------------------------- matrix-form text


def name_text(name: str) -> str:
    """dLdN1 -> ∂L/∂N1; other names as they are."""
    m = re.fullmatch(r"dLd([A-Za-z_]\w*)", name)
    return f"∂L/∂{m.group(1)}" if m else name


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.6g}"


class TextPrinter:
    """Expression -> one line of Unicode math: X·W1 + B1, σ'(N1) ⊙ ∂L/∂O1, Xᵀ·∂L/∂N1."""

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("input", "adjoint", "const"):
            return node.name
        return getattr(self, f"_{node.op}")(node)

    def _p(self, node: Node, prec: int) -> str:
        s = self.doprint(node, top=False)
        inner = 9 if node.name or node.op in ("input", "adjoint") else _PREC.get(node.op, 9)
        if node.op == "const" and not node.name and not isinstance(node.attrs[0], tuple) \
                and const_value(node) < 0:
            inner = 0
        return f"({s})" if inner < prec else s

    def _input(self, n: Node) -> str:
        return name_text(n.name or "?")

    _adjoint = _input

    def _const(self, n: Node) -> str:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return f"[{'x'.join(map(str, v.shape))} constant]"
        return _number(v)

    def _add(self, n: Node) -> str:
        return f"{self._p(n.args[0], 1)} + {self._p(n.args[1], 1)}"

    def _sub(self, n: Node) -> str:
        return f"{self._p(n.args[0], 1)} − {self._p(n.args[1], 2)}"

    def _mul(self, n: Node) -> str:
        a, b = n.args
        if not a.shape or not b.shape:
            return f"{self._p(a, 2)} {self._p(b, 3)}"
        return f"{self._p(a, 2)} ⊙ {self._p(b, 3)}"

    def _div(self, n: Node) -> str:
        return f"{self._p(n.args[0], 2)} / {self._p(n.args[1], 4)}"

    def _neg(self, n: Node) -> str:
        return f"−{self._p(n.args[0], 3)}"

    def _pow(self, n: Node) -> str:
        base, ex = n.args
        if E.is_const(ex) and ex.attrs[0] in _SUPERSCRIPT:
            return f"{self._p(base, 5)}{_SUPERSCRIPT[ex.attrs[0]]}"
        return f"{self._p(base, 5)}^{self._p(ex, 5)}"

    def _matmul(self, n: Node) -> str:
        return f"{self._p(n.args[0], 3)}·{self._p(n.args[1], 4)}"

    def _transpose(self, n: Node) -> str:
        (perm,) = n.attrs
        if len(perm) == 2:
            return f"{self._p(n.args[0], 5)}ᵀ"
        return f"transpose({self.doprint(n.args[0], False)}, {perm})"

    def _getitem(self, n: Node) -> str:
        return f"{self._p(n.args[0], 5)}[{E.key_text(n.attrs[0])}]"

    def _scatter(self, n: Node) -> str:
        return f"scatter[{E.key_text(n.attrs[0])}]({self.doprint(n.args[0], False)})"

    def _reshape(self, n: Node) -> str:
        return f"reshape({self.doprint(n.args[0], False)}, {'x'.join(map(str, n.shape))})"

    def _reduction(self, op: str, n: Node) -> str:
        axes, _ = n.attrs
        sub = "" if axes is None else "_" + ",".join(str(a) for a in axes)
        return f"{op}{sub}({self.doprint(n.args[0], False)})"

    def _sum(self, n: Node) -> str:
        return self._reduction("sum", n)

    def _mean(self, n: Node) -> str:
        return self._reduction("mean", n)

    def _amax(self, n: Node) -> str:
        return self._reduction("max", n)

    def _amin(self, n: Node) -> str:
        return self._reduction("min", n)

    def _sum_to(self, n: Node) -> str:
        from derive.printers import summed_axes

        axes = summed_axes(n.args[0].shape, n.shape)
        label = "rows" if axes == (0,) else ",".join(str(a) for a in axes)
        return f"sum_{label}({self.doprint(n.args[0], False)})"

    def _broadcast_to(self, n: Node) -> str:
        return self.doprint(n.args[0], False)

    def _ones(self, n: Node) -> str:
        return "𝟙"

    def _fn(self, n: Node) -> str:
        name, order = n.attrs
        arg = self.doprint(n.args[0], False)
        if name == "abs" and order == 0:
            return f"|{arg}|"
        base = _SYMBOL.get(name, name)
        mark = "'" * order if order <= 2 else f"^({order})"
        return f"{base}{mark}({arg})"

    def _maximum(self, n: Node) -> str:
        return f"max({self.doprint(n.args[0], False)}, {self.doprint(n.args[1], False)})"

    def _minimum(self, n: Node) -> str:
        return f"min({self.doprint(n.args[0], False)}, {self.doprint(n.args[1], False)})"

    def _compare(self, n: Node) -> str:
        op = {">=": "≥", "<=": "≤", "!=": "≠"}.get(n.attrs[0], n.attrs[0])
        return f"{self._p(n.args[0], 2)} {op} {self._p(n.args[1], 2)}"

    def _where(self, n: Node) -> str:
        c, a, b = (self.doprint(x, False) for x in n.args)
        return f"({a} where {c}, else {b})"

    def _logaddexp(self, n: Node) -> str:
        return f"logaddexp({self.doprint(n.args[0], False)}, {self.doprint(n.args[1], False)})"


def to_text(node: Node) -> str:
    return TextPrinter().doprint(node)


def forward_lines(bw: Backward) -> list[str]:
    """The traced forward as named steps: 'N1 = M1 + B1', 'O1 = σ(N1)', 'L = mean((y − P)²)'."""
    return [f"{s.name} = {to_text(s.node)}" for s in bw.graph.steps]


def assignment_line(a: Assignment) -> str:
    return f"{name_text(a.target)} = {to_text(a.expr)}"


def derivation_lines(bw: Backward) -> list[str]:
    """The backward program, one assignment per named value, output side first."""
    return [assignment_line(a) for a in bw.assignments]


def chain(bw: Backward, name: str) -> list[Assignment]:
    """The assignments dL/d<name> needs, from the output down to it."""
    by_target = {a.target: a for a in bw.assignments}
    needed: set[str] = set()
    stack = [adjoint_name(name)]
    while stack:
        t = stack.pop()
        if t in needed or t not in by_target:
            continue
        needed.add(t)
        stack += [n.name for n in E.topological(by_target[t].expr)
                  if n.op == "adjoint" and n.name]
    return [a for a in bw.assignments if a.target in needed]


def gradient_latex(bw: Backward, name: str) -> str:
    """dL/d<name> as one LaTeX formula, upstream gradients substituted."""
    from derive.printers import name_latex

    return f"{name_latex(adjoint_name(name))} = {to_latex(bw.gradient(name))}"


# ---------------------------------------------------------------- SymPy pretty


def small_pretty(expr: object) -> str | None:
    """sympy.pretty of an elementwise form, when it is small enough to read."""
    try:
        e = sp.Matrix(expr) if isinstance(expr, np.ndarray) and expr.ndim else \
            sp.sympify(np.asarray(expr, dtype=object).reshape(()).item()
                       if isinstance(expr, np.ndarray) else expr)
    except (TypeError, ValueError, sp.SympifyError):
        return None
    if sp.count_ops(e) > PRETTY_MAX_OPS:
        return None
    text = sp.pretty(e, use_unicode=True, wrap_line=False)
    return text if max(map(len, text.splitlines())) <= PRETTY_MAX_WIDTH else None


def forward_pretty(result: VerifyResult) -> str | None:
    ew = result.elementwise
    if ew is None:
        return None
    return small_pretty(ew.output)


def gradient_pretty(result: VerifyResult, name: str) -> str | None:
    ew = result.elementwise
    if ew is None or name not in ew.gradients:
        return None
    return small_pretty(ew.gradients[name])


# ---------------------------------------------------------------- paste-able numpy


def _functions_used(bw: Backward) -> list[tuple[str, int]]:
    roots = [a.expr for a in bw.assignments] + [s.node for s in bw.graph.steps]
    found = {(n.attrs[0], n.attrs[1]) for n in E.topological(roots) if n.op == "fn"}
    needed = set(found) | {(name, 0) for name, order in found if order and name == "sigmoid"}
    return sorted(needed, key=lambda t: (t[1], t[0]))


def _helper(name: str, order: int) -> str:
    row = TABLE[name]
    if order == 0:
        if row.ufuncs:
            return f"{name} = np.{row.ufuncs[0].__name__}\n"
        body = ORDER0_SOURCE.get(name, f"    raise NotImplementedError({name!r})")
        return f"def {name}(u):\n{body}\n"
    printer = SympyNumPyPrinter({"user_functions": {"sigmoid": "sigmoid"}, "strict": False})
    code = printer.doprint(row.derivative(order).subs(U, sp.Symbol("u")))
    return f"def d{order}_{name}(u):\n    return {code} + np.zeros_like(u)\n"


def _constant(key: str, value: np.ndarray) -> str:
    if value.size <= INLINE_CONST_MAX:
        return f"{key} = np.array({value.tolist()!r})\n"
    return (f"{key} = None  # the {'x'.join(map(str, value.shape))} constant array your forward "
            "uses: put it here\n")


def paste_code(bw: Backward, shapes: dict[str, tuple[int, ...]] | None = None) -> str:
    """A self-contained module: numpy import, helpers, constants, and ``backward(...)``."""
    namespace: dict[str, object] = {}
    source = backward_source(bw, NumpyPrinter(namespace))
    parts = ["import numpy\nimport numpy as np\n"]
    parts += [_helper(name, order) for name, order in _functions_used(bw)]
    if "scatter(" in source:
        parts.append(SCATTER_SOURCE)
    parts += [_constant(k, np.asarray(v)) for k, v in namespace.items()]
    if shapes:
        from derive.usermodule import shapes_text

        parts.append(f"# derived at {shapes_text(shapes)}: sizes printed as numbers hold "
                     "for these shapes\n")
    return "\n\n".join(p.rstrip("\n") for p in parts if p) + "\n\n\n" + source


def fix_text(result: VerifyResult) -> str:
    """For every wrong gradient, the right one; then the whole backward to paste."""
    wrong = [g for g in result.gradients.values() if g.verdict == "wrong"]
    if not wrong:
        return "nothing to fix: every checked gradient is right\n"
    d = result.traced
    if d is None:
        return (f"no fix: {result.fallback_text}; the verdicts above come from finite "
                "differences alone\n")
    out: list[str] = []
    for g in wrong:
        out.append(f"fix for {g.name} ({g.diagnosis}): the right gradient in matrix form")
        out += [f"  {assignment_line(a)}" for a in chain(d.backward, g.name)]
        out.append(f"  LaTeX: {gradient_latex(d.backward, g.name)}")
        pretty = gradient_pretty(result, g.name)
        if pretty:
            shapes = ", ".join(f"{k}={'x'.join(map(str, v)) or 'scalar'}"
                               for k, v in (result.proof_shapes or {}).items())
            out.append(f"  elementwise (SymPy, at {shapes}):")
            out += [f"    {line}" for line in pretty.splitlines()]
        out.append("")
    out.append("numpy, to paste as your backward (names as in the documents: dLdP, dPdN, ...):")
    out.append("")
    out.append(paste_code(d.backward, result.shapes))
    return "\n".join(out)
