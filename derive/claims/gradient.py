"""A documents' derivative claim judged by ``derive claim``'s judge.

The claimed formula is read by the one grammar (:mod:`derive.claim.parse`, the documents'
vocabulary), built as the engine's own expression over the document's values
(:mod:`derive.claim.build`) and judged by :func:`derive.claim.judge.judge` against the
gradient the engine derives from the premise, at the document's point: the verdict and the
diagnosis are that judge's, in the vocabulary every report uses. The message keeps the
report's wording of the same comparison (the documents are not "your formula").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from derive import expr as E
from derive.claim.build import Scope
from derive.claim.judge import Reading, judge
from derive.claim.points import Setting
from derive.claims.model import Claim
from derive.errors import DeriveError
from derive.formula import Formula


def is_gradient(claim: Claim) -> bool:
    """A claimed gradient of a premise (not a Jacobian, an entry, a pattern or a value)."""
    return bool(claim.premise and claim.wrt) and not claim.jacobian and claim.entry is None \
        and not claim.pattern and claim.truth is None and claim.approx is None


def setting(names: list[str], env: Mapping[str, Any], truth: np.ndarray) -> Setting:
    """The document's point as derive claim's one set of shapes: every name a leaf."""
    values = {n: np.asarray(env[n], dtype=np.float64) for n in names}
    scope = Scope({n: E.leaf(n, v.shape) for n, v in values.items()}, None, False)
    shapes = {n: tuple(v.shape) for n, v in values.items()}
    return Setting(shapes, None, (values,), (values,), (truth,), scope)  # type: ignore[arg-type]


def judged(claim: Claim, text: str, env: Mapping[str, Any], truth: np.ndarray) -> Reading | None:
    """derive claim's verdict on ``text`` as ∂/∂wrt of the premise; None when the formula
    has no matrix form to build (a Kronecker product): it is then judged by values only."""
    f = Formula(text)
    try:
        return judge(f.tree, [setting(f.names, env, truth)], claim.wrt or "")
    except DeriveError:  # no matrix form (kron), or none the engine prints: by values
        return None
