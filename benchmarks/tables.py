"""Markdown tables from regenerate.py's measurements (formatting only, nothing is rerun)."""

from __future__ import annotations

import statistics
from typing import Any

import cases as C

LABEL = {"derive": "derive.verify", "derive_cached": "derive.verify, cache warm",
         "torch_default": "torch gradcheck, default", "torch_fast": "torch gradcheck, fast_mode",
         "jax": "jax check_grads", "autograd": "autograd check_grads",
         "scipy": "scipy check_grad"}
LOCATES = {"torch_default": "no", "torch_fast": "no", "jax": "no", "autograd": "no",
           "scipy": "no (one error norm)"}


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def ratio(x: float | None) -> str:
    return "-" if x is None else (f"{x:.0f}x" if x >= 10 else f"{x:.2g}x")


def med(xs: list[float | None]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def cold_first(c: dict[str, Any], tool: str) -> list[float | None]:
    return [r["first"] if not r["error"] else None for r in c["cold"][tool]]


def cold_ratio(c: dict[str, Any], tool: str, derive: str = "derive") -> float | None:
    """Peer's first call / derive's first call (empty proof cache, or with ``derive_cached``
    the proof kept by an earlier process), round by round."""
    return med([p / d if p and d else None
                for p, d in zip(cold_first(c, tool), cold_first(c, derive))])


def warm_ratio(c: dict[str, Any], tool: str) -> float | None:
    w = c["warm"]
    return med([p / d for p, d in zip(w[tool]["warm"], w["derive"]["warm"])])


def derive_note(c: dict[str, Any]) -> str:
    runs = c["cold"]["derive"]
    if runs[0]["error"]:
        return "refused: " + runs[0]["error"]
    i = runs[0]["info"]
    mode = "symbolic" if i.get("traced") else "numeric-only"
    bad = ", ".join(f"{k} {v}" for k, v in i.get("wrong", {}).items())
    return f"{mode}, {i.get('proof')}; " + (f"flags {bad}" if bad else "all ok")


def case_table(c: dict[str, Any]) -> list[str]:
    """One row per tool: cold (median over rounds), warm, ratios to derive, notes."""
    lines = ["| tool | first call | warm (median) | first call / derive's | warm / derive's "
             "| locates the wrong entry | notes |", "|---|---|---|---|---|---|---|"]
    planted = c["case"]["name"] == "two_layer"
    d_cold = med(cold_first(c, "derive"))
    d_warm = med(c["warm"]["derive"]["warm"])
    loc = "yes, by index" if planted and c["cold"]["derive"][0]["info"].get("located") else (
        "NO" if planted else "")
    lines.append(f"| derive.verify, cache empty | {fmt(d_cold)} | {fmt(d_warm)} | 1 | 1 "
                 f"| {loc} | {derive_note(c)} |")
    lines.append(f"| derive.verify, cache warm | {fmt(med(cold_first(c, 'derive_cached')))}"
                 f" | | {ratio(cold_ratio(c, 'derive_cached'))} | | | second process |")
    for tool in c["peers"]:
        runs = c["cold"][tool]
        err = next((r["error"] for r in runs if r["error"]), "")
        note = err or ""
        if tool == "scipy":
            norm = (c["warm"]["scipy"]["info"] or {}).get("error_norm")
            note = note or (f"error norm {norm:.2g}" if norm is not None else "")
        lines.append(f"| {LABEL[tool]} | {fmt(med(cold_first(c, tool)))} | "
                     f"{fmt(med(c['warm'][tool]['warm']))} | {ratio(cold_ratio(c, tool))} | "
                     f"{ratio(warm_ratio(c, tool))} | {LOCATES[tool] if planted else ''} | "
                     f"{note} |")
    return lines


def stages(s: dict[str, float]) -> str:
    keys = [k for k in s if k != "total"]
    return ", ".join(f"{k} {fmt(s[k])}" for k in keys)


def scaling_table(rows: list[dict[str, Any]], what: str) -> list[str]:
    lines = [f"| {what} | parameters | first call | warm (median) | stages of the first call |",
             "|---|---|---|---|---|"]
    for r in rows:
        if r["error"]:
            lines.append(f"| {r['value']} | {r['params']} | {fmt(r['first'])} | - | "
                         f"{r['error']} |")
            continue
        lines.append(f"| {r['value']} | {r['params']} | {fmt(r['first'])} | "
                     f"{fmt(med(r['warm']))} | {stages(r['info'].get('stages', {}))} |")
    return lines


def startup_table(s: dict[str, Any]) -> list[str]:
    lines = ["| command (whole process) | wall, median | min - max | python -c \"import "
             "numpy\" (paired) | ratio (pair by pair) | cpu (user + sys) | cpu ratio | exit |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in s["rows"].items():
        cpu = (f"{fmt(r['a_cpu'])} | {r['cpu_ratio']:.2f}" if "a_cpu" in r else "- | -")
        lines.append(f"| `{name}` | {fmt(r['a'])} | {fmt(r['a_min'])} - {fmt(r['a_max'])} | "
                     f"{fmt(r['b'])} | {r['ratio']:.2f} | {cpu} | {r['exit']} |")
    return lines


def goals(res: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 16's goals (and 15.4's), each with its measured value and whether it is met."""
    out = []
    two = res["cases"].get("two_layer")
    if two:
        r = cold_ratio(two, "torch_default")
        out.append({"goal": "two-layer first call, every cache empty (SymPy imported, proof "
                    "made), >= 10x faster than torch gradcheck default", "value": ratio(r),
                    "met": r is not None and r >= 10,
                    "profile": {"case": "two_layer"}})
        if "derive_cached" in two["cold"]:
            r = cold_ratio(two, "torch_default", "derive_cached")
            out.append({"goal": "two-layer first call in a later process (proof and "
                        "confirmation kept on disk) >= 10x faster than torch gradcheck default",
                        "value": ratio(r),
                        "met": r is not None and r >= 10,
                        "profile": {"case": "two_layer"}, "warm_cache": True})
        r = warm_ratio(two, "torch_default")
        out.append({"goal": "two-layer warm >= 50x faster than torch gradcheck default",
                    "value": ratio(r), "met": r is not None and r >= 50,
                    "profile": {"case": "two_layer", "warm": True}})
    num = res["cases"].get("numeric_only")
    if num:
        cold, warm = cold_ratio(num, "torch_default"), warm_ratio(num, "torch_default")
        out.append({"goal": "numeric only (X 200x50): never slower than torch gradcheck "
                    "default, first call and warm", "value": f"{ratio(cold)} first call, "
                    f"{ratio(warm)} warm", "met": bool(cold and warm and min(cold, warm) >= 1),
                    "profile": {"case": "numeric_only"}})
    big = res.get("numeric_big")
    if big and "derive" in big:
        t = big["derive"]["first"]
        torch_t = big.get("torch_default", {}).get("first")
        peer = f" (torch gradcheck default: {fmt(torch_t)})" if torch_t else ""
        out.append({"goal": "numeric only, X of (1000, 100): judged in < 10 s",
                    "value": fmt(t) + peer, "met": not big["derive"]["error"] and t < 10,
                    "profile": {"case": "numeric_only", "sizes": C.BIG_NUMERIC}})
    for row in res.get("depth", []):
        limit = {8: 1.0, 16: 2.0}.get(row["value"])
        if limit:
            t = row["first"]
            out.append({"goal": f"{row['value']}-layer MLP (n=256, h=64) first call < "
                        f"{limit:g} s", "value": fmt(t), "met": not row["error"] and t < limit,
                        "profile": {"case": "mlp", "sizes": {"depth": row["value"], "n": 256,
                                                              "h": 64}}})
    for name, r in res.get("startup", {}).get("rows", {}).items():
        if name.startswith("derive report"):
            out.append({"goal": f"`{name}` < 15 s", "value": fmt(r["a"]), "met": r["a"] < 15,
                        "imports": ["report", "--help"]})
        elif name.startswith("derive verify"):
            cpu = f" wall ({fmt(r['a_cpu'])} cpu)" if "a_cpu" in r else ""
            out.append({"goal": f"`{name}` < 1 s", "value": fmt(r["a"]) + cpu, "met": r["a"] < 1,
                        "profile": {"argv": ["verify", "examples/two_layer_big.py"]},
                        "warm_cache": "cache warm" in name})
        else:
            out.append({"goal": f"`{name}` <= 3x python -c \"import numpy\"",
                        "value": f"{r['ratio']:.2f}x", "met": r["ratio"] <= 3,
                        "imports": name.split()[1:]})
    return out
