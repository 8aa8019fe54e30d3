"""The tracker on its own: polar plots of one radar in, confirmed tracks per scan out.

Reads the shared benchmark format of ``shared/bench/stonesoup_peer.py`` (``times``, ``meas``
(range, azimuth = atan2(y, x), elevation), ``meas_scan``, ``sigma``, ``radar_pos``) and never
its ``truth`` or ``meas_truth`` arrays, which are for scoring only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skyshield.tracking import filters
from skyshield.tracking.tracker import CONFIRMED, PolarPlots, Tracker, TrackerParams

__all__ = ["TrackOutput", "track_scans", "read_plots", "write_tracks", "INPUT_KEYS",
           "benchmark_params", "DEFAULT_FILTER"]

INPUT_KEYS = ("times", "meas", "meas_scan", "sigma", "radar_pos", "pd", "clutter_rate",
              "clutter_box")


@dataclass(frozen=True)
class TrackOutput:
    """Confirmed tracks of every scan, one row per (scan, track): ``scan`` (k,), ``track_id``
    (k,), ``state`` (k, 6) = x, y, z, vx, vy, vz at the scan time; ``updated`` (k,) says whether
    the track took a plot on that scan (False: coasting, predicted); ``scan_s`` (S,) is the
    tracker's own time per scan."""

    scan: np.ndarray
    track_id: np.ndarray
    state: np.ndarray
    updated: np.ndarray
    scan_s: np.ndarray

    def at_scan(self, k: int, updated_only: bool = False) -> np.ndarray:
        sel = self.scan == k
        if updated_only:
            sel &= self.updated
        return self.state[sel]


DEFAULT_FILTER = "imm"
IMM_Q_MANOEUVRE = (3000.0, 3000.0, 30.0)  # m²/s³: the IMM's manoeuvre model (x, y, z)


def benchmark_params(filter: str = DEFAULT_FILTER, association: str = "gnn", q: float = 1.0,
                     plots: dict[str, np.ndarray] | None = None, **kw: float) -> TrackerParams:
    """Tracker settings for the shared scenarios (the defaults of ``skyshield track``): q per
    axis (horizontal q, vertical q/100, as the truth is made), the peer's prior on velocity
    (300, 300, 20 m/s), no coasting beyond 4 scans of 2 s, 3-of-5 confirmation — shortened to
    3-of-4 when the sensor's clutter puts more than 1e-3 false plots per scan in a 2 km ball (a
    tentative track's gate), where 3-of-5 confirms false tracks — and score-based (SPRT)
    confirmation on top of M-of-N with the sensor's Pd and clutter density.

    The default filter is an IMM of two nearly-constant-velocity models, q and a manoeuvre
    model of 3000 m²/s³ (a velocity noise of √(3000·2) ≈ 77 m/s per 2 s scan: a 6 °/s turn at
    250 m/s changes the velocity by 52 m/s in a scan), mean sojourn 2400 s (a switch
    probability of 0.08 % per 2 s scan: the manoeuvre model's likelihood takes over within a
    scan or two of a turn's start anyway), tracks starting 90 % in the quiet model: on
    straight flight it matches the single CV filter (within the scatter of the scenario's
    seeds) and in turns it keeps the gate on the target (bench/tracking_vs_stonesoup.py); it
    gates with the manoeuvre model's prediction, so a turn between two scans stays in the gate.
    Coordinated-turn models can be added with ``imm_turn_rate_deg_s`` (and ``imm_q_turn``)."""
    base = dict(confirm_m=3, confirm_n=5, coast_s=9.0, gate_probability=0.9999,
                q=(q, q, q / 100.0), init_speed_sigma_mps=(300.0, 300.0, 20.0), filter=filter,
                association=association, score_confirm=True)
    if plots is not None and "clutter_box" in plots and "clutter_rate" in plots:
        lam = clutter_density(float(plots["clutter_rate"]), plots["clutter_box"])
        base["clutter_density"] = lam
        if lam * 4.0 / 3.0 * np.pi * 2e3**3 > 1e-3:
            base["confirm_n"] = 4
    if filter == "imm":
        base.update(imm_turn_rate_deg_s=0.0, imm_q_manoeuvre=IMM_Q_MANOEUVRE,
                    imm_sojourn_s=2400.0, imm_cv_prior=0.9, imm_gate="widest")
    if plots is not None and "pd" in plots:
        base["pd"] = float(plots["pd"])
    base.update(kw)
    return TrackerParams(**base)  # type: ignore[arg-type]


