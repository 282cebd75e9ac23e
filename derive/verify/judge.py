"""Stages 4 and 5, judging and evidence: every entry against the derivation, validated by
finite differences and the Taylor remainder test; numeric only when nothing was derived."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from derive.errors import DeriveError
from derive.graph import kink_nodes
from derive.numeric.compare import (
    LOWP_ULPS,
    Comparison,
    compare,
)
from derive.numeric.config import (
    FD32_REL_STEP,
    FD32_RTOL,
    FD_DIRECTIONS,
    FD_SAMPLE,
    FD_SAMPLE_MIN,
    FD_SPOT,
    FD_WORK,
    KINK_PROBE_MAX,
    TAYLOR_JOINT_OK,
    TAYLOR_JOINT_STEPS,
    TAYLOR_SEED,
    TAYLOR_WRONG_BELOW,
    VERIFY_TAYLOR_STEPS,
)
from derive.numeric.fd import Differences, flat_indices, fscale, kink_mask, taylor_remainder_slope
from derive.numeric.kinks import CONVENTIONS
from derive.verify import evidence as EV
from derive.verify import kept
from derive.verify.cachekey import digest
from derive.verify.calls import _ScalarForward
from derive.verify.kinks import _kink_ties, _under_convention
from derive.verify.numeric_only import NumericOnly, aggregate
from derive.verify.options import Options
from derive.verify.results import Derivation, GradientResult

Shape = tuple[int, ...]
Arrays = dict[str, np.ndarray]


# ---------------------------------------------------------------- judging


@dataclass
class _Context(NumericOnly):
    """One verification's data; judge() turns it into a GradientResult per name."""

    f: _ScalarForward
    draws: list[Arrays]
    fvals: list[float]
    user: list[dict[str, Any]]
    wrt: tuple[str, ...]
    fd: str
    seed: int
    derivation: Derivation | None
    symbolic: list[Arrays] | None
    opts: Options = Options()
    progress: Callable[[str], None] | None = None  # says how a long numeric-only check goes

    def __post_init__(self) -> None:
        self.diff = Differences(self.f, self.f.float32, self.opts.eps)
        self.rng = np.random.default_rng([self.seed, 1])  # FD draws: independent of the points
        self.notes: list[str] = []
        self.kinky = self.derivation is None or bool(kink_nodes(self.derivation.graph))
        self._ties: dict[int, bool] = {}
        self._fd_refs: dict[str, list[np.ndarray]] = {}  # numeric only: differences per point
        self._numeric_miss: dict[str, float] = {}  # numeric only, sampled: chance of a miss
        self._kept: tuple[str, dict[str, int]] | None = None  # confirmations on disk (.kept)
        self._confirmed: dict[str, int] = {}  # confirmed in this run: kept when judged

    def _fd_tol(self) -> dict[str, float]:
        """compare()'s tolerances against finite differences."""
        return {"rtol": self.opts.fd_rtol(self.diff), "atol": self.opts.atol}

    def ties(self, k: int) -> bool:
        """Whether point k sits exactly on a kink of the traced graph (computed once)."""
        if k not in self._ties:
            d = self.derivation
            self._ties[k] = bool(self.kinky and d is not None and _kink_ties(d, self.draws[k]))
        return self._ties[k]

    def judge(self) -> tuple[dict[str, GradientResult], list[str]]:
        refs = None
        if self.symbolic is not None:
            refs = {w: [s[w] for s in self.symbolic] for w in self.wrt}
        suspects = self._directional_suspects(refs) if refs is not None else {}
        out: dict[str, GradientResult] = {}
        for w in self.wrt:
            reason = None if refs is None else self._validate(w, refs[w], suspects.get(w, []))
            if refs is None or reason is not None:
                if reason:
                    self.notes.append(reason)
                out[w] = self._numeric(w)
            else:
                out[w] = self._against(w, refs[w])
            out[w] = replace(out[w], miss_probability=self._miss(w, out[w], refs))
        if self._kept is not None:
            kept.store(self._kept[0], self._confirmed)
        right = tuple(w for w in self.wrt if out[w].verdict == "ok")
        joint = self._taylor_joint(right)  # one test for every gradient found right
        for w in self.wrt:
            shared = joint if joint is not None and w in right else None
            out[w] = replace(out[w], **(shared if shared is not None else self._taylor(w)))
            out[w] = self._taylor_decides(w, out[w])
        if self.f.float32:
            self.notes.append("float32 forward: finite differences with step "
                              f"{FD32_REL_STEP:.1g} and rtol {FD32_RTOL:g}")
        for dtype in (np.float32, np.float16):
            low = [w for w in self.wrt if _dtype(self.user[0][w]) == dtype]
            if low:
                tol = LOWP_ULPS * float(np.finfo(dtype).eps)
                self.notes.append(f"{np.dtype(dtype)} backward for {', '.join(low)}: judged "
                                  f"with rtol {tol:g} of the gradient's scale, which fits "
                                  f"{np.dtype(dtype)} (low precision)")
        return out, self.notes

    # -- what the checks could miss, and the Taylor test --------------------------
    def _miss(self, w: str, g: GradientResult, refs: dict[str, list[np.ndarray]] | None
              ) -> float:
        """Chance that an error of the derived gradient of w confined to one entry, as large
        as its largest entry, escapes finite differences: it is outside the sampled entries
        (1 - k/n) and each random direction v (unit, over all N checked entries) misses it,
        |error * v_i| <= slack with v_i ~ N(0, 1/N): P = erf(slack sqrt(N) / (err sqrt 2))."""
        if g.numeric_only:
            return self._numeric_miss.get(w, 0.0)
        if refs is None or self.fd == "all":
            return 0.0
        n = int(np.prod(refs[w][0].shape, dtype=np.int64))
        p_sample = 1.0 - self._sample_size(w, n) / n
        if p_sample == 0.0:
            return 0.0
        names = [x for x in self.wrt if all(np.all(np.isfinite(r)) for r in refs[x])]
        g0 = {x: refs[x][0] for x in names}
        size = sum(int(np.size(v)) for v in g0.values())
        norm = math.sqrt(sum(float(np.sum(v * v)) for v in g0.values()))
        slack = self.diff.rtol * norm + self.diff.noise * fscale(self.fvals[0])
        err = float(np.max(np.abs(refs[w][0]), initial=0.0))
        if err == 0.0 or not names:
            return p_sample
        p_one = math.erf(slack * math.sqrt(size) / (err * math.sqrt(2.0)))
        return p_sample * p_one ** (FD_DIRECTIONS + len(self.draws) - 1)

    def _usable(self, w: str) -> np.ndarray | None:
        """Your gradient of w at point 1 as float64, when it has w's shape and is finite."""
        try:
            ga = np.asarray(self.user[0][w], dtype=np.float64)
        except (TypeError, ValueError):
            return None
        ok = ga.shape == np.shape(self.draws[0][w]) and bool(np.all(np.isfinite(ga)))
        return ga if ok else None

    def _slope(self, grads: dict[str, np.ndarray], seed: int,
               steps: np.ndarray = VERIFY_TAYLOR_STEPS) -> dict[str, Any]:
        def f(**arrays: np.ndarray) -> float:
            return self.f(arrays)

        memo = self.derivation.memo if self.derivation is not None else {}
        # your gradient unchanged at the same point (a re-run of the same test): same slope
        key = ("taylor", seed, tuple(steps), digest(self.draws[0]), digest(grads))
        if key in memo:
            return memo[key]
        try:
            with np.errstate(all="ignore"):
                slope, hs, rs = taylor_remainder_slope(f, self.draws[0], grads, seed=seed,
                                                       hs=steps, f0=self.fvals[0])
        except DeriveError:
            return {}
        memo[key] = {"taylor_slope": None if math.isnan(slope) else slope, "taylor": (hs, rs)}
        return memo[key]

    def _taylor_joint(self, names: tuple[str, ...]) -> dict[str, Any] | None:
        """One Taylor test for the gradients of ``names`` together (one direction over all of
        them): those found right cost one set of forward passes instead of one per gradient
        (a wrong one gets its own test, so its slope is its own). None when it does not
        settle every one of them."""
        grads = {w: self._usable(w) for w in names}
        if len(names) < 2 or any(g is None for g in grads.values()):
            return None
        result = self._slope(grads, TAYLOR_SEED, TAYLOR_JOINT_STEPS)  # type: ignore[arg-type]
        slope = result.get("taylor_slope")
        if "taylor" not in result or (slope is not None and slope < TAYLOR_JOINT_OK):
            return None
        return result

    def _taylor_decides(self, w: str, g: GradientResult) -> GradientResult:
        """Numeric only, where differences agreed with yours only within their noise (a loss
        of 1e6 + 1e-3 sum(sin x)): a Taylor remainder slope of about 1 says wrong, and the
        comparison without the noise allowance gives the diagnosis."""
        slope = g.taylor_slope
        refs = self._fd_refs.get(w)
        if g.numeric_only and g.verdict == "wrong" and slope is not None and \
                slope < TAYLOR_WRONG_BELOW and "Taylor" not in g.message:
            return replace(g, message=f"{g.message}; the Taylor remainder slope {slope:.2f} "
                           "(about 1: wrong, about 2: right) agrees")
        if not g.numeric_only or g.verdict != "ok" or refs is None or slope is None or \
                slope >= TAYLOR_WRONG_BELOW:
            return g
        raw = [compare(r, self.user[k][w], **self._fd_tol()) for k, r in enumerate(refs)]
        worst = next((c for c in raw if c.verdict == "wrong"), None)
        if worst is None:
            return g
        message = (f"{worst.message}; finite differences agreed with yours only within their "
                   f"round-off, and the Taylor remainder slope {slope:.2f} (about 1: wrong, "
                   "about 2: right) decides")
        return replace(g, verdict="wrong", diagnosis=worst.diagnosis, factor=worst.factor,
                       message=message, entries=sorted(worst.entries),
                       max_rel_error=worst.max_rel_error, max_abs_error=worst.max_abs_error)

    def _taylor(self, w: str) -> dict[str, Any]:
        """The Taylor remainder slope of your gradient of w at point 1 (one random direction)."""
        ga = self._usable(w)
        if ga is None:
            return {}
        return self._slope({w: ga}, TAYLOR_SEED + self.wrt.index(w))

    # -- validation of the derived gradient ------------------------------------
    def _direction_ok(self, k: int, g: Mapping[str, np.ndarray], names: tuple[str, ...]) -> bool:
        """One random direction over ``names`` at point k: difference quotient = g . v?"""
        v = {w: self.rng.standard_normal(np.shape(g[w])) for w in names}
        norm_v = math.sqrt(sum(float(np.sum(d * d)) for d in v.values()))
        v = {w: d / max(norm_v, 1e-300) for w, d in v.items()}
        dd = self.diff.directional(self.draws[k], v)
        gv = sum(float(np.sum(g[w] * v[w])) for w in names)
        norm_g = math.sqrt(sum(float(np.sum(g[w] * g[w])) for w in names))
        slack = self.diff.rtol * norm_g + self.diff.noise * fscale(self.fvals[k])
        if abs(dd - gv) <= slack:
            return True
        # one step is no proof against a derivation (a deep network's curvature): refine
        return not EV.directional_doubt(self.diff, self.draws[k], v, gv, self.fvals[k], norm_g)

    def _directional_suspects(self, refs: dict[str, list[np.ndarray]]
                              ) -> dict[str, list[int]]:
        """Points where a gradient fails the directional check: random directions over all
        checked inputs at once (FD_DIRECTIONS at the first point, one at the others, 2
        forward calls each); only a failure is localised, with directions per input."""
        memo = self.derivation.memo if self.derivation is not None else {}
        # the same derivation (so the same forward) at the same points: the same answer
        key = ("directions", tuple(digest(p) for p in self.draws))
        if key not in memo:
            memo[key] = self._suspects_now(refs)
        return memo[key]

    def _suspects_now(self, refs: dict[str, list[np.ndarray]]) -> dict[str, list[int]]:
        suspects: dict[str, list[int]] = {}
        finite = tuple(w for w in self.wrt if all(np.all(np.isfinite(r)) for r in refs[w]))
        for k in range(len(self.draws)):
            if not finite:
                break
            g = {w: refs[w][k] for w in finite}
            tries = FD_DIRECTIONS if k == 0 else 1
            if all(self._direction_ok(k, g, finite) for _ in range(tries)):
                continue
            for w in finite:
                if not all(self._direction_ok(k, g, (w,)) for _ in range(FD_DIRECTIONS)):
                    suspects.setdefault(w, []).append(k)
        return suspects

    def _validate(self, w: str, ref: list[np.ndarray], suspect: list[int]) -> str | None:
        """None when finite differences confirm the derived gradient of w, else why not.

        Per-entry central differences: on a sample of FD_SAMPLE entries once per derivation
        (it does not depend on the point), on every entry with fd="all", and on every entry
        at a point where the directional check failed (to tell a kink from a fault)."""
        for k, r in enumerate(ref):
            if not np.all(np.isfinite(r)):
                idx = tuple(int(i) for i in np.argwhere(~np.isfinite(r))[0])
                return (f"the derived gradient of {w} overflows at point {k + 1} (index {idx}: "
                        f"{r[idx]}), so {w} is judged by finite differences alone")
        shape = ref[0].shape
        every = list(np.ndindex(*shape)) if shape else [()]
        memo = self.derivation.memo if self.derivation is not None else {}
        plan: dict[int, list[tuple[int, ...]]] = {k: every for k in suspect}
        if self.fd == "all":
            plan[0] = every
        elif ("sampled", w) not in memo and 0 not in plan and w in self._kept_sizes():
            # confirmed by an earlier run (a record cannot claim more entries than there are)
            memo[("sample size", w)] = min(self._kept_sizes()[w], len(every))
        elif ("sampled", w) not in memo and 0 not in plan:
            size = len(every)
            n = self._budgeted(w, size)
            memo[("sample size", w)] = n
            plan[0] = flat_indices(shape, np.sort(self.rng.choice(size, n, replace=False)))
            self._confirmed[w] = n  # kept on disk only if every planned check passes
        for k, chosen in sorted(plan.items()):
            bad = self._entries_disagree(w, ref[k], k, chosen)
            if bad:
                self._confirmed.pop(w, None)
                return (f"the derived gradient of {w} disagrees with finite differences of "
                        f"your forward at {list(bad[:5])} (point {k + 1}), so {w} is judged "
                        "by finite differences alone; please report this tracer limitation")
        memo[("sampled", w)] = True
        return None

    def _kept_sizes(self) -> dict[str, int]:
        """The gradients an earlier process confirmed for this derivation (read once)."""
        if self._kept is None:
            name = kept.key(self.derivation, self.wrt, self.draws[0],  # type: ignore[arg-type]
                            (self.fd, self.opts.eps, self.f.float32))
            self._kept = (name, kept.load(name))
        return self._kept[1]

    def _budgeted(self, w: str, size: int) -> int:
        """FD_SAMPLE entries, fewer where one perturbation of w costs so much (an early layer
        of a deep network) that they would pass FD_WORK, never fewer than FD_SAMPLE_MIN."""
        n = min(FD_SAMPLE, size)
        d = self.derivation
        if d is None:
            return n
        from derive import deltas

        ev = d.memo.get("deltas")
        if ev is None:
            ev = d.memo["deltas"] = deltas.Evaluator(d.graph)
        return min(n, max(FD_SAMPLE_MIN, FD_WORK // deltas.work(ev, w)))

    def _sample_size(self, w: str, size: int) -> int:
        """How many entries of w the derivation's per-entry sample differenced."""
        memo = self.derivation.memo if self.derivation is not None else {}
        return int(memo.get(("sample size", w), min(FD_SAMPLE, size)))

    def _entries_disagree(self, w: str, g: np.ndarray, k: int,
                          chosen: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
        """Entries where derived and central differ and one-sided differences don't excuse it."""
        p, f0 = self.draws[k], self.fvals[k]
        fdv = self._central(w, k, chosen)
        gv = np.array([g[i] for i in chosen])
        bad = [chosen[i] for i in np.flatnonzero(~self.diff.agree(gv, fdv, f0))]
        if bad:  # a difference at one step is no proof against a derivation: refine it first
            gb = np.array([g[i] for i in bad])
            doubt = EV.still_disagree(self.diff, p, w, bad, gb, f0,
                                      float(np.max(np.abs(g), initial=0.0)))
            bad = [bad[i] for i in np.flatnonzero(doubt)]
        if not bad:
            return []
        lo, hi = self.diff.bracket(p, w, bad, f0)
        gb = np.array([g[i] for i in bad])
        scale = float(np.max(np.abs(g), initial=0.0))
        kink = kink_mask(lo, hi, scale=scale)
        slack = self.diff.rtol * np.maximum(np.abs(lo), np.abs(hi)) + self.diff.noise
        inside = (gb >= np.minimum(lo, hi) - slack) & (gb <= np.maximum(lo, hi) + slack)
        return [bad[i] for i in np.flatnonzero(~(kink & inside))]

    def _central(self, w: str, k: int, chosen: list[tuple[int, ...]]) -> np.ndarray:
        """Central differences at the chosen entries: for many entries, along the traced
        graph (derive.deltas, the slice each perturbation changes), once FD_SPOT of them
        agree with differences of your own forward; else, or when the graph has an
        operation it does not cover, your forward twice per entry."""
        p = self.draws[k]
        d = self.derivation
        spots = 1 if d is not None and d.memo.get("deltas trusted") else FD_SPOT
        if d is None or len(chosen) <= 2 * spots or self.f.float32:
            return self.diff.central(p, w, chosen)
        from derive import deltas

        try:
            ev = d.memo.get("deltas")
            if ev is None:
                ev = d.memo["deltas"] = deltas.Evaluator(d.graph)
            shape = np.shape(p[w])
            flat = np.array([np.ravel_multi_index(i, shape) if shape else 0 for i in chosen])
            fast = deltas.central_differences(ev, p, w, flat, self.diff.rel_step)
        except deltas.Unsupported:
            return self.diff.central(p, w, chosen)
        spot = np.sort(self.rng.choice(len(chosen), spots, replace=False))
        slow = self.diff.central(p, w, [chosen[i] for i in spot])
        if not np.all(self.diff.agree(fast[spot], slow, self.fvals[k])):
            return self.diff.central(p, w, chosen)
        d.memo["deltas trusted"] = True
        fast[spot] = slow
        return fast

    # -- the user's gradient against the derived one -----------------------------
    def _against(self, w: str, ref: list[np.ndarray]) -> GradientResult:
        comparisons = []
        for k in range(len(self.draws)):
            cand = self.user[k][w]
            c = compare(ref[k], cand, rtol=self.opts.rtol, atol=self.opts.atol)
            ties = self.ties(k)
            if ties or (self.kinky and c.verdict == "wrong" and c.diagnosis == "entries"):
                c = self._at_kinks(w, ref[k], cand, c, k, probe_all=ties)
            if ties and c.verdict == "wrong":
                c = self._by_convention(w, cand, c, k)
            comparisons.append(c)
        size = int(np.prod(ref[0].shape, dtype=np.int64))
        n = size if self.fd == "all" else self._sample_size(w, size)
        validation = validation_text(len(self.draws), n, size)
        return replace(aggregate(w, comparisons, ref, self.user, False, validation),
                       differenced=(n, size))

    def _at_kinks(self, w: str, ref: np.ndarray, cand: Any, c: Comparison, k: int,
                  probe_all: bool) -> Comparison:
        """Re-judge with one-sided differences: at a kink any subgradient passes."""
        cand_a = np.asarray(cand)
        if cand_a.shape != ref.shape:
            return c
        p, f0 = self.draws[k], self.fvals[k]
        every = list(np.ndindex(*ref.shape)) if ref.shape else [()]
        where = every if probe_all else list(c.entries)
        if not where or len(where) > KINK_PROBE_MAX:
            return c
        lo, hi = ref.copy(), ref.copy()
        l_, h_ = self.diff.bracket(p, w, where, f0)
        for i, idx in enumerate(where):
            lo[idx], hi[idx] = l_[i], h_[i]
        c = compare(ref, cand, rtol=self.opts.rtol, atol=self.opts.atol, subgradient=(lo, hi))
        if c.verdict != "ok":
            return c
        kinks = kink_mask(lo, hi, scale=float(np.max(np.abs(ref), initial=0.0)))
        if not np.any(kinks):
            return c
        at = tuple(tuple(int(i) for i in idx) for idx in np.argwhere(kinks))
        message = (f"nondifferentiable: the point is on a kink at {list(at)[:8]}"
                   f"{' ...' if len(at) > 8 else ''}; any subgradient passes, yours is one")
        return Comparison("nondifferentiable", "nondifferentiable", None, c.max_abs_error,
                          c.max_rel_error, at, c.tolerance, message)

    def _by_convention(self, w: str, cand: Any, c: Comparison, k: int) -> Comparison:
        """Many kinks hit at once (a zero-initialised layer, an all-zero input row): the
        one-sided differences of one entry need not bracket the chain rule there, but a
        framework's convention (relu'(0) = 0, 1/2 or 1, the same at every kink) gives a
        subgradient. A candidate equal to the chain rule under one of them is not wrong."""
        d = self.derivation
        vg = d.code.value_and_gradient if d is not None else None
        if vg is None:
            return c
        for h0, what in CONVENTIONS:  # relu'(0) = 0, 1, 1/2 (numeric.kinks)
            try:
                with np.errstate(all="ignore"):
                    _, grads = _under_convention(vg, h0)(**self.draws[k])
                ref = np.asarray(grads[w], dtype=np.float64)
            except Exception:  # noqa: BLE001 - a convention we cannot evaluate is not a match
                continue
            if not np.all(np.isfinite(ref)):
                continue
            m = compare(ref, cand, rtol=self.opts.rtol, atol=self.opts.atol)
            if m.verdict == "ok":
                message = (f"nondifferentiable: the point is on kinks of several steps at once; "
                           f"yours is the chain rule with {what}, a subgradient")
                return Comparison("nondifferentiable", "nondifferentiable", None,
                                  m.max_abs_error, m.max_rel_error, c.entries, m.tolerance,
                                  message)
        return c


def _dtype(x: Any) -> Any:
    try:  # a ragged list is not an array at all
        return getattr(np.asarray(x), "dtype", None)
    except ValueError:
        return None


def _is_float32(x: Any) -> bool:
    try:  # a ragged list is not an array at all: compare() calls it wrong, this says no
        return getattr(np.asarray(x), "dtype", None) == np.float32
    except ValueError:
        return False


def validation_text(points: int, differenced: int, size: int) -> str:
    """What validated a derived gradient (or, summed, every one of them), in words."""
    return (f"derived by rules; finite differences of your forward agree along random "
            f"directions at all {points} points, and per entry at {differenced} of {size} "
            "entries")


def _batch_size(shapes: Mapping[str, Shape], names: list[str]) -> int | None:
    """N for the hints: the rows of the first input with two or more axes (X of (N, d))."""
    for name in names:
        shape = shapes.get(name, ())
        if len(shape) >= 2:
            return int(shape[0])
    return None
