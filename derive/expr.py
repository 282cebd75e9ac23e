"""The expression language shared by forward graphs and matrix-form gradients.

A :class:`Node` is one array operation with a concrete shape. The forward pass of a
case is a DAG of nodes (built by :mod:`derive.trace`); the matrix-form gradient built
by :mod:`derive.rules` is a DAG of the same nodes. So one LaTeX printer, one numpy
printer and one symbolic evaluator serve the documents' formulas, the derivation and
the generated code alike, and the printed derivation can never disagree with what was
checked.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Shape = tuple[int, ...]

_ids = itertools.count()

# Operations a node may carry, with their arity (None: any).
ARITY: dict[str, int | None] = {
    "input": 0, "const": 0, "adjoint": 0,
    "add": 2, "sub": 2, "mul": 2, "div": 2, "neg": 1, "pow": 2,
    "matmul": 2, "transpose": 1, "reshape": 1, "getitem": 1, "scatter": 1,
    "sum": 1, "mean": 1, "amax": 1, "amin": 1, "sum_to": 1, "broadcast_to": 1, "ones": 1,
    "fn": 1, "maximum": 2, "minimum": 2, "where": 3, "compare": 2, "logaddexp": 2,
}


@dataclass(frozen=True, eq=False)
class Node:
    """One array operation. ``attrs`` holds the op's parameters (function name, axis, ...)."""

    op: str
    args: tuple[Node, ...]
    shape: Shape
    attrs: tuple[Any, ...] = ()
    name: str | None = None
    uid: int = field(default_factory=lambda: next(_ids))

    def __post_init__(self) -> None:
        arity = ARITY.get(self.op, -1)
        if arity == -1:
            raise KeyError(f"unknown operation {self.op!r}")
        if arity is not None and len(self.args) != arity:
            raise ValueError(f"{self.op} takes {arity} arguments, got {len(self.args)}")

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def is_leaf(self) -> bool:
        return not self.args

    def named(self, name: str) -> Node:
        """The same operation under a step name (a new node: nodes are immutable)."""
        return Node(self.op, self.args, self.shape, self.attrs, name)

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"<{label}{self.op}{list(self.shape)}>"


# ---------------------------------------------------------------- constructors


def leaf(name: str, shape: Shape) -> Node:
    return Node("input", (), tuple(shape), name=name)


def adjoint(name: str, shape: Shape) -> Node:
    """The name of an upstream gradient (dLdS) inside a backward expression."""
    return Node("adjoint", (), tuple(shape), name=name)


def const(value: Any, shape: Shape = ()) -> Node:
    """A constant: a Python number or a float64 array (stored as a nested tuple)."""
    if isinstance(value, np.ndarray) and value.ndim:
        return Node("const", (), value.shape, (_freeze(value),))
    return Node("const", (), tuple(shape), (float(np.asarray(value)),))


def const_value(node: Node) -> Any:
    (v,) = node.attrs
    return np.array(v, dtype=np.float64) if isinstance(v, tuple) else v


def _freeze(a: np.ndarray) -> tuple:
    return tuple(_freeze(x) for x in a) if a.ndim > 1 else tuple(float(x) for x in a)


def is_const(node: Node, value: float | None = None) -> bool:
    if node.op != "const" or isinstance(node.attrs[0], tuple):
        return False
    return value is None or node.attrs[0] == value


def broadcast_shape(a: Shape, b: Shape) -> Shape:
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        from derive.errors import ShapeError

        raise ShapeError(f"shapes {a} and {b} do not broadcast") from None


def add(a: Node, b: Node) -> Node:
    if is_const(a, 0.0) and broadcast_shape(a.shape, b.shape) == b.shape:
        return b
    if is_const(b, 0.0) and broadcast_shape(a.shape, b.shape) == a.shape:
        return a
    return Node("add", (a, b), broadcast_shape(a.shape, b.shape))


def sub(a: Node, b: Node) -> Node:
    return Node("sub", (a, b), broadcast_shape(a.shape, b.shape))


def mul(a: Node, b: Node) -> Node:
    """Elementwise product; multiplying by the scalar 1 is dropped, by -1 becomes neg."""
    shape = broadcast_shape(a.shape, b.shape)
    for x, y in ((a, b), (b, a)):
        if is_const(x, 1.0) and shape == y.shape:
            return y
        if is_const(x, -1.0) and shape == y.shape:
            return neg(y)
    return Node("mul", (a, b), shape)


def div(a: Node, b: Node) -> Node:
    return Node("div", (a, b), broadcast_shape(a.shape, b.shape))


def neg(a: Node) -> Node:
    if a.op == "neg":
        return a.args[0]
    return Node("neg", (a,), a.shape)


def power(a: Node, b: Node) -> Node:
    return Node("pow", (a, b), broadcast_shape(a.shape, b.shape))


def matmul(a: Node, b: Node) -> Node:
    from derive.errors import ShapeError

    sa, sb = a.shape, b.shape
    if not sa or not sb:
        raise ShapeError(f"matmul needs arrays, got shapes {sa} and {sb}")
    inner_a = sa[-1]
    inner_b = sb[0] if len(sb) == 1 else sb[-2]
    if inner_a != inner_b:
        raise ShapeError(
            f"matmul: inner dimensions differ: {sa} @ {sb} (expected {inner_a} rows on the right)"
        )
    if len(sa) == 1 and len(sb) == 1:
        shape: Shape = ()
    elif len(sa) == 1:
        shape = sb[:-2] + sb[-1:]
    elif len(sb) == 1:
        shape = sa[:-1]
    else:
        shape = broadcast_shape(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])
    return Node("matmul", (a, b), shape)


