"""`derive show` prints lines a terminal can hold: wrapped, and one sample of long entries."""

from __future__ import annotations

from derive.reports.cmd_show import WIDTH, show_lines, wrapped

from derive.check import check_case


def test_three_layer_prints_readable_lines() -> None:
    lines = wrapped(show_lines(check_case("three-layer", prove=False)))
    assert max(map(len, lines)) <= WIDTH  # was 1757 characters
    assert len(lines) < 150  # one sample entry per gradient, not 12 walls of symbols
    assert sum("one sample entry" in line for line in lines) == 3
    assert any("more entries as long" in line for line in lines)


def test_wrapping_keeps_the_indent_and_every_word() -> None:
    line = "    ∂L/∂w = " + " + ".join(f"x_{i}*w_{i}" for i in range(60))
    out = wrapped([line, "short"])
    assert out[-1] == "short" and all(len(x) <= WIDTH for x in out)
    assert all(x.startswith("        ") for x in out[1:-1])
    assert " ".join(x.strip() for x in out[:-1]) == line.strip()
