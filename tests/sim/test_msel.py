"""The scenario's MSEL (master scenario events list): timed commands that are the live
exercise's own — validated by the same models with located errors, applied as the same
``command`` events from the role ``msel`` in a batch run and a live one alike, and never
journaled, so that a live exercise with an MSEL replays and resumes to the identical event log.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import skyshield
from skyshield.api import resolved_yaml
from skyshield.cli import app
from skyshield.engine.events import EventLog
from skyshield.scenario.errors import ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.commands import CommandError, parse_command
from skyshield.sim.live import LiveExercise, read_journal, replay_journal

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"
FLOATS = [k for k, v in EventLog().columns().items() if v.dtype == np.float64]

# aar_small (a Pantsir-S1 and a Kub-M against two cruise missiles, a friendly MiG-29) with a
# script that uses every MSEL command once
MSEL = """
msel:
  - {at: 10 s, cmd: roe, unit: kub, roe: weapons_hold}
  - {at: 20 s, cmd: cut_link, unit: pantsir}
  - {at: 20 s, cmd: emcon, unit: kub, mode: "off"}
  - {at: 40 s, cmd: inject, type: cruise_missile_subsonic,
     from: {lat: 44.92, lon: 19.95, alt: 120}, to: base}
  - {at: 45 s, cmd: raid, type: cruise_missile_subsonic, count: 2, spacing: 4,
     from: {lat: 44.85, lon: 19.9}, to: base, alt: 150}
  - {at: 50 s, cmd: emcon, unit: kub, mode: "on"}
  - {at: 55 s, cmd: roe, unit: kub, roe: weapons_free}
  - {at: 60 s, cmd: restore_link, unit: pantsir}
  - {at: 70 s, cmd: destroy_unit, unit: kub}
  - {at: 80 s, cmd: restore_unit, unit: kub}
  - {at: 90 s, cmd: destroy_radar, unit: pantsir, radar: search}
  - {at: 100 s, cmd: restore_radar, unit: pantsir, radar: search}
  - {at: 110 s, cmd: emcon, unit: kub, mode: cued}
"""
N_MSEL = 13


def _scenario(extra: str = MSEL, name: str = "msel.yaml"):
    return parse_scenario(SMALL.read_text() + extra, name)


@pytest.fixture(scope="module")
def sc():
    return _scenario()


def _no_clock(cols) -> pd.DataFrame:
    """The event log, a JSON null in a float column read as NaN, the assignment's value (once
    the solver's wall time) left out, as the live tests compare it."""
    df = pd.DataFrame(cols)
    df[FLOATS] = df[FLOATS].astype(float)
    df.loc[df["kind"] == "assignment", "value"] = 0.0
    return df.reset_index(drop=True)


def _drive(ex, until, plan=None):
    """Advance in 0.5 s ticks, sending ``plan[t]`` as the controller after the tick at t."""
    for t in np.arange(0.5, until + 1e-9, 0.5):
        ex.advance(float(t))
        if plan and float(t) in plan:
            ex.command("controller", plan[float(t)])


