"""``derive check [CASE ...] [--json]``: the three-way check of the documents' cases.

Symbolic (elementwise SymPy, and the matrix form proved equal to it), hand-written (the
documents' backward passes, corrected) and finite differences, entry by entry. The documents'
claims are judged too; a wrong claim is a finding, not a failure.

Exit status: 0 when symbolic, hand-written and finite differences agree for every case, 1
when they do not, 2 for bad input (an unknown case name).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import numpy as np

VALUE_DIGITS = 10  # significant digits in the table: enough to see a 1e-6 disagreement


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check", help="the three-way check of every case, as a table (--json for machines)",
        description="Check each case three ways (symbolic, hand-written, finite differences), "
                    "compare the documents' as-printed code and printed numbers, and judge the "
                    "documents' claims. Exit status 0 when every case agrees, 1 when one does "
                    "not, 2 for bad input.")
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help="case names from `derive list` (default: all)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON document on stdout: cases (values as nested lists) and "
                             "claims")
    parser.add_argument("--no-prove", action="store_true",
                        help="skip the symbolic proofs (faster; numeric checks still run)")
    parser.add_argument("--no-claims", action="store_true",
                        help="do not judge the documents' claims")
    parser.set_defaults(run=run)
    return parser


# ---------------------------------------------------------------- JSON


def _plain(v: Any) -> Any:
    """numpy -> JSON: arrays as nested lists, non-finite numbers as null."""
    if isinstance(v, str) or v is None:
        return v
    a = np.asarray(v, dtype=np.float64)
    out = a.tolist()
    return _finite(out)


def _finite(x: Any) -> Any:
    if isinstance(x, list):
        return [_finite(y) for y in x]
    return x if np.isfinite(x) else None


def _comparison(c: Any) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"verdict": c.verdict, "diagnosis": c.diagnosis, "factor": c.factor,
            "max_abs_error": _finite(float(c.max_abs_error)),
            "max_rel_error": _finite(float(c.max_rel_error)),
            "entries": [list(e) for e in c.entries], "message": c.message}


def case_json(r: Any) -> dict[str, Any]:
    grads = r.gradients
    values: dict[str, Any] = {
        "symbolic": {"forward": _plain(r.forward["symbolic"]),
                     "gradients": {w: _plain(g.exact) for w, g in grads.items()}},
        "matrix": {"forward": _plain(r.forward["matrix"]),
                   "gradients": {w: _plain(g.matrix) for w, g in grads.items()}},
        "fd": {"gradients": {w: _plain(g.fd) for w, g in grads.items()}},
    }
    if any(g.hand is not None for g in grads.values()):
        values["hand"] = {"forward": _plain(r.forward["matrix"]),
                          "gradients": {w: _plain(g.hand) for w, g in grads.items()
                                        if g.hand is not None}}
    if any(g.as_printed is not None for g in grads.values()) or "as_printed" in r.forward:
        values["as_printed"] = {
            "forward": _plain(r.forward.get("as_printed")),
            "gradients": {w: _plain(g.as_printed) for w, g in grads.items()
                          if g.as_printed is not None}}
    return {
        "name": r.case.name, "title": r.case.title, "source": r.case.source, "ok": r.ok,
        "values": values,
        "checks": {w: {"matrix": _comparison(g.vs_matrix), "fd": _comparison(g.vs_fd),
                       "hand": _comparison(g.vs_hand), "as_printed": _comparison(g.vs_printed),
                       "proof": None if g.proof is None else
                       {"proved": g.proof.proved, "timed_out": g.proof.timed_out,
                        "message": g.proof.message}}
                   for w, g in grads.items()},
        "evidence": r.evidence.as_json(),
        "sample_entries": {w: {"index": list(e.sample_index), "of": str(e.sample_symbol),
                               "entry": str(e.sample)} for w, e in r.entries.items()},
        "printed": [{"what": p.printed.what, "value": _plain(p.printed.value),
                     "source": p.printed.source, "reproduced": p.reproduces,
                     "max_diff_exact": _finite(p.max_diff_exact)} for p in r.printed],
    }


def claim_json(c: Any) -> dict[str, Any]:
    return {"source": c.claim.source, "kind": c.claim.kind, "text": c.claim.text,
            "verdict": c.verdict, "diagnosis": c.diagnosis, "message": c.message,
            "correct": c.correct_latex, "correct_statement": c.correct_statement,
            "readings": [{"label": r.label, "formula": r.formula, "verdict": r.verdict,
                          "message": r.message} for r in c.readings],
            "caveats": list(c.caveats)}


# ---------------------------------------------------------------- table


def _cell(c: Any) -> str:
    if c is None:
        return "-"
    return c.verdict if not c.diagnosis or c.verdict == "ok" else f"{c.verdict} ({c.diagnosis})"


def table_lines(results: list[Any]) -> list[str]:
    head = ("case", "gradient", "matrix=exact", "fd", "hand", "as printed", "proof",
            "max rel err (fd)")
    rows = [head]
    for r in results:
        for w, g in r.gradients.items():
            proof = "-" if g.proof is None else ("proved" if g.proof.proved else
                                                 "undecided" if g.proof.timed_out else "REFUTED")
            rows.append((r.case.name, w, _cell(g.vs_matrix), _cell(g.vs_fd), _cell(g.vs_hand),
                         _cell(g.vs_printed), proof, f"{g.vs_fd.max_rel_error:.1e}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]


def claim_lines(claims: list[Any]) -> list[str]:
    out = []
    for c in claims:
        diag = f" ({c.diagnosis})" if c.diagnosis else ""
        text = c.claim.text.splitlines()[0]
        text = text if len(text) <= 70 else text[:67] + "..."
        out.append(f"  {c.verdict + diag:<24} {c.claim.source}: {text}")
    return out


def run(args: argparse.Namespace) -> int:
    from derive.cases import get
    from derive.check import check
    from derive.claims import CLAIMS, check_claims

    for name in args.cases:
        get(name)  # unknown names fail here, before any work, with the list of known ones
    quiet = args.json or not sys.stderr.isatty()
    progress = None if quiet else (lambda name: print(f"checking {name}", file=sys.stderr))
    results = check(args.cases or None, prove=not args.no_prove, progress=progress)
    chosen = set(args.cases)
    about = tuple(c for c in CLAIMS if not chosen or c.case in chosen)  # claims on these cases
    claims = [] if args.no_claims else check_claims({r.case.name: r for r in results}, about)
    ok = all(r.ok for r in results)
    if args.json:
        doc = {"ok": ok, "cases": [case_json(r) for r in results],
               "claims": [claim_json(c) for c in claims]}
        print(json.dumps(doc, indent=1, allow_nan=False))
    else:
        print("\n".join(table_lines(results)))
        if claims:
            counts = {v: sum(c.verdict == v for c in claims)
                      for v in dict.fromkeys(c.verdict for c in claims)}
            said = ", ".join(f"{n} {v}" for v, n in counts.items())
            print(f"\nthe documents' claims: {len(claims)} checked: {said}")
            print("\n".join(claim_lines(claims)))
        agree = sum(r.ok for r in results)
        print(f"\n{agree} of {len(results)} cases agree three ways"
              + ("" if ok else "; see the rows above"))
    return 0 if ok else 1
