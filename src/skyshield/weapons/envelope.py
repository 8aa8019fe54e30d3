"""Engagement envelopes from simulated flyouts.

* :func:`reach_table` — time of flight of a missile to every point of a (ground range,
  height) grid around the launcher, from a batch of flyouts against fixed points (inf where the
  missile arrives too slow to manoeuvre, hits the ground or runs out of time). Fire control
  turns it into an intercept time against any track (``physics.kinematics.intercept_time_table``),
  so the envelope it uses is the one the flyout physics gives, cached on disk
  (``$SKYSHIELD_CACHE`` or ``~/.cache/skyshield``) by a hash of the airframe figures.
* :func:`launch_envelope` — the launch acceptability region against a target flying straight
  and level toward the launcher's side at a given speed and height: for every launch position
  (down-range x, cross-range y of the target at launch) a full guided flyout, success when it
  fuzes within the lethal radius arriving at ``MIN_ARRIVAL_MPS`` or faster (the reach
  criterion). ``skyshield envelope`` plots it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skyshield.physics.flight import Airframe, FlightState
from skyshield.weapons.flyout import AIRFRAME_FIELDS, MIN_ARRIVAL_MPS, fly

__all__ = ["ReachTable", "reach_table", "launch_envelope", "Envelope", "launch_state",
           "launch_direction"]

CACHE_VERSION = 1


@dataclass(frozen=True)
class ReachTable:
    range_m: np.ndarray  # (nR,) ground range axis
    height_m: np.ndarray  # (nH,) height above the launcher axis
    tof_s: np.ndarray  # (nR, nH) time of flight, inf where out of reach
    speed_mps: np.ndarray  # (nR, nH) speed on arrival (nan out of reach)

    def max_range_m(self) -> float:
        ok = np.isfinite(self.tof_s)
        return float(self.range_m[ok.any(axis=1)].max()) if ok.any() else 0.0

    def max_height_m(self) -> float:
        ok = np.isfinite(self.tof_s)
        return float(self.height_m[ok.any(axis=0)].max()) if ok.any() else 0.0


def launch_state(n: int, direction: np.ndarray, mass_kg: np.ndarray,
                 launch_speed_mps: float = 40.0) -> FlightState:
    d = direction / np.linalg.norm(direction, axis=1, keepdims=True)
    return FlightState(np.zeros((n, 3)), launch_speed_mps * d, mass_kg.astype(float).copy(),
                       np.zeros((n, 3)), np.zeros(n))


def launch_direction(target: np.ndarray, loft: float) -> np.ndarray:
    """Launch direction: toward the target, raised to at least 45° for lofting missiles and
    at least 10° above the line of sight otherwise (a launcher does not fire into the ground)."""
    hor = np.linalg.norm(target[:, :2], axis=1)
    el = np.arctan2(target[:, 2], np.maximum(hor, 1.0)) + np.radians(10.0)
    if loft > 0:
        el = np.maximum(el, np.radians(45.0))
    el = np.minimum(el, np.radians(89.0))
    az = np.arctan2(target[:, 1], target[:, 0])
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=1)


def _run(af1: Airframe, nav: float, loft: float, tgt0: np.ndarray, tgt_vel: np.ndarray,
         t_max_s: float, interval_s: float, sub_step_s: float
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fly one missile type against n straight-line targets; (time, miss, speed) at fuzing
    (inf, inf, nan where lost or out of time)."""
    n = tgt0.shape[0]
    af = af1.take(np.zeros(n, dtype=np.int64))
    s = launch_state(n, launch_direction(tgt0, loft), af.mass0_kg)
    t_fz = np.full(n, np.inf)
    miss = np.full(n, np.inf)
    v_fz = np.full(n, np.nan)
    live = np.ones(n, dtype=bool)
    t = 0.0
    nav_a = np.full(n, nav)
    loft_a = np.full(n, loft)
    while live.any() and t < t_max_s:
        idx = np.flatnonzero(live)

        def target(tt: float, idx: np.ndarray = idx) -> tuple[np.ndarray, np.ndarray]:
            return tgt0[idx] + tgt_vel[idx] * tt, tgt_vel[idx]

        sub = FlightState(s.pos_m[idx], s.vel_mps[idx], s.mass_kg[idx], s.a_lat_mps2[idx],
                          s.t_flight_s[idx])
        ap, _ = target(t)
        mid = np.linalg.norm((ap - sub.pos_m)[:, :2], axis=1) > 0.2 * np.linalg.norm(
            tgt0[idx, :2], axis=1)
        new, fz, lost = fly(af.take(idx), sub, nav_a[idx], loft_a[idx], target, target, mid, t,
                            interval_s, sub_step_s, ground_alt_m=-5.0)
        s.pos_m[idx], s.vel_mps[idx], s.mass_kg[idx] = new.pos_m, new.vel_mps, new.mass_kg
        s.a_lat_mps2[idx], s.t_flight_s[idx] = new.a_lat_mps2, new.t_flight_s
        if fz.rows.size:
            r = idx[fz.rows]
            t_fz[r], miss[r] = fz.t_s, fz.miss_m
            v_fz[r] = np.linalg.norm(new.vel_mps[fz.rows], axis=1)
            live[r] = False
        live[idx[lost]] = False
        t += interval_s
    return t_fz, miss, v_fz


