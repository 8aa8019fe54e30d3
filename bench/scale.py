"""Memory and wall time of one run against raid size and route length (issue 20).

    python bench/scale.py [--vehicles 10,100,1000,5000,20000] [--waypoints 10,100,1000,5000,20000]
                          [--duration 10] [--timeout 600]

Each case is a generated scenario (one Pantsir-S1 at the origin defending one asset) run in a
fresh subprocess: the YAML validated from its file, the world compiled, the simulation run for
``--duration`` simulated seconds and its tables and summary built (``skyshield.api.run``). The
child reports its wall time; the parent reads the child's peak RSS from ``os.wait4``.

* raid size N: one raid of N subsonic cruise missiles, 5 s / N apart (all in the air after
  the first 5 simulated seconds), from 40 km west of the asset (beyond the radar's cover for
  the first 10 s: every vehicle is moved, scanned for and recorded, few are detected: the
  tracker's load is not what grows), with one more cruise missile on a route of 100 waypoints
  (the table of vehicles × longest route was the quadratic term);
* route length W: one cruise missile on a route of W waypoints, legs of about 0.8 km zig-zagging
  east (one route-table node per leg);
* dense raid N (``--dense``): one raid of N cruise missiles 5 s / N apart from 12 km west of
  the asset, inside the Pantsir's radar cover from the start: they fly in a few of the radar's
  resolution cells, so every scan detects them (the tracker's load is what could grow: before
  the radar resolved only what its cells separate, 5,000 of them did not finish in 10 min).

The growth exponent is the least-squares slope of log(peak RSS − baseline) and of log(wall time)
against log(size) over the sizes ≥ 1,000; the baseline is the same child with a raid of one
vehicle (imports, catalogue, one radar). Exponent 1 is linear, 2 quadratic.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

HEAD = """name: scale
origin: {{lat: 44.9, lon: 20.3}}
seed: 1
duration: {duration} s
assets:
  base: {{lat: 44.9, lon: 20.3, value: 10}}
units:
  pantsir: {{type: pantsir_s1, lat: 44.91, lon: 20.3}}
"""


def scenario_yaml(kind: str, size: int, duration_s: float) -> str:
    """The generated scenario of one case (``kind`` "vehicles" or "waypoints")."""
    head = HEAD.format(duration=duration_s)
    if kind in ("vehicles", "dense"):
        west = "19.8" if kind == "vehicles" else "20.15"
        return head + (f"raids:\n  wave:\n    type: cruise_missile_subsonic\n    count: {size}\n"
                       f"    spacing: {5.0 / size:.6g} s\n    from: {{lat: 44.9, lon: {west}}}\n"
                       "    to: base\n"
                       "    alt: 100 m\n") + _long_route(100)
    return head + _long_route(size)


def _long_route(n_waypoints: int) -> str:
    """One cruise missile zig-zagging east on ``n_waypoints`` waypoints (legs of ~0.8 km)."""
    lines = [f"      - {{lat: {44.9 + 0.005 * (k % 2):.4f}, lon: {19.8 + 0.01 * (k % 60):.4f}, "
             "alt: 300 m}" for k in range(n_waypoints)]
    return ("threats:\n  long:\n    type: cruise_missile_subsonic\n    target: base\n"
            "    waypoints:\n" + "\n".join(lines) + "\n")


def child(path: str) -> None:
    """Validate, compile and run the scenario at ``path``; print the phase times as JSON."""
    t0 = time.perf_counter()
    import skyshield
    from skyshield.api import run

    t1 = time.perf_counter()
    sc = skyshield.load_scenario(path)
    t2 = time.perf_counter()
    res = run(sc)
    t3 = time.perf_counter()
    print(json.dumps({"import_s": t1 - t0, "validate_s": t2 - t1, "run_s": t3 - t2,
                      "wall_s": t3 - t1, "events": len(res.events), "truth": len(res.truth)}))


def measure(kind: str, size: int, duration_s: float, timeout_s: float) -> dict[str, Any]:
    """One case in a fresh subprocess: its phase times and its own peak RSS (MiB, from
    ``os.wait4``: RUSAGE_CHILDREN would keep only the largest child so far)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "scale.yaml"
        path.write_text(scenario_yaml(kind, size, duration_s))
        with open(Path(d) / "out", "w+") as out, open(Path(d) / "err", "w+") as err:
            proc = subprocess.Popen([sys.executable, __file__, "--child", str(path)],
                                    stdout=out, stderr=err)
            timer = threading.Timer(timeout_s, proc.kill)
            timer.start()
            _, status, ru = os.wait4(proc.pid, 0)
            timer.cancel()
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
    rss = ru.ru_maxrss / 1024.0  # KiB on Linux
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["?"])[-1]
        why = "killed (timeout)" if proc.returncode == -9 else f"exit {proc.returncode}"
        return {"failed": f"{why}: {last[:80]}", "rss_mib": rss}
    return {**json.loads(stdout.strip().splitlines()[-1]), "rss_mib": rss}


