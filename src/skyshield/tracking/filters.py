"""Tracking filters batched over tracks: EKF and UKF for range/azimuth/elevation measurements,
the converted-measurement Kalman filter, coordinated-turn motion and the IMM.

State x = [x, y, z, vx, vy, vz] (m, m/s) in a Cartesian frame; shapes x (n, 6), P (n, 6, 6),
z (n, 3), R (n, 3, 3). Polar measurements are (range, azimuth, elevation) of the target seen
from a sensor at ``sensor_pos`` whose own axes are ``rot`` @ (frame axes) (identity by default),
with the **mathematical azimuth** az = atan2(y, x) (counter-clockwise from +x) and
el = atan2(z, √(x² + y²)). Azimuth residuals are wrapped to (−π, π].

References
----------
* Y. Bar-Shalom, X. R. Li, T. Kirubarajan, *Estimation with Applications to Tracking and
  Navigation* (2001): §5.2 Kalman filter, §10.3 EKF, §11.6 IMM estimator, §11.7.1 coordinated
  turn with known turn rate, §10.4.3 converted measurements.
* E. A. Wan, R. van der Merwe, "The unscented Kalman filter for nonlinear estimation" (2000):
  scaled unscented transform, weights Wm0 = λ/(L+λ), Wc0 = Wm0 + 1 − α² + β, Wi = 1/(2(L+λ)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from skyshield.tracking.kalman import H_POS

__all__ = [
    "wrap_angle", "polar_of", "polar_jacobian", "polar_to_cartesian", "ekf_update",
    "ukf_update", "polar_model", "ct_transition", "cv_transition", "white_accel_q",
    "ImmModel", "imm_transition", "imm_mix", "imm_combine", "gaussian_loglik",
]

Measure = Callable[[np.ndarray], np.ndarray]


def wrap_angle(a: np.ndarray) -> np.ndarray:
    """Angle(s) wrapped to [−π, π)."""
    return (np.asarray(a) + np.pi) % (2 * np.pi) - np.pi


def polar_of(rel: np.ndarray) -> np.ndarray:
    """(range, az, el) of relative positions rel (..., 3), az = atan2(y, x)."""
    x, y, z = rel[..., 0], rel[..., 1], rel[..., 2]
    rho = np.hypot(x, y)
    return np.stack([np.sqrt(rho * rho + z * z), np.arctan2(y, x), np.arctan2(z, rho)], axis=-1)


def polar_jacobian(rel: np.ndarray) -> np.ndarray:
    """∂(r, az, el)/∂(x, y, z) analytically (..., 3, 3).

    ∂r = p/r;  ∂az = (−y, x, 0)/ρ²;  ∂el = (−x·z/(r²ρ), −y·z/(r²ρ), ρ/r²),  ρ² = x² + y².
    """
    x, y, z = rel[..., 0], rel[..., 1], rel[..., 2]
    rho2 = x * x + y * y
    rho = np.sqrt(rho2)
    r2 = rho2 + z * z
    r = np.sqrt(r2)
    J = np.empty(rel.shape[:-1] + (3, 3))
    J[..., 0, 0], J[..., 0, 1], J[..., 0, 2] = x / r, y / r, z / r
    J[..., 1, 0], J[..., 1, 1], J[..., 1, 2] = -y / rho2, x / rho2, 0.0
    J[..., 2, 0] = -x * z / (r2 * rho)
    J[..., 2, 1] = -y * z / (r2 * rho)
    J[..., 2, 2] = rho / r2
    return J


def polar_model(sensor_pos: np.ndarray, rot: np.ndarray | None = None
                ) -> tuple[Measure, Measure]:
    """h(x) and its Jacobian H(x) (n, 3, 6) for a polar sensor at ``sensor_pos`` (3,) or (n, 3)
    with axes ``rot`` (3, 3) (frame → sensor; identity when None)."""
    R = np.eye(3) if rot is None else np.asarray(rot, dtype=float)

    def rel(x: np.ndarray) -> np.ndarray:
        return (x[..., :3] - sensor_pos) @ R.T

    def h(x: np.ndarray) -> np.ndarray:
        return polar_of(rel(x))

    def jac(x: np.ndarray) -> np.ndarray:
        Jp = polar_jacobian(rel(x)) @ R
        H = np.zeros(x.shape[:-1] + (3, 6))
        H[..., :3] = Jp
        return H

    return h, jac


def polar_to_cartesian(z: np.ndarray, sigma: np.ndarray, sensor_pos: np.ndarray | None = None,
                       rot: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Converted measurement: Cartesian position (m, 3) and covariance R = J Σ Jᵀ (m, 3, 3)
    for polar plots ``z`` (m, 3) with standard deviations ``sigma`` (3,) or (m, 3)
    (Bar-Shalom et al. 2001, §10.4.3, linearised conversion)."""
    r, a, e = z[:, 0], z[:, 1], z[:, 2]
    ca, sa, ce, se = np.cos(a), np.sin(a), np.cos(e), np.sin(e)
    local = np.stack([r * ce * ca, r * ce * sa, r * se], axis=1)
    J = np.empty((z.shape[0], 3, 3))
    J[:, 0, 0], J[:, 0, 1], J[:, 0, 2] = ce * ca, -r * ce * sa, -r * se * ca
    J[:, 1, 0], J[:, 1, 1], J[:, 1, 2] = ce * sa, r * ce * ca, -r * se * sa
    J[:, 2, 0], J[:, 2, 1], J[:, 2, 2] = se, 0.0, r * ce
    var = np.broadcast_to(np.square(sigma), z.shape)
    Rc = (J * var[:, None, :]) @ np.swapaxes(J, -1, -2)
    if rot is not None:
        Rt = np.asarray(rot, dtype=float).T  # sensor → frame
        local = local @ Rt.T
        Rc = Rt @ Rc @ Rt.T
    pos = local if sensor_pos is None else local + sensor_pos
    return pos, Rc


