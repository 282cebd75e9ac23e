"""Every array operation as one spec object (see :mod:`derive.ops.registry`).

One module per family: leaves (inputs, constants), arith (+ - * / neg pow), products
(matmul), shape (transpose, reshape, indexing, broadcasting), reduce (sum, mean, max, min),
pointwise (table functions, max/min, comparisons, where, logaddexp). Importing this package
registers them all.
"""

from derive.ops import arith, leaves, pointwise, products, reduce, shape  # noqa: F401
from derive.ops.registry import OPS, Op, register, spec

__all__ = ["OPS", "Op", "register", "spec"]
