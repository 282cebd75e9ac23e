"""Reductions over axes: sum, mean, max and min."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from derive.lazysympy import sp
from derive.ops import symbolic as S
from derive.ops.leaves import const, count, ones
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, build, register


class ReduceAttrs(NamedTuple):
    axes: tuple[int, ...] | None  # None: every axis
    keepdims: bool


def _norm_axis(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(int(x) % ndim for x in axes))


def reduced_shape(shape: Shape, axes: tuple[int, ...] | None, keepdims: bool) -> Shape:
    if axes is None:
        return tuple(1 for _ in shape) if keepdims else ()
    if keepdims:
        return tuple(1 if i in axes else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def reduce(op: str, a: Node, axis: Any = None, keepdims: bool = False) -> Node:
    """sum, mean, amax or amin over ``axis`` (None: all entries)."""
    axes = _norm_axis(axis, len(a.shape))
    attrs = ReduceAttrs(axes, bool(keepdims))
    return Node(op, (a,), reduced_shape(a.shape, axes, bool(keepdims)), attrs)


def kept(x: Node, out: Node, a: Node) -> Node:
    """x, shaped like the reduction ``out`` of ``a``, with the reduced axes kept as 1s, so
    that it broadcasts against a."""
    axes, keepdims = out.attrs
    if axes is not None and not keepdims:
        return build.reshape(x, tuple(1 if i in axes else s for i, s in enumerate(a.shape)))
    return x


def spread(g: Node, out: Node, a: Node) -> Node:
    """Send a reduction's gradient back to every entry it reduced: G times ones."""
    return build.mul(kept(g, out, a), ones(a))


def reduced_count(a: Node, axes: tuple[int, ...] | None) -> Node:
    """How many entries a mean averages, by name where the sizes come from inputs (n for a
    batch read off X.shape[0]), so 1/n holds in the math and the code at every size."""
    from derive.ops.dims import dim_source
    from derive.ops.index import mask_source
    from derive.ops.leaves import count_true, dim

    axes = tuple(range(len(a.shape))) if axes is None else axes
    named: list[Node] = []
    rest = 1
    for ax in axes:
        size = a.shape[ax]
        src = dim_source(a, ax) if size > 1 else None
        mask = mask_source(a, ax) if size > 1 and src is None else None
        if src is not None:
            named.append(dim(src[0], src[1], size))
        elif mask is not None:  # a mean over x[keep] divides by |keep|, whatever keep is
            named.append(count_true(*mask))
        else:
            rest *= size
    if not named:
        return count(rest)
    total = named[0]
    for d in named[1:]:
        total = build.mul(total, d)
    return total if rest == 1 else build.mul(const(float(rest)), total)


class _Reduction(Op):
    arity = 1
    word = ""  # LaTeX operator name
    call = ""  # numpy function

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        axes, keep = n.attrs
        if axes is None:
            return []
        if keep:
            return [] if axis in axes else [(0, axis)]
        kept = [i for i in range(len(n.args[0].shape)) if i not in axes]
        return [(0, kept[axis])]

    def latex(self, p: Any, n: Node) -> str:
        axes = n.attrs.axes
        sub = "" if axes is None else "_{" + ",".join(str(a) for a in axes) + "}"
        return rf"{self.word}{sub}\left({p.doprint(n.args[0], False)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        axes, keep = n.attrs
        args = [p.doprint(n.args[0], False)]
        if axes is not None:
            args.append(f"axis={axes[0] if len(axes) == 1 else axes}")
        if keep:
            args.append("keepdims=True")
        return f"np.{self.call}({', '.join(args)})"

    def text(self, p: Any, n: Node) -> str:
        axes = n.attrs.axes
        sub = "" if axes is None else "_" + ",".join(str(a) for a in axes)
        return f"{self.call}{sub}({p.doprint(n.args[0], False)})"


