"""Live exercise: the cost of one inject and of one external (DIS) entity update with many air
vehicles present, rebuilding the whole route table versus splicing the changed rows into it.

    python bench/live_routes.py [--sizes 200,1400,5000] [--repeats 5]

Each size is one simulation of ``slavic-shield-2019`` with that many extra vehicles on long
synthetic routes (6 waypoints, legs of 40–120 km: ~250 table nodes each), put in with one
``add_vehicles``. Then, through the live command path (``sim.live.apply_command``, as the server
calls it): an inject (one cruise missile at the base) and updates of one external entity (the
first update creates it; the timed ones re-route it). "full rebuild" is the same simulation with
``sim.truth.Truth._splice`` replaced by ``engine.motion.build_route_table`` over every vehicle
(what the code did before); "incremental" is the code as it is. Times are medians of ``--repeats``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import fields
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

import skyshield
from skyshield.engine.motion import build_route_table
from skyshield.sim.live import apply_command
from skyshield.sim.run import Simulation
from skyshield.sim.truth import Truth
from skyshield.sim.world import Vehicles, compile_world


class _FullRebuildTruth(Truth):
    """The route table rebuilt over every vehicle on each change (the code before splicing)."""

    def _splice(self, start: int, stop: int, new_stop: int) -> None:
        v = self.w.vehicles
        self.routes = build_route_table(v.wp_t_s, v.wp_lat_rad, v.wp_lon_rad, v.wp_alt_m,
                                        v.wp_start, self.w.origin)
        self.invalidate()


class _FullRebuild(Simulation):
    def __init__(self, world: Any, seed: int):
        super().__init__(world, seed)
        self.truth = _FullRebuildTruth(world)
        self.weapons.truth = self.truth


def _background(v: Vehicles, n: int, origin: tuple[float, float, float]) -> Vehicles:
    """``n`` copies of vehicle 0's signature on long random routes about the origin."""
    rng = np.random.default_rng(n)
    k = 6
    out: dict[str, Any] = {}
    rows = np.zeros(n, dtype=np.int64)
    for f in fields(Vehicles):
        x = getattr(v, f.name)
        if not f.name.startswith("wp_"):
            out[f.name] = None if x is None else [x[0]] * n if isinstance(x, list) else x[rows]
    bearing = rng.uniform(0, 2 * np.pi, (n, k))
    leg_rad = rng.uniform(40e3, 120e3, (n, k)) / 6.371e6
    lat = origin[0] + np.cumsum(leg_rad * np.cos(bearing), axis=1) - 0.02
    lon = origin[1] + np.cumsum(leg_rad * np.sin(bearing), axis=1) / np.cos(origin[0])
    wp_t = rng.uniform(0.0, 600.0, (n, 1)) + np.cumsum(np.full((n, k), 400.0), axis=1)
    alt = rng.uniform(100.0, 9000.0, (n, k))
    out["wp_lat_rad"], out["wp_lon_rad"], out["wp_alt_m"] = lat.ravel(), lon.ravel(), alt.ravel()
    out["wp_t_s"], out["wp_start"] = wp_t.ravel(), np.arange(n + 1) * k
    out["t_start_s"], out["t_end_s"] = wp_t[:, 0].copy(), wp_t[:, -1].copy()
    return Vehicles(**out)


def _time(f, repeats: int) -> float:
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def measure(cls: type[Simulation], n: int, repeats: int) -> tuple[float, float, int]:
    sc = skyshield.load_scenario("slavic-shield-2019")
    world = compile_world(sc)
    sim = cls(world, 1)
    sim.add_vehicles(0.0, _background(world.vehicles, n, world.origin))
    t = [10.0]

    def inject() -> None:
        apply_command(sim, t[0], "controller", {
            "cmd": "inject", "type": "cruise_missile_subsonic",
            "from": {"lat": 44.6, "lon": 19.9, "alt": 120}, "to": "batajnica"})

    def update() -> None:
        t[0] += 0.02  # 50 updates a second
        apply_command(sim, t[0], "dis", {
            "cmd": "external", "id": "7:7:1", "force": "hostile", "kind": "platform",
            "lat": 45.0 + 1e-3 * t[0], "lon": 20.0, "alt": 3000.0,
            "vel_enu": [200.0, -50.0, 0.0]})

    ti = _time(inject, repeats)
    update()  # creates the entity
    tu = _time(update, repeats)
    return ti, tu, int(sim.truth.routes.key.size)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,1400,5000")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    tab = Table(title="Live route table: one change with N vehicles present (median, ms)")
    for c in ("vehicles", "table nodes", "inject: full rebuild", "inject: incremental",
              "speed-up", "DIS update: full rebuild", "DIS update: incremental", "speed-up"):
        tab.add_column(c, justify="right")
    for n in (int(s) for s in a.sizes.split(",")):
        fi, fu, nodes = measure(_FullRebuild, n, a.repeats)
        ii, iu, _ = measure(Simulation, n, a.repeats)
        tab.add_row(f"{n:,}", f"{nodes:,}", f"{fi * 1e3:.1f}", f"{ii * 1e3:.2f}",
                    f"{fi / ii:.0f}×", f"{fu * 1e3:.1f}", f"{iu * 1e3:.2f}", f"{fu / iu:.0f}×")
    Console(width=130).print(tab)


if __name__ == "__main__":
    main()
