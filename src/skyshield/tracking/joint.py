"""Command chains' air pictures: each national post's own tracks, the track exchange between the
posts with latency, track-number correlation, and the joint picture built from them.

Each national command post tracks with its own radars only (its own
:class:`~skyshield.tracking.tracker.Tracker`, in its radars' own frame) and shows its tracks on
the common grid with its radars' registration bias (:func:`register`, from the radar that last
updated each track: a post's radars are registered among themselves, the bias is between the
posts' grids). The joint group post sits with one of them, the *host*: its picture is the
host's own tracks, at once, and every other post's confirmed tracks as they were ``latency_s``
ago (the latest report sent at or before t − L; a post sends one every ``report_interval_s`` at
most, after a scan of its radars), dead-reckoned over the age of the report when
``extrapolate`` (else shown where they were when sent). A report is correlated once, when it
arrives. Where both hold an aircraft, the joint track shows the better of the two (the smaller
position variance at the instant), as Link 16 gives the reporting responsibility for a track to
the unit with the best track quality.

**Track-number correlation.** A received track is correlated with a host track when the pair
passes a chi-square gate on their position difference, d² = Δᵀ(P_h + P_r)⁻¹Δ ≤ γ(3 dof), the
host track predicted to the instant and the received one dead-reckoned to it (the tracks'
errors taken as independent — the usual simplification of track-to-track association, Bar-Shalom
& Li, *Multitarget-Multisensor Tracking*, 1995, §8.3: their common process noise makes the
true gate a little tighter). The gated pairs are assigned by global nearest neighbour
(:func:`~skyshield.tracking.association.gnn`, cost d² + ln|S|); a pair once made is kept while
it passes the gate. A correlated received track takes the host's track number (its own number
is retired and follows the host's: :meth:`JointPicture.slot_of`); an uncorrelated one keeps its
own number as a track of its own in the joint picture — when it is an aircraft the host also
holds, that is a *dual track*, what a large bias or latency makes. Track numbers of the posts
come from disjoint blocks (``ID_BLOCK``), so a number names one post's track.

The joint picture and the posts' own pictures are *views* over one set of slots
(:class:`PictureView`), with the public arrays and queries of the tracker that fire control
and the weapons read (``status``, ``track_id``, ``x``, ``P``, ``t``, ``truth``, ``hit_t``,
``live``, ``state_at``, ``slot_of``, ``seen_by``, ``sensor_id``): a joint track and a post's
track of one aircraft share their slot and number, so an engagement ordered in one picture is
followed in another. ``engagement`` is what the units themselves hold (each slot's freshest own
track, no link in between): the weapons fly on it.

**Fighter control.** A post's tracks under its own fighter control (:meth:`set_controlled`,
found by ``sim.chains``) are flagged in its own view at once (``PictureView.controlled``), and
travel with its track reports: the joint view flags the host's at once and the others' as
received.
"""

from __future__ import annotations

from collections import deque

import numpy as np
from scipy.stats import chi2

from skyshield.tracking import association, kalman
from skyshield.tracking.tracker import CONFIRMED, Tracker

__all__ = ["JointPicture", "PictureView", "correlate", "register", "ID_BLOCK"]

ID_BLOCK = 1_000_000  # track numbers of post k: k·ID_BLOCK + 1, ... (disjoint per post)


