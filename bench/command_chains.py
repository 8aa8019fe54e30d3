"""The built-in exercise under two national command chains: the joint air picture's GOSPA and
SIAP, missiles fired and duplicate engagements across chains, with and without link latency,
registration bias and the degraded modes (the table in docs/design.md).

    python bench/command_chains.py [--seed 2019] [--cases 0,1,2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import skyshield
from skyshield.scenario.loader import builtin_scenario_text


def block(latency: str = "0 s", link: str = "", ru: str = "", joint: str = "at: rs_bn") -> str:
    return f"""
command:
  posts:
    ru_bn: {{units: [s400, pantsir]{', ' + ru if ru else ''}}}
    rs_bn: {{units: [neva, kub]}}
  joint: {{{joint}}}
  link: {{latency: {latency}{', ' + link if link else ''}}}
"""


CASES = [
    ("no `command:` block (one fused picture)", ""),
    ("chains, latency 0, no bias", block()),
    ("latency 4 s, dead-reckoned", block("4 s")),
    ("latency 8 s, shown as sent", block("8 s", "extrapolate: false")),
    ("4 s, Russian grid 1.5 km + 0.5° off", block("4 s", ru="bias: {range: 1500 m, azimuth: 0.5}")),
    ("4 s, link cut 20–40 min", block("4 s", "lost_at: 20 min, restored_at: 40 min")),
    ("4 s, joint post lost at 20 min", block("4 s", joint="at: rs_bn, lost_at: 20 min")),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--cases", default=",".join(str(i) for i in range(len(CASES))))
    a = ap.parse_args()
    base = builtin_scenario_text("slavic-shield-2019")
    print("| case | wall s | GOSPA m | localisation m | false | SIAP ambiguity | spuriousness | "
          "completeness | fired | destroyed | duplicates across chains |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for i in (int(x) for x in a.cases.split(",")):
            label, cmd = CASES[i]
            f = Path(d) / f"case{i}.yaml"
            f.write_text(base + cmd)
            t0 = time.perf_counter()
            s = skyshield.run(str(f), seed=a.seed).summary
            wall = time.perf_counter() - t0
            p, si = s["air_picture"], s["air_picture"]["siap"]
            dup = s.get("command", {}).get("duplicate_engagements_across_chains", "—")
            print(f"| {label} | {wall:.1f} | {p['gospa_mean_m']:.0f} | "
                  f"{p['gospa_localisation_mean_m']:.0f} | {p['gospa_false_mean']:.2f} | "
                  f"{si['ambiguity']:.3f} | {si['spuriousness']:.3f} | {si['completeness']:.3f} | "
                  f"{s['missiles_fired']} | {s['threats_destroyed']} | {dup} |", flush=True)


if __name__ == "__main__":
    main()
