"""Run every benchmark, write benchmarks/RESULTS.md and the README's speed table.

    python benchmarks/regenerate.py            # the full run (about 15-25 min on 2 cores)
    python benchmarks/regenerate.py --quick    # a smoke run: one round, few repeats

Every measurement runs in a fresh process (benchmarks/worker.py), so "cold" is the first call
in a process, what a user of ``derive verify`` pays. For each case (benchmarks/cases.py):

- derive.verify's first call with an empty cache (DERIVE_CACHE_DIR a new folder), then
  a second process sharing that folder (first call, the proof and the confirmation kept);
- each peer's first call, one process each, in the same round (rounds alternate who goes
  first), so cold ratios are taken round by round;
- warm: one process calls every tool once, then runs them interleaved (A B C A B C ...), so
  warm ratios are taken call by call.

Then derive's cold and warm time against depth and n, the start-up of the command line as
whole processes paired with ``python -c "import numpy"`` (A B A B ...), the goals of issue 16
and a cProfile of derive where a goal is missed. Medians throughout; the load average and the
number of busy processes are recorded before and after each part. The README's table between
``<!-- speed:begin -->`` and ``<!-- speed:end -->`` is rewritten from these numbers only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases as C  # noqa: E402
import tables as T  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = ROOT / "README.md"
RESULTS = HERE / "RESULTS.md"
RAW = HERE / "results.json"
BEGIN, END = "<!-- speed:begin -->", "<!-- speed:end -->"

THREADS = {v: "1" for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                            "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")}
CASES = ("two_layer", "mlp10", "rnn", "conv", "softmax", "numeric_only")
PEERS = ("torch_default", "torch_fast", "jax", "autograd", "scipy")
DEPTHS = (2, 4, 8, 16)
NS = (256, 1024, 4096, 16384)
BUSY_CPU = 0.10  # a process using more than 10% of a core is counted as busy


# ---------------------------------------------------------------- machine and processes


def busy_processes(window: float = 0.5) -> int:
    """Processes (other than this one and its children) using > BUSY_CPU of a core."""
    def ticks() -> dict[int, int]:
        out = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    f = (d / "stat").read_text().rsplit(")", 1)[1].split()
                    out[int(d.name)] = int(f[11]) + int(f[12])
                except (OSError, IndexError, ValueError):
                    continue
        return out

    if not Path("/proc").is_dir():
        return -1
    a = ticks()
    time.sleep(window)
    b = ticks()
    hz = os.sysconf("SC_CLK_TCK")
    return sum(1 for pid, t in b.items()
               if pid != os.getpid() and (t - a.get(pid, t)) / hz / window > BUSY_CPU)


def machine() -> dict[str, Any]:
    return {"load": os.getloadavg()[0], "busy": busy_processes()}


def worker(spec: dict[str, Any], cache: str | None = None) -> dict[str, Any]:
    env = {**os.environ, **THREADS, "DERIVE_CACHE_DIR": cache or tempfile.mkdtemp("derive")}
    proc = subprocess.run([sys.executable, str(HERE / "worker.py"), json.dumps(spec)],
                          capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    raise RuntimeError(f"worker {spec} failed (exit {proc.returncode}): {tail}")


def med(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- the measurements


def compare_case(name: str, rounds: int, reps: int) -> dict[str, Any]:
    """Cold (fresh processes, round by round) and warm (interleaved) for one case."""
    before = machine()
    peers = [p for p in PEERS if p != "scipy" or name in ("two_layer", "rnn", "conv", "softmax")]
    cold: dict[str, list[dict[str, Any]]] = {t: [] for t in ("derive", "derive_cached", *peers)}
    info = {}
    for r in range(rounds):
        cache = tempfile.mkdtemp("derive")

        def run_derive(cache=cache):
            d = worker({"case": name, "mode": "cold", "tools": ["derive"]}, cache)
            cold["derive"].append(d["derive"])
            info.update(d["case"])
            cold["derive_cached"].append(
                worker({"case": name, "mode": "cold", "tools": ["derive"]}, cache)["derive"])

        def run_peers():
            for p in peers:
                cold[p].append(worker({"case": name, "mode": "cold", "tools": [p]})[p])

        first, second = (run_derive, run_peers) if r % 2 == 0 else (run_peers, run_derive)
        first()
        second()
    warm = worker({"case": name, "mode": "warm", "tools": ["derive", *peers], "reps": reps})
    return {"case": info, "cold": cold, "warm": warm, "before": before, "after": machine(),
            "peers": peers}


def scaling(kind: str, values: tuple[int, ...], reps: int) -> list[dict[str, Any]]:
    """derive's cold and warm time against depth (MLP n=256, h=64) or n (two-layer)."""
    out = []
    for v in values:
        spec = ({"case": "mlp", "sizes": {"depth": v, "n": 256, "h": 64}} if kind == "depth"
                else {"case": "two_layer", "sizes": {"n": v}})
        before = machine()
        r = worker({**spec, "mode": "cold", "tools": ["derive"], "reps": reps})
        out.append({"value": v, "params": r["case"]["params"], **r["derive"],
                    "load": before["load"], "busy": before["busy"]})
    return out


