"""A code claim: the documents' hand-written pass, judged by the case check that runs it.

A gradient returned with a shape that broadcasting makes harmless ((1,) for a (1, 1) bias:
``B -= lr * dLdB`` still updates B correctly) is not an error; the difference is kept as a
caveat, and the values are compared as if reshaped.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from derive.check import CaseResult
from derive.claims.model import Claim, ClaimResult
from derive.errors import DeriveError
from derive.numeric.compare import Comparison, compare


def _harmless(exact: np.ndarray, printed: Any) -> bool:
    """Same entries in another shape that broadcasting turns back into the right one."""
    if isinstance(printed, str):
        return False
    p = np.asarray(printed)
    if p.shape == exact.shape or p.size != exact.size:
        return False
    try:
        return np.broadcast_shapes(p.shape, exact.shape) == exact.shape
    except ValueError:
        return False


def check_code(claim: Claim, result: CaseResult) -> ClaimResult:
    """A code claim is the case's as-printed pass: its verdict is that comparison's."""
    parts: list[str] = []
    wrong: list[tuple[Any, Comparison]] = []
    caveats: list[str] = []
    for name, g in result.gradients.items():
        if g.vs_printed is None:
            continue
        cmp = g.vs_printed
        if _harmless(g.exact, g.as_printed):
            shape = np.shape(g.as_printed)
            caveats.append(f"d{name} comes back with shape {shape} for {name} of shape "
                           f"{g.exact.shape}: broadcasting makes the update harmless")
            cmp = compare(g.exact, np.asarray(g.as_printed).reshape(g.exact.shape))
        parts.append(f"{name}: {cmp.message}")
        if not cmp.ok:
            wrong.append((g, cmp))
    if not parts:
        raise DeriveError(f"claim about {claim.case!r} has no as-printed pass to judge")
    first = wrong[0] if wrong else None
    truth = claimed = None
    if first is not None and not isinstance(first[0].as_printed, str):
        cand = np.asarray(first[0].as_printed, dtype=np.float64)
        if cand.size == first[0].exact.size:
            truth, claimed = first[0].exact, cand.reshape(first[0].exact.shape)
    return ClaimResult(
        claim, "wrong" if wrong else "correct", first[1].diagnosis if first else None,
        "; ".join(parts), correct_code=result.code.backward_source if wrong else None,
        truth=truth, claimed=claimed, comparison=first[1] if first else None,
        caveats=tuple(caveats))
