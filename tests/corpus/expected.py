"""The corpus manifest: what derive must say about every module in ``modules/``.

Each family has a right backward (``name.py``) and one with a realistic mistake
(``name__bug.py``). ``Family`` gives the checked gradients in order, the mistaken module's
wrong gradients with their diagnoses (every other gradient is right in both), and whether
the forward traces symbolically: all do except Python control flow on a differentiated
value, which no tracer can follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Family:
    gradients: tuple[str, ...]
    wrong: dict[str, str] = field(default_factory=dict)  # gradient -> diagnosis, in __bug
    traced: bool = True


@dataclass(frozen=True)
class Expected:
    verdicts: dict[str, str]
    diagnoses: dict[str, str]
    traced: bool

    @property
    def status(self) -> int:
        """The exit status `derive verify` gives: 0 all right, 1 any wrong."""
        return 1 if "wrong" in self.verdicts.values() else 0


_ALL = "entries"
FAMILIES: dict[str, Family] = {
    # layers (layer mode: backward(dout, cache) or backward(dout, **arrays))
    "affine_layer": Family(("x", "w", "b"), {"w": "transposed"}),
    "relu_layer": Family(("x",), {"x": "entries"}),
    "relu_book": Family(("x",), {"x": "entries"}),
    "sigmoid_layer": Family(("z",), {"z": "entries"}),
    "softmax_layer": Family(("z",), {"z": "entries"}),
    "dropout_layer": Family(("x",), {"x": "scaled"}),
    "batchnorm_graph": Family(("x", "gamma", "beta"), {"x": "entries"}),
    "batchnorm_compact": Family(("x", "gamma", "beta"), {"x": "entries"}),
    "layernorm": Family(("x", "g", "b"), {"g": "shape", "b": "shape"}),
    "attention": Family(("q", "k", "v"), {"q": "scaled"}),
    # losses with integer labels, vectorised and looped
    "softmax_loss_vec": Family(("W",), {"W": "scaled"}),
    "softmax_loss_loop": Family(("W",), {"W": "entries"}),
    "svm_loss_vec": Family(("W",), {"W": "entries"}),
    "svm_loss_loop": Family(("W",), {"W": "entries"}),
    "one_hot_xent": Family(("logits",), {"logits": "sign"}),
    "two_layer_net": Family(("W1", "b1", "W2", "b2"), {"W1": "entries", "b1": "entries"}),
    "logistic_regression": Family(("w", "b"), {"w": "sign"}),
    "l_layer_net": Family(("W1", "b1", "W2", "b2", "W3", "b3"),
                          {"b1": "scaled", "b2": "scaled", "b3": "scaled"}),
    # loops into buffers
    "conv_loops": Family(("x", "w", "b"), {"b": "shape"}),
    "maxpool_loops": Family(("x",), {"x": "entries"}),
    # recurrent steps and sequences, embeddings, temporal layers
    "rnn_step": Family(("x", "prev_h", "Wx", "Wh", "b"),
                       dict.fromkeys(("x", "prev_h", "Wx", "Wh", "b"), _ALL)),
    "rnn_sequence": Family(("x", "h0", "Wx", "Wh", "b"),
                           dict.fromkeys(("x", "h0", "Wx", "Wh", "b"), _ALL)),
    "lstm_step": Family(("x", "h", "c", "Wx", "Wh", "b"),
                        dict.fromkeys(("x", "h", "c", "Wx", "Wh", "b"), _ALL)),
    "word_embedding": Family(("W",), {"W": "entries"}),
    "temporal_affine": Family(("x", "w", "b"), {"b": "missing-sum"}),
    "temporal_softmax": Family(("x",), {"x": "entries"}),
    # regularisation, factorisation, generative models, robust and clipped objectives
    "l2_regularised": Family(("W", "b"), {"W": "entries"}),
    "matrix_factorisation": Family(("U", "V"), {"U": "entries", "V": "entries"}),
    "vae_loss": Family(("mu", "logvar", "Wd"), {"logvar": "entries"}),
    "huber_loss": Family(("w",), {"w": "entries"}),
    "clipped_objective": Family(("logp",), {"logp": "entries"}),
    # Python control flow on a differentiated value: finite differences only
    "piecewise_loop": Family(("x",), {"x": "entries"}, traced=False),
}


def expected() -> dict[str, Expected]:
    """Module name -> what derive must say about it."""
    out: dict[str, Expected] = {}
    for name, fam in FAMILIES.items():
        out[name] = Expected(dict.fromkeys(fam.gradients, "ok"), {}, fam.traced)
        bad = {g: "wrong" if g in fam.wrong else "ok" for g in fam.gradients}
        out[f"{name}__bug"] = Expected(bad, dict(fam.wrong), fam.traced)
    return out
