"""Engagement envelopes from simulated flyouts.

* Trajectory programmes: a lofting missile (catalogue ``loft`` > 0) is flown under each of the
  loft factors ``LOFT_PROGRAMMES`` × its catalogue loft (0: a direct shot launched 10° above
  the line of sight; otherwise a launch at ≥ 45° and the midcourse aim raised by the factor ×
  the ground distance to go). Which is best depends on where the intercept is — a low target
  at medium range wants a high loft and a steep final dive through the dense air, a near one a
  direct shot — so fire control picks, for the predicted intercept point, the quickest
  programme that arrives there, and at the neighbouring ranges, with the energy to manoeuvre
  (``MIN_ARRIVAL_MPS``), as a real fire-control computer selects a trajectory. The envelopes
  are the union over the programmes.
* The Earth: every flyout here is flown as the simulation flies its missiles
  (:func:`skyshield.weapons.flyout.fly` with ``alt0_m`` and ``earth_radius_m``): in the flat
  local frame of the launcher (tangent plane at its foot, z up), the atmosphere and the ground
  taken at the true altitude z + ``alt0_m`` + (x² + y²)/(2·Rₑ), Rₑ = ``EARTH_RADIUS_M``
  (6,371 km, the radius ``sim.run`` uses). Targets are given in *surface coordinates*
  (x east, y north along the tangent plane, z = height above the surface below them) and
  placed in the flat frame at z − (x² + y²)/(2·Rₑ): a target 10 km up at 250 km ground range
  flies 4.9 km below the tangent plane, and a target at constant height follows the curve. So
  the tables' height axis is the true height above the surface and a consumer indexes them by
  (ground range, height above the surface) — not by the flat-frame z of the launcher's plane.
* :func:`reach_table` — time of flight of a missile to every point of a (ground range,
  height above the surface) grid around the launcher, from a batch of flyouts against fixed
  points under every programme (the quickest of those arriving at ``MIN_ARRIVAL_MPS`` or more
  there and at the neighbouring ranges, else the one arriving fastest if at that or more;
  inf where none does: too slow to manoeuvre, into the ground or out of time), and the
  programme's loft factor.
  Fire control turns it into an intercept time against any track
  (``physics.kinematics.intercept_time_table``) and the simulation flies its missiles toward
  that predicted point under that programme, so the envelope fire control plans with is the
  one the flyout physics gives (tested: planned and flown intercept times agree). Cached on
  disk (``$SKYSHIELD_CACHE`` or ``~/.cache/skyshield``) by a hash of the airframe figures and
  ``CACHE_VERSION`` (raise it when the flight physics changes).
* :func:`launch_envelope` — the launch acceptability region against a target flying straight
  and level toward the launcher's side at a given speed and height: for every launch position
  (down-range x, cross-range y of the target at launch) the fire-control solution (intercept
  time, predicted point, programme) flown in full, success when it fuzes within the lethal
  radius arriving at ``MIN_ARRIVAL_MPS`` or faster. ``skyshield envelope`` plots it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skyshield.common.files import atomic_write
from skyshield.physics.flight import Airframe, FlightState
from skyshield.physics.kinematics import intercept_time_table
from skyshield.physics.propagation import EARTH_RADIUS_M
from skyshield.weapons.flyout import (
    AIRFRAME_FIELDS,
    MIN_ARRIVAL_MPS,
    airframe_table,
    fly,
    lofting,
    terminal_reach_m,
)

__all__ = ["ReachTable", "reach_table", "launch_envelope", "Envelope",
           "launch_state",
           "launch_direction", "programmes", "LOFT_PROGRAMMES", "missile_reach_table",
           "missile_envelope", "fly_straight", "EARTH_RADIUS_M", "surface_to_flat"]

# 3: compiled flight kernels, per-stage atmosphere, loft programmes; 5: curved Earth (targets
# at height above the surface, flown with alt0_m/earth_radius_m as in sim.run) and the
# quickest programme arriving with a margin kept (was: the one arriving fastest); 8: the
# quickest programme arriving at MIN_ARRIVAL_MPS at the neighbouring ranges too, else the one
# arriving fastest (no speed margin), and a programme at 3 x the catalogue loft
CACHE_VERSION = 8

# multiples of a missile's catalogue loft flown as separate trajectory programmes (assumed: a
# direct shot, half, the catalogue's, twice and three times the catalogue's loft; without the
# last the speed-calibrated 40N6E reached no target at 50 m between 43 and 144 km with 500 m/s
# in hand, nor the 9M96E2 between 48 and 52 km)
LOFT_PROGRAMMES = (0.0, 0.5, 1.0, 2.0, 3.0)


@dataclass(frozen=True)
class ReachTable:
    range_m: np.ndarray  # (nR,) ground range axis
    height_m: np.ndarray  # (nH,) height above the surface (curved Earth; module docstring)
    tof_s: np.ndarray  # (nR, nH) time of flight, inf where out of reach
    speed_mps: np.ndarray  # (nR, nH) speed on arrival (nan out of reach)
    loft: np.ndarray  # (nR, nH) loft factor of the programme chosen there (nan: none)

    def loft_at(self, range_m: np.ndarray, height_m: np.ndarray, default: float) -> np.ndarray:
        """The programme's loft factor at the nearest reachable cell to each (ground range,
        height) point, ``default`` where the table has none."""
        ok = np.isfinite(self.loft)
        if not ok.any():
            return np.full(np.shape(range_m), default)
        ri, hi = np.nonzero(ok)
        d = (np.subtract.outer(np.atleast_1d(range_m), self.range_m[ri]) ** 2
             + np.subtract.outer(np.atleast_1d(height_m), self.height_m[hi]) ** 2)
        return self.loft[ri, hi][np.argmin(d, axis=-1)].reshape(np.shape(range_m))

    def max_range_m(self) -> float:
        ok = np.isfinite(self.tof_s)
        return float(self.range_m[ok.any(axis=1)].max()) if ok.any() else 0.0

    def max_tof_s(self) -> float:
        """The longest finite time of flight (0 if nothing is in reach)."""
        ok = np.isfinite(self.tof_s)
        return float(self.tof_s[ok].max()) if ok.any() else 0.0

    def max_height_m(self) -> float:
        ok = np.isfinite(self.tof_s)
        return float(self.height_m[ok.any(axis=0)].max()) if ok.any() else 0.0


def launch_state(n: int, direction: np.ndarray, mass_kg: np.ndarray,
                 launch_speed_mps: float = 40.0) -> FlightState:
    d = direction / np.linalg.norm(direction, axis=1, keepdims=True)
    return FlightState(np.zeros((n, 3)), launch_speed_mps * d, mass_kg.astype(float).copy(),
                       np.zeros((n, 3)), np.zeros(n))


def programmes(loft: float) -> np.ndarray:
    """The loft factors a missile with catalogue ``loft`` is flown under (just 0 if it does
    not loft)."""
    return np.unique(np.array(LOFT_PROGRAMMES) * loft) if loft > 0 else np.zeros(1)


def launch_direction(target: np.ndarray, loft: np.ndarray | float) -> np.ndarray:
    """Launch direction toward ``target`` (n, 3), relative to the launcher (the predicted
    intercept point, or the target): 10° above the line of sight (a launcher does not fire into
    the ground), and at least 45° for a lofted programme (``loft`` > 0, per row or one)."""
    hor = np.linalg.norm(target[:, :2], axis=1)
    el = np.arctan2(target[:, 2], np.maximum(hor, 1.0)) + np.radians(10.0)
    el = np.where(np.asarray(loft) > 0, np.maximum(el, np.radians(45.0)), el)
    el = np.minimum(el, np.radians(89.0))
    az = np.arctan2(target[:, 1], target[:, 0])
    return np.stack([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], axis=1)


def surface_to_flat(pos_m: np.ndarray, vel_mps: np.ndarray | None = None,
                    earth_radius_m: float = EARTH_RADIUS_M
                    ) -> tuple[np.ndarray, np.ndarray | None]:
    """Surface coordinates (x, y along the launcher's tangent plane, z = height above the
    surface) to the flat frame: z − (x² + y²)/(2R), and a velocity's vertical part
    v_z − (x·v_x + y·v_y)/R (the time derivative of the same drop)."""
    p = np.array(pos_m, dtype=float)
    p[..., 2] -= (p[..., 0] ** 2 + p[..., 1] ** 2) / (2.0 * earth_radius_m)
    if vel_mps is None:
        return p, None
    v = np.array(vel_mps, dtype=float)
    v[..., 2] -= (pos_m[..., 0] * vel_mps[..., 0] + pos_m[..., 1] * vel_mps[..., 1]) \
        / earth_radius_m
    return p, v


def fly_straight(af1: Airframe, nav: float, loft: np.ndarray | float, tgt0: np.ndarray,
                 tgt_vel: np.ndarray, t_max_s: float, interval_s: float = 1.0,
                 sub_step_s: float = 0.05, terminal_reach_m: float = 0.0,
                 t_intercept_s: np.ndarray | None = None, alt0_m: float = 0.0,
                 earth_radius_m: float = EARTH_RADIUS_M
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fly one missile type from the origin (the launcher at the surface, ``alt0_m`` above
    sea level) against n targets moving straight in surface coordinates (module docstring:
    position ``tgt0`` at launch, velocity ``tgt_vel``; with a finite ``earth_radius_m`` a
    target at constant height follows the Earth's curve in the flat frame the missile flies
    in), row i under loft factor ``loft[i]``, guided as
    in the simulation with perfect knowledge of the target: launched (:func:`launch_direction`)
    and steered in midcourse toward the predicted intercept point at the planned time
    ``t_intercept_s`` (nan or None: the target itself), lofted by
    :func:`skyshield.weapons.flyout.lofting`, then PN on the target inside the terminal reach
    or after the planned time; (time, miss, speed) at fuzing (inf, inf, nan where lost or out
    of time)."""
    n = tgt0.shape[0]
    af = af1.take(np.zeros(n, dtype=np.int64))
    loft_a = np.ascontiguousarray(np.broadcast_to(np.asarray(loft, dtype=float), n))
    t_int = np.full(n, np.nan) if t_intercept_s is None else np.asarray(t_intercept_s, float)
    planned = np.isfinite(t_int)
    pip, _ = surface_to_flat(tgt0 + tgt_vel * np.where(planned, t_int, 0.0)[:, None], None,
                             earth_radius_m)
    go0 = np.linalg.norm(pip[:, :2], axis=1)
    s = launch_state(n, launch_direction(pip, loft_a), af.mass0_kg)
    t_fz = np.full(n, np.inf)
    miss = np.full(n, np.inf)
    v_fz = np.full(n, np.nan)
    live = np.ones(n, dtype=bool)
    t = 0.0
    nav_a = np.full(n, nav)
    while live.any() and t < t_max_s:
        idx = np.flatnonzero(live)

        def target(tt: float, idx: np.ndarray = idx) -> tuple[np.ndarray, np.ndarray]:
            p, v = surface_to_flat(tgt0[idx] + tgt_vel[idx] * tt, tgt_vel[idx], earth_radius_m)
            assert v is not None
            return p, v

        sub = FlightState(s.pos_m[idx], s.vel_mps[idx], s.mass_kg[idx], s.a_lat_mps2[idx],
                          s.t_flight_s[idx])
        tp, _ = target(t)
        to_pip = (planned[idx] & (t < np.where(planned[idx], t_int[idx], 0.0))
                  & (np.linalg.norm(tp - sub.pos_m, axis=1) > terminal_reach_m))
        ap = np.where(to_pip[:, None], pip[idx], tp)
        mid = lofting(ap, sub.pos_m, go0[idx], np.full(idx.size, terminal_reach_m))

        def aim(tt: float, idx: np.ndarray = idx, to_pip: np.ndarray = to_pip
                ) -> tuple[np.ndarray, np.ndarray]:
            p, v = target(tt, idx)
            return (np.where(to_pip[:, None], pip[idx], p),
                    np.where(to_pip[:, None], 0.0, v))

        new, fz, lost = fly(af.take(idx), sub, nav_a[idx], loft_a[idx], aim, target, mid, t,
                            interval_s, sub_step_s, ground_alt_m=alt0_m - 5.0, alt0_m=alt0_m,
                            earth_radius_m=earth_radius_m)
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


