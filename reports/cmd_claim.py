"""``derive claim FILE.py NAME FORMULA``: judge a gradient derived on paper.

FILE.py is a module as for ``derive verify`` (forward, SHAPES, optionally inputs; no backward
needed). Exit status: 0 right, 1 wrong (or ambiguous with no right reading), 2 a formula
that cannot be read or a module that cannot be checked (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from derive.numeric import limits as LIM

from derive.errors import InputError

HELP = "check a gradient you derived on paper, written as a formula"

DESCRIPTION = """\
Judge a claimed gradient dL/dNAME of the forward in FILE.py (forward, SHAPES, optionally
inputs(rng); as for derive verify, without a backward). FORMULA is numpy style
('2/n * X.T @ (P - y)') or LaTeX ('\\frac{2}{n} X^\\top (P - y)'), detected or forced with
--latex. Names are forward's arguments and the variables its assignments name (as derive
verify prints them); n is the batch size. The formula is parsed, never executed.

It is compared with the gradient derived from your forward at two sets of shapes (two batch
sizes) and several random points. A wrong claim is diagnosed (scaled, sign, transposed,
shape, missing-sum, collapsed, entries) and the right one printed in the same notation,
with its chain-rule steps and the first step your formula departs from.
"""

EPILOG = """\
examples:
  derive claim examples/linear_regression.py W '2/n * X.T @ (P - y)'
  derive claim examples/two_layer.py W1 '\\frac{2}{n} X^T ((P - y) W_2^T \\odot \\sigma'"'"'(N1))'
  derive claim examples/two_layer.py B1 -- '-2/n * ...'    (-- before a formula starting with -)
  derive claim examples/two_layer.py --from claims.md --html claims.html

NAME may be spelled W1, dLdW1, dL/dW1, ∂L/∂W1 or \\frac{\\partial L}{\\partial W1}; inside a
formula, dLdP (∂L/∂P, \\frac{\\partial L}{\\partial P}) is the derived gradient of a step P.

claims file: one 'NAME: formula' per line; blank lines and # comments are skipped.

exit status: 0 right, 1 wrong (or ambiguous with no right reading; in batch mode any claim
wrong or unreadable), 2 a formula that cannot be read or bad input (one line on stderr)
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("claim", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE.py", help="your module: forward, SHAPES")
    p.add_argument("name", nargs="?", metavar="NAME",
                   help="the input the gradient is for (W1, dLdW1, dL/dW1, ∂L/∂W1)")
    p.add_argument("formula", nargs="?", metavar="FORMULA", help="your dL/dNAME")
    p.add_argument("--from", dest="claims", metavar="CLAIMS",
                   help="read many claims, one 'NAME: formula' per line")
    p.add_argument("--latex", action="store_true", help="read the formula as LaTeX")
    p.add_argument("--json", action="store_true", help="print the result as JSON only")
    p.add_argument("--html", metavar="OUT.html", help="also write a page (with --from)")
    p.add_argument("--seed", type=int, default=0,
                   help=f"seed of the random points, 0 to {LIM.MAX_SEED} (default 0)")
    p.add_argument("--timeout", type=float, default=LIM.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"stop the check after this many seconds (default "
                        f"{LIM.DEFAULT_TIMEOUT:g})")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    from derive.reports import isolate

    from derive import usermodule as U

    timeout = isolate.check_timeout(args.timeout)
    U.check_seed(args.seed, "--seed")
    if args.claims is not None:
        if args.name is not None:
            raise InputError("give either NAME FORMULA or --from CLAIMS, not both")
        claims = _read(args.claims)
    else:
        if args.name is None or args.formula is None:
            raise InputError("give NAME and FORMULA (or --from CLAIMS): derive claim FILE.py W "
                             "'2/n * X.T @ (P - y)'")
        if args.html:
            raise InputError("--html needs --from CLAIMS")
        claims = [(0, args.name, args.formula)]
    target = None
    if args.html:
        from derive.reports.claim_html import check_target

        target = check_target(args.html)
    path = U.source_path(args.file)
    stages = {"": f"importing {path.name}", "imported": f"checking {path.name}"}

    def work(notify: isolate.Notify) -> isolate.Outcome:
        return _check(args, path, claims, target is not None, notify)

    outcome = isolate.run(work, timeout, stages, path, json_mode=args.json)
    if target is not None and "html" in outcome.extra:
        from derive.reports.claim_html import write_page

        write_page(target, outcome.extra["html"])
        if not args.json:
            outcome = isolate.Outcome(outcome.status, outcome.out + f"wrote {target}\n", {})
    sys.stdout.write(outcome.out)
    return outcome.status


def _read(path: str) -> list[tuple[int, str, str]]:
    from derive.claim import read_claims

    return read_claims(Path(path))


def _check(args: argparse.Namespace, path: Path, claims: list[tuple[int, str, str]],
           html: bool, notify: Any) -> Any:
    """The child's part: import, judge every claim, render."""
    from derive.reports.claim_text import human, table
    from derive.reports.isolate import Outcome

    from derive.claim import FormulaError, check_module
    from derive.usermodule import load

    module = load(path)
    notify("imported")
    latex = True if args.latex else None
    if args.claims is None:
        line, name, formula = claims[0]
        r = check_module(module, name, formula, latex, args.seed)
        out = json.dumps(r.to_json(), sort_keys=True, ensure_ascii=False) if args.json \
            else human(r)
        return Outcome(r.exit_status, out + "\n", {})
    rows: list[tuple[int, str, str, Any]] = []
    for line, name, formula in claims:
        try:
            rows.append((line, name, formula, check_module(module, name, formula, latex,
                                                           args.seed)))
        except FormulaError as exc:
            rows.append((line, name, formula, str(exc)))
    status = 0 if all(not isinstance(r, str) and r.exit_status == 0 for *_, r in rows) else 1
    extra = {}
    if html:
        from derive.reports.claim_html import render

        extra["html"] = render(module.label, rows)
    if args.json:
        out = json.dumps({"file": module.label, "claims": [_row_json(x) for x in rows]},
                         sort_keys=True, ensure_ascii=False)
    else:
        out = table(rows)
    return Outcome(status, out + "\n", extra)


def _row_json(row: tuple[int, str, str, Any]) -> dict[str, Any]:
    line, name, formula, r = row
    if isinstance(r, str):
        return {"line": line, "name": name, "formula": formula, "verdict": "unreadable",
                "error": r}
    return {"line": line, **r.to_json()}
