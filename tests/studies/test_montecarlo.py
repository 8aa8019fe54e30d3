"""Monte Carlo studies: the same rows on any number of workers and on Dask, resume after a
killed run, sweeps, and clean refusals."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.studies.montecarlo import montecarlo, replication_seed
from skyshield.studies.sweep import parse_set, sweep, with_values

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "mc_small.yaml"


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def reference(sc):
    """Four replications in this process, one at a time: the rows every other way must give."""
    return montecarlo(sc, 4)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.drop(columns="wall_s"), b.drop(columns="wall_s"))


def test_replication_seeds_depend_on_the_root_and_r_only():
    assert replication_seed(7, 3) == replication_seed(7, 3)
    seeds = {replication_seed(7, r) for r in range(1000)}
    assert len(seeds) == 1000 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seed(8, 3) != replication_seed(7, 3)


def test_a_study_has_a_row_per_replication_with_intervals(reference):
    df = reference
    assert list(df["replication"]) == list(range(4))
    assert df["seed"].tolist() == [replication_seed(7, r) for r in range(4)]
    assert {"any_leak", "threats_destroyed", "missiles_fired", "value_lost"} <= set(df.columns)
    assert df["threats_destroyed"].nunique() > 1  # the seed matters in this scenario
    agg = df.attrs["aggregate"]["metrics"]
    assert agg["any_leak"]["interval"] == "wilson"
    assert agg["missiles_fired"]["interval"] == "t"
    assert agg["missiles_fired"]["ci_low"] <= agg["missiles_fired"]["mean"] <= \
        agg["missiles_fired"]["ci_high"]
    # a replication's row is the single run of its seed
    one = skyshield.run(skyshield.load_scenario(SCENARIO), seed=int(df["seed"][2])).summary
    assert df["missiles_fired"][2] == one["missiles_fired"]
    assert df["threats_leaked"][2] == one["threats_leaked"]


def test_two_local_workers_give_the_same_rows(sc, reference):
    _same(reference, montecarlo(sc, 4, workers=2, batch_size=1))


def test_a_dask_local_cluster_gives_the_same_rows(sc, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        _same(reference, montecarlo(sc, 4, client=client, batch_size=1))


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "skyshield.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=600, **kw)


def test_a_killed_study_resumes_to_exactly_the_uninterrupted_set(tmp_path, sc, reference):
    """kill -9 the study once its first batch is on disk: the folder does not pass for a
    complete study; --resume runs only what is missing, and the result is the uninterrupted
    study's rows, none lost or counted twice."""
    folder = tmp_path / "study"
    p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "montecarlo", str(SCENARIO),
                          "-n", "4", "--out", str(folder), "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not list((folder / "parts").glob("part-*.parquet")):
            assert p.poll() is None, "the study ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(p.pid, signal.SIGKILL)
    finally:
        p.wait()
    meta = json.loads((folder / "study.json").read_text())
    assert meta["complete"] is False
    assert not (folder / "replications.parquet").exists()
    assert not (folder / "aggregate.json").exists()
    before = len(list((folder / "parts").glob("part-*.parquet")))
    assert 1 <= before < 4
    r = _cli("montecarlo", "--resume", folder, "-q")
    assert r.returncode == 0, r.stderr
    df = pd.read_parquet(folder / "replications.parquet")
    _same(reference, df)
    assert json.loads((folder / "study.json").read_text())["complete"] is True
    assert json.loads((folder / "aggregate.json").read_text())["replications"] == 4
    # resuming a complete study runs nothing and changes nothing
    t0 = time.perf_counter()
    _same(reference, montecarlo(out=folder, resume=True))
    assert time.perf_counter() - t0 < 0.5 * 4 * reference["wall_s"].min()  # ran nothing
    _same(reference, pd.read_parquet(folder / "replications.parquet"))


