"""The report's figures (matplotlib, Agg): functions and their derivatives, chains with a
slope check, finite-difference error against step size, a Taylor-remainder test, and
per-entry error heatmaps for wrong claims.

Figures are made with ``matplotlib.figure.Figure`` (no pyplot state) and saved with fixed
settings so the same results give byte-identical SVG and PDF files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from derive.numeric.fd import FD_REL_STEP, central_gradient, error_vs_step, taylor_remainder_slope
from derive.numeric.functions import DOC_DELTA
from matplotlib.figure import Figure

from derive.check import CaseResult

# Fixed salt and no dates: SVG ids and PDF bytes depend only on what is drawn.
RC = {
    "svg.hashsalt": "derive-report",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8,
    "legend.frameon": False,
}
SVG_METADATA = {"Date": None}
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Creator": "derive report"}

CURVE, POINTS, MARK = "#2f5597", "#b3261e", "#1a1a1a"
FD_POINTS = 13  # finite-difference dots over a curve: enough to see, few enough to tell apart
CURVE_POINTS = 401
HEATMAP_ANNOTATE_MAX = 30  # write the number in each cell up to this many entries


@dataclass
class Plot:
    """One figure and where it belongs: a case, a claim (1-based index) or the method section."""

    name: str  # unique; the PDF file stem
    caption: str
    group: str  # "case" | "claim" | "method" | "diagram"
    case: str | None = None
    claim: int | None = None
    figure: Figure | None = None
    svg: str | None = None  # drawn directly (diagrams); else made from ``figure``

    def meta(self) -> dict[str, Any]:
        return {"caption": self.caption, "group": self.group, "case": self.case,
                "claim": self.claim}


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), layout=layout)


def _plain(text: str) -> str:
    """User text in a matplotlib label: a $ would start mathtext."""
    return text.replace("$", r"\$")


# ---------------------------------------------------------------- saving


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')


def to_svg(fig: Figure, uid: str) -> str:
    """Inline SVG: no XML header, comment or metadata (they hold URLs); ids prefixed by uid."""
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata=SVG_METADATA)
    return clean_svg(buf.getvalue(), uid)


def clean_svg(svg: str, uid: str) -> str:
    """An SVG document made fit to inline: header, comments, metadata gone; ids prefixed."""
    svg = svg[svg.index("<svg"):]
    svg = _METADATA.sub("", _COMMENT.sub("", svg))
    svg = re.sub(r'\s*xmlns:(rdf|cc|dc)="[^"]*"', "", svg)
    ids = sorted(set(_ID.findall(svg)), key=len, reverse=True)
    for i in ids:
        new = f"{uid}-{i}"
        svg = svg.replace(f'id="{i}"', f'id="{new}"').replace(f'"#{i}"', f'"#{new}"')
        svg = svg.replace(f"url(#{i})", f"url(#{new})")
    return svg.strip()


def save_pdf(fig: Figure, path: Path) -> None:
    with matplotlib.rc_context(RC):
        fig.savefig(path, format="pdf", metadata=PDF_METADATA)


# ---------------------------------------------------------------- scalar cases


def _single_scalar(result: CaseResult) -> str | None:
    """The input name when the case is f(x) of one scalar x, else None."""
    inputs = result.inputs
    if len(inputs) == 1 and len(result.graph.wrt) == 1:
        (name,) = inputs
        if np.shape(inputs[name]) == ():
            return name
    return None


def _curve(f: Any, name: str, xs: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.array([float(np.asarray(f(**{name: np.array(x)})).reshape(()))
                         for x in xs])


def case_plot(result: CaseResult) -> Plot | None:
    """f and its tangent at the point (the slope check); f' by the rules with FD dots."""
    name = _single_scalar(result)
    if name is None:
        return None
    case, code = result.case, result.code
    x0 = float(result.inputs[name])
    span = max(3.0, abs(x0))
    xs = np.linspace(x0 - span, x0 + span, CURVE_POINTS)
    f0, g0 = float(result.forward["matrix"]), float(result.gradients[name].matrix)
    ys = _curve(case.forward, name, xs)
    dys = _curve(lambda **a: code.backward(**a)[name], name, xs)
    xd = np.linspace(x0 - span, x0 + span, FD_POINTS)
    fd = np.array([float(central_gradient(case.forward, {name: np.array(x)}, name))
                   for x in xd])
    fig = new_figure(6.4, 2.5)
    left, right = fig.subplots(1, 2)
    left.plot(xs, ys, color=CURVE, lw=1.6, label="f(x)")
    t = np.linspace(x0 - span / 3, x0 + span / 3, 2)
    left.plot(t, f0 + g0 * (t - x0), color=POINTS, lw=1.2, ls="--",
              label=f"tangent, slope {g0:.4g}")
    left.plot([x0], [f0], "o", color=MARK, ms=4)
    left.set_title(_plain(case.title), loc="left")
    left.set_xlabel(name)
    left.legend(loc="best")
    right.plot(xs, dys, color=CURVE, lw=1.6, label="derivative by the rules")
    right.plot(xd, fd, "o", mfc="none", color=POINTS, ms=4, label="finite differences")
    right.plot([x0], [g0], "o", color=MARK, ms=4, label=f"at {name} = {x0:g}")
    right.set_title("its derivative", loc="left")
    right.set_xlabel(name)
    right.legend(loc="best")
    caption = (f"{case.title}: the function with its tangent at {name} = {x0:g}, whose slope is "
               f"the derivative the rules give ({g0:.6g}); right, that derivative over a range, "
               "with central finite differences as dots.")
    return Plot(f"plot-{_slug(case.name)}", caption, "case", case=case.name, figure=fig)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- method


