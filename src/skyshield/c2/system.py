"""The fire-control system: threat evaluation, identification and weapon assignment, each cycle.

Every ``c2.cycle`` seconds, on the confirmed tracks of the air picture:

1. **classify** each track from its kinematics (speed, height above the ground on the curved
   Earth, climb) and the jamming cue (its position on the jam strobes of two or more sites);
2. **identify** it (``c2.threat.identify``: pending, unknown, assumed friend, friend, neutral,
   suspect, hostile) from its replies, the corridors and its profile: the aircraft the track
   follows answers the secure IFF interrogation if it is friendly, its transponder works and
   the draw succeeds (stream ``iff``), and the SSR interrogation (Mode 3/A code, Mode C
   altitude in 100 ft steps) if it squawks, its transponder works and the draw succeeds
   (stream ``ssr``); missiles flying at a track fire control must not engage (friend, assumed
   friend, neutral, squawk 7500) are destroyed (cease fire);
3. **emission control**: cued engagement radars radiate while the picture holds a non-friend
   within their cue range or their missiles fly;
4. **assign** fire units (``c2.fire_control.plan`` or ``plan_wta``) within their envelopes,
   channels, inventories, ROE and doctrine; units cut off from the command post plan alone on
   what their own radars hold;
5. log why each threat that was not engaged was not (when the reason changes).

The cycle returns its events and its orders; the orders go through the engagement gate
(``c2.approval``) to the weapons. Fire control knows the weapons only through what they commit:
the missiles in the air and the launches scheduled (:class:`Commitments`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyshield.c2 import threat
from skyshield.c2.emcon import ArmSilence
from skyshield.c2.fire_control import LookAhead, Order, plan, plan_wta
from skyshield.engine.events import Event
from skyshield.engine.names import NO_FIRE_REASONS
from skyshield.engine.rng import stream
from skyshield.geo import enu_to_aer
from skyshield.physics.flight import altitude_m
from skyshield.physics.propagation import EARTH_RADIUS_M

__all__ = ["Commitments", "CycleResult", "FireControlSystem", "height_climb",
           "UNIT_THREAT_RADIUS_M"]

UNIT_THREAT_RADIUS_M = 1000.0  # assumed: a threat within this distance of a fire unit hits it
SSR_MEMORY_S = 30.0  # assumed: a track keeps its latest Mode 3/A code and Mode C this long (about
# three scans of an en-route SSR); a transponder that stops answering loses them after it


def height_climb(st: np.ndarray, origin_alt_m: float, ground_m: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Height above the ground (m) and climb rate (m/s) of flat-frame track states over the
    curved Earth: the frame is tangent at the scenario origin, so a point's height is
    z + (x² + y²)/(2R) above the origin's sphere (``physics.flight.altitude_m``, the
    flyouts' Earth) and the local vertical there is (x, y, R + z)/|(x, y, R + z)|."""
    h = altitude_m(st[:, :3], origin_alt_m, EARTH_RADIUS_M) - ground_m
    up = np.column_stack([st[:, 0], st[:, 1], EARTH_RADIUS_M + st[:, 2]])
    up /= np.linalg.norm(up, axis=1)[:, None]
    return h, np.einsum("ij,ij->i", st[:, 3:], up)


@dataclass
class Commitments:
    """What the weapons have committed: (unit, track id, rounds) of the missiles in the air, of
    those not yet assessed (in the air or fuzed), and of the launches scheduled."""

    flying: list[tuple[int, int, int]]
    unassessed: list[tuple[int, int, int]]
    pending: list[tuple[int, int, int]]


@dataclass
class CycleResult:
    events: list[Event]
    orders: list[Order] = field(default_factory=list)
    autonomous: np.ndarray | None = None  # (u,) units that planned alone this cycle
    duplicates: set[tuple[int, int]] = field(default_factory=set)  # (unit, track id)
    national: bool = False  # ordered by national posts fighting alone (command chains)


