"""Layer mode: a forward that returns an array, checked through ``backward(dout, ...)``.

The VJP is the gradient of sum(out * dout) for a random dout, so every verdict and diagnosis
of the scalar check carries over; these tests pin that it does, for both ways course code
writes a layer (a cache, or the arrays by name), and that the derivation reads in dout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from derive.reports.fix import derivation_lines

import derive
from derive import layer
from derive import usermodule as U
from derive.errors import InputError
from derive.verify import verify_module

HERE = Path(__file__).resolve().parent / "layers"


def _check(name: str, **kw: object) -> derive.VerifyResult:
    return verify_module(U.load(HERE / f"{name}.py"), **kw)


def test_a_cached_affine_layer_is_right_and_derived_in_terms_of_dout() -> None:
    r = _check("affine")
    assert r.ok and r.traced is not None
    assert r.constants == ("dout",)
    assert {k: g.verdict for k, g in r.gradients.items()} == {"x": "ok", "w": "ok", "b": "ok"}
    text = "\n".join(derivation_lines(r.traced.backward))
    assert "∂L/∂out = dout" in text
    assert "∂L/∂w = xᵀ·∂L/∂out" in text


def test_a_bias_averaged_instead_of_summed_is_scaled_by_one_over_the_batch() -> None:
    r = _check("affine_mean_bias")
    b = r.gradients["b"]
    assert (b.verdict, b.diagnosis) == ("wrong", "scaled")
    assert b.factor == pytest.approx(1 / 4)
    assert r.gradients["x"].verdict == r.gradients["w"].verdict == "ok"


def test_upstream_first_with_arrays_by_name_keeps_the_user_s_upstream_name() -> None:
    r = _check("tanh_named")
    assert r.ok and r.constants == ("dy",)


def test_a_softmax_vjp_summed_over_the_wrong_axis_is_wrong_in_entries() -> None:
    r = _check("softmax_rows_transposed")
    z = r.gradients["z"]
    assert z.verdict == "wrong" and r.traced is not None


def test_mode_is_inferred_from_backward_s_first_argument() -> None:
    def fwd(x):
        return np.tanh(x)

    def vjp(g, x):
        return {"x": g * (1 - np.tanh(x) ** 2)}

    def grad(x):
        return {"x": 1 - np.tanh(x) ** 2}

    assert layer.infer_mode(fwd, vjp) == "vjp"
    assert layer.infer_mode(fwd, grad) == "scalar"
    assert derive.verify(fwd, vjp, shapes={"x": (3, 2)}).ok
    assert derive.verify(lambda x: np.sum(np.tanh(x)), grad, shapes={"x": (3, 2)},
                         mode="scalar").ok


def test_an_explicit_vjp_mode_catches_a_missing_upstream_factor() -> None:
    def fwd(x):
        return x**3

    def vjp(dout, x):
        return {"x": 3 * x**2}  # forgot dout

    r = derive.verify(fwd, vjp, shapes={"x": (4, 3)}, mode="vjp")
    assert r.gradients["x"].verdict == "wrong"


def test_bad_modes_and_gradient_counts_are_one_line_input_errors() -> None:
    def fwd(x):
        return 2 * x

    with pytest.raises(InputError, match="mode must be one of scalar, vjp"):
        derive.verify(fwd, lambda dout, x: {"x": 2 * dout}, shapes={"x": (2,)}, mode="jvp")
    with pytest.raises(InputError, match="backward returned 2 gradients for forward's 1"):
        derive.verify(fwd, lambda dout, x: (2 * dout, dout), shapes={"x": (2,)})


def test_the_command_line_checks_a_layer_module() -> None:
    ok = subprocess.run([sys.executable, "-m", "derive", "verify", str(HERE / "affine.py")],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "derive", "verify",
                          str(HERE / "affine_mean_bias.py")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "scaled" in bad.stdout