def fd_error_plot(results: Sequence[CaseResult]) -> Plot | None:
    """|central difference - exact| against the step: truncation falls, round-off rises."""
    preferred = {"sigmoid": 0, "chain-2": 1}
    scalar = [r for r in results if _single_scalar(r)]
    chosen = sorted((r for r in scalar if r.case.name in preferred),
                    key=lambda r: preferred[r.case.name]) or scalar[:2]
    if not chosen:
        return None
    fig = new_figure(6.4, 3.2)
    ax = fig.subplots()
    eps = float(np.finfo(np.float64).eps)
    for r, color in zip(chosen, (CURVE, POINTS), strict=False):
        name = _single_scalar(r) or ""
        x0 = float(r.inputs[name])
        exact = float(r.gradients[name].exact)
        hs, errs = error_vs_step(lambda x, f=r.case.forward, n=name: f(**{n: np.array(x)}),
                                 x0, exact)
        errs = np.where(errs > 0, errs, np.nan)
        ax.loglog(hs, errs, "o-", color=color, ms=3, lw=1, label=f"{r.case.name} at {x0:g}")
    hs = np.logspace(-14, -1, 50)
    ax.loglog(hs, hs**2 / 6, ":", color="#777", lw=1, label="truncation ~ h²")
    ax.loglog(hs, eps / hs, "--", color="#777", lw=1, label="round-off ~ ε/h")
    ax.axvline(FD_REL_STEP, color=MARK, lw=1)
    ax.text(FD_REL_STEP, 1e-1, f" our step ∛ε ≈ {FD_REL_STEP:.1e}", fontsize=8, va="top")
    ax.axvline(DOC_DELTA, color=POINTS, lw=1, ls="-.")
    ax.text(DOC_DELTA, 3e-12, f" documents' δ = {DOC_DELTA:g}", fontsize=8, color=POINTS)
    ax.set_ylim(1e-13, 1)
    ax.set_xlabel("step h")
    ax.set_ylabel("|finite difference − exact|")
    ax.legend(loc="lower left", ncols=2)
    caption = ("Error of the central difference (f(x+h) − f(x−h)) / 2h against the step h. "
               "Right of the minimum the truncation error falls as h²; left of it round-off "
               "grows as ε/h. The documents' δ = 0.001 sits in the truncation regime, which is "
               "why their printed derivatives agree with the exact ones to about 6 digits only; "
               "our step ∛ε sits near the minimum.")
    return Plot("fd-error", caption, "method", figure=fig)


