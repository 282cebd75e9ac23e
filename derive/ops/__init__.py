"""Every array operation as one spec object (see :mod:`derive.ops.registry`).

One module per family: leaves (inputs, constants), arith (+ - * / neg pow), products
(matmul), einsum, linalg (inv, det, log|det|), shape (transpose, reshape, broadcasting),
index (indexing, scatter, buffer writes), ranges (arange and eye of a size by name), concat,
reduce (sum, mean, max, min, prod, cumsum), pointwise (table functions, max/min,
comparisons, where, logaddexp, logic), softmax (softmax, log-softmax along an axis).
Importing this
package registers them all.
"""

from derive.ops import (  # noqa: F401 - importing registers every operation
    arith,
    concat,
    einsum,
    index,
    leaves,
    linalg,
    pointwise,
    products,
    ranges,
    reduce,
    shape,
    softmax,
)
from derive.ops.registry import BUILDERS, OPS, Op, build, register, spec

for _family in (leaves, arith, shape, pointwise, products, reduce, index, concat, einsum, linalg,
                ranges, softmax):
    BUILDERS.update({k: v for k, v in vars(_family).items()
                     if callable(v) and not k.startswith("_") and getattr(v, "__module__", "")
                     == _family.__name__ and not isinstance(v, type)})

__all__ = ["BUILDERS", "OPS", "Op", "build", "register", "spec"]
