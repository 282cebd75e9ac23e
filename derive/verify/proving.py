"""Stage 6, proof: the matrix form equal to elementwise SymPy at reduced shapes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from derive import proof as P
from derive import proofcache
from derive import usermodule as U
from derive.errors import ProofTimeout, TraceError
from derive.numeric.config import PROVE_AUTO_MAX_ENTRIES, REDUCED_SIZES
from derive.verify.derivation import derivation
from derive.verify.results import Derivation, GradientResult

if TYPE_CHECKING:  # SymPy's side: imported where a proof runs, not on a cached one
    from derive import elementwise as EW

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# An automatic proof (not asked for) gets a small work budget, so it never dominates a run;
# asking with ``prove=True`` / ``--prove`` gives the full one (derive.proof).
PROOF_AUTO_BUDGET = P.AUTO_BUDGET


# ---------------------------------------------------------------- proofs at a reduced shape


def reduced_shapes(shapes: Mapping[str, Shape]) -> dict[str, Shape]:
    """Every size above 3 shrunk to 2 or 3 (distinct sizes alternate), sizes 1-3 kept."""
    big = sorted({s for shape in shapes.values() for s in shape if s > 3})
    small = {s: REDUCED_SIZES[i % len(REDUCED_SIZES)] for i, s in enumerate(big)}
    return {k: tuple(small.get(s, s) for s in shape) for k, shape in shapes.items()}


def _entries(shapes: Mapping[str, Shape]) -> int:
    return sum(int(np.prod(s, dtype=np.int64)) for s in shapes.values())


def labels(constants: Mapping[str, np.ndarray] | None) -> dict[str, np.ndarray]:
    """The integer and boolean constants (labels, indices, masks): their values only hold at
    the drawn shapes, so a proof that reads them runs there, with these values."""
    return {k: v for k, v in (constants or {}).items() if np.asarray(v).dtype.kind in "biu"}


def _want_proof(prove: bool | None, shapes: Mapping[str, Shape],
                constants: Mapping[str, np.ndarray] | None = None) -> bool:
    if prove is not None:
        return bool(prove)
    small = reduced_shapes(shapes)
    if labels(constants) and small != dict(shapes):
        return False  # labels hold at the drawn shapes only: proved there when asked
    return _entries(small) <= PROVE_AUTO_MAX_ENTRIES


def _prove(forward: Callable[..., Any], shapes: dict[str, Shape], wrt: tuple[str, ...],
           budget: P.WorkBudget, constants: Mapping[str, np.ndarray] | None = None,
           drawn: Derivation | None = None
           ) -> tuple[dict[str, Shape], str, EW.Elementwise | None, dict[str, EW.Proof]]:
    """Retrace at reduced shapes (at the drawn ones, with their values, when labels are
    constants) and prove each matrix-form gradient, within the budget. ``drawn``, the
    derivation at the drawn shapes, finds a kept proof without the retrace."""
    fixed = dict(constants or {}) if labels(constants) else {}
    small = dict(shapes) if fixed else reduced_shapes(shapes)
    key = ("proof", budget)
    alias = None
    if drawn is not None and not fixed:
        if key in drawn.memo:
            return drawn.memo[key]
        alias = "drawn/" + proofcache.structure_key(drawn.graph.output, wrt, shapes,
                                                    ("reduced", budget))
        pointer = proofcache.read(alias)
        kept = proofcache.load(str(pointer.get("proof"))) if pointer is not None else None
        if kept is not None:
            drawn.memo[key] = small, kept[0] + " (kept from an earlier run)", None, kept[1]
            return drawn.memo[key]
    try:
        d = derivation(forward, small, wrt, fixed)
    except TraceError as exc:
        return small, f"not proved: forward does not trace at {U.shapes_text(small)} ({exc})", \
            None, {}
    if key not in d.memo:  # a proof is about the graph, not the point: once per derivation
        d.memo[key] = _prove_derivation(d, small, wrt, budget, fixed) if fixed else \
            _stored_proof(d, small, wrt, budget, alias)
    if drawn is not None and not fixed:
        drawn.memo[key] = d.memo[key]
    return d.memo[key]


def _stored_proof(d: Derivation, small: dict[str, Shape], wrt: tuple[str, ...],
                  budget: P.WorkBudget, alias: str | None = None
                  ) -> tuple[dict[str, Shape], str, EW.Elementwise | None, dict[str, EW.Proof]]:
    """The proof kept on disk for this graph's structure, else proved now and kept; ``alias``
    (the drawn graph's key) is made to point at it, to find it without the retrace."""
    key = proofcache.structure_key(d.graph.output, wrt, small, budget)
    kept = proofcache.load(key)
    if kept is not None:
        note, proofs = kept
        ew = None
    else:
        small, note, ew, proofs = _prove_derivation(d, small, wrt, budget)
        if ew is None:
            return small, note, ew, proofs
        proofcache.store(key, note, proofs)
    if alias is not None:  # the drawn graph's key points at the proof
        proofcache.write(alias, {"proof": key})
    return small, note + (" (kept from an earlier run)" if ew is None else ""), ew, proofs


def _prove_derivation(d: Derivation, small: dict[str, Shape], wrt: tuple[str, ...],
                      budget: P.WorkBudget, constants: Mapping[str, np.ndarray] | None = None
                      ) -> tuple[dict[str, Shape], str, EW.Elementwise | None,
                                 dict[str, EW.Proof]]:
    from derive import elementwise as EW

    g = d.graph
    try:
        memo: dict[int, np.ndarray] = {}  # one pass over the graph, shared by every form
        ew = EW.ground_truth(g.output, g.inputs, g.wrt, constants, max_ops=budget.entry_ops,
                             memo=memo, max_nodes=budget.graph_ops, max_total=budget.total_ops)
        env = dict(ew.symbols)
        for s in g.steps:
            env[s.name] = EW.evaluate(s.node, env, memo)
        forms = {w: EW.evaluate(d.backward.gradient(w), env, memo) for w in wrt}
    except ProofTimeout as exc:
        return small, str(exc), None, {}
    except Exception as exc:  # noqa: BLE001 - an op without elementwise form: no proof, no crash
        return small, f"not proved: {U.describe(exc)}", None, {}
    try:
        proofs = {w: EW.prove(w, forms[w], ew.gradients[w], budget) for w in wrt}
    except Exception as exc:  # noqa: BLE001 - SymPy failing on a form: undecided, not a crash
        return small, f"not proved: SymPy failed ({U.describe(exc)})", None, {}
    return small, _proof_note(small, proofs, budget), ew, proofs


def _proof_note(small: dict[str, Shape], proofs: dict[str, EW.Proof],
                budget: P.WorkBudget) -> str:
    done = [w for w, p in proofs.items() if p.proved]
    seconds = sum(p.seconds for p in proofs.values())
    at = f"at {U.shapes_text(small)}"
    if len(done) == len(proofs):
        return f"matrix form = elementwise SymPy {at}, every entry ({seconds:.2g} s)"
    rest = [w for w in proofs if w not in done]
    head = f"proved {', '.join(done)} {at}; " if done else ""
    return f"{head}{', '.join(rest)} not proved within the {budget.describe()}"


def _with_proof(g: GradientResult, proof: EW.Proof | None) -> GradientResult:
    if proof is None:
        return g
    return replace(g, proof=proof)


def _proof_problems(proofs: dict[str, EW.Proof]) -> list[str]:
    """A failed proof is our problem, not the user's: say so (undecided is just a result)."""
    out = []
    for w, p in proofs.items():
        if p.refuted:
            out.append(f"the matrix form of {w} was not proved equal to elementwise SymPy "
                       f"({p.message}); please report it")
    return out
