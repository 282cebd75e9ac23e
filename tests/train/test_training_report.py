"""The training summary for the report: its structure, its plots and its cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from derive.numeric import train as NT
from derive.reports import training as RT
from derive.reports import training_plots as RP

RUN_KEYS = {"gradient", "label", "n_iter", "learning_rate", "batch_size", "seed", "mse", "r2",
            "final_loss", "seconds", "diverged_at", "batch_sizes", "weights"}


def test_summary_structure(summary) -> None:
    assert summary["schema"] == RT.SCHEMA and len(summary["key"]) == 64
    assert set(summary) == {"schema", "key", "data", "config", "sklearn", "models", "goals",
                            "notes", "plots", "plots_pdf"}
    assert all(isinstance(n, str) for n in summary["notes"])
    assert summary["config"]["hidden"] == NT.HIDDEN
    assert summary["config"]["documents"] == {"n_iter": 10000, "learning_rate": 0.001,
                                              "batch_size": 23, "seed": 42}
    assert set(summary["models"]) == {"linear", "two-layer"}
    for record in summary["models"].values():
        assert set(record["runs"]) == {"verified", "as-printed", "rescaled", "documents"}
        for run in record["runs"].values():
            assert set(run) == RUN_KEYS
        assert record["checker"]["rows"] == 5
        assert record["checker"]["message"].startswith("scaled by")
    weights = summary["models"]["two-layer"]["runs"]["verified"]["weights"]
    assert np.shape(weights["W1"]) == (summary["data"]["features"], NT.HIDDEN)
    assert json.loads(json.dumps(summary)) == summary  # plain data only


def test_summary_plots_have_pdf_twins_for_latex(summary) -> None:
    import base64

    assert set(summary["plots_pdf"]) == set(summary["plots"])
    for data in summary["plots_pdf"].values():
        pdf = base64.b64decode(data)
        assert pdf.startswith(b"%PDF") and b"CreationDate" not in pdf


def test_summary_plots_are_svg_documents(summary) -> None:
    assert set(summary["plots"]) == {"loss-linear", "loss-two-layer", "predicted"}
    for svg in summary["plots"].values():
        assert svg.startswith("<?xml") and "<svg" in svg and svg.rstrip().endswith("</svg>")
        assert len(svg) < 200_000  # thinned curves keep the report light


def test_the_cache_answers_without_training(summary, summary_cache, monkeypatch) -> None:
    monkeypatch.setattr(RT, "_summary", lambda *a, **k: pytest.fail("trained on a cache hit"))
    assert RT.training_summary(cache_dir=summary_cache) == summary
    files = list(Path(summary_cache).glob("training-*.json"))
    assert len(files) == 1 and files[0].name == f"training-{summary['key'][:20]}.json"


def stub(*args, **kwargs) -> dict:
    return {"schema": RT.SCHEMA, "key": "", "stub": True}


def test_other_parameters_miss_the_cache(summary, summary_cache, monkeypatch) -> None:
    monkeypatch.setattr(RT, "_summary", stub)
    other = RT.training_summary(cache_dir=summary_cache, config=NT.TrainConfig(n_iter=100))
    assert other["stub"] and other["key"] != summary["key"]


def test_a_damaged_cache_file_is_recomputed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(RT, "_summary", stub)
    first = RT.training_summary(cache_dir=tmp_path)
    path = tmp_path / f"training-{first['key'][:20]}.json"
    path.write_text("{not json", encoding="utf-8")
    assert RT.training_summary(cache_dir=tmp_path) == first
    assert json.loads(path.read_text(encoding="utf-8")) == first


def test_an_unwritable_cache_costs_only_speed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(RT, "_summary", stub)

    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(RT, "write_atomic", refuse)
    assert RT.training_summary(cache_dir=tmp_path)["stub"]


def test_default_cache_dir_is_a_user_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "mine"))
    assert RT.default_cache_dir() == tmp_path / "mine"  # the proofs' folder, one for all
    monkeypatch.setenv("DERIVE_CACHE_DIR", "off")
    assert RT.default_cache_dir() is None
    monkeypatch.delenv("DERIVE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert RT.default_cache_dir() == tmp_path / "derive"
    monkeypatch.delenv("XDG_CACHE_HOME")
    folder = RT.default_cache_dir()
    assert folder == Path.home() / ".cache" / "derive"
    assert Path(RT.__file__).parent.parent not in folder.parents


def test_moving_average() -> None:
    np.testing.assert_allclose(RP.moving_average(np.array([2.0, 4.0, 6.0, 8.0]), window=2),
                               [2.0, 3.0, 5.0, 7.0])
    assert RP.moving_average(np.array([])).size == 0


def test_batch_counts_keep_first_appearance_order() -> None:
    assert RT.batch_counts(np.array([23, 23, 9, 3, 3, 3])) == [[23, 2], [9, 1], [3, 3]]


def test_checker_factors() -> None:
    linear = RT.checker_factor("linear")
    assert (linear["factor"], linear["rows"], linear["per_row"]) == (5.0, 5, 1.0)
    assert linear["message"] == "scaled by 5 (a missing 1/N?)"
    two = RT.checker_factor("two-layer")
    assert (two["factor"], two["per_row"]) == (2.5, 0.5)


def test_derive_report_includes_the_training_section(summary, tmp_path: Path,
                                                     monkeypatch) -> None:
    """`derive report` (no arguments beyond the folder) asks for the cached summary."""
    from derive.reports.cli import main

    import derive.check as DC

    real_check = DC.check
    monkeypatch.setattr(DC, "check", lambda *a, **k: real_check(["square"], prove=False))
    asked = tmp_path / "asked"  # a file: the report may ask from a child process

    def cached(*args, **kwargs):
        with asked.open("a") as f:
            f.write("asked\n")
        return summary

    monkeypatch.setattr(RT, "training_summary", cached)
    out = tmp_path / "report"
    assert main(["report", "--out", str(out), "--format", "html,tex", "--quiet"]) == 0
    page = (out / "index.html").read_text(encoding="utf-8")
    tex = (out / "derivations.tex").read_text(encoding="utf-8")
    for name in summary["plots_pdf"]:
        assert f"figures/training-{name}.pdf" in tex
        assert (out / "figures" / f"training-{name}.pdf").read_bytes().startswith(b"%PDF")
    assert asked.read_text().splitlines() == ["asked"]
    assert 'id="training"' in page
    linear = summary["models"]["linear"]["runs"]["verified"]["mse"]
    assert f"{linear:.2f}" in page
