"""Load a user's ``FILE.py`` and call its code, turning every failure into one clear line.

A user module is untrusted in the sense that it may be broken: missing, unreadable, not
valid Python, missing a function, or raising when imported or called. Each of these
becomes one of the project's exceptions (:mod:`derive.errors`) whose message is one line
naming the problem and, for user code, the exception type, its text and the ``file:line``
of the innermost frame in the user's own file, so the CLI never shows a traceback.

Nothing here evaluates user *text*: ``--shape`` is parsed with a whitelist regex, and the
module is imported with :mod:`importlib` from its path, as ``python FILE.py`` would run it.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import inspect
import math
import operator
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from derive import usersource as S
from derive.errors import DeriveError, InputError, UserCodeError
from derive.numeric import limits as LIM
from derive.usersource import MAX_TEXT, one_line, source_path  # noqa: F401 - this module's API

Shape = tuple[int, ...]

# One ``--shape`` argument: a Python identifier, "=", then "scalar" or sizes joined by "x".
SHAPE_ARG = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(scalar|[0-9]+(?:x[0-9]+)*)")

# Exceptions that mean "this code does not fit these shapes" rather than "this code is broken":
# numpy raises ValueError for mismatched operands, the documents' forwards assert on shapes.
SHAPE_EXCEPTIONS = (ValueError, IndexError, AssertionError)


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class UserModule:
    """A loaded user module and the path it came from (for messages)."""

    path: Path
    module: ModuleType

    @property
    def label(self) -> str:
        return self.path.name

    def names(self) -> list[str]:
        """Public names the module defines (not what it imported), for "it defines ..."."""
        out = []
        for k, v in vars(self.module).items():
            if k.startswith("_") or isinstance(v, ModuleType):
                continue
            if getattr(v, "__module__", self.module.__name__) != self.module.__name__:
                continue
            out.append(k)
        return out

    def function(self, name: str) -> Callable[..., Any]:
        """The module's function ``name``; a missing one is named with what the module has."""
        value = getattr(self.module, name, None)
        if value is None:
            defined = ", ".join(self.names()) or "nothing"
            raise InputError(f"{self.label} defines no function {name!r}; it defines: {defined}")
        if not callable(value):
            raise InputError(
                f"{name!r} in {self.label} is a {type(value).__name__}, not a function"
            )
        return value

    def optional_function(self, name: str) -> Callable[..., Any] | None:
        if getattr(self.module, name, None) is None:
            return None
        return self.function(name)

    def shapes(self) -> dict[str, Shape]:
        """The module's ``SHAPES`` constant, validated (empty when it has none)."""
        raw = getattr(self.module, "SHAPES", None)
        if raw is None:
            return {}
        return validate_shapes(raw, f"SHAPES in {self.label}")


def _module_name(path: Path) -> str:
    """A unique, importable name: user modules never shadow each other or a real package."""
    stem = re.sub(r"\W", "_", path.stem) or "module"
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"_derive_user_{stem}_{digest}"


