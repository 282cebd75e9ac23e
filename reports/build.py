"""Write the report folder: index.html, derivations.tex (+ .pdf) and figures, atomically.

Everything is built in a temporary folder beside the target and moved into place at the
end, so a failure leaves no half-written report. A report folder carries a marker file
listing what it wrote; only such a folder, holding nothing else, is ever replaced, so
nothing of the user's is overwritten. The same results give byte-identical files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from derive.reports import REPORT_FORMATS
from derive.reports.text import slug

from derive.errors import DeriveError, OutputError

if TYPE_CHECKING:  # SymPy and matplotlib: imported where the report is written, so that
    # preflight (and the report's training child, forked first) runs without them
    from derive.reports import plots

    from derive.check import CaseResult

MARKER = ".derive-report"
MARKER_HEADER = "derive report: this folder is rewritten by `derive report`; it holds:\n"
HTML_NAME, TEX_NAME, PDF_NAME = "index.html", "derivations.tex", "derivations.pdf"
FIGURES = "figures"
FORMATS = REPORT_FORMATS

Progress = Callable[[str], None]


def parse_formats(text: str) -> set[str]:
    """'html,tex' -> {'html', 'tex'}; an unknown name is a one-line error."""
    names = {f.strip().lower() for f in text.split(",") if f.strip()}
    unknown = sorted(names - set(FORMATS))
    if unknown or not names:
        raise DeriveError(f"unknown format {', '.join(unknown) or repr(text)}: "
                          f"choose from {', '.join(FORMATS)} (comma-separated)")
    return names


# ---------------------------------------------------------------- the target folder


def _marker_names(folder: Path) -> set[str] | None:
    marker = folder / MARKER
    if not marker.is_file():
        return None
    lines = marker.read_text(errors="replace").splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}


def check_target(out_dir: Path) -> None:
    """Refuse a file, a folder of the user's, or an earlier report that now holds more."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"cannot write the report to {out_dir}: it is a file, not a folder")
    for parent in out_dir.absolute().parents:  # before minutes of checking, not after
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"cannot write the report to {out_dir}: {parent} is a file, "
                                  "not a folder")
            break
    if not out_dir.is_dir():
        return
    try:
        entries = sorted(p.name for p in out_dir.iterdir())
    except OSError as exc:
        raise OutputError(f"cannot read {out_dir}: {exc.strerror}") from None
    if not entries:
        return
    ours = _marker_names(out_dir)
    if ours is None:
        raise OutputError(f"refusing to write into {out_dir}: it is not empty and is not an "
                          f"earlier report (no {MARKER} file); choose another --out")
    foreign = [e for e in entries if e != MARKER and e not in ours]
    if foreign:
        raise OutputError(f"refusing to replace the earlier report in {out_dir}: it also holds "
                          f"{', '.join(foreign)}, which the report did not write; move them away")


@contextmanager
def _staging(out_dir: Path) -> Iterator[Path]:
    """A fresh folder beside ``out_dir``; removed on failure."""
    parent = out_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.derive-tmp-", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot write the report to {out_dir}: "
                          f"{exc.strerror or exc} ({parent})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _move_into_place(tmp: Path, out_dir: Path) -> None:
    """Swap the finished folder in; an earlier report is set aside first and restored on failure."""
    aside = None
    try:
        if out_dir.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.derive-old-",
                                          dir=out_dir.absolute().parent))
            os.replace(out_dir, aside / "report")
        os.replace(tmp, out_dir)
    except OSError as exc:
        if aside is not None and (aside / "report").exists() and not out_dir.exists():
            os.replace(aside / "report", out_dir)
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(f"cannot move the report into {out_dir}: {exc.strerror or exc}") from None
    finally:
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)


# ---------------------------------------------------------------- figures


def _diagram_plots(results: Sequence[CaseResult]) -> list[plots.Plot]:
    from derive.reports import diagram, plots

    out = []
    for r in results:
        d = diagram.layout(r)
        name = slug(r.case.name)
        out.append(plots.Plot(
            f"diagram-{name}",
            f"The computational graph of {r.case.name} at the chosen point: each box a step, "
            "each arrow the value it passes on (above) and the gradient that flows back along it "
            "(below, in red); bold ovals are the inputs differentiated.",
            "diagram", case=r.case.name, draw=diagram.to_figure, args=(d,),
            svg=diagram.to_svg(d, f"computational graph of {r.case.name}", name),
        ))
    return out


