"""Catalogue airframes against the public speed figures they are calibrated to.

    python bench/airframe_calibration.py [--missiles 48N6E3,57E6E] [--dt 0.05]

For each catalogue missile: the ideal Δv of its airframe, Isp·g0·ln(m0/(m0 − mp)); the
simulated burnout and peak speeds (a flyout to the point at half the catalogue range at the
stated height, under the trajectory programme fire control would choose there); the time of
flight to 25, 50, 75 and 100 % of the catalogue range at that height, the average speed
(range / time) and the arrival speed there; and the largest ground range its reach table
reaches at that height — beside the public figures (``PUBLIC`` below; ``catalogue`` gives the
origin of each, as in the catalogue's ``speed_mps`` and ``airframe`` lines). Every flyout is
flown as the reach tables fly them (``weapons.envelope``: curved Earth, launcher at sea level,
fixed target, perfect knowledge, the quickest programme arriving at 500 m/s: ``_best`` on the
point alone, without the reach table's neighbouring-range condition).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skyshield.physics.atmosphere import G0_MPS2
from skyshield.physics.flight import FlightState
from skyshield.scenario.catalogue import figure_values, load_catalogue
from skyshield.weapons.envelope import (
    EARTH_RADIUS_M,
    _best,
    launch_direction,
    launch_state,
    missile_reach_table,
    programmes,
    surface_to_flat,
)
from skyshield.weapons.flyout import airframe_table, fly, lofting, terminal_reach_m


@dataclass(frozen=True)
class Public:
    """The public speed figures a missile is calibrated to (see the catalogue's speed_mps and
    airframe lines for where each comes from): peak speed, and an average speed to a range."""

    peak_mps: float
    avg_mps: float  # average speed over the flyout to ``avg_range_m``
    avg_range_m: float
    height_m: float  # height of the table row the figures are compared at


# the calibration targets (catalogue speed_mps = avg_mps; the airframe's burnout = peak_mps)
PUBLIC = {
    "48N6E3": Public(2000.0, 1500.0, 150e3, 10e3),
    "40N6E": Public(2300.0, 1500.0, 250e3, 10e3),
    "9M96E2": Public(1200.0, 900.0, 60e3, 10e3),
    "9M96E": Public(1000.0, 750.0, 30e3, 5e3),
    "57E6E": Public(1300.0, 780.0, 18e3, 3e3),
    "5V27": Public(1100.0, 750.0, 20e3, 5e3),
    "3M9": Public(950.0, 700.0, 20e3, 3e3),
}


def ideal_dv_mps(a: dict[str, float]) -> float:
    """Tsiolkovsky: Δv = Isp·g0·ln(m0/(m0 − mp))."""
    return float(a["isp_s"] * G0_MPS2 * np.log(a["mass_kg"] / (a["mass_kg"] - a["propellant_kg"])))


def speed_history(v: dict, tgt: np.ndarray, loft: float, t_max_s: float, dt: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Time and speed every guidance interval (0.25 s) of one flyout toward a fixed target
    given in surface coordinates (as ``fly_straight`` flies it, without the terminal switch)."""
    a = v["airframe"]
    af = airframe_table([a])
    flat, _ = surface_to_flat(tgt[None])
    s: FlightState = launch_state(1, launch_direction(flat, loft), af.mass0_kg)
    go0 = np.linalg.norm(flat[:, :2], axis=1)
    reach = np.array([float(terminal_reach_m(a["seeker_range_m"]))])

    def tgt_fn(tt: float) -> tuple[np.ndarray, np.ndarray]:
        return flat, np.zeros((1, 3))

    ts, vs = [0.0], [float(np.linalg.norm(s.vel_mps[0]))]
    t = 0.0
    while t < t_max_s:
        mid = lofting(flat, s.pos_m, go0, reach)
        s, fz, lost = fly(af, s, np.array([a["nav_ratio"]]), np.array([loft]), tgt_fn, tgt_fn,
                          mid, t, 0.25, dt, ground_alt_m=-5.0, alt0_m=0.0,
                          earth_radius_m=EARTH_RADIUS_M)
        t += 0.25
        ts.append(t)
        vs.append(float(np.linalg.norm(s.vel_mps[0])))
        if fz.rows.size or lost.any():
            break
    return np.array(ts), np.array(vs)


