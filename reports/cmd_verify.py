"""``derive verify FILE.py``: check a user's own hand-written gradients.

Prints the traced forward and the derived gradient, then one line per gradient (verdict,
diagnosis, largest error). ``--json`` prints the machine contract instead, ``--html`` writes
a page, ``--fix`` prints the right gradients and a backward to paste. Exit status: 0 every
checked gradient right, 1 any wrong, 2 could not check (one line on stderr, from reports.cli).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from derive.numeric import limits as LIM
from derive.reports import pages

HELP = "check your own numpy forward/backward pair"

DESCRIPTION = """\
Check the gradients of your own numpy code. FILE.py defines:

  forward(**arrays)   plain numpy code returning a scalar (a float or a 0-d array)
  backward(**arrays)  returns a dict {argument name: gradient array}; only the names it
                      returns are checked, the other arguments are constants (targets, data)
  SHAPES = {"X": (3, 3), "W": (3, 2)}
                      the shape of every argument (or --shape X=3x3, which overrides it)
  inputs(rng)         optional: returns some or all arrays (targets, one-hot labels, a point
                      on a kink) from a numpy Generator; the rest are standard-normal draws

forward runs on symbolic arrays; its gradient is derived by the chain rule in matrix form,
compiled to numpy and compared with backward entry by entry at --points random points, and
validated by finite differences of forward. A numpy call the tracer cannot map is named, and
the verdict then comes from finite differences alone (numeric only).
"""

EPILOG = """\
verdicts: ok, wrong (diagnosed: scaled, sign, transposed, shape, collapsed, missing-sum,
entries), nondifferentiable (a point on a kink: any subgradient passes).

examples:
  derive verify examples/two_layer_as_printed.py
  derive verify my_net.py --shape X=64x10 --shape y=64x1 --points 5
  derive verify my_net.py --json
  derive verify my_net.py --fix
  derive verify my_net.py --html verify.html
  derive verify my_net.py --timeout 30      stop after 30 s (your code runs in a child process)

exit status: 0 every checked gradient right, 1 any wrong, 2 could not check: bad input, your
code failed, exited or ran past --timeout, or a bug of derive's (one line on stderr)
"""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p = subparsers.add_parser("verify", help=HELP, description=DESCRIPTION, epilog=EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE.py", help="your module: forward, backward, SHAPES")
    p.add_argument("--forward", default="forward", metavar="NAME",
                   help="name of the forward function (default: forward)")
    p.add_argument("--backward", default="backward", metavar="NAME",
                   help="name of the backward function (default: backward)")
    p.add_argument("--shape", action="append", default=[], metavar="N=AxB",
                   help="shape of argument N, e.g. X=3x2, b=3, x=scalar (repeatable)")
    p.add_argument("--seed", type=int, default=0,
                   help=f"seed of the random points, 0 to {LIM.MAX_SEED} (default 0)")
    p.add_argument("--points", type=int, default=3, metavar="K",
                   help=f"number of random points, 1 to {LIM.MAX_POINTS} (default 3)")
    p.add_argument("--timeout", type=float, default=LIM.DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="stop your code and the whole check after this many seconds "
                        f"(default {LIM.DEFAULT_TIMEOUT:g}); the check runs in a child process, "
                        "so an exit or an endless loop in your code is reported in one line")
    p.add_argument("--fd", choices=("sample", "all"), default="sample",
                   help="finite differences that validate the derived gradient: 'sample' "
                        "(default) along random directions and per entry on a sample of "
                        "entries, with the probability of missing an error printed; 'all' "
                        "per entry on every entry, recomputing only the slice of the traced "
                        "graph each perturbation changes")
    p.add_argument("--prove", action=argparse.BooleanOptionalAction, default=None,
                   help="prove the matrix form against elementwise SymPy at a reduced shape "
                        "(default: when that shape is small)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the result as JSON only")
    out.add_argument("--fix", action="store_true",
                     help="print the right gradients and a backward to paste")
    p.add_argument("--html", metavar="OUT.html", help="also write a self-contained HTML page")
    p.set_defaults(run=run)
    return p


def run(args: argparse.Namespace) -> int:
    """Check what the parent can (options, the file, the page's target), then run the user's
    code and the whole check in a child process (reports.isolate), bounded by --timeout."""
    from derive.reports import isolate

    from derive import usermodule as U

    timeout = isolate.check_timeout(args.timeout)
    U.check_seed(args.seed, "--seed")
    U.check_points(args.points, "--points")
    shapes = U.parse_shapes(args.shape)
    U.check_budget(shapes, args.points)
    target = None
    if args.html:
        from derive.reports.verify_html import check_target  # jinja2 only with --html

        target = check_target(args.html)
    path = U.source_path(args.file)
    stages = {"": f"importing {path.name}", "imported": f"checking {path.name}"}

    def work(notify: isolate.Notify) -> isolate.Outcome:
        return _check(args, path, shapes, target, notify)

    outcome = isolate.run(work, timeout, stages, path, json_mode=args.json)
    if target is not None and "html" in outcome.extra:
        pages.write_page(target, outcome.extra["html"])
    sys.stdout.write(outcome.out)
    return outcome.status


def _check(args: argparse.Namespace, path: Path, shapes: dict[str, tuple[int, ...]],
           target: Path | None, notify: Callable[[str], None]) -> Any:
    """The child's part: import, verify, render; the parent writes what it returns."""
    from derive.reports.isolate import Outcome

    from derive.usermodule import load
    from derive.verify import verify_module

    with _global_state():
        module = load(path)
    notify("imported")
    from derive.reports.progress import Stages

    with Stages() as say:  # a long numeric-only check says how far it is, on stderr
        result = verify_module(module, args.forward, args.backward, shapes, seed=args.seed,
                               points=args.points, fd=args.fd, prove=args.prove, progress=say)
    extra = {}
    if target is not None:
        from derive.reports.verify_html import render

        extra["html"] = render(result)
    if args.json:
        out = json.dumps(result.to_json(), sort_keys=True) + "\n"
    else:
        from derive.reports.verify_text import human

        out = human(result, html=str(target) if target else None) + "\n"
        if args.fix:
            from derive.reports.fix import fix_text

            out += fix_text(result) + "\n"
    if not args.json:
        out = _short_names(out, result.shapes)
    extra = {k: _short_names(v, result.shapes) for k, v in extra.items()}
    return Outcome(0 if result.ok else 1, out, extra)


def _short_names(text: str, names: Any) -> str:
    """Argument names past LIM.MAX_NAME characters cut in what a person reads (the JSON keeps
    them whole): names are identifiers, so replacing them cannot break HTML."""
    for name in sorted((n for n in names if len(n) > LIM.MAX_NAME), key=len, reverse=True):
        text = text.replace(name, LIM.short_name(name))
    return text




@contextlib.contextmanager
def _global_state() -> Iterator[None]:
    """Warning filters and numpy's error modes as they were before the user's module ran:
    ``warnings.simplefilter("error")`` or ``np.seterr(all="raise")`` at import would turn
    derive's own harmless warnings into failures blamed on derive."""
    import warnings

    import numpy as np

    filters, errors = warnings.filters[:], np.geterr()
    try:
        yield
    finally:
        warnings.filters[:] = filters
        np.seterr(**errors)



