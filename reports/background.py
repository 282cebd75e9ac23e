"""One call run in a forked process while the parent goes on (the report trains its networks
while the cases are checked: two cores, two independent jobs).

The child is forked, so the call itself is never pickled (a closure is fine); only its
result comes back, through a pipe. Where fork is missing or refused, the call runs in the
parent when its result is asked for, so the result is the same either way. An error in the
child is raised in the parent.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

# Seconds a child that has sent its result gets to exit on its own before it is terminated.
CHILD_EXIT_WAIT = 5.0


def _child(fn: Callable[[], Any], send: Any) -> None:
    # the parent's SIGTERM handler (the command line's: raise, clean up, one line) is not
    # this child's: terminated, it simply ends, never printing a traceback while it exits
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        outcome = (True, fn())
    except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
        outcome = (False, e)
    try:
        send.send(outcome)
    except Exception as e:  # noqa: BLE001 - an unpicklable result or error: say what it was
        send.send((False, RuntimeError(f"{type(e).__name__}: {e}")))
    finally:
        send.close()


class Background:
    """``fn()`` started now in a child process; ``result()`` waits for it."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self._fn = fn
        self._done = False
        self._proc: Any = None
        self._recv: Any = None
        if not hasattr(os, "fork"):
            return
        import multiprocessing

        try:
            ctx = multiprocessing.get_context("fork")
            self._recv, send = ctx.Pipe(duplex=False)
            self._proc = ctx.Process(target=_child, args=(fn, send), daemon=True)
            self._proc.start()
            send.close()
        except (OSError, ValueError):
            self._proc = None

    def result(self) -> Any:
        if self._proc is None:
            return self._fn()
        try:
            ok, value = self._recv.recv()
            self._done = True
        except EOFError:  # the child died without a word (killed): do the work here
            self.close()
            return self._fn()
        self.close()
        if not ok:
            raise value
        return value

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc is not None:
            if self._done:
                self._proc.join(timeout=CHILD_EXIT_WAIT)  # it has answered: let it finish
            if self._proc.is_alive():
                self._proc.terminate()
            self._proc.join()
            self._recv.close()
            self._proc = None
