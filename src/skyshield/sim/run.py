"""The engine loop: systems scheduled on one deterministic heap, reporting to one event log.

Systems and their rates: each radar scans at its own revisit period (random phase per radar from
a named stream), the fire-control cycle runs at ``c2.cycle``, interceptors in the air are stepped
at ``FLYOUT_STEP_S``, launches and kill assessments are one-shot events, every air vehicle's
route end is a one-shot event, truth is sampled at ``truth_interval`` and also recorded, for
the entities concerned, at every launch and fate instant (intercept, kill, leak, route end,
interceptor lost). Air vehicles move on their
routes in closed form, so their state is evaluated exactly at any event time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from skyshield.c2 import threat
from skyshield.c2.fire_control import plan, plan_wta
from skyshield.engine.events import EVENT_TAGS, EventLog
from skyshield.engine.motion import (
    build_route_table,
    manoeuvre_offsets,
    splice_route_table,
    table_state,
)
from skyshield.engine.rng import stream
from skyshield.engine.scheduler import Priority, Scheduler
from skyshield.geo import aer_to_enu, enu_to_aer, enu_to_geodetic
from skyshield.physics.flight import altitude_m
from skyshield.physics.gunnery import burst_kill_probability, lead_solution, time_of_flight_table
from skyshield.physics.kinematics import intercept_time_table
from skyshield.physics.lethality import cookie_cutter_pk, gaussian_pk
from skyshield.physics.propagation import EARTH_RADIUS_M
from skyshield.physics.terrain import line_of_sight_clear
from skyshield.scenario.schema import Scenario
from skyshield.sensors.radar import Jammers, Strobes, scan, strobes
from skyshield.sim.world import CATEGORIES, SIDES, Vehicles, World, compile_world, concat_vehicles
from skyshield.tracking import kalman
from skyshield.tracking.tracker import CONFIRMED, PolarPlots, Tracker, TrackerParams
from skyshield.weapons.envelope import launch_direction
from skyshield.weapons.flyout import Interceptors, fly, lofting, terminal_reach_m

__all__ = ["SimOutput", "Simulation", "simulate", "FLYOUT_STEP_S"]

FLYOUT_STEP_S = 0.5  # guidance interval; the flight itself is integrated in 0.05 s RK4 steps
# assumed: a unit's engagement radar "holds" a track it has updated within this many of its
# revisit periods (a track-while-scan radar may miss a look or two on a fluctuating target)
HOLD_REVISITS = 3.0
# assumed: how long a missile flies on its last guidance after its unit's radar stops holding
# the target (beyond HOLD_REVISITS revisits), then is lost: a semi-active seeker keeps its
# Doppler gate and the airframe its inertial course for some seconds; a radio-command missile
# has no sensor of its own and is lost almost at once
GUIDANCE_MEMORY_S = {"semi_active": 10.0, "command": 2.0}
ARM_LETHAL_RADIUS_M = 150.0  # assumed: an anti-radiation missile this close silences a unit
ARM_MEMORY_S = 30.0  # assumed: an ARM seeker remembers a silenced emitter's position this long


# threat.CLASSES (the picture's classes) -> sim.world.CATEGORIES (vulnerability); unknown: -1
_CLASS_CATEGORY = np.array([-1 if c == "unknown" else CATEGORIES.index(c)
                            for c in threat.CLASSES], dtype=np.int64)


def _mode_tag(mode: str) -> str:
    """The ``tag`` of an engagement from how it was ordered."""
    return "duplicate" if "duplicate" in mode else "autonomous" if "autonomous" in mode \
        else "joint"


def _lost_tag(why: str) -> str:
    """The ``tag`` of an interceptor loss: the word of ``EVENT_TAGS`` its reason starts with."""
    for tag in EVENT_TAGS["interceptor_lost"]:
        if why.startswith(tag):
            return tag
    raise ValueError(f"an interceptor lost for an unknown reason: {why!r}")


@lru_cache(maxsize=8)
def _gun_table(muzzle_mps: float, alt_m: float) -> Any:
    """The ballistic table of a gun of muzzle speed ``muzzle_mps`` at ``alt_m`` (built once per
    process: about a second of integration)."""
    return time_of_flight_table(muzzle_velocity_mps=muzzle_mps, alt0_m=alt_m)


@dataclass
class SimOutput:
    world: World
    seed: int
    events: dict[str, np.ndarray]
    truth: dict[str, np.ndarray]
    tracks: dict[str, np.ndarray]
    picture: dict[str, np.ndarray]  # confirmed tracks at every truth sample (the air picture)
    # wall-clock figures, kept out of the event log (which is bit-identical for a seed):
    # ``solver_time_s``, the assignment solver's time of each logged assignment cycle
    timing: dict[str, np.ndarray] = field(default_factory=dict)


class Simulation:
    def __init__(self, world: World, seed: int):
        self.w = world
        self.seed = seed
        self.sc: Scenario = world.scenario
        self.log = EventLog()
        self.sched = Scheduler()
        tp = self.sc.tracker
        self.tracker = Tracker(TrackerParams(
            tp.confirm_m, tp.confirm_n, tp.coast, tp.gate_probability, tp.process_noise,
            filter=tp.filter, association=tp.association, imm_turn_rate_deg_s=tp.imm_turn_rate),
            self.log)
        fl = world.flight
        assert fl is not None
        self.icpt = Interceptors(fl.airframe, fl.nav_ratio, fl.loft, fl.seeker_range_m)
        self.ground_alt = float(world.terrain_m)
        self._active_seeker = np.array([world.catalogue.missiles[n].guidance == "active"
                                        for n in world.missiles.name], dtype=bool)
        v = world.vehicles
        self.routes = build_route_table(v.wp_t_s, v.wp_lat_rad, v.wp_lon_rad, v.wp_alt_m,
                                        world.origin)
        self._state_cache: tuple[float, tuple[np.ndarray, ...]] | None = None
        mk = v.man_kind if v.man_kind is not None else np.zeros(len(v), dtype=np.int64)
        self._man = np.flatnonzero(mk > 0)
        # weave phase from the route start; a break waits for a launch (inf until then)
        self._man_t_ref = np.where(mk == 3, np.inf, v.t_start_s)
        self._route_end = np.zeros((len(v), 3))
        for i in np.flatnonzero(mk == 2):
            self._route_end[i] = table_state(self.routes, float(v.t_end_s[i]))[0][i]
        self.first_detected = np.zeros(len(world.vehicles), dtype=bool)
        self.ended = np.zeros(len(world.vehicles), dtype=bool)
        cap = 0
        self._c2_ids = np.full(cap, -1, dtype=np.int64)
        self._c2 = {"replied": np.zeros(cap, bool), "asked": np.zeros(cap, np.int64),
                    "ident": np.zeros(cap, np.int64), "cls": np.zeros(cap, np.int64),
                    "killed": np.zeros(cap, bool)}
        self.pending: list[tuple[int, int, int]] = []  # (unit, track_id, rounds) to launch
        self._flyout_scheduled = False
        self._next_flyout_s = 0.0
        self.rng_radar = [stream(seed, f"radar:{n}") for n in world.radars.name]
        self.rng_iff = stream(seed, "iff")
        self.rng_endgame = stream(seed, "endgame")
        self.rng_seeker = stream(seed, "seeker")
        self.rng_assess = stream(seed, "assess")
        # jam strobes: their own streams, so that they leave every other draw as it was
        self.rng_strobe = [stream(seed, f"strobe:{n}") for n in world.radars.name]
        self.strobes: dict[int, tuple[float, Strobes]] = {}
        self.strobe_seen: set[tuple[int, int]] = set()
        self._truth_rows: list[tuple[np.ndarray, ...]] = []
        self._fate_rows: list[tuple[np.ndarray, ...]] = []  # truth at launch and fate instants
        self._picture_rows: list[tuple[np.ndarray, ...]] = []
        self._no_fire: dict[int, str] = {}  # track id -> last reason it was not engaged
        self.solver_times: list[float] = []  # wall clock, outside the event log
        self._auto_logged = np.zeros(len(world.units.name), dtype=bool)
        self.handlers = self._handlers()
        self.finished = False
        # live exercise (sim.live): links cut by the controller, operator approval of
        # engagements (timeout s and the default on timeout), engagements waiting for it
        self.live_auto = np.zeros(len(world.units.name), dtype=bool)
        self.approval: tuple[float, bool] | None = None
        self.awaiting: dict[int, dict[str, Any]] = {}
        self._next_approval = 1
        self.external: dict[str, int] = {}  # DIS entity id -> truth id
        self.command_handler: Callable[[Simulation, float, str, dict[str, Any]], None] | None = None

    # ---------------------------------------------------------------- truth
    def state(self, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions, velocities, altitudes MSL and presence mask of all vehicles at ``t_s``."""
        if self._state_cache is not None and self._state_cache[0] == t_s:
            return self._state_cache[1]  # type: ignore[return-value]
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
        self._state_cache = (t_s, out)
        return out

    # ---------------------------------------------------------------- scheduling
    def start(self) -> None:
        w, s = self.w, self.sched
        phase_rng = stream(self.seed, "radar-phase")
        phases = phase_rng.uniform(0.0, 1.0, len(w.radars.name)) * w.radars.period_s
        for i, ph in enumerate(phases):
            s.at(float(ph), Priority.SCAN, "scan", i)
        s.at(self.sc.c2.cycle, Priority.C2, "c2")
        s.at(0.0, Priority.SAMPLE, "sample")
        v = w.vehicles
        for i in range(len(v)):
            if v.t_start_s[i] <= self.sc.duration:
                s.at(float(v.t_start_s[i]), Priority.MOTION_END, "spawn", i)
            if v.t_end_s[i] <= self.sc.duration:
                s.at(float(v.t_end_s[i]), Priority.MOTION_END, "route_end", i)
        s.at(self.sc.duration, Priority.SAMPLE + 1, "end")

    def _handlers(self) -> dict[str, Callable[[float, Any], None]]:
        return {"scan": self.on_scan, "c2": self.on_c2, "sample": self.on_sample,
                "spawn": self.on_spawn, "route_end": self.on_route_end,
                "flyout": self.on_flyout, "launch": self.on_launch,
                "endgame": self.on_endgame, "gunhit": self.on_gunhit,
                "icpt_lost": self.on_icpt_lost, "assess": self.on_assess,
                "command": self.on_command, "approval_timeout": self.on_approval_timeout}

    def run(self, progress: Callable[[float], None] | None = None) -> None:
        self.start()
        last_report = -1e9
        while not self.finished and len(self.sched):
            t = self.step()
            if progress is not None and t - last_report >= 10.0:
                progress(t)
                last_report = t
        if progress is not None:
            progress(self.sc.duration)

    def step(self) -> float:
        """Process the next event; its time."""
        t, kind, payload = self.sched.pop()
        if kind == "end":
            self.log.emit(t, "end", value=t)
            self.finished = True
            return t
        self.handlers[kind](t, payload)
        return t

    def step_until(self, t_s: float) -> None:
        """Process every event up to and including ``t_s`` (the live exercise's pace)."""
        while not self.finished and self.sched.peek_time() <= t_s:
            self.step()

    # ---------------------------------------------------------------- systems
    def on_spawn(self, t: float, i: int) -> None:
        pos, _, _, _ = self.state(t)
        v = self.w.vehicles
        self.log.emit(t, "spawn", truth_id=i, target=v.type[i], pos_m=pos[i],
                      info=SIDES[v.side[i]], tag=SIDES[v.side[i]])

    def on_route_end(self, t: float, i: int) -> None:
        """End of a route: a hostile with a target or a warhead has leaked (its weapon reaches
        the target: assets within their radius are damaged, an anti-radiation missile silences
        the unit it ends on); anything else simply completes its route."""
        v, w = self.w.vehicles, self.w
        if not v.alive[i] or self.ended[i] or t != v.t_end_s[i]:
            return  # killed, removed, or re-routed since this end was scheduled (move_vehicle)
        pos, vel, _, _ = self.state(t)
        self._truth_at(t, [i], pos[[i]], vel[[i]])
        self.ended[i] = True
        self._state_cache = None
        tname = ""
        if v.target_asset[i] >= 0:
            tname = w.assets.name[v.target_asset[i]]
        elif v.target_unit[i] >= 0:
            tname = w.units.name[v.target_unit[i]]
        hostile = v.side[i] == 0
        if not (hostile and (tname or v.warhead_damage[i] > 0)):
            self.log.emit(t, "route_end", truth_id=i, pos_m=pos[i], info=SIDES[v.side[i]],
                          tag=SIDES[v.side[i]])
            return
        self.log.emit(t, "leak", truth_id=i, target=tname, pos_m=pos[i], info=SIDES[v.side[i]],
                      tag=SIDES[v.side[i]])
        a = w.assets
        if a.name and v.warhead_damage[i] > 0:
            # weapons released at the route's end fall on the ground below: horizontal distance
            d = np.linalg.norm(a.pos_m[:, :2] - pos[i, :2], axis=1)
            for k in np.flatnonzero(d <= a.radius_m):
                before = a.damage[k]
                a.damage[k] = 1.0 - (1.0 - before) * (1.0 - v.warhead_damage[i])
                self.log.emit(t, "impact", truth_id=i, target=a.name[k],
                              value=a.damage[k] - before, pos_m=pos[i], info="asset",
                              tag="asset")
        if CATEGORIES[v.category[i]] == "anti_radiation_missile":
            # an anti-radiation missile homes on emissions: a unit whose radars have been
            # silent for longer than the seeker's memory is not found
            u = w.units
            d = np.linalg.norm(u.pos_m - pos[i], axis=1)
            heard = np.array([w.radars.last_emission_s[w.unit_radars[k]].max()
                              >= t - ARM_MEMORY_S for k in range(len(u.name))])
            for k in np.flatnonzero((d <= ARM_LETHAL_RADIUS_M) & u.alive & ~heard):
                self.log.emit(t, "impact", truth_id=i, target=u.name[k], value=0.0,
                              pos_m=pos[i], info="emitter silent", tag="emitter silent")
            for k in np.flatnonzero((d <= ARM_LETHAL_RADIUS_M) & u.alive & heard):
                u.alive[k] = False
                w.radars.alive[w.unit_radars[k]] = False
                self.log.emit(t, "impact", truth_id=i, target=u.name[k], value=1.0,
                              pos_m=pos[i], info="unit", tag="unit")
                self.log.emit(t, "unit_destroyed", source=u.name[k], truth_id=i,
                              pos_m=u.pos_m[k])

    def _terrain_clear(self, i: int, pos_m: np.ndarray, alt_m: np.ndarray
                       ) -> np.ndarray | None:
        """Which targets the terrain grid leaves in radar ``i``'s line of sight (None: no grid)."""
        g = self.w.terrain
        if g is None or pos_m.shape[0] == 0:
            return None
        rs = self.w.radars
        lat, lon, _ = enu_to_geodetic(pos_m, *self.w.origin)
        return line_of_sight_clear(rs.lat_deg[i], rs.lon_deg[i], rs.h_msl_m[i], np.degrees(lat),
                                   np.degrees(lon), alt_m, g.z_m, *g.bounds)

    def _jammers(self, t: float, pos: np.ndarray, alt: np.ndarray, present: np.ndarray
                 ) -> Jammers:
        v = self.w.vehicles
        j = present & (v.jammer_power_w > 0)
        if v.jam_from_s is not None:  # a stand-off jammer switched on when on station
            j &= v.jam_from_s <= t
        return Jammers(pos[j], alt[j] - self.w.terrain_m, v.jammer_power_w[j],
                       v.jammer_gain_db[j], v.jammer_bandwidth_hz[j], np.flatnonzero(j))

    def on_scan(self, t: float, i: int) -> None:
        rs = self.w.radars
        if t + rs.period_s[i] <= self.sc.duration:
            self.sched.at(t + rs.period_s[i], Priority.SCAN, "scan", i)
        if not (rs.alive[i] and rs.emitting[i]):
            return
        rs.last_emission_s[i] = t
        pos, _, alt, present = self.state(t)
        v = self.w.vehicles
        idx = np.flatnonzero(present)
        jam = self._jammers(t, pos, alt, present)
        det = scan(rs, i, t, pos[idx], alt[idx] - self.w.terrain_m, v.rcs_m2[idx],
                   v.swerling[idx], idx, jam, self.rng_radar[i],
                   self._terrain_clear(i, pos[idx], alt[idx]))
        if jam.pos_m.shape[0]:
            sb = strobes(rs, i, jam, self.rng_strobe[i])
            self.strobes[i] = (t, sb)
            assert jam.truth_id is not None
            for k, az in zip(sb.jammer, sb.az_rad, strict=True):
                key = (i, int(jam.truth_id[k]))
                if key not in self.strobe_seen:
                    self.strobe_seen.add(key)
                    self.log.emit(t, "jam_strobe", source=rs.name[i], truth_id=key[1],
                                  value=float(np.degrees(az)), info="bearing deg, radar frame")
        n_true = int((det.truth_id >= 0).sum())
        self.log.emit(t, "scan", source=rs.name[i], value=n_true,
                      info=f"false={len(det) - n_true}", count=len(det) - n_true)
        new = det.truth_id[(det.truth_id >= 0)]
        new_first = new[~self.first_detected[new]]
        for tid in new_first:
            rng_m = det.true_range_m[det.truth_id == tid][0]
            self.first_detected[tid] = True
            self.log.emit(t, "first_detection", source=rs.name[i], truth_id=tid, value=rng_m,
                          pos_m=pos[tid])
        if len(det) == 0:
            self.tracker.process(t, np.zeros((0, 3)), np.zeros((0, 3, 3)),
                                 np.zeros(0, dtype=np.int64), rs.pos_m[i], rs.max_range_m[i],
                                 rs.name[i])
            return
        local = aer_to_enu(det.az_rad, det.el_rad, det.range_m)
        rot = rs.rot[i]
        z = local @ rot + rs.pos_m[i]  # rotᵀ·local, row-wise
        R_local = kalman.aer_to_enu_cov(det.range_m, det.az_rad, det.el_rad, det.sigma_range_m,
                                        det.sigma_az_rad, det.sigma_el_rad)
        R = rot.T[None] @ R_local @ rot[None]
        polar = None
        if self.tracker.p.filter in ("ekf", "ukf"):  # raw plots, mathematical azimuth
            zp = np.column_stack([det.range_m, np.pi / 2 - det.az_rad, det.el_rad])
            Rp = np.zeros((len(det), 3, 3))
            Rp[:, 0, 0] = det.sigma_range_m**2
            Rp[:, 1, 1] = det.sigma_az_rad**2
            Rp[:, 2, 2] = det.sigma_el_rad**2
            polar = PolarPlots(zp, Rp, rs.pos_m[i], rot)
        self.tracker.process(t, z, R, det.truth_id, rs.pos_m[i], rs.max_range_m[i], rs.name[i],
                             polar)

    def _sync_c2(self) -> None:
        cap = self.tracker.status.size
        if self._c2_ids.size < cap:
            grow = cap - self._c2_ids.size
            self._c2_ids = np.concatenate([self._c2_ids, np.full(grow, -1, dtype=np.int64)])
            for k, a in self._c2.items():
                self._c2[k] = np.concatenate([a, np.zeros(grow, dtype=a.dtype)])
        reused = self._c2_ids != self.tracker.track_id
        for a in self._c2.values():
            a[reused] = 0
        self._c2_ids[reused] = self.tracker.track_id[reused]

    def _emission_control(self, t: float, track_pos_m: np.ndarray, ident: np.ndarray
                          ) -> np.ndarray:
        """Switch cued engagement radars on while the air picture holds a track that is not a
        friend within their cue range (or their missiles are in the air), off otherwise.
        Returns which units' engagement radars were radiating at the start of this cycle."""
        w = self.w
        rs, eng = w.radars, w.engagement_radar
        radar_on = rs.emitting[eng] & rs.alive[eng]
        if not w.emcon_cued.any():
            return radar_on
        threat_pos = track_pos_m[ident != threat.FRIEND]
        flying = np.zeros(len(w.units.name), dtype=bool)
        for r in self.icpt.in_flight():
            flying[self.icpt.unit[r]] = True
        for k in np.flatnonzero(w.emcon_cued & w.units.alive):
            near = bool(threat_pos.size) and bool(
                (np.linalg.norm(threat_pos - w.units.pos_m[k], axis=1) <= w.cue_range_m[k]).any())
            want = near or flying[k]
            if want != rs.emitting[eng[k]]:
                rs.emitting[eng[k]] = want
                self.log.emit(t, "emission", source=rs.name[eng[k]], info="on" if want else "off",
                              tag="on" if want else "off")
        return radar_on

    def _autonomous(self, t: float) -> np.ndarray:
        """Units fighting without the command post at ``t`` (logged when it starts)."""
        u, c2 = self.w.units, self.sc.c2
        auto = np.array([self.sc.units[n].doctrine.autonomous for n in u.name], dtype=bool)
        if c2.command_post_lost is not None and t >= c2.command_post_lost:
            auto[:] = True
        for ll in c2.links_lost:
            if t >= ll.at:
                auto[u.name.index(ll.unit)] = True
        auto |= self.live_auto
        for k in np.flatnonzero(auto & ~self._auto_logged):
            self.log.emit(t, "link_lost", source=u.name[k], info="fights autonomously")
        self._auto_logged |= auto
        return auto

    def unit_sensor_ids(self, unit: int) -> np.ndarray:
        """The tracker's sensor ids of the radars of fire unit ``unit`` (public: live mode)."""
        return self._unit_sensors(unit)

    def track_identity(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fire control's identity (``c2.threat.IDENTITIES`` index) and class
        (``c2.threat.CLASSES`` index) of the tracks in tracker ``slots`` (public: live mode)."""
        self._sync_c2()
        return self._c2["ident"][slots].copy(), self._c2["cls"][slots].copy()

    def _unit_sensors(self, unit: int) -> np.ndarray:
        rs = self.w.radars
        return np.array([self.tracker.sensor_id(rs.name[i])
                         for i in np.flatnonzero(rs.unit == unit)], dtype=np.int64)

    def _busy(self, only_unit: int | None = None
              ) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[int, bool, int]]]:
        """Per unit: tracks and missiles in the air or pending. Per track: missiles fired at it
        and not yet assessed, whether a shoot-look-shoot unit fired any, the largest salvo
        (counting only ``only_unit``'s missiles when given: what an autonomous unit knows)."""
        u = self.w.units
        nu = len(u.name)
        tb, mb = np.zeros(nu), np.zeros(nu)
        seen: set[tuple[int, int]] = set()
        ic = self.icpt
        pairs = [(ic.unit[r], ic.track_id[r], 1) for r in ic.in_flight()]
        pairs += self.pending
        for unit, tid, n in pairs:
            mb[unit] += n
            if (unit, tid) not in seen:
                seen.add((unit, tid))
                tb[unit] += 1
        per_track: dict[int, tuple[int, bool, int]] = {}
        # bounded by the units' missile channels, not by the number of missiles ever fired
        open_rows = np.flatnonzero(~np.asarray(ic.assessed, dtype=bool))
        unassessed = [(ic.unit[r], ic.track_id[r], 1) for r in open_rows]
        for unit, tid, n in unassessed + self.pending:
            if only_unit is not None and unit != only_unit:
                continue
            c, sls, salvo = per_track.get(tid, (0, False, 0))
            per_track[tid] = (c + n, sls or bool(u.shoot_look_shoot[unit]),
                              max(salvo, int(u.salvo[unit])))
        return tb, mb, per_track

    @staticmethod
    def _blocked(entry: tuple[int, bool, int] | None) -> bool:
        """Shoot-look-shoot: no new fire until all fired is assessed; shoot-shoot-look: a second
        salvo may follow the first before the look."""
        if entry is None:
            return False
        count, sls, salvo = entry
        return count > 0 and (sls or count >= 2 * salvo)

    def _on_strobe(self, t: float, pos_m: np.ndarray) -> np.ndarray:
        """Which track positions lie on jam strobes of the latest scans of live radars: on
        strobes seen from two sites (fire units) when two or more sites see strobes — bearings
        from two sites cross at the jammer, while one bearing also passes everything flying
        along it, such as the anti-radiation missiles a jamming striker launches — else from
        one site."""
        rs = self.w.radars
        by_site: dict[int, np.ndarray] = {}
        for i, (ts, sb) in self.strobes.items():
            if sb.az_rad.size == 0 or not rs.alive[i] or t - ts > rs.period_s[i] + self.sc.c2.cycle:
                continue
            az = enu_to_aer((pos_m - rs.pos_m[i]) @ rs.rot[i].T)[0]
            hit = threat.on_strobe(az, sb.az_rad, sb.sigma_az_rad, rs.beamwidth_az_rad[i])
            site = int(rs.unit[i])
            by_site[site] = by_site.get(site, np.zeros(pos_m.shape[0], dtype=bool)) | hit
        if not by_site:
            return np.zeros(pos_m.shape[0], dtype=bool)
        return np.sum(list(by_site.values()), axis=0) >= min(len(by_site), 2)

    def on_c2(self, t: float, _payload: object) -> None:
        if t + self.sc.c2.cycle <= self.sc.duration:
            self.sched.at(t + self.sc.c2.cycle, Priority.C2, "c2")
        tr, w = self.tracker, self.w
        self._sync_c2()
        slots = tr.live(CONFIRMED)
        if slots.size == 0:
            return
        st = tr.state_at(slots, t)
        ids = tr.track_id[slots]
        agl, climb = self._height_climb(st)
        speed = np.linalg.norm(st[:, 3:], axis=1)
        jamming = self._on_strobe(t, st[:, :3])
        cls, conf = threat.classify(speed, agl, climb, jamming)
        c = self._c2
        changed = cls != c["cls"][slots]
        for s, k in zip(slots[changed], np.flatnonzero(changed), strict=True):
            self.log.emit(t, "classified", track_id=tr.track_id[s], truth_id=tr.truth[s],
                          target=threat.CLASSES[cls[k]], value=conf[k],
                          info="cue=jamming" if jamming[k] and cls[k] != 4 else "cue=kinematics",
                          tag="jamming" if jamming[k] and cls[k] != 4 else "kinematics")
        c["cls"][slots] = cls
        # IFF: the aircraft the track actually follows answers (if friendly and the draw succeeds)
        truth = tr.truth[slots]
        v = w.vehicles
        known = truth >= 0
        friendly = np.zeros(slots.size, bool)
        p_reply = np.zeros(slots.size)
        friendly[known] = v.side[truth[known]] == 1
        p_reply[known] = v.iff_reply_probability[truth[known]]
        u_iff = self.rng_iff.random(slots.size)
        c["replied"][slots] |= threat.interrogate(friendly, p_reply, u_iff)
        c["asked"][slots] += 1
        ident = threat.identity(c["replied"][slots], c["asked"][slots],
                                self.sc.c2.iff_interrogations)
        changed = ident != c["ident"][slots]
        for s, k in zip(slots[changed], np.flatnonzero(changed), strict=True):
            self.log.emit(t, "identified", track_id=tr.track_id[s], truth_id=tr.truth[s],
                          target=threat.IDENTITIES[ident[k]])
        c["ident"][slots] = ident
        for s in slots[changed & (ident == threat.FRIEND)]:  # cease fire on a friend
            self._destroy_in_flight(t, int(tr.track_id[s]), "self-destruct: target identified "
                                    "friend")
        radar_on = self._emission_control(t, st[:, :3], ident)
        # threat evaluation against defended assets and the units themselves
        u = w.units
        pts = np.vstack([w.assets.pos_m, u.pos_m[u.alive]])
        vals = np.concatenate([w.assets.value, u.value[u.alive]])
        radii = np.concatenate([w.assets.radius_m, np.full(int(u.alive.sum()), 1000.0)])
        prio, _, ttg = threat.threat_priority(st[:, :3], st[:, 3:], pts, vals, radii)
        tb, mb, per_track = self._busy()
        stale = t - tr.t[slots] > self.sc.c2.max_track_age  # a track of a vanished aircraft
        blocked = (np.array([self._blocked(per_track.get(int(i))) for i in ids], dtype=bool)
                   | c["killed"][slots] | stale)
        planner = plan_wta if self.sc.c2.assignment == "wta" else plan
        auto = self._autonomous(t)
        joint_on = radar_on & ~auto
        held = self._held(slots, t)
        cat = _CLASS_CATEGORY[cls]  # the picture's class as a vulnerability category
        pl = planner(t, ids, st, agl, ident, prio, ttg, u, w.missiles, tb, mb, blocked,
                     self.sc.c2.engagement_horizon, joint_on, held=held, category=cat)
        dup: set[tuple[int, int]] = set()
        for a in np.flatnonzero(auto & radar_on & u.alive):
            # an autonomous unit sees only the tracks its own radars hold, knows only its own
            # missiles in flight, and plans alone
            own = tr.seen_by(slots, self._unit_sensors(int(a)), t - self.sc.c2.max_track_age)
            own_busy = self._busy(int(a))[2]
            own_blocked = (np.array([self._blocked(own_busy.get(int(i))) for i in ids],
                                    dtype=bool) | c["killed"][slots] | stale | ~own)
            only = np.zeros_like(radar_on)
            only[a] = True
            pa = planner(t, ids, st, agl, ident, prio, ttg, u, w.missiles, tb, mb, own_blocked,
                         self.sc.c2.engagement_horizon, only, held=held, category=cat)
            for o in pa.orders:
                if per_track.get(o.track_id, (0,))[0] > 0 or any(
                        q.track_id == o.track_id for q in pl.orders):
                    dup.add((o.unit, o.track_id))
            pl.orders.extend(pa.orders)
        if pl.solver is not None and pl.n_weapons:
            sol = pl.solver
            self.solver_times.append(float(sol.time_s))
            self.log.emit(t, "assignment", value=sol.gap, info=(
                f"objective={sol.objective:.6g} bound={sol.lower_bound:.6g} gap={sol.gap:.4g} "
                f"targets={pl.n_targets} weapons={pl.n_weapons} method={sol.method}"),
                count=pl.n_weapons, tag=sol.method)
        # every track not engaged that is not a friend has its reason: those the planner did not
        # consider because they were assessed killed or their track went stale
        for k in np.flatnonzero((c["killed"][slots] | stale) & (ident != threat.FRIEND)):
            pl.no_fire.setdefault(int(ids[k]), "assessed killed" if c["killed"][slots[k]]
                                  else "track stale")
        for tid, why in pl.no_fire.items():
            if self._no_fire.get(tid) != why:
                self._no_fire[tid] = why
                s = tr.slot_of(tid)
                self.log.emit(t, "no_fire", track_id=tid, truth_id=tr.truth[s], info=why)
        for o in pl.orders:
            self._no_fire.pop(o.track_id, None)
            s = tr.slot_of(o.track_id)
            mode = ""
            if auto[o.unit]:
                mode = " autonomous" + (" duplicate" if (o.unit, o.track_id) in dup else "")
            self.pending.append((o.unit, o.track_id, o.rounds))
            if self.approval is not None:  # the operator decides (live exercise)
                self._request_approval(t, o, int(tr.truth[s]), mode)
                continue
            self.log.emit(t, "engage", source=u.name[o.unit], track_id=o.track_id,
                          truth_id=tr.truth[s], target=w.missiles.name[o.missile],
                          value=o.rounds, info=f"t_intercept={o.t_intercept_s:.1f}{mode}",
                          t_pred_s=o.t_intercept_s, tag=_mode_tag(mode))
            self._schedule_launches(o.unit, o.missile, o.track_id, o.rounds, o.t_launch_s)

    def _height_climb(self, st: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Height above the ground (m) and climb rate (m/s) of flat-frame track states over the
        curved Earth: the frame is tangent at the scenario origin, so a point's height is
        z + (x² + y²)/(2R) above the origin's sphere (``physics.flight.altitude_m``, the
        flyouts' Earth) and the local vertical there is (x, y, R + z)/|(x, y, R + z)|."""
        w = self.w
        h = altitude_m(st[:, :3], float(w.origin[2]), EARTH_RADIUS_M) - w.terrain_m
        up = np.column_stack([st[:, 0], st[:, 1], EARTH_RADIUS_M + st[:, 2]])
        up /= np.linalg.norm(up, axis=1)[:, None]
        return h, np.einsum("ij,ij->i", st[:, 3:], up)

    def _last_held_s(self, slots: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The last instant each unit's engagement radar updated the track in each slot while it
        radiated (-inf: never, or no such track) — what own-radar guidance flies on; ``slots``
        and ``units`` broadcast together."""
        w, tr, rs = self.w, self.tracker, self.w.radars
        eng = w.engagement_radar[units]
        sid = np.array([tr.sensor_id(n) for n in rs.name], dtype=np.int64)[eng]
        slots, sid, eng = np.broadcast_arrays(slots, sid, eng)
        ok = (slots >= 0) & (sid >= 0) & (sid < tr.hit_t.shape[1])
        out = np.full(slots.shape, -np.inf)
        out[ok] = np.minimum(tr.hit_t[slots[ok], sid[ok]], rs.last_emission_s[eng[ok]])
        return out

    def _held(self, slots: np.ndarray, t: float) -> np.ndarray:
        """(k, u): whether each unit's own engagement radar holds each track — alive, radiating,
        and it updated the track within ``HOLD_REVISITS`` of its revisit periods."""
        rs, eng = self.w.radars, self.w.engagement_radar
        units = np.arange(eng.size)
        last = self._last_held_s(slots[:, None], units[None, :])
        return ((rs.alive[eng] & rs.emitting[eng])[None, :]
                & (last >= t - HOLD_REVISITS * rs.period_s[eng][None, :]))

    def _abort_launch(self, t: float, unit: int, m: int, tid: int, truth: int, why: str) -> None:
        self.w.units.inventory[unit, m] += 1  # not fired: the round stays on the launcher
        self.log.emit(t, "launch_aborted", source=self.w.units.name[unit], track_id=tid,
                      truth_id=truth, target=self.w.missiles.name[m], info=why)

    def _schedule_launches(self, unit: int, missile: int, track_id: int, rounds: int,
                           t_first: float) -> None:
        for r in range(rounds):
            t_l = t_first + r * self.w.units.launch_interval_s[unit]
            self.sched.at(t_l, Priority.LAUNCH, "launch", (unit, missile, track_id))

    # ---------------------------------------------------------------- live exercise
    def _request_approval(self, t: float, o: Any, truth: int, mode: str) -> None:
        assert self.approval is not None
        timeout, _ = self.approval
        aid = self._next_approval
        self._next_approval += 1
        u, mt = self.w.units, self.w.missiles
        self.awaiting[aid] = {"id": aid, "unit": o.unit, "unit_name": u.name[o.unit],
                              "missile": o.missile, "missile_name": mt.name[o.missile],
                              "track_id": o.track_id, "rounds": o.rounds, "t_s": t,
                              "deadline_s": t + timeout, "t_intercept_s": o.t_intercept_s,
                              "truth": truth, "mode": mode}
        self.log.emit(t, "approval_request", source=u.name[o.unit], track_id=o.track_id,
                      truth_id=truth, target=mt.name[o.missile], value=aid,
                      info=f"rounds={o.rounds} deadline={t + timeout:.1f}{mode}",
                      count=o.rounds, t_pred_s=t + timeout, tag=_mode_tag(mode))
        self.sched.at(t + timeout, Priority.C2, "approval_timeout", aid)

    def decide(self, t: float, aid: int, approve: bool, by: str) -> None:
        """An operator's (or the time-out's) decision on a waiting engagement."""
        a = self.awaiting.pop(aid, None)
        if a is None:
            return
        u, name = self.w.units, a["unit_name"]
        if approve and u.alive[a["unit"]]:
            self.log.emit(t, "approved", source=name, track_id=a["track_id"],
                          truth_id=a["truth"], target=a["missile_name"], value=aid, info=by)
            self.log.emit(t, "engage", source=name, track_id=a["track_id"], truth_id=a["truth"],
                          target=a["missile_name"], value=a["rounds"],
                          info=f"t_intercept={a['t_intercept_s']:.1f}{a['mode']} approved",
                          t_pred_s=a["t_intercept_s"], tag=_mode_tag(a["mode"]))
            self._schedule_launches(a["unit"], a["missile"], a["track_id"], a["rounds"], t)
            return
        self.log.emit(t, "denied", source=name, track_id=a["track_id"], truth_id=a["truth"],
                      target=a["missile_name"], value=aid, info=by)
        u.inventory[a["unit"], a["missile"]] += a["rounds"]  # the salvo stays on the rails
        for k, (pu, pt, _n) in enumerate(self.pending):
            if pu == a["unit"] and pt == a["track_id"]:
                del self.pending[k]
                break

    def on_approval_timeout(self, t: float, aid: int) -> None:
        if aid in self.awaiting and self.approval is not None:
            self.decide(t, aid, self.approval[1], "timeout")

    def add_vehicles(self, t: float, new: Vehicles) -> np.ndarray:
        """Put air vehicles into the running exercise (their routes start at ``t`` or later);
        their truth ids."""
        w = self.w
        n0 = len(w.vehicles)
        w.vehicles = concat_vehicles(w.vehicles, new)
        v = w.vehicles
        ids = np.arange(n0, len(v))
        self._splice_routes(n0, n0, len(v))
        self._state_cache = None
        mk = v.man_kind if v.man_kind is not None else np.zeros(len(v), dtype=np.int64)
        self._man = np.flatnonzero(mk > 0)
        self._man_t_ref = np.concatenate([self._man_t_ref, np.where(
            mk[ids] == 3, np.inf, v.t_start_s[ids])])
        self._route_end = np.vstack([self._route_end, np.zeros((ids.size, 3))])
        for i in ids[mk[ids] == 2]:
            self._route_end[i] = table_state(self.routes, float(v.t_end_s[i]))[0][i]
        self.first_detected = np.concatenate([self.first_detected, np.zeros(ids.size, bool)])
        self.ended = np.concatenate([self.ended, np.zeros(ids.size, bool)])
        for i in ids:
            if v.t_start_s[i] <= self.sc.duration:
                self.sched.at(max(float(v.t_start_s[i]), t), Priority.MOTION_END, "spawn",
                              int(i))
            if v.t_end_s[i] <= self.sc.duration:
                self.sched.at(float(v.t_end_s[i]), Priority.MOTION_END, "route_end", int(i))
        return ids

    def move_vehicle(self, t: float, i: int, wp_t: np.ndarray, wp_lat: np.ndarray,
                     wp_lon: np.ndarray, wp_alt: np.ndarray) -> None:
        """Give vehicle ``i`` a new route from ``t`` on (an external entity's latest state)."""
        v = self.w.vehicles
        k = wp_t.size
        if k > v.wp_t_s.shape[1]:
            raise ValueError("a route longer than the vehicle table")
        v.wp_t_s[i] = np.inf
        v.wp_t_s[i, :k], v.wp_lat_rad[i, :k] = wp_t, wp_lat
        v.wp_lon_rad[i, :k], v.wp_alt_m[i, :k] = wp_lon, wp_alt
        v.wp_lat_rad[i, k:], v.wp_lon_rad[i, k:], v.wp_alt_m[i, k:] = wp_lat[-1], wp_lon[-1], \
            wp_alt[-1]
        v.t_end_s[i] = float(wp_t[-1])
        self._splice_routes(i, i + 1, i + 1)
        if v.t_end_s[i] <= self.sc.duration:  # the end of the new route (the old one's is void)
            self.sched.at(float(v.t_end_s[i]), Priority.MOTION_END, "route_end", int(i))

    def _splice_routes(self, start: int, stop: int, new_stop: int) -> None:
        """Sample the waypoint rows ``start .. new_stop-1`` alone and put them in the route table
        in place of its vehicles ``start .. stop-1`` (the other vehicles' nodes are kept)."""
        v, r = self.w.vehicles, slice(start, new_stop)
        part = build_route_table(v.wp_t_s[r], v.wp_lat_rad[r], v.wp_lon_rad[r], v.wp_alt_m[r],
                                 self.w.origin)
        self.routes = splice_route_table(self.routes, part, start, stop)
        self._state_cache = None

    def remove_vehicle(self, t: float, i: int, why: str) -> None:
        """Take vehicle ``i`` out of the exercise at ``t`` (an external entity that another
        simulator deactivated or stopped sending)."""
        if self.ended[i] or not self.w.vehicles.alive[i]:
            return
        pos, vel, _, _ = self.state(t)
        self._truth_at(t, [i], pos[[i]], vel[[i]])
        self.ended[i] = True
        self._state_cache = None
        self.log.emit(t, "external_removed", truth_id=i, pos_m=pos[i], info=why)

    def on_command(self, t: float, payload: tuple[str, dict[str, Any]]) -> None:
        """A live command at its instant (``command_handler``: ``sim.live.apply_command``)."""
        role, cmd = payload
        if self.command_handler is not None:
            self.command_handler(self, t, role, cmd)

    def on_launch(self, t: float, payload: tuple[int, int, int]) -> None:
        unit, m, tid = payload
        w, tr, mt = self.w, self.tracker, self.w.missiles
        # consume one pending round of this engagement
        for k, (pu, pt, n) in enumerate(self.pending):
            if pu == unit and pt == tid:
                self.pending[k] = (pu, pt, n - 1)
                if n - 1 == 0:
                    del self.pending[k]
                break
        s = tr.slot_of(tid)
        u = w.units
        if (s < 0 or not u.alive[unit] or tr.status[s] != CONFIRMED
                or t - tr.t[s] > self.sc.c2.max_track_age):
            self._abort_launch(t, unit, m, tid, int(tr.truth[s]) if s >= 0 else -1,
                               "unit out of action" if not u.alive[unit] else "track lost")
            return
        st = tr.state_at(np.array([s]), t)[0]
        self._sync_c2()
        why = ""
        if self._c2["ident"][s] == threat.FRIEND:
            why = "track identified friend"
        elif self._c2["killed"][s]:
            why = "track assessed killed"
        elif self._height_climb(st[None])[0][0] < 0.0:
            why = "track below the ground (threat down)"
        elif mt.own_radar is not None and mt.own_radar[m] and \
                not self._held(np.array([s]), t)[0, unit]:
            why = f"{w.radars.name[w.engagement_radar[unit]]} does not hold the track"
        if why:
            self._abort_launch(t, unit, m, tid, int(tr.truth[s]), why)
            return
        origin = u.pos_m[unit] + np.array([0.0, 0.0, 5.0])
        truth = int(tr.truth[s])
        vv = w.vehicles
        if truth >= 0 and vv.man_kind is not None and vv.man_kind[truth] == 3 and \
                not np.isfinite(self._man_t_ref[truth]):
            self._man_t_ref[truth] = t  # its warning receiver sees the launch: it breaks
            self._state_cache = None
        if mt.is_gun[m]:
            self._gun_burst(t, unit, m, tid, s, st, origin)
            return
        fl = self.w.flight
        assert fl is not None
        rel = st[:3] - origin
        # aim the launch at the predicted intercept point of the missile's reach table, with
        # the trajectory programme chosen there (weapons.envelope)
        aim_rel, loft, tof = rel, float(fl.loft[m]), np.nan
        tb = fl.reach_tables[m] if fl.reach_tables else None
        if tb is not None:
            tof = float(intercept_time_table(rel[None], st[None, 3:], tb.range_m, tb.height_m,
                                             tb.tof_s, tb.max_tof_s(),
                                             earth_radius_m=EARTH_RADIUS_M,
                                             launcher_pos_m=origin[None])[0])
            if np.isfinite(tof):
                aim_rel = rel + st[3:] * tof
                aim_h = altitude_m(origin + aim_rel, 0.0, EARTH_RADIUS_M) \
                    - altitude_m(origin, 0.0, EARTH_RADIUS_M)
                loft = float(tb.loft_at(np.hypot(aim_rel[0], aim_rel[1]), aim_h, loft))
        d = launch_direction(aim_rel[None], loft)[0]
        max_flight = 3.0 * mt.max_range_m[m] / 600.0 + 60.0
        wid = self.icpt.launch(unit, m, tid, t, origin, d, float(max_flight), loft=loft,
                               launch_distance_m=float(np.hypot(aim_rel[0], aim_rel[1])),
                               t_intercept_s=t + tof)
        self._truth_at(t, [-wid], origin[None], self.icpt.state.vel_mps[[wid - 1]])
        self.log.emit(t, "launch", source=u.name[unit], track_id=tid, truth_id=tr.truth[s],
                      weapon_id=wid, target=mt.name[m], value=tof, pos_m=origin, tag="missile")
        if not self._flyout_scheduled:
            self._flyout_scheduled = True
            self.sched.at(t, Priority.FLYOUT, "flyout")

    def _gun_burst(self, t: float, unit: int, m: int, tid: int, s: int, st: np.ndarray,
                   origin: np.ndarray) -> None:
        """A gun burst laid by a converged lead (``physics.gunnery.lead_solution``): the point
        where a 30 mm projectile, flown with drag from the gun's ballistic table, meets the
        track extrapolated at constant velocity; the burst reaches it after that time of
        flight. No solution (out of the table's reach): the burst is not fired."""
        fl, mt, u, tr = self.w.flight, self.w.missiles, self.w.units, self.tracker
        assert fl is not None
        alt = float(altitude_m(origin, float(self.w.origin[2]), EARTH_RADIUS_M))
        sol = lead_solution(origin, st[:3], st[3:],
                            table=_gun_table(float(fl.gun_muzzle_mps[m]), round(alt, -1)))
        tof = float(sol.tof_s[0])
        if not np.isfinite(tof) or not mt.min_range_m[m] <= sol.range_m[0] <= mt.max_range_m[m]:
            self._abort_launch(t, unit, m, tid, int(tr.truth[s]), "no gun fire solution")
            return
        aim = sol.aim_m[0] + origin
        wid = self.icpt.launch(unit, m, tid, t, origin, aim - origin, tof)
        self.icpt.alive[wid - 1] = False  # a burst is not flown
        self.log.emit(t, "launch", source=u.name[unit], track_id=tid, truth_id=tr.truth[s],
                      weapon_id=wid, target=mt.name[m], value=tof, pos_m=origin,
                      info="gun burst", tag="gun burst")
        self.sched.at(t + tof, Priority.FLYOUT, "gunhit", (wid - 1, aim))

    def on_gunhit(self, t: float, payload: tuple[int, np.ndarray]) -> None:
        """The burst at its aim point: the nearest live vehicle within the prediction basket is
        hit with the burst's kill probability (``physics.gunnery.burst_kill_probability``: the
        rounds' dispersion at that range, the fire-control aim error common to the burst, and
        the vehicle's offset from the aim point)."""
        r, aim = payload
        fl, mt, w, ic = self.w.flight, self.w.missiles, self.w, self.icpt
        assert fl is not None
        m, unit = ic.missile[r], w.units.name[ic.unit[r]]
        pos, _, _, present = self.state(t)
        u = self.rng_endgame.random()
        dist = np.where(present, np.linalg.norm(pos - aim, axis=1), np.inf)
        victim = int(np.argmin(dist)) if dist.size else -1
        if victim < 0 or dist[victim] > mt.seeker_basket_m[m]:
            self.log.emit(t, "intercept", source=unit, weapon_id=ic.weapon_id[r],
                          track_id=ic.track_id[r], truth_id=-1,
                          value=float(np.min(dist, initial=np.inf)), target=mt.name[m], pos_m=aim,
                          info="no target in the burst pattern",
                          tag="no target in the burst pattern")
            self._schedule_assess(t, r, False)
            return
        rng_m = float(np.linalg.norm(aim - w.units.pos_m[ic.unit[r]]))
        area = w.vehicles.presented_area_m2
        _, pk = burst_kill_probability(rng_m, area[victim] if area is not None else 3.0,
                                       fl.gun_rounds[m], fl.gun_dispersion_rad[m],
                                       fl.gun_aim_sigma_m[m], fl.gun_pk_given_hit[m],
                                       offset_m=float(dist[victim]))
        self._resolve(t, r, victim, float(dist[victim]), float(pk), u < float(pk), aim)

    def _resolve(self, t: float, r: int, victim: int, miss: float, pk: float, killed: bool,
                 point: np.ndarray) -> None:
        ic, w, mt = self.icpt, self.w, self.w.missiles
        m, unit = ic.missile[r], w.units.name[ic.unit[r]]
        pos, vel, _, present = self.state(t)
        if victim >= 0 and not present[victim]:
            killed, reason = False, "target already gone"
        else:
            reason = "hit" if killed else "missed"
        ic.alive[r] = False
        if not mt.is_gun[m]:  # the interceptor's last point: where it fuzed
            self._truth_at(t, [-int(ic.weapon_id[r])], np.asarray(point, dtype=float)[None],
                           ic.state.vel_mps[[r]])
        if killed:  # the victim's last point: where it was hit
            self._truth_at(t, [victim], pos[[victim]], vel[[victim]])
        self.log.emit(t, "intercept", source=unit, weapon_id=ic.weapon_id[r],
                      track_id=ic.track_id[r], truth_id=victim, value=miss, target=mt.name[m],
                      pos_m=point, info=f"{reason}; pk={pk:.3f}", pk=pk, tag=reason)
        if killed:
            v = w.vehicles
            v.alive[victim] = False
            self._state_cache = None
            self.log.emit(t, "kill", source=unit, truth_id=victim, weapon_id=ic.weapon_id[r],
                          track_id=ic.track_id[r], value=pk, pos_m=pos[victim],
                          info=SIDES[v.side[victim]], pk=pk, tag=SIDES[v.side[victim]])
        self._schedule_assess(t, r, killed)

    def on_flyout(self, t: float, _payload: object) -> None:
        """Fly every interceptor in the air from ``t`` to ``t + FLYOUT_STEP_S`` (weapons.flyout):
        guidance targets per row, the fuze on the real target, losses; the end games found in
        the interval are scheduled at their exact instants."""
        ic, tr, w, mt = self.icpt, self.tracker, self.w, self.w.missiles
        fl = w.flight
        assert fl is not None
        rows = np.flatnonzero(ic.alive & ~ic.fuzed)
        # the track each row is guided on
        slots = np.array([tr.slot_of(ic.track_id[r]) for r in rows], dtype=np.int64)
        keep = ~self._guidance_lost(t, rows, slots)
        rows, slots = rows[keep], slots[keep]
        if rows.size == 0:
            self._flyout_scheduled = False
            return
        pos, vel, _, present = self.state(t)
        n = rows.size
        m = np.asarray(ic.missile)[rows]
        units = np.asarray(ic.unit)[rows]
        # whether the link (unit alive) still guides each row on its track
        held = (slots >= 0) & w.units.alive[units]
        trk = np.zeros((n, 6))
        if held.any():
            trk[held] = tr.state_at(slots[held], t)
        # terminal hand-over: the seeker (or, for command guidance, the engagement radar's
        # precision track inside COMMAND_TERMINAL_M) acquires the live vehicle nearest the track
        victim = np.asarray(ic.victim)[rows]
        seek = np.flatnonzero(~ic.terminal[rows] & held)
        if seek.size and present.any():
            live = np.flatnonzero(present)
            d_trk = np.linalg.norm(pos[live][None] - trk[seek, None, :3], axis=2)
            cand = live[np.argmin(d_trk, axis=1)]
            reach = terminal_reach_m(fl.seeker_range_m[m[seek]])
            got = (d_trk.min(axis=1) <= mt.seeker_basket_m[m[seek]]) & (np.linalg.norm(
                pos[cand] - ic.state.pos_m[rows[seek]], axis=1) <= reach)
            ic.terminal[rows[seek[got]]] = True
            victim[seek[got]] = cand[got]
            for r, v in zip(rows[seek[got]], cand[got], strict=True):
                ic.victim[r] = int(v)
        term = ic.terminal[rows] & (victim >= 0)
        # a terminal row needs its victim alive and present, and semi-active/command guidance its
        # unit's radar; otherwise it flies on unguided
        active = self._active_seeker[m]
        alive_v = present[np.maximum(victim, 0)] if present.size else np.zeros(n, dtype=bool)
        guided_term = term & alive_v & (active | w.units.alive[units])
        noise = self.rng_seeker.standard_normal((n, 3)) * mt.terminal_sigma_m[m][:, None]
        fuze_id = np.where(term, victim, np.where(held, tr.truth[np.maximum(slots, 0)], -1))
        sub_state = ic.take(rows)
        # midcourse: PN on the predicted intercept point — the track extrapolated to the
        # planned intercept time — until that time, then on the track itself; lofted while
        # far out (flyout.lofting)
        guided_mid = ~term & held
        t_int = np.asarray(ic.t_intercept_s)[rows]
        with np.errstate(invalid="ignore"):
            to_pip = guided_mid & (t < t_int)
        pip = trk[:, :3] + trk[:, 3:] * np.where(to_pip, t_int - t, 0.0)[:, None]
        mid = guided_mid & lofting(pip, sub_state.pos_m, np.asarray(ic.launch_dist_m)[rows],
                                   terminal_reach_m(fl.seeker_range_m[m]))
        on_track = guided_mid & ~to_pip

        # unguided rows aim straight ahead of where the interval starts
        ahead = sub_state.pos_m + sub_state.vel_mps * 1e3

        def aim(tt: float) -> tuple[np.ndarray, np.ndarray]:
            ps, vs, _, _ = self.state(tt)
            a = ahead.copy()
            av = sub_state.vel_mps.copy()
            a[to_pip] = pip[to_pip]
            av[to_pip] = 0.0
            if on_track.any():
                a[on_track] = trk[on_track, :3] + trk[on_track, 3:] * (tt - t)
                av[on_track] = trk[on_track, 3:]
            if guided_term.any():
                vv = victim[guided_term]
                a[guided_term] = ps[vv] + noise[guided_term]
                av[guided_term] = vs[vv]
            return a, av

        def real(tt: float) -> tuple[np.ndarray, np.ndarray]:
            ps, vs, _, _ = self.state(tt)
            ok = fuze_id >= 0
            out = np.full((n, 3), 1e9)
            out[ok] = ps[fuze_id[ok]]
            ov = np.zeros((n, 3))
            ov[ok] = vs[fuze_id[ok]]
            return out, ov

        new, fz, lost = fly(fl.airframe.take(m), sub_state, fl.nav_ratio[m],
                            np.asarray(ic.loft_row)[rows], aim,
                            real, mid, t, FLYOUT_STEP_S, ground_alt_m=self.ground_alt,
                            alt0_m=float(w.origin[2]), earth_radius_m=EARTH_RADIUS_M)
        ic.put(rows, new)
        self._state_cache = None
        for j, (k, tf, miss) in enumerate(zip(fz.rows, fz.t_s, fz.miss_m, strict=True)):
            r = int(rows[k])
            ic.fuzed[r] = True
            self.sched.at(float(tf), Priority.FLYOUT, "endgame",
                          (r, int(fuze_id[k]), float(miss), fz.pos_m[j]))
        t_end = t + FLYOUT_STEP_S
        over = np.asarray(ic.t_max_s)[rows] <= t_end
        for k in np.flatnonzero((lost | over) & ~np.isin(np.arange(n), fz.rows)):
            r = int(rows[k])
            ic.alive[r] = False  # flies no further; the loss is logged when it happens
            speed = float(np.linalg.norm(new.vel_mps[k]))
            agl = altitude_m(new.pos_m[k], float(w.origin[2]), EARTH_RADIUS_M) - self.ground_alt
            why = ("into the ground" if agl < 0 else
                   f"too slow to manoeuvre ({speed:.0f} m/s)" if lost[k] else
                   "flight time exceeded")
            self.sched.at(t_end, Priority.FLYOUT, "icpt_lost", (r, why, new.pos_m[k].copy()))
        if np.any(ic.alive & ~ic.fuzed):
            self.sched.at(t_end, Priority.FLYOUT, "flyout")
        else:
            self._flyout_scheduled = False

    def _guidance_lost(self, t: float, rows: np.ndarray, slots: np.ndarray) -> np.ndarray:
        """Semi-active and command-guided rows (guided on the tracks in ``slots``) whose unit's
        engagement radar has not held their target for ``HOLD_REVISITS`` revisits plus
        ``GUIDANCE_MEMORY_S``: lost now (logged as interceptor_lost); active seekers fly on the
        joint picture and then on their own."""
        ic, w = self.icpt, self.w
        mt, rs = w.missiles, w.radars
        if mt.own_radar is None or rows.size == 0:
            return np.zeros(rows.size, dtype=bool)
        m = np.asarray(ic.missile, dtype=np.int64)[rows]
        units = np.asarray(ic.unit, dtype=np.int64)[rows]
        eng = w.engagement_radar[units]
        last = np.maximum(self._last_held_s(slots, units), np.asarray(ic.t_launch_s)[rows])
        memory = np.where(mt.command_guided[m], GUIDANCE_MEMORY_S["command"],
                          GUIDANCE_MEMORY_S["semi_active"])
        lost = mt.own_radar[m] & ~mt.is_gun[m] & (
            t - last > HOLD_REVISITS * rs.period_s[eng] + memory)
        for r, i in zip(rows[lost], eng[lost], strict=True):
            ic.alive[r] = False
            why = (f"guidance lost: {rs.name[i]} "
                   + ("out of action" if not rs.alive[i] else
                      "silent" if not rs.emitting[i] else "no longer holds the target"))
            self.sched.at(t, Priority.FLYOUT, "icpt_lost", (int(r), why, ic.state.pos_m[r].copy()))
        return lost

    def on_icpt_lost(self, t: float, payload: tuple[int, str, np.ndarray]) -> None:
        r, why, pos = payload
        ic = self.icpt
        self._truth_at(t, [-int(ic.weapon_id[r])], np.asarray(pos, dtype=float)[None],
                       ic.state.vel_mps[[r]])
        self.log.emit(t, "interceptor_lost", source=self.w.units.name[ic.unit[r]],
                      weapon_id=ic.weapon_id[r], track_id=ic.track_id[r], pos_m=pos, info=why,
                      tag=_lost_tag(why))
        if why.startswith("self-destruct"):
            ic.assessed[r] = True  # its target is already assessed killed: nothing to look at
        else:
            self._schedule_assess(t, r, False)

    def on_endgame(self, t_hit: float, payload: tuple[int, int, float, np.ndarray]) -> None:
        r, victim, miss, point = payload
        fl, mt = self.w.flight, self.w.missiles
        assert fl is not None
        m = self.icpt.missile[r]
        u = self.rng_endgame.random()
        b = mt.lethal_radius_m[m]
        if victim >= 0 and mt.lethal_radius_by_category_m is not None:  # Pk by target class
            b = mt.lethal_radius_by_category_m[m, self.w.vehicles.category[victim]]
        pk = float(cookie_cutter_pk(miss, b) if fl.cookie_cutter[m] else gaussian_pk(miss, b))
        self._resolve(t_hit, r, victim, miss, pk, bool(u < pk), point)

    def _schedule_assess(self, t: float, r: int, killed: bool) -> None:
        self.sched.at(t + self.sc.c2.kill_assessment_delay, Priority.ASSESS, "assess",
                      (r, killed))

    def on_assess(self, t: float, payload: tuple[int, bool]) -> None:
        r, killed = payload
        ic, tr, c2 = self.icpt, self.tracker, self.sc.c2
        ic.assessed[r] = True
        tid = ic.track_id[r]
        s = tr.slot_of(tid)
        # imperfect kill assessment: a kill is seen with probability kill_assessment_pd, a
        # survivor is wrongly reported killed with kill_assessment_pfa
        u = self.rng_assess.random()
        reported = u < (c2.kill_assessment_pd if killed else c2.kill_assessment_pfa)
        self.log.emit(t, "kill_assessed", source=self.w.units.name[ic.unit[r]], track_id=tid,
                      weapon_id=ic.weapon_id[r], info=("killed" if reported else "survived")
                      + ("" if reported == killed else " (wrong report)"),
                      tag="killed" if reported else "survived", count=int(reported != killed))
        if reported and s >= 0:
            self._sync_c2()
            self._c2["killed"][s] = True
        if reported:  # missiles still flying at a target assessed killed are destroyed
            self._destroy_in_flight(t, tid, "self-destruct: target assessed killed")

    def _destroy_in_flight(self, t: float, track_id: int, why: str) -> None:
        """Self-destruct every interceptor still flying at ``track_id`` (logged at ``t``)."""
        ic = self.icpt
        for q in np.flatnonzero(ic.alive & ~ic.fuzed):
            if ic.track_id[q] == track_id and not self.w.missiles.is_gun[ic.missile[q]]:
                ic.alive[q] = False
                self.sched.at(t, Priority.FLYOUT, "icpt_lost",
                              (int(q), why, ic.state.pos_m[q].copy()))

    def on_sample(self, t: float, _payload: object) -> None:
        if t + self.sc.truth_interval <= self.sc.duration:
            self.sched.at(t + self.sc.truth_interval, Priority.SAMPLE, "sample")
        pos, vel, alt, present = self.state(t)
        conf = self.tracker.live(CONFIRMED)
        if conf.size:
            self._picture_rows.append((np.full(conf.size, t), self.tracker.track_id[conf].copy(),
                                       self.tracker.state_at(conf, t)[:, :3]))
        idx = np.flatnonzero(present)
        ic = self.icpt
        rows = ic.in_flight()
        rows = rows[~np.asarray(ic.fuzed, dtype=bool)[rows]]  # fuzed: its last point is the fuze
        n = idx.size + rows.size
        if n == 0:
            return
        self._truth_rows.append((
            np.full(n, t),
            np.concatenate([idx, -np.asarray(ic.weapon_id, dtype=np.int64)[rows]]),
            np.concatenate([pos[idx], ic.state.pos_m[rows]]),
            np.concatenate([vel[idx], ic.state.vel_mps[rows]]),
        ))

    def picture_table(self) -> dict[str, np.ndarray]:
        if not self._picture_rows:
            return {"t_s": np.zeros(0), "track_id": np.zeros(0, np.int64),
                    **{c: np.zeros(0) for c in ("x_m", "y_m", "z_m")}}
        t, tid, p = (np.concatenate(c) for c in zip(*self._picture_rows, strict=True))
        return {"t_s": t, "track_id": tid, "x_m": p[:, 0], "y_m": p[:, 1], "z_m": p[:, 2]}

    def _truth_at(self, t: float, ids: list[int], pos_m: np.ndarray, vel_mps: np.ndarray
                  ) -> None:
        """Truth of the entities ``ids`` (vehicles >= 0, interceptors -weapon id) at a launch
        or fate instant, between the periodic samples."""
        self._fate_rows.append((np.full(len(ids), t), np.asarray(ids, dtype=np.int64),
                                np.asarray(pos_m, dtype=float).reshape(-1, 3),
                                np.asarray(vel_mps, dtype=float).reshape(-1, 3)))

    def truth_table(self) -> dict[str, np.ndarray]:
        """The periodic samples and the launch and fate instants, in time order (``sample``
        tells them apart); one row per entity and instant."""
        rows = [(*r, np.ones(r[0].size, dtype=bool)) for r in self._truth_rows] + \
               [(*r, np.zeros(r[0].size, dtype=bool)) for r in self._fate_rows]
        if not rows:
            return {"t_s": np.zeros(0), "entity_id": np.zeros(0, np.int64),
                    **{c: np.zeros(0) for c in ("x_m", "y_m", "z_m", "vx_mps", "vy_mps",
                                                "vz_mps")}, "sample": np.zeros(0, dtype=bool)}
        t, eid, p, v, sample = (np.concatenate(c) for c in zip(*rows, strict=True))
        # time order, the launch or fate row first where both fall at one instant (it has the
        # fuze point); then one row
        # per (instant, entity)
        order = np.lexsort((sample, t))
        t, eid, p, v, sample = t[order], eid[order], p[order], v[order], sample[order]
        _, first = np.unique(np.column_stack([t, eid.astype(float)]), axis=0, return_index=True)
        keep = np.sort(first)
        t, eid, p, v, sample = t[keep], eid[keep], p[keep], v[keep], sample[keep]
        return {"t_s": t, "entity_id": eid, "x_m": p[:, 0], "y_m": p[:, 1], "z_m": p[:, 2],
                "vx_mps": v[:, 0], "vy_mps": v[:, 1], "vz_mps": v[:, 2], "sample": sample}


def simulate(scenario: Scenario, seed: int | None = None,
             progress: Callable[[float], None] | None = None) -> SimOutput:
    """Run ``scenario`` once with ``seed`` (default: the scenario's own)."""
    world = compile_world(scenario)
    s = scenario.seed if seed is None else int(seed)
    sim = Simulation(world, s)
    sim.run(progress)
    return SimOutput(world, s, sim.log.columns(), sim.truth_table(), sim.tracker.table(),
                     sim.picture_table(), {"solver_time_s": np.array(sim.solver_times)})

_Sim = Simulation  # the old private name, until sim.live and web.live use the public one
