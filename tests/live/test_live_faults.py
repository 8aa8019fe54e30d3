"""A live exercise whose journal cannot be written, and a flood of connections (issue 20): the
journal never lies (an append is whole or not there; sequence numbers and events counted only
once written), a failed write holds the exercise and tells the controller, it goes on by itself
when the journal can be written again, and ``--resume`` works after any such fault; idle
connections past the caps are closed while a client with a token is still served, with no
traceback per refused accept."""

import asyncio
import errno
import json
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import skyshield
from skyshield.sim import journal as journal_mod
from skyshield.sim.journal import Journal, JournalWriteError, read_journal
from skyshield.sim.live import JournalUnavailable, LiveExercise

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from skyshield.web.clients import Client  # noqa: E402
from skyshield.web.guard import AcceptErrorLog  # noqa: E402
from skyshield.web.live import LiveServer, Roles, live_app  # noqa: E402
from skyshield.web.server import JOURNAL_RETRY_MAX_S  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"
TOK = "c0ntroller-token-for-the-test"


class Faults:
    """The journal's system calls (``sim.journal._os_open`` / ``_os_write``) failing on
    demand: ``open`` raises EMFILE (no file descriptor left); ``write`` writes half of what it
    is given and then raises ENOSPC (a disk that fills in the middle of an append)."""

    def __init__(self, monkeypatch):
        self.open_fails = self.write_fails = False
        self.calls = 0
        real_open, real_write = journal_mod._os_open, journal_mod._os_write

        def faulty_open(path, flags, mode=0o777):
            if self.open_fails:
                self.calls += 1
                raise OSError(errno.EMFILE, os.strerror(errno.EMFILE))
            return real_open(path, flags, mode)

        def faulty_write(fd, data):
            if self.write_fails:
                self.calls += 1
                if len(data) > 1 and self.calls % 2:
                    return real_write(fd, bytes(data[:len(data) // 2]))
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(fd, data)

        monkeypatch.setattr(journal_mod, "_os_open", faulty_open)
        monkeypatch.setattr(journal_mod, "_os_write", faulty_write)


def _lines(path: Path) -> list[dict]:
    text = path.read_text()
    assert text == "" or text.endswith("\n"), "a partial line was left in the journal"
    return [json.loads(x) for x in text.splitlines()]


def test_an_append_that_fails_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    faults = Faults(monkeypatch)
    j = Journal(tmp_path)
    j.append_command(1, 0.0, "controller", {"cmd": "pause"})
    before = j.commands_path.read_bytes()
    faults.write_fails = True
    for _ in range(3):  # a partial write then ENOSPC, and ENOSPC at once: nothing stays
        with pytest.raises(JournalWriteError, match="No space left"):
            j.append_command(2, 1.0, "controller", {"cmd": "resume"})
        assert j.commands_path.read_bytes() == before
    faults.write_fails = False
    j.append_command(2, 1.0, "controller", {"cmd": "resume"})
    assert [c["seq"] for c in _lines(j.commands_path)] == [1, 2]

    # no descriptor to open the file with: refused, and the file is opened on the next append
    j.close()
    faults.open_fails = True
    with pytest.raises(JournalWriteError, match="Too many open files") as err:
        j.append_events([{"kind": "x", "t_s": 1.0}])
    assert err.value.errno == errno.EMFILE and not j.events_path.exists()
    faults.open_fails = False
    j.append_events([{"kind": "x", "t_s": 1.0}, {"kind": "y", "t_s": 2.0}])
    assert [e["kind"] for e in _lines(j.events_path)] == ["x", "y"]

    # a failed append whose undo fails too is cut off before the next append
    real_truncate = os.ftruncate
    monkeypatch.setattr(os, "ftruncate", lambda fd, n: (_ for _ in ()).throw(OSError(errno.EIO,
                                                                                      "EIO")))
    faults.write_fails = True
    faults.calls = 0  # odd: half is written first
    with pytest.raises(JournalWriteError):
        j.append_events([{"kind": "z", "t_s": 3.0}])
    assert not j.events_path.read_text().endswith("\n")  # the half line is still there ...
    monkeypatch.setattr(os, "ftruncate", real_truncate)
    faults.write_fails = False
    j.append_events([{"kind": "w", "t_s": 4.0}])  # ... and cut before this one
    assert [e["kind"] for e in _lines(j.events_path)] == ["x", "y", "w"]
    j.close()


def _server(folder: Path):
    sc = skyshield.load_scenario(SMALL)
    ex = LiveExercise(sc, folder, speed=10.0)
    roles, tokens = Roles.generate(list(ex.sim.w.units.name))
    return LiveServer(ex, roles), tokens


def _drain(c: Client) -> list[dict]:
    return [json.loads(c.queue.get_nowait()) for _ in range(c.queue.qsize())]


def test_a_journal_that_cannot_be_written_holds_the_exercise_until_it_can(tmp_path, monkeypatch,
                                                                          caplog):
    """EMFILE (no descriptor to open the journal with), then ENOSPC (a partial write, then a
    full disk) during ticks: the exercise is held before its time moves on, the controller
    and the log are told once, commands are refused (503), retries back off; when the journal
    can be written the exercise goes on by itself and every event published is in the journal
    once, in order. Then a crash during a second hold (the folder as it is at that instant)
    and a resume: the journal replays to its own events, sequence numbers 1, 2, 3 ..."""
    faults = Faults(monkeypatch)
    folder = tmp_path / "live"
    server, tok = _server(folder)
    ex = server.ex
    wall = [0.0]
    server.clock = lambda: wall[0]
    controller = Client(asyncio.Queue(), "controller")
    observer = Client(asyncio.Queue(), "observer")
    server.clients |= {controller, observer}
    published: list[dict] = []

    def tick(n=1):
        for _ in range(n):
            wall[0] += 0.5
            server.tick(0.5)  # 5 s simulated at speed 10
            for m in _drain(observer):
                if m["type"] == "events":
                    published.extend(m["events"])

    http = TestClient(live_app(server))
    h = {"Authorization": f"Bearer {tok['controller']}"}

    def post(cmd):
        return http.post("/api/command", json=cmd, headers=h)

    tick(2)
    assert post({"cmd": "roe", "unit": "kub", "roe": "weapons_tight"}).json()["seq"] == 1
    tick(2)
    _drain(controller)
    t_held = ex.t

    with caplog.at_level(logging.WARNING, logger="skyshield.web.server"):
        # EMFILE: no descriptor to open the journal with (the files are reopened)
        ex.journal.close()
        faults.open_fails = True
        tick()
        assert ex.held and "Too many open files" in ex.held
        assert ex.t == t_held  # held before its time moved on: this tick's events wait
        r = post({"cmd": "cut_link", "unit": "pantsir"})
        assert r.status_code == 503 and "journal cannot be written" in r.json()["detail"]
        tick(6)
        # ENOSPC: the file opens, a write goes half way and the disk is full
        faults.open_fails, faults.write_fails = False, True
        tick(30)
        assert ex.held and "No space left" in ex.held and ex.t == t_held
        st = http.get("/api/stats", headers=h).json()
        assert st["journal"]["held_at_t_s"] == t_held and st["t_s"] == t_held
        # retries back off: 36 ticks of 0.5 s, far fewer retries
        assert 3 <= st["journal"]["retries"] <= 12 and st["journal_retries"] < 15
        frame = http.get("/api/state", headers=h).json()
        assert frame["held"] and "No space left" in frame["journal_error"]
        obs = {"Authorization": f"Bearer {tok['observer']}"}
        frame = http.get("/api/state", headers=obs).json()
        assert frame["held"] and "journal_error" not in frame
        msgs = _drain(controller)
        errors = [m for m in msgs if m["type"] == "error"]
        assert len(errors) == 1 and errors[0]["journal"] == "held"  # told once, not per retry
        assert all(m["type"] == "frame" for m in msgs if m not in errors)
        # the disk has room again: the next retry writes what was held back, time goes on
        faults.write_fails = False
        wall[0] += JOURNAL_RETRY_MAX_S
        tick()
        assert ex.held is None and server.stats["journal_holds"] == 1
        msgs = _drain(controller)
        assert [m["detail"][:27] for m in msgs if m["type"] == "notice"] == [
            "the journal is written agai"]
        tick(2)
        assert ex.t > t_held
        assert post({"cmd": "cut_link", "unit": "pantsir"}).json()["seq"] == 2
    lines = [r.getMessage() for r in caplog.records if r.name == "skyshield.web.server"]
    assert len(lines) == 2 and "held" in lines[0] and "written again" in lines[1]
    assert not any(r.exc_info for r in caplog.records)  # no traceback for a full disk

    # every event published is in the journal, once and in order, and nothing else is
    tick(2)
    assert _lines(folder / "events.jsonl") == published
    assert [c["seq"] for c in _lines(folder / "commands.jsonl")] == [1, 2]

    # a second hold, in the middle of which the process dies (the folder as it is then)
    faults.write_fails = True
    tick(3)
    assert ex.held
    r = post({"cmd": "destroy_radar", "unit": "kub"})
    assert r.status_code == 503
    with ex.lock:
        shutil.copytree(folder, tmp_path / "crashed")
    faults.write_fails = False  # a new process, on a disk with room again
    resumed = LiveExercise(ex.scenario, tmp_path / "crashed", resume=True)
    commands, events = read_journal(tmp_path / "crashed")
    assert [c["seq"] for c in commands] == [1, 2] and resumed.seq == 2
    assert events[:len(published)] == published  # nothing published was lost
    resumed.advance(resumed.t + 20.0)
    assert resumed.command("controller", {"cmd": "destroy_radar", "unit": "kub"})["seq"] == 3
    assert [c["seq"] for c in read_journal(tmp_path / "crashed")[0]] == [1, 2, 3]


def test_a_command_whose_line_cannot_be_written_is_refused_and_never_carried_out(tmp_path,
                                                                                monkeypatch):
    faults = Faults(monkeypatch)
    sc = skyshield.load_scenario(SMALL)
    ex = LiveExercise(sc, tmp_path / "c")
    ex.advance(5.0)
    faults.write_fails = True
    with pytest.raises(JournalUnavailable, match="No space left"):
        ex.command("controller", {"cmd": "destroy_radar", "unit": "kub"})
    assert ex.seq == 0 and ex.held
    assert not any(e["kind"] == "radar_destroyed" for e in ex.advance(10.0))  # held: nothing
    faults.write_fails = False
    ex.retry_journal()
    assert ex.held is None
    assert ex.command("controller", {"cmd": "pause"})["seq"] == 1


def _serve(args, port, **kw):
    return subprocess.Popen([sys.executable, "-m", "skyshield.cli", "serve", *map(str, args),
                             "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def _wait_up(p, port):
    deadline = time.monotonic() + 120
    while True:
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read().decode()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except OSError:
            time.sleep(0.1)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port, body, timeout=10.0):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/command",
                                 data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {TOK}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def _get(port, path, timeout=10.0):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"Bearer {TOK}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def _until(cond, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline
        time.sleep(0.1)


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit")
def test_kill_9_after_real_io_faults_then_resume_loses_nothing(tmp_path):
    """``skyshield serve`` hit by real faults from outside (prlimit): first no file descriptor
    left (RLIMIT_NOFILE below its open ones: EMFILE for every open and accept), then a journal
    file that cannot grow (RLIMIT_FSIZE: a short write, then EFBIG, as a full disk); a command
    in between; then kill -9 during a hold and ``skyshield serve --resume``: the journal
    replays to its own events and its sequence numbers are 1, 2, 3 ..."""
    folder = tmp_path / "x"
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"controller: {TOK}\n")
    port = _free_port()
    p = _serve([SMALL, "--out", folder, "--speed", "5", "--tokens", tokens], port)
    nofile = resource.prlimit(p.pid, resource.RLIMIT_NOFILE)
    fsize = resource.prlimit(p.pid, resource.RLIMIT_FSIZE)
    try:
        _wait_up(p, port)
        assert _post(port, {"cmd": "roe", "unit": "kub", "roe": "weapons_tight"})["seq"] == 1
        time.sleep(1.0)
        # no descriptor left for 2 s of ticks (every open and accept fails)
        resource.prlimit(p.pid, resource.RLIMIT_NOFILE, (8, nofile[1]))
        time.sleep(2.0)
        resource.prlimit(p.pid, resource.RLIMIT_NOFILE, nofile)
        time.sleep(0.5)
        assert _post(port, {"cmd": "cut_link", "unit": "pantsir"})["seq"] == 2
        # the events file may not grow past 10 bytes more than it has: held
        size = (folder / "events.jsonl").stat().st_size
        resource.prlimit(p.pid, resource.RLIMIT_FSIZE, (size + 10, fsize[1]))
        _until(lambda: _get(port, "/api/stats")["journal"] is not None)
        with pytest.raises(urllib.error.HTTPError) as err:
            _post(port, {"cmd": "destroy_radar", "unit": "kub"})
        assert err.value.code == 503
        t_held = _get(port, "/api/stats")["t_s"]
        time.sleep(1.0)
        assert _get(port, "/api/stats")["t_s"] == t_held  # held: time stands still
        # room again: it goes on by itself
        resource.prlimit(p.pid, resource.RLIMIT_FSIZE, fsize)
        _until(lambda: _get(port, "/api/stats")["journal"] is None)
        _until(lambda: _get(port, "/api/stats")["t_s"] > t_held)
        assert _post(port, {"cmd": "destroy_radar", "unit": "kub"})["seq"] == 3
        # held again, and killed while held
        size = (folder / "events.jsonl").stat().st_size
        resource.prlimit(p.pid, resource.RLIMIT_FSIZE, (size + 10, fsize[1]))
        _until(lambda: _get(port, "/api/stats")["journal"] is not None)
    finally:
        os.kill(p.pid, signal.SIGKILL)
        _, err_text = p.communicate()
    assert err_text.count(b"Traceback") == 0, err_text[-3000:].decode()
    commands, events = read_journal(folder)
    assert [c["seq"] for c in commands] == [1, 2, 3]
    assert (folder / "events.jsonl").read_text().endswith("\n")  # no partial line

    port = _free_port()
    p = _serve(["--resume", folder, "--tokens", tokens], port)
    try:
        _wait_up(p, port)
        assert _get(port, "/api/stats")["t_s"] >= events[-1]["t_s"]
        assert _post(port, {"cmd": "pause"})["seq"] == 4
    finally:
        p.send_signal(signal.SIGINT)
        _, err_text = p.communicate()
    assert p.returncode == 0, err_text.decode()
    assert [c["seq"] for c in read_journal(folder)[0]] == [1, 2, 3, 4]


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="needs Linux prlimit")
def test_a_flood_of_idle_connections_is_bounded_and_a_client_with_a_token_is_served(tmp_path):
    """The issue's reproducer: ``skyshield serve`` under ``ulimit -n 256``, 300 idle
    connections held open: the ones past the caps are closed, a controller's command is
    answered during the flood, the log holds no traceback, and the journal resumes."""
    folder = tmp_path / "x"
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(f"controller: {TOK}\n")
    port = _free_port()

    def ulimit_256():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    p = _serve([SMALL, "--out", folder, "--speed", "4", "--tokens", tokens], port,
               preexec_fn=ulimit_256)
    flood: list[socket.socket] = []
    try:
        _wait_up(p, port)
        for _ in range(300):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            flood.append(s)
        time.sleep(1.0)
        t0 = time.monotonic()
        assert _post(port, {"cmd": "roe", "unit": "kub", "roe": "weapons_tight"})["seq"] == 1
        assert time.monotonic() - t0 < 5.0
        # the connections past the caps were closed by the server (those the kernel could
        # not queue are still being retried by the client's kernel, and cost the server
        # nothing): at most 64 from one address stay open, and the server holds far fewer
        # file descriptors than its limit
        for _ in range(30):
            st = _get(port, "/api/stats")
            if st["connections"]["evicted"] + st["connections"]["refused"] >= 300 - 128:
                break
            time.sleep(0.25)
        assert st["connections"]["evicted"] + st["connections"]["refused"] >= 100, st
        assert st["connections"]["open"] <= 64 and st["journal"] is None
        assert len(os.listdir(f"/proc/{p.pid}/fd")) < 256 - 64
    finally:
        os.kill(p.pid, signal.SIGKILL)
        _, err_text = p.communicate()
        for s in flood:
            s.close()
    assert b"Traceback" not in err_text and len(err_text) < 10_000, err_text[-2000:].decode()
    commands, events = read_journal(folder)
    assert [c["seq"] for c in commands] == [1]
    LiveExercise(skyshield.load_scenario(SMALL), folder, resume=True)  # replays to its events


def test_accept_errors_are_logged_once_a_minute_without_a_traceback(caplog):
    now = [0.0]
    seen = []
    handler = AcceptErrorLog(lambda loop, ctx: seen.append(ctx), clock=lambda: now[0])
    exc = OSError(errno.EMFILE, "Too many open files")
    ctx = {"message": "socket.accept() out of system resource", "exception": exc}
    with caplog.at_level(logging.ERROR, logger="skyshield.web.guard"):
        for k in range(10_000):
            now[0] = k * 0.01  # 100 s of failed accepts
            handler(None, ctx)
        handler(None, {"message": "something else"})
    lines = [r for r in caplog.records if r.name == "skyshield.web.guard"]
    assert len(lines) == 2 and not any(r.exc_info for r in lines)
    assert "Too many open files" in lines[0].getMessage()
    assert "6000 failed accepts in 60 s" in lines[1].getMessage()
    assert seen == [{"message": "something else"}]  # other errors go to the loop's handler


def test_a_dis_entity_that_times_out_during_a_hold_leaves_once_the_journal_is_back(tmp_path,
                                                                                   monkeypatch):
    """Its removal is a journaled command: while held it waits (it used to be forgotten: the
    entity was dropped from the bridge's list but stayed in the exercise for good)."""
    from tests.live.test_live_dis import _es

    faults = Faults(monkeypatch)
    sc = skyshield.load_scenario(SMALL)
    ex = LiveExercise(sc, tmp_path / "live")
    roles, _ = Roles.generate(list(ex.sim.w.units.name))
    wall = [0.0]
    server = LiveServer(ex, roles, clock=lambda: wall[0])
    ex.advance(5.0)
    server.receive_dis(_es(3, 45.13, 20.0))
    assert "7:7:3" in ex.sim.external
    faults.write_fails = True
    for _ in range(40):  # until a tick has events to write
        server.tick(0.5)
        if ex.held:
            break
    assert ex.held
    for k in range(1, 9):  # 20 s of wall time, never heard again: timed out while held
        wall[0] = 2.5 * k
        server.tick(0.5)
    assert ex.held and "7:7:3" in ex.sim.external
    faults.write_fails = False
    wall[0] += 10.0
    server.tick(0.5)
    assert ex.held is None
    server.tick(0.5)
    assert "7:7:3" not in ex.sim.external and server.stats["dis_removed"] == 1
    assert read_journal(tmp_path / "live")[0][-1]["cmd"]["cmd"] == "external_remove"
