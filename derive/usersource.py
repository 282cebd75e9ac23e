"""Reading a user's FILE.py: only a regular file, within a size limit, decoded as Python
decodes it (a UTF-8 BOM, a PEP 263 coding line), never blocking, and compiled once to find
syntax errors before anything runs. Each failure is one :class:`InputError` line.
"""

from __future__ import annotations

import errno
import importlib.machinery
import importlib.util
import os
import stat
from pathlib import Path

from derive.errors import InputError
from derive.numeric import limits as LIM

# User text quoted in a message is cut here, so one bad input stays one readable line.
MAX_TEXT = 300


def one_line(text: object, limit: int = MAX_TEXT) -> str:
    """Collapse whitespace (numpy messages span lines) and cut to ``limit`` characters.

    ``str`` of a user's object may itself raise (a broken ``__str__``): then its type names it.
    """
    try:
        raw = text if isinstance(text, str) else str(text)
    except Exception:  # noqa: BLE001 - user code: an unprintable object is still one line
        raw = f"<unprintable {type(text).__name__}>"
    flat = " ".join(raw.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."



def read_source(path: Path) -> bytes:
    """The file's bytes: only a regular file, only up to LIM.MAX_SOURCE_BYTES, never blocking.

    A FIFO, a device (/dev/zero) or a symlink loop is refused before it is opened; the file
    is opened non-blocking and read with a bound, so a file swapped in meanwhile cannot hang.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"cannot read {path}: a symlink loop") from None
        if isinstance(exc, FileNotFoundError):
            raise InputError(f"no such file: {path}") from None
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"cannot read {path}: it is a directory, not a Python file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"cannot read {path}: it is a {_file_kind(st.st_mode)}, not a "
                         "regular file")
    if st.st_size > LIM.MAX_SOURCE_BYTES:
        raise InputError(f"cannot read {path}: {LIM.human_bytes(st.st_size)}, more than the "
                         f"{LIM.human_bytes(LIM.MAX_SOURCE_BYTES)} a source file may have")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(LIM.MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None
    if len(data) > LIM.MAX_SOURCE_BYTES:
        raise InputError(f"cannot read {path}: more than the "
                         f"{LIM.human_bytes(LIM.MAX_SOURCE_BYTES)} a source file may have")
    return data


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def _decode(data: bytes, path: Path) -> str:
    """The source as Python reads it: a UTF-8 BOM and a PEP 263 coding line are honoured."""
    try:
        return importlib.util.decode_source(data)
    except UnicodeDecodeError as exc:
        enc = "UTF-8" if exc.encoding.replace("-", "").lower() == "utf8" else exc.encoding
        raise InputError(f"cannot read {path}: not {enc} text ({one_line(exc.reason)} "
                         f"at byte {exc.start})") from None
    except (SyntaxError, LookupError) as exc:  # an unknown coding name, or BOM + other coding
        msg = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        if "invalid or missing encoding" in msg:  # no coding line, and not UTF-8 either
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise InputError(f"cannot read {path}: not UTF-8 text ({one_line(bad.reason)} "
                                 f"at byte {bad.start})") from None
        raise InputError(f"cannot read {path}: {one_line(msg)}") from None


def check_syntax(source: bytes, path: Path) -> None:
    try:
        compile(source, str(path), "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"{path.name}:{exc.lineno}" if exc.lineno else path.name
        raise InputError(f"syntax error in {where}: {one_line(exc.msg)}") from None
    except ValueError as exc:  # source with NUL bytes
        raise InputError(f"cannot compile {path.name}: {one_line(exc)}") from None


class Loader(importlib.machinery.SourceFileLoader):
    """Runs the bytes already read and checked: the file is not read twice (a FIFO or a file
    swapped in meanwhile cannot hang the import), and no __pycache__ is written beside it."""

    def __init__(self, name: str, path: str, data: bytes) -> None:
        super().__init__(name, path)
        self._data = data

    def get_data(self, path: str) -> bytes:
        if path == self.path:
            return self._data
        raise OSError("derive reads no bytecode cache")

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:
        return None


def resolve(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).expanduser().resolve()
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise InputError(f"cannot read {path}: a symlink loop") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {one_line(exc.strerror or exc)}") from None


def source_path(path: str | os.PathLike[str]) -> Path:
    """The resolved path of a readable, decodable, syntactically valid FILE.py (no import)."""
    p = resolve(path)
    check_syntax(read_checked(p), p)
    return p


def read_checked(p: Path) -> bytes:
    data = read_source(p)
    _decode(data, p)
    return data


