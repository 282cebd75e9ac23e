"""``derive claim``: judge a gradient derived on paper, written as a formula.

The formula (numpy style or LaTeX) is parsed by a whitelisted grammar
(:mod:`derive.claim.parse`), read as derive's own expression nodes over the user's traced
forward (:mod:`derive.claim.build`), and compared with the gradient the engine derives, at
two sets of shapes and several random points (:mod:`derive.claim.judge`). A wrong claim is
diagnosed in the project's vocabulary, and the right one is printed in the same notation
with its chain-rule steps (:mod:`derive.claim.steps`).
"""

from derive.claim.result import ClaimResult, check, check_module, read_claims
from derive.claim.tokens import FormulaError

__all__ = ["ClaimResult", "FormulaError", "check", "check_module", "read_claims"]
