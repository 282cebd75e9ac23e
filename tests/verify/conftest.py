"""Fixtures for derive verify: the user modules written for each diagnosis, and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from derive.reports.cli import main

from derive.usermodule import UserModule, load

MODULES = Path(__file__).resolve().parent / "modules"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

CliResult = tuple[int, str, str]


@pytest.fixture
def module() -> Callable[[str], UserModule]:
    """A user module from tests/verify/modules by stem."""
    return lambda stem: load(MODULES / f"{stem}.py")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``derive ARGS`` in-process: (exit status, stdout, stderr)."""

    def run(*argv: str) -> CliResult:
        rc = main(list(argv))
        out, err = capsys.readouterr()
        return rc, out, err

    return run
