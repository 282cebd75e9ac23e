"""Loading user modules and parsing --shape: every failure is one clear line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive.errors import InputError, UserCodeError
from derive.usermodule import call, load, one_line, parse_shape, parse_shapes, validate_shapes

MODULES = Path(__file__).resolve().parent / "modules"


@pytest.mark.parametrize(("text", "expected"), [
    ("X=3x2", ("X", (3, 2))),
    ("b=3", ("b", (3,))),
    ("x=scalar", ("x", ())),
    ("T_1=1x3x2", ("T_1", (1, 3, 2))),
    (" W=10x1 ", ("W", (10, 1))),
])
def test_parse_shape(text: str, expected: tuple[str, tuple[int, ...]]) -> None:
    assert parse_shape(text) == expected


@pytest.mark.parametrize("text", [
    "X", "X=", "=3x2", "X=3,2", "X=3x", "X=3X2", "X=(3, 2)", "1X=3", "X=3x2;import os",
    "X=__import__('os')", "X=-3", "X=scalarx2",
])
def test_parse_shape_rejects_by_name(text: str) -> None:
    with pytest.raises(InputError, match=r"malformed --shape") as info:
        parse_shape(text)
    assert "\n" not in str(info.value)


def test_parse_shape_zero_size() -> None:
    with pytest.raises(InputError, match="sizes must be positive"):
        parse_shape("X=3x0")


def test_later_shape_wins() -> None:
    assert parse_shapes(["X=3x2", "X=4x2"]) == {"X": (4, 2)}


@pytest.mark.parametrize(("raw", "message"), [
    ([("X", (3, 2))], "must be a dict"),
    ({"X": (3, "2")}, "must be a tuple of sizes"),
    ({"X": (3, 0)}, "sizes must be positive"),
    ({1: (3,)}, "is not an argument name"),
])
def test_validate_shapes(raw: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        validate_shapes(raw, "SHAPES")


def test_validate_shapes_forms() -> None:
    assert validate_shapes({"a": 3, "b": "scalar", "c": [2, 2], "d": ()}, "S") == \
        {"a": (3,), "b": (), "c": (2, 2), "d": ()}


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load(tmp_path / "nope.py")


def test_load_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="it is a directory"):
        load(tmp_path)


def test_load_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "latin1.py"
    p.write_bytes(b"# caf\xe9\nx = 1\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load(p)


def test_load_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "secret.py"
    p.write_text("x = 1\n")
    p.chmod(0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        with pytest.raises(InputError, match="cannot read"):
            load(p)
    finally:
        p.chmod(0o644)


def test_load_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "broken.py"
    p.write_text("import numpy as np\n\ndef forward(x:\n    return x\n")
    with pytest.raises(InputError, match=r"syntax error in broken\.py:3"):
        load(p)


def test_load_import_error_gives_type_text_and_line() -> None:
    with pytest.raises(UserCodeError) as info:
        load(MODULES / "raises_at_import.py")
    msg = str(info.value)
    assert msg.startswith("importing raises_at_import.py raised FileNotFoundError:")
    assert msg.endswith("(raises_at_import.py:5)")


def test_load_system_exit_is_caught(tmp_path: Path) -> None:
    p = tmp_path / "quits.py"
    p.write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(UserCodeError, match=r"raised SystemExit: 3 \(quits\.py:2\)"):
        load(p)


def test_missing_function_lists_what_is_defined() -> None:
    m = load(MODULES / "missing_function.py")
    with pytest.raises(InputError) as info:
        m.function("backward")
    assert str(info.value) == ("missing_function.py defines no function 'backward'; "
                               "it defines: SHAPES, forward, backwards")


def test_not_a_function() -> None:
    m = load(MODULES / "scaled.py")
    with pytest.raises(InputError, match="'SHAPES' in scaled.py is a dict, not a function"):
        m.function("SHAPES")


def test_two_modules_with_one_name_do_not_collide(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "net.py").write_text("V = 1\n")
    (b / "net.py").write_text("V = 2\n")
    assert load(a / "net.py").module.V == 1
    assert load(b / "net.py").module.V == 2


def test_sibling_import_works(tmp_path: Path) -> None:
    (tmp_path / "helpers_for_net.py").write_text("K = 7\n")
    (tmp_path / "net.py").write_text("from helpers_for_net import K\n")
    assert load(tmp_path / "net.py").module.K == 7


def test_call_reports_innermost_user_frame() -> None:
    m = load(MODULES / "raises_in_backward.py").module
    with pytest.raises(UserCodeError) as info:
        call(m.backward, "backward", x=None)
    assert str(info.value).endswith("(raises_in_backward.py:15)")


def test_one_line() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 1000)) == 300
