"""The documents' code that does not run as printed, kept exactly as printed.

The cases' "as printed" passes (numeric/documents.py) repair two slips so that they can
run at all; these functions keep the slips, so that the claims about this code can run it
and report the error a reader meets. Nothing here is fixed; each function names its source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from derive.numeric import documents as D

ndarray = np.ndarray


def chain_length_2_002(chain: Sequence[Callable[[Any], Any]], a: ndarray) -> ndarray:
    """002 "Nested Functions": the parameter is ``a`` but the body returns f2(f1(x))."""
    assert len(chain) == 2, "Length of input 'chain' should be 2"
    f1 = chain[0]
    f2 = chain[1]
    return f2(f1(x))  # noqa: F821  (as printed: x is not defined)


def loss_gradients_001(forward_info: Mapping[str, ndarray],
                       weights: Mapping[str, ndarray]) -> dict[str, ndarray]:
    """001 §1.4: the two-layer backward as printed (its first lines are 000 §1.4 [44]'s);
    it defines ``dM2d01`` (a zero) and then reads ``dM2dO1`` (a letter O)."""
    dLdP = -(forward_info['y'] - forward_info['P'])
    dPdM2 = np.ones_like(forward_info['M2'])
    dPdB2 = np.ones_like(weights['B2'])
    dLdM2 = dLdP * dPdM2
    dLdB2 = (dLdP * dPdB2).sum(axis=0)
    dM2dW2 = forward_info['01'].T
    dM2d01 = weights['W2'].T  # noqa: F841  (as printed: defined, never read)
    dLdW2 = dM2dW2 @ dLdP
    dLdO1 = dLdM2 @ dM2dO1  # noqa: F821  (as printed: dM2dO1 is not defined)
    dO1dN1 = D.doc_sigmoid(forward_info['N1']) * (1 - D.doc_sigmoid(forward_info['N1']))
    dLdN1 = dLdO1 * dO1dN1
    dN1dB1 = np.ones_like(weights['B1'])
    dN1dM1 = np.ones_like(forward_info['M1'])
    dLdB1 = (dLdN1 * dN1dB1).sum(axis=0)
    dLdM1 = dLdN1 * dN1dM1
    dM1dW1 = forward_info['X'].T
    dLdW1 = dM1dW1 @ dLdM1
    return {'W2': dLdW2, 'B2': dLdB2.sum(axis=0), 'W1': dLdW1, 'B1': dLdB1.sum(axis=0)}


def _run_chain_length_2(inputs: Mapping[str, ndarray]) -> Any:
    return chain_length_2_002([D.doc_square, D.doc_sigmoid], inputs["x"])


def _run_loss_gradients_001(inputs: Mapping[str, ndarray]) -> Any:
    info = {"X": inputs["X"], "y": inputs["y"], "M1": inputs["X"] @ inputs["W1"]}
    info["N1"] = info["M1"] + inputs["B1"]
    info["01"] = D.doc_sigmoid(info["N1"])  # the extraction's key for O1, as printed
    info["M2"] = info["01"] @ inputs["W2"]
    info["P"] = info["M2"] + inputs["B2"]
    weights = {k: inputs[k] for k in ("W1", "B1", "W2", "B2")}
    return loss_gradients_001(info, weights)


# name -> how to run it on a case's inputs (the claims name their program here)
PROGRAMS: dict[str, Callable[[Mapping[str, ndarray]], Any]] = {
    "chain_length_2 (002)": _run_chain_length_2,
    "loss_gradients (001)": _run_loss_gradients_001,
}