def _joseph(x: np.ndarray, P: np.ndarray, K: np.ndarray, H: np.ndarray, y: np.ndarray,
            R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x_new = x + np.einsum("nij,nj->ni", K, y)
    IKH = np.eye(x.shape[-1])[None] - K @ H
    P_new = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    return x_new, 0.5 * (P_new + np.swapaxes(P_new, -1, -2))


def ekf_update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray, h: Measure,
               jac: Measure, wrap: tuple[int, ...] = ()
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Extended Kalman update (BLK §10.3): y = z − h(x) (components ``wrap`` wrapped),
    H = ∂h/∂x at x, S = H P Hᵀ + R, K = P Hᵀ S⁻¹, Joseph-form covariance.
    Returns x⁺, P⁺, y, S."""
    H = jac(x)
    y = z - h(x)
    for i in wrap:
        y[:, i] = wrap_angle(y[:, i])
    PHt = P @ np.swapaxes(H, -1, -2)
    S = H @ PHt + R
    K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, -1, -2)), -1, -2)
    xn, Pn = _joseph(x, P, K, H, y, R)
    return xn, Pn, y, S


def ukf_update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray, h: Measure,
               wrap: tuple[int, ...] = (), alpha: float = 1.0, beta: float = 2.0,
               kappa: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unscented Kalman update (Wan & van der Merwe 2000) with 2L+1 scaled sigma points;
    angular components ``wrap`` are averaged and differenced on the circle around the central
    point. Returns x⁺, P⁺, y, S."""
    n, L = x.shape
    lam = alpha * alpha * (L + kappa) - L
    Wm = np.full(2 * L + 1, 1.0 / (2 * (L + lam)))
    Wc = Wm.copy()
    Wm[0] = lam / (L + lam)
    Wc[0] = Wm[0] + 1 - alpha * alpha + beta
    A = np.linalg.cholesky((L + lam) * P)  # (n, L, L), columns are the offsets
    off = np.swapaxes(A, -1, -2)  # (n, L, L) rows
    X = np.concatenate([x[:, None, :], x[:, None, :] + off, x[:, None, :] - off], axis=1)
    Z = h(X)  # (n, 2L+1, m)
    for i in wrap:
        Z[..., i] = Z[:, :1, i] + wrap_angle(Z[..., i] - Z[:, :1, i])
    zm = np.einsum("k,nkm->nm", Wm, Z)
    dZ = Z - zm[:, None, :]
    dX = X - x[:, None, :]
    S = np.einsum("k,nki,nkj->nij", Wc, dZ, dZ) + R
    Pxz = np.einsum("k,nki,nkj->nij", Wc, dX, dZ)
    y = z - zm
    for i in wrap:
        y[:, i] = wrap_angle(y[:, i])
    K = np.swapaxes(np.linalg.solve(S, np.swapaxes(Pxz, -1, -2)), -1, -2)
    xn = x + np.einsum("nij,nj->ni", K, y)
    Pn = P - K @ S @ np.swapaxes(K, -1, -2)
    return xn, 0.5 * (Pn + np.swapaxes(Pn, -1, -2)), y, S


def gaussian_loglik(y: np.ndarray, S: np.ndarray) -> np.ndarray:
    """ln N(y; 0, S) for batches of innovations."""
    m = y.shape[-1]
    sign, logdet = np.linalg.slogdet(S)
    d2 = np.einsum("ni,ni->n", y, np.linalg.solve(S, y[..., None])[..., 0])
    return -0.5 * (d2 + logdet + m * np.log(2 * np.pi))


# ------------------------------------------------------------------------- motion models


def white_accel_q(dt: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Q (n, 6, 6) of the discretised continuous white-noise acceleration model per axis,
    q (3,) the power spectral densities (m²/s³): [[dt³/3, dt²/2], [dt²/2, dt]]·q (BLK §6.2.2)."""
    d = np.asarray(dt, dtype=float)[:, None]
    qa = np.asarray(q, dtype=float)[None, :]
    Q = np.zeros((d.shape[0], 6, 6))
    idx = np.arange(3)
    Q[:, idx, idx] = qa * d**3 / 3
    Q[:, idx, idx + 3] = qa * d**2 / 2
    Q[:, idx + 3, idx] = qa * d**2 / 2
    Q[:, idx + 3, idx + 3] = qa * d
    return Q


def cv_transition(dt: np.ndarray) -> np.ndarray:
    d = np.asarray(dt, dtype=float)
    F = np.tile(np.eye(6), (d.size, 1, 1))
    F[:, [0, 1, 2], [3, 4, 5]] = d[:, None]
    return F


def ct_transition(dt: np.ndarray, omega: float) -> np.ndarray:
    """Coordinated turn at a known rate ω (rad/s, positive counter-clockwise) in the x-y plane,
    constant velocity in z (BLK §11.7.1, eq. 11.7.1-4); ω → 0 gives the CV matrix."""
    d = np.asarray(dt, dtype=float)
    F = cv_transition(d)
    if omega == 0.0:
        return F
    wt = omega * d
    s, c = np.sin(wt), np.cos(wt)
    F[:, 0, 3], F[:, 0, 4] = s / omega, -(1 - c) / omega
    F[:, 1, 3], F[:, 1, 4] = (1 - c) / omega, s / omega
    F[:, 3, 3], F[:, 3, 4] = c, -s
    F[:, 4, 3], F[:, 4, 4] = s, c
    return F


@dataclass(frozen=True)
class ImmModel:
    """One IMM motion model: coordinated-turn rate ω (0 = nearly constant velocity) and its
    white-acceleration densities q (x, y, z)."""

    omega_rad_s: float
    q: tuple[float, float, float]


def imm_transition(dt: np.ndarray, n_models: int, sojourn_s: float) -> np.ndarray:
    """Mode transition matrices Π(dt) (n, M, M) for a mean sojourn time τ in each mode:
    stay with probability exp(−dt/τ), switch to each other mode equally (a Markov chain in
    continuous time sampled at the actual update interval, so asynchronous sensors are exact)."""
    stay = np.exp(-np.asarray(dt, dtype=float) / sojourn_s)
    M = n_models
    Pi = np.empty((stay.size, M, M))
    Pi[:] = ((1 - stay) / (M - 1))[:, None, None]
    idx = np.arange(M)
    Pi[:, idx, idx] = stay[:, None]
    return Pi


def imm_mix(xm: np.ndarray, Pm: np.ndarray, mu: np.ndarray, Pi: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """IMM interaction (BLK §11.6.6 step 1): c_j = Σ_i Π_ij μ_i, μ_i|j = Π_ij μ_i / c_j,
    mixed x0_j and P0_j. Shapes xm (n, M, 6), Pm (n, M, 6, 6), mu (n, M), Pi (n, M, M).
    Returns x0 (n, M, 6), P0 (n, M, 6, 6) and the predicted mode probabilities c (n, M)."""
    w = Pi * mu[:, :, None]  # (n, i, j)
    c = w.sum(axis=1)
    w = w / np.maximum(c[:, None, :], 1e-300)
    x0 = np.einsum("nij,nik->njk", w, xm)
    dx = xm[:, :, None, :] - x0[:, None, :, :]  # (n, i, j, 6)
    P0 = np.einsum("nij,nikl->njkl", w, Pm) + np.einsum("nij,nijk,nijl->njkl", w, dx, dx)
    return x0, P0, c


def imm_combine(xm: np.ndarray, Pm: np.ndarray, mu: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Moment-matched combination (BLK §11.6.6 step 5): x = Σ μ_j x_j,
    P = Σ μ_j (P_j + (x_j − x)(x_j − x)ᵀ)."""
    x = np.einsum("nj,njk->nk", mu, xm)
    dx = xm - x[:, None, :]
    P = np.einsum("nj,njkl->nkl", mu, Pm) + np.einsum("nj,njk,njl->nkl", mu, dx, dx)
    return x, P


def linear_position_model() -> tuple[Measure, Measure]:
    """h(x) = position, H = [I 0] — the converted-measurement (linear) case."""
    def h(x: np.ndarray) -> np.ndarray:
        return x[..., :3].copy()

    def jac(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(H_POS, x.shape[:-1] + (3, 6)).copy()

    return h, jac