# ------------------------------------------------------------------ what the MSEL does
def test_every_msel_command_applies_at_its_instant_as_a_command_event_of_role_msel(sc):
    ev = skyshield.run(sc).events
    cmd = ev[ev["kind"] == "command"]
    assert len(cmd) == N_MSEL and set(cmd["source"]) == {"msel"}
    assert cmd["t_s"].tolist() == [e.at for e in sc.msel]
    assert cmd["target"].tolist() == [e.cmd for e in sc.msel]
    # the command as applied: its fields, as a live controller sends them (no defaults)
    assert json.loads(cmd["info"].iloc[0]) == {"cmd": "roe", "unit": "kub",
                                               "roe": "weapons_hold"}

    def one(kind, **cols):
        rows = ev[ev["kind"] == kind]
        for k, v in cols.items():
            rows = rows[rows[k] == v]
        return rows["t_s"].tolist()

    assert one("roe_change", source="kub") == [10.0, 55.0]
    assert one("inject", source="msel") == [40.0, 45.0, 45.0]  # an inject and a raid of 2
    # off and on by the MSEL; cued from 110 s: fire control switches it (off once the sky is
    # clear of non-friends near the kub)
    assert one("emission", source="kub_1s91@kub", tag="off")[:1] == [20.0]
    assert one("emission", source="kub_1s91@kub", tag="on")[:1] == [50.0]
    assert one("emission", source="kub_1s91@kub")[2:] == [
        t for t in one("emission", source="kub_1s91@kub") if t > 110.0]
    assert one("unit_destroyed", source="kub") == [70.0]
    assert one("unit_restored", source="kub") == [80.0]
    assert one("radar_destroyed", source="pantsir_search@pantsir") == [90.0]
    assert one("radar_restored", source="pantsir_search@pantsir") == [100.0]
    lost, back = one("link_lost", source="pantsir"), one("link_restored", source="pantsir")
    assert len(lost) == 1 and 20.0 <= lost[0] < 60.0 and len(back) == 1 and back[0] >= 60.0
    # a silent radar does not scan, a radar out of action neither (nor its unit's)
    scans = ev[ev["kind"] == "scan"]
    kub = scans[scans["source"] == "kub_1s91@kub"]["t_s"]
    assert not kub.between(20.0, 50.0, inclusive="neither").any()
    assert not kub.between(70.0, 80.0, inclusive="neither").any()
    search = scans[scans["source"] == "pantsir_search@pantsir"]["t_s"]
    assert not search.between(90.0, 100.0, inclusive="neither").any()
    assert search.between(100.0, 150.0).any() and kub.between(80.0, 150.0).any()
    # the kub neither engaged while silent and holding nor while out of action
    kub_engaged = ev[(ev["kind"] == "engage") & (ev["source"] == "kub")]["t_s"]
    assert not kub_engaged.between(10.0, 55.0).any() and not kub_engaged.between(70.0, 80.0).any()


def test_a_batch_run_and_a_live_run_of_the_same_msel_give_the_same_event_log(sc, tmp_path):
    batch = skyshield.run(sc).events
    ex = LiveExercise(sc, tmp_path / "live")
    _drive(ex, 150.0)
    assert ex.ended
    live = _no_clock(ex.sim.log.columns())
    pd.testing.assert_frame_equal(live, _no_clock({k: batch[k].to_numpy() for k in batch}))
    # the MSEL is the scenario's, not the controller's: nothing of it is in the journal
    commands, _ = read_journal(tmp_path / "live")
    assert commands == []


# ------------------------------------------------------------------ the journal
PLAN = {  # the controller's own commands, one at the very instant of an MSEL entry (20 s)
    12.0: {"cmd": "inject", "type": "cruise_missile_subsonic",
           "from": {"lat": 44.93, "lon": 19.96, "alt": 150}, "to": "base"},
    20.0: {"cmd": "roe", "unit": "pantsir", "roe": "weapons_free"},
    30.0: {"cmd": "destroy_radar", "unit": "kub"},
    75.0: {"cmd": "restore_radar", "unit": "kub"},  # the kub is out of action: refused
}


def _live_with_controller(folder, sc, until):
    ex = LiveExercise(sc, folder)
    refused = []

    def send(t):
        try:
            ex.command("controller", PLAN[t])
        except CommandError as exc:
            refused.append((t, str(exc)))

    for t in np.arange(0.5, until + 1e-9, 0.5):
        ex.advance(float(t))
        if float(t) in PLAN:
            send(float(t))
    return ex, refused


