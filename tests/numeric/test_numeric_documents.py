from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import doc_code as DC
from derive.numeric import doc_nets as nets
from derive.numeric import doc_outputs as DO
from derive.numeric import documents as doc
from derive.numeric.compare import compare
from derive.numeric.fd import central_gradient

CHAIN_2 = [doc.doc_square, doc.doc_sigmoid]
CHAIN_3 = [doc.doc_leaky_relu, doc.doc_square, doc.doc_sigmoid]


def printed(values: np.ndarray) -> list[str]:
    """Each entry as numpy prints it at its default precision of 8 (trailing zeros dropped)."""
    return [np.format_float_positional(v, precision=8, trim="-") for v in np.ravel(values)]


# --- 000 §1.2.2 to §1.2.5: functions, deriv, chains -----------------------------------------


def test_doc_functions_as_printed() -> None:
    x = np.array([-2.0, 0.5])
    np.testing.assert_array_equal(doc.doc_square(x), [4.0, 0.25])
    np.testing.assert_array_equal(doc.doc_leaky_relu(x), [-0.4, 0.5])
    assert doc.doc_sigmoid(0.0) == 0.5
    assert doc.doc_deriv(doc.doc_square, 2) == 3.9999999999995595


def test_chain_length_2() -> None:
    assert doc.chain_length_2(CHAIN_2, 2) == 0.9820137900379085
    assert doc.chain_deriv_2(CHAIN_2, 2) == 0.0706508353807067


def test_chain_2_manual_check() -> None:
    def forward(x: float) -> float:
        return doc.chain_length_2(CHAIN_2, x)

    manual = doc.manual_deriv(forward, 2, 0.0001)
    assert manual == 0.07065082585744342
    assert (forward(2 + 0.0001) - forward(2 - 0.0001)) / 0.0002 == manual
    assert forward(2 + 0.0001) == 0.9820208539349344
    assert forward(2) + manual * 0.0001 == 0.9820208551204942


def test_chain_length_3() -> None:
    forward = doc.chain_length_3(CHAIN_3, -4)
    backward = doc.chain_deriv_3(CHAIN_3, -4)
    assert forward == 0.6547534606063192
    assert backward == -0.07233643296206184
    assert doc.chain_length_3(CHAIN_3, -4 + 0.1) == 0.6475757341144874
    assert forward + backward * 0.1 == 0.647519817310113


def test_chain_deriv_exact_is_close_to_documents() -> None:
    assert compare(doc.chain_deriv_exact(CHAIN_2, 2.0), doc.chain_deriv_2(CHAIN_2, 2)).ok
    assert compare(doc.chain_deriv_exact(CHAIN_3, -4.0), doc.chain_deriv_3(CHAIN_3, -4)).ok


def test_chain_asserts_length() -> None:
    with pytest.raises(AssertionError):
        doc.chain_deriv_2(CHAIN_3, 1.0)


# --- 000 §1.2.6: sigma(x + y) -----------------------------------------------------------------


def test_multiple_inputs_add() -> None:
    x, y = np.array(3), np.array(4)
    forward = doc.multiple_inputs_add(x, y, doc.doc_sigmoid)
    backward = doc.multiple_inputs_add_backward(x, y, doc.doc_sigmoid)
    assert forward == 0.9990889488055994
    assert backward == (0.0009102213310852036, 0.0009102213310852036)
    bumped = doc.multiple_inputs_add(np.array(3 + 0.001), y, doc.doc_sigmoid)
    assert bumped == 0.9990898585726491
    assert forward + backward[0] * 0.001 == 0.9990898590269305
    both = doc.multiple_inputs_add(np.array(3 + 0.001), np.array(4 + 0.001), doc.doc_sigmoid)
    assert both == 0.9990907674320407
    assert forward + backward[0] * 0.001 + backward[1] * 0.001 == 0.9990907692482616


