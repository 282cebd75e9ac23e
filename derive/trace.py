"""Turn plain numpy forward code into a graph of named steps.

The forward function runs on :class:`~derive.traced.Traced` arrays, which record each numpy
call as a node (:mod:`derive.numpy_api` maps numpy onto the operations). The names of the
steps are the forward function's own local variables (N, S, P, ...), read from its frame
after every line, so a case written the way the documents write their code gets the
documents' notation for free, and a variable assigned again in a loop (``h`` of an RNN)
names every step it held: h_1, h_2, ... Nested helper functions (a user's ``sigmoid``) fuse
into the step that calls them.

Where tracing stops, the error names the user's file and line and the construct
(``model.py:42: out[n, f] = conv(...) (numpy.pad)``).

This is the one mechanism that builds every graph: the documents' cases and a user's
module alike.
"""

from __future__ import annotations

import inspect
import io
import linecache
import sys
import tokenize
import traceback
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from derive import expr as E
from derive import numpy_api  # noqa: F401 - registers the numpy handlers
from derive.errors import TraceError
from derive.expr import Node
from derive.numpy_make import BUILTINS, REPLACED, SHIM
from derive.traced import Specialization, Traced

# Frames of these packages are not the user's code (for "file:line" of where tracing stopped).
_NOT_USER = (str(Path(__file__).resolve().parent), str(Path(np.__file__).resolve().parent))


@dataclass(frozen=True)
class TraceResult:
    """What tracing produced: the output node, the input leaves, and why the graph holds
    for these constants' values only (empty when it holds for any)."""

    output: Node
    inputs: dict[str, Node]
    specialized: tuple[str, ...]


def trace(forward: Callable[..., Any], shapes: Mapping[str, tuple[int, ...]],
          constants: Mapping[str, np.ndarray] | None = None) -> tuple[Node, dict[str, Node]]:
    """Run ``forward`` on traced inputs; return the output node and the input leaves.

    Inputs in ``constants`` enter as leaves too (so they print by name) and carry their
    values (so labels index and Python control flow on them works); the caller decides
    which leaves are differentiated. Steps are named after the forward function's locals.
    """
    t = trace_full(forward, shapes, constants)
    return t.output, t.inputs


def trace_full(forward: Callable[..., Any], shapes: Mapping[str, tuple[int, ...]],
               constants: Mapping[str, np.ndarray] | None = None) -> TraceResult:
    constants = dict(constants or {})
    inputs = {k: E.leaf(k, tuple(s)) for k, s in shapes.items()}
    for k, v in constants.items():
        inputs.setdefault(k, E.leaf(k, np.shape(v)))
    args = {k: Traced(n, np.asarray(constants[k]) if k in constants else None)
            for k, n in inputs.items()}
    Specialization.reasons = []
    try:
        result, seen = _call_capturing_locals(forward, args)
    except TraceError as exc:
        raise TraceError(str(exc), exc.where or where_of(exc)) from None
    finally:
        reasons = tuple(Specialization.reasons)
        Specialization.reasons = []
    if not isinstance(result, Traced) or result.value is not None and \
            all(n.op != "input" or n.name in constants for n in E.leaves(result.node)):
        raise TraceError("forward returned a value that does not depend on the "
                         "differentiated inputs")
    out = _name_steps(result.node, _names(seen, set(args)), inputs)
    return TraceResult(out, inputs, reasons)


# ---------------------------------------------------------------- running the forward


def _shimmed(f: Callable[..., Any]) -> Callable[..., Any]:
    """f with the numpy module (and numpy's creation functions imported by name) replaced by
    the recording versions in its globals; module-level helpers it calls get the same."""
    code = getattr(f, "__code__", None)
    g = getattr(f, "__globals__", None)
    if code is None or g is None:
        return f
    new: dict[str, Any] = {**BUILTINS, **g}
    for k, v in g.items():
        if v is np:
            new[k] = SHIM
        elif _hashable(v) and v in REPLACED:
            new[k] = REPLACED[v]
    for k, v in g.items():  # helpers of the same module see the shim too
        if isinstance(v, types.FunctionType) and v.__globals__ is g:
            new[k] = _rebound(v, new)
    return _rebound(f, new)


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def _rebound(f: types.FunctionType, g: dict[str, Any]) -> types.FunctionType:
    out = types.FunctionType(f.__code__, g, f.__name__, f.__defaults__, f.__closure__)
    out.__kwdefaults__ = f.__kwdefaults__
    out.__dict__.update(f.__dict__)
    return out


