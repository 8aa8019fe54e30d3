"""WGS 84 geodesy kernels: geodetic <-> ECEF <-> local ENU <-> AER.

Axis convention: every Cartesian vector has its three components on the LAST axis,
shape ``(..., 3)``; rotation matrices have shape ``(..., 3, 3)``.  Angles are radians,
lengths metres.  All functions broadcast, so one call serves a single point and a batch.

References
----------
* NIMA TR8350.2, "Department of Defense World Geodetic System 1984", 3rd ed. (2000):
  a = 6378137 m, 1/f = 298.257223563.
* H. Vermeille, "Direct transformation from geocentric coordinates to geodetic
  coordinates", J. Geodesy 76, 451-454 (2002); with the accuracy refinements of
  C. F. F. Karney (GeographicLib ``Geocentric``).
* J. Farrell, "Aided Navigation: GPS with High Rate Sensors" (2008), sec. 2.3 (ENU frame).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "WGS84_A_M",
    "WGS84_B_M",
    "WGS84_E2",
    "WGS84_F",
    "aer_to_enu",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_velocity_to_enu",
    "enu_rotation",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_to_geodetic",
    "enu_velocity_to_ecef",
    "geodetic_to_ecef",
    "geodetic_to_enu",
]

FloatArray = NDArray[np.float64]

WGS84_A_M: float = 6378137.0
"""Semi-major (equatorial) axis a [m] (NIMA TR8350.2)."""
WGS84_F: float = 1.0 / 298.257223563
"""Flattening f (NIMA TR8350.2)."""
WGS84_B_M: float = WGS84_A_M * (1.0 - WGS84_F)
"""Semi-minor (polar) axis b = a(1 - f) [m] (6356752.314245...)."""
WGS84_E2: float = WGS84_F * (2.0 - WGS84_F)
"""First eccentricity squared e^2 = f(2 - f)."""

_E4: float = WGS84_E2 * WGS84_E2
_E2M: float = (1.0 - WGS84_F) ** 2  # 1 - e^2, computed without cancellation


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def geodetic_to_ecef(lat_rad: ArrayLike, lon_rad: ArrayLike, h_m: ArrayLike) -> FloatArray:
    """Geodetic latitude, longitude, ellipsoidal height -> ECEF position.

    N(φ) = a / √(1 − e² sin²φ)
    X = (N + h) cosφ cosλ,  Y = (N + h) cosφ sinλ,  Z = (N(1 − e²) + h) sinφ

    Parameters are radians and metres and broadcast together.  Returns ECEF metres,
    shape ``(..., 3)``.  Reference: NIMA TR8350.2 eq. 4-14; Farrell (2008) eq. 2.9.
    """
    phi, lam, h = np.broadcast_arrays(_f(lat_rad), _f(lon_rad), _f(h_m))
    sphi, cphi = np.sin(phi), np.cos(phi)
    N = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * sphi * sphi)
    x = (N + h) * cphi * np.cos(lam)
    y = (N + h) * cphi * np.sin(lam)
    z = (N * _E2M + h) * sphi
    return np.stack([x, y, z], axis=-1)


def ecef_to_geodetic(xyz_m: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF position -> (lat_rad, lon_rad, h_m), closed form (no iteration).

    Vermeille (2002) closed-form solution of the quartic for the foot point, in the
    cancellation-free arrangement used by GeographicLib (Karney):

        p = (R/a)²,  q = (1 − e²)(Z/a)²,  r = (p + q − e⁴)/6,   R = √(X² + Y²)
        s = e⁴ p q / (4 r³),  t = ∛(1 + s ± √(s(2 + s))),  u = r(1 + t + 1/t)
        v = √(u² + e⁴ q),  w = e²(u + v − q)/(2v),  k = √(u + v + w²) − w
        φ = atan2(Z/k, R/(k + e²)),  h = (k + e² − 1)/k · √(d² + Z²),  d = kR/(k + e²)

    Inside the evolute (disc < 0) the trigonometric cube root is used; on the equatorial
    plane inside the evolute (q = 0, r ≤ 0) the limit formula is used.  Accurate to
    nanometres for any point, including the poles, the centre and |h| ≫ 1e6 m.

    ``xyz_m`` has shape ``(..., 3)``.  Longitude is in (−π, π].
    """
    xyz = _f(xyz_m)
    X, Y, Z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    a, e2, e4, e2m = WGS84_A_M, WGS84_E2, _E4, _E2M
    R = np.hypot(X, Y)
    p = (R / a) ** 2
    q = e2m * (Z / a) ** 2
    r = (p + q - e4) / 6.0
    # the equatorial-plane limit also for |Z| below ~6 µm (q < 1e-24): there the general
    # formulas lose all precision to underflow (e.g. Z = 1e-151 m at the centre) while the
    # limit is exact to far below a micrometre
    special = (q < 1e-24) & (r <= 0.0)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        S = e4 * p * q / 4.0  # S = r³ s
        r2 = r * r
        r3 = r * r2
        disc = S * (2.0 * r3 + S)
        # Real-root branch (disc >= 0): pick the sign of √disc that maximises |T³|.
        T3 = r3 + S
        T3 = T3 + np.where(T3 < 0.0, -1.0, 1.0) * np.sqrt(np.maximum(disc, 0.0))
        T = np.cbrt(T3)  # T = r t
        u_real = r + T + np.where(T != 0.0, r2 / np.where(T != 0.0, T, 1.0), 0.0)
        # Three-real-root branch (disc < 0, implies r < 0).
        ang = np.arctan2(np.sqrt(np.maximum(-disc, 0.0)), -(S + r3))
        u_trig = r + 2.0 * r * np.cos(ang / 3.0)
        u = np.where(disc >= 0.0, u_real, u_trig)
        v = np.sqrt(u * u + e4 * q)
        uv = np.where(u < 0.0, e4 * q / (v - u), u + v)  # u + v without cancellation
        w = np.maximum(0.0, e2 * (uv - q) / (2.0 * v))
        k = uv / (np.sqrt(uv + w * w) + w)
        d = k * R / (k + e2)
        phi_gen = np.arctan2(Z / k, R / (k + e2))
        h_gen = (1.0 - e2m / k) * np.hypot(d, Z)

        # Equatorial plane inside the evolute: limit of the formulas as Z -> 0.
        zz = np.sqrt(np.maximum(e4 - p, 0.0) / e2m)
        xx = np.sqrt(p)
        phi_sp = np.arctan2(zz, xx)
        phi_sp = np.where(Z < 0.0, -phi_sp, phi_sp)
        h_sp = -a * e2m * np.hypot(xx, zz) / e2

    lat = np.where(special, phi_sp, phi_gen)
    h = np.where(special, h_sp, h_gen)
    lon = np.arctan2(Y, X)
    return lat, lon, h


