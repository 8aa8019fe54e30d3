"""The analyst's table of a set of runs: what the fight concludes, beside the public figures.

    python bench/fidelity_table.py RUN_DIR [RUN_DIR ...]          # run folders already written
    python bench/fidelity_table.py --run slavic-shield-2019 --seeds 2019-2028 --out runs/ft

Per threat type: first-detection range; per missile: launches, launch range (launcher to the
target's truth at launch), time of flight and average speed of the flights that ended in an
intercept event (launcher to fuze point / flight time); missiles per kill and leakers; Pk by
missile and target class (end games that found a target). Computed from the run folders'
events and truth only (launch ranges from the truth, so folders of any version compare).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

CATEGORY = {"small_recon_uav": "uav", "male_recon_uav": "uav",
            "cruise_missile_subsonic": "cruise_missile", "strike_aircraft": "aircraft",
            "strike_aircraft_ecm": "aircraft", "standoff_jammer": "jammer",
            "anti_radiation_missile": "anti_radiation_missile", "mig29": "aircraft"}


def _one(folder: Path) -> dict[str, pd.DataFrame]:
    ev = pd.read_parquet(folder / "events.parquet")
    tr = pd.read_parquet(folder / "truth.parquet")
    spawn = ev[ev["kind"] == "spawn"].drop_duplicates("truth_id").set_index("truth_id")["target"]
    fd = ev[ev["kind"] == "first_detection"].copy()
    fd["type"] = fd["truth_id"].map(spawn)
    la = ev[ev["kind"] == "launch"].set_index("weapon_id")
    ic = ev[(ev["kind"] == "intercept")].set_index("weapon_id")
    rows = []
    for wid, r in la.iterrows():
        tid = int(r["truth_id"])
        rng = np.nan
        if tid >= 0:
            t = tr[tr["entity_id"] == tid]
            if len(t):
                p = [np.interp(r["t_s"], t["t_s"], t[c]) for c in ("x_m", "y_m", "z_m")]
                rng = float(np.linalg.norm(np.subtract(p, [r["x_m"], r["y_m"], r["z_m"]])))
        row = {"missile": r["target"], "launch_range_km": rng / 1e3, "tof_s": np.nan,
               "avg_speed_mps": np.nan, "intercept_range_km": np.nan}
        if wid in ic.index and r.get("tag", "") != "gun burst":
            i = ic.loc[wid]
            if isinstance(i, pd.DataFrame):
                i = i.iloc[0]
            tof = float(i["t_s"] - r["t_s"])
            d = float(np.linalg.norm([i["x_m"] - r["x_m"], i["y_m"] - r["y_m"],
                                      i["z_m"] - r["z_m"]]))
            row.update(tof_s=tof, avg_speed_mps=d / tof if tof > 0 else np.nan,
                       intercept_range_km=d / 1e3)
        rows.append(row)
    eg = ev[(ev["kind"] == "intercept") & (ev["truth_id"] >= 0)
            & ev["tag"].isin(["hit", "missed"])].copy()  # not "target already gone"
    eg["category"] = eg["truth_id"].map(spawn).map(CATEGORY)
    eg["hit"] = eg["tag"] == "hit"
    hostile = spawn[ev[ev["kind"] == "spawn"].drop_duplicates("truth_id").set_index(
        "truth_id")["tag"] == "hostile"]
    kills = set(ev.loc[ev["kind"] == "kill", "truth_id"])
    leaks = set(ev.loc[ev["kind"] == "leak", "truth_id"])
    fate = pd.DataFrame({"type": hostile.values,
                         "killed": [t in kills for t in hostile.index],
                         "leaked": [t in leaks for t in hostile.index]})
    return {"fd": fd[["type", "value"]], "launch": pd.DataFrame(rows),
            "endgame": eg[["target", "category", "hit"]], "fate": fate}


def table(folders: list[Path]) -> str:
    parts = [_one(f) for f in folders]
    cat = {k: pd.concat([p[k] for p in parts], ignore_index=True) for k in parts[0]}
    out = [f"runs: {len(folders)}", "", "first detection range by threat type (km)",
           "| type | n | mean | min | max |", "|---|---|---|---|---|"]
    for typ, g in cat["fd"].groupby("type"):
        v = g["value"] / 1e3
        out.append(f"| {typ} | {len(v)} | {v.mean():.1f} | {v.min():.1f} | {v.max():.1f} |")
    out += ["", "launches by missile (intercept flights: time of flight, average speed)",
            "| missile | launches | launch range km median | TOF s median | intercept range km "
            "median | average speed m/s median |", "|---|---|---|---|---|---|"]
    for m, g in cat["launch"].groupby("missile"):
        out.append(f"| {m} | {len(g)} | {g['launch_range_km'].median():.1f} | "
                   f"{g['tof_s'].median():.1f} | {g['intercept_range_km'].median():.1f} | "
                   f"{g['avg_speed_mps'].median():.0f} |")
    f = cat["fate"]
    n_l = len(cat["launch"])
    out += ["", f"missiles fired {n_l}, threats {len(f)}, killed {int(f['killed'].sum())}, "
            f"leaked {int(f['leaked'].sum())}, missiles per kill "
            f"{n_l / max(int(f['killed'].sum()), 1):.2f}, leakers per run "
            f"{f['leaked'].sum() / len(folders):.2f}", "",
            "Pk by missile and target class (end games with a target: kills / end games)",
            "| missile | class | end games | Pk |", "|---|---|---|---|"]
    for (m, c), g in cat["endgame"].groupby(["target", "category"]):
        out.append(f"| {m} | {c} | {len(g)} | {g['hit'].mean():.2f} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--run", help="a scenario to run first (built-in name or file)")
    ap.add_argument("--seeds", default="2019", help="FIRST-LAST or one seed")
    ap.add_argument("--out", type=Path, default=Path("runs/fidelity"))
    a = ap.parse_args()
    folders = list(a.folders)
    if a.run:
        import skyshield

        lo, _, hi = a.seeds.partition("-")
        for s in range(int(lo), int(hi or lo) + 1):
            dest = a.out / f"s{s}"
            if not dest.exists():
                skyshield.run(skyshield.load_scenario(a.run), seed=s).save(dest)
            folders.append(dest)
    if not folders:
        ap.error("no run folders")
    print(table(folders))
    return 0


if __name__ == "__main__":
    sys.exit(main())
