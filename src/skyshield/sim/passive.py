"""Passive tracks of jammers: the jam strobes of several sites triangulated into the air picture.

Every ``PASSIVE_FIX_INTERVAL_S`` (at the fire-control cycle that reaches it) the latest strobes
of the live radars (``sensors.system.Sensing.strobes``) are brought to the fix instant
(:func:`~skyshield.tracking.passive.extrapolate_bearings`: each radar's latest strobes paired
with its scan before and moved on at their bearing rate), turned from each radar's local frame
into the scenario frame (a strobe is the vertical plane of the radar through the jammer: its
normal n = rotᵀ(cos θ, −sin θ, 0) meets the plane of the assumed height z_p in the line
n_xy·(q − s_xy) = −n_z(z_p − s_z), a few tens of metres off the site where the radar's vertical
is tilted from the frame's — 0.015° of bearing at 22 km from the origin and 4° of elevation,
ten times a strong jammer's σ), merged per site (a fire unit's radars stand at one place;
sources inside one azimuth beamwidth are one strobe), and located
(:func:`~skyshield.tracking.passive.locate`: least-squares crossing, GDOP covariance, ghosts
rejected). Each fix is fed to the central tracker as a plot of the pseudo-sensor ``passive``:
its position on the plane with the intersection covariance, and a height assumed (strobes carry
no elevation used here): ``PASSIVE_HEIGHT_M`` above the ground with σ ``PASSIVE_HEIGHT_SIGMA_M``,
placed on the flat frame below the tangent plane by the Earth's drop (x² + y²)/(2R). The
tracker starts, confirms (M of N fixes) and updates tracks on them like on any plot, with their
own track numbers; a fix falling in the gate of a radar track updates that track (fusion).

A track is **passive** while it holds passive fixes and no radar has updated it for
``c2.max_track_age``: fire control engages it only with home-on-jam missiles
(``c2.fire_control``), and the launch is marked "home-on-jam" (``weapons.system``). Its identity
comes from the jamming rule as for any track on the strobes of two sites
(``c2.system.FireControlSystem._on_strobe``).

Not with command chains (``scenario.command``): each national post's tracker would need its own
passive fixes; the chains' posts keep the strobe relabelling only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skyshield.engine.events import Event
from skyshield.physics.propagation import EARTH_RADIUS_M, horizon_range_m
from skyshield.sensors.radar import Jammers, Strobes
from skyshield.tracking import passive as pv
from skyshield.tracking.filters import polar_jacobian, polar_of
from skyshield.tracking.tracker import PolarPlots

__all__ = ["PassiveSystem", "PASSIVE_SOURCE", "PASSIVE_FIX_INTERVAL_S", "PASSIVE_HEIGHT_M",
           "PASSIVE_HEIGHT_SIGMA_M", "PASSIVE_MAX_HEIGHT_M"]

PASSIVE_SOURCE = "passive"  # the tracker's sensor name of the passive fixes
# assumed: one fix per surveillance revisit (the 91N6E's 10 s): fixes closer together would
# reuse the slow radars' bearings and tell the tracker the same error twice
PASSIVE_FIX_INTERVAL_S = 10.0
# assumed: a stand-off jammer's orbit height (the catalogue's standoff_jammer cruises at 9 km;
# 7-10 km is the usual band of large jamming aircraft); σ 3 km covers an escort jammer at 6 km
PASSIVE_HEIGHT_M = 8000.0
PASSIVE_HEIGHT_SIGMA_M = 3000.0
# assumed: the density of false passive fixes the track score weighs a fix against. Fixes
# are not thermal false alarms (the ghost test drops ambiguous crossings); allow one ghost per
# fix cycle anywhere in a 400 km × 400 km × 20 km volume over the group: 1/3.2e15 per m³
PASSIVE_FALSE_FIX_DENSITY = 1.0 / (400e3 * 400e3 * 20e3)
# assumed: the highest emitter considered; a site's reach for a crossing is its horizon to it
PASSIVE_MAX_HEIGHT_M = 15000.0
# assumed: the bearing-rate uncertainty of a strobe with no pair on the scan before: a jet at
# 250 m/s crossing at 100 km (0.14 deg/s)
RATE_SIGMA_RAD_S = 250.0 / 100e3
# assumed: the bearing acceleration of a jet seen at stand-off range, 2·v²/R² at 250 m/s and
# 100 km (the largest term of θ̈ = −2·θ̇·Ṙ/R for a straight flight)
ACCEL_SIGMA_RAD_S2 = 2 * 250.0**2 / 100e3**2
PAIR_GATE_RAD = float(np.radians(2.0))  # assumed: a jammer moves < 2 deg between two scans
# assumed: a fix is fed to the tracker only when its error ellipse's major σ is within this
# fraction of its range from the nearest site (beyond, the crossing is too shallow to place it:
# two strobes nearly parallel give a line, not a point, and a track there would draw missiles
# to the wrong range)
MAX_SIGMA_FRACTION = 0.1
# assumed: the range at which the height assumption is placed on the curved Earth for turning a
# strobe into the frame (the tilt term it sets is tens of metres; its drop, a fraction of that)
NOMINAL_RANGE_M = 150e3


def _plane(rot: np.ndarray, az_local_rad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A radar's bearings (its local north, clockwise) as vertical planes in the scenario
    frame: the bearing of each plane's trace on the frame's horizontal (clockwise from the
    frame's north) and n_z/|n_xy| of its normal n = rotᵀ(cos θ, −sin θ, 0)."""
    a = np.asarray(az_local_rad, dtype=float)
    n_l = np.stack([np.cos(a), -np.sin(a), np.zeros(a.shape)], axis=-1)
    n_s = n_l @ rot  # rotᵀ·n, row-wise
    nxy = np.hypot(n_s[..., 0], n_s[..., 1])
    return np.arctan2(-n_s[..., 1], n_s[..., 0]) % (2 * np.pi), n_s[..., 2] / nxy


