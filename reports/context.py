"""Results -> plain dicts and strings for the templates (which only display).

Every formula is one LaTeX string here: the LaTeX template prints it verbatim and the
HTML environment converts the same string to MathML, so the two outputs cannot drift.
Nothing here depends on time or on dict order of the engine, so the same results give
the same context, byte for byte. One case's context is in :mod:`.case_context`, the small
formatters in :mod:`.formatting`, elementwise rewriting in :mod:`derive.abbreviate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from derive.reports.case_context import (
    CONVENTION,
    SHORT_CLAIM,
    case_context,
)
from derive.reports.formatting import (
    _balanced,
    fmt,
    mixed,
    shape_text,
    slug,
    tex_text,
)

from derive.abbreviate import fold_sigma_prime
from derive.check import CaseResult

# What callers (the builder, the tests) read from here, whichever module defines it.
__all__ = ["case_context", "fold_sigma_prime", "mixed", "render_case_html", "render_case_latex",
           "report_context", "shape_text", "slug", "summary", "tex_text", "training_context",
           "training_pdf_name"]

# ---------------------------------------------------------------- findings


def claim_context(i: int, c: Any, case_anchors: Mapping[str, str],
                  figure: str | None = None) -> dict[str, Any]:
    cl = c.claim
    first = cl.text.strip().splitlines()[0] if cl.text.strip() else ""
    diagnosis = c.diagnosis or ""
    return {
        "short": first if len(first) <= SHORT_CLAIM else first[:SHORT_CLAIM - 1] + "…",
        "headline": "" if c.message.startswith(diagnosis) else diagnosis,
        "index": i,
        "anchor": f"claim-{i}",
        "source": cl.source,
        "kind": cl.kind,
        "text": cl.text,
        "tex": cl.latex,
        "verdict": c.verdict,
        "diagnosis": c.diagnosis or "",
        "message": c.message,
        "note": cl.note,
        "correct_tex": _with_lhs(cl.latex, c.correct_latex),
        "correct_code": c.correct_code,
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


TRAINING_COLUMNS = ["model", "run", "gradient", "MSE (test)", "R² (test)", "final loss",
                    "diverged at step"]


TRAINING_CAPTIONS = {
    "loss-linear": "Linear regression: training loss with the verified, the as-printed and the "
                   "rescaled gradient (same seed, same batches).",
    "loss-two-layer": "Two-layer network: training loss with the verified, the as-printed and "
                      "the rescaled gradient (same seed, same batches).",
    "predicted": "Predicted against actual on the test split, verified gradients.",
}


def training_pdf_name(plot: str) -> str:
    """Where a training plot's PDF goes in the report folder (reports.build writes it)."""
    return f"figures/training-{slug(plot)}.pdf"


def training_context(training: Any) -> dict[str, Any] | None:
    """Optional hook for the training section (reports/training.py): None renders nothing.

    Takes ``training_summary()``'s dict (schema 1). Run times are left out: they differ
    between runs and the report must not.
    """
    if training is None:
        return None
    from derive.reports.plots import clean_svg

    data = training.get("data", {})
    rows = [[model.get("title", key), run, r.get("label", ""), fmt(r.get("mse"), 6),
             fmt(r.get("r2"), 4), fmt(r.get("final_loss"), 6),
             "—" if r.get("diverged_at") is None else str(r["diverged_at"])]
            for key, model in sorted(training.get("models", {}).items())
            for run, r in model.get("runs", {}).items()]
    sk = training.get("sklearn") or {}
    return {
        "title": "Training the documents' networks",
        "data": " — ".join(str(data[k]) for k in ("title", "source", "why") if data.get(k)),
        "sklearn": (f"least squares (as scikit-learn LinearRegression) on the same split: "
                    f"MSE {fmt(sk['mse'], 6)}, R² {fmt(sk['r2'], 4)}") if "mse" in sk else "",
        "columns": TRAINING_COLUMNS,
        "rows": rows,
        "goals": [{"claim": g.get("claim", g.get("name", "")), "holds": bool(g.get("holds")),
                   "detail": g.get("detail", "")} for g in training.get("goals", [])],
        "notes": [str(n) for n in training.get("notes", [])],
        "svgs": [{"name": k, "svg": clean_svg(v, f"training-{slug(k)}"),
                  "caption": TRAINING_CAPTIONS.get(k, "")}
                 for k, v in sorted(training.get("plots", {}).items())],
        "pdfs": [{"name": k, "file": training_pdf_name(k), "caption": TRAINING_CAPTIONS.get(k, k)}
                 for k in sorted(training.get("plots_pdf", {}))],
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
        "summary": summary(results, claims),
        "cases": cases,
        "findings": findings,
        "figures": figures,
        "method_figures": general,
        "training": training_context(training),
    }


# ---------------------------------------------------------------- Jupyter


def render_case_html(result: CaseResult) -> str:
    """A case as an HTML fragment (Jupyter's _repr_html_), with its diagram."""
    from derive.reports import diagram, html

    name = f"diagram-{slug(result.case.name)}"
    figures = {name: {"svg": diagram.case_svg(result), "caption": "computational graph",
                      "case": result.case.name, "group": "diagram"}}
    return html.render_fragment(case_context(result, figures=[name]), figures)


def render_case_latex(result: CaseResult) -> str:
    """A case's steps, factors and gradients as one display formula (Jupyter's _repr_latex_)."""
    c = case_context(result)
    lines = [s["tex"] for s in c["steps"]]
    lines += [f["tex"] for f in c["factors"]]
    lines += [g["matrix_tex"] for g in c["gradients"]]
    body = r" \\ ".join(lines)
    return rf"$$\begin{{array}}{{l}} {body} \end{{array}}$$"
