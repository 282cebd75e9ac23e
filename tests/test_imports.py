"""Imports point one way: numeric (numpy only) <- derive (sympy) <- reports (jinja2, plots, CLI).

The layers are the folders numeric/, derive/ and reports/; they import each other as
``derive.numeric``, ``derive`` and ``derive.reports`` (one installed package).

Checked two ways: statically (every import statement in the source, at any depth) and
dynamically (importing every numeric module in a fresh interpreter loads no sympy).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer may import besides the standard library and itself.
ALLOWED = {
    "numeric": {"numpy", "numeric"},
    "derive": {"numpy", "sympy", "numeric", "derive"},
    "reports": {"numpy", "sympy", "numeric", "derive", "reports", "jinja2", "markupsafe",
                "matplotlib", "latex2mathml"},
}
# A notebook display method may reach up one layer: Jupyter calls it after everything loaded.
DISPLAY_METHODS = {"_repr_html_", "_repr_latex_", "_repr_markdown_"}
# `python -m derive` is the command line itself (the top layer), and no module imports it.
ENTRY_POINTS = {"derive/__main__.py"}


def _stdlib(name: str) -> bool:
    return name in sys.stdlib_module_names or name == "__future__"


def _layer_of(module: str) -> str:
    """derive.numeric.fd -> numeric, derive.reports.cli -> reports, derive.graph -> derive;
    anything else -> its top-level name (numpy, sympy, ...)."""
    parts = module.split(".")
    if parts[0] == "derive" and len(parts) > 1 and parts[1] in ("numeric", "reports"):
        return parts[1]
    return parts[0]


def _imports(tree: ast.AST) -> list[tuple[str, str | None, int]]:
    """(layer or top-level module, enclosing function name or None, line) for every import."""
    found: list[tuple[str, str | None, int]] = []

    def visit(node: ast.AST, func: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef,
                                                     ast.AsyncFunctionDef)) else func
            if isinstance(child, ast.Import):
                found.extend((_layer_of(a.name), func, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                names = [child.module] if child.module != "derive" else \
                    [f"derive.{a.name}" for a in child.names]
                found.extend((_layer_of(m), func, child.lineno) for m in names)
            visit(child, inner)

    visit(tree, None)
    return found


def _files(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_point_one_way(layer: str) -> None:
    bad = []
    for path in _files(layer):
        if str(path.relative_to(ROOT)) in ENTRY_POINTS:
            continue
        for module, func, line in _imports(ast.parse(path.read_text(), str(path))):
            if _stdlib(module) or module in ALLOWED[layer]:
                continue
            if func in DISPLAY_METHODS and module == "reports" and layer == "derive":
                continue
            bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not bad, "\n".join(bad)


def test_layers_exist_and_are_scanned() -> None:
    for layer in ALLOWED:
        assert len(_files(layer)) >= 4, layer


def test_numeric_loads_no_sympy() -> None:
    modules = [p.stem for p in _files("numeric") if p.stem != "__init__"]
    code = ("import sys\n" + "".join(f"import derive.numeric.{m}\n" for m in modules)
            + "bad = [m for m in ('sympy', 'derive.reports', 'jinja2', 'matplotlib') "
              "if m in sys.modules]\nprint(bad)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_derive_loads_no_reports_or_plotting() -> None:
    code = ("import sys\nimport derive\nimport derive.cases\nderive.cases.registry()\n"
            "print([m for m in ('derive.reports', 'jinja2', 'matplotlib') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ---------------------------------------------------------------- no cycles between modules


def _module_name(path: Path) -> str:
    """numeric/fd.py -> derive.numeric.fd, reports/cli.py -> derive.reports.cli,
    derive/verify/run.py -> derive.verify.run (a package's __init__ is the package)."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts if parts[0] == "derive" else ["derive", *parts])


def _module_graph() -> dict[str, set[str]]:
    """module -> our modules it imports, at any depth (display methods aside)."""
    modules = {_module_name(p): p for layer in ALLOWED for p in _files(layer)}
    graph: dict[str, set[str]] = {m: set() for m in modules}

    def target(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for mod, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))

        def visit(node: ast.AST, func: str | None, mod: str = mod) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                    continue  # annotations only: never imported when the code runs
                inner = child.name if isinstance(child, (ast.FunctionDef,
                                                         ast.AsyncFunctionDef)) else func
                names: list[str] = []
                if isinstance(child, ast.Import):
                    names = [a.name for a in child.names]
                elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                    names = [f"{child.module}.{a.name}" for a in child.names] + [child.module]
                if func not in DISPLAY_METHODS:
                    for n in names:
                        t = target(n) if n.startswith("derive") else None
                        if t and t != mod and not mod.startswith(t + "."):
                            graph[mod].add(t)
                visit(child, inner)

        visit(tree, None)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_no_import_cycles_between_modules() -> None:
    """Issue 11: reports.context and reports.diagram imported each other. Function-level
    imports count too (a lazy import is still a dependency); display methods aside."""
    assert _cycles(_module_graph()) == []
