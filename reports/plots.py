"""The report's figures: functions and their derivatives, chains with a slope check,
finite-difference error against step size, a Taylor-remainder test, and per-entry error
heatmaps for wrong claims.

Drawing only: every number comes from the check (``CaseResult.evidence``, derive/evidence.py,
and the claims' values). A figure is a ``Plot``: a module-level draw function and its plain
data, so figurerender.py can draw it in another process or take it from the disk cache.
Figures are ``matplotlib.figure.Figure`` objects (no pyplot state, never ``matplotlib.use``)
saved with fixed settings, so the same results give byte-identical SVG and PDF files.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from derive.numeric.fd import FD_REL_STEP
from derive.numeric.functions import DOC_DELTA
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from derive.check import CaseResult
from derive.evidence import Curve, StepErrors, Taylor

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
HEATMAP_ANNOTATE_MAX = 30  # write the number in each cell up to this many entries
HEATMAP_TICKS_MAX = 12  # label every row/column up to this many; beyond, a few integer ticks


@dataclass
class Plot:
    """One figure and where it belongs: a case, a claim (1-based index) or the method section.

    ``draw(*args)`` makes the matplotlib Figure (a module-level function and plain data, so it
    pickles); ``svg`` is set when the page gets a hand-written drawing instead (diagrams).
    """

    name: str  # unique; the PDF file stem
    caption: str
    group: str  # "case" | "claim" | "method" | "diagram"
    case: str | None = None
    claim: int | None = None
    draw: Callable[..., Figure] | None = None
    args: tuple[Any, ...] = ()
    svg: str | None = None

    def meta(self) -> dict[str, Any]:
        return {"caption": self.caption, "group": self.group, "case": self.case,
                "claim": self.claim}


def new_figure(width: float, height: float, layout: str | None = "constrained") -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), layout=layout)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade(value: float, _pos: int) -> str:
    """10⁻³ in plain text (superscript digits): matplotlib's own log labels are mathtext, and
    parsing them made one log-log figure cost 1.3 s of the report."""
    if value <= 0:
        return ""
    exp = float(np.log10(value))
    return f"10{str(round(exp)).translate(_SUPERSCRIPT)}" if abs(exp - round(exp)) < 1e-9 else ""


def log_axes(ax: Any) -> None:
    """Both axes of a log-log plot labelled 10ⁿ at each decade in plain text, minor ticks
    unlabelled."""
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10.0))
        axis.set_major_formatter(FuncFormatter(_decade))
        axis.set_minor_formatter(NullFormatter())


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


def draw_case(title: str, c: Curve) -> Figure:
    """f with its tangent at the point (the slope check); f' by the rules with FD dots."""
    span = (c.xs[-1] - c.xs[0]) / 2
    fig = new_figure(6.4, 2.5)
    left, right = fig.subplots(1, 2)
    left.plot(c.xs, c.ys, color=CURVE, lw=1.6, label="f(x)")
    t = np.linspace(c.x0 - span / 3, c.x0 + span / 3, 2)
    left.plot(t, c.f0 + c.g0 * (t - c.x0), color=POINTS, lw=1.2, ls="--",
              label=f"tangent, slope {c.g0:.4g}")
    left.plot([c.x0], [c.f0], "o", color=MARK, ms=4)
    left.set_title(_plain(title), loc="left")
    left.set_xlabel(c.name)
    left.legend(loc="best")
    right.plot(c.xs, c.dys, color=CURVE, lw=1.6, label="derivative by the rules")
    right.plot(c.xd, c.fd, "o", mfc="none", color=POINTS, ms=4, label="finite differences")
    right.plot([c.x0], [c.g0], "o", color=MARK, ms=4, label=f"at {c.name} = {c.x0:g}")
    right.set_title("its derivative", loc="left")
    right.set_xlabel(c.name)
    right.legend(loc="best")
    return fig


def case_plot(result: CaseResult) -> Plot | None:
    c = result.evidence.curve
    if c is None:
        return None
    case = result.case
    caption = (f"{case.title}: the function with its tangent at {c.name} = {c.x0:g}, whose "
               f"slope is the derivative the rules give ({c.g0:.6g}); right, that derivative "
               "over a range, with central finite differences as dots.")
    return Plot(f"plot-{_slug(case.name)}", caption, "case", case=case.name, draw=draw_case,
                args=(case.title, c))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- method


def draw_fd_error(series: Sequence[tuple[str, StepErrors]]) -> Figure:
    """|central difference - exact| against the step: truncation falls, round-off rises."""
    fig = new_figure(6.4, 3.2)
    ax = fig.subplots()
    eps = float(np.finfo(np.float64).eps)
    for (label, s), color in zip(series, (CURVE, POINTS), strict=False):
        errs = np.where(s.errors > 0, s.errors, np.nan)
        ax.loglog(s.hs, errs, "o-", color=color, ms=3, lw=1, label=label)
    hs = np.logspace(-14, -1, 50)
    ax.loglog(hs, hs**2 / 6, ":", color="#777", lw=1, label="truncation ~ h²")
    ax.loglog(hs, eps / hs, "--", color="#777", lw=1, label="round-off ~ ε/h")
    log_axes(ax)
    ax.axvline(FD_REL_STEP, color=MARK, lw=1)
    ax.text(FD_REL_STEP, 1e-1, f" our step ∛ε ≈ {FD_REL_STEP:.1e}", fontsize=8, va="top")
    ax.axvline(DOC_DELTA, color=POINTS, lw=1, ls="-.")
    ax.text(DOC_DELTA, 3e-12, f" documents' δ = {DOC_DELTA:g}", fontsize=8, color=POINTS)
    ax.set_ylim(1e-13, 1)
    ax.set_xlabel("step h")
    ax.set_ylabel("|finite difference − exact|")
    ax.legend(loc="lower left", ncols=2)
    return fig


