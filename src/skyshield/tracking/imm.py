"""The interacting multiple model (IMM) estimator as pure kernels batched over tracks.

Each track carries M model-conditioned states xm (n, M, 6), covariances Pm (n, M, 6, 6) and mode
probabilities mu (n, M). A cycle is :func:`predict` (interaction/mixing, then each model's own
prediction) followed by :func:`update` (each model's Kalman update with a position measurement,
mode probabilities from the innovation likelihoods, moment-matched combination). The models are
coordinated turns at known rates ω (ω = 0: nearly constant velocity) with their own
white-acceleration densities.

Reference: Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001), §11.6.6 (the IMM estimator, steps 1–5), §11.7.1 (coordinated turn).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.tracking import kalman

__all__ = ["ImmModel", "transition", "mix", "combine", "predict", "update"]


@dataclass(frozen=True)
class ImmModel:
    """One IMM motion model: coordinated-turn rate ω (0 = nearly constant velocity) and its
    white-acceleration densities q (x, y, z)."""

    omega_rad_s: float
    q: tuple[float, float, float]


def transition(dt_s: np.ndarray, n_models: int, sojourn_s: float) -> np.ndarray:
    """Mode transition matrices Π(dt) (n, M, M) for a mean sojourn time τ in each mode:
    stay with probability exp(−dt/τ), switch to each other mode equally (a Markov chain in
    continuous time sampled at the actual update interval, so asynchronous sensors are exact)."""
    stay = np.exp(-np.asarray(dt_s, dtype=float) / sojourn_s)
    M = n_models
    Pi = np.empty((stay.size, M, M))
    Pi[:] = ((1 - stay) / (M - 1))[:, None, None]
    idx = np.arange(M)
    Pi[:, idx, idx] = stay[:, None]
    return Pi


def mix(xm: np.ndarray, Pm: np.ndarray, mu: np.ndarray, Pi: np.ndarray
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interaction (BLK §11.6.6 step 1): c_j = Σ_i Π_ij μ_i, μ_i|j = Π_ij μ_i / c_j, mixed
    x0_j = Σ_i μ_i|j x_i and P0_j = Σ_i μ_i|j (P_i + (x_i − x0_j)(x_i − x0_j)ᵀ).
    Returns x0 (n, M, 6), P0 (n, M, 6, 6) and the predicted mode probabilities c (n, M)."""
    w = Pi * mu[:, :, None]  # (n, i, j)
    c = w.sum(axis=1)
    w = w / np.maximum(c[:, None, :], 1e-300)
    x0 = np.einsum("nij,nik->njk", w, xm)
    dx = xm[:, :, None, :] - x0[:, None, :, :]  # (n, i, j, 6)
    P0 = np.einsum("nij,nikl->njkl", w, Pm) + np.einsum("nij,nijk,nijl->njkl", w, dx, dx)
    return x0, P0, c


def combine(xm: np.ndarray, Pm: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moment-matched combination (BLK §11.6.6 step 5): x = Σ μ_j x_j,
    P = Σ μ_j (P_j + (x_j − x)(x_j − x)ᵀ)."""
    x = np.einsum("nj,njk->nk", mu, xm)
    dx = xm - x[:, None, :]
    P = np.einsum("nj,njkl->nkl", mu, Pm) + np.einsum("nj,njk,njl->nkl", mu, dx, dx)
    return x, P


def predict(xm: np.ndarray, Pm: np.ndarray, mu: np.ndarray, dt_s: np.ndarray,
            models: tuple[ImmModel, ...], sojourn_s: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steps 1–2 over ``dt_s`` (n,): mixing, then each model's prediction x⁻ = F x0,
    P⁻ = F P0 Fᵀ + Q (F the coordinated turn at the model's ω, Q its white acceleration).
    Returns the per-model predictions xm⁻ (n, M, 6), Pm⁻ (n, M, 6, 6), the predicted mode
    probabilities c (n, M) and their combination x⁻ (n, 6), P⁻ (n, 6, 6) (for gating)."""
    Pi = transition(dt_s, len(models), sojourn_s)
    x0, P0, c = mix(xm, Pm, mu, Pi)
    xmp = np.empty_like(x0)
    Pmp = np.empty_like(P0)
    for j, mod in enumerate(models):
        F = kalman.ct_transition(dt_s, mod.omega_rad_s)
        Q = kalman.white_accel_q(dt_s, np.asarray(mod.q))
        xmp[:, j], Pmp[:, j] = kalman.predict(x0[:, j], P0[:, j], F, Q)
    xp, Pp = combine(xmp, Pmp, c)
    return xmp, Pmp, c, xp, Pp


def update(xmp: np.ndarray, Pmp: np.ndarray, c: np.ndarray, z: np.ndarray, R: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Steps 3–5 with position measurements z (n, 3), R (n, 3, 3): each model's Kalman update,
    μ_j ∝ c_j·N(y_j; 0, S_j), and the combination. Returns xm⁺, Pm⁺, μ⁺, x⁺, P⁺."""
    n, M = c.shape
    xmu, Pmu, ll = np.empty_like(xmp), np.empty_like(Pmp), np.empty((n, M))
    for j in range(M):
        y, S = kalman.innovation(xmp[:, j], Pmp[:, j], z, R)
        ll[:, j] = kalman.gaussian_loglik(y, S)
        xmu[:, j], Pmu[:, j] = kalman.update(xmp[:, j], Pmp[:, j], z, R)
    w = np.log(np.maximum(c, 1e-300)) + ll
    mu = np.exp(w - w.max(axis=1, keepdims=True))
    mu /= mu.sum(axis=1, keepdims=True)
    xu, Pu = combine(xmu, Pmu, mu)
    return xmu, Pmu, mu, xu, Pu
