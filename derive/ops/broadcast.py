"""Broadcasting: shapes, and undoing it in one place (sum_to, autograd's unbroadcast)."""

from __future__ import annotations

import numpy as np

from derive.errors import ShapeError
from derive.ops.node import Shape


def broadcast_shape(*shapes: Shape) -> Shape:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        listed = " and ".join(str(s) for s in shapes)
        raise ShapeError(f"shapes {listed} do not broadcast") from None


def summed_axes(src: Shape, dst: Shape) -> tuple[int, ...]:
    """The axes of ``src`` that undoing a broadcast to ``dst`` sums over."""
    lead = len(src) - len(dst)
    return tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(dst) if s == 1 and src[lead + i] != 1
    )