def load(path: str | os.PathLike[str]) -> UserModule:
    """Import ``path`` as a fresh module (its folder on sys.path while it imports)."""
    p = S.resolve(path)
    data = S.read_checked(p)
    S.check_syntax(data, p)
    name = _module_name(p)
    loader = S.Loader(name, str(p), data)
    spec = importlib.util.spec_from_file_location(name, p, loader=loader)
    if spec is None:  # pragma: no cover - spec_from_file_location with a loader always works
        raise InputError(f"cannot import {p}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(p.parent))
    try:
        loader.exec_module(module)
    except KeyboardInterrupt:
        sys.modules.pop(name, None)
        raise
    except BaseException as exc:  # noqa: BLE001 - user code: any failure is one line
        sys.modules.pop(name, None)
        raise user_error(exc, f"importing {p.name}", p) from None
    finally:
        _remove_first(sys.path, str(p.parent))
    return UserModule(p, module)


def _remove_first(items: list[str], value: str) -> None:
    try:
        items.remove(value)
    except ValueError:
        pass


# ---------------------------------------------------------------- calling


def _user_frame(tb: TracebackType | None, files: set[str]) -> tuple[str, int] | None:
    """The innermost traceback frame in one of the user's files, as (file name, line)."""
    found = None
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if _same_file(filename, files):
            found = (Path(filename).name, line)
    return found


def _same_file(filename: str, files: set[str]) -> bool:
    if filename in files:
        return True
    try:
        return str(Path(filename).resolve()) in files
    except (OSError, ValueError):
        return False


def _files_of(*objects: Any) -> set[str]:
    out: set[str] = set()
    for obj in objects:
        if isinstance(obj, (str, Path)):
            out.add(str(Path(obj).resolve()))
            continue
        code = getattr(obj, "__code__", None)
        if code is not None:
            out.add(code.co_filename)
            try:
                out.add(str(Path(code.co_filename).resolve()))
            except (OSError, ValueError):
                pass
    return out


def location(exc: BaseException, *where: Any) -> str:
    """`` (file.py:12)`` for the innermost frame in the user's file, else the innermost frame."""
    frame = _user_frame(exc.__traceback__, _files_of(*where))
    if frame is None:
        frames = list(traceback.walk_tb(exc.__traceback__))
        if not frames:
            return ""
        f, line = frames[-1]
        frame = (Path(f.f_code.co_filename).name, line)
    return f" ({frame[0]}:{frame[1]})"


def describe(exc: BaseException) -> str:
    """``ValueError: text`` on one line (a type's name is cut like any user text)."""
    kind = one_line(type(exc).__name__, LIM.MAX_NAME)
    text = one_line(exc)
    return f"{kind}: {text}" if text else kind


def user_error(exc: BaseException, what: str, *where: Any) -> UserCodeError:
    """UserCodeError: '<what> raised <Type>: <text> (<file>:<line>)'."""
    return UserCodeError(f"{what} raised {describe(exc)}{location(exc, *where)}")


def call(f: Callable[..., Any], what: str, *args: Any, **kwargs: Any) -> Any:
    """Call user code; any exception becomes a one-line :class:`UserCodeError`."""
    try:
        return f(*args, **kwargs)
    except (DeriveError, KeyboardInterrupt):  # already one line; Ctrl-C stops everything
        raise
    except BaseException as exc:  # noqa: BLE001 - user code: exits and BaseExceptions too
        # chained: pytest shows the user's own line as the cause; the CLI prints one line
        raise user_error(exc, what, f) from exc


# ---------------------------------------------------------------- shapes


def shape_text(shape: Shape) -> str:
    """(3, 2) -> '3x2', () -> 'scalar': the ``--shape`` notation."""
    return "x".join(str(s) for s in shape) if shape else "scalar"


def shapes_text(shapes: Mapping[str, Shape]) -> str:
    return ", ".join(f"{k}={shape_text(v)}" for k, v in shapes.items())


def parse_shape(text: str) -> tuple[str, Shape]:
    """``X=3x2`` -> ('X', (3, 2)); ``x=scalar`` -> ('x', ()). Whitelisted syntax, never eval."""
    m = SHAPE_ARG.fullmatch(text.strip())
    if not m:
        raise InputError(
            f"malformed --shape {one_line(text, 60)!r}: expected NAME=AxB (e.g. X=3x2, b=3, "
            "x=scalar)"
        )
    name, dims = m.groups()
    where = f"--shape {one_line(text, 60)}"
    parts = [] if dims == "scalar" else dims.split("x")
    if len(parts) > LIM.MAX_DIMS:
        raise InputError(f"{where}: {len(parts)} dimensions, more than {LIM.MAX_DIMS}")
    if any(len(d) > MAX_DIGITS for d in parts):
        raise InputError(f"{where}: a size of {max(len(d) for d in parts)} digits; "
                         f"{_limit_text()}")
    shape: Shape = tuple(int(d) for d in parts)
    if any(d == 0 for d in shape):
        raise InputError(f"malformed --shape {one_line(text, 60)!r}: sizes must be positive")
    _check_size(shape, where)
    return name, shape


# A size written with more digits than this is refused before int() (which caps at 4300).
MAX_DIGITS = 30


def _limit_text() -> str:
    return (f"the inputs of one point may take at most {LIM.human_bytes(LIM.MAX_INPUT_BYTES)} "
            "as float64")


def _check_size(shape: Shape, where: str) -> None:
    """Refuse an array whose float64 entries alone pass LIM.MAX_INPUT_BYTES, naming its size."""
    entries = math.prod(shape)
    if entries * 8 > LIM.MAX_INPUT_BYTES:
        raise InputError(f"{where}: {entries:,} entries ({LIM.human_bytes(entries * 8)} as "
                         f"float64); {_limit_text()}")


def check_total(shapes: Mapping[str, Shape], where: str) -> None:
    """All arrays of one point together within LIM.MAX_INPUT_BYTES."""
    total = sum(math.prod(s) for s in shapes.values()) * 8
    if total > LIM.MAX_INPUT_BYTES:
        raise InputError(f"{where}: {shapes_text(shapes)} take {LIM.human_bytes(total)} as "
                         f"float64; {_limit_text()}")


def check_budget(shapes: Mapping[str, Shape], points: int) -> None:
    """K points of these shapes within LIM.MAX_POINTS_BYTES: every point is held at once."""
    total = sum(math.prod(s) for s in shapes.values()) * 8 * points
    if total > LIM.MAX_POINTS_BYTES:
        raise InputError(f"{points} points at {shapes_text(shapes)} take "
                         f"{LIM.human_bytes(total)} as float64; all points together may take "
                         f"at most {LIM.human_bytes(LIM.MAX_POINTS_BYTES)}: fewer points or "
                         "smaller shapes")


def parse_shapes(texts: list[str] | None) -> dict[str, Shape]:
    out: dict[str, Shape] = {}
    for t in texts or ():
        name, shape = parse_shape(t)
        out[name] = shape
    check_total(out, "--shape")
    return out


def validate_shapes(raw: object, where: str) -> dict[str, Shape]:
    """A mapping name -> tuple of positive ints (an int n means (n,), "scalar" means ())."""
    if not isinstance(raw, Mapping):
        raise InputError(f"{where} must be a dict like {{'X': (3, 2)}}, not a "
                         f"{type(raw).__name__}")
    out: dict[str, Shape] = {}
    for k, v in raw.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise InputError(f"{where}: {one_line(repr(k), 60)} is not an argument name")
        out[k] = _one_shape(v, f"{where}[{LIM.short_name(k)!r}]")
    check_total(out, where)
    return out


def _one_shape(v: object, where: str) -> Shape:
    if isinstance(v, str) and v == "scalar":
        return ()
    if _is_size(v):
        v = (v,)
    if not isinstance(v, (tuple, list)) or not all(_is_size(d) for d in v):
        raise InputError(f"{where} must be a tuple of sizes like (3, 2), got "
                         f"{one_line(_safe_repr(v), 60)}")
    if len(v) > LIM.MAX_DIMS:
        raise InputError(f"{where}: {len(v)} dimensions, more than {LIM.MAX_DIMS}")
    if any(d <= 0 for d in v):
        raise InputError(f"{where}: sizes must be positive, got {one_line(tuple(v), 60)}")
    shape = tuple(operator.index(d) for d in v)
    _check_size(shape, where)
    return shape


def _is_size(d: object) -> bool:
    """An int or an integer-valued type (np.int64: X.shape[0] from numpy), never a bool."""
    if isinstance(d, bool) or not hasattr(type(d), "__index__"):
        return False
    return isinstance(d, int) or getattr(getattr(d, "dtype", None), "kind", "") in "iu"


def _safe_repr(v: object) -> str:
    try:
        return repr(v)
    except Exception:  # noqa: BLE001 - a user's object with a broken __repr__
        return f"<{type(v).__name__}>"


# ---------------------------------------------------------------- other options and values


def check_seed(seed: object, where: str = "seed") -> int:
    """An int in [0, LIM.MAX_SEED]: numpy refuses negatives, None would draw a random one."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise InputError(f"{where} must be an integer in [0, {LIM.MAX_SEED}], got "
                         f"{one_line(_safe_repr(seed), 60)} ({type(seed).__name__})")
    if not 0 <= seed <= LIM.MAX_SEED:
        raise InputError(f"{where} must be an integer in [0, {LIM.MAX_SEED}], got "
                         f"{one_line(seed, 60)}")
    return int(seed)


def check_points(points: object, where: str = "points") -> int:
    """A positive int up to LIM.MAX_POINTS."""
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise InputError(f"{where} must be a positive integer, got "
                         f"{one_line(_safe_repr(points), 60)}")
    if points > LIM.MAX_POINTS:
        raise InputError(f"{where} must be at most {LIM.MAX_POINTS}, got {one_line(points, 60)}")
    return points


def check_function(f: object, role: str) -> None:
    """A plain function: an async one would return a coroutine that nobody awaits."""
    if inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f):
        raise InputError(f"{role} is an async function (async def): derive calls it as plain "
                         "numpy code; remove async")


def check_returned(value: object, role: str) -> None:
    """What a forward returned, before it is read as a number: None, complex, a coroutine."""
    if value is None:
        raise InputError(f"{role} returned None: a missing return statement?")
    if inspect.isawaitable(value):
        close = getattr(value, "close", None)
        if close is not None:
            close()  # no "coroutine was never awaited" warning
        raise InputError(f"{role} returned a coroutine: it is async; remove async")
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    if isinstance(value, complex) or kind == "c":
        raise InputError(f"{role} returned a complex number: gradients are checked for real "
                         "functions")
    if isinstance(value, int) and not math.isfinite(_as_float(value)):
        raise InputError(f"{role} returned an integer too large for a float64 (about "
                         f"2**{value.bit_length()})")


def _as_float(n: int) -> float:
    try:
        return float(n)
    except OverflowError:
        return math.inf


def check_array(a: Any, name: str) -> None:
    """An input array with entries: a zero-size array has no gradient to check."""
    size = getattr(a, "size", 1)
    if size == 0:
        raise InputError(f"input {LIM.short_name(name)} has no entries (shape "
                         f"{shape_text(tuple(a.shape))}): give every size at least 1")
    if size * 8 > LIM.MAX_INPUT_BYTES:
        raise InputError(f"input {LIM.short_name(name)}: {size:,} entries "
                         f"({LIM.human_bytes(size * 8)} as float64); {_limit_text()}")
