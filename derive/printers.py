"""Our own LaTeX, numpy and plain-text printers for the expression language.

Each printer is a generic walker: how an operation is written is part of its spec in
:mod:`derive.ops` (``latex``, ``numpy``, ``text``), which calls back here for its arguments
(``doprint``), parentheses (``paren``), names and numbers. Names a user chose (step and
input names) are escaped for LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

from derive.ops import spec
from derive.ops.leaves import const_value
from derive.ops.node import Node

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
}
# The loss a derivative's numerator names: L by default (the documents' 000-002), or the
# one-letter name a forward gives its output (003's post writes E = ½‖X3 − T‖², so ∂E/∂W1).
# The code's names stay dLdW1 whatever it is: only the printed math follows the loss's name.
_LOSS: ContextVar[str] = ContextVar("loss", default="L")


def loss_symbol() -> str:
    """The letter printed as the numerator of a gradient: ∂L/∂W, or ∂E/∂W within
    :func:`loss_named` ("E")."""
    return _LOSS.get()


@contextmanager
def loss_named(name: str | None) -> Iterator[None]:
    """Print gradients as ∂<name>/∂X inside the block, when ``name`` (a graph's output step)
    is one letter; any other name (or none) keeps L."""
    token = _LOSS.set(name if name and re.fullmatch(r"[A-Za-z]", name) else "L")
    try:
        yield
    finally:
        _LOSS.reset(token)


_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "lambda", "mu", "nu",
    "xi", "pi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega", "Lambda", "Sigma", "Delta",
    "Gamma", "Omega", "Phi", "Psi", "Theta",
}


def escape_latex(text: str) -> str:
    """Escape LaTeX's special characters in user text."""
    return "".join(_LATEX_SPECIAL.get(c, c) for c in text)


def name_latex(name: str) -> str:
    """A step or input name as LaTeX: W1 -> W_{1}, dLdN -> dL/dN as a fraction, delta2 -> ..."""
    m = re.fullmatch(r"d([A-Za-z]\w*?)d([A-Za-z]\w*)", name)
    if m and name.startswith("dL") and m.group(1) == "L":
        return rf"\frac{{\partial {loss_symbol()}}}{{\partial {name_latex(m.group(2))}}}"
    m = re.fullmatch(r"([A-Za-z]+)_?(\d+)", name)
    if m:
        return rf"{name_latex(m.group(1))}_{{{m.group(2)}}}"
    if name in _GREEK:
        return "\\" + name
    if re.fullmatch(r"[A-Za-z]", name):
        return name
    if re.fullmatch(r"[A-Za-z]\w*", name) and "_" not in name:
        return rf"\mathit{{{name}}}"
    return rf"\mathit{{{escape_latex(name)}}}"


def number_latex(v: float) -> str:
    """2.0 -> 2, 0.2 -> 0.2."""
    if float(v).is_integer():
        return str(int(v))
    return repr(float(v))


class LatexPrinter:
    """Expression -> LaTeX. Named nodes print as their names unless ``expand`` says not."""

    def __init__(self, expand: bool = False) -> None:
        self.expand = expand

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("input", "adjoint", "const"):
            if not self.expand:
                return name_latex(node.name)
        return spec(node.op).latex(self, node)

    def paren(self, node: Node, prec: int) -> str:
        """The argument, in parentheses when it binds less tightly than ``prec``."""
        s = self.doprint(node, top=False)
        inner = spec(node.op).latex_prec
        if node.name and not self.expand:
            inner = 9
        if _negative_number(node):  # a negative number; a matrix prints in brackets
            inner = 0
        return rf"\left({s}\right)" if inner < prec else s

    name = staticmethod(name_latex)
    number = staticmethod(number_latex)


def _negative_number(node: Node) -> bool:
    if node.op != "const" or node.name:
        return False
    v = const_value(node)
    return np.ndim(v) == 0 and v < 0


def to_latex(node: Node, expand: bool = False) -> str:
    return LatexPrinter(expand).doprint(node)


class NumpyPrinter:
    """Expression -> numpy source. Constant arrays go into ``namespace`` by name."""

    square_as_call = False  # x**2 as np.square(x) (the compiler's choice: cheaper)

    def __init__(self, namespace: dict[str, object] | None = None) -> None:
        self.namespace = namespace if namespace is not None else {}

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("const",):
            return node.name
        return spec(node.op).numpy(self, node)

    def paren(self, node: Node) -> str:
        s = self.doprint(node, top=False)
        return s if _is_atom(s) or node.name else f"({s})"

    @staticmethod
    def shape_code(node: Node) -> str:
        """The node's shape with sizes read off inputs: '(X.shape[0], 4)'."""
        from derive.ops.dims import shape_code

        return shape_code(node)

    def constant(self, value: np.ndarray) -> str:
        """A constant array's name in the namespace the code runs in."""
        key = f"_c{len(self.namespace)}"
        self.namespace[key] = value
        return key


def _is_atom(s: str) -> bool:
    """A name, or one call whose parentheses close at the very end: f(a) is, f(a) * g(b) is not."""
    m = re.match(r"[\w.]+", s)
    if not m or s.startswith("-"):
        return False
    rest = s[m.end():]
    if not rest:
        return True
    if rest[0] != "(":
        return False
    depth = 0
    for i, c in enumerate(rest):
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth == 0:
            return i == len(rest) - 1
    return False


def to_numpy(node: Node, namespace: dict[str, object] | None = None) -> str:
    return NumpyPrinter(namespace).doprint(node)


# ---------------------------------------------------------------- plain Unicode text


def name_text(name: str) -> str:
    """dLdN1 -> ∂L/∂N1 (∂E/∂N1 within loss_named("E")); other names as they are."""
    m = re.fullmatch(r"dLd([A-Za-z_]\w*)", name)
    return f"∂{loss_symbol()}/∂{m.group(1)}" if m else name


def _number(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else f"{v:.6g}"


class TextPrinter:
    """Expression -> one line of Unicode math: X·W1 + B1, σ'(N1) ⊙ ∂L/∂O1, Xᵀ·∂L/∂N1."""

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("input", "adjoint", "const"):
            return node.name
        return spec(node.op).text(self, node)

    def paren(self, node: Node, prec: int) -> str:
        s = self.doprint(node, top=False)
        inner = 9 if node.name or node.op in ("input", "adjoint") else spec(node.op).text_prec
        if _negative_number(node):
            inner = 0
        return f"({s})" if inner < prec else s

    name = staticmethod(name_text)
    number = staticmethod(_number)


def to_text(node: Node) -> str:
    return TextPrinter().doprint(node)
