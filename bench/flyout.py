"""Interceptors in flight per wall-second: 1, 100, 1000 and 10000 at once, beside a reference
solver.

    python bench/flyout.py [--counts 1,10,100,1000,10000] [--seconds 10] [--repeat 3]
                           [--peer-counts 1,10] [--agree 20]

Each interceptor is a 57E6E-class airframe (catalogue figures) flying true PN at a target of its
own (inbound at 250 m/s, spread over a 12-18 km by ±4 km by 50 m-6 km box), through
``weapons.flyout.fly`` exactly as the simulation calls it: 0.5 s guidance intervals of 0.05 s
RK4 sub-steps, the fuze and loss checks included. It prints the wall time per simulated
second, the real-time factor (simulated seconds per wall second, best of ``--repeat``) and the
cost per interceptor-step, to show the growth is linear.

The peer is SciPy's ``solve_ivp`` (DOP853, rtol 1e-9) on the same point-mass equations written
out here independently in numpy — thrust, mass flow, ISA drag with the C_D(M) table, gravity,
first-order lag, lateral limit — with the PN command evaluated continuously instead of held
over each 0.05 s step, one missile at a time, stopped at the closest approach by an event. It
is timed on the same engagements, and its closest-approach time and miss distance are printed
beside skyshield's for the first ``--agree`` of them.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.integrate import solve_ivp

from skyshield.physics import flight
from skyshield.physics.atmosphere import G0_MPS2, isa
from skyshield.physics.flight import Airframe, FlightState
from skyshield.scenario.catalogue import figure_values, load_catalogue
from skyshield.weapons.flyout import airframe_table, fly

NAV = 4.0


def setup(n: int) -> tuple[Airframe, FlightState, np.ndarray, np.ndarray]:
    v = figure_values(load_catalogue().missiles["57E6E"])
    af1 = airframe_table([v["airframe"]])
    af = af1.take(np.zeros(n, dtype=np.int64))
    rng = np.random.default_rng(0)
    t0 = np.c_[rng.uniform(12e3, 18e3, n), rng.uniform(-4e3, 4e3, n), rng.uniform(50, 6e3, n)]
    tv = np.tile([-250.0, 0.0, 0.0], (n, 1))
    d = t0 / np.linalg.norm(t0, axis=1, keepdims=True)
    s = FlightState(np.zeros((n, 3)), 40.0 * d, np.full(n, v["airframe"]["mass_kg"]),
                    np.zeros((n, 3)), np.zeros(n))
    return af, s, t0, tv


def run(n: int, seconds: float) -> float:
    """Wall time of ``seconds`` of flight of n interceptors (they fly on after fuzing, so every
    interval carries all n)."""
    af, s, t0, tv = setup(n)
    nav, loft, mid = np.full(n, NAV), np.zeros(n), np.zeros(n, dtype=bool)

    def tgt(tt: float) -> tuple[np.ndarray, np.ndarray]:
        return t0 + tv * tt, tv

    wall = time.perf_counter()
    t = 0.0
    while t < seconds:
        s, _, _ = fly(af, s, nav, loft, tgt, tgt, mid, t, 0.5)
        t += 0.5
    return time.perf_counter() - wall


def first_fuze(n: int, t_max: float = 40.0) -> tuple[np.ndarray, np.ndarray]:
    """skyshield's closest-approach time and miss of each of the n engagements."""
    af, s, t0, tv = setup(n)
    nav, loft, mid = np.full(n, NAV), np.zeros(n), np.zeros(n, dtype=bool)
    t_fz, miss = np.full(n, np.nan), np.full(n, np.nan)

    def tgt(tt: float) -> tuple[np.ndarray, np.ndarray]:
        return t0 + tv * tt, tv

    t = 0.0
    while np.isnan(t_fz).any() and t < t_max:
        s, fz, _ = fly(af, s, nav, loft, tgt, tgt, mid, t, 0.5)
        new = np.isnan(t_fz[fz.rows])
        t_fz[fz.rows[new]], miss[fz.rows[new]] = fz.t_s[new], fz.miss_m[new]
        t += 0.5
    return t_fz, miss


# --- the peer: the same equations, written out in numpy, integrated by scipy -----------------

def _peer_rhs(t: float, y: np.ndarray, p: dict, tp0: np.ndarray, tv: np.ndarray) -> np.ndarray:
    pos, v, m, a_l = y[:3], y[3:6], y[6], y[7:10]
    speed = np.linalg.norm(v)
    u = v / speed
    thrust = (p["thrust_boost_n"] if t < p["t_boost_s"] else
              p["thrust_sustain_n"] if t < p["t_boost_s"] + p["t_sustain_s"] else 0.0)
    dry = p["mass_kg"] - p["propellant_kg"]
    mdot = -thrust / (G0_MPS2 * p["isp_s"]) if thrust > 0 and m > dry else 0.0
    _, _, rho, a_snd = isa(max(pos[2], -1000.0))
    area = np.pi * p["diameter_m"] ** 2 / 4
    drag = 0.5 * rho * speed**2 * area * p["cd_scale"] * np.interp(
        speed / a_snd, flight._CD_MACH, flight._CD_VALUE)
    # true PN on the target, continuous: a = N'·Vc·(Ω × r̂), gravity compensated, across v,
    # clipped to min(n_max·g0, C_N·q·S/m)
    r, vr = tp0 + tv * t - pos, tv - v
    rr = r @ r
    cmd = NAV * (-(r @ vr) / np.sqrt(rr)) * np.cross(np.cross(r, vr) / rr, r / np.sqrt(rr))
    cmd = cmd + np.array([0.0, 0.0, G0_MPS2])
    cmd = cmd - (cmd @ u) * u
    lim = min(p["n_max_g"] * G0_MPS2, p["cn_max"] * 0.5 * rho * speed**2 * area / m)
    cmd = cmd * min(1.0, lim / max(np.linalg.norm(cmd), 1e-12))
    acc = (thrust - drag) / m * u + (a_l - (a_l @ u) * u) + np.array([0.0, 0.0, -G0_MPS2])
    return np.concatenate([v, acc, [mdot], (cmd - a_l) / p["tau_s"]])


