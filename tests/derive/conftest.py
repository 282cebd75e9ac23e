"""One full check per test session: every case with its proofs, every claim judged.

The engine's own caches (``derive.check.derivation``) already make repeated checks cheap;
this fixture makes the proofs, which take a few seconds in all, run once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.check import CaseResult, check
from derive.claims import ClaimResult, check_claims

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="session")
def results() -> dict[str, CaseResult]:
    """Every registered case, checked with proofs, by name."""
    return {r.case.name: r for r in check(prove=True)}


@pytest.fixture(scope="session")
def claims(results: dict[str, CaseResult]) -> list[ClaimResult]:
    """Every claim of the documents, judged against the checked cases."""
    return check_claims(results)


@pytest.fixture(scope="session")
def seeds() -> dict[str, str]:
    """The documents' text by file name (skips when the documents are not beside the repo)."""
    if not SEEDS.is_dir():
        pytest.skip(f"the documents are not at {SEEDS}")
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("0*.txt"))}
