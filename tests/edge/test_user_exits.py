"""User code that exits, hangs, closes its streams or raises what ``except Exception`` misses.

Each row is a user module and the one line ``derive verify`` must give for it, run as a real
process (``python -m derive``): nothing the code does may end derive without that line. Exit
status 2 (130 for Ctrl-C), exactly one line on stderr, nothing on stdout, no traceback. The rows
run concurrently, a few at a time. docs/robustness.md lists the same rows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
import numpy as np
SHAPES = {"x": (3,)}
def forward(x):
    PRE
    return np.sum(x ** 2)
def backward(x):
    return {"x": 2 * x}
"""


def _module(pre: str = "pass", head: str = "") -> str:
    return head + BASE.replace("PRE", pre)


BAD_STR = ("class E(Exception):\n        def __str__(self):\n            raise ValueError('no')\n"
           "    raise E()")

# (label, module source, extra arguments, exit status, start of the line after "derive: ")
EXITS: list[tuple[str, str, list[str], int, str]] = [
    ("os._exit(0) at import", "import os\nos._exit(0)\n", [], 2,
     "error: your code ended the process (exit status 0, os._exit?) while importing m.py"),
    ("os._exit(0) in forward", _module("import os; os._exit(0)"), [], 2,
     "error: your code ended the process (exit status 0, os._exit?) while checking m.py"),
    ("os._exit(1) in forward", _module("import os; os._exit(1)"), [], 2,
     "error: your code ended the process (exit status 1, os._exit?) while checking m.py"),
    ("sys.exit(0) in forward", _module("import sys; sys.exit(0)"), [], 2,
     "error: forward raised SystemExit: 0 (m.py:4)"),
    ("sys.exit at import", "import sys\nsys.exit('bye')\n", [], 2,
     "error: importing m.py raised SystemExit: bye (m.py:2)"),
    ("a BaseException subclass", _module("class Stop(BaseException):\n        pass\n"
                                         "    raise Stop('halt')"), [], 2,
     "error: forward raised Stop: halt (m.py:6)"),
    ("GeneratorExit in forward", _module("raise GeneratorExit"), [], 2,
     "error: forward raised GeneratorExit (m.py:4)"),
    ("GeneratorExit in backward", BASE.replace("PRE", "pass").replace(
        '    return {"x": 2 * x}', "    raise GeneratorExit"), [], 2,
     "error: backward raised GeneratorExit (m.py:7)"),
    ("an exception whose str() raises", _module(BAD_STR), [], 2,
     "error: forward raised E: <unprintable E> (m.py:7)"),
    ("os.close(1) at import", "import os\nos.close(1)\n" + _module(), [], 2,
     "error: your code closed standard output (file descriptor 1)"),
    ("os.close(1) in forward, --json", _module("import os; os.close(1)"), ["--json"], 2,
     "error: forward raised OSError: [Errno 9] Bad file descriptor (m.py:4)"),
    ("sys.setrecursionlimit(30) at import", "import sys\nsys.setrecursionlimit(30)\n" + _module(),
     [], 2, "error: your code lowered the recursion limit to 30 (sys.setrecursionlimit); "
     "derive needs at least 1000"),
    ("sys.setrecursionlimit(30) in forward", _module("import sys; sys.setrecursionlimit(30)"),
     [], 2, "error: your code lowered the recursion limit to 30"),
    ("an endless loop at import", "while True:\n    pass\n", ["--timeout", "15"], 2,
     "error: the check did not finish within 15 s (--timeout) while importing m.py: an "
     "endless loop?"),
    ("an endless loop in forward", _module("while True:\n        pass"), ["--timeout", "15"], 2,
     "error: the check did not finish within 15 s (--timeout) while checking m.py"),
    ("the process kills itself", _module("import os, signal; os.kill(os.getpid(), "
                                         "signal.SIGSEGV)"), [], 2,
     "error: the check was killed by SIGSEGV while checking m.py"),
    ("KeyboardInterrupt in forward", _module("raise KeyboardInterrupt"), [], 130,
     "interrupted"),
    ("forward returns None", _module().replace("return np.sum(x ** 2)", "return None"), [], 2,
     "error: forward returned None: a missing return statement?"),
    ("async forward", _module().replace("def forward", "async def forward"), [], 2,
     "error: forward is an async function (async def): derive calls it as plain numpy code"),
    ("async backward", _module().replace("def backward", "async def backward"), [], 2,
     "error: backward is an async function (async def)"),
    ("complex forward", _module().replace("np.sum(x ** 2)", "np.sum(x ** 2) + 1j"), [], 2,
     "error: forward returned a complex number: gradients are checked for real functions"),
    ("forward returns 10**400", _module().replace("return np.sum(x ** 2)", "return 10 ** 400"),
     [], 2, "error: forward returned an integer too large for a float64 (about 2**1329)"),
    ("inputs(rng) too big", _module().replace('SHAPES = {"x": (3,)}\n', "") +
     "def inputs(rng):\n    return {'x': np.zeros((6000, 6000))}\n", [], 2,
     "error: input x: 36,000,000 entries (275 MiB as float64); the inputs of one point may "
     "take at most 256 MiB as float64"),
    ("zero-size input", _module().replace('SHAPES = {"x": (3,)}\n', "") +
     "def inputs(rng):\n    return {'x': np.zeros((0, 2))}\n", [], 2,
     "error: input x has no entries (shape 0x2): give every size at least 1"),
]


