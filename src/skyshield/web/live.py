"""The live exercise server: a :class:`skyshield.sim.live.LiveExercise` against the wall clock,
with roles, a browser UI over a websocket, and DIS.

Roles and tokens. ``controller`` (injects, ROE, links, radars, speed, pause, end), one
``operator:<unit>`` per fire unit and ``operator:command_post`` (the engagements waiting for
their approval, the unit's picture), and ``observer`` (watch only). Tokens are generated at
start and printed once, or read from a file (``role: token`` lines); only their SHA-256 is kept
(``tokens.json`` in the exercise folder). Every endpoint but the login page and the static files
(the OpenAPI document ``/openapi.json`` included) needs a token (``Authorization: Bearer ...``,
or ``?token=`` on the websocket) and checks the role; a wrong or missing token is 401, a role
without the right 403.

What each role sees. The controller and observers: everything, the truth included (where the
vehicles are, every event). An operator never sees the truth: the tracks, not the vehicles;
no truth-bearing event (``TRUTH_EVENTS``; ``truth_id`` blanked). The operator of one unit sees
its own unit's air picture: the tracks its radars hold, its interceptors, its own status, and
the events about the unit or those tracks (:meth:`LiveServer.events_for`); the command-post
operator sees the fused picture (every track, unit and interceptor). The fire-control plan
reaches the operators in every mode: ``engage`` events and ``planned`` in the frame (in
approval mode, also ``approvals``, the engagements waiting for their decision).

One at a time. Every access to the exercise — a command (REST, websocket or DIS), a read of
the picture or the stats, a clock tick — holds the exercise's lock (``LiveExercise.lock``), and
the endpoints are ``async``: they run on the event loop between ticks, never in a thread beside
the clock. A command is checked, journaled, applied and its events sent with nothing else in
between.

The clock. A task advances the exercise every ``TICK_S`` of wall time by the elapsed time ×
speed (unless paused), sends the new events and, every ``FRAME_S``, a frame of the picture to
every websocket. A client that does not keep up has frames dropped (counted), never queued
without bound; its events are never dropped, and one more than ``CLIENT_BACKLOG`` messages
behind is disconnected (counted) to reconnect for a fresh picture. A tick that fails (a bug)
does not stop simulated time: its traceback goes to the
server log, it is counted (``clock_errors`` and ``clock_last_error`` in ``/api/stats``,
``clock_errors`` in the controller's frames), the controllers get an error message, and the
clock goes on; after ``CLOCK_MAX_ERRORS_IN_ROW`` failed ticks in a row the exercise is paused
(journaled, by ``system:clock``) for a controller to resume or end it.

DIS (``--dis HOST:PORT``, unicast, multicast or broadcast: the socket has ``SO_BROADCAST``):
Entity State PDUs for every live entity — the fire units (land platforms, damaged when a radar
is destroyed, destroyed when the unit is), the air vehicles and the interceptors in flight — at
the heartbeat (``DIS_HEARTBEAT_S`` of wall time, paused or not), whenever dead reckoning from
the last one sent errs by more than ``DIS_DR_THRESHOLD_M`` in simulated time or the appearance
changes (frozen, bit 21, while the exercise is paused), and one last PDU marked deactivated
(and destroyed, if killed) at the entity's final position when it leaves — and, when the
exercise ends, for every entity still sent, where it is then; a Fire PDU at every
launch (shooter: the fire unit's entity) and a Detonation PDU at every intercept, with the same
event number. Entity numbers come from one map (``DIS_ENTITY_MAX`` at most at once; numbers are
reused only after the counter wraps; an entity with no free number is not sent, and counted).
``--dis-listen [HOST:]PORT`` (HOST: the server's own by default) takes Entity State PDUs from
other simulators — of exercise ``dis_exercise`` only, if set (``--dis-exercise N``; our own PDUs
then carry that exercise id, 1 otherwise): each becomes an ``external``
command (journaled like any other). Bounds, so that nothing on the network can flood the
journal: updates of one entity closer than ``DIS_MIN_UPDATE_S`` (simulated) and anything beyond
``DIS_RATE_PER_S`` commands a second (burst ``DIS_BURST``) are dropped (``dis_throttled``), a
new entity beyond ``DIS_MAX_EXTERNAL`` is refused (``dis_refused``). An entity that arrives
deactivated (appearance bit 23), or that is not heard for ``DIS_TIMEOUT_S`` of wall time,
leaves by an ``external_remove`` command. A datagram that is not a PDU is counted and dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import (
    Body,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Request,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from skyshield.c2.fire_control import ROES
from skyshield.c2.threat import CLASSES, IDENTITIES
from skyshield.geo import enu_to_geodetic
from skyshield.io import dis
from skyshield.io.exports import SYMBOLS, symbol_key
from skyshield.scenario.schema import Scenario
from skyshield.sim.commands import Command, CommandError, dump, message, parse_command, short
from skyshield.sim.live import INJECT_MAX_DISTANCE_M, LiveExercise
from skyshield.sim.world import CATEGORIES, SIDES
from skyshield.web.replay import STATIC_DIR

__all__ = ["Roles", "LiveServer", "live_app", "serve_live", "TICK_S", "FRAME_S"]

log = logging.getLogger(__name__)

TICK_S = 0.1
FRAME_S = 0.25
# events that carry the truth (where the vehicles really are, what really happened): the
# controller's and observers' only
TRUTH_EVENTS = frozenset({"spawn", "route_end", "leak", "impact", "first_detection", "kill",
                          "inject", "external_entity", "command"})
CLOCK_MAX_ERRORS_IN_ROW = 10  # failed ticks in a row before the exercise is paused
CLIENT_QUEUE = 8  # messages a slow websocket may have waiting before new frames are dropped
# events and other messages are never dropped (a client would miss them for good): past this
# backlog a client that does not keep up is disconnected instead (it reconnects for a fresh
# picture), so memory stays bounded
CLIENT_BACKLOG = 2000
SEND_TIMEOUT_S = 10.0  # a websocket whose send blocks this long (a stalled peer) is cut off
# after a stall of the event loop the clock advances at most this much wall time in one tick:
# the exercise falls behind the wall clock rather than jump minutes at a high speed factor
# (which would stall the loop again)
MAX_TICK_WALL_S = 1.0
DIS_HEARTBEAT_S = 5.0  # IEEE 1278.1 default entity-state heartbeat (wall time)
DIS_DR_THRESHOLD_M = 1.0  # IEEE 1278.1 default position threshold
DIS_TIMEOUT_S = 12.0  # IEEE 1278.1 default entity-state time-out (2.4 heartbeats, wall time)
DIS_MIN_UPDATE_S = 0.5  # an external entity's updates closer than this (simulated) are dropped
DIS_MAX_EXTERNAL = 200  # assumed: other simulators' entities in the exercise at once
DIS_RATE_PER_S, DIS_BURST = 50.0, 200  # assumed: external commands a wall second, burst
# IEEE 1278.1 entity numbers: 0 is NO_ENTITY, 0xFFFE RQST_ASSIGN_ID, 0xFFFF ALL_ENTITIES
DIS_ENTITY_MAX = 0xFFFD
DIS_SITE, DIS_APP = 1, 0x5353  # "SS": skyshield's application number (assumed)
# SISO-REF-010 entity types (kind, domain, country, category): a fire unit is a platform (1),
# land (1), country other (0), category 28 "Air Defense / Missile Defense Unit Equipment"; our
# interceptors are munitions (2) of domain 1 "Anti-Air", category 1 "Guided"; anti-radiation
# missiles domain 4 "Anti-Radar"; land-attack cruise missiles domain 9 "Battlefield Support",
# where SISO-REF-010 v28 puts the conventional Tomahawks (BGM-109D TLAM-D 2.9.225.1.19.2,
# TACTOM BGM-109E 2.9.225.1.19.5; only the nuclear TLAM-N is "Strategic", 10); aircraft and
# UAVs platforms (1) of domain 2 "Air", category 1 (assumed: no finer class is known here)
DIS_AIR_DEFENCE_UNIT = dis.EntityType(1, 1, 0, 28)
DIS_INTERCEPTOR = dis.EntityType(2, 1, 0, 1)
DIS_ARM = dis.EntityType(2, 4, 0, 1)
DIS_CRUISE_MISSILE = dis.EntityType(2, 9, 0, 1)
DIS_AIR_PLATFORM = dis.EntityType(1, 2, 0, 1)
DIS_GUN_ROUND = dis.EntityType(2, 1, 0, 2)  # munition, anti-air, category 2 "Ballistic"
# IEEE 1278.1 general appearance record: damage in bits 3-4, frozen in bit 21, state
# (deactivated) in bit 23
DIS_MODERATE_DAMAGE, DIS_DESTROYED = 2 << 3, 3 << 3
DIS_FROZEN, DIS_DEACTIVATED = 1 << 21, 1 << 23


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Roles:
    """Role of each token, kept as SHA-256 hashes (module docstring)."""

    hashes: dict[str, str]  # sha256 -> role

    @staticmethod
    def generate(units: list[str]) -> tuple[Roles, dict[str, str]]:
        roles = ["controller", "observer", "operator:command_post",
                 *(f"operator:{u}" for u in units)]
        tokens = {r: secrets.token_urlsafe(24) for r in roles}
        return Roles({_hash(t): r for r, t in tokens.items()}), tokens

    @staticmethod
    def from_file(path: Path, units: list[str]) -> Roles:
        """The roles of a tokens file (``ROLE: TOKEN`` lines; ``#`` comments); ValueError,
        one line naming the file and line, if it is missing, unreadable or wrong: an unknown
        role, a token shorter than 16 characters or holding ':', one token for two roles."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ValueError(f"{path}: no such tokens file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read the tokens file: "
                             f"{getattr(exc, 'strerror', None) or exc}") from None
        out: dict[str, str] = {}
        for k, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(":")
            # the role is controller, observer or operator:<unit>; the token what follows
            n = 2 if parts[0].strip() == "operator" and len(parts) > 2 else 1
            role = ":".join(p.strip() for p in parts[:n])
            rest = parts[n:]
            ok = role in ("controller", "observer", "operator:command_post") or (
                role.startswith("operator:") and role.split(":", 1)[1] in units)
            if not rest or not ok:
                raise ValueError(f"{path}:{k}: expected 'ROLE: TOKEN' with ROLE controller, "
                                 f"observer or operator:<unit> (got {line!r})")
            if len(rest) > 1:
                raise ValueError(f"{path}:{k}: a token may not contain ':' ({role})")
            token = rest[0].strip()
            if len(token) < 16:
                raise ValueError(f"{path}:{k}: a token needs at least 16 characters ({role})")
            h = _hash(token)
            if out.get(h, role) != role:
                raise ValueError(f"{path}:{k}: the same token for {out[h]} and {role}; each "
                                 "role needs its own")
            out[h] = role
        return Roles(out)

    def role(self, token: str | None) -> str | None:
        return self.hashes.get(_hash(token)) if token else None

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"sha256": self.hashes}, indent=1) + "\n", encoding="utf-8")

    @staticmethod
    def load(path: Path) -> Roles:
        return Roles(dict(json.loads(path.read_text(encoding="utf-8"))["sha256"]))


