"""A VAE's loss: Gaussian reparameterisation with fixed noise eps, a linear decoder, squared
reconstruction error and the KL divergence to N(0, I)."""

import numpy as np

SHAPES = {"mu": (3, 2), "logvar": (3, 2), "eps": (3, 2), "Wd": (2, 4), "x": (3, 4)}


def forward(mu, logvar, eps, Wd, x):
    z = mu + np.exp(0.5 * logvar) * eps
    recon = np.sum((z @ Wd - x) ** 2)
    kl = -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar))
    return (recon + kl) / x.shape[0]


def backward(mu, logvar, eps, Wd, x):
    n = x.shape[0]
    std = np.exp(0.5 * logvar)
    z = mu + std * eps
    dz = 2 * (z @ Wd - x) @ Wd.T / n
    return {"mu": dz + mu / n, "logvar": dz * eps * 0.5 * std + 0.5 * (np.exp(logvar) - 1) / n,
            "Wd": 2 * z.T @ (z @ Wd - x) / n}
