"""Motion of air vehicles on piecewise-linear routes, in closed form at any time.

Each vehicle has a row of waypoint times, latitudes, longitudes and altitudes (padded with +inf
times). Position is interpolated linearly in (latitude, longitude, altitude) between waypoints and
then converted to the scenario's ENU frame, so a low-level route follows the Earth's curvature
instead of cutting a chord through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.geo import geodetic_to_enu

__all__ = ["route_state", "RouteTable", "build_route_table", "splice_route_table", "table_state",
           "MANOEUVRES", "manoeuvre_offsets"]


def route_state(
    wp_t_s: np.ndarray,
    wp_lat_rad: np.ndarray,
    wp_lon_rad: np.ndarray,
    wp_alt_m: np.ndarray,
    t_s: float,
    origin: tuple[float, float, float],
    dt_s: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (n, 3), velocity (n, 3) in ENU and altitude (n,) of every route at ``t_s``.

    This is the definition of motion on a route; the simulation evaluates it through
    :class:`RouteTable`, which samples it. Times before the first or after the last waypoint
    are clamped to the route's ends. Velocity is the central difference over ``dt_s``.
    """
    pos, alt, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, t_s, origin)
    t0 = wp_t_s[:, 0]
    t_end = np.nanmax(np.where(np.isfinite(wp_t_s), wp_t_s, np.nan), axis=1)
    ta = np.clip(t_s - dt_s / 2, t0, t_end - dt_s)
    pa, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, ta, origin)
    pb, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, ta + dt_s, origin)
    return pos, (pb - pa) / dt_s, alt


def _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, t_s, origin, rows=None):
    """Exact route positions: row ``rows[j]`` at time ``t_s[j]`` (all rows by default)."""
    if rows is None:
        rows = np.arange(wp_t_s.shape[0])
    n = rows.size
    t = np.full(n, t_s) if np.ndim(t_s) == 0 else np.asarray(t_s, dtype=float)
    wt = wp_t_s[rows]
    # index of the leg containing t: last waypoint time <= t, limited to the last real leg
    last_leg = np.isfinite(wt).sum(axis=1) - 2
    k = np.maximum(np.minimum((wt <= t[:, None]).sum(axis=1) - 1, last_leg), 0)
    ta, tb = wp_t_s[rows, k], wp_t_s[rows, k + 1]
    f = np.minimum(np.maximum((t - ta) / (tb - ta), 0.0), 1.0)
    lat = wp_lat_rad[rows, k] + f * (wp_lat_rad[rows, k + 1] - wp_lat_rad[rows, k])
    lon = wp_lon_rad[rows, k] + f * (wp_lon_rad[rows, k + 1] - wp_lon_rad[rows, k])
    alt = wp_alt_m[rows, k] + f * (wp_alt_m[rows, k + 1] - wp_alt_m[rows, k])
    return geodetic_to_enu(lat, lon, alt, *origin), alt, k


@dataclass(frozen=True)
class RouteTable:
    """Every route sampled at nodes no more than ``max_step_m`` apart, in the ENU frame.

    Between two nodes the position is interpolated linearly in ENU. The nodes lie exactly on the
    route of :func:`route_state`; in between, the straight sub-leg departs from the curved route
    by at most its sagitta, L²/(8·R) = 0.08 m for L = 2 km. Lookup is one ``searchsorted`` over
    all vehicles' nodes at once (each vehicle's node times are offset by ``index × span``).
    """

    key: np.ndarray  # (N,) node time + vehicle index × span, increasing
    t_s: np.ndarray  # (N,)
    pos_m: np.ndarray  # (N, 3)
    alt_m: np.ndarray  # (N,)
    first: np.ndarray  # (n,) first node of each vehicle
    last: np.ndarray  # (n,) last node of each vehicle
    span_s: float


