"""Indexing, its adjoint, and writes into buffers.

A key is stored as a template of hashable items: an int, ("slice", start, stop, step),
("none",) for np.newaxis, ("ellipsis",), or ("arg", k) for the k-th index array, which is a
node among the operation's arguments (integer labels ``y`` in ``logp[np.arange(n), y]``, a
boolean mask). So the graph prints ``logp[arange(n), y]`` by name and the generated code
indexes with whatever labels it is given.

``np.arange(X.shape[0])`` is itself a node (:mod:`derive.ops.ranges`), not the array of
numbers it had when traced; each output axis of an index names the axis it comes from
(:func:`index_axes`) and the scatter records the indexed array's sizes by name: the index,
the scatter's target shape and every array shaped like the selection hold at any size.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.lazysympy import sp
from derive.ops import symbolic as S
from derive.ops.dims import dims_of, follow_axis
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, build, register

IndexKey = tuple[Any, ...]


class KeyAttrs(NamedTuple):
    key: IndexKey
    masks: tuple[int, ...] = ()  # which index arrays (k of ("arg", k)) are boolean masks


class ScatterAttrs(NamedTuple):
    key: IndexKey
    shape: Shape  # the shape of the array that was indexed
    # where each of those sizes comes from: (input, axis), or None (a size not known by name)
    dims: tuple[tuple[str, int] | None, ...] = ()
    like: str | None = None  # the indexed array's step name: its .shape where dims fall short


def index_key(key: Any, ndim: int) -> IndexKey | None:
    """x[key] with ints and slices only -> a stored key; None for anything else."""
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


def python_key(key: IndexKey, arrays: list[Any] = ()) -> tuple[Any, ...]:
    """The template as a real key, index arrays taken from ``arrays``."""
    out: list[Any] = []
    for k in key:
        if not isinstance(k, tuple):
            out.append(k)
        elif k[0] == "slice":
            out.append(slice(*k[1:]))
        elif k[0] == "none":
            out.append(None)
        elif k[0] == "ellipsis":
            out.append(Ellipsis)
        else:
            out.append(arrays[k[1]])
    return tuple(out)


def key_text(key: IndexKey, args: list[str] = ()) -> str:
    """(0, ("slice", None, 2, None), ("arg", 0)) -> '0, :2, y'."""
    def one(k: Any) -> str:
        if not isinstance(k, tuple):
            return str(k)
        if k[0] == "slice":
            start, stop, step = ("" if v is None else str(v) for v in k[1:])
            return f"{start}:{stop}" + (f":{step}" if step else "")
        return {"none": "None", "ellipsis": "..."}.get(k[0]) or args[k[1]]

    return ", ".join(one(k) for k in key)


def indexed_shape(shape: Shape, key: IndexKey, indices: tuple[Node, ...]) -> Shape:
    """The shape numpy gives x[key] (index arrays by their shapes, constant ones, masks
    included, by their values)."""
    dummies = [const_array(i) if i.op == "const" and i.shape else np.zeros(i.shape, np.intp)
               for i in indices]
    return tuple(np.empty(shape, dtype=np.int8)[python_key(key, dummies)].shape)


def const_array(node: Node) -> np.ndarray:
    v = node.attrs.value
    return np.asarray(getattr(v, "array", v))


def getitem(a: Node, key: IndexKey, indices: tuple[Node, ...] = (),
            shape: Shape | None = None, masks: tuple[int, ...] = ()) -> Node:
    """a[key]; ``shape`` must be given when an index is a boolean mask that is not a
    constant (the shape depends on the mask's values); ``masks`` lists those arguments."""
    out = indexed_shape(a.shape, key, indices) if shape is None else tuple(shape)
    return Node("getitem", (a, *indices), out, KeyAttrs(tuple(key), tuple(masks)))


def scatter(g: Node, key: IndexKey, shape: Shape, indices: tuple[Node, ...] = (),
            dims: tuple[tuple[str, int] | None, ...] = (), like: str | None = None) -> Node:
    """The adjoint of indexing: zeros shaped ``shape`` with ``g`` added at ``key``; ``dims``
    names the sizes of ``shape`` (the indexed array's), so the code writes them by name, and
    ``like`` is that array's step name (``logp.shape`` when a size has no name: n * t rows)."""
    return Node("scatter", (g, *indices), tuple(shape),
                ScatterAttrs(tuple(key), tuple(shape), tuple(dims), like))


def setitem(base: Node, value: Node, key: IndexKey, indices: tuple[Node, ...] = (),
            masks: tuple[int, ...] = ()) -> Node:
    """base with base[key] = value: a buffer write (out[n, f, i, j] = ...) as a value."""
    return Node("setitem", (base, value, *indices), base.shape,
                KeyAttrs(tuple(key), tuple(masks)))


def index_axes(n: Node) -> list[list[tuple[int, int]]]:
    """For each output axis of the getitem ``n``: the (argument, axis) pairs it is, by
    numpy's rules. A kept axis is the indexed array's axis; the axes of the broadcast index
    arrays are those arrays' axes (arange(n) there gives the result a size known as n), in
    place when the array indices are adjacent, else first; a mask's count is no one's size."""
    a, indices = n.args[0], n.args[1:]
    key = n.attrs.key
    masks = set(n.attrs.masks) | {i for i, x in enumerate(indices)
                                  if x.op == "const" and x.attrs.dtype == "bool"}
    arrays = [k for k in key if isinstance(k, tuple) and k[0] == "arg"]
    consumed = sum(len(indices[k[1]].shape) if k[1] in masks else 1 for k in arrays) + \
        sum(1 for k in key if not isinstance(k, tuple) or k[0] == "slice")
    items: list[object] = []
    for k in key:
        fill = ("slice", None, None, None)
        items += [fill] * (len(a.shape) - consumed) if k == ("ellipsis",) else [k]
    if ("ellipsis",) not in key:
        items += [("slice", None, None, None)] * (len(a.shape) - consumed)
    advanced = [i for i, k in enumerate(items) if not isinstance(k, tuple) or k[0] == "arg"]
    if not arrays:
        advanced = []
    depth = max((1 if k[1] in masks else len(indices[k[1]].shape) for k in arrays), default=0)
    block: list[list[tuple[int, int]]] = []
    for j in range(depth):
        block.append([] if any(k[1] in masks for k in arrays) else [
            (1 + k[1], j - depth + len(indices[k[1]].shape)) for k in arrays
            if j - depth + len(indices[k[1]].shape) >= 0])
    adjacent = advanced == list(range(advanced[0], advanced[-1] + 1)) if advanced else True
    out: list[list[tuple[int, int]]] = [] if adjacent else list(block)
    axis = 0
    for i, k in enumerate(items):
        if advanced and i == advanced[0] and adjacent:
            out += block
        if k == ("none",):
            out.append([])
        elif isinstance(k, tuple) and k[0] == "slice":
            out.append([(0, axis)])
        axis += 0 if k == ("none",) else (len(indices[k[1]].shape) if isinstance(k, tuple)
                                           and k[0] == "arg" and k[1] in masks else 1)
    return out


def _index_values(args: list[np.ndarray]) -> list[np.ndarray]:
    """Index arrays as numpy integers or booleans (constants evaluate to SymPy numbers)."""
    out = []
    for v in args:
        a = np.asarray(v)
        if a.dtype == object:
            flat = [bool(x) if isinstance(x, (bool, sp.logic.boolalg.BooleanAtom)) else int(x)
                    for x in a.ravel()]
            a = np.array(flat).reshape(a.shape)
        out.append(a)
    return out


def _printed(p: Any, n: Node, first: int) -> list[str]:
    return [p.doprint(i, False) for i in n.args[first:]]


@register
class GetItem(Op):
    name = "getitem"
    arity = None

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        axes = index_axes(n)
        if len(axes) != len(n.shape):  # a key this reading does not follow: sizes as numbers
            return []
        return [(i, k) for i, k in axes[axis] if n.args[i].shape[k] == n.shape[axis]]

    def vjp(self, g: Node, out: Node, a: Node, *indices: Node) -> tuple[Node | None, ...]:
        like = a.name if a.name and a.op not in ("const", "input") else None
        return (scatter(g, out.attrs.key, a.shape, indices, dims_of(a), like),) + \
            (None,) * len(indices)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(args[0][python_key(n.attrs.key, _index_values(args[1:]))])

    def latex(self, p: Any, n: Node) -> str:
        return rf"{p.paren(n.args[0], 5)}_{{[{key_text(n.attrs.key, _printed(p, n, 1))}]}}"

    def numpy(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0])}[{key_text(n.attrs.key, _printed(p, n, 1))}]"

    def text(self, p: Any, n: Node) -> str:
        return f"{p.paren(n.args[0], 5)}[{key_text(n.attrs.key, _printed(p, n, 1))}]"


