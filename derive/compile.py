"""Symbolic to numpy, in one place: generated code for the matrix form, lambdify for SymPy.

The matrix-form backward program becomes numpy source in the documents' style
(dLdS = np.ones_like(S); dSdN = S * (1.0 - S); dLdN = dLdS * dSdN; ...). The same
source is shown in reports and compiled here, so what a reader sees is what ran. The
source is produced by our printer from our own graph, never from user text.

The code is written to cost about what a hand-written backward costs (issue 5: at most 1.5x
at n = 10^4): constants are folded (``np.ones((n, 1)) / n * (2 * E)`` becomes
``0.002 * E``, double negations cancel), a derivative known in terms of its function reuses
the forward's value (exp' = exp, sigmoid' = S (1 - S), tanh' = 1 - T^2), squares are
``np.square``, and a subexpression needed twice is computed once, as a temporary ``t1``,
``t2``, ... next to the documents' names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from derive import expr as E
from derive.backward import Backward, Term, adjoint_name
from derive.functions import TABLE, sympy_namespace
from derive.graph import Graph
from derive.lazysympy import sp
from derive.numeric import functions as nf
from derive.ops import OPS
from derive.printers import NumpyPrinter

Arrays = Mapping[str, np.ndarray]


@cache
def derivative_numpy(name: str, order: int) -> Callable[[np.ndarray], np.ndarray]:
    """The table's k-th derivative in numpy: through the function's own value where the row
    gives that form (finite where the symbolic form overflows), else lambdify."""
    row = TABLE[name]
    if order == 1 and row.by_value is not None:
        ns: dict[str, object] = {"np": np, **{k: r.num for k, r in TABLE.items()}}
        src = NumpyPrinter(ns).doprint(row.by_value(E.leaf("u", ())))
        return eval(f"lambda u: {src}", ns)  # noqa: S307 - our printer's output, our table
    expr = row.derivative(order)
    from derive.symfunctions import U

    return sp.lambdify(U, expr, modules=[sympy_namespace(), "numpy"])


def lambdify(symbols: list[sp.Symbol], exprs: object) -> Callable[..., object]:
    """lambdify SymPy expressions of element symbols into numpy (custom functions mapped).

    Common subexpressions are printed once (``cse``): the entries of a deep network's gradient
    share most of their terms, and printing them whole took 1.8 s for the three-layer case
    against 0.2 s this way, with the same values."""
    return sp.lambdify(symbols, exprs, modules=[sympy_namespace(), "numpy"], cse=True)


def namespace(used: Iterable[tuple[str, int]] | None = None) -> dict[str, object]:
    """Names the generated code calls: every table function, and the first derivatives of
    ``used`` (name, order) pairs (all of them when None: each costs a SymPy lambdify once)."""
    ns: dict[str, object] = {"np": np}
    ns.update({h: getattr(nf, h) for op in OPS.values() for h in op.helpers})
    for name, row in TABLE.items():
        ns[name] = row.num
    wanted = {n for n, order in used if order == 1} if used is not None else set(TABLE)
    for name in sorted(wanted):
        ns[f"d1_{name}"] = _safe(derivative_numpy(name, 1))
    return ns


def _safe(f: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """f without overflow warnings, always a float64 array shaped like x (a derivative that
    is constant, as H' = 0, lambdifies to a number); no copy when f already gives that."""

    def g(x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", under="ignore"):
            y = f(x)
        if isinstance(y, np.ndarray) and y.dtype == np.float64 and y.shape == np.shape(x):
            return y
        return np.broadcast_to(np.asarray(y, dtype=np.float64), np.shape(x)).copy()

    return g


@dataclass(frozen=True)
class NumpyCode:
    """Generated forward and backward source, and the compiled functions."""

    forward_source: str
    backward_source: str
    forward: Callable[..., float]
    backward: Callable[..., dict[str, np.ndarray]]
    # forward and backward in one pass (the output from the same intermediates): for checkers
    value_and_gradient: Callable[..., tuple[float, dict[str, np.ndarray]]] | None = None


def _factor_name(via: str, of: str) -> str:
    return f"d{via}d{of}"


# ---------------------------------------------------------------- folding


def _is_scalar_const(n: E.Node) -> bool:
    return E.is_const(n) and not n.shape


def _cval(n: E.Node) -> float:
    return float(n.attrs.value)


def _spread_value(n: E.Node) -> E.Node | None:
    """n without its broadcasting: ones(A) -> 1, x * ones(A) -> x, ones(A) / c -> 1 / c; None
    when n is not a broadcast of something smaller (folded only inside a product whose other
    factor has the full shape, so the value is unchanged)."""
    if n.op == "ones":
        return E.const(1.0)
    if E.is_const(n) and n.shape:
        return E.const(_cval(n))
    if n.op == "mul":
        a, b = n.args
        for x, y in ((a, b), (b, a)):
            if y.op == "ones":
                inner = _spread_value(x)
                return inner if inner is not None else x
    if n.op == "div" and not n.args[1].shape:
        inner = _spread_value(n.args[0])
        return None if inner is None else _fold_div(inner, n.args[1])
    if n.op == "neg":
        inner = _spread_value(n.args[0])
        return None if inner is None else _fold_neg(inner)
    return None


def _fold_neg(a: E.Node) -> E.Node:
    if _is_scalar_const(a):
        return E.const(-_cval(a))
    if a.op == "mul" and _is_scalar_const(a.args[0]) and not a.name:
        return _fold_mul(E.const(-_cval(a.args[0])), a.args[1])
    return E.neg(a)  # E.neg cancels a double negation


def _fold_div(a: E.Node, b: E.Node) -> E.Node:
    if _is_scalar_const(a) and _is_scalar_const(b) and _cval(b) != 0.0:
        return E.const(_cval(a) / _cval(b))
    if a.op == "neg" and not a.name:
        return _fold_neg(_fold_div(a.args[0], b))
    if _is_scalar_const(b) and _cval(b) != 0.0 and a.op == "mul" and \
            _is_scalar_const(a.args[0]) and not a.name:
        return _fold_mul(E.const(_cval(a.args[0]) / _cval(b)), a.args[1])
    return E.div(a, b)


def _fold_mul(a: E.Node, b: E.Node) -> E.Node:
    shape = E.broadcast_shape(a.shape, b.shape)
    for x, y in ((a, b), (b, a)):  # a broadcast factor meets a full one: drop the ones
        if y.shape == shape and not x.name:
            small = _spread_value(x)
            if small is not None:
                return _fold_mul(small, y)
    if _is_scalar_const(b) and not _is_scalar_const(a):
        a, b = b, a
    for x, y in ((a, b), (b, a)):  # pull negations out of a product
        if x.op == "neg" and not x.name:
            return _fold_neg(_fold_mul(x.args[0], y) if x is a else _fold_mul(y, x.args[0]))
    if _is_scalar_const(a):
        c = _cval(a)
        if _is_scalar_const(b):
            return E.const(c * _cval(b))
        if b.op == "mul" and _is_scalar_const(b.args[0]) and not b.name:
            return _fold_mul(E.const(c * _cval(b.args[0])), b.args[1])
        if b.op == "div" and _is_scalar_const(b.args[1]) and not b.name and \
                _cval(b.args[1]) != 0.0:
            return _fold_mul(E.const(c / _cval(b.args[1])), b.args[0])
    return E.mul(a, b)


def fold(node: E.Node, known: Callable[[E.Node], bool] | None = None) -> E.Node:
    """The same value, cheaper to compute: constants folded, negations pulled out and
    cancelled, known derivatives written through their function, and a / b^2 as
    a * R^2 when the forward already computed R = 1 / b (``known``). Named nodes are kept
    (they are printed by name), except the top one's arguments."""
    memo: dict[int, E.Node] = {}
    for n in E.topological(node, stop=lambda m: bool(m.name) and m.op != "const"):
        if n.is_leaf or (n.name and n is not node and n.op != "const"):
            memo[n.uid] = n
            continue
        args = tuple(memo[a.uid] for a in n.args)
        out = _fold_one(n, args, known)
        if n.name and n is node:
            out = n.rebuilt(args)
        memo[n.uid] = out
    return memo[node.uid]


def _fold_one(n: E.Node, args: tuple[E.Node, ...],
              known: Callable[[E.Node], bool] | None) -> E.Node:
    if n.op == "mul":
        out = _fold_mul(*args)
    elif n.op == "div":
        out = _fold_div(*args)
        a, b = args
        if known is not None and out.op == "div" and b.op == "pow" and \
                _is_scalar_const(b.args[1]) and _cval(b.args[1]) == 2.0:
            r = E.div(E.const(1.0), b.args[0])
            if known(r):
                out = _fold_mul(a, E.power(r, b.args[1]))
    elif n.op == "neg":
        out = _fold_neg(args[0])
    elif n.op == "fn" and n.attrs.order == 1 and TABLE[n.attrs.name].by_value is not None:
        out = TABLE[n.attrs.name].by_value(args[0])  # f' through f: the forward's own value
    elif args == n.args:
        return n
    else:
        out = E.Node(n.op, args, n.shape, n.attrs)
    return out if out.shape == n.shape else E.broadcast_to(out, n.shape)


# ---------------------------------------------------------------- shared subexpressions


# Operations never worth a temporary: names, numbers, views.
_CHEAP = frozenset({"input", "adjoint", "const", "dim", "transpose", "reshape", "broadcast_to",
                    "ones"})


class _Keys:
    """Structural identity of nodes (interned to ints): equal keys, equal values."""

    def __init__(self) -> None:
        self.ids: dict[tuple, int] = {}
        self.memo: dict[int, int] = {}
        self.nodes: dict[int, E.Node] = {}

    def ref(self, n: E.Node) -> int:
        """The key of n where it appears inside an expression (a named step by its name)."""
        if n.name and n.op != "const" and not n.is_leaf:
            return self._intern(("step", n.name), n)
        return self.of(n)

    def of(self, n: E.Node) -> int:
        """The key of n's own expression."""
        if n.uid not in self.memo:
            if n.is_leaf:
                k = (n.op, n.name if n.op != "const" else None, n.attrs, n.shape)
            else:
                k = (n.op, n.attrs, n.shape, tuple(self.ref(a) for a in n.args))
            self.memo[n.uid] = self._intern(k, n)
        return self.memo[n.uid]

    def _intern(self, k: tuple, n: E.Node) -> int:
        i = self.ids.setdefault(k, len(self.ids))
        self.nodes.setdefault(i, n)
        return i

    def children(self, n: E.Node) -> list[E.Node]:
        """Arguments read when n is printed (named steps are read by name)."""
        return [a for a in n.args if not (a.name and a.op != "const")]


class _Printer(NumpyPrinter):
    """NumpyPrinter that prints a shared subexpression by its name, and x**2 as np.square."""

    def __init__(self, namespace: dict[str, object], keys: _Keys) -> None:
        super().__init__(namespace)
        self.keys = keys
        self.names: dict[int, str] = {}

    def doprint(self, node: E.Node, top: bool = True) -> str:
        if not top and not node.name and not node.is_leaf:
            name = self.names.get(self.keys.of(node))
            if name is not None:
                return name
        return super().doprint(node, top)

    square_as_call = True


@dataclass
class _Statement:
    """One line of generated code: ``target = ...``, whose expressions are ``roots``."""

    target: str
    roots: list[E.Node]
    render: Callable[[_Printer], str]
    names_value: bool = True  # the target holds the value of roots[0] (usable by later lines)


def _plan(statements: list[_Statement], keys: _Keys) -> set[int]:
    """Which expressions get a temporary: those evaluated more than once, counting a use
    inside a temporary (or a named line) once."""
    parents: dict[int, dict[int, int]] = {}  # child key -> {parent key: uses}
    roots: dict[int, int] = {}
    order: list[int] = []
    seen: set[int] = set()

    def visit(n: E.Node) -> None:
        k = keys.of(n)
        if k in seen:
            return
        seen.add(k)
        for a in keys.children(n):
            visit(a)
            ka = keys.of(a)
            parents.setdefault(ka, {})
            parents[ka][k] = parents[ka].get(k, 0) + 1
        order.append(k)

    for s in statements:
        for r in s.roots:
            visit(r)
            roots[keys.of(r)] = roots.get(keys.of(r), 0) + 1
    top = {keys.of(s.roots[0]) for s in statements if s.roots and s.names_value}
    evaluated: dict[int, int] = {}
    hoisted: set[int] = set()
    for k in reversed(order):  # parents before children
        uses = roots.get(k, 0)
        for p, m in parents.get(k, {}).items():
            uses += m * (1 if p in hoisted or p in top else evaluated.get(p, 1))
        evaluated[k] = uses
        if uses >= 2 and k not in top and keys.nodes[k].op not in _CHEAP and \
                not keys.nodes[k].name:
            hoisted.add(k)
    return hoisted


def _emit(statements: list[_Statement], p: _Printer, hoisted: set[int], avoid: set[str],
          indent: str = "    ") -> list[str]:
    """The lines, each temporary (t1, t2, ...) just before the first line that needs it."""
    keys = p.keys
    lines: list[str] = []
    taken = avoid | set(p.names.values())

    def need(n: E.Node, top: bool) -> None:
        k = keys.of(n)
        if not top and k in p.names:
            return
        for a in keys.children(n):
            need(a, False)
        if not top and k in hoisted:
            name = next(f"t{i}" for i in range(1, len(taken) + 2) if f"t{i}" not in taken)
            taken.add(name)
            lines.append(f"{indent}{name} = {p.doprint(n)}")
            p.names[k] = name

    for s in statements:
        for r in s.roots:
            need(r, True)
        lines.append(s.render(p))
        if s.roots and s.names_value and not s.roots[0].is_leaf:
            p.names.setdefault(keys.of(s.roots[0]), s.target)
    return lines


# ---------------------------------------------------------------- sources


def _term_code(t: Term, of: str, factors: list[_Statement],
               known: Callable[[E.Node], bool]) -> tuple[Callable[[_Printer], str], list[E.Node]]:
    """The term as the documents write it: a named factor, then a product."""
    up = adjoint_name(t.via)
    if t.combine in ("hadamard", "right", "left") and t.factor is not None:
        fname = _factor_name(t.via, of)
        taken = {s.target for s in factors}  # x twice in one step (v = tanh(x) + sigmoid(x)):
        if fname in taken:  # dvdx, dvdx_2, ... or the second would overwrite the first
            fname = next(f"{fname}_{k}" for k in range(2, len(taken) + 3)
                         if f"{fname}_{k}" not in taken)
        factor = fold(t.factor, known)
        factors.append(_Statement(fname, [factor],
                                  lambda q, f=factor, n=fname: f"    {n} = {q.doprint(f)}"))
        core = {"hadamard": f"{up} * {fname}", "right": f"{up} @ {fname}",
                "left": f"{fname} @ {up}"}[t.combine]
        roots: list[E.Node] = []
    elif t.combine == "identity":
        core, roots = up, []
    else:
        expr = fold(t.expr, known)
        return (lambda q, x=expr: q.doprint(x)), [expr]
    if t.summed:
        axes = t.summed[0] if len(t.summed) == 1 else t.summed
        keep = len(t.expr.shape) == len(t.expr.args[0].shape) if t.expr.op == "sum_to" else True
        core = f"({core}).sum(axis={axes}{', keepdims=True' if keep else ''})"
    return (lambda q, c=core: c), roots


def _forward_statements(bw: Backward, with_output: bool) -> list[_Statement]:
    g = bw.graph
    out = []
    for s in g.steps:
        if s.node is g.output and not g.output.shape and not with_output:
            continue
        node = fold(s.node)
        out.append(_Statement(s.name, [node],
                              lambda q, n=node, name=s.name: f"    {name} = {q.doprint(n)}"))
    return out


def _avoid(bw: Backward) -> set[str]:
    g = bw.graph
    return set(g.inputs) | {s.name for s in g.steps} | {a.target for a in bw.assignments}


def _printer(bw: Backward, p: NumpyPrinter) -> _Printer:
    return p if isinstance(p, _Printer) else _Printer(p.namespace, _Keys())


def backward_source(bw: Backward, p: NumpyPrinter, with_value: bool = False) -> str:
    """``def backward(...)`` returning the gradients; with_value: ``def value_and_gradient``
    returning (output, gradients), the output computed from the same forward intermediates."""
    g = bw.graph
    q = _printer(bw, p)
    fwd = _forward_statements(bw, with_output=with_value)
    computed = {q.keys.of(st.roots[0]) for st in fwd}

    def known(n: E.Node) -> bool:
        return q.keys.of(n) in computed

    back: list[_Statement] = []
    for a in bw.assignments:
        if not a.terms:
            expr = fold(a.expr, known)
            back.append(_Statement(a.target, [expr],
                                   lambda r, x=expr, t=a.target: f"    {t} = {r.doprint(x)}"))
            continue
        factors: list[_Statement] = []
        parts = [_term_code(t, a.of, factors, known) for t in a.terms]
        back += factors
        roots = [r for _, rs in parts for r in rs]
        back.append(_Statement(
            a.target, roots,
            lambda r, ps=parts, t=a.target: f"    {t} = {' + '.join(f(r) for f, _ in ps)}",
            names_value=len(parts) == 1 and bool(roots)))
    hoisted = _plan(fwd + back, q.keys)
    name = "value_and_gradient" if with_value else "backward"
    lines = [f"def {name}({', '.join(g.inputs)}):", "    # forward pass"]
    lines += _emit(fwd, q, hoisted, _avoid(bw))
    lines.append("    # backward pass")
    lines += _emit(back, q, hoisted, _avoid(bw))
    result = "{" + ", ".join(f"{w!r}: {adjoint_name(w)}" for w in g.wrt) + "}"
    if with_value:
        result = f"{g.output.name or q.doprint(g.output)}, {result}"
    lines.append(f"    return {result}")
    return "\n".join(lines) + "\n"


def forward_source(bw: Backward, p: NumpyPrinter) -> str:
    g = bw.graph
    q = _printer(bw, p)
    fwd = _forward_statements(bw, with_output=True)
    lines = [f"def forward({', '.join(g.inputs)}):"]
    lines += _emit(fwd, q, _plan(fwd, q.keys), _avoid(bw))
    out = g.output.name or q.doprint(g.output)
    lines.append(f"    return {out}")
    return "\n".join(lines) + "\n"


def functions_used(bw: Backward) -> set[tuple[str, int]]:
    """(name, order) of every table function the backward program mentions."""
    roots = [a.expr for a in bw.assignments] + [s.node for s in bw.graph.steps]
    roots += [t.factor for a in bw.assignments for t in a.terms if t.factor is not None]
    return {tuple(n.attrs) for n in E.topological(roots) if n.op == "fn"}


def compile_numpy(bw: Backward) -> NumpyCode:
    """Generate and compile the forward and backward passes of a derivation."""
    ns = namespace(functions_used(bw))
    fsrc = forward_source(bw, NumpyPrinter(ns))
    bsrc = backward_source(bw, NumpyPrinter(ns))
    vsrc = backward_source(bw, NumpyPrinter(ns), with_value=True)
    code: dict[str, object] = dict(ns)  # after printing: the printers add constants to ns
    exec(compile(fsrc, "<derive forward>", "exec"), code)  # noqa: S102 - our own generated code
    exec(compile(bsrc, "<derive backward>", "exec"), code)  # noqa: S102
    exec(compile(vsrc, "<derive value_and_gradient>", "exec"), code)  # noqa: S102
    return NumpyCode(fsrc, bsrc, code["forward"], code["backward"],  # type: ignore[arg-type]
                     code["value_and_gradient"])  # type: ignore[arg-type]


def evaluate_numeric(node: E.Node, env: Arrays) -> np.ndarray:
    """Evaluate one expression numerically (small helper for tests and reports)."""
    ns = namespace(_fns(node))
    src = NumpyPrinter(ns).doprint(node)
    return np.asarray(eval(src, ns, dict(env)), dtype=np.float64)  # noqa: S307 - our printer's output


def step_values(graph: Graph, inputs: Arrays) -> dict[str, np.ndarray]:
    """Every named step's value at the point, in order (for kink probes, reports and the
    documents' formulas)."""
    env = dict(inputs)
    for s in graph.steps:
        env[s.name] = evaluate_numeric(s.node, env)
    return {s.name: env[s.name] for s in graph.steps}


def _fns(node: E.Node) -> set[tuple[str, int]]:
    return {tuple(n.attrs) for n in E.topological(node) if n.op == "fn"}
