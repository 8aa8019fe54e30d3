"""The live exercise engine: commands journaled and replayed to the same event log, operator
approval, injects, and resuming a killed server with nothing lost."""

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.engine.events import EventLog
from skyshield.sim.live import CommandError, LiveExercise, read_journal, replay_journal

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


# the event log's float columns (a journal writes their NaN as null)
FLOATS = [k for k, v in EventLog().columns().items() if v.dtype == np.float64]


def _no_clock(cols) -> pd.DataFrame:
    """The event log without the assignment's value (once the solver's wall time), a JSON
    null in a float column read as NaN."""
    df = pd.DataFrame(cols)
    df[FLOATS] = df[FLOATS].astype(float)
    df.loc[df["kind"] == "assignment", "value"] = 0.0
    return df


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario(SMALL)


def _drive(ex, until, script):
    """Advance in 0.5 s ticks, running script(ex, t, new_events) after each."""
    for t in np.arange(0.5, until + 1e-9, 0.5):
        script(ex, float(t), ex.advance(float(t)))


def test_a_journal_replays_offline_to_the_same_event_log(tmp_path, sc):
    """Injects, a raid, ROE, a cut link, a destroyed radar, an external entity and its update:
    the journal replayed offline (same scenario and seed, every command at its instant) gives
    the live run's event log exactly."""
    ex = LiveExercise(sc, tmp_path / "j")
    plan = {
        10.0: {"cmd": "inject", "type": "cruise_missile_subsonic",
               "from": {"lat": 44.92, "lon": 19.95, "alt": 120}, "to": "base"},
        15.0: {"cmd": "raid", "type": "cruise_missile_subsonic", "count": 3, "spacing": 4,
               "from": {"lat": 44.85, "lon": 19.9}, "to": "base", "alt": 150},
        20.5: {"cmd": "roe", "unit": "kub", "roe": "weapons_hold"},
        30.0: {"cmd": "cut_link", "unit": "pantsir"},
        35.0: {"cmd": "external", "id": "7:7:1", "force": "hostile", "kind": "platform",
               "lat": 45.0, "lon": 20.0, "alt": 3000.0, "vel_enu": [200.0, -50.0, 0.0]},
        45.0: {"cmd": "external", "id": "7:7:1", "force": "hostile", "kind": "platform",
               "lat": 44.98, "lon": 20.03, "alt": 3000.0, "vel_enu": [190.0, -60.0, 0.0]},
        60.0: {"cmd": "destroy_radar", "unit": "kub"},
    }

    def script(ex, t, _new):
        if t in plan:
            ex.command("controller", plan[t])

    _drive(ex, 150.0, script)
    live = ex.sim.log.columns()
    kinds = pd.Series(live["kind"]).value_counts()
    assert kinds["command"] == len(plan) and kinds["inject"] == 4  # 1 + a raid of 3
    assert kinds["roe_change"] == 1 and kinds["radar_destroyed"] == 1
    assert kinds["external_entity"] == 1 and kinds["link_lost"] == 1
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, tmp_path / "j")), _no_clock(live))
    commands, events = read_journal(tmp_path / "j")
    assert [c["t_s"] for c in commands] == sorted(plan)
    assert len(events) == len(live["t_s"])  # every event reached the journal as it happened
    # the journal is strict JSON (a browser's JSON.parse refuses NaN): every float column the
    # log leaves NaN is null there, a filled one the same number as in the log
    lines = (tmp_path / "j" / "events.jsonl").read_text().splitlines()

    def no_constant(name):
        raise AssertionError(f"{name} in the journal")

    assert [json.loads(line, parse_constant=no_constant) for line in lines] == events
    for col in FLOATS:
        got = np.array([np.nan if e[col] is None else e[col] for e in events], dtype=float)
        np.testing.assert_array_equal(got, live[col])
    assert any(e["pk"] is not None for e in events) and any(e["pk"] is None for e in events)
    assert any(e["t_pred_s"] is not None for e in events)


