"""The right gradient, printed for a user: matrix-form text, LaTeX, SymPy and paste-able numpy.

Everything here prints what :mod:`derive.verify` derived and checked: the same backward
program (:class:`derive.backward.Backward`) feeds the terminal text, the LaTeX of
:func:`derive.printers.to_latex` and the numpy source of :func:`derive.compile.backward_source`,
so the fix a user pastes is exactly the gradient the checks compared with.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING

import numpy as np
from derive.numeric import functions as nf

from derive import expr as E
from derive.backward import Assignment, Backward, adjoint_name, chain
from derive.compile import backward_source
from derive.functions import TABLE
from derive.graph import unrolled
from derive.ops import OPS
from derive.printers import NumpyPrinter, name_text, to_latex, to_text

if TYPE_CHECKING:
    from derive.verify import VerifyResult

# SymPy is imported by the functions below that print with it, never by this module: the
# terminal report of a check whose proof was kept (no SymPy loaded) would otherwise pay
# ~0.4 s to import it.

# SymPy's pretty printer is shown for elementwise forms up to this many operations; beyond,
# a 2-D drawing is wider than a terminal and says less than the matrix form.
PRETTY_MAX_OPS = 40

# ... and up to this many columns: a wrapped 2-D drawing is unreadable.
PRETTY_MAX_WIDTH = 100

# Constant arrays up to this many entries are written into the pasted code; larger ones are
# named in a comment (they come from the user's own forward, which has them).
INLINE_CONST_MAX = 100

# ---------------------------------------------------------------- matrix-form text


def forward_lines(bw: Backward) -> list[str]:
    """The traced forward as named steps: 'N1 = M1 + B1', 'O1 = σ(N1)', 'L = mean((y − P)²)'."""
    return [f"{s.name} = {to_text(s.node)}" for s in bw.graph.steps]


def assignment_line(a: Assignment) -> str:
    return f"{name_text(a.target)} = {to_text(a.expr)}"


def closed_line(bw: Backward, name: str) -> str:
    """'∂L/∂W = Xᵀ·(2 / n (P − y))': the gradient in one line, as a textbook writes it."""
    from derive.closed import closed_form  # SymPy simplifies it: loaded only when asked

    return f"{name_text(adjoint_name(name))} = {to_text(closed_form(bw, name))}"


def closed_lines(bw: Backward) -> list[str]:
    """The closed form of every differentiated input, in the graph's order."""
    return [closed_line(bw, w) for w in bw.graph.wrt]


def derivation_lines(bw: Backward) -> list[str]:
    """The backward program, one assignment per named value, output side first."""
    return [assignment_line(a) for a in bw.assignments]




def gradient_latex(bw: Backward, name: str) -> str:
    """dL/d<name> as one LaTeX formula: the closed form a textbook prints."""
    from derive.closed import closed_form
    from derive.printers import name_latex

    return f"{name_latex(adjoint_name(name))} = {to_latex(closed_form(bw, name))}"


# ---------------------------------------------------------------- SymPy pretty


def _pretty_text(e: object) -> str:
    """SymPy's 2-D printer with the step function written H, as in the matrix form (SymPy
    draws θ): one notation per concept."""
    import sympy as sp
    from sympy.printing.pretty.pretty import PrettyPrinter

    class Pretty(PrettyPrinter):
        def _print_Heaviside(self, h: sp.Heaviside) -> object:
            return self._print_Function(sp.Function("H")(h.args[0]))

    return Pretty({"use_unicode": True, "wrap_line": False}).doprint(e)


def small_pretty(expr: object) -> str | None:
    """sympy.pretty of an elementwise form, when it is small enough to read."""
    import sympy as sp

    if isinstance(expr, np.ndarray) and expr.ndim > 2:
        return None  # a 3-D array has no 2-D drawing
    try:
        e = sp.Matrix(expr) if isinstance(expr, np.ndarray) and expr.ndim else \
            sp.sympify(np.asarray(expr, dtype=object).reshape(()).item()
                       if isinstance(expr, np.ndarray) else expr)
    except (TypeError, ValueError, sp.SympifyError):
        return None
    if sp.count_ops(e) > PRETTY_MAX_OPS:
        return None
    text = _pretty_text(e)
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


def _called(source: str, name: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(name)}\(", source) is not None


def _helper(name: str, order: int) -> str:
    """def name(u) / def d1_name(u): the row's own numpy (a ufunc alias, its pasted source,
    or its derivative through its value), else SymPy's printer of its derivative."""
    row = TABLE[name]
    if order == 0:
        if row.ufuncs:
            return f"{name} = np.{row.ufuncs[0].__name__}\n"
        return f"def {name}(u):\n{row.source}\n"
    if order == 1 and row.by_value is not None:
        code = NumpyPrinter({}).doprint(row.by_value(E.leaf("u", ())))
    else:
        import sympy as sp
        from sympy.printing.numpy import NumPyPrinter as SympyNumPyPrinter

        from derive.symfunctions import U

        printer = SympyNumPyPrinter({"user_functions": {"sigmoid": "sigmoid"}, "strict": False})
        # DiracDelta (of a step inside the function) is 0 wherever the derivative exists
        derivative = row.derivative(order).replace(sp.DiracDelta, lambda *a: sp.S.Zero)
        code = printer.doprint(derivative.subs(U, sp.Symbol("u")))
    return f"def d{order}_{name}(u):\n    return {code} + np.zeros_like(u)\n"


def _helpers(source: str) -> list[str]:
    """Every table function and numeric helper the code calls, and those they call."""
    wanted: dict[str, str] = {}
    text = source
    changed = True
    while changed:
        changed = False
        for name in TABLE:
            for order, fname in ((0, name), (1, f"d1_{name}")):
                if fname not in wanted and _called(text, fname):
                    wanted[fname] = _helper(name, order)
                    text += wanted[fname]
                    changed = True
    helpers = {h for op in OPS.values() for h in op.helpers}
    numeric = [inspect.getsource(getattr(nf, h)) for h in sorted(helpers) if _called(text, h)]
    return list(wanted.values()) + numeric


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
    parts += _helpers(source)  # scatter, put: the very functions the checks ran
    parts += [_constant(k, np.asarray(v)) for k, v in namespace.items()]
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
        out.append(f"  closed form: {closed_line(d.backward, g.name)}")
        out.append(f"  LaTeX: {gradient_latex(d.backward, g.name)}")
        pretty = gradient_pretty(result, g.name)
        if pretty:
            shapes = ", ".join(f"{k}={'x'.join(map(str, v)) or 'scalar'}"
                               for k, v in (result.proof_shapes or {}).items())
            out.append(f"  elementwise (SymPy, at {shapes}):")
            out += [f"    {line}" for line in pretty.splitlines()]
        out.append("")
    out.append("numpy, to paste as your backward (names as in the documents: dLdP, dPdN, ...):")
    if unrolled(d.graph):
        sizes = ", ".join(f"{k}={'x'.join(map(str, v)) or 'scalar'}"
                          for k, v in result.shapes.items())
        out.append(f"(your loops ran at {sizes} and are unrolled below, one statement per "
                   "entry: this code holds at these sizes only; use it to find the entries "
                   "your backward gets wrong)")
    out.append("")
    out.append(paste_code(d.backward, result.shapes))
    return "\n".join(out)
