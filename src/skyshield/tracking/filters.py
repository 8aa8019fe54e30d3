"""Nonlinear measurement kernels batched over tracks: EKF and UKF updates for
range/azimuth/elevation plots and the converted measurement. The linear parts (motion models, Q,
gain, Joseph form) are :mod:`skyshield.tracking.kalman`'s; the IMM is :mod:`~.imm`, JPDA
:mod:`~.jpda`.

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

import numpy as np

from skyshield.geo import wrap_angle
from skyshield.tracking.kalman import H_POS, gain, joseph_update, polar_cov_trig, symmetrise

__all__ = ["wrap_angle", "polar_of", "polar_jacobian", "polar_to_cartesian", "ekf_update",
           "ukf_update", "polar_model", "linear_position_model"]

Measure = Callable[[np.ndarray], np.ndarray]


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
    Rc = polar_cov_trig(r, ca, sa, ce, se, sigma, clockwise=False)
    if rot is not None:
        Rt = np.asarray(rot, dtype=float).T  # sensor → frame
        local = local @ Rt.T
        Rc = Rt @ Rc @ Rt.T
    pos = local if sensor_pos is None else local + sensor_pos
    return pos, Rc


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
    xn, Pn = joseph_update(x, P, gain(PHt, S), H, y, R)
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
    K = gain(Pxz, S)
    xn = x + np.einsum("nij,nj->ni", K, y)
    Pn = P - K @ S @ np.swapaxes(K, -1, -2)
    return xn, symmetrise(Pn), y, S


def linear_position_model() -> tuple[Measure, Measure]:
    """h(x) = position, H = [I 0] — the converted-measurement (linear) case."""
    def h(x: np.ndarray) -> np.ndarray:
        return x[..., :3].copy()

    def jac(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(H_POS, x.shape[:-1] + (3, 6)).copy()

    return h, jac
