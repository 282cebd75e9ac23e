"""Where a claim is judged: the user's forward traced and derived at two sets of shapes
(two batch sizes, so a factor that depends on n shows as one), with random points.

A module with ``inputs(rng)`` keeps its data: the second set of shapes takes the first
rows of the arrays it gives (one-hot labels stay one-hot), and draws the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive import usermodule as U
from derive.claim.build import Scope, adjoints
from derive.compile import evaluate_numeric, step_values
from derive.errors import DeriveError, InputError
from derive.trace import parameters
from derive.verify import Derivation, derivation

Arrays = dict[str, np.ndarray]
Shape = tuple[int, ...]

# Random points per set of shapes: two, so that one unlucky point cannot pass a wrong claim.
POINTS_PER_SHAPE = 2


@dataclass(frozen=True)
class Setting:
    """One set of shapes: its derivation, points, step values and derived gradients."""

    shapes: dict[str, Shape]
    derivation: Derivation
    points: tuple[Arrays, ...]
    envs: tuple[Arrays, ...]  # inputs and step values, per point
    grads: tuple[np.ndarray, ...]
    scope: Scope

    @property
    def n(self) -> int | None:
        return None if self.scope.batch is None else self.scope.batch[1]

    def shapes_text(self) -> str:
        return U.shapes_text(self.shapes)


def settings(module: U.UserModule, name: str, seed: int = 0) -> tuple[list[Setting], str]:
    """The sets of shapes the claim is judged at, and a note when only one was possible."""
    forward = module.function("forward")
    names = parameters(forward)
    if name not in names:
        raise InputError(f"{name!r} is not an argument of forward ({', '.join(names)}): the "
                         "gradient is taken with respect to one of them")
    shapes = module.shapes()
    inputs = module.optional_function("inputs")
    first = _setting(forward, names, name, shapes, inputs, seed, None)
    out, note = [first], ""
    second = _second_shapes(first.shapes, first.scope.batch, inputs is not None)
    if second is None:
        note = "one set of shapes only: the batch is too small to change"
    else:
        try:
            out.append(_setting(forward, names, name, second, inputs, seed + 1,
                                first.scope.batch))
        except DeriveError as exc:
            note = f"one set of shapes only: at {U.shapes_text(second)} {exc}"
    return out, note


def _second_shapes(shapes: Mapping[str, Shape], batch: tuple[str, int] | None,
                   fixed: bool) -> dict[str, Shape] | None:
    """Every size above 1 grown by one; with data from inputs(rng), the batch only."""
    if not fixed:
        grown = {k: tuple(s + 1 if s > 1 else s for s in v) for k, v in shapes.items()}
        return grown if grown != dict(shapes) else None
    if batch is None:
        return None
    n = batch[1]
    return {k: ((n + 1,) + v[1:] if v and v[0] == n else v) for k, v in shapes.items()}


def _setting(forward: Callable[..., Any], names: list[str], wrt: str,
             shapes: Mapping[str, Shape], inputs: Callable[..., Any] | None, seed: int,
             rows_of: tuple[str, int] | None) -> Setting:
    rng = np.random.default_rng(seed)
    points = tuple(_draw(rng, names, shapes, inputs, rows_of) for _ in range(POINTS_PER_SHAPE))
    actual = {k: tuple(v.shape) for k, v in points[0].items()}
    if wrt not in actual:
        raise InputError(f"no shape for {wrt!r}: add it to SHAPES")
    d = derivation(forward, actual, (wrt,))
    upstream = adjoints(d.backward)
    envs, grads = [], []
    for p in points:
        with np.errstate(all="ignore"):
            _, g = d.code.value_and_gradient(**p)  # type: ignore[misc]
            env = dict(p)
            env.update(step_values(d.graph, p))
            env.update({x.name: evaluate_numeric(d.backward.gradient(of), env)
                        for of, x in upstream.items() if of != wrt})
        envs.append(env)
        grads.append(np.asarray(g[wrt], dtype=np.float64))
    named = dict(d.graph.inputs)
    named.update({s.name: s.node for s in d.graph.steps})
    batch = next(((k, int(v[0])) for k, v in actual.items() if len(v) >= 2), None)
    # n names a size in words only where it cannot be another size (not in a square X)
    words = batch is not None and all(s != batch[1] for v in actual.values() for s in v[1:])
    scope = Scope(named, batch, words, upstream, wrt)
    return Setting(actual, d, points, tuple(envs), tuple(grads), scope)


def _draw(rng: np.random.Generator, names: list[str], shapes: Mapping[str, Shape],
          inputs: Callable[..., Any] | None, rows_of: tuple[str, int] | None) -> Arrays:
    """One point: the module's own arrays where it gives them (one more row, from a second
    call, at the larger batch), standard-normal draws for the rest."""
    given = _given(rng, names, inputs)
    extra = _given(rng, names, inputs) if rows_of is not None else {}
    out: Arrays = {}
    for k in names:
        if k in given:
            a = given[k]
            want = shapes.get(k)
            if want is not None and a.shape != want and rows_of is not None \
                    and a.ndim and a.shape[0] == rows_of[1] and k in extra:
                a = np.concatenate([a, extra[k][: want[0] - a.shape[0]]], axis=0)
            out[k] = a
        elif k in shapes:
            out[k] = rng.standard_normal(shapes[k])
    return out


def _given(rng: np.random.Generator, names: list[str],
           inputs: Callable[..., Any] | None) -> Arrays:
    if inputs is None:
        return {}
    raw = U.call(inputs, "inputs(rng)", rng)
    if not isinstance(raw, Mapping):
        raise InputError(f"inputs(rng) must return a dict of arrays, got {type(raw).__name__}")
    return {k: np.asarray(v, dtype=np.float64) for k, v in raw.items() if k in names}
