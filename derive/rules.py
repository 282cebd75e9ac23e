"""The derivative rules, in matrix form (as autograd's ``defvjp`` table).

Each operation's rule lives with the rest of its spec in :mod:`derive.ops`; this module is
the lookup. A rule takes the upstream gradient ``G`` (shaped like the operation's output),
the output node and the operation's arguments, and returns, for each argument, the gradient
contribution shaped like that argument (or None where no gradient flows). Broadcasting is
undone in one place, :func:`derive.expr.sum_to`: this is where a bias gradient is summed
over the batch, the spot the documents get wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from derive.ops import OPS, spec
from derive.ops.node import Node

Rule = Callable[..., tuple[Node | None, ...]]

# operation -> its rule, for every operation that has one
RULES: dict[str, Rule] = {name: op.vjp for name, op in OPS.items() if op.has_vjp}


def vjp(node: Node, g: Node) -> tuple[Node | None, ...]:
    """Gradient contributions of ``node``'s arguments; a missing rule names the operation."""
    return spec(node.op).vjp(g, node, *node.args)
