"""Read a claimed gradient, numpy style or LaTeX, into a parse tree (:mod:`derive.claim.ast`).

Recursive descent over the tokens of :mod:`derive.claim.tokens`. Only the names of the
user's forward (its inputs and the steps its assignments name), the batch size ``n`` and
a short list of functions are accepted: anything else stops the parse with the column and
what was expected there. Nothing here evaluates anything.

numpy style follows Python's precedence (``*``, ``/`` and ``@`` on one level, left to right);
LaTeX reads juxtaposition and ``\\cdot`` as matrix products and ``\\odot``, ``\\circ``, ``*``
as elementwise ones. A run of mixed products is kept whole (a Chain): the notation does not
say how it groups, so each grouping is judged.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from derive.claim import ast as A
from derive.claim.documents import DocumentTerms
from derive.claim.names import GradientNames
from derive.claim.parse_latex import LATEX_FUNCTIONS, NAME_CMDS, ONES_CMDS, LatexCommands
from derive.claim.tokens import FormulaError, Token, is_latex, tokenize

# Functions by the names a formula may call them, as (row of derive.functions, order).
FUNCTIONS = {
    "sigmoid": ("sigmoid", 0), "sigma": ("sigmoid", 0), "tanh": ("tanh", 0),
    "exp": ("exp", 0), "log": ("log", 0), "ln": ("log", 0), "relu": ("relu", 0),
    "ReLU": ("relu", 0), "sigmoid_prime": ("sigmoid", 1), "dsigmoid": ("sigmoid", 1),
    "relu_prime": ("relu", 1), "tanh_prime": ("tanh", 1), "heaviside": ("heaviside", 0),
}
REDUCTIONS = ("sum", "mean")
_CMP = {">": ">", "<": "<", ">=": ">=", "<=": "<=", r"\geq": ">=", r"\leq": "<=",
        r"\ge": ">=", r"\le": "<=", r"\gt": ">", r"\lt": "<"}
_TRANSPOSE_SUP = ("T", r"\top", r"\intercal", "ᵀ")
_SUM_START = {"name", "num"}

# Brackets and signs nested deeper than this are no hand derivation; the limit keeps every
# recursive stage (parse, readings, build, printing) far from Python's recursion limit.
MAX_NESTING = 60


@dataclass(frozen=True)
class Parsed:
    tree: A.Ast
    notation: str  # "numpy" | "latex"
    names: tuple[str, ...] = ()  # with documents=True: the names read, in order


def parse(text: str, names: Collection[str], latex: bool | None = None,
          documents: bool = False) -> Parsed:
    """The parse tree of ``text``; ``names`` are the forward's inputs and steps. With
    ``documents``, numpy style in the documents' vocabulary (derive.claim.documents)."""
    if not text.strip():
        raise FormulaError(1, "the formula is empty")
    as_latex = False if documents else is_latex(text) if latex is None else latex
    parser = _Parser(tokenize(text, as_latex, colon=documents), set(names), as_latex,
                     documents)
    tree = parser.formula()
    return Parsed(tree, "latex" if as_latex else "numpy", tuple(parser.found))


