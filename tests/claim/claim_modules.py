"""Paths of the modules the claims are about, loaded once per test run."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from derive.usermodule import UserModule, load

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

MODULES = {
    "lr": ROOT / "examples" / "linear_regression.py",
    "two": ROOT / "examples" / "two_layer.py",
    "sum": ROOT / "examples" / "matrix_sum.py",
    "three": ROOT / "examples" / "three_layer.py",
    "tanh": HERE / "modules" / "tanh_mlp.py",
    "softmax": HERE / "modules" / "softmax_ce.py",
    "relu": HERE / "modules" / "relu_net.py",
}


@cache
def module(key: str) -> UserModule:
    return load(MODULES[key])