class PassiveSystem:
    """The passive fixes of a run (module docstring). ``world`` is ``sim.world.World``,
    ``strobes`` the sensing system's dict (radar -> (time, strobes) of its latest scan)."""

    def __init__(self, world: Any, strobes: dict[int, tuple[float, Strobes]],
                 interval_s: float = PASSIVE_FIX_INTERVAL_S):
        self.w = world
        self.strobes = strobes
        self.interval_s = interval_s
        self.t_last = -np.inf
        rs = world.radars
        n = len(rs.name)
        # per radar: the scan before the latest (time, az, σ) and the latest's jammer truth ids
        self._prev: list[tuple[float, np.ndarray, np.ndarray] | None] = [None] * n
        self._last: list[tuple[float, np.ndarray, np.ndarray] | None] = [None] * n
        self._truth: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
        # local north of each radar turned into the scenario frame: az_scen = az_local + δ
        north = np.stack([np.zeros(n), np.ones(n), np.zeros(n)], axis=1)
        scen = np.einsum("nji,nj->ni", rs.rot, north)  # rotᵀ · north_local
        self._delta = np.arctan2(scen[:, 0], scen[:, 1])
        self._beam = rs.beamwidth_az_rad
        self._reach = horizon_range_m(rs.height_agl_m, PASSIVE_MAX_HEIGHT_M)
        self.n_fixes = 0

    def observe(self, t: float, i: int, jam: Jammers) -> None:
        """Radar ``i`` scanned at ``t`` with jammers ``jam`` radiating: keep its strobes."""
        got = self.strobes.get(i)
        if got is None or got[0] != t:
            return
        sb = got[1]
        self._prev[i] = self._last[i]
        self._last[i] = (t, _plane(self.w.radars.rot[i], sb.az_rad)[0], sb.sigma_az_rad)
        tid = jam.truth_id if jam.truth_id is not None else np.full(jam.pos_m.shape[0], -1)
        self._truth[i] = np.asarray(tid, dtype=np.int64)[sb.jammer]

    def due(self, t: float) -> bool:
        return t - self.t_last >= self.interval_s - 1e-9

    def fixes(self, t: float, max_age_s: float) -> tuple[pv.Fixes, np.ndarray]:
        """The fixes at ``t`` from strobes no older than ``max_age_s`` of live radars, and each
        fix's jammer (truth id when all its strobes came from one jammer, else −1: a ghost).
        Two passes: the strobes' lines placed at the height assumed at ``NOMINAL_RANGE_M``,
        then, for the strobes of a fix, at the fix's own distance (the Earth's drop there)."""
        rs = self.w.radars
        sites: dict[int, list[int]] = {}
        for i in range(len(rs.name)):
            last = self._last[i]
            if last is None or not rs.alive[i] or t - last[0] > max_age_s or last[1].size == 0:
                continue
            sites.setdefault(int(rs.unit[i]), []).append(i)
        units = sorted(sites)
        if len(units) < 2:
            return pv.locate(np.zeros((0, 2)), [], [], np.zeros(0)), np.zeros(0, np.int64)
        w = self.w
        h_p = float(w.terrain_m) - float(w.origin[2]) + PASSIVE_HEIGHT_M  # before the drop
        az_s, sig_s, c_s, truth_s, reach = [], [], [], [], []
        lead = [sites[u][0] for u in units]  # a site's position and axes: its first radar's
        for u, i0 in zip(units, lead, strict=True):
            az_all, sig_all, tid_all = [], [], []
            for i in sites[u]:
                t1, az1, sg1 = self._last[i]  # type: ignore[misc]
                prev = self._prev[i]
                t0, az0, sg0 = prev if prev is not None else (t1, np.zeros(0), np.zeros(0))
                az, sg = pv.extrapolate_bearings(t0, az0, sg0, t1, az1, sg1, t, PAIR_GATE_RAD,
                                                 RATE_SIGMA_RAD_S, ACCEL_SIGMA_RAD_S2)
                az_all.append(az)
                sig_all.append(sg)
                tid_all.append(self._truth[i])
            az_c, sg_c = np.concatenate(az_all), np.concatenate(sig_all)
            tid_c = np.concatenate(tid_all)
            maz, msg, grp = pv.merge_strobes(az_c, sg_c,
                                             resolution_rad=float(self._beam[sites[u]].max()))
            # each merged bearing's jammer (scoring only): its strobes' one jammer, else −1
            truth_s.append(np.array([
                ids.pop() if len(ids := set(tid_c[grp == g].tolist())) == 1 else -1
                for g in range(maz.size)], dtype=np.int64))
            az_s.append(maz)
            sig_s.append(msg)
            c_s.append(_plane(rs.rot[i0], (maz - self._delta[i0]) % (2 * np.pi))[1])
            reach.append(max(float(self._reach[i]) for i in sites[u]))

        def origins(d_m: list[np.ndarray]) -> list[np.ndarray]:
            # where each strobe's vertical plane meets the height assumed at distance d
            out = []
            for s, i0 in enumerate(lead):
                z_p = h_p - np.square(d_m[s]) / (2.0 * EARTH_RADIUS_M)
                out.append(rs.pos_m[i0, :2] - (c_s[s] * (z_p - rs.pos_m[i0, 2]))[:, None]
                           * pv.line_normals(az_s[s]))
            return out

        dist = [np.full(a.size, NOMINAL_RANGE_M) for a in az_s]
        f = pv.locate(origins(dist), az_s, sig_s, np.array(reach))
        if len(f):
            for k, m in enumerate(f.members):
                for s, j in m:
                    dist[s][j] = float(np.hypot(*f.xy_m[k]))
            f = pv.locate(origins(dist), az_s, sig_s, np.array(reach))
        # a fix whose error ellipse is longer than a tenth of its range is a line, not a point
        sites_xy = rs.pos_m[lead, :2]
        r_near = np.min(np.linalg.norm(f.xy_m[:, None, :] - sites_xy[None], axis=2), axis=1)
        keep = np.sqrt(np.linalg.eigvalsh(f.P)[:, -1]) <= MAX_SIGMA_FRACTION * r_near
        f = pv.Fixes(f.xy_m[keep], f.P[keep], f.chi2[keep], f.n_sites[keep],
                     [m for m, k in zip(f.members, keep, strict=True) if k])
        truth = np.array([
            ids.pop() if len(ids := {int(truth_s[s][k]) for s, k in m}) == 1 else -1
            for m in f.members], dtype=np.int64)
        return f, truth

    def fix(self, t: float, tracker: Any, max_age_s: float, polar: bool) -> list[Event]:
        """Locate the jammers at ``t`` and feed the fixes to ``tracker`` (the events it
        returns: passive tracks confirmed or dropped)."""
        self.t_last = t
        f, truth = self.fixes(t, max_age_s)
        if len(f) == 0:
            return []
        self.n_fixes += len(f)
        k = len(f)
        w = self.w
        ground = float(w.terrain_m) - float(w.origin[2])  # the ground's height in the frame
        drop = np.sum(np.square(f.xy_m), axis=1) / (2.0 * EARTH_RADIUS_M)
        z = np.column_stack([f.xy_m, np.full(k, ground + PASSIVE_HEIGHT_M) - drop])
        R = np.zeros((k, 3, 3))
        R[:, :2, :2] = f.P
        R[:, 2, 2] = PASSIVE_HEIGHT_SIGMA_M**2
        pp = None
        if polar:  # the EKF/UKF take polar plots: the fixes seen from the frame's origin
            J = polar_jacobian(z)
            pp = PolarPlots(polar_of(z), J @ R @ np.swapaxes(J, 1, 2), np.zeros(3))
        rep = tracker.process(t, z, R, truth, np.zeros(3), 0.0, PASSIVE_SOURCE, pp,
                              np.full(k, PASSIVE_FALSE_FIX_DENSITY))
        return list(rep.events)

    @staticmethod
    def passive_only(tracker: Any, slots: np.ndarray, t: float, max_age_s: float
                     ) -> np.ndarray:
        """(k,): the tracks in ``slots`` that took a passive fix and no radar plot in the last
        ``max_age_s`` (a jammer the radars see only as strobes)."""
        sid = tracker.sensor_id(PASSIVE_SOURCE)
        slots = np.asarray(slots, dtype=np.int64)
        if sid < 0 or slots.size == 0:
            return np.zeros(slots.size, dtype=bool)
        ht = tracker.hit_t[slots]
        radar = np.delete(ht, sid, axis=1)
        seen = (radar >= t - max_age_s).any(axis=1) if radar.shape[1] else np.zeros(
            slots.size, dtype=bool)
        # a passive fix as recent as a radar update would have to be: a track whose fixes
        # stopped (its jammer died or went silent) is no longer known by its strobes
        out: np.ndarray = (ht[:, sid] >= t - max_age_s) & ~seen
        return out
