"""Stage messages on stderr, with the time since the start; on a terminal, never silent long.

A stage that runs longer than HEARTBEAT_S is re-announced ("... still drawing figures") by a
background thread, so a person at a terminal always sees that work goes on. Off a terminal
(a log, a pipe) each stage is one line and nothing repeats.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

HEARTBEAT_S = 1.5  # under the 2 s a person waits before wondering whether it hangs


class Stages:
    """``with Stages() as say: say("checking")``; every message is one stderr line."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False,
                 tty: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty() if tty is None else tty
        self.t0 = time.perf_counter()
        self.stage = ""
        self.last = self.t0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _line(self, text: str) -> None:
        now = time.perf_counter()
        with self._lock:
            print(f"[{now - self.t0:5.1f}s] {text}", file=self.stream, flush=True)
            self.last = now

    def __call__(self, msg: str) -> None:
        if self.quiet:
            return
        self.stage = msg
        self._line(msg)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S / 3):
            if self.stage and time.perf_counter() - self.last >= HEARTBEAT_S:
                self._line(f"... still {self.stage}")

    def __enter__(self) -> Stages:
        if self.tty and not self.quiet:
            self._thread = threading.Thread(target=self._beat, name="derive-progress",
                                            daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
