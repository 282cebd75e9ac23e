"""Proofs kept on disk (issue 16: the first check in a process paid ~0.14 s of SymPy for a proof
that depends only on the graph's structure)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from derive import expr as E
from derive import proofcache
from derive.proof import AUTO_BUDGET, FULL_BUDGET, Proof

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _graph(scale: float) -> E.Node:
    X, W = E.leaf("X", (2, 3)), E.leaf("W", (3, 1))
    return E.mul(E.const(scale), E.matmul(X, W))


def test_the_key_follows_structure_constants_shapes_and_budget() -> None:
    shapes = {"X": (2, 3), "W": (3, 1)}
    key = proofcache.structure_key(_graph(2.0), ("W",), shapes, AUTO_BUDGET)
    assert key == proofcache.structure_key(_graph(2.0), ("W",), shapes, AUTO_BUDGET)
    assert key != proofcache.structure_key(_graph(3.0), ("W",), shapes, AUTO_BUDGET)
    assert key != proofcache.structure_key(_graph(2.0), ("X",), shapes, AUTO_BUDGET)
    assert key != proofcache.structure_key(_graph(2.0), ("W",), shapes, FULL_BUDGET)
    assert key != proofcache.structure_key(_graph(2.0), ("W",), {**shapes, "X": (3, 3)},
                                           AUTO_BUDGET)


def test_a_decided_proof_round_trips_and_a_refuted_one_is_never_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    good = {"W": Proof("W", True, 3, 0.01, "matrix form - elementwise = 0 in all 3 entries")}
    proofcache.store("k1", "proved", good)
    assert proofcache.load("k1") == ("proved", good)
    bad = {"W": Proof("W", False, 3, 0.01, "entries differ: [(0, 0)]")}
    proofcache.store("k2", "refuted", bad)
    assert proofcache.load("k2") is None
    (tmp_path / "k3.json").write_text("{not json")
    assert proofcache.load("k3") is None  # a damaged record is a miss, not a crash


def test_off_and_unwritable_folders_are_not_errors(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    good = {"W": Proof("W", True, 3, 0.01, "ok")}
    monkeypatch.setenv("DERIVE_CACHE_DIR", "off")
    assert proofcache.folder() is None
    proofcache.store("k", "proved", good)
    assert proofcache.load("k") is None
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(blocker / "below"))
    proofcache.store("k", "proved", good)  # cannot mkdir below a file: silently not kept
    assert proofcache.load("k") is None


def test_a_second_process_reads_the_proof_back(tmp_path: Path) -> None:
    env = {**os.environ, "DERIVE_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-m", "derive", "verify", str(EXAMPLES / "linear_regression.py")]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    proof = [line for line in first.stdout.splitlines() if "proof:" in line]
    kept = [line for line in second.stdout.splitlines() if "proof:" in line]
    assert proof and "every entry" in proof[0] and "kept from an earlier run" not in proof[0]
    assert kept == [proof[0] + " (kept from an earlier run)"]
    assert len(list(tmp_path.glob("*.json"))) == 1
    assert len(list(tmp_path.glob("drawn/*.json"))) == 1  # the drawn graph points at it


_NO_SYMPY = """
import sys
from derive import usermodule
from derive.verify import verify_module
r = verify_module(usermodule.load(sys.argv[1]))
print("sympy" in sys.modules, r.gradients["W"].proof.proved)
"""


def test_a_kept_proof_needs_no_sympy(tmp_path: Path) -> None:
    """SymPy costs ~0.3 s to import: a check whose proof was kept never imports it."""
    env = {**os.environ, "DERIVE_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-c", _NO_SYMPY, str(EXAMPLES / "linear_regression.py")]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.stdout.split() == ["True", "True"], first.stderr  # proved: SymPy ran
    assert second.stdout.split() == ["False", "True"], second.stderr  # kept: no SymPy


def test_the_documents_cases_keep_their_proofs_too(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The report proves each case once; later runs read the proof back (no SymPy work)."""
    import derive.check as DC

    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    first = DC.check_case("two-layer")
    assert all(g.proof is not None and g.proof.proved for g in first.gradients.values())

    def refuse(*args: object) -> None:
        raise AssertionError("proved again although the proof was kept")

    monkeypatch.setattr(DC, "_prove_now", refuse)
    again = DC.check_case("two-layer")
    assert {w: g.proof for w, g in again.gradients.items()} == \
        {w: g.proof for w, g in first.gradients.items()}


def test_a_rerun_at_the_same_points_reads_its_evidence_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same derivation at the same points (a test re-run) reuses the derived gradients,
    the directional checks and the Taylor slopes instead of computing them again."""
    import numpy as np

    from derive.verify import judge, verify

    def forward(W, X):
        return np.sum(np.tanh(X @ W) ** 2)

    def backward(W, X):
        t = np.tanh(X @ W)
        return {"W": X.T @ (2 * t * (1 - t * t))}

    shapes = {"W": (3, 2), "X": (5, 3)}
    first = verify(forward, backward, shapes, prove=False)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again at the same points")

    monkeypatch.setattr(judge, "taylor_remainder_slope", refuse)
    monkeypatch.setattr(judge._Context, "_suspects_now", refuse)
    again = verify(forward, backward, shapes, prove=False)
    assert again.gradients["W"].verdict == "ok"
    assert again.gradients["W"].expected is first.gradients["W"].expected  # kept, not redone
    assert not again.gradients["W"].expected.flags.writeable
    assert again.gradients["W"].taylor_slope == first.gradients["W"].taylor_slope

    def planted(W, X):  # a changed backward: its own Taylor test, not the kept one
        g = backward(W, X)
        g["W"][0, 0] += 0.1
        return g

    monkeypatch.setattr(judge, "taylor_remainder_slope", lambda *a, **k: (1.0, [], []))
    assert verify(forward, planted, shapes, prove=False).gradients["W"].taylor_slope == 1.0


def test_the_command_with_a_kept_proof_never_imports_sympy(tmp_path: Path) -> None:
    """`derive verify` prints its report without SymPy when the proof was kept: SymPy's
    import was 0.4 s of a 0.7 s command (reports/fix.py loaded it for --fix only)."""
    env = {**os.environ, "DERIVE_CACHE_DIR": str(tmp_path)}
    cmd = [sys.executable, "-X", "importtime", "-m", "derive", "verify",
           str(EXAMPLES / "linear_regression.py")]
    first = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    second = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == second.returncode == 0, second.stderr[-2000:]
    loaded = re.compile(r"\| +(sympy|matplotlib)$", re.MULTILINE)
    assert {m.group(1) for m in loaded.finditer(first.stderr)} == {"sympy"}  # proved now
    assert not loaded.search(second.stderr)
    assert "(kept from an earlier run)" in second.stdout