def register(x: np.ndarray, site_m: np.ndarray, rot: np.ndarray,
             range_bias_m: float | np.ndarray, az_bias_rad: float | np.ndarray) -> np.ndarray:
    """States x (n, 6) as a radar at ``site_m`` (n, 3) whose frame is ``rot`` (n, 3, 3: scenario
    ENU -> radar ENU) reports them with a registration bias (one, or one per row): the position
    at range ρ + b_r and azimuth az + b_az (clockwise from the radar's north), the velocity
    turned by b_az.

    In the radar's frame, with (e, n, u) = rot·(p − s): e' = (e cos β + n sin β)·k,
    n' = (n cos β − e sin β)·k, u' = u·k, k = (ρ + b_r)/ρ — so |p' − p| = |b_r| on the line of
    sight for a range bias alone, and 2ρ_h sin(β/2) ≈ ρ_h·β across it (ρ_h the horizontal
    range) for an azimuth bias alone."""
    if x.shape[0] == 0 or (np.all(np.asarray(range_bias_m) == 0.0)
                           and np.all(np.asarray(az_bias_rad) == 0.0)):
        return x
    d = np.einsum("nij,nj->ni", rot, x[:, :3] - site_m)
    v = np.einsum("nij,nj->ni", rot, x[:, 3:])
    c, s = np.cos(az_bias_rad), np.sin(az_bias_rad)

    def turn(a: np.ndarray) -> np.ndarray:
        return np.column_stack([a[:, 0] * c + a[:, 1] * s, a[:, 1] * c - a[:, 0] * s, a[:, 2]])

    rho = np.linalg.norm(d, axis=1)
    k = np.where(rho > 0, (rho + range_bias_m) / np.where(rho > 0, rho, 1.0), 1.0)
    d2 = turn(d) * k[:, None]
    out = np.empty_like(x)
    out[:, :3] = site_m + np.einsum("nji,nj->ni", rot, d2)
    out[:, 3:] = np.einsum("nji,nj->ni", rot, turn(v))
    return out


def correlate(xl: np.ndarray, Pl: np.ndarray, xr: np.ndarray, Pr: np.ndarray, gamma: float,
              keep: np.ndarray | None = None) -> np.ndarray:
    """Correlate received tracks (xr (m, 6), Pr (m, 6, 6)) with local ones (xl (n, 6),
    Pl (n, 6, 6)), all at one instant: for each received track the local row it is correlated
    with, or −1. ``keep`` (m,): a pairing made before (local row or −1), kept while it passes
    the gate; the rest are assigned by global nearest neighbour on the gated pairs."""
    m = xr.shape[0]
    out = np.full(m, -1, dtype=np.int64)
    if m == 0 or xl.shape[0] == 0:
        return out
    ti, di, d2, logdet = association.gate(xl, Pl, xr[:, :3], Pr[:, :3, :3], gamma)
    if keep is not None:
        inc = keep[di] == ti  # incumbent pairs still inside the gate
        out[di[inc]] = ti[inc]
        free = (out[di] < 0) & ~np.isin(ti, out[out >= 0])
        ti, di, d2, logdet = ti[free], di[free], d2[free], logdet[free]
    if ti.size:
        a_t, a_d = association.gnn(ti, di, d2 + logdet, xl.shape[0], m)
        out[a_d] = a_t
    return out


class PictureView:
    """One command post's picture over the shared slots (the tracker's public interface)."""

    def __init__(self, owner: JointPicture):
        self.o = owner
        self.status = np.zeros(0, dtype=np.int8)
        self.x = np.zeros((0, 6))
        self.P = np.zeros((0, 6, 6))
        self.t = np.zeros(0)
        self.truth = np.zeros(0, dtype=np.int64)
        self.controlled = np.zeros(0, dtype=bool)  # under fighter control, as the post knows

    def _size(self, cap: int) -> None:
        self.controlled = np.zeros(cap, dtype=bool)
        if self.status.size != cap:
            self.status = np.zeros(cap, dtype=np.int8)
            self.x = np.zeros((cap, 6))
            self.P = np.tile(np.eye(6), (cap, 1, 1))
            self.t = np.zeros(cap)
            self.truth = np.full(cap, -1, dtype=np.int64)
        else:
            self.status[:] = 0

    @property
    def track_id(self) -> np.ndarray:
        return self.o.track_id

    @property
    def hit_t(self) -> np.ndarray:
        return self.o.hit_t

    def live(self, status: int | None = None) -> np.ndarray:
        return np.flatnonzero(self.status > 0 if status is None else self.status == status)

    def state_at(self, slots: np.ndarray, t_s: float) -> np.ndarray:
        x = self.x[slots]
        dt = (t_s - self.t[slots])[:, None]
        return np.hstack([x[:, :3] + x[:, 3:] * dt, x[:, 3:]])

    def slot_of(self, track_id: int) -> int:
        s = self.o.slot_of(track_id)
        return s if s >= 0 and self.status[s] > 0 else -1

    def sensor_id(self, source: str) -> int:
        return self.o.sensor_id(source)

    def seen_by(self, slots: np.ndarray, sensors: np.ndarray, since_s: float) -> np.ndarray:
        sensors = sensors[(sensors >= 0) & (sensors < self.hit_t.shape[1])]
        if sensors.size == 0:
            return np.zeros(slots.size, dtype=bool)
        return (self.hit_t[np.ix_(slots, sensors)] >= since_s).any(axis=1)


