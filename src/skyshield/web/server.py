"""The live exercise server: a :class:`skyshield.sim.live.LiveExercise` against the wall clock,
with its clients (``web.clients``), each role's picture (``web.pictures``) and DIS
(``web.dis_bridge``). The FastAPI application over it is ``web.live_app``.

One at a time. Every access to the exercise — a command (REST, websocket or DIS), a read of
the picture or the stats, a clock tick — holds the exercise's lock (``LiveExercise.lock``), and
the endpoints are ``async``: they run on the event loop between ticks, never in a thread beside
the clock. A command is checked (its role: ``web.roles.may``), journaled, applied and its events
sent with nothing else in between.

The clock. A task advances the exercise every ``TICK_S`` of wall time by the elapsed time ×
speed (unless paused), sends the new events and, every ``FRAME_S``, a frame of the picture to
every websocket. A tick that fails (a bug) does not stop simulated time: its traceback goes to
the server log, it is counted (``clock_errors`` and ``clock_last_error`` in ``/api/stats``,
``clock_errors`` in the controller's frames), the controllers get an error message, and the
clock goes on; after ``CLOCK_MAX_ERRORS_IN_ROW`` failed ticks in a row the exercise is paused
(journaled, by ``system:clock``) for a controller to resume or end it.

A journal that cannot be written (``sim.live``: a full disk, EIO ...) holds the exercise: the
tick's events are not published, time stands still, commands are refused (REST 503). The clock
tries again after ``JOURNAL_RETRY_S``, doubling the wait up to ``JOURNAL_RETRY_MAX_S``; when a
retry succeeds the held-back events are published and the exercise goes on by itself (a
controller's pause, if any, stays). The server log gets one line when the hold begins and one
when it ends (never one per retry); the controllers get the same two messages, every frame says
``held`` (the controllers' also ``journal_error``: why), and ``/api/stats`` has ``journal``
(null, or the error, the instant held at and the retries so far) and the counts
``journal_holds`` and ``journal_retries``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skyshield.sim.commands import CommandError, parse_command
from skyshield.sim.live import LiveExercise
from skyshield.web.clients import Client, put
from skyshield.web.dis_bridge import DISBridge
from skyshield.web.pictures import Pictures
from skyshield.web.roles import Roles, may

__all__ = ["CLOCK_MAX_ERRORS_IN_ROW", "FRAME_S", "JOURNAL_RETRY_MAX_S", "JOURNAL_RETRY_S",
           "MAX_TICK_WALL_S", "TICK_S", "LiveServer"]

log = logging.getLogger(__name__)

TICK_S = 0.1
FRAME_S = 0.25
CLOCK_MAX_ERRORS_IN_ROW = 10  # failed ticks in a row before the exercise is paused
# after a stall of the event loop the clock advances at most this much wall time in one tick:
# the exercise falls behind the wall clock rather than jump minutes at a high speed factor
# (which would stall the loop again)
MAX_TICK_WALL_S = 1.0
# a held exercise's journal is tried again after this wall time, doubled after every failed
# retry up to the maximum (a full disk is not freed in a millisecond; a freed one is found
# within seconds)
JOURNAL_RETRY_S = 0.2
JOURNAL_RETRY_MAX_S = 5.0


@dataclass
class LiveServer:
    """The exercise, its clients and its DIS bridge; driven by :meth:`run_clock`."""

    ex: LiveExercise
    roles: Roles
    dis_target: tuple[str, int] | None = None
    dis_exercise: int | None = None  # take only PDUs of this exercise (all if None); ours too
    clock: Callable[[], float] = time.monotonic  # wall clock of DIS heartbeat, time-out, rate
    clients: set[Client] = field(default_factory=set)
    stats: dict[str, int] = field(default_factory=lambda: {
        "frames_sent": 0, "frames_dropped": 0, "dis_sent": 0, "dis_received": 0,
        "dis_dropped": 0, "dis_errors": 0, "dis_throttled": 0, "dis_refused": 0,
        "dis_other_exercise": 0, "dis_removed": 0, "dis_unnumbered": 0, "dis_send_errors": 0,
        "commands": 0, "commands_refused": 0, "command_errors": 0, "clock_errors": 0,
        "clients_overflowed": 0, "dis_reserved_id": 0, "journal_holds": 0,
        "journal_retries": 0})
    clock_errors_in_row: int = 0
    clock_last_error: str | None = None
    # the hold the clients were last told of (None: not held), its start (simulated and wall
    # time), the retries so far and when the next one is due (wall time)
    journal_held: str | None = None
    _held_at: tuple[float, float] = (0.0, 0.0)
    _held_retries: int = 0
    _retry_at: float = 0.0
    pictures: Pictures = field(init=False, repr=False)
    dis: DISBridge = field(init=False, repr=False)
    _running: bool = True

    def __post_init__(self) -> None:
        self.pictures = Pictures(self.ex)
        self.dis = DISBridge(self.ex, self.stats, self.publish, self.dis_target,
                             self.dis_exercise, self.clock)

    # ---------------------------------------------------------------- what each role sees
    def scenario_info(self) -> dict[str, Any]:
        with self.ex.lock:
            return self.pictures.scenario_info()

    def frame(self, role: str) -> dict[str, Any]:
        with self.ex.lock:
            out = self.pictures.frame(role, self.stats["clock_errors"])
            out["held"] = self.ex.held is not None
            if role == "controller":
                out["journal_error"] = self.ex.held
            return out

    def journal_status(self) -> dict[str, Any] | None:
        """``/api/stats``'s ``journal``: None, or why the exercise is held, since when and the
        retries so far."""
        with self.ex.lock:
            if self.ex.held is None:
                return None
            return {"error": self.ex.held, "held_at_t_s": self._held_at[0],
                    "retries": self._held_retries}

    def events_for(self, role: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events ``role`` may see (``web.pictures.Pictures.events_for``)."""
        return self.pictures.events_for(role, events)

    # ---------------------------------------------------------------- sending
    def broadcast(self, msg: dict[str, Any]) -> None:
        """``msg`` to every client; an events message as each role may see it
        (:meth:`events_for`)."""
        if msg.get("type") != "events":
            text = json.dumps(msg, separators=(",", ":"))
            for c in list(self.clients):
                put(c, text, self.stats)
            return
        by_role: dict[str, str | None] = {}
        for c in list(self.clients):
            if c.role not in by_role:
                evs = self.events_for(c.role, msg["events"])
                by_role[c.role] = json.dumps({**msg, "events": evs}, separators=(",", ":")) \
                    if evs else None
            filtered = by_role[c.role]
            if filtered is not None:
                put(c, filtered, self.stats)

    def publish(self, events: list[dict[str, Any]]) -> None:
        """New events (rows of the journal) to the clients and to DIS."""
        if events:
            self.broadcast({"type": "events", "events": events})
            self.dis.events(events)

    def send_frames(self) -> None:
        with self.ex.lock:
            self._send_frames()

    def _send_frames(self) -> None:
        by_role: dict[str, str] = {}
        for c in list(self.clients):
            if c.role not in by_role:
                by_role[c.role] = json.dumps(self.frame(c.role), separators=(",", ":"))
            put(c, by_role[c.role], self.stats, frame=True)

    def command(self, role: str, cmd: dict[str, Any]) -> dict[str, Any]:
        """A command from a role (checked), applied; its result (``CommandError`` refused).
        Holds the exercise's lock throughout: nothing else reads or changes the exercise
        between the checks, the journal line and the events sent."""
        with self.ex.lock:
            return self._command(role, cmd)

    def _command(self, role: str, cmd: dict[str, Any]) -> dict[str, Any]:
        try:
            cmd = parse_command(cmd)
        except CommandError:
            self.stats["commands_refused"] += 1
            raise
        kind = cmd["cmd"]
        if kind in ("approve", "deny"):
            a = self.ex.sim.awaiting.get(cmd["id"])
            if a is None:
                self.stats["commands_refused"] += 1
                raise CommandError(f"id: no engagement {cmd.get('id')!r} is waiting for approval")
            if not may(role, "approve", a["unit_name"]):
                raise PermissionError(f"{role} may not decide for {a['unit_name']}")
        elif not may(role, "control"):
            raise PermissionError(f"{role} may not send {kind!r}")
        try:
            res = self.ex.command(role, cmd)
        except CommandError:
            self.stats["commands_refused"] += 1
            self._journal_news()
            raise
        self.stats["commands"] += 1
        self.publish(res["events"])
        self._journal_news()
        return {"seq": res["seq"], "t_s": res["t_s"]}

    # ---------------------------------------------------------------- the clock
    async def run_clock(self) -> None:
        """Advance the exercise with the wall clock (module docstring). A tick that fails is
        logged with its traceback, counted and reported (:meth:`_clock_failed`); the clock
        goes on."""
        last = time.monotonic()
        last_frame = 0.0
        while self._running:
            await asyncio.sleep(TICK_S)
            now = time.monotonic()
            dt, last = now - last, now
            try:
                self.tick(min(dt, MAX_TICK_WALL_S))
                self.clock_errors_in_row = 0
            except Exception as exc:  # noqa: BLE001 - simulated time must not stop silently
                self._clock_failed(exc)
            if now - last_frame >= FRAME_S:
                last_frame = now
                try:
                    self.send_frames()
                except Exception as exc:  # noqa: BLE001
                    self._clock_failed(exc)

    def tick(self, dt_wall_s: float) -> None:
        """One tick of the clock: ``dt_wall_s`` of wall time × speed, unless paused."""
        with self.ex.lock:
            self._tick(dt_wall_s)

    def _tick(self, dt_wall_s: float) -> None:
        ex = self.ex
        if ex.held is not None:
            self._retry_journal()
        elif not ex.paused and not ex.ended:
            self.publish(ex.advance(ex.t + dt_wall_s * ex.speed))
        self._journal_news()
        self.dis.tick()  # paused or not: the DIS heartbeat runs on the wall clock

    # ---------------------------------------------------------------- a journal that fails
    def _retry_journal(self) -> None:
        """Try the held exercise's journal again if the back-off says so (module docstring)."""
        now = self.clock()
        if now < self._retry_at:
            return
        self.publish(self.ex.retry_journal())
        if self.ex.held is not None:
            self._held_retries += 1
            self.stats["journal_retries"] += 1
            self._retry_at = now + min(JOURNAL_RETRY_MAX_S,
                                       JOURNAL_RETRY_S * 2.0 ** self._held_retries)

    def _journal_news(self) -> None:
        """Tell the log and the controllers, once, that the exercise is held (the journal
        cannot be written) or goes on again."""
        held, ex = self.ex.held, self.ex
        if (held is None) == (self.journal_held is None):
            self.journal_held = held  # the reason may have changed: not news
            return
        now = self.clock()
        if held is not None:
            self.stats["journal_holds"] += 1
            self._held_at, self._held_retries = (ex.t, now), 0
            self._retry_at = now + JOURNAL_RETRY_S
            detail = (f"the journal cannot be written ({held}): the exercise is held at "
                      f"T+{ex.t:.1f} s and commands are refused; retrying, it goes on by itself "
                      "once the journal can be written")
            log.error("%s", detail)
        else:
            detail = (f"the journal is written again after {self._held_retries} retries "
                      f"({now - self._held_at[1]:.1f} s): the exercise goes on from "
                      f"T+{ex.t:.1f} s" + (" (paused, as a controller left it)"
                                            if ex.paused else ""))
            log.warning("%s", detail)
        self.journal_held = held
        text = json.dumps({"type": "error" if held is not None else "notice",
                           "detail": detail, "journal": "held" if held is not None else "ok"})
        for c in list(self.clients):
            if c.role == "controller":
                put(c, text, self.stats)

    def _clock_failed(self, exc: Exception) -> None:
        """A failed tick: the traceback to the server log, the count and the last error to
        ``/api/stats`` and the controllers' frames, an error message to the controllers. After
        ``CLOCK_MAX_ERRORS_IN_ROW`` failed ticks in a row the exercise is paused (a journaled
        ``pause`` by ``system:clock``), so that a controller decides: resume, or end."""
        log.error("clock tick at T+%.1f s failed", self.ex.t, exc_info=exc)
        self.stats["clock_errors"] += 1
        self.clock_errors_in_row += 1
        self.clock_last_error = f"T+{self.ex.t:.1f} s: {type(exc).__name__}: {exc}"[:300]
        detail = f"the exercise clock failed at {self.clock_last_error}"
        if self.clock_errors_in_row >= CLOCK_MAX_ERRORS_IN_ROW and not self.ex.paused \
                and not self.ex.ended:
            try:
                self.ex.command("system:clock", {"cmd": "pause"})  # takes the lock itself
                detail += f" ({self.clock_errors_in_row} times in a row: paused)"
            except Exception:  # noqa: BLE001
                log.exception("pausing after clock errors failed")
        text = json.dumps({"type": "error", "detail": detail})
        for c in list(self.clients):
            if c.role == "controller":
                put(c, text, self.stats)

    def stop(self) -> None:
        self._running = False

    # ---------------------------------------------------------------- DIS (web.dis_bridge)
    def open_dis(self) -> None:
        self.dis.open()

    def dis_tick(self) -> None:
        """What the clock does for DIS at every tick, paused or not."""
        self.dis.tick()

    def receive_dis(self, data: bytes) -> None:
        """One datagram from another simulator (never raises; at most one journaled command)."""
        self.dis.receive(data)
