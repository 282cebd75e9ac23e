"""The parse tree of a claimed formula: a few frozen records, compared by structure.

``Chain`` keeps a run of products (``A @ B * C``, ``A B \\odot C``) unbracketed, because
the notation does not always say how it groups; :func:`readings` lists the groupings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

# A formula with more distinct groupings than this is asked to be bracketed.
MAX_READINGS = 6


@dataclass(frozen=True)
class Ast:
    col: int = field(compare=False, default=0, kw_only=True)


@dataclass(frozen=True)
class Num(Ast):
    value: float


@dataclass(frozen=True)
class Var(Ast):
    name: str


@dataclass(frozen=True)
class Size(Ast):
    """A size by name: ``n`` (input None: the batch) or ``X.shape[axis]``."""

    input: str | None
    axis: int


@dataclass(frozen=True)
class Grad(Ast):
    """∂L/∂of: the gradient of the loss with respect to an input or a step of the forward."""

    of: str


@dataclass(frozen=True)
class Ones(Ast):
    """The column of n ones (\\mathbf{1})."""


@dataclass(frozen=True)
class Neg(Ast):
    a: Ast


@dataclass(frozen=True)
class T(Ast):
    a: Ast


@dataclass(frozen=True)
class Bin(Ast):
    op: str  # add sub mul div matmul pow
    a: Ast
    b: Ast


@dataclass(frozen=True)
class Chain(Ast):
    """items[0] ops[0] items[1] ops[1] ...; ops are mul, div or matmul."""

    items: tuple[Ast, ...]
    ops: tuple[str, ...]


@dataclass(frozen=True)
class Call(Ast):
    fn: str  # a row of derive.functions (sigmoid, tanh, exp, log, relu)
    order: int
    a: Ast


@dataclass(frozen=True)
class Apply(Ast):
    """A function of the documents' vocabulary (derive.claim.documents), by name."""

    fn: str
    args: tuple[Ast, ...]


@dataclass(frozen=True)
class Index(Ast):
    """a[0, 2], W[:, 1]: None stands for a bare ':'."""

    a: Ast
    key: tuple[int | None, ...]


@dataclass(frozen=True)
class Reduce(Ast):
    op: str  # sum | mean
    a: Ast
    axis: int | None
    keepdims: bool


@dataclass(frozen=True)
class Cmp(Ast):
    op: str
    a: Ast
    b: Ast


def _left(items: list[Ast], ops: list[str]) -> Ast:
    out = items[0]
    for op, x in zip(ops, items[1:]):
        out = Bin(op, out, x, col=out.col)
    return out


def _grouped(items: tuple[Ast, ...], ops: tuple[str, ...], first: set[str]) -> Ast:
    """Operators in ``first`` bind tighter; each level left to right."""
    groups: list[Ast] = []
    between: list[str] = []
    run, run_ops = [items[0]], []
    for op, x in zip(ops, items[1:]):
        if op in first:
            run.append(x)
            run_ops.append(op)
        else:
            groups.append(_left(run, run_ops))
            between.append(op)
            run, run_ops = [x], []
    groups.append(_left(run, run_ops))
    return _left(groups, between)


def _divided(items: tuple[Ast, ...], ops: tuple[str, ...]) -> tuple[tuple[Ast, ...],
                                                                     tuple[str, ...]]:
    """a / b taken first: the divisor is the factor written right after the slash."""
    out, out_ops = [items[0]], []
    for op, x in zip(ops, items[1:]):
        if op == "div":
            out[-1] = Bin("div", out[-1], x, col=out[-1].col)
        else:
            out.append(x)
            out_ops.append(op)
    return tuple(out), tuple(out_ops)


def groupings(chain: Chain) -> list[Ast]:
    """Left to right (numpy's and the page's order), matrix products first, elementwise
    products first (each with a / b taken first): distinct trees only, in that order."""
    trees = [_left(list(chain.items), list(chain.ops))]
    items, ops = _divided(chain.items, chain.ops)
    if len(items) == 1:
        trees.append(items[0])
    elif "matmul" in ops and any(o != "matmul" for o in ops):
        trees += [_grouped(items, ops, {"matmul"}), _grouped(items, ops, {"mul"})]
    out: list[Ast] = []
    for t in trees:
        if t not in out:
            out.append(t)
    return out


def readings(tree: Ast) -> list[Ast]:
    """Every way of grouping the formula's unbracketed product chains (at most
    MAX_READINGS + 1, so the caller can tell there were too many)."""
    if isinstance(tree, Chain):
        options = [readings(x) for x in tree.items]
        out: list[Ast] = []
        for items in product(*options):
            for g in groupings(Chain(tuple(items), tree.ops, col=tree.col)):
                if g not in out:
                    out.append(g)
                if len(out) > MAX_READINGS:
                    return out
        return out
    subs = [(k, v) for k, v in vars(tree).items() if isinstance(v, Ast)]
    if not subs:
        return [tree]
    out = []
    for combo in product(*(readings(v) for _, v in subs)):
        changed = dict(vars(tree))
        changed.update({k: c for (k, _), c in zip(subs, combo)})
        t = type(tree)(**changed)
        if t not in out:
            out.append(t)
        if len(out) > MAX_READINGS:
            break
    return out