def peer(n: int, t_max: float = 40.0) -> tuple[float, np.ndarray, np.ndarray]:
    """solve_ivp on each engagement in turn: wall time, closest-approach time and miss."""
    p = figure_values(load_catalogue().missiles["57E6E"])["airframe"]
    _, s, t0, tv = setup(n)
    t_c, miss = np.full(n, np.nan), np.full(n, np.nan)
    wall = time.perf_counter()
    for i in range(n):
        def opening(t: float, y: np.ndarray, *args: object, i: int = i) -> float:
            return float((t0[i] + tv[i] * t - y[:3]) @ (tv[i] - y[3:6]))
        opening.terminal, opening.direction = True, 1.0  # type: ignore[attr-defined]
        y0 = np.r_[s.pos_m[i], s.vel_mps[i], s.mass_kg[i], 0.0, 0.0, 0.0]
        # the motor's switches are integrated as separate pieces (no step across a jump)
        edges = [0.0, p["t_boost_s"], p["t_boost_s"] + p["t_sustain_s"], t_max]
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            sol = solve_ivp(_peer_rhs, (a, b), y0, method="DOP853", rtol=1e-9, atol=1e-6,
                            args=(p, t0[i], tv[i]), events=opening)
            y0 = sol.y[:, -1]
            if sol.t_events[0].size:
                tc, yc = sol.t_events[0][0], sol.y_events[0][0]
                t_c[i], miss[i] = tc, np.linalg.norm(t0[i] + tv[i] * tc - yc[:3])
                break
    return time.perf_counter() - wall, t_c, miss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", default="1,10,100,1000,10000")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--peer-counts", default="1,10", help="counts the solve_ivp peer flies")
    ap.add_argument("--agree", type=int, default=20, help="engagements compared with the peer")
    a = ap.parse_args()
    con = Console(width=150)
    run(10, 0.5)  # compile (or load the cached compiled kernels) outside the timings
    peer_counts = {int(c) for c in a.peer_counts.split(",") if c}
    t = Table(title=f"Interceptors in flight: {a.seconds:g} simulated seconds (0.05 s RK4 "
              f"steps, 0.5 s guidance), one core, best of {a.repeat}")
    for c in ("interceptors", "wall s", "× real time", "µs per interceptor-step",
              "peer: solve_ivp wall s", "peer × real time", "skyshield / peer"):
        t.add_column(c, justify="right")
    for n in (int(c) for c in a.counts.split(",")):
        w = min(run(n, a.seconds) for _ in range(a.repeat))
        steps = n * a.seconds / 0.05
        row = [str(n), f"{w:.4f}", f"{a.seconds / w:.0f}", f"{1e6 * w / steps:.3f}"]
        if n in peer_counts:
            wp, tc, _ = peer(n)
            # the peer flies each engagement to its closest approach: its real-time factor is
            # simulated missile-seconds over wall time, per missile in the air at once
            sim_s = float(np.nansum(tc)) / n
            row += [f"{wp:.2f}", f"{sim_s / wp:.2f}", f"{(a.seconds / w) / (sim_s / wp):.0f}×"]
        else:
            row += ["-", "-", "-"]
        t.add_row(*row)
        con.print(" | ".join(row), highlight=False)
    con.print(t)

    if a.agree > 0:
        t_s, m_s = first_fuze(a.agree)
        _, t_p, m_p = peer(a.agree)
        ag = Table(title=f"The same {a.agree} engagements: skyshield (RK4 0.05 s, PN held per "
                   "step) vs solve_ivp (DOP853, continuous PN)")
        for c in ("", "closest-approach time s", "miss m"):
            ag.add_column(c, justify="right")
        dt = np.abs(t_s - t_p)
        ag.add_row("skyshield, mean", f"{np.nanmean(t_s):.3f}", f"{np.nanmean(m_s):.3f}")
        ag.add_row("peer, mean", f"{np.nanmean(t_p):.3f}", f"{np.nanmean(m_p):.3f}")
        ag.add_row("largest |difference|", f"{np.nanmax(dt):.4f}",
                   f"{np.nanmax(np.abs(m_s - m_p)):.3f}")
        con.print(ag)


if __name__ == "__main__":
    main()
