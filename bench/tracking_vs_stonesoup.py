"""skyshield's tracker against the Stone Soup peer on identical data, in one run.

    python bench/tracking_vs_stonesoup.py [--peer-python /tmp/ss/bin/python]
        [--peer-script ../shared/bench/stonesoup_peer.py] [--sizes 10,50,200,500]
        [--peer-scans 10:100,50:100,200:30,500:15]
        [--hard clutter,crossing,manoeuvring,formations,straight400]
        [--hard-peer-scans clutter:20] [--extras cmkf,cmkf+jpda,ekf] [--peer-cache DIR]
        [--markdown FILE]

1. Generates the shared scenarios (``generate_scenario`` of the peer script: N targets,
   100 scans, seed 1) and the harder cases of ``bench/hard_scenarios.py``.
2. Runs the Stone Soup peer (EKF + GNN 2-D assignment, Stone Soup 1.9.1) on each file in a
   subprocess — ``--peer-python`` must have stonesoup installed
   (``python -m venv /tmp/ss && /tmp/ss/bin/pip install stonesoup==1.9.1``). Large N run on
   the first K scans only (``--peer-scans``); both trackers are then scored on the same K scans
   and time per scan is compared per scan.
3. Runs skyshield with its DEFAULT settings (``benchmark_params(plots=...)``: what ``skyshield
   track`` uses) on the same files in this process (its own timing per scan, no file reading),
   and the ``--extras`` settings for their GOSPA ratio only.
4. Scores both with GOSPA (c = 2000 m, p = 1, α = 2) after a 10-scan warm-up, the peer's
   convention: every live confirmed track at the scan time (a coasting track is its prediction).
   The peer's GOSPA is its own (numpy implementation, cross-checked in the peer against Stone
   Soup's ``GOSPAMetric``); skyshield's with ``skyshield.tracking.metrics.gospa``, which is also
   checked here against the peer's function on the same tracks.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from skyshield.tracking.metrics import gospa
from skyshield.tracking.standalone import benchmark_params, read_plots, track_scans
from skyshield.tracking.tracker import TrackerParams

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hard_scenarios  # noqa: E402

WARMUP, C, P = 10, 2000.0, 1.0


def load_peer(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("stonesoup_peer", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the peer script {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def truncate(scen: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    """The first ``k`` scans of a scenario."""
    keep = scen["meas_scan"] < k
    out = dict(scen)
    out.update(times=scen["times"][:k], truth=scen["truth"][:k], meas=scen["meas"][keep],
               meas_scan=scen["meas_scan"][keep], meas_truth=scen["meas_truth"][keep])
    return out


def run_peer(python: str, script: Path, path: Path, gospa_impl: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as f:
        out = Path(f.name)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run([python, str(script), "--load", str(path), "--json", str(out),
                        "--gospa", gospa_impl], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(f"peer failed on {path}:\n{p.stderr[-2000:]}")
    res: dict[str, Any] = json.loads(out.read_text().splitlines()[-1])
    out.unlink()
    return res


def run_ours(path: Path, params: TrackerParams, peer_mod: Any) -> dict[str, Any]:
    d = read_plots(path)
    truth = np.load(path)["truth"]  # scoring only, after tracking
    res = track_scans(d["times"], d["meas"], d["meas_scan"], d["sigma"], d["radar_pos"], params)
    S, n = truth.shape[:2]
    parts = [gospa(res.at_scan(k)[:, :3], truth[k, :, :3], C, P) for k in range(S)]
    g = np.array([x.distance for x in parts])
    ref = np.array([peer_mod.gospa_numpy(res.at_scan(k)[:, :3], truth[k, :, :3], C, P)
                    for k in range(S)])
    w = min(WARMUP, max(S - 1, 0))
    return dict(n=n, scans=S, mean_scan_s=float(res.scan_s.mean()),
                mean_gospa_after_warmup=float(g[w:].mean()),
                missed=float(np.mean([x.n_missed for x in parts[w:]])),
                false=float(np.mean([x.n_false for x in parts[w:]])),
                gospa_vs_peer_impl=float(np.abs(g - ref).max()))


def scenario_key(path: Path, script: Path) -> str:
    """A digest of a scenario's arrays and the peer script (the peer cache's key)."""
    h = hashlib.sha256(script.read_bytes())
    with np.load(path) as f:
        for k in sorted(f.files):
            h.update(k.encode())
            h.update(np.ascontiguousarray(f[k]).tobytes())
    return h.hexdigest()[:20]


def peer_result(a: argparse.Namespace, path: Path, gospa_impl: str) -> dict[str, Any]:
    """The peer's result on ``path``, from ``--peer-cache`` when it ran on the same data and
    script before (its GOSPA is deterministic; its time per scan is then that run's)."""
    if a.peer_cache is None:
        return run_peer(a.peer_python, a.peer_script, path, gospa_impl)
    a.peer_cache.mkdir(parents=True, exist_ok=True)
    f = a.peer_cache / f"{scenario_key(path, a.peer_script)}.json"
    if f.exists():
        cached: dict[str, Any] = json.loads(f.read_text())
        return cached
    res = run_peer(a.peer_python, a.peer_script, path, gospa_impl)
    f.write_text(json.dumps(res))
    return res


def parse_extra(spec: str) -> tuple[str, str]:
    filt, _, assoc = spec.partition("+")
    return filt, assoc or "gnn"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer-python", default=sys.executable)
    ap.add_argument("--peer-script", type=Path,
                    default=HERE.parent.parent / "shared" / "bench" / "stonesoup_peer.py")
    ap.add_argument("--sizes", default="10,50,200,500")
    ap.add_argument("--peer-scans", default="10:100,50:100,200:30,500:15")
    ap.add_argument("--hard", default="clutter,crossing,manoeuvring,formations,straight400")
    ap.add_argument("--hard-peer-scans", default="clutter:20",
                    help="hard cases run on their first K scans only (the peer's initiator "
                         "takes minutes per scan in dense clutter)")
    ap.add_argument("--extras", default="cmkf,cmkf+jpda,ekf",
                    help="other skyshield settings scored on every case (GOSPA ratio "
                         "columns), FILTER[+ASSOCIATION]; empty for none")
    ap.add_argument("--peer-cache", type=Path, default=None,
                    help="keep the peer's results here, keyed by the scenario's data and the "
                         "peer script (reruns skip the peer; its timings are then the first "
                         "run's)")
    ap.add_argument("--markdown", type=Path, default=None)
    a = ap.parse_args()
    peer = load_peer(a.peer_script)
    peer_scans = {int(k): int(v) for k, v in (x.split(":") for x in a.peer_scans.split(","))}
    extras = [parse_extra(x) for x in a.extras.split(",") if x]
    tmp = Path(tempfile.mkdtemp(prefix="skyshield-trk-"))
    cases: list[tuple[str, Path]] = []
    for n in (int(x) for x in a.sizes.split(",") if x):
        scen = peer.generate_scenario(n, 100, 1)
        k = peer_scans.get(n, 100)
        path = tmp / f"shared_n{n}_k{k}.npz"
        np.savez_compressed(path, **truncate(scen, k))
        cases.append((f"shared N={n}", path))
    hard_scans = {k: int(v) for k, v in (x.split(":") for x in a.hard_peer_scans.split(",") if x)}
    for name in (x for x in a.hard.split(",") if x):
        path = tmp / f"hard_{name}.npz"
        scen = hard_scenarios.CASES[name]()
        if name in hard_scans:
            scen = truncate(scen, hard_scans[name])
        np.savez_compressed(path, **scen)
        cases.append((name, path))

    con = Console(width=200)
    t = Table(title="skyshield (default settings) vs Stone Soup 1.9.1 (EKF + GNN 2-D "
              "assignment), same data; GOSPA c=2000 m, p=1, α=2 per target after 10 scans")
    cols = ["case", "N", "scans", "default", "skyshield ms/scan", "Stone Soup ms/scan",
            "speed-up", "GOSPA/target skyshield", "GOSPA/target Stone Soup", "GOSPA ratio",
            "missed / false (ours)"] + [f"ratio {f}+{s}" for f, s in extras]
    for col in cols:
        t.add_column(col, justify="left" if col in ("case", "default") else "right")
    rows = []
    for label, path in cases:
        big = np.load(path)["truth"].shape[1] >= 200
        pr = peer_result(a, path, "numpy" if big else "both")
        d = read_plots(path)
        params = benchmark_params(plots=d)
        ours = run_ours(path, params, peer)
        assert ours["gospa_vs_peer_impl"] < 1e-6, "GOSPA implementations disagree"
        n, pg = ours["n"], pr["mean_gospa_after_warmup"]
        row = [label, str(n), str(ours["scans"]), f"{params.filter}+{params.association}",
               f"{ours['mean_scan_s'] * 1e3:.2f}", f"{pr['mean_scan_s'] * 1e3:.1f}",
               f"{pr['mean_scan_s'] / ours['mean_scan_s']:.0f}×",
               f"{ours['mean_gospa_after_warmup'] / n:.1f}", f"{pg / n:.1f}",
               f"{ours['mean_gospa_after_warmup'] / pg:.3f}",
               f"{ours['missed']:.2f} / {ours['false']:.2f}"]
        for filt, assoc in extras:
            ex = run_ours(path, benchmark_params(filt, assoc, plots=d), peer)
            row.append(f"{ex['mean_gospa_after_warmup'] / pg:.3f}")
        t.add_row(*row)
        rows.append(row)
        con.print(" | ".join(row), highlight=False)
    con.print(t)
    if a.markdown:
        head = "| " + " | ".join(cols) + " |\n" + "|---" * len(cols) + "|\n"
        a.markdown.write_text(head + "".join("| " + " | ".join(r) + " |\n" for r in rows))


if __name__ == "__main__":
    main()
