"""Verify a user's hand-written backward pass against the derivation of their forward pass.

A pipeline of stages, one module each, run in order by :func:`verify` (:mod:`.run`):

1. :mod:`.inputs`: the K points (standard normal from ``numpy.random.default_rng(seed)``, or
   the user's ``inputs(rng)``), checked against forward's arguments and shapes;
2. :mod:`.calls`: the user's ``forward`` and ``backward`` at every point (results copied as
   they arrive); ``backward``'s keys say which arguments are checked, the others are constants;
3. :mod:`.derivation`: trace ``forward``, derive the gradient by rules in matrix form and
   compile it to numpy, once per graph, cached;
4. :mod:`.judge`: the compiled gradient against the user's at every point, entry by entry
   (:func:`numeric.compare.compare`: every wrong entry located by index), with the evidence
   that validates the derivation: finite differences of the user's own forward
   (:class:`numeric.fd.Differences`) and the Taylor remainder test;
5. :mod:`.kinks`: at a kink (ReLU at 0, ``|x|`` at 0, a tie in max) one-sided differences and
   the frameworks' conventions decide: any subgradient is ``nondifferentiable``, never ``wrong``;
6. :mod:`.proving`: the matrix form proved equal to elementwise SymPy at a reduced shape.

Every tolerance and step is in :mod:`numeric.config`. The results are in :mod:`.results`.
When the tracer meets a numpy call it cannot map, the verdicts come from per-entry finite
differences of the forward alone, and say so (``numeric_only``).
"""

from __future__ import annotations

import sys
from typing import Any

from derive.verify.derivation import derivation
from derive.verify.proving import reduced_shapes
from derive.verify.results import Derivation, GradientResult, VerifyResult
from derive.verify.run import verify, verify_module

__all__ = ["Derivation", "GradientResult", "VerifyResult", "derivation", "reduced_shapes",
           "verify", "verify_module"]


class _CallableModule(type(sys)):
    """``derive.verify`` names both this package and the function the API promises: once the
    package is imported, ``derive.verify`` is the package, so calling it calls verify()."""

    def __call__(self, *args: Any, **kwargs: Any) -> VerifyResult:
        return verify(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
