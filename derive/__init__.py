"""derive: check hand-derived gradients against SymPy, elementwise and in matrix form.

The Python API::

    import derive
    result = derive.verify(forward, backward, shapes={"X": (8, 3), "W": (3, 1)})
    result.ok, result.gradients["W"].verdict, result.gradients["W"].diagnosis

    results = derive.check_cases()      # the documents' cases, three ways
    findings = derive.check_claims()    # the documents' claims, judged

``derive.testing.assert_gradients`` is the same check for a user's own pytest suite. Errors a
user can fix are :class:`derive.errors.DeriveError` subclasses.

The three layers are subpackages: ``derive.numeric`` (numpy only), the symbolic engine in
``derive`` itself (SymPy), and ``derive.reports`` (templates, plots, the command line). Names
are imported on first use, so ``import derive`` and ``derive --help`` do not load SymPy.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from derive._version import __version__

if TYPE_CHECKING:
    from derive.check import CaseResult, check_case
    from derive.check import check as check_cases
    from derive.claims import check_claims
    from derive.errors import DeriveError
    from derive.verify import VerifyResult, verify

# A source checkout keeps the layers side by side (derive/, numeric/, reports/, templates/);
# an installed wheel has numeric/ and reports/ inside derive/ (pyproject maps them there).
# In a checkout, let derive.numeric and derive.reports resolve to the sibling folders.
_HERE = Path(__file__).resolve().parent
if not (_HERE / "numeric").is_dir() and (_HERE.parent / "numeric" / "__init__.py").is_file() \
        and (_HERE.parent / "pyproject.toml").is_file():
    __path__.append(str(_HERE.parent))  # noqa: F821 - a package's own __path__

# name -> (module, attribute): what ``derive.<name>`` means, loaded on first use.
_LAZY = {
    "CaseResult": ("derive.check", "CaseResult"),
    "check_case": ("derive.check", "check_case"),
    "check_cases": ("derive.check", "check"),
    "check_claims": ("derive.claims", "check_claims"),
    "DeriveError": ("derive.errors", "DeriveError"),
    "VerifyResult": ("derive.verify", "VerifyResult"),
    "verify": ("derive.verify", "verify"),
}

__all__ = ["CaseResult", "DeriveError", "VerifyResult", "__version__", "check_case",
           "check_cases", "check_claims", "verify"]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'derive' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