def _derive(args: list[str], cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.update(kw.pop("env", {}))  # type: ignore[arg-type]
    return subprocess.run([sys.executable, "-m", "derive", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, **kw)  # type: ignore


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every row, run concurrently: label -> the finished process."""
    base = tmp_path_factory.mktemp("exits")

    def one(i: int) -> subprocess.CompletedProcess[str]:
        _, source, extra, _, _ = EXITS[i]
        folder = base / str(i)
        folder.mkdir()
        (folder / "m.py").write_text(source)
        return _derive(["verify", "m.py", "--no-prove", *extra], folder)

    with ThreadPoolExecutor(max_workers=4) as pool:
        done = list(pool.map(one, range(len(EXITS))))
    return {row[0]: p for row, p in zip(EXITS, done)}


def _one_line(p: subprocess.CompletedProcess[str], status: int = 2) -> str:
    assert p.returncode == status, (p.returncode, p.stdout, p.stderr)
    assert p.stdout == "", p.stdout
    assert "Traceback" not in p.stderr and p.stderr.count("\n") == 1, p.stderr
    return p.stderr.rstrip("\n")


@pytest.mark.parametrize(("label", "source", "extra", "status", "line"), EXITS,
                         ids=[e[0] for e in EXITS])
def test_user_code_that_exits_or_hangs(ran: dict[str, subprocess.CompletedProcess[str]],
                                       label: str, source: str, extra: list[str], status: int,
                                       line: str) -> None:
    got = _one_line(ran[label], status)
    assert got.startswith("derive: " + line), got


# ---------------------------------------------------------------- output


def test_json_stdout_holds_only_the_json(tmp_path: Path) -> None:
    """The user's prints, at import and in forward, and a replaced sys.stdout: all on stderr."""
    (tmp_path / "m.py").write_text(
        "import sys\nprint('noise at import')\n"
        + _module("print('noise in forward'); sys.stdout = open('/dev/null', 'w')"))
    p = _derive(["verify", "m.py", "--json", "--no-prove"], tmp_path)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["ok"] is True and data["gradients"]["x"]["verdict"] == "ok"
    assert "noise at import" in p.stderr and "noise in forward" in p.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("argv", [["list"], ["show", "linear"],
                                  ["verify", "m.py", "--json", "--no-prove"]])
def test_unwritable_stdout_is_one_line(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "m.py").write_text(_module())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "derive", *argv], cwd=tmp_path, env=env,
                           stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 2
    assert p.stderr == "derive: error: cannot write to standard output: No space left on device\n"


def test_any_output_encoding(tmp_path: Path) -> None:
    """cp1252 has no ∂ or σ: they become '?', the command does not crash."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "cp1252"}
    p = subprocess.run([sys.executable, "-m", "derive", "show", "linear"], cwd=tmp_path,
                       env=env, capture_output=True, timeout=120)
    assert p.returncode == 0 and p.stderr == b""
    out = p.stdout.decode("cp1252")
    assert "?L/?" in out and "§1.3" in out  # ∂ is not in cp1252, § is


def test_a_long_name_is_cut(tmp_path: Path) -> None:
    name = "a" * 100_000
    (tmp_path / "m.py").write_text(
        f"import numpy as np\nSHAPES = {{'{name}': (3,)}}\n"
        f"def forward({name}):\n    return np.sum({name} ** 2)\n"
        f"def backward({name}):\n    return {{'{name}': 3 * {name}}}\n")
    p = _derive(["verify", "m.py", "--no-prove"], tmp_path)
    assert p.returncode == 1 and name not in p.stdout
    assert "a" * 77 + "... (100000 characters)" in p.stdout
    assert max(len(line) for line in p.stdout.splitlines()) < 400


def test_global_state_set_at_import_is_not_blamed_on_derive(tmp_path: Path) -> None:
    """warnings as errors, numpy raising on every warning, numpy ints in SHAPES: still a
    verdict (derive's settings are restored after the import)."""
    (tmp_path / "m.py").write_text(
        "import numpy as np, warnings\nwarnings.simplefilter('error')\nnp.seterr(all='raise')\n"
        "SHAPES = {'x': (np.int64(3),)}\n"
        "def forward(x):\n    return np.sum(np.log(np.abs(x)))\n"
        "def backward(x):\n    return {'x': 1 / x}\n")
    p = _derive(["verify", "m.py", "--json"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["gradients"]["x"]["verdict"] == "ok"


def test_the_rows_are_in_the_docs() -> None:
    text = (ROOT / "docs" / "robustness.md").read_text()
    assert f"{len(EXITS)} user modules, each run as a real process" in text
    for label, *_ in EXITS:
        assert f"| {label} |" in text, label


def test_without_fork_the_same_lines(tmp_path: Path) -> None:
    """Where os.fork does not exist (Windows) the check runs in-process: the user's exception
    is still one line, and --json still keeps the user's prints off stdout."""
    run = ("import os, sys\ndel os.fork\nfrom derive.reports.cli import main\n"
           "sys.exit(main(sys.argv[1:]))\n")
    (tmp_path / "run.py").write_text(run)
    (tmp_path / "noisy.py").write_text(_module("print('noise in forward')"))
    (tmp_path / "stop.py").write_text(_module("class Stop(BaseException):\n        pass\n"
                                              "    raise Stop('halt')"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def derive(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "run.py", "verify", *argv, "--no-prove"],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)

    p = derive("noisy.py", "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["ok"] is True
    assert "noise in forward" in p.stderr
    p = derive("stop.py")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == "derive: error: forward raised Stop: halt (stop.py:6)\n"