def test_add_and_mul_sigma_hand_gradients() -> None:
    hand = doc.add_sigma_backward(3.0, 4.0)
    printed_pair = doc.multiple_inputs_add_backward(np.array(3), np.array(4))
    assert compare(hand["x"], printed_pair[0]).ok and compare(hand["y"], printed_pair[1]).ok
    inputs = {"x": np.array([0.3, -1.2]), "y": np.array([2.0, 0.7])}
    grads = doc.mul_sigma_backward(**inputs)

    def total(x: np.ndarray, y: np.ndarray) -> float:
        return float(np.sum(doc.mul_sigma_forward(x, y)))

    for name in ("x", "y"):
        assert compare(grads[name], central_gradient(total, inputs, name)).ok


# --- 000 §1.2.7: sigma(X @ W) for a row vector --------------------------------------------------


def test_row_vector_case() -> None:
    inputs = doc.doc_inputs_row_vector()
    X, W = inputs["X"], inputs["W"]
    assert printed(X) == ["0.47231121", "0.61514271", "-1.72622715"]
    forward = doc.matrix_forward_extra(X, W, doc.doc_sigmoid)
    backward = doc.matrix_function_backward_1(X, W, doc.doc_sigmoid)["X"]
    assert printed(forward) == ["0.89779986"]
    assert printed(backward) == ["0.08516695", "-0.05574581", "-0.11206627"]
    X_new = X.copy()
    X_new[:, 0] += 0.001
    assert printed(doc.matrix_forward_extra(X_new, W, doc.doc_sigmoid)) == ["0.897885"]
    assert printed(forward + backward[0][0] * 0.001) == ["0.89788503"]


def test_row_vector_inputs_leave_global_rng_alone() -> None:
    np.random.seed(5)
    expected = np.random.randn()
    np.random.seed(5)
    doc.doc_inputs_row_vector()
    assert np.random.randn() == expected


def test_row_vector_hand_gradients() -> None:
    inputs = doc.doc_inputs_row_vector()
    hand = doc.matrix_function_backward_hand(**inputs)

    def total(X: np.ndarray, W: np.ndarray) -> float:
        return float(np.sum(doc.matrix_forward_extra(X, W)))

    for name in ("X", "W"):
        assert compare(central_gradient(total, inputs, name), hand[name]).ok
    assert compare(hand["X"], doc.matrix_function_backward_1(**inputs)["X"]).ok


# --- 000 §1.2.8: sum(sigma(X @ W)) for 3x3 and 3x2 -----------------------------------------------


def test_matrix_sum_case() -> None:
    inputs = doc.doc_inputs_matrix_sum()
    X, W = inputs["X"], inputs["W"]
    assert printed(X[0]) == ["-1.57752816", "-0.6664228", "0.63910406"]
    assert round(doc.matrix_function_forward_sum(X, W, doc.doc_sigmoid), 4) == 2.3755
    dLdX = doc.matrix_function_backward_sum_1(X, W, doc.doc_sigmoid)["X"]
    assert printed(dLdX) == [
        "0.2488887", "-0.37478057", "0.01121962",
        "0.12604152", "-0.27807404", "-0.13945837",
        "0.22992798", "-0.36623443", "-0.02252592",
    ]  # fmt: skip
    X1 = X.copy()
    X1[0, 0] += 0.001
    step = (
        doc.matrix_function_forward_sum(X1, W, doc.doc_sigmoid)
        - doc.matrix_function_forward_sum(X, W, doc.doc_sigmoid)
    ) / 0.001
    assert round(step, 4) == 0.2489


def test_matrix_sum_gradients_against_fd() -> None:
    inputs = doc.doc_inputs_matrix_sum()
    hand = doc.matrix_function_backward_sum_hand(**inputs)
    for name in ("X", "W"):
        fd = central_gradient(doc.matrix_function_forward_sum, inputs, name)
        assert compare(fd, hand[name]).ok
    # the document's deriv(sigma, N) with delta 0.001 is ~1e-7 relative off: still within RTOL
    assert compare(hand["X"], doc.matrix_function_backward_sum_1(**inputs)["X"]).ok
    assert compare(hand["W"], doc.matrix_function_backward_sum_W(**inputs)["W"]).ok


