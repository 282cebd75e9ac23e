"""``derive report``: check every case and claim, then write the HTML page and the LaTeX/PDF.

Progress goes to stderr, case by case; where the files went and a short summary go to
stdout. Exit status 0 when every case agrees, 1 when one does not.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from derive.reports import REPORT_FORMATS

DEFAULT_FORMATS = ",".join(REPORT_FORMATS)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="write the HTML page and the LaTeX/PDF document of every derivation",
        description="Check every case and every claim of the documents, then write "
                    "DIR/index.html (self-contained, works offline), DIR/derivations.tex and, "
                    "when TeX is installed, DIR/derivations.pdf.",
    )
    parser.add_argument("--out", metavar="DIR", default="report", type=Path,
                        help="output folder (default: report); an earlier report there is "
                             "replaced, any other non-empty folder is refused")
    parser.add_argument("--format", metavar="LIST", default=None,
                        help=f"comma-separated, from {DEFAULT_FORMATS} (default: all; pdf only "
                             "when pdflatex is installed)")
    parser.add_argument("--no-prove", action="store_true",
                        help="skip the symbolic proofs (faster; the numeric checks still run)")
    parser.add_argument("--no-training", action="store_true",
                        help="leave out the training section (the networks trained on real "
                             "data; computed once, then cached)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(run=run)
    return parser


def _formats(args: argparse.Namespace) -> set[str]:
    """The formats asked for; pdf is dropped from the default, with a note, if TeX is missing."""
    from derive.reports.build import parse_formats

    if args.format is not None:
        return parse_formats(args.format)
    formats = parse_formats(DEFAULT_FORMATS)
    if shutil.which("pdflatex") is None:
        formats.discard("pdf")
        print("derive report: pdflatex not found, so no PDF (install TeX Live, e.g. apt-get "
              "install texlive-latex-recommended, to get one)", file=sys.stderr)
    return formats


def run(args: argparse.Namespace) -> int:
    from derive.reports.progress import Stages

    with Stages(quiet=args.quiet) as say:
        return _run(args, say)


def _run(args: argparse.Namespace, say: Any) -> int:
    from derive.reports.build import preflight, write_report

    formats = preflight(args.out, _formats(args))  # fail before minutes of checking
    # The training child is forked next: it needs neither SymPy nor matplotlib, so the ~1 s
    # of importing them runs beside it instead of before it.
    with _training(args, say) as job:
        from derive.check import check
        from derive.claims import check_claims

        results = check(prove=not args.no_prove,
                        progress=lambda name: say(f"checking {name}"))
        say("checking the documents' claims")
        claims = check_claims({r.case.name: r for r in results})
        if job is not None:
            from derive.reports.figurerender import warm

            warm()  # while the child trains; the figure workers inherit it
        training = None if job is None else job.result()
    written = write_report(results, claims, args.out, formats, progress=say, training=training)
    say(f"done in {time.perf_counter() - say.t0:.1f} s")
    for kind, path in written.items():
        if kind != "figures":
            print(f"wrote {path}")
    print(summary_line(results, claims))
    print(open_line(written))
    return 0 if all(r.ok for r in results) else 1


def _training(args: argparse.Namespace, say: Any) -> Any:
    """The training summary, computed in a child process while the cases are checked."""
    if args.no_training:
        return contextlib.nullcontext(None)
    from derive.reports.background import Background
    from derive.reports.training import training_summary

    say("training the documents' networks alongside (cached after the first run)")
    return Background(training_summary)


def open_line(written: dict[str, Path]) -> str:
    """The last line: what to open, the page first."""
    page, pdf, tex = written.get("html"), written.get("pdf"), written.get("tex")
    if page is not None:
        return f"open {page.absolute()} in a browser" + (f", or {pdf.absolute()}" if pdf else "")
    if pdf is not None:
        return f"open {pdf.absolute()}"
    return f"open {tex.absolute()} with a LaTeX editor" if tex is not None else ""


def summary_line(results: list[Any], claims: list[Any]) -> str:
    ok = sum(r.ok for r in results)
    comps = [c for r in results for g in r.gradients.values()
             for c in (g.vs_matrix, g.vs_fd, g.vs_hand) if c is not None]
    wrong = [c for c in claims if c.verdict == "wrong"]
    failing = [r.case.name for r in results if not r.ok]
    text = (f"{len(results)} cases checked, {ok} agree ({sum(c.ok for c in comps)} of "
            f"{len(comps)} comparisons); {len(wrong)} of the documents' {len(claims)} claims "
            "found wrong")
    return text + (f"; disagreements in: {', '.join(failing)}" if failing else "")
