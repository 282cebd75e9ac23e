"""Traced shape changes, indexing and buffer writes: reshape, transpose, squeeze, stack,
split, take_along_axis, x[key] with integers, slices, None, integer arrays and boolean
masks, and out[key] = value."""

from __future__ import annotations

from typing import Any

import numpy as np

from derive import expr as E
from derive.errors import TraceError
from derive.numpy_make import arange
from derive.ops.concat import concat
from derive.ops.dims import dim_source
from derive.ops.index import getitem as getitem_node
from derive.ops.index import setitem as setitem_node
from derive.traced import FUNCTIONS, Dim, Traced, as_node, concrete, known, lift, specialize


def _shape(a: Any) -> tuple[int, ...]:
    return as_node(a).shape if isinstance(a, Traced) else np.shape(a)


# ---------------------------------------------------------------- keys


def _bound(v: Any) -> int | None:
    """A slice bound: None, an int, or a constant (int() of it)."""
    return None if v is None else int(v)


def _index_array(k: Any) -> Traced:
    """An integer array or boolean mask used as an index, as a traced value."""
    t = k if isinstance(k, Traced) else Traced(E.const(np.asarray(k)), np.asarray(k))
    if t.dtype.kind not in "biu":
        raise TraceError(f"indexing with an array of {t.dtype} (indices must be integers or "
                         "booleans)")
    return t


def parse_key(key: Any) -> tuple[tuple[Any, ...], list[Traced]]:
    """A numpy key -> (template, index arrays), see :mod:`derive.ops.index`."""
    items = key if isinstance(key, tuple) else (key,)
    template: list[Any] = []
    arrays: list[Traced] = []
    for k in items:
        if k is None:
            template.append(("none",))
        elif k is Ellipsis:
            template.append(("ellipsis",))
        elif isinstance(k, slice):
            template.append(("slice", _bound(k.start), _bound(k.stop), _bound(k.step)))
        elif isinstance(k, (bool, np.bool_)):
            raise TraceError("indexing with a Python bool")
        elif isinstance(k, (int, np.integer)):
            template.append(int(k))
        elif isinstance(k, Traced) and not k.node.shape and k.value is not None and \
                k.dtype.kind in "iu" and k.node.op == "const":
            template.append(int(k.value))
        else:
            template.append(("arg", len(arrays)))
            arrays.append(_index_array(k))
    return tuple(template), arrays


def _key_shape(shape: tuple[int, ...], template: tuple[Any, ...], arrays: list[Traced]
               ) -> tuple[int, ...]:
    masks = [a for a in arrays if a.dtype.kind == "b"]
    if any(m.value is None for m in masks):
        raise TraceError("boolean indexing with a mask that depends on a differentiated "
                         "input (use np.where)")
    if any(m.node.op != "const" for m in masks):
        specialize("a boolean mask from a constant input")
    values = [a.value if a.dtype.kind == "b" else np.zeros(a.node.shape, np.intp)
              for a in arrays]
    try:
        return tuple(np.empty(shape, np.int8)[E.python_key(template, values)].shape)
    except IndexError as exc:
        raise TraceError(f"an index out of range ({exc})") from None


def _masks(arrays: list[Traced]) -> tuple[int, ...]:
    return tuple(i for i, t in enumerate(arrays) if t.dtype.kind == "b")


def getitem(a: Traced, key: Any) -> Traced:
    template, arrays = parse_key(key)
    shape = _key_shape(a.node.shape, template, arrays)
    nodes = tuple(t.node for t in arrays)
    node = getitem_node(a.node, template, nodes, shape, _masks(arrays))
    if a.value is not None and all(t.value is not None for t in arrays):
        value = a.value[E.python_key(template, [t.value for t in arrays])]
        pure = a.node.op in ("const", "full") and all(t.node.op == "const" for t in arrays)
        return Traced(E.const(value) if pure else node, value)
    return Traced(node, None, a.dtype)


