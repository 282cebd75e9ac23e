"""The textbook closed form of a gradient, printed beside the chain-rule steps.

The steps say how a gradient is built; a teacher also writes the result in one line, the way
a textbook does: ``∂L/∂W1 = Xᵀ·((2/n (P − y)·W2ᵀ) ⊙ O1 ⊙ (1 − O1))``, not
``Xᵀ·(−(𝟙/n ⊙ (2 (y − P)))·W2ᵀ ⊙ σ'(N1))``. Two rewrites get there, both exact:

- a derivative that a textbook writes through the forward value does so here (σ'(N1) with
  O1 = σ(N1) a step becomes O1 ⊙ (1 − O1); tanh' becomes 1 − T²), from each function's row;
- every maximal elementwise part (+, −, ⊙, /, powers, constants, n) is simplified as the
  scalar expression it is entry by entry (elementwise products commute), by SymPy's
  ``factor_terms``; matrix products, transposes and sums stay where they are, as atoms.

A rewrite that would change the shape (a broadcast 𝟙 dropped) is not taken.
"""

from __future__ import annotations

import sys

import numpy as np
import sympy as sp

from derive import expr as E
from derive.backward import Backward
from derive.expr import Node
from derive.functions import lookup
from derive.graph import Graph
from derive.ops.leaves import Frozen

# An elementwise part with more operations than this is printed as derived: factoring a
# long expression costs more than it helps a reader.
CLOSED_MAX_OPS = 80

# Python frames the simplifying walk may use: about ten per level of an inlined gradient,
# whose depth grows with the forward's (a softmax's is ~150 levels).
CLOSED_RECURSION = 10_000


def closed_form(bw: Backward, name: str) -> Node:
    """∂L/∂<name> as one expression, through forward values, elementwise parts simplified
    (as derived, when it is too deep to simplify: a softmax's inlined gradient)."""
    gradient = bw.gradient(name)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, CLOSED_RECURSION))  # the walk recurses per graph level
    try:
        return simplify(by_values(gradient, bw.graph))
    except RecursionError:
        return gradient
    finally:
        sys.setrecursionlimit(limit)


class _TooLarge(Exception):
    """An elementwise part past CLOSED_MAX_OPS: printed as derived."""


def by_values(node: Node, graph: Graph) -> Node:
    """f'(a) -> f' through F where a step F = f(a) exists and f's row has that form."""
    steps = {(s.node.attrs[0], s.node.args[0].uid): s.node for s in graph.steps
             if s.node.op == "fn" and s.node.attrs[1] == 0}
    mapping: dict[int, Node] = {}
    for n in E.topological(node):
        if n.op == "fn" and n.attrs[1] == 1 and not n.name:
            value = steps.get((n.attrs[0], n.args[0].uid))
            row = lookup(n.attrs[0])
            if row.by_value is None:
                continue
            form = row.by_value(n.args[0])
            if value is not None:
                mapping[n.uid] = _through(form, value)
            elif not any(m.op == "fn" and m.attrs[0] == n.attrs[0] for m in E.topological(form)):
                mapping[n.uid] = form  # log'(P) = 1/P: shorter without a step to go through
    return E.substitute(node, mapping) if mapping else node


def _through(expr: Node, value: Node) -> Node:
    """by_value's f(a) inside expr replaced by the forward step F = f(a) itself."""
    name, arg = value.attrs[0], value.args[0].uid
    same = {n.uid: value for n in E.topological(expr)
            if n.op == "fn" and n.attrs[0] == name and n.attrs[1] == 0 and n.args[0].uid == arg}
    return E.substitute(expr, same) if same else expr


# The operations simplified as scalars; other elementwise ones (where, maximum, a function)
# are atoms whose arguments are simplified in turn.
ARITHMETIC = ("add", "sub", "mul", "div", "neg", "pow")


def _elementwise(n: Node) -> bool:
    return not n.name and not n.is_leaf and n.op in ARITHMETIC


def simplify(node: Node) -> Node:
    """Each maximal elementwise part simplified as a scalar expression; the rest kept."""
    memo: dict[int, Node] = {}

    def walk(n: Node) -> Node:
        if n.uid in memo:
            return memo[n.uid]
        if n.is_leaf or n.name:
            out = n
        elif _elementwise(n) and n.op != "fn":
            out = _simplified_part(n, walk)
        else:
            out = n.rebuilt(tuple(walk(a) for a in n.args))
            out = _one_hot_rows_sum(out) or out
        memo[n.uid] = out
        return out

    return walk(node)


