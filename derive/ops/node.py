"""The node of the expression language: one array operation with a concrete shape.

The forward pass of a case is a DAG of nodes (built by :mod:`derive.trace`); the matrix-form
gradient (:mod:`derive.backward`) is a DAG of the same nodes, so one set of printers, one
compiler and one symbolic evaluator serve formulas, derivations and generated code alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from derive.ops.registry import OPS

Shape = tuple[int, ...]

_ids = itertools.count()


@dataclass(frozen=True, eq=False)
class Node:
    """One array operation. ``attrs`` is the operation's typed attribute record (or ())."""

    op: str
    args: tuple[Node, ...]
    shape: Shape
    attrs: Any = ()
    name: str | None = None
    uid: int = field(default_factory=lambda: next(_ids))

    def __post_init__(self) -> None:
        spec = OPS.get(self.op)
        if spec is None:
            raise KeyError(f"unknown operation {self.op!r}")
        if spec.arity is not None and len(self.args) != spec.arity:
            raise ValueError(f"{self.op} takes {spec.arity} arguments, got {len(self.args)}")

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def is_leaf(self) -> bool:
        return not self.args

    def named(self, name: str) -> Node:
        """The same operation under a step name (a new node: nodes are immutable)."""
        return Node(self.op, self.args, self.shape, self.attrs, name)

    def rebuilt(self, args: tuple[Node, ...]) -> Node:
        """The same operation on other arguments (itself when they are the same)."""
        if args == self.args:
            return self
        return Node(self.op, args, self.shape, self.attrs, self.name)

    def __repr__(self) -> str:
        label = f"{self.name}=" if self.name else ""
        return f"<{label}{self.op}{list(self.shape)}>"


def topological(roots: list[Node] | Node, stop: Callable[[Node], bool] | None = None
                ) -> list[Node]:
    """All nodes reachable from ``roots``, each after its arguments (no recursion: any depth).
    Nodes for which ``stop`` is true are listed but not entered (a root always is)."""
    roots = [roots] if isinstance(roots, Node) else roots
    root_ids = {r.uid for r in roots}
    seen: set[int] = set()
    order: list[Node] = []
    stack: list[tuple[Node, bool]] = [(r, False) for r in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if node.uid in seen:
            continue
        if expanded:
            seen.add(node.uid)
            order.append(node)
            continue
        stack.append((node, True))
        if stop is not None and node.uid not in root_ids and stop(node):
            continue
        stack.extend((a, False) for a in reversed(node.args) if a.uid not in seen)
    return order


def substitute(node: Node, mapping: dict[int, Node]) -> Node:
    """Rebuild ``node`` with the nodes whose uid is in ``mapping`` replaced."""
    memo: dict[int, Node] = {}
    for n in topological(node):
        if n.uid in mapping:
            memo[n.uid] = mapping[n.uid]
        elif n.is_leaf:
            memo[n.uid] = n
        else:
            memo[n.uid] = n.rebuilt(tuple(memo[a.uid] for a in n.args))
    return memo[node.uid]
