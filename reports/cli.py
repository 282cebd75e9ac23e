"""The ``derive`` command line. Each subcommand lives in its own module (``cmd_<name>.py``)
exposing ``add_parser(subparsers)`` and ``run(args) -> int``.

Every error the user can fix is a :class:`derive.errors.DeriveError`: it becomes one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from derive._version import __version__
from derive.errors import DeriveError

COMMANDS = ("list", "show", "check", "report", "verify", "train")

DESCRIPTION = """\
Check hand-derived gradients: every composite expression from the lecture documents is built
in SymPy, differentiated elementwise and in matrix form, proved equal, compiled to numpy and
compared with the documents' hand-written backward passes and with finite differences.
"""

EPILOG = """\
examples:
  derive list                 the documents' cases
  derive show two-layer       the derivation of one case, printed in the terminal
  derive check --json         the three-way check of every case, for machines
  derive report               HTML and LaTeX reports in ./report
  derive verify my_net.py     check your own numpy forward/backward pair

exit status: 0 all agree, 1 a disagreement was found, 2 bad input (one line on stderr)
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit status 2 like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="derive", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = _command(name)
        if module is not None:
            module.add_parser(sub)
    return parser


def _command(name: str) -> object | None:
    try:
        return importlib.import_module(f"derive.reports.cmd_{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"derive.reports.cmd_{name}":
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except DeriveError as exc:
        print(f"derive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
