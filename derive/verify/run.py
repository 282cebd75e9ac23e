"""The public entry points: verify() runs the stages in order, verify_module() on a file."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from derive import layer
from derive import proof as P
from derive import usermodule as U
from derive.errors import InputError
from derive.numeric.compare import (
    batch_message,
)
from derive.numeric.config import FD_MODES
from derive.verify.calls import _deterministic, _ScalarForward, _user_gradients
from derive.verify.derivation import _symbolic
from derive.verify.inputs import _differentiable, _draw, _names, _parameters, _same_shapes
from derive.verify.judge import _batch_size, _Context
from derive.verify.options import Options
from derive.verify.proving import (
    PROOF_AUTO_BUDGET,
    _proof_problems,
    _prove,
    _want_proof,
    _with_proof,
)
from derive.verify.results import VerifyResult

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- the public entry point


def verify(
    forward: Callable[..., Any],
    backward: Callable[..., Mapping[str, Any]],
    shapes: Mapping[str, Any] | None = None,
    inputs: Callable[[np.random.Generator], Mapping[str, Any]] | Mapping[str, Any] | None = None,
    seed: int = 0,
    points: int = 3,
    fd: str = "sample",
    prove: bool | None = None,
    label: str = "",
    mode: str | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    eps: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> VerifyResult:
    """Check ``backward`` against the derivative of ``forward`` at ``points`` random points.

    ``shapes`` maps argument names to shapes; ``inputs`` is a function of a numpy Generator
    (or a dict) giving some or all arrays, the rest are standard-normal draws. Only the names
    ``backward`` returns are checked. Bad input raises :class:`derive.errors.DeriveError`
    (InputError, UserCodeError) with a one-line message.

    Every entry of the user's gradient is compared with the derived one at every point, so
    a single wrong entry is always located. The derived gradient is validated by finite
    differences of ``forward``: along random directions over all checked inputs at once
    (FD_DIRECTIONS at the first point, one at each other), and per entry on k = min(FD_SAMPLE,
    n) sampled entries of each n-entry gradient, once per derivation (``fd="all"``: every
    entry, every time). A symbolic error confined to one entry would escape the sample with
    probability 1 - k/n (92% for W1 of a (1024, 13, 64) network), and the directions only if
    it is below ~FD_RTOL * |g| * sqrt(N), N the entries of all checked inputs; but rules act
    on whole arrays, so their errors are not confined to one entry. ``prove`` (default: when
    the reduced shapes are small) proves the matrix form against elementwise SymPy.

    ``rtol`` and ``atol`` replace the comparison's tolerances (numeric.config RTOL, and 0: an
    entry within atol of the reference is right); with finite differences alone the looser of
    rtol and FD_RTOL applies, as differences resolve no better. ``eps`` is the relative step of
    the finite differences (FD_REL_STEP). ``progress`` is told how a long numeric-only
    check goes (one line at a time; nothing when it is quick).
    """
    clock = _Clock()
    forward, backward, inputs, mode = layer.adapt(forward, backward, shapes, inputs, mode)
    names, optional = _parameters(forward, shapes)
    draws = _points(names, optional, shapes, inputs, seed, points, fd)
    clock.lap("draw")
    f, fvals, user, wrt = _run_user(forward, backward, names, draws)
    clock.lap("user")
    derivation, reason, where, symbolic = _symbolic(forward, f.shapes, wrt, draws, fvals)
    clock.lap("derive")
    opts = Options.of(rtol, atol, eps)
    grads, notes = _Context(f, draws, fvals, user, wrt, fd, seed, derivation, symbolic,
                            opts, progress).judge()
    batch = _batch_size(f.shapes, names)
    grads = {k: replace(g, message=batch_message(g.message, g.factor, batch))
             for k, g in grads.items()}
    clock.lap("compare")
    proof_shapes, proof_note, ew = None, "", None
    consts = {n: v for n, v in draws[0].items() if n not in wrt}
    if derivation is not None and _want_proof(prove, f.shapes, consts):
        budget = P.FULL_BUDGET if prove else PROOF_AUTO_BUDGET
        proof_shapes, proof_note, ew, proofs = _prove(forward, f.shapes, wrt, budget, consts,
                                                      derivation)
        grads = {k: _with_proof(g, proofs.get(k)) for k, g in grads.items()}
        notes += _proof_problems(proofs)
    clock.lap("prove")
    return VerifyResult(
        gradients=grads, shapes=f.shapes, constants=tuple(n for n in names if n not in wrt),
        traced=derivation, fallback_reason=reason, fallback_where=where, notes=tuple(notes),
        points=points, seed=seed, fd=fd, proof_shapes=proof_shapes, proof_note=proof_note,
        elementwise=ew, label=label, timings=clock.laps, mode=mode,
    )


class _Clock:
    """Seconds per stage, for the benchmark of issue 5 (``VerifyResult.timings``)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.laps["total"] = now - self.start
        self.last = now


def _points(names: list[str], optional: set[str], shapes: Mapping[str, Any] | None,
            inputs: Any, seed: int, points: int, fd: str) -> list[Arrays]:
    """The K points, after checking the options and the shapes against forward's arguments."""
    if fd not in FD_MODES:
        raise InputError(f"fd must be one of {', '.join(FD_MODES)}, got {fd!r}")
    U.check_points(points)
    U.check_seed(seed)
    given = U.validate_shapes(shapes or {}, "shapes")
    U.check_budget(given, points)
    unknown = [k for k in given if k not in names]
    if unknown:
        raise InputError(f"a shape is given for {_names(unknown)}, not an argument of forward "
                         f"({', '.join(names)})")
    rng = np.random.default_rng(seed)
    draws = [_draw(rng, names, optional, given, inputs, k) for k in range(points)]
    _same_shapes(draws, {k: v.shape for k, v in draws[0].items()})
    return draws


def _run_user(forward: Callable[..., Any], backward: Callable[..., Any], names: list[str],
              draws: list[Arrays]
              ) -> tuple[_ScalarForward, list[float], list[dict[str, Any]], tuple[str, ...]]:
    """The call order, documented and kept: at each point forward, then backward, at the same
    point (a backward may read what its forward cached); then forward once more at the first
    point, which must give the same value (no verdict rests on a forward that is not a
    function). backward's first answer says what is checked; results are copied on arrival."""
    U.check_function(backward, "backward")
    f = _ScalarForward(forward, {k: tuple(v.shape) for k, v in draws[0].items()})
    fvals = [f.value(draws[0], first=True)]
    user = [_user_gradients(backward, draws[0], names, None)]
    wrt = tuple(k for k in names if k in user[0])
    _differentiable(draws[0], wrt)
    undrawn = [k for k in wrt if k not in draws[0]]
    if undrawn:
        raise InputError(f"backward returned {_names(undrawn)}, which has no shape: give one to "
                         "differentiate it")
    for p in draws[1:]:
        fvals.append(f.value(p))
        user.append(_user_gradients(backward, p, names, wrt))
    _deterministic(fvals[0], f.value(draws[0]))
    return f, fvals, user, wrt


def verify_module(
    module: U.UserModule,
    forward: str = "forward",
    backward: str = "backward",
    shapes: Mapping[str, Shape] | None = None,
    **kw: Any,
) -> VerifyResult:
    """verify() on a loaded user module: its SHAPES, overridden by ``shapes``, its inputs()."""
    fwd = module.function(forward)
    bwd = module.function(backward)
    merged = {**module.shapes(), **(shapes or {})}
    inputs = module.optional_function("inputs")
    return verify(fwd, bwd, shapes=merged or None, inputs=inputs, label=module.label, **kw)
