"""Results -> plain dicts and strings for the templates (which only display).

Every formula is one LaTeX string here: the LaTeX template prints it verbatim and the
HTML environment converts the same string to MathML, so the two outputs cannot drift.
Nothing here depends on time or on dict order of the engine, so the same results give
the same context, byte for byte. The pieces live beside: gradients.py (one gradient),
factors.py (chain-rule factors), legend.py (notation, the documents' names), text.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from derive.reports.factors import case_factors
from derive.reports.gradients import fits, gradient_context
from derive.reports.html import NARROW
from derive.reports.legend import LEGEND, cite, documents
from derive.reports.mixed import _balanced, mixed
from derive.reports.text import fmt, fmt_err, fmt_value, shape_text, slug
from derive.reports.training_view import training_context

from derive.check import CaseResult, PrintedCheck
from derive.printers import loss_named, name_latex

# The findings overview quotes each claim's first line up to this many characters.
SHORT_CLAIM = 72

CONVENTION = (
    r"Layout convention: a gradient has the shape of its variable, so "
    r"$\frac{\partial L}{\partial W}$ is shaped like $W$, as in the documents' numpy code. "
    r"A chain-rule factor such as "
    r"$\frac{\partial N}{\partial X} = W^{T}$ is the matrix the upstream gradient is multiplied "
    "by, not a Jacobian; the shapes written under each factor show why a transpose is needed "
    "and on which side it goes."
)



def _what_label(what: str) -> str:
    if what == "forward":
        return "forward value"
    if what.endswith("-input"):
        return f"input {what.removesuffix('-input')}"
    return f"dL/d{what}"


def printed_context(pc: PrintedCheck) -> dict[str, Any]:
    p = pc.printed
    return {
        "what": _what_label(p.what),
        "value": fmt_value(p.value, None),
        "how": cite(p.how),
        "source": cite(p.source),
        "reproduced": fmt_value(pc.reproduced, None),
        "reproduces": pc.reproduces,
        "exact": fmt_value(pc.exact, None),
        "diff": fmt_err(pc.max_diff_exact),
        "note": cite(p.note) if p.note else p.note,
    }



def case_context(result: CaseResult, claims: Iterable[Any] = (),
                 figures: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the templates print for one case, its gradients named after its loss as
    the document does (∂E/∂W1 in 003's post, ∂L/∂W1 in the notes)."""
    with loss_named(result.graph.output.name):
        return _case_context(result, claims, figures)


def _case_context(result: CaseResult, claims: Iterable[Any],
                  figures: Sequence[str]) -> dict[str, Any]:
    case, graph = result.case, result.graph
    shapes = {**graph.shapes, **{s.name: s.shape for s in graph.steps}}
    fwd = result.forward
    wrong_code = [c for c in claims
                  if c.claim.kind == "code" and c.claim.case == case.name and c.verdict == "wrong"]
    return {
        "name": case.name,
        "anchor": f"case-{slug(case.name)}",
        "title": case.title,
        "source": cite(case.source),
        "statement": mixed(cite(case.statement)),
        "notes": [cite(n) for n in case.notes],
        "ok": result.ok,
        "inputs": [{"name": k, "tex": name_latex(k), "shape": shape_text(v.shape),
                    "wrt": k in graph.wrt} for k, v in graph.inputs.items()],
        "steps": [{"tex": s.latex(), "shape": shape_text(s.shape)} for s in graph.steps],
        "factors": case_factors(result.backward, shapes),
        "gradients": [gradient_context(result, w) for w in graph.wrt],
        "forward": {
            "symbolic": fmt(fwd["symbolic"], 16),
            "matrix": fmt(fwd["matrix"], 16),
            "as_printed": fmt_value(fwd["as_printed"], 16) if "as_printed" in fwd else None,
        },
        "printed": [printed_context(p) for p in result.printed],
        "code": {"forward": result.code.forward_source, "backward": result.code.backward_source},
        "as_printed_code": [{"source": cite(c.claim.source), "text": c.claim.text,
                             "message": cite(c.message)} for c in wrong_code],
        "figures": list(figures),
        "delta_rule": _delta_rule(result),
    }


# ---------------------------------------------------------------- findings


def claim_context(i: int, c: Any, case_anchors: Mapping[str, str],
                  figure: str | None = None) -> dict[str, Any]:
    cl = c.claim
    first = cl.text.strip().splitlines()[0] if cl.text.strip() else ""
    diagnosis = c.diagnosis or ""
    return {
        "short": first if len(first) <= SHORT_CLAIM else first[:SHORT_CLAIM - 1] + "…",
        "headline": "" if c.message.startswith(diagnosis) else cite(diagnosis),
        "index": i,
        "anchor": f"claim-{i}",
        "source": cite(cl.source),
        "kind": cl.kind,
        "text": cl.text,
        "tex": cl.latex,
        "verdict": c.verdict,
        "diagnosis": c.diagnosis or "",
        "message": cite(c.message),
        "note": cite(cl.note) if cl.note else cl.note,
        "correct_tex": _with_lhs(cl.latex, c.correct_latex),
        "stacked": not fits(_with_lhs(cl.latex, c.correct_latex) or "", NARROW),
        "correct_code": c.correct_code,
        "correct_statement": cite(c.correct_statement) if c.correct_statement else "",
        "readings": [{"label": r.label, "formula": r.formula, "verdict": r.verdict,
                      "message": cite(r.message)} for r in c.readings],
        "caveats": [cite(x) for x in c.caveats],
        "case": cl.case,
        "case_anchor": case_anchors.get(cl.case or "", ""),
        "figure": figure,
    }