def measure(name: str, dt: float) -> dict[str, Any]:
    v = figure_values(load_catalogue().missiles[name])
    a = v["airframe"]
    pub = PUBLIC[name]
    af = airframe_table([a])
    h = min(pub.height_m, v["max_alt_m"])
    R = v["max_range_m"] * np.array([0.25, 0.5, 0.75, 1.0, pub.avg_range_m / v["max_range_m"]])
    tgt = np.stack([R, np.zeros_like(R), np.full_like(R, h)], axis=1)
    reach = float(terminal_reach_m(a["seeker_range_m"]))
    b = _best(af, a["nav_ratio"], a["loft"], tgt, np.zeros_like(tgt),
              3.0 * v["max_range_m"] / 600.0 + 60.0, 1.0, dt, v["lethal_radius_m"], reach)
    loft = b.loft[1] if np.isfinite(b.loft[1]) else programmes(a["loft"])[0]
    t_b = a["t_boost_s"] + a["t_sustain_s"]
    ts, vs = speed_history(v, tgt[1], float(loft), float(min(b.tof_s[1], 600.0))
                           if np.isfinite(b.tof_s[1]) else 120.0, dt)
    tb = missile_reach_table(v)
    j = int(np.argmin(np.abs(tb.height_m - h)))
    ok = np.isfinite(tb.tof_s[:, j])
    return {
        "v": v, "pub": pub, "h": h, "R": R, "tof": b.tof_s, "arr": b.speed_mps,
        "dv": ideal_dv_mps(a), "burnout": float(np.interp(t_b, ts, vs)),
        "peak": float(vs.max()), "t_peak": float(ts[np.argmax(vs)]),
        "reach": float(tb.range_m[ok].max()) if ok.any() else 0.0,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--missiles", default=",".join(PUBLIC))
    ap.add_argument("--dt", type=float, default=0.05)
    args = ap.parse_args()
    con = Console()
    t1 = Table(title="speeds (m/s): public figure beside simulated")
    for c in ("missile", "height km", "ideal Δv", "burnout sim", "peak public", "peak sim",
              "avg public (to km)", "avg sim", "max range km (catalogue / sim at height)"):
        t1.add_column(c, justify="right")
    t2 = Table(title="time of flight (s) / average speed (m/s) / arrival speed (m/s) to a "
                     "fraction of the catalogue range, at the stated height")
    t2.add_column("missile")
    for f in ("25 %", "50 %", "75 %", "100 %"):
        t2.add_column(f, justify="right")
    for name in args.missiles.split(","):
        m = measure(name, args.dt)
        pub: Public = m["pub"]
        R, tof, arr = m["R"], m["tof"], m["arr"]
        v = m["v"]
        t1.add_row(name, f"{m['h'] / 1e3:g}", f"{m['dv']:.0f}", f"{m['burnout']:.0f}",
                   f"{pub.peak_mps:.0f}", f"{m['peak']:.0f} @ {m['t_peak']:.1f} s",
                   f"{pub.avg_mps:.0f} ({pub.avg_range_m / 1e3:g})",
                   f"{R[4] / tof[4]:.0f}", f"{v['max_range_m'] / 1e3:g} / "
                   f"{m['reach'] / 1e3:.0f}")
        t2.add_row(name, *(f"{tof[k]:.1f} s / {R[k] / tof[k]:.0f} / {arr[k]:.0f}"
                           for k in range(4)))
    con.print(t1)
    con.print(t2)


if __name__ == "__main__":
    main()
