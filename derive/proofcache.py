"""Proofs kept on disk, keyed by the structure of the graph they are about.

A proof says the matrix form equals elementwise SymPy for a graph at reduced shapes: it
depends on the operations, their attributes and constants, the shapes, the differentiated
names, the work budget and derive's own rules, never on the point or on the user's backward.
So the first ``derive verify`` of a forward pays for it once (about 0.1-0.2 s of SymPy) and
every later process reads it back in a millisecond. Anything that changes the graph changes
the key; editing derive's rules changes it too (the key hashes their source).

The folder is ``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else
``~/.cache/derive``; ``DERIVE_CACHE_DIR=off`` disables it. A folder that cannot be written is
not an error: the proof is then simply redone next time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from derive import expr as E
from derive._version import __version__
from derive.expr import Node
from derive.ops.leaves import Frozen
from derive.proof import Proof, WorkBudget

# Bump when the stored record changes form.
FORMAT = 1

# The modules whose code decides a derivation or a proof: their source is part of the key.
_RULE_SOURCES = ("ops", "backward.py", "rules.py", "functions.py", "elementwise.py",
                 "proof.py", "graph.py", "recognize.py")


def folder() -> Path | None:
    """Where proofs are kept, or None when caching is off."""
    given = os.environ.get("DERIVE_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0", "none") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


@functools.lru_cache(maxsize=1)
def _rules_digest() -> str:
    return sources_digest(Path(__file__).resolve().parent, _RULE_SOURCES)


def sources_digest(here: Path, names: tuple[str, ...]) -> str:
    """SHA-256 of derive's version and the source of the named modules (or folders of them)
    below ``here``: editing any of them changes every key built on it."""
    h = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    for name in names:
        path = here / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _attr_text(value: Any) -> str:
    if isinstance(value, Frozen):
        a = np.asarray(value.array)
        return f"array{a.shape}{a.dtype}:{hashlib.sha256(a.tobytes()).hexdigest()}"
    if isinstance(value, tuple):
        return "(" + ",".join(_attr_text(v) for v in value) + ")"
    return repr(value)


def structure_key(output: Node, wrt: tuple[str, ...], shapes: Mapping[str, tuple[int, ...]],
                  budget: WorkBudget | tuple, rules: str = "") -> str:
    """A digest of everything a proof depends on, and nothing it does not. (``budget`` is
    any further setting the kept result depends on, ``rules`` a digest of more code.)"""
    h = hashlib.sha256((_rules_digest() + rules).encode())
    h.update(repr((tuple(wrt), sorted(shapes.items()), budget)).encode())
    index: dict[int, int] = {}
    for k, n in enumerate(E.topological(output)):
        index[n.uid] = k
        args = tuple(index[a.uid] for a in n.args)
        h.update(f"{n.op}|{_attr_text(n.attrs)}|{n.shape}|{n.name}|{args};".encode())
    return h.hexdigest()


def load(key: str) -> tuple[str, dict[str, Proof]] | None:
    """(note, proofs) kept under ``key``, or None."""
    record = read(key)
    try:
        proofs = {w: Proof(**fields) for w, fields in record["proofs"].items()}
        return str(record["note"]), proofs
    except (TypeError, KeyError, AttributeError):
        return None


def store(key: str, note: str, proofs: Mapping[str, Proof]) -> None:
    """Keep a decided result (a refuted proof is a bug to report, never kept)."""
    if not proofs or any(p.refuted for p in proofs.values()):
        return
    write(key, {"note": note, "proofs": {w: asdict(p) for w, p in proofs.items()}})


def read(key: str) -> dict[str, Any] | None:
    """The record kept under ``key`` (a JSON object), or None: missing, damaged, another
    format, or caching off are all a miss, never an error."""
    base = folder()
    if base is None:
        return None
    try:
        record = json.loads((base / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        return None
    return record


def write(key: str, record: Mapping[str, Any]) -> None:
    """Keep ``record`` under ``key``, atomically (a reader sees all or nothing); a folder
    that cannot be written means it is simply not kept."""
    base = folder()
    if base is None:
        return
    import tempfile  # only a process that writes pays for it (shutil, bz2, lzma)

    path = base / f"{key}.json"
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kept-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"format": FORMAT, **record}, f)
        os.replace(tmp, path)
    except (OSError, TypeError, ValueError):  # unwritable, or a value JSON cannot hold
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
