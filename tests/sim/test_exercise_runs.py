"""End-to-end runs of the built-in exercise: golden summary, determinism, run folder, API."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.analysis.summary import SUMMARY_KEYS
from skyshield.io.runfolder import RUN_FILES

GOLDEN_DIR = Path(__file__).parents[1] / "golden"


def _golden_view(summary):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_golden", GOLDEN_DIR / "make_golden.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.golden_view(summary)


@pytest.fixture(scope="module")
def golden_run(exercise_2019):
    return exercise_2019


def test_public_api_is_pinned():
    assert sorted(skyshield.__all__) == ["RunResult", "Scenario", "ScenarioError",
                                         "__version__", "load_scenario", "montecarlo", "run"]
    for name in skyshield.__all__:
        assert hasattr(skyshield, name)


def test_golden_summary(golden_run):
    expected = json.loads((GOLDEN_DIR / "slavic-shield-2019.seed2019.json").read_text())
    got = json.loads(json.dumps(_golden_view(golden_run.summary)))
    assert got == expected


def test_exercise_outcome_is_plausible(golden_run):
    s = golden_run.summary
    assert s["friendly_engaged"] == 0 and s["fratricide"] == 0
    assert s["threats_total"] == 21  # 7 routed threats + 8 + 6 raid missiles
    ev = golden_run.events
    # the log is in time order, and every launched interceptor ends exactly once
    assert np.all(np.diff(ev["t_s"].to_numpy()) >= 0)
    ended = ev.loc[ev["kind"].isin(["intercept", "interceptor_lost"]), "weapon_id"]
    assert sorted(ended) == sorted(ev.loc[ev["kind"] == "launch", "weapon_id"])
    # no launch at a track its radars have stopped seeing (a destroyed aircraft's track)
    tr = golden_run.tracks
    for _, launch in ev[ev["kind"] == "launch"].iterrows():
        seen = tr.loc[(tr["track_id"] == launch["track_id"]) & (tr["t_s"] <= launch["t_s"]),
                      "t_s"]
        assert launch["t_s"] - seen.max() <= golden_run.scenario.c2.max_track_age
    # the documented keys, no more and no fewer, include those the issue asks for
    assert tuple(s) == SUMMARY_KEYS
    assert {"threats_total", "threats_destroyed", "threats_leaked", "missiles_fired",
            "friendly_engaged", "events_total", "sim_duration_s", "wall_time_s",
            "seed"} <= set(SUMMARY_KEYS)
    # every kill is a hit of an interceptor that was launched
    assert set(ev.loc[ev["kind"] == "kill", "weapon_id"]) <= set(
        ev.loc[ev["kind"] == "launch", "weapon_id"])
    # truth rows name every entity: interceptors by missile type and weapon id
    tr = golden_run.truth
    launched = {f"{m}#{w}" for m, w in zip(ev.loc[ev["kind"] == "launch", "target"],
                                          ev.loc[ev["kind"] == "launch", "weapon_id"],
                                          strict=True)}
    assert set(tr.loc[tr["kind"] == "interceptor", "name"]) <= launched
    assert set(tr.loc[tr["kind"] == "friendly", "name"]) == {"mig29_cap"}
    # cruise missiles fly low: first detected inside the 4/3-Earth horizon of a 10 m mast
    cm = s["by_type"]["cruise_missile_subsonic"]["first_detection_range_m"]
    assert cm["max"] < 13.0e3 + 48.0e3


def _no_clock(events):
    """The events with the one wall-clock figure (assignment solver time) blanked."""
    ev = events.copy()
    ev.loc[ev["kind"] == "assignment", "value"] = 0.0
    return ev


def test_same_seed_gives_byte_identical_events(golden_run, tmp_path):
    again = skyshield.run("slavic-shield-2019", seed=2019)
    pd.testing.assert_frame_equal(_no_clock(again.events), _no_clock(golden_run.events))
    a = golden_run.save(tmp_path / "a")
    b = again.save(tmp_path / "b")
    for name in ("truth.parquet", "tracks.parquet"):
        assert hashlib.sha256((a / name).read_bytes()).digest() == \
            hashlib.sha256((b / name).read_bytes()).digest(), name


def test_different_seed_gives_a_different_fight(aar_small_run):
    small = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"
    a, b = aar_small_run, skyshield.run(small, seed=12)
    assert not a.events.equals(b.events)
    assert a.summary["seed"] == 11 and b.summary["seed"] == 12


def test_run_folder_is_complete_and_consistent(golden_run, tmp_path):
    path = golden_run.save(tmp_path / "run")
    assert sorted(p.name for p in path.iterdir()) == sorted(RUN_FILES)
    manifest = json.loads((path / "manifest.json").read_text())
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((path / name).read_bytes()).hexdigest() == meta["sha256"]
    assert manifest["seed"] == 2019
    summary = json.loads((path / "summary.json").read_text())
    assert summary["threats_destroyed"] == golden_run.summary["threats_destroyed"]
    ev = pd.read_parquet(path / "events.parquet")
    pd.testing.assert_frame_equal(ev, golden_run.events)
    # the resolved scenario loads again and names the same fight
    again = skyshield.load_scenario(path / "scenario.resolved.yaml")
    assert again.seed == 2019 and again.units.keys() == golden_run.scenario.units.keys()


def test_interrupted_write_leaves_no_folder(golden_run, tmp_path, monkeypatch):
    import skyshield.io.runfolder as rf

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(rf, "_sha256", boom)
    with pytest.raises(KeyboardInterrupt):
        golden_run.save(tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("filt,assoc", [  # each an exercise of its own: on either worker
    pytest.param(f, a, marks=pytest.mark.xdist_group(f"tracker-{f}-{a}"))
    for f, a in [("ekf", "gnn"), ("ukf", "gnn"), ("imm", "gnn"), ("cmkf", "jpda")]])
def test_every_tracker_option_runs_the_exercise(filt, assoc):
    sc = skyshield.load_scenario("slavic-shield-2019")
    sc = sc.model_copy(update={"duration": 1500.0, "tracker": sc.tracker.model_copy(
        update={"filter": filt, "association": assoc})})
    s = skyshield.run(sc, seed=5).summary
    assert s["threats_detected"] >= 3 and s["friendly_engaged"] == 0
    assert s["air_picture"]["siap"]["positional_accuracy_m"] < 300.0


def test_jpda_with_a_nonlinear_filter_is_a_located_error(tmp_path):
    from skyshield.scenario.loader import builtin_scenario_text

    src = builtin_scenario_text("slavic-shield-2019").replace(
        "tracker:", "tracker:\n  filter: ekf\n  association: jpda", 1)
    if "tracker:" not in builtin_scenario_text("slavic-shield-2019"):
        src = builtin_scenario_text("slavic-shield-2019") + \
            "\ntracker:\n  filter: ekf\n  association: jpda\n"
    f = tmp_path / "s.yaml"
    f.write_text(src)
    with pytest.raises(skyshield.ScenarioError) as exc:
        skyshield.load_scenario(str(f))
    (p,) = exc.value.problems
    assert p.path == "tracker.association" and "JPDA" in p.message
