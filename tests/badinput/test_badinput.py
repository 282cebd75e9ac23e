"""Every bad input, through the command line and the Python API.

Each row of BAD is one input: the command, and the start of the one line it must give. The
command must exit with status 2, print exactly one line ``derive: error: ...`` (or argparse's
``derive ...: error: ...``) on stderr and nothing on stdout, show no traceback, and leave the
folder it ran in as it was (no half-written file, no file of the user's overwritten). The
table in docs/robustness.md lists the same rows. The API rows raise the project's own types.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from derive.reports.cli import main

from derive.errors import DeriveError, InputError, OutputError, UnknownCaseError, UserCodeError
from derive.usermodule import load, parse_shape
from derive.verify import verify, verify_module

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
import numpy as np
SHAPES = {"X": (4, 3), "W": (3, 2)}
def forward(X, W):
    return np.sum(np.tanh(X @ W))
def backward(X, W):
    return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}
"""

FILES = {
    "good.py": GOOD,
    "typo.py": "def forward(x):\n    return x +\n",
    "nofunc.py": ("import numpy as np\nSHAPES = {'x': (3,)}\n"
                  "def forward(x):\n    return np.sum(x)\n"),
    "shapes.py": GOOD.replace('"W": (3, 2)', '"W": (2, 2)'),
    "nan.py": GOOD + "def inputs(rng):\n    return {'X': np.full((4, 3), np.nan)}\n",
    "inf.py": GOOD + "def inputs(rng):\n    return {'W': np.full((3, 2), np.inf)}\n",
    "raises.py": GOOD.replace("return np.sum", "raise RuntimeError('boom')\n    return np.sum"),
    "raises_bw.py": GOOD.replace('return {"W"', 'return 1 / 0, {"W"'),
    "import_raises.py": "import numpy as np\nraise ImportError('no such thing')\n",
    "wrong_type.py": GOOD.replace('return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}',
                                  'return [X.T @ (1 - np.tanh(X @ W) ** 2)]'),
    "wrong_type2.py": GOOD.replace('return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}',
                                   'return {"W": "a string"}'),
    "not_scalar.py": GOOD.replace("return np.sum(np.tanh(X @ W))", "return np.tanh(X @ W)"),
    "exits.py": GOOD.replace("return np.sum", "raise SystemExit(3)\n    return np.sum"),
    "binary.py": b"\xff\xfe\x00\x01",
    "mine.html": "<p>the user's own page</p>\n",
    "notes.txt": "the user's own notes\n",
}

# (label, argv, start of the message). {d} is the working folder.
BAD: list[tuple[str, list[str], str]] = [
    ("missing file", ["verify", "nope.py"], "no such file: {d}/nope.py"),
    ("a folder for a file", ["verify", "."], "cannot read {d}: it is a directory"),
    ("not UTF-8", ["verify", "binary.py"], "cannot read {d}/binary.py: not UTF-8 text"),
    ("syntax error", ["verify", "typo.py"], "syntax error in typo.py:2: "),
    ("missing function", ["verify", "nofunc.py"],
     "nofunc.py defines no function 'backward'; it defines: SHAPES, forward"),
    ("missing --forward name", ["verify", "good.py", "--forward", "fwd"],
     "good.py defines no function 'fwd'"),
    ("wrong shapes", ["verify", "shapes.py"],
     "forward fails on the given shapes X=4x3, W=2x2: ValueError: matmul"),
    ("wrong --shape", ["verify", "good.py", "--shape", "W=5x2"],
     "forward fails on the given shapes X=4x3, W=5x2"),
    ("malformed --shape", ["verify", "good.py", "--shape", "W=3,2"], "malformed --shape 'W=3,2'"),
    ("--shape as code", ["verify", "good.py", "--shape", "W=__import__('os')"],
     "malformed --shape"),
    ("zero size in --shape", ["verify", "good.py", "--shape", "W=0x2"],
     "malformed --shape 'W=0x2': sizes must be positive"),
    ("NaN input", ["verify", "nan.py"], "input X is not finite at point 1: nan at index (0, 0)"),
    ("inf input", ["verify", "inf.py"], "input W is not finite at point 1: inf at index (0, 0)"),
    ("forward raises", ["verify", "raises.py"],
     "forward raised RuntimeError: boom (raises.py:4)"),
    ("backward raises", ["verify", "raises_bw.py"],
     "backward raised ZeroDivisionError: division by zero (raises_bw.py:6)"),
    ("module raises on import", ["verify", "import_raises.py"],
     "importing import_raises.py raised ImportError: no such thing (import_raises.py:2)"),
    ("user code calls exit", ["verify", "exits.py"], "forward raised SystemExit: 3"),
    ("backward returns a list", ["verify", "wrong_type.py"],
     "backward must return a dict mapping argument names to gradient arrays, got list"),
    ("forward returns an array", ["verify", "not_scalar.py"],
     "forward must return a scalar (a float or 0-d array), got shape (4, 2)"),
    ("--html beneath a file", ["verify", "good.py", "--html", "notes.txt/out.html"],
     "cannot write notes.txt/out.html: notes.txt is a file, not a folder"),
    ("--html over a user's page", ["verify", "good.py", "--html", "mine.html"],
     "refusing to overwrite mine.html: it is not a page derive wrote"),
    ("--html into a missing folder", ["verify", "good.py", "--html", "no/such/out.html"],
     "cannot write no/such/out.html: no/such does not exist"),
    ("unknown case (show)", ["show", "nosuch"], "unknown case 'nosuch'; known cases: square"),
    ("unknown case (check)", ["check", "nosuch"], "unknown case 'nosuch'; known cases: square"),
    ("report beneath a file", ["report", "--out", "notes.txt/sub", "--format", "html"],
     "cannot write the report to notes.txt/sub: {d}/notes.txt is a file"),
    ("report onto a file", ["report", "--out", "notes.txt", "--format", "html"],
     "cannot write the report to notes.txt: it is a file, not a folder"),
    ("report into a user's folder", ["report", "--out", "mine", "--format", "html"],
     "refusing to write into mine: it is not empty and is not an earlier report"),
    ("report: unknown format", ["report", "--format", "docx"], "unknown format docx"),
]