def enu_rotation(lat0_rad: ArrayLike, lon0_rad: ArrayLike) -> FloatArray:
    """Rotation matrix C (..., 3, 3) taking ECEF difference vectors to local ENU.

        | e |   | −sinλ        cosλ        0    |   | ΔX |
        | n | = | −sinφ cosλ  −sinφ sinλ  cosφ | · | ΔY |
        | u |   |  cosφ cosλ   cosφ sinλ  sinφ |   | ΔZ |

    Rows are the east, north and up unit vectors (geodetic up, normal to the ellipsoid).
    Reference: Farrell (2008) eq. 2.24; MathWorks ``ecef2enuv``.
    """
    phi, lam = np.broadcast_arrays(_f(lat0_rad), _f(lon0_rad))
    sphi, cphi = np.sin(phi), np.cos(phi)
    slam, clam = np.sin(lam), np.cos(lam)
    zero = np.zeros_like(phi)
    rows = [
        np.stack([-slam, clam, zero], axis=-1),
        np.stack([-sphi * clam, -sphi * slam, cphi], axis=-1),
        np.stack([cphi * clam, cphi * slam, sphi], axis=-1),
    ]
    return np.stack(rows, axis=-2)


def ecef_velocity_to_enu(v_ecef: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike) -> FloatArray:
    """Rotate an ECEF vector (e.g. velocity, m/s) into ENU: v_enu = C · v_ecef.

    Pure rotation (no translation).  Shapes ``(..., 3)``.  Reference: MathWorks
    ``ecef2enuv``; Farrell (2008) eq. 2.24.
    """
    C = enu_rotation(lat0_rad, lon0_rad)
    return np.einsum("...ij,...j->...i", C, _f(v_ecef))


