"""The caller's tolerances: ``verify(rtol=, atol=, eps=)`` and assert_gradients' options."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive.errors import InputError
from derive.numeric.fd import Differences


@dataclass(frozen=True)
class Options:
    """The caller's tolerances (``verify(rtol=, atol=, eps=)``); None: numeric.config's."""

    rtol: float | None = None
    atol: float = 0.0
    eps: float | None = None

    @classmethod
    def of(cls, rtol: float | None, atol: float | None, eps: float | None) -> Options:
        for name, v in (("rtol", rtol), ("atol", atol), ("eps", eps)):
            _check_tolerance(name, v)
        return cls(rtol, 0.0 if atol is None else float(atol), eps)

    def fd_rtol(self, diff: Differences) -> float:
        """Against finite differences: the looser of yours and what differences resolve."""
        return diff.rtol if self.rtol is None else max(self.rtol, diff.rtol)


def _check_tolerance(name: str, v: Any) -> None:
    if v is None:
        return
    ok = isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)
    if not ok or not math.isfinite(float(v)) or float(v) < 0 or \
            (name != "atol" and float(v) == 0):
        want = "a finite number >= 0" if name == "atol" else "a positive finite number"
        raise InputError(f"{name} must be {want}, got {v!r}")
