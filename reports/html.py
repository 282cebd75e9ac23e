"""The HTML environment: autoescaped Jinja, math converted from the one LaTeX source.

Templates call ``| inline`` and ``| display`` on LaTeX strings and ``| mixed`` on text
segments; everything else they print is escaped. SVG figures are our own output and are
marked safe where they are placed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from derive.reports.mathml import to_mathml
from derive.reports.scoped import scoped_style
from derive.reports.text import widest_line, wrap_tex
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape


def _templates_dir() -> Path:
    """Installed wheels carry the templates as reports/templates; a source checkout keeps them
    at the top level beside reports/ (pyproject maps one onto the other)."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent / "templates"


TEMPLATES = _templates_dir()


def inline(tex: str) -> Markup:
    return Markup(to_mathml(tex))


# About how many glyphs of display math fit across the page's text column, and across one
# of two side-by-side columns; a longer formula breaks into lines (text.wrap_tex).
WIDE, NARROW = 80, 40
SMALLEST = 0.6  # a formula with nowhere to break is set smaller, down to this size


def display(tex: str, width: int = WIDE) -> Markup:
    """Display math, broken into lines when wider than ``width`` glyphs, and set smaller
    when a line still is (a nested form has no top-level sign to break at)."""
    wrapped = wrap_tex(tex, width)
    wide = widest_line(wrapped)
    style = f' style="font-size:{max(SMALLEST, width / wide):.2f}em"' if wide > width else ""
    return Markup(f'<div class="eq"{style}>{to_mathml(wrapped, display=True)}</div>')


def mixed(segments: Sequence[Mapping[str, str]]) -> Markup:
    """Text and math segments (see reports.context.mixed) as one line of HTML."""
    return Markup("").join(
        inline(s["value"]) if s["kind"] == "math" else escape(s["value"]) for s in segments)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(inline=inline, display=display, mixed=mixed)
    env.globals.update(NARROW=NARROW, WIDE=WIDE)
    return env


def render_html(context: Mapping[str, Any]) -> str:
    """The whole report page."""
    return environment().get_template("report.html.j2").render(**context)


@cache
def scoped_css(scope: str) -> Markup:
    """The report's stylesheet with every rule under ``scope`` (a result in a notebook)."""
    page = str(environment().get_template("_macros.html.j2").module.style())  # type: ignore[attr-defined]
    return scoped_style(page.split("<style>", 1)[1].rsplit("</style>", 1)[0], scope)


def render_fragment(case: Mapping[str, Any], figures: Mapping[str, Mapping[str, Any]]) -> str:
    """One case as an HTML fragment with its own styles (for Jupyter)."""
    macros = environment().get_template("_macros.html.j2").module
    return str(macros.fragment(case, figures, scoped_css(".derive-case")))  # type: ignore[attr-defined]
