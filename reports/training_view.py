"""The training section of the report, as plain data for the templates."""

from __future__ import annotations

from typing import Any

from derive.reports.text import fmt, slug

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
