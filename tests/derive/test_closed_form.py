"""The textbook closed form beside the steps (issue 14): σ' through the forward value, the
mean's constant as 2/n with the sign folded in, and always equal to the derived gradient."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from derive import usermodule as U
from derive.closed import closed_form
from derive.compile import evaluate_numeric, step_values
from derive.printers import to_latex, to_text
from derive.verify import verify, verify_module

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACED = ["linear_regression", "matrix_sum", "two_layer", "three_layer", "relu_kink"]


def _result(name: str):
    return verify_module(U.load(EXAMPLES / f"{name}.py"), prove=False, points=1)


@pytest.mark.parametrize("name", TRACED)
def test_the_closed_form_equals_the_derived_gradient(name: str) -> None:
    r = _result(name)
    bw = r.traced.backward
    rng = np.random.default_rng(3)
    point = {k: rng.standard_normal(s) for k, s in r.shapes.items()}
    env = {**point, **step_values(bw.graph, point)}
    for w in r.gradients:
        np.testing.assert_allclose(evaluate_numeric(closed_form(bw, w), env),
                                   evaluate_numeric(bw.gradient(w), env), rtol=1e-12, atol=1e-12)


def test_linear_regression_reads_two_over_n_times_the_residual() -> None:
    bw = _result("linear_regression").traced.backward
    assert to_text(closed_form(bw, "W")) == "Xᵀ·(2 / n (P − y))"
    assert to_latex(closed_form(bw, "W")) == (
        r"X^{T} \, \left(\frac{2}{n} \, \left(P - y\right)\right)")


def test_two_layer_sigmoid_derivative_goes_through_the_forward_value() -> None:
    bw = _result("two_layer").traced.backward
    assert to_text(closed_form(bw, "W1")) == "Xᵀ·((2 / n (P − y))·W2ᵀ ⊙ O1 ⊙ (1 − O1))"


def test_the_delta_rule_of_the_three_layer_post() -> None:
    bw = _result("three_layer").traced.backward
    assert to_text(closed_form(bw, "W3")) == "X2ᵀ·(X3 ⊙ (1 − X3) ⊙ (X3 − T))"


def test_a_hand_written_sigmoid_and_tanh_read_as_textbooks_write_them() -> None:
    def forward(X, W, V):
        S = 1 / (1 + np.exp(-(X @ W)))
        T = np.tanh(S @ V)
        return np.sum(T)

    def backward(X, W, V):
        return {"V": np.zeros_like(V), "W": np.zeros_like(W)}

    r = verify(forward, backward, shapes={"X": (4, 3), "W": (3, 2), "V": (2, 2)},
               prove=False, points=1)
    bw = r.traced.backward
    assert to_text(closed_form(bw, "V")) == "Sᵀ·(1 − T²)"
    assert to_text(closed_form(bw, "W")) == "Xᵀ·((1 − T²)·Vᵀ ⊙ S ⊙ (1 − S))"


def test_the_report_prints_the_closed_form_beside_the_steps() -> None:
    from derive.reports.gradients import gradient_context

    import derive

    g = gradient_context(derive.check_case("two-layer"), "W1")
    assert g["closed_tex"] == (
        r"\frac{\partial L}{\partial W_{1}} = X^{T} \, \left(\left(\frac{2}{n} \, "
        r"\left(P - y\right)\right) \, W_{2}^{T} \odot O_{1} \odot \left(1 - O_{1}\right)\right)")


# t = np.eye(logits.shape[1])[y], a stable softmax, -sum(t log p) / n
_one_hot_eye_size = U.load(Path(__file__).resolve().parents[1] / "corpus" / "modules" /
                           "one_hot_xent.py").function("forward")


def _one_hot_eye_literal(logits, y):
    t = np.eye(3)[y]
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -np.mean(np.sum(t * logp, axis=1))


def _targets_given(logits, t):  # a one-hot passed in: nothing says its rows sum to 1
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return -np.sum(t * np.log(p)) / logits.shape[0]


@pytest.mark.parametrize("forward", [_one_hot_eye_size, _one_hot_eye_literal])
def test_softmax_cross_entropy_with_a_one_hot_of_eye_reads_p_minus_t_over_n(forward) -> None:
    """Σ_j T_ij = 1 for T = eye(C)[y]: the closed form reaches the textbook (P − T)/n, and
    stays equal to the derived gradient."""
    y = np.array([0, 2, 1, 1, 0])
    r = verify(forward, lambda logits, y: {"logits": np.zeros_like(logits)},
               shapes={"logits": (5, 3)}, inputs={"y": y}, prove=False, points=1)
    bw = r.traced.backward
    text = to_text(closed_form(bw, "logits"))
    assert "sum" not in text, text  # Σ_j t_ij = 1 used
    if forward is _one_hot_eye_size:
        assert text == "1 / n (p − t)"
    point = {"logits": np.random.default_rng(2).standard_normal((5, 3)), "y": y}
    env = {**point, **step_values(bw.graph, point)}
    np.testing.assert_allclose(evaluate_numeric(closed_form(bw, "logits"), env),
                               evaluate_numeric(bw.gradient("logits"), env), rtol=1e-12,
                               atol=1e-12)


def test_a_one_hot_passed_in_keeps_its_sum() -> None:
    t = np.eye(3)[[0, 2, 1, 1, 0]]
    r = verify(_targets_given, lambda logits, t: {"logits": np.zeros_like(logits)},
               shapes={"logits": (5, 3)}, inputs={"t": t}, prove=False, points=1)
    assert "sum" in to_text(closed_form(r.traced.backward, "logits"))