def _with_lhs(claimed: str | None, correct: str | None) -> str | None:
    """The correct right-hand side under the claim's own left-hand side: dγ/dW = X^T 1."""
    if not correct or not claimed or "=" not in claimed:
        return correct
    lhs = claimed.split("=", 1)[0].strip()
    return f"{lhs} = {correct}" if lhs and _balanced(lhs) and "&" not in lhs else correct


def summary(results: Sequence[CaseResult], claims: Sequence[Any]) -> dict[str, Any]:
    grads = [g for r in results for g in r.gradients.values()]
    comps = [c for g in grads for c in (g.vs_matrix, g.vs_fd, g.vs_hand) if c is not None]
    printed = [p for r in results for p in r.printed]
    verdicts = [c.verdict for c in claims]
    return {
        "cases": len(results),
        "cases_ok": sum(r.ok for r in results),
        "gradients": len(grads),
        "proved": sum(1 for g in grads if g.proof is not None and g.proof.proved),
        "comparisons": len(comps),
        "agreements": sum(c.ok for c in comps),
        "printed": len(printed),
        "printed_reproduced": sum(p.reproduces for p in printed),
        "as_printed": sum(1 for g in grads if g.vs_printed is not None),
        "as_printed_wrong": sum(1 for g in grads if g.vs_printed is not None
                                and not g.vs_printed.ok),
        "claims": len(claims),
        "claims_correct": verdicts.count("correct"),
        "claims_wrong": verdicts.count("wrong"),
        "claims_garbled": verdicts.count("garbled"),
        "failing": [r.case.name for r in results if not r.ok],
    }



def report_context(results: Sequence[CaseResult], claims: Sequence[Any],
                   figures: Mapping[str, Mapping[str, Any]] | None = None,
                   training: Any = None) -> dict[str, Any]:
    """The whole report: summary, cases, findings, figures (by name), training."""
    figures = dict(figures or {})
    by_case: dict[str, list[str]] = {}
    by_claim: dict[int, str] = {}
    for name in sorted(figures):
        f = figures[name]
        if f.get("case"):
            by_case.setdefault(f["case"], []).append(name)
        if f.get("claim"):
            by_claim[int(f["claim"])] = name
    cases = [case_context(r, claims, by_case.get(r.case.name, ())) for r in results]
    anchors = {c["name"]: c["anchor"] for c in cases}
    findings = [claim_context(i, c, anchors, by_claim.get(i))
                for i, c in enumerate(claims, start=1)]
    general = [n for n in sorted(figures) if figures[n].get("group") == "method"]
    return {
        "title": "Derivations checked: the chain rule and backpropagation in the documents",
        "convention": mixed(CONVENTION),
        "legend": [{"tex": tex, "text": mixed(text) if "$" in text else
                    [{"kind": "text", "value": text}]} for tex, text in LEGEND],
        "documents": documents(),
        "summary": summary(results, claims),
        "cases": cases,
        "findings": findings,
        "figures": figures,
        "method_figures": general,
        "training": training_context(training),
    }


def _delta_rule(result: CaseResult) -> list[dict[str, Any]]:
    """The post's delta-rule recursion (three-layer case), each factor with its shape by name."""
    if "delta_rule" not in result.case.extra:
        return []
    from derive.claims.delta import delta_rule  # lazy: the registry of cases must not load it

    return [{"lhs": d.lhs, "rhs": d.rhs, "shape": d.shape, "ok": d.ok,
             "factors": " · ".join(f"{f.text} ({f.shape})" for f in d.factors),
             "tex": f"{_post_tex(d.lhs)} = {_post_tex(d.rhs)}",
             "shapes_tex": r" \cdot ".join(_post_tex(f.shape) for f in d.factors)}
            for d in delta_rule(result)]


# The post's notation (Unicode, as derive.claims.notation renders it) as LaTeX math.
_POST_TEX = (("∂", r"\partial "), ("δ", r"\delta_"), ("⊙", r" \odot "), ("ᵀ", "^{T}"),
             ("×", r" \times "), ("−", "-"), ("'", "'"))


def _post_tex(text: str) -> str:
    for char, tex in _POST_TEX:
        text = text.replace(char, tex)
    return re.sub(r"\b([A-Za-z])(\d)\b", r"\1_{\2}", text)
