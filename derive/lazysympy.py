"""SymPy, imported on first use.

Importing SymPy costs about 0.3 s, more than a whole warm ``derive.verify``. The tracer, the
chain rule, the numpy code and the numeric judging never need it; only a proof, a closed form
or the documents' cases do. Modules on that fast path write ``from derive.lazysympy import sp``
and use ``sp.exp`` as usual: the first attribute read imports SymPy, and each name read is
kept on the proxy, so later reads cost what a module attribute costs.
"""

from __future__ import annotations

import importlib
from typing import Any


class _Lazy:
    """Stands for the ``sympy`` module until an attribute is read."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)  # copy/pickle probes must not import SymPy
        value = getattr(importlib.import_module("sympy"), name)
        setattr(self, name, value)
        return value


sp: Any = _Lazy()
