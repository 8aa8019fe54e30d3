"""Interceptors in flight per wall-second: 1, 100, 1000 and 10000 at once.

    python bench/flyout.py [--counts 1,100,1000,10000] [--seconds 20]

Each interceptor is a 57E6E-class airframe (catalogue figures) flying true PN at a target of its
own (inbound at 250 m/s, spread over a grid), through ``weapons.flyout.fly`` exactly as the
simulation calls it: 0.5 s guidance intervals of 0.05 s RK4 sub-steps, the fuze and loss
checks included. It prints the wall time per simulated second, the real-time factor (simulated
seconds per wall second) and the cost per interceptor-step, to show the growth is linear. The
peer: a plain per-missile Python loop over the same kernels (the obvious implementation) for the
counts where it finishes in reasonable time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from skyshield.physics.flight import FlightState
from skyshield.scenario.catalogue import figure_values, load_catalogue
from skyshield.weapons.flyout import airframe_table, fly


def setup(n: int) -> tuple:
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


def run(n: int, seconds: float, per_missile: bool = False) -> float:
    af, s, t0, tv = setup(n)
    nav, loft, mid = np.full(n, 4.0), np.zeros(n), np.zeros(n, dtype=bool)
    wall = time.perf_counter()
    t = 0.0
    while t < seconds:
        if per_missile:
            for i in range(n):
                tgt = lambda tt, i=i: (t0[i:i + 1] + tv[i:i + 1] * tt, tv[i:i + 1])  # noqa: E731
                sub = FlightState(s.pos_m[i:i + 1], s.vel_mps[i:i + 1], s.mass_kg[i:i + 1],
                                  s.a_lat_mps2[i:i + 1], s.t_flight_s[i:i + 1])
                new, _, _ = fly(af.take([i]), sub, nav[:1], loft[:1], tgt, tgt, mid[:1], t, 0.5)
                s.pos_m[i], s.vel_mps[i], s.mass_kg[i] = new.pos_m[0], new.vel_mps[0], \
                    new.mass_kg[0]
                s.a_lat_mps2[i], s.t_flight_s[i] = new.a_lat_mps2[0], new.t_flight_s[0]
        else:
            tgt = lambda tt: (t0 + tv * tt, tv)  # noqa: E731
            s, _, _ = fly(af, s, nav, loft, tgt, tgt, mid, t, 0.5)
        t += 0.5
    return time.perf_counter() - wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--counts", default="1,100,1000,10000")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--peer-max", type=int, default=100, help="largest count for the loop peer")
    a = ap.parse_args()
    t = Table(title=f"Interceptors in flight: {a.seconds:g} simulated seconds (0.05 s RK4 "
              "steps, 0.5 s guidance), one core")
    for c in ("interceptors", "wall s", "× real time", "µs per interceptor-step",
              "per-missile loop wall s", "loop × real time", "speed-up"):
        t.add_column(c, justify="right")
    for n in (int(c) for c in a.counts.split(",")):
        w = run(n, a.seconds)
        steps = n * a.seconds / 0.05
        row = [str(n), f"{w:.3f}", f"{a.seconds / w:.0f}", f"{1e6 * w / steps:.2f}"]
        if n <= a.peer_max:
            wp = run(n, a.seconds, per_missile=True)
            row += [f"{wp:.3f}", f"{a.seconds / wp:.1f}", f"{wp / w:.1f}×"]
        else:
            row += ["-", "-", "-"]
        t.add_row(*row)
        Console().print(" | ".join(row), highlight=False)
    Console(width=150).print(t)


if __name__ == "__main__":
    main()
