"""The README's two fresh-machine commands are the ones CI runs, and the package is complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _code_lines(text: str) -> list[str]:
    return [line for block in re.findall(r"```\n(.*?)```", text, re.S)
            for line in block.splitlines()]


def test_readme_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    lines = _code_lines((ROOT / "README.md").read_text())
    main_job = [line for line in lines if line.endswith("&& derive report")]
    tests = [line for line in lines if "python -m pytest" in line and "pip install" in line]
    assert len(main_job) == 1 and len(tests) == 1
    assert "pip install \".[report]\"" in main_job[0]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests[0] in ci  # verbatim


def test_installed_package_finds_its_templates(tmp_path: Path) -> None:
    """Run from a folder outside the checkout, as an installed user would."""
    code = ("import derive.reports.html as h; "
            "print(sorted(p.name for p in h.TEMPLATES.glob('*.j2')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    for name in ("report.html.j2", "report.tex.j2", "verify.html.j2", "_macros.html.j2"):
        assert name in out.stdout, out.stdout + out.stderr


def _python_blocks(text: str, heading: str) -> list[str]:
    """The ```python blocks of one README section."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_s_test_example_runs_and_passes() -> None:
    """Issue 15: 'Use it in your tests' is code a user pastes; it must pass as written."""
    blocks = _python_blocks((ROOT / "README.md").read_text(), "### Use it in your tests")
    assert len(blocks) == 2
    namespace: dict = {}
    exec(compile(blocks[0], "README: Use it in your tests", "exec"), namespace)  # our README
    namespace["test_my_backward"]()
    exec(compile(blocks[1], "README: from Python", "exec"), namespace)
    assert namespace["result"].ok
