"""Every tolerance and finite-difference step, in one table, each with its reason.

``derive check`` (the documents' cases) and ``derive verify`` (a user's module) read the same
table: change a number here and both follow. The module-level names below are the table's
entries under the names the code has always used (``RTOL``, ``FD_RTOL``, ``FLOAT32_RTOL``
...). ``table()`` lists them for the docs and the report.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_EPS64 = float(np.finfo(np.float64).eps)
_EPS32 = float(np.finfo(np.float32).eps)


class _Why:
    """One entry of the table: its value, read as an attribute, and the reason for it."""

    __slots__ = ("value", "why")

    def __init__(self, value: Any, why: str) -> None:
        self.value, self.why = value, why

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        return self if obj is None else self.value


def _why(value: Any, reason: str) -> Any:
    return _Why(value, reason)


class Tolerances:
    """The numbers that decide verdicts. Frozen: a run cannot change them half way. (A plain
    class of descriptors, not a dataclass: building a dataclass of its 32 entries cost 3 ms
    of every ``derive`` start.)"""

    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"the tolerance table is frozen: {name} cannot be set")

    # ---- comparing a gradient with the derived one (numeric.compare)
    rtol: float = _why(1e-6, "symbolic vs hand-written float64 passes agree to ~1e-12 and "
                       "scaled central differences reach ~1e-8; 1e-6 leaves margin")
    atol_floor: float = _why(1e-8, "denominator floor relative to the gradient's largest "
                             "entry: 1e-17 noise against an exact 0 is not an error, at any "
                             "scale")
    lowp_ulps: float = _why(128.0, "a float16/float32 candidate is judged at its precision, "
                            "relative to the gradient's scale: rounding and accumulation cost "
                            "a few ulps of the largest entry; 128 ulps")
    float32_rtol: float = _why(128.0 * _EPS32, "128 ulps of float32 ~ 1.5e-5 of the gradient's "
                               "scale: an honest float32 gradient passes, a 0.1% error is caught")
    small_difference: float = _why(1e-2, "every wrong entry off by less than this, with the "
                                   "reference's sign: the size an epsilon in the loss "
                                   "(log(p + 1e-8)) or a clip makes, and said so")
    # ---- finite differences (numeric.fd, derive.verify)
    fd_rel_step: float = _why(float(np.cbrt(_EPS64)), "balances O(h^2) truncation against "
                              "eps/h round-off: h ~ eps^(1/3) ~ 6e-6, times max(|x|, floor)")
    fd_step_floor: float = _why(1e-2, "the step follows |x| down to this size: near a "
                                "singularity (1/x at 1e-3) a larger step sees curvature as a "
                                "kink; below it the step stops shrinking")
    fd_rtol: float = _why(1e-5, "central differences carry ~1e-10 relative error; 1e-5 keeps a "
                          "wide margin while a real slip (a factor, a sign) is O(1)")
    fd_noise: float = _why(1e-8, "round-off of a central difference, relative to |f|: eps|f|/h "
                           "~ 4e-11 |f| with h ~ 6e-6, with a 250x margin")
    fd32_rel_step: float = _why(float(np.cbrt(_EPS32)), "a float32 forward: eps ~ 1.2e-7, "
                                "steps of cbrt(eps) ~ 5e-3")
    fd32_rtol: float = _why(1e-2, "float32 central differences are good to ~1e-4")
    fd32_noise: float = _why(1e-4, "float32 round-off relative to |f|")
    kink_tol: float = _why(1e-3, "one-sided differences err by O(h) ~ 1e-5; a jump between "
                           "left and right slopes is a kink only well above that")
    determinism_rtol: float = _why(1e-12, "two calls of a forward at one point agree to this: "
                                   "the same float64 code on the same arrays gives the same "
                                   "bits, up to a threaded BLAS reordering a sum (~1e-15)")
    forward_rtol: float = _why(1e-8, "the traced forward reproduces the user's to ~1e-15; 1e-8 "
                               "tolerates reordered sums, not a mis-traced operation")
    as_printed_rtol: float = _why(1e-4, "the documents' own differences use delta = 0.001, "
                                  "whose truncation error reaches ~1e-5 relative")
    # ---- how much finite-difference evidence verify gathers
    fd_sample: int = _why(64, "entries per gradient differenced to validate a derivation "
                          "(2 forward calls each): cost flat in size")
    fd_directions: int = _why(2, "random directions at the first point: the chance to miss "
                              "an error of the derivation stays below 1e-6")
    fd_spot: int = _why(4, "entries checked against the user's forward before per-entry "
                        "differences through the traced graph are trusted (then one entry "
                        "per further gradient of the same derivation)")
    fd_work: int = _why(100_000_000, "multiply-adds per gradient for its per-entry sample "
                        "through the traced graph: an early layer of a deep network, whose "
                        "perturbation crosses every later layer, samples fewer entries, so the "
                        "cost grows linearly with depth, not quadratically")
    fd_sample_min: int = _why(4, "entries per gradient differenced however costly (the "
                              "directions and the stated miss probability cover the rest)")
    kink_probe_max: int = _why(2048, "one-sided differences at most this many entries: a "
                               "gradient wrong at more is not a matter of kinks")
    # ---- numeric only (no derivation): numeric.sampling
    numeric_budget: int = _why(1024, "entries per gradient and point differenced when nothing "
                               "was derived (2 forward calls each): every entry up to this "
                               "size, beyond it the suspects of failed directions and a sample")
    numeric_block: int = _why(64, "entries per random direction beyond the budget: a one-entry "
                              "error of 1e-3 of the gradient's typical entry still fails it")
    numeric_later: int = _why(64, "entries sampled at each point after the first, besides "
                              "those of failed directions, for a gradient above the budget "
                              "(within it the first point differenced every entry): points "
                              "after the first cost little, as torch's gradcheck checks one")
    numeric_directions: int = _why(1024, "directions per gradient and point at most (2 forward "
                                   "calls each): blocks grow beyond 64 entries past 65536")
    # ---- the Taylor remainder test
    taylor_seed: int = _why(7, "its random direction: fixed, so a run is repeatable")
    taylor_wrong_below: float = _why(1.5, "a slope below this (halfway between 1, wrong, and "
                                     "2, right) overrules a numeric-only ok that rested on "
                                     "round-off")
    taylor_joint_ok: float = _why(1.7, "a joint slope over all gradients at or above this "
                                  "settles them together (margin for a 4-point fit)")
    taylor_roundoff_factor: float = _why(1e3, "a remainder counts only above this multiple of "
                                         "eps |f|, clear of round-off")
    # ---- proofs
    prove_auto_max_entries: int = _why(48, "prove by default only up to this many input "
                                       "entries at reduced shapes: well under a second")
    verify_cache_size: int = _why(64, "derivations kept per process (a few kB each)")


TOL = Tolerances()


def table() -> list[tuple[str, object, str]]:
    """(name, value, reason) for every entry, in order."""
    return [(name, e.value, e.why) for name, e in vars(Tolerances).items()
            if isinstance(e, _Why)]


# The names the code uses.
RTOL = TOL.rtol
ATOL_FLOOR = TOL.atol_floor
FLOAT32_RTOL = TOL.float32_rtol
LOWP_ULPS = TOL.lowp_ulps
SMALL_DIFFERENCE = TOL.small_difference
FD_REL_STEP = TOL.fd_rel_step
FD_STEP_FLOOR = TOL.fd_step_floor
FD_RTOL = TOL.fd_rtol
FD_NOISE = TOL.fd_noise
FD32_REL_STEP = TOL.fd32_rel_step
FD32_RTOL = TOL.fd32_rtol
FD32_NOISE = TOL.fd32_noise
KINK_TOL = TOL.kink_tol
FORWARD_RTOL = TOL.forward_rtol
DETERMINISM_RTOL = TOL.determinism_rtol
AS_PRINTED_RTOL = TOL.as_printed_rtol
FD_SAMPLE = TOL.fd_sample
FD_DIRECTIONS = TOL.fd_directions
FD_SPOT = TOL.fd_spot
FD_WORK = TOL.fd_work
FD_SAMPLE_MIN = TOL.fd_sample_min
KINK_PROBE_MAX = TOL.kink_probe_max
NUMERIC_BUDGET = TOL.numeric_budget
NUMERIC_BLOCK = TOL.numeric_block
NUMERIC_DIRECTIONS = TOL.numeric_directions
NUMERIC_LATER = TOL.numeric_later
TAYLOR_SEED = TOL.taylor_seed
TAYLOR_WRONG_BELOW = TOL.taylor_wrong_below
TAYLOR_JOINT_OK = TOL.taylor_joint_ok
TAYLOR_ROUNDOFF_FACTOR = TOL.taylor_roundoff_factor
PROVE_AUTO_MAX_ENTRIES = TOL.prove_auto_max_entries
CACHE_SIZE = TOL.verify_cache_size

# Steps (arrays: not in the frozen table, which holds scalars).
# Taylor test of verify: one per decade, 1e-1 to 1e-6 (a few percent of a run).
VERIFY_TAYLOR_STEPS = np.logspace(-1, -6, 6)
# Its joint form over all gradients: the quadratic regime of a right gradient shows from 0.1.
TAYLOR_JOINT_STEPS = np.logspace(-1, -4, 4)
# The report's Taylor plot: two points per half decade, a clean power law before round-off.
TAYLOR_STEPS = np.logspace(-1, -6, 11)
# The truncation-vs-round-off plot of a scalar central difference.
ERROR_STEPS = np.logspace(-14, -1, 40)

# Sizes reduced shapes use for every dimension above 3 (1 stays 1: it broadcasts).
REDUCED_SIZES = (2, 3)

FD_MODES = ("sample", "all")
