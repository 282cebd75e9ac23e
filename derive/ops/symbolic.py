"""Small helpers for evaluating operations on object arrays of SymPy expressions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from derive.lazysympy import sp


def obj(x: object) -> np.ndarray:
    """An object array (SymPy expressions are kept as Python objects)."""
    return np.asarray(x, dtype=object) if not isinstance(x, np.ndarray) else x


def number(v: float) -> sp.Expr:
    """Exact where the float is a short decimal (0.2 -> 1/5), else the float itself."""
    r = sp.nsimplify(v, rational=False, tolerance=0)
    return r if isinstance(r, sp.Rational) and abs(float(r) - v) == 0 else sp.Float(v)


def apply(f: Callable[[sp.Expr], sp.Expr], a: np.ndarray) -> np.ndarray:
    """f on every entry."""
    return obj(np.vectorize(f, otypes=[object])(a)) if a.shape else obj(f(a[()]))


def binary(f: Callable[[sp.Expr, sp.Expr], sp.Expr], a: np.ndarray, b: np.ndarray
           ) -> np.ndarray:
    """f entry by entry on two broadcast arrays."""
    a, b = np.broadcast_arrays(a, b)
    out = np.empty(a.shape, dtype=object)
    for idx in np.ndindex(*a.shape):
        out[idx] = f(a[idx], b[idx])
    return out


def filled(shape: tuple[int, ...], value: sp.Expr) -> np.ndarray:
    return np.full(shape, value, dtype=object)
