"""Files a command writes where the user said: checked before any work, written whole.

A page (``verify --html``, ``claim --html``) is ours when its first bytes carry our marker;
any other file is the user's and is never overwritten. A FIFO or a device is refused before
it is opened: opening a FIFO to look for the marker would block. Every file is written
through a temporary file in the same folder and a rename, so a reader never sees half of it.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from derive.errors import OutputError

# Our marker sits in the first line of every page; this much of a file is read to find it.
MARKER_SCAN_BYTES = 4096


def umask() -> int:
    """The process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: str | bytes, *, public: bool = True) -> None:
    """``data`` into ``path`` through a temporary file and a rename. ``public``: mode 0666
    less the umask, as open() gives, instead of mkstemp's 0600 (a cache keeps 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w",
                       **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as f:
            f.write(data)
            if public:
                os.fchmod(f.fileno(), 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_ours(path: Path, marker: str) -> bool:
    try:
        with path.open("rb") as fh:
            return marker.encode() in fh.read(MARKER_SCAN_BYTES)
    except OSError:
        return False


def check_target(name: str | os.PathLike[str], marker: str, example: str) -> Path:
    """Fail before any work: a regular file or a new name in an existing folder, and an
    existing file must be a page of ours (``example``: a file name to suggest)."""
    p = Path(name).expanduser()
    try:
        st = os.stat(p)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        raise OutputError(f"refusing to overwrite {p}: it is not a regular file")
    if p.is_dir():
        raise OutputError(f"{p} is a directory; give a file name like {example}")
    if not p.parent.is_dir():
        what = "is a file, not a folder" if p.parent.exists() else "does not exist"
        raise OutputError(f"cannot write {p}: {p.parent} {what}")
    if p.exists() and not is_ours(p, marker):
        raise OutputError(f"refusing to overwrite {p}: it is not a page derive wrote")
    return p


def write_page(path: Path, text: str) -> None:
    """A page, atomically and with the mode open() gives; a failure is one line."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
