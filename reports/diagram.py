"""A case's computational graph as a circuit diagram: boxes for steps, arrows for data.

Each edge carries the forward value (black, above) and the gradient flowing back along it
(red, below), the way backpropagation is taught with circuit diagrams. The layout is
layered, left to right, which is enough for the documents' graphs (chains with side
inputs): a step sits one column right of its latest argument, an input one column left
of its first use, and the longest chain runs along the middle row. One layout feeds two
renderers: hand-written SVG for the page, matplotlib for the PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np
from derive.reports.text import fmt, norm_value, shape_text, slug, summary_value, tex_text

from derive.check import CaseResult

COL_W = 190  # px between columns: room for an edge label of ~16 characters
ROW_H = 92
BOX_W, BOX_H = 78, 46
OVAL_W, OVAL_H = 62, 34
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 24, 24, 30
OUT_W = 64  # the output's stub arrow, long enough for its value

FORWARD_COLOR, GRADIENT_COLOR = "#1a1a1a", "#b3261e"


@dataclass(frozen=True)
class Node:
    name: str
    kind: str  # "input" | "step"
    letter: str  # the step's function (ν, σ, α, Λ), "" for inputs
    x: float  # centre
    y: float
    shape: str
    wrt: bool


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    forward: str
    gradient: str


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    width: float
    height: float
    output: str
    output_value: str

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)


def letter_text(letter: str) -> str:
    """LaTeX of a step's function letter -> plain Unicode for a label."""
    return tex_text(letter)


def _columns(result: CaseResult) -> dict[str, int]:
    steps = result.graph.steps
    col: dict[str, int] = {}
    for s in steps:
        col[s.name] = 1 + max((col[a] for a in s.args if a in col), default=0)
    for name in result.graph.inputs:
        users = [col[s.name] for s in steps if name in s.args]
        col[name] = min(users) - 1 if users else 0
    low = min(col.values(), default=0)
    return {k: v - low for k, v in col.items()}


def _main_path(result: CaseResult, col: dict[str, int]) -> list[str]:
    """From the output back along the latest argument: the row the eye follows."""
    by_name = {s.name: s for s in result.graph.steps}
    path = [result.graph.steps[-1].name]
    while path[-1] in by_name:
        args = by_name[path[-1]].args
        if not args:
            break
        path.append(max(args, key=lambda a: (a in by_name, col[a], -args.index(a))))
    return path


def _rows(result: CaseResult, col: dict[str, int]) -> dict[str, int]:
    """Main path on row 0; others above and below, never where an earlier wire runs."""
    main = set(_main_path(result, col))
    order = [s.name for s in result.graph.steps]
    order += [n for n in result.graph.inputs if n not in order]
    users = {n: [s.name for s in result.graph.steps if n in s.args] for n in order}
    row: dict[str, int] = {n: 0 for n in main}
    taken: dict[int, set[int]] = {}
    for n in main:
        taken.setdefault(col[n], set()).add(0)
    for name in sorted(order, key=lambda n: (col[n], order.index(n))):
        if name not in row:
            free = taken.setdefault(col[name], set())
            row[name] = next(r for r in _SIDE_ROWS if r not in free)
            free.add(row[name])
        for user in users[name]:
            r, target = row[name], row.get(user, 0)
            if r == target:
                continue
            for c in range(col[name] + 1, col[user] + 1):  # the horizontal run
                taken.setdefault(c, set()).add(r)
            lo, hi = sorted((r, target))
            taken.setdefault(col[user], set()).update(range(lo + 1, hi))  # the drop
    return row


_SIDE_ROWS = tuple(r for k in range(1, 12) for r in (-k, k))


def layout(result: CaseResult) -> Diagram:
    """Positions, labels and the values on every edge, at the case's point."""
    graph = result.graph
    col = _columns(result)
    row = _rows(result, col)
    top, bottom = min(row.values()), max(row.values())
    values: dict[str, Any] = {**result.inputs, **result.steps}
    grads = result.evidence.adjoints
    nodes = []
    for name in list(graph.inputs) + [s.name for s in graph.steps]:
        step = next((s for s in graph.steps if s.name == name), None)
        nodes.append(Node(
            name, "step" if step else "input", letter_text(step.letter) if step else "",
            MARGIN_X + BOX_W / 2 + col[name] * COL_W,
            MARGIN_TOP + BOX_H / 2 + (row[name] - top) * ROW_H,
            shape_text(np.shape(values[name])) if name in values else "",
            name in graph.wrt,
        ))
    edges = tuple(
        Edge(a, s.name, summary_value(values[a]) if a in values else "",
             "← " + norm_value(grads[a]) if a in grads else "")
        for s in graph.steps for a in s.args
    )
    out = graph.steps[-1].name
    out_value = result.forward["matrix"]
    width = 2 * MARGIN_X + BOX_W + max(col.values()) * COL_W + OUT_W + 8
    height = MARGIN_TOP + MARGIN_BOTTOM + BOX_H + (bottom - top) * ROW_H
    return Diagram(tuple(nodes), edges, width, height, out, fmt(out_value, 6))


