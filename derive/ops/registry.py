"""The registry of array operations: one :class:`Op` object per operation.

As JAX defines each primitive once and registers its shape rule, its derivative and its
lowering against that object, every array operation here is one class that carries
everything about it: arity and shape rule, typed attributes, the vector-Jacobian product,
how each printer writes it (LaTeX, numpy, plain text), its elementwise SymPy evaluation,
its kinks and the helpers its pasted code needs. Printers, the compiler and the proofs are
generic walkers that look an operation up here; a new numpy call is one class and its tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np

    from derive.ops.node import Node


class Op:
    """Base class: an operation that only has a name raises a clear error for the rest."""

    name: ClassVar[str] = ""
    arity: ClassVar[int | None] = None  # None: any number of arguments
    # How tightly the printed form binds, for parentheses (9: an atom such as f(x) or X).
    latex_prec: ClassVar[int] = 9
    text_prec: ClassVar[int] = 9
    # The documents' letter for a step whose top operation this is (N = nu(X, W)).
    letter: ClassVar[str] = "f"
    # Output entry i depends on entry i of each (broadcast) argument only.
    elementwise: ClassVar[bool] = False
    # numeric.functions helpers that its numpy form calls, pasted by ``--fix``.
    helpers: ClassVar[tuple[str, ...]] = ()

    def vjp(self, g: Node, out: Node, *args: Node) -> tuple[Node | None, ...]:
        """The gradient contribution of each argument, given the upstream gradient g."""
        raise NotImplementedError(f"no derivative rule for operation {self.name!r}")

    def sympy(self, n: Node, args: list[np.ndarray], env: Any) -> np.ndarray:
        """The value on object arrays of SymPy expressions (the elementwise ground truth)."""
        raise NotImplementedError(f"no symbolic evaluation for operation {self.name!r}")

    def latex(self, p: Any, n: Node) -> str:
        raise NotImplementedError(f"no LaTeX form for operation {self.name!r}")

    def numpy(self, p: Any, n: Node) -> str:
        raise NotImplementedError(f"no numpy form for operation {self.name!r}")

    def text(self, p: Any, n: Node) -> str:
        raise NotImplementedError(f"no text form for operation {self.name!r}")

    def kinks(self, n: Node) -> list[Node]:
        """Probes whose zero entries mark a point where the derivative jumps (none here)."""
        return []

    def axis_sources(self, n: Node, axis: int) -> list[tuple[int, int]]:
        """(argument, argument axis) pairs that output ``axis`` is (sizes by name)."""
        return aligned(n, axis) if self.elementwise else []

    @property
    def has_vjp(self) -> bool:
        return type(self).vjp is not Op.vjp


OPS: dict[str, Op] = {}


def aligned(n: Node, axis: int) -> list[tuple[int, int]]:
    """Elementwise broadcasting: argument axes aligned on the right, of the same size."""
    out = []
    for i, a in enumerate(n.args):
        k = axis - (len(n.shape) - len(a.shape))
        if 0 <= k < len(a.shape) and a.shape[k] == n.shape[axis]:
            out.append((i, k))
    return out


def register(cls: type[Op]) -> type[Op]:
    """Class decorator: one instance per operation, found by its name."""
    if cls.name in OPS:
        raise ValueError(f"operation {cls.name!r} registered twice")
    OPS[cls.name] = cls()
    return cls


def spec(op: str) -> Op:
    try:
        return OPS[op]
    except KeyError:
        raise KeyError(f"unknown operation {op!r}") from None


class _Builders:
    """Node constructors by name (``build.mul(a, b)``), from every family of operations.

    A vector-Jacobian product in one family builds nodes of another (the product rule needs
    ``mul``, undoing broadcasting needs ``sum_to``). Looked up here when the rule runs, so the
    families never import one another and the import graph has no cycles."""

    def __getattr__(self, name: str) -> Any:
        try:
            return BUILDERS[name]
        except KeyError:
            raise AttributeError(f"no node constructor {name!r}") from None


BUILDERS: dict[str, Any] = {}
build = _Builders()
