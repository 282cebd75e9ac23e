"""derive.verify on user modules written for each diagnosis, and the bad inputs of the API."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from derive.numeric.compare import DIAGNOSES

from derive import proof as P
from derive.errors import DeriveWarning, InputError, UserCodeError
from derive.testing import assert_gradients
from derive.usermodule import UserModule, load
from derive.verify import VerifyResult, reduced_shapes, verify, verify_module

MODULES = Path(__file__).resolve().parent / "modules"
Load = Callable[[str], UserModule]


def _check(mod: UserModule, **kw: object) -> VerifyResult:
    kw.setdefault("prove", False)
    return verify_module(mod, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------ every diagnosis, by a module


@pytest.mark.parametrize(("stem", "name", "diagnosis", "factor"), [
    ("scaled", "W", "scaled", 8.0),
    ("sign", "W", "sign", -1.0),
    ("transposed", "W", "transposed", None),
    ("shape", "W", "shape", None),
    ("collapsed", "B", "collapsed", None),
    ("missing_sum", "B", "missing-sum", None),
    ("entries", "W", "entries", None),
])
def test_each_diagnosis(module: Load, stem: str, name: str, diagnosis: str,
                        factor: float | None) -> None:
    r = _check(module(stem))
    g = r.gradients[name]
    assert (g.verdict, g.diagnosis, g.factor) == ("wrong", diagnosis, factor)
    assert not r.ok and not g.numeric_only and r.fallback_reason is None


def test_entries_are_located_by_index(module: Load) -> None:
    r = _check(module("entries"))
    assert r.gradients["W"].entries == [(3, 7)]
    assert r.gradients["X"].verdict == "ok"
    assert "worst at (3, 7)" in r.gradients["W"].message


def test_scaled_lists_every_entry_and_hints(module: Load) -> None:
    g = _check(module("scaled")).gradients["W"]
    assert g.entries == [(0, 0), (1, 0), (2, 0)]
    assert "scaled by 8 (a missing 1/N, N = 8?)" in g.message


@pytest.mark.parametrize(("stem", "names"), [("kink_abs", ["x"]), ("kink_max", ["a", "b"])])
def test_kinks_are_nondifferentiable_never_wrong(module: Load, stem: str,
                                                names: list[str]) -> None:
    r = _check(module(stem))
    assert r.ok
    for n in names:
        assert r.gradients[n].verdict == r.gradients[n].diagnosis == "nondifferentiable"


def test_kink_entries_are_named(module: Load) -> None:
    assert _check(module("kink_abs")).gradients["x"].entries == [(0,), (3,)]
    assert _check(module("kink_max")).gradients["a"].entries == [(0, 0), (1, 1)]


def test_a_value_outside_the_subgradient_is_wrong(module: Load) -> None:
    g = _check(module("kink_wrong")).gradients["x"]
    assert (g.verdict, g.diagnosis, g.entries) == ("wrong", "entries", [(0,)])


def test_the_vocabulary_is_covered() -> None:
    covered = {"scaled", "sign", "transposed", "shape", "collapsed", "missing-sum", "entries",
               "nondifferentiable"}
    assert covered == set(DIAGNOSES)


# ------------------------------------------------------------ right gradients


@pytest.mark.parametrize("stem", ["scalar", "float32"])
def test_right_gradients_pass(module: Load, stem: str) -> None:
    r = _check(module(stem))
    assert r.ok and all(g.verdict == "ok" for g in r.gradients.values())


def test_float32_is_judged_with_float32_tolerance_and_said_so(module: Load) -> None:
    r = _check(module("float32"))
    assert r.float32
    assert any("float32 backward for W" in n for n in r.notes)
    assert r.gradients["W"].tolerance == pytest.approx(1e-3)


def test_only_returned_names_are_checked(module: Load) -> None:
    r = _check(module("scaled"))
    assert list(r.gradients) == ["W"]
    assert r.constants == ("X", "y")


# ------------------------------------------------------------ the tracer's fallback


def test_fallback_names_the_call_and_judges_numerically(module: Load) -> None:
    r = _check(module("fallback_sort"))
    assert r.fallback_reason == "numpy.sort"
    assert r.traced is None and r.numeric_only and r.ok
    assert all(g.numeric_only and g.verdict == "ok" for g in r.gradients.values())


def test_fallback_still_diagnoses(module: Load) -> None:
    r = _check(module("fallback_sort_scaled"))
    g = r.gradients["x"]
    assert r.fallback_reason == "numpy.sort"
    assert (g.verdict, g.diagnosis, g.factor, g.numeric_only) == ("wrong", "scaled", 2.0, True)


def test_fallback_on_an_ndarray_method() -> None:
    def forward(x: np.ndarray) -> float:
        return np.sum(x.cumprod())

    def backward(x: np.ndarray) -> dict:
        c = np.cumprod(x)
        return {"x": np.cumsum(c[::-1])[::-1] / x}

    r = verify(forward, backward, shapes={"x": (4,)}, inputs=lambda rng: {
        "x": np.array([0.5, 1.2, 2.0, 0.8])})
    assert r.fallback_reason == "ndarray.cumprod"
    assert r.ok and r.gradients["x"].numeric_only


# ------------------------------------------------------------ the API's bad inputs


def test_non_argument_name(module: Load) -> None:
    with pytest.raises(InputError, match=r"backward returned 'Z', which is not an argument "
                                         r"of forward \(X, W\)"):
        _check(module("bad_name"))


def test_non_dict_return(module: Load) -> None:
    with pytest.raises(InputError, match="backward must return a dict .* got tuple"):
        _check(module("not_dict"))


def test_nan_input(module: Load) -> None:
    with pytest.raises(InputError, match=r"input x is not finite at point 1: nan at index \(1,\)"):
        _check(module("nan_input"))


def test_forward_failing_on_the_shapes_names_them(module: Load) -> None:
    with pytest.raises(InputError) as info:
        _check(module("bad_shapes"))
    msg = str(info.value)
    assert msg.startswith("forward fails on the given shapes X=3x2, W=3x1: ValueError: matmul")
    assert msg.endswith("(bad_shapes.py:9)")


def test_user_code_raising(module: Load) -> None:
    with pytest.raises(UserCodeError, match=r"^forward raised RuntimeError: the user's own "
                                            r"failure \(raises\.py:10\)$"):
        _check(module("raises"))


def test_forward_not_finite(module: Load) -> None:
    with pytest.raises(InputError, match="forward returned nan"):
        _check(module("log_domain"))


def test_missing_shape() -> None:
    with pytest.raises(InputError, match="no shape for 'W'"):
        verify(lambda X, W: np.sum(X @ W), lambda X, W: {"W": X}, shapes={"X": (2, 2)})


def test_inputs_shape_disagreeing_with_shapes() -> None:
    with pytest.raises(InputError, match="inputs.rng. gave x of shape 3, but its shape is given "
                                         "as 4"):
        verify(lambda x: np.sum(x), lambda x: {"x": np.ones(3)}, shapes={"x": (4,)},
               inputs=lambda rng: {"x": np.ones(3)})


def test_inputs_unknown_name() -> None:
    with pytest.raises(InputError, match="inputs.rng. returned 'q', not arguments of forward"):
        verify(lambda x: np.sum(x), lambda x: {"x": np.ones(3)}, shapes={"x": (3,)},
               inputs=lambda rng: {"q": 1.0})


def test_forward_must_return_a_scalar() -> None:
    with pytest.raises(InputError, match=r"forward must return a scalar .* got shape \(3,\)"):
        verify(lambda x: x * 2, lambda x: {"x": 2 * np.ones(3)}, shapes={"x": (3,)})


def test_empty_backward() -> None:
    with pytest.raises(InputError, match="empty dict"):
        verify(lambda x: np.sum(x), lambda x: {}, shapes={"x": (3,)})


@pytest.mark.parametrize(("kw", "message"), [
    ({"points": 0}, "points must be a positive integer"),
    ({"fd": "some"}, "fd must be one of sample, all"),
])
def test_bad_options(kw: dict, message: str) -> None:
    with pytest.raises(InputError, match=message):
        verify(lambda x: np.sum(x), lambda x: {"x": np.ones(3)}, shapes={"x": (3,)}, **kw)


def test_a_mutating_forward_does_not_corrupt_the_check() -> None:
    def forward(x: np.ndarray) -> float:
        y = np.sum(x**2)
        x *= 0  # the user's code changes its input in place
        return y

    r = verify(forward, lambda x: {"x": 2 * x}, shapes={"x": (3,)}, prove=False)
    assert r.ok  # every call of user code gets fresh copies


# ------------------------------------------------------------ results and options


def test_result_object(module: Load) -> None:
    r = _check(module("scaled"), points=2, seed=5)
    g = r.gradients["W"]
    assert (r.points, r.seed, r.fd) == (2, 5, "sample")
    assert r.shapes == {"X": (8, 3), "y": (8, 1), "W": (3, 1)}
    assert r.traced is not None and r.traced.graph.wrt == ("W",)
    assert g.shape == (3, 1) and g.expected is not None and np.shape(g.got) == (3, 1)
    assert r.summary() == "the gradient is wrong: W"
    assert str(r).splitlines()[0].startswith("W  wrong")


def test_same_seed_same_result(module: Load) -> None:
    a = _check(module("entries"), seed=3).to_json()
    b = _check(module("entries"), seed=3).to_json()
    assert a == b


def test_inputs_as_a_dict_fixes_those_arrays() -> None:
    y = np.array([[1.0], [0.0], [1.0]])
    seen = []

    def forward(X: np.ndarray, y: np.ndarray) -> float:
        if isinstance(y, np.ndarray):  # not while it is being traced
            seen.append(y.copy())
        return np.sum((X - y) ** 2)

    verify(forward, lambda X, y: {"X": 2 * (X - y)}, shapes={"X": (3, 1)}, inputs={"y": y},
           prove=False)
    assert len(seen) > 3 and all(np.array_equal(s, y) for s in seen)


@pytest.mark.parametrize("stem", ["scaled", "entries", "collapsed", "kink_max", "sign"])
def test_sampled_and_all_entry_differences_agree(module: Load, stem: str) -> None:
    fast = _check(module(stem)).to_json()
    slow = _check(module(stem), fd="all").to_json()
    for j in (fast, slow):  # the chance of missing an error is what differs, by design
        for g in j["gradients"].values():
            g.pop("miss_probability")
    assert fast == slow


def test_to_json_contract(module: Load) -> None:
    j = _check(module("collapsed")).to_json()
    assert set(j) == {"schema", "derive_version", "ok", "mode", "points", "seed", "shapes",
                      "constants", "numeric_only_reason", "notes", "proof", "gradients"}
    assert j["ok"] is False and j["schema"] == "derive.verify/2"
    for g in j["gradients"].values():
        assert set(g) == {"verdict", "diagnosis", "factor", "message", "max_abs_error",
                          "max_rel_error", "tolerance", "entries", "point", "numeric_only",
                          "miss_probability", "taylor_slope", "proved"}
    w = {k: j["gradients"]["W"][k]
         for k in ("verdict", "diagnosis", "factor", "max_rel_error", "entries", "numeric_only")}
    assert w == {"verdict": "ok", "diagnosis": None, "factor": None,
                 "max_rel_error": 0.0, "entries": [], "numeric_only": False}
    assert j["gradients"]["B"]["max_rel_error"] is None  # shapes differ: no entrywise error


def test_repr_html_is_a_fragment_not_a_page(module: Load) -> None:
    """Issue 15: a whole page's CSS (:root, body, table) restyled the notebook around it."""
    html = _check(module("transposed"))._repr_html_()
    assert html.lstrip().startswith('<div class="derive-verify">')
    assert "<html" not in html and "<body" not in html and "<!DOCTYPE" not in html
    assert "transposed" in html and "http" not in html


