"""Stage: the evidence finite differences give, refined before it may overrule a derivation.

The user's forward as functions of one entry at a time (vectorised over the chosen entries,
as numeric.refine expects), and the refined check along a random direction: a central
difference at one step is no proof against a derivation (a deep network's curvature).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from derive.numeric import evidence
from derive.numeric.fd import Differences

Arrays = dict[str, np.ndarray]
Index = tuple[int, ...]


def _perturbed(point: Arrays, name: str, idx: Index, value: float) -> Arrays:
    out = dict(point)
    x = np.array(point[name], copy=True)
    x[idx] = value
    out[name] = x
    return out


def entry_function(diff: Differences, point: Arrays, name: str, indices: list[Index]
                   ) -> Callable[[np.ndarray], np.ndarray]:
    """f with entry indices[i] of ``name`` set to values[i], for each i."""
    def fe(values: np.ndarray) -> np.ndarray:
        out = np.empty(len(indices))
        for i, idx in enumerate(indices):
            v = float(values[i])
            out[i] = diff.f(_perturbed(point, name, idx, v)) if math.isfinite(v) else np.nan
        return out

    return fe


def still_disagree(diff: Differences, point: Arrays, name: str, indices: list[Index],
                   values: np.ndarray, f0: float, scale: float) -> np.ndarray:
    """Per entry: whether refined differences decide against the derivative value there."""
    xs = np.array([point[name][i] for i in indices], dtype=np.float64)
    return evidence.still_disagree(values, entry_function(diff, point, name, indices), xs, f0,
                                   diff.rel_step, diff.rtol, scale)


def directional_doubt(diff: Differences, point: Arrays, v: Mapping[str, np.ndarray],
                      gv: float, f0: float, scale: float) -> bool:
    """Whether refined differences along v decide against the derivative gv."""
    x_max = max(float(np.max(np.abs(point[w]), initial=0.0)) for w in v)
    v_max = max(float(np.max(np.abs(d), initial=0.0)) for d in v.values())
    h = diff.rel_step * max(1.0, x_max) / max(v_max, 1e-300)

    def fe(ts: np.ndarray) -> np.ndarray:
        out = np.empty(len(ts))
        for i, t in enumerate(ts):
            moved = {**point, **{w: point[w] + float(t) * d for w, d in v.items()}}
            out[i] = diff.f(moved) if math.isfinite(float(t)) else np.nan
        return out

    return bool(evidence.still_disagree(np.array([gv]), fe, np.zeros(1), f0, h, diff.rtol,
                                        scale)[0])
