"""One measurement in a fresh process: ``python benchmarks/worker.py '<json spec>'``.

regenerate.py starts this script once per measurement, so a "cold" time is truly the first
call in a process (imports done, nothing cached in memory), which is what a user of
``derive verify`` pays. The spec names the case (and its sizes), the mode and the tools:

- mode "cold": each tool's library is imported (timed apart), then its first call is timed,
  then ``reps`` more calls (warm, in this same process).
- mode "warm": every tool is called once untimed, then the tools run interleaved
  (A B C A B C ...) ``reps`` times, so ratios can be taken call by call. Each timed call
  follows an untimed call of the same tool: on this VM a kernel daemon (DAMON, action
  pageout) pages out memory left idle for a few hundred ms, so a call that follows another
  tool's 0.8 s call (or a 0.3 s sleep) first faults its pages back in: derive's 12 ms warm
  call then takes 20-50 ms. A warm call is one whose memory is warm.
- mode "profile": derive's first call under cProfile; prints the top entries.

Every library runs on one thread (the variables below are set before numpy is imported,
torch.set_num_threads(1), XLA single-threaded). The result is one JSON line on stdout.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ["JAX_PLATFORMS"] = "cpu"

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

_T0 = time.perf_counter()
import cases as C  # noqa: E402
import numpy as np  # noqa: E402

NUMPY_IMPORT = time.perf_counter() - _T0


# ---------------------------------------------------------------- the tools
# Each setup imports its library and returns (a call with no arguments, info about it).


def setup_derive(case: C.Case) -> tuple[Callable[[], Any], dict[str, Any]]:
    import derive  # lazy: SymPy is imported by the first verify call, as for a user

    shapes = case.shapes()
    info: dict[str, Any] = {}

    def call():
        r = derive.verify(case.forward, case.backward, shapes=shapes, inputs=case.inputs)
        if not info:
            info.update(_derive_info(case, r))
        info["last_stages"] = dict(r.timings)
        return r

    return call, info


def _derive_info(case: C.Case, r: Any) -> dict[str, Any]:
    grads = r.gradients
    proofs = [getattr(g, "proof", None) for g in grads.values()]
    proved = [p.proved for p in proofs if p is not None]
    wrong = {k: [list(e) for e in (g.entries or [])[:3]] for k, g in grads.items()
             if g.verdict != "ok"}
    located = None
    if case.planted is not None:
        name, index = case.planted
        located = [list(index)] == [list(e) for e in (grads[name].entries or [])]
    return {"verdicts": {k: g.verdict for k, g in grads.items()}, "wrong": wrong,
            "located": located, "traced": r.traced is not None,
            "fallback": r.fallback_reason or "",
            "proof": ("proved" if proved and all(proved) else
                      "not proved" if proved else "no proof"),
            "proof_note": r.proof_note or "", "stages": dict(r.timings)}


def _torch_args(case: C.Case):
    import torch

    torch.set_num_threads(1)
    p = case.point()
    consts = {k: torch.from_numpy(v) for k, v in p.items() if k not in case.params}
    params = tuple(torch.tensor(p[k], dtype=torch.float64, requires_grad=True)
                   for k in case.params)
    return torch, (lambda *a: case.torch_forward(consts, *a)), params


def setup_torch_default(case: C.Case):
    torch, f, params = _torch_args(case)
    return (lambda: torch.autograd.gradcheck(f, params)), {}


def setup_torch_fast(case: C.Case):
    torch, f, params = _torch_args(case)
    return (lambda: torch.autograd.gradcheck(f, params, fast_mode=True)), {}


def _as_function_of_params(case: C.Case, xp: Any, lift: Callable[[Any], Any]):
    forward = C.rebind(case.stacked_forward or case.forward, xp)
    p = case.point()
    consts = {k: (v if v.dtype.kind in "iub" else lift(v)) for k, v in p.items()
              if k not in case.params}

    def f(*params):
        return forward(**consts, **dict(zip(case.params, params)))

    return f, tuple(lift(p[k]) for k in case.params)


def setup_jax(case: C.Case):
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax.test_util import check_grads

    f, args = _as_function_of_params(case, jnp, jnp.asarray)
    return (lambda: check_grads(f, args, order=1, modes=["rev"])), {}


def setup_autograd(case: C.Case):
    import autograd.numpy as anp
    from autograd.test_util import check_grads

    f, args = _as_function_of_params(case, anp, lambda v: v)
    return (lambda: check_grads(f, modes=["rev"], order=1)(*args)), {}


def setup_scipy(case: C.Case):
    from scipy.optimize import check_grad

    p = case.point()
    sizes = [p[k].size for k in case.params]
    theta0 = np.concatenate([p[k].ravel() for k in case.params])

    def unflat(theta):
        out, i = dict(p), 0
        for k, size in zip(case.params, sizes):
            out[k] = theta[i:i + size].reshape(p[k].shape)
            i += size
        return out

    def fun(theta):
        return case.forward(**unflat(theta))

    def grad(theta):
        g = case.backward(**unflat(theta))
        return np.concatenate([np.asarray(g[k]).ravel() for k in case.params])

    info: dict[str, Any] = {}

    def call():
        info["error_norm"] = float(check_grad(fun, grad, theta0))

    return call, info


SETUPS = {"derive": setup_derive, "torch_default": setup_torch_default,
          "torch_fast": setup_torch_fast, "jax": setup_jax, "autograd": setup_autograd,
          "scipy": setup_scipy}


# ---------------------------------------------------------------- the modes


def _timed(call: Callable[[], Any]) -> tuple[float, str]:
    t = time.perf_counter()
    try:
        call()
    except Exception as exc:  # a peer's check failing (or derive refusing) is a result
        return time.perf_counter() - t, f"{type(exc).__name__}: {str(exc)[:160]}"
    return time.perf_counter() - t, ""


def run_cold(case: C.Case, tools: list[str], reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {"numpy_import": NUMPY_IMPORT}
    for tool in tools:
        t = time.perf_counter()
        call, info = SETUPS[tool](case)
        setup = time.perf_counter() - t
        first, error = _timed(call)
        warm = [_timed(call)[0] for _ in range(reps)] if not error else []
        out[tool] = {"setup": setup, "first": first, "warm": warm, "error": error,
                     "info": info}
    return out


def run_warm(case: C.Case, tools: list[str], reps: int) -> dict[str, Any]:
    calls = {}
    errors = {}
    infos = {}
    for tool in tools:
        call, infos[tool] = SETUPS[tool](case)
        _, errors[tool] = _timed(call)
        _, errors[tool] = _timed(call) if not errors[tool] else (0, errors[tool])
        if not errors[tool]:
            calls[tool] = call
    times: dict[str, list[float]] = {t: [] for t in calls}
    for _ in range(reps):
        for tool, call in calls.items():
            call()  # untimed: this machine pages out memory idle for ~0.3 s (see below)
            times[tool].append(_timed(call)[0])
    return {t: {"warm": times.get(t, []), "error": errors[t], "info": infos[t]} for t in tools}


def run_profile(case: C.Case | None, top: int, warm: bool, argv: list[str]) -> dict[str, Any]:
    """cProfile of derive's first call (or, ``warm``, its second), or of the command line
    ``derive <argv>`` in this fresh process, imports included."""
    import cProfile
    import io
    import pstats

    info: dict[str, Any] = {}
    if case is None:
        # In this process, not in isolate's forked child, so that the profile sees the work.
        del os.fork

        def call():
            from derive.reports import cli
            cli.main(argv)
    else:
        call, info = setup_derive(case)
        if warm:
            call()
    t = time.perf_counter()
    import derive.verify  # noqa: F401 - the imports a first call triggers, timed apart

    imports = time.perf_counter() - t
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    call()
    prof.disable()
    total = time.perf_counter() - t
    text = {}
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf).sort_stats(key)
        stats.print_stats(r"/(derive|numeric|reports|sympy|numpy)/", top)
        body = buf.getvalue()
        body = body[body.find("   ncalls"):].rstrip().replace(str(HERE.parent) + "/", "")
        text[key] = body.replace(str(Path(np.__file__).parents[1]) + "/", "")
    return {"total": total, "imports": imports, "stages": info.get("last_stages", {}),
            "profile": text}


def main() -> None:
    spec = json.loads(sys.argv[1])
    mode = spec["mode"]
    if mode == "profile":
        case = C.build(spec["case"], **spec.get("sizes", {})) if spec.get("case") else None
        out = run_profile(case, spec.get("top", 18), spec.get("warm", False),
                          spec.get("argv", []))
    else:
        case = C.build(spec["case"], **spec.get("sizes", {}))
        run = run_cold if mode == "cold" else run_warm
        out = run(case, spec["tools"], spec.get("reps", 0))
    if case is not None:
        out["case"] = {"name": case.name, "title": case.title, "params": case.n_params()}
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
