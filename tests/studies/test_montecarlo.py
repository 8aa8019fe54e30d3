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
import psutil
import pytest

import skyshield
from skyshield.studies import montecarlo as mc
from skyshield.studies.montecarlo import StudyError, montecarlo, replication_seed
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
    """The same rows bit for bit (wall_s aside)."""
    pd.testing.assert_frame_equal(a.drop(columns="wall_s"), b.drop(columns="wall_s"),
                                  check_exact=True)


def _files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` with its modification time and contents."""
    return {str(f.relative_to(folder)): (f.stat().st_mtime_ns, f.read_bytes())
            for f in sorted(folder.rglob("*")) if f.is_file()}


def _no_runs(monkeypatch):
    """Make running any replication in this process a test failure."""
    def refuse(*args, **kw):
        raise AssertionError("a replication ran")
    monkeypatch.setattr(mc, "run_replications", refuse)


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


@pytest.mark.slow
def test_two_local_workers_give_the_same_rows(sc, reference):
    _same(reference, montecarlo(sc, 4, workers=2, batch_size=1))


@pytest.mark.slow
def test_a_pool_of_one_worker_process_gives_the_same_rows(sc, reference, monkeypatch):
    pools, real = [], mc._run_pool
    monkeypatch.setattr(mc, "_run_pool", lambda workers, *a: pools.append(workers)
                        or real(workers, *a))
    _same(reference, montecarlo(sc, 4, workers=1, pool=True, batch_size=2))
    assert pools == [1]


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_rows(sc, reference):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        _same(reference, montecarlo(sc, 4, client=client, batch_size=1))


def _cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "skyshield.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=600, **kw)


@pytest.mark.slow
def test_a_killed_study_resumes_to_exactly_the_uninterrupted_set(tmp_path, sc, reference,
                                                                 monkeypatch):
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
    before = _files(folder)
    _no_runs(monkeypatch)
    _same(reference, montecarlo(out=folder, resume=True))
    assert _files(folder) == before


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


@pytest.mark.slow
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


def test_an_unknown_sweep_metric_is_refused_at_the_first_point_and_resumes(tmp_path, sc):
    with pytest.raises(StudyError, match="--metrics: no metric 'nope'"):
        sweep(sc, [("raids.salvo.count", [2, 3])], 1, tmp_path / "sw",
              metrics=["any_leak", "nope"])
    assert not (tmp_path / "sw" / "sweep.json").exists()  # nothing passes for a finished sweep
    t = sweep(None, None, None, tmp_path / "sw", resume=True, metrics=["any_leak"])
    assert sorted(t["point"]) == [0, 1]


def test_the_public_api_function():
    df = skyshield.montecarlo(SCENARIO, n=2)
    assert len(df) == 2 and "aggregate" in df.attrs


def _running(procs):
    alive = []
    for q in procs:
        try:
            if q.status() != psutil.STATUS_ZOMBIE:
                alive.append(q)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.slow
def test_kill_9_of_a_study_leaves_no_process_behind(tmp_path):
    """Issue 20: ``kill -9`` of a study's main process left its workers, their fork server and
    the resource tracker running (a worker computed batches nobody would collect). The workers
    watch the study (``montecarlo._watch_study``) and exit; the fork server and the resource
    tracker follow. The issue asks for 5 s; the guard here is longer only for a loaded CI."""
    folder = tmp_path / "study"
    p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "montecarlo", str(SCENARIO),
                          "-n", "64", "--workers", "2", "--out", str(folder), "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not list((folder / "parts").glob("part-*.parquet")):
        assert p.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    helpers = psutil.Process(p.pid).children(recursive=True)
    assert len(helpers) >= 2  # the fork server and the workers under it (and the tracker)
    p.kill()
    p.wait()
    killed = time.monotonic()
    while _running(helpers):
        assert time.monotonic() - killed < 30, f"left running: {_running(helpers)}"
        time.sleep(0.1)
    assert not (folder / "replications.parquet").exists()


@pytest.mark.slow
def test_ctrl_c_stops_a_pool_study_and_it_resumes(tmp_path, reference):
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
    # the fork server and the two workers under it
    helpers = psutil.Process(p.pid).children(recursive=True)
    assert len(helpers) >= 2
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=300)  # a hang guard only
    assert p.returncode == 130 and "--resume" in stderr and "Traceback" not in stderr
    # no worker process is left running (orphans may linger as zombies until reaped)
    deadline = time.monotonic() + 120  # a hang guard only
    while _running(helpers):
        assert time.monotonic() < deadline, f"left running: {_running(helpers)}"
        time.sleep(0.1)
    assert json.loads((folder / "study.json").read_text())["complete"] is False
    assert not (folder / "replications.parquet").exists()
    df = montecarlo(out=folder, resume=True, workers=2)
    assert df["replication"].tolist() == list(range(n))
    assert df["seed"].tolist() == [replication_seed(7, r) for r in range(n)]
    _same(reference, df.iloc[:4].reset_index(drop=True)[reference.columns])


def _invoke(*args):
    """The CLI in this process: (exit code, stderr); an uncaught exception fails the test."""
    from typer.testing import CliRunner

    from skyshield.cli import app

    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), \
        "".join(__import__("traceback").format_exception(r.exception))
    return r.exit_code, r.stderr


@pytest.fixture(scope="module")
def one_done(tmp_path_factory, sc):
    """A complete study of one replication, to copy and damage."""
    folder = tmp_path_factory.mktemp("one") / "study"
    montecarlo(sc, 1, out=folder)
    return folder


def _copy(folder: Path, to: Path) -> Path:
    import shutil

    shutil.copytree(folder, to)
    return to


def test_a_damaged_study_folder_is_a_clear_error(tmp_path, one_done, monkeypatch):
    _no_runs(monkeypatch)
    for name, damage, says in (
            ("truncated", lambda f: (f / "study.json").write_text('{"kind": "skyshield.mon'),
             "study.json: unreadable"),
            ("empty", lambda f: (f / "study.json").write_text("{}"), "not a study's metadata"),
            ("bad_n", lambda f: (f / "study.json").write_text(
                (f / "study.json").read_text().replace('"n": 1', '"n": "x"')), "n is 'x'"),
            ("no_yaml", lambda f: (f / "scenario.resolved.yaml").unlink(),
             "scenario.resolved.yaml is missing"),
            ("no_parts", lambda f: __import__("shutil").rmtree(f / "parts"),
             "parts is missing"),
            ("other_yaml", lambda f: (f / "scenario.resolved.yaml").write_text(
                (f / "scenario.resolved.yaml").read_text().replace("count: 8", "count: 9")),
             "not the scenario the study was run on")):
        folder = _copy(one_done, tmp_path / name)
        damage(folder)
        code, stderr = _invoke("montecarlo", "--resume", folder, "-q")
        assert code == 2 and says in stderr, (name, stderr)
        assert "cannot write" not in stderr
        with pytest.raises(StudyError, match=says):
            montecarlo(out=folder, resume=True)


def test_a_damaged_sweep_folder_is_a_clear_error(tmp_path, one_done, monkeypatch):
    _no_runs(monkeypatch)
    for name, spec, says in (
            ("truncated", '{"kind": "skyshield.sweep", "se', "sweep_spec.json: unreadable"),
            ("sets", '{"kind": "skyshield.sweep", "sets": 5, "n": 1}', "sets is 5"),
            ("pairs", '{"kind": "skyshield.sweep", "sets": [["raids.salvo.count"]], "n": 1}',
             "not a list of [path, [values]]"),
            ("dict", '{"kind": "skyshield.sweep", "sets": [["raids", [{"a": 1}]]], "n": 1}',
             "not a single number"),
            ("n", '{"kind": "skyshield.sweep", "sets": [["raids.salvo.count", [2]]]}',
             "n is None")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "scenario.resolved.yaml").write_bytes(
            (one_done / "scenario.resolved.yaml").read_bytes())
        (folder / "sweep_spec.json").write_text(spec)
        code, stderr = _invoke("sweep", "--resume", folder, "-q")
        assert code == 2 and says in stderr, (name, stderr)
    (tmp_path / "pairs" / "scenario.resolved.yaml").unlink()
    (tmp_path / "pairs" / "sweep_spec.json").write_text(
        '{"kind": "skyshield.sweep", "sets": [["raids.salvo.count", [2]]], "n": 1}')
    code, stderr = _invoke("sweep", "--resume", tmp_path / "pairs", "-q")
    assert code == 2 and "scenario.resolved.yaml is missing" in stderr, stderr


_KILL_AT_STUDY_JSON = """
import os, signal, sys
from pathlib import Path
import skyshield
from skyshield.studies import montecarlo as mc
from skyshield.studies.sweep import sweep
write = mc._write_json
def killing(obj, path):
    # SIGKILL as the study.json of the folder being created (a point's: {point}) is written
    folder = path.parent.name  # pNNN, or .pNNN.XXXX.partial while it is being made
    if path.name == "study.json" and {point!r} in (None, folder.lstrip(".").split(".")[0]):
        os.kill(os.getpid(), signal.SIGKILL)
    write(obj, path)
mc._write_json = killing
sc = skyshield.load_scenario(sys.argv[1])
{call}
"""


@pytest.mark.slow
def test_a_study_killed_while_its_folder_is_made_leaves_it_reusable(tmp_path, sc, reference):
    folder = tmp_path / "study"
    code = _KILL_AT_STUDY_JSON.format(point=None, call="mc.montecarlo(sc, 2, out=sys.argv[2])")
    r = subprocess.run([sys.executable, "-c", code, str(SCENARIO), str(folder)], timeout=600)
    assert r.returncode == -signal.SIGKILL
    # no half-made folder under the name (at most a hidden .partial one beside it)
    assert not folder.exists()
    _same(reference.iloc[:2], montecarlo(sc, 2, out=folder))


@pytest.mark.slow
def test_a_sweep_killed_while_a_point_folder_is_made_resumes(tmp_path, sc):
    folder = tmp_path / "sw"
    call = "sweep(sc, [('raids.salvo.count', [2, 3])], 1, sys.argv[2], metrics=())"
    code = _KILL_AT_STUDY_JSON.format(point="p001", call=call)
    r = subprocess.run([sys.executable, "-c", code, str(SCENARIO), str(folder)], timeout=600)
    assert r.returncode == -signal.SIGKILL
    assert (folder / "points" / "p000" / "study.json").is_file()
    assert not (folder / "points" / "p001").exists()
    t = sweep(None, None, None, folder, resume=True, metrics=())
    assert t["set:raids.salvo.count"].tolist() == [2, 3]
    assert t["seed"].tolist() == [replication_seed(7, 0)] * 2


def test_a_part_from_another_scenario_is_refused(tmp_path, sc, one_done):
    other = tmp_path / "other"
    montecarlo(with_values(sc, {"raids.salvo.count": 4}), 1, out=other)  # same root seed
    folder = _copy(one_done, tmp_path / "study")
    part = folder / "parts" / "part-0000000-0000000.parquet"
    part.write_bytes((other / "parts" / part.name).read_bytes())
    with pytest.raises(StudyError, match="another scenario"):
        montecarlo(out=folder, resume=True)


def test_resume_refuses_options_that_differ_from_the_stored_ones(tmp_path, sc, one_done,
                                                                  monkeypatch):
    _no_runs(monkeypatch)
    folder = _copy(one_done, tmp_path / "study")
    code, stderr = _invoke("montecarlo", "--resume", folder, "--seed", 8, "-q")
    assert code == 2 and "root seed is 7, not 8" in stderr, stderr
    code, stderr = _invoke("montecarlo", "--resume", folder, "--seed", 7, "-q")  # the same
    assert code == 0, stderr
    monkeypatch.undo()
    sw = tmp_path / "sw"
    sweep(sc, [("raids.salvo.count", [2])], 1, sw, metrics=())
    _no_runs(monkeypatch)
    other = tmp_path / "other.yaml"
    other.write_text(SCENARIO.read_text().replace("count: 8", "count: 9"))
    for args, says in (([other], "another scenario"),
                       (["--set", "raids.salvo.count=5"], "run with --set raids.salvo.count=2"),
                       (["--set", "raids.salvo.count=2", "--set", "duration=300"],
                        "run with --set")):
        code, stderr = _invoke("sweep", "--resume", sw, *args, "-q")
        assert code == 2 and says in stderr, (args, stderr)
    code, stderr = _invoke("sweep", "--resume", sw, SCENARIO, "--set", "raids.salvo.count=2",
                           "-q")
    assert code == 0, stderr


def test_a_mapping_as_a_swept_value_is_refused_before_anything_runs(tmp_path, monkeypatch):
    _no_runs(monkeypatch)
    with pytest.raises(skyshield.ScenarioError, match="single number, word or quantity"):
        parse_set("units.sam.doctrine={salvo: 2}")
    with pytest.raises(skyshield.ScenarioError, match="single number"):
        parse_set("raids.salvo.count=[2]")
    assert parse_set("start_time=2019-10-25")[1] == ["2019-10-25"]  # a date stays text
    code, stderr = _invoke("sweep", SCENARIO, "--set", "units.sam.doctrine={salvo: 2}", "-n", 1,
                           "--out", tmp_path / "sw", "-q")
    assert code == 2 and "units.sam.doctrine.FIELD" in stderr, stderr
    assert not (tmp_path / "sw").exists()
    with pytest.raises(skyshield.ScenarioError, match="single number"):
        sweep(skyshield.load_scenario(SCENARIO), [("units.sam.doctrine", [{"salvo": 2}])], 1,
              tmp_path / "sw2")
    assert not (tmp_path / "sw2").exists()


def test_a_killed_dask_worker_is_a_study_error_that_says_resume(tmp_path, sc, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import dask

    def die(*args, **kw):  # pickled by value: the worker process exits running it
        os._exit(1)

    monkeypatch.setattr(mc, "run_replications", die)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with pytest.raises(StudyError, match="a worker died.*resume the study"):
            montecarlo(sc, 2, client=client, out=tmp_path / "study")
    assert json.loads((tmp_path / "study" / "study.json").read_text())["complete"] is False


def test_when_every_dask_worker_dies_the_message_says_so_not_the_scheduler(tmp_path, sc,
                                                                           monkeypatch):
    """Issue 20: after all of a study's workers died (worker and nanny killed), the scheduler
    still answered but the message blamed it ("the scheduler was lost or restarted")."""
    distributed = pytest.importorskip("distributed")

    def die(*args, **kw):  # pickled by value: the worker process exits running it
        os._exit(1)

    monkeypatch.setattr(mc, "run_replications", die)
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        worker = subprocess.Popen(  # one worker and no nanny: nobody restarts it
            [sys.executable, "-m", "distributed.cli.dask_worker", cluster.scheduler_address,
             "--no-nanny", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(1, timeout=60)
            with pytest.raises(StudyError) as err:
                montecarlo(sc, 2, client=client, out=tmp_path / "study")
            assert worker.wait(timeout=30) == 1  # it died running the batch
            assert client.sync(client.scheduler.ncores) == {}  # the scheduler is up, alone
        finally:
            worker.kill()
            worker.wait()
    said = str(err.value)
    assert "every worker died or left" in said and "resume the study" in said, said
    assert "scheduler was lost" not in said
    assert json.loads((tmp_path / "study" / "study.json").read_text())["complete"] is False


@pytest.mark.slow
def test_an_unreachable_dask_scheduler_is_a_clear_error(tmp_path):
    import socket

    with socket.socket() as s:  # a port with nothing listening on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = _cli("montecarlo", SCENARIO, "-n", 1, "--dask", f"tcp://127.0.0.1:{port}", "--out",
             tmp_path / "study", "-q",
             env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert r.returncode == 2 and "cannot reach the scheduler" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "study").exists()


def test_the_progress_bar_starts_a_resumed_study_at_what_it_had():
    from rich.console import Console
    from rich.progress import Progress

    from skyshield.cli import _tick

    now = [100.0]
    bar = Progress(console=Console(file=__import__("io").StringIO()), get_time=lambda: now[0])
    update = _tick(bar, "study")
    update(6, 10)  # six replications were in the folder
    task = bar.tasks[0]
    assert task.completed == 6 and task.total == 10
    for t, done in ((110.0, 7), (120.0, 9)):  # then three ran in twenty seconds
        now[0] = t
        update(done, 10)
    assert task.completed == 9
    assert task.fields["rate"] == "0.15/s"  # three in twenty seconds, not nine
    assert task.speed == pytest.approx(0.2)  # rich's estimate: between its first and last


@pytest.mark.slow
def test_a_resumed_sweep_reports_what_it_had_before_it_runs(tmp_path, sc):
    folder = tmp_path / "sw"
    sweep(sc, [("raids.salvo.count", [2, 3])], 2, folder, metrics=())
    calls = []
    sweep(None, None, 3, folder, resume=True, metrics=(), progress=lambda d, t: calls.append(d))
    assert calls == [4, 5, 6]  # two points had two each; one more each
    # the new n is the sweep's own now: a resume without it runs nothing
    assert json.loads((folder / "sweep_spec.json").read_text())["n"] == 3
    assert len(sweep(None, None, None, folder, resume=True, metrics=())) == 6


@pytest.mark.slow
def test_a_lost_dask_scheduler_is_a_clear_error_and_the_study_resumes(tmp_path, reference):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "study"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "montecarlo", str(SCENARIO),
                              "-n", "12", "--dask", cluster.scheduler_address, "--out",
                              str(folder), "-q"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300  # a hang guard only
        while not list((folder / "parts").glob("part-*.parquet")):
            assert p.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    # the cluster is gone under the running study
    _, stderr = p.communicate(timeout=300)  # a hang guard only
    assert p.returncode == 2, stderr
    assert "the Dask cluster failed" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    assert json.loads((folder / "study.json").read_text())["complete"] is False
    df = montecarlo(out=folder, resume=True)
    _same(reference, df.iloc[:4].reset_index(drop=True)[reference.columns])


def test_a_study_stopped_while_it_is_extended_does_not_look_complete(tmp_path, one_done,
                                                                      monkeypatch):
    """Resuming a complete study with a larger n, stopped before the new replications are in:
    the folder says it is not complete and holds no results of the smaller study."""
    folder = _copy(one_done, tmp_path / "study")

    def interrupted(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(mc, "run_replications", interrupted)
    with pytest.raises(KeyboardInterrupt):
        montecarlo(None, 3, out=folder, resume=True)
    meta = json.loads((folder / "study.json").read_text())
    assert meta["complete"] is False and meta["n"] == 3
    assert not (folder / "replications.parquet").exists()
    assert not (folder / "aggregate.json").exists()
