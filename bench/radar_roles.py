"""First detections and track starts by radar and by radar role, from runs' events.

    python bench/radar_roles.py RUN_DIR [RUN_DIR ...]
    python bench/radar_roles.py --run slavic-shield-2019 --seed 2019 [--out runs/roles]

A first detection is the ``first_detection`` event of a vehicle (the radar that saw it first);
a track start is a ``track_confirmed`` event (the radar of the confirming plot). A radar's role
is its catalogue type's (the part of the radar's name before ``@``) in the catalogue given, by
default the built-in one, so folders written by any version compare under today's roles.
Computed from the folders' events only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from skyshield.scenario.catalogue import load_catalogue


def table(ev: pd.DataFrame, roles: dict[str, str]) -> pd.DataFrame:
    """Rows: radars, then one row per role and a total; columns: first detections, track
    starts (``ev``: a run's events)."""
    parts = []
    for kind, col in (("first_detection", "first detections"),
                      ("track_confirmed", "track starts")):
        parts.append(ev.loc[ev["kind"] == kind, "source"].value_counts().rename(col))
    by_radar = pd.concat(parts, axis=1).fillna(0).astype(int).sort_index()
    by_radar.index.name = "radar"
    def role_of(name: str) -> str:
        # the pseudo-sensors: a unit's electro-optical channel (``unit:EO``) and the passive
        # fixes triangulated from jam strobes (``passive``)
        if name.endswith(":EO"):
            return "electro-optical"
        if name == "passive":
            return "passive (strobes)"
        return roles.get(name.split("@")[0], "?")

    role = by_radar.index.map(lambda n: role_of(str(n)))
    by_role = by_radar.groupby(role).sum()
    by_role.index = [f"role: {r}" for r in by_role.index]
    total = by_radar.sum().to_frame("total").T
    return pd.concat([by_radar, by_role, total])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--run", help="a scenario to run first (name or file)")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--out", type=Path, help="with --run: also write the run folder here")
    ap.add_argument("--catalogue", type=Path, help="catalogue file for the roles")
    a = ap.parse_args(argv)
    runs = [(str(f), pd.read_parquet(f / "events.parquet", columns=["kind", "source"]))
            for f in a.folders]
    if a.run:
        from skyshield import run
        res = run(a.run, seed=a.seed)
        if a.out is not None:
            res.save(a.out)
        runs.append((f"{a.run} seed {a.seed}", res.events))
    if not runs:
        ap.error("give run folders or --run")
    cat = load_catalogue(a.catalogue) if a.catalogue else load_catalogue()
    roles = {name: r.role for name, r in cat.radars.items()}
    for name, ev in runs:
        print(f"== {name}")
        print(table(ev, roles).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
