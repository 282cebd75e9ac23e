"""--fix pastes code that holds at every size: derived at the example's shapes, pasted back,
and checked at two other shapes (issue 14: the batch size was baked in as 0.25 = 2/8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from derive.reports.fix import paste_code

from derive.errors import UserCodeError
from derive.usermodule import load
from derive.verify import verify, verify_module

EXAMPLES = sorted(p for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.py"))


def _resized(shapes: dict[str, tuple[int, ...]], extra: int) -> dict[str, tuple[int, ...]]:
    """Every size above 1 grown by a different amount per distinct size (1s broadcast)."""
    sizes = sorted({s for shape in shapes.values() for s in shape if s > 1})
    new = {s: s + extra * (i + 1) for i, s in enumerate(sizes)}
    return {k: tuple(new.get(s, s) for s in shape) for k, shape in shapes.items()}


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_pasted_fix_is_right_at_other_shapes(path: Path) -> None:
    module = load(path)
    try:
        result = verify_module(module, prove=False, points=1)
    except UserCodeError:
        pytest.skip("its own backward does not run (three_layer_as_printed, by design)")
    if result.traced is None:
        pytest.skip("numeric only: no fix to paste")
    code = paste_code(result.traced.backward, result.shapes)
    assert "0.25" not in code and "derived at" not in code
    namespace: dict = {}
    exec(compile(code, f"<fix of {path.name}>", "exec"), namespace)  # our own generated code
    inputs = module.optional_function("inputs")
    for extra in (1, 3):
        shapes = _resized(module.shapes(), extra)
        if inputs is not None:
            pytest.skip("inputs(rng) fixes the shapes")
        r = verify(module.function("forward"), namespace["backward"], shapes=shapes,
                   prove=False, points=2)
        assert r.ok, (path.name, shapes, [str(g) for g in r.gradients.values()])
