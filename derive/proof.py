"""Proofs that a matrix form equals the elementwise ground truth, within a work budget.

Each entry's difference must simplify to zero. The budget is counted in SymPy operations
(``count_ops``), not in seconds: the same proof says the same on a quiet and on a busy
machine, in any thread, and no signal is used (a caller's own alarm is never touched).
Each method is tried only on expressions small enough for it: expand first, then the sign
cases that settle kinks, a numeric counterexample at two fixed points, cancel, and
simplify, the most costly, last. An entry too large for all of them is undecided (not
proved, not refuted).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np

from derive.lazysympy import sp


@dataclass(frozen=True)
class WorkBudget:
    """How much symbolic work a proof may do, in SymPy operations (count_ops)."""

    total_ops: int  # every entry's difference together
    entry_ops: int  # one entry: above it, only the numeric counterexample test runs
    cancel_ops: int = 4_000  # cancel() of rational functions: cost grows fast with size
    simplify_ops: int = 400  # simplify(), the last and most costly resort
    # operations in the graph itself: building the elementwise form of a long accumulation
    # costs time quadratic in its length before a single entry is counted
    graph_ops: int = 2_000

    def describe(self) -> str:
        return f"work budget {self.total_ops} operations"


# A proof asked for (--prove, check): room for the documents' three-layer network, whose
# largest entry has 6,447 operations (expand takes 0.1 s on it).
FULL_BUDGET = WorkBudget(total_ops=400_000, entry_ops=40_000)

# A proof nobody asked for (verify's default): a fraction of a second on a 2-core machine.
# Room for the documents' three-layer network (largest entry 3,567 operations, 21,402 in
# all); a 4-layer tanh network (7,235; 43,410) or dot-product attention (8,705 in one entry,
# where expand alone took 13 s) is left to --prove.
AUTO_BUDGET = WorkBudget(total_ops=30_000, entry_ops=4_000, graph_ops=400)

# SymPy's expressions are trees walked recursively: deeper than this, its own recursion (not
# the size) ends the proof, so a deeper graph is undecided at once.
PROOF_MAX_DEPTH = 250

# Residue of an identity evaluated with 30 digits stays below ~1e-25 for the sizes built
# here; a difference above 1e-12 at both test points is a real one.
NONZERO_ATOL = 1e-12

# Sign cases are tried for at most this many symbols (2^k substitutions each).
SIGN_CASES_MAX_SYMBOLS = 4

# Branch cases of np.where's Piecewise parts for at most this many conditions (2^k expands).
BRANCH_CASES_MAX_CONDITIONS = 6

_KINKS = ("sign", "Heaviside", "Abs", "Max", "Min", "DiracDelta", "Piecewise")  # SymPy names


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
    def undecided(self) -> bool:
        return self.timed_out

    @property
    def refuted(self) -> bool:
        """Shown wrong: an entry (or the shape) differs. An undecided proof refutes nothing."""
        return not self.proved and not self.timed_out


def _test_point(free: list[sp.Symbol], seed: int) -> dict[sp.Symbol, sp.Float]:
    """A fixed point of scattered rationals (a quadratic sequence mod a prime, alternating
    signs), so that structured matrices built from it are not singular by accident."""
    return {s: sp.Float(sp.Rational((7919 * i * i + 104729 * i + seed) % 1009 + 13, 389)
                        * (-1) ** i, 30) for i, s in enumerate(free)}


def _values(e: sp.Expr) -> list[complex] | None:
    """e at two fixed scattered points, 30 digits (floats: exact rationals would blow up);
    None where it does not evaluate to numbers."""
    free = sorted(e.free_symbols, key=str)
    body = e.rewrite(sp.exp)
    out = []
    for seed in (13, 577):
        try:
            v = sp.N(body.xreplace(_test_point(free, seed)), 30)
            if not v.is_number:
                return None
            out.append(complex(v))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
    return out


def _clearly_nonzero(e: sp.Expr) -> bool:
    """True when e is far from 0 at both test points: a counterexample. An identity vanishes
    everywhere; two points, because one may sit where a denominator vanishes (a singular
    matrix makes 0/0 of an identity look like a number). Near 0 decides nothing."""
    vs = _values(e)
    return vs is not None and all(abs(v) > NONZERO_ATOL for v in vs)


def _numerically_zero(e: sp.Expr) -> bool:
    vs = _values(e)
    return vs is not None and all(abs(v) <= NONZERO_ATOL for v in vs)


def expanded_terms(e: sp.Expr) -> int:
    """How many terms sp.expand(e) would write, counted without expanding: a small
    expression such as (a + b + c)^12 expands to 91 terms, and to far more when nested."""
    if isinstance(e, sp.Add):
        return sum(expanded_terms(a) for a in e.args)
    if isinstance(e, sp.Mul):
        return int(np.prod([expanded_terms(a) for a in e.args], dtype=object))
    if isinstance(e, sp.Pow) and e.exp.is_Integer and int(e.exp) > 1:
        m, k = expanded_terms(e.base), int(e.exp)
        return int(sp.binomial(m + k - 1, k))
    return 1


def _work(e: sp.Expr) -> int:
    """The work an expression stands for: its operations, or its expansion if larger."""
    return max(sp.count_ops(e), expanded_terms(e))


def is_zero(e: sp.Expr, budget: WorkBudget = FULL_BUDGET) -> bool:
    """Cheapest test first: expand; branch by branch where np.where made a Piecewise; a
    numeric counterexample; then cancel, then simplify, each only on expressions its budget
    allows. simplify never sees a Piecewise: on one of 400 operations it ran for minutes."""
    if e == 0:
        return True
    ops = _work(e)
    if ops > budget.entry_ops:
        return False
    if sp.expand(e) == 0:
        return True
    piecewise = e.has(sp.Piecewise)
    if piecewise and _zero_on_every_branch(e):
        return True
    if _clearly_nonzero(e):
        return False
    if ops <= budget.cancel_ops and sp.cancel(sp.expand(e.rewrite(sp.exp))) == 0:
        return True
    return not piecewise and ops <= budget.simplify_ops and sp.simplify(e) == 0


def _expands_to_zero(e: sp.Expr) -> bool:
    """expand(e) == 0, trying cheaper forms first: the top level alone (where both sides
    apply the same functions to the same arguments, a 4-layer network's proof takes a third
    of the time); then each function application as one opaque symbol, its arguments
    expanded once (the three-layer network's sigmoids: a third less); then everything."""
    if sp.expand(e, deep=False) == 0:
        return True
    try:
        if sp.expand(_opaque_applications(e)) == 0:
            return True
    except (TypeError, ValueError, AttributeError):  # one that will not rebuild: expand all
        pass
    return sp.expand(e) == 0


def _opaque_applications(e: sp.Expr) -> sp.Expr:
    """e with every function application replaced by a symbol, the same symbol for the same
    function of the same expanded arguments. Sound for proving zero: a polynomial that
    vanishes with independent symbols vanishes whatever values they stand for (the converse
    fails, exp(a) exp(b) - exp(a + b), which the full expand then settles)."""
    symbols: dict[sp.Expr, sp.Dummy] = {}
    done: dict[sp.Expr, sp.Expr] = {}

    def walk(x: sp.Expr) -> sp.Expr:
        if x.is_Atom:
            return x
        if x in done:
            return done[x]
        args = [walk(a) for a in x.args]
        if isinstance(x, sp.Function):
            key = x.func(*(sp.expand(a) if isinstance(a, sp.Expr) else a for a in args))
            out = symbols.setdefault(key, sp.Dummy("f"))
        else:
            out = x.func(*args) if any(a is not b for a, b in zip(args, x.args)) else x
        done[x] = out
        return out

    return walk(e)


def _zero_on_every_branch(e: sp.Expr) -> bool:
    """e is 0 whichever way each condition of its Piecewise parts comes out: every condition
    set true or false in turn (2^k cases, k <= BRANCH_CASES_MAX_CONDITIONS), each expanded.
    SymPy's own piecewise_fold and simplify ran for minutes on a two-layer leaky ReLU."""
    conditions = sorted({c for p in e.atoms(sp.Piecewise) for _, c in p.args
                         if c not in (sp.true, sp.false)}, key=sp.default_sort_key)
    if len(conditions) > BRANCH_CASES_MAX_CONDITIONS:
        return False
    for values in itertools.product((sp.true, sp.false), repeat=len(conditions)):
        case = e.xreplace(dict(zip(conditions, values)))
        if case.has(sp.Piecewise) or sp.expand(case) != 0:
            return False
    return True


def is_zero_almost_everywhere(e: sp.Expr, budget: WorkBudget = FULL_BUDGET) -> bool:
    """Zero on every open orthant of the symbols inside kinks: equal except on kinks.

    The chain rule through nested kinks (|(|x|)|, relu(relu(x))) gives sign(|x|) sign(x)
    where SymPy's own simplification gives sign(x): the two differ only at x = 0, where
    the derivative does not exist. Substituting x = +p and x = -p (p > 0) for each symbol
    inside a kink resolves sign, Abs, Heaviside and Max exactly on each orthant.
    """
    if _work(e) > budget.entry_ops:
        return False
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
    if unsigned != e and is_zero(unsigned, budget):
        return True
    kinds = tuple(getattr(sp, k) for k in _KINKS)
    atoms = [a for a in sp.preorder_traversal(e) if isinstance(a, kinds)]
    syms = sorted({s for a in atoms for s in a.free_symbols}, key=lambda s: s.name)
    if not atoms or len(syms) > SIGN_CASES_MAX_SYMBOLS:
        return False
    pos = {s: sp.Dummy(s.name, positive=True) for s in syms}
    for signs in itertools.product((1, -1), repeat=len(syms)):
        try:
            case = e.xreplace({s: sg * pos[s] for s, sg in zip(syms, signs)})
        except (TypeError, ValueError):  # a Piecewise whose condition stops being Boolean
            return False
        if not is_zero(case, budget):
            return False
    return True


def prove(name: str, matrix_form: np.ndarray, truth: np.ndarray,
          budget: WorkBudget = FULL_BUDGET) -> Proof:
    """Show matrix_form - truth is zero in every entry, within ``budget``."""
    t0 = time.perf_counter()
    if matrix_form.shape != truth.shape:
        return Proof(name, False, truth.size, 0.0,
                     f"shape: matrix form {matrix_form.shape}, elementwise {truth.shape}")
    diffs = {idx: sp.sympify(matrix_form[idx]) - truth[idx] for idx in np.ndindex(*truth.shape)}
    sizes = {idx: _work(d) for idx, d in diffs.items()}
    total = sum(sizes.values())
    if total > budget.total_ops:
        return Proof(name, False, truth.size, time.perf_counter() - t0,
                     f"not proved: {total} operations to simplify ({budget.describe()})",
                     timed_out=True)
    # expand first; then sign cases, which settle nested kinks in milliseconds where
    # simplify may work long; then is_zero's full tests
    pending = [idx for idx, d in diffs.items()
               if d != 0 and (sizes[idx] > budget.entry_ops or not _expands_to_zero(d))]
    kinks = [idx for idx in pending if is_zero_almost_everywhere(diffs[idx], budget)]
    pending = [idx for idx in pending if idx not in kinks and not is_zero(diffs[idx], budget)]
    # evaluating at test points costs as much as the entry is large: within the budget only
    tried = [idx for idx in pending if sizes[idx] <= budget.entry_ops]
    bad = [idx for idx in tried if _clearly_nonzero(diffs[idx])]
    dt = time.perf_counter() - t0
    if bad:
        return Proof(name, False, truth.size, dt, f"entries differ: {bad}")
    if pending:
        equal = len(tried) == len(pending) and all(_numerically_zero(diffs[idx])
                                                   for idx in tried)
        why = ("equal at two test points, not simplified" if equal else
               "not simplified") + f" within the {budget.describe()}"
        return Proof(name, False, truth.size, dt,
                     f"not proved: {len(pending)} entries {why}", timed_out=True)
    where = (f" ({len(kinks)} of them case by case, on each side of their kinks)"
             if kinks else "")
    return Proof(name, True, truth.size, dt,
                 f"matrix form - elementwise = 0 in all {truth.size} entries{where}")