def build_route_table(wp_t_s: np.ndarray, wp_lat_rad: np.ndarray, wp_lon_rad: np.ndarray,
                      wp_alt_m: np.ndarray, origin: tuple[float, float, float],
                      max_step_m: float = 2000.0) -> RouteTable:
    n = wp_t_s.shape[0]
    if n == 0:
        z = np.zeros(0)
        return RouteTable(z, z, np.zeros((0, 3)), z, np.zeros(0, np.int64),
                          np.zeros(0, np.int64), 1.0)
    p_wp = geodetic_to_enu(wp_lat_rad, wp_lon_rad, wp_alt_m, *origin)
    leg_m = np.linalg.norm(np.diff(p_wp, axis=1), axis=-1)
    rows, times = [], []
    for i in range(n):
        m = int(np.isfinite(wp_t_s[i]).sum())
        ts = [wp_t_s[i, :1]]
        for k in range(m - 1):
            steps = max(1, int(np.ceil(leg_m[i, k] / max_step_m)))
            ts.append(np.linspace(wp_t_s[i, k], wp_t_s[i, k + 1], steps + 1)[1:])
        t_i = np.concatenate(ts)
        rows.append(np.full(t_i.size, i))
        times.append(t_i)
    row = np.concatenate(rows)
    t = np.concatenate(times)
    pos, alt, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, t, origin, rows=row)
    counts = np.bincount(row, minlength=n)
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    span = _span(t)
    return RouteTable(t + row * span, t, pos, alt, first, last, span)


def _span(t_s: np.ndarray) -> float:
    """Key offset between consecutive vehicles: wider than any node time's range."""
    return float(np.nanmax(np.abs(t_s))) * 2 + 1.0 if t_s.size else 1.0


def splice_route_table(rt: RouteTable, part: RouteTable, start: int, stop: int) -> RouteTable:
    """``rt`` with its vehicles ``start .. stop-1`` replaced by all of ``part``'s vehicles.

    ``part`` is :func:`build_route_table` of the new waypoint rows alone; appending is
    ``start = stop = n``, re-routing vehicle ``i`` is ``start, stop = i, i + 1``. The result equals
    the table built from scratch over the spliced waypoints, bit for bit: nodes are sampled per
    vehicle, and the keys (node time + vehicle index × span) are recomputed only when the span
    or the index of a later vehicle changes. Costs O(N) array copies and no sampling.
    """
    n = rt.first.size
    if not 0 <= start <= stop <= n:
        raise ValueError(f"rows {start}..{stop} outside a table of {n} vehicles")
    a = int(rt.first[start]) if start < n else rt.key.size  # first node replaced
    b = int(rt.last[stop - 1]) + 1 if stop > start else a  # first node kept after them
    t = np.concatenate([rt.t_s[:a], part.t_s, rt.t_s[b:]])
    pos = np.concatenate([rt.pos_m[:a], part.pos_m, rt.pos_m[b:]])
    alt = np.concatenate([rt.alt_m[:a], part.alt_m, rt.alt_m[b:]])
    counts_old = rt.last - rt.first + 1
    counts = np.concatenate([counts_old[:start], part.last - part.first + 1, counts_old[stop:]])
    last = np.cumsum(counts) - 1
    first = last - counts + 1
    span = _span(t)
    m = part.first.size
    if span == rt.span_s and m == stop - start:  # the other vehicles' keys are unchanged
        row = np.repeat(np.arange(start, start + m), counts[start:start + m])
        key = np.concatenate([rt.key[:a], part.t_s + row * span, rt.key[b:]])
    else:
        key = t + np.repeat(np.arange(counts.size), counts) * span
    return RouteTable(key, t, pos, alt, first, last, span)


