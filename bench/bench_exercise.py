"""Time the built-in exercise and raids scaled 10x and 100x; print tables and a profile.

    python bench/bench_exercise.py [--repeat 3] [--scales 1,10,100] [--profile 20]

Scaling multiplies every raid's count by k and divides its spacing by k, so the same time window
holds k times as many cruise missiles (1x: 14, 10x: 140, 100x: 1400). Timings are of the
simulation itself (``skyshield.sim.run.simulate``: compile + event loop), on one core; the run
folder writing is timed separately for the 1x case. There is no peer for a whole exercise; the
tracker is compared with Stone Soup in bench/bench_tracking.py (issue 4).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

import skyshield
from skyshield.scenario.schema import Scenario
from skyshield.sim.run import simulate


def scaled(sc: Scenario, k: int) -> Scenario:
    raids = {name: r.model_copy(update={"count": r.count * k, "spacing": r.spacing / k})
             for name, r in sc.raids.items()}
    return sc.model_copy(update={"raids": raids})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--profile", type=int, default=20, help="top entries (0: no profile)")
    args = ap.parse_args()
    con = Console(width=120)
    base = skyshield.load_scenario("slavic-shield-2019")
    con.print(f"machine: {os.cpu_count()} cores; skyshield {skyshield.__version__}; "
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}")
    t = Table(title="slavic-shield-2019: simulated seconds per wall second (one core)")
    for c in ("raid scale", "air vehicles", "runs", "wall best s", "wall median s",
              "sim-s / wall-s", "events", "missiles fired", "destroyed / threats",
              "wall vs 1x"):
        t.add_column(c, justify="right")
    base_wall = None
    for k in (int(x) for x in args.scales.split(",")):
        sc = scaled(base, k)
        walls = []
        out = None
        for _ in range(args.repeat if k <= 10 else 1):
            t0 = time.perf_counter()
            out = simulate(sc)
            walls.append(time.perf_counter() - t0)
        assert out is not None
        best = min(walls)
        base_wall = base_wall or best
        kinds = list(out.events["kind"])
        n_threat = int((out.world.vehicles.side == 0).sum())
        t.add_row(f"{k}x", str(len(out.world.vehicles)), str(len(walls)), f"{best:.2f}",
                  f"{statistics.median(walls):.2f}", f"{sc.duration / best:,.0f}",
                  str(len(kinds)), str(kinds.count("launch")),
                  f"{kinds.count('kill')} / {n_threat}", f"{best / base_wall:.1f}x")
    con.print(t)

    r = skyshield.run(base)
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        r.save(Path(d) / "run")
        con.print(f"run folder write (1x): {time.perf_counter() - t0:.2f} s")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        simulate(base)
        prof.disable()
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(args.profile)
        con.print(f"profile of one 1x run, top {args.profile} by own time:")
        con.print(s.getvalue(), markup=False, highlight=False)


if __name__ == "__main__":
    main()