def paired(a: list[str], b: list[str], runs: int, fresh_cache: bool = False
           ) -> dict[str, Any]:
    """Whole-process wall time of commands a and b, run in turn (A B A B ...)."""
    env = {**os.environ, **THREADS}
    shared = tempfile.mkdtemp("derive")

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    def once(cmd: list[str]) -> tuple[float, float, int]:
        e = {**env, "DERIVE_CACHE_DIR": tempfile.mkdtemp("derive") if fresh_cache else shared}
        c, t = cpu(), time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT, env=e, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL).returncode
        return time.perf_counter() - t, cpu() - c, rc

    once(a), once(b)  # warm-up: the file system cache, the proof cache when shared
    ta, tb, ca, cb, codes = [], [], [], [], set()
    for _ in range(runs):
        x, cx, rc = once(a)
        y, cy, _ = once(b)
        ta.append(x)
        tb.append(y)
        ca.append(cx)
        cb.append(cy)
        codes.add(rc)
    return {"a": med(ta), "b": med(tb), "ratio": med([x / y for x, y in zip(ta, tb)]),
            "a_min": min(ta), "a_max": max(ta), "exit": sorted(codes), "a_cpu": med(ca),
            "b_cpu": med(cb), "cpu_ratio": med([x / y for x, y in zip(ca, cb)])}