def _cache_dir() -> Path:
    base = os.environ.get("SKYSHIELD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "skyshield")
    return Path(base)


def reach_table(af1: Airframe, nav: float, loft: float, max_range_m: float, max_alt_m: float,
                lethal_radius_m: float, n_range: int = 36, n_height: int = 14,
                sub_step_s: float = 0.1, cache: bool = True) -> ReachTable:
    """Time of flight to each point of a grid up to 1.3× the catalogue's range and 1.2× its
    height (so the table shows where the physics ends, not where the catalogue says)."""
    R = np.linspace(0.0, 1.3 * max_range_m, n_range + 1)[1:]
    H = np.linspace(0.0, 1.2 * max_alt_m, n_height)
    key = hashlib.sha256(json.dumps({
        "v": CACHE_VERSION, "af": [float(getattr(af1, f)[0]) for f in AIRFRAME_FIELDS],
        "nav": nav, "loft": loft, "R": R.tolist(), "H": H.tolist(), "dt": sub_step_s,
        "lr": lethal_radius_m}).encode()).hexdigest()[:24]
    path = _cache_dir() / "reach" / f"{key}.npz"
    if cache and path.exists():
        try:
            with np.load(path) as z:
                return ReachTable(z["R"], z["H"], z["tof"], z["v"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is recomputed
    rr, hh = np.meshgrid(R, H, indexing="ij")
    tgt = np.stack([rr.ravel(), np.zeros(rr.size), np.maximum(hh.ravel(), 5.0)], axis=1)
    t_max = 3.0 * max_range_m / 600.0 + 60.0
    t_fz, miss, v = _run(af1, nav, loft, tgt, np.zeros_like(tgt), t_max, 2.0, sub_step_s)
    ok = np.isfinite(t_fz) & (miss <= lethal_radius_m)
    table = ReachTable(R, H, np.where(ok, t_fz, np.inf).reshape(rr.shape),
                       np.where(ok, v, np.nan).reshape(rr.shape))
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as f:
            np.savez(f, R=table.range_m, H=table.height_m, tof=table.tof_s, v=table.speed_mps)
        os.replace(tmp, path)  # atomic: a half-written table never passes for a whole one
    return table


@dataclass(frozen=True)
class Envelope:
    x_m: np.ndarray  # (nx,) target down-range at launch
    y_m: np.ndarray  # (ny,) target cross-range (offset of its straight path)
    ok: np.ndarray  # (nx, ny) intercept within the lethal radius
    tof_s: np.ndarray  # (nx, ny)
    miss_m: np.ndarray  # (nx, ny)
    target_speed_mps: float
    target_alt_m: float


def launch_envelope(af1: Airframe, nav: float, loft: float, max_range_m: float,
                    lethal_radius_m: float, target_speed_mps: float, target_alt_m: float,
                    nx: int = 40, ny: int = 20, sub_step_s: float = 0.05) -> Envelope:
    """Launch acceptability region (module docstring), target flying toward −x."""
    x = np.linspace(0.0, 2.5 * max_range_m, nx + 1)[1:]
    y = np.linspace(0.0, 1.5 * max_range_m, ny)
    xx, yy = np.meshgrid(x, y, indexing="ij")
    tgt = np.stack([xx.ravel(), yy.ravel(), np.full(xx.size, target_alt_m)], axis=1)
    vel = np.tile([-target_speed_mps, 0.0, 0.0], (xx.size, 1))
    t_max = 3.0 * max_range_m / 600.0 + 60.0
    t_fz, miss, v_fz = _run(af1, nav, loft, tgt, vel, t_max, 1.0, sub_step_s)
    # an intercept counts when it is inside the lethal radius and the missile still arrives
    # fast enough to out-turn its target (the criterion the airframes are tuned on)
    ok = np.isfinite(t_fz) & (miss <= lethal_radius_m) & (v_fz >= MIN_ARRIVAL_MPS)
    return Envelope(x, y, ok.reshape(xx.shape), t_fz.reshape(xx.shape),
                    miss.reshape(xx.shape), target_speed_mps, target_alt_m)
