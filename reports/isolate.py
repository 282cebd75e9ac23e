"""Run a check of a user's code in a forked child process, so that nothing the code does can
end derive without a clear line.

User code may call ``os._exit``, raise a ``BaseException`` that no ``except Exception`` stops,
loop forever at import, close file descriptor 1, replace ``sys.stdout`` or lower the recursion
limit. In the child all of that happens to a copy of derive; the parent reads one JSON message
per line from a pipe (stages reached, then the result or the error) and turns whatever happened
into an exit status and one line: a result (exit 0/1), a one-line error, "internal error ...
(please report)" for a bug of ours, or what ended the child (its exit status, a signal, the
time limit), all exit status 2. The parent never imports SymPy or the user's module.

Where ``os.fork`` does not exist (Windows) the work runs in this process, with the same
classification of errors but without the time limit.
"""

from __future__ import annotations

import json
import math
import os
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from derive.errors import DeriveError, InputError

# How often the parent looks at a child that has closed its pipe but not exited, or that
# holds the pipe open from a grandchild: short enough to feel immediate.
POLL_SECONDS = 0.2

# The recursion limit a check needs (SymPy walks deep trees); below it user code is blamed.
RECURSION_LIMIT = 1000

# Exit status of a child that could not even report (its pipe was gone).
_NO_REPORT = 3


class Internal(Exception):
    """A bug of derive's: the text is already 'Type: message at file:line'."""


class Interrupted(Exception):
    """The check was interrupted (Ctrl-C, or user code raised KeyboardInterrupt)."""


@dataclass(frozen=True)
class Outcome:
    """What the work returned: exit status, text for stdout, extra payload (an HTML page)."""

    status: int
    out: str
    extra: dict[str, str]


Notify = Callable[[str], None]
Work = Callable[[Notify], Outcome]


def run(work: Work, timeout: float, stages: dict[str, str], user_file: Path,
        json_mode: bool = False) -> Outcome:
    """``work(notify)`` in a child; ``stages`` maps a stage name notify() reports to what the
    child is doing from then on ('' is the start), for messages about how it ended."""
    if not hasattr(os, "fork"):
        return _in_process(work, user_file, json_mode)
    for stream in (sys.stdout, sys.stderr):
        _flush(stream)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(r)
        _child(work, w, user_file, json_mode)
    os.close(w)
    try:
        return _parent(pid, r, timeout, stages)
    finally:
        os.close(r)
        _reap(pid)


# ---------------------------------------------------------------- the child


def _child(work: Work, w: int, user_file: Path, json_mode: bool) -> None:  # pragma: no cover
    """Never returns: every way out is os._exit, so no caller's cleanup runs twice."""
    status, me = _NO_REPORT, os.getpid()
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if json_mode:
            os.dup2(2, 1)  # whatever the user's code prints goes to stderr

        def notify(stage: str) -> None:
            if os.getpid() == me:
                _send(w, {"kind": "stage", "stage": stage})

        limit = sys.getrecursionlimit()
        message = _attempt(work, notify, user_file)
        for stream in (sys.stdout, sys.stderr):
            _flush(stream)
        closed = _closed_std_fds()
        if closed and message.get("kind") == "result":
            message = {"kind": "error", "message": f"your code closed {closed}"}
        if sys.getrecursionlimit() < limit and message.get("kind") == "result":
            message = _lowered(sys.getrecursionlimit())
        if os.getpid() == me:  # not a process the user's code forked
            _send(w, message)
            status = 0
    except BaseException:  # noqa: BLE001 - the pipe is gone: the parent reports the exit
        pass
    finally:
        os._exit(status)


def _attempt(work: Work, notify: Notify, user_file: Path) -> dict[str, Any]:
    limit = sys.getrecursionlimit()
    try:
        outcome = work(notify)
        return {"kind": "result", "status": outcome.status, "out": outcome.out,
                "extra": outcome.extra}
    except BaseException as exc:  # noqa: BLE001 - every way out becomes one message
        lowered = sys.getrecursionlimit()
        try:
            sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
            return classify(exc, user_file, lowered if lowered < limit else None)
        except BaseException as again:  # noqa: BLE001 - e.g. a __str__ that loops forever
            return {"kind": "internal", "message": f"{type(again).__name__} while reporting "
                    f"{type(exc).__name__}"}


def classify(exc: BaseException, user_file: Path, lowered: int | None = None) -> dict[str, Any]:
    """One message for an exception: the user's error, the user's code, or a bug of ours."""
    from derive import usermodule as U

    if isinstance(exc, KeyboardInterrupt):
        return {"kind": "interrupted"}
    if isinstance(exc, DeriveError):
        return {"kind": "error", "message": U.one_line(exc, 2000)}
    if lowered is not None:
        return _lowered(lowered)
    frames = _user_frames(exc, user_file)
    if frames:
        (outer, _), (_, line) = frames[0], frames[-1]
        what = (f"importing {user_file.name}" if outer.f_code.co_name == "<module>"
                else U.one_line(outer.f_code.co_name, 80))
        return {"kind": "error", "message": f"{what} raised {U.describe(exc)} "
                f"({user_file.name}:{line})"}
    if isinstance(exc, MemoryError):
        return {"kind": "error", "message": "out of memory during the check (MemoryError): "
                "try smaller shapes or fewer --points"}
    return {"kind": "internal", "message": internal_text(exc)}


