"""The symbolic side of judging a claim: at a small set of shapes, the claim and the derived
gradient are evaluated entry by entry on SymPy symbols (every entry of every input a symbol)
and their difference simplified to zero, so a right claim is right at every value, not at a
few random points. Sizes enter as numbers here; that the claim holds at every n is what the
numeric check at two batch sizes adds.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from derive import elementwise as EW
from derive import expr as E
from derive import proof as P
from derive.claim import ast as A
from derive.claim.build import Scope, ShapeProblem, adjoints, build
from derive.errors import DeriveError
from derive.expr import Node
from derive.usermodule import shapes_text
from derive.verify import derivation, reduced_shapes

Shape = tuple[int, ...]

# The symbolic check runs when the small shapes have at most this many input entries:
# SymPy works entry by entry, and ~50 entries keep it near a second for a network.
SYMBOLIC_MAX_ENTRIES = 48

# The batch size as a symbol: positive, so 2/n never hides a division by zero.
N_SYMBOL = sp.Symbol("n", positive=True, integer=True)


def prove(tree: A.Ast, forward: object, shapes: Mapping[str, Shape], name: str,
          has_data: bool) -> str:
    """One line: proved, refuted, or why the symbolic check was not made."""
    if has_data:
        return ("not checked symbolically: inputs(rng) gives data (labels, targets) the "
                "formula may rely on")
    small = reduced_shapes(shapes)
    if sum(_size(s) for s in small.values()) > SYMBOLIC_MAX_ENTRIES:
        return f"not checked symbolically: more than {SYMBOLIC_MAX_ENTRIES} entries at " \
            f"{shapes_text(small)}"
    try:
        d = derivation(forward, small, (name,))  # type: ignore[arg-type]
        g = d.graph
        named = dict(g.inputs)
        named.update({s.name: s.node for s in g.steps})
        batch = next(((k, int(v[0])) for k, v in small.items() if len(v) >= 2), None)
        claim = build(tree, Scope(named, batch, adjoints=adjoints(d.backward), wrt=name))
        grad = d.backward.gradient(name)
        memo: dict[int, object] = _batch_symbol([claim, grad], batch)
        env = dict(EW.symbols_for(g.inputs))
        for s in g.steps:
            env[s.name] = EW.evaluate(s.node, env, memo)  # type: ignore[arg-type]
        truth = EW.evaluate(grad, env, memo)  # type: ignore[arg-type]
        mine = EW.evaluate(claim, env, memo)  # type: ignore[arg-type]
    except (DeriveError, ShapeProblem) as exc:
        return f"not checked symbolically at {shapes_text(small)}: {exc}"
    except Exception as exc:  # noqa: BLE001 - an operation without an elementwise form
        return f"not checked symbolically: {type(exc).__name__}"
    result = P.prove(name, mine, truth, P.AUTO_BUDGET)
    at = f"at {shapes_text(small)}"
    with_n = " with n a symbol" if memo_has_n(memo) else ""
    if result.proved:
        return f"equal to the derived gradient entry by entry in SymPy {at}{with_n}"
    if result.undecided:
        return f"not decided symbolically {at} ({result.message})"
    return f"differs from the derived gradient in SymPy {at} ({result.message})"


def _batch_symbol(nodes: list[Node], batch: tuple[str, int] | None) -> dict[int, object]:
    """A memo in which every batch size read off an input (X.shape[0], n) is the symbol n, so
    a factor 2/n is proved as 2/n, not as 2/3 at n = 3."""
    if batch is None:
        return {}
    n = np.asarray(N_SYMBOL, dtype=object)
    return {x.uid: n for x in E.topological(nodes)
            if x.op == "dim" and x.attrs.axis == 0 and x.attrs.value == batch[1]}


def memo_has_n(memo: dict[int, object]) -> bool:
    return any(isinstance(v, np.ndarray) and v.shape == () and v[()] is N_SYMBOL
               for v in memo.values())


def _size(shape: Shape) -> int:
    out = 1
    for s in shape:
        out *= s
    return out
