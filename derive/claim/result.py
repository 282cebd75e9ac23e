"""The verdict on one claim: every reading judged, the right formula, the steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive import usermodule as U
from derive.claim import ast as A
from derive.claim.judge import Reading, forms, judge, same
from derive.claim.names import SPELLED, target
from derive.claim.parse import parse
from derive.claim.points import Setting, settings
from derive.claim.steps import ChainStep, Departure, chain_steps, departure
from derive.claim.tokens import FormulaError
from derive.closed import closed_form
from derive.errors import DeriveError, InputError
from derive.expr import Node

# A claims file holds at most this many lines: it is a worksheet, not a data set.
MAX_CLAIMS = 500


@dataclass(frozen=True)
class ClaimResult:
    name: str
    formula: str
    notation: str
    verdict: str  # correct | wrong | ambiguous
    diagnosis: str | None
    factor: str | None
    message: str
    readings: tuple[Reading, ...]
    correct: str  # the right formula in the claim's notation
    correct_text: str
    correct_latex: str
    steps: tuple[ChainStep, ...] = ()
    departs: Departure | None = None
    checked: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    corrected: Reading | None = None  # the claim with its mistake undone, judged right

    @property
    def exit_status(self) -> int:
        if self.verdict == "ambiguous":
            return 0 if any(r.verdict == "correct" for r in self.readings) else 1
        return 0 if self.verdict == "correct" else 1

    def to_json(self) -> dict[str, Any]:
        first = self.readings[0]
        return {
            "name": self.name, "formula": self.formula, "notation": self.notation,
            "verdict": self.verdict, "diagnosis": self.diagnosis, "factor": self.factor,
            "message": self.message, "read_as": first.text, "read_as_latex": first.latex,
            "readings": [r.to_json() for r in self.readings],
            "correct": self.correct, "correct_text": self.correct_text,
            "latex": self.correct_latex,
            "steps": [s.to_json() for s in self.steps],
            "departs": None if self.departs is None else self.departs.to_json(),
            "corrected": None if self.corrected is None else (
                self.corrected.latex if self.notation == "latex" else self.corrected.code),
            "checked": self.checked,
        }


def check_module(module: U.UserModule, name: str, formula: str, latex: bool | None = None,
                 seed: int = 0) -> ClaimResult:
    """Judge ``formula`` as ∂L/∂``name`` of the module's forward (``name`` spelled W1, dLdW1,
    dL/dW1, ∂L/∂W1 or as a LaTeX fraction)."""
    from derive.trace import parameters

    name = target(name, parameters(module.function("forward")))
    sets, note = settings(module, name, seed)
    r = check(sets, name, formula, latex, note, module.label)
    right = [x for x in r.readings if x.verdict == "correct"]
    if right:
        from derive.claim.symbolic import prove

        has_data = module.optional_function("inputs") is not None
        r.checked["symbolic"] = prove(right[0].tree, module.function("forward"),
                                      sets[0].shapes, name, has_data)
    return r


def check(sets: list[Setting], name: str, formula: str, latex: bool | None = None,
          note: str = "", label: str = "") -> ClaimResult:
    s0 = sets[0]
    graph = s0.derivation.graph
    names = list(graph.inputs) + [s.name for s in graph.steps]
    parsed = parse(formula, names, latex)
    trees = A.readings(parsed.tree)
    if len(trees) > A.MAX_READINGS:
        raise FormulaError(parsed.tree.col, f"more than {A.MAX_READINGS} ways to group the "
                           "products: add brackets")
    readings: list[Reading] = []
    for t in trees:
        r = judge(t, sets, name)
        if not any(same(r, x) for x in readings):
            readings.append(r)
    # a grouping whose shapes do not fit is not a way to read the formula (unless none fits)
    built = [r for r in readings if r.node is not None]
    readings = built or readings[:1]
    right = _right(s0, name)
    text, tex, code = forms(right, s0.scope)
    verdict, diagnosis, factor, message = _overall(readings)
    steps = chain_steps(s0.derivation.backward, name, s0.scope)
    departs = None
    wrong = next((r for r in readings if r.verdict == "wrong" and r.node is not None), None)
    if verdict != "correct" and wrong is not None:
        departs = departure(wrong.node, s0, name, steps)
    fixed = None
    if verdict == "wrong":
        from derive.claim.correct import corrected

        fixed = corrected(readings[0], sets, name)
    checked = {
        "shapes": [s.shapes for s in sets],
        "n": [s.n for s in sets],
        "points": sum(len(s.points) for s in sets),
        "derived": "by the chain rule in matrix form from your traced forward",
        "note": note,
    }
    return ClaimResult(name, formula, parsed.notation, verdict, diagnosis, factor, message,
                       tuple(readings), tex if parsed.notation == "latex" else code, text,
                       tex, tuple(steps), departs, checked, label, fixed)


def _right(s: Setting, name: str) -> Node:
    """The textbook closed form; the derived form itself where the simplifier gives up."""
    try:
        return closed_form(s.derivation.backward, name)
    except (RecursionError, DeriveError, ValueError, TypeError):
        return s.derivation.backward.gradient(name)


def _overall(readings: list[Reading]) -> tuple[str, str | None, str | None, str]:
    if len(readings) == 1:
        r = readings[0]
        return r.verdict, r.diagnosis, r.factor, r.message
    right = [r for r in readings if r.verdict == "correct"]
    listed = "; ".join(f"{r.text}: {r.verdict}" + (f" ({r.diagnosis})" if r.diagnosis else "")
                       for r in readings)
    if right:
        return "ambiguous", None, None, (f"the products group in {len(readings)} ways; right "
                                         f"read as {right[0].text}; add brackets ({listed})")
    first = readings[0]
    return "ambiguous", first.diagnosis, first.factor, (
        f"the products group in {len(readings)} ways and none is right ({listed})")


def read_claims(path: str | Path) -> list[tuple[int, str, str]]:
    """(line number, name, formula) of each 'W1: formula' line; blank lines, '#' comments
    and Markdown list marks or code fences are read past."""
    p = U.source_path(path) if str(path).endswith(".py") else Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {p}: {getattr(exc, 'strerror', None) or exc}") from None
    out = []
    for k, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "```", "<!--")):
            continue
        line = line.lstrip("-*").strip().strip("`").strip()
        name, sep, formula = line.partition(":")
        if not sep or not formula.strip():
            raise InputError(f"{p.name}:{k}: expected 'NAME: formula', got {U.one_line(raw)!r}")
        try:
            target(name)
        except InputError:
            raise InputError(f"{p.name}:{k}: cannot read the gradient's name "
                             f"{U.one_line(name.strip())!r}: expected {SPELLED}") from None
        out.append((k, name.strip(), formula.strip().strip("`").strip("$").strip()))
        if len(out) > MAX_CLAIMS:
            raise InputError(f"{p.name}: more than {MAX_CLAIMS} claims")
    if not out:
        raise InputError(f"{p.name} holds no claims (one 'NAME: formula' per line)")
    return out
