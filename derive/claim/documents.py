"""The documents' vocabulary of the one formula grammar: the functions their formulas call
beyond derive claim's (``ones_like``, ``square``, the post's generic ``f1``/``df1``,
``sum_rows``, ``kron``), integer indexing (``W[:, 0]``), and open names (any name the
claim's case or point gives a value). ``parse(..., documents=True)`` switches it on; the
sizes ``n``/``N`` are then names, as the documents use N for a step.
"""

from __future__ import annotations

from typing import Any

from derive.claim import ast as A
from derive.claim.tokens import FormulaError

# name -> number of arguments (the implementations are derive.claim.evaluate's)
DOC_FUNCTIONS = {
    "ones_like": 1, "square": 1, "dsquare": 1, "leaky_relu": 1, "dleaky_relu": 1,
    "f1": 1, "f2": 1, "f3": 1, "df1": 1, "df2": 1, "df3": 1, "transpose": 1,
    "sum_rows": 1, "eye_rows": 1, "eye_cols": 1, "kron": 2,
}


class DocumentTerms:
    """Parser methods for the documents' vocabulary; ``self`` is derive.claim.parse's parser."""

    tok: Any
    at: Any
    take: Any
    expect: Any
    fail: Any
    names: Any
    found: Any
    comparison: Any
    call: Any
    functions_known: Any

    def document_name(self, text: str, col: int) -> A.Ast:
        if text in DOC_FUNCTIONS:
            return self.apply(text, col)
        if text in self.functions_known:
            return self.call(text, col)
        if self.at("("):
            raise FormulaError(col, f"unknown function {text!r}")
        if text not in self.names:
            self.names.add(text)
            self.found.append(text)
        return A.Var(text, col=col)

    def apply(self, fn: str, col: int) -> A.Ast:
        self.expect("(", f"'(' after {fn}")
        args = [self.comparison()]
        while self.at(","):
            self.take()
            args.append(self.comparison())
        self.expect(")", "')' closing the arguments")
        if len(args) != DOC_FUNCTIONS[fn]:
            raise FormulaError(col, f"{fn} takes {DOC_FUNCTIONS[fn]} argument(s), "
                               f"got {len(args)}")
        return A.Apply(fn, tuple(args), col=col)

    def index(self, a: A.Ast) -> A.Ast:
        """a[0, 2], W[:, 1]: integers and bare colons only."""
        t = self.take()
        key: list[int | None] = []
        while True:
            if self.at(":"):
                self.take()
                key.append(None)
            elif self.tok.kind == "num" and self.tok.text.isdigit():
                key.append(int(self.take().text))
            else:
                self.fail("an integer index or ':'")
            if not self.at(","):
                break
            self.take()
        self.expect("]", "']' closing the index")
        return A.Index(a, tuple(key), col=t.col)


def leftmost(tree: A.Ast) -> A.Ast:
    """Every unbracketed run of products grouped left to right, as numpy reads them."""
    if isinstance(tree, A.Chain):
        items = [leftmost(x) for x in tree.items]
        return A.groupings(A.Chain(tuple(items), tree.ops, col=tree.col))[0]
    changed: dict[str, Any] = {}
    for k, v in vars(tree).items():
        if isinstance(v, A.Ast):
            changed[k] = leftmost(v)
        elif isinstance(v, tuple) and v and isinstance(v[0], A.Ast):
            changed[k] = tuple(leftmost(x) for x in v)
    return type(tree)(**{**vars(tree), **changed}) if changed else tree