@dataclass(frozen=True)
class _Best:
    tof_s: np.ndarray
    speed_mps: np.ndarray
    miss_m: np.ndarray
    loft: np.ndarray


def _best(af1: Airframe, nav: float, loft: float, tgt0: np.ndarray, tgt_vel: np.ndarray,
          t_max_s: float, interval_s: float, sub_step_s: float, lethal_radius_m: float,
          terminal_reach_m: float, alt0_m: float = 0.0,
          earth_radius_m: float = EARTH_RADIUS_M,
          grid_shape: tuple[int, int] | None = None) -> _Best:
    """Every target flown under every programme in one batch; per target, of the programmes
    that intercept inside the lethal radius arriving at ``MIN_ARRIVAL_MPS`` or more (the energy
    to out-turn a manoeuvring target), the quickest of those that do so at the neighbouring
    ground ranges too (targets given as a (ground range, height) grid ``grid_shape``, ravelled
    range-major; without it, every point stands alone) — the fire-control solution against a
    moving target lies between grid points, so a programme that just makes it at one point and
    not the next is no solution there — else the one arriving fastest (the most energy in
    hand there is); with its time, arrival speed, miss and loft factor (inf, nan, the least
    miss, nan if none). (Taking the fastest arrival everywhere chose the highest loft even at
    mid range: a 48N6E3 went 50 km in 84 s; the quickest at each point alone put a 9M96E2
    against a 50 m target at 26 km on a shallow loft arriving at 522 m/s and at 452 m/s 4 km
    further, which the moving target's solution no longer reached; a margin of 1.2 x 500 m/s
    instead switched programmes at an arbitrary speed and made time of flight fall 8 % with
    range.)"""
    lofts = programmes(loft)
    n, p = tgt0.shape[0], lofts.size
    t_fz, miss, v_fz = fly_straight(af1, nav, np.repeat(lofts, n), np.tile(tgt0, (p, 1)),
                            np.tile(tgt_vel, (p, 1)), t_max_s, interval_s, sub_step_s,
                            terminal_reach_m, alt0_m=alt0_m, earth_radius_m=earth_radius_m)
    t_fz, miss, v_fz = (x.reshape(p, n) for x in (t_fz, miss, v_fz))
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(t_fz) & (miss <= lethal_radius_m) & (v_fz >= MIN_ARRIVAL_MPS)
    robust = ok
    if grid_shape is not None:
        g = ok.reshape(p, *grid_shape)
        nb = g.copy()
        nb[:, 1:, :] &= g[:, :-1, :]
        nb[:, :-1, :] &= g[:, 1:, :]
        robust = nb.reshape(p, n)
    quickest = np.argmin(np.where(robust, t_fz, np.inf), axis=0)
    fastest = np.argmax(np.where(ok, v_fz, -np.inf), axis=0)
    k = np.where(robust.any(axis=0), quickest, fastest)
    got = ok.any(axis=0)
    cols = np.arange(n)
    return _Best(np.where(got, t_fz[k, cols], np.inf), np.where(got, v_fz[k, cols], np.nan),
                 np.where(got, miss[k, cols], np.min(miss, axis=0)),
                 np.where(got, lofts[k], np.nan))


