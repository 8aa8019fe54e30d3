"""The electro-optical tracking system of the run: fire units' TV and thermal trackers, cued by
the picture, feeding it, and holding tracks for fire control when the radar cannot (issue 22).

Each unit with an EO system (catalogue ``fire_units.*.eo``) looks every ``update_s``. Its crew
points it at one track of the picture (a confirmed track within the system's tracking range that
the unit's engagement radar does not hold: jammed, or lost in clutter; the one it already holds,
else the nearest), as the S-125's crews switched to the television sight and the Pantsir's to its
optronic channel under jamming; a track identified friend, assumed friend or neutral is not
a cue. ``sensors.eo.look`` decides what it acquires by the scenario's
``weather.visibility`` and ``weather.light`` ('auto': the Sun's elevation at the origin over
the exercise's clock). An acquired target gives a plot to the picture
(tracker source ``<unit>:EO``): the measured angles, and the laser range when there is one, else
the track's own predicted range with its uncertainty along the line of sight (an angle-only
update). A unit "holds" a track through EO while its EO plots updated it within
``HOLD_REVISITS`` of its update intervals: fire control then guides the unit's own-radar types
on it (command guidance on the optical angles: the S-125's three-point method, the Pantsir's
missiles and guns), and the engagement is logged with the channel (" EO" in its ``info``).

Events: ``eo_track`` when a unit's EO system acquires a target it did not hold (source: the
unit, ``value`` the range in m, ``tag`` the channel: tv or ir). Random draws: ``eo:<unit>``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import numpy as np

from skyshield.engine.events import Event
from skyshield.engine.rng import stream
from skyshield.physics.eo import CIVIL_TWILIGHT_RAD, julian_day, sun_elevation_rad
from skyshield.sensors.eo import EOSet, look
from skyshield.tracking.plots import to_plots

__all__ = ["compile_eo", "EOTracking"]


def compile_eo(world: Any) -> EOSet | None:
    """The EO channels of the world's fire units (None: no unit has one)."""
    sc, cat, u = world.scenario, world.catalogue, world.units
    nu = len(u.name)
    rows: list[tuple[int, str, Any]] = []
    has = np.zeros(nu, dtype=bool)
    max_r, upd, lrf, lrf_s = np.zeros(nu), np.ones(nu), np.zeros(nu), np.zeros(nu)
    for k, unit in enumerate(sc.units.values()):
        sys = cat.fire_units[unit.type].eo
        if sys is None:
            continue
        has[k] = True
        max_r[k], upd[k] = sys.max_range_m.value, sys.update_s.value
        if sys.laser_range_m is not None and sys.laser_sigma_m is not None:
            lrf[k], lrf_s[k] = sys.laser_range_m.value, sys.laser_sigma_m.value
        rows += [(k, name, ch) for name, ch in sys.channels.items()]
    if not rows:
        return None
    f = lambda get: np.array([get(ch) for _, _, ch in rows], dtype=float)  # noqa: E731
    return EOSet(
        unit=np.array([k for k, _, _ in rows], dtype=np.int64), name=[n for _, n, _ in rows],
        ir=np.array([ch.band.value == "ir" for _, _, ch in rows], dtype=bool),
        ifov_rad=f(lambda c: c.ifov_mrad.value * 1e-3),
        fov_rad=f(lambda c: np.radians(c.fov_deg.value)),
        cycles=f(lambda c: c.acquisition_cycles.value),
        wavelength_m=f(lambda c: c.wavelength_um.value * 1e-6),
        threshold=f(lambda c: c.threshold.value),
        molecular_per_m=f(lambda c: c.molecular_extinction_per_km.value * 1e-3),
        angle_sigma_rad=f(lambda c: c.angle_sigma_mrad.value * 1e-3),
        has_eo=has, max_range_m=max_r, update_s=upd, laser_range_m=lrf, laser_sigma_m=lrf_s)


