"""The LaTeX side of the formula grammar: \\frac, \\left( ... \\right), \\sigma', \\mathbf{1}
and indicators, \\sum_i, \\operatorname{sum}_{\\text{rows}} and \\dim_k. A mixin of the parser
in :mod:`derive.claim.parse`, which owns the token stream and the rest of the grammar."""

from __future__ import annotations

from typing import Any

from derive.claim import ast as A
from derive.claim.tokens import FormulaError

LATEX_FUNCTIONS = {r"\sigma": "sigmoid", r"\tanh": "tanh", r"\exp": "exp", r"\log": "log",
                   r"\ln": "log"}
NAME_CMDS = (r"\operatorname", r"\mathrm", r"\text", r"\textrm", r"\mathit")
ONES_CMDS = (r"\mathbf", r"\mathbb", r"\boldsymbol")


class LatexCommands:
    """Parsing methods for LaTeX commands; ``self`` is the parser of derive.claim.parse."""

    # provided by the parser
    tok: Any
    at: Any
    take: Any
    peek: Any
    expect: Any
    fail: Any
    known: Any
    comparison: Any
    chain: Any
    group: Any
    primary: Any
    argument: Any
    call: Any
    primes: Any
    integer: Any
    functions: Any
    frac_gradient: Any

    def command(self) -> A.Ast:
        t = self.tok
        c = t.text
        if c == r"\left":
            self.take()
            pairs = {"(": ")", "[": "]", r"\{": r"\}", ".": "."}
            open_ = self.take()
            if open_.text not in pairs:
                raise FormulaError(open_.col, r"expected '(' or '[' after \left")
            inner = self.comparison()
            if not self.at(r"\right"):
                self.fail(rf"\right{pairs[open_.text]} closing the \left at column {t.col}")
            self.take()
            close = self.take()
            if close.text != pairs[open_.text]:
                raise FormulaError(close.col, f"expected {pairs[open_.text]!r} after \\right")
            return inner
        if c in (r"\frac", r"\dfrac", r"\tfrac"):
            self.take()
            grad = self.frac_gradient()
            if grad is not None:
                return grad
            a = self.braced(c)
            b = self.braced(c)
            return A.Bin("div", a, b, col=t.col)
        if c in LATEX_FUNCTIONS:
            self.take()
            order = self.primes()
            if self.at("^") and self.peek().text in ("'", "{"):
                order += self.sup_primes()
            return A.Call(LATEX_FUNCTIONS[c], order, self.argument(), col=t.col)
        if c in NAME_CMDS:
            self.take()
            self.expect("{")
            f = self.take()
            self.expect("}")
            if f.text not in self.functions:
                raise FormulaError(f.col, f"unknown function {f.text!r}: expected one of "
                                   f"{', '.join(sorted(self.functions))}")
            return self.call(f.text, f.col)
        if c in ONES_CMDS or c == "𝟙":
            return self.ones()
        if c == r"\sum":
            return self.sum_over_rows()
        if c == r"\dim":
            return self.size()
        self.fail(self.known())
        raise AssertionError

    def size(self) -> A.Ast:
        r"""\dim_{1}(W_2): the size of an input's axis, as derive prints X.shape[1]."""
        t = self.take()
        self.expect("_", r"'_' and the axis after \dim")
        braced = self.at("{")
        if braced:
            self.take()
        axis = self.integer()
        if braced:
            self.expect("}")
        arg = self.argument()
        if not isinstance(arg, A.Var):
            raise FormulaError(t.col, r"expected a name of your forward in \dim_k(...)")
        return A.Size(arg.name, axis, col=t.col)

    def braced(self, cmd: str) -> A.Ast:
        if self.at("{"):
            return self.group("{", "}")
        t = self.tok
        if t.kind in ("num", "name"):
            return self.primary()
        self.fail(f"'{{' after {cmd}")
        raise AssertionError

    def sup_primes(self) -> int:
        """\\sigma^{\\prime}(N), \\sigma^{'}"""
        self.take()
        self.expect("{")
        k = 0
        while self.at("'") or self.at(r"\prime"):
            self.take()
            k += 1
        self.expect("}")
        return k

    def ones(self) -> A.Ast:
        """\\mathbf{1} (a column of n ones), or an indicator: \\mathbf{1}[N > 0],
        \\mathbb{1}_{N > 0}."""
        t = self.take()
        if t.text != "𝟙":
            self.expect("{", f"'{{' after {t.text}")
            one = self.take()
            if one.text != "1":
                raise FormulaError(one.col, f"expected 1 in {t.text}{{1}}")
            self.expect("}")
        if self.at("["):
            self.take()
            cond = self.comparison()
            self.expect("]")
            return self.indicator(cond, t.col)
        if self.at("_") and self.peek().text == "{":
            self.take()
            cond = self.group("{", "}")
            return self.indicator(cond, t.col)
        if self.at("("):
            cond = self.group("(", ")")
            return self.indicator(cond, t.col)
        return A.Ones(col=t.col)

    def indicator(self, cond: A.Ast, col: int) -> A.Ast:
        if not isinstance(cond, A.Cmp):
            raise FormulaError(col, "expected a comparison inside the indicator (N > 0)")
        return cond

    def sum_over_rows(self) -> A.Ast:
        """\\sum_i, \\sum_{i}, \\sum_{i=1}^{n}: the sum over the batch, rows kept."""
        t = self.take()
        if self.at("_"):
            self.take()
            if self.at("{"):
                depth = 0
                while True:
                    x = self.take()
                    if x.kind == "end":
                        raise FormulaError(x.col, "expected '}' closing the subscript of \\sum")
                    depth += {"{": 1, "}": -1}.get(x.text, 0)
                    if depth == 0:
                        break
            elif self.tok.kind == "name":
                self.take()
            else:
                self.fail(r"the index of \sum")
        if self.at("^"):
            self.take()
            if self.at("{"):
                self.group("{", "}")
            else:
                self.take()
        inner = self.chain()
        return A.Reduce("sum", inner, 0, True, col=t.col)

    def latex_reduction(self, fname: str, col: int) -> A.Ast:
        r"""\operatorname{sum}_{\text{rows}}(A): the sum over rows (axis 0), kept as a row;
        _{\text{cols}} over axis 1."""
        self.take()
        self.expect("{")
        words = []
        depth = 1
        while depth:
            t = self.take()
            if t.kind == "end":
                raise FormulaError(t.col, f"expected '}}' closing the subscript of {fname}")
            depth += {"{": 1, "}": -1}.get(t.text, 0)
            words.append(t.text)
        axis = 0 if "rows" in words else 1 if "cols" in words else None
        if axis is None:
            raise FormulaError(col, f"expected rows or cols under {fname}")
        return A.Reduce(fname, self.argument(), axis, True, col=col)