# --- 000 §1.3 linear regression, §1.4 two-layer network -----------------------------------------


@pytest.fixture
def net() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(11)
    n, d, h = 8, 3, 5
    return {
        "X": rng.standard_normal((n, d)),
        "y": rng.standard_normal((n, 1)),
        "W1": rng.standard_normal((d, h)),
        "B1": rng.standard_normal((1, h)),
        "W2": rng.standard_normal((h, 1)),
        "B2": rng.standard_normal((1, 1)),
    }


def test_linreg(net: dict[str, np.ndarray]) -> None:
    rng = np.random.default_rng(12)
    inputs = {"X": net["X"], "y": net["y"], "W": rng.standard_normal((3, 1)), "B": np.ones((1, 1))}
    right = doc.linreg_gradients(**inputs)
    printed_grads = doc.linreg_gradients_as_printed(**inputs)
    for name in ("W", "B"):
        fd = central_gradient(doc.linreg_forward, inputs, name)
        assert compare(fd, right[name]).ok
    assert right["B"].shape == (1, 1) and printed_grads["B"].shape == (1,)
    w = compare(right["W"], printed_grads["W"])
    assert (w.diagnosis, w.factor) == ("scaled", 8.0)  # N = 8: the missing 1/N
    b = compare(right["B"], printed_grads["B"])
    assert (b.diagnosis, b.factor) == ("scaled", 8.0) and "(1,)" in b.message


def test_two_layer(net: dict[str, np.ndarray]) -> None:
    right = doc.two_layer_gradients(**net)
    printed_grads = doc.two_layer_gradients_as_printed(**net)
    for name in ("W1", "B1", "W2", "B2"):
        fd = central_gradient(doc.two_layer_forward, net, name)
        assert compare(fd, right[name]).ok, name
        assert right[name].shape == net[name].shape
    for name in ("W1", "W2"):
        result = compare(right[name], printed_grads[name])
        assert (result.diagnosis, result.factor) == ("scaled", 4.0)  # N/2: dropped 2/N
    b2 = compare(right["B2"], printed_grads["B2"])
    assert (b2.diagnosis, b2.factor) == ("scaled", 4.0) and np.ndim(printed_grads["B2"]) == 0
    b1 = compare(right["B1"], printed_grads["B1"])
    assert (b1.diagnosis, b1.factor) == ("collapsed", 4.0)  # one number for every hidden bias


# --- 003 three-layer delta rule -----------------------------------------------------------------


@pytest.fixture
def three() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(13)
    return {
        "X0": rng.standard_normal((6, 3)),
        "T": rng.random((6, 2)),
        "W1": rng.standard_normal((3, 4)),
        "W2": rng.standard_normal((4, 5)),
        "W3": rng.standard_normal((5, 2)),
    }


def test_three_layer_delta_rule(three: dict[str, np.ndarray]) -> None:
    grads = nets.three_layer_gradients(**three)
    for name in ("W1", "W2", "W3"):
        fd = central_gradient(nets.three_layer_forward, three, name)
        assert compare(fd, grads[name]).ok, name


def test_three_layer_dw1_as_printed_fails_on_shapes(three: dict[str, np.ndarray]) -> None:
    with pytest.raises(ValueError):
        nets.three_layer_dW1_as_printed(**three)


def test_three_layer_dw1_as_printed_is_wrong_even_when_shapes_fit() -> None:
    rng = np.random.default_rng(14)
    n = 4  # all sizes equal, so every product is defined
    inputs = {k: rng.standard_normal((n, n)) for k in ("X0", "W1", "W2", "W3")}
    inputs["T"] = rng.random((n, n))
    printed_w1 = nets.three_layer_dW1_as_printed(**inputs)
    assert not compare(nets.three_layer_gradients(**inputs)["W1"], printed_w1).ok


# --- 002 XOR -------------------------------------------------------------------------------------


