"""The one table of elementary functions: one row per function, everything about it.

A row carries the function's symbolic form (SymPy: the proofs differentiate it), its stable
numpy form (from :mod:`derive.numeric.functions` or a numpy ufunc), its LaTeX and plain-text
forms and those of its derivative, its derivative through the forward value where a textbook
writes it so (sigma' = S (1 - S), tanh' = 1 - T^2: the generated code reuses the forward's
value, and it stays finite where the symbolic form overflows), its kinks, the numpy ufuncs
the tracer maps onto it, and the source that ``--fix`` pastes. Adding a function is one row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from derive.lazysympy import sp
from derive.numeric import functions as nf
from derive.ops.registry import build


def __getattr__(name: str) -> Any:
    """``U`` (the documents' dummy variable) and ``sigmoid`` (SymPy's sigma) are SymPy
    objects: they live in :mod:`derive.symfunctions`, imported when first asked for."""
    if name in ("U", "sigmoid"):
        from derive import symfunctions

        return getattr(symfunctions, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _sp(name: str) -> Callable[[Any], Any]:
    """SymPy's function ``name``, looked up when first applied (SymPy loads lazily)."""
    return lambda u: getattr(sp, name)(u)


def _sigmoid_sym(u: Any) -> Any:
    from derive.symfunctions import sigmoid

    return sigmoid(u)


ByValue = Callable[[Any], Any]  # the argument's node -> the derivative's node


def _by_value_exp(x: Any) -> Any:

    return build.fn("exp", x)


def _by_value_sigmoid(x: Any) -> Any:

    s = build.fn("sigmoid", x)
    return build.mul(s, build.sub(build.const(1.0), s))


def _by_value_tanh(x: Any) -> Any:

    t = build.fn("tanh", x)
    return build.sub(build.const(1.0), build.mul(t, t))


def _by_value_softplus(x: Any) -> Any:

    return build.fn("sigmoid", x)


def _by_value_cbrt(x: Any) -> Any:
    """1 / (3 cbrt(x)^2): real for negative x too, where SymPy's x^(2/3) is complex."""
    squared = build.power(build.fn("cbrt", x), build.const(2.0))
    return build.div(build.const(1.0), build.mul(build.const(3.0), squared))


def _sigmoid_forms(u: Any) -> Any:

    one = build.const(1.0)
    e = build.fn("exp", build.neg(u))
    return (build.div(one, build.add(one, e)), build.power(build.add(one, e), build.const(-1.0)),
            build.div(build.fn("exp", u), build.add(one, build.fn("exp", u))),
            build.div(build.fn("exp", u), build.add(build.fn("exp", u), one)))


def _tanh_forms(u: Any) -> Any:

    ep, em = build.fn("exp", u), build.fn("exp", build.neg(u))
    two = build.mul(build.const(2.0), u)
    e2 = build.fn("exp", build.neg(two))
    return (build.div(build.sub(ep, em), build.add(ep, em)),
            build.div(build.sub(build.const(1.0), e2), build.add(build.const(1.0), e2)),
            build.sub(build.mul(build.const(2.0), build.fn("sigmoid", two)), build.const(1.0)))


def _relu_forms(u: Any) -> Any:

    zero = build.const(0.0)
    return (build.maximum(u, zero), build.where(build.compare(">", u, zero), u, zero))


def _softplus_forms(u: Any) -> Any:

    e = build.fn("exp", u)
    return (build.fn("log", build.add(build.const(1.0), e)), build.fn("log1p", e),
            build.logaddexp(build.const(0.0), u))


def _by_value_log(u: Any) -> Any:
    """log'(u) = 1/u (no forward value needed)."""
    return build.div(build.const(1.0), u)


def _pattern(forms: Callable[[Any], Any], k: int) -> ByValue:
    return lambda u: forms(u)[k]


def _patterns(forms: Callable[[Any], Any], count: int) -> tuple[ByValue, ...]:
    return tuple(_pattern(forms, k) for k in range(count))


def _dirac_delta(x: np.ndarray, k: int = 0) -> np.ndarray:
    """d/du of Heaviside and sign: zero wherever it exists (at 0 one-sided differences decide)."""
    return np.zeros_like(np.asarray(x, dtype=np.float64))


