"""The built-in exercise under two fire-control doctrines, side by side (issue 21).

    python bench/doctrine.py [N] [--workers W] [--scenario NAME] [--out DIR]

Runs N replications (default 100) of the scenario (default the built-in ``slavic-shield-2019``)
under ``c2.assignment: wta`` (the old objective: expected surviving threat value only) and under
``c2.assignment: lookahead`` (the economy: rounds' prices, rounds kept for the threats still
coming, the later layers' shots; ``c2.economy``), with the same root seed, so replication r of
both studies draws the same random numbers wherever the fights agree (common random numbers).
Prints, per doctrine, the mean and 95 % interval of missiles per kill, leakers, value lost,
rounds left at the end and cost spent, and the paired difference (new − old) with its 95 % t
interval. The studies are kept in ``--out`` (default ``runs/doctrine``) and resumed if there.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy import stats

from skyshield.scenario.loader import load_scenario
from skyshield.studies.montecarlo import load_study, montecarlo
from skyshield.studies.sweep import with_values

METRICS = (("missiles_per_kill", "missiles per kill", 3), ("threats_leaked", "leakers", 2),
           ("value_lost", "value lost", 2), ("ammunition.rounds_left", "rounds left", 1),
           ("ammunition.cost_spent_usd", "cost spent, USD m", 2),
           ("missiles_fired", "rounds fired", 1), ("threats_destroyed", "threats destroyed", 2),
           ("friendly_engaged", "friendly engaged", 2))


def ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size < 2:
        return m, math.nan, math.nan
    h = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - h, m + h


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("n", type=int, nargs="?", default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scenario", default="slavic-shield-2019")
    ap.add_argument("--out", type=Path, default=Path("runs/doctrine"))
    ap.add_argument("--only", choices=("wta", "lookahead"),
                    help="run (or resume) one doctrine's study only; no table")
    ap.add_argument("--table", action="store_true",
                    help="only the table, from the replications both studies have so far")
    a = ap.parse_args()
    base = load_scenario(a.scenario)
    dfs = {}
    for doctrine in ("wta", "lookahead"):
        folder = a.out / doctrine
        if a.table:
            dfs[doctrine] = load_study(folder)[1]
            continue
        if a.only and doctrine != a.only:
            continue
        sc = with_values(base, {"c2.assignment": doctrine})
        resume = (folder / "study.json").exists()
        dfs[doctrine] = montecarlo(None if resume else sc, a.n, workers=a.workers, out=folder,
                                   resume=resume, root_seed=2019 if not resume else None)
    if a.only:
        return
    old, new = dfs["wta"].set_index("replication"), dfs["lookahead"].set_index("replication")
    common = old.index.intersection(new.index)
    t = Table(title=f"{a.scenario}: {len(common)} replications per doctrine, 95 % intervals")
    for c in ("metric", "old (wta)", "new (lookahead)", "new − old (paired)"):
        t.add_column(c, justify="left" if c == "metric" else "right")
    for col, label, nd in METRICS:
        scale = 1e-6 if "usd" in col else 1.0
        cells = [label]
        for df in (old, new):
            x = df.loc[common, col].to_numpy(dtype=float) * scale if col in df else np.zeros(0)
            m, lo, hi = ci(x)
            cells.append(f"{m:.{nd}f} [{lo:.{nd}f}, {hi:.{nd}f}]")
        if col in old and col in new:
            d = (new.loc[common, col].to_numpy(dtype=float)
                 - old.loc[common, col].to_numpy(dtype=float)) * scale
            m, lo, hi = ci(d)
            cells.append(f"{m:+.{nd}f} [{lo:+.{nd}f}, {hi:+.{nd}f}]")
        else:
            cells.append("-")
        t.add_row(*cells)
    Console().print(t)


if __name__ == "__main__":
    main()
