"""Limits on input (numeric/limits.py): sizes, seeds, counts and files that would run away.

Each command-line row runs as a real process (``python -m derive``) under a small Python
parent that reports the largest resident size of its one child, so the row also shows the
input is refused before anything big is allocated: exit status 2, one line naming the size
asked for, nothing on stdout, under 500 MB. The rows run concurrently. The API rows raise
InputError. docs/robustness.md lists the same rows.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from derive.numeric import limits as LIM
from derive.reports import cli

from derive.errors import InputError
from derive.verify import verify

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
import numpy as np
SHAPES = {"x": (3,)}
def forward(x):
    return np.sum(x ** 2)
def backward(x):
    return {"x": 2 * x}
"""

# Runs derive as its only child, then prints the child's exit status and peak RSS in KiB.
MEASURE = """\
import json, resource, subprocess, sys
p = subprocess.run([sys.executable, "-m", "derive", *sys.argv[1:]], capture_output=True,
                   text=True, timeout=120)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps([p.returncode, p.stdout, p.stderr, peak]))
"""

THIRTY_THREE = "x".join(["1"] * 33)

# (label, argv, start of the line after "derive: error: " or argparse's "derive ...: error: ")
LIMITS: list[tuple[str, list[str], str]] = [
    ("--seed -1", ["verify", "good.py", "--seed", "-1"],
     "derive: error: --seed must be an integer in [0, 4294967295], got -1"),
    ("--seed 2^40", ["verify", "good.py", "--seed", str(2**40)],
     "derive: error: --seed must be an integer in [0, 4294967295], got 1099511627776"),
    ("--shape with 20 digits", ["verify", "good.py", "--shape", "x=99999999999999999999x2"],
     "derive: error: --shape x=99999999999999999999x2: 199,999,999,999,999,999,998 entries "
     "(1.42e+06 PiB as float64); the inputs of one point may take at most 256 MiB as float64"),
    ("--shape x=100000x100000", ["verify", "good.py", "--shape", "x=100000x100000"],
     "derive: error: --shape x=100000x100000: 10,000,000,000 entries (74.5 GiB as float64); "
     "the inputs of one point may take at most 256 MiB"),
    ("--shape with 5000 digits", ["verify", "good.py", "--shape", "x=" + "9" * 5000],
     "derive: error: --shape x=999"),
    ("--shape with 33 dimensions", ["verify", "good.py", "--shape", f"x={THIRTY_THREE}"],
     "derive: error: --shape x=1x1x1"),
    ("--shapes together too big", ["verify", "good.py", "--shape", "x=5000x5000",
                                   "--shape", "y=5000x5000"],
     "derive: error: --shape: x=5000x5000, y=5000x5000 take 381 MiB as float64"),
    ("SHAPES too big", ["verify", "big.py"],
     "derive: error: SHAPES in big.py['x']: 10,000,000,000 entries (74.5 GiB as float64)"),
    ("SHAPES with 33 dimensions", ["verify", "dims.py"],
     "derive: error: SHAPES in dims.py['x']: 33 dimensions, more than 32"),
    ("--points 100000000000", ["verify", "good.py", "--points", "100000000000"],
     "derive: error: --points must be at most 1000, got 100000000000"),
    ("1000 points of 1000x1000", ["verify", "good.py", "--points", "1000", "--shape",
                                  "x=1000x1000"],
     "derive: error: 1000 points at x=1000x1000 take 7.45 GiB as float64; all points together "
     "may take at most 1 GiB: fewer points or smaller shapes"),
    ("--points 0", ["verify", "good.py", "--points", "0"],
     "derive: error: --points must be a positive integer, got 0"),
    ("--timeout 0", ["verify", "good.py", "--timeout", "0"],
     "derive: error: --timeout must be a positive number of seconds, got 0.0"),
    ("--timeout nan", ["verify", "good.py", "--timeout", "nan"],
     "derive: error: --timeout must be a positive number of seconds, got nan"),
    ("--hidden 100000000", ["train", "two-layer", "--hidden", "100000000"],
     "derive: error: --hidden must be at most 10,000, got 100,000,000"),
    ("--iterations 10^11", ["train", "linear", "--iterations", "100000000000"],
     "derive: error: --iterations must be at most 10,000,000, got 100,000,000,000"),
    ("train --seed -1", ["train", "linear", "--seed", "-1"],
     "derive: error: --seed must be in [0, 2**32), got -1"),
    ("/dev/zero as FILE", ["verify", "/dev/zero"],
     "derive: error: cannot read /dev/zero: it is a character device, not a regular file"),
    ("a FIFO as FILE", ["verify", "fifo.py"],
     "derive: error: cannot read {d}/fifo.py: it is a FIFO (named pipe), not a regular file"),
    ("--html onto a FIFO", ["verify", "good.py", "--html", "page.html"],
     "derive: error: refusing to overwrite page.html: it is not a regular file"),
    ("a newline in the file name", ["verify", "a\nb.py"],
     "derive: error: no such file: {d}/a\\nb.py"),
    ("a symlink loop", ["verify", "loop.py"], "derive: error: cannot read loop.py: a symlink loop"),
    ("a file over 10 MiB", ["verify", "huge.py"],
     "derive: error: cannot read {d}/huge.py: 11 MiB, more than the 10 MiB a source file may "
     "have"),
    ("an unknown coding line", ["verify", "coding.py"],
     "derive: error: cannot read {d}/coding.py: unknown encoding: klingon"),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("limits")
    (d / "good.py").write_text(GOOD)
    (d / "big.py").write_text(GOOD.replace('"x": (3,)', '"x": (100000, 100000)'))
    (d / "dims.py").write_text(GOOD.replace('"x": (3,)', f'"x": {(1,) * 33}'))
    os.mkfifo(d / "fifo.py")
    os.mkfifo(d / "page.html")
    os.symlink("loop2.py", d / "loop.py")
    os.symlink("loop.py", d / "loop2.py")
    with open(d / "huge.py", "wb") as fh:  # sparse: 11 MiB on paper, nothing on disk
        fh.truncate(11 * 2**20)
    (d / "coding.py").write_text("# -*- coding: klingon -*-\n" + GOOD)
    (d / "measure.py").write_text(MEASURE)
    return d


@pytest.fixture(scope="module")
def ran(folder: Path) -> dict[str, tuple[int, str, str, int]]:
    """label -> (exit status, stdout, stderr, peak RSS in KiB), the rows run concurrently."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def one(argv: list[str]) -> tuple[int, str, str, int]:
        p = subprocess.run([sys.executable, "measure.py", *argv], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=180)
        assert p.returncode == 0, p.stderr
        status, out, err, peak = json.loads(p.stdout)
        return status, out, err, peak

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(one, [row[1] for row in LIMITS]))
    return {row[0]: r for row, r in zip(LIMITS, done)}


@pytest.mark.parametrize(("label", "argv", "line"), LIMITS, ids=[row[0] for row in LIMITS])
def test_limits_on_the_command_line(ran: dict[str, tuple[int, str, str, int]], folder: Path,
                                    label: str, argv: list[str], line: str) -> None:
    status, out, err, peak_kib = ran[label]
    assert status == 2 and out == "", (status, out, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(line.format(d=folder)), err
    assert peak_kib < 500 * 1024, peak_kib


# ---------------------------------------------------------------- valid files are read


@pytest.mark.parametrize(("label", "data"), [
    ("UTF-8 with a BOM", b"\xef\xbb\xbf# caf\xc3\xa9\n" + GOOD.encode()),
    ("PEP 263 latin-1", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + GOOD.encode()),
    ("PEP 263 utf-8 and a BOM", b"\xef\xbb\xbf# coding: utf-8\n" + GOOD.encode()),
], ids=["bom", "latin-1", "bom+coding"])
def test_files_python_accepts_are_accepted(tmp_path: Path, label: str, data: bytes) -> None:
    (tmp_path / "m.py").write_bytes(data)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "derive", "verify", "m.py", "--json",
                        "--no-prove"], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["gradients"]["x"]["verdict"] == "ok"
    assert not (tmp_path / "__pycache__").exists()  # nothing written beside the user's file


# ---------------------------------------------------------------- the Python API

F = (lambda x: np.sum(x ** 2))  # noqa: E731 - a one-line forward for the API rows
B = (lambda x: {"x": 2 * x})  # noqa: E731

API: list[tuple[str, dict[str, object], str]] = [
    ("seed None", {"seed": None},
     "seed must be an integer in [0, 4294967295], got None (NoneType)"),
    ("seed 1.5", {"seed": 1.5}, "seed must be an integer in [0, 4294967295], got 1.5 (float)"),
    ("seed 'a'", {"seed": "a"}, "seed must be an integer in [0, 4294967295], got 'a' (str)"),
    ("seed -1", {"seed": -1}, "seed must be an integer in [0, 4294967295], got -1"),
    ("seed True", {"seed": True}, "seed must be an integer in [0, 4294967295], got True (bool)"),
    ("points 10**11", {"points": 10**11}, "points must be at most 1000, got 100000000000"),
    ("points 2.0", {"points": 2.0}, "points must be a positive integer, got 2.0"),
    ("shape 10**10 entries", {"shapes": {"x": (10**5, 10**5)}},
     "shapes['x']: 10,000,000,000 entries (74.5 GiB as float64)"),
    ("200 points of 1000x1000", {"shapes": {"x": (1000, 1000)}, "points": 200},
     "200 points at x=1000x1000 take 1.49 GiB as float64"),
    ("shape of 33 dimensions", {"shapes": {"x": (1,) * 33}},
     "shapes['x']: 33 dimensions, more than 32"),
]


@pytest.mark.parametrize(("label", "kw", "message"), API, ids=[a[0] for a in API])
def test_limits_through_the_api(label: str, kw: dict[str, object], message: str) -> None:
    kw = {"shapes": {"x": (3,)}, **kw}
    with pytest.raises(InputError) as info:
        verify(F, B, prove=False, **kw)  # type: ignore[arg-type]
    assert str(info.value).startswith(message), str(info.value)


def test_the_limits_are_documented() -> None:
    text = (ROOT / "docs" / "robustness.md").read_text()
    assert f"{len(LIMITS)} refused inputs" in text
    assert f"`InputError` ({len(API)} rows)" in text
    for label, _, _ in LIMITS:
        assert f"| {label} |" in text, label
    for value in (f"{LIM.MAX_POINTS}", f"{LIM.MAX_HIDDEN:,}", f"{LIM.MAX_DIMS}", "256 MiB",
                  "10 MiB", f"{LIM.DEFAULT_TIMEOUT:g} s"):
        assert value in text, value


# ---------------------------------------------------------------- signals, pages, our bugs


def test_sigterm_cleans_up_like_ctrl_c(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    """The handler main() installs turns SIGTERM into an exception: the report's staging
    folder is removed on the way out, as on Ctrl-C, and the status is 143."""
    from derive.reports import build, cmd_list

    seen: list[Path] = []

    def run(args: object) -> int:
        with build._staging(tmp_path / "report") as tmp:
            seen.append(tmp)
            assert tmp.is_dir()
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the signal arrives before this ends
        return 0

    monkeypatch.setattr(cmd_list, "run", run)
    assert cli.main(["list"]) == 143
    assert capsys.readouterr().err == "derive: terminated\n"
    assert seen and not seen[0].exists() and list(tmp_path.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) is not cli._on_sigterm  # restored after main


def test_an_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    from derive.reports import cmd_list

    def run(args: object) -> int:
        return {}["a bug of ours"]  # type: ignore[return-value]

    monkeypatch.setattr(cmd_list, "run", run)
    assert cli.main(["list"]) == 2
    err = capsys.readouterr().err
    assert err == ("derive: internal error: KeyError: 'a bug of ours' at "
                   f"badinput/test_limits.py:{run.__code__.co_firstlineno + 1} (please report)\n")


def test_an_internal_error_in_the_check_is_one_line(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A bug inside the child process (here: verify_module itself) is reported the same way."""
    import derive.verify

    def broken(*args: object, **kw: object) -> object:
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(derive.verify, "verify_module", broken)
    (tmp_path / "m.py").write_text(GOOD)
    assert cli.main(["verify", str(tmp_path / "m.py")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("derive: internal error: ZeroDivisionError: a bug of ours at "
                                   "badinput/test_limits.py:")
    assert captured.err.endswith(" (please report)\n") and captured.err.count("\n") == 1


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_the_html_page_follows_the_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         umask: int, mode: int) -> None:
    (tmp_path / "m.py").write_text(GOOD)
    page = tmp_path / "page.html"
    old = os.umask(umask)
    try:
        assert cli.main(["verify", str(tmp_path / "m.py"), "--html", str(page),
                         "--no-prove"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(page.stat().st_mode) == mode
    assert f"wrote {page}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
