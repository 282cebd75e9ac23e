"""The check computes what the figures draw; the figures only draw it (and draw it once)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from derive.reports import build, figurerender, plots
from derive.reports.progress import Stages

from derive.check import check_case


@pytest.fixture(scope="module")
def sigmoid():
    return check_case("sigmoid", prove=False)


@pytest.fixture(scope="module")
def linear():
    return check_case("linear", prove=False)


def test_the_curve_is_the_derivative_the_rules_give(sigmoid) -> None:
    c = sigmoid.evidence.curve
    assert c.g0 == float(sigmoid.gradients[c.name].matrix)
    s = 1 / (1 + np.exp(-c.xs))
    np.testing.assert_allclose(c.ys, s, rtol=1e-12)
    np.testing.assert_allclose(c.dys, s * (1 - s), rtol=1e-12)  # σ' = σ(1 − σ)
    sd = 1 / (1 + np.exp(-c.xd))
    np.testing.assert_allclose(c.fd, sd * (1 - sd), rtol=1e-8)  # the dots: central differences


def test_the_step_errors_fall_then_rise(sigmoid) -> None:
    s = sigmoid.evidence.step_errors
    best = int(np.argmin(s.errors))
    assert 0 < best < len(s.hs) - 1  # truncation on one side, round-off on the other
    assert s.errors[0] > 100 * s.errors[best] and s.errors[-1] > 100 * s.errors[best]


def test_taylor_slopes_tell_right_from_wrong(linear) -> None:
    t = linear.evidence.taylor
    assert t.exact_slope == pytest.approx(2.0, abs=0.1)
    assert t.printed_slope == pytest.approx(1.0, abs=0.1)  # the documents' code lacks 1/N


def test_adjoints_end_in_the_gradients(linear) -> None:
    adj = linear.evidence.adjoints
    for w, g in linear.gradients.items():
        np.testing.assert_allclose(adj[w], g.matrix, rtol=1e-12)
    assert set(adj) >= {"P", "W", "B"}


def test_a_matrix_case_has_no_curve(linear) -> None:
    assert linear.evidence.curve is None and linear.evidence.step_errors is None


def test_figures_never_rerun_the_check(sigmoid, linear, monkeypatch, tmp_path: Path) -> None:
    results = [sigmoid, linear]
    for r in results:
        r.evidence  # noqa: B018 - computed by the check stage, before any figure
    import derive.numeric.fd as FD

    import derive.evidence as EV

    def refuse(*_a, **_k):
        raise AssertionError("a figure reran a computation")

    for mod, names in ((FD, ("central_gradient", "error_vs_step", "taylor_remainder_slope")),
                       (EV, ("central_gradient", "error_vs_step", "taylor_remainder_slope"))):
        for name in names:
            monkeypatch.setattr(mod, name, refuse)
    figs = build.figures(results, [], tmp_path / "figures", svg=True)
    assert {"plot-sigmoid", "diagram-linear", "taylor", "fd-error"} <= set(figs)


def test_figures_come_from_the_cache_the_second_time(sigmoid, tmp_path: Path) -> None:
    made = plots.make_plots([sigmoid], [])
    said: list[str] = []
    first = figurerender.render_all(made, True, True, cache_dir=tmp_path, progress=said.append)
    second = figurerender.render_all(made, True, True, cache_dir=tmp_path, progress=said.append)
    assert said == [f"0 of {len(made)} figures from the cache; drawing {len(made)}",
                    f"{len(made)} of {len(made)} figures from the cache; drawing 0"]
    assert first == second and all(svg and pdf.startswith(b"%PDF") for svg, pdf in first.values())


def test_figures_drawn_in_workers_are_the_same(sigmoid, linear, tmp_path: Path) -> None:
    made = plots.make_plots([sigmoid, linear], [])
    assert len(made) >= figurerender.POOL_MIN_MISSES  # so the two workers draw them
    pooled = figurerender.render_all(made, True, True, cache_dir=tmp_path / "a")
    serial = {p.name: figurerender.render(p.draw, p.args, p.name, True, True) for p in made}
    assert pooled == serial


def test_a_long_stage_is_announced_again_on_a_terminal(monkeypatch) -> None:
    import time

    import derive.reports.progress as P

    monkeypatch.setattr(P, "HEARTBEAT_S", 0.05)
    out = io.StringIO()
    with Stages(out, tty=True) as say:
        say("drawing figures")
        time.sleep(0.4)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("] drawing figures")
    assert any(line.endswith("] ... still drawing figures") for line in lines[1:])
    quiet = io.StringIO()
    with Stages(quiet, tty=False) as say:  # a log: one line per stage, nothing repeated
        say("drawing figures")
        time.sleep(0.2)
    assert len(quiet.getvalue().splitlines()) == 1
