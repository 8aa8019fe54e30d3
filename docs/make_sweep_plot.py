"""The sweep figures under docs/sweeps: leak probability, cruise-missile leakers and missiles
fired of the built-in exercise against the size of the western cruise-missile salvo, 40
replications per point.

    python docs/make_sweep_plot.py [--study studies/cm] [-n 40] [--workers 2] [--out docs/sweeps]
    python docs/make_sweep_plot.py --from studies/cm      # plot an existing sweep, run nothing

The first form runs the sweep that the README shows (the same as ``skyshield sweep
slavic-shield-2019 --set raids.cm_west.count=4,8,16,32 -n 40 --workers 2 --out studies/cm``,
about 20 minutes on two cores), or resumes it if ``--study`` holds a part-finished one, then
plots it; the second plots a finished sweep folder again. The figures are drawn from the
folder's ``sweep.json`` alone (``report.sweep_plot.plot_sweep``). Needs matplotlib (the ``plot``
extra).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

import skyshield
from skyshield.report.sweep_plot import plot_sweep
from skyshield.studies.montecarlo import StudyError
from skyshield.studies.sweep import sweep

SCENARIO = "slavic-shield-2019"
SETS = [("raids.cm_west.count", [4, 8, 16, 32])]
# any_leak counts every leaker (ARMs and the self-screening striker too); the cruise-missile
# leakers are what the salvo size drives
METRICS = ("any_leak", "by_type.cruise_missile_subsonic.leaked", "missiles_fired")
HERE = Path(__file__).resolve().parent


def plot(folder: Path, out: Path) -> list[Path]:
    """The figures of the sweep in ``folder`` as ``out/SCENARIO-cm_west-METRIC.png``."""
    spec = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    name = yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))["name"]
    params = [p for p, _ in spec["sets"]]
    tag = params[0].split(".")[-2] if "." in params[0] else params[0]  # cm_west
    out.mkdir(parents=True, exist_ok=True)
    return [plot_sweep(spec["points"], params, m, out / f"{name}-{tag}-{m}.png", name)
            for m in METRICS]


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--study", type=Path, default=Path("studies/cm"),
                    help="the sweep folder to run or resume (default: studies/cm)")
    ap.add_argument("--from", dest="source", type=Path,
                    help="plot this finished sweep folder; run nothing")
    ap.add_argument("-n", type=int, default=40, help="replications per point (default: 40)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE / "sweeps")
    a = ap.parse_args()
    folder = a.source
    if folder is None:
        folder = a.study
        try:  # a resumed sweep is checked against the scenario and the --set it was run with
            sweep(skyshield.load_scenario(SCENARIO), SETS, a.n, folder, workers=a.workers,
                  resume=(folder / "sweep_spec.json").is_file(), metrics=())
        except (StudyError, skyshield.ScenarioError) as exc:
            _fail(str(exc))
    if not (folder / "sweep.json").is_file():
        _fail(f"{folder}: no sweep.json (not a finished sweep)")
    for png in plot(folder, a.out):
        print(png)


if __name__ == "__main__":
    main()
