"""The live exercise: the same engine, paced by a wall clock, taking commands — with a journal
that makes a live exercise as reproducible as a batch run.

Pacing. :meth:`LiveExercise.advance` processes every scheduled event up to a simulated time; the
server calls it from the wall clock (``t += Δwall × speed`` unless paused). Nothing in the
simulation reads the wall clock.

Commands. A command arriving while the engine stands at simulated time T (every event at or
before T processed) is written to the journal *first* (``sim.journal``: ``commands.jsonl``, one
JSON line, flushed and fsynced), then scheduled at T with the highest priority value (it runs
after everything else at T) and processed at once. Replaying the journal — the same scenario
and seed, every command scheduled at its recorded T — therefore reproduces the event log exactly
(tested), and so does resuming after a crash: :class:`LiveExercise` with ``resume=True`` replays
the journal up to the last instant it recorded (``sim.journal.replay``, the one schedule that
the offline :func:`replay_journal` uses too), checks the regenerated events against
``events.jsonl`` (every event is appended there as it happens) and continues. A last line torn
by a crash (a kill -9 mid-write: no newline) is cut off before anything is appended (that command
was never acknowledged); a journal with a bad line before its end is refused
(:class:`JournalError`: ``skyshield serve --resume`` says where, exit status 2). A command
that raised unexpectedly once journaled (a bug, not a refusal) has its events taken back and a
``{"failed": SEQ, ...}`` line after it: resuming and replaying skip it, so the journal still
replays to its own events.

A journal that cannot be written. The journal only ever says what happened: a sequence number
is taken and an event counted as written only once its append has succeeded (``sim.journal``:
an append that fails leaves the file as it was). When an append fails — no space, EIO, a file
too large — the exercise is *held* (:attr:`LiveExercise.held` says why): the events of the tick
that could not be written stay in the engine, unpublished, and the exercise's time stays at the
last instant whose events are in the journal; nothing advances and every command is refused
(:class:`JournalUnavailable`) until :meth:`LiveExercise.retry_journal` (the server calls it,
backing off) writes them. Then the exercise goes on by itself, at the instant it was held —
unless a controller had paused it, which a hold neither does nor undoes (the hold is not a
command: it is not journaled, and after a crash the exercise resumes as the journal left it).
A command whose own line cannot be written is refused and never carried out; a ``failed`` mark
or the error pause that cannot be written is owed, and written first when the journal can be
written again.

Every command is first checked against its typed model (``sim.commands``: one pydantic model per
command, discriminated on ``cmd``, shared with the server's REST and websocket handlers), then
against the running exercise (``sim.live_commands.validate_command``), and carried out by
``sim.live_commands.apply_command``; an external entity's route is its DIS dead reckoning
(``sim.external``). This module is the façade: the exercise's clock, its commands in order, and
its journal.

Simulation commands (they change the fight; roles are checked by the server):

* ``inject`` {type, from {lat, lon, alt}, to: asset/unit name or {lat, lon, alt}, speed?,
  name?} — a threat (or with ``side: friendly`` a friend) from a catalogue template;
* ``raid`` {type, count, spacing, from, to, alt?, speed?} — a raid along an axis;
* ``roe`` {unit, roe}; ``cut_link`` / ``restore_link`` {unit}; ``emcon`` {unit, mode: on,
  off or cued}; ``destroy_radar`` / ``restore_radar`` {unit, radar?}; ``destroy_unit`` /
  ``restore_unit`` {unit} (these and ``inject``, ``raid`` are also the scenario's MSEL: each
  entry scheduled when the exercise starts, from the role ``msel``, never journaled — a resumed
  exercise schedules it again from the scenario);
* ``approve`` / ``deny`` {id} — an engagement waiting in operator-approval mode;
* ``external`` {id, force, lat, lon, alt, vel_enu, type?} — an entity of another simulator
  (a received DIS Entity State PDU; lat, lon in degrees, alt ellipsoidal metres, vel_enu m/s in
  the scenario's ENU frame): joins as a vehicle and is re-routed on every update by dead
  reckoning (at rest too; ``sim.external``);
* ``external_remove`` {id, why} — that entity leaves (deactivated by its simulator, or timed
  out: the server decides on the wall clock and journals the decision, so replay repeats it);
* ``end``.

Engine commands (journaled, no effect on the simulation): ``speed`` {factor}, ``pause``,
``resume``, ``freeze`` (paused, and nothing but ``resume`` accepted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skyshield.engine.scheduler import Priority
from skyshield.scenario.schema import Scenario
from skyshield.sim.commands import ENGINE_COMMANDS, SIM_COMMANDS, CommandError, parse_command
from skyshield.sim.journal import (
    Journal,
    JournalError,
    JournalWriteError,
    comparable,
    event_rows,
    read_journal,
    read_meta,
    replay,
    replay_journal,
)
from skyshield.sim.live_commands import (
    INJECT_MAX_DISTANCE_M,
    apply_command,
    live_simulation,
    validate_command,
)
from skyshield.sim.run import SimOutput, Simulation

__all__ = ["LiveExercise", "CommandError", "JournalError", "JournalUnavailable",
           "JournalWriteError", "SIM_COMMANDS", "ENGINE_COMMANDS",
           "INJECT_MAX_DISTANCE_M", "apply_command", "replay_journal", "read_journal",
           "read_meta", "validate_command"]


class JournalUnavailable(CommandError):
    """A command refused because the journal cannot be written now (the exercise is held:
    module docstring); the same command may be sent again later."""


@dataclass
class LiveExercise:
    """A scenario run live (module docstring). ``folder`` holds the journal."""

    scenario: Scenario
    folder: Path
    seed: int | None = None
    speed: float = 1.0
    approval: tuple[float, bool] | None = None  # (timeout s, approve on time-out)
    resume: bool = False
    t: float = 0.0
    paused: bool = False
    frozen: bool = False
    ended: bool = False
    seq: int = 0
    held: str | None = None  # why the journal cannot be written (module docstring), or None
    _events_out: int = 0  # events of the log written to the journal
    _t_due: float = 0.0  # the instant reached whose events are not all written yet
    # journal lines owed, each a write to make before anything else (module docstring)
    _owed: list[Callable[[], None]] = field(default_factory=list, repr=False)
    sim: Simulation = field(init=False)
    journal: Journal = field(init=False, repr=False)
    # held by everything that reads or changes the exercise (commands, the clock, the
    # server's reads): a command is journaled and applied with nothing else in between
    lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        seed = self.scenario.seed if self.seed is None else int(self.seed)
        self.seed = seed
        self.sim = live_simulation(self.scenario, seed, self.approval)
        self.journal = Journal(self.folder)
        if self.resume:
            self._resume()
        else:
            if self.journal.exists():
                raise FileExistsError(f"{self.folder} holds a journal already; resume it")
            self.journal.write_meta(self.scenario.name, seed, self.approval)

    # ------------------------------------------------------------------ time
    def advance(self, t_s: float) -> list[dict[str, Any]]:
        """Run the simulation to ``t_s`` (no further than the exercise's end); the new events,
        already appended to the journal."""
        with self.lock:
            return self._advance(t_s)

    def _advance(self, t_s: float) -> list[dict[str, Any]]:
        if self.ended or self.held is not None:
            return []
        t_s = min(float(t_s), self.scenario.duration)
        if t_s > self.t:
            self.sim.step_until(t_s)
        return self._flush(max(t_s, self.t))

    def _flush(self, t_s: float) -> list[dict[str, Any]]:
        """Write what the journal is owed and the events not yet written, the engine standing
        at ``t_s``; the events, or none if the journal cannot be written (then the exercise is
        held at the instant it had reached, and these events wait: module docstring)."""
        self._t_due = max(self._t_due, t_s)
        rows = event_rows(self.sim.log, self._events_out)
        try:
            while self._owed:
                self._owed[0]()
                self._owed.pop(0)
            self.journal.append_events(rows)
        except JournalWriteError as exc:
            self.held = str(exc)
            return []
        self._events_out += len(rows)
        self.held = None
        self.t = self._t_due
        if self.sim.finished:
            self.ended = True
        return rows

    def retry_journal(self) -> list[dict[str, Any]]:
        """Try again to write what a held exercise owes its journal: the events it held back
        (to be published), and the exercise goes on; none, and :attr:`held` still says why,
        if the journal still cannot be written."""
        with self.lock:
            if self.held is None:
                return []
            try:
                self.journal.ready()
            except JournalWriteError as exc:
                self.held = str(exc)
                return []
            return self._flush(self._t_due)

    # ------------------------------------------------------------------ commands
    def command(self, role: str, cmd: dict[str, Any]) -> dict[str, Any]:
        """Apply a command now (module docstring): journaled first, then carried out. Returns
        ``{seq, t_s, events}``; :class:`CommandError` if it cannot be applied. A command that
        fails unexpectedly once journaled (a bug) has its events taken back and a ``failed``
        line after it in the journal; resuming and replaying skip it."""
        with self.lock:
            return self._command(role, cmd)

    def _command(self, role: str, cmd: dict[str, Any]) -> dict[str, Any]:
        cmd = parse_command(cmd)  # the shape (sim.commands); CommandError naming the field
        kind = cmd["cmd"]
        if self.held is not None:
            raise self._unavailable()
        if self.ended:
            raise CommandError("the exercise has ended")
        if self.frozen and kind != "resume":
            raise CommandError("the exercise is frozen: only resume is accepted")
        if kind in ENGINE_COMMANDS:
            c = dict(cmd)
            self._journal(role, c)
            self._engine(c)
            return {"seq": self.seq, "t_s": self.t, "events": []}
        c = validate_command(self.sim, self.t, cmd)
        n0 = len(self.sim.log)
        self._journal(role, c)
        try:
            self.sim.sched.at(self.t, Priority.COMMAND, "command", (role, c))
            self.sim.step_until(self.t)
        except Exception as exc:
            # a bug, not a refusal: the command's events are taken back and the journal says
            # it failed, so that resuming or replaying skips it (and gives these events)
            self.sim.log.truncate(n0)
            seq, t, error = self.seq, self.t, f"{type(exc).__name__}: {exc}"
            self._owe(lambda: self.journal.append_failed(seq, t, error))
            # what it half did may still be in the running exercise (the journal, and so a
            # resume, has a clean one): paused, journaled, for the controller to decide
            if not self.paused:
                pause = {"cmd": "pause"}

                def journal_pause() -> None:
                    self.journal.append_command(self.seq + 1, t, "system:error", pause)
                    self.seq += 1

                self._owe(journal_pause)
                self._engine(pause)
            raise
        return {"seq": self.seq, "t_s": self.t, "events": self._flush(self.t)}

    def _unavailable(self) -> JournalUnavailable:
        return JournalUnavailable(f"the journal cannot be written ({self.held}): the exercise "
                                  "is held until it can; send the command again later")

    def _owe(self, write: Callable[[], None]) -> None:
        """A journal line to write now, or (if it cannot be) before anything else later."""
        self._owed.append(write)
        self._flush(self.t)

    def _engine(self, c: dict[str, Any]) -> None:
        kind = c["cmd"]
        if kind == "speed":
            self.speed = float(c["factor"])
        elif kind == "pause":
            self.paused = True
        elif kind == "freeze":
            self.paused = self.frozen = True
        elif kind == "resume":
            self.paused = self.frozen = False

    def _journal(self, role: str, c: dict[str, Any]) -> None:
        """The command's line, its sequence number taken once it is written; a line that
        cannot be written holds the exercise and refuses the command."""
        try:
            self.journal.append_command(self.seq + 1, self.t, role, c)
        except JournalWriteError as exc:
            self.held = str(exc)
            raise self._unavailable() from None
        self.seq += 1

    def _resume(self) -> None:
        commands, events = self.journal.read()  # JournalError if corrupt in the middle
        self.journal.cut_torn_line()
        self.seq = commands[-1]["seq"] if commands else 0
        for c in commands:
            if c["cmd"]["cmd"] in ENGINE_COMMANDS:
                self._engine(c["cmd"])
        self.t = replay(self.sim, commands, events)
        rows = event_rows(self.sim.log, 0)
        ours, theirs = [comparable(r) for r in rows[:len(events)]], [comparable(e)
                                                                    for e in events]
        if ours != theirs:
            k = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                     min(len(ours), len(theirs)))
            raise RuntimeError(f"{self.folder}: the journal does not replay to its own events "
                               f"(first difference at event {k})")
        # the events the dead process had not yet written are in the log again: rewrite the
        # journal's events file whole (so it never holds a partial line) and go on from here
        self.journal.rewrite_events(rows)
        self._events_out = len(rows)
        self._t_due = self.t
        if self.sim.finished:
            self.ended = True

    # ------------------------------------------------------------------ the end
    def output(self) -> SimOutput:
        """The run so far as the batch engine's output (for the run folder)."""
        return self.sim.output(seed=int(self.seed or 0))
