"""Motion of air vehicles on piecewise-linear routes, in closed form at any time.

Each vehicle has a row of waypoint times, latitudes, longitudes and altitudes (padded with +inf
times). Position is interpolated linearly in (latitude, longitude, altitude) between waypoints and
then converted to the scenario's ENU frame, so a low-level route follows the Earth's curvature
instead of cutting a chord through it.
"""

from __future__ import annotations

import numpy as np

from skyshield.geo import enu_rotation, geodetic_to_ecef, geodetic_to_enu

__all__ = ["route_state", "leg_velocities"]


def route_state(
    wp_t_s: np.ndarray,
    wp_lat_rad: np.ndarray,
    wp_lon_rad: np.ndarray,
    wp_alt_m: np.ndarray,
    t_s: float,
    origin: tuple[float, float, float],
    dt_s: float = 0.5,
    leg_vel_mps: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (n, 3), velocity (n, 3) in ENU and altitude (n,) of every route at ``t_s``.

    Times before the first or after the last waypoint are clamped to the route's ends. Velocity
    is the leg's mean velocity from :func:`leg_velocities` when given, else the central
    difference over ``dt_s``.
    """
    pos, alt, k = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, t_s, origin)
    if leg_vel_mps is None:
        t0 = wp_t_s[:, 0]
        t_end = np.nanmax(np.where(np.isfinite(wp_t_s), wp_t_s, np.nan), axis=1)
        ta = np.clip(t_s - dt_s / 2, t0, t_end - dt_s)
        pa, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, ta, origin)
        pb, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, ta + dt_s, origin)
        return pos, (pb - pa) / dt_s, alt
    return pos, leg_vel_mps[np.arange(k.size), k], alt


def leg_velocities(wp_t_s: np.ndarray, wp_lat_rad: np.ndarray, wp_lon_rad: np.ndarray,
                   wp_alt_m: np.ndarray, origin: tuple[float, float, float]) -> np.ndarray:
    """Mean ENU velocity (n, w-1, 3) on each leg: chord between waypoints over leg time.

    Within 0.5 % of the instantaneous velocity for legs shorter than 100 km (the chord and the
    curved path differ in direction by half the leg's central angle).
    """
    p = geodetic_to_enu(wp_lat_rad, wp_lon_rad, wp_alt_m, *origin)
    with np.errstate(invalid="ignore"):
        dt = np.diff(wp_t_s, axis=1)
        v = np.diff(p, axis=1) / dt[..., None]
    return np.where(np.isfinite(v), v, 0.0)


def _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, t_s, origin):
    n, w = wp_t_s.shape
    t = np.full(n, t_s) if np.ndim(t_s) == 0 else np.asarray(t_s, dtype=float)
    # index of the leg containing t: last waypoint time <= t, limited to the last real leg
    last_leg = np.isfinite(wp_t_s).sum(axis=1) - 2
    k = np.maximum(np.minimum((wp_t_s <= t[:, None]).sum(axis=1) - 1, last_leg), 0)
    rows = np.arange(n)
    ta, tb = wp_t_s[rows, k], wp_t_s[rows, k + 1]
    f = np.minimum(np.maximum((t - ta) / (tb - ta), 0.0), 1.0)
    lat = wp_lat_rad[rows, k] + f * (wp_lat_rad[rows, k + 1] - wp_lat_rad[rows, k])
    lon = wp_lon_rad[rows, k] + f * (wp_lon_rad[rows, k + 1] - wp_lon_rad[rows, k])
    alt = wp_alt_m[rows, k] + f * (wp_alt_m[rows, k + 1] - wp_alt_m[rows, k])
    r0, C = _frame(origin)
    pos = (geodetic_to_ecef(lat, lon, alt) - r0) @ C.T  # = geodetic_to_enu(..., *origin)
    return pos, alt, k


_FRAMES: dict[tuple[float, float, float], tuple[np.ndarray, np.ndarray]] = {}


def _frame(origin: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """ECEF position and ECEF->ENU rotation of the origin, computed once per origin."""
    f = _FRAMES.get(origin)
    if f is None:
        f = _FRAMES[origin] = (geodetic_to_ecef(*origin), enu_rotation(origin[0], origin[1]))
    return f