@dataclass(frozen=True)
class Elementary:
    """One row: how a function reads in SymPy, numpy, LaTeX and text, and its derivative."""

    name: str
    sym: Callable[[sp.Expr], sp.Expr]
    num: Callable[[np.ndarray], np.ndarray]
    latex: str  # template with {a} for the argument
    dlatex: str  # the first derivative, same template
    text: str = ""  # plain-text template ("σ({a})"); default: name({a})
    kinks: tuple[float, ...] = ()
    ufuncs: tuple[np.ufunc, ...] = ()  # numpy ufuncs the tracer maps onto this row
    by_value: ByValue | None = None  # f' through f's own value, for generated code
    source: str = ""  # body of ``def name(u):`` pasted by --fix (rows without a ufunc)
    short: str = ""  # operator name where the LaTeX has none of its own (lrelu)
    # where its real derivative exists: "real", "positive" (log, sqrt) or "unit" (|u| < 1)
    domain: str = "real"
    # how users write it by hand, as expressions of a placeholder (derive.recognize)
    patterns: tuple[ByValue, ...] = ()
    sympy_names: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # piecewise constant (sign, step): its derivative is 0 wherever it exists, so the chain
    # rule drops the term (at the jump one-sided differences decide, as at any kink)
    flat: bool = False

    def derivative(self, order: int = 1) -> sp.Expr:
        """d^k f / du^k as a SymPy expression in ``U``."""
        from derive.symfunctions import U

        return sp.diff(self.sym(U), U, order)

    def to_latex(self, arg: str, order: int = 0) -> str:
        if order == 0:
            return self.latex.format(a=arg)
        if order == 1:
            return self.dlatex.format(a=arg)
        # a placeholder symbol, so that only the argument is replaced (not the u of \mu, \sum)
        from derive.symfunctions import U

        slot = sp.Symbol("zzarg", real=True)
        return sp.latex(self.derivative(order).subs(U, slot)).replace("zzarg", arg)

    def to_text(self, arg: str, order: int = 0) -> str:
        if order == 0 and self.text:
            return self.text.format(a=arg)
        base = self.text.split("(")[0] if self.text.endswith("({a})") else self.name
        mark = "'" * order if order <= 2 else f"^({order})"
        return f"{base}{mark}({arg})"

    def letter(self) -> str:
        r"""A step's function letter: sigma -> \sigma; relu -> \operatorname{relu}."""
        head, sep, tail = self.to_latex("u").partition(r"\left(u\right)")
        if sep and not tail:
            return head or "f"
        if self.to_latex("u").startswith(r"\left"):
            return "f"  # (u)^2, |u|: brackets around the argument, no name of its own
        return rf"\operatorname{{{(self.short or self.name).replace('_', '')}}}"


def _heaviside(x: np.ndarray) -> np.ndarray:
    return np.heaviside(x, 0.5)


