"""Symbolic to numpy, in one place: generated code for the matrix form, lambdify for SymPy.

The matrix-form backward program becomes numpy source in the documents' style
(dLdS = np.ones_like(S); dSdN = d1_sigmoid(N); dLdN = dLdS * dSdN; ...). The same
source is shown in reports and compiled here, so what a reader sees is what ran. The
source is produced by our printer from our own graph, never from user text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from derive import expr as E
from derive.backward import Backward, Term, adjoint_name
from derive.functions import TABLE, U, sympy_namespace
from derive.printers import NumpyPrinter

Arrays = Mapping[str, np.ndarray]


@cache
def derivative_numpy(name: str, order: int) -> Callable[[np.ndarray], np.ndarray]:
    """lambdify of the table's k-th derivative into numpy."""
    expr = TABLE[name].derivative(order)
    return sp.lambdify(U, expr, modules=[sympy_namespace(), "numpy"])


def lambdify(symbols: list[sp.Symbol], exprs: object) -> Callable[..., object]:
    """lambdify SymPy expressions of element symbols into numpy (custom functions mapped)."""
    return sp.lambdify(symbols, exprs, modules=[sympy_namespace(), "numpy"])


def namespace() -> dict[str, object]:
    ns: dict[str, object] = {"np": np}
    for name, row in TABLE.items():
        ns[name] = row.num
        ns[f"d1_{name}"] = _safe(derivative_numpy(name, 1))
    return ns


def _safe(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    def g(x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", under="ignore"):
            return np.broadcast_to(np.asarray(f(x), dtype=np.float64), np.shape(x)).copy()

    return g


@dataclass(frozen=True)
class NumpyCode:
    """Generated forward and backward source, and the compiled functions."""

    forward_source: str
    backward_source: str
    forward: Callable[..., float]
    backward: Callable[..., dict[str, np.ndarray]]


def _factor_name(via: str, of: str) -> str:
    return f"d{via}d{of}"


def _term_code(t: Term, of: str, p: NumpyPrinter, lines: list[str]) -> str:
    """The term as the documents write it: a named factor, then a product."""
    up = adjoint_name(t.via)
    if t.combine in ("hadamard", "right", "left") and t.factor is not None:
        fname = _factor_name(t.via, of)
        lines.append(f"    {fname} = {p.doprint(t.factor)}")
        core = {"hadamard": f"{up} * {fname}", "right": f"{up} @ {fname}",
                "left": f"{fname} @ {up}"}[t.combine]
    elif t.combine == "identity":
        core = up
    else:
        return p.doprint(t.expr)
    if t.summed:
        axes = t.summed[0] if len(t.summed) == 1 else t.summed
        keep = len(t.expr.shape) == len(t.expr.args[0].shape) if t.expr.op == "sum_to" else True
        core = f"({core}).sum(axis={axes}{', keepdims=True' if keep else ''})"
    return core


def backward_source(bw: Backward, p: NumpyPrinter) -> str:
    g = bw.graph
    args = ", ".join(g.inputs)
    lines = [f"def backward({args}):", "    # forward pass"]
    lines += [f"    {s.name} = {p.doprint(s.node)}" for s in g.steps
              if s.node is not g.output or g.output.shape]
    lines.append("    # backward pass")
    for a in bw.assignments:
        if not a.terms:
            lines.append(f"    {a.target} = {p.doprint(a.expr)}")
            continue
        parts = [_term_code(t, a.of, p, lines) for t in a.terms]
        lines.append(f"    {a.target} = {' + '.join(parts)}")
    result = ", ".join(f"{w!r}: {adjoint_name(w)}" for w in g.wrt)
    lines.append(f"    return {{{result}}}")
    return "\n".join(lines) + "\n"


def forward_source(bw: Backward, p: NumpyPrinter) -> str:
    g = bw.graph
    lines = [f"def forward({', '.join(g.inputs)}):"]
    lines += [f"    {s.name} = {p.doprint(s.node)}" for s in g.steps]
    out = g.output.name or p.doprint(g.output)
    lines.append(f"    return {out}")
    return "\n".join(lines) + "\n"


def compile_numpy(bw: Backward) -> NumpyCode:
    """Generate and compile the forward and backward passes of a derivation."""
    ns = namespace()
    p = NumpyPrinter(ns)
    fsrc, bsrc = forward_source(bw, p), backward_source(bw, p)
    code: dict[str, object] = dict(ns)
    exec(compile(fsrc, "<derive forward>", "exec"), code)  # noqa: S102 - our own generated code
    exec(compile(bsrc, "<derive backward>", "exec"), code)  # noqa: S102
    return NumpyCode(fsrc, bsrc, code["forward"], code["backward"])  # type: ignore[arg-type]


def evaluate_numeric(node: E.Node, env: Arrays) -> np.ndarray:
    """Evaluate one expression numerically (small helper for tests and reports)."""
    ns = namespace()
    src = NumpyPrinter(ns).doprint(node)
    return np.asarray(eval(src, ns, dict(env)), dtype=np.float64)  # noqa: S307 - our printer's output
