"""Leaves: named inputs, upstream gradients (adjoints), constants, and arrays of ones."""

from __future__ import annotations

import hashlib
from typing import Any, NamedTuple

import numpy as np

from derive.lazysympy import sp
from derive.ops import symbolic as S
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, register


class Frozen:
    """A read-only array that can sit in a node's attributes: hashed by shape, dtype and a
    digest of its bytes (computed once), equal when the arrays are equal."""

    __slots__ = ("array", "_hash")

    def __init__(self, array: np.ndarray) -> None:
        a = np.array(array, copy=True)
        a.flags.writeable = False
        self.array = a
        self._hash: int | None = None

    def __hash__(self) -> int:
        if self._hash is None:
            digest = hashlib.blake2b(self.array.tobytes(), digest_size=8).digest()
            self._hash = hash((self.array.shape, str(self.array.dtype), digest))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frozen) and self.array.dtype == other.array.dtype and \
            np.array_equal(self.array, other.array)

    def __repr__(self) -> str:
        return f"Frozen({'x'.join(map(str, self.array.shape))} {self.array.dtype})"


class ConstAttrs(NamedTuple):
    """A Python number, or an array (frozen: hashable and never modified)."""

    value: Any
    dtype: str = "float64"


class FullAttrs(NamedTuple):
    """An array of one value: np.zeros, np.ones, np.full (and their _like forms). ``dims``
    names each size that was read off an input's shape: (input, axis), or None."""

    value: float
    dtype: str
    dims: tuple[tuple[str, int] | None, ...] = ()


def leaf(name: str, shape: Shape) -> Node:
    return Node("input", (), tuple(shape), (), name)


def adjoint(name: str, shape: Shape) -> Node:
    """The name of an upstream gradient (dLdS) inside a backward expression."""
    return Node("adjoint", (), tuple(shape), (), name)


def const(value: Any, shape: Shape = ()) -> Node:
    """A constant: a Python number or an array (float64 unless it holds integers or booleans,
    which stay integers: labels and index arrays are data, not numbers to differentiate)."""
    a = np.asarray(value)
    if a.dtype.kind not in "biu":
        a = a.astype(np.float64)
    if a.ndim:
        return Node("const", (), a.shape, ConstAttrs(Frozen(a), str(a.dtype)))
    return Node("const", (), tuple(shape), ConstAttrs(float(a), "float64"))


def const_value(node: Node) -> Any:
    v = node.attrs.value
    return v.array if isinstance(v, Frozen) else v


def is_const(node: Node, value: float | None = None) -> bool:
    """A scalar constant (of ``value``, when given)."""
    if node.op != "const" or isinstance(node.attrs.value, Frozen):
        return False
    return value is None or node.attrs.value == value


def count(n: int, name: str = "n") -> Node:
    """A size that enters a formula (the mean's 1/n): printed by its name."""
    return Node("const", (), (), ConstAttrs(float(n), "float64"), name)


def ones(like: Node) -> Node:
    """An array of ones shaped like ``like`` (the documents' np.ones_like)."""
    return Node("ones", (like,), like.shape)


def full(shape: Shape, value: float, dtype: str = "float64", like: Node | None = None,
         dims: tuple[tuple[str, int] | None, ...] = ()) -> Node:
    """np.full(shape, value) (np.full_like(like, value) when ``like`` is given): the code
    holds at any size when the sizes are read off inputs (``like``, or ``dims``)."""
    args = (like,) if like is not None else ()
    return Node("full", args, tuple(int(s) for s in shape),
                FullAttrs(float(value), dtype, tuple(dims)))


@register
class Input(Op):
    name = "input"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(env[n.name])

    def latex(self, p: Any, n: Node) -> str:
        return p.name(n.name or "?")

    def numpy(self, p: Any, n: Node) -> str:
        return n.name or "?"

    def text(self, p: Any, n: Node) -> str:
        return p.name(n.name or "?")


@register
class Adjoint(Input):
    name = "adjoint"