_ROWS = (
    Elementary("square", lambda u: u**2, nf.square, r"\left({a}\right)^{{2}}", r"2 {a}",
               source="    return u ** 2"),
    Elementary("relu", lambda u: sp.Max(u, 0), nf.relu, r"\max\left({a}, 0\right)",
               r"H\left({a}\right)", kinks=(0.0,), source="    return np.maximum(u, 0.0)"),
    Elementary("leaky_relu", lambda u: sp.Max(sp.Rational(1, 5) * u, u), nf.leaky_relu,
               r"\max\left(0.2 {a}, {a}\right)", r"\operatorname{{lrelu}}'\left({a}\right)",
               kinks=(0.0,), short="lrelu", source="    return np.maximum(0.2 * u, u)"),
    Elementary("sigmoid", _sigmoid_sym, nf.sigmoid, r"\sigma\left({a}\right)",
               r"\sigma'\left({a}\right)", text="σ({a})", by_value=_by_value_sigmoid,
               source=("    e = np.exp(-np.abs(u))\n"
                       "    return np.where(u >= 0, 1 / (1 + e), e / (1 + e))"),
               sympy_names={"sigmoid": nf.sigmoid}, patterns=_patterns(_sigmoid_forms, 4)),
    Elementary("softplus", lambda u: sp.log(1 + sp.exp(u)), nf.softplus,
               r"\operatorname{{softplus}}\left({a}\right)", r"\sigma\left({a}\right)",
               by_value=_by_value_softplus, source="    return np.logaddexp(0.0, u)",
               patterns=_patterns(_softplus_forms, 3)),
    Elementary("exp", _sp("exp"), np.exp, r"e^{{{a}}}", r"e^{{{a}}}", ufuncs=(np.exp,),
               by_value=_by_value_exp),
    Elementary("log", _sp("log"), np.log, r"\log\left({a}\right)", r"\frac{{1}}{{{a}}}",
               ufuncs=(np.log,), domain="positive", by_value=_by_value_log),
    Elementary("log1p", lambda u: sp.log(1 + u), np.log1p, r"\log\left(1 + {a}\right)",
               r"\frac{{1}}{{1 + {a}}}", ufuncs=(np.log1p,), domain="positive"),
    Elementary("expm1", lambda u: sp.exp(u) - 1, np.expm1, r"\left(e^{{{a}}} - 1\right)",
               r"e^{{{a}}}", ufuncs=(np.expm1,)),
    Elementary("tanh", _sp("tanh"), np.tanh, r"\tanh\left({a}\right)",
               r"\left(1 - \tanh^{{2}}\left({a}\right)\right)", ufuncs=(np.tanh,),
               by_value=_by_value_tanh, patterns=_patterns(_tanh_forms, 3)),
    Elementary("sqrt", _sp("sqrt"), np.sqrt, r"\sqrt{{{a}}}", r"\frac{{1}}{{2\sqrt{{{a}}}}}",
               ufuncs=(np.sqrt,), domain="positive"),
    Elementary("abs", _sp("Abs"), np.abs, r"\left|{a}\right|",
               r"\operatorname{{sign}}\left({a}\right)",
               text="|{a}|", kinks=(0.0,), ufuncs=(np.abs, np.absolute)),
    Elementary("heaviside", _sp("Heaviside"), _heaviside, r"H\left({a}\right)", r"0", flat=True,
               text="H({a})", kinks=(0.0,), source="    return np.heaviside(u, 0.5)",
               sympy_names={"Heaviside": lambda x, h0=0.5: np.heaviside(x, h0),
                            "DiracDelta": _dirac_delta}),
    Elementary("sign", _sp("sign"), np.sign, r"\operatorname{{sign}}\left({a}\right)", r"0",
               flat=True,
               kinks=(0.0,), ufuncs=(np.sign,)),
    Elementary("sin", _sp("sin"), np.sin, r"\sin\left({a}\right)", r"\cos\left({a}\right)",
               ufuncs=(np.sin,)),
    Elementary("cos", _sp("cos"), np.cos, r"\cos\left({a}\right)", r"-\sin\left({a}\right)",
               ufuncs=(np.cos,)),
    Elementary("tan", _sp("tan"), np.tan, r"\tan\left({a}\right)",
               r"\left(1 + \tan^{{2}}\left({a}\right)\right)", ufuncs=(np.tan,)),
    Elementary("arcsin", _sp("asin"), np.arcsin, r"\arcsin\left({a}\right)",
               r"\frac{{1}}{{\sqrt{{1 - {a}^{{2}}}}}}", ufuncs=(np.arcsin,), domain="unit"),
    Elementary("arccos", _sp("acos"), np.arccos, r"\arccos\left({a}\right)",
               r"-\frac{{1}}{{\sqrt{{1 - {a}^{{2}}}}}}", ufuncs=(np.arccos,), domain="unit"),
    Elementary("arctan", _sp("atan"), np.arctan, r"\arctan\left({a}\right)",
               r"\frac{{1}}{{1 + {a}^{{2}}}}", ufuncs=(np.arctan,)),
    Elementary("sinh", _sp("sinh"), np.sinh, r"\sinh\left({a}\right)", r"\cosh\left({a}\right)",
               ufuncs=(np.sinh,)),
    Elementary("cosh", _sp("cosh"), np.cosh, r"\cosh\left({a}\right)", r"\sinh\left({a}\right)",
               ufuncs=(np.cosh,)),
    Elementary("arcsinh", _sp("asinh"), np.arcsinh, r"\operatorname{{arsinh}}\left({a}\right)",
               r"\frac{{1}}{{\sqrt{{1 + {a}^{{2}}}}}}", ufuncs=(np.arcsinh,)),
    Elementary("log2", lambda u: sp.log(u, 2), np.log2, r"\log_{{2}}\left({a}\right)",
               r"\frac{{1}}{{{a} \ln 2}}", ufuncs=(np.log2,), domain="positive"),
    Elementary("log10", lambda u: sp.log(u, 10), np.log10, r"\log_{{10}}\left({a}\right)",
               r"\frac{{1}}{{{a} \ln 10}}", ufuncs=(np.log10,), domain="positive"),
    Elementary("exp2", lambda u: 2**u, np.exp2, r"2^{{{a}}}", r"2^{{{a}}} \ln 2",
               ufuncs=(np.exp2,)),
    Elementary("cbrt", _sp("cbrt"), np.cbrt, r"\sqrt[3]{{{a}}}",
               r"\frac{{1}}{{3 \sqrt[3]{{{a}}}^{{2}}}}", ufuncs=(np.cbrt,),
               by_value=_by_value_cbrt, domain="positive"),
)

TABLE: dict[str, Elementary] = {e.name: e for e in _ROWS}


def lookup(name: str) -> Elementary:
    """The row for ``name``; a missing row is an error that names the function."""
    try:
        return TABLE[name]
    except KeyError:
        known = ", ".join(sorted(TABLE))
        raise KeyError(f"no elementary function {name!r} (known: {known})") from None


@cache
def by_ufunc() -> dict[np.ufunc, str]:
    """numpy ufunc -> table name, for the tracer."""
    return {u: e.name for e in TABLE.values() for u in e.ufuncs}


def sympy_namespace() -> dict[str, Callable[..., np.ndarray]]:
    """Names lambdify must resolve to our numpy forms (custom SymPy functions)."""
    out: dict[str, Callable[..., np.ndarray]] = {}
    for row in TABLE.values():
        out.update(row.sympy_names)
    return out
