"""The training loop on small data: the documents' mechanics, and the gradient at every step."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from derive.numeric import train as NT
from derive.numeric.compare import compare
from derive.numeric.fd import central_gradient
from derive.reports.training import checker_factor

from derive import elementwise as EW
from derive.check import derivation
from derive.compile import lambdify

HIDDEN = 4  # the two-layer case's hidden width (derive.cases.c07_two_layer.SHAPE)
BATCH = 5  # the cases' batch: the compiled derivation has these shapes baked in
STEPS = 12
LR = 0.05


def record(m: NT.Model, X: np.ndarray, y: np.ndarray, gradient: NT.GradientFn,
           config: NT.TrainConfig) -> tuple[NT.TrainResult, list[dict]]:
    """Train and keep, for every step, the batch, the weights and the gradient used."""
    steps: list[dict] = []

    def keep(step: NT.Step) -> None:
        steps.append({"X": step.X.copy(), "y": step.y.copy(),
                      "weights": {k: v.copy() for k, v in step.weights.items()},
                      "gradients": {k: np.array(v, copy=True) for k, v in step.gradients.items()}})

    return NT.train(m, X, y, gradient, config, callback=keep), steps


def models() -> list[NT.Model]:
    return [NT.linear_model(), NT.two_layer_model(HIDDEN)]


# --- the documents' mechanics -----------------------------------------------------------------


def test_batches_shrink_for_good_and_reshuffle() -> None:
    X = np.arange(10.0).reshape(10, 1)
    stream = NT.batches(X, X.copy(), 4, np.random.RandomState(0))
    sizes, seen = [], []
    for _ in range(9):
        xb, _ = next(stream)
        sizes.append(len(xb))
        seen.append(sorted(xb.ravel()))
    assert sizes == [4, 4, 2, 2, 2, 2, 2, 2, 2]
    assert sorted(np.concatenate(seen[:3])) == list(range(10))  # one pass covers every row
    assert sorted(np.concatenate(seen[3:8])) == list(range(10))  # then a fresh permutation


def documents_train(X: np.ndarray, y: np.ndarray, n_iter: int, learning_rate: float,
                    batch_size: int) -> tuple[list[float], dict[str, np.ndarray]]:
    """000 §1.3 [33] as printed, global seed and all (with init_weights and loss_gradients)."""
    from derive.numeric.documents import linreg_forward, linreg_gradients_as_printed

    np.random.seed(42)
    start = 0
    weights = {"W": np.random.randn(X.shape[1], 1), "B": np.random.randn(1, 1)}
    perm = np.random.permutation(X.shape[0])
    X, y = X[perm], y[perm]
    losses = []
    for _ in range(n_iter):
        if start >= X.shape[0]:
            perm = np.random.permutation(X.shape[0])
            X, y = X[perm], y[perm]
            start = 0
        if start + batch_size > X.shape[0]:
            batch_size = X.shape[0] - start
        X_batch, y_batch = X[start:start + batch_size], y[start:start + batch_size]
        start += batch_size
        losses.append(linreg_forward(X_batch, y_batch, weights["W"], weights["B"]))
        grads = linreg_gradients_as_printed(X_batch, y_batch, weights["W"], weights["B"])
        for key in weights:
            weights[key] -= learning_rate * grads[key]
    return losses, weights


def test_loop_replays_the_documents_global_seed_code(ragged) -> None:
    X, y = ragged
    state = np.random.get_state()
    try:
        losses, weights = documents_train(X, y, 40, 0.01, BATCH)
    finally:
        np.random.set_state(state)
    m = NT.linear_model()
    ours = NT.train(m, X, y, m.as_printed, NT.TrainConfig(40, 0.01, BATCH, 42))
    np.testing.assert_array_equal(ours.losses, losses)
    for k in weights:
        np.testing.assert_array_equal(ours.weights[k], weights[k])


def test_training_leaves_the_global_random_state_alone(small) -> None:
    _, keys, pos, *_ = np.random.get_state()
    m = NT.linear_model()
    NT.train(m, *small, m.verified, NT.TrainConfig(5, LR, BATCH))
    _, keys_after, pos_after, *_ = np.random.get_state()
    assert np.array_equal(keys, keys_after) and pos == pos_after


@pytest.mark.parametrize("m", models(), ids=lambda m: m.name)
def test_loss_decreases(m: NT.Model, small) -> None:
    result = NT.train(m, *small, m.verified, NT.TrainConfig(300, LR, BATCH))
    assert result.diverged_at is None
    assert result.losses[-15:].mean() < 0.2 * result.losses[:15].mean()


# --- the verified gradient at every step ------------------------------------------------------


@pytest.mark.parametrize("m", models(), ids=lambda m: m.name)
def test_verified_gradient_matches_finite_differences_at_every_step(m: NT.Model, ragged) -> None:
    _, steps = record(m, *ragged, m.verified, NT.TrainConfig(STEPS, LR, BATCH))
    assert {len(s["X"]) for s in steps} == {5, 3, 1}  # shrinking batches are covered too
    for i, s in enumerate(steps):
        inputs = {"X": s["X"], "y": s["y"], **s["weights"]}
        for name, grad in s["gradients"].items():
            fd = central_gradient(m.loss, inputs, name)
            # central differences err normwise (~1e-8 of the largest entry here), so a tiny
            # entry is judged against that, not against its own size
            verdict = compare(fd, grad, rtol=1e-6, atol=1e-6 * float(np.max(np.abs(fd))))
            assert verdict.ok, f"step {i}, {name}: {verdict.message}"


def exact_gradients(case_name: str) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """The elementwise SymPy gradients of a case, lambdified once (derive.check.exact_values)."""
    graph, _, _ = derivation(case_name)
    ew = EW.ground_truth(graph.output, graph.inputs, graph.wrt)
    names = list(ew.symbols)
    flat = [s for k in names for s in np.ravel(ew.symbols[k])]
    exprs = [g for w in graph.wrt for g in np.ravel(ew.gradients[w])]
    f = lambdify(flat, exprs)
    shapes = {w: np.shape(ew.symbols[w]) for w in graph.wrt}

    def evaluate(inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        values = iter(f(*[float(v) for k in names for v in np.ravel(inputs[k])]))
        return {w: np.array([next(values) for _ in range(int(np.prod(shapes[w])))])
                .reshape(shapes[w]) for w in graph.wrt}

    return evaluate


@pytest.mark.parametrize("m", models(), ids=lambda m: m.name)
def test_verified_gradient_is_the_derivation_at_every_step(m: NT.Model, small) -> None:
    """Equal to the compiled matrix form and to elementwise SymPy, step by step."""
    _, _, code = derivation(m.name)
    exact = exact_gradients(m.name)
    _, steps = record(m, *small, m.verified, NT.TrainConfig(STEPS, LR, BATCH))
    for i, s in enumerate(steps):
        inputs = {"X": s["X"], "y": s["y"], **s["weights"]}
        matrix = code.backward(**inputs)
        truth = exact(inputs)
        for name, grad in s["gradients"].items():
            np.testing.assert_allclose(grad, matrix[name], rtol=1e-12, atol=1e-14,
                                       err_msg=f"step {i}, {name} vs matrix form")
            np.testing.assert_allclose(grad, truth[name], rtol=1e-10, atol=1e-12,
                                       err_msg=f"step {i}, {name} vs elementwise SymPy")


# --- the printed gradients --------------------------------------------------------------------


@pytest.mark.parametrize("m", models(), ids=lambda m: m.name)
def test_printed_gradient_is_the_checkers_constant_times_verified(m: NT.Model, ragged) -> None:
    per_row = checker_factor(m.name)["per_row"]
    assert per_row == {"linear": 1.0, "two-layer": 0.5}[m.name]
    _, steps = record(m, *ragged, m.verified, NT.TrainConfig(STEPS, LR, BATCH))
    for i, s in enumerate(steps):
        printed = m.as_printed(s["X"], s["y"], **s["weights"])
        c = per_row * len(s["X"])
        for name, grad in s["gradients"].items():
            got = np.asarray(printed[name])
            if name == "B1":  # collapsed: one number, the sum over the hidden units
                np.testing.assert_allclose(got, c * grad.sum(), rtol=1e-12)
                continue
            np.testing.assert_allclose(got.reshape(grad.shape), c * grad, rtol=1e-12,
                                       err_msg=f"step {i}, {name}")
        if c != 1:
            first = m.verified(s["X"], s["y"], **s["weights"])
            key = next(iter(first))
            verdict = compare(first[key], printed[key])
            assert (verdict.diagnosis, verdict.factor) == ("scaled", c), verdict.message


def test_rescaled_linear_trains_exactly_like_verified(ragged) -> None:
    """Shrinking batches change the constant each step; dividing by c(N) still matches."""
    m = NT.linear_model()
    config = NT.TrainConfig(60, LR, BATCH)
    verified = NT.train(m, *ragged, m.verified, config)
    rescaled = NT.train(m, *ragged, NT.rescaled(m.as_printed, 1.0), config)
    np.testing.assert_allclose(rescaled.losses, verified.losses, rtol=1e-10)
    for k in verified.weights:
        np.testing.assert_allclose(rescaled.weights[k], verified.weights[k], rtol=1e-10)


def test_printed_linear_with_the_learning_rate_divided_by_c_trains_like_verified(small) -> None:
    """With a constant batch (15 rows, 5 per batch) the constant is c = 5 throughout."""
    m = NT.linear_model()
    verified = NT.train(m, *small, m.verified, NT.TrainConfig(60, LR, BATCH))
    printed = NT.train(m, *small, m.as_printed, NT.TrainConfig(60, LR / BATCH, BATCH))
    assert set(verified.batch_sizes) == {BATCH}
    np.testing.assert_allclose(printed.losses, verified.losses, rtol=1e-10)


def test_printed_two_layer_moves_every_hidden_bias_alike(small) -> None:
    m = NT.two_layer_model(HIDDEN)
    config = NT.TrainConfig(200, LR, BATCH)
    verified = NT.train(m, *small, m.verified, config)
    rescaled = NT.train(m, *small, NT.rescaled(m.as_printed, 0.5), config)
    moved = rescaled.weights["B1"] - rescaled.initial["B1"]
    np.testing.assert_allclose(moved, np.full_like(moved, moved[0, 0]), rtol=1e-12)
    assert np.ptp(verified.weights["B1"] - verified.initial["B1"]) > 1e-3
    assert not np.allclose(rescaled.weights["W1"], verified.weights["W1"])


# --- configuration, divergence, scores --------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_iter": 0}, "n_iter must be at least 1, got 0"),
    ({"learning_rate": 0.0}, "learning_rate must be positive and finite, got 0.0"),
    ({"learning_rate": float("inf")}, "learning_rate must be positive and finite, got inf"),
    ({"batch_size": 0}, "batch_size must be at least 1, got 0"),
    ({"seed": -1}, "seed must be in [0, 2**32), got -1"),
])
def test_config_rejects_bad_values(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError) as info:
        NT.TrainConfig(**kwargs)
    assert str(info.value) == message


def test_unknown_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown model 'cnn'; known: linear, two-layer"):
        NT.model("cnn")
    with pytest.raises(ValueError, match="unknown gradient 'adam'"):
        NT.gradient_fn(NT.linear_model(), "adam")
    with pytest.raises(ValueError, match="needs the checker's per-row factor"):
        NT.gradient_fn(NT.linear_model(), "rescaled")
    with pytest.raises(ValueError, match="hidden must be at least 1, got 0"):
        NT.two_layer_model(0)


def test_y_must_be_a_column(small) -> None:
    X, y = small
    m = NT.linear_model()
    with pytest.raises(ValueError, match=r"y must be a column of shape \(15, 1\), got \(15,\)"):
        NT.train(m, X, y.ravel(), m.verified)


def test_divergence_stops_the_loop(small) -> None:
    m = NT.linear_model()
    result = NT.train(m, *small, m.as_printed, NT.TrainConfig(500, 10.0, BATCH))
    assert result.diverged_at is not None
    assert len(result.losses) == result.diverged_at + 1
    assert not np.isfinite(result.losses[-1])
    assert not np.isfinite(NT.score(m, result.weights, *small)["mse"])


def test_scores_equal_sklearn_metrics() -> None:
    from sklearn.metrics import mean_squared_error, r2_score

    rng = np.random.default_rng(3)
    y = rng.standard_normal((40, 1))
    p = y + 0.3 * rng.standard_normal((40, 1))
    assert NT.mse(y, p) == mean_squared_error(y, p)
    assert NT.r2(y, p) == r2_score(y, p)
    assert NT.mse(y.ravel(), p) == NT.mse(y, p)
    with pytest.raises(ValueError, match="rows: expected 40 predictions, got 39"):
        NT.mse(y, p[:-1])
