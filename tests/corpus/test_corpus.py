"""Issue 12: our own corpus of backward passes, right and mistaken, judged as expected.

Each module is checked through the API as ``derive verify FILE`` checks it; the test asserts
every gradient's verdict and diagnosis, the exit status, whether the forward was traced
symbolically (and, where not, that the reason names the user's file, line and construct),
and that ``--fix`` code for every traced mistake compiles and gives the derived gradient.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from derive.reports.fix import fix_text
from expected import FAMILIES, Expected, expected

from derive import layer
from derive import usermodule as U
from derive.errors import DeriveError
from derive.verify import VerifyResult, verify_module
from derive.verify.inputs import _parameters
from derive.verify.run import _points

MODULES = Path(__file__).resolve().parent / "modules"
EXPECTED = expected()

# Every module traced symbolically but the Python-if family (a right and a mistaken module).
TRACED = 62

_RESULTS: dict[str, VerifyResult] = {}


def _check(name: str) -> VerifyResult:
    """verify_module as the command line runs it, without the proof (tested elsewhere)."""
    if name not in _RESULTS:
        _RESULTS[name] = verify_module(U.load(MODULES / f"{name}.py"), prove=False)
    return _RESULTS[name]


def _status(name: str) -> int:
    """The exit status of `derive verify`: 0 right, 1 wrong, 2 could not check."""
    try:
        return 0 if _check(name).ok else 1
    except DeriveError:
        return 2


def test_the_manifest_and_the_folder_agree() -> None:
    files = {p.stem for p in MODULES.glob("*.py")}
    assert files == set(EXPECTED)
    assert len(FAMILIES) >= 30 and len(files) == 2 * len(FAMILIES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_module_is_judged_as_expected(name: str) -> None:
    want: Expected = EXPECTED[name]
    assert _status(name) == want.status
    r = _check(name)
    assert {k: g.verdict for k, g in r.gradients.items()} == want.verdicts
    assert {k: g.diagnosis for k, g in r.gradients.items() if g.diagnosis} == want.diagnoses
    assert (r.traced is not None) == want.traced, r.numeric_only_reason
    if not want.traced:  # the reason names the file, the line and the construct
        reason = r.numeric_only_reason or ""
        assert re.match(rf"{name}\.py:\d+: if v > 0: \(a Python if/while on values that "
                        r"depend on a differentiated input", reason), reason
        assert r.to_json()["numeric_only_reason"] == reason


def test_the_fraction_traced_symbolically() -> None:
    traced = sum(_check(name).traced is not None for name in EXPECTED)
    assert traced == TRACED
    assert traced == sum(e.traced for e in EXPECTED.values())


def _point(module: U.UserModule) -> dict[str, np.ndarray]:
    """The first point verify draws for a module (its layer's dout included)."""
    fwd, _, inputs, _ = layer.adapt(module.function("forward"), module.function("backward"),
                                    module.shapes(), module.optional_function("inputs"), None)
    names, optional = _parameters(fwd, module.shapes())
    return _points(names, optional, module.shapes(), inputs, 0, 1, "sample")[0]


@pytest.mark.parametrize("name", sorted(n for n, f in FAMILIES.items() if f.traced))
def test_fix_code_for_a_mistake_compiles_and_gives_the_derived_gradient(name: str) -> None:
    module = U.load(MODULES / f"{name}__bug.py")
    r = _check(f"{name}__bug")
    assert r.traced is not None
    text = fix_text(r)  # what --fix prints: the right gradients, then the code to paste
    assert all(f"fix for {k} (" in text for k in FAMILIES[name].wrong)
    namespace: dict = {}
    exec(compile(text[text.index("import numpy\n"):], "<pasted>", "exec"),  # noqa: S102
         namespace)
    point = _point(module)
    got = namespace["backward"](**point)
    _, want = r.traced.code.value_and_gradient(**point)
    assert set(got) == set(want) == set(FAMILIES[name].gradients)
    for k in want:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-10, atol=1e-12)
