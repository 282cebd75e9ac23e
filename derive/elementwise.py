"""Elementwise SymPy: the ground truth that proves the matrix form.

Every input becomes an array of element symbols (x_11, w_21, ...); the forward graph
evaluated on them gives the scalar output as one SymPy expression, and ``sympy.diff``
with respect to every element gives the gradient entry by entry. The matrix-form
gradient evaluated on the same symbols must agree: :mod:`derive.proof` shows the
difference is zero, entry by entry, within a work budget.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive import expr as E
from derive.errors import ProofTimeout
from derive.expr import Node
from derive.ops import spec
from derive.ops.symbolic import apply as _apply


class ElementSymbol(sp.Symbol):
    """x_11 that prints as x_{11}, and w1_21 as w^{(1)}_{21}, in LaTeX."""

    def _latex(self, printer: object) -> str:
        m = re.fullmatch(r"([A-Za-z]+?)(\d*)_(\d+(?:,\d+)*)", self.name)
        if not m:
            return self.name
        base, layer, idx = m.groups()
        layer_tex = f"^{{({layer})}}" if layer else ""
        return f"{base}{layer_tex}_{{{idx}}}"


def element_symbols(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of real symbols named like the documents' x_11 (1-based)."""
    base = name.lower()
    if not shape:
        return np.array(ElementSymbol(base, real=True), dtype=object)
    sep = "" if max(shape) < 10 else ","
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        label = sep.join(str(i + 1) for i in idx)
        out[idx] = ElementSymbol(f"{base}_{label}", real=True)
    return out


def evaluate(node: Node, env: Mapping[str, np.ndarray],
             memo: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """Evaluate an expression on object arrays of SymPy expressions (each operation's
    ``sympy`` form, from its spec in :mod:`derive.ops`). Pass one ``memo`` to evaluate many
    expressions over one graph: each node is then built once (a 300-step graph's steps and
    gradients are not rebuilt from the inputs each time, which is quadratic)."""
    memo = {} if memo is None else memo
    for n in E.topological(node):
        if n.uid not in memo:
            memo[n.uid] = spec(n.op).sympy(n, [memo[a.uid] for a in n.args], env)
    return memo[node.uid]


@dataclass(frozen=True)
class Elementwise:
    """The scalar output over element symbols and its exact gradient, entry by entry."""

    symbols: dict[str, np.ndarray]
    output: sp.Expr
    gradients: dict[str, np.ndarray]


def symbols_for(inputs: Mapping[str, Node],
                constants: Mapping[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Element symbols for every input; integer and boolean constants (labels, indices,
    masks) keep their values, because they decide which entries are read."""
    out = {}
    for k, n in inputs.items():
        v = None if constants is None else constants.get(k)
        if v is not None and np.asarray(v).dtype.kind in "biu":
            out[k] = np.asarray(v)
        else:
            out[k] = element_symbols(k, n.shape)
    return out


# The largest elementwise output (SymPy operations) that is differentiated entry by entry:
# sympy.diff and the proofs after it grow with it, and a proof must end in bounded work.
GROUND_TRUTH_MAX_OPS = 20_000


def too_large(output: Node, max_nodes: int) -> None:
    """ProofTimeout (undecided) before any SymPy work when the graph has more operations than
    ``max_nodes`` or is deeper than SymPy's recursion allows."""
    depth: dict[int, int] = {}
    order = E.topological(output)
    for n in order:
        depth[n.uid] = 1 + max((depth[a.uid] for a in n.args), default=0)
    if len(order) > max_nodes:
        raise ProofTimeout(f"not proved: {len(order)} operations in the graph (work budget "
                           f"{max_nodes})")
    if depth[output.uid] > PROOF_MAX_DEPTH:
        raise ProofTimeout(f"not proved: the graph is {depth[output.uid]} operations deep "
                           f"(SymPy's trees stop at {PROOF_MAX_DEPTH})")


def ground_truth(output: Node, inputs: Mapping[str, Node], wrt: tuple[str, ...],
                 constants: Mapping[str, np.ndarray] | None = None,
                 max_ops: int = GROUND_TRUTH_MAX_OPS,
                 memo: dict[int, np.ndarray] | None = None,
                 max_nodes: int | None = None, max_total: int | None = None) -> Elementwise:
    """sympy.diff of the scalar output with respect to every element of every input in wrt.
    Raises ProofTimeout (undecided) when the output exceeds ``max_ops`` operations, or when
    its operations times the entries to differentiate by exceed ``max_total`` (the size of
    what diff would build: attention's 2,903 operations by 12 entries took seconds)."""
    if max_nodes is not None:
        too_large(output, max_nodes)
    symbols = symbols_for(inputs, constants)
    value = evaluate(output, symbols, memo)
    if value.size != 1:
        raise ValueError(f"the output must be a scalar, got shape {value.shape}")
    scalar = value.reshape(())[()]
    ops = sp.count_ops(scalar)
    if ops > max_ops:
        raise ProofTimeout(f"not proved: the elementwise output has {ops} operations "
                           f"(work budget {max_ops})")
    entries = sum(int(symbols[w].size) for w in wrt)
    if max_total is not None and ops * entries > max_total:
        raise ProofTimeout(f"not proved: {ops} operations to differentiate by {entries} "
                           f"entries (work budget {max_total})")
    grads = {w: _apply(lambda s: sp.diff(scalar, s), symbols[w]) for w in wrt}
    return Elementwise(symbols, scalar, grads)




# The proof lives in derive.proof; these names are where callers have always found them.
from derive.proof import (  # noqa: E402
    FULL_BUDGET,
    PROOF_MAX_DEPTH,
    Proof,
    WorkBudget,
    is_zero,
    is_zero_almost_everywhere,
    prove,
)

__all__ = ["FULL_BUDGET", "GROUND_TRUTH_MAX_OPS", "ElementSymbol", "Elementwise", "Proof",
           "WorkBudget", "element_symbols", "evaluate", "ground_truth", "is_zero",
           "is_zero_almost_everywhere", "prove", "symbols_for"]
