"""A constant factor found at several batch sizes, written with n when it depends on n:
4 at n = 8 and 4.5 at n = 9 is n/2 (a missing 2/n), not "4"."""

from __future__ import annotations

import math
from fractions import Fraction

# Factors come from least squares over float64 values: equal to ~1e-12; 1e-6 is generous.
FACTOR_RTOL = 1e-6

# Largest denominator of a factor's constant that still reads as a fraction (1/2, 2/3).
MAX_DENOMINATOR = 12


def _simple(c: float) -> Fraction | None:
    f = Fraction(c).limit_denominator(MAX_DENOMINATOR)
    return f if f and math.isclose(float(f), c, rel_tol=FACTOR_RTOL) else None


def _constant_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def _with_n(c: Fraction, k: int) -> str:
    """c n^k: 'n/2', '2/n', '−2/n', '1/(2n)', 'n²'."""
    sign = "−" if c < 0 else ""
    c = abs(c)
    power = "n" if abs(k) == 1 else "n²"
    p, q = c.numerator, c.denominator
    if k > 0:
        top = power if p == 1 else f"{p}{power}"
        return sign + (top if q == 1 else f"{top}/{q}")
    bottom = power if q == 1 else f"{q}{power}"
    return sign + (f"{p}/{bottom}" if q == 1 else f"{p}/({bottom})")


def fit(found: list[tuple[int | None, float]]) -> tuple[Fraction, int] | None:
    """The factor as c n^k with a simple c (k = 0: a constant), or None."""
    values = [f for _, f in found]
    if all(math.isclose(f, values[0], rel_tol=FACTOR_RTOL) for f in values):
        c = _simple(values[0])
        return None if c is None else (c, 0)
    sizes = [n for n, _ in found]
    if None in sizes or len(set(sizes)) < 2:
        return None
    n0, f0 = found[0]
    for k in (1, -1, 2, -2):
        c = f0 / n0 ** k  # type: ignore[operator]
        if all(math.isclose(c * n ** k, f, rel_tol=FACTOR_RTOL) for n, f in found):  # type: ignore[operator]
            simple = _simple(c)
            if simple is not None:
                return simple, k
    return None


def factor_text(found: list[tuple[int | None, float]]) -> tuple[str, bool]:
    """The factor as text, and whether it depends on n, from (n, factor) at each shape."""
    values = [f for _, f in found]
    if all(math.isclose(f, values[0], rel_tol=FACTOR_RTOL) for f in values):
        c = _simple(values[0])
        return (_constant_text(c) if c is not None else f"{values[0]:.6g}"), False
    sizes = [n for n, _ in found]
    if None not in sizes and len(set(sizes)) > 1:
        n0, f0 = found[0]
        for k in (1, -1, 2, -2):
            c = f0 / n0 ** k  # type: ignore[operator]
            if all(math.isclose(c * n ** k, f, rel_tol=FACTOR_RTOL) for n, f in found):  # type: ignore[operator]
                simple = _simple(c)
                if simple is not None:
                    return _with_n(simple, k), True
    listed = ", ".join(f"{f:.6g} at n = {n}" for n, f in found)
    return listed, False


def hint(text: str, depends: bool) -> str:
    """Where the factor likely comes from, in a reader's words."""
    if not depends:
        if text == "−1" or text == "-1":
            return "the sign is flipped"
        if text in ("2", "1/2"):
            return "a factor 2 from a square, or a 1/2 in the loss?"
        return ""
    inverse = {"n": "a missing 1/n", "n/2": "a missing 2/n", "2n": "a missing 1/(2n)",
               "1/n": "an extra 1/n", "2/n": "an extra 2/n", "1/(2n)": "an extra 2n",
               "−n/2": "a missing 2/n and the sign flipped",
               "−n": "a missing 1/n and the sign flipped"}
    return inverse.get(text, "")


def at_n(c: float, n: int | None) -> str:
    """One factor found at batch size n, written with n when it is a simple multiple of a
    power of n (4 at n = 8: 'n/2 (4 at n = 8)'), else as a number."""
    found = [(None, c)]
    plain = factor_text(found)[0]
    if n is None or n < 3:
        return plain
    for k in (1, -1):
        simple = _simple(c / n ** k)
        if simple is not None and simple.denominator <= 2 and abs(simple.numerator) <= 2:
            return f"{_with_n(simple, k)} ({plain} at n = {n})"
    return plain