def enu_velocity_to_ecef(v_enu: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike) -> FloatArray:
    """Rotate an ENU vector (e.g. velocity, m/s) into ECEF: v_ecef = Cᵀ · v_enu.

    Pure rotation, inverse of :func:`ecef_velocity_to_enu` (C is orthonormal).
    Reference: MathWorks ``enu2ecefv``.
    """
    C = enu_rotation(lat0_rad, lon0_rad)
    return np.einsum("...ji,...j->...i", C, _f(v_enu))


def ecef_to_enu(
    xyz_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> FloatArray:
    """ECEF position -> ENU position about the origin (lat0, lon0, h0).

    enu = C(φ0, λ0) · (r − r0),  r0 = geodetic_to_ecef(φ0, λ0, h0).
    Shapes ``(..., 3)``.  Reference: MathWorks ``ecef2enu``; Farrell (2008) sec. 2.3.
    """
    r0 = geodetic_to_ecef(lat0_rad, lon0_rad, h0_m)
    return ecef_velocity_to_enu(_f(xyz_m) - r0, lat0_rad, lon0_rad)


def enu_to_ecef(
    enu_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> FloatArray:
    """ENU position about (lat0, lon0, h0) -> ECEF position: r = r0 + Cᵀ · enu.

    Reference: MathWorks ``enu2ecef``.
    """
    r0 = geodetic_to_ecef(lat0_rad, lon0_rad, h0_m)
    return r0 + enu_velocity_to_ecef(enu_m, lat0_rad, lon0_rad)


def geodetic_to_enu(
    lat_rad: ArrayLike,
    lon_rad: ArrayLike,
    h_m: ArrayLike,
    lat0_rad: ArrayLike,
    lon0_rad: ArrayLike,
    h0_m: ArrayLike,
) -> FloatArray:
    """Geodetic point -> ENU about the geodetic origin (lat0, lon0, h0), shape (..., 3).

    enu = C(φ0, λ0) · (r(φ, λ, h) − r(φ0, λ0, h0)).  Reference: MathWorks ``geodetic2enu``;
    GeographicLib ``LocalCartesian``.
    """
    return ecef_to_enu(geodetic_to_ecef(lat_rad, lon_rad, h_m), lat0_rad, lon0_rad, h0_m)


def enu_to_geodetic(
    enu_m: ArrayLike, lat0_rad: ArrayLike, lon0_rad: ArrayLike, h0_m: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ENU about (lat0, lon0, h0) -> (lat_rad, lon_rad, h_m).

    r = r0 + Cᵀ · enu, then :func:`ecef_to_geodetic`.  Reference: MathWorks ``enu2geodetic``.
    """
    return ecef_to_geodetic(enu_to_ecef(enu_m, lat0_rad, lon0_rad, h0_m))


def enu_to_aer(enu_m: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ENU -> (az_rad, el_rad, range_m).

    az = atan2(e, n) wrapped to [0, 2π) (clockwise from north),
    el = atan2(u, √(e² + n²)) (above the local horizontal plane),  ρ = √(e² + n² + u²).
    Reference: MathWorks ``enu2aer``.
    """
    enu = _f(enu_m)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    two_pi = 2.0 * np.pi
    az = np.mod(np.arctan2(e, n), two_pi)
    az = np.where(az >= two_pi, 0.0, az)  # mod of a tiny negative can round to 2π
    horiz = np.hypot(e, n)
    el = np.arctan2(u, horiz)
    rng = np.hypot(horiz, u)
    return az, el, rng


def aer_to_enu(az_rad: ArrayLike, el_rad: ArrayLike, range_m: ArrayLike) -> FloatArray:
    """(az, el, range) -> ENU, shape (..., 3).

    e = ρ cos(el) sin(az),  n = ρ cos(el) cos(az),  u = ρ sin(el).
    Reference: MathWorks ``aer2enu``.
    """
    az, el, rho = np.broadcast_arrays(_f(az_rad), _f(el_rad), _f(range_m))
    horiz = rho * np.cos(el)
    return np.stack([horiz * np.sin(az), horiz * np.cos(az), rho * np.sin(el)], axis=-1)