def figures(results: Sequence[CaseResult], claims: Sequence[Any], folder: Path | None,
            svg: bool, progress: Progress | None = None,
            meanwhile: Callable[[dict[str, dict[str, Any]]], Any] | None = None
            ) -> dict[str, dict[str, Any]]:
    """Every figure by name: its caption and place, its SVG, and its PDF file under ``folder``.

    ``meanwhile`` gets each figure's caption and place, by name, while the workers draw."""
    from derive.reports import plots
    from derive.reports.figurerender import render_all

    pdf = folder is not None
    made = _diagram_plots(results) + plots.make_plots(results, claims)
    if not pdf:  # the page draws diagrams itself: matplotlib only for the other figures
        made = [p if p.svg is None else
                plots.Plot(p.name, p.caption, p.group, p.case, p.claim, svg=p.svg) for p in made]
    meta = {p.name: p.meta() for p in made}
    drawn = render_all(made, svg, pdf, progress=progress,
                       meanwhile=None if meanwhile is None else lambda: meanwhile(meta))
    out: dict[str, dict[str, Any]] = {}
    if folder is not None:
        folder.mkdir()
    for p in made:
        entry = p.meta()
        svg_text, pdf_bytes = drawn.get(p.name, (None, None))
        if svg:
            entry["svg"] = p.svg if p.svg is not None else svg_text
        if folder is not None and pdf_bytes is not None:
            (folder / f"{p.name}.pdf").write_bytes(pdf_bytes)
            entry["file"] = f"{FIGURES}/{p.name}.pdf"
        out[p.name] = entry
    return out


def _write_training_pdfs(training: Mapping[str, Any], folder: Path) -> None:
    """The cached training plots, as the PDF files the LaTeX document includes."""
    import base64

    from derive.reports.training_view import training_pdf_name

    for name, data in sorted(training.get("plots_pdf", {}).items()):
        (folder / training_pdf_name(name)).write_bytes(base64.b64decode(data))


# ---------------------------------------------------------------- the report


def preflight(out_dir: Path, formats: set[str]) -> set[str]:
    """Everything that can fail before the work starts: formats, pdflatex, the folder."""
    from derive.reports.latex import PDFLATEX_MISSING

    formats = parse_formats(",".join(sorted(formats)))
    if "pdf" in formats and shutil.which("pdflatex") is None:
        raise OutputError(PDFLATEX_MISSING)
    check_target(Path(out_dir))
    return formats


def write_report(results: Sequence[CaseResult], claims: Sequence[Any], out_dir: Path,
                 formats: set[str], progress: Progress | None = None,
                 training: Any = None) -> dict[str, Path]:
    """Write the report into ``out_dir``; returns what was written, by format."""
    from derive.reports import html, latex
    from derive.reports.context import report_context

    say = progress or (lambda _msg: None)
    out_dir = Path(out_dir)
    formats = preflight(out_dir, formats)
    tex_needed = bool(formats & {"tex", "pdf"})
    written: dict[str, str] = {}
    with _staging(out_dir) as tmp:
        say("drawing figures")
        # while the workers draw, this process builds the page's context (each case written
        # out entry by entry, SymPy, ~2 s): the two overlap instead of following one another
        context: dict[str, Any] = {}
        figs = figures(results, claims, tmp / FIGURES if tex_needed else None,
                       svg="html" in formats, progress=say,
                       meanwhile=lambda meta: context.update(
                           report_context(results, claims, meta, training)))
        context["figures"] = figs  # the same names, now with their drawings
        if tex_needed and training:
            _write_training_pdfs(training, tmp)
        if tex_needed:
            say(f"writing {TEX_NAME}")
            _write(tmp / TEX_NAME, latex.render_tex(context))
            written["tex"] = TEX_NAME
            written["figures"] = FIGURES
        with ThreadPoolExecutor(1) as side:  # pdflatex runs while the page is written
            pdf_job = None
            if "pdf" in formats:
                say(f"running pdflatex ({latex.PDFLATEX_PASSES} passes)")
                pdf_job = side.submit(latex.compile_pdf, tmp / TEX_NAME)
            if "html" in formats:
                say(f"writing {HTML_NAME}")
                _write(tmp / HTML_NAME, html.render_html(context))
                written["html"] = HTML_NAME
            if pdf_job is not None:
                pdf_job.result()  # its OutputError, if any, raised here
                written["pdf"] = PDF_NAME
        names = sorted(p.name for p in tmp.iterdir())
        _write(tmp / MARKER, MARKER_HEADER + "".join(f"{n}\n" for n in names))
        tmp.chmod(0o755)  # mkdtemp makes 0700; a report folder is as readable as any other
        check_target(out_dir)  # nothing of the user's appeared while we worked
        _move_into_place(tmp, out_dir)
    order = ("html", "tex", "figures", "pdf")  # as they are read: the page first
    return {k: out_dir / written[k] for k in order if k in written}


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"cannot write {path.name}: {exc.strerror or exc}") from None