@register
class Scatter(Op):
    name = "scatter"
    arity = None
    helpers = ("scatter",)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        out = S.filled(n.shape, sp.Integer(0))
        key = python_key(n.attrs.key, _index_values(args[1:]))
        np.add.at(out, key, args[0])
        return out

    def latex(self, p: Any, n: Node) -> str:
        inner = p.doprint(n.args[0], False)
        key = key_text(n.attrs.key, _printed(p, n, 1))
        return rf"\operatorname{{scatter}}_{{[{key}]}}\left({inner}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        key = key_text(n.attrs.key, _printed(p, n, 1))
        shape = p.shape_code(n)
        if n.attrs.like and any(s > 1 and d is None for s, d in zip(n.shape, dims_of(n))):
            shape = f"{n.attrs.like}.shape"  # a size no input names: the array's own shape
        return f"scatter({p.doprint(n.args[0], False)}, {shape}, np.s_[{key}])"

    def text(self, p: Any, n: Node) -> str:
        key = key_text(n.attrs.key, _printed(p, n, 1))
        return f"scatter[{key}]({p.doprint(n.args[0], False)})"


@register
class SetItem(Op):
    name = "setitem"
    arity = None
    helpers = ("put",)

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def vjp(self, g: Node, out: Node, base: Node, value: Node, *indices: Node
            ) -> tuple[Node | None, ...]:
        from derive.ops.leaves import const

        key = out.attrs.key
        slot = getitem(g, key, indices, masks=out.attrs.masks)
        g_value = None if value.op == "const" else build.to(slot, value)
        return (setitem(g, const(0.0), key, indices, out.attrs.masks), g_value) + \
            (None,) * len(indices)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        out = np.array(args[0], dtype=object, copy=True)
        out[python_key(n.attrs.key, _index_values(args[2:]))] = args[1]
        return out

    def latex(self, p: Any, n: Node) -> str:
        key = key_text(n.attrs.key, _printed(p, n, 2))
        value = p.doprint(n.args[1], False)
        return rf"{p.paren(n.args[0], 5)}\left[{key} \gets {value}\right]"

    def numpy(self, p: Any, n: Node) -> str:
        key = key_text(n.attrs.key, _printed(p, n, 2))
        return f"put({p.doprint(n.args[0], False)}, np.s_[{key}], {p.doprint(n.args[1], False)})"

    def text(self, p: Any, n: Node) -> str:
        key = key_text(n.attrs.key, _printed(p, n, 2))
        return f"{p.paren(n.args[0], 5)}[{key} ← {p.doprint(n.args[1], False)}]"


def mask_source(node: Node, axis: int) -> tuple[str, int] | None:
    """The boolean input whose true entries ``node``'s ``axis`` counts (x[keep], x[:, keep]:
    a size no input's shape has), with that count; else None."""
    return follow_axis(node, axis, _mask_count)


def _mask_count(n: Node, ax: int) -> tuple[str, int] | None:
    if n.op != "getitem" or ("none",) in n.attrs.key:
        return None
    masks = [n.args[1 + i] for i in n.attrs.masks]
    arrays = [k for k in n.attrs.key if isinstance(k, tuple) and k[0] == "arg"]
    if len(masks) != 1 or len(arrays) != 1 or masks[0].op != "input" or not masks[0].name:
        return None
    axes = index_axes(n)
    return (masks[0].name, n.shape[ax]) if len(axes) == len(n.shape) and axes[ax] == [] \
        else None
