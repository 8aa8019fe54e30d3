"""The weapons system: launches, flyouts with guidance, gun bursts, end games, kill assessment.

Engagements released by the gate (``c2.approval``) become scheduled launches, one per round at
the unit's launch interval. At each launch instant the caller has checked the track (still
held, not a friend, not assessed killed, above the ground, held by the unit's own engagement
radar for semi-active and command-guided missiles); the weapons then

- lay a **gun burst** by a converged lead (``physics.gunnery.lead_solution``) and resolve it
  when the burst arrives (``physics.gunnery.burst_kill_probability``), or
- **launch a missile** toward the predicted intercept point of its reach table, with the
  trajectory programme chosen there, and fly every missile in the air in ``FLYOUT_STEP_S``
  intervals (``weapons.flyout``: 3-DoF point masses, PN guidance, the terminal hand-over to the
  seeker, the fuze on the real target); a semi-active or command-guided missile whose unit's
  radar stops holding its target is lost after ``GUIDANCE_MEMORY_S``;
- fly a **home-on-jam** missile (fired at a passive jammer track, ``sim.passive``) on that
  track in midcourse, without its unit's radar (no guidance loss for want of it); its seeker
  acquires the radiating jammer nearest in angle to the track within ``HOJ_FIELD_OF_VIEW_RAD``
  of the seeker's look direction at the terminal reach, and guides on its emission: the aim
  point of each guidance step is the jammer displaced by the seeker's angle noise,
  σ = √(σ_t² + (σ_θ·R)²) per axis (σ_θ the catalogue's ``hoj_angle_sigma_deg``, R the range
  to go, σ_t the terminal σ); the miss distance the flyout ends with sets the Pk as for any
  missile (the damage function at the miss);
- decide each **end game** by the damage function at the miss distance (Pk by target class),
  and **assess** each engagement after ``kill_assessment_delay`` (a kill is seen with
  ``kill_assessment_pd``, a survivor wrongly reported killed with ``kill_assessment_pfa``).

Random draws: ``endgame`` (kills), ``seeker`` (terminal aim noise), ``assess`` (assessment).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from skyshield.engine.events import EVENT_TAGS, Event
from skyshield.engine.names import SIDES
from skyshield.engine.rng import stream
from skyshield.engine.scheduler import Priority, Scheduler
from skyshield.physics.flight import altitude_m
from skyshield.physics.gunnery import burst_kill_probability, lead_solution, time_of_flight_table
from skyshield.physics.kinematics import intercept_time_table
from skyshield.physics.lethality import cookie_cutter_pk, gaussian_pk
from skyshield.physics.propagation import EARTH_RADIUS_M
from skyshield.weapons.envelope import launch_direction
from skyshield.weapons.flyout import Interceptors, fly, lofting, terminal_reach_m
from skyshield.weapons.magazine import Magazines, Reload

__all__ = ["WeaponSystem", "FLYOUT_STEP_S", "HOLD_REVISITS", "GUIDANCE_MEMORY_S",
           "LAUNCHER_HEIGHT_M"]

FLYOUT_STEP_S = 0.5  # guidance interval; the flight itself is integrated in 0.05 s RK4 steps
# assumed: a unit's engagement radar "holds" a track it has updated within this many of its
# revisit periods (a track-while-scan radar may miss a look or two on a fluctuating target)
HOLD_REVISITS = 3.0
# assumed: how long a missile flies on its last guidance after its unit's radar stops holding
# the target (beyond HOLD_REVISITS revisits), then is lost: a semi-active seeker keeps its
# Doppler gate and the airframe its inertial course for some seconds; a radio-command missile
# has no sensor of its own and is lost almost at once
GUIDANCE_MEMORY_S = {"semi_active": 10.0, "command": 2.0}
LAUNCHER_HEIGHT_M = 5.0  # assumed: a missile leaves its launcher this far above the site
# assumed: a home-on-jam seeker finds the jammer within this half-angle of where the track puts
# it (a gimballed seeker's search cone at hand-over; the passive track's error is mostly along
# the sites' bearings, which the missile flies along)
HOJ_FIELD_OF_VIEW_RAD = float(np.radians(10.0))


@lru_cache(maxsize=8)
def _gun_table(muzzle_mps: float, alt_m: float) -> Any:
    """The ballistic table of a gun of muzzle speed ``muzzle_mps`` at ``alt_m`` (built once per
    process: about a second of integration)."""
    return time_of_flight_table(muzzle_velocity_mps=muzzle_mps, alt0_m=alt_m)


def _lost_tag(why: str) -> str:
    """The ``tag`` of an interceptor loss: the word of ``EVENT_TAGS`` its reason starts with."""
    for tag in EVENT_TAGS["interceptor_lost"]:
        if why.startswith(tag):
            return tag
    raise ValueError(f"an interceptor lost for an unknown reason: {why!r}")


class WeaponSystem:
    """Every interceptor of the exercise (``icpt``) and the launches scheduled (``pending``).

    ``world`` (``sim.world.World``) supplies the units, missile types, radars and flight tables;
    ``truth`` (``sim.truth.Truth``) the air vehicles' state and kills; ``tracker`` the air
    picture the missiles are guided on; ``record(t, ids, pos, vel)`` takes the truth of
    interceptors and victims at launch and fate instants; ``last_held_s(slots, units)`` is the
    last instant each unit's engagement radar updated each track."""

    def __init__(self, world: Any, truth: Any, tracker: Any, sched: Scheduler, seed: int, *,
                 record: Callable[[float, list[int], np.ndarray, np.ndarray], None],
                 last_held_s: Callable[[np.ndarray, np.ndarray], np.ndarray]):
        self.w = world
        self.c2 = world.scenario.c2
        self.truth = truth
        self.tr = tracker
        self.sched = sched
        self.record = record
        self.last_held_s = last_held_s
        fl = world.flight
        assert fl is not None
        self.icpt = Interceptors(fl.airframe, fl.nav_ratio, fl.loft, fl.seeker_range_m)
        self.pending: list[tuple[int, int, int]] = []  # (unit, track_id, rounds) to launch
        self.ground_alt = float(world.terrain_m)
        self._active_seeker = np.array([world.catalogue.missiles[n].guidance == "active"
                                        for n in world.missiles.name], dtype=bool)
        self._flyout_scheduled = False
        self.hoj: set[int] = set()  # interceptor rows homing on a jammer's emission
        self.mag = Magazines(world.units)
        self.rng_endgame = stream(seed, "endgame")
        self.rng_seeker = stream(seed, "seeker")
        self.rng_assess = stream(seed, "assess")

    # ------------------------------------------------------------------ commitments
    def commit(self, unit: int, track_id: int, rounds: int) -> None:
        """An engagement ordered (waiting for approval or released): its rounds are committed."""
        self.pending.append((unit, track_id, rounds))

    def uncommit(self, unit: int, missile: int, track_id: int, rounds: int) -> None:
        """A denied engagement: its rounds stay on the rails."""
        self.w.units.inventory[unit, missile] += rounds
        for k, (pu, pt, _n) in enumerate(self.pending):
            if pu == unit and pt == track_id:
                del self.pending[k]
                break

    def schedule_launches(self, unit: int, missile: int, track_id: int, rounds: int,
                          t_first: float) -> None:
        for r in range(rounds):
            t_l = t_first + r * self.w.units.launch_interval_s[unit]
            self.sched.at(t_l, Priority.LAUNCH, "launch", (unit, missile, track_id))

    def take_pending(self, unit: int, track_id: int) -> None:
        """Consume one pending round of the engagement (``unit``, ``track_id``)."""
        for k, (pu, pt, n) in enumerate(self.pending):
            if pu == unit and pt == track_id:
                self.pending[k] = (pu, pt, n - 1)
                if n - 1 == 0:
                    del self.pending[k]
                break

    def commitments(self) -> tuple[list[tuple[int, int, int]], list[tuple[int, int, int]],
                                   list[tuple[int, int, int]]]:
        """(unit, track id, 1) of the missiles in the air and of those not yet assessed, and
        (unit, track id, rounds) of the launches scheduled."""
        ic = self.icpt
        flying = [(ic.unit[r], ic.track_id[r], 1) for r in ic.in_flight()]
        # bounded by the units' missile channels, not by the number of missiles ever fired
        open_rows = np.flatnonzero(~np.asarray(ic.assessed, dtype=bool))
        unassessed = [(ic.unit[r], ic.track_id[r], 1) for r in open_rows]
        return flying, unassessed, self.pending

    def flying_units(self) -> np.ndarray:
        """(u,) whether each unit has missiles in the air."""
        flying = np.zeros(len(self.w.units.name), dtype=bool)
        for r in self.icpt.in_flight():
            flying[self.icpt.unit[r]] = True
        return flying

    # ------------------------------------------------------------------ launches
    def abort(self, t: float, unit: int, m: int, tid: int, truth: int, why: str) -> list[Event]:
        self.w.units.inventory[unit, m] += 1  # not fired: the round stays on the launcher
        return [Event(t, "launch_aborted", source=self.w.units.name[unit], track_id=tid,
                      truth_id=truth, target=self.w.missiles.name[m], info=why)]

    def fire(self, t: float, unit: int, m: int, tid: int, s: int, st: np.ndarray,
             hoj: bool = False) -> list[Event]:
        """Fire one round of type ``m`` from ``unit`` at the track ``tid`` (slot ``s``, state
        ``st`` at ``t``): a gun burst, or a missile toward the predicted intercept point (with
        ``hoj``, homing on the jammer the passive track follows: info "home-on-jam"); then
        the reloads the emptied launcher starts."""
        events = self._fire(t, unit, m, tid, s, st)
        if hoj and events and events[0].kind == "launch" and events[0].weapon_id > 0:
            self.hoj.add(int(events[0].weapon_id) - 1)
            events[0].info = "home-on-jam"
        if events and events[0].kind == "launch":
            events += self._reloads(self.mag.fired(t, unit, m))
        return events

    # ------------------------------------------------------------------ reloads
    def _reloads(self, started: list[Reload]) -> list[Event]:
        u, mt = self.w.units, self.w.missiles
        out = []
        for r in started:
            self.sched.at(r.t_done_s, Priority.LAUNCH, "reload", r)
            out.append(Event(r.t_start_s, "reload", source=u.name[r.unit],
                             target=mt.name[r.missile], count=r.rounds, t_pred_s=r.t_done_s,
                             value=float(self.mag.stock[r.unit, r.missile]), tag="started"))
        return out

    def on_reload(self, t: float, r: Reload) -> list[Event]:
        """A launcher reloaded (or, its unit out of action, its rounds lost)."""
        u, mt = self.w.units, self.w.missiles
        alive = bool(u.alive[r.unit])
        ev = Event(t, "reload", source=u.name[r.unit], target=mt.name[r.missile],
                   count=r.rounds, value=float(u.inventory[r.unit, r.missile]
                                               + (r.rounds if alive else 0)),
                   tag="loaded" if alive else "lost")
        return [ev] + self._reloads(self.mag.loaded(t, r, alive))

    def _fire(self, t: float, unit: int, m: int, tid: int, s: int, st: np.ndarray
              ) -> list[Event]:
        w, mt, u = self.w, self.w.missiles, self.w.units
        origin = u.pos_m[unit] + np.array([0.0, 0.0, LAUNCHER_HEIGHT_M])
        if mt.is_gun[m]:
            return self._gun_burst(t, unit, m, tid, s, st, origin)
        fl = w.flight
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
        self.record(t, [-wid], origin[None], self.icpt.state.vel_mps[[wid - 1]])
        ev = Event(t, "launch", source=u.name[unit], track_id=tid, truth_id=self.tr.truth[s],
                   weapon_id=wid, target=mt.name[m], value=tof, pos_m=origin, tag="missile",
                   count=int(u.inventory[unit, m]))
        if not self._flyout_scheduled:
            self._flyout_scheduled = True
            self.sched.at(t, Priority.FLYOUT, "flyout")
        return [ev]

    def _gun_burst(self, t: float, unit: int, m: int, tid: int, s: int, st: np.ndarray,
                   origin: np.ndarray) -> list[Event]:
        """A gun burst laid by a converged lead (``physics.gunnery.lead_solution``): the point
        where a 30 mm projectile, flown with drag from the gun's ballistic table, meets the
        track extrapolated at constant velocity; the burst reaches it after that time of
        flight. No solution (out of the table's reach): the burst is not fired."""
        fl, mt, u, tr = self.w.flight, self.w.missiles, self.w.units, self.tr
        alt = float(altitude_m(origin, float(self.w.origin[2]), EARTH_RADIUS_M))
        sol = lead_solution(origin, st[:3], st[3:],
                            table=_gun_table(float(fl.gun_muzzle_mps[m]), round(alt, -1)))
        tof = float(sol.tof_s[0])
        if not np.isfinite(tof) or not mt.min_range_m[m] <= sol.range_m[0] <= mt.max_range_m[m]:
            return self.abort(t, unit, m, tid, int(tr.truth[s]), "no gun fire solution")
        aim = sol.aim_m[0] + origin
        wid = self.icpt.launch(unit, m, tid, t, origin, aim - origin, tof)
        self.icpt.alive[wid - 1] = False  # a burst is not flown
        self.sched.at(t + tof, Priority.FLYOUT, "gunhit", (wid - 1, aim))
        return [Event(t, "launch", source=u.name[unit], track_id=tid, truth_id=tr.truth[s],
                      weapon_id=wid, target=mt.name[m], value=tof, pos_m=origin,
                      info="gun burst", tag="gun burst", count=int(u.inventory[unit, m]))]

    # ------------------------------------------------------------------ end games
    def on_gunhit(self, t: float, payload: tuple[int, np.ndarray]) -> list[Event]:
        """The burst at its aim point: the nearest live vehicle within the prediction basket is
        hit with the burst's kill probability (``physics.gunnery.burst_kill_probability``: the
        rounds' dispersion at that range, the fire-control aim error common to the burst, and
        the vehicle's offset from the aim point)."""
        r, aim = payload
        fl, mt, w, ic = self.w.flight, self.w.missiles, self.w, self.icpt
        m, unit = ic.missile[r], w.units.name[ic.unit[r]]
        pos, _, _, present = self.truth.state(t)
        u = self.rng_endgame.random()
        dist = np.where(present, np.linalg.norm(pos - aim, axis=1), np.inf)
        victim = int(np.argmin(dist)) if dist.size else -1
        if victim < 0 or dist[victim] > mt.seeker_basket_m[m]:
            self._schedule_assess(t, r, False)
            return [Event(t, "intercept", source=unit, weapon_id=ic.weapon_id[r],
                          track_id=ic.track_id[r], truth_id=-1,
                          value=float(np.min(dist, initial=np.inf)), target=mt.name[m],
                          pos_m=aim, info="no target in the burst pattern",
                          tag="no target in the burst pattern")]
        rng_m = float(np.linalg.norm(aim - w.units.pos_m[ic.unit[r]]))
        area = w.vehicles.presented_area_m2
        _, pk = burst_kill_probability(rng_m, area[victim] if area is not None else 3.0,
                                       fl.gun_rounds[m], fl.gun_dispersion_rad[m],
                                       fl.gun_aim_sigma_m[m], fl.gun_pk_given_hit[m],
                                       offset_m=float(dist[victim]))
        return self._resolve(t, r, victim, float(dist[victim]), float(pk), u < float(pk), aim)

    def on_endgame(self, t_hit: float, payload: tuple[int, int, float, np.ndarray]
                   ) -> list[Event]:
        """A missile fuzed at ``t_hit``: the damage function at its miss distance decides."""
        r, victim, miss, point = payload
        fl, mt = self.w.flight, self.w.missiles
        m = self.icpt.missile[r]
        u = self.rng_endgame.random()
        b = mt.lethal_radius_m[m]
        if victim >= 0 and mt.lethal_radius_by_category_m is not None:  # Pk by target class
            b = mt.lethal_radius_by_category_m[m, self.w.vehicles.category[victim]]
        pk = float(cookie_cutter_pk(miss, b) if fl.cookie_cutter[m] else gaussian_pk(miss, b))
        return self._resolve(t_hit, r, victim, miss, pk, bool(u < pk), point)

    def _resolve(self, t: float, r: int, victim: int, miss: float, pk: float, killed: bool,
                 point: np.ndarray) -> list[Event]:
        ic, w, mt = self.icpt, self.w, self.w.missiles
        m, unit = ic.missile[r], w.units.name[ic.unit[r]]
        pos, vel, _, present = self.truth.state(t)
        if victim >= 0 and not present[victim]:
            killed, reason = False, "target already gone"
        else:
            reason = "hit" if killed else "missed"
        ic.alive[r] = False
        if not mt.is_gun[m]:  # the interceptor's last point: where it fuzed
            self.record(t, [-int(ic.weapon_id[r])], np.asarray(point, dtype=float)[None],
                        ic.state.vel_mps[[r]])
        if killed:  # the victim's last point: where it was hit
            self.record(t, [victim], pos[[victim]], vel[[victim]])
        out = [Event(t, "intercept", source=unit, weapon_id=ic.weapon_id[r],
                     track_id=ic.track_id[r], truth_id=victim, value=miss, target=mt.name[m],
                     pos_m=point, info=f"{reason}; pk={pk:.3f}", pk=pk, tag=reason)]
        if killed:
            side = SIDES[int(w.vehicles.side[victim])]
            victim_pos = pos[victim]
            self.truth.kill(victim)
            out.append(Event(t, "kill", source=unit, truth_id=victim, weapon_id=ic.weapon_id[r],
                             track_id=ic.track_id[r], value=pk, pos_m=victim_pos, info=side,
                             pk=pk, tag=side))
        self._schedule_assess(t, r, killed)
        return out

    # ------------------------------------------------------------------ flyout
    def on_flyout(self, t: float) -> None:
        """Fly every interceptor in the air from ``t`` to ``t + FLYOUT_STEP_S`` (weapons.flyout):
        guidance targets per row, the fuze on the real target, losses; the end games found in
        the interval are scheduled at their exact instants."""
        ic, tr, w, mt = self.icpt, self.tr, self.w, self.w.missiles
        fl = w.flight
        rows = np.flatnonzero(ic.alive & ~ic.fuzed)
        # the track each row is guided on
        slots = np.array([tr.slot_of(ic.track_id[r]) for r in rows], dtype=np.int64)
        keep = ~self._guidance_lost(t, rows, slots)
        rows, slots = rows[keep], slots[keep]
        if rows.size == 0:
            self._flyout_scheduled = False
            return
        state = self.truth.state
        pos, vel, _, present = state(t)
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
        hoj = np.array([int(r) in self.hoj for r in rows], dtype=bool)
        self._acquire_jammer(t, rows, np.flatnonzero(~ic.terminal[rows] & held & hoj), trk, m,
                             victim, pos, present)
        seek = np.flatnonzero(~ic.terminal[rows] & held & ~hoj)
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
        guided_term = term & alive_v & (active | hoj | w.units.alive[units])
        draw = self.rng_seeker.standard_normal((n, 3))
        noise = draw * mt.terminal_sigma_m[m][:, None]
        hj = np.flatnonzero(hoj & term)
        if hj.size and mt.hoj_sigma_rad is not None:  # angle noise on the jammer at range R
            r_go = np.linalg.norm(pos[victim[hj]] - ic.state.pos_m[rows[hj]], axis=1)
            sig = np.hypot(mt.terminal_sigma_m[m[hj]], mt.hoj_sigma_rad[m[hj]] * r_go)
            noise[hj] = draw[hj] * sig[:, None]
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
            ps, vs, _, _ = state(tt)
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
            ps, vs, _, _ = state(tt)
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
        self.truth.invalidate()
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

    def _acquire_jammer(self, t: float, rows: np.ndarray, seek: np.ndarray, trk: np.ndarray,
                        m: np.ndarray, victim: np.ndarray, pos: np.ndarray, present: np.ndarray
                        ) -> None:
        """Home-on-jam rows ``seek`` (indices into ``rows``) still in midcourse on their
        passive track: each acquires the radiating jammer nearest in angle to its track within
        ``HOJ_FIELD_OF_VIEW_RAD`` once inside the seeker's terminal reach of it."""
        if seek.size == 0:
            return
        v, ic = self.w.vehicles, self.icpt
        on = present & (v.jammer_power_w > 0)
        if v.jam_from_s is not None:
            on &= v.jam_from_s <= t
        jam = np.flatnonzero(on)
        if jam.size == 0:
            return
        mpos = ic.state.pos_m[rows[seek]]
        to_trk = trk[seek, :3] - mpos
        to_jam = pos[jam][None, :, :] - mpos[:, None, :]
        d_jam = np.linalg.norm(to_jam, axis=2)
        cos = np.einsum("hjk,hk->hj", to_jam, to_trk) / np.maximum(
            d_jam * np.linalg.norm(to_trk, axis=1)[:, None], 1e-9)
        ang = np.arccos(np.clip(cos, -1.0, 1.0))
        k = np.argmin(ang, axis=1)
        h = np.arange(seek.size)
        got = (ang[h, k] <= HOJ_FIELD_OF_VIEW_RAD) & (
            d_jam[h, k] <= terminal_reach_m(self.w.flight.seeker_range_m[m[seek]]))
        for q in np.flatnonzero(got):
            r = int(rows[seek[q]])
            ic.terminal[r] = True
            ic.victim[r] = int(jam[k[q]])
            victim[seek[q]] = int(jam[k[q]])

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
        last = np.maximum(self.last_held_s(slots, units), np.asarray(ic.t_launch_s)[rows])
        memory = np.where(mt.command_guided[m], GUIDANCE_MEMORY_S["command"],
                          GUIDANCE_MEMORY_S["semi_active"])
        hoj = np.array([int(r) in self.hoj for r in rows], dtype=bool)  # on the jam, not radar
        lost: np.ndarray = mt.own_radar[m] & ~mt.is_gun[m] & ~hoj & (
            t - last > HOLD_REVISITS * rs.period_s[eng] + memory)
        for r, i in zip(rows[lost], eng[lost], strict=True):
            ic.alive[r] = False
            why = (f"guidance lost: {rs.name[i]} "
                   + ("out of action" if not rs.alive[i] else
                      "silent" if not rs.emitting[i] else "no longer holds the target"))
            self.sched.at(t, Priority.FLYOUT, "icpt_lost", (int(r), why, ic.state.pos_m[r].copy()))
        return lost

    def on_icpt_lost(self, t: float, payload: tuple[int, str, np.ndarray]) -> list[Event]:
        r, why, pos = payload
        ic = self.icpt
        self.record(t, [-int(ic.weapon_id[r])], np.asarray(pos, dtype=float)[None],
                    ic.state.vel_mps[[r]])
        ev = Event(t, "interceptor_lost", source=self.w.units.name[ic.unit[r]],
                   weapon_id=ic.weapon_id[r], track_id=ic.track_id[r], pos_m=pos, info=why,
                   tag=_lost_tag(why))
        if why.startswith("self-destruct"):
            ic.assessed[r] = True  # its target is already assessed killed: nothing to look at
        else:
            self._schedule_assess(t, r, False)
        return [ev]

    # ------------------------------------------------------------------ assessment
    def _schedule_assess(self, t: float, r: int, killed: bool) -> None:
        self.sched.at(t + self.c2.kill_assessment_delay, Priority.ASSESS, "assess", (r, killed))

    def on_assess(self, t: float, payload: tuple[int, bool]) -> tuple[list[Event], int, bool]:
        """The unit's assessment of the engagement of row ``r``: its event, the track id and
        whether it was reported killed."""
        r, killed = payload
        ic, c2 = self.icpt, self.c2
        ic.assessed[r] = True
        tid = ic.track_id[r]
        # imperfect kill assessment: a kill is seen with probability kill_assessment_pd, a
        # survivor is wrongly reported killed with kill_assessment_pfa
        u = self.rng_assess.random()
        reported = bool(u < (c2.kill_assessment_pd if killed else c2.kill_assessment_pfa))
        ev = Event(t, "kill_assessed", source=self.w.units.name[ic.unit[r]], track_id=tid,
                   weapon_id=ic.weapon_id[r], info=("killed" if reported else "survived")
                   + ("" if reported == killed else " (wrong report)"),
                   tag="killed" if reported else "survived", count=int(reported != killed))
        return [ev], int(tid), reported

    def destroy_in_flight(self, t: float, track_id: int, why: str) -> None:
        """Self-destruct every interceptor still flying at ``track_id`` (logged at ``t``)."""
        ic = self.icpt
        for q in np.flatnonzero(ic.alive & ~ic.fuzed):
            if ic.track_id[q] == track_id and not self.w.missiles.is_gun[ic.missile[q]]:
                ic.alive[q] = False
                self.sched.at(t, Priority.FLYOUT, "icpt_lost",
                              (int(q), why, ic.state.pos_m[q].copy()))
