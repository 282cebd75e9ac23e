"""Confirmations kept on disk (issue 16: the per-entry finite differences that confirm a
derivation were ~40 ms of the two-layer network's 100 ms first call, redone by every process
although they depend only on the traced graph)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest

from derive import deltas
from derive.verify import judge, kept, proving, verify
from derive.verify.judge import _Context

DV = importlib.import_module("derive.verify.derivation")  # the package re-exports a function

SHAPES = {"X": (40, 6), "W": (6, 5), "V": (5, 1)}


def forward(X, W, V):
    return np.mean(np.tanh(X @ W) @ V)


def backward(X, W, V):
    t = np.tanh(X @ W)
    dP = np.full((X.shape[0], 1), 1.0 / X.shape[0])
    dT = dP @ V.T * (1 - t * t)
    return {"W": X.T @ dT, "V": t.T @ dP}


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a later process starts with: no derivation in memory."""
    monkeypatch.setattr(DV, "_CACHE", type(DV._CACHE)())


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("differenced again although the confirmation was kept")


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path))
    _new_process(monkeypatch)
    return tmp_path


def test_a_later_process_reads_the_confirmation_back(folder: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first = verify(forward, backward, SHAPES)
    assert first.ok and len(list((folder / "confirmed").glob("*.json"))) == 1
    _new_process(monkeypatch)
    monkeypatch.setattr(deltas, "central_differences", _refuse)
    monkeypatch.setattr(_Context, "_entries_disagree", _refuse)
    again = verify(forward, backward, SHAPES)
    assert again.ok
    for w in ("W", "V"):  # the same verdict, sample size and stated chance of a miss
        a, b = first.gradients[w], again.gradients[w]
        assert (a.verdict, a.differenced, a.miss_probability, a.validation) == \
            (b.verdict, b.differenced, b.miss_probability, b.validation)
    assert first.gradients["W"].differenced == (30, 30)


def test_a_wrong_backward_is_still_found_with_the_confirmation_kept(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The confirmation is about derive's derivation: the user's backward is judged anew."""
    verify(forward, backward, SHAPES)
    _new_process(monkeypatch)
    monkeypatch.setattr(deltas, "central_differences", _refuse)

    def wrong(X, W, V):
        g = backward(X, W, V)
        g["W"] = g["W"].copy()
        g["W"][2, 3] *= 1.01
        return g

    r = verify(forward, wrong, SHAPES)
    assert r.gradients["W"].verdict == "wrong" and r.gradients["W"].entries == [(2, 3)]
    assert r.gradients["V"].verdict == "ok"


def test_a_disagreement_is_never_kept(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disagree(self: _Context, w: str, g: np.ndarray, k: int, chosen: list) -> list:
        return list(chosen[:1]) if w == "W" else []

    monkeypatch.setattr(_Context, "_entries_disagree", disagree)
    r = verify(forward, backward, SHAPES, prove=False)
    assert r.gradients["W"].numeric_only and not r.gradients["V"].numeric_only
    records = list((folder / "confirmed").glob("*.json"))
    assert len(records) == 1
    assert kept.load(f"confirmed/{records[0].stem}") == {"V": 5}


def test_other_settings_or_another_graph_are_differenced_anew(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    verify(forward, backward, SHAPES, prove=False)
    calls = []
    real = judge._Context._entries_disagree

    def counting(self: _Context, *args: object) -> list:
        calls.append(args[0])
        return real(self, *args)

    monkeypatch.setattr(_Context, "_entries_disagree", counting)
    for eps in (None, 1e-5):  # a new process: the same settings read back, another eps not
        _new_process(monkeypatch)
        verify(forward, backward, SHAPES, prove=False, eps=eps)
    assert sorted(calls) == ["V", "W"]
    _new_process(monkeypatch)
    verify(forward, backward, {**SHAPES, "X": (41, 6)}, prove=False)  # another shape
    assert sorted(calls) == ["V", "V", "W", "W"]


def test_nothing_is_kept_with_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DERIVE_CACHE_DIR", "off")
    _new_process(monkeypatch)
    assert verify(forward, backward, SHAPES).ok
    assert kept.load("confirmed/anything") == {}


def test_a_kept_proof_is_found_without_the_reduced_retrace(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The drawn graph's key points at the proof, so a later process skips tracing again at
    reduced shapes (and compiling there)."""
    first = verify(forward, backward, SHAPES, prove=True)
    assert first.gradients["W"].proof.proved
    _new_process(monkeypatch)
    monkeypatch.setattr(proving, "derivation", _refuse)
    again = verify(forward, backward, SHAPES, prove=True)
    assert again.gradients["W"].proof == first.gradients["W"].proof
    assert again.proof_note == first.proof_note + " (kept from an earlier run)"
    assert again.proof_shapes == first.proof_shapes


def test_a_damaged_or_forged_record_cannot_overstate_the_evidence(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    verify(forward, backward, SHAPES, prove=False)
    record = next((folder / "confirmed").glob("*.json"))
    kept.store(f"confirmed/{record.stem}", {"W": 10**9, "V": 0})  # V: 0 is no confirmation
    assert kept.load(f"confirmed/{record.stem}") == {"W": 10**9, "V": 5}
    record.write_text('{"format": 1, "sampled": {"W": 10000000000, "V": -3}}')
    _new_process(monkeypatch)
    r = verify(forward, backward, SHAPES, prove=False)
    assert r.gradients["W"].differenced == (30, 30)  # at most every entry
    assert r.gradients["V"].differenced == (5, 5)  # differenced again: no valid record
    record.write_text("not json")
    _new_process(monkeypatch)
    assert verify(forward, backward, SHAPES, prove=False).ok
