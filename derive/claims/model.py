"""What a claim of the documents is, and what judging it returns.

A claim keeps the text as printed and a transcription into the one formula grammar
(:mod:`derive.claim.parse`, read through :mod:`derive.formula`); it never holds its verdict.
The fields say how to check it: a derivative (``premise``, ``wrt``), a value (``truth``), a
first-order prediction (``predict``), a shape (``shape``), a program run as printed
(``program``), a Jacobian under a layout (``jacobian``). ``readings`` are the other
groupings a reader may give the printed formula, and ``meant`` the one the document's own
text states. """

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from derive.numeric.compare import Comparison

S000 = "000_c5d3501ff112bbd5.txt"
S001 = "001_18c9884adda04527.txt"
S002 = "002_04ad88c71b3d2d48.txt"
S003 = "003_dbb8e357b1da829d.txt"

# A printed first-order prediction f(x + h) ~ f(x) + h f'(x) is off by ~h |f''/f'| relative;
# with the documents' h = 1e-4 that is ~1e-4, so 1e-3 accepts it and catches a wrong factor.
APPROX_RTOL = 1e-3

# The slides' "sigma(...) ~ 0 or 1" means saturation: sigma(+-10) is within 4.6e-5 of 1 or 0.
SATURATION_ATOL = 1e-4

# A prediction over a step h is judged against its own second-order term h^2 f''/2 (estimated
# by a second difference): a first-order model may miss by that much, and twice that is the
# margin; a wrong factor or sign misses by far more.
SECOND_ORDER_MARGIN = 2.0

VERDICTS = ("correct", "wrong", "garbled", "does not run", "hidden bug", "ambiguous")


@dataclass(frozen=True)
class Claim:
    """One statement of the documents, as printed, and how to check it (never its verdict)."""

    source: str
    kind: str  # "formula" | "code"
    text: str
    latex: str | None = None
    case: str | None = None
    premise: str | None = None
    wrt: str | None = None
    claimed: str | None = None
    truth: str | None = None
    approx: tuple[float, ...] | None = None
    jacobian: bool = False  # rows = outputs (numerator layout); Jᵀ is judged as the other reading
    defs: tuple[tuple[str, str], ...] = ()
    point: Mapping[str, Any] = field(default_factory=dict)
    garbled: str = ""
    note: str = ""
    # other readings of the printed grouping: (label, formula); ``claimed`` is read as numpy would
    readings: tuple[tuple[str, str], ...] = ()
    meant: str = ""  # the label of the reading the document's own text says it means
    meant_why: str = ""
    entry: tuple[int, ...] | None = None  # judge one entry of the truth (a Jacobian's row, col)
    pattern: bool = False  # judge only where the truth is zero and where it is not
    shape: tuple[str, ...] | None = None  # a printed shape of ``claimed``, sizes by name
    dims: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # sizes of names, by name
    commute: tuple[str, str] | None = None  # "order doesn't matter": this product both ways
    predict: tuple[str, str, float] | None = None  # (f of t, t, step): f(step) - f(0) predicted
    stress: tuple[str, str, Mapping[str, Any]] | None = None  # (premise, claimed, point) where
    # the claim's hidden assumption breaks (e.g. dL/dS not all ones)
    program: str = ""  # the documents' code as printed (numeric.doc_code.PROGRAMS)
    direction: bool = False  # the claim is about the direction only: any positive multiple
    correction: str = ""  # the right formula, checked before it is shown
    lhs: str = ""  # the left-hand side, in the document's notation
    notation: Mapping[str, str] = field(default_factory=dict)  # formula name -> document's
    caveats: tuple[str, ...] = ()  # context a reader needs beside the verdict (loss, layout)


@dataclass(frozen=True)
class ReadingResult:
    """One reading of a printed formula, judged."""

    label: str
    formula: str
    verdict: str
    message: str


@dataclass(frozen=True)
class ClaimResult:
    claim: Claim
    verdict: str  # one of VERDICTS
    diagnosis: str | None
    message: str
    correct_latex: str | None = None
    correct_code: str | None = None
    truth: np.ndarray | None = None
    claimed: np.ndarray | None = None
    comparison: Comparison | None = None
    readings: tuple[ReadingResult, ...] = ()
    correct_statement: str | None = None  # the right formula in the document's own notation
    caveats: tuple[str, ...] = ()
