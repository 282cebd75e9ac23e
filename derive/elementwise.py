"""Elementwise SymPy: the ground truth, and the proof that the matrix form equals it.

Every input becomes an array of element symbols (x_11, w_21, ...); the forward graph
evaluated on them gives the scalar output as one SymPy expression, and ``sympy.diff``
with respect to every element gives the gradient entry by entry. The matrix-form
gradient evaluated on the same symbols must agree: the difference simplifies to zero,
entry by entry, within a time budget.
"""

from __future__ import annotations

import itertools
import re
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive import expr as E
from derive.errors import ProofTimeout
from derive.expr import Node
from derive.ops import spec
from derive.ops.symbolic import apply as _apply

# Seconds per gradient: a pathological expression says "not proved", never hangs.
PROOF_BUDGET_S = 20.0


class ElementSymbol(sp.Symbol):
    """x_11 that prints as x_{11}, and w1_21 as w^{(1)}_{21}, in LaTeX."""

    def _latex(self, printer: object) -> str:
        m = re.fullmatch(r"([A-Za-z]+?)(\d*)_(\d+(?:,\d+)*)", self.name)
        if not m:
            return self.name
        base, layer, idx = m.groups()
        layer_tex = f"^{{({layer})}}" if layer else ""
        return f"{base}{layer_tex}_{{{idx}}}"