def test_approval_mode_blocks_a_launch_until_the_operator_approves(tmp_path, sc):
    ex = LiveExercise(sc, tmp_path / "a", approval=(40.0, False))
    req = []

    def script(ex, t, new):
        req.extend(e for e in new if e["kind"] == "approval_request")

    _drive(ex, 60.0, script)
    assert req, "fire control asked for approval"
    log = pd.DataFrame(ex.sim.log.columns())
    assert not (log["kind"] == "launch").any()  # nothing flies without approval
    # the first request still waiting at 60 s (one made before 20 s has had its 40 s)
    first = next(r for r in req if int(r["value"]) in ex.sim.awaiting)
    with pytest.raises(CommandError, match="no engagement 999"):
        ex.command("operator:pantsir", {"cmd": "approve", "id": 999})
    ex.command(f"operator:{first['source']}", {"cmd": "approve", "id": int(first["value"])})
    ex.advance(75.0)
    log = pd.DataFrame(ex.sim.log.columns())
    launches = log[log["kind"] == "launch"]
    assert len(launches) >= 1 and launches["t_s"].min() >= 60.0
    approved = log[log["kind"] == "approved"]
    assert approved["value"].tolist()[0] == first["value"]
    # a request left alone is denied at its deadline (the default here): no launch for it
    ex.advance(150.0)
    log = pd.DataFrame(ex.sim.log.columns())
    denied = log[log["kind"] == "denied"]
    assert (denied["info"] == "timeout").all() and len(denied) >= 1
    for _, d in denied.iterrows():
        assert not ((log["kind"] == "launch") & (log["track_id"] == d["track_id"])
                    & (log["t_s"] > d["t_s"]) & (log["t_s"] < d["t_s"] + 1)).any()


def test_commands_are_refused_with_a_reason(tmp_path, sc):
    ex = LiveExercise(sc, tmp_path / "r")
    ex.advance(5.0)
    for cmd, says in (({"cmd": "fly"}, "cmd: one of"),
                      ({"cmd": "inject", "type": "nope", "from": {"lat": 44, "lon": 20},
                        "to": "base"}, "type"),
                      ({"cmd": "inject", "type": "cruise_missile_subsonic",
                        "from": {"lat": 95, "lon": 20}, "to": "base"}, "from.lat"),
                      ({"cmd": "inject", "type": "cruise_missile_subsonic",
                        "from": {"lat": 44, "lon": 20}, "to": "nowhere"}, "no asset or unit"),
                      ({"cmd": "speed", "factor": -1}, "factor"),
                      ({"cmd": "inject", "type": "mig29", "from": {"lat": 0, "lon": 0},
                        "to": "kub"}, "from: .* km from the scenario's origin"),
                      ({"cmd": "raid", "type": "mig29", "count": 2, "from": {"lat": 45,
                        "lon": 20}, "via": [{"lat": -60, "lon": 20}], "to": "kub"}, "via.0"),
                      ({"cmd": "external", "id": "1", "force": "hostile", "lat": 44,
                        "lon": 20, "alt": 0, "vel_enu": [1, "x", 2]}, "vel_enu.1"),
                      ({"cmd": "external", "id": "1", "lat": 44, "lon": 20, "alt": 0,
                        "vel_enu": [1, 1, 2]}, "force"),
                      ({"cmd": "external", "id": "1", "force": "hostile", "kind": "ship",
                        "lat": 44, "lon": 20, "alt": 0, "vel_enu": [1, 1, 2]}, "kind"),
                      ({"cmd": "destroy_radar", "unit": "kub", "radar": 5}, "radar"),
                      ({"cmd": "approve", "id": float("inf")}, "id"),
                      ({"cmd": "roe", "unit": "kub", "roe": "weapons_hold", "x": 1}, "x"),
                      ("end", "JSON object")):
        with pytest.raises(CommandError, match=says):
            ex.command("controller", cmd)
    assert not (tmp_path / "r" / "commands.jsonl").exists()  # nothing refused was journaled
    ex.command("controller", {"cmd": "freeze"})
    with pytest.raises(CommandError, match="frozen"):
        ex.command("controller", {"cmd": "roe", "unit": "kub", "roe": "weapons_hold"})
    ex.command("controller", {"cmd": "resume"})
    ex.command("controller", {"cmd": "end"})
    assert ex.ended and ex.advance(100.0) == []


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kill_9_of_the_server_then_serve_resume_loses_no_event_and_no_command(tmp_path, sc,
                                                                              served):
    """``skyshield serve`` killed with SIGKILL (after commands over HTTP, and in the middle of
    writing one more), then ``skyshield serve --resume``: every command and event is there,
    the exercise goes on (new commands, a clean stop with its run folder)."""
    import shutil

    folder = tmp_path / "x"
    tokens = tmp_path / "tokens.txt"
    tok = "c0ntroller-token-for-the-test"
    tokens.write_text(f"controller: {tok}\n")
    port = served.free_port()
    p = served.start([SMALL, "--out", folder, "--speed", "10", "--tokens", tokens], port)
    try:
        sent = [served.post(port, tok, {"cmd": "inject", "type": "cruise_missile_subsonic",
                                         "from": {"lat": 44.9, "lon": 19.95, "alt": 150},
                                         "to": "base"})]
        time.sleep(0.5)
        sent.append(served.post(port, tok, {"cmd": "roe", "unit": "kub", "roe": "weapons_tight"}))
        time.sleep(0.5)
        sent.append(served.post(port, tok, {"cmd": "speed", "factor": 20}))
        # run until the journal holds fire-control cycles, then kill it
        while '"kind":"assignment"' not in (folder / "events.jsonl").read_text():
            assert p.poll() is None
            time.sleep(0.1)
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    commands, events = read_journal(folder)
    assert [c["seq"] for c in commands] == [s["seq"] for s in sent]  # every command journaled
    # the journal holds fire-control cycles (whose solver time is the log's one wall-clock
    # figure: resuming must not trip on it)
    assert any(e["kind"] == "assignment" for e in events)
    assert not (folder / "run").exists()  # a killed exercise leaves no run folder behind
    before = _no_clock({k: [e[k] for e in events] for k in events[0]})

    # the library resumes it (on a copy) ...
    shutil.copytree(folder, tmp_path / "copy")
    ex = LiveExercise(sc, tmp_path / "copy", resume=True)
    assert ex.seq == 3 and ex.speed == 20.0
    log = _no_clock(ex.sim.log.columns())
    # every event the dead server had written is reproduced, in order
    pd.testing.assert_frame_equal(log.iloc[:len(before)].reset_index(drop=True)
                                  .astype(before.dtypes.to_dict()), before, check_dtype=False)
    assert (log["kind"] == "command").sum() == 2  # inject and roe (speed is the engine's)
    ex.advance(150.0)  # and it goes on
    assert ex.ended

    # ... and so does the command line, after a kill in the middle of writing a command
    with (folder / "commands.jsonl").open("a") as f:
        f.write('{"cmd":{"cmd":"cut_link","unit":"ku')
    port = served.free_port()
    p = served.start(["--resume", folder, "--tokens", tokens], port)
    try:
        st = served.get(port, tok, "/api/stats")
        assert st["t_s"] >= before["t_s"].max()
        assert served.get(port, tok, "/api/state")["speed"] == 20.0
        r = served.post(port, tok, {"cmd": "cut_link", "unit": "pantsir"})
        assert r["seq"] == 4
    finally:
        p.send_signal(signal.SIGINT)  # a clean stop: the run folder is written
        out, err = p.communicate()
    assert p.returncode == 0, err.decode()
    commands, after = read_journal(folder)
    assert [c["seq"] for c in commands] == [1, 2, 3, 4]
    assert [c["cmd"]["cmd"] for c in commands] == ["inject", "roe", "speed", "cut_link"]
    now = _no_clock({k: [e[k] for e in after] for k in after[0]})
    pd.testing.assert_frame_equal(now.iloc[:len(before)].reset_index(drop=True)
                                  .astype(before.dtypes.to_dict()), before, check_dtype=False)
    run = pd.read_parquet(folder / "run" / "events.parquet")
    assert (run["kind"] == "command").sum() == 3  # inject, roe, cut_link
    assert (run["kind"] == "link_lost").sum() >= 1 and len(run) == len(after)