def transpose(a: Node, axes: tuple[int, ...] | None = None) -> Node:
    if len(a.shape) <= 1:
        return a
    perm = tuple(range(len(a.shape)))[::-1] if axes is None else tuple(axes)
    if a.op == "transpose" and len(perm) == 2 and a.attrs == ((1, 0),) and perm == (1, 0):
        return a.args[0]
    return Node("transpose", (a,), tuple(a.shape[i] for i in perm), (perm,))


# Basic indexing (integers and slices): a key is stored as a tuple of ints and
# ("slice", start, stop, step) tuples, hashable and printable.
IndexKey = tuple[Any, ...]


def index_key(key: Any, ndim: int) -> IndexKey | None:
    """x[key] with ints and slices only -> a stored key; None for anything else (fancy or
    boolean indexing, None, Ellipsis), which the tracer reports."""
    items = key if isinstance(key, tuple) else (key,)
    if len(items) > ndim:
        return None
    out: list[Any] = []
    for k in items:
        if isinstance(k, slice):
            out.append(("slice", k.start, k.stop, k.step))
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            out.append(int(k))
        else:
            return None
    return tuple(out)


def python_key(key: IndexKey) -> tuple[Any, ...]:
    return tuple(slice(*k[1:]) if isinstance(k, tuple) else k for k in key)


def key_text(key: IndexKey) -> str:
    """(0, ("slice", None, 2, None)) -> '0, :2'."""
    def one(k: Any) -> str:
        if not isinstance(k, tuple):
            return str(k)
        start, stop, step = ("" if v is None else str(v) for v in k[1:])
        return f"{start}:{stop}" + (f":{step}" if step else "")

    return ", ".join(one(k) for k in key)


def getitem(a: Node, key: IndexKey) -> Node:
    shape = np.empty(a.shape, dtype=np.int8)[python_key(key)].shape
    return Node("getitem", (a,), tuple(shape), (key,))


def scatter(g: Node, key: IndexKey, shape: Shape) -> Node:
    """The adjoint of indexing: zeros shaped ``shape`` with ``g`` placed at ``key``."""
    return Node("scatter", (g,), tuple(shape), (key,))


def reshape(a: Node, shape: Shape) -> Node:
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        shape = tuple(a.size // known if s == -1 else s for s in shape)
    if shape == a.shape:
        return a
    if int(np.prod(shape, dtype=np.int64)) != a.size:
        from derive.errors import ShapeError

        raise ShapeError(f"cannot reshape {a.shape} into {shape}")
    return Node("reshape", (a,), shape, (shape,))


def _norm_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(int(x) % ndim for x in axes))


def _reduced_shape(shape: Shape, axes: tuple[int, ...] | None, keepdims: bool) -> Shape:
    if axes is None:
        return tuple(1 for _ in shape) if keepdims else ()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def reduce(op: str, a: Node, axis: Any = None, keepdims: bool = False) -> Node:
    """sum, mean, amax or amin over ``axis`` (None: all entries)."""
    axes = _norm_axis(axis, len(a.shape))
    return Node(op, (a,), _reduced_shape(a.shape, axes, keepdims), (axes, bool(keepdims)))


def sum_to(a: Node, shape: Shape) -> Node:
    """Undo broadcasting: sum ``a`` down to ``shape`` (the bias-gradient step)."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    return Node("sum_to", (a,), shape, (shape,))


def broadcast_to(a: Node, shape: Shape) -> Node:
    shape = tuple(shape)
    if a.shape == shape:
        return a
    return Node("broadcast_to", (a,), shape, (shape,))


def ones(like: Node) -> Node:
    """An array of ones shaped like ``like`` (the documents' np.ones_like)."""
    return Node("ones", (like,), like.shape)


def fn(name: str, a: Node, order: int = 0) -> Node:
    """An elementwise table function (order 0) or its ``order``-th derivative."""
    return Node("fn", (a,), a.shape, (name, order))


def maximum(a: Node, b: Node) -> Node:
    return Node("maximum", (a, b), broadcast_shape(a.shape, b.shape))


def minimum(a: Node, b: Node) -> Node:
    return Node("minimum", (a, b), broadcast_shape(a.shape, b.shape))


def compare(op: str, a: Node, b: Node) -> Node:
    return Node("compare", (a, b), broadcast_shape(a.shape, b.shape), (op,))


def where(c: Node, a: Node, b: Node) -> Node:
    shape = broadcast_shape(c.shape, broadcast_shape(a.shape, b.shape))
    return Node("where", (c, a, b), shape)


def logaddexp(a: Node, b: Node) -> Node:
    return Node("logaddexp", (a, b), broadcast_shape(a.shape, b.shape))


# ---------------------------------------------------------------- traversal


def topological(roots: list[Node] | Node) -> list[Node]:
    """All nodes reachable from ``roots``, each after its arguments."""
    roots = [roots] if isinstance(roots, Node) else roots
    seen: set[int] = set()
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if node.uid in seen:
            continue
        if expanded:
            seen.add(node.uid)
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((a, False) for a in reversed(node.args) if a.uid not in seen)
    return order


def substitute(node: Node, mapping: dict[int, Node]) -> Node:
    """Rebuild ``node`` with the nodes whose uid is in ``mapping`` replaced."""
    memo: dict[int, Node] = {}
    for n in topological(node):
        if n.uid in mapping:
            memo[n.uid] = mapping[n.uid]
        elif n.is_leaf:
            memo[n.uid] = n
        else:
            args = tuple(memo[a.uid] for a in n.args)
            memo[n.uid] = n if args == n.args else Node(n.op, args, n.shape, n.attrs, n.name)
    return memo[node.uid]


def leaves(node: Node) -> list[Node]:
    """Input, adjoint and named leaves in first-use order."""
    return [n for n in topological(node) if n.op in ("input", "adjoint")]
