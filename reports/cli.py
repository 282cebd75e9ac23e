"""The ``derive`` command line. Each subcommand lives in its own module (``cmd_<name>.py``)
exposing ``add_parser(subparsers)`` and ``run(args) -> int``.

Every error the user can fix is a :class:`derive.errors.DeriveError`: it becomes one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import Any

from derive._version import __version__
from derive.errors import DeriveError

# Modules whose warnings the command line silences (a regex on the warning's module).
OWN_MODULES = r"(derive|numeric|reports|sympy|matplotlib)(\.|$)"

# An error line is cut here: it names the problem, it need not quote a 100,000-character name.
MAX_LINE = 1000

COMMANDS = ("list", "show", "check", "report", "verify", "claim", "train")

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
  derive claim my_net.py W1 '2/n * X.T @ (P - y)'   check a gradient derived on paper

exit status: 0 all agree, 1 a disagreement was found, 2 bad input, failing user code or an
internal error (one line on stderr), 130 interrupted, 143 terminated
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


class Terminated(BaseException):
    """SIGTERM, raised like KeyboardInterrupt so every ``finally`` and cleanup runs (the
    report's staging folder is removed as on Ctrl-C)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: its exit status, and on any failure one line on stderr.

    0 and 1 are the command's own (1 only for a wrong gradient or a diverged training); 2 is
    bad input, user code that failed, or a bug of ours ("internal error ... (please report)");
    130 Ctrl-C, 143 SIGTERM. Set DERIVE_TRACEBACK=1 to see the traceback of an internal error.
    """
    _tolerant_streams()
    previous = _install(signal.SIGTERM, _on_sigterm)
    original = sys.stdout
    sys.stdout = _Stdout(original)
    try:
        with warnings.catch_warnings():
            # Warnings raised in derive, SymPy or matplotlib are ours to handle, not lines for
            # the user: the command's output says what matters (the API keeps them).
            warnings.filterwarnings("ignore", module=OWN_MODULES)
            status = _main(argv)
        sys.stdout.flush()
        return status
    except _StdoutError as exc:
        _silence_stdout(original)
        return _fail(f"derive: error: cannot write to standard output: {exc}")
    except BrokenPipeError:
        _silence_stdout(original)
        return 0
    finally:
        if isinstance(sys.stdout, _Stdout):
            sys.stdout = original
        _install(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    from derive.reports import isolate

    try:
        parser = build_parser()
        args = parser.parse_args(argv)  # --help, --version and usage errors: SystemExit
        if not getattr(args, "command", None):
            parser.print_help()
            return 2
        return int(args.run(args))
    except DeriveError as exc:
        return _fail(f"derive: error: {exc}")
    except (KeyboardInterrupt, isolate.Interrupted):
        return _fail("derive: interrupted", 130)
    except Terminated:
        return _fail("derive: terminated", 143)
    except (BrokenPipeError, _StdoutError):
        raise
    except isolate.Internal as exc:
        return _fail(f"derive: internal error: {exc} (please report)")
    except Exception as exc:  # noqa: BLE001 - a bug of ours: one line, never a traceback
        return _internal(exc)


class _StdoutError(Exception):
    """Standard output cannot be written (``> /dev/full``, a closed descriptor). Not an
    OSError, so no command's own ``except OSError`` (for its files) mistakes it."""


class _Stdout:
    """sys.stdout for the length of a command: a failed write raises _StdoutError, so that
    it is told apart from the OSErrors of files and becomes one line, not a crash."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._guard(lambda: self._stream.write(text))

    def flush(self) -> None:
        self._guard(lambda: self._stream.flush())

    def _guard(self, method: Any) -> Any:
        if self._stream is None:  # started with fd 1 closed (``>&-``)
            raise _StdoutError("it is closed")
        try:
            return method()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise _StdoutError(getattr(exc, "strerror", None) or str(exc)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _internal(exc: BaseException) -> int:
    from derive.reports.isolate import internal_text

    if os.environ.get("DERIVE_TRACEBACK"):
        traceback.print_exception(exc)
    return _fail(f"derive: internal error: {internal_text(exc)} (please report)")


def _fail(line: str, status: int = 2) -> int:
    line = line.replace("\r", "\\r").replace("\n", "\\n")  # a file name with a newline
    if len(line) > MAX_LINE:
        line = line[: MAX_LINE - 3] + "..."
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass  # stderr is gone too: the status still says it
    return status


def _silence_stdout(stream: Any) -> None:
    """Point fd 1 at /dev/null so the interpreter's last flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except Exception:  # noqa: BLE001 - a stream without a descriptor (a test's capture)
        pass


def _tolerant_streams() -> None:
    """Any output encoding works: a character it cannot show becomes '?', never an error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def _install(signum: int, handler: Any) -> Any:
    """Set a signal handler where that is possible (the main thread); the previous one."""
    try:
        return signal.signal(signum, handler)
    except (ValueError, OSError, TypeError):
        return handler


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