class _Parser(LatexCommands, GradientNames, DocumentTerms):
    def __init__(self, tokens: list[Token], names: set[str], latex: bool,
                 documents: bool = False) -> None:
        self.functions = sorted(FUNCTIONS) + list(REDUCTIONS)
        self.functions_known = set(self.functions)
        self.toks = tokens
        self.i = 0
        self.names = names
        self.latex = latex
        self.depth = 0
        self.documents = documents
        self.found: list[str] = []

    # ------------------------------------------------------------ helpers

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def at(self, *texts: str) -> bool:
        return self.tok.kind in ("op", "cmd") and self.tok.text in texts

    def take(self) -> Token:
        t = self.tok
        if t.kind != "end":
            self.i += 1
        return t

    def expect(self, text: str, what: str = "") -> Token:
        if not self.at(text):
            self.fail(what or repr(text))
        return self.take()

    def fail(self, expected: str) -> None:
        raise FormulaError(self.tok.col, f"expected {expected}, found {self.tok.show()}")

    def known(self) -> str:
        listed = ", ".join(sorted(self.names))
        return f"a name of your forward ({listed}), n, a number or a function"

    # ------------------------------------------------------------ grammar

    def formula(self) -> A.Ast:
        tree = self.comparison()
        if self.tok.kind != "end":
            what = "an operator or the end of the formula"
            if self.at(")", "]", "}") or self.at(r"\right"):
                what = "the end of the formula (this bracket closes nothing)"
            self.fail(what)
        return tree

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise FormulaError(self.tok.col, f"brackets or signs nested more than {MAX_NESTING} "
                               "deep")

    def comparison(self) -> A.Ast:
        self.nested()
        try:
            return self._comparison()
        finally:
            self.depth -= 1

    def _comparison(self) -> A.Ast:
        a = self.sum()
        if self.tok.kind in ("op", "cmd") and self.tok.text in _CMP:
            t = self.take()
            return A.Cmp(_CMP[t.text], a, self.sum(), col=t.col)
        return a

    def sum(self) -> A.Ast:
        a = self.chain()
        while self.at("+", "-"):
            t = self.take()
            a = A.Bin("add" if t.text == "+" else "sub", a, self.chain(), col=t.col)
        return a

    def chain(self) -> A.Ast:
        items = [self.unary()]
        ops: list[str] = []
        while True:
            op = self.product_op()
            if op is None:
                break
            ops.append(op)
            items.append(self.unary() if op != "matmul" or not self.latex else self.unary())
        if not ops:
            return items[0]
        return A.Chain(tuple(items), tuple(ops), col=items[0].col)

    def product_op(self) -> str | None:
        """The next product operator (taken), or None. In LaTeX a factor that follows
        directly is a matrix product (juxtaposition)."""
        t = self.tok
        table = {"*": "mul", "/": "div", "@": "matmul"}
        if self.latex:
            table.update({r"\odot": "mul", r"\circ": "mul", r"\cdot": "matmul",
                          r"\times": "matmul"})
        if t.kind in ("op", "cmd") and t.text in table:
            self.take()
            return table[t.text]
        if self.latex and self.starts_factor():
            return "matmul"
        return None

    def starts_factor(self) -> bool:
        t = self.tok
        if t.kind in ("name", "num"):
            return True
        if t.kind == "op":
            return t.text in ("(", "[", "{")
        if t.kind == "cmd":
            return t.text in (r"\left", r"\frac", r"\dfrac", r"\tfrac", r"\sum", "𝟙", r"\dim",
                              r"\partial",
                              *LATEX_FUNCTIONS, *NAME_CMDS, *ONES_CMDS)
        return False

    def unary(self) -> A.Ast:
        if self.at("-"):
            t = self.take()
            self.nested()
            try:
                return A.Neg(self.unary(), col=t.col)
            finally:
                self.depth -= 1
        if self.at("+"):
            self.take()
            return self.unary()
        return self.power()

    def power(self) -> A.Ast:
        a = self.postfix(self.primary())
        if self.at("**"):
            t = self.take()
            return A.Bin("pow", a, self.unary(), col=t.col)
        return a

    # ------------------------------------------------------------ postfix

    def postfix(self, a: A.Ast) -> A.Ast:
        while True:
            if not self.latex and self.at("."):
                a = self.method(a)
            elif self.latex and self.at("^"):
                a = self.superscript(a)
            elif self.at("ᵀ"):
                a = A.T(a, col=self.take().col)
            elif self.at("²"):
                a = A.Bin("pow", a, A.Num(2.0), col=self.take().col)
            elif self.at("'"):
                a = A.T(a, col=self.take().col)
            elif self.documents and self.at("["):
                a = self.index(a)
            else:
                return a

    def method(self, a: A.Ast) -> A.Ast:
        self.take()
        t = self.tok
        if t.kind != "name":
            self.fail("T, sum, mean or shape after '.'")
        self.take()
        if t.text == "T":
            return A.T(a, col=t.col)
        if t.text == "shape":
            if not isinstance(a, A.Var):
                raise FormulaError(t.col, "expected .shape on a name of your forward")
            self.expect("[")
            axis = self.integer()
            self.expect("]")
            return A.Size(a.name, axis, col=t.col)
        if t.text in REDUCTIONS:
            self.expect("(")
            axis, keep = self.reduce_options(first=True)
            return A.Reduce(t.text, a, axis, keep, col=t.col)
        raise FormulaError(t.col, f"expected T, sum, mean or shape after '.', found {t.text!r}")

    def superscript(self, a: A.Ast) -> A.Ast:
        self.take()
        braced = self.at("{")
        if braced:
            self.take()
        t = self.tok
        if (t.kind in ("name", "cmd") and t.text in _TRANSPOSE_SUP) or \
                (t.kind == "cmd" and t.text == r"\mathsf" and self.peek().text == "{"):
            self.take()
            if t.text == r"\mathsf":
                self.expect("{")
                self.expect("T")
                self.expect("}")
            out: A.Ast = A.T(a, col=t.col)
        elif t.kind == "num" or self.at("-"):
            sign = -1.0 if self.at("-") else 1.0
            if sign < 0:
                self.take()
            num = self.take()
            if num.kind != "num":
                self.fail("a number as the power")
            out = A.Bin("pow", a, A.Num(sign * float(num.text)), col=t.col)
        else:
            self.fail(r"T, \top or a number after '^'")
        if braced:
            self.expect("}", "'}' closing the superscript")
        return out

    def integer(self) -> int:
        t = self.tok
        if t.kind != "num" or not t.text.isdigit():
            self.fail("an axis (0, 1, ...)")
        self.take()
        return int(t.text)

    def reduce_options(self, first: bool) -> tuple[int | None, bool]:
        """After the array argument: [axis] [, axis=k] [, keepdims=True] ')'."""
        axis: int | None = None
        keep = False
        while not self.at(")"):
            if not first:
                self.expect(",", "',' or ')'")
            first = False
            if self.tok.kind == "num":
                axis = self.integer()
                continue
            key = self.tok
            if key.kind != "name" or key.text not in ("axis", "keepdims"):
                self.fail("axis=... or keepdims=...")
            self.take()
            self.expect("=")
            if key.text == "axis":
                axis = self.integer()
            else:
                v = self.take()
                if v.text not in ("True", "False"):
                    raise FormulaError(v.col, "expected True or False for keepdims")
                keep = v.text == "True"
        self.take()
        return axis, keep

    # ------------------------------------------------------------ primaries

    def primary(self) -> A.Ast:
        t = self.tok
        if t.kind == "num":
            self.take()
            return A.Num(float(t.text), col=t.col)
        if t.kind == "name":
            return self.name()
        if self.at("("):
            return self.group("(", ")")
        if self.latex and self.at("{"):
            return self.group("{", "}")
        if self.at("["):
            self.take()
            inner = self.comparison()
            self.expect("]", "']'")
            return inner
        if self.at(r"\partial"):
            return self.partial()
        if self.latex and t.kind == "cmd":
            return self.command()
        self.fail(self.known())
        raise AssertionError  # fail raises

    def group(self, open_: str, close: str) -> A.Ast:
        t = self.take()
        inner = self.comparison()
        if not self.at(close):
            self.fail(f"{close!r} closing the {open_!r} at column {t.col}")
        self.take()
        return inner

    def name(self) -> A.Ast:
        t = self.take()
        text = t.text
        if not self.latex and text == "np" and self.at("."):
            self.take()
            f = self.tok
            if f.kind != "name":
                self.fail("a numpy function after 'np.'")
            self.take()
            return self.call(f.text, f.col, numpy=True)
        if text in self.names:
            if self.documents and text not in self.found:
                self.found.append(text)
            return A.Var(text, col=t.col)
        if self.documents:
            return self.document_name(text, t.col)
        grad = self.adjoint_of(text, t.col)
        if grad is not None:
            return grad
        if self.latex and self.at("_"):
            text = self.subscripted(text, t.col)
        if text in self.names:
            return A.Var(text, col=t.col)
        if text in ("n", "N"):
            return A.Size(None, 0, col=t.col)
        if text in FUNCTIONS or text in REDUCTIONS:
            return self.call(text, t.col)
        if self.latex and text == "H" and (self.at("(") or self.at(r"\left")):
            return A.Call("heaviside", 0, self.argument(), col=t.col)
        if self.latex:
            parts = self.split(text)
            if parts:
                out: A.Ast = A.Var(parts[0], col=t.col)
                for p in parts[1:]:
                    out = A.Chain((out, A.Var(p, col=t.col)), ("matmul",), col=t.col)
                return out
        raise FormulaError(t.col, f"unknown name {text!r}: expected {self.known()}")

    def subscripted(self, base: str, col: int) -> str:
        """W_2, W_{2}: the name W2 or W_2, whichever the forward has."""
        self.take()
        if self.at("{"):
            self.take()
            parts = []
            while not self.at("}"):
                if self.tok.kind not in ("name", "num"):
                    self.fail("a subscript of letters and digits")
                parts.append(self.take().text)
            self.take()
            sub = "".join(parts)
        else:
            if self.tok.kind not in ("name", "num"):
                self.fail("a subscript")
            sub = self.take().text
        for cand in (f"{base}{sub}", f"{base}_{sub}"):
            if cand in self.names:
                return cand
        raise FormulaError(col, f"unknown name {base}_{sub}: expected {self.known()}")

    def split(self, text: str) -> list[str] | None:
        """XW read as X W when both are names (LaTeX juxtaposition without a space)."""
        for k in range(len(text) - 1, 0, -1):
            head = text[:k]
            if head in self.names:
                rest = text[k:]
                if rest in self.names:
                    return [head, rest]
                tail = self.split(rest)
                if tail:
                    return [head, *tail]
        return None

    def call(self, fname: str, col: int, numpy: bool = False) -> A.Ast:
        if fname == "maximum" and numpy:
            self.expect("(")
            a = self.comparison()
            self.expect(",", "',' (np.maximum(x, 0) is relu)")
            zero = self.take()
            if zero.kind != "num" or float(zero.text) != 0.0:
                raise FormulaError(zero.col, "expected 0: np.maximum(x, 0) is relu")
            self.expect(")")
            return A.Call("relu", 0, a, col=col)
        if fname in ("power", "square") and numpy:
            self.expect("(")
            a = self.comparison()
            b: A.Ast = A.Num(2.0)
            if fname == "power":
                self.expect(",", "',' and the power")
                b = self.comparison()
            self.expect(")")
            return A.Bin("pow", a, b, col=col)
        if fname == "heaviside" and numpy:
            self.expect("(")
            a = self.comparison()
            if self.at(","):
                self.take()
                self.comparison()
            self.expect(")")
            return A.Call("heaviside", 0, a, col=col)
        if fname in REDUCTIONS:
            if self.latex and self.at("_"):
                return self.latex_reduction(fname, col)
            self.expect("(", f"'(' after {fname}")
            a = self.comparison()
            axis, keep = self.reduce_options(first=False)
            return A.Reduce(fname, a, axis, keep, col=col)
        if fname == "ones_like" and numpy:  # the documents' dLdS = np.ones_like(S)
            return A.Apply("ones_like", (self.group("(", ")"),), col=col)
        if fname == "transpose" and numpy:
            return A.T(self.group("(", ")"), col=col)
        if fname not in FUNCTIONS:
            raise FormulaError(col, f"unknown function {fname!r}: expected one of "
                               f"{', '.join(sorted(FUNCTIONS))}, sum, mean")
        row, order = FUNCTIONS[fname]
        order += self.primes()
        return A.Call(row, order, self.argument(), col=col)

    def primes(self) -> int:
        k = 0
        while self.at("'"):
            self.take()
            k += 1
        return k

    def argument(self) -> A.Ast:
        if self.at("("):
            return self.group("(", ")")
        if self.latex and self.at(r"\left"):
            return self.command()
        if self.latex and self.at("{"):
            return self.group("{", "}")
        self.fail("'(' and the function's argument")
        raise AssertionError