def _one_hot_rows_sum(n: Node) -> Node | None:
    """Σ_j c T_ij = c 𝟙 where T = eye(C)[y]: every row of a one-hot selects one 1, so a
    sum over its classes is 1 (the identity a softmax cross-entropy needs to reach (P − T)/n).
    ``c``: factors constant along the classes (−1/n, or a column). None when n is not such
    a sum."""
    if n.op != "sum" or not n.attrs.keepdims or len(n.shape) != 2 or \
            tuple(n.attrs.axes or ()) != (1,):
        return None
    arg, factors = n.args[0], []
    while True:  # peel factors constant along the classes: −x, c·x, x·c, x / c
        if arg.op == "neg":
            factors.append(("neg", None))
            arg = arg.args[0]
        elif arg.op == "mul" and _per_row(arg.args[0]) and arg.args[1].shape == arg.shape:
            factors.append(("mul", arg.args[0]))
            arg = arg.args[1]
        elif arg.op == "mul" and _per_row(arg.args[1]) and arg.args[0].shape == arg.shape:
            factors.append(("mul", arg.args[1]))
            arg = arg.args[0]
        elif arg.op == "div" and _per_row(arg.args[1]) and arg.args[0].shape == arg.shape:
            factors.append(("div", arg.args[1]))
            arg = arg.args[0]
        else:
            break
    if not _eye_rows(arg):
        return None
    out = E.ones(n)
    for kind, c in reversed(factors):
        out = E.neg(out) if kind == "neg" else E.mul(c, out) if kind == "mul" else E.div(out, c)
    return out


def _per_row(c: Node) -> bool:
    """c is constant along axis 1 of a 2-D array: a scalar, or a column (n, 1)."""
    return c.shape == () or (len(c.shape) == 2 and c.shape[1] == 1)


def _eye_rows(t: Node) -> bool:
    """t = I[y]: rows of an identity (np.eye(C), or a constant equal to one) picked by one
    integer index array."""
    if t.op != "getitem" or len(t.shape) != 2 or t.attrs.key != (("arg", 0),) or \
            t.attrs.masks or len(t.args) != 2 or len(t.args[1].shape) != 1:
        return False
    table = t.args[0]
    if table.op == "eye":
        return table.shape == (t.shape[1], t.shape[1])
    if table.op == "const" and isinstance(table.attrs.value, Frozen):
        a = table.attrs.value.array
        square = a.ndim == 2 and a.shape[0] == a.shape[1]
        return square and bool(np.array_equal(a, np.eye(a.shape[0])))
    return False


class _Part:
    """The scalar image of one elementwise part: atoms <-> ordered SymPy symbols."""

    def __init__(self, walk: object) -> None:
        self.walk = walk
        self.atoms: dict[int, tuple[sp.Symbol, Node]] = {}
        self.seen: dict[int, sp.Expr] = {}
        self.ops = 0

    def atom(self, n: Node) -> sp.Symbol:
        if n.uid not in self.atoms:
            # zero-padded, so SymPy's canonical order is the order of first appearance
            sym = sp.Symbol(f"a{len(self.atoms):04d}")
            self.atoms[n.uid] = (sym, self.walk(n))  # type: ignore[operator]
        return self.atoms[n.uid][0]

    def to_sympy(self, n: Node) -> sp.Expr:
        if n.uid in self.seen:  # a shared subexpression: built once
            return self.seen[n.uid]
        self.ops += 1
        if self.ops > CLOSED_MAX_OPS:
            raise _TooLarge
        self.seen[n.uid] = out = self._build(n)
        return out

    def _build(self, n: Node) -> sp.Expr:
        op = n.op
        if op == "const" and not isinstance(n.attrs.value, Frozen) and not n.shape:
            return sp.Symbol("n") if n.name == "n" else sp.nsimplify(n.attrs.value)
        if op == "dim" and n.attrs.axis == 0:
            return sp.Symbol("n")
        if op == "ones":  # 1 entry by entry (kept only where the shape survives)
            return sp.Integer(1)
        if op == "sum":  # Σ_j c T_ij over a one-hot's classes is c: part of the arithmetic
            rows = self.walk(n)  # type: ignore[operator]
            if rows.uid != n.uid and rows.op != "sum":
                return self.to_sympy(rows)
        if not _elementwise(n) or op == "fn":
            return self.atom(n)
        a = [self.to_sympy(x) for x in n.args]
        table = {"add": lambda: a[0] + a[1], "sub": lambda: a[0] - a[1],
                 "mul": lambda: a[0] * a[1], "div": lambda: a[0] / a[1],
                 "neg": lambda: -a[0], "pow": lambda: a[0] ** a[1]}
        return table[op]() if op in table else self.atom(n)


