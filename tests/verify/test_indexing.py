"""Indexing is traced: the adjoint scatters back (adding where an entry is taken twice); the
proof works."""

from __future__ import annotations

import numpy as np

from derive.verify import verify

SHAPES = {"W": (3, 4), "x": (2, 3)}


def forward(W, x):
    h = x @ W
    return np.sum(h[:, 0] ** 2) + np.sum(np.log1p(np.exp(h[1:, 1:])))


def backward(W, x):
    h = x @ W
    g = np.zeros_like(h)
    g[:, 0] = 2 * h[:, 0]
    g[1:, 1:] = 1 / (1 + np.exp(-h[1:, 1:]))
    return {"W": x.T @ g}


def test_slices_and_log1p_are_traced_and_right() -> None:
    r = verify(forward, backward, shapes=SHAPES, prove=False)
    g = r.gradients["W"]
    assert r.ok and g.verdict == "ok" and not g.numeric_only


def test_a_forgotten_slice_term_is_located() -> None:
    def wrong(W, x):
        h = x @ W
        g = np.zeros_like(h)
        g[1:, 1:] = 1 / (1 + np.exp(-h[1:, 1:]))  # the h[:, 0] ** 2 term is missing
        return {"W": x.T @ g}

    g = verify(forward, wrong, shapes=SHAPES, prove=False).gradients["W"]
    assert g.verdict == "wrong" and not g.numeric_only
    assert {e[1] for e in g.entries} == {0}  # only column 0 of W is wrong


def test_the_proof_goes_through_indexing() -> None:
    r = verify(forward, backward, shapes=SHAPES, prove=True)
    assert "every entry" in (r.proof_note or ""), r.proof_note


def test_fancy_indexing_is_traced_and_repeats_add_up() -> None:
    def fwd(x):
        return np.sum(x[[0, 2, 2]] ** 2)

    def bwd(x):
        g = np.zeros_like(x)
        g[[0, 2]] = 2 * x[[0, 2]]
        g[2] *= 2  # selected twice: both contributions
        return {"x": g}

    def half(x):
        g = bwd(x)["x"]
        g[2] /= 2  # the classic slip: assignment instead of accumulation
        return {"x": g}

    g = verify(fwd, bwd, shapes={"x": (3,)}, prove=True).gradients["x"]
    assert g.verdict == "ok" and not g.numeric_only and g.proof is not None and g.proof.proved
    g = verify(fwd, half, shapes={"x": (3,)}, prove=False).gradients["x"]
    assert (g.verdict, g.diagnosis, g.entries) == ("wrong", "entries", [(2,)])


def test_the_pasted_fix_defines_scatter_and_is_right() -> None:
    from derive.reports.fix import paste_code

    def wrong(W, x):
        return {"W": np.zeros((3, 4))}

    r = verify(forward, wrong, shapes=SHAPES, prove=False)
    assert r.traced is not None
    code = paste_code(r.traced.backward, r.shapes)
    assert "def scatter(" in code
    namespace: dict = {}
    exec(compile(code, "<pasted>", "exec"), namespace)  # our own generated code
    assert verify(forward, namespace["backward"], shapes=SHAPES, prove=False).ok