def test_a_torn_last_command_is_cut_off_and_later_commands_are_kept(tmp_path, sc):
    """A kill -9 in the middle of writing a command leaves half a line: resuming cuts it off,
    so that the next command is a line of its own and a second resume finds every command."""
    folder = tmp_path / "t"
    ex = LiveExercise(sc, folder)
    ex.advance(5.0)
    ex.command("controller", {"cmd": "roe", "unit": "kub", "roe": "weapons_tight"})
    ex.advance(8.0)
    ex.command("controller", {"cmd": "cut_link", "unit": "pantsir"})
    with (folder / "commands.jsonl").open("a") as f:
        f.write('{"cmd":{"cmd":"roe","roe":"weapons_ho')  # the process died here
    ex = LiveExercise(sc, folder, resume=True)
    assert ex.seq == 2
    ex.advance(12.0)
    ex.command("controller", {"cmd": "destroy_radar", "unit": "kub"})
    ex = LiveExercise(sc, folder, resume=True)
    commands, _ = read_journal(folder)
    assert [c["cmd"]["cmd"] for c in commands] == ["roe", "cut_link", "destroy_radar"]
    assert [c["seq"] for c in commands] == [1, 2, 3] and ex.seq == 3
    assert (folder / "commands.jsonl").read_text().endswith("}\n")
    log = pd.DataFrame(ex.sim.log.columns())
    assert (log["kind"] == "radar_destroyed").sum() == 1  # replayed on the second resume


