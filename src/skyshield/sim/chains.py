"""Command chains in the loop: national posts with their own pictures, a joint post, and the
degraded modes (``scenario.command``; without it the loop keeps its one joint post).

Each radar's plots go to the tracker of the post that commands its unit; the post shows its
tracks on the common grid with its registration bias (range and azimuth from the radar that
last updated each track, ``tracking.joint.register``) and reports them over the link
(``tracking.joint.JointPicture``). Each C2 cycle:

* joint post alive and the link up: the joint post's fire control assigns every unit from the
  joint picture (the host's tracks at once, the others' as received);
* the link cut, or the joint post lost: each national post's fire control assigns only its own
  units from its own picture;
* a national post lost: its units fight autonomously (the existing autonomy: own radars' tracks,
  own fire plan), under whichever fire control runs.

**Fighter control.** A post that controls friendly aircraft (``command.posts.P.controls``) has
their position reports over its fighter-control link: each fighter's position every
``link.report_interval`` (at its multiples), with ``FIGHTER_REPORT_SIGMA_M`` of noise per axis
(stream ``fighter_control``). The post correlates them with its own tracks (the chi-square gate
of the track exchange, ``tracking.joint.correlate``, a pairing kept while it gates); a
correlated track is identified friend by control (``c2.threat.identify``), whatever its IFF. The
post's own picture knows it at once, the joint picture with the post's track reports (at once
when the post is the host); a post that does not control the fighter knows only its own IFF
replies. A lost post controls nothing.

Events: ``chain_link`` tagged ``lost`` when the link is cut (``restored`` when it comes back),
``post_lost`` tagged ``joint`` or ``national`` when a post is lost; the units' own
``link_lost`` as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from skyshield.c2.system import CycleResult, FireControlSystem
from skyshield.engine.events import Event
from skyshield.engine.names import SIDES
from skyshield.engine.rng import stream
from skyshield.sensors.radar import Detections, false_plot_density
from skyshield.tracking import kalman
from skyshield.tracking.joint import JointPicture, correlate
from skyshield.tracking.plots import to_plots
from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams

__all__ = ["Chains", "FIGHTER_REPORT_SIGMA_M"]

FIGHTER_REPORT_SIGMA_M = 50.0  # assumed: a fighter's own position report on the controller's
# link (INS/GNSS navigation, quantised and time-tagged), per axis
_UNREPORTED_SIGMA_MPS = 1e3  # a position report carries no velocity


class Chains:
    """The posts' trackers and fire controls, the joint picture, and which post commands."""

    def __init__(self, world: Any, seed: int, params: TrackerParams, *,
                 class_category: np.ndarray, strobes: dict[int, tuple[float, Any]],
                 truth_state: Callable[[float, np.ndarray],
                                       tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None):
        """``truth_state(t, rows)``: positions, velocities and altitudes MSL of vehicles
        ``rows`` at ``t`` (``sim.truth.Truth.state_of``): what the transponders' Mode C and the
        fighters' position reports give."""
        self.w = world
        cmd = world.scenario.command
        self.cmd = cmd
        self.names = list(cmd.posts)
        u = world.units
        self.unit_post = np.array([next(k for k, p in enumerate(cmd.posts.values())
                                        if n in p.units) for n in u.name], dtype=np.int64)
        self.radar_post = self.unit_post[world.radars.unit]
        self.trackers = [Tracker(params) for _ in self.names]
        self.host = self.names.index(cmd.host)
        ln = cmd.link
        rs = world.radars
        self.picture = JointPicture(
            self.trackers, list(rs.name), self.radar_post, self.host, ln.latency,
            ln.extrapolate, ln.correlation_gate, report_interval_s=ln.report_interval,
            radar_pos_m=rs.pos_m, radar_rot=rs.rot,
            bias=[(p.bias.range, float(np.radians(p.bias.azimuth)))
                  for p in cmd.posts.values()],
            radar_bias={rs.name.index(f"{r}@{u}"): (b.range, float(np.radians(b.azimuth)))
                        for p in cmd.posts.values() for u, radars in p.radar_bias.items()
                        for r, b in radars.items()})
        truth_alt = (None if truth_state is None
                     else (lambda t, rows: truth_state(t, rows)[2]))
        # every post's SSR reads the transponders' Mode C (``truth_alt``), as the one joint post
        self.joint_fc = FireControlSystem(world, self.picture.joint, seed,
                                          class_category=class_category, confirmed=CONFIRMED,
                                          strobes=strobes, truth_alt=truth_alt)
        self.post_fc = [FireControlSystem(world, self.picture.posts[k], seed,
                                          class_category=class_category, confirmed=CONFIRMED,
                                          strobes=strobes, commands=self.unit_post == k,
                                          iff_stream=f"iff:{name}", truth_alt=truth_alt)
                        for k, name in enumerate(self.names)]
        for fc in self.post_fc:  # one record of the units cut off, whoever commands them
            fc.live_auto = self.joint_fc.live_auto
            fc._auto_logged = self.joint_fc._auto_logged
        # fighter control: each post's fighters (vehicle rows), its pairings fighter -> track
        v = world.vehicles
        friendly = {n: i for i, n in enumerate(v.name) if SIDES[int(v.side[i])] == "friendly"}
        self.truth_state = truth_state
        self.fighters = [np.array([friendly[n] for n in p.controls], dtype=np.int64)
                         for p in cmd.posts.values()]
        self._pairs: list[dict[int, int]] = [{} for _ in self.names]
        self._rng_fighters = stream(seed, "fighter_control")
        self._fighter_t = -np.inf  # instant of the latest fighter reports
        if any(f.size for f in self.fighters):
            if truth_state is None:
                raise ValueError("fighter control needs the fighters' positions (truth_state)")
            self.joint_fc.controlled = self._controlled_in(self.picture.joint)
            for fc, view in zip(self.post_fc, self.picture.posts, strict=True):
                fc.controlled = self._controlled_in(view)
        self._link_up = True
        self._lost_logged: set[str] = set()
        self._joint_commands = True  # who ordered at the latest cycle: the joint post

    @staticmethod
    def _controlled_in(view: Any) -> Callable[[np.ndarray], np.ndarray]:
        return lambda slots: np.asarray(view.controlled[slots], dtype=bool)

    @property
    def all_fc(self) -> list[FireControlSystem]:
        return [self.joint_fc, *self.post_fc]

    # ------------------------------------------------------------------ sensing
    def scan(self, t: float, i: int, det: Detections, polar: bool,
             covers: Callable[[np.ndarray], np.ndarray] | None = None) -> list[Event]:
        """Radar ``i``'s detections into its post's tracker; the post reports its picture."""
        rs = self.w.radars
        k = int(self.radar_post[i])
        tr = self.trackers[k]
        if len(det) == 0:
            events = tr.process(t, np.zeros((0, 3)), np.zeros((0, 3, 3)),
                                np.zeros(0, dtype=np.int64), rs.pos_m[i], rs.max_range_m[i],
                                rs.name[i], covers=covers).events
        else:
            z, R, pol = to_plots(det.range_m, det.az_rad, det.el_rad, det.sigma_range_m,
                                 det.sigma_az_rad, det.sigma_el_rad, rs.pos_m[i], rs.rot[i],
                                 polar=polar)
            events = tr.process(t, z, R, det.truth_id, rs.pos_m[i], rs.max_range_m[i],
                                rs.name[i], pol,
                                false_plot_density(rs, i, det.range_m, det.el_rad),
                                covers).events
        self._link(t)
        self.picture.sent(k, t)
        self.picture.refresh(t)
        return events

    # ------------------------------------------------------------------ command
    def _link(self, t: float) -> bool:
        """Whether the link between the posts is up at ``t`` (the picture follows at once)."""
        ln = self.cmd.link
        up = not (ln.lost_at is not None and t >= ln.lost_at
                  and (ln.restored_at is None or t < ln.restored_at))
        if up != self.picture.link_up:
            self.picture.set_link(up)
        return up

    def _state(self, t: float) -> tuple[bool, bool, np.ndarray, list[Event]]:
        """At ``t``: the link up, the joint post alive, each post alive; the events of changes
        (logged at the C2 cycle that first sees them)."""
        cmd, events = self.cmd, []
        up = self._link(t)
        if up != self._link_up:
            self._link_up = up
            pair = "-".join(self.names)
            events.append(Event(t, "chain_link", source=pair, info="inter-chain link cut: "
                                "each post fights alone", tag="lost") if not up else
                          Event(t, "chain_link", source=pair, info="inter-chain link back",
                                tag="restored"))
        joint = cmd.joint.lost_at is None or t < cmd.joint.lost_at
        if not joint and "joint" not in self._lost_logged:
            self._lost_logged.add("joint")
            events.append(Event(t, "post_lost", source="joint", info="joint command post lost: "
                                "each post fights alone", tag="joint"))
        alive = np.ones(len(self.names), dtype=bool)
        for k, (name, p) in enumerate(cmd.posts.items()):
            if p.lost_at is not None and t >= p.lost_at:
                alive[k] = False
                if name not in self._lost_logged:
                    self._lost_logged.add(name)
                    events.append(Event(t, "post_lost", source=name, info="command post lost: "
                                        "its units fight autonomously", tag="national"))
        return up, joint, alive, events

    def _fighter_control(self, t: float) -> None:
        """Each post correlates the latest position reports of its fighters (sent at the latest
        multiple of the link's report interval) with its own tracks."""
        ri = self.cmd.link.report_interval
        t_r = float(t if ri <= 0 else np.floor(t / ri + 1e-9) * ri)
        if t_r == self._fighter_t:
            return
        self._fighter_t = t_r
        v, sig = self.w.vehicles, FIGHTER_REPORT_SIGMA_M
        for k, rows in enumerate(self.fighters):
            if rows.size == 0:
                continue
            noise = self._rng_fighters.standard_normal((rows.size, 3)) * sig
            up = v.alive[rows] & (v.t_start_s[rows] <= t_r) & (t_r <= v.t_end_s[rows])
            tr = self.trackers[k]
            s = tr.live(CONFIRMED)
            lost = self.cmd.posts[self.names[k]].lost_at
            if (lost is not None and t >= lost) or not up.any() or s.size == 0:
                self._pairs[k] = {}
                self.picture.set_controlled(k, set())
                continue
            assert self.truth_state is not None
            rows, noise = rows[up], noise[up]
            xr = np.zeros((rows.size, 6))
            xr[:, :3] = self.truth_state(t_r, rows)[0] + noise
            Pr = np.tile(np.diag([sig ** 2] * 3 + [_UNREPORTED_SIGMA_MPS ** 2] * 3),
                         (rows.size, 1, 1))
            ids = tr.track_id[s]
            xl, Pl = kalman.cv_predict(self.picture.registered(k, s), tr.P[s], t_r - tr.t[s],
                                       tr.q)
            row_of = {int(p): i for i, p in enumerate(ids.tolist())}
            keep = np.array([row_of.get(self._pairs[k].get(int(f), -1), -1) for f in rows],
                            dtype=np.int64)
            pair = correlate(xl, Pl, xr, Pr, self.picture.gamma, keep)
            self._pairs[k] = {int(f): int(ids[p]) for f, p in zip(rows, pair, strict=True)
                              if p >= 0}
            self.picture.set_controlled(k, set(self._pairs[k].values()))

    def cycle(self, t: float, *args: Any) -> CycleResult:
        """One C2 cycle (the arguments of ``FireControlSystem.cycle``) by whoever commands."""
        if self.truth_state is not None and any(f.size for f in self.fighters):
            self._fighter_control(t)
        self.picture.refresh(t)
        up, joint, alive, events = self._state(t)
        orphans = ~alive[self.unit_post]
        self._joint_commands = up and joint
        if up and joint:
            self.joint_fc.chain_auto = orphans
            res = self.joint_fc.cycle(t, *args)
            res.events[:0] = events
            return res
        out = CycleResult(events, [], np.zeros(len(self.unit_post), dtype=bool), set(),
                          national=True)
        for k, fc in enumerate(self.post_fc):
            fc.chain_auto = orphans & (self.unit_post == k)
            r = fc.cycle(t, *args)
            out.events.extend(r.events)
            out.orders.extend(r.orders)
            if r.autonomous is not None:
                assert out.autonomous is not None
                out.autonomous |= r.autonomous & fc.commands
            out.duplicates |= r.duplicates
        return out

    def launch_veto(self, slot: int, st: np.ndarray, unit: int | None = None) -> str:
        """Why a scheduled launch of ``unit`` at the track in ``slot`` must not go: asked of
        the fire control that commands the unit — the joint post's while it assigns, else the
        unit's own post's (another post's fire control may never have evaluated the track: it
        is *pending* there). Without ``unit``, of every fire control in command."""
        if self._joint_commands:
            fcs = [self.joint_fc]
        elif unit is None:
            fcs = self.post_fc
        else:
            fcs = [self.post_fc[int(self.unit_post[unit])]]
        for fc in fcs:
            why = fc.launch_veto(slot, st)
            if why:
                return why
        return ""

    def mark_killed(self, slot: int) -> None:
        for fc in self.all_fc:
            fc.mark_killed(slot)

    def table(self) -> dict[str, np.ndarray]:
        """Every post's recorded track updates (their numbers are disjoint)."""
        tabs = [tr.table() for tr in self.trackers]
        return {c: np.concatenate([tb[c] for tb in tabs]) for c in tabs[0]}
