"""The central tracker: one air picture fused from every radar of the joint group.

Plots from each radar scan arrive in time order (asynchronous sensors of different sites, rates
and accuracies all update the same system tracks) and are converted to Cartesian measurements in
the scenario frame. Every live track is predicted to the scan time with its filter — a
nearly-constant-velocity converted-measurement Kalman filter (``cmkf``), an EKF or UKF on the
plots' range/azimuth/elevation (``ekf``, ``ukf``), or an IMM of constant velocity and
coordinated turns left and right (``imm``), see :mod:`skyshield.tracking.filters` — plots are
gated by a chi-square test on the Mahalanobis distance (candidate pairs
found with a k-d tree, so the cost grows with the number of nearby pairs, not tracks × plots), and
assigned by global nearest neighbour: scipy's ``linear_sum_assignment`` on each connected cluster
of the gated pairs, with the cost d² + ln|S| (or, with ``association="jpda"``, every gated plot
weighs into the update by its joint association probability, exact enumeration per cluster).
Unassigned plots start tentative tracks; a tentative
track is confirmed after M hits in its first N opportunities (scans of a radar covering it) or
deleted (opportunities are the initiating radar's scans covering the track; hits from any radar
count); any track unseen for longer than the coast time is dropped. A confirmed track that
misses an opportunity is coasting until its next hit; its quality is an exponentially weighted
hit ratio over the opportunities (1 = seen on every scan covering it).
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
from skyshield.tracking import filters, kalman

__all__ = ["TrackerParams", "Tracker", "TENTATIVE", "CONFIRMED", "TRACK_COLUMNS"]

TENTATIVE, CONFIRMED = 1, 2
_BRUTE_FORCE_PAIRS = 4096  # below this many track-plot pairs, distances are computed directly
_JPDA_MAX_PAIRS = 24  # larger JPDA clusters fall back to GNN
TRACK_COLUMNS = ("t_s", "track_id", "status", "x_m", "y_m", "z_m", "vx_mps", "vy_mps",
                 "vz_mps", "sigma_pos_m", "truth_id", "source")


FILTERS = ("cmkf", "ekf", "ukf", "imm")
ASSOCIATIONS = ("gnn", "jpda")


@dataclass(frozen=True)
class TrackerParams:
    confirm_m: int = 3
    confirm_n: int = 5
    coast_s: float = 30.0
    gate_probability: float = 0.9997
    q: float | tuple[float, float, float] = 30.0  # white-acceleration PSD (m²/s³), per axis
    init_speed_sigma_mps: float | tuple[float, float, float] = 350.0  # per axis
    filter: str = "cmkf"
    association: str = "gnn"
    imm_turn_rate_deg_s: float = 3.0  # the coordinated-turn models turn at ± this rate
    imm_sojourn_s: float = 30.0  # mean time in a mode
    imm_q_turn: float | tuple[float, float, float] | None = None  # default: q of the CV model
    quality_memory: float = 0.8  # quality ← m·quality + (1 − m)·hit on each opportunity
    pd: float = 0.9  # JPDA: probability of detection of a covered target
    clutter_density: float = 1e-12  # JPDA: false plots per m³ (Poisson)

    def __post_init__(self) -> None:
        if self.filter not in FILTERS:
            raise ValueError(f"filter must be one of {FILTERS} (got {self.filter!r})")
        if self.association not in ASSOCIATIONS:
            raise ValueError(f"association must be one of {ASSOCIATIONS} "
                             f"(got {self.association!r})")
        if self.association == "jpda" and self.filter != "cmkf":
            raise ValueError("JPDA runs with the converted-measurement filter (filter='cmkf')")

    @property
    def q_axes(self) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.q, dtype=float), (3,)).copy()


@dataclass(frozen=True)
class PolarPlots:
    """The raw plots of a scan for the EKF/UKF: (range, az, el) with the mathematical azimuth
    (atan2(y, x) in the sensor's own axes ``rot``), their covariances (m, 3, 3) and the sensor
    position in the tracker's frame."""

    z: np.ndarray
    R: np.ndarray
    sensor_pos_m: np.ndarray
    rot: np.ndarray | None = None


class Tracker:
    """Track state as arrays over slots; slot status 0 = free."""

    def __init__(self, params: TrackerParams, log: EventLog | None = None, capacity: int = 64):
        self.p = params
        self.log = log
        self.gamma = float(chi2.ppf(params.gate_probability, df=3))
        self.q = params.q_axes
        self.models: tuple[filters.ImmModel, ...] = ()
        if params.filter == "imm":
            w = np.radians(params.imm_turn_rate_deg_s)
            qt = tuple(np.broadcast_to(np.asarray(
                params.q if params.imm_q_turn is None else params.imm_q_turn, dtype=float), (3,)))
            self.models = (filters.ImmModel(0.0, tuple(self.q)), filters.ImmModel(w, qt),
                           filters.ImmModel(-w, qt))
        self._alloc(capacity)
        self.next_id = 1
        self._rows: list[tuple[np.ndarray, ...]] = []
        self._row_sources: list[str] = []
        self._sensor_ids: dict[str, int] = {}
        self.record = True  # keep every update for :meth:`table`

    def _alloc(self, cap: int, n_sensors: int = 4) -> None:
        M = max(len(self.models), 1)
        self.status = np.zeros(cap, dtype=np.int8)
        self.track_id = np.full(cap, -1, dtype=np.int64)
        self.x = np.zeros((cap, 6))
        self.P = np.tile(np.eye(6), (cap, 1, 1))
        self.t = np.zeros(cap)
        self.hits = np.zeros(cap, dtype=np.int64)
        self.opps = np.zeros(cap, dtype=np.int64)
        self.misses = np.zeros(cap, dtype=np.int64)  # consecutive missed opportunities
        self.quality = np.zeros(cap)
        self.truth = np.full(cap, -1, dtype=np.int64)
        self.init_sensor = np.full(cap, -1, dtype=np.int64)
        self.hit_t = np.full((cap, n_sensors), -np.inf)  # latest hit time by each sensor
        self.xm = np.zeros((cap, M, 6))  # IMM: per-model states, covariances, probabilities
        self.Pm = np.tile(np.eye(6), (cap, M, 1, 1))
        self.mu = np.full((cap, M), 1.0 / M)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return (self.status, self.track_id, self.x, self.P, self.t, self.hits, self.opps,
                self.misses, self.quality, self.truth, self.init_sensor, self.hit_t, self.xm,
                self.Pm, self.mu)

    def _grow(self, need: int) -> None:
        cap = self.status.size
        if need <= cap:
            return
        old = self._arrays()
        self._alloc(max(need, 2 * cap), self.hit_t.shape[1])
        for dst, src in zip(self._arrays(), old, strict=True):
            dst[:cap] = src

    # ------------------------------------------------------------------ queries
    def live(self, status: int | None = None) -> np.ndarray:
        """Slots of live tracks (optionally only of one status)."""
        return np.flatnonzero(self.status > 0 if status is None else self.status == status)

    def coasting(self) -> np.ndarray:
        """Slots of confirmed tracks that missed their latest opportunity."""
        return np.flatnonzero((self.status == CONFIRMED) & (self.misses > 0))

    def seen_by(self, slots: np.ndarray, sensors: np.ndarray, since_s: float) -> np.ndarray:
        """Whether each track took a plot from any of ``sensors`` at or after ``since_s``."""
        sensors = sensors[(sensors >= 0) & (sensors < self.hit_t.shape[1])]
        if sensors.size == 0:
            return np.zeros(slots.size, dtype=bool)
        return (self.hit_t[np.ix_(slots, sensors)] >= since_s).any(axis=1)

    def sensor_id(self, source: str) -> int:
        """The tracker's number for a sensor name (−1 if it never reported)."""
        return self._sensor_ids.get(source, -1)

    def slot_of(self, track_id: int) -> int:
        hit = np.flatnonzero((self.track_id == track_id) & (self.status > 0))
        return int(hit[0]) if hit.size else -1

    def state_at(self, slots: np.ndarray, t_s: float) -> np.ndarray:
        """Predicted state (k, 6) of tracks at ``t_s`` (constant velocity extrapolation)."""
        x = self.x[slots]
        dt = (t_s - self.t[slots])[:, None]
        return np.hstack([x[:, :3] + x[:, 3:] * dt, x[:, 3:]])

    # ------------------------------------------------------------------ filters
    def _predict(self, slots: np.ndarray, t_s: float
                 ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...] | None]:
        """Predicted combined state and covariance of ``slots`` at ``t_s``; for the IMM also the
        per-model predictions and predicted mode probabilities."""
        dt = t_s - self.t[slots]
        if not self.models:
            xp, Pp = kalman.cv_predict(self.x[slots], self.P[slots], dt, self.q)
            return xp, Pp, None
        M = len(self.models)
        Pi = filters.imm_transition(dt, M, self.p.imm_sojourn_s)
        x0, P0, c = filters.imm_mix(self.xm[slots], self.Pm[slots], self.mu[slots], Pi)
        xmp = np.empty_like(x0)
        Pmp = np.empty_like(P0)
        for j, mod in enumerate(self.models):
            F = filters.ct_transition(dt, mod.omega_rad_s)
            Q = filters.white_accel_q(dt, np.asarray(mod.q))
            xmp[:, j] = np.einsum("nij,nj->ni", F, x0[:, j])
            Pmp[:, j] = F @ P0[:, j] @ np.swapaxes(F, -1, -2) + Q
        xp, Pp = filters.imm_combine(xmp, Pmp, c)
        return xp, Pp, (xmp, Pmp, c)

    def _update(self, pos: np.ndarray, xp: np.ndarray, Pp: np.ndarray,
                imm: tuple[np.ndarray, ...] | None, z: np.ndarray, R: np.ndarray,
                polar: PolarPlots | None, det: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Filter update of predicted rows ``pos`` with plots ``det``: x⁺, P⁺ and, for the IMM,
        the updated (xm, Pm, mu) stacked as a tuple in the third slot."""
        f = self.p.filter
        if f == "cmkf":
            xu, Pu = kalman.update(xp[pos], Pp[pos], z[det], R[det])
            return xu, Pu, None
        if f in ("ekf", "ukf"):
            if polar is None:
                raise ValueError(f"the {f} filter needs the plots in range/azimuth/elevation")
            h, jac = filters.polar_model(polar.sensor_pos_m, polar.rot)
            if f == "ekf":
                xu, Pu, _, _ = filters.ekf_update(xp[pos], Pp[pos], polar.z[det].copy(),
                                                  polar.R[det], h, jac, wrap=(1,))
            else:
                xu, Pu, _, _ = filters.ukf_update(xp[pos], Pp[pos], polar.z[det].copy(),
                                                  polar.R[det], h, wrap=(1,))
            return xu, Pu, None
        assert imm is not None
        xmp, Pmp, c = (a[pos] for a in imm)
        M = len(self.models)
        xmu, Pmu, ll = np.empty_like(xmp), np.empty_like(Pmp), np.empty((pos.size, M))
        for j in range(M):
            y, S = kalman.innovation(xmp[:, j], Pmp[:, j], z[det], R[det])
            ll[:, j] = filters.gaussian_loglik(y, S)
            xmu[:, j], Pmu[:, j] = kalman.update(xmp[:, j], Pmp[:, j], z[det], R[det])
        w = np.log(np.maximum(c, 1e-300)) + ll
        mu = np.exp(w - w.max(axis=1, keepdims=True))
        mu /= mu.sum(axis=1, keepdims=True)
        xu, Pu = filters.imm_combine(xmu, Pmu, mu)
        return xu, Pu, np.concatenate([xmu.reshape(pos.size, -1), Pmu.reshape(pos.size, -1),
                                       mu], axis=1)

    def _store_imm(self, slots: np.ndarray, packed: np.ndarray) -> None:
        M = len(self.models)
        k = slots.size
        self.xm[slots] = packed[:, :M * 6].reshape(k, M, 6)
        self.Pm[slots] = packed[:, M * 6:M * 42].reshape(k, M, 6, 6)
        self.mu[slots] = packed[:, M * 42:]

    def _hard_update(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray,
                     imm: tuple[np.ndarray, ...] | None, z: np.ndarray, R: np.ndarray,
                     polar: PolarPlots | None, truth: np.ndarray, t_s: float,
                     det_map: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """GNN association and filter update of ``slots``; returns (slots, plot rows of z)."""
        if slots.size == 0 or z.shape[0] == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        a_slot, a_det = self._associate(slots, xp, Pp, z, R)
        if a_slot.size:
            pos = np.searchsorted(slots, a_slot)
            if polar is not None and det_map is not None:
                polar = PolarPlots(polar.z[det_map], polar.R[det_map], polar.sensor_pos_m,
                                   polar.rot)
            xu, Pu, packed = self._update(pos, xp, Pp, imm, z, R, polar, a_det)
            self.x[a_slot], self.P[a_slot] = xu, Pu
            if packed is not None:
                self._store_imm(a_slot, packed)
            self.t[a_slot] = t_s
            self.hits[a_slot] += 1
            self.truth[a_slot] = truth[a_det]
        return a_slot, a_det

    # ------------------------------------------------------------------ update
    def process(self, t_s: float, z: np.ndarray, R: np.ndarray, truth: np.ndarray,
                sensor_pos_m: np.ndarray, sensor_max_range_m: float, source: str,
                polar: PolarPlots | None = None) -> None:
        """Fuse one scan's converted plots ``z`` (m, 3) with covariances ``R`` (m, 3, 3).

        ``polar`` carries the same plots in range/azimuth/elevation for the EKF and UKF (the
        converted ones are still used for gating)."""
        slots = self.live()
        m = z.shape[0]
        sensor = self._sensor_ids.setdefault(source, len(self._sensor_ids))
        if m == 0:
            self._empty_scan(t_s, slots, sensor_pos_m, sensor_max_range_m, sensor)
            return
        assigned_slot = np.empty(0, dtype=np.int64)
        assigned_det = np.empty(0, dtype=np.int64)
        if slots.size:
            xp, Pp, imm = self._predict(slots, t_s)
            if self.p.association == "jpda":
                # confirmed tracks by JPDA; tentative ones take the plots left by GNN
                conf = self.status[slots] == CONFIRMED
                js, jd = self._jpda(slots[conf], xp[conf], Pp[conf], z, R, t_s, truth)
                rest = np.ones(m, dtype=bool)
                rest[jd] = False
                keep = np.flatnonzero(rest)
                ts, td = self._hard_update(slots[~conf], xp[~conf], Pp[~conf], imm, z[keep],
                                           R[keep], polar, truth[keep], t_s, keep)
                assigned_slot = np.concatenate([js, ts])
                assigned_det = np.concatenate([jd, keep[td]])
            else:
                assigned_slot, assigned_det = self._hard_update(slots, xp, Pp, imm, z, R, polar,
                                                                truth, t_s, None)
            self._count_opportunities(slots, xp[:, :3], sensor_pos_m, sensor_max_range_m, sensor,
                                      assigned_slot)
        # confirmation and deletion by M-of-N
        tent = slots[self.status[slots] == TENTATIVE]
        confirm = tent[self.hits[tent] >= self.p.confirm_m]
        self.status[confirm] = CONFIRMED
        if self.log is not None:
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
        if sensor >= self.hit_t.shape[1]:
            grow = np.full((self.hit_t.shape[0], sensor + 1 - self.hit_t.shape[1]), -np.inf)
            self.hit_t = np.hstack([self.hit_t, grow])
        self.hit_t[updated, sensor] = t_s
        self._record(t_s, updated[self.status[updated] > 0], source)

    def _count_opportunities(self, slots: np.ndarray, pos_m: np.ndarray,
                             sensor_pos_m: np.ndarray, sensor_max_range_m: float,
                             sensor: int, hit_slots: np.ndarray) -> None:
        """One more M-of-N opportunity for tentative tracks started by this sensor, if it covers
        their predicted position. Confirmation is judged on the initiating radar's own scans:
        a radar that cannot see a small target must not use up its chances (hits from any
        radar count). Every covered track's quality and miss count follow the hit or miss."""
        own = self.init_sensor[slots] == sensor
        in_cov = np.linalg.norm(pos_m - sensor_pos_m, axis=1) <= sensor_max_range_m
        self.opps[slots[own & in_cov]] += 1
        cov = slots[in_cov]
        hit = np.isin(cov, hit_slots, assume_unique=True)
        mem = self.p.quality_memory
        self.quality[cov] = mem * self.quality[cov] + (1 - mem) * hit
        self.misses[cov[hit]] = 0
        self.misses[cov[~hit]] += 1

    def _empty_scan(self, t_s: float, slots: np.ndarray, sensor_pos_m: np.ndarray,
                    sensor_max_range_m: float, sensor: int) -> None:
        """A scan without plots: only opportunities, M-of-N failures and coasting change."""
        if slots.size == 0:
            return
        pos = self.x[slots, :3] + self.x[slots, 3:] * (t_s - self.t[slots])[:, None]
        self._count_opportunities(slots, pos, sensor_pos_m, sensor_max_range_m, sensor,
                                  np.empty(0, dtype=np.int64))
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

    def _gate(self, xp: np.ndarray, Pp: np.ndarray, z: np.ndarray, R: np.ndarray
              ) -> tuple[np.ndarray, ...]:
        """Gated (track row, plot) pairs with their d² and ln|S|."""
        # candidate pairs: d² = yᵀS⁻¹y ≤ γ implies |y|² ≤ γ·λmax(S) ≤ γ·(tr P + tr R), so a ball
        # of that radius around each track holds every plot that can pass its gate
        pos_var = np.trace(Pp[:, :3, :3], axis1=1, axis2=2)
        det_var = float(np.trace(R, axis1=1, axis2=2).max())
        radius = np.sqrt(self.gamma * (pos_var + det_var))
        if xp.shape[0] * z.shape[0] <= _BRUTE_FORCE_PAIRS:  # small picture: all pairs at once
            d = np.linalg.norm(xp[:, None, :3] - z[None, :, :], axis=-1)
            trk_idx, det_idx = np.nonzero(d <= radius[:, None])
        else:  # large picture: a k-d tree keeps the candidates near-linear in the counts
            hits = cKDTree(z).query_ball_point(xp[:, :3], radius, return_sorted=False)
            counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
            trk_idx = np.repeat(np.arange(len(hits)), counts)
            det_idx = np.fromiter(chain.from_iterable(hits), dtype=np.int64,
                                  count=int(counts.sum()))
        if trk_idx.size == 0:
            e = np.empty(0, dtype=np.int64)
            return e, e, np.empty(0), np.empty(0)
        y, S = kalman.innovation(xp[trk_idx], Pp[trk_idx], z[det_idx], R[det_idx])
        d2, logdet = kalman.mahalanobis_sq(y, S)
        ok = d2 <= self.gamma
        return trk_idx[ok], det_idx[ok], d2[ok], logdet[ok]

    def _associate(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray, z: np.ndarray,
                   R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        trk_idx, det_idx, d2, logdet = self._gate(xp, Pp, z, R)
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return self._gnn(slots, trk_idx, det_idx, d2 + logdet, z.shape[0])

    def _jpda(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray, z: np.ndarray,
              R: np.ndarray, t_s: float, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Joint probabilistic data association (Bar-Shalom & Fortmann 1988; BLK §6.5 for the
        PDA update): exact marginal association probabilities β by enumerating the joint events
        of each cluster, then every gated plot updates its track weighted by β. Plots gated by a
        track are not used to start new tracks. Clusters of more than ``_JPDA_MAX_PAIRS`` gated
        pairs fall back to GNN (enumeration is exponential). Per-plot covariances differ, so a
        track's innovation covariance uses the β-weighted mean R."""
        trk_idx, det_idx, d2, logdet = self._gate(xp, Pp, z, R)
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        n, m = slots.size, z.shape[0]
        pd_, lam = self.p.pd, self.p.clutter_density
        # likelihood ratio of plot j from track t against clutter: Pd·N(y; 0, S)/λ
        g = pd_ * np.exp(-0.5 * (d2 + logdet) - 1.5 * np.log(2 * np.pi)) / lam
        miss = 1.0 - pd_ * self.p.gate_probability
        graph = coo_matrix((np.ones(trk_idx.size), (trk_idx, n + det_idx)), shape=(n + m, n + m))
        _, label = connected_components(graph, directed=False)
        beta = np.zeros(trk_idx.size)
        comp = label[trk_idx]
        for cl in np.unique(comp):
            sel = np.flatnonzero(comp == cl)
            if sel.size > _JPDA_MAX_PAIRS:
                gt, gd = self._gnn(np.arange(n), trk_idx[sel], det_idx[sel],
                                   d2[sel] + logdet[sel], m)
                key = {(int(a), int(b)): 1.0 for a, b in zip(gt, gd, strict=True)}
                beta[sel] = [key.get((int(trk_idx[k]), int(det_idx[k])), 0.0) for k in sel]
                continue
            beta[sel] = _jpda_marginals(trk_idx[sel], det_idx[sel], g[sel], miss)
        # weighted update, vectorised over tracks
        y = z[det_idx] - xp[trk_idx, :3]
        bsum = np.bincount(trk_idx, beta, minlength=n)
        rows = np.flatnonzero(bsum > 0)
        yb = np.zeros((n, 3))
        np.add.at(yb, trk_idx, beta[:, None] * y)
        Rb = np.zeros((n, 3, 3))
        np.add.at(Rb, trk_idx, beta[:, None, None] * R[det_idx])
        Ryy = np.zeros((n, 3, 3))
        np.add.at(Ryy, trk_idx, beta[:, None, None] * (y[:, :, None] * y[:, None, :]))
        Rb = Rb[rows] / bsum[rows, None, None]
        x, P = xp[rows], Pp[rows]
        S = P[:, :3, :3] + Rb
        K = np.swapaxes(np.linalg.solve(S, np.swapaxes(P[:, :, :3], -1, -2)), -1, -2)
        b0 = (1 - bsum[rows])[:, None, None]
        yt = yb[rows]
        Pc = P - K @ S @ np.swapaxes(K, -1, -2)
        spread = Ryy[rows] - yt[:, :, None] * yt[:, None, :]
        Pn = b0 * P + (1 - b0) * Pc + K @ spread @ np.swapaxes(K, -1, -2)
        upd = slots[rows]
        self.x[upd] = x + np.einsum("nij,nj->ni", K, yt)
        self.P[upd] = 0.5 * (Pn + np.swapaxes(Pn, -1, -2))
        self.t[upd] = t_s
        hit = rows[bsum[rows] >= 0.5]
        self.hits[slots[hit]] += 1
        # the most probable plot names the truth (for scoring only)
        order = np.lexsort((-beta, trk_idx))
        first = order[np.r_[True, np.diff(trk_idx[order]) != 0]]
        self.truth[slots[trk_idx[first]]] = truth[det_idx[first]]
        return slots[hit], np.unique(det_idx)

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
        P[:, 3:, 3:] = np.diag(np.broadcast_to(
            np.square(np.asarray(self.p.init_speed_sigma_mps, dtype=float)), (3,)))
        self.P[s] = P
        if self.models:
            M = len(self.models)
            self.xm[s] = self.x[s][:, None, :]
            self.Pm[s] = P[:, None]
            self.mu[s] = np.array([0.8] + [0.2 / (M - 1)] * (M - 1))
        self.t[s] = t_s
        self.hits[s] = 1
        self.opps[s] = 1
        self.misses[s] = 0
        self.quality[s] = 1 - self.p.quality_memory
        self.init_sensor[s] = sensor
        self.truth[s] = truth
        return s

    def _drop(self, slots: np.ndarray, t_s: float, reason: str, emit: bool) -> None:
        if emit and self.log is not None:
            for s in slots:
                self.log.emit(t_s, "track_dropped", track_id=self.track_id[s],
                              truth_id=self.truth[s], pos_m=self.x[s, :3], info=reason)
        self.status[slots] = 0

    def _record(self, t_s: float, slots: np.ndarray, source: str) -> None:
        if slots.size == 0 or not self.record:
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


def _jpda_marginals(trk: np.ndarray, det: np.ndarray, g: np.ndarray, miss: float) -> np.ndarray:
    """Marginal probabilities β of each gated pair (trk[k], det[k]) over all feasible joint
    events (each track takes at most one plot, each plot at most one track); an event weighs
    Π g over its pairs × ``miss`` per track left without a plot."""
    tracks = np.unique(trk)
    by_track = [np.flatnonzero(trk == t) for t in tracks]
    num = np.zeros(trk.size)
    total = 0.0

    def walk(i: int, used: frozenset[int], w: float, chosen: list[int]) -> None:
        nonlocal total
        if i == len(by_track):
            total += w
            for k in chosen:
                num[k] += w
            return
        walk(i + 1, used, w * miss, chosen)
        for kk in by_track[i]:
            k, d = int(kk), int(det[kk])
            if d not in used:
                chosen.append(k)
                walk(i + 1, used | {d}, w * g[k], chosen)
                chosen.pop()

    walk(0, frozenset(), 1.0, [])
    return num / total
