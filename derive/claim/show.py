"""A parse tree printed as Unicode text, LaTeX and numpy, for a reading whose shapes do not
fit (it has no expression node to print): every grouping made visible with brackets."""

from __future__ import annotations

from derive.backward import adjoint_name
from derive.claim import ast as A
from derive.printers import escape_latex, name_latex, name_text

_TEXT_OPS = {"add": " + ", "sub": " − ", "mul": " ⊙ ", "div": " / ", "matmul": "·"}
_LATEX_OPS = {"add": " + ", "sub": " - ", "mul": r" \odot ", "div": " / ", "matmul": r" \, "}
_CODE_OPS = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / ", "matmul": " @ "}
_TEXT_FN = {"sigmoid": "σ", "tanh": "tanh", "exp": "exp", "log": "log", "relu": "relu"}
_LATEX_FN = {"sigmoid": r"\sigma", "tanh": r"\tanh", "exp": r"\exp", "log": r"\log",
             "relu": r"\operatorname{relu}"}


def tree_forms(tree: A.Ast) -> tuple[str, str, str]:
    return _text(tree), _latex(tree), _code(tree)


def _key(key: tuple[int | None, ...]) -> str:
    return ", ".join(":" if k is None else str(k) for k in key)


def _atomic(t: A.Ast) -> bool:
    return not isinstance(t, (A.Bin, A.Chain, A.Neg, A.Cmp))


def _num(v: float) -> str:
    return str(int(v)) if v == int(v) else repr(v)


def _text(t: A.Ast) -> str:
    def p(x: A.Ast) -> str:
        return _text(x) if _atomic(x) else f"({_text(x)})"

    if isinstance(t, A.Num):
        return _num(t.value)
    if isinstance(t, A.Var):
        return name_text(t.name)
    if isinstance(t, A.Grad):
        return name_text(adjoint_name(t.of))
    if isinstance(t, A.Size):
        return "n" if t.input is None else f"{t.input}.shape[{t.axis}]"
    if isinstance(t, A.Ones):
        return "𝟙"
    if isinstance(t, A.Neg):
        return f"−{p(t.a)}"
    if isinstance(t, A.T):
        return f"{p(t.a)}ᵀ"
    if isinstance(t, A.Bin):
        if t.op == "pow":
            return f"{p(t.a)}^{p(t.b)}"
        return f"{p(t.a)}{_TEXT_OPS[t.op]}{p(t.b)}"
    if isinstance(t, A.Chain):
        return _text(A.groupings(t)[0])
    if isinstance(t, A.Call):
        return _TEXT_FN.get(t.fn, t.fn) + "'" * t.order + f"({_text(t.a)})"
    if isinstance(t, A.Reduce):
        return f"{t.op}({_text(t.a)}, axis={t.axis})"
    if isinstance(t, A.Apply):
        return f"{t.fn}({', '.join(_text(x) for x in t.args)})"
    if isinstance(t, A.Index):
        return f"{p(t.a)}[{_key(t.key)}]"
    if isinstance(t, A.Cmp):
        return f"[{_text(t.a)} {t.op} {_text(t.b)}]"
    raise TypeError(type(t).__name__)


def _latex(t: A.Ast) -> str:
    def p(x: A.Ast) -> str:
        return _latex(x) if _atomic(x) else rf"\left({_latex(x)}\right)"

    if isinstance(t, A.Num):
        return _num(t.value)
    if isinstance(t, A.Var):
        return name_latex(t.name)
    if isinstance(t, A.Grad):
        return name_latex(adjoint_name(t.of))
    if isinstance(t, A.Size):
        return "n" if t.input is None else rf"\dim_{{{t.axis}}}\left({name_latex(t.input)}\right)"
    if isinstance(t, A.Ones):
        return r"\mathbf{1}"
    if isinstance(t, A.Neg):
        return f"-{p(t.a)}"
    if isinstance(t, A.T):
        return f"{p(t.a)}^{{T}}"
    if isinstance(t, A.Bin):
        if t.op == "pow":
            return f"{p(t.a)}^{{{_latex(t.b)}}}"
        if t.op == "div":
            return rf"\frac{{{_latex(t.a)}}}{{{_latex(t.b)}}}"
        return f"{p(t.a)}{_LATEX_OPS[t.op]}{p(t.b)}"
    if isinstance(t, A.Chain):
        return _latex(A.groupings(t)[0])
    if isinstance(t, A.Call):
        name = _LATEX_FN.get(t.fn, escape_latex(t.fn)) + "'" * t.order
        return rf"{name}\left({_latex(t.a)}\right)"
    if isinstance(t, A.Reduce):
        return rf"\operatorname{{{t.op}}}_{{{t.axis}}}\left({_latex(t.a)}\right)"
    if isinstance(t, A.Apply):
        args = ", ".join(_latex(x) for x in t.args)
        return rf"\operatorname{{{escape_latex(t.fn)}}}\left({args}\right)"
    if isinstance(t, A.Index):
        return f"{p(t.a)}[{_key(t.key)}]"
    if isinstance(t, A.Cmp):
        op = {">=": r"\geq", "<=": r"\leq"}.get(t.op, t.op)
        return rf"\mathbb{{1}}\left[{_latex(t.a)} {op} {_latex(t.b)}\right]"
    raise TypeError(type(t).__name__)


def _code(t: A.Ast) -> str:
    def p(x: A.Ast) -> str:
        return _code(x) if _atomic(x) else f"({_code(x)})"

    if isinstance(t, A.Num):
        return _num(t.value)
    if isinstance(t, A.Var):
        return t.name
    if isinstance(t, A.Grad):
        return adjoint_name(t.of)
    if isinstance(t, A.Size):
        return "n" if t.input is None else f"{t.input}.shape[{t.axis}]"
    if isinstance(t, A.Ones):
        return "np.ones((n, 1))"
    if isinstance(t, A.Neg):
        return f"-{p(t.a)}"
    if isinstance(t, A.T):
        return f"{p(t.a)}.T"
    if isinstance(t, A.Bin):
        if t.op == "pow":
            return f"{p(t.a)} ** {p(t.b)}"
        return f"{p(t.a)}{_CODE_OPS[t.op]}{p(t.b)}"
    if isinstance(t, A.Chain):
        return _code(A.groupings(t)[0])
    if isinstance(t, A.Call):
        name = t.fn if t.order == 0 else f"{t.fn}_prime"
        return f"{name}({_code(t.a)})"
    if isinstance(t, A.Reduce):
        keep = ", keepdims=True" if t.keepdims else ""
        return f"np.{t.op}({_code(t.a)}, axis={t.axis}{keep})"
    if isinstance(t, A.Apply):
        return f"{t.fn}({', '.join(_code(x) for x in t.args)})"
    if isinstance(t, A.Index):
        return f"{p(t.a)}[{_key(t.key)}]"
    if isinstance(t, A.Cmp):
        return f"({_code(t.a)} {t.op} {_code(t.b)})"
    raise TypeError(type(t).__name__)