class EOTracking:
    """The units' EO systems in the run (``es``); ``look`` runs one unit's look."""

    def __init__(self, world: Any, es: EOSet, seed: int):
        self.w = world
        self.es = es
        wx = world.scenario.weather
        self.visibility_m = float(wx.visibility)
        self.light = wx.light
        t0 = world.scenario.start_time.astimezone(UTC)
        self.jd0 = julian_day(t0.year, t0.month, t0.day + (
            t0.hour * 3600 + t0.minute * 60 + t0.second + t0.microsecond * 1e-6) / 86400.0)
        self.names = [f"{n}:EO" for n in world.units.name]
        self.rng = [stream(seed, f"eo:{n}") for n in world.units.name]
        self.on_track = np.full(len(world.units.name), -1, dtype=np.int64)  # track id held

    def daylight(self, t: float) -> bool:
        """Daylight at ``t``: as the scenario says, or ('auto') the Sun above civil twilight at
        the origin (``physics.eo.sun_elevation_rad``)."""
        if self.light != "auto":
            return bool(self.light == "day")
        lat, lon = self.w.origin[0], self.w.origin[1]
        return bool(sun_elevation_rad(self.jd0 + t / 86400.0, lat, lon) >= CIVIL_TWILIGHT_RAD)

    def units(self) -> np.ndarray:
        return np.flatnonzero(self.es.has_eo)

    def sensor_ids(self, tracker: Any, units: np.ndarray) -> np.ndarray:
        """The tracker's sensor id of each unit's EO system (−1: it never gave a plot)."""
        return np.array([tracker.sensor_id(self.names[int(k)]) for k in np.ravel(units)],
                        dtype=np.int64).reshape(np.shape(units))

    def last_held_s(self, tracker: Any, slots: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The last instant each unit's EO system updated the track in each slot (−inf: never);
        ``slots`` and ``units`` broadcast together."""
        slots, units = np.broadcast_arrays(slots, units)
        sid = self.sensor_ids(tracker, units)
        ok = (slots >= 0) & (sid >= 0) & (sid < tracker.hit_t.shape[1]) & self.es.has_eo[units]
        out = np.full(slots.shape, -np.inf)
        out[ok] = tracker.hit_t[slots[ok], sid[ok]]
        return out

    def look(self, t: float, unit: int, tracker: Any, confirmed: int,
             radar_held: Any, truth_state: Any, los_clear: Any = None,
             cue_ok: Any = None) -> list[Event]:
        """Unit ``unit``'s EO look at ``t``: cue, acquire, plot to ``tracker``. ``radar_held
        (slots, t)`` (k, u) says which tracks each unit's engagement radar holds;
        ``truth_state(t)`` gives (pos, vel, alt MSL, present) of the air vehicles;
        ``cue_ok(slots)`` (k,) which tracks the crew may be cued on (None: all)."""
        w, es = self.w, self.es
        u = w.units
        if not u.alive[unit]:
            self.on_track[unit] = -1
            return []
        slots = tracker.live(confirmed)
        if slots.size == 0:
            self.on_track[unit] = -1
            return []
        eng = int(w.engagement_radar[unit])
        rs = w.radars
        pos, rot = rs.pos_m[eng], rs.rot[eng]
        st = tracker.state_at(slots, t)
        d = np.linalg.norm(st[:, :3] - pos, axis=1)
        near = d <= es.max_range_m[unit]  # within reach; then those the radar does not hold
        if cue_ok is not None and near.any():
            near[near] = cue_ok(slots[near])
        slots, st, d = slots[near], st[near], d[near]
        free = np.ones(slots.size, dtype=bool)
        if slots.size:
            free = ~radar_held(slots, t)[:, unit]
        if not free.any():
            self.on_track[unit] = -1
            return []
        ids = tracker.track_id[slots]
        keep = free & (ids == self.on_track[unit])
        j = int(np.flatnonzero(keep)[0]) if keep.any() else int(
            np.flatnonzero(free)[np.argmin(d[free])])
        tp, _, alt, present = truth_state(t)
        idx = np.flatnonzero(present)
        v = w.vehicles
        lc = None if los_clear is None else los_clear(eng, tp[idx], alt[idx])
        seen = look(es, unit, pos, rot, float(rs.height_agl_m[eng]), st[[j], :3], tp[idx],
                    alt[idx] - w.terrain_m, v.presented_area_m2[idx], v.category[idx],
                    self.visibility_m, self.daylight(t), self.rng[unit], lc)
        if seen.target[0] < 0:
            self.on_track[unit] = -1
            return []
        tid = int(idx[seen.target[0]])
        s = int(slots[j])
        if seen.lrf_range_m[0] == seen.lrf_range_m[0]:  # a laser range
            r, s_r = float(seen.lrf_range_m[0]), float(es.laser_sigma_m[unit])
        else:  # angles only: the track's own range along the line of sight, its uncertainty
            los = st[j, :3] - pos
            r = float(np.linalg.norm(los))
            n = los / max(r, 1e-9)
            s_r = float(np.sqrt(max(n @ tracker.P[s, :3, :3] @ n, 1.0)))
        sig = float(seen.sigma_angle_rad[0])
        z, R, polar = to_plots(np.array([r]), seen.az_rad[:1], seen.el_rad[:1], np.array([s_r]),
                               np.array([sig]), np.array([sig]), pos, rot,
                               polar=tracker.p.filter in ("ekf", "ukf"))
        events: list[Event] = []
        if self.on_track[unit] != int(ids[j]):
            ch = int(seen.channel[0])
            events.append(Event(t, "eo_track", source=u.name[unit], track_id=int(ids[j]),
                                truth_id=tid, value=float(seen.range_m[0]), tag=es.name[ch]))
        self.on_track[unit] = int(ids[j])
        # the plot: no coverage counted (a narrow field misses nothing it was not pointed at)
        rep = tracker.process(t, z, R, np.array([tid]), pos, -1.0, self.names[unit], polar)
        events.extend(rep.events)
        return events