def clutter_density(clutter_rate: float, clutter_box: np.ndarray) -> float:
    """False plots per m³ for a Poisson rate spread uniformly over a range/azimuth/elevation
    box: V = (r₂³ − r₁³)/3 · Δaz · (sin el₂ − sin el₁)."""
    (r1, r2), (a1, a2), (e1, e2) = np.asarray(clutter_box, dtype=float)
    vol = (r2**3 - r1**3) / 3 * (a2 - a1) * (np.sin(e2) - np.sin(e1))
    return float(max(clutter_rate, 1e-3) / vol)


def track_scans(times: np.ndarray, meas: np.ndarray, meas_scan: np.ndarray, sigma: np.ndarray,
                radar_pos: np.ndarray | None = None, params: TrackerParams | None = None
                ) -> TrackOutput:
    """Run the tracker over every scan of one radar's polar plots and return the confirmed
    tracks after each scan (predicted to the scan time)."""
    params = params or benchmark_params()
    tracker = Tracker(params)
    tracker.record = False
    pos0 = np.zeros(3) if radar_pos is None else np.asarray(radar_pos, dtype=float)
    sig = np.asarray(sigma, dtype=float)
    S = len(times)
    bounds = np.searchsorted(meas_scan, np.arange(S + 1))
    polar_cov = np.diag(np.square(sig))
    need_polar = params.filter in ("ekf", "ukf")
    out_scan, out_id, out_state, out_upd = [], [], [], []
    scan_s = np.empty(S)
    no_truth = np.full(int(meas.shape[0]), -1, dtype=np.int64)
    for k in range(S):
        t0 = time.perf_counter()
        zk = meas[bounds[k]:bounds[k + 1]]
        z, R = filters.polar_to_cartesian(zk, sig, pos0)
        polar = (PolarPlots(zk, np.broadcast_to(polar_cov, (zk.shape[0], 3, 3)), pos0)
                 if need_polar else None)
        t = float(times[k])
        tracker.process(t, z, R, no_truth[:zk.shape[0]], pos0, np.inf, "radar", polar)
        live = np.flatnonzero(tracker.status == CONFIRMED)
        out_scan.append(np.full(live.size, k))
        out_id.append(tracker.track_id[live])
        out_state.append(tracker.state_at(live, t))
        out_upd.append(tracker.t[live] == t)
        scan_s[k] = time.perf_counter() - t0
    return TrackOutput(np.concatenate(out_scan), np.concatenate(out_id),
                       np.concatenate(out_state).reshape(-1, 6), np.concatenate(out_upd),
                       scan_s)


def read_plots(path: str | Path) -> dict[str, np.ndarray]:
    """The tracker's inputs from a shared-format .npz (only :data:`INPUT_KEYS`: the plots and
    the sensor's own model — noise, Pd, clutter rate and volume; ``radar_pos`` defaults to the
    origin). Raises ValueError naming what is missing or malformed."""
    try:
        f = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    with f:
        missing = [k for k in INPUT_KEYS[:4] if k not in f.files]
        if missing:
            raise ValueError(f"{path} lacks {', '.join(missing)} (the shared scenario format)")
        out = {k: np.asarray(f[k]) for k in INPUT_KEYS if k in f.files}
    out.setdefault("radar_pos", np.zeros(3))
    m = out["meas"]
    if m.ndim != 2 or m.shape[1] != 3:
        raise ValueError(f"meas must have shape (M, 3) (got {m.shape})")
    if out["meas_scan"].shape != (m.shape[0],):
        raise ValueError(f"meas_scan must have shape ({m.shape[0]},) "
                         f"(got {out['meas_scan'].shape})")
    if np.any(np.diff(out["meas_scan"]) < 0):
        raise ValueError("meas_scan must be sorted by scan")
    if out["sigma"].shape != (3,) or np.any(out["sigma"] <= 0):
        raise ValueError(f"sigma must be 3 positive numbers (got {out['sigma']!r})")
    if not np.all(np.isfinite(m)) or not np.all(np.isfinite(out["times"])):
        raise ValueError("meas and times must be finite")
    if len(m) and (out["meas_scan"][0] < 0 or out["meas_scan"][-1] >= len(out["times"])):
        raise ValueError("meas_scan refers to a scan outside times")
    return out


def write_tracks(path: str | Path, res: TrackOutput) -> None:
    np.savez_compressed(path, scan=res.scan, track_id=res.track_id, state=res.state,
                        updated=res.updated)
