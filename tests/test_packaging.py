"""Every package in the checkout is shipped: a subpackage missing from pyproject's list installs
fine in editable mode and breaks only from a wheel, which is what users and CI install."""

from __future__ import annotations

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> tuple[set[str], dict[str, str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    return set(config["packages"]), config["package-dir"]


def _on_disk(package_dir: dict[str, str]) -> set[str]:
    found = set()
    for name, folder in package_dir.items():
        base = ROOT / folder
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base).parts
            if "__pycache__" not in rel:
                found.add(".".join((name, *rel)))
    return found


def test_every_package_on_disk_is_declared() -> None:
    declared, package_dir = _declared()
    missing = _on_disk(package_dir) - declared
    assert not missing, f"add to [tool.setuptools] packages: {sorted(missing)}"


def test_every_declared_package_exists() -> None:
    declared, package_dir = _declared()
    assert declared <= _on_disk(package_dir) | {"derive.numeric.datasets",
                                                 "derive.reports.templates"}
