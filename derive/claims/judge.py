"""Judging one claim: the engine differentiates the premise itself and compares.

Each check returns a ClaimResult whose verdict comes from that comparison, never from a list
of answers: a derivative by the engine's rules, a Jacobian by SymPy over element symbols, a
shape by walking the formula with sizes by name, a program by running the documents' code as
printed. A formula with several groupings is judged under each; a verified correction is
written in the document's own notation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp

from derive import backward as B
from derive import elementwise as EW
from derive.check import CaseResult
from derive.claims.gradient import is_gradient, judged
from derive.claims.model import (
    APPROX_RTOL,
    SATURATION_ATOL,
    SECOND_ORDER_MARGIN,
    Claim,
    ClaimResult,
    ReadingResult,
)
from derive.claims.notation import ShapeMismatch, render, shape_of, shape_text
from derive.compile import compile_numpy
from derive.errors import DeriveError
from derive.formula import Formula, as_function
from derive.graph import from_forward
from derive.numeric.compare import compare
from derive.printers import name_latex, to_latex
from derive.trace import trace


def _env(claim: Claim, results: Mapping[str, CaseResult]) -> dict[str, Any]:
    env: dict[str, Any] = {}
    if claim.case:
        r = results[claim.case]
        env.update(r.inputs)
        env.update(r.steps)
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in claim.point.items()})
    for name, text in claim.defs:
        env[name] = Formula(text)(**env)
    return env


def derivative(premise: str, wrt: str, env: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    """The premise's gradient by the engine's rules, at ``env``, and its matrix form in LaTeX."""
    f, names = as_function(premise)
    arrays = {n: np.asarray(env[n], dtype=np.float64) for n in names}
    graph = from_forward(f, {n: a.shape for n, a in arrays.items()}, (wrt,))
    bw = B.derive(graph)
    grad = compile_numpy(bw).backward(**arrays)[wrt]
    return np.asarray(grad, dtype=np.float64), to_latex(bw.gradient(wrt))


def jacobian(premise: str, wrt: str, env: Mapping[str, Any]) -> tuple[np.ndarray, str]:
    """J[j, i] = d y_j / d x_i by SymPy over element symbols (rows = outputs, numerator
    layout): its value at the point, and its LaTeX, named as an input or its transpose."""
    f, names = as_function(premise)
    out, inputs = trace(f, {n: np.shape(env[n]) for n in names})
    symbols = EW.symbols_for(inputs)
    y = sp.Matrix(np.ravel(EW.evaluate(out, symbols)).tolist())
    J = y.jacobian(sp.Matrix(np.ravel(symbols[wrt]).tolist()))
    point = {s: float(v) for n in names
             for s, v in zip(np.ravel(symbols[n]), np.ravel(np.asarray(env[n], dtype=float)))}
    return np.array(J.subs(point).tolist(), dtype=np.float64), _jacobian_latex(J, names, symbols)


def _jacobian_latex(J: sp.Matrix, names: list[str], symbols: Mapping[str, np.ndarray]) -> str:
    for n in names:
        S = sp.Matrix(np.atleast_2d(symbols[n]).tolist())
        if J.shape == S.T.shape and J == S.T:
            return rf"{name_latex(n)}^{{T}}"
        if J.shape == S.shape and J == S:
            return name_latex(n)
    return sp.latex(J, mat_str="bmatrix", mat_delim="")


def _dims(claim: Claim, env: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Sizes by name: the claim's, extended by its helper values (δ3 = ... is n×od)."""
    dims = dict(claim.dims)
    for name, text in claim.defs:
        try:
            found = shape_of(text, env, dims)
        except ShapeMismatch:
            found = None
        if found is not None:
            dims[name] = found
    return dims