# ---------------------------------------------------------------- SVG


def route(d: Diagram, e: Edge) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """The edge's polyline and where its labels go.

    Same row: a straight arrow. A side input: right along its own row, then down (or up)
    into the consumer's box, like a wire in a circuit; labels sit on the horizontal run.
    """
    a, b = d.node(e.src), d.node(e.dst)
    x1 = a.x + (OVAL_W if a.kind == "input" else BOX_W) / 2
    if a.y == b.y:
        x2 = b.x - BOX_W / 2
        return [(x1, a.y), (x2, b.y)], ((x1 + x2) / 2, a.y)
    y2 = b.y - BOX_H / 2 if a.y < b.y else b.y + BOX_H / 2
    return [(x1, a.y), (b.x, a.y), (b.x, y2)], ((x1 + b.x) / 2, a.y)


def _svg_node(n: Node, out: str, out_value: str, uid: str) -> list[str]:
    name = escape(n.name)
    if n.kind == "input":
        stroke = 'stroke-width="2.2"' if n.wrt else 'stroke-width="1.2" stroke-dasharray="3 2"'
        return [
            (f'<ellipse cx="{n.x:.1f}" cy="{n.y:.1f}" rx="{OVAL_W / 2}" ry="{OVAL_H / 2}" '
             f'fill="#eef3fb" stroke="#2f5597" {stroke}/>'),
            f'<text x="{n.x:.1f}" y="{n.y + 5:.1f}" class="nm">{name}</text>',
            (f'<text x="{n.x:.1f}" y="{n.y + OVAL_H / 2 + 13:.1f}" class="sh">'
             f"{escape(n.shape)}</text>"),
        ]
    parts = [
        (f'<rect x="{n.x - BOX_W / 2:.1f}" y="{n.y - BOX_H / 2:.1f}" width="{BOX_W}" '
         f'height="{BOX_H}" rx="6" fill="#fff8e6" stroke="#8a6d1d" stroke-width="1.5"/>'),
        f'<text x="{n.x:.1f}" y="{n.y - 4:.1f}" class="fn">{escape(n.letter)}</text>',
        f'<text x="{n.x:.1f}" y="{n.y + 15:.1f}" class="nm">{name}</text>',
        (f'<text x="{n.x - BOX_W / 2 + 2:.1f}" y="{n.y + BOX_H / 2 + 13:.1f}" class="sh" '
         f'style="text-anchor:start">{escape(n.shape)}</text>'),
    ]
    if n.name == out:
        x0 = n.x + BOX_W / 2
        parts += [
            (f'<line x1="{x0:.1f}" y1="{n.y:.1f}" x2="{x0 + OUT_W:.1f}" y2="{n.y:.1f}" '
             f'class="e" marker-end="url(#arrow-{uid})"/>'),
            (f'<text x="{x0 + 4:.1f}" y="{n.y - 8:.1f}" class="fw" style="text-anchor:start">'
             f'{escape(out_value)}</text>'),
            (f'<text x="{x0 + 4:.1f}" y="{n.y + 16:.1f}" class="bw" style="text-anchor:start">'
             "← 1</text>"),
        ]
    return parts


def _svg_edge(d: Diagram, e: Edge, uid: str) -> list[str]:
    points, (mx, my) = route(d, e)
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
    return [
        f'<path d="{path}" class="e" marker-end="url(#arrow-{uid})"/>',
        f'<text x="{mx:.1f}" y="{my - 6:.1f}" class="fw">{escape(e.forward)}</text>',
        f'<text x="{mx:.1f}" y="{my + 14:.1f}" class="bw">{escape(e.gradient)}</text>',
    ]