def test_xor_network() -> None:
    data, weights = nets.xor_inputs(), nets.xor_weights()
    hidden, output = nets.xor_predict(data["X"], **weights)
    np.testing.assert_array_equal(np.round(output), data["T"])
    np.testing.assert_array_equal(np.round(hidden), [[0, 1], [1, 1], [1, 1], [1, 0]])
    inputs = {**data, **weights}
    assert nets.xor_forward(**inputs) < 1e-8
    grads = nets.xor_gradients(**inputs)
    for name in ("W1", "B1", "W2", "B2"):
        fd = central_gradient(nets.xor_forward, inputs, name)
        # at the solution the gradient is ~1e-12 and saturated sigmoids make the differences'
        # error normwise (~3e-6 of the largest entry): entries within that of it are right
        atol = 1e-5 * float(np.max(np.abs(fd)))
        assert compare(fd, grads[name], atol=atol).ok, name


def test_xor_gradients_away_from_the_solution() -> None:
    rng = np.random.default_rng(15)
    inputs = {**nets.xor_inputs()}
    inputs.update(
        W1=rng.standard_normal((2, 2)),
        B1=rng.standard_normal((1, 2)),
        W2=rng.standard_normal((2, 1)),
        B2=rng.standard_normal((1, 1)),
    )
    grads = nets.xor_gradients(**inputs)
    for name in ("W1", "B1", "W2", "B2"):
        assert compare(central_gradient(nets.xor_forward, inputs, name), grads[name]).ok, name


# --- every printed output of the documents' code cells ---------------------------------------


def test_every_printed_output_is_registered_once() -> None:
    """000 and 001 print 34 numbers from the same cells, and 001 adds its coefficients."""
    keys = [(o.source, o.label) for o in DO.OUTPUTS]
    assert len(keys) == len(set(keys)) == 35
    assert sum(o.source.startswith("001") for o in DO.OUTPUTS) == 1


@pytest.mark.parametrize("out", DO.OUTPUTS, ids=[o.label for o in DO.OUTPUTS])
def test_each_printed_output_is_reproduced_by_the_documents_code(out: DO.Output) -> None:
    assert out.matches(), (out.reproduced(), out.printed)


def test_reproduced_to_the_last_digit_where_printed_in_full() -> None:
    """Python prints a float in full: those rows must agree bit for bit, except the three
    whose last digits depend on the machine's solver or exp, and the one the extraction cut."""
    full = [o for o in DO.OUTPUTS if o.digits is None and not o.lost_digit]
    assert len(full) == 21
    for o in full:
        assert np.array_equal(np.asarray(o.reproduced(), dtype=np.float64),
                              np.asarray(o.printed)), o.label


def test_a_changed_print_is_not_reproduced() -> None:
    import dataclasses

    for o in DO.OUTPUTS:
        off = np.asarray(o.printed, dtype=np.float64) * 1.001 + 0.001  # past any rounding
        assert not dataclasses.replace(o, printed=off.tolist(), lost_digit=False).matches()


def test_the_extraction_lost_one_digit_of_deriv_square() -> None:
    o = next(o for o in DO.OUTPUTS if o.label.startswith("[4]"))
    assert o.reproduced() == 3.9999999999995595 and o.printed == 3.999999999995595
    assert o.matches()


def test_the_documents_code_that_does_not_run_as_printed() -> None:
    with pytest.raises(NameError, match="name 'x' is not defined"):
        DC.chain_length_2_002([doc.doc_square, doc.doc_sigmoid], np.array(2.0))
    rng = np.random.default_rng(0)
    inputs = {"X": rng.standard_normal((4, 3)), "y": rng.standard_normal((4, 1)),
              "W1": rng.standard_normal((3, 2)), "B1": rng.standard_normal((1, 2)),
              "W2": rng.standard_normal((2, 1)), "B2": rng.standard_normal((1, 1))}
    with pytest.raises(NameError, match="name 'dM2dO1' is not defined"):
        DC.PROGRAMS["loss_gradients (001)"](inputs)