def _value(text: str, claim: Claim, env: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The formula's value, or None and why it is undefined, in words (names and shapes)."""
    try:
        return np.asarray(Formula(text)(**env), dtype=np.float64), None
    except ValueError:  # numpy refuses the shapes: say which factors, in the claim's notation
        try:
            shape_of(text, env, _dims(claim, env), claim.notation)
        except ShapeMismatch as exc:
            return None, str(exc)
        return None, "the factors' shapes do not combine"


def _truth(claim: Claim, env: Mapping[str, Any]) -> tuple[np.ndarray, str | None]:
    if claim.approx is not None:
        return np.asarray(claim.approx, dtype=np.float64), None
    if claim.truth is not None:
        return np.asarray(Formula(claim.truth)(**env), dtype=np.float64), None
    if claim.jacobian:
        return jacobian(claim.premise or "", claim.wrt or "", env)
    return derivative(claim.premise or "", claim.wrt or "", env)


def _judge(claim: Claim, claimed: np.ndarray, truth: np.ndarray) -> ClaimResult:
    if claim.entry is not None:
        truth = np.asarray(truth[claim.entry])
    if claim.pattern:
        claimed, truth = (claimed != 0).astype(float), (truth != 0).astype(float)
    cmp = compare(truth, claimed, rtol=APPROX_RTOL if claim.truth else None)
    if claim.direction and cmp.diagnosis == "scaled" and cmp.factor and cmp.factor > 0:
        return ClaimResult(claim, "correct", None, f"the same direction: {cmp.message}",
                           truth=truth, claimed=claimed, comparison=cmp)
    return ClaimResult(claim, "correct" if cmp.ok else "wrong", cmp.diagnosis, cmp.message,
                       truth=truth, claimed=claimed, comparison=cmp)


def _formula(claim: Claim, text: str, env: Mapping[str, Any], truth: np.ndarray,
             layout_t: bool = False) -> ClaimResult:
    claimed, error = _value(text, claim, env)
    if is_gradient(claim) and not layout_t:
        return _gradient(claim, text, env, truth, claimed, error)
    if error is not None:
        return ClaimResult(claim, "wrong", "shape", f"shape: {error}", truth=truth)
    if claim.approx is not None:
        if claimed.size == truth.size:  # a column of outputs against the printed list of 0/1
            claimed = claimed.reshape(truth.shape)
        ok = bool(np.all(np.abs(claimed - truth) <= SATURATION_ATOL))
        msg = (f"every value within {SATURATION_ATOL:g} of the printed 0/1" if ok
               else f"values {np.round(claimed, 6).tolist()} are not ~ {truth.tolist()}")
        return ClaimResult(claim, "correct" if ok else "wrong", None if ok else "entries", msg,
                           truth=truth, claimed=claimed)
    return _judge(claim, claimed, truth.T if layout_t else truth)


def _gradient(claim: Claim, text: str, env: Mapping[str, Any], truth: np.ndarray,
              claimed: Any, error: str | None) -> ClaimResult:
    """The verdict and diagnosis of derive claim's judge; the report's wording of them (a
    shape problem in the document's sizes by name)."""
    reading = judged(claim, text, env, truth)
    if error is not None or (reading is not None and reading.node is None):
        said = f"shape: {error}" if error is not None else reading.message  # type: ignore[union-attr]
        return ClaimResult(claim, "wrong", "shape", said, truth=truth)
    first = _judge(claim, claimed, truth)
    if reading is None or first.verdict != "wrong" and reading.verdict == "correct":
        return first
    if claim.direction and reading.diagnosis == "scaled" and first.verdict == "correct":
        return first  # a claim about the direction only: a positive multiple is right
    return replace(first, verdict=reading.verdict, diagnosis=reading.diagnosis)


def _readings(claim: Claim, env: Mapping[str, Any], truth: np.ndarray) -> ClaimResult:
    """Every reading judged; the verdict is the meant reading's, or 'ambiguous' if undecided."""
    if claim.jacobian and claim.meant.endswith("layout"):
        specs = [("numerator layout (a row per output)", claim.claimed or "", False),
                 ("denominator layout (a row per input)", claim.claimed or "", True)]
    else:
        specs = [("as numpy reads it, left to right", claim.claimed or "", False)]
        specs += [(label, text, False) for label, text in claim.readings]
    judged = [(label, text, _formula(claim, text, env, truth, t)) for label, text, t in specs]
    readings = tuple(ReadingResult(label, text, r.verdict, r.message)
                     for label, text, r in judged)
    chosen = next((r for label, _, r in judged if label.startswith(claim.meant or "\0")), None)
    if chosen is None and len({r.verdict for _, _, r in judged}) > 1:
        return ClaimResult(claim, "ambiguous", None, "; ".join(
            f"{x.label}: {x.verdict}" for x in readings), truth=truth, readings=readings)
    first = chosen or judged[0][2]
    said = f"the text means {claim.meant} ({claim.meant_why}); " if chosen is not None else ""
    return replace(first, message=said + first.message, readings=readings)


def _predict(claim: Claim, env: Mapping[str, Any]) -> ClaimResult:
    """A first-order prediction f(h) - f(0) ~ claimed, judged against its second-order term."""
    text, var, h = claim.predict or ("", "", 0.0)
    f = Formula(text)
    at = {k: v for k, v in env.items()}
    values = [np.asarray(f(**{**at, var: np.float64(t)}), dtype=np.float64) for t in (-h, 0, h)]
    truth = values[2] - values[1]
    curvature = np.abs(values[2] - 2 * values[1] + values[0]) / 2
    claimed = np.asarray(Formula(claim.claimed or "")(**at), dtype=np.float64)
    miss = np.abs(claimed - truth)
    ok = bool(np.all(miss <= SECOND_ORDER_MARGIN * curvature))
    change, said = float(np.ravel(truth)[0]), float(np.ravel(claimed)[0])
    msg = (f"f changes by {change:.10g}, predicted {said:.10g}: "
           f"off by {float(np.max(miss)):.3g}, {'within' if ok else 'beyond'} "
           f"{SECOND_ORDER_MARGIN:g} times the second-order term {float(np.max(curvature)):.3g} "
           f"of a step {h:g}")
    if not ok and float(np.max(truth)) != 0:
        ratio = float(np.ravel(claimed)[0] / np.ravel(truth)[0])
        msg += f" (the prediction is {ratio:.4g} times the change)"
    return ClaimResult(claim, "correct" if ok else "wrong", None if ok else "scaled", msg,
                       truth=truth, claimed=claimed)


def _shape(claim: Claim, env: Mapping[str, Any]) -> ClaimResult:
    try:
        dims = _dims(claim, env)
        got = shape_of(claim.claimed or "", env, dims, claim.notation)
    except ShapeMismatch as exc:
        return ClaimResult(claim, "wrong", "shape", f"shape: {exc}")
    said = render(claim.claimed or "", claim.notation)
    printed = tuple(claim.shape or ())
    msg = f"{said} is {shape_text(got or ())}"
    problems = [] if got == printed else [f"not {shape_text(printed)}"]
    if claim.commute is not None:  # "order doesn't matter": the product the other way round
        a, b = claim.commute
        try:
            shape_of(f"{b} @ {a}", env, dims, claim.notation)
        except ShapeMismatch as exc:
            problems.append(f"and the order matters: {exc}")
    if problems:
        return ClaimResult(claim, "wrong", "shape", f"{msg}, " + "; ".join(problems))
    return ClaimResult(claim, "correct", None, msg)


def _program(claim: Claim, results: Mapping[str, CaseResult]) -> ClaimResult:
    """Run the documents' code exactly as printed; an error it raises is the verdict."""
    from derive.numeric.doc_code import PROGRAMS

    inputs = dict(results[claim.case].inputs) if claim.case else {}
    inputs.update({k: np.asarray(v, dtype=np.float64) for k, v in claim.point.items()})
    try:
        out = PROGRAMS[claim.program](inputs)
    except (NameError, TypeError, ValueError, KeyError, AttributeError) as exc:
        return ClaimResult(claim, "does not run", type(exc).__name__,
                           f"{claim.program} as printed raises {type(exc).__name__}: {exc}")
    if claim.case and isinstance(out, Mapping):
        grads = results[claim.case].gradients
        bad = [n for n, g in out.items() if not compare(grads[n].exact, np.asarray(g)).ok]
        if bad:
            return ClaimResult(claim, "wrong", "entries", f"runs; wrong for {', '.join(bad)}")
    return ClaimResult(claim, "correct", None, f"{claim.program} runs as printed")


def _stress(claim: Claim, env: Mapping[str, Any], first: ClaimResult) -> ClaimResult:
    """Right here, wrong where the claim's hidden assumption breaks: a hidden bug."""
    if claim.stress is None or first.verdict != "correct":
        return first
    premise, text, point = claim.stress
    at = {**env, **{k: np.asarray(v, dtype=np.float64) for k, v in point.items()}}
    truth, _ = derivative(premise, claim.wrt or "", at)
    claimed, error = _value(text, claim, at)
    cmp = None if claimed is None else compare(truth, claimed)
    reading = None if error is not None else judged(claim, text, at, truth)
    if reading is not None and cmp is not None:  # derive claim's verdict and diagnosis
        cmp = replace(cmp, verdict=reading.verdict, diagnosis=reading.diagnosis)
    if error is None and cmp is not None and cmp.ok:
        return first
    why = error or (cmp.message if cmp else "")
    return replace(first, verdict="hidden bug", diagnosis=cmp.diagnosis if cmp else "shape",
                   message=f"right here ({first.message}), but for {premise} it is wrong: {why}")


def check_claim(claim: Claim, results: Mapping[str, CaseResult]) -> ClaimResult:
    from derive.claims.code import check_code

    if claim.program:
        return _finish(claim, _program(claim, results), {})
    as_case = claim.kind == "code" and claim.claimed is None  # the case's as-printed pass
    env = _env(claim, results)
    if claim.garbled:
        first = ClaimResult(claim, "garbled", None,
                            f"garbled in the text extraction: {claim.garbled}")
    elif as_case:
        first = check_code(claim, results[claim.case or ""])
    elif claim.shape is not None:
        first = _shape(claim, env)
    elif claim.predict is not None:
        first = _predict(claim, env)
    else:
        truth, latex = _truth(claim, env)
        first = _readings(claim, env, truth)
        if first.verdict == "wrong":
            first = replace(first, correct_latex=latex)
    return _finish(claim, _stress(claim, env, first), env)


def _finish(claim: Claim, result: ClaimResult, env: Mapping[str, Any]) -> ClaimResult:
    """Add the correction in the document's notation (checked first), and the caveats."""
    statement = None
    if claim.correction and result.verdict != "correct":
        if claim.premise or claim.truth:
            fixed = replace(claim, readings=(), meant="", jacobian=False) if not claim.jacobian \
                else replace(claim, readings=(), meant="")
            truth, _ = _truth(fixed, env)
            check = _formula(fixed, claim.correction, env, truth)
            if check.verdict != "correct":
                raise DeriveError(f"the correction of {claim.text[:40]!r} is not right: "
                                  f"{check.message}")
        body = render(claim.correction, claim.notation)
        statement = f"{claim.lhs} = {body}" if claim.lhs else body
    return replace(result, correct_statement=statement, caveats=result.caveats + claim.caveats)
