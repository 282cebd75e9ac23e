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
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

from derive.errors import DeriveError, InputError, UserCodeError

Shape = tuple[int, ...]

# One ``--shape`` argument: a Python identifier, "=", then "scalar" or sizes joined by "x".
SHAPE_ARG = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(scalar|[0-9]+(?:x[0-9]+)*)")

# User text quoted in a message is cut here, so one bad input stays one readable line.
MAX_TEXT = 300

# Exceptions that mean "this code does not fit these shapes" rather than "this code is broken":
# numpy raises ValueError for mismatched operands, the documents' forwards assert on shapes.
SHAPE_EXCEPTIONS = (ValueError, IndexError, AssertionError)


def one_line(text: object, limit: int = MAX_TEXT) -> str:
    """Collapse whitespace (numpy messages span lines) and cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


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


def _read_source(path: Path) -> str:
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"cannot read {path}: it is a directory, not a Python file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {path}: not UTF-8 text ({one_line(exc.reason)} "
                         f"at byte {exc.start})") from None


def _check_syntax(source: str, path: Path) -> None:
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"{path.name}:{exc.lineno}" if exc.lineno else path.name
        raise InputError(f"syntax error in {where}: {one_line(exc.msg)}") from None
    except ValueError as exc:  # source with NUL bytes
        raise InputError(f"cannot compile {path.name}: {one_line(exc)}") from None


def load(path: str | os.PathLike[str]) -> UserModule:
    """Import ``path`` as a fresh module (its folder on sys.path while it imports)."""
    p = Path(path).expanduser().resolve()
    source = _read_source(p)
    _check_syntax(source, p)
    name = _module_name(p)
    loader = importlib.machinery.SourceFileLoader(name, str(p))
    spec = importlib.util.spec_from_file_location(name, p, loader=loader)
    if spec is None:  # pragma: no cover - spec_from_file_location with a loader always works
        raise InputError(f"cannot import {p}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(p.parent))
    try:
        loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: any failure is one line
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
    """``ValueError: text`` on one line."""
    text = one_line(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def user_error(exc: BaseException, what: str, *where: Any) -> UserCodeError:
    """UserCodeError: '<what> raised <Type>: <text> (<file>:<line>)'."""
    return UserCodeError(f"{what} raised {describe(exc)}{location(exc, *where)}")


def call(f: Callable[..., Any], what: str, *args: Any, **kwargs: Any) -> Any:
    """Call user code; any exception becomes a one-line :class:`UserCodeError`."""
    try:
        return f(*args, **kwargs)
    except DeriveError:  # already one line (a wrapper of ours, or user code called inside)
        raise
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code: any failure is one line
        raise user_error(exc, what, f) from None


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
    shape: Shape = () if dims == "scalar" else tuple(int(d) for d in dims.split("x"))
    if any(d == 0 for d in shape):
        raise InputError(f"malformed --shape {text!r}: sizes must be positive")
    return name, shape


def parse_shapes(texts: list[str] | None) -> dict[str, Shape]:
    out: dict[str, Shape] = {}
    for t in texts or ():
        name, shape = parse_shape(t)
        out[name] = shape
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
        out[k] = _one_shape(v, f"{where}[{k!r}]")
    return out


def _one_shape(v: object, where: str) -> Shape:
    if v == "scalar":
        return ()
    if isinstance(v, int) and not isinstance(v, bool):
        v = (v,)
    if not isinstance(v, (tuple, list)) or not all(
        isinstance(d, int) and not isinstance(d, bool) for d in v
    ):
        raise InputError(f"{where} must be a tuple of sizes like (3, 2), got "
                         f"{one_line(repr(v), 60)}")
    if any(d <= 0 for d in v):
        raise InputError(f"{where}: sizes must be positive, got {tuple(v)}")
    return tuple(int(d) for d in v)
