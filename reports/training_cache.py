"""The training summary's disk cache: keyed by the code and data that decide it."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from derive.reports import pages


def default_cache_dir() -> Path | None:
    """derive's one cache folder, as the proofs use it (:func:`derive.proofcache.folder`:
    $DERIVE_CACHE_DIR, else $XDG_CACHE_HOME/derive, else ~/.cache/derive; None when off)."""
    from derive.proofcache import folder

    return folder()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("numpy", "matplotlib", "scikit-learn", "sympy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "missing"
    return found


def cache_key(modules: Sequence[str], params: dict[str, Any]) -> str:
    """SHA-256 of the source of the modules that decide a result, its parameters and the
    versions of the libraries it runs on."""
    import importlib

    h = hashlib.sha256()
    for name in modules:
        h.update(inspect.getsource(importlib.import_module(name)).encode("utf-8"))
    h.update(json.dumps({**params, "versions": _versions()}, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def read(path: Path, key: str, schema: int) -> dict[str, Any] | None:
    """The cached dict at ``path`` if it carries this key and schema, else None."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("schema") != schema or found.get("key") != key:
        return None
    return found


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder and rename, so readers never see
    half; the folder is made first, and the file keeps mkstemp's 0600 (a private cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pages.write_atomic(path, text, public=False)


