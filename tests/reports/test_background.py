"""reports.background: one call in a forked child, the same result as in the parent."""

from __future__ import annotations

import os

import pytest
from derive.reports.background import Background


def _pid_and_sum() -> tuple[int, int]:
    return os.getpid(), sum(range(1000))


def _fails() -> None:
    raise ValueError("the child's own error")


def test_the_call_runs_in_a_child_and_returns_its_value() -> None:
    with Background(_pid_and_sum) as job:
        pid, total = job.result()
    assert total == 499500
    assert pid != os.getpid()


def test_an_error_in_the_child_is_raised_in_the_parent() -> None:
    with Background(_fails) as job, pytest.raises(ValueError, match="the child's own error"):
        job.result()


def test_without_fork_the_call_runs_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    with Background(_pid_and_sum) as job:
        assert job.result() == (os.getpid(), 499500)


def test_a_closure_needs_no_pickling_and_a_bad_result_is_named() -> None:
    seen = [3]
    with Background(lambda: seen[0] * 2) as job:
        assert job.result() == 6
    with Background(lambda: (lambda: None)) as job, pytest.raises(RuntimeError, match="pickle"):
        job.result()


class _Terminated(Exception):
    pass


def _raise_on_sigterm(*_args: object) -> None:
    raise _Terminated()


def _answer_then_exit_slowly() -> int:
    import time
    from multiprocessing import util

    util.Finalize(None, time.sleep, args=(0.5,), exitpriority=0)  # still exiting when closed
    return 7


def test_a_child_that_answered_ends_without_a_traceback(capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    """The command line raises on SIGTERM; a child that inherited that handler and was
    terminated while exiting printed a traceback at the end of `derive report`."""
    import signal

    old = signal.signal(signal.SIGTERM, _raise_on_sigterm)
    try:
        with Background(_answer_then_exit_slowly) as job:
            assert job.result() == 7
    finally:
        signal.signal(signal.SIGTERM, old)
    assert "Traceback" not in capfd.readouterr().err