def element_symbols(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of real symbols named like the documents' x_11 (1-based)."""
    base = name.lower()
    if not shape:
        return np.array(ElementSymbol(base, real=True), dtype=object)
    sep = "" if max(shape) < 10 else ","
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        label = sep.join(str(i + 1) for i in idx)
        out[idx] = ElementSymbol(f"{base}_{label}", real=True)
    return out


def evaluate(node: Node, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """Evaluate an expression on object arrays of SymPy expressions (each operation's
    ``sympy`` form, from its spec in :mod:`derive.ops`)."""
    memo: dict[int, np.ndarray] = {}
    for n in E.topological(node):
        memo[n.uid] = spec(n.op).sympy(n, [memo[a.uid] for a in n.args], env)
    return memo[node.uid]


@dataclass(frozen=True)
class Elementwise:
    """The scalar output over element symbols and its exact gradient, entry by entry."""

    symbols: dict[str, np.ndarray]
    output: sp.Expr
    gradients: dict[str, np.ndarray]


def symbols_for(inputs: Mapping[str, Node],
                constants: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Element symbols for every input; integer and boolean constants (labels, indices,
    masks) keep their values, because they decide which entries are read."""
    out = {}
    for k, n in inputs.items():
        v = None if constants is None else constants.get(k)
        if v is not None and np.asarray(v).dtype.kind in "biu":
            out[k] = np.asarray(v)
        else:
            out[k] = element_symbols(k, n.shape)
    return out


def ground_truth(output: Node, inputs: Mapping[str, Node], wrt: tuple[str, ...],
                 constants: Mapping[str, np.ndarray] | None = None) -> Elementwise:
    """sympy.diff of the scalar output with respect to every element of every input in wrt."""
    symbols = symbols_for(inputs, constants)
    value = evaluate(output, symbols)
    if value.size != 1:
        raise ValueError(f"the output must be a scalar, got shape {value.shape}")
    scalar = value.reshape(())[()]
    grads = {w: _apply(lambda s: sp.diff(scalar, s), symbols[w]) for w in wrt}
    return Elementwise(symbols, scalar, grads)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ProofTimeout after ``seconds`` (SIGALRM; main thread only, else unbounded)."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise ProofTimeout(f"not proved within {seconds:g} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass(frozen=True)
class Proof:
    """Matrix form minus elementwise truth, simplified: zero in every entry, or not."""

    name: str
    proved: bool
    entries: int
    seconds: float
    message: str
    timed_out: bool = False  # undecided: neither proved nor shown wrong within the budget

    @property
    def refuted(self) -> bool:
        """Shown wrong: an entry (or the shape) differs. A timeout refutes nothing."""
        return not self.proved and not self.timed_out


def _test_point(free: list[sp.Symbol], seed: int) -> dict[sp.Symbol, sp.Float]:
    """A fixed point of scattered rationals (a quadratic sequence mod a prime, alternating
    signs), so that structured matrices built from it are not singular by accident."""
    return {s: sp.Float(sp.Rational((7919 * i * i + 104729 * i + seed) % 1009 + 13, 389)
                        * (-1) ** i, 30) for i, s in enumerate(free)}


def _clearly_nonzero(e: sp.Expr) -> bool:
    """True when ``e`` at two fixed scattered points is far from 0 (30 digits).

    An identity vanishes at every point, so a value this far from 0 at both is a
    counterexample; it spares simplify, which may take the whole budget to fail on a wrong
    entry. Values near 0 (a chance root, a kink) decide nothing: the symbolic tests follow.
    Two points, because one may sit where a denominator vanishes (a singular matrix makes
    0/0 of an identity look like a number).
    """
    free = sorted(e.free_symbols, key=str)
    body = e.rewrite(sp.exp)
    for seed in (13, 577):  # floats, not exact rationals, which would blow up
        try:
            v = sp.N(body.xreplace(_test_point(free, seed)), 30)
            if not (bool(v.is_number) and abs(complex(v)) > NONZERO_ATOL):
                return False
        except (TypeError, ValueError, ZeroDivisionError):
            return False
    return True


# Residue of an identity evaluated with 30 digits stays below ~1e-25 for the sizes built
# here; a difference above 1e-12 at the test point is a real one.
NONZERO_ATOL = 1e-12


def is_zero(e: sp.Expr) -> bool:
    """Cheapest test first: expand; a numeric counterexample; then cancel, then simplify."""
    if e == 0 or sp.expand(e) == 0:
        return True
    if _clearly_nonzero(e):
        return False
    for f in (lambda x: sp.cancel(sp.expand(x.rewrite(sp.exp))), sp.simplify):
        if f(e) == 0:
            return True
    return False


# Sign cases are tried for at most this many symbols (2^k substitutions each).
SIGN_CASES_MAX_SYMBOLS = 4

_KINKS = (sp.sign, sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.DiracDelta, sp.Piecewise)


def is_zero_almost_everywhere(e: sp.Expr) -> bool:
    """Zero on every open orthant of the symbols inside kinks: equal except on kinks.

    The chain rule through nested kinks (|(|x|)|, relu(relu(x))) gives sign(|x|) sign(x)
    where SymPy's own simplification gives sign(x): the two differ only at x = 0, where
    the derivative does not exist. Substituting x = +p and x = -p (p > 0) for each symbol
    inside a kink resolves sign, Abs, Heaviside and Max exactly on each orthant.
    """
    # DiracDelta(g) (the derivative of a step) vanishes wherever g != 0: almost everywhere
    e = e.replace(lambda a: isinstance(a, sp.DiracDelta) and bool(a.free_symbols),
                  lambda a: sp.S.Zero)
    if e == 0 or sp.expand(e) == 0:
        return True
    # |g| = g sign(g) everywhere and sign(g)^2 = 1 wherever g != 0: log|det A|' = A^-T
    # arrives as sign(D) / |D| beside 1 / D, equal except where D = 0
    unsigned = e.replace(sp.Abs, lambda g: g * sp.sign(g)).replace(
        lambda a: a.is_Pow and isinstance(a.base, sp.sign) and a.exp.is_even,
        lambda a: sp.S.One)
    if unsigned != e and is_zero(unsigned):
        return True
    atoms = [a for a in sp.preorder_traversal(e) if isinstance(a, _KINKS)]
    syms = sorted({s for a in atoms for s in a.free_symbols}, key=lambda s: s.name)
    if not atoms or len(syms) > SIGN_CASES_MAX_SYMBOLS:
        return False
    pos = {s: sp.Dummy(s.name, positive=True) for s in syms}
    for signs in itertools.product((1, -1), repeat=len(syms)):
        case = e.xreplace({s: sg * pos[s] for s, sg in zip(syms, signs)})
        if not is_zero(case):
            return False
    return True


def prove(name: str, matrix_form: np.ndarray, truth: np.ndarray,
          budget: float = PROOF_BUDGET_S) -> Proof:
    """Show matrix_form - truth simplifies to 0 in every entry, within ``budget`` seconds."""
    t0 = time.perf_counter()
    if matrix_form.shape != truth.shape:
        return Proof(name, False, truth.size, 0.0,
                     f"shape: matrix form {matrix_form.shape}, elementwise {truth.shape}")
    try:
        with time_budget(budget):
            diffs = {idx: sp.sympify(matrix_form[idx]) - truth[idx]
                     for idx in np.ndindex(*truth.shape)}
            # expand first; then sign cases, which settle nested kinks in milliseconds
            # where simplify may spend the whole budget; then is_zero's full tests
            bad = [idx for idx, d in diffs.items() if d != 0 and sp.expand(d) != 0]
            kinks = [idx for idx in bad if is_zero_almost_everywhere(diffs[idx])]
            bad = [idx for idx in bad if idx not in kinks and not is_zero(diffs[idx])]
    except ProofTimeout as exc:
        return Proof(name, False, truth.size, time.perf_counter() - t0, str(exc),
                     timed_out=True)
    dt = time.perf_counter() - t0
    if bad:
        return Proof(name, False, truth.size, dt, f"entries differ: {bad}")
    where = (f" ({len(kinks)} of them case by case, on each side of their kinks)"
             if kinks else "")
    return Proof(name, True, truth.size, dt,
                 f"matrix form - elementwise = 0 in all {truth.size} entries{where}")
