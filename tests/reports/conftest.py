"""One full report per test session: every case checked with proofs, every claim judged.

Built twice, once through ``write_report`` and once through the ``derive report`` command,
so the determinism test compares two independent builds.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from derive.reports.build import write_report
from derive.reports.cli import main

from derive.check import check
from derive.claims import check_claims

HAVE_PDFLATEX = shutil.which("pdflatex") is not None
FORMATS = {"html", "tex", "pdf"} if HAVE_PDFLATEX else {"html", "tex"}


@pytest.fixture(scope="session")
def checked():
    results = check(prove=True)
    claims = check_claims({r.case.name: r for r in results})
    return results, claims


@pytest.fixture(scope="session")
def report_dir(tmp_path_factory, checked) -> Path:
    results, claims = checked
    out = tmp_path_factory.mktemp("a") / "report"
    write_report(results, claims, out, set(FORMATS))
    return out


@pytest.fixture(scope="session")
def cli_report(tmp_path_factory) -> tuple[Path, int, str]:
    """The command run as a user runs it: (folder, exit status, stdout)."""
    out = tmp_path_factory.mktemp("b") / "report"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        status = main(["report", "--out", str(out), "--format", ",".join(sorted(FORMATS)),
                       "--no-training"])  # the same content as write_report's build
    return out, status, stdout.getvalue()


@pytest.fixture(scope="session")
def html(report_dir: Path) -> str:
    return (report_dir / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small():
    """Two quick cases, no proofs: for the tests of folders, escaping and errors."""
    return check(["square", "matrix-sum"], prove=False)
