"""The one-pass value_and_gradient equals forward and backward, for every case."""

from __future__ import annotations

import numpy as np
import pytest

from derive.cases import registry
from derive.check import derivation


@pytest.mark.parametrize("name", list(registry()))
def test_value_and_gradient_is_forward_plus_backward(name: str) -> None:
    _, _, code = derivation(name)
    inputs = registry()[name].inputs()
    value, grads = code.value_and_gradient(**inputs)
    np.testing.assert_array_equal(value, code.forward(**inputs))
    back = code.backward(**inputs)
    assert set(grads) == set(back)
    for w in back:
        np.testing.assert_array_equal(grads[w], back[w])