class JointPicture:
    """The posts' trackers, the reports they send, the correlation and the views.

    ``trackers[k]`` is post k's tracker; ``radar_post[i]`` the post of radar ``radar_names[i]``;
    ``host`` the post the joint post sits with. Call :meth:`sent` after each scan of a post's
    radar (the post reports its picture) and :meth:`refresh` before anyone reads a view."""

    def __init__(self, trackers: list[Tracker], radar_names: list[str], radar_post: np.ndarray,
                 host: int, latency_s: float, extrapolate: bool, gate_probability: float, *,
                 radar_pos_m: np.ndarray | None = None, radar_rot: np.ndarray | None = None,
                 bias: list[tuple[float, float]] | None = None, report_interval_s: float = 0.0,
                 radar_bias: dict[int, tuple[float, float]] | None = None):
        self.trackers = trackers
        self.report_interval_s = float(report_interval_s)
        self._last_sent = np.full(len(trackers), -np.inf)
        self._last_correlated = np.full(len(trackers), -np.inf)  # send time of the report
        n_r = len(radar_names)
        self.radar_pos_m = np.zeros((n_r, 3)) if radar_pos_m is None else radar_pos_m
        self.radar_rot = np.tile(np.eye(3), (n_r, 1, 1)) if radar_rot is None else radar_rot
        # registration bias of each radar (range m, azimuth rad): its post's, or its own
        per_post = [(0.0, 0.0)] * len(trackers) if bias is None else list(bias)
        self.radar_bias = np.array([per_post[int(k)] for k in radar_post], dtype=float
                                   ).reshape(n_r, 2)
        for i, b in (radar_bias or {}).items():
            self.radar_bias[i] = b
        for k, tr in enumerate(trackers):
            tr.next_id = 1 + k * ID_BLOCK
        self.K = len(trackers)
        self.host = host
        self.radar_names = list(radar_names)
        self.radar_post = np.asarray(radar_post, dtype=np.int64)
        self._sensor = {n: i for i, n in enumerate(self.radar_names)}
        self.latency_s = float(latency_s)
        self.extrapolate = extrapolate
        self.gamma = float(chi2.ppf(gate_probability, df=3))
        self.link_up = True
        # the slots: a number, and per post the number of its track there (−1: none)
        self.track_id = np.zeros(0, dtype=np.int64)
        self.comp = np.zeros((0, self.K), dtype=np.int64)
        self.hit_t = np.zeros((0, len(self.radar_names)))
        self._slot: dict[int, int] = {}  # live number -> slot
        self._alias: dict[int, int] = {}  # retired number -> the number it was merged into
        self._where: list[dict[int, int]] = [{} for _ in trackers]  # post's number -> slot
        self._reports: list[deque[tuple[float, dict[str, np.ndarray]]]] = [
            deque() for _ in trackers]
        # per post: its track numbers under its own fighter control (:meth:`set_controlled`)
        self.controlled_ids: list[set[int]] = [set() for _ in trackers]
        self.joint = PictureView(self)
        self.posts = [PictureView(self) for _ in trackers]
        self.engagement = PictureView(self)

    # ------------------------------------------------------------------ numbers and sensors
    def sensor_id(self, source: str) -> int:
        return self._sensor.get(source, -1)

    def slot_of(self, track_id: int) -> int:
        tid = int(track_id)
        seen = 0
        while tid in self._alias and seen < 64:
            tid, seen = self._alias[tid], seen + 1
        return self._slot.get(tid, -1)

    def _new_slot(self, tid: int) -> int:
        free = np.flatnonzero(self.track_id == 0)
        if free.size == 0:
            cap = self.track_id.size
            grow = max(cap, 16)
            self.track_id = np.concatenate([self.track_id, np.zeros(grow, dtype=np.int64)])
            self.comp = np.vstack([self.comp, np.full((grow, self.K), -1, dtype=np.int64)])
            self.hit_t = np.vstack([self.hit_t, np.full((grow, self.hit_t.shape[1]), -np.inf)])
            free = np.arange(cap, cap + grow)
        s = int(free[0])
        self.track_id[s] = tid
        self.comp[s] = -1
        self._slot[tid] = s
        self._alias.pop(tid, None)  # a number merged once and on its own again is itself
        return s

    def _detach(self, k: int, ptid: int) -> None:
        s = self._where[k].pop(ptid, None)
        if s is None:
            return
        self.comp[s, k] = -1
        if (self.comp[s] < 0).all():
            self._slot.pop(int(self.track_id[s]), None)
            self.track_id[s] = 0

    def _attach(self, k: int, ptid: int, s: int) -> None:
        self._where[k][ptid] = s
        self.comp[s, k] = ptid

    def registered(self, k: int, slots: np.ndarray) -> np.ndarray:
        """Post ``k``'s track states in ``slots`` of its tracker as the post shows them on the
        common grid: registered (:func:`register`, the post's bias) from the radar of the post
        that last updated each track. The post's tracker itself runs in its radars' own frame
        (a post's radars are registered among themselves; the bias is between the posts), so
        its units' engagements, closed by their own radars, do not see it."""
        tr = self.trackers[k]
        x = tr.x[slots].copy()
        if slots.size == 0 or not self.radar_bias[self.radar_post == k].any():
            return x
        cols, radars = [], []
        for i in np.flatnonzero(self.radar_post == k):
            sid = tr.sensor_id(self.radar_names[i])
            if 0 <= sid < tr.hit_t.shape[1]:
                cols.append(sid)
                radars.append(i)
        if not cols:
            return x
        cols_a = np.asarray(cols, dtype=np.int64)
        last = np.asarray(radars)[np.argmax(tr.hit_t[np.ix_(slots, cols_a)], axis=1)]
        return register(x, self.radar_pos_m[last], self.radar_rot[last],
                        self.radar_bias[last, 0], self.radar_bias[last, 1])

    def set_controlled(self, k: int, track_ids: set[int]) -> None:
        """Post ``k``'s tracks that correlate with the fighters under its control (as it knows
        them now): its own picture shows them at once, the joint picture the host's at once and
        the others' with their reports (the flag travels with each track over the link)."""
        self.controlled_ids[k] = set(track_ids)

    # ------------------------------------------------------------------ reports
    def set_link(self, up: bool) -> None:
        """Cut or restore the link: reports in flight when it is cut are lost."""
        if not up:
            for q in self._reports:
                q.clear()
            self._last_sent[:] = -np.inf
        self.link_up = up

    def sent(self, k: int, t_s: float) -> None:
        """Post ``k`` reports its confirmed tracks at ``t_s`` (they arrive L later; nothing is
        sent while the link is cut)."""
        if (not self.link_up or k == self.host
                or t_s - self._last_sent[k] < self.report_interval_s):
            return
        self._last_sent[k] = t_s
        tr = self.trackers[k]
        s = tr.live(CONFIRMED)
        ids = tr.track_id[s].copy()
        self._reports[k].append((t_s, {"id": ids, "x": self.registered(k, s),
                                       "P": tr.P[s].copy(), "t": tr.t[s].copy(),
                                       "truth": tr.truth[s].copy(),
                                       "ctrl": np.isin(ids, list(self.controlled_ids[k]))}))

    def received(self, k: int, t_s: float) -> tuple[float, dict[str, np.ndarray]] | None:
        """The latest report of post ``k`` that has arrived by ``t_s`` (None: none yet)."""
        q = self._reports[k]
        due = t_s - self.latency_s
        while len(q) >= 2 and q[1][0] <= due:
            q.popleft()  # a newer report has arrived: the older one is of no more use
        return q[0] if q and q[0][0] <= due else None

    # ------------------------------------------------------------------ the pictures
    def refresh(self, t_s: float) -> None:
        """Bring the slots and every view up to ``t_s``."""
        live = []
        for k, tr in enumerate(self.trackers):
            s = tr.live(CONFIRMED)
            ids = tr.track_id[s]
            live.append((s, ids))
            now = set(ids.tolist())
            for ptid in [p for p in self._where[k] if p not in now]:
                self._detach(k, ptid)
        h = self.host
        hs, hids = live[h]
        for ptid in hids.tolist():
            if ptid not in self._where[h]:
                self._attach(h, ptid, self._new_slot(ptid))
        arrived: dict[int, tuple[float, dict[str, np.ndarray]]] = {}
        for k in range(self.K):
            if k == h:
                continue
            rep = self.received(k, t_s) if self.link_up else None
            if rep is not None:
                arrived[k] = rep
                if rep[0] != self._last_correlated[k]:  # a new report: correlate it
                    self._last_correlated[k] = rep[0]
                    self._correlate(k, t_s, rep, hs, hids)
            for ptid in live[k][1].tolist():  # the post's own tracks not yet in the picture
                if ptid not in self._where[k]:
                    self._attach(k, ptid, self._new_slot(ptid))
        self._views(t_s, live, arrived)

    def _correlate(self, k: int, t_s: float, rep: tuple[float, dict[str, np.ndarray]],
                   hs: np.ndarray, hids: np.ndarray) -> None:
        """Correlate post ``k``'s report with the host's tracks; move its tracks' slots."""
        tx, r = rep
        known = np.isin(r["id"], np.fromiter(self._where[k], dtype=np.int64,
                                             count=len(self._where[k])))
        rid = r["id"][known]
        if rid.size == 0:
            return
        xr, Pr = self._sent_states(k, t_s, tx, r, known)
        htr = self.trackers[self.host]
        xl, Pl = kalman.cv_predict(self.registered(self.host, hs), htr.P[hs], t_s - htr.t[hs],
                                   htr.q)
        row_of = {int(p): i for i, p in enumerate(hids.tolist())}
        keep = np.full(rid.size, -1, dtype=np.int64)
        for j, p in enumerate(rid.tolist()):
            hp = self.comp[self._where[k][p], self.host]
            keep[j] = row_of.get(int(hp), -1) if hp >= 0 else -1
        pair = correlate(xl, Pl, xr, Pr, self.gamma, keep)
        for j, p in enumerate(rid.tolist()):
            s_old = self._where[k][p]
            if pair[j] >= 0:
                s_new = self._where[self.host][int(hids[pair[j]])]
                if s_new != s_old:
                    old_id = int(self.track_id[s_old])
                    self._detach(k, p)
                    if self.comp[s_new, k] >= 0:  # the host track's earlier partner leaves it
                        q = int(self.comp[s_new, k])
                        self._detach(k, q)
                        self._attach(k, q, self._new_slot(q))
                    self._attach(k, p, s_new)
                    if old_id not in self._slot:
                        self._alias[old_id] = int(self.track_id[s_new])
            elif self.comp[s_old, self.host] >= 0:  # the pair no longer gates: a track again
                self._detach(k, p)
                self._attach(k, p, self._new_slot(p) if p not in self._slot else self._slot[p])

    def _sent_states(self, k: int, t_s: float, tx: float, r: dict[str, np.ndarray],
                     rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Received states at ``t_s``: dead-reckoned from their last update (``extrapolate``),
        or as they were when sent at ``tx``."""
        x, P, tu = r["x"][rows], r["P"][rows], r["t"][rows]
        to = t_s if self.extrapolate else tx
        return kalman.cv_predict(x, P, to - tu, self.trackers[k].q)

    def _views(self, t_s: float, live: list[tuple[np.ndarray, np.ndarray]],
               arrived: dict[int, tuple[float, dict[str, np.ndarray]]]) -> None:
        cap = self.track_id.size
        for v in (self.joint, self.engagement, *self.posts):
            v._size(cap)
        self.hit_t[:] = -np.inf
        order = [self.host] + [k for k in range(self.K) if k != self.host]
        for k in reversed(order):  # the host last: its track wins the engagement view
            tr = self.trackers[k]
            slots_k, ids_k = live[k]
            if ids_k.size == 0:
                continue
            js = np.array([self._where[k][int(p)] for p in ids_k], dtype=np.int64)
            for v in (self.posts[k], self.engagement):
                v.status[js] = CONFIRMED
                v.x[js], v.P[js], v.t[js] = tr.x[slots_k], tr.P[slots_k], tr.t[slots_k]
                v.truth[js] = tr.truth[slots_k]
            self.posts[k].x[js] = self.registered(k, slots_k)
            self.posts[k].controlled[js] = np.isin(ids_k, list(self.controlled_ids[k]))
            mine = np.flatnonzero(self.radar_post == k)
            for i in mine:
                sid = tr.sensor_id(self.radar_names[i])
                if 0 <= sid < tr.hit_t.shape[1]:
                    self.hit_t[js, i] = tr.hit_t[slots_k, sid]
        j = self.joint
        quality = np.full(cap, np.inf)  # received: position variance (trace) dead-reckoned now
        for k, (tx, r) in arrived.items():  # other posts' tracks, as received
            rows = np.array([int(p) in self._where[k] for p in r["id"]], dtype=bool)
            if not rows.any():
                continue
            js = np.array([self._where[k][int(p)] for p in r["id"][rows]], dtype=np.int64)
            j.status[js] = CONFIRMED
            if self.extrapolate:  # as sent, with its update time: state_at dead-reckons it
                j.x[js], j.P[js], j.t[js] = r["x"][rows], r["P"][rows], r["t"][rows]
            else:  # frozen where it was when sent
                j.x[js], j.P[js] = self._sent_states(k, t_s, tx, r, rows)
                j.t[js] = t_s
            j.truth[js] = r["truth"][rows]
            j.controlled[js] |= r["ctrl"][rows]
            _, Pn = kalman.cv_predict(r["x"][rows], r["P"][rows], t_s - r["t"][rows],
                                      self.trackers[k].q)
            quality[js] = np.minimum(quality[js], np.trace(Pn[:, :3, :3], axis1=1, axis2=2))
        # the host's own tracks, at once, unless a received track of the same aircraft is the
        # better one (smaller position variance now): as Link 16 gives the reporting
        # responsibility for a track to the unit holding it with the best track quality
        h = self.posts[self.host]
        hs = h.live()
        if hs.size:
            _, Ph = kalman.cv_predict(h.x[hs], h.P[hs], t_s - h.t[hs],
                                      self.trackers[self.host].q)
            hs = hs[np.trace(Ph[:, :3, :3], axis1=1, axis2=2) <= quality[hs]]
        j.status[hs] = CONFIRMED
        j.x[hs], j.P[hs], j.t[hs], j.truth[hs] = h.x[hs], h.P[hs], h.t[hs], h.truth[hs]
        j.controlled |= h.controlled  # the host's own fighter control, at once