def startup(runs: int) -> dict[str, Any]:
    py = sys.executable
    numpy = [py, "-c", "import numpy"]
    verify = [py, "-m", "derive", "verify", "examples/two_layer_big.py"]
    before = machine()
    out = {
        "derive --help": paired([py, "-m", "derive", "--help"], numpy, runs),
        "derive list": paired([py, "-m", "derive", "list"], numpy, runs),
        "derive verify examples/two_layer_big.py (cache warm)":
            paired(verify, numpy, runs),
        "derive verify examples/two_layer_big.py (cache empty)":
            paired(verify, numpy, runs, fresh_cache=True),
    }
    report = [py, "-m", "derive", "report", "--quiet", "--out",
              str(Path(tempfile.mkdtemp("derive")) / "report")]
    few = max(2, runs // 4)  # a report takes seconds: a few runs give a fair median
    out["derive report (every cache empty)"] = paired(report, numpy, few, fresh_cache=True)
    out["derive report (caches warm)"] = paired(report, numpy, few)
    return {"rows": out, "before": before, "after": machine(),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def import_profile(argv: list[str], top: int = 12) -> str:
    """The slowest imports of ``python -X importtime -m derive <argv>`` (cumulative)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "derive", *argv],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, **THREADS})
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    rows.sort(reverse=True)
    return "\n".join(f"{us / 1e3:9.1f} ms  {mod}" for us, mod in rows[:top])


def profile(spec: dict[str, Any], warm_cache: bool = False) -> dict[str, Any]:
    """cProfile of derive in a fresh process, its proof cache empty or filled by a first run."""
    cache = tempfile.mkdtemp("derive")
    if warm_cache:
        worker({"mode": "profile", **spec}, cache)
    return worker({"mode": "profile", **spec}, cache)


# ---------------------------------------------------------------- writing


def load_line(m: dict[str, Any]) -> str:
    return f"load average {m['load']:.2f}, {m['busy']} busy processes"


def results_md(res: dict[str, Any]) -> str:
    m = res["meta"]
    out = [
        "# Benchmark results",
        "",
        f"Written by `benchmarks/regenerate.py{' --quick' if m['quick'] else ''}` on "
        f"{m['date']} ({m['machine']}); never edited by hand.",
        f"Machine load: before {load_line(m['before'])}; after {load_line(m['after'])} "
        f"(a process is busy above {BUSY_CPU:.0%} of a core; "
        f"{os.cpu_count()} cores). {m['note']}",
        "",
        "One thread for every library (OMP/MKL/OpenBLAS/vecLib/NumExpr = 1, "
        "torch.set_num_threads(1), XLA single-threaded). Every number is a median: first "
        f"calls over {m['rounds']} round(s) of fresh processes, warm calls over {m['reps']} "
        "interleaved repeats (A B C A B C ..., each timed call after an untimed one of the "
        "same tool: this VM pages out memory idle for ~0.3 s); ratios are taken pair by "
        "pair (cold: round by "
        "round; warm: call by call), then their median. A ratio above 1 means derive is "
        "faster. torch, jax and autograd check their own autodiff of the same function; scipy "
        "checks the same hand-written backward as derive.",
        "",
    ]
    for name, c in res["cases"].items():
        out += [f"## {c['case'].get('title', name)} ({c['case'].get('params', '?')} parameters)",
                "", f"Load: before {load_line(c['before'])}; after {load_line(c['after'])}.",
                ""] + T.case_table(c) + [""]
        d = c["cold"]["derive"][0]
        if not d["error"]:
            out += [f"derive's first call by stage: {T.stages(d['info'].get('stages', {}))}; "
                    f"import of numpy + derive: {T.fmt(d['setup'])} (not in the first call; "
                    "SymPy is imported by it).", ""]
    out += ["## derive against depth (tanh MLP, n = 256, d = 13, h = 64)", ""]
    out += T.scaling_table(res["depth"], "depth") + [""]
    out += ["## derive against n (two-layer network, d = 13, h = 64)", ""]
    out += T.scaling_table(res["n"], "n") + [""]
    s = res["startup"]
    out += ["## Start-up, whole processes", "",
            f"Each command paired with `python -c \"import numpy\"` (A B A B ..., "
            f"{m['startup_runs']} pairs after one warm-up pair), {s.get('date', m['date'])}. "
            "cpu is user + system time of the process and its children. Load: before "
            f"{load_line(s['before'])}; after {load_line(s['after'])}.", ""]
    out += T.startup_table(s) + [""]
    out += ["## Goals (issues 16 and 15.4)", "", "| goal | measured | met |", "|---|---|---|"]
    out += [f"| {g['goal']} | {g['value']} | {'yes' if g['met'] else '**no**'} |"
            for g in res["goals"]] + [""]
    for g in res["goals"]:
        if g["met"] or not g.get("detail"):
            continue
        out += [f"### Missed: {g['goal']}", "", "```", g["detail"], "```", ""]
    return "\n".join(out)


def speed_table(res: dict[str, Any]) -> str:
    """The README's table: the two-layer comparison, the other cases, start-up."""
    m = res["meta"]
    note = f" {m['note'].rstrip('.')}." if m["note"] else ""
    lines = [BEGIN, "",
             f"Generated by `benchmarks/regenerate.py` on {m['date']} ({m['machine']}, one "
             f"thread, {load_line(m['before'])}).{note} "
             "Full tables, scaling curves and profiles in "
             "[benchmarks/RESULTS.md](benchmarks/RESULTS.md).", ""]
    two = res["cases"].get("two_layer")
    if two:
        lines += [f"{two['case']['title']}, {two['case']['params']} parameters, a planted "
                  "error W1[3, 7] += 1e-3:", ""] + T.case_table(two) + [""]
    lines += ["Ratios are the peer's time over derive's, pair by pair: above 1, derive is faster.",
              "", "| case | derive first call | derive warm | torch gradcheck default, first "
              "call | warm | first call / derive's | warm / derive's | derive |",
              "|---|---|---|---|---|---|---|---|"]
    for name, c in res["cases"].items():
        lines.append(
            f"| {c['case'].get('title', name)} | {T.fmt(T.med(T.cold_first(c, 'derive')))} | "
            f"{T.fmt(T.med(c['warm']['derive']['warm']))} | "
            f"{T.fmt(T.med(T.cold_first(c, 'torch_default')))} | "
            f"{T.fmt(T.med(c['warm']['torch_default']['warm']))} | "
            f"{T.ratio(T.cold_ratio(c, 'torch_default'))} | "
            f"{T.ratio(T.warm_ratio(c, 'torch_default'))} | {T.derive_note(c)[:90]} |")
    lines += [""] + T.startup_table(res["startup"]) + ["", END]
    return "\n".join(lines)


def write_readme(table: str) -> None:
    text = README.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} markers in its Speed section")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    README.write_text(head + table + tail)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one round, few repeats")
    ap.add_argument("--note", default="", help="a sentence about the machine, printed")
    ap.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    ap.add_argument("--from-json", action="store_true",
                    help="reuse the measurements of results.json; redo goals, profiles, tables")
    ap.add_argument("--startup-only", action="store_true",
                    help="reuse results.json but measure the start-up again")
    args = ap.parse_args()
    compile_bytecode()
    res = json.loads(RAW.read_text()) if args.from_json or args.startup_only else measure(args)
    if args.startup_only:
        res["startup"] = startup(5 if args.quick else 11)
    res["goals"] = T.goals(res)
    for g in res["goals"]:
        if not g["met"]:
            print(f"profile: {g['goal']} ...", flush=True)
            g["detail"] = miss_detail(g)
    RAW.write_text(json.dumps(res, indent=1))
    RESULTS.write_text(results_md(res) + "\n")
    if not args.no_readme:
        write_readme(speed_table(res))
    print(f"wrote {RESULTS.relative_to(ROOT)}" + ("" if args.no_readme else " and README.md"))


