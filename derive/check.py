"""The three-way check of a case: symbolic, hand-written and finite differences.

Pipeline of pure stages: trace -> derive by rules -> compile -> elementwise truth ->
prove -> compare. Each stage's result is kept on the :class:`CaseResult` so reports
print exactly what was checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from derive import backward as B
from derive.cases import Case, Printed
from derive.compile import NumpyCode, evaluate_numeric, lambdify, step_values
from derive.graph import Graph, kink_nodes
from derive.numeric.compare import Comparison, compare
from derive.numeric.config import AS_PRINTED_RTOL, FD_RTOL  # noqa: F401 - the table's names
from derive.numeric.fd import central_gradient, one_sided_gradients

if TYPE_CHECKING:  # SymPy's side: imported where elementwise SymPy runs
    from derive import elementwise as EW

# Elementwise SymPy grows with every entry; above this many input entries the case is
# proved on the matrix form only (``derive verify`` proves on a reduced shape instead).
ELEMENTWISE_MAX_ENTRIES = 200

Arrays = dict[str, np.ndarray]


@dataclass(frozen=True)
class GradientCheck:
    """One gradient, four ways, and how they compare with the exact value."""

    name: str
    exact: np.ndarray  # lambdified elementwise SymPy (the ground truth)
    matrix: np.ndarray  # compiled matrix form
    fd: np.ndarray
    hand: np.ndarray | None
    as_printed: Any  # array, or the error text when the printed code fails
    vs_matrix: Comparison
    vs_fd: Comparison
    vs_hand: Comparison | None
    vs_printed: Comparison | None
    proof: EW.Proof | None

    @property
    def ok(self) -> bool:
        checks = [self.vs_matrix, self.vs_fd] + ([self.vs_hand] if self.vs_hand else [])
        # a proof that ran out of time decides nothing; only a refuted one is a disagreement
        return all(c.ok for c in checks) and (self.proof is None or not self.proof.refuted)


@dataclass(frozen=True)
class PrintedCheck:
    """A number the documents print: reproduced by their code, and beside the exact value."""

    printed: Printed
    reproduced: Any
    exact: Any
    reproduces: bool
    max_diff_exact: float


@dataclass(frozen=True)
class CaseResult:
    case: Case
    graph: Graph
    backward: B.Backward
    code: NumpyCode
    elementwise: EW.Elementwise | None
    inputs: Arrays
    steps: dict[str, np.ndarray]
    forward: dict[str, Any]
    gradients: dict[str, GradientCheck]
    printed: tuple[PrintedCheck, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(g.ok for g in self.gradients.values())

    @cached_property
    def evidence(self) -> Any:
        """The drawn numbers (adjoints on every edge, curves, FD error, Taylor slopes):
        derive.evidence.Evidence, computed once on first use so a plain check stays fast."""
        from derive.evidence import gather

        return gather(self, adjoint_values(self))

    @cached_property
    def entries(self) -> dict[str, Any]:
        """Each gradient entry by entry in the documents' notation, with one sample entry
        (derive.entries.Entries by name); empty when the case is too big for elementwise SymPy."""
        from derive.entries import written_out

        return written_out(self.graph, self.elementwise)

    def __repr__(self) -> str:
        grads = ", ".join(f"{w}: {'ok' if g.ok else 'disagrees'}"
                          for w, g in self.gradients.items())
        return f"CaseResult({self.case.name!r}, ok={self.ok}, {grads})"

    def _repr_markdown_(self) -> str:
        from derive.reports.notebook import case_markdown  # lazy: reports imports derive

        return case_markdown(self)

    def _repr_html_(self) -> str:
        from derive.reports.notebook import case_html  # lazy: reports imports derive, not back

        return case_html(self)

    def _repr_latex_(self) -> str:
        from derive.reports.notebook import case_latex  # lazy: reports imports derive, not back

        return case_latex(self)


def shapes_of(inputs: Mapping[str, np.ndarray]) -> dict[str, tuple[int, ...]]:
    return {k: np.shape(v) for k, v in inputs.items()}


def derivation(case: Case | str) -> tuple[Graph, B.Backward, NumpyCode]:
    """Trace, derive and compile a case (or a registered case's name), cached by what decides
    the graph (derive.verify's cache: the forward's code and the values it reads, shapes), so
    a Case that reuses a registered name gets its own derivation."""
    from derive.verify.derivation import derivation as derive_forward

    if isinstance(case, str):
        from derive.cases import get

        case = get(case)
    d = derive_forward(case.forward, shapes_of(case.inputs()), tuple(case.wrt))
    return d.graph, d.backward, d.code


def exact_values(ew: EW.Elementwise, wrt: tuple[str, ...], inputs: Arrays) -> tuple[float, Arrays]:
    """The elementwise SymPy output and gradients, lambdified and evaluated at the point."""
    names = list(ew.symbols)
    flat_syms = [s for k in names for s in np.ravel(ew.symbols[k])]
    flat_vals = [float(v) for k in names for v in np.ravel(inputs[k])]
    exprs = [ew.output] + [g for w in wrt for g in np.ravel(ew.gradients[w])]
    with np.errstate(over="ignore", under="ignore"):
        values = lambdify(flat_syms, exprs)(*flat_vals)
    out, rest = float(values[0]), list(values[1:])
    grads: Arrays = {}
    for w in wrt:
        n = int(np.size(inputs[w]))
        grads[w] = np.array(rest[:n], dtype=np.float64).reshape(np.shape(inputs[w]))
        rest = rest[n:]
    return out, grads




def _call(f: Callable[..., Any] | None, inputs: Arrays) -> Any:
    if f is None:
        return None
    try:
        with np.errstate(over="ignore"):
            return f(**{k: np.array(v, copy=True) for k, v in inputs.items()})
    except Exception as exc:  # noqa: BLE001 - the documents' code may fail; that is a finding
        return f"{type(exc).__name__}: {exc}"


def _compare_printed(value: Any, exact: np.ndarray) -> Comparison:
    if isinstance(value, str):
        return Comparison("wrong", "shape", None, float("nan"), float("nan"), (), AS_PRINTED_RTOL,
                          f"shape: the code as printed fails ({value})")
    return compare(exact, value, rtol=AS_PRINTED_RTOL)


def check_case(case: Case | str, *, prove: bool = True, elementwise: bool = True
               ) -> CaseResult:
    """Run every stage for one case (a Case, or the name of one of the documents' cases).

    ``elementwise=False`` skips elementwise SymPy (and the proofs, which need it): the exact
    values are then the matrix form's, and SymPy is never imported (the report's training
    child needs only the diagnosis of the printed code)."""
    if isinstance(case, str):
        from derive.cases import get

        case = get(case)
    inputs = case.inputs()
    graph, bw, code = derivation(case)
    entries = sum(int(np.size(v)) for v in inputs.values())
    ew = None
    if elementwise and entries <= ELEMENTWISE_MAX_ENTRIES:
        from derive import elementwise as EW

        ew = EW.ground_truth(graph.output, graph.inputs, graph.wrt)
    with np.errstate(over="ignore", under="ignore"):
        matrix = code.backward(**inputs)
        fwd_matrix = float(np.asarray(code.forward(**inputs)).reshape(()))
    exact_fwd, exact = exact_values(ew, graph.wrt, inputs) if ew else (fwd_matrix, matrix)
    hand = _call(case.hand, inputs)
    printed = _call(case.as_printed, inputs)
    kinks = bool(kink_nodes(graph))
    grads: dict[str, GradientCheck] = {}
    for w in graph.wrt:
        fd = central_gradient(case.forward, inputs, w)
        sub = one_sided_gradients(case.forward, inputs, w) if kinks else None
        h = None if hand is None else np.asarray(hand[w], dtype=np.float64)
        p = None
        if isinstance(printed, str):
            p = printed
        elif printed is not None and w in printed:
            p = printed[w]
        proof = _prove(graph, bw, ew, w) if (prove and case.prove and ew) else None
        grads[w] = GradientCheck(
            w, exact[w], np.asarray(matrix[w]), fd, h, p,
            vs_matrix=compare(exact[w], matrix[w], subgradient=sub),
            vs_fd=compare(exact[w], fd, subgradient=sub, rtol=FD_RTOL,
                          atol=FD_RTOL * float(np.max(np.abs(exact[w]), initial=0.0))),
            vs_hand=None if h is None else compare(exact[w], h, subgradient=sub),
            vs_printed=None if p is None else _compare_printed(p, exact[w]),
            proof=proof,
        )
    forward = {"symbolic": exact_fwd, "matrix": fwd_matrix}
    if case.as_printed_forward is not None:
        forward["as_printed"] = _call(case.as_printed_forward, inputs)
    steps = step_values(graph, inputs)
    printed_checks = tuple(_printed(pc, case, inputs, forward, exact, printed)
                           for pc in case.printed)
    return CaseResult(case, graph, bw, code, ew, inputs, steps, forward, grads, printed_checks)


def _prove(graph: Graph, bw: B.Backward, ew: EW.Elementwise, w: str) -> EW.Proof:
    """The proof for ``w``, read back from the disk cache when this graph was proved before
    (keyed by its structure, as ``derive verify`` keys its proofs): the report's three-layer
    proof costs seconds of SymPy once, not on every run."""
    from derive import proofcache
    from derive.proof import FULL_BUDGET

    shapes = {k: v.shape for k, v in graph.inputs.items()}
    key = proofcache.structure_key(graph.output, (w,), shapes, FULL_BUDGET)
    kept = proofcache.load(key)
    if kept is not None and w in kept[1]:
        return kept[1][w]
    proof = _prove_now(graph, bw, ew, w)
    proofcache.store(key, "case", {w: proof})
    return proof


def _prove_now(graph: Graph, bw: B.Backward, ew: EW.Elementwise, w: str) -> EW.Proof:
    from derive import elementwise as EW

    env = dict(ew.symbols)
    for s in graph.steps:
        env[s.name] = EW.evaluate(s.node, env)
    matrix_form = EW.evaluate(bw.gradient(w), env)
    return EW.prove(w, matrix_form, ew.gradients[w])


def _printed(pc: Printed, case: Case, inputs: Arrays, forward: dict[str, Any],
             exact: Arrays, as_printed: Any) -> PrintedCheck:
    """Reproduce one printed number with the documents' code, to the digits printed."""
    if pc.reproduce is not None:
        reproduced, exact_value = pc.reproduce(inputs), exact.get(pc.what, forward["symbolic"])
    elif pc.what == "forward":
        reproduced = forward.get("as_printed", forward["matrix"])
        exact_value = forward["symbolic"]
    elif pc.what.endswith("-input"):
        reproduced = exact_value = inputs[pc.what.removesuffix("-input")]
    else:
        reproduced = None if as_printed is None or isinstance(as_printed, str) \
            else as_printed.get(pc.what)
        exact_value = exact[pc.what]
    rep = np.asarray(reproduced, dtype=np.float64)
    val = np.asarray(pc.value, dtype=np.float64)
    same = rep.size == val.size and bool(np.all(
        (np.round(rep.reshape(val.shape), pc.digits) if pc.digits is not None
         else rep.reshape(val.shape)) == val))
    ex = np.asarray(exact_value, dtype=np.float64).reshape(-1)
    diff = float(np.max(np.abs(ex - val.reshape(-1)))) if ex.size == val.size else float("nan")
    return PrintedCheck(pc, reproduced, exact_value, same, diff)


def check(names: list[str] | None = None, *, prove: bool = True,
          progress: Callable[[str], None] | None = None) -> list[CaseResult]:
    """Check the named cases (all by default), in the documents' order."""
    from derive.cases import get, registry

    chosen = [get(n) for n in names] if names else list(registry().values())
    results = []
    for case in chosen:
        if progress:
            progress(case.name)
        results.append(check_case(case, prove=prove))
    return results


def adjoint_values(result: CaseResult) -> dict[str, np.ndarray]:
    """dLd<name> for every step and differentiated input, evaluated at the point."""
    env: dict[str, Any] = dict(result.inputs)
    env.update(result.steps)
    out: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for a in result.backward.assignments:
            value = evaluate_numeric(a.expr, env)
            env[a.target] = value
            out[a.of] = np.asarray(value, dtype=np.float64)
    return out