def may(role: str, action: str, unit: str | None = None) -> bool:
    """Whether ``role`` may do ``action`` ("watch", "control", "approve" for ``unit``)."""
    if action == "watch":
        return True
    if action == "control":
        return role == "controller"
    if action == "approve":
        return role in ("controller", "operator:command_post") or role == f"operator:{unit}"
    return False


@dataclass(eq=False)  # clients are kept in a set by identity
class _Client:
    queue: asyncio.Queue[str]  # unbounded: :meth:`LiveServer._put` bounds it
    role: str
    sent: int = 0
    dropped: int = 0
    overflowed: bool = False  # past CLIENT_BACKLOG: the pump closes its websocket


@dataclass
class LiveServer:
    """The exercise, its clients and its DIS sockets; driven by :meth:`run_clock`."""

    ex: LiveExercise
    roles: Roles
    dis_target: tuple[str, int] | None = None
    dis_exercise: int | None = None  # take only PDUs of this exercise (all if None); ours too
    clock: Callable[[], float] = time.monotonic  # wall clock of DIS heartbeat, time-out, rate
    clients: set[_Client] = field(default_factory=set)
    stats: dict[str, int] = field(default_factory=lambda: {
        "frames_sent": 0, "frames_dropped": 0, "dis_sent": 0, "dis_received": 0,
        "dis_dropped": 0, "dis_errors": 0, "dis_throttled": 0, "dis_refused": 0,
        "dis_other_exercise": 0, "dis_removed": 0, "dis_unnumbered": 0, "dis_send_errors": 0,
        "commands": 0, "commands_refused": 0, "command_errors": 0, "clock_errors": 0,
        "clients_overflowed": 0})
    clock_errors_in_row: int = 0
    clock_last_error: str | None = None
    _dis_sock: socket.socket | None = None
    # key -> (t simulated, t wall, position, velocity, force, type, marking, appearance) of the
    # last Entity State PDU sent
    _dis_last: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    _dis_numbers: dict[str, int] = field(default_factory=dict)  # key -> DIS entity number
    _dis_used: set[int] = field(default_factory=set)
    _dis_next: int = 1
    _dis_final: dict[str, np.ndarray] = field(default_factory=dict)  # key -> where it left
    _dis_seen: dict[str, float] = field(default_factory=dict)  # entity id -> last update t
    _dis_heard: dict[str, float] = field(default_factory=dict)  # entity id -> wall t heard
    _dis_tokens: float = float(DIS_BURST)
    _dis_tokens_t: float | None = None
    _running: bool = True
    _held: dict[int, set[int]] = field(default_factory=dict)  # unit -> tracks it held

    def __post_init__(self) -> None:
        now = self.clock()  # the entities of a resumed exercise: heard now, timed out if silent
        sim = self.ex.sim
        for eid, i in sim.external.items():
            if not sim.ended[i] and sim.w.vehicles.alive[i]:
                self._dis_heard[eid] = now

    # ---------------------------------------------------------------- the picture
    def scenario_info(self) -> dict[str, Any]:
        with self.ex.lock:
            return self._scenario_info()

    def _scenario_info(self) -> dict[str, Any]:
        w = self.ex.sim.w
        sc = self.ex.scenario
        cat = w.catalogue
        lat, lon, alt = enu_to_geodetic(w.units.pos_m, *w.origin)
        return {
            "scenario": sc.name, "seed": self.ex.seed, "duration_s": sc.duration,
            "start_time": sc.start_time.isoformat().replace("+00:00", "Z"),
            "origin": {"lat": sc.origin.lat, "lon": sc.origin.lon},
            "units": [{"name": n, "type": sc.units[n].type, "lat": float(np.degrees(la)),
                       "lon": float(np.degrees(lo)), "sidc": SYMBOLS[symbol_key(None)]["sidc"],
                       "radar_range_m": float(max((w.radars.max_range_m[i] for i in
                                                   np.flatnonzero(w.radars.unit == k)),
                                                  default=0.0)),
                       "missile_range_m": float(w.reach_m[k]) if w.reach_m is not None else 0.0}
                      for k, (n, la, lo) in enumerate(zip(w.units.name, lat, lon, strict=True))],
            "assets": [{"name": n, "lat": a.lat, "lon": a.lon} for n, a in sc.assets.items()],
            "vehicle_types": sorted(cat.air_vehicles),
            "sidc": {k: v["sidc"] for k, v in SYMBOLS.items()},
            "roes": ["weapons_free", "weapons_tight", "weapons_hold"],
        }

    def frame(self, role: str) -> dict[str, Any]:
        with self.ex.lock:
            return self._frame(role)

    def _frame(self, role: str) -> dict[str, Any]:
        ex, sim = self.ex, self.ex.sim
        w = sim.w
        t = ex.t
        out: dict[str, Any] = {"type": "frame", "t": t, "wall": time.time(),
                               "speed": ex.speed, "paused": ex.paused, "frozen": ex.frozen,
                               "ended": ex.ended, "role": role}
        origin = w.origin
        if role in ("controller", "observer"):
            pos, vel, _, present = sim.state(t)
            idx = np.flatnonzero(present)
            if idx.size:
                la, lo, al = enu_to_geodetic(pos[idx], *origin)
                v = w.vehicles
                out["vehicles"] = [
                    {"id": int(i), "name": v.name[i], "side": SIDES[v.side[i]],
                     "category": CATEGORIES[v.category[i]], "lat": round(float(np.degrees(a)), 6),
                     "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1)}
                    for i, a, b, c in zip(idx, la, lo, al, strict=True)]
            else:
                out["vehicles"] = []
        tr = sim.tracker
        slots = tr.live(2)
        if role.startswith("operator:") and role != "operator:command_post":
            unit = role.split(":", 1)[1]
            k = w.units.name.index(unit)
            slots = slots[tr.seen_by(slots, sim._unit_sensors(k), t - sim.sc.c2.max_track_age)] \
                if slots.size else slots
        tracks = []
        if slots.size:
            st = tr.state_at(slots, t)
            la, lo, al = enu_to_geodetic(st[:, :3], *origin)
            sim._sync_c2()
            ident = sim._c2["ident"][slots]
            cls = sim._c2["cls"][slots]
            for s, a, b, c, i_, c_ in zip(slots, la, lo, al, ident, cls, strict=True):
                tracks.append({"id": int(tr.track_id[s]), "lat": round(float(np.degrees(a)), 6),
                               "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1),
                               "identity": IDENTITIES[int(i_)], "class": CLASSES[int(c_)]})
        out["tracks"] = tracks
        own = self._own_unit(role)  # an operator of one unit: its index; else None
        ic = sim.icpt
        rows = ic.in_flight()
        if own is not None:
            rows = rows[np.asarray(ic.unit, dtype=np.int64)[rows] == own]
        if rows.size:
            la, lo, al = enu_to_geodetic(ic.state.pos_m[rows], *origin)
            out["interceptors"] = [
                {"id": int(ic.weapon_id[r]), "missile": w.missiles.name[ic.missile[r]],
                 "unit": w.units.name[ic.unit[r]], "lat": round(float(np.degrees(a)), 6),
                 "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1)}
                for r, a, b, c in zip(rows, la, lo, al, strict=True)]
        else:
            out["interceptors"] = []
        out["units"] = [{"name": n, "alive": bool(w.units.alive[k]),
                         "roe": ROES[int(w.units.roe[k])],
                         "autonomous": bool(sim.live_auto[k]),
                         "missiles": int(w.units.inventory[k].sum())}
                        for k, n in enumerate(w.units.name) if own is None or k == own]
        # the fire-control plan: engagements decided and not yet all launched (in approval
        # mode, the approved ones; the ones waiting are in "approvals")
        out["planned"] = [{"unit": w.units.name[u], "track_id": int(tid), "rounds": int(n)}
                          for u, tid, n in sim.pending
                          if n > 0 and may(role, "approve", w.units.name[u])
                          and not any(a["unit"] == u and a["track_id"] == tid
                                      for a in sim.awaiting.values())]
        if role == "controller":
            out["clock_errors"] = self.stats["clock_errors"]
        out["approvals"] = [
            {k: a[k] for k in ("id", "unit_name", "missile_name", "track_id", "rounds", "t_s",
                               "deadline_s")}
            for a in sim.awaiting.values() if may(role, "approve", a["unit_name"])]
        return out

    # ---------------------------------------------------------------- sending
    def broadcast(self, msg: dict[str, Any]) -> None:
        """``msg`` to every client; an events message as each role may see it
        (:meth:`events_for`)."""
        if msg.get("type") != "events":
            text = json.dumps(msg, separators=(",", ":"))
            for c in list(self.clients):
                self._put(c, text)
            return
        by_role: dict[str, str | None] = {}
        for c in list(self.clients):
            if c.role not in by_role:
                evs = self.events_for(c.role, msg["events"])
                by_role[c.role] = json.dumps({**msg, "events": evs}, separators=(",", ":")) \
                    if evs else None
            filtered = by_role[c.role]
            if filtered is not None:
                self._put(c, filtered)

    def _own_unit(self, role: str) -> int | None:
        """The fire unit of an operator of one unit (not the command post); None otherwise."""
        if not role.startswith("operator:") or role == "operator:command_post":
            return None
        names = self.ex.sim.w.units.name
        unit = role.split(":", 1)[1]
        return names.index(unit) if unit in names else None

    def _held_tracks(self, k: int) -> set[int]:
        """The tracks fire unit ``k``'s own radars hold now or held since the exercise began
        (so that a track's last events, such as its drop, still reach its operator)."""
        sim = self.ex.sim
        tr = sim.tracker
        slots = tr.live()
        held = self._held.setdefault(k, set())
        if slots.size:
            mine = tr.seen_by(slots, sim._unit_sensors(k), self.ex.t - sim.sc.c2.max_track_age)
            held.update(int(i) for i in tr.track_id[slots[mine]])
        return held

    def events_for(self, role: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events ``role`` may see. The controller and observers: all. Operators: never
        the truth (``TRUTH_EVENTS`` left out, ``truth_id`` blanked, an intercept's miss
        distance and outcome too: they learn it from the kill assessment; and how many of a
        scan's plots were true); the command post
        the fused picture (every unit's and track's events), the operator of one unit those
        about it (its own radars, or the unit as source) or about tracks its radars hold, and
        the end."""
        if role in ("controller", "observer"):
            return events
        w = self.ex.sim.w
        own = self._own_unit(role)
        if own is None and role != "operator:command_post":
            return []
        radars: set[str] = set()
        held: set[int] = set()
        if own is not None:
            radars = {w.radars.name[i] for i in np.flatnonzero(w.radars.unit == own)}
            held = self._held_tracks(own)
        out = []
        for e in events:
            kind = e["kind"]
            if kind in TRUTH_EVENTS:
                continue
            if own is not None and kind != "end":
                src = e["source"]
                about_unit = src == w.units.name[own] or src in radars
                if not about_unit and not (e["track_id"] >= 0 and e["track_id"] in held):
                    continue
            e = {**e, "truth_id": -1}
            if kind in ("intercept", "scan"):  # miss distance and outcome; true plots
                e.update(value=None, info="")
            out.append(e)
        return out

    def _put(self, c: _Client, text: str, frame: bool = False) -> None:
        """``text`` onto the client's queue. A frame (a snapshot: the next one replaces it) is
        dropped, counted, when ``CLIENT_QUEUE`` messages are waiting; anything else (events,
        errors) is queued up to ``CLIENT_BACKLOG``, past which the client is marked to be
        disconnected rather than silently miss it."""
        if c.overflowed:
            return  # its pump is closing the socket: nothing more is queued for it
        n = c.queue.qsize()
        if frame and n >= CLIENT_QUEUE:
            c.dropped += 1
            self.stats["frames_dropped"] += 1
        elif n >= CLIENT_BACKLOG:
            if not c.overflowed:
                c.overflowed = True
                self.stats["clients_overflowed"] += 1
            c.queue.put_nowait("")  # wakes the pump, which closes the socket
        else:
            c.queue.put_nowait(text)

    def send_frames(self) -> None:
        with self.ex.lock:
            self._send_frames()

    def _send_frames(self) -> None:
        by_role: dict[str, str] = {}
        for c in list(self.clients):
            if c.role not in by_role:
                by_role[c.role] = json.dumps(self.frame(c.role), separators=(",", ":"))
            self._put(c, by_role[c.role], frame=True)

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
            raise
        self.stats["commands"] += 1
        if res["events"]:
            self.broadcast({"type": "events", "events": res["events"]})
            self._dis_events(res["events"])
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
        if not ex.paused and not ex.ended:
            events = ex.advance(ex.t + dt_wall_s * ex.speed)
            if events:
                self.broadcast({"type": "events", "events": events})
                self._dis_events(events)
        self.dis_tick()  # paused or not: the DIS heartbeat runs on the wall clock

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
                self._put(c, text)

    def stop(self) -> None:
        self._running = False

    # ---------------------------------------------------------------- DIS
    def open_dis(self) -> None:
        if self.dis_target is not None and self._dis_sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # a broadcast address needs SO_BROADCAST (without it sendto fails with EACCES);
            # unicast and multicast are not affected
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            self._dis_sock = sock

    @property
    def _dis_exercise_id(self) -> int:
        """The exercise our PDUs belong to: ``dis_exercise``, 1 if none is set."""
        return 1 if self.dis_exercise is None else self.dis_exercise

    def _send(self, pdu: dis.PDU) -> None:
        """Send one PDU. Never raises: a PDU that does not encode or a socket error is counted
        (``dis_send_errors``) and the exercise goes on."""
        if self._dis_sock is None or self.dis_target is None:
            return
        try:
            self._dis_sock.sendto(dis.encode(pdu), self.dis_target)
        except (OSError, ValueError, TypeError, OverflowError, struct.error):
            self.stats["dis_send_errors"] += 1
            return
        self.stats["dis_sent"] += 1

    def _dis_number(self, key: str, allocate: bool = True) -> int:
        """The DIS entity number of ``key`` (``u``nit, ``v``ehicle truth id, ``w``eapon id),
        allocated from the one map if ``allocate``: the next free number after the last one
        given, wrapping at ``DIS_ENTITY_MAX``; 0 (no entity) if there is none."""
        n = self._dis_numbers.get(key)
        if n is not None or not allocate:
            return n or 0
        if len(self._dis_used) >= DIS_ENTITY_MAX:
            self.stats["dis_unnumbered"] += 1
            return 0
        n = self._dis_next
        while n in self._dis_used:
            n = n % DIS_ENTITY_MAX + 1
        self._dis_next = n % DIS_ENTITY_MAX + 1
        self._dis_numbers[key] = n
        self._dis_used.add(n)
        return n

    def _dis_release(self, key: str) -> None:
        n = self._dis_numbers.pop(key, None)
        if n is not None:
            self._dis_used.discard(n)

    def dis_tick(self) -> None:
        """What the clock does for DIS at every tick, paused or not: Entity State PDUs and the
        time-out of silent external entities."""
        if not self.ex.ended or self._dis_last:
            self._dis_entities()  # once more when the exercise has ended: the last word
        self._dis_expire()

    def _dis_entities(self) -> None:
        """Entity State PDUs: heartbeat (wall clock), dead reckoning beyond the threshold
        (simulated time), and a change of appearance (a fire unit damaged or destroyed, the
        exercise paused or resumed) at once; an entity that leaves the exercise (killed,
        landed, a spent interceptor) gets one last PDU marked deactivated, destroyed if it was
        killed, where it left. When the exercise has ended, every entity still sent gets its
        last PDU, marked deactivated, where it is, and nothing is sent after that."""
        if self._dis_sock is None:
            return
        sim, t, wall = self.ex.sim, self.ex.t, self.clock()
        w = sim.w
        frozen = DIS_FROZEN if self.ex.paused else 0
        pos, vel, _, present = sim.state(t)
        # (key, position, velocity, force, type, marking, appearance)
        ent: list[tuple[str, np.ndarray, np.ndarray, int, dis.EntityType, str, int]] = []
        u, rs = w.units, w.radars
        for k, name in enumerate(u.name):
            damage = (DIS_DESTROYED if not u.alive[k] else
                      DIS_MODERATE_DAMAGE if not rs.alive[w.unit_radars[k]].all() else 0)
            ent.append((f"u{k}", u.pos_m[k], np.zeros(3), 1, DIS_AIR_DEFENCE_UNIT, name[:11],
                        damage | frozen))
        for i in np.flatnonzero(present):
            if w.vehicles.name[i].startswith("dis:"):
                continue  # it is another simulator's entity
            cat = CATEGORIES[w.vehicles.category[i]]
            et = (DIS_CRUISE_MISSILE if cat == "cruise_missile" else
                  DIS_ARM if cat == "anti_radiation_missile" else DIS_AIR_PLATFORM)
            ent.append((f"v{i}", pos[i], vel[i], 2 if w.vehicles.side[i] == 0 else 1, et,
                        w.vehicles.name[i][:11], frozen))
        ic = sim.icpt
        for r in ic.in_flight():
            ent.append((f"w{ic.weapon_id[r]}", ic.state.pos_m[r], ic.state.vel_mps[r], 1,
                        DIS_INTERCEPTOR, w.missiles.name[ic.missile[r]][:11], frozen))
        # entities sent before and gone now: their last word, where they left
        now = {e[0] for e in ent}
        for key in [k for k in self._dis_last if k not in now]:
            _, _, p0, _, force, et, mark, _ = self._dis_last.pop(key)
            killed = key.startswith("v") and not w.vehicles.alive[int(key[1:])]
            p_end = self._dis_final.get(key, p0)
            num = self._dis_number(key, allocate=False)
            if num:
                self._send_entity(num, p_end, np.zeros(3), force, et, mark, DIS_DEACTIVATED | (
                    DIS_DESTROYED if killed else 0) | frozen, t)
        if self.ex.ended:  # every entity still sent leaves with the exercise
            for key, p, _v, force, et, mark, app in ent:
                num = self._dis_number(key, allocate=False)
                if key in self._dis_last and num:
                    self._send_entity(num, p, np.zeros(3), force, et, mark,
                                      app | DIS_DEACTIVATED, t)
            ent, now = [], set()
            self._dis_last.clear()
        for key, p, v, force, et, mark, app in ent:
            num = self._dis_number(key)
            if not num:
                continue  # no free entity number: not on the network (counted)
            last = self._dis_last.get(key)
            if last is not None:
                t0, wall0, p0, v0, app0 = last[0], last[1], last[2], last[3], last[7]
                err = float(np.linalg.norm(p0 + v0 * (t - t0) - p))
                if wall - wall0 < DIS_HEARTBEAT_S and err <= DIS_DR_THRESHOLD_M and app == app0:
                    continue
            self._dis_last[key] = (t, wall, p.copy(), v.copy(), force, et, mark, app)
            self._send_entity(num, p, v, force, et, mark, app, t)
        for key in [k for k in self._dis_numbers if k not in now]:
            self._dis_release(key)  # gone (or a number a Fire PDU took for nothing in flight)
        self._dis_final.clear()

    def _send_entity(self, num: int, p: np.ndarray, v: np.ndarray, force: int,
                     et: dis.EntityType, mark: str, appearance: int, t: float) -> None:
        # p, v in the scenario's ENU frame -> ECEF location, ECEF velocity, orientation
        loc, vel, ori = dis.entity_kinematics(p, v, self.ex.sim.w.origin)
        self._send(dis.EntityState(
            dis.EntityID(DIS_SITE, DIS_APP, num), force, et, vel, loc, ori, mark,
            appearance=appearance, dead_reckoning=1 if not v.any() else 2,
            exercise_id=self._dis_exercise_id, timestamp=dis.dis_timestamp(t)))

    def _dis_target(self, truth_id: int) -> dis.EntityID:
        """The DIS id of an air vehicle: another simulator's own id for its entities."""
        v = self.ex.sim.w.vehicles
        if 0 <= truth_id < len(v.name) and v.name[truth_id].startswith("dis:"):
            site, app, num = (int(x) for x in v.name[truth_id][4:].split(":"))
            return dis.EntityID(site, app, num)
        return dis.EntityID(DIS_SITE, DIS_APP, self._dis_number(f"v{truth_id}", allocate=False)
                            if truth_id >= 0 else 0)

    def _dis_events(self, events: list[dict[str, Any]]) -> None:
        """Fire and Detonation PDUs; where entities left (for their last Entity State PDU)."""
        if self._dis_sock is None:
            return
        w = self.ex.sim.w
        mt = w.missiles
        for e in events:
            kind = e["kind"]
            if e["x_m"] is None:
                continue
            where = np.array([e["x_m"], e["y_m"], e["z_m"]], dtype=float)
            if kind in ("kill", "route_end", "leak", "external_removed") and e["truth_id"] >= 0:
                self._dis_final[f"v{e['truth_id']}"] = where
            elif kind in ("intercept", "interceptor_lost") and e["weapon_id"] > 0:
                self._dis_final[f"w{e['weapon_id']}"] = where
            if kind not in ("launch", "intercept"):
                continue
            loc = dis.entity_location(where, w.origin)  # scenario ENU -> ECEF
            shooter = dis.EntityID(DIS_SITE, DIS_APP, self._dis_number(
                f"u{w.units.name.index(e['source'])}") if e["source"] in w.units.name else 0)
            gun = e["target"] in mt.name and bool(mt.is_gun[mt.name.index(e["target"])])
            wkey = f"w{e['weapon_id']}"
            # a gun burst is not an entity of its own (munition id 0: not tracked)
            munition = dis.EntityID(DIS_SITE, DIS_APP, 0 if gun else self._dis_number(
                wkey, allocate=kind == "launch"))
            event = dis.EntityID(DIS_SITE, DIS_APP, (int(e["weapon_id"]) - 1) % 0xFFFF + 1)
            mtype = DIS_GUN_ROUND if gun else DIS_INTERCEPTOR
            target = self._dis_target(int(e["truth_id"]))
            if kind == "launch":
                self._send(dis.Fire(shooter, target, munition, event, loc, mtype, (0.0, 0.0, 0.0),
                                    float(e["value"] or 0.0), exercise_id=self._dis_exercise_id,
                                    timestamp=dis.dis_timestamp(e["t_s"])))
            else:
                hit = str(e["info"]).startswith("hit")
                self._send(dis.Detonation(shooter, target, munition, event, (0.0, 0.0, 0.0),
                                          loc, mtype, result=1 if hit else 5,
                                          exercise_id=self._dis_exercise_id,
                                          timestamp=dis.dis_timestamp(e["t_s"])))

    def _dis_token(self, now: float) -> bool:
        """The global rate limit on external commands: a token bucket of ``DIS_BURST``
        refilled at ``DIS_RATE_PER_S`` a wall second."""
        if self._dis_tokens_t is not None:
            self._dis_tokens = min(float(DIS_BURST), self._dis_tokens
                                   + max(now - self._dis_tokens_t, 0.0) * DIS_RATE_PER_S)
        self._dis_tokens_t = now
        if self._dis_tokens < 1.0:
            return False
        self._dis_tokens -= 1.0
        return True

    def _dis_command(self, cmd: dict[str, Any]) -> bool:
        """An external command from DIS, journaled and applied; False if refused (counted)."""
        try:
            res = self.ex.command("system:dis", cmd)
        except CommandError:
            self.stats["dis_dropped"] += 1
            return False
        except Exception:  # noqa: BLE001 - another simulator's bytes never stop the exercise
            self.stats["dis_dropped"] += 1
            self.stats["dis_errors"] += 1
            return False
        if res["events"]:
            self.broadcast({"type": "events", "events": res["events"]})
            self._dis_events(res["events"])
        return True

    def _dis_expire(self) -> None:
        """External entities not heard for ``DIS_TIMEOUT_S`` of wall time leave (journaled);
        not while frozen (the exercise takes no command), at once after."""
        if not self._dis_heard or self.ex.frozen or self.ex.ended:
            return
        now = self.clock()
        for eid in [e for e, t0 in self._dis_heard.items() if now - t0 > DIS_TIMEOUT_S]:
            del self._dis_heard[eid]
            self._dis_seen.pop(eid, None)
            if eid in self.ex.sim.external and self._dis_command(
                    {"cmd": "external_remove", "id": eid, "why": "timed out"}):
                self.stats["dis_removed"] += 1

    def receive_dis(self, data: bytes) -> None:
        """One datagram from another simulator (never raises; at most one journaled command)."""
        with self.ex.lock:
            self._receive_dis(data)

    def _receive_dis(self, data: bytes) -> None:
        self.stats["dis_received"] += 1
        try:
            pdu = dis.decode(data)
        except dis.DISError:
            self.stats["dis_dropped"] += 1
            return
        if not isinstance(pdu, dis.EntityState) or (pdu.entity_id.site, pdu.entity_id.application
                                                     ) == (DIS_SITE, DIS_APP):
            return  # fires and detonations of others, or our own echo
        if self.dis_exercise is not None and pdu.exercise_id != self.dis_exercise:
            self.stats["dis_other_exercise"] += 1
            return
        eid = ":".join(map(str, pdu.entity_id.tup()))
        now = self.clock()
        if pdu.appearance & DIS_DEACTIVATED:  # its simulator took it out
            self._dis_heard.pop(eid, None)
            self._dis_seen.pop(eid, None)
            if eid in self.ex.sim.external and self._dis_command(
                    {"cmd": "external_remove", "id": eid, "why": "deactivated"}):
                self.stats["dis_removed"] += 1
            return
        # ECEF -> geodetic (radians) and the velocity in the scenario's ENU frame
        lat, lon, alt, v_enu = dis.entity_local(pdu.location_m, pdu.velocity_mps,
                                                self.ex.sim.w.origin)
        if not (np.isfinite(lat) and np.isfinite(lon) and -1e4 < alt < 1e5):
            self.stats["dis_dropped"] += 1
            return
        known = eid in self._dis_heard
        if not known and len(self._dis_heard) >= DIS_MAX_EXTERNAL:
            self.stats["dis_refused"] += 1
            return
        if known:
            self._dis_heard[eid] = now  # alive, even if this update is not taken
        last = self._dis_seen.get(eid)
        if (last is not None and self.ex.t - last < DIS_MIN_UPDATE_S) or not self._dis_token(now):
            self.stats["dis_throttled"] += 1  # more than the exercise needs: not journaled
            return
        cmd = {"cmd": "external", "id": eid,
               "force": "hostile" if pdu.force_id == 2 else "friendly",
               "kind": "munition" if pdu.entity_type.kind == 2 else "platform",
               "lat": float(np.degrees(lat)), "lon": float(np.degrees(lon)), "alt": float(alt),
               "vel_enu": [float(x) for x in v_enu]}
        if self._dis_command(cmd):
            self._dis_heard[eid] = now
            self._dis_seen[eid] = self.ex.t


def _exercise_openapi(app: FastAPI, server: LiveServer) -> dict[str, Any]:
    """The OpenAPI document, with this exercise's names (vehicle types, units, assets) as the
    enumerated values of the commands' fields."""
    if app.openapi_schema is None:
        doc = app.openapi()
        w, sc = server.ex.sim.w, server.ex.scenario
        types, units = sorted(w.catalogue.air_vehicles), list(w.units.name)
        places = [*sc.assets, *units]
        schemas = doc.get("components", {}).get("schemas", {})
        for model, prop, values in (("Inject", "type", types), ("Raid", "type", types),
                                    ("Raid", "to", places), ("Roe", "unit", units),
                                    ("CutLink", "unit", units), ("DestroyRadar", "unit", units)):
            p = schemas.get(model, {}).get("properties", {}).get(prop)
            if p is not None and p.get("type") == "string" and values:
                p["enum"] = list(values)
        # injects start near the exercise (sim.live.INJECT_MAX_DISTANCE_M): a box inside that
        # circle
        half_deg = INJECT_MAX_DISTANCE_M / 111e3 / 1.5
        pt = schemas.get("Point", {}).get("properties", {})
        o = sc.origin
        for k, c, h in (("lat", o.lat, half_deg),
                        ("lon", o.lon, half_deg / max(np.cos(np.radians(o.lat)), 0.1))):
            if k in pt:
                pt[k]["minimum"] = round(max(pt[k].get("minimum", -1e9), c - h), 4)
                pt[k]["maximum"] = round(min(pt[k].get("maximum", 1e9), c + h), 4)
        to = schemas.get("Inject", {}).get("properties", {}).get("to", {})
        for alt in to.get("anyOf", []):
            if alt.get("type") == "string" and places:
                alt["enum"] = places
        app.openapi_schema = doc
    return app.openapi_schema


def _ws_command(server: LiveServer, role: str, msg: dict[str, Any]) -> dict[str, Any]:
    """The answer to one websocket message ``{"command": {...}}``: an ack, or an error with
    the reason; never raises (whatever was sent, the socket stays open)."""
    try:
        text = msg.get("text")
        if text is None:
            raise CommandError("send text: {\"command\": {\"cmd\": ...}}")
        data = json.loads(text)
        if not isinstance(data, dict) or "command" not in data:
            raise CommandError("send {\"command\": {\"cmd\": ...}}")
        return {"type": "ack", **server.command(role, data["command"])}
    except (CommandError, PermissionError) as exc:
        return {"type": "error", "detail": str(exc)}
    except (ValueError, RecursionError) as exc:  # not JSON (or too deep, or a number too long)
        return {"type": "error", "detail": f"not a JSON command: {str(exc)[:200]}"}
    except Exception as exc:  # noqa: BLE001 - a user's command never closes the socket
        log.exception("websocket command from %s failed", role)
        server.stats["command_errors"] += 1
        return {"type": "error", "detail": f"the command failed: {type(exc).__name__}"}


class _DISProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: LiveServer):
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.receive_dis(data)


def live_app(server: LiveServer, dis_listen: tuple[str, int] | None = None) -> Any:
    """The FastAPI application of a live exercise (module docstring)."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        server.open_dis()
        transport = None
        if dis_listen is not None:
            loop = asyncio.get_running_loop()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _DISProtocol(server), local_addr=dis_listen)
        task = asyncio.create_task(server.run_clock())
        yield
        server.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if transport is not None:
            transport.close()

    # the OpenAPI document is served only with a token (below); no /docs (it would need
    # Swagger UI from a CDN, and the server works offline)
    app = FastAPI(title="skyshield live exercise", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(RequestValidationError)
    async def refused(request: Request, exc: RequestValidationError) -> JSONResponse:
        # the first problem, named by its field; the input shown short and as text (it may
        # hold what JSON cannot carry back, such as an infinite number)
        e = exc.errors()[0] if exc.errors() else {}
        where = tuple(e.get("loc", ()))
        loc = ".".join(str(x) for x in (where[2:] if where[:1] == ("body",) else where))
        return JSONResponse({"detail": f"{loc or 'body'}: {message(e)} "
                                       f"(got {short(e.get('input'))})"}, 422)

    def role_of(authorization: str | None = Header(None)) -> str:
        token = authorization[7:] if authorization and authorization.startswith("Bearer ") \
            else None
        role = server.roles.role(token)
        if role is None:
            raise HTTPException(401, "a valid token is needed (Authorization: Bearer TOKEN)")
        return role

    @app.get("/", include_in_schema=False)
    def login() -> FileResponse:
        return FileResponse(STATIC_DIR / "login.html", media_type="text/html")

    @app.get("/live", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "live.html", media_type="text/html")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(role: str = Depends(role_of)) -> dict[str, Any]:
        return _exercise_openapi(app, server)

    @app.get("/api/whoami")
    async def whoami(role: str = Depends(role_of)) -> dict[str, Any]:
        return {"role": role}

    @app.get("/api/scenario")
    async def scenario(role: str = Depends(role_of)) -> dict[str, Any]:
        return server.scenario_info()

    @app.get("/api/state")
    async def state(role: str = Depends(role_of)) -> dict[str, Any]:
        return server.frame(role)

    @app.get("/api/stats")
    async def stats(role: str = Depends(role_of)) -> dict[str, Any]:
        with server.ex.lock:
            return {**server.stats, "clients": len(server.clients), "t_s": server.ex.t,
                    "clock_last_error": server.clock_last_error}

    @app.post("/api/command", responses={400: {"description": "refused, with the reason"},
                                         403: {"description": "not this role's to send"}})
    async def command(body: Annotated[Command, Body()],
                role: str = Depends(role_of)) -> dict[str, Any]:
        """A command (``sim.commands``): its journal sequence number and simulated time."""
        try:
            return server.command(role, dump(body))
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from None
        except CommandError as exc:
            raise HTTPException(400, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a user's command never gets a 500
            log.exception("command %r from %s failed", body, role)
            server.stats["command_errors"] += 1
            raise HTTPException(400, f"the command failed: {type(exc).__name__}") from None

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, token: str | None = None) -> None:
        role = server.roles.role(token)
        if role is None:
            await websocket.close(code=4401)
            return
        await websocket.accept()
        client = _Client(asyncio.Queue(), role)
        server.clients.add(client)
        await websocket.send_text(json.dumps({"type": "hello", "role": role,
                                              "scenario": server.scenario_info()}))
        await websocket.send_text(json.dumps(server.frame(role)))

        async def pump() -> None:
            while True:
                text = await client.queue.get()
                if not client.overflowed:
                    try:
                        await asyncio.wait_for(websocket.send_text(text), SEND_TIMEOUT_S)
                    except TimeoutError:  # a stalled peer
                        client.overflowed = True
                        server.stats["clients_overflowed"] += 1
                if client.overflowed:  # too far behind: reconnecting gives a fresh picture
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(websocket.close(
                            code=1013, reason="too slow: reconnect"), SEND_TIMEOUT_S)
                    return
                client.sent += 1
                server.stats["frames_sent"] += 1

        sender = asyncio.create_task(pump())
        try:
            while True:
                msg = await websocket.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                await websocket.send_text(json.dumps(_ws_command(server, role, dict(msg))))
        except (WebSocketDisconnect, RuntimeError):  # RuntimeError: closed by the pump
            pass
        finally:
            sender.cancel()
            server.clients.discard(client)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve_live(scenario: Scenario, folder: Path, host: str = "127.0.0.1", port: int = 8766,
               speed: float = 1.0, dis_target: tuple[str, int] | None = None,
               dis_listen: tuple[str, int] | int | None = None, tokens_file: Path | None = None,
               approval: tuple[float, bool] | None = None, resume: bool = False,
               seed: int | None = None, announce: Any = print,
               dis_exercise: int | None = None) -> LiveExercise:
    """Run the exercise live until it ends or is interrupted; the exercise (for its run
    folder). Tokens are printed once through ``announce``. ``dis_listen`` is (host, port) or a
    port on ``host`` (the server's own address: 127.0.0.1 unless told otherwise)."""
    import uvicorn

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, port))  # fails cleanly if the port is taken
    listen = (host, dis_listen) if isinstance(dis_listen, int) else dis_listen
    if listen is not None:
        with socket.socket(socket.AF_INET6 if ":" in listen[0] else socket.AF_INET,
                           socket.SOCK_DGRAM) as probe:
            probe.bind(listen)  # and if the DIS port is
    ex = LiveExercise(scenario, folder, seed=seed, speed=speed, approval=approval,
                      resume=resume)
    units = list(ex.sim.w.units.name)
    tok_path = Path(folder) / "tokens.json"
    if tokens_file is not None:
        roles = Roles.from_file(tokens_file, units)
    elif resume and tok_path.exists():
        roles = Roles.load(tok_path)
        announce("tokens: those printed when the exercise started")
    else:
        roles, tokens = Roles.generate(units)
        announce("tokens (shown once; only their SHA-256 is kept):")
        for r, t in tokens.items():
            announce(f"  {r:24s} {t}")
    roles.save(tok_path)
    server = LiveServer(ex, roles, dis_target, dis_exercise=dis_exercise)
    app = live_app(server, listen)
    announce(f"live exercise {scenario.name}: http://{host}:{port}/  (Ctrl-C to stop; "
             f"--resume {folder} continues it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return ex
