"""``derive list``: the documents' cases, one line each (name, title, source)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "list", help="the documents' cases, one line each",
        description="List every case: its name (for derive show/check), its title, and its "
                    "source (document file and section heading).")
    parser.set_defaults(run=run)
    return parser


def lines() -> list[str]:
    from derive.cases import registry

    cases = list(registry().values())
    width = max(len(c.name) for c in cases)
    twidth = max(len(c.title) for c in cases)
    return [f"{c.name:<{width}}  {c.title:<{twidth}}  {c.source}" for c in cases]


def run(args: argparse.Namespace) -> int:
    print("\n".join(lines()))
    return 0
