"""Recognize a user's own elementary functions: 1/(1+exp(-x)) is the sigmoid.

A row of the function table may list patterns (expressions of a placeholder u). After
tracing, every subexpression that matches one becomes that row's function of the matched
argument, keeping the step's name. So a hand-written sigmoid prints as σ(N1), its
derivative as O1 ⊙ (1 − O1) through the forward value, and it is evaluated in the stable
form (no overflow at -1000).
"""

from __future__ import annotations

from functools import cache

from derive import expr as E
from derive.expr import Node
from derive.functions import TABLE
from derive.recognize_axis import axis_form

PLACEHOLDER = "__u__"
_COMMUTATIVE = frozenset({"add", "mul", "maximum", "minimum"})


@cache
def _patterns() -> tuple[tuple[str, Node], ...]:
    u = E.leaf(PLACEHOLDER, ())
    return tuple((name, build(u)) for name, row in TABLE.items() for build in row.patterns)


def _canonical(n: Node) -> Node:
    """-1 * a (a broadcast constant the constructor keeps) reads as -a."""
    if n.op == "mul":
        for c, a in (n.args, n.args[::-1]):
            if E.is_const(c, -1.0) and a.shape == n.shape:
                return E.neg(a)
    return n


def _match(pat: Node, node: Node, bound: dict[str, Node]) -> bool:
    if pat.op == "input" and pat.name == PLACEHOLDER:
        if PLACEHOLDER in bound:
            return bound[PLACEHOLDER].uid == node.uid
        bound[PLACEHOLDER] = node
        return True
    node = _canonical(node)
    if pat.op == "const":
        return E.is_const(node) and E.is_const(pat) and node.attrs.value == pat.attrs.value
    if pat.op != node.op or pat.attrs != node.attrs or len(pat.args) != len(node.args):
        return False
    orders = [node.args]
    if node.op in _COMMUTATIVE:
        orders.append(node.args[::-1])
    for args in orders:
        trial = dict(bound)
        if all(_match(p, a, trial) for p, a in zip(pat.args, args)):
            bound.update(trial)
            return True
    return False


def recognize(out: Node) -> Node:
    """The graph with matched subexpressions replaced by table functions, and hand-written
    softmax / log-softmax by those operations (:mod:`derive.recognize_axis`); names kept."""
    patterns = _patterns()
    memo: dict[int, Node] = {}
    for n in E.topological(out):
        node = n.rebuilt(tuple(memo[a.uid] for a in n.args)) if n.args else n
        if not node.is_leaf:
            node = _recognized(node, patterns)
            node = node.named(n.name) if n.name and node.name != n.name else node
        memo[n.uid] = node
    return memo[out.uid]


def _recognized(node: Node, patterns: tuple[tuple[str, Node], ...]) -> Node:
    for name, pat in patterns:
        bound: dict[str, Node] = {}
        if _match(pat, node, bound) and bound[PLACEHOLDER].shape == node.shape:
            return E.fn(name, bound[PLACEHOLDER])
    found = axis_form(node)
    return node if found is None else found
