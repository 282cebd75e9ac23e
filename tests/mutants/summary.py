"""Print the mutation corpus figures: ``.venv/bin/python tests/mutants/summary.py``.

Mutants caught, right diagnoses, false alarms on the correct passes over POINTS random
points each. The same judgements as test_mutants.py; the figures go into docs/robustness.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from corpus import FORWARDS, MUTANTS, Mutant  # noqa: E402

from derive.verify import VerifyResult, verify  # noqa: E402

POINTS = 20  # random points per correct pass
MUTANT_POINTS = 3  # verify's default


def judge(m: Mutant, seed: int = 0) -> VerifyResult:
    f = FORWARDS[m.forward]
    return verify(f.forward, m.backward, shapes=f.shapes, inputs=f.inputs, seed=seed,
                  points=MUTANT_POINTS, prove=False)


def right_diagnosis(m: Mutant, r: VerifyResult) -> bool:
    g = r.gradients[m.gradient]
    if g.verdict != "wrong" or g.diagnosis != m.diagnosis:
        return False
    if m.factor is not None and (g.factor is None or abs(g.factor - m.factor) > 1e-9 *
                                 abs(m.factor)):
        return False
    return m.entries is None or tuple(g.entries) == m.entries


def correct(name: str, seed: int = 0) -> VerifyResult:
    f = FORWARDS[name]
    return verify(f.forward, f.backward, shapes=f.shapes, inputs=f.inputs, seed=seed,
                  points=POINTS, prove=False)


def main() -> int:
    caught = diagnosed = 0
    for m in MUTANTS:
        r = judge(m)
        caught += not r.ok
        ok = right_diagnosis(m, r)
        diagnosed += ok
        g = r.gradients[m.gradient]
        print(f"{'ok ' if ok else 'BAD'} {m.forward:<22} {m.name:<52} {g.verdict:<6} "
              f"{g.diagnosis or '-'}")
    alarms = 0
    for name in FORWARDS:
        r = correct(name)
        alarms += sum(g.verdict == "wrong" for g in r.gradients.values())
    systematic = sum(m.diagnosis != "entries" or m.entries is not None for m in MUTANTS)
    print(f"\nmutants: {len(MUTANTS)} over {len(FORWARDS)} forwards; caught (judged wrong): "
          f"{caught}/{len(MUTANTS)}; right diagnosis: {diagnosed}/{len(MUTANTS)} "
          f"({systematic} systematic, named exactly)")
    print(f"correct passes: {len(FORWARDS)}, {POINTS} random points each; false alarms: {alarms}")
    return 0 if caught == diagnosed == len(MUTANTS) and alarms == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
