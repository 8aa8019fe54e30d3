"""The journal of a live exercise: what makes it as reproducible as a batch run.

A live exercise's folder holds

* ``live.json`` — the scenario's name, the seed and the approval setting (``[timeout s, approve
  on time-out]`` or null), written once when the exercise starts (:meth:`Journal.write_meta`,
  :func:`read_meta`);
* ``commands.jsonl`` — one line per command, ``{"seq", "t_s", "role", "cmd"}``, appended, flushed
  and fsynced *before* the command is carried out (:meth:`Journal.append_command`); a command
  that raised once journaled (a bug, not a refusal) is followed by ``{"failed": SEQ, "t_s",
  "error"}`` (:meth:`Journal.append_failed`), and resuming and replaying skip it;
* ``events.jsonl`` — every event as it happens, one JSON object per event (:func:`event_rows`:
  the event log's columns, a float that is NaN or infinite written as null). The same rows go
  to the server's clients.

Appending (:meth:`Journal.append_command`, :meth:`Journal.append_events`): the two files are
opened once and kept open (a process that runs out of file descriptors — a flood of
connections — can still write its journal), every append is whole lines written with
``os.write`` until every byte is out (then fsynced, for commands), and an append that fails
(no space, EIO, a file too large, no descriptor to open the file with) is undone — the file is
cut back to its length before it, and if even that fails the next append cuts it first — and
raised as :class:`JournalWriteError`. A journal therefore only ever holds whole appends, in
order, and a caller counts what it wrote (sequence numbers, events written) only once the append
has returned. ``_os_open``, ``_os_write`` and ``_os_fsync`` are the system calls it uses (the
seams where the tests inject faults).

Reading (:func:`read_journal`): a last line without its newline was torn by a crash (a kill -9
mid-write) and is left out — the command it held was never acknowledged, since a command is
acknowledged only after its whole line is fsynced; :meth:`Journal.cut_torn_line` cuts it off
before anything is appended. A bad line before the end is a :class:`JournalError` naming the
file and line (``skyshield serve --resume`` prints it, exit status 2).

Replay (:func:`replay`): the same scenario and seed, every simulation command that did not fail
scheduled at its recorded instant (after everything else at that instant), run to the last
instant the journal reached. Resuming (``sim.live.LiveExercise`` with ``resume=True``) and the
offline :func:`replay_journal` both go through it, and it reproduces the event log exactly.
"""

from __future__ import annotations

import errno
import json
import math
import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from skyshield.common.files import atomic_write_text
from skyshield.engine.events import EventLog
from skyshield.engine.scheduler import Priority
from skyshield.scenario.schema import Scenario
from skyshield.sim.commands import ENGINE_COMMANDS, short
from skyshield.sim.live_commands import live_simulation
from skyshield.sim.run import Simulation

__all__ = ["Journal", "JournalError", "JournalWriteError", "comparable", "event_rows",
           "failed_mark", "journal_end_s", "read_journal", "read_meta", "replay",
           "replay_journal"]

COMMANDS_FILE, EVENTS_FILE, META_FILE = "commands.jsonl", "events.jsonl", "live.json"


class JournalError(ValueError):
    """A journal that cannot be resumed or replayed: a line in the middle is not what was
    written (the message names the file and line)."""


class JournalWriteError(RuntimeError):
    """An append the journal could not make (module docstring): the file is as it was before
    it. ``errno`` is the system's error number; the message names the file and the error."""

    def __init__(self, path: Path, exc: OSError):
        self.errno = exc.errno
        self.path = path
        super().__init__(f"{path}: cannot write the journal: {exc.strerror or exc}")


# the journal's system calls (module docstring): the seams where tests inject faults
_os_open = os.open
_os_write = os.write
_os_fsync = os.fsync


def _close_fds(fds: dict[Path, int]) -> None:
    for fd in fds.values():
        try:
            os.close(fd)
        except OSError:
            pass
    fds.clear()


def _line(record: dict[str, Any], sort_keys: bool = False) -> str:
    return json.dumps(record, sort_keys=sort_keys, separators=(",", ":"))


def event_rows(log: EventLog, start: int) -> list[dict[str, Any]]:
    """The events of ``log`` from index ``start`` on as JSON-ready records (column -> value, in
    the log's column order), every float that is NaN or infinite as None: the one form of an
    event in ``events.jsonl`` and on the server's websocket (JSON has no NaN)."""
    return [{k: None if isinstance(v, float) and not math.isfinite(v) else v
             for k, v in row.items()} for row in log.rows_since(start)]


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    """An event as resuming compares it, the assignment's ``value`` left out (it once held the
    solver's wall time, and journals written then must still resume)."""
    return {**row, "value": None} if row.get("kind") == "assignment" else row


