"""The mutation corpus: every mutant judged wrong with the right diagnosis, no false alarm.

Figures (printed by ``python tests/mutants/summary.py``, stated in docs/robustness.md):
every mutant caught, every diagnosis right, no correct pass called wrong at 20 points.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import FORWARDS, MUTANTS, SYSTEMATIC, Mutant
from derive.reports import verify_text as VT
from summary import POINTS, correct, judge, right_diagnosis

DOCS = Path(__file__).resolve().parents[2] / "docs" / "robustness.md"


def test_the_corpus_is_big_and_varied() -> None:
    assert len(MUTANTS) >= 30
    assert {m.forward for m in MUTANTS} == set(FORWARDS)
    kinds = {m.mistake for m in MUTANTS}
    assert kinds == {"factor", "sign", "transpose", "chain", "axis", "swap", "activation",
                     "entry"}
    assert len({(m.forward, m.name) for m in MUTANTS}) == len(MUTANTS)


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: f"{m.forward}: {m.name}")
def test_every_mutant_is_caught_and_diagnosed(m: Mutant) -> None:
    r = judge(m)
    g = r.gradients[m.gradient]
    assert not r.ok and g.verdict == "wrong" and not g.numeric_only
    assert right_diagnosis(m, r), (g.diagnosis, g.factor, g.entries, g.message)


@pytest.mark.parametrize("m", [m for m in SYSTEMATIC if m.mistake in ("factor", "sign")],
                         ids=lambda m: f"{m.forward}: {m.name}")
def test_a_constant_is_named_with_a_hint(m: Mutant) -> None:
    g = judge(m).gradients[m.gradient]
    assert g.factor == pytest.approx(m.factor)
    assert ("sign" in g.message) if m.factor == -1 else (f"scaled by {m.factor:g}" in g.message)


@pytest.mark.parametrize("name", list(FORWARDS))
def test_no_false_alarm_on_the_correct_pass(name: str) -> None:
    for seed in (0, 1):
        r = correct(name, seed)
        assert r.points == POINTS == 20
        assert r.ok and all(g.verdict == "ok" for g in r.gradients.values()), VT.lines(r)


def test_the_docs_state_the_figures() -> None:
    text = DOCS.read_text()
    n, f = len(MUTANTS), len(FORWARDS)
    assert f"{n} mutants over {f} forwards" in text
    assert f"caught: {n} of {n}" in text
    assert f"right diagnosis: {n} of {n}" in text
    assert f"false alarms: 0 (the {f} correct passes, {POINTS} random points each" in text