@pytest.mark.parametrize("damage", ["garbage", "seq"])
def test_a_journal_corrupt_in_the_middle_is_refused_with_where(tmp_path, sc, damage):
    from typer.testing import CliRunner

    from skyshield.cli import app
    from skyshield.sim.live import JournalError

    folder = tmp_path / "c"
    ex = LiveExercise(sc, folder)
    for t, u in ((3.0, "kub"), (6.0, "pantsir"), (9.0, "kub")):
        ex.advance(t)
        ex.command("controller", {"cmd": "cut_link", "unit": u})
    p = folder / "commands.jsonl"
    lines = p.read_text().splitlines(keepends=True)
    lines[1] = "#!@ not json\n" if damage == "garbage" else lines[1].replace('"seq":2', '"seq":7')
    p.write_text("".join(lines))
    with pytest.raises(JournalError, match="commands.jsonl:2"):
        LiveExercise(sc, folder, resume=True)
    (folder / "scenario.resolved.yaml").write_text(SMALL.read_text())
    r = CliRunner().invoke(app, ["serve", "--resume", str(folder), "--port", str(_free_port())])
    assert r.exit_code == 2 and "commands.jsonl:2" in r.output and "Traceback" not in r.output
    assert p.read_text() == "".join(lines)  # refused, and left as it was


def test_a_command_that_fails_once_journaled_is_marked_and_skipped_on_resume(tmp_path, sc,
                                                                              monkeypatch):
    """A command that raises unexpectedly after its journal line (a bug, not a refusal) has
    its events taken back and a failed mark in the journal: resuming and replaying skip it
    and replay to the same events, though the same command would succeed on replay."""
    import skyshield.sim.live_commands as live_commands

    ex = LiveExercise(sc, tmp_path / "f")
    ex.advance(5.0)
    inject = {"cmd": "inject", "type": "cruise_missile_subsonic",
              "from": {"lat": 44.92, "lon": 19.95, "alt": 120}, "to": "base"}
    ex.command("controller", inject)
    ex.advance(8.0)

    def broken(*_a, **_k):  # after the command's own event is emitted
        raise ValueError("operands could not be broadcast together")

    real = live_commands.compile_vehicles
    monkeypatch.setattr(live_commands, "compile_vehicles", broken)
    with pytest.raises(ValueError):
        ex.command("controller", inject)
    # what the failed command half did may be in the running exercise: it is paused (and the
    # pause journaled) for the controller to decide
    assert ex.paused
    monkeypatch.setattr(live_commands, "compile_vehicles", real)
    ex.command("controller", {"cmd": "resume"})
    ex.command("controller", {"cmd": "roe", "unit": "kub", "roe": "weapons_hold"})
    ex.advance(20.0)
    commands, events = read_journal(ex.folder)
    assert [(c["seq"], bool(c.get("failed")), (c.get("cmd") or {}).get("cmd"), c.get("role"))
            for c in commands] == [
        (1, False, "inject", "controller"), (2, True, "inject", "controller"),
        (3, False, "pause", "system:error"), (4, False, "resume", "controller"),
        (5, False, "roe", "controller")]
    assert [e["kind"] for e in events].count("inject") == 1
    resumed = LiveExercise(sc, ex.folder, resume=True)  # would raise if it replayed seq 2
    assert resumed.seq == 5 and not resumed.paused
    resumed.advance(30.0)
    assert resumed.command("controller", {"cmd": "roe", "unit": "kub", "roe": "weapons_free"}
                           )["seq"] == 6
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, ex.folder)),
                                  _no_clock(resumed.sim.log.columns()))


@pytest.mark.parametrize(("extra", "words", "never"), [
    ({"to": {"lat": 44.92, "lon": 19.95, "alt": 120}}, ("to: the same place as from",),
     ("waypoints", "{")),
    ({"name": "base"}, ("name:", "asset"), ()),
    ({"name": "kub"}, ("name:", "fire unit"), ()),
    ({"name": "a\u0000b"}, ("name:", "control characters"), ()),
    ({"name": "tab\there"}, ("name:", "control characters"), ()),
])
def test_inject_refusals_speak_the_commands_own_fields(tmp_path, sc, extra, words, never):
    ex = LiveExercise(sc, tmp_path / "n")
    cmd = {"cmd": "inject", "type": "cruise_missile_subsonic",
           "from": {"lat": 44.92, "lon": 19.95, "alt": 120}, "to": "base", **extra}
    with pytest.raises(CommandError) as err:
        ex.command("controller", cmd)
    for w in words:
        assert w in str(err.value)
    for w in never:
        assert w not in str(err.value)
    assert ex.seq == 0  # refused, not journaled


def test_a_raid_may_not_take_a_units_name(tmp_path, sc):
    ex = LiveExercise(sc, tmp_path / "r")
    with pytest.raises(CommandError, match="name: 'pantsir' is the name of a fire unit"):
        ex.command("controller", {"cmd": "raid", "type": "cruise_missile_subsonic", "count": 2,
                                  "from": {"lat": 44.9, "lon": 20.0}, "to": "base",
                                  "name": "pantsir"})
