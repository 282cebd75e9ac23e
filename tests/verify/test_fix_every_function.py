"""--fix for every function the tracer maps: the pasted module compiles, and pasted back as the
backward it verifies (issue 13: np.sign pasted DiracDelta, a 3-D gradient crashed --fix)."""

from __future__ import annotations

import numpy as np
import pytest
from derive.reports.fix import fix_text, paste_code

from derive.functions import TABLE
from derive.verify import verify

# Inputs inside each row's domain, away from kinks (a kink is judged, not fixed).
DOMAIN_DRAW = {
    "real": lambda rng, shape: rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape),
    "positive": lambda rng, shape: rng.uniform(0.3, 2.0, shape),
    "unit": lambda rng, shape: rng.uniform(-0.8, 0.8, shape),
}

TRACED = sorted(name for name, row in TABLE.items() if row.ufuncs)


def _case(name: str, shape: tuple[int, ...]):
    ufunc = TABLE[name].ufuncs[0]
    draw = DOMAIN_DRAW[TABLE[name].domain]

    def forward(x):
        return np.sum(ufunc(x) * x)

    def wrong(x):  # the product rule with the f' term forgotten
        return {"x": ufunc(x)}

    return forward, wrong, (lambda rng: {"x": draw(rng, shape)})


@pytest.mark.parametrize("name", TRACED)
@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 2)], ids=["2d", "3d"])
def test_pasted_fix_compiles_and_verifies(name: str, shape: tuple[int, ...]) -> None:
    forward, wrong, inputs = _case(name, shape)
    result = verify(forward, wrong, inputs=inputs, prove=False, points=1)
    assert result.traced is not None, result.fallback_reason
    text = fix_text(result)  # never raises, whatever the rank
    assert "DiracDelta" not in text
    code = paste_code(result.traced.backward, result.shapes)
    namespace: dict = {}
    exec(compile(code, f"<fix of {name}>", "exec"), namespace)  # our own generated code
    again = verify(forward, namespace["backward"], inputs=inputs, prove=False, points=2)
    assert again.ok, (name, {k: g.verdict for k, g in again.gradients.items()})
