"""derive: check hand-derived gradients against SymPy, elementwise and in matrix form.

The Python API::

    import derive
    result = derive.verify(forward, backward, shapes={"X": (8, 3), "W": (3, 1)})
    result.ok, result.gradients["W"].verdict, result.gradients["W"].diagnosis

    results = derive.check_cases()      # the documents' cases, three ways
    findings = derive.check_claims()    # the documents' claims, judged

``derive.testing.assert_gradients`` is the same check for a user's own pytest suite. Errors a
user can fix are :class:`derive.errors.DeriveError` subclasses.
"""

from __future__ import annotations

from derive.check import CaseResult, check_case
from derive.check import check as check_cases
from derive.claims import check_claims
from derive.errors import DeriveError
from derive.verify import VerifyResult, verify

# ``derive.check`` stays the module (``import derive.check`` must keep working); the function
# that checks every case is exported as ``check_cases``. ``derive.verify`` is the function the
# API promises; its module is reached with ``from derive.verify import ...``.
__all__ = ["CaseResult", "DeriveError", "VerifyResult", "check_case", "check_cases",
           "check_claims", "verify"]
__version__ = "0.1.0"
