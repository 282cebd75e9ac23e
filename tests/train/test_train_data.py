"""Data loading, the documents' split and scaling, in numpy, against scikit-learn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from derive.numeric import data as ND
from derive.reports import training as RT
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


@pytest.mark.parametrize(("n", "seed"), [(10, 0), (442, 42), (506, 42), (506, 80718)])
def test_split_is_sklearns_train_test_split(n: int, seed: int) -> None:
    rows = np.arange(n)
    train, test = ND.split_indices(n, 0.3, seed)
    sk_train, sk_test = train_test_split(rows, test_size=0.3, random_state=seed)
    np.testing.assert_array_equal(train, sk_train)
    np.testing.assert_array_equal(test, sk_test)


def test_split_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError, match=r"test_size must be in \(0, 1\), got 1.0"):
        ND.split_indices(10, 1.0)


def test_standardize_is_standard_scaler() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, (50, 4))
    X[:, 2] = 1.5  # a constant column keeps scale 1
    np.testing.assert_allclose(ND.standardize(X), StandardScaler().fit_transform(X), atol=1e-15)
    rows = np.arange(30)
    np.testing.assert_allclose(ND.standardize(X, rows),
                               StandardScaler().fit(X[rows]).transform(X), atol=1e-15)


def test_prepare_scales_before_splitting_as_the_documents_do(boston_split) -> None:
    data = ND.load_boston()
    s = boston_split
    assert (s.X_train.shape, s.X_test.shape) == ((354, 13), (152, 13))
    assert (s.y_train.shape, s.y_test.shape) == ((354, 1), (152, 1))
    Xs = StandardScaler().fit_transform(data.X)
    X_train, _, y_train, _ = train_test_split(Xs, data.y, test_size=0.3, random_state=42)
    np.testing.assert_array_equal(s.X_train, X_train)
    np.testing.assert_array_equal(s.y_train.ravel(), y_train)
    on_train = ND.prepare(data, scaled_on="train")
    np.testing.assert_allclose(on_train.X_train.mean(axis=0), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="scaled_on must be 'all' or 'train', got 'test'"):
        ND.prepare(data, scaled_on="test")


def test_boston_table(boston_split) -> None:
    data = ND.load_boston()
    assert data.X.shape == (506, 13) and data.y.shape == (506,)
    assert data.feature_names[:3] == ("CRIM", "ZN", "INDUS") and data.feature_names[-1] == "LSTAT"
    assert data.sha256 == ND.BOSTON_SHA256
    assert boston_split.X_train.shape == (354, 13)


def test_boston_ships_with_the_package_and_is_the_default() -> None:
    assert ND.boston_csv_path().is_file()
    assert (ND.boston_csv_path().parent / "BOSTON-LICENSE.txt").is_file()
    data, why = RT.load_dataset(None)
    assert data.name == "boston" and why == "the documents' data set"


def test_boston_file_must_match_its_checksum(monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "boston_house_prices.csv"
    fake.write_text('"A","MEDV"\n1,2\n', encoding="utf-8")
    monkeypatch.setattr(ND, "boston_csv_path", lambda: fake)
    with pytest.raises(ValueError, match=r"SHA-256 expected 04ea3ed0aa63\.\.\., got "):
        ND.load_boston()


def test_unknown_data_set() -> None:
    with pytest.raises(ValueError, match="unknown data set 'iris'; known: boston"):
        RT.load_dataset("iris")