def _lowered(limit: int) -> dict[str, Any]:
    return {"kind": "error", "message": f"your code lowered the recursion limit to {limit} "
            f"(sys.setrecursionlimit); derive needs at least {RECURSION_LIMIT}"}


def internal_text(exc: BaseException) -> str:
    """'ZeroDivisionError: division by zero at derive/verify.py:123' for a bug report."""
    from derive import usermodule as U

    frames = list(traceback.walk_tb(exc.__traceback__))
    where = ""
    if frames:
        frame, line = frames[-1]
        path = Path(frame.f_code.co_filename)
        where = f" at {path.parent.name}/{path.name}:{line}"
    return f"{U.describe(exc)}{where}"


def _user_frames(exc: BaseException, user_file: Path) -> list[tuple[Any, int]]:
    """(frame, line) of the traceback's frames in the user's file, outermost first."""
    target = str(user_file)
    return [(frame, line) for frame, line in traceback.walk_tb(exc.__traceback__)
            if frame.f_code.co_filename == target]


def _closed_std_fds() -> str:
    names = {1: "standard output (file descriptor 1)", 2: "standard error (file descriptor 2)"}
    closed = []
    for fd, name in names.items():
        try:
            os.fstat(fd)
        except OSError:
            closed.append(name)
    return " and ".join(closed)


def _send(w: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        n = os.write(w, data)
        data = data[n:]


def _flush(stream: Any) -> None:
    try:
        stream.flush()
    except Exception:  # noqa: BLE001 - a replaced or closed stream: nothing to flush
        pass


# ---------------------------------------------------------------- the parent


def _parent(pid: int, r: int, timeout: float, stages: dict[str, str]) -> Outcome:
    deadline = time.monotonic() + timeout
    stage, final, pending, status = "", None, [], None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            _kill(pid)
            raise InputError(f"the check did not finish within {timeout:g} s (--timeout) "
                             f"while {stages.get(stage, stage)}: an endless loop?")
        ready, _, _ = select.select([r], [], [], min(left, POLL_SECONDS))
        if ready:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            if b"\n" not in chunk:  # a long message (a page) arrives in many chunks
                pending.append(chunk)
                continue
            *lines, rest = b"".join([*pending, chunk]).split(b"\n")
            pending = [rest]
            for line in lines:
                msg = _parse(line)
                if msg.get("kind") == "stage":
                    stage = str(msg.get("stage", ""))
                elif msg:
                    final = msg
        else:
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
                break
    if final is None:
        status = status if status is not None else _wait(pid, deadline)
        raise InputError(_ended(status, stages.get(stage, stage)))
    return _outcome(final)


def _parse(line: bytes) -> dict[str, Any]:
    try:
        msg = json.loads(line)
    except ValueError:
        return {}
    return msg if isinstance(msg, dict) else {}


def _outcome(msg: dict[str, Any]) -> Outcome:
    kind = msg.get("kind")
    if kind == "result":
        return Outcome(int(msg["status"]), str(msg["out"]), dict(msg.get("extra") or {}))
    if kind == "interrupted":
        raise Interrupted()
    if kind == "internal":
        raise Internal(str(msg.get("message", "")))
    raise InputError(str(msg.get("message", "")))


def _wait(pid: int, deadline: float) -> int | None:
    """The child's wait status once it exits (it closed its pipe), killed at the deadline."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            _kill(pid)
            return None
        time.sleep(POLL_SECONDS / 4)


def _ended(status: int | None, doing: str) -> str:
    """Why a child ended without a result, for the one line."""
    if status is None:
        return f"your code closed derive's pipe and did not exit while {doing}"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        hint = " (out of memory?)" if sig == signal.SIGKILL else ""
        return f"the check was killed by {name}{hint} while {doing}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return (f"your code ended the process (exit status {code}, os._exit?) while {doing}: "
            "there is no result")


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _reap(pid: int) -> None:
    """Make sure the child is gone (killed if still running) and not left a zombie."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if not done:
            _kill(pid)
            os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# ---------------------------------------------------------------- no fork


def _in_process(work: Work, user_file: Path, json_mode: bool) -> Outcome:
    """The same messages without a child: stdout kept for our output alone in JSON mode."""
    saved_stdout, saved_fd = sys.stdout, None
    if json_mode:
        _flush(sys.stdout)
        saved_fd = os.dup(1)
        os.dup2(2, 1)
    try:
        try:
            return work(lambda stage: None)
        except BaseException as exc:  # noqa: BLE001 - the same classification as a child's
            msg = classify(exc, user_file)
            return _outcome(msg)
    finally:
        if saved_fd is not None:
            _flush(sys.stdout)
            os.dup2(saved_fd, 1)
            os.close(saved_fd)
        sys.stdout = saved_stdout


def check_timeout(seconds: float) -> float:
    """A positive, finite number of seconds."""
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
        raise InputError(f"--timeout must be a positive number of seconds, got {seconds!r}")
    return float(seconds)
