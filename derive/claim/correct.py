"""A wrong claim, corrected in its own words: the diagnosis says what to undo (a factor, the
sign, a transpose, a missing sum over the batch), and the corrected formula is judged again
before it is shown, so a suggestion is never itself wrong."""

from __future__ import annotations

from fractions import Fraction

from derive.claim import ast as A
from derive.claim.judge import Reading, judge
from derive.claim.points import Setting


def _times(tree: A.Ast, c: Fraction, k: int) -> A.Ast:
    """(1 / (c n^k)) tree, written as p/q with n where it belongs: 2/n, n/2, 1/(2n)."""
    inv = 1 / c
    top: A.Ast = A.Num(float(abs(inv.numerator)))
    bottom: A.Ast = A.Num(float(inv.denominator))
    n = A.Size(None, 0)
    for _ in range(abs(k)):
        if k > 0:
            bottom = n if bottom == A.Num(1.0) else A.Bin("mul", bottom, n)
        else:
            top = n if top == A.Num(1.0) else A.Bin("mul", top, n)
    scale = top if bottom == A.Num(1.0) else A.Bin("div", top, bottom)
    out: A.Ast = tree if scale == A.Num(1.0) else A.Bin("mul", scale, tree)
    return A.Neg(out) if inv < 0 else out


def corrected(r: Reading, sets: list[Setting], name: str) -> Reading | None:
    """The claim with its diagnosed mistake undone, when that makes it right."""
    tree = r.tree
    if r.diagnosis == "transposed":
        tree = A.T(tree)
    elif r.diagnosis == "missing-sum":
        tree = A.Reduce("sum", tree, 0, True)
    elif r.diagnosis not in ("scaled", "sign"):
        return None
    if r.scale is not None:
        tree = _times(tree, *r.scale)
    elif r.diagnosis in ("scaled", "sign"):
        return None
    again = judge(tree, sets, name)
    return again if again.verdict == "correct" else None