def slope(sizes: list[int], values: list[float]) -> float:
    """Least-squares slope of log(value) against log(size)."""
    x, y = np.log(np.asarray(sizes, float)), np.log(np.asarray(values, float))
    return float(np.polyfit(x, y, 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child")
    ap.add_argument("--vehicles", default="10,100,1000,5000,20000")
    ap.add_argument("--waypoints", default="10,100,1000,5000,20000")
    ap.add_argument("--dense", default="10,100,1000,5000,20000")
    ap.add_argument("--duration", type=float, default=10.0, help="simulated seconds")
    ap.add_argument("--timeout", type=float, default=600.0, help="per case, wall seconds")
    a = ap.parse_args()
    if a.child:
        child(a.child)
        return
    console = Console()
    base = measure("vehicles", 1, a.duration, a.timeout)
    base_mib = float(base["rss_mib"])
    console.print(f"baseline (a raid of 1): peak RSS {base_mib:.0f} MiB, "
                  f"validate+run {base['wall_s']:.2f} s")
    for kind, arg in (("vehicles", a.vehicles), ("waypoints", a.waypoints),
                      ("dense", a.dense)):
        sizes = [int(s) for s in arg.split(",") if s]
        if not sizes:
            continue
        label = {"vehicles": "air vehicles (one raid)", "waypoints": "waypoints (one route)",
                 "dense": "air vehicles (one raid inside radar cover)"}[kind]
        tab = Table(title=f"{label}: {a.duration:g} simulated s")
        for c in (kind, "peak RSS MiB", "RSS − baseline MiB", "validate s", "run s", "total s"):
            tab.add_column(c, justify="right")
        ok: list[tuple[int, float, float]] = []
        for n in sizes:
            r = measure(kind, n, a.duration, a.timeout)
            if "failed" in r:
                tab.add_row(f"{n:,}", f"{r.get('rss_mib', float('nan')):.0f}", "", "", "",
                            str(r["failed"]))
                continue
            tab.add_row(f"{n:,}", f"{r['rss_mib']:.0f}", f"{r['rss_mib'] - base_mib:.0f}",
                        f"{r['validate_s']:.2f}", f"{r['run_s']:.2f}", f"{r['wall_s']:.2f}")
            ok.append((n, r["rss_mib"] - base_mib, r["wall_s"]))
        console.print(tab)
        big = [(n, m, t) for n, m, t in ok if n >= 1000 and m > 0]
        if len(big) >= 2:
            ns, ms, ts = zip(*big, strict=True)
            console.print(f"growth exponent over {', '.join(f'{n:,}' for n in ns)}: memory "
                          f"{slope(list(ns), list(ms)):.2f}, time {slope(list(ns), list(ts)):.2f}")


if __name__ == "__main__":
    main()
