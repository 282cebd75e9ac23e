"""Confirmations kept on disk: a derivation that per-entry finite differences confirmed stays
confirmed in later processes, as its proof does (:mod:`derive.proofcache`).

The sampled per-entry check of a derived gradient runs once per derivation: it is about the
traced graph, not about the point or the user's backward. A test suite run again after an
edit to the backward traces the same forward again, so it reads back that the derivation was
confirmed instead of differencing it again (about 40 ms of a 100 ms first call on the
two-layer network). The key is the traced graph's structure at the drawn shapes (operations,
constants, shapes), the dtypes, the finite-difference settings and the source of every module
that decides the check; only a confirmation is kept, never a disagreement. The checks at the
point itself (random directions, the Taylor test, kinks) always run.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from derive import proofcache
from derive.verify.results import Derivation

# The modules, besides the derivation's rules, whose code decides the per-entry check.
_DERIVE_SOURCES = ("deltas.py", "compile.py", "verify/judge.py", "verify/evidence.py")
_NUMERIC_SOURCES = ("fd.py", "config.py", "compare.py", "evidence.py", "refine.py", "kinks.py",
                    "functions.py")

# Below the cache folder, apart from the proofs.
_FOLDER = "confirmed"


@functools.lru_cache(maxsize=1)
def _checks_digest() -> str:
    from derive import numeric

    here = Path(__file__).resolve().parents[1]
    return proofcache.sources_digest(here, _DERIVE_SOURCES) + proofcache.sources_digest(
        Path(numeric.__file__).resolve().parent, _NUMERIC_SOURCES)


def key(d: Derivation, wrt: tuple[str, ...], point: Mapping[str, np.ndarray],
        settings: tuple[Any, ...]) -> str:
    """The record's name for this derivation, these dtypes and finite-difference settings."""
    shapes = {k: np.shape(v) for k, v in point.items()}
    dtypes = tuple(sorted((k, np.asarray(v).dtype.str) for k, v in point.items()))
    digest = proofcache.structure_key(d.graph.output, wrt, shapes, ("confirmed", dtypes,
                                                                    settings), _checks_digest())
    return f"{_FOLDER}/{digest}"


def load(name: str) -> dict[str, int]:
    """Gradient name -> how many entries were differenced, for those confirmed before."""
    record = proofcache.read(name)
    sizes = record.get("sampled") if record is not None else None
    if not isinstance(sizes, dict):
        return {}
    return {w: n for w, n in sizes.items() if isinstance(n, int) and n > 0}


def store(name: str, sizes: Mapping[str, int]) -> None:
    """Keep the confirmations (merged with those already kept under ``name``)."""
    sizes = {w: int(n) for w, n in sizes.items() if n > 0}
    if sizes:
        proofcache.write(name, {"sampled": {**load(name), **sizes}})