# ------------------------------------------------------------ proofs at a reduced shape


def test_reduced_shapes_keep_ones_and_small_sizes() -> None:
    shapes = {"X": (1024, 13), "y": (1024, 1), "W1": (13, 64), "B1": (1, 64), "b": (3,), "s": ()}
    assert reduced_shapes(shapes) == {"X": (2, 2), "y": (2, 1), "W1": (2, 3), "B1": (1, 3),
                                      "b": (3,), "s": ()}


def test_proof_at_reduced_shape(module: Load) -> None:
    r = _check(module("collapsed"), prove=True)
    assert r.proof_shapes == {"X": (3, 3), "W": (3, 2), "B": (1, 2)}  # 5 -> 3, 4 -> 2
    assert all(g.proof is not None and g.proof.proved for g in r.gradients.values())
    assert r.proof_note.startswith("matrix form = elementwise SymPy at X=3x3, W=3x2, B=1x2")


def test_proof_out_of_budget_is_a_result(module: Load, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(P, "FULL_BUDGET", P.WorkBudget(total_ops=5, entry_ops=5))
    r = _check(module("transposed"), prove=True)
    assert "not proved" in r.proof_note and "work budget" in r.proof_note
    assert r.gradients["W"].verdict == "wrong"  # the verdict does not depend on the proof


def test_proof_is_automatic_only_when_small(module: Load) -> None:
    assert verify_module(module("scalar")).proof_shapes is not None
    assert verify_module(module("scalar"), prove=False).proof_shapes is None


# ------------------------------------------------------------ assert_gradients


def test_assert_gradients_passes_and_returns_the_result(module: Load) -> None:
    m = module("scalar").module
    r = assert_gradients(m.forward, m.backward, shapes=m.SHAPES)
    assert r.ok


def test_assert_gradients_message_is_the_diagnosis(module: Load) -> None:
    m = module("scaled").module
    with pytest.raises(AssertionError) as info:
        assert_gradients(m.forward, m.backward, shapes=m.SHAPES)
    lines = str(info.value).splitlines()
    assert lines[0] == "the gradient is wrong: W"
    assert lines[1].startswith("W  wrong") and "scaled by 8 (a missing 1/N, N = 8?)" in lines[1]


def test_assert_gradients_bad_input_is_an_error_not_a_failure() -> None:
    with pytest.raises(InputError):
        assert_gradients(lambda x: np.sum(x), lambda x: [1.0], shapes={"x": (2,)})


def test_loading_twice_gives_fresh_modules() -> None:
    a, b = load(MODULES / "scaled.py"), load(MODULES / "scaled.py")
    assert a.module is not b.module


def test_a_shape_for_an_unknown_name_is_an_error() -> None:
    with pytest.raises(InputError, match=r"a shape is given for 'w', not an argument of forward "
                                         r"\(x\)"):
        verify(lambda x: np.sum(x), lambda x: {"x": np.ones(3)}, shapes={"x": (3,), "w": (2,)})


def test_repr_is_short(module: Load) -> None:
    r = _check(module("entries"))
    assert repr(r) == ("VerifyResult(ok=False, gradients=[GradientResult('X', 'ok', "
                       "diagnosis=None, entries=0), GradientResult('W', 'wrong', "
                       "diagnosis='entries', entries=1)])")


def test_saturated_sigmoid_is_judged_without_warnings_or_nan() -> None:
    def forward(x: np.ndarray, w: np.ndarray) -> float:
        S = 1 / (1 + np.exp(-x * w))
        return np.sum(S)

    def backward(x: np.ndarray, w: np.ndarray) -> dict:
        S = 1 / (1 + np.exp(-np.clip(x * w, -700, 700)))
        return {"x": S * (1 - S) * w, "w": S * (1 - S) * x}

    point = {"x": np.array([1000.0, -1000.0, 0.5, 3.0]), "w": np.ones(4)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning; derive's own says numeric only
        warnings.filterwarnings("ignore", category=DeriveWarning)
        r = verify(forward, backward, shapes={"x": (4,), "w": (4,)}, inputs=point, prove=False)
    assert r.ok and all(np.isfinite(g.max_rel_error) for g in r.gradients.values())
    assert any("overflows" in n for n in r.notes)


def test_fallback_text(module: Load) -> None:
    assert _check(module("fallback_sort")).fallback_text == "the tracer cannot map numpy.sort"

    def forward(x: np.ndarray) -> float:
        return float(np.sum(x**2))  # float() of a traced array: the tracer stops here

    r = verify(forward, lambda x: {"x": 2 * x}, shapes={"x": (3,)})
    assert r.fallback_text == ("the tracer cannot map float() of an array that depends on a "
                               "differentiated input")
    assert r.ok and r.numeric_only