def setitem(a: Traced, key: Any, value: Any) -> Traced:
    """out[key] = value, as the value of the whole buffer after the write."""
    masked = _masked_write(a, key, value)
    if masked is not None:
        return masked
    template, arrays = parse_key(key)
    slot = _key_shape(a.node.shape, template, arrays)
    v = value if isinstance(value, Traced) else Traced(E.const(np.asarray(value)),
                                                       np.asarray(value))
    try:
        np.broadcast_to(np.empty(v.node.shape), slot)
    except ValueError:
        raise TraceError(f"writing a {v.node.shape} value into a {slot} slot") from None
    node = setitem_node(a.node, v.node, template, tuple(t.node for t in arrays),
                        _masks(arrays))
    if a.value is not None and v.value is not None and all(t.value is not None for t in arrays):
        new = np.array(a.value, copy=True)
        new[E.python_key(template, [t.value for t in arrays])] = v.value
        pure = a.node.op in ("const", "full") and v.node.op == "const" and \
            all(t.node.op == "const" for t in arrays)
        return Traced(E.const(new) if pure else node, new)
    dtype = np.result_type(a.dtype, v.dtype)
    return Traced(node, None, dtype)


def _masked_write(a: Traced, key: Any, value: Any) -> Traced | None:
    """``out[x <= 0] = 0``: a whole-array mask that depends on a differentiated input writes
    np.where(mask, value, out); the mask is piecewise constant, so where is exact (its kinks
    are the mask's boundary). None when the write is not of this form."""
    if not (isinstance(key, Traced) and key.value is None and key.dtype.kind == "b"
            and key.node.shape == a.node.shape):
        return None
    vshape = value.node.shape if isinstance(value, Traced) else np.shape(value)
    try:
        fits = np.broadcast_shapes(vshape, a.node.shape) == a.node.shape
    except ValueError:
        fits = False
    return np.where(key, value, a) if fits else None


# ---------------------------------------------------------------- shapes


def reshape(a: Any, newshape: Any = None, order: str = "C", **kw: Any) -> Traced:
    shape = kw.get("shape", newshape)
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    return lift(lambda x: E.reshape(x, shape), lambda v: np.reshape(v, shape), a)


def transpose(a: Any, axes: Any = None) -> Traced:
    axes = None if axes is None else tuple(int(x) % len(_shape(a)) for x in axes)
    return lift(lambda x: E.transpose(x, axes), lambda v: np.transpose(v, axes), a)


def swapaxes(a: Any, axis1: int, axis2: int) -> Traced:
    perm = list(range(len(_shape(a))))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return transpose(a, perm)


def moveaxis(a: Any, source: Any, destination: Any) -> Traced:
    n = len(_shape(a))
    src = [int(s) % n for s in np.atleast_1d(source)]
    dst = [int(d) % n for d in np.atleast_1d(destination)]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def squeeze(a: Any, axis: Any = None) -> Traced:
    shape = _shape(a)
    axes = {i for i, s in enumerate(shape) if s == 1} if axis is None else \
        {int(x) % len(shape) for x in np.atleast_1d(axis)}
    return reshape(a, tuple(s for i, s in enumerate(shape) if i not in axes))


def expand_dims(a: Any, axis: Any) -> Traced:
    shape = list(_shape(a))
    for ax in sorted(int(x) % (len(shape) + len(np.atleast_1d(axis)))
                     for x in np.atleast_1d(axis)):
        shape.insert(ax, 1)
    return reshape(a, tuple(shape))


def concatenate(arrays: Any, axis: Any = 0, out: Any = None, **kw: Any) -> Traced:
    parts = list(arrays)
    if axis is None:
        parts = [np.ravel(p) for p in parts]
        axis = 0
    if all(known(p) for p in parts) and not any(isinstance(p, Traced) for p in parts):
        return np.concatenate([concrete(p) for p in parts], axis=axis)
    return lift(lambda *n: concat(list(n), axis), lambda *v: np.concatenate(v, axis=axis),
                *parts)