def _simplified_part(n: Node, walk: object) -> Node:
    part = _Part(walk)
    try:
        expr = part.to_sympy(n)
    except _TooLarge:
        return n.rebuilt(tuple(walk(a) for a in n.args))  # type: ignore[operator]
    if any(s.name == "n" for s in expr.free_symbols) and \
            not _batch_known(n):
        return n.rebuilt(tuple(walk(a) for a in n.args))  # type: ignore[operator]
    simple = sp.factor_terms(expr)
    cancelled = sp.factor_terms(sp.cancel(expr))  # p (1/n − t/(n p)) is (p − t)/n
    if sp.count_ops(cancelled) < sp.count_ops(simple):
        simple = cancelled
    atoms = {sym: node for sym, node in part.atoms.values()}
    try:
        out = _from_sympy(simple, atoms, _batch(n))
    except (KeyError, TypeError, ValueError):
        out = None
    if out is None or out.shape != n.shape:
        return n.rebuilt(tuple(walk(a) for a in n.args))  # type: ignore[operator]
    return out


def _batch(n: Node) -> Node | None:
    """The node that n stands for in this part (the mean's count, or X.shape[0])."""
    for m in E.topological(n):
        if (m.op == "const" and m.name == "n") or (m.op == "dim" and m.attrs.axis == 0):
            return m
    return None


def _batch_known(n: Node) -> bool:
    return _batch(n) is not None


def _from_sympy(e: sp.Expr, atoms: dict[sp.Symbol, Node], batch: Node | None) -> Node:
    if isinstance(e, sp.Symbol):
        if e.name == "n":
            if batch is None:
                raise KeyError("n")
            return batch
        return atoms[e]
    if e.is_Number:
        return E.const(float(e))
    if isinstance(e, sp.Add):
        return _sum(e, atoms, batch)
    if isinstance(e, sp.Mul):
        return _product(e, atoms, batch)
    if isinstance(e, sp.Pow):
        base = _from_sympy(e.base, atoms, batch)
        if e.exp == -1:
            return E.div(E.const(1.0), base)
        return E.power(base, E.const(float(e.exp)))
    raise TypeError(type(e).__name__)


def _sum(e: sp.Add, atoms: dict[sp.Symbol, Node], batch: Node | None) -> Node:
    """Terms in order, a negative one subtracted: P − y, not −y + P."""
    terms = sorted(e.args, key=lambda t: t.could_extract_minus_sign())
    out = _from_sympy(terms[0], atoms, batch)
    for t in terms[1:]:
        if t.could_extract_minus_sign():
            out = E.sub(out, _from_sympy(-t, atoms, batch))
        else:
            out = E.add(out, _from_sympy(t, atoms, batch))
    return out


def _product(e: sp.Mul, atoms: dict[sp.Symbol, Node], batch: Node | None) -> Node:
    """A scalar coefficient (numbers and powers of n) first, as (2/n), then the factors."""
    coeff, rest = [], []
    for f in e.args:
        is_scalar = f.is_Number or f.free_symbols <= {sp.Symbol("n")}
        (coeff if is_scalar else rest).append(f)
    sign = 1
    c = sp.Mul(*coeff)
    if c.could_extract_minus_sign():
        sign, c = -1, -c
    sums = [k for k, f in enumerate(rest) if isinstance(f, sp.Add)]
    if sign < 0 and len(sums) == 1:  # −(2/n)(y − P) = (2/n)(P − y)
        sign, rest[sums[0]] = 1, sp.expand(-rest[sums[0]])
    out = None if c == 1 else _coefficient(c, batch)
    below = [f for f in rest if isinstance(f, sp.Pow) and f.exp.is_negative]
    for f in rest:
        if f in below:
            continue
        node = _from_sympy(f, atoms, batch)
        out = node if out is None else E.mul(out, node)
    if out is None:
        out = E.const(1.0)
    for f in below:  # a ⊙ b / c², not a ⊙ b ⊙ c^(-2)
        out = E.div(out, _from_sympy(sp.Pow(f.base, -f.exp), atoms, batch))
    return E.neg(out) if sign < 0 else out


def _coefficient(c: sp.Expr, batch: Node | None) -> Node:
    """A positive scalar of numbers and powers of n, as a fraction: 2/n, 1/(2 n), n/2."""
    num, den = sp.fraction(sp.factor_terms(c))

    def part(e: sp.Expr) -> Node:
        if e.is_Number:
            return E.const(float(e))
        if e == sp.Symbol("n"):
            if batch is None:
                raise KeyError("n")
            return batch
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
            return E.power(part(e.base), E.const(float(e.exp)))
        if isinstance(e, sp.Mul):
            nodes = [part(f) for f in e.args]
            out = nodes[0]
            for x in nodes[1:]:
                out = E.mul(out, x)
            return out
        raise TypeError(type(e).__name__)

    return part(num) if den == 1 else E.div(part(num), part(den))
