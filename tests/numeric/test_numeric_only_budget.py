"""Numeric-only judging within a budget (issue 16.5): a forward the tracer cannot follow, at a
size above NUMERIC_BUDGET entries, is judged by directions over blocks plus per-entry
differences at the failed blocks and a sample; a planted wrong entry is still located."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import evidence
from derive.numeric import sampling as S
from derive.numeric.config import NUMERIC_BUDGET, NUMERIC_LATER

import derive

SHAPES = {"X": (60, 40), "W": (40, 3)}  # X: 2400 entries, above the budget


def forward(X, W):
    Z = np.tanh(X @ W)
    s = np.sum(Z * Z)
    if s > 0:  # a Python branch on a differentiated value: not traced
        return s / X.shape[0]
    return -s


def _right(X, W):
    Z = np.tanh(X @ W)
    dN = 2 * Z / X.shape[0] * (1 - Z * Z)
    return {"X": dN @ W.T, "W": X.T @ dN}


def _planted(X, W):
    g = _right(X, W)
    g["X"][17, 23] *= 1.1  # one entry 10% off
    return g


def _scaled(X, W):
    g = _right(X, W)
    g["X"] = 2 * g["X"]
    return g


def test_the_size_is_sampled_and_the_forward_is_not_traced() -> None:
    assert not S.every_entry(SHAPES["X"]) and S.every_entry(SHAPES["W"])
    r = derive.verify(forward, _right, SHAPES)
    assert r.traced is None
    x, w = r.gradients["X"], r.gradients["W"]
    assert x.verdict == "ok" and w.verdict == "ok" and x.numeric_only
    assert x.validation.startswith(f"numeric only: central differences at {NUMERIC_BUDGET} of "
                                   "2400 entries at point 1 (those of random directions over "
                                   "blocks of 64 entries that disagreed, then a random sample)")
    assert "; at each of the other 2 points, random directions over blocks of 64 entries, " \
           f"then a random sample and the entries of those that disagreed (at most " \
           f"{NUMERIC_LATER})" in x.validation
    assert 0.0 < x.miss_probability < 1e-6  # stated, not 0: not every entry was differenced
    assert w.miss_probability == 0.0  # every entry at point 1
    assert w.validation.startswith("numeric only: central differences at all 120 entries at "
                                   "point 1; at each of the other 2 points, random directions "
                                   "over blocks of 64 entries, then the entries of those that "
                                   "disagreed (at most 0)")


def test_a_planted_wrong_entry_is_found_by_index() -> None:
    r = derive.verify(forward, _planted, SHAPES)
    x = r.gradients["X"]
    assert x.verdict == "wrong" and x.diagnosis == "entries"
    assert x.entries == [(17, 23)]
    assert f"1 of {NUMERIC_BUDGET} differenced entries wrong, worst at (17, 23)" in x.message
    assert r.gradients["W"].verdict == "ok"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_planted_entry_is_found_whatever_the_seed(seed: int) -> None:
    r = derive.verify(forward, _planted, SHAPES, seed=seed, points=1)
    assert r.gradients["X"].entries == [(17, 23)]


def test_a_scaled_gradient_is_diagnosed_on_the_differenced_entries() -> None:
    x = derive.verify(forward, _scaled, SHAPES, points=1).gradients["X"]
    assert x.verdict == "wrong" and x.diagnosis == "scaled" and x.factor == 2.0
    assert f"of the {NUMERIC_BUDGET} entries differenced)" in x.message


def test_the_report_says_whose_gradient_may_hide_an_error() -> None:
    from derive.reports.verify_text import human

    out = human(derive.verify(forward, _right, SHAPES))
    assert "probability that finite differences miss an error of your gradient confined " \
           "to one entry: at most" in out


def test_progress_is_said_when_the_check_is_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "PROGRESS_AFTER_S", 0.0)  # as if every call were slow
    monkeypatch.setattr(S, "PROGRESS_EVERY_S", 0.0)
    said: list[str] = []
    derive.verify(forward, _right, SHAPES, points=1, progress=said.append)
    assert said and all(m.startswith("judging ") for m in said)
    assert any(m.startswith("judging X by finite differences of your forward: ") for m in said)
    shares = [int(m.split(": ")[1].split("%")[0]) for m in said if m.startswith("judging X")]
    assert shares == sorted(shares) and shares[-1] <= 99


def test_a_quick_check_says_nothing() -> None:
    said: list[str] = []
    derive.verify(forward, _right, {"X": (6, 4), "W": (4, 3)}, progress=said.append)
    assert said == []


# ---------------------------------------------------------------- numeric.sampling itself


def _quadratic(a: np.ndarray):
    def f(arrays):
        return float(np.sum(a * arrays["x"] ** 2))
    return f


def test_evaluations_are_remembered_and_f_of_x_is_not_recomputed() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4))
    f = _quadratic(np.ones_like(x))
    ev = S.Evaluations(f, {"x": x}, "x", f({"x": x}))
    assert ev.at(3, float(x.flat[3])) == ev.f0 and ev.calls == 0
    a = ev.at(3, 2.5)
    assert ev.at(3, 2.5) == a and ev.calls == 1
    assert a == pytest.approx(f({"x": x}) - x.flat[3] ** 2 + 2.5**2)
    np.testing.assert_array_equal(ev.work, x)  # the working copy is restored
    fe = ev.entries([(0, 3), (4, 0)])
    np.testing.assert_allclose(fe(np.array([1.0, 2.0])),
                               [f({"x": x}) - x[0, 3] ** 2 + 1, f({"x": x}) - x[4, 0] ** 2 + 4])


def test_plan_puts_the_failed_block_first_and_covers_every_entry(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "NUMERIC_BUDGET", 100)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 40))
    a = rng.uniform(0.5, 1.5, x.shape)
    f = _quadratic(a)
    cand = 2 * a * x
    cand[7, 9] *= 1.1
    ev = S.Evaluations(f, {"x": x}, "x", f({"x": x}))
    plan = S.plan(ev, cand, 1e-5, 1e-8 * abs(ev.f0), 6e-6, np.random.default_rng(2))
    assert plan.directions == -(-2000 // 64) and plan.failed == 1
    assert plan.suspects == 64 and (7, 9) in plan.chosen[:64]
    assert len(plan.chosen) == 100 == len(set(plan.chosen))
    assert 0.0 < plan.miss < 1.0
    assert ev.calls == 2 * plan.directions


def test_failed_blocks_beyond_the_budget_promise_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(S, "NUMERIC_BUDGET", 100)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50, 40))
    f = _quadratic(np.ones_like(x))
    ev = S.Evaluations(f, {"x": x}, "x", f({"x": x}))
    plan = S.plan(ev, 3 * x, 1e-5, 1e-8 * abs(ev.f0), 6e-6, np.random.default_rng(2))
    assert plan.failed == plan.directions and plan.suspects == 100 == len(plan.chosen)
    assert plan.miss == 1.0


def test_undifferenced_entries_are_no_evidence() -> None:
    x = np.linspace(-1, 1, 12).reshape(3, 4)
    cand = 2 * x
    known = np.zeros(x.shape, dtype=bool)
    known[0] = True
    fdv = np.where(known, 2 * x, np.nan)
    c = evidence.numeric_verdict(fdv, cand, 1.0, 6e-6, 1e-5, lambda where: None, x,
                                 lambda: None, known=known)
    assert c.verdict == "ok"
    cand[0, 1] *= 1.5
    fe = lambda where: (lambda v: np.array([float(np.sum(x**2)) - x[i] ** 2 + vi**2  # noqa: E731
                                            for i, vi in zip(where, v)]))
    c = evidence.numeric_verdict(fdv, cand, float(np.sum(x**2)), 6e-6, 1e-5, fe, x,
                                 lambda: None, known=known)
    assert c.verdict == "wrong" and c.entries == ((0, 1),)
    assert "1 of 4 differenced entries wrong" in c.message


def test_a_right_gradient_with_many_tiny_entries_is_not_called_wrong() -> None:
    # X of (200, 50): thousands of entries whose plain differences are off by round-off
    # relative to the entry; more than REFINE_MAX of them used to make a right backward wrong
    r = derive.verify(forward, _right, {"X": (200, 50), "W": (50, 3)}, points=1)
    x = r.gradients["X"]
    assert x.verdict == "ok" and x.max_rel_error < 1e-4


def test_a_large_constant_still_hides_no_error_above_the_budget() -> None:
    def f(x):
        return 1e6 + 1e-3 * np.sum(np.sort(np.sin(x)))  # sort: not traced

    g = derive.verify(f, lambda x: {"x": -1e-3 * np.cos(x)}, {"x": (50, 30)}).gradients["x"]
    assert g.verdict == "wrong" and "Taylor remainder slope" in g.message
    assert g.miss_probability > 0.1  # round-off of 1e6 hides one entry from any direction


def test_the_traced_bracket_is_the_kinks_bracket() -> None:
    from derive.numeric import fd
    from derive.numeric import kinks as K

    def f(arrays):
        return float(np.sum(np.abs(arrays["x"])) + np.sum(np.log(np.abs(arrays["x"]) + 1)))

    x = np.array([0.0, 2.0, 1e-4, -3.0])
    point = {"x": x}
    lo, hi = fd.Differences(f).bracket(point, "x", [(i,) for i in range(4)], f(point))
    h = np.where((x != 0) & (np.abs(x) < fd.FD_STEP_FLOOR), fd.FD_REL_STEP * np.abs(x),
                 fd.steps(x))

    def fe(values):
        return np.array([f({"x": np.where(np.arange(4) == i, v, x)})
                         for i, v in enumerate(values)])

    br = K.bracket(fe, x, f(point), h)
    np.testing.assert_array_equal(lo, br.lo)
    np.testing.assert_array_equal(hi, br.hi)
    assert lo[0] < -0.99 and hi[0] > 0.99 and br.kinks[0] and not np.any(br.kinks[1:])
