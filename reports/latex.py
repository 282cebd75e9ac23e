r"""The LaTeX environment: Jinja with LaTeX-safe delimiters, and pdflatex.

Delimiters are ``\VAR{...}``, ``\BLOCK{...}`` and ``\#{...}`` so braces and ``%`` in the
template stay LaTeX's. Every plain string goes through ``latex_escape`` (or ``code`` for
source listings); formulas go in verbatim, the same strings the HTML converts to MathML.
The document needs only amsmath, amssymb, geometry, graphicx, booktabs and hyperref, and
only the default OT1 fonts, so pdflatex never has to generate a bitmap font.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from derive.reports.html import TEMPLATES
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from derive.errors import OutputError

PDFLATEX_MISSING = ("pdflatex not found: install TeX Live (e.g. apt-get install "
                    "texlive-latex-recommended) or drop 'pdf' from --format")
PDFLATEX_TIMEOUT_S = 180  # two passes over ~40 pages take ~5 s; a hang must not block forever
PDFLATEX_PASSES = 2  # the second pass fills in the table of contents
SOURCE_DATE_EPOCH = "0"  # with FORCE_SOURCE_DATE: no build date in the PDF, so it is reproducible

_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\^{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}", '"': "''", "[": "{[}", "]": "{]}",
}
_CODE = {  # cmtt has every ASCII glyph at its own code: print the glyph, not a text symbol
    "\\": r"{\char92}", "{": r"{\char123}", "}": r"{\char125}", "$": r"{\char36}",
    "&": r"{\char38}", "#": r"{\char35}", "^": r"{\char94}", "_": r"{\char95}",
    "%": r"{\char37}", "~": r"{\char126}",
}
# Non-ASCII characters in our own messages and the documents' text, in OT1-safe LaTeX.
_UNICODE = {
    "§": r"$\S$", "×": r"$\times$", "→": r"$\to$", "←": r"$\leftarrow$", "⊙": r"$\odot$",
    "−": "$-$", "≈": r"$\approx$", "≤": r"$\le$", "≥": r"$\ge$", "‖": r"$\|$", "·": r"$\cdot$",
    "…": r"\ldots{}", "²": "$^2$", "³": "$^3$", "∛": r"$\sqrt[3]{\,}$", "ε": r"$\varepsilon$",
    "✓": r"$\checkmark$", "✗": r"$\times$", "—": "---", "–": "--", "’": "'", "‘": "`",
    "“": "``", "”": "''", "∂": r"$\partial$", "∘": r"$\circ$", "≠": r"$\ne$", "±": r"$\pm$",
    "√": r"$\surd$", "∞": r"$\infty$", "σ": r"$\sigma$", "ν": r"$\nu$", "α": r"$\alpha$",
    "μ": r"$\mu$", "Λ": r"$\Lambda$", "δ": r"$\delta$", "γ": r"$\gamma$", "λ": r"$\lambda$",
    "θ": r"$\theta$", "Δ": r"$\Delta$", "\u00a0": "~",
}


def _char(c: str, table: Mapping[str, str]) -> str:
    if c in table:
        return table[c]
    if c in _UNICODE:
        return _UNICODE[c]
    if ord(c) < 128 or c.isalpha() and ord(c) < 256:
        return c  # ASCII, and Latin-1 letters, which inputenc composes from OT1 accents
    return "?"


def latex_escape(text: Any) -> str:
    """Plain text -> LaTeX that prints it, special characters and all."""
    return "".join(_char(c, _TEXT) for c in str(text))


def code(text: str) -> str:
    r"""Source code -> lines of typewriter text (a verbatim block could be ended by the text)."""
    lines = []
    for line in str(text).rstrip("\n").split("\n"):
        body = line.lstrip(" ")
        indent = "~" * (len(line) - len(body))
        chars = "".join(r"\ " if c == " " else _char(c, _CODE) for c in body)
        lines.append(indent + chars if line.strip() else r"\mbox{}")
    return "\\begin{codeblock}\n" + "\\\\\n".join(lines) + "\n\\end{codeblock}"


def mixed_tex(segments: Sequence[Mapping[str, str]]) -> str:
    """Text and math segments (see reports.context.mixed) as one line of LaTeX."""
    return "".join(f"${s['value']}$" if s["kind"] == "math" else latex_escape(s["value"])
                   for s in segments)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_comment_prefix="%#",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(latex_escape=latex_escape, e=latex_escape, code=code, mixed=mixed_tex)
    return env


def render_tex(context: Mapping[str, Any]) -> str:
    return environment().get_template("report.tex.j2").render(**context)


def compile_pdf(tex: Path) -> Path:
    """pdflatex twice in the .tex's folder; the PDF, or an OutputError with TeX's own error."""
    exe = shutil.which("pdflatex")
    if exe is None:
        raise OutputError(PDFLATEX_MISSING)
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, FORCE_SOURCE_DATE="1")
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name]
    for _ in range(PDFLATEX_PASSES):
        try:
            done = subprocess.run(cmd, cwd=tex.parent, env=env, capture_output=True, check=False,
                                  timeout=PDFLATEX_TIMEOUT_S, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise OutputError(f"pdflatex did not finish within {PDFLATEX_TIMEOUT_S} s") from None
        if done.returncode != 0:
            raise OutputError(f"pdflatex failed on {tex.name}: {_tex_error(tex)}")
    for ext in (".aux", ".log", ".out", ".toc"):
        tex.with_suffix(ext).unlink(missing_ok=True)
    return tex.with_suffix(".pdf")


def _tex_error(tex: Path) -> str:
    """TeX's first error line and the line it points at, from the log."""
    log = tex.with_suffix(".log")
    text = log.read_text(errors="replace") if log.exists() else ""
    m = re.search(r"^! (.*)$\n(?:.*\n){0,3}?^l\.(\d+) (.*)$", text, re.MULTILINE)
    if m:
        return f"{m.group(1)} (line {m.group(2)}: {m.group(3).strip()})"
    first = re.search(r"^! .*$", text, re.MULTILINE)
    return first.group(0) if first else "see the log (no error line found)"
