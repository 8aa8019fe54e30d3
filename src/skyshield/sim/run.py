"""The engine loop: systems scheduled on one deterministic heap, reporting to one event log.

The loop pops the next event and hands it to the system that owns it; the systems live in their
stage packages and return the events they caused, which the loop appends to the log in order:

==================  ===========================  ==========================================
event (scheduled)   system                       logs
==================  ===========================  ==========================================
spawn, route_end    ``sim.truth`` (motion),      spawn; route_end, leak, impact,
                    ``sim.effects`` (leaks)      unit_destroyed
scan                ``sensors.system.Sensing``,  radar_cued, jam_strobe, scan,
                                                 first_detection;
                    ``tracking.Tracker``         track_confirmed, track_dropped
c2                  ``sim.passive`` (jammer      track_confirmed of passive tracks;
                    fixes, every 10 s), then
                    ``c2.system``                classified, identified, emission, link_lost,
                    (fire control), then         assignment, no_fire;
                    ``c2.approval`` (the gate)   engage or approval_request
launch, flyout,     ``weapons.system``           launch, launch_aborted, intercept, kill,
gunhit, endgame,                                 interceptor_lost, kill_assessed
icpt_lost, assess
approval_timeout    ``c2.approval``              approved, engage, denied
seeker              ``sim.seekers`` (ARMs)       seeker_acquired, seeker_memory
command             ``sim.live_commands`` (live  command, inject, roe_change, ...
                    commands, the MSEL)
sample              ``sim.recorder``             (truth and picture samples, no events)
end                 the loop                     end
==================  ===========================  ==========================================

Rates: each radar scans at its own revisit period (random phase per radar from a named stream),
the fire-control cycle runs at ``c2.cycle``, interceptors in the air are stepped at
``FLYOUT_STEP_S``, launches and kill assessments are one-shot events, every air vehicle's route
end is a one-shot event, truth is sampled at ``truth_interval`` and also recorded, for the
entities concerned, at every launch and fate instant. The loop also joins the stages where one
needs another: the launch check (fire control's veto, the unit's radar holding the track), the
cease fire on a friend or on a target assessed killed, and the live exercise's operations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyshield.c2 import threat
from skyshield.c2.approval import EngagementGate, Release
from skyshield.c2.system import Commitments, FireControlSystem
from skyshield.engine.events import Event, EventLog
from skyshield.engine.names import CATEGORIES, IDENTITIES, SIDES
from skyshield.engine.rng import stream
from skyshield.engine.scheduler import Priority, Scheduler
from skyshield.scenario.commands import msel_command
from skyshield.scenario.schema import Scenario
from skyshield.sensors.radar import Jammers, false_plot_density
from skyshield.sensors.system import Cues, Sensing, Targets
from skyshield.sim.chains import Chains
from skyshield.sim.effects import route_end_events
from skyshield.sim.eo import EOTracking, compile_eo
from skyshield.sim.passive import PassiveSystem
from skyshield.sim.recorder import Recorder
from skyshield.sim.seekers import SEEKER_STEP_S, Seekers
from skyshield.sim.truth import Truth
from skyshield.sim.world import Vehicles, World, compile_world
from skyshield.tracking.plots import to_plots
from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams
from skyshield.weapons.system import FLYOUT_STEP_S, HOLD_REVISITS, WeaponSystem

__all__ = ["SimOutput", "Simulation", "simulate", "FLYOUT_STEP_S"]

# threat.CLASSES (the picture's classes) -> sim.world.CATEGORIES (vulnerability); unknown: -1
# identities an EO crew is never cued on (engine.names.IDENTITIES)
_NOT_CUED = np.array([IDENTITIES.index(n) for n in ("friend", "assumed_friend", "neutral")])
_CLASS_CATEGORY = np.array([-1 if c == "unknown" else CATEGORIES.index(c)
                            for c in threat.CLASSES], dtype=np.int64)

# identities a fire-control radar is not cued on (its time budget goes to the others)
_NOT_CUED = np.array([IDENTITIES.index(n) for n in ("friend", "assumed_friend", "neutral")])


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
    # command chains (``scenario.command``): each national post's own picture, like ``picture``
    post_pictures: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


class Simulation:
    """One run of a compiled world: the systems, the heap and the log."""

    def __init__(self, world: World, seed: int):
        self.w = world
        self.seed = seed
        self.sc: Scenario = world.scenario
        self.log = EventLog()
        self.sched = Scheduler()
        tp = self.sc.tracker
        params = TrackerParams(
            tp.confirm_m, tp.confirm_n, tp.coast, tp.gate_probability, tp.process_noise,
            filter=tp.filter, association=tp.association, imm_turn_rate_deg_s=tp.imm_turn_rate,
            imm_q_manoeuvre=tp.imm_manoeuvre_noise or None, imm_sojourn_s=tp.imm_sojourn,
            imm_cv_prior=tp.imm_cv_prior, imm_gate=tp.imm_gate,
            score_confirm=tp.confirmation == "sprt")
        self.tracker: Any = Tracker(params)
        self.truth = Truth(world)
        self.seekers = Seekers(world, seed)
        self.recorder = Recorder()
        self.sensing = Sensing(world.radars, seed, len(world.vehicles), terrain_m=world.terrain_m,
                               origin=world.origin, terrain_grid=world.terrain)
        # command chains: the posts' trackers and fire controls; the units and weapons see what
        # the units hold (the engagement view), fire control the joint post's picture
        self.chains = None if self.sc.command is None else Chains(
            world, seed, params, class_category=_CLASS_CATEGORY, strobes=self.sensing.strobes,
            truth_state=self.truth.state_of)
        self.post_recorders: dict[str, Recorder] = {}
        if self.chains is not None:
            self.tracker = self.chains.picture.engagement
            self.c2 = self.chains.joint_fc
            self.post_recorders = {n: Recorder() for n in self.chains.names}
        else:
            self.c2 = FireControlSystem(
                world, self.tracker, seed, class_category=_CLASS_CATEGORY, confirmed=CONFIRMED,
                strobes=self.sensing.strobes,
                truth_alt=lambda t, rows: self.truth.state_of(t, rows)[2])
        # passive tracks of jammers from the strobes of several sites (not with command chains)
        self.passive = None if self.chains is not None else PassiveSystem(
            world, self.sensing.strobes)
        if self.passive is not None:
            self.c2.passive = self._passive_only
        self.gate = EngagementGate(world.units, world.missiles)
        self.weapons = WeaponSystem(world, self.truth, self.tracker, self.sched, seed,
                                    record=self.recorder.fate, last_held_s=self._last_held_s)
        # electro-optical trackers of the units that have them (sim.eo; the joint picture only)
        es = compile_eo(world) if self.chains is None else None
        self.eo = None if es is None else EOTracking(world, es, seed)
        self.handlers = self._handlers()
        self.finished = False
        self.external: dict[str, int] = {}  # DIS entity id -> truth id (live)
        self.command_handler: Callable[[Simulation, float, str, dict[str, Any]], None] | None \
            = None

    # ---------------------------------------------------------------- what live mode reads
    def state(self, t_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Positions, velocities, altitudes MSL and presence mask of all vehicles at ``t_s``."""
        return self.truth.state(t_s)

    @property
    def ended(self) -> np.ndarray:
        return self.truth.ended

    @property
    def icpt(self) -> Any:
        return self.weapons.icpt

    @property
    def pending(self) -> list[tuple[int, int, int]]:
        return self.weapons.pending

    @property
    def live_auto(self) -> np.ndarray:
        """(u,) units whose link the controller cut (they fight autonomously)."""
        return self.c2.live_auto

    @property
    def approval(self) -> tuple[float, bool] | None:
        """Operator approval of engagements: (timeout s, default decision), None: off."""
        return self.gate.approval

    @approval.setter
    def approval(self, value: tuple[float, bool] | None) -> None:
        self.gate.approval = value

    @property
    def awaiting(self) -> dict[int, dict[str, Any]]:
        return self.gate.awaiting

    def unit_sensor_ids(self, unit: int) -> np.ndarray:
        """The tracker's sensor ids of the radars of fire unit ``unit``."""
        return self.c2.unit_sensor_ids(unit)

    def track_identity(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fire control's identity (``c2.threat.IDENTITIES`` index) and class
        (``c2.threat.CLASSES`` index) of the tracks in tracker ``slots``."""
        return self.c2.identity(slots)

    # ---------------------------------------------------------------- the loop
    def start(self) -> None:
        w, s = self.w, self.sched
        phase_rng = stream(self.seed, "radar-phase")
        phases = phase_rng.uniform(0.0, 1.0, len(w.radars.name)) * w.radars.period_s
        for i, ph in enumerate(phases):
            s.at(float(ph), Priority.SCAN, "scan", i)
        s.at(self.sc.c2.cycle, Priority.C2, "c2")
        if self.eo is not None:
            for k in self.eo.units():
                s.at(float(self.eo.es.update_s[k]), Priority.SCAN, "eo", int(k))
        s.at(0.0, Priority.SAMPLE, "sample")
        self._schedule_routes(np.arange(len(w.vehicles)), 0.0)
        s.at(self.sc.duration, Priority.SAMPLE + 1, "end")
        self._schedule_msel()

    def _schedule_msel(self) -> None:
        """The scenario's MSEL: each entry a ``command`` event at its instant from the role
        ``msel``, carried out like a live command (``sim.live_commands.apply_command``) — in a
        batch run and a live one alike, and never journaled (a resumed exercise schedules it
        again from the scenario)."""
        if not self.sc.msel:
            return
        if self.command_handler is None:
            # the live commands import this module: imported here, when a scenario scripts some
            from skyshield.sim.live_commands import apply_command
            self.command_handler = apply_command
        for e in self.sc.msel:  # entries at one instant in the order the scenario lists them
            self.sched.at(float(e.at), Priority.COMMAND, "command", ("msel", msel_command(e)))

    def _schedule_routes(self, ids: np.ndarray, t: float) -> None:
        v = self.w.vehicles
        for i in ids:
            if v.t_start_s[i] <= self.sc.duration:
                self.sched.at(max(float(v.t_start_s[i]), t), Priority.MOTION_END, "spawn",
                              int(i))
            if v.t_end_s[i] <= self.sc.duration:
                self.sched.at(float(v.t_end_s[i]), Priority.MOTION_END, "route_end", int(i))

    def _handlers(self) -> dict[str, Callable[[float, Any], None]]:
        wp = self.weapons
        return {"scan": self.on_scan, "c2": self.on_c2, "sample": self.on_sample,
                "spawn": self.on_spawn, "route_end": self.on_route_end,
                "flyout": lambda t, _p: wp.on_flyout(t), "launch": self.on_launch,
                "endgame": lambda t, p: self.log.extend(wp.on_endgame(t, p)),
                "gunhit": lambda t, p: self.log.extend(wp.on_gunhit(t, p)),
                "icpt_lost": lambda t, p: self.log.extend(wp.on_icpt_lost(t, p)),
                "reload": lambda t, p: self.log.extend(wp.on_reload(t, p)),
                "assess": self.on_assess, "command": self.on_command, "eo": self.on_eo,
                "approval_timeout": self.on_approval_timeout, "seeker": self.on_seeker}

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

    # ---------------------------------------------------------------- truth
    def on_spawn(self, t: float, i: int) -> None:
        pos = self.truth.state_of(t, np.array([i]))[0][0]  # O(1): n spawns cost O(n)
        v = self.w.vehicles
        side = SIDES[v.side[i]]
        self.log.emit(t, "spawn", truth_id=i, target=v.type[i], pos_m=pos, info=side,
                      tag=side)
        if self.seekers.has(i):  # an anti-radiation missile: its seeker samples from now on
            self.sched.at(t, Priority.FLYOUT, "seeker", i)

    def on_seeker(self, t: float, i: int) -> None:
        """A sample of vehicle ``i``'s passive seeker (``sim.seekers``): it may acquire, home
        (its route re-planned to the emitter) or fly on memory."""
        if self.truth.gone(i):
            return
        pos, vel, alt = self.truth.state_of(t, np.array([i]))
        events, aim = self.seekers.step(t, i, pos[0], vel[0], float(alt[0]))
        self.log.extend(events)
        if aim is not None:
            self.move_vehicle(t, i, *self.seekers.route_to(t, pos[0], aim,
                                                           float(np.linalg.norm(vel[0]))))
        nxt = t + SEEKER_STEP_S
        if nxt < self.w.vehicles.t_end_s[i] and nxt <= self.sc.duration:
            self.sched.at(nxt, Priority.FLYOUT, "seeker", i)

    def on_route_end(self, t: float, i: int) -> None:
        """End of a route (``sim.effects``: a leak and its damage, or a route completed)."""
        if self.truth.gone(i) or t != self.w.vehicles.t_end_s[i]:
            return  # killed, removed, or re-routed since this end was scheduled (move_vehicle)
        pos, vel, _ = self.truth.state_of(t, np.array([i]))  # O(1): n ends cost O(n)
        self.recorder.fate(t, [i], pos, vel)
        self.truth.end(i)
        self.log.extend(route_end_events(t, i, self.w, pos[0], self.seekers.guided(i)))

    def on_sample(self, t: float, _payload: object) -> None:
        if t + self.sc.truth_interval <= self.sc.duration:
            self.sched.at(t + self.sc.truth_interval, Priority.SAMPLE, "sample")
        pos, vel, _, present = self.truth.state(t)
        tr = self.tracker
        if self.chains is not None:  # the joint post's picture, and each post's own
            self.chains.picture.refresh(t)
            for rec, view in zip(self.post_recorders.values(), self.chains.picture.posts,
                                 strict=True):
                c = view.live(CONFIRMED)
                if c.size:
                    rec.picture(t, view.track_id[c].copy(), view.state_at(c, t)[:, :3])
            tr = self.chains.picture.joint
        conf = tr.live(CONFIRMED)
        if conf.size:
            self.recorder.picture(t, tr.track_id[conf].copy(), tr.state_at(conf, t)[:, :3])
        idx = np.flatnonzero(present)
        ic = self.weapons.icpt
        rows = ic.in_flight()
        rows = rows[~np.asarray(ic.fuzed, dtype=bool)[rows]]  # fuzed: its last point is the fuze
        self.recorder.sample(t, np.concatenate([idx, -np.asarray(ic.weapon_id,
                                                                  dtype=np.int64)[rows]]),
                             np.concatenate([pos[idx], ic.state.pos_m[rows]]),
                             np.concatenate([vel[idx], ic.state.vel_mps[rows]]))

    # ---------------------------------------------------------------- sensing and tracking
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
        if not self.sensing.radiating(i):
            self.sensing.release(i)
            return
        if self.sensing.is_fire_control(i):  # its dwells: the picture's cues it holds
            self.log.extend(self.sensing.schedule(t, i, self._cues(t, i)))
        pos, vel, alt, present = self.truth.state(t)
        v = self.w.vehicles
        idx = np.flatnonzero(present)
        jam = self._jammers(t, pos, alt, present)
        res = self.sensing.scan(t, i, Targets(idx, pos[idx], alt[idx], v.rcs_m2[idx],
                                              v.swerling[idx], vel[idx]), jam)
        self.log.extend(res.events)
        if self.passive is not None:
            self.passive.observe(t, i, jam)
        det = res.detections
        if self.chains is not None:
            self.log.extend(self.chains.scan(t, i, det,
                                             polar=self.sc.tracker.filter in ("ekf", "ukf"),
                                             covers=self.sensing.covers(i)))
            return
        if len(det) == 0:
            self.log.extend(self.tracker.process(
                t, np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros(0, dtype=np.int64),
                rs.pos_m[i], rs.max_range_m[i], rs.name[i],
                covers=self.sensing.covers(i)).events)
            return
        z, R, polar = to_plots(det.range_m, det.az_rad, det.el_rad, det.sigma_range_m,
                               det.sigma_az_rad, det.sigma_el_rad, rs.pos_m[i], rs.rot[i],
                               polar=self.tracker.p.filter in ("ekf", "ukf"))
        lam = false_plot_density(rs, i, det.range_m, det.el_rad)
        self.log.extend(self.tracker.process(t, z, R, det.truth_id, rs.pos_m[i],
                                             rs.max_range_m[i], rs.name[i], polar, lam,
                                             self.sensing.covers(i)).events)

    def _cues(self, t: float, i: int) -> Cues:
        """The picture's confirmed tracks not identified as friendly or neutral, predicted to
        ``t``, as cues for fire-control radar ``i``; those its unit engages first."""
        tr = self.tracker
        s = tr.live(CONFIRMED)
        if s.size:
            s = s[~np.isin(self.c2.identity(s)[0], _NOT_CUED)]
        unit = int(self.w.radars.unit[i])
        engaged = [tid for u, tid, _ in (x for c in self.weapons.commitments() for x in c)
                   if u == unit]
        ids = np.asarray(tr.track_id[s], dtype=np.int64)
        return Cues(ids, tr.state_at(s, t)[:, :3] if s.size else np.zeros((0, 3)),
                    np.isin(ids, np.asarray(engaged, dtype=np.int64)), tr.truth[s])

    def on_eo(self, t: float, unit: int) -> None:
        """A look of unit ``unit``'s electro-optical system (``sim.eo``)."""
        assert self.eo is not None
        if t + self.eo.es.update_s[unit] <= self.sc.duration:
            self.sched.at(t + float(self.eo.es.update_s[unit]), Priority.SCAN, "eo", unit)
        self.log.extend(self.eo.look(t, unit, self.tracker, CONFIRMED, self._radar_held,
                                     lambda tt: self.truth.state(tt),
                                     self.sensing._terrain_clear, self._eo_cue_ok))

    def _eo_cue_ok(self, slots: np.ndarray) -> np.ndarray:
        """(k,) tracks an EO crew may be cued on: not identified friend, assumed friend or
        neutral (fire control's identities)."""
        ident, _ = self.c2.identity(slots)
        return ~np.isin(ident, _NOT_CUED)

    def _on_eo(self, t: float, unit: int, missile: int, slot: int) -> bool:
        """Whether ``unit`` guides ``missile`` on the track in ``slot`` through its EO system:
        a type guided by the unit's own radar, which does not hold the track, while EO does."""
        own = self.w.missiles.own_radar
        if self.eo is None or slot < 0 or own is None or not own[missile]:
            return False
        s = np.array([slot])
        return bool(self._eo_held(s, t)[0, unit] and not self._radar_held(s, t)[0, unit])

    def _eo_held(self, slots: np.ndarray, t: float) -> np.ndarray:
        """(k, u): the tracks each unit holds through its EO system (updated by it within
        ``HOLD_REVISITS`` of its update intervals; all False without EO)."""
        nu = len(self.w.units.name)
        if self.eo is None:
            return np.zeros((slots.size, nu), dtype=bool)
        last = self.eo.last_held_s(self.tracker, slots[:, None], np.arange(nu)[None, :])
        return (self.w.units.alive[None, :]
                & (last >= t - HOLD_REVISITS * self.eo.es.update_s[None, :]))

    def _last_held_s(self, slots: np.ndarray, units: np.ndarray) -> np.ndarray:
        """The last instant each unit's engagement radar (or its EO system, ``sim.eo``) updated
        the track in each slot while it radiated (-inf: never, or no such track) — what
        own-radar guidance flies on; ``slots`` and ``units`` broadcast together."""
        out = self._radar_last_held_s(slots, units)
        if self.eo is not None:
            out = np.maximum(out, self.eo.last_held_s(self.tracker, slots, units))
        return out

    def _radar_last_held_s(self, slots: np.ndarray, units: np.ndarray) -> np.ndarray:
        """As :meth:`_last_held_s`, the engagement radar's updates only."""
        w, tr, rs = self.w, self.tracker, self.w.radars
        eng = w.engagement_radar[units]
        sid = np.array([tr.sensor_id(n) for n in rs.name], dtype=np.int64)[eng]
        slots, sid, eng = np.broadcast_arrays(slots, sid, eng)
        ok = (slots >= 0) & (sid >= 0) & (sid < tr.hit_t.shape[1])
        out = np.full(slots.shape, -np.inf)
        out[ok] = np.minimum(tr.hit_t[slots[ok], sid[ok]], rs.last_emission_s[eng[ok]])
        return out

    def _held(self, slots: np.ndarray, t: float) -> np.ndarray:
        """(k, u): whether each unit holds each track for its own-radar guided types: its
        engagement radar does (:meth:`_radar_held`) or its EO system does (``sim.eo``)."""
        held = self._radar_held(slots, t)
        return held if self.eo is None else held | self._eo_held(slots, t)

    def _radar_held(self, slots: np.ndarray, t: float) -> np.ndarray:
        """(k, u): whether each unit's own engagement radar holds each track — alive, radiating,
        and it updated the track within ``HOLD_REVISITS`` of its revisit periods."""
        rs, eng = self.w.radars, self.w.engagement_radar
        units = np.arange(eng.size)
        last = self._radar_last_held_s(slots[:, None], units[None, :])
        held: np.ndarray = ((rs.alive[eng] & rs.emitting[eng])[None, :]
                            & (last >= t - HOLD_REVISITS * rs.period_s[eng][None, :]))
        return held

    def _passive_only(self, slots: np.ndarray, t: float) -> np.ndarray:
        """(k,): the tracks in ``slots`` held only by passive fixes (``sim.passive``)."""
        return PassiveSystem.passive_only(self.tracker, slots, t, self.sc.c2.max_track_age)

    # ---------------------------------------------------------------- fire control
    def on_c2(self, t: float, _payload: object) -> None:
        if t + self.sc.c2.cycle <= self.sc.duration:
            self.sched.at(t + self.sc.c2.cycle, Priority.C2, "c2")
        ps = self.passive
        if ps is not None and ps.due(t):  # passive fixes of the jammers into the picture
            rs = self.w.radars
            self.log.extend(ps.fix(t, self.tracker, float(rs.period_s.max()) + self.sc.c2.cycle,
                                   polar=self.tracker.p.filter in ("ekf", "ukf")))
        wp = self.weapons
        cycle = self.c2.cycle if self.chains is None else self.chains.cycle
        res = cycle(t, lambda: Commitments(*wp.commitments()), wp.destroy_in_flight,
                    self._held, wp.flying_units)
        self.log.extend(res.events)
        tr = self.tracker
        for o in res.orders:
            mode = ""
            assert res.autonomous is not None
            if res.autonomous[o.unit]:
                mode = " autonomous" + (" duplicate" if (o.unit, o.track_id) in res.duplicates
                                        else "")
            elif res.national:
                mode = " national"
            if self._home_on_jam(o.missile, tr.slot_of(o.track_id), t):
                mode += " home-on-jam"
            elif self._on_eo(t, o.unit, o.missile, tr.slot_of(o.track_id)):
                mode += " EO"  # guided on the unit's EO channel: its radar does not hold it
            wp.commit(o.unit, o.track_id, o.rounds)
            events, release, deadline = self.gate.submit(t, o, int(tr.truth[tr.slot_of(
                o.track_id)]), mode)
            self.log.extend(events)
            self._release(release)
            if deadline is not None:
                self.sched.at(deadline, Priority.C2, "approval_timeout",
                              int(events[0].value))

    def _release(self, r: Release | None) -> None:
        if r is not None:
            self.weapons.schedule_launches(r.unit, r.missile, r.track_id, r.rounds, r.t_first_s)

    def _gate_outcome(self, out: tuple[list[Event], Release | None, dict[str, Any] | None]
                      ) -> None:
        events, release, denied = out
        self.log.extend(events)
        self._release(release)
        if denied is not None:
            self.weapons.uncommit(denied["unit"], denied["missile"], denied["track_id"],
                                  denied["rounds"])

    def decide(self, t: float, aid: int, approve: bool, by: str) -> None:
        """An operator's decision on a waiting engagement (live)."""
        self._gate_outcome(self.gate.decide(t, aid, approve, by))

    def on_approval_timeout(self, t: float, aid: int) -> None:
        self._gate_outcome(self.gate.timeout(t, aid))

    # ---------------------------------------------------------------- weapons
    def _home_on_jam(self, m: int, s: int, t: float) -> bool:
        """Whether a round of type ``m`` at the track in slot ``s`` homes on its jamming: the
        type has a home-on-jam seeker and the track is passive."""
        hoj = self.w.missiles.home_on_jam
        return (self.passive is not None and s >= 0 and hoj is not None and bool(hoj[m])
                and bool(self._passive_only(np.array([s]), t)[0]))

    def on_launch(self, t: float, payload: tuple[int, int, int]) -> None:
        """A scheduled round: fired if the track is still held and fire control does not veto
        it, and, for a semi-active or command-guided missile, the unit's radar holds it."""
        unit, m, tid = payload
        w, tr, wp = self.w, self.tracker, self.weapons
        wp.take_pending(unit, tid)
        s = tr.slot_of(tid)
        u = w.units
        if (s < 0 or not u.alive[unit] or tr.status[s] != CONFIRMED
                or t - tr.t[s] > self.sc.c2.max_track_age):
            self.log.extend(wp.abort(t, unit, m, tid, int(tr.truth[s]) if s >= 0 else -1,
                                     "unit out of action" if not u.alive[unit] else
                                     "track lost"))
            return
        st = tr.state_at(np.array([s]), t)[0]
        mt = w.missiles
        why = (self.c2.launch_veto(s, st) if self.chains is None
               else self.chains.launch_veto(s, st, unit))
        hoj = self._home_on_jam(m, s, t)
        if not why and not hoj and self.passive is not None and bool(
                self._passive_only(np.array([s]), t)[0]):
            why = "passive jammer track: no home-on-jam seeker"
        if not why and not hoj and mt.own_radar is not None and mt.own_radar[m] and \
                not self._held(np.array([s]), t)[0, unit]:
            why = f"{w.radars.name[w.engagement_radar[unit]]} does not hold the track"
        if why:
            self.log.extend(wp.abort(t, unit, m, tid, int(tr.truth[s]), why))
            return
        self.truth.start_break(int(tr.truth[s]), t)  # its warning receiver sees the launch
        fired = wp.fire(t, unit, m, tid, s, st, hoj=hoj)
        if not hoj and self._on_eo(t, unit, m, s):  # guided on the unit's EO channel
            for e in fired:
                e.info = (e.info + " EO").strip()
        self.log.extend(fired)

    def on_assess(self, t: float, payload: tuple[int, bool]) -> None:
        events, tid, reported = self.weapons.on_assess(t, payload)
        s = self.tracker.slot_of(tid)
        self.log.extend(events)
        if reported and s >= 0:
            (self.c2 if self.chains is None else self.chains).mark_killed(s)
        if reported:  # missiles still flying at a target assessed killed are destroyed
            self.weapons.destroy_in_flight(t, tid, "self-destruct: target assessed killed")

    # ---------------------------------------------------------------- live exercise
    def on_command(self, t: float, payload: tuple[str, dict[str, Any]]) -> None:
        """A live command at its instant (``command_handler``: ``sim.live.apply_command``)."""
        role, cmd = payload
        if self.command_handler is not None:
            self.command_handler(self, t, role, cmd)

    def add_vehicles(self, t: float, new: Vehicles) -> np.ndarray:
        """Put air vehicles into the running exercise (their routes start at ``t`` or later);
        their truth ids."""
        ids = self.truth.add(new)
        self.sensing.add_vehicles(ids.size)
        self._schedule_routes(ids, t)
        return ids

    def move_vehicle(self, t: float, i: int, wp_t: np.ndarray, wp_lat: np.ndarray,
                     wp_lon: np.ndarray, wp_alt: np.ndarray) -> None:
        """Give vehicle ``i`` a new route from ``t`` on (an external entity's latest state)."""
        self.truth.reroute(i, wp_t, wp_lat, wp_lon, wp_alt)
        end = float(self.w.vehicles.t_end_s[i])
        if end <= self.sc.duration:  # the end of the new route (the old one's is void)
            self.sched.at(end, Priority.MOTION_END, "route_end", int(i))

    def remove_vehicle(self, t: float, i: int, why: str) -> None:
        """Take vehicle ``i`` out of the exercise at ``t`` (an external entity that another
        simulator deactivated or stopped sending)."""
        if self.truth.gone(i):
            return
        pos, vel, _, _ = self.truth.state(t)
        self.recorder.fate(t, [i], pos[[i]], vel[[i]])
        self.truth.end(i)
        self.log.emit(t, "external_removed", truth_id=i, pos_m=pos[i], info=why)

    # ---------------------------------------------------------------- output
    def output(self, seed: int | None = None) -> SimOutput:
        """The run so far (``seed``: the one to report, default the run's own)."""
        fcs = [self.c2] if self.chains is None else self.chains.all_fc
        return SimOutput(self.w, self.seed if seed is None else seed, self.log.columns(),
                         self.recorder.truth_table(),
                         (self.tracker if self.chains is None else self.chains).table(),
                         self.recorder.picture_table(),
                         {"solver_time_s": np.array([x for f in fcs for x in f.solver_times])},
                         {n: r.picture_table() for n, r in self.post_recorders.items()})


def simulate(scenario: Scenario, seed: int | None = None,
             progress: Callable[[float], None] | None = None) -> SimOutput:
    """Run ``scenario`` once with ``seed`` (default: the scenario's own)."""
    world = compile_world(scenario)
    s = scenario.seed if seed is None else int(seed)
    sim = Simulation(world, s)
    sim.run(progress)
    return sim.output()


_Sim = Simulation  # the old private name, until sim.live and web.live use the public one
