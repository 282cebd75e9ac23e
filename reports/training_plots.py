"""The training section's figures: loss curves and predicted against actual, as SVG and PDF.

Drawing only: the runs are computed in training.py (numeric/train.py does the training).
Figures are ``matplotlib.figure.Figure`` objects, never pyplot, never ``matplotlib.use``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from derive.numeric import data as ND
from derive.numeric import train as NT

# Per-batch losses of 3-row batches are mostly noise; the plot shows a moving average.
SMOOTH = 200

# Points drawn per loss curve: a smoothed curve needs no more, and 20000 would make each SVG
# half a megabyte.
PLOT_POINTS = 800

# Plot palette, one colour per gradient, the same in every figure.
COLOURS = {"verified": "#1f77b4", "as-printed": "#d62728", "rescaled": "#2ca02c",
           "documents": "#7f7f7f"}

LABELS = {
    "verified": "verified gradient",
    "as-printed": "as printed",
    "rescaled": "as printed / c(N)",
    "documents": "the documents' run (as printed, 10000 iterations)",
}

def moving_average(values: np.ndarray, window: int = SMOOTH) -> np.ndarray:
    """Mean of the last `window` values at each step (shorter at the start)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    csum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - window, 0)
    return (csum[idx] - csum[lo]) / (idx - lo)


def _thin(n: int, points: int = PLOT_POINTS) -> np.ndarray:
    """At most `points` evenly spaced indices of n, always with the first and the last."""
    return np.unique(np.linspace(0, n - 1, min(n, points)).round().astype(int))


def loss_figure(curves: Sequence[tuple[str, str, np.ndarray]], title: str,
                raw: bool = False) -> Any:
    """Training loss against iteration, one curve per (kind, label, losses), log scale.

    Curves are moving averages over SMOOTH batches; raw=True adds the per-batch losses faintly.
    """
    from matplotlib.figure import Figure  # lazy: no matplotlib on the cache-hit path

    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    styles = {"rescaled": (0, (4, 3))}
    for kind, label, losses in curves:
        colour = COLOURS.get(kind, "#333333")
        steps = np.arange(1, len(losses) + 1)
        shown = _thin(len(losses))
        if raw:
            ax.plot(steps[shown], np.asarray(losses)[shown], color=colour, alpha=0.25,
                    linewidth=0.5)
        ax.plot(steps[shown], moving_average(losses)[shown], color=colour, label=label,
                linestyle=styles.get(kind, "-"), linewidth=1.4)
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel(f"batch loss (MSE), mean of {SMOOTH}")
    ax.set_title(title)
    ax.legend(frameon=False)
    return fig


def predicted_figure(panels: Sequence[tuple[str, np.ndarray, np.ndarray]], target: str) -> Any:
    """Predicted against actual test values, one panel per (title, actual, predicted)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3.8 * len(panels), 3.8), layout="constrained")
    actual_all = np.concatenate([np.ravel(a) for _, a, _ in panels])
    pred_all = np.concatenate([np.ravel(p) for _, _, p in panels])
    finite = pred_all[np.isfinite(pred_all)]
    lo = float(min(actual_all.min(), finite.min(initial=actual_all.min())))
    hi = float(max(actual_all.max(), finite.max(initial=actual_all.max())))
    pad = 0.03 * (hi - lo)
    for k, (title, actual, predicted) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], color="#999999", linewidth=0.8)
        ax.scatter(np.ravel(predicted), np.ravel(actual), s=9, alpha=0.7, color="#1f77b4")
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_box_aspect(1)
        ax.set_xlabel(f"predicted {target}")
        ax.set_ylabel(f"actual {target}")
        ax.set_title(title)
    return fig


def figure_bytes(fig: Any, fmt: str) -> bytes:
    """The figure as SVG or PNG bytes, reproducibly (fixed SVG ids, no date in the metadata)."""
    import matplotlib

    buf = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "derive", "svg.fonttype": "path"}):
        # constrained layout already fits the figure: no bbox_inches="tight" (a second draw)
        fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def figure_svg(fig: Any) -> str:
    return figure_bytes(fig, "svg").decode("utf-8")


TARGETS = {"boston": "MEDV ($1000s)"}


def _short(m: NT.Model) -> str:
    return m.name if m.hidden is None else f"{m.name}, {m.hidden} hidden"


def _pdf_base64(fig: Any) -> str:
    """The figure as a reproducible PDF (no dates), base64 text so the JSON cache can hold it."""
    import base64

    import matplotlib
    from derive.reports.plots import PDF_METADATA

    buf = io.BytesIO()
    with matplotlib.rc_context({"pdf.compression": 6}):
        fig.savefig(buf, format="pdf", metadata=PDF_METADATA)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(data: ND.Dataset, split: ND.Split, models: Mapping[str, NT.Model],
           runs: Mapping[str, Mapping[str, NT.TrainResult]]) -> dict[str, dict[str, str]]:
    """Loss curves of the three gradients per model, and predicted against actual (verified):
    SVG for the HTML page, PDF (base64) for the LaTeX document."""
    figs = {}
    panels = []
    for name, model_runs in runs.items():
        m = models[name]
        curves = []
        for kind in ("as-printed", "verified", "rescaled"):
            test = NT.score(m, model_runs[kind].weights, split.X_test, split.y_test)["mse"]
            curves.append((kind, f"{LABELS[kind]} (test MSE {test:.2f})", model_runs[kind].losses))
        figs[f"loss-{name}"] = loss_figure(curves, f"{m.title}: training loss")
        p = m.predict(split.X_test, **model_runs["verified"].weights)
        panels.append((f"{_short(m)}: test MSE {NT.mse(split.y_test, p):.2f}", split.y_test, p))
    figs["predicted"] = predicted_figure(panels, TARGETS.get(data.name, "target"))
    svg = {k: figure_svg(f) for k, f in figs.items()}
    for f in figs.values():
        f.set_layout_engine("none")  # laid out once, for the SVG: the PDF reuses it
    pdf = {k: _pdf_base64(f) for k, f in figs.items()}
    return {"svg": svg, "pdf": pdf}