def compile_bytecode() -> None:
    """Write derive's bytecode once, as ``pip install`` does: with an editable install and
    PYTHONDONTWRITEBYTECODE=1 (set on some machines), every measured process would otherwise
    compile derive's sources again (~100 ms), which no installed user pays."""
    import compileall

    for folder in ("derive", "numeric", "reports", "benchmarks"):
        compileall.compile_dir(ROOT / folder, quiet=1)


def miss_detail(g: dict[str, Any]) -> str:
    """Where the time goes for a missed goal: slowest imports, or a cProfile of derive."""
    if "imports" in g:
        return ("python -X importtime, slowest imports (cumulative):\n"
                + import_profile(g["imports"]))
    p = profile(g["profile"], g.get("warm_cache", False))
    where = ("the command in one process (isolate's fork disabled), " if "argv" in g["profile"]
             else "")
    imports = ""
    if "argv" in g["profile"]:
        imports = ("\n\npython -X importtime, slowest imports (cumulative):\n"
                   + import_profile(g["profile"]["argv"]))
    return (f"{where}imports before the call (not profiled) {T.fmt(p['imports'])}; "
            f"call {T.fmt(p['total'])}; stages of this call: {T.stages(p['stages'])}\n\n"
            f"cProfile, cumulative:\n{p['profile']['cumulative']}\n\n"
            f"cProfile, own time:\n{p['profile']['tottime']}{imports}")


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Every measurement (the cases, the curves, the start-up), with the machine's load."""
    rounds, reps, runs = (1, 3, 3) if args.quick else (3, 5, 11)
    depths, ns = ((2, 4, 8), (256, 1024)) if args.quick else (DEPTHS, NS)
    before = machine()
    res: dict[str, Any] = {"meta": {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}", "quick": args.quick, "rounds": rounds,
        "reps": reps, "startup_runs": runs, "before": before, "note": args.note}}
    res["cases"] = {}
    for name in CASES:
        print(f"case {name} ...", flush=True)
        res["cases"][name] = compare_case(name, rounds, reps)
    print("depth ...", flush=True)
    res["depth"] = scaling("depth", depths, reps)
    print("n ...", flush=True)
    res["n"] = scaling("n", ns, reps)
    print("numeric only, X of (1000, 100) ...", flush=True)
    res["numeric_big"] = worker({"case": "numeric_only", "sizes": C.BIG_NUMERIC, "mode": "cold",
                                 "tools": ["derive", "torch_default"]})
    print("start-up ...", flush=True)
    res["startup"] = startup(runs)
    res["meta"]["after"] = machine()
    return res


if __name__ == "__main__":
    main()