def test_a_live_journal_with_an_msel_replays_and_resumes_to_the_identical_event_log(sc,
                                                                                    tmp_path):
    """The controller's commands are journaled, the MSEL's are not (the scenario holds them):
    the journal replayed offline, and resumed after a crash — from the scenario written into the
    exercise's folder as ``serve --resume`` reads it — gives the identical event log, every MSEL
    command applied exactly once."""
    folder = tmp_path / "x"
    ex, refused = _live_with_controller(folder, sc, 150.0)
    assert [t for t, _ in refused] == [75.0] and "out of action" in refused[0][1]
    live = _no_clock(ex.sim.log.columns())
    cmd = live[live["kind"] == "command"]
    assert (cmd["source"] == "msel").sum() == N_MSEL and (cmd["source"] == "controller").sum() == 3
    # at 20 s the MSEL entries (scheduled when the exercise started) come before the controller's
    at20 = cmd[cmd["t_s"] == 20.0][["source", "target"]].values.tolist()
    assert at20 == [["msel", "cut_link"], ["msel", "emcon"], ["controller", "roe"]]
    commands, events = read_journal(folder)
    assert [c["role"] for c in commands] == ["controller"] * 3
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, folder)), live)

    # a crash at 66 s: the journal's commands so far, the events the dead process had written
    crash = tmp_path / "crash"
    ex2, _ = _live_with_controller(crash, sc, 66.0)
    before = _no_clock(ex2.sim.log.columns())
    lines = (crash / "events.jsonl").read_text().splitlines(keepends=True)
    (crash / "events.jsonl").write_text("".join(lines[:-7]))  # some events never written
    # resumed as serve --resume does: the scenario from the exercise's folder
    (crash / "scenario.resolved.yaml").write_text(resolved_yaml(sc, sc.seed))
    again = skyshield.load_scenario(crash / "scenario.resolved.yaml")
    resumed = LiveExercise(again, crash, resume=True)
    got = _no_clock(resumed.sim.log.columns())  # replayed to the last instant written
    assert len(before) - 7 <= len(got) < len(before)
    pd.testing.assert_frame_equal(got, before.iloc[:len(got)])
    resumed.advance(66.0)
    pd.testing.assert_frame_equal(_no_clock(resumed.sim.log.columns()), before)
    assert resumed.seq == 3 and [c["role"] for c in read_journal(crash)[0]] == ["controller"] * 3
    # and it goes on to the same end as the exercise that was never interrupted
    for t in np.arange(66.5, 150.0 + 1e-9, 0.5):
        resumed.advance(float(t))
        if float(t) in PLAN:
            with pytest.raises(CommandError):  # 75 s: refused again, as it was
                resumed.command("controller", PLAN[float(t)])
    pd.testing.assert_frame_equal(_no_clock(resumed.sim.log.columns()), live)
    events = read_journal(crash)[1]
    assert len(events) == len(live)  # the journal's events file is whole again


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_serve_killed_with_an_msel_resumes_from_its_folder_to_the_identical_events(tmp_path):
    """``skyshield serve`` of a scenario file with an MSEL, killed with SIGKILL once the journal
    holds MSEL commands, then resumed from its folder alone (the resolved scenario written
    there): every event the dead server wrote is regenerated identically, the MSEL commands
    once each, and the journal holds none of them."""
    scenario = tmp_path / "msel.yaml"
    scenario.write_text(SMALL.read_text() + MSEL)
    folder, tokens, tok = tmp_path / "x", tmp_path / "tokens.txt", "c0ntroller-token-msel"
    tokens.write_text(f"controller: {tok}\n")
    port = _free_port()
    p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "serve", str(scenario),
                          "--out", str(folder), "--speed", "20", "--tokens", str(tokens),
                          "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while True:
            assert p.poll() is None, p.stderr.read().decode()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/command", method="POST",
            data=json.dumps({"cmd": "roe", "unit": "pantsir", "roe": "weapons_free"}).encode(),
            headers={"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert json.loads(r.read())["seq"] == 1
        events = folder / "events.jsonl"
        while events.read_text().count('"source":"msel"') < 6:  # past the inject at 40 s
            assert p.poll() is None
            time.sleep(0.1)
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.communicate()
    commands, written = read_journal(folder)
    assert [c["role"] for c in commands] == ["controller"]
    shutil.copytree(folder, tmp_path / "copy")
    sc = skyshield.load_scenario(tmp_path / "copy" / "scenario.resolved.yaml")
    ex = LiveExercise(sc, tmp_path / "copy", resume=True)
    log = _no_clock(ex.sim.log.columns())
    before = _no_clock({k: [e[k] for e in written] for k in written[0]})
    pd.testing.assert_frame_equal(log.iloc[:len(before)].reset_index(drop=True), before)
    msel = log[(log["kind"] == "command") & (log["source"] == "msel")]
    assert len(msel) == len(set(msel["t_s"].astype(str) + msel["info"]))  # once each
    ex.advance(150.0)
    done = _no_clock(ex.sim.log.columns())
    assert ((done["kind"] == "command") & (done["source"] == "msel")).sum() == N_MSEL


# ------------------------------------------------------------------ located errors
def _problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(SMALL.read_text() + text, "bad.yaml")
    return [str(p) for p in exc.value.problems]


BASE_LINES = len(SMALL.read_text().splitlines())


def _line(k: int) -> int:
    """The line number in bad.yaml of line k (1-based) of the text appended to aar_small."""
    return BASE_LINES + k


def test_msel_entries_of_the_wrong_shape_are_located_at_their_field():
    """Every entry's first problem, at its own line and field, all at once: the same models (and
    messages) as a live command's."""
    text = """msel:
  - at: 5 min
    cmd: roe
    unit: kub
    roe: weapons_fre
  - at: 6 min
    cmd: approve
    id: 3
  - cmd: cut_link
    unit: kub
  - at: 7 min
    cmd: emcon
    unit: kub
    mode: dark
  - at: 8 parsecs
    cmd: destroy_unit
    unit: kub
  - at: 9 min
    cmd: raid
    type: cruise_missile_subsonic
    count: 0
    from: {lat: 44.85, lon: 19.9}
    to: base
  - at: 10 min
    cmd: cut_link
    unit: kub
    why: exercise
  - at: 1 min
    cmd: inject
    type: cruise_missile_subsonic
    from: {lat: 44.9, lon: 19.9, alt: 100}
    to: {lat: 95, lon: 20}
"""
    got = _problems(text)
    with pytest.raises(CommandError) as live:  # the same command sent live
        parse_command({"cmd": "roe", "unit": "kub", "roe": "weapons_fre"})
    live_msg = str(live.value).split(" (got")[0].removeprefix("roe: ")
    want = [
        (5, "msel.0.roe", live_msg),
        (7, "msel.1.cmd", "one of inject, raid, roe"),
        (9, "msel.2.at", "missing required field"),
        (14, "msel.3.mode", "Input should be 'on', 'off' or 'cued'"),
        (15, "msel.4.at", "parsec"),
        (21, "msel.5.count", "greater than or equal to 1"),
        (27, "msel.6.why", "unknown field"),
        (32, "msel.7.to.lat", "less than or equal to 90"),
    ]
    assert len(got) == len(want), got
    for line, (k, path, words) in zip(got, want, strict=True):
        assert line.startswith(f"bad.yaml:{_line(k)} {path}: "), (line, k, path)
        assert words in line, (line, words)
    assert "a live operator's command" in got[1]


@pytest.mark.parametrize("entry, line, path, words", [
    ("{at: 1 min, cmd: cut_link, unit: s400}", 2, "msel.0.unit",
     "no fire unit named 's400' (units: pantsir, kub)"),
    ("{at: 3 min, cmd: roe, unit: kub, roe: weapons_free}", 2, "msel.0.at",
     "(180 s) is not before the end of the exercise (150 s)"),
    ("{at: 150 s, cmd: roe, unit: kub, roe: weapons_free}", 2, "msel.0.at",
     "(150 s) is not before the end of the exercise (150 s)"),
    ("{at: 1 min, cmd: restore_link, unit: kub}", 2, "msel.0.unit",
     "the link of kub is not cut at 60 s"),
    ("{at: 1 min, cmd: destroy_radar, unit: kub, radar: 1RS2}", 2, "msel.0.radar",
     "no radar '1RS2' at kub (radars: kub_1s91@kub)"),
    ("{at: 1 min, cmd: inject, type: cruise_missile_subsonic, from: {lat: 44.9, lon: 19.9},"
     " to: tower}", 2, "msel.0.to", "no asset or unit named 'tower'"),
    ("{at: 1 min, cmd: inject, type: cruise_missile_subsonic, from: {lat: 44.9, lon: 19.9},"
     " to: base, speed: 2000}", 2, "msel.0.from", "leg speed 2000 m/s exceeds the type's maximum"),
    ("{at: 1 min, cmd: inject, type: cruise_missile_subsonic, from: {lat: 44.9, lon: 20.3},"
     " to: base}", 2, "msel.0.to", "the same place as from"),
    ("{at: 1 min, cmd: inject, type: cruise_missile_subsonic, from: {lat: 60, lon: 19.9},"
     " to: base}", 2, "msel.0.from", "km from the scenario's origin"),
    ("{at: 1 min, cmd: inject, type: tu160, from: {lat: 44.9, lon: 19.9}, to: base}", 2,
     "msel.0.type", "unknown air vehicle type"),
    ("{at: 1 min, cmd: inject, type: cruise_missile_subsonic, from: {lat: 44.9, lon: 19.9},"
     " to: base, name: kub}", 2, "msel.0.name", "'kub' is the name of a fire unit"),
    ("{at: 1 min, cmd: raid, type: cruise_missile_subsonic, count: 2, from: {lat: 44.9,"
     " lon: 19.9}, to: tower}", 2, "msel.0.to", "no asset or unit named 'tower'"),
])
def test_msel_entries_the_exercise_would_refuse_are_located(entry, line, path, words):
    """What the live exercise would refuse of the command (``validate_command``) and can be
    known before it runs, refused when the scenario is loaded, at the entry's line."""
    got = _problems("msel:\n  - {at: 1 s, cmd: roe, unit: kub, roe: weapons_free}\n"
                    .replace("{at: 1 s, cmd: roe, unit: kub, roe: weapons_free}", entry))
    assert len(got) == 1, got
    assert got[0].startswith(f"bad.yaml:{_line(line)} {path}: "), got[0]
    assert words in got[0], got[0]


def test_skyshield_validate_prints_msel_problems_one_a_line_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text() + "msel:\n  - {at: 1 min, cmd: cut_link, unit: s400}\n")
    r = CliRunner().invoke(app, ["validate", str(bad)])
    out = SimpleNamespace(code=r.exit_code, text=r.stdout + r.stderr)
    assert out.code == 2 and "Traceback" not in out.text
    assert f"{bad}:{_line(2)} msel.0.unit: no fire unit named 's400'" in out.text


