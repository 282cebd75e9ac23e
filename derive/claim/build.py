"""A parse tree read as an expression of derive's own operations, at one set of shapes.

The names of a formula are the nodes of the traced forward (inputs and named steps), so
the claim prints, evaluates and differentiates with the same machinery as the derived
gradient. Shapes that do not fit are a wrong claim, not an unreadable one: the message
says so in words, with sizes by name (n for the batch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from derive import expr as E
from derive.backward import Backward, adjoint_name
from derive.claim import ast as A
from derive.claim.tokens import FormulaError
from derive.errors import DeriveError, ShapeError
from derive.expr import Node
from derive.printers import name_text, to_text


class ShapeProblem(DeriveError):
    """The claim's shapes do not fit together: a wrong claim, diagnosed 'shape'."""


@dataclass(frozen=True)
class Scope:
    """What a formula's names stand for at one set of shapes."""

    names: Mapping[str, Node]  # inputs and named steps
    batch: tuple[str, int] | None  # (first batched input, n)
    n_in_words: bool = True  # False when n's value is also another size (a square X)
    adjoints: Mapping[str, Node] = field(default_factory=dict)  # ∂L/∂P by P, named dLdP
    wrt: str = ""  # the input the claim is the gradient for

    def size_text(self, s: int, axis: int) -> str:
        if self.n_in_words and self.batch is not None and s == self.batch[1]:
            return "n"
        return str(s)

    def shape_words(self, shape: tuple[int, ...]) -> str:
        """'n×3', 'a scalar', 'a vector of 4'."""
        if not shape:
            return "a scalar"
        if len(shape) == 1:
            return f"a vector of {self.size_text(shape[0], 0)}"
        return "×".join(self.size_text(s, k) for k, s in enumerate(shape))


def adjoints(bw: Backward) -> dict[str, Node]:
    """∂L/∂P of every input and step the derivation passes through, each named dLdP (so a
    formula that uses it prints it by name), in terms of the forward's inputs and steps."""
    return {a.of: bw.gradient(a.of).named(adjoint_name(a.of)) for a in bw.assignments}


def build(tree: A.Ast, scope: Scope) -> Node:
    """The claim as a node; ShapeProblem when its shapes do not fit."""
    return _Builder(scope).node(tree)


