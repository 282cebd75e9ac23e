"""The goals on the real data: the documents reproduced, scikit-learn matched, the printed
gradients' effect on training shown."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import train as NT
from derive.reports import training as RT


def boston_only(summary: dict) -> None:
    if summary["data"]["name"] != "boston":
        pytest.skip("the documents' printed figures are for the Boston data")


# --- the documents' own runs ------------------------------------------------------------------


def test_documents_linear_run_reproduces_every_printed_digit(boston_split) -> None:
    m = NT.linear_model()
    result = NT.train(m, boston_split.X_train, boston_split.y_train, m.as_printed, NT.DOC_CONFIG)
    scores = NT.score(m, result.weights, boston_split.X_test, boston_split.y_test)
    assert scores["mse"] == pytest.approx(21.962219458334552, rel=1e-14)
    assert scores["r2"] == pytest.approx(0.7052569177141323, rel=1e-14)
    # 001 §1.3 prints the last seven learned coefficients at numpy's 8 decimals.
    np.testing.assert_array_equal(np.round(result.weights["W"][-7:, 0], 8),
                                  RT.PRINTED_COEFFICIENTS)


def test_documents_runs_in_the_summary(summary) -> None:
    boston_only(summary)
    for name in ("linear", "two-layer"):
        run = summary["models"][name]["runs"]["documents"]
        printed = summary["models"][name]["printed"]
        assert run["mse"] == pytest.approx(printed["mse"], rel=1e-12)
        assert run["r2"] == pytest.approx(printed["r2"], rel=1e-12)
        assert run["batch_sizes"] == [[23, 15], [9, 40], [3, 9945]]
    sk = summary["sklearn"]
    assert sk["mse"] == pytest.approx(sk["printed"]["mse"], rel=1e-12)
    assert sk["r2"] == pytest.approx(sk["printed"]["r2"], rel=1e-12)


# --- the goals --------------------------------------------------------------------------------


def test_every_goal_holds(summary) -> None:
    goals = {g["name"]: g for g in summary["goals"]}
    expected = {"linear-vs-sklearn", "rescaled-is-verified", "collapsed-bias-differs"}
    if summary["data"]["name"] == "boston":
        expected |= {"reproduce-linear", "reproduce-two-layer", "two-layer-beats-linear"}
    failed = [f"{n}: {goals[n]['detail']}" for n in sorted(expected) if not goals[n]["holds"]]
    assert not failed


def test_verified_linear_within_two_percent_of_sklearn(summary) -> None:
    ours = summary["models"]["linear"]["runs"]["verified"]["mse"]
    assert abs(ours / summary["sklearn"]["mse"] - 1) <= 0.02


def test_least_squares_baseline_is_sklearns_linear_regression(boston_split) -> None:
    from sklearn.linear_model import LinearRegression  # the test oracle only

    ours = RT.sklearn_linear(boston_split)["predicted"]
    theirs = LinearRegression().fit(boston_split.X_train, boston_split.y_train)
    np.testing.assert_allclose(ours, theirs.predict(boston_split.X_test), rtol=1e-10)


def test_two_layer_beats_linear(summary) -> None:
    models = summary["models"]
    assert models["two-layer"]["runs"]["verified"]["mse"] < models["linear"]["runs"]["verified"][
        "mse"]


def test_rescaled_linear_is_verified_to_rounding(summary) -> None:
    compared = summary["models"]["linear"]["compare"]
    assert compared["rescaled_vs_verified_loss"] <= 1e-10
    assert compared["rescaled_vs_verified_weights"] <= 1e-10
    assert compared["as_printed_vs_verified_weights"] > 1e-3
    runs = summary["models"]["linear"]["runs"]
    assert runs["rescaled"]["mse"] == pytest.approx(runs["verified"]["mse"], rel=1e-10)


def test_printed_linear_at_learning_rate_over_c_trains_like_verified(boston_split) -> None:
    """118 rows per batch divide the 354 training rows: no shrinking, c = 118 throughout."""
    batch = 118
    m = NT.linear_model()
    X, y = boston_split.X_train, boston_split.y_train
    verified = NT.train(m, X, y, m.verified, NT.TrainConfig(3000, 0.003, batch))
    printed = NT.train(m, X, y, m.as_printed, NT.TrainConfig(3000, 0.003 / batch, batch))
    assert set(verified.batch_sizes) == {batch}
    np.testing.assert_allclose(printed.losses, verified.losses, rtol=1e-10)


def test_collapsed_hidden_bias_learns_something_else(summary) -> None:
    two = summary["models"]["two-layer"]
    assert two["checker"]["per_row"] == 0.5
    assert two["compare"]["hidden_bias_spread_kept"] is True
    assert two["compare"]["rescaled_vs_verified_weights"] > 1e-3
    assert two["compare"]["rescaled_vs_verified_loss"] > 1e-3
    assert np.isfinite(two["runs"]["rescaled"]["mse"])