def test_the_live_exercise_refuses_what_cannot_be_undone_or_redone(tmp_path):
    """The new commands' refusals in live mode (an MSEL cannot know the state; its entries that
    find nothing to do do nothing, logged as commands all the same)."""
    ex = LiveExercise(skyshield.load_scenario(SMALL), tmp_path / "r")
    ex.advance(5.0)
    for cmd, words in [({"cmd": "restore_link", "unit": "kub"}, "was not cut"),
                       ({"cmd": "restore_unit", "unit": "kub"}, "is in action"),
                       ({"cmd": "restore_radar", "unit": "kub"}, "nothing to restore"),
                       ({"cmd": "emcon", "unit": "kub", "mode": "loud"}, "mode:"),
                       ({"cmd": "destroy_unit", "unit": "nobody"}, "no fire unit named")]:
        with pytest.raises(CommandError, match=words):
            ex.command("controller", cmd)
    ex.command("controller", {"cmd": "destroy_unit", "unit": "kub"})
    with pytest.raises(CommandError, match="out of action already"):
        ex.command("controller", {"cmd": "destroy_unit", "unit": "kub"})
    with pytest.raises(CommandError, match="restore_unit brings it back"):
        ex.command("controller", {"cmd": "restore_radar", "unit": "kub"})
    ex.command("controller", {"cmd": "restore_unit", "unit": "kub"})
    ex.command("controller", {"cmd": "cut_link", "unit": "kub"})
    ex.command("controller", {"cmd": "restore_link", "unit": "kub"})
    kinds = pd.DataFrame(ex.sim.log.columns())["kind"].tolist()
    assert kinds.count("unit_destroyed") == 1 and kinds.count("unit_restored") == 1


def test_an_msel_is_bounded():
    """At most 10,000 entries (each inject adds vehicles to the running exercise)."""
    got = _problems("msel:\n" + '  - {at: 1, cmd: emcon, unit: kub, mode: "on"}\n' * 10_001)
    assert got == [f"bad.yaml:{_line(1)} msel: List should have at most 10000 items after "
                   "validation, not 10001 (got a list of 10001 items)"]
