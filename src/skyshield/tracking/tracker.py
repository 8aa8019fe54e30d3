"""The central tracker: one air picture fused from every radar of the joint group.

Plots from each radar scan arrive in time order and are converted to Cartesian measurements in
the scenario frame. Every live track is predicted to the scan time (nearly-constant-velocity
Kalman filter), plots are gated by a chi-square test on the Mahalanobis distance (candidate pairs
found with a k-d tree, so the cost grows with the number of nearby pairs, not tracks × plots), and
assigned by global nearest neighbour: scipy's ``linear_sum_assignment`` on each connected cluster
of the gated pairs, with the cost d² + ln|S|. Unassigned plots start tentative tracks; a tentative
track is confirmed after M hits in its first N opportunities (scans of a radar covering it) or
deleted (opportunities are the initiating radar's scans covering the track; hits from any radar
count); any track unseen for longer than the coast time is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from scipy.stats import chi2

from skyshield.engine.events import EventLog
from skyshield.tracking import kalman

__all__ = ["TrackerParams", "Tracker", "TENTATIVE", "CONFIRMED", "TRACK_COLUMNS"]

TENTATIVE, CONFIRMED = 1, 2
_BRUTE_FORCE_PAIRS = 4096  # below this many track-plot pairs, distances are computed directly
TRACK_COLUMNS = ("t_s", "track_id", "status", "x_m", "y_m", "z_m", "vx_mps", "vy_mps",
                 "vz_mps", "sigma_pos_m", "truth_id", "source")


@dataclass(frozen=True)
class TrackerParams:
    confirm_m: int = 3
    confirm_n: int = 5
    coast_s: float = 30.0
    gate_probability: float = 0.9997
    q: float = 30.0
    init_speed_sigma_mps: float = 350.0


class Tracker:
    """Track state as arrays over slots; slot status 0 = free."""

    def __init__(self, params: TrackerParams, log: EventLog, capacity: int = 64):
        self.p = params
        self.log = log
        self.gamma = float(chi2.ppf(params.gate_probability, df=3))
        self._alloc(capacity)
        self.next_id = 1
        self._rows: list[tuple[np.ndarray, ...]] = []
        self._row_sources: list[str] = []
        self._sensor_ids: dict[str, int] = {}

    def _alloc(self, cap: int) -> None:
        self.status = np.zeros(cap, dtype=np.int8)
        self.track_id = np.full(cap, -1, dtype=np.int64)
        self.x = np.zeros((cap, 6))
        self.P = np.tile(np.eye(6), (cap, 1, 1))
        self.t = np.zeros(cap)
        self.hits = np.zeros(cap, dtype=np.int64)
        self.opps = np.zeros(cap, dtype=np.int64)
        self.truth = np.full(cap, -1, dtype=np.int64)
        self.init_sensor = np.full(cap, -1, dtype=np.int64)

    def _grow(self, need: int) -> None:
        cap = self.status.size
        if need <= cap:
            return
        new = max(need, 2 * cap)
        old = (self.status, self.track_id, self.x, self.P, self.t, self.hits, self.opps,
               self.truth, self.init_sensor)
        self._alloc(new)
        new_arrays: tuple[np.ndarray, ...] = (self.status, self.track_id, self.x, self.P, self.t,
                                              self.hits, self.opps, self.truth,
                                              self.init_sensor)
        for dst, src in zip(new_arrays, old, strict=True):
            dst[:cap] = src

    # ------------------------------------------------------------------ queries
    def live(self, status: int | None = None) -> np.ndarray:
        """Slots of live tracks (optionally only of one status)."""
        return np.flatnonzero(self.status > 0 if status is None else self.status == status)

    def slot_of(self, track_id: int) -> int:
        hit = np.flatnonzero((self.track_id == track_id) & (self.status > 0))
        return int(hit[0]) if hit.size else -1

    def state_at(self, slots: np.ndarray, t_s: float) -> np.ndarray:
        """Predicted state (k, 6) of tracks at ``t_s`` (constant velocity extrapolation)."""
        x = self.x[slots]
        dt = (t_s - self.t[slots])[:, None]
        return np.hstack([x[:, :3] + x[:, 3:] * dt, x[:, 3:]])

    # ------------------------------------------------------------------ update
    def process(self, t_s: float, z: np.ndarray, R: np.ndarray, truth: np.ndarray,
                sensor_pos_m: np.ndarray, sensor_max_range_m: float, source: str) -> None:
        """Fuse one scan's converted plots ``z`` (m, 3) with covariances ``R`` (m, 3, 3)."""
        slots = self.live()
        m = z.shape[0]
        sensor = self._sensor_ids.setdefault(source, len(self._sensor_ids))
        if m == 0:
            self._empty_scan(t_s, slots, sensor_pos_m, sensor_max_range_m, sensor)
            return
        assigned_slot = np.empty(0, dtype=np.int64)
        assigned_det = np.empty(0, dtype=np.int64)
        if slots.size:
            xp, Pp = kalman.cv_predict(self.x[slots], self.P[slots], t_s - self.t[slots],
                                       self.p.q)
            if m:
                assigned_slot, assigned_det = self._associate(slots, xp, Pp, z, R)
            self._count_opportunities(slots, xp[:, :3], sensor_pos_m, sensor_max_range_m, sensor)
            if assigned_slot.size:
                pos = np.searchsorted(slots, assigned_slot)
                xu, Pu = kalman.update(xp[pos], Pp[pos], z[assigned_det], R[assigned_det])
                self.x[assigned_slot], self.P[assigned_slot] = xu, Pu
                self.t[assigned_slot] = t_s
                self.hits[assigned_slot] += 1
                self.truth[assigned_slot] = truth[assigned_det]
        # confirmation and deletion by M-of-N
        tent = slots[self.status[slots] == TENTATIVE]
        confirm = tent[self.hits[tent] >= self.p.confirm_m]
        self.status[confirm] = CONFIRMED
        for s in confirm:
            self.log.emit(t_s, "track_confirmed", source=source, track_id=self.track_id[s],
                          truth_id=self.truth[s], pos_m=self.x[s, :3])
        fail = tent[(self.hits[tent] < self.p.confirm_m) & (self.opps[tent] >= self.p.confirm_n)]
        self._drop(fail, t_s, "not confirmed", emit=False)
        # new tentative tracks from unassigned plots
        free = np.ones(m, dtype=bool)
        free[assigned_det] = False
        new_slots = self._initiate(t_s, z[free], R[free], truth[free], sensor)
        self._drop_stale(t_s, self.live())
        updated = np.concatenate([assigned_slot, new_slots])
        self._record(t_s, updated[self.status[updated] > 0], source)

    def _count_opportunities(self, slots: np.ndarray, pos_m: np.ndarray,
                             sensor_pos_m: np.ndarray, sensor_max_range_m: float,
                             sensor: int) -> None:
        """One more M-of-N opportunity for tentative tracks started by this sensor, if it covers
        their predicted position. Confirmation is judged on the initiating radar's own scans:
        a radar that cannot see a small target must not use up its chances (hits from any
        radar count)."""
        own = self.init_sensor[slots] == sensor
        in_cov = np.linalg.norm(pos_m - sensor_pos_m, axis=1) <= sensor_max_range_m
        self.opps[slots[own & in_cov]] += 1

    def _empty_scan(self, t_s: float, slots: np.ndarray, sensor_pos_m: np.ndarray,
                    sensor_max_range_m: float, sensor: int) -> None:
        """A scan without plots: only opportunities, M-of-N failures and coasting change."""
        if slots.size == 0:
            return
        pos = self.x[slots, :3] + self.x[slots, 3:] * (t_s - self.t[slots])[:, None]
        self._count_opportunities(slots, pos, sensor_pos_m, sensor_max_range_m, sensor)
        tent = slots[self.status[slots] == TENTATIVE]
        fail = tent[(self.hits[tent] < self.p.confirm_m) & (self.opps[tent] >= self.p.confirm_n)]
        self._drop(fail, t_s, "not confirmed", emit=False)
        self._drop_stale(t_s, slots)

    def _drop_stale(self, t_s: float, slots: np.ndarray) -> None:
        """Tracks unseen for longer than the coast time: confirmed ones are dropped (and logged),
        tentative ones too, whether or not a radar still counts them as covered."""
        stale = slots[(self.status[slots] > 0) & (t_s - self.t[slots] > self.p.coast_s)]
        conf = self.status[stale] == CONFIRMED
        self._drop(stale[conf], t_s, "coasted out", emit=True)
        self._drop(stale[~conf], t_s, "not confirmed", emit=False)

    def _associate(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray, z: np.ndarray,
                   R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # candidate pairs: d² = yᵀS⁻¹y ≤ γ implies |y|² ≤ γ·λmax(S) ≤ γ·(tr P + tr R), so a ball
        # of that radius around each track holds every plot that can pass its gate
        pos_var = np.trace(Pp[:, :3, :3], axis1=1, axis2=2)
        det_var = float(np.trace(R, axis1=1, axis2=2).max())
        radius = np.sqrt(self.gamma * (pos_var + det_var))
        if slots.size * z.shape[0] <= _BRUTE_FORCE_PAIRS:  # small picture: all pairs at once
            d = np.linalg.norm(xp[:, None, :3] - z[None, :, :], axis=-1)
            trk_idx, det_idx = np.nonzero(d <= radius[:, None])
        else:  # large picture: a k-d tree keeps the candidates near-linear in the counts
            hits = cKDTree(z).query_ball_point(xp[:, :3], radius, return_sorted=False)
            counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
            trk_idx = np.repeat(np.arange(len(hits)), counts)
            det_idx = np.fromiter(chain.from_iterable(hits), dtype=np.int64,
                                  count=int(counts.sum()))
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        y, S = kalman.innovation(xp[trk_idx], Pp[trk_idx], z[det_idx], R[det_idx])
        d2, logdet = kalman.mahalanobis_sq(y, S)
        ok = d2 <= self.gamma
        trk_idx, det_idx = trk_idx[ok], det_idx[ok]
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        cost = d2[ok] + logdet[ok]
        return self._gnn(slots, trk_idx, det_idx, cost, z.shape[0])

    @staticmethod
    def _gnn(slots: np.ndarray, trk_idx: np.ndarray, det_idx: np.ndarray, cost: np.ndarray,
             m: int) -> tuple[np.ndarray, np.ndarray]:
        """Global nearest neighbour per connected cluster of gated pairs."""
        n = slots.size
        if (np.bincount(trk_idx, minlength=n).max() <= 1
                and np.bincount(det_idx, minlength=m).max() <= 1):
            return slots[trk_idx], det_idx  # no contention: every gated pair stands alone
        graph = coo_matrix((np.ones(trk_idx.size), (trk_idx, n + det_idx)), shape=(n + m, n + m))
        _, label = connected_components(graph, directed=False)
        comp = label[trk_idx]
        order = np.argsort(comp, kind="stable")
        comp_sorted = comp[order]
        bounds = np.flatnonzero(np.diff(comp_sorted)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [comp_sorted.size]])
        single = (ends - starts) == 1
        out_t = [trk_idx[order[starts[single]]]]
        out_d = [det_idx[order[starts[single]]]]
        for s, e in zip(starts[~single], ends[~single], strict=True):
            sel = order[s:e]
            ut, ti = np.unique(trk_idx[sel], return_inverse=True)
            ud, di = np.unique(det_idx[sel], return_inverse=True)
            C = np.full((ut.size, ud.size), 1e12)
            C[ti, di] = cost[sel]
            r, c = linear_sum_assignment(C)
            keep = C[r, c] < 1e12
            out_t.append(ut[r[keep]])
            out_d.append(ud[c[keep]])
        t_all = np.concatenate(out_t)
        d_all = np.concatenate(out_d)
        return slots[t_all], d_all

    def _initiate(self, t_s: float, z: np.ndarray, R: np.ndarray, truth: np.ndarray,
                  sensor: int) -> np.ndarray:
        k = z.shape[0]
        if k == 0:
            return np.empty(0, dtype=np.int64)
        free = np.flatnonzero(self.status == 0)
        if free.size < k:
            self._grow(self.status.size + k)
            free = np.flatnonzero(self.status == 0)
        s = free[:k]
        ids = np.arange(self.next_id, self.next_id + k)
        self.next_id += k
        self.status[s] = TENTATIVE
        self.track_id[s] = ids
        self.x[s] = np.hstack([z, np.zeros((k, 3))])
        P = np.zeros((k, 6, 6))
        P[:, :3, :3] = R
        P[:, 3:, 3:] = np.eye(3) * self.p.init_speed_sigma_mps**2
        self.P[s] = P
        self.t[s] = t_s
        self.hits[s] = 1
        self.opps[s] = 1
        self.init_sensor[s] = sensor
        self.truth[s] = truth
        return s

    def _drop(self, slots: np.ndarray, t_s: float, reason: str, emit: bool) -> None:
        if emit:
            for s in slots:
                self.log.emit(t_s, "track_dropped", track_id=self.track_id[s],
                              truth_id=self.truth[s], pos_m=self.x[s, :3], info=reason)
        self.status[slots] = 0

    def _record(self, t_s: float, slots: np.ndarray, source: str) -> None:
        if slots.size == 0:
            return
        sig = np.sqrt(np.trace(self.P[slots, :3, :3], axis1=1, axis2=2))
        self._rows.append((np.full(slots.size, t_s), self.track_id[slots].copy(),
                           self.status[slots].astype(np.int64), self.x[slots].copy(), sig,
                           self.truth[slots].copy()))
        self._row_sources.append(source)

    def table(self) -> dict[str, np.ndarray]:
        """Every recorded track update as columns (:data:`TRACK_COLUMNS`)."""
        if not self._rows:
            empty = {c: np.empty(0) for c in TRACK_COLUMNS}
            empty["source"] = np.empty(0, dtype=object)
            return empty
        t, tid, st, x, sig, tr = (np.concatenate(c) for c in zip(*self._rows, strict=True))
        src = np.concatenate([np.full(r[0].size, s, dtype=object)
                              for r, s in zip(self._rows, self._row_sources, strict=True)])
        return {"t_s": t, "track_id": tid, "status": st, "x_m": x[:, 0], "y_m": x[:, 1],
                "z_m": x[:, 2], "vx_mps": x[:, 3], "vy_mps": x[:, 4], "vz_mps": x[:, 5],
                "sigma_pos_m": sig, "truth_id": tr, "source": src}