# argparse's own usage errors: one line, status 2, but its own prefix.
USAGE: list[tuple[str, list[str], str]] = [
    ("unknown case (train)", ["train", "nosuch"],
     "derive train: error: argument model: invalid choice: 'nosuch'"),
    ("unknown command", ["nosuch"], "derive: error: argument COMMAND: invalid choice: 'nosuch'"),
    ("bad --points", ["verify", "good.py", "--points", "many"],
     "derive verify: error: argument --points: invalid int value: 'many'"),
]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        p = tmp_path / name
        p.write_bytes(text) if isinstance(text, bytes) else p.write_text(text)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("my thesis\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*")) if "__pycache__" not in p.parts}


def _one_line(rc: int, out: str, err: str) -> str:
    assert rc == 2, (rc, out, err)
    assert out == "", out
    assert "Traceback" not in err and err.endswith("\n") and err.count("\n") == 1, err
    return err.rstrip("\n")


def _in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse
        rc = int(exc.code or 0)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize(("label", "argv", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_on_the_command_line(work: Path, capsys: pytest.CaptureFixture[str],
                                       label: str, argv: list[str], message: str) -> None:
    before = _snapshot(work)
    line = _one_line(*_in_process(argv, capsys))
    assert line.startswith("derive: error: " + message.format(d=work)), line
    assert _snapshot(work) == before  # nothing written, nothing overwritten
    leftovers = [p for p in work.parent.iterdir() if "derive-tmp" in p.name]
    assert not leftovers


@pytest.mark.parametrize(("label", "argv", "message"), USAGE, ids=[u[0] for u in USAGE])
def test_usage_errors(work: Path, capsys: pytest.CaptureFixture[str], label: str,
                      argv: list[str], message: str) -> None:
    before = _snapshot(work)
    line = _one_line(*_in_process(argv, capsys))
    assert line.startswith(message), line
    assert _snapshot(work) == before


@pytest.mark.parametrize("argv", [["verify", "nope.py"], ["verify", "typo.py"],
                                  ["verify", "raises.py"], ["show", "nosuch"],
                                  ["report", "--out", "mine", "--format", "html"]])
def test_as_a_real_process(work: Path, argv: list[str]) -> None:
    """python -m derive: the same one line and status 2, with no traceback from startup."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "derive", *argv], cwd=work, env=env,
                       capture_output=True, text=True, timeout=120)
    line = _one_line(p.returncode, p.stdout, p.stderr)
    assert line.startswith("derive: error: ")


def test_an_earlier_html_page_is_replaced(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, _ = _in_process(["verify", "good.py", "--html", "page.html", "--no-prove"], capsys)
    assert rc == 0 and (work / "page.html").exists()
    rc, _, _ = _in_process(["verify", "good.py", "--html", "page.html", "--no-prove"], capsys)
    assert rc == 0  # our own page: replaced, not refused


# ---------------------------------------------------------------- the Python API


def _f(X, W):
    return np.sum(np.tanh(X @ W))


def _b(X, W):
    return {"W": X.T @ (1 - np.tanh(X @ W) ** 2)}


SHAPES = {"X": (4, 3), "W": (3, 2)}

API: list[tuple[str, Callable[[], object], type[DeriveError], str]] = [
    ("forward not a function", lambda: verify(3, _b, SHAPES), InputError,
     "forward must be a function, got a int"),
    ("shape of an unknown name", lambda: verify(_f, _b, {**SHAPES, "Z": (2,)}), InputError,
     "a shape is given for 'Z', not an argument of forward (X, W)"),
    ("wrong shapes", lambda: verify(_f, _b, {"X": (4, 3), "W": (2, 2)}), InputError,
     "forward fails on the given shapes X=4x3, W=2x2"),
    ("malformed shape", lambda: verify(_f, _b, {"X": (4, 3), "W": "3x2"}), InputError,
     "shapes['W'] must be a tuple of sizes like (3, 2), got '3x2'"),
    ("negative size", lambda: verify(_f, _b, {"X": (4, 3), "W": (3, -2)}), InputError,
     "shapes['W']: sizes must be positive, got (3, -2)"),
    ("missing shape", lambda: verify(_f, _b, {"X": (4, 3)}), InputError, "no shape for 'W'"),
    ("NaN input", lambda: verify(_f, _b, inputs={"X": np.full((4, 3), np.nan),
                                                  "W": np.ones((3, 2))}), InputError,
     "input X is not finite at point 1: nan at index (0, 0)"),
    ("inf input", lambda: verify(_f, _b, SHAPES, inputs={"W": np.full((3, 2), -np.inf)}),
     InputError, "input W is not finite at point 1: -inf at index (0, 0)"),
    ("non-numeric input", lambda: verify(_f, _b, SHAPES, inputs={"W": [["a", "b"]] * 3}),
     InputError, "inputs gave 'W' of dtype <U1, not real numbers"),
    ("forward raises", lambda: verify(lambda X, W: 1 / 0, _b, SHAPES), UserCodeError,
     "forward raised ZeroDivisionError: division by zero"),
    ("backward raises", lambda: verify(_f, lambda X, W: {}[0], SHAPES), UserCodeError,
     "backward raised KeyError: 0"),
    ("backward returns a number", lambda: verify(_f, lambda X, W: 1.0, SHAPES), InputError,
     "backward must return a dict mapping argument names to gradient arrays, got float"),
    ("backward returns no names", lambda: verify(_f, lambda X, W: {}, SHAPES), InputError,
     "backward returned an empty dict: no gradient to check"),
    ("backward returns a stranger", lambda: verify(_f, lambda X, W: {"Q": 1}, SHAPES),
     InputError, "backward returned 'Q', which is not an argument of forward (X, W)"),
    ("points 0", lambda: verify(_f, _b, SHAPES, points=0), InputError,
     "points must be a positive integer, got 0"),
    ("fd unknown", lambda: verify(_f, _b, SHAPES, fd="some"), InputError,
     "fd must be one of sample, all, got 'some'"),
    ("missing file", lambda: load("/nonexistent/x.py"), InputError,
     "no such file: /nonexistent/x.py"),
    ("malformed --shape", lambda: parse_shape("X=3;import os"), InputError,
     "malformed --shape 'X=3;import os'"),
]


@pytest.mark.parametrize(("label", "call", "kind", "message"), API, ids=[a[0] for a in API])
def test_bad_input_through_the_api(label: str, call: Callable[[], object],
                                   kind: type[DeriveError], message: str) -> None:
    with pytest.raises(kind) as info:
        call()
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_wrong_gradient_types_are_wrong_not_crashes() -> None:
    """A backward whose dict holds a string, None or a ragged list: a verdict, not a crash."""
    for bad in ("a string", None, [[1.0, 2.0], [3.0]], np.ones((2, 3, 4))):
        r = verify(_f, lambda X, W, b=bad: {"W": b}, SHAPES, prove=False)
        assert r.gradients["W"].verdict == "wrong"


def test_api_module_errors(work: Path) -> None:
    with pytest.raises(InputError, match="^syntax error in typo.py:2: "):
        load(work / "typo.py")
    with pytest.raises(UserCodeError, match="^importing import_raises.py raised ImportError"):
        load(work / "import_raises.py")
    with pytest.raises(InputError, match="^nofunc.py defines no function 'backward'"):
        verify_module(load(work / "nofunc.py"))
    with pytest.raises(UnknownCaseError, match="^unknown case 'nosuch'; known cases: "):
        from derive.cases import get

        get("nosuch")
    with pytest.raises(OutputError, match="is a file, not a folder"):
        from derive.reports.build import check_target

        check_target(work / "notes.txt" / "sub")


def test_the_table_is_in_the_docs() -> None:
    text = (ROOT / "docs" / "robustness.md").read_text()
    for label, _, _ in BAD + USAGE:
        assert f"| {label} |" in text, label
