"""``derive train``: output, progress bar, plots that never replace a user's file, errors."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from derive.numeric import data as ND
from derive.numeric import train as NT
from derive.reports.cli import main
from derive.reports.cmd_train import MANIFEST, ProgressBar, write_plots


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["train", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_prints_scores_beside_sklearn(capsys) -> None:
    code, out, err = run(capsys, "linear", "--iterations", "400", "--quiet")
    assert code == 0 and err == ""
    assert "gradient: verified (the documents' backward pass, corrected)" in out
    assert "400 iterations, seed 42" in out
    assert "test MSE" in out and "least squares (LinearRegression)" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(capsys) -> None:
    """Issue 15: no \\r progress bars in a log; on a terminal, the bar on stderr."""
    code, _, err = run(capsys, "two-layer", "--hidden", "5", "--iterations", "300")
    assert code == 0 and "\r" not in err and err == ""
    from derive.reports import cmd_train

    args = cmd_train.add_parser(__import__("argparse").ArgumentParser().add_subparsers()
                                ).parse_args(["two-layer", "--hidden", "5", "--iterations", "300"])
    out, term = io.StringIO(), _Terminal()
    assert cmd_train.run(args, out, term) == 0
    err = term.getvalue()
    assert err.startswith("\r[") and err.endswith("] 300/300 loss " + err.rsplit(" ", 1)[1])
    assert err.count("\r") == 300  # redrawn every max(1, 300 // BAR_UPDATES) = 1 step


def test_progress_bar_drawing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(4, stream, updates=2, width=10)
    for i, loss in enumerate([4.0, 2.0, 1.0, 3.0]):
        bar(NT.Step(i, 4, loss, np.zeros((1, 1)), np.zeros((1, 1)), {}, {}))
    bar.close()
    assert stream.getvalue() == "\r[#####     ] 2/4 loss 3\r[##########] 4/4 loss 2\n"


def test_as_printed_defaults_to_the_documents_run(capsys) -> None:
    code, out, _ = run(capsys, "linear", "--gradient", "as-printed", "--quiet")
    assert code == 0
    assert "10000 iterations" in out
    assert "ours (as-printed)" in out and "21.9622   0.7053" in out
    assert "the documents print (as printed, 10000 it.)     21.9622   0.7053" in out


def test_rescaled_names_the_checkers_constant(capsys) -> None:
    code, out, _ = run(capsys, "two-layer", "--gradient", "rescaled", "--iterations", "50",
                       "--quiet")
    assert code == 0
    assert "c(N) = 0.5 N (checker: scaled by 2.5 (a missing 2/N?) at N = 5)" in out


def test_plots_are_written_and_rewritten_but_never_over_a_users_file(capsys, tmp_path) -> None:
    folder = tmp_path / "plots"
    code, out, _ = run(capsys, "linear", "--iterations", "200", "--quiet", "--plots", str(folder))
    assert code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert names == [MANIFEST, "linear-verified-loss.png", "linear-verified-loss.svg",
                     "linear-verified-predicted.png", "linear-verified-predicted.svg"]
    assert f"plots: {folder / 'linear-verified-loss.svg'}" in out
    assert (folder / "linear-verified-loss.svg").read_text().startswith("<?xml")
    assert (folder / "linear-verified-loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run(capsys, "linear", "--iterations", "200", "--quiet", "--plots", str(folder))[0] == 0

    (folder / "linear-verified-predicted.png").write_bytes(b"my own picture")
    code, out, err = run(capsys, "linear", "--iterations", "200", "--quiet", "--plots",
                         str(folder))
    assert code == 2
    assert err == (f"derive: error: {folder / 'linear-verified-predicted.png'} exists and was "
                   "not written by derive train; move it or choose another --plots folder\n")
    assert (folder / "linear-verified-predicted.png").read_bytes() == b"my own picture"


def test_write_plots_refuses_a_file_as_folder(tmp_path: Path) -> None:
    from derive.errors import OutputError

    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        write_plots(target, {"a.svg": b"<svg/>"})


@pytest.mark.parametrize(("argv", "message"), [
    (["--iterations", "0"], "--iterations must be at least 1, got 0"),
    (["--learning-rate", "-1"], "--learning-rate must be positive and finite, got -1.0"),
    (["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
    (["--seed", "-3"], "--seed must be in [0, 2**32), got -3"),
])
def test_bad_options_are_one_line(capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "linear", *argv)
    assert code == 2 and out == ""
    assert err == f"derive: error: {message}\n"


def test_bad_hidden_is_one_line(capsys) -> None:
    code, _, err = run(capsys, "two-layer", "--hidden", "0")
    assert (code, err) == (2, "derive: error: --hidden must be at least 1, got 0\n")


def test_unknown_model_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["train", "cnn"])
    assert info.value.code == 2
    assert "invalid choice: 'cnn'" in capsys.readouterr().err


def test_damaged_boston_file_is_one_line(capsys, monkeypatch, tmp_path) -> None:
    fake = tmp_path / "boston.csv"
    fake.write_text('"A","MEDV"\n1,2\n', encoding="utf-8")
    monkeypatch.setattr(ND, "boston_csv_path", lambda: fake)
    code, _, err = run(capsys, "linear", "--data", "boston")
    assert code == 2
    assert err.startswith(f"derive: error: {fake}: SHA-256 expected 04ea3ed0aa63..., got ")
    assert err.endswith("(a damaged install: reinstall derive-check)\n") and err.count("\n") == 1


def test_divergence_exits_1(capsys) -> None:
    code, out, _ = run(capsys, "linear", "--gradient", "as-printed", "--learning-rate", "1",
                       "--quiet")
    assert code == 1
    assert "training diverged: loss not finite at iteration" in out
