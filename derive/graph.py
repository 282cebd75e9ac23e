"""A graph of named steps, in the documents' notation: N = nu(X, W), S = sigma(N), L = Lambda(S).

The graph is read by the symbolic side (elementwise ground truth, matrix-form
derivation), the numeric side (generated numpy code) and the reports alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from derive import expr as E
from derive.errors import InputError
from derive.expr import Node
from derive.functions import lookup
from derive.ops import spec
from derive.printers import name_latex, to_latex
from derive.recognize import recognize
from derive.trace import trace


@dataclass(frozen=True)
class Step:
    """One named step: its node, the named values it reads, and its function letter."""

    name: str
    node: Node
    args: tuple[str, ...]
    letter: str  # LaTeX of the step's function: \nu, \sigma, \alpha, \Lambda

    @property
    def shape(self) -> tuple[int, ...]:
        return self.node.shape

    def latex(self) -> str:
        """N = \\nu(X, W) = X W"""
        args = ", ".join(name_latex(a) for a in self.args)
        head = rf"{name_latex(self.name)} = {self.letter}\left({args}\right)"
        body = to_latex(self.node)
        return head if body == head.split(" = ", 1)[1] else f"{head} = {body}"


@dataclass(frozen=True)
class Graph:
    """A case's forward pass as named steps over named inputs."""

    output: Node
    inputs: Mapping[str, Node]
    wrt: tuple[str, ...]
    steps: tuple[Step, ...]

    def step(self, name: str) -> Step:
        for s in self.steps:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {k: v.shape for k, v in self.inputs.items()}


def step_args(node: Node) -> tuple[str, ...]:
    """The named values (inputs or earlier steps) that a step's expression reads."""
    found: list[str] = []
    stack = list(reversed(node.args))  # depth first, left to right: the order a reader reads
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if n.uid in seen:
            continue
        seen.add(n.uid)
        if n.name and n.op != "const":
            if n.name not in found:
                found.append(n.name)
            continue
        stack.extend(reversed(n.args))
    return tuple(found)


def _letter(node: Node, is_output: bool) -> str:
    """The documents' Greek letters: nu for weighted sums, alpha for sums, Lambda for the loss."""
    if is_output and node.op in ("sum", "mean") or is_output and node.shape in ((), (1, 1)) \
            and node.op not in ("fn", "matmul"):
        return r"\Lambda"
    if node.op == "fn":
        return lookup(node.attrs.name).letter()
    return spec(node.op).letter


def kink_nodes(graph: Graph) -> list[Node]:
    """The nodes where the point may sit on a kink (any subgradient is then right)."""
    return [n for n in E.topological(graph.output) if spec(n.op).kinks(n)]


def unrolled(graph: Graph) -> bool:
    """Whether the forward indexes single entries by number (x[n, :, i:i + 3] in a loop the
    tracer unrolled): its derivation, and the code printed from it, hold at the traced sizes
    only."""
    return any(n.op in ("getitem", "setitem") and any(type(k) is int for k in n.attrs.key)
               for n in E.topological(graph.output))


def kink_probes(graph: Graph) -> list[Node]:
    """Expressions whose zero entries mark a point on a kink of the graph (a ReLU argument
    at 0, a tie in max or min, the condition of a where on its boundary)."""
    return [probe for n in E.topological(graph.output) for probe in spec(n.op).kinks(n)]


def build(output: Node, inputs: Mapping[str, Node], wrt: tuple[str, ...]) -> Graph:
    """Collect the named steps of a traced forward pass, in evaluation order."""
    missing = [w for w in wrt if w not in inputs]
    if missing:
        raise InputError(f"gradient requested for {missing}, which are not inputs")
    steps = tuple(
        Step(n.name, n, step_args(n), _letter(n, n is output))
        for n in E.topological(output)
        if n.name and not n.is_leaf
    )
    return Graph(output, dict(inputs), tuple(wrt), steps)


def from_forward(forward: Callable[..., Any], shapes: Mapping[str, tuple[int, ...]],
                 wrt: tuple[str, ...], constants: Mapping[str, np.ndarray] | None = None) -> Graph:
    """Trace a numpy forward function into a graph."""
    out, inputs = trace(forward, shapes, constants)
    return build(recognize(out), inputs, wrt)