def _call_capturing_locals(f: Callable[..., Any], args: Mapping[str, Any]
                           ) -> tuple[Any, list[tuple[str, Node]]]:
    """Call ``f(**args)``; return its result and (local name, node) in the order the
    frame's locals held them (read before every line and at return)."""
    inner = getattr(f, "user_forward", None)  # a wrapper (derive.layer): read the user's
    target = getattr(inner if inner is not None else f, "__code__", None)
    seen: list[tuple[str, Node]] = []
    known: set[int] = set()

    def look(frame: Any) -> None:
        for k, v in frame.f_locals.items():
            if isinstance(v, Traced) and v.node.uid not in known:
                known.add(v.node.uid)
                seen.append((k, v.node))

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event in ("line", "return"):
            look(frame)
        return local

    def outer(frame: Any, event: str, arg: Any) -> Any:
        return local if event == "call" and frame.f_code is target else None

    call = f.rebind(_shimmed(inner)) if inner is not None else _shimmed(f)
    old = sys.gettrace()
    sys.settrace(outer)
    try:
        result = call(**args)
    finally:
        sys.settrace(old)
    return result, seen


def _names(seen: list[tuple[str, Node]], inputs: set[str]) -> dict[int, str]:
    """uid -> step name: a local's name, numbered (h_1, h_2, ...) when it held several or
    when it is an input's name given to a new value (x = np.tanh(x): x_1)."""
    counts: dict[str, int] = {}
    for k, n in seen:
        if not n.is_leaf:
            counts[k] = counts.get(k, 0) + 1
    names: dict[int, str] = {}
    taken: dict[str, int] = {}
    for k, n in seen:
        if n.is_leaf:
            continue
        if counts[k] == 1 and k not in inputs:
            names[n.uid] = k
        else:
            taken[k] = taken.get(k, 0) + 1
            names[n.uid] = f"{k}_{taken[k]}"
    return names


def _name_steps(out: Node, names: dict[int, str], inputs: dict[str, Node]) -> Node:
    """Give the named locals' nodes their names; the output is named too (L by default)."""
    used = set(inputs)
    mapping: dict[int, Node] = {}
    for node in E.topological(out):
        name = names.get(node.uid)
        if node is out and name is None:
            name = "L" if "L" not in used else "output"
        if name is not None and not node.is_leaf and name not in used:
            used.add(name)
            mapping[node.uid] = node.named(name)
    if not mapping:
        return out
    # Rebuild bottom-up so named nodes reference named arguments.
    memo: dict[int, Node] = {}
    for n in E.topological(out):
        base = mapping.get(n.uid, n)
        memo[n.uid] = base.rebuilt(tuple(memo[a.uid] for a in n.args))
    return memo[out.uid]


def where_of(exc: BaseException) -> str:
    """'model.py:42: y = np.sort(x)': the user's line where tracing stopped (or "")."""
    frames = [(fr, line) for fr, line in traceback.walk_tb(exc.__traceback__)
              if not str(Path(fr.f_code.co_filename).resolve()).startswith(_NOT_USER)]
    if not frames:
        return ""
    frame, line = frames[-1]
    filename = frame.f_code.co_filename
    text = " ".join(_without_comment(linecache.getline(filename, line)).split())
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{Path(filename).name}:{line}: {text}" if text else f"{Path(filename).name}:{line}"


def _without_comment(line: str) -> str:
    """The line without its trailing # comment (tokenized: a '#' inside a string stays)."""
    if "#" not in line:
        return line
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            if tok.type == tokenize.COMMENT:
                return line.strip()[:tok.start[1]]
    except (tokenize.TokenError, SyntaxError):  # an unfinished statement: keep it whole
        pass
    return line


def parameters(forward: Callable[..., Any]) -> list[str]:
    """The forward function's argument names, in order."""
    return [p.name for p in inspect.signature(forward).parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
