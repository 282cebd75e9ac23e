"""Stage 1, inputs: the points (the user's inputs(rng) or standard-normal draws), checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from derive import usermodule as U
from derive.errors import InputError

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- inputs


def _parameters(forward: Callable[..., Any], shapes: Mapping[str, Any] | None
                ) -> tuple[list[str], set[str]]:
    """forward's argument names (in order) and those with defaults (which may be left out)."""
    import inspect

    if not callable(forward):
        raise InputError(f"forward must be a function, got a {type(forward).__name__}")
    U.check_function(forward, "forward")
    try:
        sig = inspect.signature(forward)
    except (TypeError, ValueError):
        raise InputError("cannot read forward's arguments (inspect.signature failed)") from None
    names, optional, var_kw = [], set(), False
    for p in sig.parameters.values():
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            names.append(p.name)
            if p.default is not p.empty:
                optional.add(p.name)
        elif p.kind is p.POSITIONAL_ONLY:
            raise InputError(f"forward's argument {p.name!r} is positional-only; the arrays "
                             "are passed by name")
    if var_kw:
        names += [k for k in (shapes or {}) if k not in names]
    if not names:
        raise InputError("forward takes no arguments: nothing to differentiate")
    return names, optional


def _as_array(value: Any, name: str, where: str) -> np.ndarray:
    try:
        a = np.asarray(value)
    except (ValueError, TypeError):
        raise InputError(f"{where} gave {name!r} that is not a rectangular array") from None
    if a.dtype.kind not in "biuf":
        raise InputError(f"{where} gave {name!r} of dtype {a.dtype}, not real numbers")
    return np.array(a, dtype=np.float64)


def _given_inputs(inputs: Any, rng: np.random.Generator, names: list[str]) -> Arrays:
    if inputs is None:
        return {}
    if callable(inputs):
        raw = U.call(inputs, "inputs(rng)", rng)
        where = "inputs(rng)"
    else:
        raw, where = inputs, "inputs"
    if not isinstance(raw, Mapping):
        raise InputError(f"{where} must return a dict of arrays, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in names]
    if unknown:
        raise InputError(f"{where} returned {_names(unknown)}, not arguments of forward "
                         f"({', '.join(names)})")
    return {k: _as_array(v, k, where) for k, v in raw.items()}


def _draw(rng: np.random.Generator, names: list[str], optional: set[str],
          shapes: dict[str, Shape], inputs: Any, k: int) -> Arrays:
    """One point: the user's arrays where given, standard-normal draws for the rest."""
    given = _given_inputs(inputs, rng, names)
    out: Arrays = {}
    for name in names:
        if name in given:
            a = given[name]
            if name in shapes and a.shape != shapes[name]:
                raise InputError(
                    f"inputs(rng) gave {name} of shape {U.shape_text(a.shape)}, but its shape "
                    f"is given as {U.shape_text(shapes[name])}")
        elif name in shapes:
            a = rng.standard_normal(shapes[name])
        elif name in optional:
            continue
        else:
            raise InputError(f"no shape for {name!r}: add it to SHAPES, pass --shape "
                             f"{name}=AxB, or return it from inputs(rng)")
        U.check_array(a, name)
        _finite(a, name, k)
        out[name] = a
    return out


def _finite(a: np.ndarray, name: str, k: int) -> None:
    bad = ~np.isfinite(a)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"input {name} is not finite at point {k + 1}: {a[idx]} at index "
                         f"{idx}")


def _same_shapes(draws: list[Arrays], shapes: dict[str, Shape]) -> None:
    for k, d in enumerate(draws[1:], start=2):
        for name, a in d.items():
            if a.shape != shapes[name]:
                raise InputError(f"inputs(rng) gave {name} of shape {U.shape_text(a.shape)} at "
                                 f"point {k}, {U.shape_text(shapes[name])} at point 1")


def _names(items: list[Any]) -> str:
    return ", ".join(repr(x) for x in items)