class Journal:
    """The journal files of one live exercise's folder (module docstring)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.commands_path = self.folder / COMMANDS_FILE
        self.events_path = self.folder / EVENTS_FILE
        self.meta_path = self.folder / META_FILE
        # each file open for appending (opened on its first append, kept open), its length
        # after the last append that succeeded, and whether a failed one may have left more
        self._fds: dict[Path, int] = {}
        self._ends: dict[Path, int] = {}
        self._dirty: set[Path] = set()
        self._finalizer = weakref.finalize(self, _close_fds, self._fds)

    def close(self) -> None:
        """Close the files kept open for appending (the next append opens them again)."""
        _close_fds(self._fds)
        self._ends.clear()
        self._dirty.clear()

    def _fd(self, path: Path) -> int:
        fd = self._fds.get(path)
        if fd is None:
            fd = _os_open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
            self._fds[path] = fd
            self._ends[path] = os.fstat(fd).st_size
        return fd

    def _append(self, path: Path, lines: list[str], sync: bool) -> None:
        """Whole lines appended to ``path``, or nothing (module docstring)."""
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        if not data:
            return
        try:
            self._ready(path)
            fd = self._fds[path]
            view, done = memoryview(data), 0
            while done < len(data):
                n = _os_write(fd, view[done:])
                if n <= 0:
                    raise OSError(errno.EIO, "the write wrote nothing")
                done += n
            if sync:
                _os_fsync(fd)
        except OSError as exc:
            self._undo(path)
            raise JournalWriteError(path, exc) from exc
        self._ends[path] += len(data)

    def _ready(self, path: Path) -> None:
        """Open ``path`` if need be and cut off what a failed append may have left."""
        fd = self._fd(path)
        if path in self._dirty:
            os.ftruncate(fd, self._ends[path])
            self._dirty.discard(path)

    def _undo(self, path: Path) -> None:
        """Cut ``path`` back to its length before a failed append (or mark it, to be cut
        before the next one)."""
        self._dirty.add(path)
        fd = self._fds.get(path)
        if fd is None:
            return
        try:
            os.ftruncate(fd, self._ends[path])
            self._dirty.discard(path)
        except OSError:
            pass

    def ready(self) -> None:
        """Both files open and whole (a failed append's leftovers cut off); raises
        :class:`JournalWriteError` if that cannot be done now."""
        for path in (self.commands_path, self.events_path):
            try:
                self._ready(path)
            except OSError as exc:
                raise JournalWriteError(path, exc) from exc

    def exists(self) -> bool:
        """Whether the folder holds a journal already (to be resumed, not overwritten)."""
        return self.commands_path.exists()

    def write_meta(self, scenario: str, seed: int, approval: tuple[float, bool] | None) -> None:
        atomic_write_text(self.meta_path, json.dumps(
            {"scenario": scenario, "seed": seed, "approval": approval}) + "\n")

    def append_command(self, seq: int, t_s: float, role: str, cmd: dict[str, Any]) -> None:
        """One command's line, fsynced: once this returns the command may be acknowledged;
        :class:`JournalWriteError` (and the file as it was) if it cannot be written."""
        self._append(self.commands_path, [_line(
            {"seq": seq, "t_s": t_s, "role": role, "cmd": cmd}, sort_keys=True)], sync=True)

    def append_failed(self, seq: int, t_s: float, error: str) -> None:
        """The mark after command ``seq``, which raised once journaled
        (:class:`JournalWriteError` if it cannot be written)."""
        self._append(self.commands_path, [_line(failed_mark(seq, t_s, error), sort_keys=True)],
                     sync=True)

    def append_events(self, rows: list[dict[str, Any]]) -> None:
        """Events as they happen (:func:`event_rows`), all or none (:class:`JournalWriteError`);
        not fsynced (a resume regenerates them)."""
        self._append(self.events_path, [_line(r) for r in rows], sync=False)

    def rewrite_events(self, rows: list[dict[str, Any]]) -> None:
        """The events file rewritten whole (never a partial line), as after a resume."""
        self.close()  # the file kept open for appending is replaced: open the new one next
        atomic_write_text(self.events_path, "".join(_line(r) + "\n" for r in rows))

    def cut_torn_line(self) -> None:
        """Truncate a last command line torn by a crash, so that the next append starts a
        line of its own (else it would be glued to the torn one, and lost with it)."""
        path = self.commands_path
        self.close()  # its length changes under the file kept open
        if not path.exists():
            return
        _, end = _read_jsonl(path)
        if end < path.stat().st_size:
            with path.open("r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())

    def read(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The commands (checked: :func:`read_journal`) and events of the journal."""
        records, _ = _read_jsonl(self.commands_path)
        commands = _check_commands(self.commands_path, records)
        events, _ = _read_jsonl(self.events_path)
        return commands, events


def failed_mark(seq: int, t_s: float, error: str) -> dict[str, Any]:
    """The record that marks command ``seq`` failed (it raised once journaled)."""
    return {"failed": seq, "t_s": t_s, "error": error[:200]}


def _read_jsonl(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a journal file and the length in bytes of its complete lines. A line is
    complete when its newline was written: a last line without one was torn by a crash (it is
    left out). A complete line that is not a JSON object is a :class:`JournalError`."""
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    out: list[dict[str, Any]] = []
    for k, line in enumerate(data[:end].split(b"\n")[:-1], 1):
        try:
            rec = json.loads(line)
        except (ValueError, RecursionError):
            rec = None
        if not isinstance(rec, dict):
            raise JournalError(f"{path}:{k}: not a journal line (got {line[:60]!r}); the "
                               "journal is corrupt before its end and cannot be resumed")
        out.append(rec)
    return out, end


def _check_commands(path: Path, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The commands of a journal's records, each checked to follow the one before; a
    ``failed`` line (the command before it raised once journaled) marks that command
    ``failed: true``."""
    seq, t = 0, 0.0
    commands: list[dict[str, Any]] = []
    for k, c in enumerate(records, 1):
        if "failed" in c:
            if not (commands and c["failed"] == seq and not commands[-1].get("failed")):
                raise JournalError(f"{path}:{k}: a failed mark that follows no command "
                                   f"{c.get('failed')!r} (got {short(c)}); the journal is "
                                   "corrupt and cannot be resumed")
            commands[-1] = {**commands[-1], "failed": True}
            continue
        ok = (isinstance(c.get("seq"), int) and isinstance(c.get("t_s"), int | float)
              and isinstance(c.get("role"), str) and isinstance(c.get("cmd"), dict)
              and isinstance(c["cmd"].get("cmd"), str))
        if not ok or c["seq"] != seq + 1 or not t <= c["t_s"] < float("inf"):
            raise JournalError(f"{path}:{k}: not the journal's next command (expected seq "
                               f"{seq + 1} at T+{t:g} s or later; got {short(c)}); the journal "
                               "is corrupt and cannot be resumed")
        seq, t = c["seq"], float(c["t_s"])
        commands.append(c)
    return commands


def read_journal(folder: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The commands and events of a journal folder. A last line torn by a crash is left out;
    a journal corrupt before its end is a :class:`JournalError`."""
    return Journal(folder).read()


def read_meta(folder: Path) -> tuple[int, tuple[float, bool] | None]:
    """The seed and approval setting of a live exercise's folder (``live.json``);
    :class:`JournalError` (one line) if it is missing or not what the server wrote."""
    path = Path(folder) / META_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JournalError(f"{folder}: no live exercise here (no live.json)") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise JournalError(f"{path}: not a live exercise's settings "
                           f"({str(exc)[:100]})") from None
    if not isinstance(meta, dict):
        raise JournalError(f"{path}: not a live exercise's settings (got {short(meta)})")
    seed, ap = meta.get("seed"), meta.get("approval")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise JournalError(f"{path}: seed: a whole number 0 or more (got {short(seed)})")
    if ap is None:
        return seed, None
    if not (isinstance(ap, list) and len(ap) == 2 and isinstance(ap[0], int | float)
            and not isinstance(ap[0], bool) and 0 < ap[0] < float("inf")
            and isinstance(ap[1], bool)):
        raise JournalError(f"{path}: approval: null or [timeout s, approve on time-out] "
                           f"(got {short(ap)})")
    return seed, (float(ap[0]), ap[1])


def journal_end_s(commands: list[dict[str, Any]], events: list[dict[str, Any]]) -> float:
    """The last instant a journal reached (s): its last command's or last event's."""
    return max([float(c["t_s"]) for c in commands]
               + [float(e["t_s"] or 0.0) for e in events] + [0.0])


def replay(sim: Simulation, commands: list[dict[str, Any]],
           events: list[dict[str, Any]]) -> float:
    """Replay a journal into a started engine (``sim.live_commands.live_simulation``): every
    simulation command that did not fail at its recorded instant, run to the last instant the
    journal reached (:func:`journal_end_s`, returned). Engine commands (speed, pause ...) do not
    change the simulation and are not scheduled."""
    for c in commands:
        if c["cmd"]["cmd"] not in ENGINE_COMMANDS and not c.get("failed"):
            sim.sched.at(float(c["t_s"]), Priority.COMMAND, "command", (c["role"], c["cmd"]))
    t_end = journal_end_s(commands, events)
    sim.step_until(t_end)
    return t_end


def replay_journal(scenario: Scenario, folder: Path, seed: int | None = None
                   ) -> dict[str, np.ndarray]:
    """Replay a journal offline: the same scenario and seed (the scenario's if None), every
    command at its recorded instant, to the last instant the journal reached; the event log
    (columns)."""
    commands, events = read_journal(Path(folder))
    approval = read_meta(Path(folder))[1]
    sim = live_simulation(scenario, scenario.seed if seed is None else int(seed), approval)
    replay(sim, commands, events)
    return sim.log.columns()
