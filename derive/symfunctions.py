"""The SymPy objects of the function table: the dummy variable and sigma as a SymPy function.

Kept apart from :mod:`derive.functions` so that reading the table (the tracer, the chain rule,
the numpy code) never imports SymPy; a proof or a printed derivative does.
"""

from __future__ import annotations

import sympy as sp

U = sp.Symbol("u", real=True)  # the documents' dummy variable: d sigma / du


class sigmoid(sp.Function):  # noqa: N801 - SymPy function classes are lower case by convention
    """sigma(u) = 1 / (1 + exp(-u)), with the documents' derivative sigma (1 - sigma)."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_is_extended_real(self) -> bool | None:
        return self.args[0].is_extended_real

    def _eval_is_positive(self) -> bool | None:  # in (0, 1) for every real argument
        return True if self.args[0].is_extended_real else None

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: object = None) -> str:
        inner = printer._print(self.args[0])
        base = rf"\sigma\left({inner}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"
