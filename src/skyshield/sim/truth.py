"""Truth and motion: where every air vehicle is, at any instant.

Air vehicles move on their routes in closed form (``engine.motion``: a route table sampled once),
with the threats' manoeuvres (weave, pop-up, break) as offsets on them, so their state is
evaluated exactly at any event time. This system owns the route table and the presence of each
vehicle; it is the only writer of ``Vehicles.alive`` (a kill) and of the vehicles' end of life
(a route completed, an external entity removed). The live exercise adds vehicles (injects,
external entities) and re-routes them (an external entity's latest state).
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.motion import (
    build_route_table,
    manoeuvre_offsets,
    splice_route_table,
    table_state,
)
from skyshield.sim.world import Vehicles, World, concat_vehicles

__all__ = ["Truth", "BREAK"]

BREAK = 3  # ``Vehicles.man_kind`` of a break: it starts when a launch at the vehicle is seen
_POPUP = 2


class Truth:
    """The air vehicles' motion; ``state(t)`` is cached for the instant last asked."""

    def __init__(self, world: World):
        self.w = world
        v = world.vehicles
        self.routes = build_route_table(v.wp_t_s, v.wp_lat_rad, v.wp_lon_rad, v.wp_alt_m,
                                        v.wp_start, world.origin)
        self._cache: tuple[float, tuple[np.ndarray, ...]] | None = None
        mk = self._man_kind()
        self._man = np.flatnonzero(mk > 0)
        # weave phase from the route start; a break waits for a launch (inf until then)
        self._man_t_ref = np.where(mk == BREAK, np.inf, v.t_start_s)
        self._route_end = np.zeros((len(v), 3))
        self._set_route_ends(np.flatnonzero(mk == _POPUP))
        self.ended = np.zeros(len(v), dtype=bool)  # completed its route or removed

    def _man_kind(self) -> np.ndarray:
        v = self.w.vehicles
        return v.man_kind if v.man_kind is not None else np.zeros(len(v), dtype=np.int64)

    # ------------------------------------------------------------------ state
    def state(self, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions (ENU m), velocities (m/s), altitudes MSL (m) and the presence mask of all
        vehicles at ``t_s``."""
        if self._cache is not None and self._cache[0] == t_s:
            return self._cache[1]  # type: ignore[return-value]
        v = self.w.vehicles
        pos, vel, alt = table_state(self.routes, t_s)
        if self._man.size:  # threats fighting back: offsets on their routes
            assert v.man_kind is not None and v.man_a is not None and v.man_b is not None
            m = self._man
            go = np.hypot(*(self._route_end[m, :2] - pos[m, :2]).T)
            dp, dv = manoeuvre_offsets(t_s, vel[m], v.man_kind[m], v.man_a[m], v.man_b[m],
                                       self._man_t_ref[m], go)
            pos, vel, alt = pos.copy(), vel.copy(), alt.copy()
            pos[m] += dp
            vel[m] += dv
            alt[m] += dp[:, 2]
        present = v.alive & ~self.ended & (v.t_start_s <= t_s) & (t_s <= v.t_end_s)
        out = (pos, vel, alt, present)
        self._cache = (t_s, out)
        return out

    def state_of(self, t_s: float, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]:
        """Positions, velocities and altitudes of vehicles ``rows`` alone at ``t_s``, equal to
        ``state(t_s)``'s rows bit for bit: O(len(rows)), for the events that concern one
        vehicle (a spawn, a route's end), so that n of them at n instants cost O(n), not O(n²)."""
        if self._cache is not None and self._cache[0] == t_s:
            pos, vel, alt, _ = self._cache[1]
            return pos[rows], vel[rows], alt[rows]
        v = self.w.vehicles
        rows = np.asarray(rows, dtype=np.int64)
        pos, vel, alt = table_state(self.routes, t_s, rows)
        mk = self._man_kind()[rows]
        m = np.flatnonzero(mk > 0)
        if m.size:
            assert v.man_a is not None and v.man_b is not None
            r = rows[m]
            go = np.hypot(*(self._route_end[r, :2] - pos[m, :2]).T)
            dp, dv = manoeuvre_offsets(t_s, vel[m], mk[m], v.man_a[r], v.man_b[r],
                                       self._man_t_ref[r], go)
            pos[m] += dp
            vel[m] += dv
            alt[m] += dp[:, 2]
        return pos, vel, alt

    def invalidate(self) -> None:
        """Forget the cached state (something changed at the cached instant)."""
        self._cache = None

    # ------------------------------------------------------------------ fates
    def kill(self, i: int) -> None:
        self.w.vehicles.alive[i] = False
        self._cache = None

    def end(self, i: int) -> None:
        """Vehicle ``i`` leaves the exercise (its route completed, or removed)."""
        self.ended[i] = True
        self._cache = None

    def gone(self, i: int) -> bool:
        """Killed or ended."""
        return bool(self.ended[i] or not self.w.vehicles.alive[i])

    def start_break(self, i: int, t_s: float) -> None:
        """A launch at vehicle ``i`` seen by its warning receiver: a break manoeuvre starts
        (once; other manoeuvres are not affected)."""
        v = self.w.vehicles
        if i >= 0 and v.man_kind is not None and v.man_kind[i] == BREAK and \
                not np.isfinite(self._man_t_ref[i]):
            self._man_t_ref[i] = t_s
            self._cache = None

    # ------------------------------------------------------------------ live exercise
    def add(self, new: Vehicles) -> np.ndarray:
        """Append air vehicles; their truth ids (the caller schedules their spawn and end)."""
        w = self.w
        n0 = len(w.vehicles)
        w.vehicles = concat_vehicles(w.vehicles, new)
        v = w.vehicles
        ids = np.arange(n0, len(v))
        self._splice(n0, n0, len(v))
        mk = self._man_kind()
        self._man = np.flatnonzero(mk > 0)
        self._man_t_ref = np.concatenate([self._man_t_ref, np.where(
            mk[ids] == BREAK, np.inf, v.t_start_s[ids])])
        self._route_end = np.vstack([self._route_end, np.zeros((ids.size, 3))])
        self._set_route_ends(ids[mk[ids] == _POPUP])
        self.ended = np.concatenate([self.ended, np.zeros(ids.size, bool)])
        return ids

    def reroute(self, i: int, wp_t: np.ndarray, wp_lat: np.ndarray, wp_lon: np.ndarray,
                wp_alt: np.ndarray) -> None:
        """Give vehicle ``i`` a new route (waypoint times s, latitudes and longitudes rad,
        altitudes m); the caller schedules its new end."""
        self.w.vehicles.set_route(i, wp_t, wp_lat, wp_lon, wp_alt)
        self._splice(i, i + 1, i + 1)

    def _set_route_ends(self, rows: np.ndarray) -> None:
        """The pop-up vehicles' route ends (ENU), where the pop-up is measured from: each
        vehicle's table position at its own end time."""
        if rows.size:
            self._route_end[rows] = table_state(self.routes, self.w.vehicles.t_end_s[rows],
                                                rows)[0]

    def _splice(self, start: int, stop: int, new_stop: int) -> None:
        """Sample the waypoint rows ``start .. new_stop-1`` alone and put them in the route table
        in place of its vehicles ``start .. stop-1`` (the other vehicles' nodes are kept)."""
        v = self.w.vehicles
        a, b = int(v.wp_start[start]), int(v.wp_start[new_stop])
        part = build_route_table(v.wp_t_s[a:b], v.wp_lat_rad[a:b], v.wp_lon_rad[a:b],
                                 v.wp_alt_m[a:b], v.wp_start[start:new_stop + 1] - a,
                                 self.w.origin)
        self.routes = splice_route_table(self.routes, part, start, stop)
        self._cache = None
