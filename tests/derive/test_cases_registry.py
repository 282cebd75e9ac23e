"""The registry of cases: the documents' cases, their sources, and adding one with one file."""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest

import derive.cases as cases_pkg
from derive.cases import Case, get, registry
from derive.check import check_case
from derive.errors import UnknownCaseError

NAMES = ["square", "relu", "leaky-relu", "sigmoid", "chain-2", "chain-3", "add-sigma",
         "mul-sigma", "row-vector", "matrix-sum", "linear", "two-layer", "three-layer", "xor"]
DOCUMENT = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt) (.+)")


def _citations(source: str) -> list[tuple[str, str]]:
    """'file section; file section' -> [(file, section heading)]."""
    out = []
    for part in source.split("; "):
        m = DOCUMENT.fullmatch(part)
        assert m, f"{part!r} does not cite a document file and a section"
        file, section = m.groups()
        section = re.sub(r" \(.*\)$", "", section)  # "Functions (leaky_relu)": the heading
        section = re.sub(r"^§[\d.]+ ", "", section)  # "§1.2.8 Functions with ...": its title
        out.append((file, section))
    return out


def test_the_cases_in_the_documents_order() -> None:
    assert list(registry()) == NAMES
    assert all(isinstance(c, Case) and c.name == n for n, c in registry().items())


@pytest.mark.parametrize("name", NAMES)
def test_each_case_cites_a_document_file_and_section(name: str, seeds: dict[str, str]) -> None:
    case = get(name)
    for file, section in _citations(case.source):
        assert file in seeds, file
        assert section.lower() in seeds[file].lower(), (file, section)
    for p in case.printed:
        for file, section in _citations(p.source):
            assert section.lower() in seeds[file].lower(), (file, section)
    assert case.title and case.statement
    assert set(case.wrt) <= set(case.inputs())


def test_an_unknown_case_lists_the_known_ones() -> None:
    with pytest.raises(UnknownCaseError) as info:
        get("three-layers")
    assert str(info.value) == f"unknown case 'three-layers'; known cases: {', '.join(NAMES)}"


CASE_MODULE = '''
"""A case added with one small file: sigma(x)^2 at x = 1."""

import numpy as np

from derive.cases import Case
from derive.numeric.functions import sigmoid


def squashed_square(x):
    s = sigmoid(x)
    return s * s


CASES = (
    Case("squashed-square", "sigma(x)^2",
         "000_c5d3501ff112bbd5.txt §1.2.3 Nested Functions", r"\\sigma(x)^2",
         squashed_square, ("x",), lambda: {"x": np.array(1.0)},
         hand=lambda x: {"x": 2 * sigmoid(x) ** 2 * (1 - sigmoid(x))}),
)
'''


@pytest.fixture
def extra_case_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """derive/cases with one more module in it (a temporary directory on its path)."""
    (tmp_path / "c99_squashed.py").write_text(textwrap.dedent(CASE_MODULE))
    monkeypatch.setattr(cases_pkg, "__path__", [*cases_pkg.__path__, str(tmp_path)])
    registry.cache_clear()
    yield tmp_path
    registry.cache_clear()
    sys.modules.pop("derive.cases.c99_squashed", None)


def test_adding_a_case_is_one_small_file(extra_case_dir: Path) -> None:
    found = registry()
    assert list(found) == [*NAMES, "squashed-square"]
    r = check_case(get("squashed-square"))
    assert r.ok
    (g,) = r.gradients.values()
    assert g.proof is not None and g.proof.proved
    assert g.vs_hand is not None and g.vs_hand.verdict == "ok"
    assert [s.latex() for s in r.graph.steps] == [
        r"s = \sigma\left(x\right)", r"L = \Lambda\left(s\right) = s \, s"]


def test_the_registry_is_back_to_its_cases_after() -> None:
    assert list(registry()) == NAMES
