"""The central tracker: one air picture fused from every radar of the joint group.

Plots from each radar scan arrive in time order (asynchronous sensors of different sites, rates
and accuracies all update the same system tracks) and are converted to Cartesian measurements in
the scenario frame. Every live track is predicted to the scan time with its filter — a
nearly-constant-velocity converted-measurement Kalman filter (``cmkf``), an EKF or UKF on the
plots' range/azimuth/elevation (``ekf``, ``ukf``), or an IMM of constant velocity and
coordinated turns left and right (``imm``); the kernels are :mod:`~skyshield.tracking.kalman`,
:mod:`~skyshield.tracking.filters` and :mod:`~skyshield.tracking.imm` — plots are gated by a
chi-square test on the Mahalanobis distance and assigned by global nearest neighbour with the
cost d² + ln|S| (:mod:`~skyshield.tracking.association`), or, with ``association="jpda"``,
every gated plot weighs into the update by its joint association probability
(:mod:`~skyshield.tracking.jpda`). Unassigned plots start tentative tracks; a tentative track
is confirmed after M hits in its first N opportunities (scans of a radar covering it) or
deleted (opportunities are the initiating radar's scans covering the track; hits from any radar
count); any track unseen for longer than the coast time is dropped. A confirmed track that
misses an opportunity is coasting until its next hit; its quality is an exponentially weighted
hit ratio over the opportunities (1 = seen on every scan covering it).

The tracker keeps no log: :meth:`Tracker.process` returns a :class:`ScanReport` whose ``events``
(``track_confirmed``, ``track_dropped``) the caller appends to the event log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.stats import chi2

from skyshield.engine.events import Event
from skyshield.tracking import association, filters, imm, jpda, kalman

__all__ = ["TrackerParams", "Tracker", "ScanReport", "PolarPlots", "TENTATIVE", "CONFIRMED",
           "TRACK_COLUMNS"]

TENTATIVE, CONFIRMED = 1, 2
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
    # a nearly-constant-velocity model with this (large) white-acceleration PSD joins the IMM
    imm_q_manoeuvre: float | tuple[float, float, float] | None = None
    imm_cv_prior: float = 0.8  # the CV model's probability when a track starts
    # IMM gating: the combined prediction's covariance, or the widest model's for a track that
    # took a plot at its last opportunity (Blackman & Popoli 1999, §4.5: gate with the largest
    # model covariance so a manoeuvre stays in gate)
    imm_gate: str = "combined"  # or "widest" (the default of the simulation and skyshield track)
    quality_memory: float = 0.8  # quality ← m·quality + (1 − m)·hit on each opportunity
    pd: float = 0.9  # JPDA: probability of detection of a covered target
    clutter_density: float = 1e-12  # JPDA and track score: false plots per m³ (Poisson)
    # score-based confirmation (sequential probability ratio test on the track's log-likelihood
    # ratio, Blackman & Popoli 1999, §6.2): a tentative track is confirmed only when it passes
    # M-of-N AND its score reaches Wald's upper threshold ln((1 − β)/α); it is deleted when it
    # has used its N opportunities unconfirmed (not at the lower threshold: a first plot
    # scores 0, as likely a target as a false alarm, so two early misses would end a real
    # track that M-of-N would confirm)
    score_confirm: bool = False
    score_alpha: float = 1e-3  # accepted probability of confirming a false track
    score_beta: float = 0.05  # accepted probability of deleting a true one
    # track continuity: a track that confirms where a confirmed track has lost its target
    # continues that track's number (see :meth:`Tracker._stitch`)
    stitch: bool = True

    def __post_init__(self) -> None:
        if self.filter not in FILTERS:
            raise ValueError(f"filter must be one of {FILTERS} (got {self.filter!r})")
        if self.association not in ASSOCIATIONS:
            raise ValueError(f"association must be one of {ASSOCIATIONS} "
                             f"(got {self.association!r})")
        if self.association == "jpda" and self.filter != "cmkf":
            raise ValueError("JPDA runs with the converted-measurement filter (filter='cmkf')")
        if self.filter == "imm" and self.imm_turn_rate_deg_s <= 0 and self.imm_q_manoeuvre is None:
            raise ValueError("the IMM needs a second model: a turn rate > 0 or imm_q_manoeuvre")
        if self.imm_gate not in ("combined", "widest"):
            raise ValueError(f"imm_gate must be 'combined' or 'widest' (got {self.imm_gate!r})")
        if not (0 < self.score_alpha < 1 and 0 < self.score_beta < 1):
            raise ValueError("score_alpha and score_beta must be probabilities in (0, 1)")

    @property
    def q_axes(self) -> np.ndarray:
        return np.broadcast_to(np.asarray(self.q, dtype=float), (3,)).copy()


def _axes(q: float | tuple[float, float, float]) -> tuple[float, float, float]:
    a = np.broadcast_to(np.asarray(q, dtype=float), (3,))
    return float(a[0]), float(a[1]), float(a[2])


def imm_models(p: TrackerParams) -> tuple[imm.ImmModel, ...]:
    """The IMM's models: constant velocity with q, coordinated turns at ± the turn rate (none
    when it is 0) with ``imm_q_turn``, and a high-noise constant velocity with
    ``imm_q_manoeuvre`` when given."""
    models = [imm.ImmModel(0.0, _axes(p.q))]
    if p.imm_turn_rate_deg_s > 0:
        w = float(np.radians(p.imm_turn_rate_deg_s))
        qt = _axes(p.q if p.imm_q_turn is None else p.imm_q_turn)
        models += [imm.ImmModel(w, qt), imm.ImmModel(-w, qt)]
    if p.imm_q_manoeuvre is not None:
        models.append(imm.ImmModel(0.0, _axes(p.imm_q_manoeuvre)))
    return tuple(models)


def _no_ids() -> np.ndarray:
    return np.empty(0, dtype=np.int64)


@dataclass
class ScanReport:
    """What one scan did to the picture: the events to log, in order (``track_confirmed`` for
    tracks that passed M-of-N, ``track_dropped`` with ``tag``/``info`` "coasted out" for confirmed
    tracks unseen for longer than the coast time), and the track ids that took a plot
    (``updated``), were started (``initiated``, tentative), confirmed or deleted (``dropped``:
    every deletion, also of tentative tracks failing M-of-N, which are not logged)."""

    t_s: float
    source: str
    events: list[Event] = field(default_factory=list)
    updated: np.ndarray = field(default_factory=_no_ids)
    initiated: np.ndarray = field(default_factory=_no_ids)
    confirmed: np.ndarray = field(default_factory=_no_ids)
    dropped: np.ndarray = field(default_factory=_no_ids)


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

    def __init__(self, params: TrackerParams, capacity: int = 64):
        self.p = params
        self.gamma = float(chi2.ppf(params.gate_probability, df=3))
        self.q = params.q_axes
        self.models: tuple[imm.ImmModel, ...] = ()
        if params.filter == "imm":
            self.models = imm_models(params)
        # score-based confirmation: a hit adds ln(Pd/λ) − (3/2)ln 2π − ½(ln|S| + d²), a miss
        # ln(1 − Pd) (Blackman & Popoli 1999, eqs. 6.12–6.14); Wald's thresholds
        a, b = params.score_alpha, params.score_beta
        self._hit_score = float(np.log(params.pd / params.clutter_density)
                                - 1.5 * np.log(2 * np.pi))
        self._score_confirm = float(np.log((1 - b) / a))
        self._plot_lambda: np.ndarray | None = None  # the current scan's per-plot λ
        self._covers: Callable[[np.ndarray], np.ndarray] | None = None  # and where it looked
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
        self.score = np.zeros(cap)  # track log-likelihood ratio (score-based confirmation)
        self.born_t = np.zeros(cap)  # time and position of a track's first plot
        self.born_pos = np.zeros((cap, 3))
        self.truth = np.full(cap, -1, dtype=np.int64)
        self.init_sensor = np.full(cap, -1, dtype=np.int64)
        self.hit_t = np.full((cap, n_sensors), -np.inf)  # latest hit time by each sensor
        self.xm = np.zeros((cap, M, 6))  # IMM: per-model states, covariances, probabilities
        self.Pm = np.tile(np.eye(6), (cap, M, 1, 1))
        self.mu = np.full((cap, M), 1.0 / M)

    def _arrays(self) -> tuple[np.ndarray, ...]:
        return (self.status, self.track_id, self.x, self.P, self.t, self.hits, self.opps,
                self.misses, self.quality, self.score, self.born_t, self.born_pos, self.truth,
                self.init_sensor, self.hit_t, self.xm, self.Pm, self.mu)

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
        xmp, Pmp, c, xp, Pp = imm.predict(self.xm[slots], self.Pm[slots], self.mu[slots], dt,
                                          self.models, self.p.imm_sojourn_s)
        return xp, Pp, (xmp, Pmp, c)

    def _update(self, pos: np.ndarray, xp: np.ndarray, Pp: np.ndarray,
                modes: tuple[np.ndarray, ...] | None, z: np.ndarray, R: np.ndarray,
                polar: PolarPlots | None, det: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...] | None]:
        """Filter update of predicted rows ``pos`` with plots ``det``: x⁺, P⁺ and, for the IMM,
        the updated (xm, Pm, mu)."""
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
        assert modes is not None
        xmp, Pmp, c = (a[pos] for a in modes)
        xmu, Pmu, mu, xu, Pu = imm.update(xmp, Pmp, c, z[det], R[det])
        return xu, Pu, (xmu, Pmu, mu)

    def _hard_update(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray,
                     modes: tuple[np.ndarray, ...] | None, z: np.ndarray, R: np.ndarray,
                     polar: PolarPlots | None, truth: np.ndarray, t_s: float,
                     det_map: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """GNN association and filter update of ``slots``; returns (slots, plot rows of z)."""
        if slots.size == 0 or z.shape[0] == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        Pg = Pp
        if modes is not None and self.p.imm_gate == "widest":
            # the IMM gates with its widest model's prediction (the manoeuvre model's, in a
            # turn): the combined covariance, weighted by the quiet model's 90 %, is too narrow
            # for a target that turned between two scans of a 10 s radar. Only for a track
            # that took a plot at its last opportunity: a coasting track's manoeuvre gate grows
            # as T^1.5 and mostly collects false plots (an airliner overflying a radar, unseen
            # for 20 s, was captured by false alarms, turned "hostile" and was engaged)
            Pmp = modes[1]
            k = np.argmax(np.trace(Pmp[:, :, :3, :3], axis1=2, axis2=3), axis=1)
            held = self.misses[slots] == 0
            Pg = np.where(held[:, None, None], Pmp[np.arange(Pmp.shape[0]), k], Pp)
        trk_idx, det_idx, d2, logdet = association.gate(xp, Pg, z, R, self.gamma)
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        if Pg is not Pp:
            # the widest gate admits the candidates; the assignment weighs them by the combined
            # prediction (under the manoeuvre model's metric two crossing targets' plots look
            # alike and swap: shared-benchmark crossing GOSPA 1.15x Stone Soup's, 0.99x so)
            y, S = kalman.innovation(xp[trk_idx], Pp[trk_idx], z[det_idx], R[det_idx])
            d2, logdet = kalman.mahalanobis_sq(y, S)
        a_row, a_det = association.gnn(trk_idx, det_idx, d2 + logdet, slots.size, z.shape[0])
        a_slot = slots[a_row]
        if a_slot.size:
            if polar is not None and det_map is not None:
                polar = PolarPlots(polar.z[det_map], polar.R[det_map], polar.sensor_pos_m,
                                   polar.rot)
            xu, Pu, upd = self._update(a_row, xp, Pp, modes, z, R, polar, a_det)
            self.x[a_slot], self.P[a_slot] = xu, Pu
            if upd is not None:
                self.xm[a_slot], self.Pm[a_slot], self.mu[a_slot] = upd
            self.t[a_slot] = t_s
            self.hits[a_slot] += 1
            self.truth[a_slot] = truth[a_det]
            if self.p.score_confirm:
                y, S = kalman.innovation(xp[a_row], Pp[a_row], z[a_det], R[a_det])
                d2, logdet = kalman.mahalanobis_sq(y, S)
                self.score[a_slot] += self._hit_score - 0.5 * (logdet + d2)
                if self._plot_lambda is not None:   # ln(Pd/λ) with each plot's own λ
                    lam = self._plot_lambda if det_map is None else self._plot_lambda[det_map]
                    self.score[a_slot] += (np.log(self.p.clutter_density)
                                           - np.log(np.maximum(lam[a_det], 1e-300)))
        return a_slot, a_det

    # ------------------------------------------------------------------ update
    def process(self, t_s: float, z: np.ndarray, R: np.ndarray, truth: np.ndarray,
                sensor_pos_m: np.ndarray, sensor_max_range_m: float, source: str,
                polar: PolarPlots | None = None,
                clutter_density: np.ndarray | None = None,
                covers: Callable[[np.ndarray], np.ndarray] | None = None) -> ScanReport:
        """Fuse one scan's converted plots ``z`` (m, 3) with covariances ``R`` (m, 3, 3) of the
        radar ``source`` at ``sensor_pos_m`` covering ``sensor_max_range_m``; ``truth`` (m,)
        names each plot's vehicle (scoring only, −1 for false plots).

        ``polar`` carries the same plots in range/azimuth/elevation for the EKF and UKF (the
        converted ones are still used for gating). ``clutter_density`` (m,) is the density of
        false plots [per m³] where each plot lies, for the track score (None: the parameters'
        single ``clutter_density``). ``covers`` maps positions (k, 3) to whether this scan
        looked there (a fire-control radar's sector and dwells; None: everywhere within
        ``sensor_max_range_m``): an opportunity, for M-of-N, the score and the quality, is a
        scan that looked at the track. Returns what the scan did, with the events to log."""
        self._plot_lambda = clutter_density
        self._covers = covers
        slots = self.live()
        m = z.shape[0]
        sensor = self._sensor_ids.setdefault(source, len(self._sensor_ids))
        if m == 0:
            return self._empty_scan(t_s, slots, sensor_pos_m, sensor_max_range_m, sensor, source)
        assigned_slot = np.empty(0, dtype=np.int64)
        assigned_det = np.empty(0, dtype=np.int64)
        if slots.size:
            xp, Pp, modes = self._predict(slots, t_s)
            if self.p.association == "jpda":
                # confirmed tracks by JPDA; tentative ones take the plots left by GNN
                conf = self.status[slots] == CONFIRMED
                js, jd = self._jpda(slots[conf], xp[conf], Pp[conf], z, R, t_s, truth)
                rest = np.ones(m, dtype=bool)
                rest[jd] = False
                keep = np.flatnonzero(rest)
                ts, td = self._hard_update(slots[~conf], xp[~conf], Pp[~conf], modes, z[keep],
                                           R[keep], polar, truth[keep], t_s, keep)
                assigned_slot = np.concatenate([js, ts])
                assigned_det = np.concatenate([jd, keep[td]])
            else:
                assigned_slot, assigned_det = self._hard_update(slots, xp, Pp, modes, z, R,
                                                                polar, truth, t_s, None)
            self._count_opportunities(slots, xp[:, :3], sensor_pos_m, sensor_max_range_m, sensor,
                                      assigned_slot)
        # confirmation and deletion by M-of-N
        tent = slots[self.status[slots] == TENTATIVE]
        passed = self.hits[tent] >= self.p.confirm_m
        if self.p.score_confirm:
            passed &= self.score[tent] >= self._score_confirm
        confirm = tent[passed]
        self.status[confirm] = CONFIRMED
        if self.p.stitch and confirm.size:
            new, old = self._stitch(confirm)
            confirm = np.setdiff1d(confirm, new)
            moved = np.isin(assigned_slot, new)
            if moved.any():  # the old slots took this scan's plots of the new ones
                order = np.argsort(new)
                assigned_slot = assigned_slot.copy()
                assigned_slot[moved] = old[order][np.searchsorted(new[order],
                                                                  assigned_slot[moved])]
        events = [Event(t_s, "track_confirmed", source=source, track_id=int(self.track_id[s]),
                        truth_id=int(self.truth[s]), pos_m=self.x[s, :3].copy())
                  for s in confirm]
        rep = ScanReport(t_s, source, events, updated=self.track_id[assigned_slot],
                         confirmed=self.track_id[confirm])
        failed = self._drop(self._failed(tent[~passed]), t_s, "not confirmed", emit=False,
                            events=events)
        # new tentative tracks from unassigned plots
        free = np.ones(m, dtype=bool)
        free[assigned_det] = False
        new_slots = self._initiate(t_s, z[free], R[free], truth[free], sensor)
        rep.initiated = self.track_id[new_slots]
        stale = self._drop_stale(t_s, self.live(), events)
        rep.dropped = np.concatenate([failed, stale])
        updated = np.concatenate([assigned_slot, new_slots])
        if sensor >= self.hit_t.shape[1]:
            grow = np.full((self.hit_t.shape[0], sensor + 1 - self.hit_t.shape[1]), -np.inf)
            self.hit_t = np.hstack([self.hit_t, grow])
        self.hit_t[updated, sensor] = t_s
        self._record(t_s, updated[self.status[updated] > 0], source)
        return rep

    def _stitch(self, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep track numbers through a lost-and-found target. A just-confirmed track continues
        a confirmed track that has taken no plot since the new one's first plot when that plot
        lies where the old track's target can have gone: within 4 σ of the old track's
        prediction at that instant plus 2·|v|·Δt (any change of heading at its speed, Δt since
        the old track's last plot). Pairs are matched by least normalised distance; the old
        slot takes the new track's state and hit history (keeping its number and whatever the
        command post knows of it), the new slot is freed. Returns (new slots, old slots)."""
        old = np.flatnonzero(self.status == CONFIRMED)
        old = old[~np.isin(old, new)]
        none = np.empty(0, dtype=np.int64)
        if old.size == 0:
            return none, none
        dt = self.born_t[new][:, None] - self.t[old][None, :]  # (n, o)
        ok = dt > 0
        if not ok.any():
            return none, none
        xo, Po = self.x[old], self.P[old]
        pred = xo[None, :, :3] + xo[None, :, 3:] * dt[..., None]
        d = np.linalg.norm(self.born_pos[new][:, None, :] - pred, axis=-1)
        # position variance of the old track's CV prediction (q terms left out: bounded above
        # by the heading-change allowance)
        var = (np.trace(Po[:, :3, :3], axis1=1, axis2=2)[None, :]
               + 2 * dt * np.einsum("oii->o", Po[:, :3, 3:])[None, :]
               + dt * dt * np.trace(Po[:, 3:, 3:], axis1=1, axis2=2)[None, :])
        r = 4 * np.sqrt(np.maximum(var, 0)) + 2 * np.linalg.norm(xo[:, 3:], axis=1)[None] * dt
        cost = np.where(ok & (d <= r), d / np.maximum(r, 1e-9), np.inf)
        rows, cols = np.nonzero(np.isfinite(cost))
        if rows.size == 0:
            return none, none
        a_new, a_old = association.gnn(rows, cols, cost[rows, cols], new.size, old.size)
        n_s, o_s = new[a_new], old[a_old]
        for dst, src in ((self.x, self.x), (self.P, self.P), (self.t, self.t),
                         (self.xm, self.xm), (self.Pm, self.Pm), (self.mu, self.mu),
                         (self.truth, self.truth), (self.quality, self.quality)):
            dst[o_s] = src[n_s]
        self.hit_t[o_s] = np.maximum(self.hit_t[o_s], self.hit_t[n_s])
        self.hits[o_s] += self.hits[n_s]
        self.misses[o_s] = 0
        self.status[n_s] = 0
        return n_s, o_s

    def _failed(self, tent: np.ndarray) -> np.ndarray:
        """The unconfirmed tentative tracks that fail: M-of-N out of reach after N
        opportunities, or, with score-based confirmation, N opportunities used."""
        if not self.p.score_confirm:
            return tent[(self.hits[tent] < self.p.confirm_m)
                        & (self.opps[tent] >= self.p.confirm_n)]
        return tent[self.opps[tent] >= self.p.confirm_n]

    def _count_opportunities(self, slots: np.ndarray, pos_m: np.ndarray,
                             sensor_pos_m: np.ndarray, sensor_max_range_m: float,
                             sensor: int, hit_slots: np.ndarray) -> None:
        """One more M-of-N opportunity for tentative tracks started by this sensor, if it covers
        their predicted position. Confirmation is judged on the initiating radar's own scans:
        a radar that cannot see a small target must not use up its chances (hits from any
        radar count). Every covered track's quality and miss count follow the hit or miss; the
        track score's miss term is counted on the same opportunities as M-of-N."""
        own = self.init_sensor[slots] == sensor
        in_cov = np.linalg.norm(pos_m - sensor_pos_m, axis=1) <= sensor_max_range_m
        if self._covers is not None and in_cov.any():
            in_cov[in_cov] = self._covers(pos_m[in_cov])
        self.opps[slots[own & in_cov]] += 1
        hit_all = np.isin(slots, hit_slots, assume_unique=True)
        cov, hit = slots[in_cov], hit_all[in_cov]
        mem = self.p.quality_memory
        self.quality[cov] = mem * self.quality[cov] + (1 - mem) * hit
        self.misses[cov[hit]] = 0
        self.misses[cov[~hit]] += 1
        if self.p.score_confirm:
            # a miss scores ln(1 − Pd) on the initiating radar's opportunities only, as M-of-N
            # counts them: a radar that cannot see the target (a fire-control radar scanning
            # every second beyond its reach) must not outvote the one that started the track
            self.score[slots[own & in_cov & ~hit_all]] += np.log1p(-min(self.p.pd, 1 - 1e-9))

    def _empty_scan(self, t_s: float, slots: np.ndarray, sensor_pos_m: np.ndarray,
                    sensor_max_range_m: float, sensor: int, source: str) -> ScanReport:
        """A scan without plots: only opportunities, M-of-N failures and coasting change."""
        rep = ScanReport(t_s, source)
        if slots.size == 0:
            return rep
        pos = self.x[slots, :3] + self.x[slots, 3:] * (t_s - self.t[slots])[:, None]
        self._count_opportunities(slots, pos, sensor_pos_m, sensor_max_range_m, sensor,
                                  np.empty(0, dtype=np.int64))
        tent = slots[self.status[slots] == TENTATIVE]
        failed = self._drop(self._failed(tent), t_s, "not confirmed", emit=False,
                            events=rep.events)
        rep.dropped = np.concatenate([failed, self._drop_stale(t_s, slots, rep.events)])
        return rep

    def _drop_stale(self, t_s: float, slots: np.ndarray, events: list[Event]) -> np.ndarray:
        """Tracks unseen for longer than the coast time: confirmed ones are dropped (and logged),
        tentative ones too, whether or not a radar still counts them as covered. Returns the
        dropped track ids."""
        stale = slots[(self.status[slots] > 0) & (t_s - self.t[slots] > self.p.coast_s)]
        conf = self.status[stale] == CONFIRMED
        return np.concatenate([self._drop(stale[conf], t_s, "coasted out", True, events),
                               self._drop(stale[~conf], t_s, "not confirmed", False, events)])

    def _jpda(self, slots: np.ndarray, xp: np.ndarray, Pp: np.ndarray, z: np.ndarray,
              R: np.ndarray, t_s: float, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """JPDA update of the confirmed ``slots`` (:mod:`~skyshield.tracking.jpda`): every gated
        plot updates its track weighted by its marginal association probability β; a track with
        Σβ ≥ ½ counts a hit. Plots gated by a track are not used to start new tracks. Returns
        (slots with a hit, plot rows gated by any track)."""
        trk_idx, det_idx, d2, logdet = association.gate(xp, Pp, z, R, self.gamma)
        if trk_idx.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        p = self.p
        beta = jpda.probabilities(trk_idx, det_idx, d2, logdet, slots.size, z.shape[0], p.pd,
                                  p.clutter_density, p.gate_probability)
        rows, xu, Pu, bsum = jpda.update(xp, Pp, z, R, trk_idx, det_idx, beta)
        upd = slots[rows]
        self.x[upd], self.P[upd] = xu, Pu
        self.t[upd] = t_s
        hit = rows[bsum[rows] >= 0.5]
        self.hits[slots[hit]] += 1
        # the most probable plot names the truth (for scoring only)
        first = jpda.most_probable(trk_idx, beta)
        self.truth[slots[trk_idx[first]]] = truth[det_idx[first]]
        return slots[hit], np.unique(det_idx)

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
            c = self.p.imm_cv_prior
            self.mu[s] = np.array([c] + [(1 - c) / (M - 1)] * (M - 1))
        self.t[s] = t_s
        self.hits[s] = 1
        self.opps[s] = 1
        self.misses[s] = 0
        self.quality[s] = 1 - self.p.quality_memory
        self.score[s] = 0.0  # a new target as likely as a false one at the first plot
        self.born_t[s] = t_s
        self.born_pos[s] = z
        self.init_sensor[s] = sensor
        self.truth[s] = truth
        return s

    def _drop(self, slots: np.ndarray, t_s: float, reason: str, emit: bool,
              events: list[Event]) -> np.ndarray:
        """Delete the tracks in ``slots``; with ``emit``, append a ``track_dropped`` event each
        (``reason`` as tag and info). Returns their track ids."""
        if slots.size == 0:
            return _no_ids()
        if emit:
            events.extend(Event(t_s, "track_dropped", track_id=int(self.track_id[s]),
                                truth_id=int(self.truth[s]), pos_m=self.x[s, :3].copy(),
                                info=reason, tag=reason) for s in slots)
        self.status[slots] = 0
        return self.track_id[slots]

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

