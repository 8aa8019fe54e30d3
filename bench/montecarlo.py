"""Monte Carlo replications per second: in this process, on a local pool of 1 and of 2 worker
processes, and through a local Dask cluster of 2 workers (one thread each); the rows must be the
same every way.

    python bench/montecarlo.py [--scenario tests/data/mc_small.yaml] [-n 120]

The scenario defaults to the tests' small one (a Pantsir-S1 against a salvo of eight cruise
missiles, about 0.6 s a replication) so that start-up costs show; pass the built-in exercise
for the long-run figure. Each configuration runs the same n replications (same root seed) in
the same batches; the table gives wall time, replications per second and the speed-up over the
pool of one worker process (so that 2 against 1 compares like with like), beside the machine's
own ceiling for two processes (two CPU-bound loops at once against one). Worker start-up
(starting Python, importing skyshield, loading the compiled kernels) is inside the pool timings,
as a user sees it; the Dask cluster's start-up is timed apart.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

import skyshield
from skyshield.studies.montecarlo import montecarlo

HERE = Path(__file__).resolve().parent
IN_PROCESS = "in process (no pool)"
POOL_1 = "local pool, 1 worker process"


def _burn(_: int) -> float:
    t0 = time.perf_counter()
    s = 0
    for i in range(20_000_000):
        s += i * i
    return time.perf_counter() - t0


def _cpu_ceiling() -> float:
    """How much faster two CPU-bound processes finish than one on this machine (2.0 on two
    idle physical cores; less on a shared or hyper-threaded one)."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_burn, [0, 0]))  # start both workers
        one = _burn(0)
        t0 = time.perf_counter()
        list(pool.map(_burn, [0, 0]))
        both = time.perf_counter() - t0
    return 2 * one / both


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default=str(HERE.parent / "tests" / "data" / "mc_small.yaml"))
    ap.add_argument("-n", type=int, default=120)
    a = ap.parse_args()
    sc = skyshield.load_scenario(a.scenario)
    con = Console(width=140)
    con.print(f"machine: {os.cpu_count()} cores; scenario {sc.name}; n = {a.n}")
    rows: list[tuple[str, float, float | None]] = []
    frames: dict[str, pd.DataFrame] = {}

    def timed(label: str, **kw: object) -> None:
        t0 = time.perf_counter()
        frames[label] = montecarlo(sc, a.n, **kw)  # type: ignore[arg-type]
        w = time.perf_counter() - t0
        rows.append((label, w, None))
        con.print(f"{label}: {w:.1f} s", highlight=False)

    ceiling = _cpu_ceiling()
    con.print(f"this machine's own ceiling: two CPU-bound processes run {ceiling:.2f}x as fast "
              "as one", highlight=False)
    batch = max(1, a.n // 20)
    timed(IN_PROCESS, batch_size=batch)
    timed(POOL_1, workers=1, pool=True, batch_size=batch)
    timed("local pool, 2 worker processes", workers=2, batch_size=batch)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        con.print("dask distributed not installed: pip install 'skyshield[distributed]'")
    else:
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.run(lambda: __import__("skyshield"))  # workers import once, as in service
            up = time.perf_counter() - t0
            timed("Dask LocalCluster, 2 workers x 1 thread", client=client, batch_size=batch)
        rows[-1] = (rows[-1][0], rows[-1][1], up)
    # the rows must not depend on how they were computed
    ref = frames[IN_PROCESS].drop(columns="wall_s")
    same = all(f.drop(columns="wall_s").equals(ref) for f in frames.values())
    pool1 = next(w for label, w, _ in rows if label == POOL_1)
    t = Table(title=f"{a.n} replications of {sc.name} (rows identical every way: {same})")
    for c in ("execution", "wall s", "replications / s", "speed-up vs pool of 1",
              "cluster start-up s"):
        t.add_column(c, justify="left" if c == "execution" else "right")
    for label, w, up in rows:
        t.add_row(label, f"{w:.1f}", f"{a.n / w:.2f}", f"{pool1 / w:.2f}×",
                  "-" if up is None else f"{up:.1f}")
    con.print(t)


if __name__ == "__main__":
    main()