@register
class Const(Op):
    name = "const"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        v = const_value(n)
        if isinstance(v, np.ndarray) and v.dtype.kind in "biu":
            return v  # labels, indices and masks: data, never differentiated
        if isinstance(v, np.ndarray):
            return S.apply(S.number, v.astype(object)) if v.shape else S.obj(S.number(float(v)))
        return S.obj(S.number(v) if not n.name else sp.Integer(int(v)))

    def latex(self, p: Any, n: Node) -> str:
        if n.name:
            return p.name(n.name)
        v = const_value(n)
        if isinstance(v, np.ndarray):
            rows = np.atleast_2d(v)
            body = r" \\ ".join(" & ".join(p.number(x) for x in r) for r in rows)
            return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
        return p.number(v)

    def numpy(self, p: Any, n: Node) -> str:
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return p.constant(v)
        return repr(float(v))

    def text(self, p: Any, n: Node) -> str:
        if n.name:
            return n.name
        v = const_value(n)
        if isinstance(v, np.ndarray):
            return f"[{'x'.join(map(str, v.shape))} constant]"
        return p.number(v)


@register
class Ones(Op):
    name = "ones"
    arity = 1

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)]

    def vjp(self, g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
        return (None,)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.filled(n.shape, sp.Integer(1))

    def latex(self, p: Any, n: Node) -> str:
        return r"\mathbf{1}"

    def numpy(self, p: Any, n: Node) -> str:
        a = n.args[0]
        return f"np.ones_like({a.name})" if a.name else f"np.ones({p.shape_code(n)})"

    def text(self, p: Any, n: Node) -> str:
        return "𝟙"


@register
class Full(Op):
    name = "full"
    arity = None

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        return [(0, axis)] if n.args else []

    def vjp(self, g: Node, out: Node, *like: Node) -> tuple[Node | None, ...]:
        return (None,) * len(like)

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.filled(n.shape, S.number(n.attrs.value))

    def latex(self, p: Any, n: Node) -> str:
        v = n.attrs.value
        return r"\mathbf{1}" if v == 1.0 else (r"\mathbf{0}" if v == 0.0 else
                                                rf"{p.number(v)} \, \mathbf{{1}}")

    def numpy(self, p: Any, n: Node) -> str:
        v, dtype, dims = n.attrs
        fill = repr(float(v)) if dtype.startswith("float") else repr(int(v))
        if n.args:
            return f"np.full_like({p.doprint(n.args[0], False)}, {fill}, dtype={dtype!r})"
        if any(dims):
            sizes = [f"{d[0]}.shape[{d[1]}]" if d else str(s) for s, d in zip(n.shape, dims)]
            shape = f"({sizes[0]},)" if len(sizes) == 1 else f"({', '.join(sizes)})"
        else:
            shape = p.shape_code(n)
        return f"np.full({shape}, {fill}, dtype={dtype!r})"

    def text(self, p: Any, n: Node) -> str:
        v = n.attrs.value
        return "𝟙" if v == 1.0 else ("𝟘" if v == 0.0 else f"{p.number(v)}·𝟙")


class DimAttrs(NamedTuple):
    """A size read off an input's shape: ``input.shape[axis]`` (its value at this shape)."""

    input: str
    axis: int
    value: int


def dim(input_name: str, axis: int, value: int) -> Node:
    return Node("dim", (), (), DimAttrs(input_name, int(axis), int(value)))


@register
class Dim(Op):
    """X.shape[0] in code, n in the math: a size by name, so both hold at every size. The
    batch (axis 0) prints as n; another axis k of X as dim_k(X)."""

    name = "dim"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(sp.Integer(n.attrs.value))

    def latex(self, p: Any, n: Node) -> str:
        name, axis, _ = n.attrs
        return "n" if axis == 0 else rf"\dim_{{{axis}}}\left({p.name(name)}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        return f"{n.attrs.input}.shape[{n.attrs.axis}]"

    def text(self, p: Any, n: Node) -> str:
        name, axis, _ = n.attrs
        return "n" if axis == 0 else f"dim_{axis}({name})"


class CountAttrs(NamedTuple):
    """How many entries of a boolean input are true (its value at this point)."""

    input: str
    value: int


def count_true(input_name: str, value: int) -> Node:
    return Node("nnz", (), (), CountAttrs(input_name, int(value)))


@register
class CountTrue(Op):
    """np.count_nonzero(keep) in code, |keep| in the math: the size of a selection x[keep],
    which a mean over it divides by. By name, so the pasted code holds for any mask."""

    name = "nnz"
    arity = 0

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(sp.Integer(n.attrs.value))

    def latex(self, p: Any, n: Node) -> str:
        return rf"\left|{p.name(n.attrs.input)}\right|"

    def numpy(self, p: Any, n: Node) -> str:
        return f"np.count_nonzero({n.attrs.input})"

    def text(self, p: Any, n: Node) -> str:
        return f"|{n.attrs.input}|"
