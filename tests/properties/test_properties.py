"""Property tests: random graphs, derived by rules, against elementwise SymPy and differences.

Each generated forward is plain numpy code, traced into a graph like a user's. For each:

1. the matrix-form gradient (rules) equals the elementwise SymPy gradient symbolically, entry
   by entry, at a small shape (every size above 2 cut to 2: the rules do not look at sizes,
   and SymPy's cost grows fast with them) and within the proof's work budget;
2. at the full shape, the compiled matrix form and the lambdified elementwise gradient both
   agree with per-entry central differences of the forward.

Families: chains of 1 to 6 functions of the table, sums and products of two inputs,
matmul compositions with random shapes up to 6x6, and broadcasting biases. Points come from
a numpy Generator seeded by hypothesis, and stay clear of kinks and of overflow (``assume``).
Shrunk failures found while writing these are kept below as explicit ``@example`` cases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from derive.numeric.fd import central_gradient
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from derive import elementwise as EW
from derive.backward import derive
from derive.check import exact_values
from derive.compile import compile_numpy
from derive.functions import TABLE
from derive.graph import from_forward

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# Central differences with the cbrt(eps) step are good to ~1e-10 relative for well-scaled
# functions; intermediate values are kept below BOUND, so third derivatives stay moderate
# and 1e-5 relative (plus 1e-7 absolute, relative to max(1, |f|)) is a wide margin.
FD_RTOL = 1e-5
FD_ATOL = 1e-7

# Intermediate values above this are rejected (exp of exp of ... overflows otherwise).
BOUND = 50.0

# Kink arguments closer than this to the kink are rejected: a central difference would
# straddle it (steps are ~6e-6 * max(1, |x|)).
KINK_GAP = 1e-3

SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])

FUNCTIONS = sorted(TABLE)
KINKED = {name for name, row in TABLE.items() if row.kinks}
STEPS = {"heaviside", "sign"}  # piecewise constant: everything after them is locally constant
# applied to u*u + 1/2 (or u / (1 + u*u) for |u| < 1), so the chain stays in their domain
POSITIVE = {name for name, row in TABLE.items() if row.domain == "positive"}
UNIT = {name for name, row in TABLE.items() if row.domain == "unit"}


class Recorder:
    """Checks a point while the forward runs on it: kinks far, values bounded."""

    def __init__(self) -> None:
        self.ok = True
        self.locally_constant = False

    def kink(self, arg: Any, kinks: tuple[float, ...]) -> None:
        if isinstance(arg, np.ndarray) and not self.locally_constant:
            for k in kinks:
                self.ok &= bool(np.all(np.abs(arg - k) > KINK_GAP))

    def value(self, v: Any) -> None:
        if isinstance(v, np.ndarray):
            self.ok &= bool(np.all(np.isfinite(v)) and np.all(np.abs(v) < BOUND))


def apply(name: str, u: Any, rec: Recorder | None = None) -> Any:
    """Table function ``name`` on u: recorded as one step when traced, numpy otherwise."""
    if name in POSITIVE:
        u = u * u + 0.5
    if name in UNIT:
        u = u / (1 + u * u)
    traced = getattr(u, "__derive_apply__", None)
    if traced is not None:
        return traced(name)
    if rec is not None:
        rec.kink(u, TABLE[name].kinks)
    with np.errstate(all="ignore"):
        out = TABLE[name].num(u)
    if rec is not None:
        rec.value(out)
        rec.locally_constant |= name in STEPS
    return out


# ---------------------------------------------------------------- the two checks


def _derivation(forward: Callable[..., Any], shapes: dict[str, Shape]):
    graph = from_forward(forward, shapes, tuple(shapes))
    bw = derive(graph)
    return graph, bw


def assert_proved(forward: Callable[..., Any], shapes: dict[str, Shape]) -> None:
    """Matrix form = elementwise SymPy, symbolically, at a small shape (every size 1 or 2)."""
    small = {k: tuple(min(d, 2) for d in s) for k, s in shapes.items()}
    graph, bw = _derivation(forward, small)
    ew = EW.ground_truth(graph.output, graph.inputs, graph.wrt)
    env = dict(ew.symbols)
    for s in graph.steps:
        env[s.name] = EW.evaluate(s.node, env)
    forms = {w: EW.evaluate(bw.gradient(w), env) for w in graph.wrt}
    for w in graph.wrt:
        proof = EW.prove(w, forms[w], ew.gradients[w])
        assert proof.proved, (w, small, proof.message)


def assert_agree_with_fd(forward: Callable[..., Any], point: Arrays) -> None:
    """Compiled matrix form and lambdified elementwise SymPy, each against central differences."""
    shapes = {k: v.shape for k, v in point.items()}
    graph, bw = _derivation(forward, shapes)
    code = compile_numpy(bw)
    with np.errstate(all="raise"):
        f0 = float(forward(**point))
        matrix = code.backward(**point)
    entries = sum(v.size for v in point.values())
    exact = None
    if entries <= 40:
        ew = EW.ground_truth(graph.output, graph.inputs, graph.wrt)
        exact = exact_values(ew, graph.wrt, point)[1]
    for w in graph.wrt:
        fd = central_gradient(forward, point, w)
        for label, g in (("matrix form", matrix[w]), ("elementwise", None if exact is None
                                                                 else exact[w])):
            if g is None:
                continue
            g = np.asarray(g, dtype=np.float64)
            assert g.shape == fd.shape, (label, w, g.shape, fd.shape)
            slack = FD_RTOL * np.maximum(np.abs(g), np.abs(fd)) + FD_ATOL * max(1.0, abs(f0))
            bad = np.abs(g - fd) > slack
            assert not np.any(bad), (label, w, np.argwhere(bad)[:3].tolist(), g[bad], fd[bad])


def _draw(rng: np.random.Generator, shapes: dict[str, Shape], scale: float) -> Arrays:
    return {k: scale * rng.standard_normal(s) for k, s in shapes.items()}


# ---------------------------------------------------------------- 1. chains of table functions


def chain_forward(chain: tuple[str, ...], rec: Recorder | None = None) -> Callable[..., Any]:
    def forward(x: Any) -> Any:
        u = x
        for name in chain:
            u = apply(name, u, rec)
        return np.sum(u)

    return forward


CHAIN_SHAPES = st.sampled_from([(1,), (3,), (2, 2), (2, 3)])


@SETTINGS
@given(chain=st.lists(st.sampled_from(FUNCTIONS), min_size=1, max_size=6).map(tuple),
       shape=CHAIN_SHAPES, seed=st.integers(0, 2**16))
@example(chain=("heaviside",), shape=(3,), seed=0)  # d/du Heaviside = DiracDelta: compiled to 0
@example(chain=("sign", "exp"), shape=(3,), seed=0)
@example(chain=("relu", "log"), shape=(2, 2), seed=1)
@example(chain=("abs", "abs"), shape=(1,), seed=0)  # sign(|x|) sign(x) = sign(x) except at 0
@example(chain=("exp", "log", "heaviside", "log", "sign", "sign"), shape=(1,), seed=0)
@example(chain=("exp", "exp", "square", "tanh", "sigmoid", "sqrt"), shape=(2, 3), seed=2)
def test_chains(chain: tuple[str, ...], shape: Shape, seed: int) -> None:
    rec = Recorder()
    point = _draw(np.random.default_rng(seed), {"x": shape}, 0.8)
    chain_forward(chain, rec)(**point)
    assume(rec.ok)
    forward = chain_forward(chain)
    assert_proved(forward, {"x": shape})
    assert_agree_with_fd(forward, point)


# ---------------------------------------------------------------- 2. sums and products of inputs


SMOOTH = ("tanh", "sigmoid", "exp", "square")

expressions = st.recursive(
    st.sampled_from(["x", "y", "c"]),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), inner, inner),
        st.tuples(st.sampled_from(SMOOTH), inner),
    ),
    max_leaves=6,
)


def _evaluate(e: Any, env: dict[str, Any]) -> Any:
    if isinstance(e, str):
        return env[e]
    if len(e) == 2:
        return apply(e[0], _evaluate(e[1], env))
    a, b = _evaluate(e[1], env), _evaluate(e[2], env)
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b}[e[0]]()


def _mentions_inputs(e: Any) -> bool:
    if isinstance(e, str):
        return e in ("x", "y")
    return any(_mentions_inputs(a) for a in e[1:])


def expression_forward(e: Any, reduce: str) -> Callable[..., Any]:
    def forward(x: Any, y: Any) -> Any:
        v = _evaluate(e, {"x": x, "y": y, "c": 0.7})
        total = v * y if not _mentions_inputs(e) else v  # keep the output a function of both
        return np.mean(total) if reduce == "mean" else np.sum(total * x)

    return forward


@SETTINGS
@given(e=expressions, reduce=st.sampled_from(["sum", "mean"]),
       shapes=st.sampled_from([((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (1, 3)), ((2, 2), (2, 1)),
                               ((3,), ())]),
       seed=st.integers(0, 2**16))
@example(e="c", reduce="mean", shapes=((3,), ()), seed=0)
# x twice in one step: the generated code named both factors dvdx, the second overwrote the first
@example(e=("+", ("tanh", "x"), ("sigmoid", "x")), reduce="sum", shapes=((3,), (3,)), seed=0)
@example(e=("*", "x", ("exp", "y")), reduce="sum", shapes=((2, 2), (2, 1)), seed=3)
def test_sums_and_products(e: Any, reduce: str, shapes: tuple[Shape, Shape], seed: int) -> None:
    sx, sy = shapes
    point = _draw(np.random.default_rng(seed), {"x": sx, "y": sy}, 0.7)
    with np.errstate(all="ignore"):
        v = np.asarray(expression_forward(e, reduce)(**point), dtype=np.float64)
    assume(np.isfinite(v) and abs(v) < 1e4)
    forward = expression_forward(e, reduce)
    assert_proved(forward, {"x": sx, "y": sy})
    assert_agree_with_fd(forward, point)


# ---------------------------------------------------------------- 3. matmul compositions, biases


ACTIVATIONS = ("tanh", "sigmoid", "square", "leaky_relu", "relu", None)


@st.composite
def networks(draw: Any) -> tuple[dict[str, Shape], tuple[Any, ...], str]:
    """X (n x d0) @ W1 (+ B1) -> f1 -> @ W2 (+ B2) -> f2, up to 6x6 shapes, 1 or 2 layers."""
    size = st.integers(1, 6)
    n = draw(size)
    dims = [draw(size) for _ in range(draw(st.integers(1, 2)) + 1)]
    shapes: dict[str, Shape] = {"X": (n, dims[0])}
    layers = []
    for i, (a, b) in enumerate(zip(dims, dims[1:]), start=1):
        transposed = draw(st.booleans())
        shapes[f"W{i}"] = (b, a) if transposed else (a, b)
        bias = draw(st.sampled_from([None, (1, b), (b,), (1, 1), ()]))
        if bias is not None:
            shapes[f"B{i}"] = bias
        layers.append((i, transposed, bias is not None, draw(st.sampled_from(ACTIVATIONS))))
    loss = draw(st.sampled_from(["sum", "mean", "mse"]))
    return shapes, tuple(layers), loss


def network_forward(layers: tuple[Any, ...], loss: str, rec: Recorder | None = None
                    ) -> Callable[..., Any]:
    def forward(**a: Any) -> Any:
        h = a["X"]
        for i, transposed, has_bias, act in layers:
            w = a[f"W{i}"]
            h = h @ (w.T if transposed else w)
            if has_bias:
                h = h + a[f"B{i}"]
            if act is not None:
                h = apply(act, h, rec)
        if loss == "mse":
            return np.mean((h - 0.5) ** 2)
        return np.mean(h) if loss == "mean" else np.sum(h)

    return forward


def _named(forward: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """A forward with explicit argument names (the tracer and verify read the signature)."""
    src = f"def f({', '.join(names)}):\n    return inner({', '.join(f'{k}={k}' for k in names)})\n"
    ns: dict[str, Any] = {"inner": forward}
    exec(compile(src, "<property network>", "exec"), ns)  # noqa: S102 - our own fixed template
    return ns["f"]


@SETTINGS
@given(net=networks(), seed=st.integers(0, 2**16))
@example(net=({"X": (2, 3), "W1": (3, 1), "B1": ()}, ((1, False, True, "sigmoid"),), "mse"),
         seed=0)
@example(net=({"X": (1, 1), "W1": (1, 6), "B1": (6,), "W2": (2, 6)},
              ((1, False, True, "tanh"), (2, True, False, None)), "sum"), seed=5)
def test_networks(net: tuple[dict[str, Shape], tuple[Any, ...], str], seed: int) -> None:
    shapes, layers, loss = net
    point = _draw(np.random.default_rng(seed), shapes, 0.6)
    rec = Recorder()
    _named(network_forward(layers, loss, rec), list(shapes))(**point)
    assume(rec.ok)
    forward = _named(network_forward(layers, loss), list(shapes))
    assert_proved(forward, shapes)
    assert_agree_with_fd(forward, point)


# ---------------------------------------------------------------- the helpers themselves


def test_the_recorder_rejects_kinks_and_overflow() -> None:
    rec = Recorder()
    chain_forward(("relu",), rec)(x=np.array([0.0, 1.0]))
    assert not rec.ok
    rec = Recorder()
    chain_forward(("exp", "exp", "exp"), rec)(x=np.array([2.0]))
    assert not rec.ok
    rec = Recorder()
    chain_forward(("heaviside", "relu"), rec)(x=np.array([-1.0, 1.0]))
    assert rec.ok  # relu(0) after a step is locally constant: no kink to straddle


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_table_function_alone(name: str) -> None:
    """One chain per row, so no row of the table escapes the properties by chance."""
    point = {"x": np.array([0.3, -1.1, 0.8])}
    forward = chain_forward((name,))
    assert_proved(forward, {"x": (3,)})
    assert_agree_with_fd(forward, point)
