"""Kalman filter kernels batched over tracks (state x = [x, y, z, vx, vy, vz], SI).

Shapes: x (n, 6), P (n, 6, 6), z (n, 3), R (n, 3, 3). Textbook symbols: F, Q, H, S, K, y.
Reference: Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to Tracking and
Navigation* (2001), §6.2.2 (discretised continuous white-noise acceleration model) and §5.2
(Kalman filter, Joseph-form covariance update).
"""

from __future__ import annotations

import numpy as np

__all__ = ["cv_model", "predict", "cv_predict", "update", "innovation", "mahalanobis_sq",
           "aer_to_enu_cov", "H_POS"]

H_POS = np.hstack([np.eye(3), np.zeros((3, 3))])


def cv_model(dt_s: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearly-constant-velocity F and Q for time steps ``dt_s`` (n,).

    F = [[I, dt·I], [0, I]];  Q = q·[[dt³/3·I, dt²/2·I], [dt²/2·I, dt·I]]  (BLK eq. 6.2.2-12),
    q the white-acceleration power spectral density (m²/s³).
    """
    dt = np.asarray(dt_s, dtype=float)[:, None, None]
    eye = np.eye(3)[None]
    n = dt.shape[0]
    F = np.zeros((n, 6, 6))
    F[:, :3, :3] = eye
    F[:, 3:, 3:] = eye
    F[:, :3, 3:] = dt * eye
    Q = np.empty((n, 6, 6))
    Q[:, :3, :3] = q * dt**3 / 3 * eye
    Q[:, :3, 3:] = q * dt**2 / 2 * eye
    Q[:, 3:, :3] = q * dt**2 / 2 * eye
    Q[:, 3:, 3:] = q * dt * eye
    return F, Q


def predict(x: np.ndarray, P: np.ndarray, F: np.ndarray, Q: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """x⁻ = F x;  P⁻ = F P Fᵀ + Q."""
    x_pred = np.einsum("nij,nj->ni", F, x)
    P_pred = F @ P @ np.swapaxes(F, -1, -2) + Q
    return x_pred, P_pred


def cv_predict(x: np.ndarray, P: np.ndarray, dt_s: np.ndarray, q: float | np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`predict` with the :func:`cv_model` F and Q, written out in 3×3 blocks.

    With P = [[A, B], [Bᵀ, C]] (position, cross, velocity blocks):
    A⁻ = A + dt(B + Bᵀ) + dt²C + q·dt³/3·I;  B⁻ = B + dt·C + q·dt²/2·I;  C⁻ = C + q·dt·I.
    Same result as F P Fᵀ + Q without forming F (fewer operations for many tracks).
    """
    dt = np.asarray(dt_s, dtype=float)
    x_pred = x.copy()
    x_pred[:, :3] += x[:, 3:] * dt[:, None]
    d = dt[:, None, None]
    eye = np.eye(3)[None]
    A, B, C = P[:, :3, :3], P[:, :3, 3:], P[:, 3:, 3:]
    Bt = np.swapaxes(B, -1, -2)
    P_pred = np.empty_like(P)
    P_pred[:, :3, :3] = A + d * (B + Bt) + d * d * C + q * d**3 / 3 * eye
    P_pred[:, :3, 3:] = B + d * C + q * d * d / 2 * eye
    P_pred[:, 3:, :3] = np.swapaxes(P_pred[:, :3, 3:], -1, -2)
    P_pred[:, 3:, 3:] = C + q * d * eye
    return x_pred, P_pred


def innovation(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """y = z − H x;  S = H P Hᵀ + R  (H selects position)."""
    y = z - x[..., :3]
    S = P[..., :3, :3] + R
    return y, S


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


def update(x: np.ndarray, P: np.ndarray, z: np.ndarray, R: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Kalman update with a position measurement.

    K = P Hᵀ S⁻¹;  x⁺ = x + K y;  P⁺ = (I − K H) P (I − K H)ᵀ + K R Kᵀ  (Joseph form).
    """
    y, S = innovation(x, P, z, R)
    PHt = P[..., :, :3]
    K = np.swapaxes(np.linalg.solve(S, np.swapaxes(PHt, -1, -2)), -1, -2)
    x_new = x + np.einsum("nij,nj->ni", K, y)
    IKH = np.eye(6)[None] - K @ H_POS[None]
    P_new = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    P_new = 0.5 * (P_new + np.swapaxes(P_new, -1, -2))
    return x_new, P_new


def aer_to_enu_cov(range_m: np.ndarray, az_rad: np.ndarray, el_rad: np.ndarray,
                   sigma_range_m: np.ndarray, sigma_az_rad: np.ndarray, sigma_el_rad: np.ndarray
                   ) -> np.ndarray:
    """Covariance (m, 3, 3) of the converted measurement (linearised: R = J Σ Jᵀ).

    With az clockwise from north: x = r·cos(el)·sin(az), y = r·cos(el)·cos(az), z = r·sin(el);
    J = ∂(x, y, z)/∂(r, az, el) analytically (Bar-Shalom et al. 2001, §10.4.3).
    """
    r, a, e = (np.asarray(v, dtype=float) for v in (range_m, az_rad, el_rad))
    ca, sa, ce, se = np.cos(a), np.sin(a), np.cos(e), np.sin(e)
    J = np.empty(r.shape + (3, 3))
    J[..., 0, 0], J[..., 1, 0], J[..., 2, 0] = ce * sa, ce * ca, se
    J[..., 0, 1], J[..., 1, 1], J[..., 2, 1] = r * ce * ca, -r * ce * sa, 0.0
    J[..., 0, 2], J[..., 1, 2], J[..., 2, 2] = -r * se * sa, -r * se * ca, r * ce
    var = np.stack([np.square(sigma_range_m), np.square(sigma_az_rad), np.square(sigma_el_rad)],
                   axis=-1)
    return (J * var[..., None, :]) @ np.swapaxes(J, -1, -2)
