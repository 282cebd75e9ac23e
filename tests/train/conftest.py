"""Shared data for the training tests: small synthetic tables and the real splits."""

from __future__ import annotations

import numpy as np
import pytest
from derive.numeric import data as ND
from derive.reports import training as RT

# Small tables: 3 features and a known linear target plus noise; 15 rows in batches of 5 match the
# cases' shapes (derive.cases c06, c07: batch 5, 3 features), so their compiled derivation applies.
SMALL_SEED = 7


def _table(rows: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SMALL_SEED)
    X = rng.standard_normal((rows, 3))
    y = X @ np.array([[1.5], [-2.0], [0.5]]) + 0.7 + 0.1 * rng.standard_normal((rows, 1))
    return X, y


@pytest.fixture
def small() -> tuple[np.ndarray, np.ndarray]:
    """15 rows: batches of 5 never shrink."""
    return _table(15)


@pytest.fixture
def ragged() -> tuple[np.ndarray, np.ndarray]:
    """13 rows: batches of 5 shrink to 3, then to 1 (the documents' quirk)."""
    return _table(13)


@pytest.fixture(scope="session")
def boston_split() -> ND.Split:
    return ND.prepare(ND.load_boston())


@pytest.fixture(scope="session")
def summary_cache(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("derive-cache")


@pytest.fixture(scope="session")
def summary(summary_cache) -> dict:
    """The report's training summary with the default parameters (computed once, ~9 s)."""
    return RT.training_summary(cache_dir=summary_cache, refresh=True)
