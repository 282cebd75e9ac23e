"""Operations that move entries without computing: transpose, reshape, undoing and doing
broadcasting (indexing is in :mod:`derive.ops.index`)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.errors import ShapeError
from derive.ops import symbolic as S
from derive.ops.broadcast import summed_axes
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, build, register


class PermAttrs(NamedTuple):
    perm: tuple[int, ...]


class ShapeAttrs(NamedTuple):
    shape: Shape
    dims: tuple[tuple[str, int] | None, ...] = ()  # the sizes by name, where known


def transpose(a: Node, axes: tuple[int, ...] | None = None) -> Node:
    if len(a.shape) <= 1:
        return a
    perm = tuple(range(len(a.shape)))[::-1] if axes is None else tuple(axes)
    if a.op == "transpose" and len(perm) == 2 and a.attrs.perm == (1, 0) and perm == (1, 0):
        return a.args[0]
    return Node("transpose", (a,), tuple(a.shape[i] for i in perm), PermAttrs(perm))


def reshape(a: Node, shape: Shape, dims: tuple[tuple[str, int] | None, ...] = ()) -> Node:
    shape = tuple(int(s) for s in shape)
    if -1 in shape:
        known = int(np.prod([s for s in shape if s != -1]))
        shape = tuple(a.size // known if s == -1 else s for s in shape)
    if shape == a.shape:
        return a
    if int(np.prod(shape, dtype=np.int64)) != a.size:
        raise ShapeError(f"cannot reshape {a.shape} into {shape}")
    return Node("reshape", (a,), shape, ShapeAttrs(shape, tuple(dims)))


def sum_to(a: Node, shape: Shape) -> Node:
    """Undo broadcasting: sum ``a`` down to ``shape`` (the bias-gradient step)."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    return Node("sum_to", (a,), shape, ShapeAttrs(shape))


def broadcast_to(a: Node, shape: Shape) -> Node:
    shape = tuple(shape)
    if a.shape == shape:
        return a
    return Node("broadcast_to", (a,), shape, ShapeAttrs(shape))


@register
class Transpose(Op):
    name = "transpose"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, n.attrs.perm[axis])]

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        perm = out.attrs.perm
        inverse = tuple(sorted(range(len(perm)), key=perm.__getitem__))
        return (transpose(g, inverse),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return np.transpose(args[0], n.attrs.perm)

    def latex(self, p: Any, n: Node) -> str:
        return rf"{p.paren(n.args[0], 5)}^{{T}}"

    def numpy(self, p: Any, n: Node) -> str:
        perm = n.attrs.perm
        if len(perm) == 2:
            return f"{p.paren(n.args[0])}.T"
        return f"np.transpose({p.doprint(n.args[0], False)}, {perm})"

    def text(self, p: Any, n: Node) -> str:
        perm = n.attrs.perm
        if len(perm) == 2:
            return f"{p.paren(n.args[0], 5)}ᵀ"
        return f"transpose({p.doprint(n.args[0], False)}, {perm})"


@register
class Reshape(Op):
    name = "reshape"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        src = n.args[0].shape
        if n.shape[:axis + 1] == src[:axis + 1]:
            return [(0, axis)]
        back = len(n.shape) - axis
        if back <= len(src) and n.shape[axis:] == src[len(src) - back:]:
            return [(0, len(src) - back)]
        return []

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        from derive.ops.dims import dims_of

        return (reshape(g, a.shape, dims_of(a)),)  # back to a's shape, its sizes by name

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return args[0].reshape(n.shape)

    def latex(self, p: Any, n: Node) -> str:
        return p.doprint(n.args[0], False)

    def numpy(self, p: Any, n: Node) -> str:
        from derive.ops.dims import reshape_code

        if not n.args[0].shape:  # a scalar may be a Python float, which has no .reshape
            return f"np.reshape({p.doprint(n.args[0], False)}, {p.shape_code(n)})"
        return f"{p.paren(n.args[0])}.reshape({reshape_code(n)})"

    def text(self, p: Any, n: Node) -> str:
        """reshape(x, n×4): each size by the name of the input axis it is, where it is one."""
        from derive.ops.dims import dims_of
        from derive.ops.leaves import dim

        def name(src: tuple[str, int], size: int) -> str:
            return p.doprint(dim(src[0], src[1], size), True)

        srcs = dims_of(n)
        sizes = [name(src, size) if src and size != 1 else str(size)
                 for src, size in zip(srcs, n.shape)]
        unnamed = [i for i, (src, size) in enumerate(zip(srcs, n.shape)) if not src and size > 1]
        rest = list(zip(dims_of(n.args[0]), n.args[0].shape))
        for src in filter(None, srcs):  # drop the argument's sizes this shape names again
            k = next((k for k, r in enumerate(rest) if r[0] == src), None)
            if k is not None:
                del rest[k]
        if len(unnamed) == 1 and rest and all(src for src, _ in rest) and \
                int(np.prod([size for _, size in rest])) == n.shape[unnamed[0]]:
            merged = " ".join(name(src, size) for src, size in rest)  # n·t rows of x
            sizes[unnamed[0]] = merged if len(rest) == 1 else f"({merged})"
        return f"reshape({p.doprint(n.args[0], False)}, {'×'.join(sizes)})"


@register
class SumTo(Op):
    name = "sum_to"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        from derive.ops.dims import aligned

        return aligned(n, axis)

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        from derive.ops.leaves import ones

        return (build.mul(broadcast_to(g, a.shape), ones(a)) if g.shape != a.shape else g,)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        src, dst = args[0], n.shape
        lead = src.ndim - len(dst)
        out = src.sum(axis=tuple(range(lead))) if lead else src
        keep = tuple(i for i, s in enumerate(dst) if s == 1 and out.shape[i] != 1)
        return S.obj(out.sum(axis=keep, keepdims=True)) if keep else S.obj(out)

    def latex(self, p: Any, n: Node) -> str:
        inner = p.doprint(n.args[0], False)
        return rf"\operatorname{{sum}}_{{\text{{{_label(n)}}}}}\left({inner}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        src, dst = n.args[0].shape, n.shape
        lead = len(src) - len(dst)
        code = p.paren(n.args[0])
        if lead:
            code = f"{code}.sum(axis={0 if lead == 1 else tuple(range(lead))})"
        keep = tuple(i for i, s in enumerate(dst) if s == 1 and src[lead + i] != 1)
        if keep:
            code = f"{code}.sum(axis={keep[0] if len(keep) == 1 else keep}, keepdims=True)"
        return code

    def text(self, p: Any, n: Node) -> str:
        return f"sum_{_label(n)}({p.doprint(n.args[0], False)})"


def _label(n: Node) -> str:
    axes = summed_axes(n.args[0].shape, n.shape)
    return "rows" if axes == (0,) else ",".join(str(a) for a in axes)


@register
class BroadcastTo(Op):
    name = "broadcast_to"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        from derive.ops.dims import aligned

        return aligned(n, axis)

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (sum_to(g, a.shape),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return np.broadcast_to(args[0], n.shape).copy()

    def latex(self, p: Any, n: Node) -> str:
        return p.doprint(n.args[0], False)

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.broadcast_to({p.doprint(n.args[0], False)}, {p.shape_code(n)})"

    def text(self, p: Any, n: Node) -> str:
        return p.doprint(n.args[0], False)