def table_state(rt: RouteTable, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (n, 3), velocity (n, 3) and altitude (n,) of every vehicle at ``t_s``.

    Clamped to the route's ends outside its time span; velocity is the sub-leg's chord velocity.
    """
    n = rt.first.size
    q = t_s + np.arange(n) * rt.span_s
    j = np.searchsorted(rt.key, q, side="right") - 1
    j = np.minimum(np.maximum(j, rt.first), np.maximum(rt.last - 1, rt.first))
    j1 = np.minimum(j + 1, rt.last)
    ta, tb = rt.t_s[j], rt.t_s[j1]
    dt = np.where(tb > ta, tb - ta, 1.0)
    f = np.minimum(np.maximum((t_s - ta) / dt, 0.0), 1.0)
    dp = rt.pos_m[j1] - rt.pos_m[j]
    pos = rt.pos_m[j] + f[:, None] * dp
    alt = rt.alt_m[j] + f * (rt.alt_m[j1] - rt.alt_m[j])
    return pos, dp / dt[:, None], alt


MANOEUVRES = ("none", "weave", "popup", "break")


def manoeuvre_offsets(t_s: float, vel_mps: np.ndarray, kind: np.ndarray, a: np.ndarray,
                      b: np.ndarray, t_ref_s: np.ndarray, dist_to_go_m: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Position and velocity offsets (n, 3) that a manoeuvre adds to a vehicle's route.

    ``kind`` indexes :data:`MANOEUVRES`; ``vel_mps`` is the route velocity, whose horizontal
    normal n̂ = (−v_y, v_x, 0)/|v_h| carries the lateral manoeuvres:

    * weave (a = amplitude A, b = period P, t_ref = route start): A·sin(2π(t − t_ref)/P)·n̂,
      velocity A·(2π/P)·cos(…)·n̂ — peak lateral acceleration A(2π/P)²;
    * popup (a = height H, b = range R): within R of the final waypoint (horizontal distance d)
      a climb and dive H·sin(π(1 − d/R)) up, vertical speed H·(π/R)·cos(…)·|v_h|;
    * break (a = lateral load g·g0, b = duration T, t_ref = when the threat saw the launch):
      a jink out and back, (B/2)(1 − cos(2πτ/T))·n̂ with B = 2·a·(T/2π)², so the peak lateral
      acceleration is a; nothing before t_ref or after t_ref + T.

    The offsets vanish at the final waypoint for popup and outside the jink for break, so the
    route's end (impact point) is unchanged; a weave may end up to A off it.
    """
    n = kind.size
    dp = np.zeros((n, 3))
    dv = np.zeros((n, 3))
    if n == 0 or not np.any(kind > 0):
        return dp, dv
    vh = np.hypot(vel_mps[:, 0], vel_mps[:, 1])
    nh = np.stack([-vel_mps[:, 1], vel_mps[:, 0], np.zeros(n)], axis=1) / np.maximum(vh, 1e-9)[
        :, None]
    w = kind == 1
    if w.any():
        ph = 2 * np.pi * (t_s - t_ref_s[w]) / b[w]
        dp[w] = (a[w] * np.sin(ph))[:, None] * nh[w]
        dv[w] = (a[w] * 2 * np.pi / b[w] * np.cos(ph))[:, None] * nh[w]
    p = (kind == 2) & (dist_to_go_m < b)
    if p.any():
        x = 1.0 - dist_to_go_m[p] / b[p]
        dp[p, 2] = a[p] * np.sin(np.pi * x)
        dv[p, 2] = a[p] * np.pi / b[p] * np.cos(np.pi * x) * vh[p]
    tau = t_s - t_ref_s
    k = (kind == 3) & (tau >= 0) & (tau <= b)
    if k.any():
        big = 2 * a[k] * (b[k] / (2 * np.pi)) ** 2
        ph = 2 * np.pi * tau[k] / b[k]
        dp[k] = (big / 2 * (1 - np.cos(ph)))[:, None] * nh[k]
        dv[k] = (big / 2 * 2 * np.pi / b[k] * np.sin(ph))[:, None] * nh[k]
    return dp, dv