def stack(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> Traced:
    parts = list(arrays)
    ndim = len(_shape(parts[0])) + 1
    return concatenate([expand_dims(p, int(axis) % ndim) for p in parts], axis=axis)


def hstack(tup: Any, **kw: Any) -> Traced:
    parts = list(tup)
    return concatenate(parts, axis=0 if len(_shape(parts[0])) == 1 else 1)


def vstack(tup: Any, **kw: Any) -> Traced:
    return concatenate([p if len(_shape(p)) >= 2 else reshape(p, (1, -1)) for p in tup], axis=0)


def column_stack(tup: Any) -> Traced:
    return concatenate([p if len(_shape(p)) >= 2 else reshape(p, (-1, 1)) for p in tup], axis=1)


def _split_points(n: int, sections: Any, even: bool) -> list[int]:
    if isinstance(sections, (int, np.integer)):
        k = int(sections)
        if even and n % k:
            raise TraceError(f"numpy.split: {n} entries do not split into {k} equal parts")
        size, extra = divmod(n, k)
        bounds, start = [], 0
        for i in range(k - 1):
            start += size + (1 if i < extra else 0)
            bounds.append(start)
        return bounds
    return [int(s) for s in sections]


def split(a: Any, indices_or_sections: Any, axis: int = 0, even: bool = True) -> list[Traced]:
    shape = _shape(a)
    axis = int(axis) % len(shape)
    bounds = [0, *_split_points(shape[axis], indices_or_sections, even), shape[axis]]
    lead = (slice(None),) * axis
    return [a[(*lead, slice(lo, hi))] for lo, hi in zip(bounds[:-1], bounds[1:])]


def take_along_axis(arr: Any, indices: Any, axis: Any) -> Traced:
    """arr[i0, ..., indices, ...]: an open mesh of ranges on the other axes."""
    shape = _shape(arr)
    if axis is None:
        return np.reshape(arr, (-1,))[indices]
    axis = int(axis) % len(shape)
    key: list[Any] = []
    for d in range(len(shape)):
        if d == axis:
            key.append(indices)
        else:
            spread = tuple(slice(None) if k == d else None for k in range(len(shape)))
            key.append(arange(_size(indices, d))[spread])  # arange(n)[:, None], by name
    return arr[tuple(key)]


def _size(a: Any, axis: int) -> int:
    """a.shape[axis], as a :class:`Dim` when an input's axis is where it comes from."""
    size = int(_shape(a)[axis])
    src = dim_source(as_node(a), axis) if size > 1 else None
    return size if src is None else Dim(size, src)


def take(a: Any, indices: Any, axis: Any = None, **kw: Any) -> Traced:
    if axis is None:
        return np.reshape(a, (-1,))[indices]
    axis = int(axis) % len(_shape(a))
    return a[(slice(None),) * axis + (indices,)]


def flip(m: Any, axis: Any = None) -> Traced:
    n = len(_shape(m))
    axes = range(n) if axis is None else [int(x) % n for x in np.atleast_1d(axis)]
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(n))]


def broadcast_to(a: Any, shape: Any, **kw: Any) -> Traced:
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    return lift(lambda x: E.broadcast_to(x, shape), lambda v: np.broadcast_to(v, shape), a)


def atleast_2d(*arys: Any) -> Any:
    out = [a if len(_shape(a)) >= 2 else reshape(a, (1, -1)) for a in arys]
    return out[0] if len(out) == 1 else out


def _copy(a: Any, *args: Any, **kw: Any) -> Any:
    return a


FUNCTIONS.update({
    np.reshape: reshape, np.transpose: transpose, np.swapaxes: swapaxes,
    np.moveaxis: moveaxis, np.squeeze: squeeze, np.expand_dims: expand_dims,
    np.ravel: lambda a, order="C": reshape(a, (-1,)), np.concatenate: concatenate,
    np.stack: stack, np.hstack: hstack, np.vstack: vstack, np.column_stack: column_stack,
    np.split: split, np.array_split: lambda a, s, axis=0: split(a, s, axis, even=False),
    np.hsplit: lambda a, s: split(a, s, 0 if len(_shape(a)) == 1 else 1),
    np.vsplit: lambda a, s: split(a, s, 0), np.take_along_axis: take_along_axis,
    np.take: take, np.flip: flip, np.broadcast_to: broadcast_to, np.atleast_2d: atleast_2d,
    np.copy: _copy,
})