class _Builder:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def node(self, t: A.Ast) -> Node:
        method = getattr(self, f"_{type(t).__name__.lower()}")
        return method(t)

    def _num(self, t: A.Num) -> Node:
        return E.const(t.value)

    def _var(self, t: A.Var) -> Node:
        return self.scope.names[t.name]

    def _size(self, t: A.Size) -> Node:
        if t.input is None:
            if self.scope.batch is None:
                raise ShapeProblem("n is the batch size, but no input has rows (2 or more axes)")
            name, value = self.scope.batch
            return E.dim(name, 0, value)
        shape = self.scope.names[t.input].shape
        if t.axis >= len(shape):
            raise ShapeProblem(f"{t.input} has {len(shape)} axes, so {t.input}.shape[{t.axis}] "
                               "does not exist")
        return E.dim(t.input, t.axis, shape[t.axis])

    def _grad(self, t: A.Grad) -> Node:
        if t.of == self.scope.wrt:
            raise FormulaError(t.col, f"the formula uses ∂L/∂{t.of}, the gradient it claims")
        if t.of not in self.scope.adjoints:
            raise FormulaError(t.col, f"∂L/∂{t.of} is not on the way from L to "
                               f"{self.scope.wrt or 'the input'}: only the gradients of steps "
                               "between them can be used")
        return self.scope.adjoints[t.of]

    def _ones(self, t: A.Ones) -> Node:
        if self.scope.batch is None:
            raise ShapeProblem("𝟙 is a column of n ones, but no input has rows")
        name, value = self.scope.batch
        return E.full((value, 1), 1.0, dims=((name, 0), None))

    def _neg(self, t: A.Neg) -> Node:
        return E.neg(self.node(t.a))

    def _t(self, t: A.T) -> Node:
        return E.transpose(self.node(t.a))

    def _chain(self, t: A.Chain) -> Node:  # only reached through readings(): left to right
        return self.node(A.groupings(t)[0])

    def _bin(self, t: A.Bin) -> Node:
        a, b = self.node(t.a), self.node(t.b)
        if t.op == "matmul":
            if not a.shape or not b.shape:
                return E.mul(a, b)  # a scalar written beside a matrix scales it
            return self._matmul(a, b)
        make = {"add": E.add, "sub": E.sub, "mul": E.mul, "div": E.div, "pow": E.power}[t.op]
        try:
            return make(a, b)
        except ShapeError:
            word = {"add": "added", "sub": "subtracted", "mul": "multiplied elementwise",
                    "div": "divided elementwise", "pow": "raised elementwise"}[t.op]
            raise ShapeProblem(
                f"{self.says(a)} and {self.says(b)} cannot be {word}: their shapes differ "
                "and do not broadcast") from None

    def _matmul(self, a: Node, b: Node) -> Node:
        try:
            return E.matmul(a, b)
        except ShapeError:
            cols = self.scope.size_text(a.shape[-1], len(a.shape) - 1)
            rows = self.scope.size_text(b.shape[0] if len(b.shape) == 1 else b.shape[-2], 0)
            raise ShapeProblem(
                f"{self.says(a)} times {self.says(b)} is no matrix product: the columns of the "
                f"first ({cols}) must match the rows of the second ({rows})") from None

    def says(self, n: Node) -> str:
        said = to_text(n) if n.name is None else name_text(n.name)
        return f"{said} ({self.scope.shape_words(n.shape)})"

    def _call(self, t: A.Call) -> Node:
        return E.fn(t.fn, self.node(t.a), t.order)

    def _apply(self, t: A.Apply) -> Node:
        """The documents' vocabulary (derive.claim.documents), as the engine's operations."""
        args = [self.node(x) for x in t.args]
        a = args[0]
        layer = {"f1": 0, "f2": 0, "f3": 0, "df1": 1, "df2": 1, "df3": 1}
        if t.fn in layer:  # the post's generic f, checked with f = σ
            return E.fn("sigmoid", a, layer[t.fn])
        made = {"ones_like": lambda: E.ones(a), "square": lambda: E.power(a, E.const(2.0)),
                "dsquare": lambda: E.mul(E.const(2.0), a),
                "leaky_relu": lambda: E.fn("leaky_relu", a),
                "dleaky_relu": lambda: E.fn("leaky_relu", a, 1),
                "transpose": lambda: E.transpose(a),
                "sum_rows": lambda: E.reduce("sum", a, 0, True)}
        if t.fn not in made:
            raise FormulaError(t.col, f"{t.fn} has no matrix form: it is judged by values only")
        return made[t.fn]()

    def _index(self, t: A.Index) -> Node:
        a = self.node(t.a)
        key = E.index_key(tuple(slice(None) if k is None else k for k in t.key), len(a.shape))
        if key is None:
            raise ShapeProblem(f"{self.says(a)} has fewer axes than the index")
        return E.getitem(a, key)

    def _reduce(self, t: A.Reduce) -> Node:
        a = self.node(t.a)
        if t.axis is not None and t.axis >= max(1, len(a.shape)):
            raise ShapeProblem(f"{self.says(a)} has no axis {t.axis} to {t.op} over")
        return E.reduce(t.op, a, t.axis, t.keepdims)

    def _cmp(self, t: A.Cmp) -> Node:
        a, b = self.node(t.a), self.node(t.b)
        try:
            return E.compare(t.op, a, b)
        except ShapeError:
            raise ShapeProblem(f"{self.says(a)} and {self.says(b)} cannot be compared: their "
                               "shapes do not broadcast") from None
