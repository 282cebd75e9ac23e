"""The matrix-form derivation: derivative rules applied backward through the graph.

The result is a backward program in the documents' style, one assignment per named
value (dLdS = 1, dLdN = dLdS * sigma'(N), dLdX = dLdN W^T, ...), each made of terms
whose chain-rule factor (dSdN = sigma'(N), dNdX = W^T) is its own object, so a report
can print the derivation step by step. Its cost does not grow with the batch size:
the expressions refer to whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive import expr as E
from derive.expr import Node
from derive.graph import Graph
from derive.rules import vjp


@dataclass(frozen=True)
class Term:
    """One contribution to a gradient: through step ``via``, with its local factor.

    ``combine`` says how the factor meets the upstream gradient dLd<via>:
    ``hadamard`` (elementwise product), ``right`` (dLd<via> @ factor), ``left``
    (factor @ dLd<via>), ``identity`` (passed through), ``other`` (see ``expr``).
    ``summed`` lists the axes summed afterwards to undo broadcasting.
    """

    via: str
    expr: Node
    factor: Node | None
    combine: str
    summed: tuple[int, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """dLd<of> = sum of terms."""

    target: str
    of: str
    expr: Node
    terms: tuple[Term, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return self.expr.shape


@dataclass(frozen=True)
class Backward:
    """The backward program and the matrix-form gradient of each requested input."""

    graph: Graph
    assignments: tuple[Assignment, ...]

    def assignment(self, of: str) -> Assignment:
        for a in self.assignments:
            if a.of == of:
                return a
        raise KeyError(of)

    def gradient(self, name: str) -> Node:
        """dL/d<name> in matrix form, with every upstream dLd<step> substituted in."""
        by_target = {a.target: a.expr for a in self.assignments}
        node = self.assignment(name).expr
        for _ in range(len(self.assignments) + 1):
            adj = {n.uid: by_target[n.name] for n in E.topological(node)
                   if n.op == "adjoint" and n.name in by_target}
            if not adj:
                return node
            node = E.substitute(node, adj)
        return node

    def gradients(self) -> dict[str, Node]:
        return {w: self.gradient(w) for w in self.graph.wrt}


def adjoint_name(of: str) -> str:
    return f"dLd{of}"


def derive(graph: Graph) -> Backward:
    """Apply the rules from the output back to the inputs in ``graph.wrt``."""
    out = graph.output
    order = E.topological(out)
    live = _depends_on(order, {graph.inputs[w].uid for w in graph.wrt})
    incoming: dict[int, list[tuple[str, Node]]] = {out.uid: [("", _seed(out))]}
    assignments: list[Assignment] = []
    for node in reversed(order):
        contributions = incoming.pop(node.uid, [])
        if not contributions or node.uid not in live:
            continue
        if node.op == "input":
            if node.name in graph.wrt:
                assignments.append(_assign(node, contributions))
            continue
        if node.name and node is not out:
            a = _assign(node, contributions)
            assignments.append(a)
            g, via = E.adjoint(a.target, node.shape), node.name
        else:
            g = _total(contributions)
            via = node.name or contributions[0][0]
        for arg, c in zip(node.args, vjp(node, g)):
            if c is not None and arg.uid in live:
                incoming.setdefault(arg.uid, []).append((via, c))
    for w in graph.wrt:
        if not any(a.of == w for a in assignments):
            leaf = graph.inputs[w]
            zero = E.mul(E.const(0.0), E.ones(leaf))
            assignments.append(Assignment(adjoint_name(w), w, zero, ()))
    return Backward(graph, tuple(assignments))


def _seed(out: Node) -> Node:
    """dL/dL: the scalar 1 (an array of ones for a 1x1 output such as the documents' S)."""
    return E.const(1.0) if not out.shape else E.ones(out)


def _total(contributions: list[tuple[str, Node]]) -> Node:
    total = contributions[0][1]
    for _, c in contributions[1:]:
        total = E.add(total, c)
    return total


def _assign(node: Node, contributions: list[tuple[str, Node]]) -> Assignment:
    terms = tuple(_term(via, c) for via, c in contributions)
    name = node.name or "?"
    return Assignment(adjoint_name(name), name, _total(contributions), terms)


def _depends_on(order: list[Node], targets: set[int]) -> set[int]:
    """uids of nodes whose value depends on any of ``targets``."""
    live: set[int] = set()
    for n in order:
        if n.uid in targets or any(a.uid in live for a in n.args):
            live.add(n.uid)
    return live


def _is_adj(n: Node, via: str) -> bool:
    return n.op == "adjoint" and n.name == adjoint_name(via)


def _term(via: str, c: Node) -> Term:
    """Split a contribution into the upstream gradient and the step's local factor."""
    summed: tuple[int, ...] = ()
    core = c
    if core.op == "sum_to":
        summed = E.summed_axes(core.args[0].shape, core.shape)
        core = core.args[0]
    if _is_adj(core, via):
        return Term(via, c, None, "identity", summed)
    if core.op == "neg" and _is_adj(core.args[0], via):
        return Term(via, c, E.const(-1.0), "hadamard", summed)
    if core.op in ("mul", "matmul"):
        a, b = core.args
        if _is_adj(a, via) and not _mentions(b, via):
            return Term(via, c, b, "hadamard" if core.op == "mul" else "right", summed)
        if _is_adj(b, via) and not _mentions(a, via):
            return Term(via, c, a, "hadamard" if core.op == "mul" else "left", summed)
    return Term(via, c, None, "other", summed)


def _mentions(n: Node, via: str) -> bool:
    return any(_is_adj(x, via) for x in E.topological(n))


def chain(bw: Backward, name: str) -> list[Assignment]:
    """The assignments dL/d<name> needs, from the output down to it."""
    by_target = {a.target: a for a in bw.assignments}
    needed: set[str] = set()
    stack = [adjoint_name(name)]
    while stack:
        t = stack.pop()
        if t in needed or t not in by_target:
            continue
        needed.add(t)
        stack += [n.name for n in E.topological(by_target[t].expr)
                  if n.op == "adjoint" and n.name]
    return [a for a in bw.assignments if a.target in needed]
