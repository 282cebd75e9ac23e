"""The documents' claims: every printed statement that states or computes a derivative, a
shape or a printed number, each judged by checking (see :mod:`derive.claims.judge`).

The catalogue is data, one module per document (doc000 covers 000 and the cells 001 changes,
doc002 the slides, doc003 the blog post); a claim never carries its verdict.
"""

from __future__ import annotations

from collections.abc import Mapping

from derive.check import CaseResult, check_case
from derive.claims.doc000 import CLAIMS as _C000
from derive.claims.doc002 import CLAIMS as _C002
from derive.claims.doc003 import CLAIMS as _C003
from derive.claims.judge import check_claim
from derive.claims.model import (
    APPROX_RTOL,
    S000,
    S001,
    S002,
    S003,
    SATURATION_ATOL,
    VERDICTS,
    Claim,
    ClaimResult,
    ReadingResult,
)

CLAIMS: tuple[Claim, ...] = _C000 + _C002 + _C003

__all__ = ["APPROX_RTOL", "CLAIMS", "S000", "S001", "S002", "S003", "SATURATION_ATOL",
           "VERDICTS", "Claim", "ClaimResult", "ReadingResult", "check_claim", "check_claims"]


def check_claims(results: Mapping[str, CaseResult] | None = None,
                 claims: tuple[Claim, ...] | None = None) -> list[ClaimResult]:
    """Judge every claim; cases a claim needs are checked here if ``results`` lacks them."""
    from derive.cases import get

    have = dict(results or {})
    out = []
    for claim in claims if claims is not None else CLAIMS:
        if claim.case and claim.case not in have:
            have[claim.case] = check_case(get(claim.case), prove=False)
        out.append(check_claim(claim, have))
    return out
