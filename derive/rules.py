"""The one table of derivative rules, in matrix form (as autograd's ``defvjp``).

Each rule takes the upstream gradient ``G`` (shaped like the operation's output), the
output node and the operation's arguments, and returns, for each argument, the
gradient contribution shaped like that argument (or None where no gradient flows).
Broadcasting is undone in one place, :func:`derive.expr.sum_to`: this is where a bias
gradient is summed over the batch, the spot the documents get wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from derive import expr as E
from derive.expr import Node

Rule = Callable[..., tuple[Node | None, ...]]
RULES: dict[str, Rule] = {}


def rule(op: str) -> Callable[[Rule], Rule]:
    def register(f: Rule) -> Rule:
        RULES[op] = f
        return f

    return register


def _to(g: Node, arg: Node) -> Node | None:
    """The contribution for ``arg`` (None for constants: they get no gradient)."""
    if arg.op == "const":
        return None
    return E.sum_to(g, arg.shape)


def _outer(a: Node, b: Node) -> Node:
    return E.matmul(E.reshape(a, (a.size, 1)), E.reshape(b, (1, b.size)))


@rule("add")
def _add(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return _to(g, a), _to(g, b)


@rule("sub")
def _sub(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return _to(g, a), _to(E.neg(g), b)


@rule("mul")
def _mul(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return _to(E.mul(g, b), a), _to(E.mul(g, a), b)


@rule("div")
def _div(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return _to(E.div(g, b), a), _to(E.neg(E.div(E.mul(g, a), E.power(b, E.const(2.0)))), b)


@rule("neg")
def _neg(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (E.neg(g),)


@rule("pow")
def _pow(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    if b.op == "const" and not isinstance(b.attrs[0], tuple):
        c = b.attrs[0]
        da = E.mul(E.const(c), E.power(a, E.const(c - 1))) if c != 2.0 else E.mul(E.const(2.0), a)
        return _to(E.mul(g, da), a), None
    return (
        _to(E.mul(g, E.mul(b, E.power(a, E.sub(b, E.const(1.0))))), a),
        _to(E.mul(g, E.mul(out, E.fn("log", a))), b),
    )


@rule("matmul")
def _matmul(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    na, nb = len(a.shape), len(b.shape)
    if na == 1 and nb == 1:
        ga, gb = E.mul(g, b), E.mul(g, a)
    elif na == 1:
        ga, gb = E.matmul(b, g), _outer(a, g)
    elif nb == 1:
        ga, gb = _outer(g, b), E.matmul(E.transpose(a), g)
    else:
        ga, gb = E.matmul(g, E.transpose(b)), E.matmul(E.transpose(a), g)
    return _to(ga, a), _to(gb, b)


@rule("transpose")
def _transpose(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    (perm,) = out.attrs
    inverse = tuple(sorted(range(len(perm)), key=perm.__getitem__))
    return (E.transpose(g, inverse),)


@rule("getitem")
def _getitem(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (E.scatter(g, out.attrs[0], a.shape),)


@rule("reshape")
def _reshape(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (E.reshape(g, a.shape),)


def _spread(g: Node, out: Node, a: Node) -> Node:
    """Send a reduction's gradient back to every entry it reduced: G times ones."""
    axes, keepdims = out.attrs
    if axes is not None and not keepdims:
        kept = tuple(1 if i in axes else s for i, s in enumerate(a.shape))
        g = E.reshape(g, kept)
    return E.mul(g, E.ones(a))


@rule("sum")
def _sum(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (_spread(g, out, a),)


@rule("mean")
def _mean(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    count = a.size // max(out.size, 1)
    return (E.div(_spread(g, out, a), E.Node("const", (), (), (float(count),), name="n")),)


def _extreme(g: Node, out: Node, a: Node) -> Node:
    """max/min over axes: the gradient goes to the entries that attain it, split equally on a
    tie (a valid subgradient; the softmax shift x - max(x) cancels it anyway)."""
    axes, keepdims = out.attrs
    kept = out  # all axes reduced, or kept as 1s: broadcasts against a as it is
    if axes is not None and not keepdims:
        kept = E.reshape(out, tuple(1 if i in axes else s for i, s in enumerate(a.shape)))
    hit = E.where(E.compare("==", a, kept), E.const(1.0), E.const(0.0))
    count = E.reduce("sum", hit, axes, True)
    return E.div(E.mul(_spread(g, out, a), hit), count)


@rule("amax")
def _amax(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (_extreme(g, out, a),)


@rule("amin")
def _amin(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (_extreme(g, out, a),)


@rule("sum_to")
def _sum_to(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (E.mul(E.broadcast_to(g, a.shape), E.ones(a)) if g.shape != a.shape else g,)


@rule("broadcast_to")
def _broadcast_to(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (E.sum_to(g, a.shape),)


@rule("fn")
def _fn(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    name, order = out.attrs
    return (E.mul(g, E.fn(name, a, order + 1)),)


@rule("maximum")
def _maximum(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    step = E.fn("heaviside", E.sub(a, b))
    return _to(E.mul(g, step), a), _to(E.mul(g, E.fn("heaviside", E.sub(b, a))), b)


@rule("minimum")
def _minimum(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return (
        _to(E.mul(g, E.fn("heaviside", E.sub(b, a))), a),
        _to(E.mul(g, E.fn("heaviside", E.sub(a, b))), b),
    )


@rule("where")
def _where(g: Node, out: Node, c: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    zero = E.const(0.0)
    return None, _to(E.where(c, g, zero), a), _to(E.where(c, zero, g), b)


@rule("logaddexp")
def _logaddexp(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return (
        _to(E.mul(g, E.fn("sigmoid", E.sub(a, b))), a),
        _to(E.mul(g, E.fn("sigmoid", E.sub(b, a))), b),
    )


@rule("ones")
def _ones(g: Node, out: Node, a: Node) -> tuple[Node | None, ...]:
    return (None,)


@rule("compare")
def _compare(g: Node, out: Node, a: Node, b: Node) -> tuple[Node | None, ...]:
    return None, None


def vjp(node: Node, g: Node) -> tuple[Node | None, ...]:
    """Gradient contributions of ``node``'s arguments; a missing rule names the operation."""
    try:
        f = RULES[node.op]
    except KeyError:
        raise NotImplementedError(f"no derivative rule for operation {node.op!r}") from None
    return f(g, node, *node.args)