def _cache_dir() -> Path:
    base = os.environ.get("SKYSHIELD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "skyshield")
    return Path(base)


def reach_table(af1: Airframe, nav: float, loft: float, max_range_m: float, max_alt_m: float,
                lethal_radius_m: float, n_range: int = 36, n_height: int = 14,
                sub_step_s: float = 0.1, cache: bool = True, terminal_reach_m: float = 0.0,
                alt0_m: float = 0.0, earth_radius_m: float = EARTH_RADIUS_M) -> ReachTable:
    """Time of flight to each point of a grid up to 1.3× the catalogue's range and 1.2× its
    height (so the table shows where the physics ends, not where the catalogue says). The
    grid is (ground range, height above the surface); each point is flown at in the flat frame
    at z = h − R²/(2·Rₑ) over a launcher ``alt0_m`` above sea level (module docstring)."""
    R = np.linspace(0.0, 1.3 * max_range_m, n_range + 1)[1:]
    H = np.linspace(0.0, 1.2 * max_alt_m, n_height)
    key = hashlib.sha256(json.dumps({
        "v": CACHE_VERSION, "af": [float(getattr(af1, f)[0]) for f in AIRFRAME_FIELDS],
        "nav": nav, "loft": loft, "R": R.tolist(), "H": H.tolist(), "dt": sub_step_s,
        "lr": lethal_radius_m, "term": terminal_reach_m,
        "programmes": list(LOFT_PROGRAMMES), "alt0": alt0_m,
        "Re": earth_radius_m if np.isfinite(earth_radius_m) else "inf"}).encode()
    ).hexdigest()[:24]
    path = _cache_dir() / "reach" / f"{key}.npz"
    if cache and path.exists():
        try:
            with np.load(path) as z:
                return ReachTable(z["R"], z["H"], z["tof"], z["v"], z["loft"])
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is recomputed
    rr, hh = np.meshgrid(R, H, indexing="ij")
    tgt = np.stack([rr.ravel(), np.zeros(rr.size), np.maximum(hh.ravel(), 5.0)], axis=1)
    t_max = 3.0 * max_range_m / 600.0 + 60.0
    b = _best(af1, nav, loft, tgt, np.zeros_like(tgt), t_max, 2.0, sub_step_s, lethal_radius_m,
              terminal_reach_m, alt0_m, earth_radius_m, grid_shape=rr.shape)
    table = ReachTable(R, H, b.tof_s.reshape(rr.shape), b.speed_mps.reshape(rr.shape),
                       b.loft.reshape(rr.shape))
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        # atomic (common.files): a half-written table never passes for a whole one
        atomic_write(path, lambda f: np.savez(f, R=table.range_m, H=table.height_m,
                                               tof=table.tof_s, v=table.speed_mps,
                                               loft=table.loft))
    return table


@dataclass(frozen=True)
class Envelope:
    x_m: np.ndarray  # (nx,) target down-range at launch
    y_m: np.ndarray  # (ny,) target cross-range (offset of its straight path)
    ok: np.ndarray  # (nx, ny) intercept within the lethal radius
    tof_s: np.ndarray  # (nx, ny)
    miss_m: np.ndarray  # (nx, ny)
    loft: np.ndarray  # (nx, ny) loft factor of the programme used (nan: none succeeds)
    target_speed_mps: float
    target_alt_m: float


def launch_envelope(af1: Airframe, nav: float, table: ReachTable, max_range_m: float,
                    lethal_radius_m: float, target_speed_mps: float, target_alt_m: float,
                    nx: int = 40, ny: int = 20, sub_step_s: float = 0.05,
                    terminal_reach_m: float = 0.0, default_loft: float = 0.0,
                    alt0_m: float = 0.0, earth_radius_m: float = EARTH_RADIUS_M) -> Envelope:
    """Launch acceptability region (module docstring), target flying toward −x at a constant
    height ``target_alt_m`` above the surface (surface coordinates): for every
    launch position the fire-control solution from the reach ``table`` (the intercept time,
    the predicted point and the programme there; none: not a launch) is flown and counts when
    it fuzes inside the lethal radius arriving at ``MIN_ARRIVAL_MPS`` or more."""
    x = np.linspace(0.0, 2.5 * max_range_m, nx + 1)[1:]
    y = np.linspace(0.0, 1.5 * max_range_m, ny)
    xx, yy = np.meshgrid(x, y, indexing="ij")
    tgt = np.stack([xx.ravel(), yy.ravel(), np.full(xx.size, target_alt_m)], axis=1)
    vel = np.tile([-target_speed_mps, 0.0, 0.0], (xx.size, 1))
    t_max = 3.0 * max_range_m / 600.0 + 60.0
    tof = intercept_time_table(tgt, vel, table.range_m, table.height_m, table.tof_s,
                               table.max_tof_s())
    solved = np.isfinite(tof)
    pip = tgt + vel * np.where(solved, tof, 0.0)[:, None]
    loft = np.where(solved, table.loft_at(np.hypot(pip[:, 0], pip[:, 1]), pip[:, 2],
                                          default_loft), np.nan)
    t_fz = np.full(tgt.shape[0], np.inf)
    miss = np.full(tgt.shape[0], np.inf)
    v_fz = np.full(tgt.shape[0], np.nan)
    k = np.flatnonzero(solved)
    if k.size:
        t_fz[k], miss[k], v_fz[k] = fly_straight(af1, nav, loft[k], tgt[k], vel[k], t_max, 1.0,
                                                 sub_step_s, terminal_reach_m, tof[k],
                                                 alt0_m, earth_radius_m)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(t_fz) & (miss <= lethal_radius_m) & (v_fz >= MIN_ARRIVAL_MPS)

    def grid(v: np.ndarray) -> np.ndarray:
        return v.reshape(xx.shape)

    return Envelope(x, y, grid(ok), grid(np.where(ok, t_fz, np.inf)), grid(miss),
                    grid(np.where(ok, loft, np.nan)), target_speed_mps, target_alt_m)


def missile_reach_table(v: dict[str, Any], cache: bool = True, alt0_m: float = 0.0
                        ) -> ReachTable:
    """:func:`reach_table` of a catalogue missile (its figure values, ``figure_values``), with
    the terminal hand-over the simulation uses, over a launcher ``alt0_m`` above sea level."""
    a = v["airframe"]
    return reach_table(airframe_table([a]), a["nav_ratio"], a["loft"], v["max_range_m"],
                       v["max_alt_m"], v["lethal_radius_m"], cache=cache,
                       terminal_reach_m=float(terminal_reach_m(a["seeker_range_m"])),
                       alt0_m=alt0_m)


def missile_envelope(v: dict[str, Any], target_speed_mps: float, target_alt_m: float, nx: int = 40,
                     ny: int = 20, sub_step_s: float = 0.05, alt0_m: float = 0.0) -> Envelope:
    """:func:`launch_envelope` of a catalogue missile (its figure values), as
    :func:`missile_reach_table`."""
    a = v["airframe"]
    return launch_envelope(airframe_table([a]), a["nav_ratio"],
                           missile_reach_table(v, alt0_m=alt0_m),
                           v["max_range_m"], v["lethal_radius_m"], target_speed_mps,
                           target_alt_m, nx=nx, ny=ny, sub_step_s=sub_step_s,
                           terminal_reach_m=float(terminal_reach_m(a["seeker_range_m"])),
                           default_loft=a["loft"], alt0_m=alt0_m)
