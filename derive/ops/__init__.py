"""Every array operation as one spec object (see :mod:`derive.ops.registry`).

One module per family: leaves (inputs, constants), arith (+ - * / neg pow), products
(matmul), einsum, linalg (inv, det, log|det|), shape (transpose, reshape, broadcasting),
index (indexing, scatter, buffer writes), concat, reduce (sum, mean, max, min, prod, cumsum),
pointwise (table functions, max/min, comparisons, where, logaddexp, logic). Importing this
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
    reduce,
    shape,
)
from derive.ops.registry import OPS, Op, register, spec

__all__ = ["OPS", "Op", "register", "spec"]