class FireControlSystem:
    """Fire control's view of the air picture (per track: class, identity, IFF replies,
    assessed killed) and its cycle.

    ``world`` (``sim.world.World``) supplies the units, missile types, radars, defended assets
    and the IFF transponders of the aircraft; ``tracker`` is the air picture
    (``tracking.Tracker``: its public arrays and queries)."""

    def __init__(self, world: Any, tracker: Any, seed: int, *, class_category: np.ndarray,
                 confirmed: int, strobes: dict[int, tuple[float, Any]],
                 truth_alt: Callable[[float, np.ndarray], np.ndarray] | None = None,
                 commands: np.ndarray | None = None, iff_stream: str = "iff"):
        self.w = world
        self.sc = world.scenario
        self.tr = tracker
        self.confirmed = confirmed  # the tracker's status of a confirmed track
        # each radar's latest scan time and jam strobes (``sensors.system.Sensing.strobes``:
        # the same dict, kept up to date by the sensing system)
        self.strobes = strobes
        self.class_category = class_category  # threat.CLASSES -> vulnerability category
        self.rng_iff = stream(seed, iff_stream)
        self.rng_ssr = stream(seed, "ssr")
        # altitudes MSL (m) of vehicles ``rows`` at ``t`` (what their Mode C reports)
        self.truth_alt = truth_alt
        v = world.vehicles
        self._squawk = v.squawk if v.squawk is not None else np.full(len(v), -1, np.int64)
        self._friendly_codes = np.array(
            [int(c, 8) for c in self.sc.c2.friendly_codes], dtype=np.int64)
        cap = 0
        self._ids = np.full(cap, -1, dtype=np.int64)
        self._c2 = {"replied": np.zeros(cap, bool), "asked": np.zeros(cap, np.int64),
                    "ident": np.zeros(cap, np.int64), "cls": np.zeros(cap, np.int64),
                    "killed": np.zeros(cap, bool), "sq": np.zeros(cap, np.int64),
                    "mode_c": np.zeros(cap, bool), "alt_c": np.zeros(cap),
                    "t_sq": np.zeros(cap), "ctrl": np.zeros(cap, bool)}
        # command chains (``sim.chains``): which of the picture's slots are under the post's own
        # fighter control (None: no fighter control, identification as before)
        self.controlled: Callable[[np.ndarray], np.ndarray] | None = None
        # passive jammer tracks (``sim.passive``): which of the picture's slots at an instant
        # are held only by passive fixes (None: no passive fixes; engaged by home-on-jam only)
        self.passive: Callable[[np.ndarray, float], np.ndarray] | None = None
        self._no_fire: dict[int, str] = {}  # track id -> last reason it was not engaged
        self.solver_times: list[float] = []  # wall clock, outside the event log
        nu = len(world.units.name)
        self._auto_logged = np.zeros(nu, dtype=bool)
        self.live_auto = np.zeros(nu, dtype=bool)  # links cut by the controller (live)
        # the units this post commands (default all: the one joint post) and those whose
        # national command post is lost (command chains: they fight autonomously)
        self.commands = np.ones(nu, dtype=bool) if commands is None else commands.copy()
        self.chain_auto = np.zeros(nu, dtype=bool)
        # emission control against inbound anti-radiation missiles (c2.emcon), per unit
        self.arm_silence = ArmSilence(np.array([
            np.nan if (e := self.sc.units[n].emcon.arm_silence) is None else float(e)
            for n in world.units.name]))

    # ------------------------------------------------------------------ per-track view
    def _sync(self) -> None:
        """Follow the tracker's slots: grow with it, reset the slots it reused."""
        tr = self.tr
        cap = tr.status.size
        if self._ids.size < cap:
            grow = cap - self._ids.size
            self._ids = np.concatenate([self._ids, np.full(grow, -1, dtype=np.int64)])
            for k, a in self._c2.items():
                self._c2[k] = np.concatenate([a, np.zeros(grow, dtype=a.dtype)])
        reused = self._ids != tr.track_id
        for a in self._c2.values():
            a[reused] = 0
        self._c2["ident"][reused] = threat.PENDING
        self._c2["sq"][reused] = -1
        self._ids[reused] = tr.track_id[reused]

    def identity(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Identity (``threat.IDENTITIES`` index) and class (``threat.CLASSES`` index) of the
        tracks in tracker ``slots``."""
        self._sync()
        return self._c2["ident"][slots].copy(), self._c2["cls"][slots].copy()

    def mark_killed(self, slot: int) -> None:
        """A kill assessment reported the track in ``slot`` killed."""
        self._sync()
        self._c2["killed"][slot] = True

    def height_climb(self, st: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return height_climb(st, float(self.w.origin[2]), self.w.terrain_m)

    def launch_veto(self, slot: int, st: np.ndarray) -> str:
        """Why a scheduled launch at the track in ``slot`` (state ``st``) must not go ("": it
        may): identified friend (or another identity never engaged), assessed killed, below
        the ground."""
        self._sync()
        c = self._c2
        if threat.engagement_code(c["ident"][slot:slot + 1], c["sq"][slot:slot + 1])[0] == 1:
            ident = threat.IDENTITIES[int(c["ident"][slot])]
            return "track identified friend" if ident == "friend" else f"track {ident}"
        if self._c2["killed"][slot]:
            return "track assessed killed"
        if self.height_climb(st[None])[0][0] < 0.0:
            return "track below the ground (threat down)"
        return ""

    # ------------------------------------------------------------------ the cycle
    def cycle(self, t: float, commitments: Callable[[], Commitments],
              cease_fire: Callable[[float, int, str], None],
              held: Callable[[np.ndarray, float], np.ndarray],
              flying_units: Callable[[], np.ndarray]) -> CycleResult:
        """One fire-control cycle at ``t``. ``commitments()`` is asked after the cease fire on
        friends (``cease_fire(t, track_id, why)``) has taken effect; ``held(slots, t)`` is
        (k, u) whether each unit's engagement radar holds each track; ``flying_units()`` (u,)
        whether each unit has missiles in the air."""
        tr, w = self.tr, self.w
        self._sync()
        slots = tr.live(self.confirmed)
        events: list[Event] = []
        if slots.size == 0:
            return CycleResult(events)
        st = tr.state_at(slots, t)
        ids = tr.track_id[slots]
        agl, climb = self.height_climb(st)
        speed = np.linalg.norm(st[:, 3:], axis=1)
        jamming = self._on_strobe(t, st[:, :3])
        cls, conf = threat.classify(speed, agl, climb, jamming)
        passive = None if self.passive is None else self.passive(slots, t)
        if passive is not None and passive.any():
            # a passive track is a jammer known by its strobes: carried by an aircraft, by a UAV
            # only when its speed is known (σ under 35 m/s) to be under 70 m/s — fixes at long
            # range leave the speed to a few fixes kilometres apart
            sig_v = np.sqrt(np.trace(tr.P[slots, 3:5, 3:5], axis1=1, axis2=2))
            slow = (speed < 70.0) & (sig_v < 35.0)
            cls = np.where(passive, np.where(slow, 1, 3), cls)
            conf = np.where(passive, 0.9, conf)
            jamming = jamming | passive
        c = self._c2
        changed = cls != c["cls"][slots]
        for s, k in zip(slots[changed], np.flatnonzero(changed), strict=True):
            cue = "jamming" if jamming[k] and cls[k] != 4 else "kinematics"
            events.append(Event(t, "classified", track_id=tr.track_id[s], truth_id=tr.truth[s],
                                target=threat.CLASSES[cls[k]], value=conf[k], info=f"cue={cue}",
                                tag=cue))
        c["cls"][slots] = cls
        # threat evaluation against defended assets and the units themselves
        u = w.units
        pts = np.vstack([w.assets.pos_m, u.pos_m[u.alive]])
        vals = np.concatenate([w.assets.value, u.value[u.alive]])
        radii = np.concatenate([w.assets.radius_m,
                                np.full(int(u.alive.sum()), UNIT_THREAT_RADIUS_M)])
        prio, threatened, ttg = threat.threat_priority(st[:, :3], st[:, 3:], pts, vals, radii)
        ident, fire_code, changed = self._identify(t, slots, st, agl, speed, cls, jamming,
                                                   threatened, events)
        # cease fire on a track that became one fire control must not engage
        for s in slots[changed & (fire_code == 1) & (ident != threat.PENDING)]:
            cease_fire(t, int(tr.track_id[s]),
                       f"self-destruct: target identified {threat.IDENTITIES[c['ident'][s]]}")
        radar_on = self._emission_control(t, st[:, :3], fire_code, flying_units, events,
                                          cls, st)
        com = commitments()
        tb, mb, per_track = self._busy(com)
        stale = t - tr.t[slots] > self.sc.c2.max_track_age  # a track of a vanished aircraft
        blocked = (np.array([_blocked(per_track.get(int(i))) for i in ids], dtype=bool)
                   | c["killed"][slots] | stale)
        planner = plan if self.sc.c2.assignment == "greedy" else plan_wta
        econ = (self._look_ahead(cls, threatened, vals, slots)
                if self.sc.c2.assignment == "lookahead"
                else None)
        auto = self._autonomous(t, events)
        joint_on = radar_on & ~auto & self.commands
        held_ku = held(slots, t)
        cat = self.class_category[cls]  # the picture's class as a vulnerability category
        pl = planner(t, ids, st, agl, fire_code, prio, ttg, u, w.missiles, tb, mb, blocked,
                     self.sc.c2.engagement_horizon, joint_on, held=held_ku, category=cat,
                     economy=econ, passive=passive)
        dup: set[tuple[int, int]] = set()
        for a in np.flatnonzero(auto & radar_on & u.alive & self.commands):
            # an autonomous unit sees only the tracks its own radars hold, knows only its own
            # missiles in flight, and plans alone
            own = tr.seen_by(slots, self.unit_sensor_ids(int(a)), t - self.sc.c2.max_track_age)
            own_busy = self._busy(com, int(a))[2]
            own_blocked = (np.array([_blocked(own_busy.get(int(i))) for i in ids], dtype=bool)
                           | c["killed"][slots] | stale | ~own)
            only = np.zeros_like(radar_on)
            only[a] = True
            pa = planner(t, ids, st, agl, fire_code, prio, ttg, u, w.missiles, tb, mb,
                         own_blocked, self.sc.c2.engagement_horizon, only, held=held_ku,
                         category=cat, economy=econ, passive=passive)
            for o in pa.orders:
                if per_track.get(o.track_id, (0,))[0] > 0 or any(
                        q.track_id == o.track_id for q in pl.orders):
                    dup.add((o.unit, o.track_id))
            pl.orders.extend(pa.orders)
        if pl.solver is not None and pl.n_weapons:
            sol = pl.solver
            self.solver_times.append(float(sol.time_s))
            events.append(Event(t, "assignment", value=sol.gap, info=(
                f"objective={sol.objective:.6g} bound={sol.lower_bound:.6g} gap={sol.gap:.4g} "
                f"targets={pl.n_targets} weapons={pl.n_weapons} method={sol.method}"),
                count=pl.n_weapons, tag=sol.method))
        # every track not engaged that is not a friend has its reason: those the planner did not
        # consider because they were assessed killed or their track went stale
        for k in np.flatnonzero((c["killed"][slots] | stale) & (fire_code != 1)):
            pl.no_fire.setdefault(int(ids[k]), NO_FIRE_REASONS[7] if c["killed"][slots[k]]
                                  else NO_FIRE_REASONS[8])
        for tid, why in pl.no_fire.items():
            if self._no_fire.get(tid) != why:
                self._no_fire[tid] = why
                s = tr.slot_of(tid)
                events.append(Event(t, "no_fire", track_id=tid, truth_id=tr.truth[s], info=why,
                                    tag=why))
        for o in pl.orders:
            self._no_fire.pop(o.track_id, None)
        return CycleResult(events, pl.orders, auto, dup)

    def _look_ahead(self, cls: np.ndarray, aimed: np.ndarray, point_value: np.ndarray,
                    slots: np.ndarray) -> LookAhead:
        """The look-ahead economy's inputs this cycle (``c2.economy``), in value units: the
        rounds' prices, and on each track the value of the point it threatens plus its own
        worth by class."""
        ec, w = self.sc.c2.economy, self.w
        scale = ec.value_per_musd / 1e6
        price = np.array([0.0 if w.catalogue.missiles[m].cost_usd is None
                          else w.catalogue.missiles[m].cost_usd.value * scale
                          for m in w.missiles.name], dtype=float)
        names = [threat.CLASSES[c] for c in cls]
        worth = np.array([ec.class_value_musd[n] * ec.value_per_musd for n in names])
        stake = np.where(aimed >= 0, point_value[np.maximum(aimed, 0)], 0.0) + worth
        salvo = np.array([ec.rounds_per_target.get(n, 0) for n in names], dtype=np.int64)
        # the points are the assets, then the units alive (threat evaluation's order)
        n_assets, alive = len(w.assets.value), np.flatnonzero(w.units.alive)
        on_unit = aimed >= n_assets
        aimed_unit = np.full(aimed.shape, -1, dtype=np.int64)
        aimed_unit[on_unit] = alive[aimed[on_unit] - n_assets]
        return LookAhead(price, stake, salvo if salvo.any() else None, ec.keep_rounds,
                         ec.later_layers, ec.one_unit_per_target,
                         self.sc.c2.kill_assessment_delay,
                         np.sqrt(np.trace(self.tr.P[slots, 3:5, 3:5], axis1=1, axis2=2)),
                         aimed_unit if ec.unit_defence else None, ec.cheapest_first,
                         ec.effective_pk)

    def _identify(self, t: float, slots: np.ndarray, st: np.ndarray, agl: np.ndarray,
                  speed: np.ndarray, cls: np.ndarray, jamming: np.ndarray,
                  threatened: np.ndarray, events: list[Event]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Interrogate the tracks in ``slots`` (IFF, then SSR) and identify them
        (``threat.identify``); log the identities that changed. Returns the identities, fire
        control's codes (``threat.engagement_code``) and which identities changed."""
        tr, w, c = self.tr, self.w, self._c2
        # IFF: the aircraft the track actually follows answers (if friendly, its transponder
        # works and the draw succeeds)
        truth = tr.truth[slots]
        v = w.vehicles
        known = truth >= 0
        friendly = np.zeros(slots.size, bool)
        p_reply = np.zeros(slots.size)
        friendly[known] = v.side[truth[known]] == 1
        p_reply[known] = v.iff_reply_probability[truth[known]]
        if v.transponder_fails_s is not None:
            friendly[known] &= t < v.transponder_fails_s[truth[known]]
        u_iff = self.rng_iff.random(slots.size)
        c["replied"][slots] |= threat.interrogate(friendly, p_reply, u_iff)
        c["asked"][slots] += 1
        # SSR (Mode 3/A and C): an aircraft that squawks answers with its code and, with Mode C,
        # its altitude in 100 ft steps
        if (self._squawk >= 0).any():
            assert v.ssr_reply_probability is not None and v.transponder_fails_s is not None
            assert v.mode_c is not None
            squawks = np.zeros(slots.size, bool)
            tk = truth[known]
            squawks[known] = ((self._squawk[tk] >= 0) & (t < v.transponder_fails_s[tk])
                              & v.alive[tk] & (t >= v.t_start_s[tk]) & (t <= v.t_end_s[tk]))
            p_ssr = np.zeros(slots.size)
            p_ssr[known] = v.ssr_reply_probability[tk]
            answered = threat.interrogate(squawks, p_ssr, self.rng_ssr.random(slots.size))
            if answered.any():
                s_ans, v_ans = slots[answered], truth[answered]
                c["sq"][s_ans] = self._squawk[v_ans]
                c["mode_c"][s_ans] = v.mode_c[v_ans]
                alt = (self.truth_alt(t, v_ans) if self.truth_alt is not None
                       else agl[answered] + w.terrain_m)
                c["alt_c"][s_ans] = threat.mode_c_m(alt)
                c["t_sq"][s_ans] = t
        lost = (c["sq"][slots] >= 0) & (t - c["t_sq"][slots] > SSR_MEMORY_S)
        c["sq"][slots[lost]] = -1
        sq = c["sq"][slots]
        mode_c = c["mode_c"][slots] & (sq >= 0)
        # procedural identification: the corridors, on Mode C altitude where reported
        alt_msl = np.where(mode_c, c["alt_c"][slots], agl + w.terrain_m)
        civil_c, friendly_c = threat.corridor_conformance(st[:, :2], alt_msl, speed,
                                                          w.corridors)
        # a jam strobe is a bearing: every aircraft along it lies on it. It counts against a
        # track that gives no position of its own, not against one reporting its code and Mode C
        jam_cue = jamming & ~mode_c
        hostile = threat.hostile_profile(threatened, cls, jam_cue, speed,
                                         (sq < 0) & ~c["replied"][slots], civil_c | friendly_c)
        if self.controlled is not None:  # known by control, as a secure reply: ever
            c["ctrl"][slots] |= self.controlled(slots)
        ident, rule = threat.identify(
            c["replied"][slots], c["asked"][slots], self.sc.c2.iff_interrogations, sq, mode_c,
            civil_c, friendly_c, np.isin(sq, self._friendly_codes), hostile, cls, jam_cue,
            speed, c["ident"][slots],
            controlled=None if self.controlled is None else c["ctrl"][slots])
        changed = ident != c["ident"][slots]
        for s, k in zip(slots[changed], np.flatnonzero(changed), strict=True):
            name = threat.IDENTITIES[ident[k]]
            why = threat.ID_REASONS[rule[k]]
            if sq[k] >= 0:
                why += f"; squawk {sq[k]:04o}" + (f" FL{c['alt_c'][s] / 30.48:03.0f}"
                                                  if mode_c[k] else "")
            events.append(Event(t, "identified", track_id=tr.track_id[s], truth_id=tr.truth[s],
                                target=name, value=float(rule[k]), info=why, tag=name))
        c["ident"][slots] = ident
        return ident, threat.engagement_code(ident, sq), changed

    def unit_sensor_ids(self, unit: int) -> np.ndarray:
        """The tracker's sensor ids of the radars of fire unit ``unit``."""
        rs = self.w.radars
        return np.array([self.tr.sensor_id(rs.name[i]) for i in np.flatnonzero(rs.unit == unit)],
                        dtype=np.int64)

    def _emission_control(self, t: float, track_pos_m: np.ndarray, fire_code: np.ndarray,
                          flying_units: Callable[[], np.ndarray], events: list[Event],
                          cls: np.ndarray | None = None, state: np.ndarray | None = None
                          ) -> np.ndarray:
        """Switch cued engagement radars on while the air picture holds a track fire control
        may engage (``fire_code`` not 1: not a friend, assumed friend, neutral or pending)
        within their cue range (or their missiles are in the air), off otherwise.
        Returns which units' engagement radars were radiating at the start of this cycle."""
        w = self.w
        rs, eng = w.radars, w.engagement_radar
        radar_on: np.ndarray = rs.emitting[eng] & rs.alive[eng]
        quiet = np.zeros(eng.size, dtype=bool)
        if self.arm_silence.active and cls is not None and state is not None:
            # silent while an anti-radiation missile is inbound, and for a while after (c2.emcon)
            sil = self.arm_silence
            quiet = sil.quiet(t, w.units.pos_m, w.units.alive & self.commands, cls, state)
            back = sil.silenced & ~quiet & self.commands
            sil.silenced &= ~back
            for k in np.flatnonzero((quiet & rs.emitting[eng])
                                    | (back & ~w.emcon_cued & ~rs.emitting[eng])):
                want = not quiet[k]
                rs.emitting[eng[k]] = want
                sil.silenced[k] |= not want
                onoff = "on" if want else "off"
                events.append(Event(t, "emission", source=rs.name[eng[k]], info=onoff, tag=onoff))
        if not w.emcon_cued.any():
            return radar_on
        threat_pos = track_pos_m[fire_code != 1]
        flying = flying_units()
        for k in np.flatnonzero(w.emcon_cued & w.units.alive & self.commands):
            near = bool(threat_pos.size) and bool(
                (np.linalg.norm(threat_pos - w.units.pos_m[k], axis=1) <= w.cue_range_m[k]).any())
            want = (near or flying[k]) and not quiet[k]
            if want != rs.emitting[eng[k]]:
                rs.emitting[eng[k]] = want
                onoff = "on" if want else "off"
                events.append(Event(t, "emission", source=rs.name[eng[k]], info=onoff, tag=onoff))
        return radar_on

    def _autonomous(self, t: float, events: list[Event]) -> np.ndarray:
        """Units fighting without the command post at ``t`` (logged when it starts)."""
        u, c2 = self.w.units, self.sc.c2
        auto = np.array([self.sc.units[n].doctrine.autonomous for n in u.name], dtype=bool)
        if c2.command_post_lost is not None and t >= c2.command_post_lost:
            auto[:] = True
        for ll in c2.links_lost:
            if t >= ll.at:
                auto[u.name.index(ll.unit)] = True
        auto |= self.live_auto | self.chain_auto
        for k in np.flatnonzero(auto & ~self._auto_logged & self.commands):
            events.append(Event(t, "link_lost", source=u.name[k], info="fights autonomously"))
        for k in np.flatnonzero(~auto & self._auto_logged & self.commands):  # restored
            events.append(Event(t, "link_restored", source=u.name[k], info="assigned jointly"))
        # in place: the command chains' posts share this array (sim.chains)
        self._auto_logged[self.commands] = auto[self.commands]
        return auto

    def _busy(self, com: Commitments, only_unit: int | None = None
              ) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[int, bool, int]]]:
        """Per unit: tracks and missiles in the air or pending. Per track: missiles fired at it
        and not yet assessed, whether a shoot-look-shoot unit fired any, the largest salvo
        (counting only ``only_unit``'s missiles when given: what an autonomous unit knows)."""
        u = self.w.units
        nu = len(u.name)
        tb, mb = np.zeros(nu), np.zeros(nu)
        seen: set[tuple[int, int]] = set()
        for unit, tid, n in com.flying + com.pending:
            mb[unit] += n
            if (unit, tid) not in seen:
                seen.add((unit, tid))
                tb[unit] += 1
        per_track: dict[int, tuple[int, bool, int]] = {}
        for unit, tid, n in com.unassessed + com.pending:
            if (only_unit is not None and unit != only_unit) or not self.commands[unit]:
                continue  # a post knows the missiles of the units it commands
            cnt, sls, salvo = per_track.get(tid, (0, False, 0))
            per_track[tid] = (cnt + n, sls or bool(u.shoot_look_shoot[unit]),
                              max(salvo, int(u.salvo[unit])))
        return tb, mb, per_track

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
        out: np.ndarray = np.sum(list(by_site.values()), axis=0) >= min(len(by_site), 2)
        return out


def _blocked(entry: tuple[int, bool, int] | None) -> bool:
    """Shoot-look-shoot: no new fire until all fired is assessed; shoot-shoot-look: a second
    salvo may follow the first before the look."""
    if entry is None:
        return False
    count, sls, salvo = entry
    return count > 0 and (sls or count >= 2 * salvo)
