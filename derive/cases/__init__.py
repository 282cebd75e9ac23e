"""The registry of cases: one small module per case (or family), each citing its source.

A case is a plain numpy forward function, written the way the documents write it, plus
the point where the documents evaluate it, the documents' hand-written backward pass
(corrected, and as printed), and the numbers they print. The graph is obtained by
tracing the forward function: the same mechanism ``derive verify`` uses on a user's
module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from derive.errors import UnknownCaseError

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class Printed:
    """A number the documents print, and what it is: value, source, how it was computed."""

    what: str  # "forward", or an input name for a gradient, or a label
    value: Any
    source: str
    digits: int | None = None  # printed to this many decimals (None: full precision)
    how: str = "as printed"  # e.g. "central difference, delta = 0.001"
    reproduce: Callable[[Arrays], Any] | None = None  # the documents' code that printed it
    note: str = ""  # e.g. why a printed number is not reproduced


@dataclass(frozen=True)
class Case:
    """One composite expression from the documents."""

    name: str
    title: str
    source: str  # document file and section heading
    statement: str  # the composite in words and symbols, for the report
    forward: Callable[..., Any]
    wrt: tuple[str, ...]
    point: Callable[[], Arrays]
    hand: Callable[..., Mapping[str, Any]] | None = None
    as_printed: Callable[..., Mapping[str, Any]] | None = None
    as_printed_forward: Callable[..., Any] | None = None
    printed: tuple[Printed, ...] = ()
    notes: tuple[str, ...] = ()
    prove: bool = True  # prove the matrix form against elementwise SymPy
    extra: Mapping[str, Any] = field(default_factory=dict)

    def inputs(self) -> Arrays:
        return {k: np.asarray(v, dtype=np.float64) for k, v in self.point().items()}


@cache
def registry() -> dict[str, Case]:
    """All cases, in the documents' order (modules are numbered)."""
    import derive.cases as pkg

    found: dict[str, Case] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"derive.cases.{info.name}")
        for case in getattr(module, "CASES", ()):
            found[case.name] = case
    return found


def get(name: str) -> Case:
    cases = registry()
    if name not in cases:
        raise UnknownCaseError(f"unknown case {name!r}; known cases: {', '.join(cases)}")
    return cases[name]
