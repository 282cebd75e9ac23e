"""``derive claim`` in the terminal: the claim as read, the verdict, the right formula in the
same notation and, for a wrong one, the chain-rule steps with shapes and where it departs."""

from __future__ import annotations

from typing import Any

from derive.usermodule import shapes_text


def human(result: Any) -> str:
    """One claim, for a reader learning the chain rule."""
    r = result
    head = f"derive claim {r.label}: ∂L/∂{r.name}".replace("claim : ", "claim: ")
    first = r.readings[0]
    lines = [head, "",
             f"  your formula ({r.notation}): {r.formula}",
             f"  read as:   {first.text}",
             f"  LaTeX:     {first.latex}"]
    if len(r.readings) > 1:
        lines.append(f"  the products group in {len(r.readings)} ways; each is judged:")
        for k, x in enumerate(r.readings, start=1):
            why = f": {x.message}" if x.verdict == "wrong" else ""
            lines.append(f"    {k}. {x.text}  {x.verdict}{why}")
    lines.append(f"  verdict:   {verdict_line(r)}")
    if r.corrected is not None:
        fixed = r.corrected.latex if r.notation == "latex" else r.corrected.code
        lines.append(f"  yours, corrected: {fixed}")
    lines.append(f"  right:     {r.correct}")
    if r.notation != "latex":
        lines.append(f"             {r.correct_text}")
    if r.exit_status != 0 and r.steps:
        lines += ["", "the right gradient, step by step (the shape under each factor):"]
        for s in r.steps:
            lines += [f"  {x}" for x in s.lines()]
    if r.departs is not None and r.exit_status != 0:
        lines += ["", r.departs.text()]
    lines += ["", checked_line(r)]
    return "\n".join(lines)


def verdict_line(r: Any) -> str:
    if r.verdict == "correct":
        return f"correct ({r.message})"
    if r.verdict == "ambiguous":
        return f"ambiguous: {r.message}"
    return f"wrong: {r.message}"


def checked_line(r: Any) -> str:
    c = r.checked
    at = " and ".join(f"{shapes_text(s)} (n = {n})" if n is not None else shapes_text(s)
                      for s, n in zip(c["shapes"], c["n"]))
    note = f"; {c['note']}" if c.get("note") else ""
    return (f"checked: at {at}, {c['points']} random points in all, against the gradient "
            f"derived {c['derived']}{note}" + (f"; {c['symbolic']}" if c.get("symbolic") else ""))


def table(rows: list[tuple[int, str, str, Any]]) -> str:
    """Many claims: one line each (line, name, verdict, diagnosis), then what is wrong."""
    width = max([len(name) for _, name, _, _ in rows] + [4])
    out = [f"{'line':>4}  {'name':<{width}}  {'verdict':<11}  {'diagnosis':<12}  formula"]
    details = []
    for line, name, formula, r in rows:
        if isinstance(r, str):
            out.append(f"{line:>4}  {name:<{width}}  {'unreadable':<11}  {'-':<12}  {formula}")
            details.append(f"line {line} ({name}): {r}")
            continue
        out.append(f"{line:>4}  {name:<{width}}  {r.verdict:<11}  {r.diagnosis or '-':<12}  "
                   f"{formula}")
        if r.verdict != "correct":
            details.append(f"line {line} ({name}): {r.message}; right: {r.correct}")
    right = sum(1 for *_, r in rows if not isinstance(r, str) and r.exit_status == 0)
    out += [""] + details + ([""] if details else [])
    out.append(f"{right} of {len(rows)} claims right")
    return "\n".join(out)
