"""Our own LaTeX and numpy printers for the expression language (one method per op).

As SymPy's printers do, each operation has one ``_op`` method, so a new operation
needs one method here beside its rule in :mod:`derive.rules`. Names a user chose
(step and input names) are escaped for LaTeX.
"""

from __future__ import annotations

import re

import numpy as np

from derive import expr as E
from derive.expr import Node, const_value
from derive.functions import lookup

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\~{}",
}
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
        return rf"\frac{{\partial L}}{{\partial {name_latex(m.group(2))}}}"
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
    if float(v).is_integer():
        return str(int(v))
    return repr(float(v))


_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 2, "div": 3, "matmul": 2, "pow": 4}


class LatexPrinter:
    """Expression -> LaTeX. Named nodes print as their names unless ``expand`` says not."""

    def __init__(self, expand: bool = False) -> None:
        self.expand = expand

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("input", "adjoint", "const"):
            if not self.expand:
                return name_latex(node.name)
        return getattr(self, f"_{node.op}")(node)

    def _p(self, node: Node, prec: int) -> str:
        s = self.doprint(node, top=False)
        inner = _PREC.get(node.op, 9)
        if node.name and not self.expand:
            inner = 9
        if node.op == "const" and not node.name and np.ndim(const_value(node)) == 0 \
                and const_value(node) < 0:  # a negative number; a matrix prints in brackets
            inner = 0
        return rf"\left({s}\right)" if inner < prec else s

    def _input(self, n: Node) -> str:
        return name_latex(n.name or "?")

    _adjoint = _input

    def _const(self, n: Node) -> str:
        if n.name:
            return name_latex(n.name)
        v = const_value(n)
        if isinstance(v, np.ndarray):
            rows = np.atleast_2d(v)
            body = r" \\ ".join(" & ".join(number_latex(x) for x in r) for r in rows)
            return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        return number_latex(v)

    def _add(self, n: Node) -> str:
        return f"{self._p(n.args[0], 1)} + {self._p(n.args[1], 1)}"

    def _sub(self, n: Node) -> str:
        return f"{self._p(n.args[0], 1)} - {self._p(n.args[1], 2)}"

    def _mul(self, n: Node) -> str:
        a, b = n.args
        if not a.shape or not b.shape:
            return rf"{self._p(a, 2)} \, {self._p(b, 2)}"
        return rf"{self._p(a, 2)} \odot {self._p(b, 3)}"

    def _div(self, n: Node) -> str:
        a, b = n.args
        return rf"\frac{{{self.doprint(a, False)}}}{{{self.doprint(b, False)}}}"

    def _neg(self, n: Node) -> str:
        return f"-{self._p(n.args[0], 3)}"

    def _pow(self, n: Node) -> str:
        return f"{self._p(n.args[0], 5)}^{{{self.doprint(n.args[1], False)}}}"

    def _matmul(self, n: Node) -> str:
        return rf"{self._p(n.args[0], 3)} \, {self._p(n.args[1], 3)}"

    def _transpose(self, n: Node) -> str:
        return rf"{self._p(n.args[0], 5)}^{{T}}"

    def _reshape(self, n: Node) -> str:
        return self.doprint(n.args[0], False)

    def _getitem(self, n: Node) -> str:
        return rf"{self._p(n.args[0], 5)}_{{[{E.key_text(n.attrs[0])}]}}"

    def _scatter(self, n: Node) -> str:
        inner = self.doprint(n.args[0], False)
        return rf"\operatorname{{scatter}}_{{[{E.key_text(n.attrs[0])}]}}\left({inner}\right)"

    def _sum(self, n: Node) -> str:
        return self._reduction(r"\operatorname{sum}", n)

    def _mean(self, n: Node) -> str:
        return self._reduction(r"\operatorname{mean}", n)

    def _amax(self, n: Node) -> str:
        return self._reduction(r"\max", n)

    def _amin(self, n: Node) -> str:
        return self._reduction(r"\min", n)

    def _reduction(self, op: str, n: Node) -> str:
        axes, _ = n.attrs
        sub = "" if axes is None else "_{" + ",".join(str(a) for a in axes) + "}"
        return rf"{op}{sub}\left({self.doprint(n.args[0], False)}\right)"

    def _sum_to(self, n: Node) -> str:
        axes = summed_axes(n.args[0].shape, n.shape)
        label = "rows" if axes == (0,) else ",".join(str(a) for a in axes)
        inner = self.doprint(n.args[0], False)
        return rf"\operatorname{{sum}}_{{\text{{{label}}}}}\left({inner}\right)"

    def _broadcast_to(self, n: Node) -> str:
        return self.doprint(n.args[0], False)

    def _ones(self, n: Node) -> str:
        return r"\mathbf{1}"

    def _fn(self, n: Node) -> str:
        name, order = n.attrs
        return lookup(name).to_latex(self.doprint(n.args[0], False), order)

    def _maximum(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return rf"\max\left({a}, {b}\right)"

    def _minimum(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return rf"\min\left({a}, {b}\right)"

    def _compare(self, n: Node) -> str:
        op = {">=": r"\geq", "<=": r"\leq", "!=": r"\neq"}.get(n.attrs[0], n.attrs[0])
        return f"{self._p(n.args[0], 2)} {op} {self._p(n.args[1], 2)}"

    def _where(self, n: Node) -> str:
        c, a, b = (self.doprint(x, False) for x in n.args)
        return rf"\begin{{cases}} {a} & {c} \\ {b} & \text{{otherwise}} \end{{cases}}"

    def _logaddexp(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return rf"\log\left(e^{{{a}}} + e^{{{b}}}\right)"


def summed_axes(src: tuple[int, ...], dst: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of ``src`` that undoing a broadcast to ``dst`` sums over."""
    lead = len(src) - len(dst)
    return tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(dst) if s == 1 and src[lead + i] != 1
    )


def to_latex(node: Node, expand: bool = False) -> str:
    return LatexPrinter(expand).doprint(node)


class NumpyPrinter:
    """Expression -> numpy source. Constant arrays go into ``namespace`` by name."""

    def __init__(self, namespace: dict[str, object] | None = None) -> None:
        self.namespace = namespace if namespace is not None else {}

    def doprint(self, node: Node, top: bool = True) -> str:
        if node.name and not top and node.op not in ("const",):
            return node.name
        return getattr(self, f"_{node.op}")(node)

    def _p(self, node: Node) -> str:
        s = self.doprint(node, top=False)
        return s if _is_atom(s) or node.name else f"({s})"

    def _input(self, n: Node) -> str:
        return n.name or "?"

    _adjoint = _input

    def _const(self, n: Node) -> str:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            key = f"_c{len(self.namespace)}"
            self.namespace[key] = v
            return key
        return repr(float(v))

    def _add(self, n: Node) -> str:
        return f"{self._p(n.args[0])} + {self._p(n.args[1])}"

    def _sub(self, n: Node) -> str:
        return f"{self._p(n.args[0])} - {self._p(n.args[1])}"

    def _mul(self, n: Node) -> str:
        return f"{self._p(n.args[0])} * {self._p(n.args[1])}"

    def _div(self, n: Node) -> str:
        return f"{self._p(n.args[0])} / {self._p(n.args[1])}"

    def _neg(self, n: Node) -> str:
        return f"-{self._p(n.args[0])}"

    def _pow(self, n: Node) -> str:
        return f"np.power({self.doprint(n.args[0], False)}, {self.doprint(n.args[1], False)})"

    def _matmul(self, n: Node) -> str:
        return f"{self._p(n.args[0])} @ {self._p(n.args[1])}"

    def _transpose(self, n: Node) -> str:
        (perm,) = n.attrs
        if len(perm) == 2:
            return f"{self._p(n.args[0])}.T"
        return f"np.transpose({self.doprint(n.args[0], False)}, {perm})"

    def _reshape(self, n: Node) -> str:
        return f"{self._p(n.args[0])}.reshape({n.shape})"

    def _getitem(self, n: Node) -> str:
        return f"{self._p(n.args[0])}[{E.key_text(n.attrs[0])}]"

    def _scatter(self, n: Node) -> str:
        return (f"scatter({self.doprint(n.args[0], False)}, {n.shape}, "
                f"np.s_[{E.key_text(n.attrs[0])}])")

    def _sum(self, n: Node) -> str:
        return self._reduction("sum", n)

    def _mean(self, n: Node) -> str:
        return self._reduction("mean", n)

    def _amax(self, n: Node) -> str:
        return self._reduction("max", n)

    def _amin(self, n: Node) -> str:
        return self._reduction("min", n)

    def _reduction(self, op: str, n: Node) -> str:
        axes, keep = n.attrs
        args = [self.doprint(n.args[0], False)]
        if axes is not None:
            args.append(f"axis={axes[0] if len(axes) == 1 else axes}")
        if keep:
            args.append("keepdims=True")
        return f"np.{op}({', '.join(args)})"

    def _sum_to(self, n: Node) -> str:
        src, dst = n.args[0].shape, n.shape
        lead = len(src) - len(dst)
        code = self._p(n.args[0])
        if lead:
            code = f"{code}.sum(axis={0 if lead == 1 else tuple(range(lead))})"
        keep = tuple(i for i, s in enumerate(dst) if s == 1 and src[lead + i] != 1)
        if keep:
            code = f"{code}.sum(axis={keep[0] if len(keep) == 1 else keep}, keepdims=True)"
        return code

    def _broadcast_to(self, n: Node) -> str:
        return f"np.broadcast_to({self.doprint(n.args[0], False)}, {n.shape})"

    def _ones(self, n: Node) -> str:
        a = n.args[0]
        if a.name:
            return f"np.ones_like({a.name})"
        return f"np.ones({n.shape})"

    def _fn(self, n: Node) -> str:
        name, order = n.attrs
        fname = name if order == 0 else f"d{order}_{name}"
        return f"{fname}({self.doprint(n.args[0], False)})"

    def _maximum(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return f"np.maximum({a}, {b})"

    def _minimum(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return f"np.minimum({a}, {b})"

    def _compare(self, n: Node) -> str:
        return f"({self._p(n.args[0])} {n.attrs[0]} {self._p(n.args[1])})"

    def _where(self, n: Node) -> str:
        c, a, b = (self.doprint(x, False) for x in n.args)
        return f"np.where({c}, {a}, {b})"

    def _logaddexp(self, n: Node) -> str:
        a, b = (self.doprint(x, False) for x in n.args)
        return f"np.logaddexp({a}, {b})"


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

_SYMBOL = {"sigmoid": "σ", "heaviside": "H"}
_SUPERSCRIPT = {2.0: "²", 3.0: "³"}
_TEXT_PREC = {"add": 1, "sub": 1, "neg": 2, "mul": 2, "div": 3, "matmul": 3, "pow": 4}


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
        inner = 9 if node.name or node.op in ("input", "adjoint") else _TEXT_PREC.get(node.op, 9)
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
