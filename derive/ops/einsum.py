"""einsum, and the products numpy users write that are einsums in disguise (tensordot,
inner, outer, kron, trace, diag are lowered to it by the tracer).

The rule is the textbook one: the gradient of operand k is the einsum of the upstream
gradient with the other operands, written back in operand k's subscripts. A letter repeated
inside operand k (a diagonal, 'ii->') is written with a fresh letter and an identity matrix;
a letter summed only inside operand k ('ij->i') is broadcast back with a vector of ones.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from derive.errors import ShapeError
from derive.ops import symbolic as S
from derive.ops.leaves import const
from derive.ops.node import Node, Shape
from derive.ops.registry import Op, register

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class EinsumAttrs(NamedTuple):
    inputs: tuple[str, ...]  # one subscript string per operand
    output: str

    @property
    def spec(self) -> str:
        return f"{','.join(self.inputs)}->{self.output}"


def parse_subscripts(subscripts: str, count: int) -> EinsumAttrs:
    """'ij,jk->ik' -> (('ij', 'jk'), 'ik'); implicit output: letters seen once, sorted."""
    text = subscripts.replace(" ", "")
    if "." in text:
        raise ShapeError(f"einsum with an ellipsis ({subscripts!r}) is not supported")
    left, arrow, out = text.partition("->")
    inputs = tuple(left.split(","))
    if len(inputs) != count:
        raise ShapeError(f"einsum {subscripts!r} names {len(inputs)} operands, got {count}")
    if not arrow:
        letters = "".join(inputs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for part in (*inputs, out):
        if any(c not in _LETTERS for c in part):
            raise ShapeError(f"einsum subscripts must be letters, got {subscripts!r}")
    return EinsumAttrs(inputs, out)


def _sizes(attrs: EinsumAttrs, shapes: list[Shape]) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for sub, shape in zip(attrs.inputs, shapes):
        if len(sub) != len(shape):
            raise ShapeError(f"einsum operand {sub!r} has {len(shape)} axes, not {len(sub)}")
        for c, s in zip(sub, shape):
            if sizes.setdefault(c, s) != s:
                raise ShapeError(f"einsum: axis {c!r} is {sizes[c]} in one operand, {s} in "
                                 "another")
    return sizes


def einsum(subscripts: str | EinsumAttrs, *operands: Node) -> Node:
    attrs = subscripts if isinstance(subscripts, EinsumAttrs) else \
        parse_subscripts(subscripts, len(operands))
    sizes = _sizes(attrs, [o.shape for o in operands])
    shape = tuple(sizes[c] for c in attrs.output)
    return Node("einsum", tuple(operands), shape, attrs)


def _operand_gradient(g: Node, out: Node, k: int) -> Node:
    attrs: EinsumAttrs = out.attrs
    sizes = _sizes(attrs, [a.shape for a in out.args])
    subs = [attrs.output] + [s for j, s in enumerate(attrs.inputs) if j != k]
    ops = [g] + [a for j, a in enumerate(out.args) if j != k]
    fresh = iter(c for c in _LETTERS if c not in "".join(attrs.inputs) + attrs.output)
    target = ""
    for c in attrs.inputs[k]:
        if c in target:  # a diagonal: a fresh letter tied to c by an identity matrix
            d = next(fresh)
            subs.append(c + d)
            ops.append(const(np.eye(sizes[c])))
            target += d
        else:
            target += c
    seen = set("".join(subs))
    for c in target:
        if c not in seen:  # summed inside operand k only: broadcast back with ones
            subs.append(c)
            ops.append(const(np.ones(sizes[c])))
            seen.add(c)
    return einsum(EinsumAttrs(tuple(subs), target), *ops)


@register
class Einsum(Op):
    name = "einsum"
    arity = None

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        c = n.attrs.output[axis]
        return [(i, sub.index(c)) for i, sub in enumerate(n.attrs.inputs) if c in sub]

    def vjp(self, g: Node, out: Node, *operands: Node) -> tuple[Node | None, ...]:
        return tuple(None if a.op == "const" else _operand_gradient(g, out, k)
                     for k, a in enumerate(operands))

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        return S.obj(np.einsum(n.attrs.spec, *args))

    def latex(self, p: Any, n: Node) -> str:
        spec = n.attrs.spec.replace("->", r" \to ")
        inner = ", ".join(p.doprint(a, False) for a in n.args)
        return rf"\operatorname{{einsum}}_{{{spec}}}\left({inner}\right)"

    def numpy(self, p: Any, n: Node) -> str:
        inner = ", ".join(p.doprint(a, False) for a in n.args)
        return f"np.einsum({n.attrs.spec!r}, {inner})"

    def text(self, p: Any, n: Node) -> str:
        inner = ", ".join(p.doprint(a, False) for a in n.args)
        return f"einsum[{n.attrs.spec.replace('->', '→')}]({inner})"
