"""Linear-Gaussian kernels batched over tracks (state x = [x, y, z, vx, vy, vz], SI): motion
models, the Kalman update in Joseph form, gating distances and the converted-measurement
covariance. Every other filter (EKF, UKF, IMM, JPDA) calls these; none re-derives them.

Shapes: x (n, 6), P (n, 6, 6), z (n, 3), R (n, 3, 3). Textbook symbols: F, Q, H, S, K, y.
Reference: Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001): §6.2.2 (discretised continuous white-noise acceleration model), §5.2
(Kalman filter, Joseph-form covariance update), §11.7.1 (coordinated turn), §10.4.3
(converted measurements).
"""

from __future__ import annotations

import numpy as np

__all__ = ["H_POS", "white_accel_q_blocks", "white_accel_q", "cv_transition", "ct_transition",
           "cv_model", "predict", "cv_predict", "innovation", "gain", "joseph_update", "update",
           "symmetrise", "mahalanobis_sq", "gaussian_loglik", "polar_cov", "polar_cov_trig",
           "aer_to_enu_cov"]

H_POS = np.hstack([np.eye(3), np.zeros((3, 3))])


# ------------------------------------------------------------------------- motion models


def white_accel_q_blocks(dt_s: np.ndarray, q: float | np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-axis entries of the position, position-velocity and velocity blocks of the
    discretised continuous white-noise acceleration Q for time steps ``dt_s`` (n,), q the
    white-acceleration power spectral density (m²/s³), one number or one per axis (x, y, z):
    per axis Q = q·[[dt³/3, dt²/2], [dt²/2, dt]]  (BLK eq. 6.2.2-12). Each block is diagonal;
    its entries come as (n, 3), or (n, 1) for one q."""
    d = np.asarray(dt_s, dtype=float)[:, None]
    return q * d**3 / 3, q * d * d / 2, q * d


def white_accel_q(dt_s: np.ndarray, q: float | np.ndarray) -> np.ndarray:
    """Q (n, 6, 6) of :func:`white_accel_q_blocks`."""
    qpp, qpv, qvv = white_accel_q_blocks(dt_s, np.asarray(q, dtype=float))
    Q = np.zeros((qpp.shape[0], 6, 6))
    idx = np.arange(3)
    Q[:, idx, idx] = qpp
    Q[:, idx, idx + 3] = Q[:, idx + 3, idx] = qpv
    Q[:, idx + 3, idx + 3] = qvv
    return Q


def cv_transition(dt_s: np.ndarray) -> np.ndarray:
    """F (n, 6, 6) of constant velocity: [[I, dt·I], [0, I]]."""
    d = np.asarray(dt_s, dtype=float)
    F = np.tile(np.eye(6), (d.size, 1, 1))
    F[:, [0, 1, 2], [3, 4, 5]] = d[:, None]
    return F


def ct_transition(dt_s: np.ndarray, omega: float) -> np.ndarray:
    """Coordinated turn at a known rate ω (rad/s, positive counter-clockwise) in the x-y plane,
    constant velocity in z (BLK §11.7.1, eq. 11.7.1-4); ω → 0 gives the CV matrix."""
    d = np.asarray(dt_s, dtype=float)
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


def cv_model(dt_s: np.ndarray, q: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearly-constant-velocity F and Q for time steps ``dt_s`` (n,)."""
    return cv_transition(dt_s), white_accel_q(dt_s, q)


def predict(x: np.ndarray, P: np.ndarray, F: np.ndarray, Q: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """x⁻ = F x;  P⁻ = F P Fᵀ + Q."""
    x_pred = np.einsum("nij,nj->ni", F, x)
    P_pred = F @ P @ np.swapaxes(F, -1, -2) + Q
    return x_pred, P_pred


def cv_predict(x: np.ndarray, P: np.ndarray, dt_s: np.ndarray, q: float | np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`predict` with the :func:`cv_model` F and Q, written out in 3×3 blocks.

    With P = [[A, B], [Bᵀ, C]] (position, cross, velocity blocks) and Q in the same blocks:
    A⁻ = A + dt(B + Bᵀ) + dt²C + Q_pp;  B⁻ = B + dt·C + Q_pv;  C⁻ = C + Q_vv.
    Same result as F P Fᵀ + Q without forming F (fewer operations for many tracks).
    """
    dt = np.asarray(dt_s, dtype=float)
    x_pred = x.copy()
    x_pred[:, :3] += x[:, 3:] * dt[:, None]
    d = dt[:, None, None]
    eye = np.eye(3)[None]
    qpp, qpv, qvv = white_accel_q_blocks(dt, q)
    A, B, C = P[:, :3, :3], P[:, :3, 3:], P[:, 3:, 3:]
    Bt = np.swapaxes(B, -1, -2)
    P_pred = np.empty_like(P)
    P_pred[:, :3, :3] = A + d * (B + Bt) + d * d * C + qpp[:, None, :] * eye
    P_pred[:, :3, 3:] = B + d * C + qpv[:, None, :] * eye
    P_pred[:, 3:, :3] = np.swapaxes(P_pred[:, :3, 3:], -1, -2)
    P_pred[:, 3:, 3:] = C + qvv[:, None, :] * eye
    return x_pred, P_pred


# ------------------------------------------------------------------------- update


def innovation(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """y = z − H x;  S = H P Hᵀ + R  (H selects position)."""
    y = z - x[..., :3]
    S = P[..., :3, :3] + R
    return y, S


def gain(PHt: np.ndarray, S: np.ndarray) -> np.ndarray:
    """K = P Hᵀ S⁻¹ (n, d, m) from P Hᵀ (n, d, m) and S (n, m, m), by a solve, not an inverse."""
    return np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, -1, -2)), -1, -2)


def symmetrise(P: np.ndarray) -> np.ndarray:
    """(P + Pᵀ)/2: removes the rounding asymmetry of a covariance update."""
    return 0.5 * (P + np.swapaxes(P, -1, -2))


def joseph_update(x: np.ndarray, P: np.ndarray, K: np.ndarray, H: np.ndarray, y: np.ndarray,
                  R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x⁺ = x + K y;  P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ  (Joseph form, BLK eq. 5.2.3-18:
    stays symmetric and positive definite for any gain K). H (n, m, d) or (1, m, d)."""
    x_new = x + np.einsum("nij,nj->ni", K, y)
    IKH = np.eye(x.shape[-1])[None] - K @ H
    P_new = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    return x_new, symmetrise(P_new)


def update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Kalman update with a position measurement: K = P Hᵀ S⁻¹, then :func:`joseph_update`."""
    y, S = innovation(x, P, z, R)
    K = gain(P[..., :, :3], S)
    return joseph_update(x, P, K, H_POS[None], y, R)


def mahalanobis_sq(y: np.ndarray, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """d² = yᵀ S⁻¹ y and ln|S| for many 3-vectors and symmetric 3×3 matrices.

    Closed-form 3×3 inverse by cofactors (S⁻¹ = adj(S)/|S|), which is several times faster
    than batched LAPACK for the small matrices of gating.
    """
    a, b, c = S[..., 0, 0], S[..., 0, 1], S[..., 0, 2]
    d, e, f = S[..., 1, 1], S[..., 1, 2], S[..., 2, 2]
    A = d * f - e * e
    B = c * e - b * f
    C = b * e - c * d
    det = a * A + b * B + c * C
    D = a * f - c * c
    E = b * c - a * e
    F = a * d - b * b
    x, yy, z = y[..., 0], y[..., 1], y[..., 2]
    q = (A * x * x + D * yy * yy + F * z * z + 2 * (B * x * yy + C * x * z + E * yy * z)) / det
    return q, np.log(det)


def gaussian_loglik(y: np.ndarray, S: np.ndarray) -> np.ndarray:
    """ln N(y; 0, S) for batches of innovations."""
    m = y.shape[-1]
    sign, logdet = np.linalg.slogdet(S)
    d2 = np.einsum("ni,ni->n", y, np.linalg.solve(S, y[..., None])[..., 0])
    return -0.5 * (d2 + logdet + m * np.log(2 * np.pi))


# ------------------------------------------------------------------------- converted plots


def polar_cov(range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray, sigma: np.ndarray,
              clockwise: bool) -> np.ndarray:
    """Covariance (..., 3, 3) of a plot converted from (range, azimuth, elevation) to Cartesian
    axes, linearised: R = J Σ Jᵀ, Σ = diag(σ²) with ``sigma`` (..., 3) = (σ_r, σ_az, σ_el)
    (BLK §10.4.3).

    ``clockwise``: azimuth from +y (north) towards +x (east), x = r·cos(el)·sin(az),
    y = r·cos(el)·cos(az); otherwise the mathematical azimuth from +x, x = r·cos(el)·cos(az),
    y = r·cos(el)·sin(az). With (u, v) the horizontal unit direction of the plot,
    J = [[u·ce, ±r·ce·v, −r·se·u], [v·ce, ∓r·ce·u, −r·se·v], [se, 0, r·ce]]; the sign of the
    azimuth column (+ clockwise) does not change R.
    """
    r, a, e = (np.asarray(v, dtype=float) for v in (range_m, az_rad, el_rad))
    return polar_cov_trig(r, np.cos(a), np.sin(a), np.cos(e), np.sin(e), sigma, clockwise)


def polar_cov_trig(r: np.ndarray, ca: np.ndarray, sa: np.ndarray, ce: np.ndarray,
                   se: np.ndarray, sigma: np.ndarray, clockwise: bool) -> np.ndarray:
    """:func:`polar_cov` from the cosines and sines of azimuth and elevation (for callers that
    have them already)."""
    u, v = (sa, ca) if clockwise else (ca, sa)
    J = np.empty(r.shape + (3, 3))
    J[..., 0, 0], J[..., 1, 0], J[..., 2, 0] = ce * u, ce * v, se
    if clockwise:
        J[..., 0, 1], J[..., 1, 1] = r * ce * v, -r * ce * u
    else:
        J[..., 0, 1], J[..., 1, 1] = -r * ce * v, r * ce * u
    J[..., 2, 1] = 0.0
    J[..., 0, 2], J[..., 1, 2], J[..., 2, 2] = -r * se * u, -r * se * v, r * ce
    var = np.broadcast_to(np.square(sigma), r.shape + (3,))
    return (J * var[..., None, :]) @ np.swapaxes(J, -1, -2)


def aer_to_enu_cov(range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray,
                   sigma_range_m: np.ndarray, sigma_az_rad: np.ndarray, sigma_el_rad: np.ndarray
                   ) -> np.ndarray:
    """:func:`polar_cov` of radar plots in ENU, azimuth clockwise from north (the scenario's
    convention), with the standard deviations given per component."""
    sigma = np.stack(np.broadcast_arrays(sigma_range_m, sigma_az_rad, sigma_el_rad), axis=-1)
    return polar_cov(range_m, az_rad, el_rad, sigma, clockwise=True)
