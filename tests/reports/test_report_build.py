"""The report folder: deterministic, atomic, never over the user's files; the LaTeX compiles."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from derive.reports import build, html
from derive.reports.build import MARKER, write_report
from derive.reports.cli import main

from derive.cases import registry
from derive.claims import Claim, ClaimResult
from derive.errors import DeriveError, OutputError

HAVE_PDFLATEX = shutil.which("pdflatex") is not None
FORMATS = {"html", "tex", "pdf"} if HAVE_PDFLATEX else {"html", "tex"}


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(report_dir: Path, cli_report) -> None:
    out, _, _ = cli_report
    a, b = files(report_dir), files(out)
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []
    assert {"index.html", "derivations.tex", MARKER} <= set(a)
    assert ("derivations.pdf" in a) == HAVE_PDFLATEX


def test_the_command_reports_where_and_what(cli_report) -> None:
    out, status, stdout = cli_report
    assert status == 0
    assert f"wrote {out / 'index.html'}" in stdout and f"wrote {out / 'derivations.tex'}" in stdout
    n = len(registry())
    assert f"{n} cases checked, {n} agree" in stdout and "claims found wrong" in stdout


def test_the_marker_lists_what_the_report_wrote(report_dir: Path) -> None:
    lines = (report_dir / MARKER).read_text().splitlines()
    assert lines[0].startswith("derive report")
    assert set(lines[1:]) == {p.name for p in report_dir.iterdir()} - {MARKER}


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex is not installed")
def test_the_latex_compiled(report_dir: Path) -> None:
    pdf = (report_dir / "derivations.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(report_dir / "derivations.pdf")], check=True,
                              capture_output=True, text=True).stdout
        assert int(info.split("Pages:")[1].split()[0]) > 20
    assert not list(report_dir.glob("*.log")) and not list(report_dir.glob("*.aux"))


def test_the_tex_uses_only_the_allowed_packages(report_dir: Path) -> None:
    tex = (report_dir / "derivations.tex").read_text()
    used = {p for names in re.findall(r"\\usepackage(?:\[[^\]]*\])?\{([^}]*)\}", tex)
            for p in names.split(",")}
    assert used <= {"amsmath", "amssymb", "geometry", "graphicx", "booktabs", "hyperref"}


# ---------------------------------------------------------------- folders


def test_a_folder_of_the_users_is_refused_and_left_alone(small, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(OutputError, match=f"refusing to write into {out}: it is not empty and is "
                                          "not an earlier report"):
        write_report(small, [], out, {"html"})
    assert files(out) == {"thesis.tex": b"precious"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no temporary left behind


def test_an_earlier_report_is_replaced(small, tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report(small, [], out, {"html", "tex"})
    assert (out / "derivations.tex").exists()
    write_report(small, [], out, {"html"})
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_an_earlier_report_holding_a_users_file_is_refused(small, tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report(small, [], out, {"html"})
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"also holds notes\.txt, which the report did not"):
        write_report(small, [], out, {"html"})
    assert (out / "notes.txt").read_text() == "mine"


def test_a_failure_leaves_nothing_half_written(small, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "report"
    write_report(small, [], out, {"html"})
    before = files(out)

    def broken(context):
        raise RuntimeError("template exploded")

    monkeypatch.setattr(html, "render_html", broken)
    with pytest.raises(RuntimeError, match="template exploded"):
        write_report(small, [], out, {"html"})
    assert files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_file_in_the_way_is_an_error(small, tmp_path: Path) -> None:
    (tmp_path / "report").write_text("x")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        write_report(small, [], tmp_path / "report", {"html"})


def test_an_unwritable_place_is_an_error(small, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="cannot write the report to"):
        write_report(small, [], tmp_path / "file" / "report", {"html"})


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_an_error(small, tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="cannot write the report to"):
            write_report(small, [], tmp_path / "report", {"html"})
    finally:
        tmp_path.chmod(0o755)


def test_pdf_without_pdflatex_says_what_to_do(small, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(OutputError) as err:
        write_report(small, [], tmp_path / "r", {"pdf"})
    assert str(err.value) == ("pdflatex not found: install TeX Live (e.g. apt-get install "
                              "texlive-latex-recommended) or drop 'pdf' from --format")


def test_an_unknown_format_is_one_line(capsys, tmp_path: Path) -> None:
    assert main(["report", "--format", "html,docx", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err == ("derive: error: unknown format docx: choose from html, tex, pdf "
                   "(comma-separated)\n")
    with pytest.raises(DeriveError):
        build.parse_formats("")


def test_the_command_refuses_before_checking(capsys, tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    assert main(["report", "--out", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "checking" not in captured.err and "refusing to write into" in captured.err


# ---------------------------------------------------------------- escaping

NASTY = "<script>alert('x')</script> & %_&#$ {braces} ~^\\ §"


@pytest.fixture(scope="module")
def nasty_report(small, tmp_path_factory) -> Path:
    r = small[1]
    case = dataclasses.replace(r.case, title=NASTY, statement=f"S = {NASTY}", notes=(NASTY,))
    claim = ClaimResult(
        Claim(source=f"src {NASTY}", kind="formula", text=f"dL/dX = {NASTY}", latex=r"2 x",
              case=r.case.name, note=NASTY),
        "wrong", "scaled", f"scaled by 2 {NASTY}", correct_latex="x")
    code_claim = ClaimResult(Claim(source="s", kind="code", text=f"def f():\n    return '{NASTY}'",
                                   case=r.case.name), "wrong", "scaled", "m",
                             correct_code="def g():\n    return 1\n")
    out = tmp_path_factory.mktemp("nasty") / "report"
    write_report([dataclasses.replace(r, case=case)], [claim, code_claim], out, set(FORMATS))
    return out


def test_user_text_is_escaped_in_html(nasty_report: Path) -> None:
    page = (nasty_report / "index.html").read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; %_&amp;#$" in page


def test_user_text_is_escaped_in_latex(nasty_report: Path) -> None:
    tex = (nasty_report / "derivations.tex").read_text()
    assert (r"\textless{}script\textgreater{}alert('x')\textless{}/script\textgreater{} \& "
            r"\%\_\&\#\$ \{braces\} \textasciitilde{}\^{}\textbackslash{} $\S$") in tex
    assert r"return~'" not in tex and r"return\ '\textless" not in tex  # code: glyphs, not text
    assert r"{\char92}" in tex or "\\" not in NASTY


@pytest.mark.skipif(not HAVE_PDFLATEX, reason="pdflatex is not installed")
def test_escaped_latex_compiles(nasty_report: Path) -> None:
    assert (nasty_report / "derivations.pdf").read_bytes().startswith(b"%PDF")


def test_the_default_formats_skip_pdf_without_pdflatex(capsys, monkeypatch) -> None:
    import argparse

    from derive.reports import cmd_report

    monkeypatch.setattr(cmd_report.shutil, "which", lambda name: None)
    assert cmd_report._formats(argparse.Namespace(format=None)) == {"html", "tex"}
    assert "pdflatex not found, so no PDF" in capsys.readouterr().err
    assert cmd_report._formats(argparse.Namespace(format="pdf")) == {"pdf"}  # refused later


def test_a_training_summary_gets_its_section(small, tmp_path: Path) -> None:
    svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" id="a"><g id="b"/></svg>'
    run = {"label": "verified", "mse": 21.5, "r2": 0.71, "final_loss": 0.2, "diverged_at": None,
           "seconds": 987.654321}
    training = {"data": {"title": "Boston <housing>", "source": "s", "why": "w"},
                "sklearn": {"mse": 21.0, "r2": 0.7},
                "models": {"linear": {"title": "Linear", "runs": {"verified": run}}},
                "goals": [{"name": "g", "claim": "loss falls", "holds": True, "detail": "d %"}],
                "notes": ["a note & more"], "plots": {"loss-linear": svg}}
    out = tmp_path / "r"
    write_report(small, [], out, {"html", "tex"}, training=training)
    page = (out / "index.html").read_text()
    assert 'id="training"' in page and "Boston &lt;housing&gt;" in page
    assert 'id="training-loss-linear-a"' in page and "987.65" not in page  # no run times
    assert r"d \%" in (out / "derivations.tex").read_text()