def test_montecarlo_refuses_bad_folders_and_arguments(tmp_path):
    from typer.testing import CliRunner

    from skyshield.cli import app

    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    runner = CliRunner()
    for args, says in (
            (["montecarlo", str(SCENARIO), "-n", "2", "--out", str(tmp_path / "full")],
             "not empty"),
            (["montecarlo", "--resume", str(tmp_path / "nothing")], "nothing to resume"),
            (["montecarlo", str(SCENARIO)], "-n N"),
            (["sweep", str(SCENARIO), "--set", "raids.salvo.cuont=1,2", "-n", "1", "--out",
              str(tmp_path / "sw")], "no such field"),
            (["sweep", str(SCENARIO), "--set", "raids.salvo.count", "-n", "1"], "PATH=VALUE")):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert says in r.stderr and "Traceback" not in r.output, (args, r.stderr)
    assert not (tmp_path / "sw").exists()  # a refused sweep leaves nothing behind


def test_set_paths_are_validated_and_named(sc):
    path, vals = parse_set("raids.salvo.count=2,4")
    assert path == "raids.salvo.count" and vals == [2, 4]
    assert with_values(sc, {"raids.salvo.count": 3}).raids["salvo"].count == 3
    assert with_values(sc, {"duration": "2 min"}).duration == 120.0
    with pytest.raises(skyshield.ScenarioError) as e:
        with_values(sc, {"raids.salvo.cuont": 3})
    assert "--set raids.salvo.cuont=3" in str(e.value) and "no such field" in str(e.value)
    with pytest.raises(skyshield.ScenarioError) as e:
        with_values(sc, {"raids.salvo.count": "many"})
    assert "raids.salvo.count" in str(e.value)


def test_a_sweep_writes_one_table_and_a_plot(tmp_path, sc):
    pytest.importorskip("matplotlib")
    t = sweep(sc, [("raids.salvo.count", [2, 8])], 3, tmp_path / "sw")
    assert len(t) == 6 and set(t["set:raids.salvo.count"]) == {2, 8}
    assert (tmp_path / "sw" / "any_leak.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    spec = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert [p["set"]["raids.salvo.count"] for p in spec["points"]] == [2, 8]
    on_disk = pd.read_parquet(tmp_path / "sw" / "sweep.parquet")
    assert len(on_disk) == 6
    # common random numbers: the two points use the same replication seeds
    assert (on_disk.groupby("point")["seed"].apply(list).tolist()[0]
            == on_disk.groupby("point")["seed"].apply(list).tolist()[1])
    # more missiles in the salvo: at least as many fired on average
    m = on_disk.groupby("set:raids.salvo.count")["missiles_fired"].mean()
    assert m[8] > m[2]
    assert np.isfinite(on_disk["threats_total"]).all()


def test_the_public_api_function():
    df = skyshield.montecarlo(SCENARIO, n=2)
    assert len(df) == 2 and "aggregate" in df.attrs


def test_ctrl_c_stops_a_pool_study_at_once_and_it_resumes(tmp_path, reference):
    """SIGINT (Ctrl-C) to a study on two local workers: it exits with 130 and the resume hint,
    leaves no running workers and no complete-looking folder, and resumes to the same rows."""
    folder = tmp_path / "study"
    n = 16  # long enough that it is still running when the first batch lands
    # a process started in the background by a shell inherits SIGINT ignored; give the study
    # the default disposition, as a terminal would
    p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "montecarlo", str(SCENARIO),
                          "-n", str(n), "--workers", "2", "--out", str(folder), "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while not list((folder / "parts").glob("part-*.parquet")):
        assert p.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    t0 = time.monotonic()
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 130 and "--resume" in stderr
    assert time.monotonic() - t0 < 5.0  # it did not wait for the running batches
    assert json.loads((folder / "study.json").read_text())["complete"] is False
    assert not (folder / "replications.parquet").exists()
    df = montecarlo(out=folder, resume=True, workers=2)
    assert df["replication"].tolist() == list(range(n))
    assert df["seed"].tolist() == [replication_seed(7, r) for r in range(n)]
    _same(reference, df.iloc[:4].reset_index(drop=True)[reference.columns])
