"""The HTML page: parses, holds MathML for every formula, fetches nothing, renders in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from derive.reports.mathml import BOLD_ONE, MathMLError, to_mathml

NAMESPACES = {"http://www.w3.org/1998/Math/MathML", "http://www.w3.org/2000/svg",
              "http://www.w3.org/1999/xlink"}
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "source", "wbr"}


class TagChecker(HTMLParser):
    """Every non-void element closed in order (MathML and SVG use explicit or self-closing tags)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def test_the_page_parses_with_balanced_tags(html: str) -> None:
    checker = TagChecker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert {"math", "svg", "table", "nav", "pre"} <= checker.tags


def test_every_math_fragment_is_wellformed_mathml(html: str) -> None:
    fragments = re.findall(r"<math\b.*?</math>", html, re.DOTALL)
    assert len(fragments) > 300
    for frag in fragments:
        root = ET.fromstring(frag)
        assert root.tag == "{http://www.w3.org/1998/Math/MathML}math"
        text = "".join(root.itertext())
        assert "\\" not in text, f"unconverted LaTeX in {frag[:200]}"


def test_the_page_fetches_nothing(html: str) -> None:
    assert set(re.findall(r"https?://[^\s\"'<>)]+", html)) <= NAMESPACES
    assert set(re.findall(r"url\(([^)]*)\)", html)) <= {f"#{i}" for i in
                                                        re.findall(r'id="([^"]+)"', html)}
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"\b(src|href)=\"(?!#|data:image/png;base64,)", html)


def test_the_page_holds_every_part(checked, html: str) -> None:
    results, claims = checked
    for r in results:
        assert f'id="case-{r.case.name}"' in html
        assert f'id="diagram-{r.case.name}"' not in html  # diagrams are figures, ids prefixed
    assert html.count('class="finding') == len(claims)
    assert html.count("<svg") >= len(results) + 8  # a diagram per case, plus the plots
    assert "N = X @ W" in html and "dLdN = dLdS * dSdN" in html  # the generated code
    assert "def matrix_function_backward_sum_1" in html  # the documents' code, as a claim
    assert "(3×2) @ (2×3) → (3×3)" in html  # the slides' shape annotation, under dL/dX
    assert BOLD_ONE in html  # \mathbf{1} shown bold


@pytest.mark.parametrize("tex", [
    r"\frac{\partial L}{\partial X} = \left(\mathbf{1} \odot \sigma'\left(N\right)\right) \, W^{T}",
    r"\underset{(3 \times 2)}{\frac{\partial L}{\partial S}}",
    r"\operatorname{sum}_{\text{rows}}\left(\frac{\partial L}{\partial P}\right)",
    r"\begin{bmatrix}w_{11} & w_{12}\\x^{(1)}_{21} & 0\end{bmatrix}",
])
def test_formulas_convert(tex: str) -> None:
    out = to_mathml(tex, display=True)
    assert out.startswith("<math") and 'display="block"' in out
    ET.fromstring(out)


def test_converter_gaps_are_patched() -> None:
    assert f"<mn>{BOLD_ONE}</mn>" in to_mathml(r"\mathbf{1}")
    assert "manual_deriv" in to_mathml(r"\text{manual\_deriv}")
    assert 'lspace="0" rspace="0"' in to_mathml(r"\left(x\right)")


def test_an_unknown_command_is_an_error() -> None:
    with pytest.raises(MathMLError, match=r"cannot convert to MathML: '\\\\notacommand x'"):
        to_mathml(r"\notacommand x")


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_chromium_renders_the_page(report_dir: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "page.png"
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={png}",
           "--window-size=1200,3000", (report_dir / "index.html").as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    image = Image.open(png).convert("L")
    assert image.size == (1200, 3000)
    dark = sum(image.histogram()[:128])  # text, rules, math and figures
    assert dark > 20_000, "the page rendered (almost) blank"
    top = image.crop((0, 0, 1200, 400))
    assert sum(top.histogram()[:128]) > 2_000, "no title at the top"