def _wrong_printed(r: CaseResult) -> dict[str, np.ndarray] | None:
    """The as-printed gradients (exact where a shape differs), if one is wrong; else None."""
    grads, wrong = {}, False
    for w, g in r.gradients.items():
        p = g.as_printed
        if p is not None and not isinstance(p, str) and np.shape(p) == np.shape(g.exact):
            grads[w] = np.asarray(p, dtype=np.float64)
            wrong = wrong or (g.vs_printed is not None and not g.vs_printed.ok)
        else:
            grads[w] = np.asarray(g.exact)
    return grads if wrong else None


def taylor_plot(results: Sequence[CaseResult]) -> Plot | None:
    """Remainder of the first-order Taylor model: slope 2 for the right gradient, 1 if wrong."""
    for r in results:
        wrong = _wrong_printed(r)
        if wrong is None or not r.inputs or any(np.ndim(v) == 0 for v in r.inputs.values()):
            continue
        exact = {w: np.asarray(g.exact) for w, g in r.gradients.items()}
        s_ok, hs, r_ok = taylor_remainder_slope(r.case.forward, r.inputs, exact)
        s_bad, _, r_bad = taylor_remainder_slope(r.case.forward, r.inputs, wrong)
        fig = new_figure(5.2, 3.2)
        ax = fig.subplots()
        ax.loglog(hs, np.where(r_ok > 0, r_ok, np.nan), "o-", color=CURVE, ms=3,
                  label=f"exact gradient: slope {s_ok:.2f}")
        ax.loglog(hs, np.where(r_bad > 0, r_bad, np.nan), "s-", color=POINTS, ms=3,
                  label=f"documents' code as printed: slope {s_bad:.2f}")
        ax.set_xlabel("step h along a random unit direction v")
        ax.set_ylabel("|f(x + hv) − f(x) − h g·v|")
        ax.legend(loc="upper left")
        caption = (f"Taylor-remainder test on the {r.case.name} case: with the right gradient g "
                   "the remainder of the first-order model falls as h² (slope 2 on log-log "
                   "axes); with a wrong one it falls only as h (slope 1).")
        return Plot("taylor", caption, "method", figure=fig)
    return None


# ---------------------------------------------------------------- claims


def claim_heatmap(index: int, c: Any) -> Plot | None:
    """Per-entry error (claimed − correct) of a wrong claim about a matrix."""
    if c.verdict != "wrong" or c.truth is None or c.claimed is None:
        return None
    truth, claimed = np.asarray(c.truth, float), np.asarray(c.claimed, float)
    if truth.shape != claimed.shape or truth.size < 2:
        return None
    err = claimed - truth
    grid = err.reshape(err.shape[0], -1) if err.ndim > 1 else err.reshape(1, -1)
    m = float(np.nanmax(np.abs(grid))) or 1.0
    rows, cols = grid.shape
    fig = new_figure(min(2.6 + 0.6 * cols, 6.4), min(1.3 + 0.42 * rows, 4.5))
    ax = fig.subplots()
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-m, vmax=m, aspect="auto")
    if grid.size <= HEATMAP_ANNOTATE_MAX:
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * m else "black")
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    fig.colorbar(im, ax=ax, shrink=0.9)
    ax.set_title("claimed − correct", loc="left")
    caption = (f"Finding {index}: the error of each entry, claimed minus correct "
               f"({c.diagnosis or c.verdict}); white cells are right.")
    return Plot(f"claim-{index}", caption, "claim", claim=index, figure=fig)


def make_plots(results: Sequence[CaseResult], claims: Sequence[Any]) -> list[Plot]:
    """Every figure of the report (diagrams excluded), in a stable order."""
    plots = [p for p in (case_plot(r) for r in results) if p]
    plots += [p for p in (fd_error_plot(results), taylor_plot(results)) if p]
    plots += [p for p in (claim_heatmap(i, c) for i, c in enumerate(claims, start=1)) if p]
    return plots