def fd_error_plot(results: Sequence[CaseResult]) -> Plot | None:
    preferred = {"sigmoid": 0, "chain-2": 1}
    scalar = [r for r in results if r.evidence.step_errors is not None]
    chosen = sorted((r for r in scalar if r.case.name in preferred),
                    key=lambda r: preferred[r.case.name]) or scalar[:2]
    if not chosen:
        return None
    series = tuple((f"{r.case.name} at {r.evidence.step_errors.x0:g}", r.evidence.step_errors)
                   for r in chosen)
    caption = ("Error of the central difference (f(x+h) − f(x−h)) / 2h against the step h. "
               "Right of the minimum the truncation error falls as h²; left of it round-off "
               "grows as ε/h. The documents' δ = 0.001 sits in the truncation regime, which is "
               "why their printed derivatives agree with the exact ones to about 6 digits only; "
               "our step ∛ε sits near the minimum.")
    return Plot("fd-error", caption, "method", draw=draw_fd_error, args=(series,))


def draw_taylor(t: Taylor) -> Figure:
    """Remainder of the first-order Taylor model: slope 2 for the right gradient, 1 if wrong."""
    fig = new_figure(5.2, 3.2)
    ax = fig.subplots()
    ax.loglog(t.hs, np.where(t.exact > 0, t.exact, np.nan), "o-", color=CURVE, ms=3,
              label=f"exact gradient: slope {t.exact_slope:.2f}")
    ax.loglog(t.hs, np.where(t.printed > 0, t.printed, np.nan), "s-", color=POINTS, ms=3,
              label=f"documents' code as printed: slope {t.printed_slope:.2f}")
    log_axes(ax)
    ax.set_xlabel("step h along a random unit direction v")
    ax.set_ylabel("|f(x + hv) − f(x) − h g·v|")
    ax.legend(loc="upper left")
    return fig


def taylor_plot(results: Sequence[CaseResult]) -> Plot | None:
    for r in results:
        t = r.evidence.taylor
        if t is None:
            continue
        caption = (f"Taylor-remainder test on the {r.case.name} case: with the right gradient g "
                   "the remainder of the first-order model falls as h² (slope 2 on log-log "
                   "axes); with a wrong one it falls only as h (slope 1).")
        return Plot("taylor", caption, "method", draw=draw_taylor, args=(t,))
    return None


# ---------------------------------------------------------------- claims


def draw_heatmap(grid: np.ndarray) -> Figure:
    """Per-entry error (claimed − correct), one cell per entry, white where right."""
    m = float(np.nanmax(np.abs(grid))) or 1.0
    rows, cols = grid.shape
    fig = new_figure(min(2.6 + 0.6 * cols, 6.4), min(1.3 + 0.42 * rows, 4.5))
    ax = fig.subplots()
    im = ax.imshow(grid, cmap="RdBu_r", vmin=-m, vmax=m, aspect="auto")
    if grid.size <= HEATMAP_ANNOTATE_MAX:
        for (i, j), v in np.ndenumerate(grid):
            ax.text(j, i, f"{v:.2g}", ha="center", va="center", fontsize=8,
                    color="white" if abs(v) > 0.6 * m else "black")
    for axis, count in ((ax.xaxis, cols), (ax.yaxis, rows)):
        if count <= HEATMAP_TICKS_MAX:
            axis.set_ticks(range(count))
        else:  # 400 labels would overlap (and take seconds to lay out)
            axis.set_major_locator(MaxNLocator(nbins=HEATMAP_TICKS_MAX, integer=True))
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    fig.colorbar(im, ax=ax, shrink=0.9)
    ax.set_title("claimed − correct", loc="left")
    return fig


def claim_heatmap(index: int, c: Any) -> Plot | None:
    """The error of each entry of a wrong claim about a matrix (values the claim check kept)."""
    if c.verdict != "wrong" or c.truth is None or c.claimed is None:
        return None
    truth, claimed = np.asarray(c.truth, float), np.asarray(c.claimed, float)
    if truth.shape != claimed.shape or truth.size < 2:
        return None
    err = claimed - truth
    grid = err.reshape(err.shape[0], -1) if err.ndim > 1 else err.reshape(1, -1)
    caption = (f"Finding {index}: the error of each entry, claimed minus correct "
               f"({c.diagnosis or c.verdict}); white cells are right.")
    return Plot(f"claim-{index}", caption, "claim", claim=index, draw=draw_heatmap, args=(grid,))


def make_plots(results: Sequence[CaseResult], claims: Sequence[Any]) -> list[Plot]:
    """Every figure of the report (diagrams excluded), in a stable order."""
    plots = [p for p in (case_plot(r) for r in results) if p]
    plots += [p for p in (fd_error_plot(results), taylor_plot(results)) if p]
    plots += [p for p in (claim_heatmap(i, c) for i, c in enumerate(claims, start=1)) if p]
    return plots
