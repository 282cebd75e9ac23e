"""Limits on what a user may ask for, so that bad input fails fast instead of running away.

Every limit is far above what a gradient check needs (a check is about the formula, which
holds at any size; small shapes find the same mistakes) and far below what would exhaust a
laptop. Each is refused in one line naming the size asked for and the limit
(docs/robustness.md lists them). The checks live in ``derive.usermodule`` and the commands.
"""

from __future__ import annotations

# All inputs of one point together, as float64: the check holds K points, the user's
# gradients, the derived ones and finite-difference copies, so a few times this in memory.
MAX_INPUT_BYTES = 256 * 2**20

# All points together (K points of all inputs), as float64: what the check holds at once.
MAX_POINTS_BYTES = 2**30

# Dimensions of one array: numpy 1.x's own limit, and far more than any layer uses.
MAX_DIMS = 32

# Random points per check: each costs a forward and a backward; 1000 is already slow.
MAX_POINTS = 1000

# Seeds: numpy's legacy RandomState (used by ``derive train``) takes [0, 2**32).
MAX_SEED = 2**32 - 1

# A user's FILE.py: a source file of megabytes is not a forward/backward pair.
MAX_SOURCE_BYTES = 10 * 2**20

# Hidden units of ``derive train two-layer``: the (rows x hidden) activations of the
# Boston data stay below ~30 MB each.
MAX_HIDDEN = 10_000

# Training steps of ``derive train``: the loss curve alone is 8 bytes a step.
MAX_ITERATIONS = 10_000_000

# Seconds a ``derive verify`` may run (import, forward, backward, the whole check) before
# it is stopped: a deep network at the default shapes takes a few seconds.
DEFAULT_TIMEOUT = 120.0

# A name (an argument of forward) printed in a message or a verdict line is cut here.
MAX_NAME = 80


def human_bytes(n: int) -> str:
    """8000000000 -> '7.5 GiB': sizes in messages, in binary units as memory is counted."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.3g} {unit}"
        size /= 1024
    return f"{size:.3g} PiB"  # pragma: no cover - the loop always returns


def short_name(name: str, limit: int = MAX_NAME) -> str:
    """A name cut to ``limit`` characters, saying how long it was."""
    if len(name) <= limit:
        return name
    return f"{name[: limit - 3]}... ({len(name)} characters)"
