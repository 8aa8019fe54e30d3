"""Motion of air vehicles on piecewise-linear routes, in closed form at any time.

Routes are stored ragged: the waypoints of every route one after the other in flat arrays of
times, latitudes, longitudes and altitudes, and ``wp_start`` (n + 1,) the index of each route's
first waypoint (route ``i`` is ``wp_start[i] : wp_start[i + 1]``, at least two waypoints, times
increasing), so memory is linear in the total number of waypoints however long the longest route.
Position is interpolated linearly in (latitude, longitude, altitude) between waypoints and then
converted to the scenario's ENU frame, so a low-level route follows the Earth's curvature instead
of cutting a chord through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.geo import geodetic_to_enu

__all__ = ["route_state", "RouteTable", "build_route_table", "splice_route_table", "table_state",
           "ragged_take", "MANOEUVRES", "manoeuvre_offsets"]


def ragged_take(wp_start: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat waypoint indices of routes ``rows`` (in that order) and their own ``wp_start``."""
    rows = np.asarray(rows, dtype=np.int64)
    counts = wp_start[rows + 1] - wp_start[rows]
    start = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(counts, out=start[1:])
    idx = np.repeat(wp_start[rows] - start[:-1], counts) + np.arange(start[-1])
    return idx, start


def route_state(
    wp_t_s: np.ndarray,
    wp_lat_rad: np.ndarray,
    wp_lon_rad: np.ndarray,
    wp_alt_m: np.ndarray,
    wp_start: np.ndarray,
    t_s: float,
    origin: tuple[float, float, float],
    dt_s: float = 0.5,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (n, 3), velocity (n, 3) in ENU and altitude (n,) of every route at ``t_s``.

    This is the definition of motion on a route; the simulation evaluates it through
    :class:`RouteTable`, which samples it. Times before the first or after the last waypoint
    are clamped to the route's ends. Velocity is the central difference over ``dt_s``.
    """
    n = wp_start.size - 1
    if n == 0:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0)
    pos, alt, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, wp_start, t_s, origin)
    t0 = wp_t_s[wp_start[:-1]]
    t_end = np.maximum.reduceat(wp_t_s, wp_start[:-1])
    ta = np.clip(t_s - dt_s / 2, t0, t_end - dt_s)
    pa, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, wp_start, ta, origin)
    pb, _, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, wp_start, ta + dt_s, origin)
    return pos, (pb - pa) / dt_s, alt


def _leg(wp_t_s: np.ndarray, wp_start: np.ndarray, rows: np.ndarray, t: np.ndarray
         ) -> np.ndarray:
    """Leg of route ``rows[j]`` containing ``t[j]``: its last waypoint at or before ``t[j]``
    (0 before the route), limited to its last leg; O((waypoints + queries) log).

    One ``searchsorted`` over all routes at once, exact: every time is replaced by its rank
    among all the times (equal times, equal ranks), so (route, rank) packs into one integer key
    that increases along the flat waypoint arrays.
    """
    w = wp_t_s.size
    vals = np.concatenate([wp_t_s, t])
    order = np.argsort(vals, kind="stable")
    s = vals[order]
    rank = np.empty(vals.size, dtype=np.int64)
    rank[order] = np.concatenate([[0], np.cumsum(s[1:] != s[:-1])])
    r = int(rank.max(initial=0)) + 1
    route_of_wp = np.repeat(np.arange(wp_start.size - 1, dtype=np.int64), np.diff(wp_start))
    key_wp = route_of_wp * r + rank[:w]
    at_or_before = np.searchsorted(key_wp, rows * r + rank[w:], side="right") - wp_start[rows]
    m = wp_start[rows + 1] - wp_start[rows]
    return np.maximum(np.minimum(at_or_before - 1, m - 2), 0)


def _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, wp_start, t_s, origin, rows=None):
    """Exact route positions: route ``rows[j]`` at time ``t_s[j]`` (all routes by default)."""
    if rows is None:
        rows = np.arange(wp_start.size - 1)
    rows = np.asarray(rows, dtype=np.int64)
    n = rows.size
    t = np.full(n, t_s) if np.ndim(t_s) == 0 else np.asarray(t_s, dtype=float)
    k = _leg(wp_t_s, wp_start, rows, t)
    g = wp_start[rows] + k  # flat index of the leg's first waypoint
    ta, tb = wp_t_s[g], wp_t_s[g + 1]
    f = np.minimum(np.maximum((t - ta) / (tb - ta), 0.0), 1.0)
    lat = wp_lat_rad[g] + f * (wp_lat_rad[g + 1] - wp_lat_rad[g])
    lon = wp_lon_rad[g] + f * (wp_lon_rad[g + 1] - wp_lon_rad[g])
    alt = wp_alt_m[g] + f * (wp_alt_m[g + 1] - wp_alt_m[g])
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
                      wp_alt_m: np.ndarray, wp_start: np.ndarray,
                      origin: tuple[float, float, float], max_step_m: float = 2000.0
                      ) -> RouteTable:
    """The table of the ragged routes: each leg cut into ceil(length / ``max_step_m``) equal
    time steps (``np.linspace`` of its end times, arithmetic for arithmetic), O(nodes)."""
    n = wp_start.size - 1
    if n == 0:
        z = np.zeros(0)
        return RouteTable(z, z, np.zeros((0, 3)), z, np.zeros(0, np.int64),
                          np.zeros(0, np.int64), 1.0)
    w = wp_t_s.size
    p_wp = geodetic_to_enu(wp_lat_rad, wp_lon_rad, wp_alt_m, *origin)
    first_wp = np.zeros(w, dtype=bool)
    first_wp[wp_start[:-1]] = True
    # the nodes ending at waypoint j: the route's first waypoint itself, else the steps of the
    # leg j-1 -> j (a leg's length across two routes is computed and never used)
    steps = np.ones(w, dtype=np.int64)
    leg_m = np.linalg.norm(np.diff(p_wp, axis=0), axis=-1)
    steps[1:] = np.maximum(1, np.ceil(leg_m / max_step_m)).astype(np.int64)
    steps[first_wp] = 1
    j = np.repeat(np.arange(w), steps)
    i = np.arange(j.size) - (np.cumsum(steps) - steps)[j] + 1  # 1 .. steps within the leg
    s = steps[j]
    tb = wp_t_s[j]
    ta = wp_t_s[np.maximum(j - 1, 0)]
    # np.linspace(ta, tb, s + 1)[i]: i * ((tb - ta) / s) + ta, or (i / s) * (tb - ta) + ta when
    # the step is 0, and exactly tb at i = s
    delta = tb - ta
    step = delta / s
    t = i.astype(float) * step + ta
    zero = step == 0
    t[zero] = (i[zero] / s[zero]) * delta[zero] + ta[zero]
    end = (i == s) | first_wp[j]
    t[end] = tb[end]
    route_of_wp = np.repeat(np.arange(n, dtype=np.int64), np.diff(wp_start))
    row = route_of_wp[j]
    pos, alt, _ = _position(wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m, wp_start, t, origin,
                            rows=row)
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


def table_state(rt: RouteTable, t_s: float | np.ndarray, rows: np.ndarray | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Position (n, 3), velocity (n, 3) and altitude (n,) of every vehicle at ``t_s`` (or of
    vehicles ``rows``, each at its own time ``t_s[j]`` if an array).

    Clamped to the route's ends outside its time span; velocity is the sub-leg's chord velocity.
    """
    if rows is None:
        rows, first, last = np.arange(rt.first.size), rt.first, rt.last
    else:
        first, last = rt.first[rows], rt.last[rows]
    q = t_s + rows * rt.span_s
    j = np.searchsorted(rt.key, q, side="right") - 1
    j = np.minimum(np.maximum(j, first), np.maximum(last - 1, first))
    j1 = np.minimum(j + 1, last)
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
