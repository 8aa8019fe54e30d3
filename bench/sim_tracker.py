"""The simulation's air picture under each tracker setting: the built-in exercise (or any
scenario) run with the converted-measurement filter or the IMM, confirmed by M-of-N alone or
with the track score's SPRT, over a few seeds: GOSPA and its parts, SIAP, false tracks
confirmed, and what the fight did with the picture (first track, fired, destroyed, leaked).

    python bench/sim_tracker.py [--seeds 2019,1,2] [--scenario slavic-shield-2019]
                                [--variants cmkf/m_of_n,imm/sprt]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import skyshield
from skyshield.scenario.loader import builtin_scenario_text

VARIANTS = ("cmkf/m_of_n", "cmkf/sprt", "imm/m_of_n", "imm/sprt")
COLUMNS = ("GOSPA m", "localisation m", "missed", "false", "completeness", "ambiguity",
           "spuriousness", "false tracks", "track ids per target", "fired", "destroyed",
           "leaked", "wall s")


def _false_confirmed(events: pd.DataFrame) -> int:
    ev = events
    conf = np.asarray(ev["kind"]) == "track_confirmed"
    return int(np.count_nonzero(np.asarray(ev["truth_id"])[conf] < 0))


def _ids_per_target(events: pd.DataFrame) -> float:
    ev = events
    conf = (np.asarray(ev["kind"]) == "track_confirmed") & (np.asarray(ev["truth_id"]) >= 0)
    tid, trk = np.asarray(ev["truth_id"])[conf], np.asarray(ev["track_id"])[conf]
    if tid.size == 0:
        return float("nan")
    return float(np.mean([np.unique(trk[tid == k]).size for k in np.unique(tid)]))


def measure(text: str, seed: int, variant: str, d: Path) -> dict[str, float]:
    filt, conf = variant.split("/")
    f = d / f"{filt}-{conf}.yaml"
    f.write_text(text + f"\ntracker: {{filter: {filt}, confirmation: {conf}}}\n")
    t0 = time.perf_counter()
    r = skyshield.run(str(f), seed=seed)
    wall = time.perf_counter() - t0
    s = r.summary
    p, si = s["air_picture"], s["air_picture"]["siap"]
    return {"GOSPA m": p["gospa_mean_m"], "localisation m": p["gospa_localisation_mean_m"],
            "missed": p["gospa_missed_mean"], "false": p["gospa_false_mean"],
            "completeness": si["completeness"], "ambiguity": si["ambiguity"],
            "spuriousness": si["spuriousness"], "false tracks": _false_confirmed(r.events),
            "track ids per target": _ids_per_target(r.events),
            "fired": s["missiles_fired"], "destroyed": s["threats_destroyed"],
            "leaked": s["threats_leaked"], "wall s": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="2019,1,2")
    ap.add_argument("--scenario", default="slavic-shield-2019")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    a = ap.parse_args()
    p = Path(a.scenario)
    text = p.read_text(encoding="utf-8") if p.exists() else builtin_scenario_text(a.scenario)
    if "\ntracker:" in text:
        raise SystemExit(f"{a.scenario}: has its own tracker block; remove it to compare")
    seeds = [int(x) for x in a.seeds.split(",")]
    print(f"scenario {a.scenario}, seeds {seeds}: mean over the seeds")
    print("| tracker | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        for v in a.variants.split(","):
            rows = [measure(text, s, v, Path(tmp)) for s in seeds]
            cells = [f"{np.mean([r[c] for r in rows]):.3g}" for c in COLUMNS]
            print(f"| {v} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
