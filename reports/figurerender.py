"""Draw the report's figures: from the disk cache when the same figure was drawn before,
else in two worker processes.

A figure is decided by its draw function, its data and the drawing code, so the cache key
hashes exactly those (and matplotlib's version); the same results give byte-identical files,
so a cached figure is the figure. Matplotlib spends most of a report's time laying out and
writing SVG and PDF: with two workers the misses take about half as long, and a warm cache
skips them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import inspect
import json
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from derive.reports import diagram, plots
from derive.reports.training_cache import default_cache_dir, write_atomic

WORKERS = 2  # the machine's cores; more processes only compete for them
POOL_MIN_MISSES = 3  # below this, starting workers costs more than it saves
Drawn = tuple[str | None, bytes | None]  # (SVG text, PDF bytes)


def render(draw: Callable[..., Any], args: tuple[Any, ...], uid: str, svg: bool,
           pdf: bool) -> Drawn:
    """Draw one figure; SVG first (it lays the figure out), the PDF reusing that layout."""
    fig = draw(*args)
    svg_text = plots.to_svg(fig, uid) if svg else None
    pdf_bytes = None
    if pdf:
        if svg:
            fig.set_layout_engine("none")  # laid out once: the PDF reuses it
        import io

        buf = io.BytesIO()
        plots.save_pdf(fig, buf)  # type: ignore[arg-type]
        pdf_bytes = buf.getvalue()
    return svg_text, pdf_bytes


def warm() -> None:
    """Load matplotlib, its fonts and both backends once, in this process (~0.9 s): workers
    forked afterwards inherit them instead of each paying for it. The report calls this while
    it waits for its training child, when the parent would sit idle."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1))
    ax = fig.subplots()
    ax.plot([0.0, 1.0], [0.0, 1.0])
    ax.set_title(r"$\sigma'(u)$")
    plots.to_svg(fig, "warm")
    plots.save_pdf(fig, io.BytesIO())  # type: ignore[arg-type]


def _code_version() -> str:
    import matplotlib

    h = hashlib.sha256(matplotlib.__version__.encode())
    for module in (plots, diagram, sys.modules[__name__]):
        h.update(inspect.getsource(module).encode("utf-8"))
    return h.hexdigest()


def cache_key(p: plots.Plot, svg: bool, pdf: bool, code: str) -> str:
    """SHA-256 of the drawing code, the draw function, its data and what is asked for."""
    what = (p.draw.__module__, p.draw.__qualname__, p.args, p.name, svg, pdf) if p.draw else ()
    return hashlib.sha256(code.encode() + pickle.dumps(what, protocol=5)).hexdigest()


def _read(path: Path) -> Drawn | None:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
        pdf = found["pdf"]
        return found["svg"], None if pdf is None else base64.b64decode(pdf)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(path: Path | None, drawn: Drawn) -> None:
    if path is None:  # caching is off
        return
    svg, pdf = drawn
    text = json.dumps({"svg": svg, "pdf": None if pdf is None else
                       base64.b64encode(pdf).decode("ascii")})
    with contextlib.suppress(OSError):  # a read-only home folder costs speed, not correctness
        write_atomic(path, text)


def _pool() -> ProcessPoolExecutor | None:
    """Two forked workers (they inherit the loaded modules), or None where fork is missing."""
    if not hasattr(os, "fork"):
        return None
    import multiprocessing

    try:
        return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("fork"))
    except (OSError, ValueError):
        return None


def render_all(made: Sequence[plots.Plot], svg: bool, pdf: bool,
               cache_dir: Path | None = None,
               progress: Callable[[str], None] | None = None,
               meanwhile: Callable[[], Any] | None = None) -> dict[str, Drawn]:
    """Every figure with a draw function, by name: cached ones read, the rest drawn.
    ``meanwhile`` runs in this process while the workers draw (or after, without them)."""
    base = default_cache_dir() if cache_dir is None else cache_dir
    folder = None if base is None else base / "figures"
    code = _code_version()
    out: dict[str, Drawn] = {}
    todo: list[tuple[plots.Plot, bool, bool, Path | None]] = []
    for p in made:
        if p.draw is None:
            continue
        want_svg = svg and p.svg is None
        path = None if folder is None else folder / f"{cache_key(p, want_svg, pdf, code)}.json"
        cached = None if path is None else _read(path)
        if cached is not None:
            out[p.name] = cached
        else:
            todo.append((p, want_svg, pdf, path))
    if progress and made:
        progress(f"{len(out)} of {len(out) + len(todo)} figures from the cache; "
                 f"drawing {len(todo)}")
    pool = _pool() if len(todo) >= POOL_MIN_MISSES else None
    if pool is None:
        for p, s, d, path in todo:
            out[p.name] = render(p.draw, p.args, p.name, s, d)  # type: ignore[arg-type]
            _store(path, out[p.name])
        if meanwhile is not None:
            meanwhile()
        return out
    with pool:
        futures = [(p, path, pool.submit(render, p.draw, p.args, p.name, s, d))
                   for p, s, d, path in todo]
        if meanwhile is not None:
            meanwhile()
        for p, path, f in futures:
            out[p.name] = f.result()
            _store(path, out[p.name])
    return out
