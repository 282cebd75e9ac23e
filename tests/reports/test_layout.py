"""Layout: the PDF has no line running into the margin, and the page clips nothing.

The PDF: pdflatex's log lists every overfull line with its excess; none may exceed 10 pt.
The page: headless Chromium loads it with a script that compares each figure's, code box's
and formula's scrollWidth with its clientWidth and writes what overflows into the DOM, which
--dump-dom prints.
"""

from __future__ import annotations

import html as H
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from derive.reports.text import glyphs, wrap_tex

OVERFULL_MAX_PT = 10.0  # the bound: a few points into the margin is invisible

HAVE_PDFLATEX = shutil.which("pdflatex") is not None
HAVE_CHROMIUM = shutil.which("chromium") is not None


def overfull(log: str) -> list[tuple[float, str]]:
    """(points too wide, the line of the log that names it) for every overfull \\hbox."""
    return [(float(m.group(1)), m.group(0))
            for m in re.finditer(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\).*", log)]


def test_overfull_lines_are_read_from_a_log() -> None:
    log = ("Overfull \\hbox (71.47914pt too wide) in paragraph at lines 428--429\n"
           "Underfull \\hbox (badness 10000) in paragraph\n"
           "Overfull \\hbox (1.5pt too wide) detected at line 3\n")
    assert [pt for pt, _ in overfull(log)] == [71.47914, 1.5]


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex is not installed")
def test_the_pdf_has_no_line_wider_than_10pt(report_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(report_dir, tmp_path / "r")
    tex = tmp_path / "r" / "derivations.tex"
    subprocess.run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", tex.name],
                   cwd=tex.parent, capture_output=True, timeout=300, check=False,
                   stdin=subprocess.DEVNULL)
    log = tex.with_suffix(".log").read_text(errors="replace")
    assert "Output written on derivations.pdf" in log
    wide = [line for pt, line in overfull(log) if pt > OVERFULL_MAX_PT]
    assert not wide, "\n".join(wide)


_PROBE = """<script>
window.addEventListener('load', () => {
  const found = [];
  for (const el of document.querySelectorAll('%s')) {
    if (el.scrollWidth > el.clientWidth + 1) {
      const at = (el.closest('[id]') || {}).id || '';
      found.push(`${el.tagName.toLowerCase()}.${el.className} in #${at}: ` +
                 `${el.scrollWidth} > ${el.clientWidth}`);
    }
  }
  const out = document.createElement('pre');
  out.id = 'derive-overflow';
  out.textContent = JSON.stringify({checked: document.querySelectorAll('%s').length, found});
  document.body.appendChild(out);
});
</script>"""
BOXES = "figure, figure .scroll, pre, .eq"


def overflowing(page: Path, tmp_path: Path, width: int) -> dict[str, object]:
    """Chromium's findings for the page at a window ``width`` pixels wide."""
    probe = tmp_path / f"probe-{width}.html"
    text = page.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", _PROBE % (BOXES, BOXES) + "</body>"),
                     encoding="utf-8")
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},2000",
           "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True).stdout
    m = re.search(r'<pre id="derive-overflow">(.*?)</pre>', dom, re.S)
    assert m, "the probe did not run"
    return json.loads(H.unescape(m.group(1)))


@pytest.mark.skipif(not HAVE_CHROMIUM, reason="chromium is not installed")
def test_the_probe_sees_a_box_too_wide(tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text('<html><body><div style="width:300px"><pre style="overflow:auto">'
                    + "x" * 400 + "</pre></div></body></html>")
    found = overflowing(page, tmp_path, 800)
    assert found["checked"] == 1 and len(found["found"]) == 1


@pytest.mark.skipif(not HAVE_CHROMIUM, reason="chromium is not installed")
@pytest.mark.parametrize("width", [800, 1200])  # a laptop's half screen, and a full one
def test_nothing_in_the_page_is_clipped(report_dir: Path, tmp_path: Path, width: int) -> None:
    found = overflowing(report_dir / "index.html", tmp_path, width)
    assert found["checked"] > 100  # every figure, code box and formula was measured
    assert not found["found"], "\n".join(found["found"])


def test_a_long_formula_breaks_before_its_signs() -> None:
    tex = r"\frac{\partial L}{\partial W} = " + " + ".join(rf"\left(a_{{{i}}} - b\right)"
                                                           for i in range(30))
    wrapped = wrap_tex(tex, 40)
    assert wrapped.startswith(r"\begin{array}{l}")
    lines = wrapped.removeprefix(r"\begin{array}{l} ").removesuffix(r" \end{array}")
    assert all(glyphs(line) <= 40 + len(r"\qquad") for line in lines.split(r" \\ "))
    assert wrap_tex(r"\left(a + b\right)", 3) == r"\left(a + b\right)"  # nowhere to break