@register
class Sum(_Reduction):
    name = "sum"
    word = r"\operatorname{sum}"
    call = "sum"

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (spread(g, out, a),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        axes, keep = n.attrs
        return S.obj(np.sum(args[0], axis=axes, keepdims=keep))


@register
class Mean(_Reduction):
    name = "mean"
    word = r"\operatorname{mean}"
    call = "mean"

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (build.div(spread(g, out, a), reduced_count(a, out.attrs.axes)),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        axes, keep = n.attrs
        total = S.obj(np.sum(args[0], axis=axes, keepdims=keep))
        return S.obj(total / sp.Integer(args[0].size // max(total.size, 1)))


def _extreme(f: Callable[..., sp.Expr], a: np.ndarray, axes: tuple[int, ...] | None,
             keep: bool) -> np.ndarray:
    """Max or Min of the entries over ``axes``, one axis at a time (keepdims, then squeeze)."""
    axes = tuple(range(a.ndim)) if axes is None else axes
    out = a
    for ax in axes:
        out = np.apply_along_axis(lambda v: f(*v), ax, out)
        out = np.expand_dims(np.asarray(out, dtype=object), ax)
    return S.obj(out if keep else out.reshape([s for i, s in enumerate(out.shape)
                                               if i not in axes]))


class _Extreme(_Reduction):
    extreme = "Max"  # the SymPy function's name (SymPy loads lazily)

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        """The gradient goes to the entries that attain the max (min), split equally on a
        tie (a valid subgradient; the softmax shift x - max(x) cancels it anyway)."""

        hit = build.where(build.compare("==", a, kept(out, out, a)), const(1.0), const(0.0))
        count = reduce("sum", hit, out.attrs.axes, True)
        return (build.div(build.mul(spread(g, out, a), hit), count),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return _extreme(getattr(sp, type(self).extreme), args[0], *n.attrs)

    def kinks(self, n: Node) -> list[Node]:
        """Zero where two entries or more attain the extreme (a tie)."""

        a = n.args[0]
        hit = build.where(build.compare("==", a, kept(n, n, a)), const(1.0), const(0.0))
        ties = reduce("sum", hit, n.attrs.axes, True)
        return [build.where(build.compare(">", ties, const(1.0)), const(0.0), const(1.0))]


@register
class AMax(_Extreme):
    name = "amax"
    word = r"\max"
    call = "max"
    extreme = "Max"


@register
class AMin(_Extreme):
    name = "amin"
    word = r"\min"
    call = "min"
    extreme = "Min"


def prod_except(a: Node, axes: tuple[int, ...] | None) -> Node:
    """For each entry, the product of the other entries along ``axes`` (prod's gradient)."""
    return Node("prod_except", (a,), a.shape, ReduceAttrs(axes, True))


@register
class Prod(_Reduction):
    name = "prod"
    word = r"\prod"
    call = "prod"

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (build.mul(spread(g, out, a), prod_except(a, out.attrs.axes)),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        axes, keep = n.attrs
        return S.obj(np.prod(args[0], axis=axes, keepdims=keep))


def _fibers(a: np.ndarray, axes: tuple[int, ...] | None) -> tuple[np.ndarray, tuple[int, ...]]:
    """a with the reduced axes moved last and flattened into one: (..., k), and the shape."""
    axes = tuple(range(a.ndim)) if axes is None else axes
    last = tuple(range(a.ndim - len(axes), a.ndim))
    moved = np.moveaxis(a, axes, last)
    return moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,)), moved.shape


@register
class ProdExcept(Op):
    name = "prod_except"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]
    helpers = ("prod_except",)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        a = args[0]
        axes = n.attrs.axes
        flat, moved_shape = _fibers(a, axes)
        out = np.empty(flat.shape, dtype=object)
        for idx in np.ndindex(*flat.shape):
            fiber = flat[idx[:-1]]
            out[idx] = sp.Mul(*[x for j, x in enumerate(fiber) if j != idx[-1]])
        axes = tuple(range(a.ndim)) if axes is None else axes
        return np.moveaxis(out.reshape(moved_shape), tuple(range(a.ndim - len(axes), a.ndim)),
                           axes)

    def latex(self, p: Any, n: Node) -> str:
        axes = n.attrs.axes
        sub = "" if axes is None else "_{" + ",".join(str(a) for a in axes) + "}"
        return rf"\textstyle\prod{sub}^{{\neq}}\left({p.doprint(n.args[0], False)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return f"prod_except({p.doprint(n.args[0], False)}, {n.attrs.axes})"

    def text(self, p: Any, n: Node) -> str:
        return f"prod_others({p.doprint(n.args[0], False)})"


class ScanAttrs(NamedTuple):
    axis: int | None  # None: over the flattened array
    reverse: bool


def cumsum(a: Node, axis: int | None = None, reverse: bool = False) -> Node:
    if axis is None:
        return cumsum(build.reshape(a, (a.size,)), 0, reverse)
    return Node("cumsum", (a,), a.shape, ScanAttrs(int(axis) % len(a.shape), reverse))


@register
class CumSum(Op):
    name = "cumsum"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (cumsum(g, out.attrs.axis, not out.attrs.reverse),)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        axis, reverse = n.attrs
        a = np.flip(args[0], axis) if reverse else args[0]
        out = np.cumsum(a, axis=axis)
        return S.obj(np.flip(out, axis) if reverse else out)

    def latex(self, p: Any, n: Node) -> str:
        word = "revcumsum" if n.attrs.reverse else "cumsum"
        inner = p.doprint(n.args[0], False)
        return rf"\operatorname{{{word}}}_{{{n.attrs.axis}}}\left({inner}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        axis, reverse = n.attrs
        inner = p.doprint(n.args[0], False)
        if reverse:
            return f"np.flip(np.cumsum(np.flip({inner}, {axis}), axis={axis}), {axis})"
        return f"np.cumsum({inner}, axis={axis})"

    def text(self, p: Any, n: Node) -> str:
        word = "revcumsum" if n.attrs.reverse else "cumsum"
        return f"{word}_{n.attrs.axis}({p.doprint(n.args[0], False)})"
