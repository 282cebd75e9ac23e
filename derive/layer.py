"""Layer mode: check ``backward(dout, ...)`` of a forward that returns an array.

Course code writes a layer as ``out = forward(x, w, b)`` (or ``out, cache = forward(...)``)
and its backward as ``backward(dout, cache) -> dx, dw, db`` or ``backward(dout, x=..., w=...)``:
the upstream gradient first. Its backward is a vector-Jacobian product, and a VJP is the
gradient of the scalar ``L = sum(out * dout)`` for a fixed ``dout`` (jax's ``check_vjp`` idea).
So a layer is checked as that scalar, with ``dout`` a random constant input of out's shape:
the derivation then reads in terms of ``dout`` (∂L/∂out = dout), and every stage, finite
differences and proof included, is the scalar check unchanged.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive import usermodule as U
from derive.errors import InputError

MODES = ("scalar", "vjp")

# Names the upstream gradient goes by, in the order they are tried for the new input.
UPSTREAM_NAMES = ("dout", "dy", "dY", "grad_out", "upstream", "delta")


def _arguments(f: Callable[..., Any], what: str) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        raise InputError(f"cannot read {what}'s arguments (inspect.signature failed)") from None


def _named(params: list[inspect.Parameter]) -> list[str]:
    return [p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def infer_mode(forward: Callable[..., Any], backward: Callable[..., Any]) -> str:
    """'vjp' when backward's first argument is not one of forward's (the upstream gradient
    comes first, as course code writes it); 'scalar' otherwise."""
    if not callable(forward) or not callable(backward):
        return "scalar"
    fparams = _named(_arguments(forward, "forward"))
    bparams = [p for p in _arguments(backward, "backward")
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not bparams:
        return "scalar"
    return "scalar" if bparams[0].name in fparams else "vjp"


@dataclass(frozen=True)
class LayerForward:
    """``sum(forward(...) * dout)``: the scalar whose gradient is the layer's VJP.

    The tracer reads the user's own forward through ``user_forward`` and ``rebind`` (so its
    locals name the steps and its numpy calls are recorded), then takes this product.
    """

    user_forward: Callable[..., Any]
    upstream: str
    names: tuple[str, ...]

    def rebind(self, forward: Callable[..., Any]) -> LayerForward:
        return LayerForward(forward, self.upstream, self.names)

    def output(self, arrays: Mapping[str, Any]) -> Any:
        out = self.user_forward(**{k: v for k, v in arrays.items() if k != self.upstream})
        return out[0] if isinstance(out, tuple) else out

    def __call__(self, **arrays: Any) -> Any:
        return np.sum(self.output(arrays) * arrays[self.upstream])

    @property
    def __signature__(self) -> inspect.Signature:
        kw = inspect.Parameter.KEYWORD_ONLY
        return inspect.Signature([inspect.Parameter(n, kw) for n in (*self.names,
                                                                     self.upstream)])


@dataclass(frozen=True)
class LayerBackward:
    """The user's ``backward(dout, cache)`` or ``backward(dout, **arrays)`` as the scalar
    contract's ``backward(**arrays) -> {name: gradient}``."""

    user_backward: Callable[..., Any]
    forward: LayerForward
    by_cache: bool

    def __call__(self, **arrays: Any) -> dict[str, Any]:
        dout = arrays[self.forward.upstream]
        inputs = {k: v for k, v in arrays.items() if k != self.forward.upstream}
        if self.by_cache:
            out = U.call(self.forward.user_forward, "forward", **inputs)
            if not isinstance(out, tuple) or len(out) < 2:
                raise InputError("backward(dout, cache) needs forward to return (out, cache)")
            raw = U.call(self.user_backward, "backward", dout, out[1])
        else:
            raw = U.call(self.user_backward, "backward", dout, **inputs)
        return self._by_name(raw)

    def _by_name(self, raw: Any) -> dict[str, Any]:
        if isinstance(raw, Mapping):
            return dict(raw)
        grads = list(raw) if isinstance(raw, (tuple, list)) else [raw]
        names = self.forward.names
        if len(grads) > len(names):
            raise InputError(f"backward returned {len(grads)} gradients for forward's "
                             f"{len(names)} arguments ({', '.join(names)})")
        return {n: g for n, g in zip(names, grads) if g is not None}


def _upstream_name(names: list[str], backward_first: str) -> str:
    for name in (backward_first, *UPSTREAM_NAMES):
        if name not in names and name.isidentifier():
            return name
    return "dout_"


def _output_shape(forward: LayerForward, draw: Mapping[str, np.ndarray]) -> tuple[int, ...]:
    with np.errstate(all="ignore"):
        out = U.call(forward.user_forward, "forward", **draw)
    out = out[0] if isinstance(out, tuple) else out
    try:
        return np.shape(np.asarray(out, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputError(f"forward must return an array (layer mode), got "
                         f"{type(out).__name__}") from None


def adapt(forward: Callable[..., Any], backward: Callable[..., Any],
          shapes: Mapping[str, Any] | None, inputs: Any, mode: str | None
          ) -> tuple[Callable[..., Any], Callable[..., Any], Any, str]:
    """(forward, backward, inputs, mode) of the scalar check; unchanged in scalar mode.

    In vjp mode the upstream gradient is a new input: ``inputs(rng)`` draws the layer's own
    inputs (the user's where given, standard normal at ``shapes`` for the rest), runs the
    forward once for out's shape, and draws ``dout`` of that shape.
    """
    if mode is not None and mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    mode = mode or infer_mode(forward, backward)
    if mode == "scalar":
        return forward, backward, inputs, mode
    fnames = _named(_arguments(forward, "forward"))
    bparams = _named(_arguments(backward, "backward"))
    if not bparams:
        raise InputError("backward(dout, ...) must take the upstream gradient first")
    layer = LayerForward(forward, _upstream_name(fnames, bparams[0]), tuple(fnames))
    by_cache = any(p not in fnames for p in bparams[1:])
    given = dict(U.validate_shapes(shapes or {}, "shapes"))

    def layer_inputs(rng: np.random.Generator) -> dict[str, Any]:
        draw = _user_inputs(inputs, rng)
        for name in fnames:
            if name not in draw and name in given:
                draw[name] = rng.standard_normal(given[name])
        draw[layer.upstream] = rng.standard_normal(_output_shape(layer, draw))
        return draw

    return layer, LayerBackward(backward, layer, by_cache), layer_inputs, mode


def _user_inputs(inputs: Any, rng: np.random.Generator) -> dict[str, Any]:
    if inputs is None:
        return {}
    raw = U.call(inputs, "inputs(rng)", rng) if callable(inputs) else inputs
    if not isinstance(raw, Mapping):
        raise InputError(f"inputs must give a dict of arrays, got {type(raw).__name__}")
    return dict(raw)
