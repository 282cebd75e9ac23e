"""Elementary functions used by the documents, in numerically stable float64 form.

The four activations are wrapped by :func:`traceable` so that a tracer object from the
symbolic side can record each call as one named step instead of seeing raw numpy ufuncs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

# Slope of the negative branch of leaky ReLU, as printed in the documents (np.maximum(0.2 * x, x)).
LEAKY_SLOPE = 0.2

# Step of the documents' central difference (000 §1.2.2, 002 "Derivatives"); kept to reproduce
# their printed numbers, not because it is a good step (see numeric.fd.FD_REL_STEP for that).
DOC_DELTA = 0.001

ArrayFunction = Callable[[Any], Any]

# name -> plain (undecorated) numpy implementation; filled by @traceable.
TRACEABLE: dict[str, ArrayFunction] = {}


def traceable(name: str) -> Callable[[ArrayFunction], ArrayFunction]:
    """Register a plain function under `name` and let tracers intercept it.

    If the argument has ``__derive_apply__``, the call returns ``x.__derive_apply__(name)`` so a
    tracer records one named step; otherwise the numpy implementation runs.
    """

    def decorate(func: ArrayFunction) -> ArrayFunction:
        TRACEABLE[name] = func

        @functools.wraps(func)
        def wrapper(x: Any) -> Any:
            apply = getattr(x, "__derive_apply__", None)
            if apply is not None:
                return apply(name)
            return func(x)

        return wrapper

    return decorate


def _as_float(x: Any) -> np.ndarray:
    """float64 view of the input, so integer inputs never give integer results."""
    return np.asarray(x, dtype=np.float64)


@traceable("sigmoid")
def sigmoid(x: Any) -> Any:
    """Logistic function 1/(1+e^-x), computed via e^-|x| so nothing overflows at |x| ~ 1000."""
    x = _as_float(x)
    with np.errstate(under="ignore"):  # e^-|x| underflowing to 0 is the correct limit
        z = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return out[()]


@traceable("relu")
def relu(x: Any) -> Any:
    """max(x, 0) elementwise."""
    return np.maximum(_as_float(x), 0)


@traceable("leaky_relu")
def leaky_relu(x: Any) -> Any:
    """max(0.2 x, x) elementwise, the documents' leaky ReLU."""
    x = _as_float(x)
    return np.maximum(LEAKY_SLOPE * x, x)


@traceable("softplus")
def softplus(x: Any) -> Any:
    """log(1 + e^x), computed as logaddexp(0, x): finite at x = +-1000 (the naive form
    overflows to inf at x > 709, and its derivative e^x / (1 + e^x) to nan)."""
    with np.errstate(under="ignore"):  # log1p(e^-1000) underflowing to 0 is the right limit
        return np.logaddexp(0.0, _as_float(x))


@traceable("square")
def square(x: Any) -> Any:
    """x**2 elementwise, written as np.power like the documents."""
    return np.power(_as_float(x), 2)


def scatter(g: np.ndarray, shape: tuple[int, ...], key: tuple) -> np.ndarray:
    """The adjoint of indexing x[key]: zeros shaped like x, with g added at key (np.add.at,
    so an entry that integer-array indexing selects twice gets both contributions)."""
    out = np.zeros(shape, dtype=np.result_type(g, np.float64))
    np.add.at(out, key, g)
    return out


def put(a: np.ndarray, key: tuple, value: np.ndarray) -> np.ndarray:
    """A copy of a with a[key] = value: a write into a buffer, as a value (out[n, f] = ...)."""
    out = np.array(a, dtype=np.result_type(a, value, np.float64), copy=True)
    out[key] = value
    return out


def prod_except(a: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
    """For each entry, the product of the other entries along ``axes`` (the gradient of prod),
    from products on each side, so a zero entry is no division by zero."""
    a = np.asarray(a, dtype=np.float64)
    axes = tuple(range(a.ndim)) if axes is None else axes
    moved = np.moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    flat = moved.reshape(moved.shape[: a.ndim - len(axes)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,))
    left = np.concatenate([ones, np.cumprod(flat, axis=-1)[..., :-1]], axis=-1)
    right = np.concatenate([np.cumprod(flat[..., ::-1], axis=-1)[..., :-1][..., ::-1], ones],
                           axis=-1)
    out = (left * right).reshape(moved.shape)
    return np.moveaxis(out, tuple(range(a.ndim - len(axes), a.ndim)), axes)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """exp(x) / sum(exp(x)) along ``axis``, shifted by the max so nothing overflows."""
    x = np.asarray(x, dtype=np.float64)  # self-contained: --fix pastes this source
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """x - log(sum(exp(x))) along ``axis``, shifted by the max so nothing overflows."""
    x = np.asarray(x, dtype=np.float64)  # self-contained: --fix pastes this source
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def deriv(func: ArrayFunction, input_: Any, delta: float = DOC_DELTA) -> Any:
    """The documents' central difference (f(x+d) - f(x-d)) / (2d), verbatim so numbers match."""
    return (func(input_ + delta) - func(input_ - delta)) / (2 * delta)


def chain(funcs: Sequence[ArrayFunction], x: Any) -> Any:
    """Apply funcs in order: funcs[-1](...funcs[0](x)), the documents' chain_length_n."""
    value = x
    for func in funcs:
        value = func(value)
    return value


def chain_deriv(
    funcs: Sequence[ArrayFunction],
    x: Any,
    derivs: Sequence[ArrayFunction | None] | None = None,
) -> Any:
    """Chain rule for any length: prod_k f_k'(f_{k-1}(...f_1(x))).

    f_k' is ``derivs[k]`` when given (not None), else ``deriv(f_k, .)`` as the documents do.
    The product is accumulated left to right (f_1' * f_2' * ...) like chain_deriv_2/3, so it
    reproduces their printed values to the last digit.
    """
    value = x
    result: Any = 1.0
    for k, func in enumerate(funcs):
        d = derivs[k] if derivs is not None else None
        slope = d(value) if d is not None else deriv(func, value)
        result = slope if k == 0 else result * slope
        value = func(value)
    return result
