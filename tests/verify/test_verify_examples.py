"""Every example module gives the verdict its docstring promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive.errors import UserCodeError
from derive.usermodule import load
from derive.verify import verify_module

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

EXPECTED = {
    "matrix_sum": {"X": ("ok", None, None), "W": ("ok", None, None)},
    "linear_regression": {"W": ("ok", None, None), "B": ("ok", None, None)},
    "linear_regression_as_printed": {"W": ("wrong", "scaled", 8.0),
                                     "B": ("wrong", "scaled", 8.0)},
    "two_layer": {k: ("ok", None, None) for k in ("W1", "B1", "W2", "B2")},
    "two_layer_as_printed": {"W1": ("wrong", "scaled", 4.0), "B1": ("wrong", "collapsed", 4.0),
                             "W2": ("wrong", "scaled", 4.0), "B2": ("wrong", "scaled", 4.0)},
    "three_layer": {k: ("ok", None, None) for k in ("W1", "W2", "W3")},
    "relu_kink": {k: ("nondifferentiable", "nondifferentiable", None) for k in ("X", "W")},
    "two_layer_big": {k: ("ok", None, None) for k in ("W1", "B1", "W2", "B2")},
}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_example_verdicts(stem: str) -> None:
    r = verify_module(load(EXAMPLES / f"{stem}.py"), prove=False)
    got = {k: (g.verdict, g.diagnosis, g.factor) for k, g in r.gradients.items()}
    assert got == EXPECTED[stem]
    assert r.fallback_reason is None


def test_every_example_is_listed() -> None:
    stems = {p.stem for p in EXAMPLES.glob("*.py")}
    assert stems == set(EXPECTED) | {"three_layer_as_printed"}


def test_three_layer_as_printed_raises_where_the_post_is_wrong() -> None:
    with pytest.raises(UserCodeError, match=r"^backward raised ValueError: matmul: .*"
                                            r"\(three_layer_as_printed\.py:\d+\)$"):
        verify_module(load(EXAMPLES / "three_layer_as_printed.py"), prove=False)


def test_big_example_checks_every_entry_with_a_sample_of_differences() -> None:
    r = verify_module(load(EXAMPLES / "two_layer_big.py"), prove=False)
    assert r.shapes["X"] == (1024, 13)
    assert "at 64 of 832 entries" in r.gradients["W1"].validation


def test_the_checked_line_counts_the_entries_of_every_gradient() -> None:
    """W1 3x4, B1 1x4, W2 4x1, B2 1x1: 21 entries differenced, not the first gradient's 12."""
    from derive.reports.verify_text import human

    r = verify_module(load(EXAMPLES / "two_layer.py"), prove=False)
    assert [g.differenced for g in r.gradients.values()] == [(12, 12), (4, 4), (4, 4), (1, 1)]
    assert "per entry at 21 of 21 entries" in human(r)
    big = verify_module(load(EXAMPLES / "two_layer_big.py"), prove=False)
    sampled = sum(g.differenced[0] for g in big.gradients.values())
    total = sum(g.differenced[1] for g in big.gradients.values())
    assert total == sum(g.expected.size for g in big.gradients.values()) and sampled < total
    assert f"per entry at {sampled} of {total} entries" in human(big)