def to_svg(d: Diagram, title: str = "", uid: str = "g") -> str:
    """The diagram as a standalone inline <svg> (no external references; ids prefixed by uid)."""
    style = (
        "text{font-family:system-ui,'DejaVu Sans',sans-serif;text-anchor:middle}"
        ".nm{font-size:13px;font-weight:600}.fn{font-size:17px;font-style:italic}"
        ".sh{font-size:10px;fill:#666}"
        f".fw{{font-size:11px;fill:{FORWARD_COLOR};paint-order:stroke;stroke:#fff;stroke-width:3px}}"
        f".bw{{font-size:11px;fill:{GRADIENT_COLOR};paint-order:stroke;stroke:#fff;"
        "stroke-width:3px}"
        ".e{stroke:#444;stroke-width:1.3;fill:none}"
    )
    # an inline <svg>'s <style> applies to the whole page: every rule stays inside diagrams
    style = re.sub(r"(^|\})([^{}]+)\{", r"\1svg.diagram \2{", style)
    head = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {d.width:.0f} {d.height:.0f}" '
         f'width="{d.width:.0f}" height="{d.height:.0f}" role="img" class="diagram">'),
        f"<title>{escape(title)}</title>" if title else "",
        f"<style>{style}</style>",
        (f'<defs><marker id="arrow-{uid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
         'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
         'fill="#444"/></marker></defs>'),
    ]
    body: list[str] = []
    for e in d.edges:
        body += _svg_edge(d, e, uid)
    for n in d.nodes:
        body += _svg_node(n, d.output, d.output_value, uid)
    return "\n".join(p for p in head + body if p) + "\n</svg>"


def case_svg(result: CaseResult) -> str:
    name = result.case.name
    return to_svg(layout(result), f"computational graph of {name}", slug(name))


# ---------------------------------------------------------------- matplotlib (for the PDF)


def to_figure(d: Diagram) -> Any:
    """The same drawing with matplotlib, for the LaTeX document: same coordinates, same sizes.

    Text sizes follow the SVG's pixel sizes, so when LaTeX shrinks a wide diagram to the
    page, labels shrink with the boxes and never run into them.
    """
    from derive.reports.plots import new_figure
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    scale = 1 / 110  # inches per SVG pixel: 11 px labels print at 7.2 pt when not shrunk
    fig = new_figure(d.width * scale, d.height * scale, layout=None)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, d.width)
    ax.set_ylim(d.height, 0)
    ax.axis("off")

    def text(x: float, y: float, s: str, px: float, **kw: Any) -> None:
        kw.setdefault("ha", "center")
        ax.text(x, y, s, fontsize=px * scale * 72, va="baseline", **kw)

    arrow = {"arrowstyle": "-|>", "mutation_scale": 7, "color": "#444", "lw": 0.8,
             "shrinkA": 0, "shrinkB": 0}
    for e in d.edges:
        points, (mx, my) = route(d, e)
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color="#444", lw=0.8)
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], **arrow))
        text(mx, my - 6, e.forward, 11, color=FORWARD_COLOR)
        text(mx, my + 14, e.gradient, 11, color=GRADIENT_COLOR)
    for n in d.nodes:
        if n.kind == "input":
            ax.add_patch(Ellipse((n.x, n.y), OVAL_W, OVAL_H, fc="#eef3fb", ec="#2f5597",
                                 lw=1.4 if n.wrt else 0.7, ls="-" if n.wrt else "--"))
            text(n.x, n.y + 5, n.name, 13, weight="bold")
            text(n.x, n.y + OVAL_H / 2 + 13, n.shape, 10, color="#666")
            continue
        ax.add_patch(FancyBboxPatch((n.x - BOX_W / 2, n.y - BOX_H / 2), BOX_W, BOX_H,
                                    boxstyle="round,pad=0,rounding_size=6", fc="#fff8e6",
                                    ec="#8a6d1d", lw=1.0))
        text(n.x, n.y - 4, n.letter, 17, style="italic")
        text(n.x, n.y + 15, n.name, 13, weight="bold")
        text(n.x - BOX_W / 2 + 2, n.y + BOX_H / 2 + 13, n.shape, 10, color="#666", ha="left")
        if n.name == d.output:
            x0 = n.x + BOX_W / 2
            ax.add_patch(FancyArrowPatch((x0, n.y), (x0 + OUT_W, n.y), **arrow))
            text(x0 + 4, n.y - 8, d.output_value, 11, color=FORWARD_COLOR, ha="left")
            text(x0 + 4, n.y + 16, "← 1", 11, color=GRADIENT_COLOR, ha="left")
    return fig
