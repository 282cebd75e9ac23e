"""A clipped surrogate objective (policy-gradient style): the probability ratio clipped to
[1 - eps, 1 + eps], the smaller of the two terms taken per sample."""

import numpy as np

EPS = 0.2
SHAPES = {"logp": (6,)}


def inputs(rng):
    return {"logp": rng.normal(0, 0.3, 6), "old_logp": rng.normal(0, 0.3, 6),
            "adv": rng.standard_normal(6)}


def forward(logp, old_logp, adv):
    ratio = np.exp(logp - old_logp)
    clipped = np.clip(ratio, 1 - EPS, 1 + EPS)
    return -np.mean(np.minimum(ratio * adv, clipped * adv))


def backward(logp, old_logp, adv):
    ratio = np.exp(logp - old_logp)
    clipped = np.clip(ratio, 1 - EPS, 1 + EPS)
    unclipped_wins = ratio * adv <= clipped * adv
    return {"logp": -np.where(unclipped_wins, adv * ratio, 0.0) / logp.shape[0]}
