"""The terminal's words for a verification: one line per gradient, the notes, the summary,
the Taylor slopes, the chance that finite differences miss an error, and the whole report
``derive verify`` prints. derive.verify keeps the data; this module only formats it."""

from __future__ import annotations

import math
from typing import Any

from derive.verify import GradientResult, VerifyResult


def num(x: float | None) -> str:
    """A number to two significant digits, 'n/a' when there is none."""
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2g}"


def slope_text(x: float | None) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.2f}"


def line(g: GradientResult, width: int = 0) -> str:
    """'W1  wrong  scaled  factor 4  max rel error 0.75: scaled by 4 (a missing 1/N?)'."""
    parts = [f"{g.name:<{width}}", f"{g.verdict:<17}", f"{g.diagnosis or '-':<17}"]
    if g.factor is not None:
        parts.append(f"factor {g.factor:g}")
    parts.append(f"max rel error {num(g.max_rel_error)}")
    text = "  ".join(parts)
    if g.numeric_only:
        text += "  [numeric only]"
    if g.verdict != "ok":
        text += f": {g.message}"
    return text


def lines(result: VerifyResult) -> list[str]:
    """One line per gradient, then the notes: the diagnosis a user reads first."""
    width = max((len(k) for k in result.gradients), default=0)
    out = [line(g, width) for g in result.gradients.values()]
    return out + [f"note: {n}" for n in result.notes]


def summary(result: VerifyResult) -> str:
    """'the gradient is wrong: W', '2 of 3 gradients wrong: W1, B1', 'all 4 gradients right'."""
    grads = result.gradients
    wrong = [k for k, g in grads.items() if g.verdict == "wrong"]
    n = len(grads)
    if wrong:
        head = "the gradient is wrong" if n == 1 else f"{len(wrong)} of {n} gradients wrong"
        return f"{head}: {', '.join(wrong)}"
    kinks = [k for k, g in grads.items() if g.verdict == "nondifferentiable"]
    tail = f" ({', '.join(kinks)} at a kink: any subgradient passes)" if kinks else ""
    return f"{'the gradient is' if n == 1 else f'all {n} gradients'} right{tail}"


def taylor_line(result: VerifyResult) -> str:
    """'Taylor remainder slopes (about 2 right, about 1 wrong): W1 2.0, B1 2.0'."""
    parts = [f"{k} {slope_text(g.taylor_slope)}" for k, g in result.gradients.items()]
    return f"Taylor remainder slopes (about 2 right, about 1 wrong): {', '.join(parts)}"


def miss_text(result: VerifyResult) -> str:
    """The stated chance that finite differences miss a one-entry error of the derivation."""
    ps = [g.miss_probability for g in result.gradients.values()
          if g.miss_probability is not None]
    if not ps:
        return ""
    worst = max(ps)
    whose = "your gradient" if all(g.numeric_only for g in result.gradients.values()) \
        else "the derived gradient"
    if worst == 0.0:
        return (f"probability that finite differences miss an error of {whose}: 0 (every "
                "entry differenced)")
    return (f"probability that finite differences miss an error of {whose} confined to one "
            f"entry: at most {worst:.2g}")


def validation(result: VerifyResult) -> str:
    """What validated the derivation: every gradient's entries differenced, summed (the first
    gradient's own sentence where they were not all validated the same way)."""
    from derive.verify.judge import validation_text

    gs = list(result.gradients.values())
    counts = [g.differenced for g in gs]
    if len(gs) > 1 and all(c is not None for c in counts):
        return validation_text(result.points, sum(c[0] for c in counts),  # type: ignore[index]
                               sum(c[1] for c in counts))  # type: ignore[index]
    return gs[0].validation


def text(result: VerifyResult) -> str:
    """The lines and the summary: what ``str(result)`` shows."""
    return "\n".join([*lines(result), summary(result)])


def human(result: Any, html: str | None = None) -> str:
    """The terminal report: traced forward, derivation, then one line per gradient."""
    from derive.reports import fix

    from derive.usermodule import shapes_text

    head = f"derive verify {result.label}".rstrip()
    out = [f"{head}: {result.points} points (seed {result.seed}) at {shapes_text(result.shapes)}"]
    d = result.traced
    if d is None:
        out += ["", (f"not traced: {result.fallback_text}; every verdict below comes from "
                     "finite differences alone (numeric only)")]
    else:
        consts = f" ({', '.join(result.constants)} constant)" if result.constants else ""
        out += ["", f"forward, traced{consts}:"]
        out += [f"  {s}" for s in fix.forward_lines(d.backward)]
        pretty = fix.forward_pretty(result)
        if pretty:
            out.append(f"  elementwise (SymPy, at {shapes_text(result.proof_shapes or {})}):")
            out += [f"    {p}" for p in pretty.splitlines()]
        out += ["", "derived gradient (matrix form, by the chain rule):"]
        out += [f"  {s}" for s in fix.derivation_lines(d.backward)]
        if result.proof_note:
            out.append(f"  proof: {result.proof_note}")
    checked = f"checked: every entry of your backward at {result.points} points; " \
        f"{validation(result)}"
    out += ["", checked]
    miss = miss_text(result)
    if miss:
        out.append(miss)
    out += ["", *lines(result), taylor_line(result)]
    tail = " (run with --fix for the right ones)" if not result.ok and d is not None else ""
    out.append(summary(result) + tail)
    if html:
        out.append(f"wrote {html}")
    return "\n".join(out)
