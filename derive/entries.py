"""A gradient entry by entry in the documents' notation: the SymPy rewriting the report shows.

Elementwise SymPy writes σ(a)(1 − σ(a)) and repeats every step's entries in full. Here each
σ(a)(1 − σ(a)) folds to σ'(a), and a step's entries get short names (n_11 for an entry of N),
as 000 §1.2.8 writes XW_11. The report only prints what this module returns; where the whole
matrix is too long to print, one sample entry is written out with the steps named inside sums
too (slower, so done for one entry only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from derive import elementwise as EW
from derive.functions import sigmoid
from derive.printers import name_latex


class SigmaPrime(sp.Function):
    """σ'(a), for display only: σ(a)(1 - σ(a)) folded back into the documents' notation."""

    nargs = 1

    def _latex(self, printer: Any, exp: Any = None) -> str:
        base = rf"\sigma'\left({printer._print(self.args[0])}\right)"
        return base if exp is None else rf"{base}^{{{exp}}}"


def fold_sigma_prime(e: sp.Expr) -> sp.Expr:
    """Rewrite every σ(a)·(1 - σ(a)) inside ``e`` as σ'(a)."""
    if e.is_Atom:
        return e
    args = tuple(fold_sigma_prime(a) for a in e.args)
    if args != e.args:
        e = e.func(*args)
    if not e.is_Mul:
        return e
    factors = list(e.args)
    found = {f.args[0] for f in factors if isinstance(f, sigmoid)}
    for arg in sorted(found, key=sp.default_sort_key):
        s, one_minus = sigmoid(arg), 1 - sigmoid(arg)
        if s in factors and one_minus in factors:
            factors.remove(s)
            factors.remove(one_minus)
            factors.append(SigmaPrime(arg))
    return sp.Mul(*factors)


Abbreviations = tuple[dict[sp.Expr, sp.Symbol], dict[sp.Symbol, str], list[dict[str, Any]]]


def step_symbols(graph: Any, ew: EW.Elementwise) -> Abbreviations:
    """Each step's entries, written out, -> a short symbol (n_11 for N), as 000 writes XW_11."""
    env: dict[str, np.ndarray] = dict(ew.symbols)
    mapping: dict[sp.Expr, sp.Symbol] = {}
    names: dict[sp.Symbol, str] = {}
    legend: list[dict[str, Any]] = []
    for s in graph.steps:
        env[s.name] = EW.evaluate(s.node, env)
        if s.node is graph.output:
            continue
        if s.shape:
            if not re.fullmatch(r"[A-Za-z]+\d*", s.name):
                continue
            syms = EW.element_symbols(s.name, s.shape)
            example = re.sub(r"_\{[^{}]*\}$", "_{ij}" if len(s.shape) > 1 else "_{i}",
                             sp.latex(syms.reshape(-1)[0]))
        else:
            syms = np.array(sp.Symbol(f"step__{s.name}", real=True), dtype=object)
            names[syms[()]] = name_latex(s.name)
            example = name_latex(s.name)
        for idx in np.ndindex(*s.shape):
            value = env[s.name][idx]
            if not value.is_Atom:
                mapping[value] = syms[idx]
        legend.append({"symbol": example, "step": name_latex(s.name), "name": s.name,
                       "symbols": set(np.ravel(syms))})
    return mapping, names, legend


def abbreviated(grad: np.ndarray, abbreviations: Abbreviations | None,
                inside_sums: bool = False) -> np.ndarray:
    """Each entry with σ(a)(1 - σ(a)) folded to σ'(a) and the steps' entries named.

    inside_sums also finds a step's entry inside a longer sum (y - P reads y_11 - p_11), with
    subs, latest step first: clearer, but seconds slower per case, so the whole matrix keeps
    the exact-subtree match and only a sample entry uses it.
    """
    mapping = abbreviations[0] if abbreviations else {}
    pairs = list(reversed(mapping.items()))

    def one(e: Any) -> sp.Expr:
        folded = fold_sigma_prime(sp.sympify(e))
        named = folded.xreplace(mapping)  # exact subtrees first: cheap, and shrinks the tree
        return named.subs(pairs) if inside_sums else named

    return np.vectorize(one, otypes=[object])(grad)


def steps_used(grad: np.ndarray, abbreviations: Abbreviations | None) -> list[dict[str, Any]]:
    """The legend rows (step symbols) that the abbreviated entries mention."""
    free = set().union(*(sp.sympify(e).free_symbols for e in np.ravel(grad)))
    return [g for g in (abbreviations[2] if abbreviations else []) if g["symbols"] & free]


@dataclass(frozen=True)
class Entries:
    """One gradient entry by entry: the abbreviated matrix, and one sample entry."""

    wrt: str
    grad: np.ndarray  # object array of SymPy expressions, the gradient's shape
    names: dict[sp.Symbol, str]  # scalar steps' symbols -> their LaTeX names
    legend: list[dict[str, Any]]  # the step symbols grad mentions
    sample_index: tuple[int, ...]
    sample_symbol: sp.Symbol  # the input entry differentiated (w_11)
    sample: sp.Expr  # that entry, steps named inside sums too
    sample_legend: list[dict[str, Any]]


def written_out(graph: Any, ew: EW.Elementwise | None,
                abbreviations: Abbreviations | None = None) -> dict[str, Entries]:
    """Every gradient of a case entry by entry (empty when there is no elementwise SymPy)."""
    if ew is None:
        return {}
    abbreviations = abbreviations or step_symbols(graph, ew)
    out = {}
    for w in graph.wrt:
        grad = abbreviated(ew.gradients[w], abbreviations)
        idx = next(np.ndindex(*np.shape(grad)))
        sample = abbreviated(np.array(ew.gradients[w][idx], dtype=object).reshape(()),
                             abbreviations, inside_sums=True)[()]
        sample_arr = np.array(sample, dtype=object).reshape(())
        out[w] = Entries(w, grad, abbreviations[1], steps_used(grad, abbreviations), idx,
                         np.asarray(ew.symbols[w], dtype=object)[idx], sample,
                         steps_used(sample_arr, abbreviations))
    return out
