"""The live exercise: the same engine, paced by a wall clock, taking commands — with a journal
that makes a live exercise as reproducible as a batch run.

Pacing. :meth:`LiveExercise.advance` processes every scheduled event up to a simulated time; the
server calls it from the wall clock (``t += Δwall × speed`` unless paused). Nothing in the
simulation reads the wall clock.

Commands. A command arriving while the engine stands at simulated time T (every event at or
before T processed) is written to the journal *first* (``commands.jsonl``, one JSON line,
flushed and fsynced), then scheduled at T with the highest priority value (it runs after
everything else at T) and processed at once. Replaying the journal — the same scenario and seed,
every command scheduled at its recorded T — therefore reproduces the event log exactly (tested),
and so does resuming after a crash: :class:`LiveExercise` with ``resume=True`` replays the
journal up to the last instant it recorded, checks the regenerated events against
``events.jsonl`` (every event is appended there as it happens) and continues. A last line torn
by a crash (a kill -9 mid-write: no newline) is cut off before anything is appended (that command
was never acknowledged); a journal with a bad line before its end is refused
(:class:`JournalError`: ``skyshield serve --resume`` says where, exit status 2). A command
that raised unexpectedly once journaled (a bug, not a refusal) has its events taken back and a
``{"failed": SEQ, ...}`` line after it: resuming and replaying skip it, so the journal still
replays to its own events.

Every command is first checked against its typed model (``sim.commands``: one pydantic model per
command, discriminated on ``cmd``, shared with the server's REST and websocket handlers), then
against the running exercise (:func:`validate_command`).

Simulation commands (they change the fight; roles are checked by the server):

* ``inject`` {type, from {lat, lon, alt}, to: asset/unit name or {lat, lon, alt}, speed?,
  name?} — a threat (or with ``side: friendly`` a friend) from a catalogue template;
* ``raid`` {type, count, spacing, from, to, alt?, speed?} — a raid along an axis;
* ``roe`` {unit, roe}; ``cut_link`` {unit}; ``destroy_radar`` {unit, radar?};
* ``approve`` / ``deny`` {id} — an engagement waiting in operator-approval mode;
* ``external`` {id, force, lat, lon, alt, vel_enu, type?} — an entity of another simulator
  (a received DIS Entity State PDU; lat, lon in degrees, alt ellipsoidal metres, vel_enu m/s in
  the scenario's ENU frame): joins as a vehicle and is re-routed on every update by dead
  reckoning (at rest too); its motion is the other simulator's, not checked against the
  catalogue type, which gives it its signature only;
* ``external_remove`` {id, why} — that entity leaves (deactivated by its simulator, or timed
  out: the server decides on the wall clock and journals the decision, so replay repeats it);
* ``end``.

Engine commands (journaled, no effect on the simulation): ``speed`` {factor}, ``pause``,
``resume``, ``freeze`` (paused, and nothing but ``resume`` accepted).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from skyshield.c2.fire_control import ROES
from skyshield.engine.events import EVENT_COLUMNS
from skyshield.engine.scheduler import Priority
from skyshield.geo import enu_to_geodetic, geodetic_to_enu
from skyshield.scenario.raids import expand_raid
from skyshield.scenario.schema import Raid, Route, Scenario
from skyshield.sim.commands import CommandError, parse_command, short
from skyshield.sim.run import SimOutput, _Sim
from skyshield.sim.world import compile_vehicles, compile_world

__all__ = ["LiveExercise", "CommandError", "JournalError", "SIM_COMMANDS", "ENGINE_COMMANDS",
           "apply_command", "replay_journal", "read_journal", "read_meta"]

SIM_COMMANDS = ("inject", "raid", "roe", "cut_link", "destroy_radar", "approve", "deny",
                "external", "external_remove", "end")
ENGINE_COMMANDS = ("speed", "pause", "resume", "freeze")
INJECT_MAX_DISTANCE_M = 1_000_000.0  # assumed: how far from the origin an inject may start
EXTERNAL_HORIZON_S = 600.0  # an external entity is dead-reckoned this far ahead
# waypoints on the dead-reckoned straight line, seconds after an update (then the horizon):
# close together first, so that the route (linear in latitude, longitude, altitude between
# waypoints) keeps to the line within centimetres at 250 m/s until the next update (a 5 s
# heartbeat); one long leg to the horizon put the entity 2.6 m/s off course at once
EXTERNAL_DR_STEPS_S = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0)
# assumed bounds of what another simulator may put into the exercise
EXTERNAL_MAX_SPEED_MPS = 5000.0
EXTERNAL_ALT_M = (-500.0, 100_000.0)
EXTERNAL_MAX_DISTANCE_M = 2_000_000.0
# assumed: catalogue types for entities that other simulators send (DIS kind 2 = munition)
EXTERNAL_TYPES = {("hostile", "munition"): "cruise_missile_subsonic",
                  ("hostile", "platform"): "strike_aircraft",
                  ("friendly", "munition"): "cruise_missile_subsonic",
                  ("friendly", "platform"): "mig29"}


def _point(p: Any, what: str) -> dict[str, float]:
    if not isinstance(p, dict):
        raise CommandError(f"{what}: expected {{lat, lon, alt}} (got {p!r})")
    try:
        out = {"lat": float(p["lat"]), "lon": float(p["lon"]), "alt": float(p.get("alt", 0.0))}
    except (KeyError, TypeError, ValueError):
        raise CommandError(f"{what}: expected numbers lat, lon and alt (got {p!r})") from None
    if not (-90 <= out["lat"] <= 90 and -180 <= out["lon"] <= 180 and np.isfinite(out["alt"])):
        raise CommandError(f"{what}: outside the Earth (got {p!r})")
    return out


M = TypeVar("M", Route, Raid)


def _model(cls: type[M], data: dict[str, Any], sim: _Sim, what: str) -> M:
    """``cls`` validated as a scenario file's entry would be; the first problem as a
    :class:`CommandError` naming the field."""
    try:
        return cls.model_validate(data, context={"catalogue": sim.w.catalogue})
    except ValidationError as exc:
        raise CommandError(_user_error(exc.errors()[0], what)) from None


# an inject's route as the scenario schema sees it, in the command's own field names
_INJECT_FIELDS = {"waypoints.0.speed": "speed", "waypoints.0": "from", "waypoints.1": "to",
                  "waypoints": "from"}


def _user_error(e: Any, what: str) -> str:
    """A scenario-schema error on a command's route or raid, in the command's field names
    (``to: the same place as from``), never the internal route it was built into."""
    msg = str(e.get("msg", "invalid")).removeprefix("Value error, ")
    loc = ".".join(str(x) for x in e.get("loc", ()))
    if msg.startswith("@"):  # the schema's own location of a route problem
        where, _, msg = msg[1:].partition(": ")
        loc = ".".join(x for x in (loc, where) if x)
    field_ = loc
    if what == "inject":
        field_ = next((v + loc[len(k):] for k, v in _INJECT_FIELDS.items()
                       if loc == k or loc.startswith(k + ".")), loc)
        field_ = field_.removesuffix(".at")
        msg = msg.replace("the previous waypoint", "from")
    if msg.startswith("same place"):
        msg = "the " + msg
    got = e.get("input")
    shown = "" if isinstance(got, dict | list | tuple | BaseModel) or got is None \
        else f" (got {short(got)})"
    return f"{field_ or what}: {msg}{shown}"


def _unit_index(sim: _Sim, name: Any) -> int:
    names = sim.w.units.name
    if name not in names:
        raise CommandError(f"unit: no fire unit named {name!r} (units: {', '.join(names)})")
    return names.index(name)


def _validated_route(sim: _Sim, t: float, cmd: dict[str, Any]) -> tuple[str, str, Route]:
    sc = sim.sc
    frm = _point(cmd.get("from"), "from")
    to = cmd.get("to")
    if isinstance(to, str):
        if to in sc.assets:
            a = sc.assets[to]
            dest = {"lat": a.lat, "lon": a.lon, "alt": frm["alt"]}
        elif to in sc.units:
            u = sc.units[to]
            dest = {"lat": u.lat, "lon": u.lon, "alt": frm["alt"]}
        else:
            raise CommandError(f"to: no asset or unit named {to!r}")
        target = to
    else:
        dest, target = _point(to, "to"), None
    wp0: dict[str, Any] = dict(frm)
    if cmd.get("speed") is not None:
        wp0["speed"] = cmd["speed"]
    data = {"type": cmd.get("type"), "start": t, "waypoints": [wp0, dest], "target": target}
    route = _model(Route, data, sim, "inject")
    side = str(cmd.get("side", "hostile"))
    if side not in ("hostile", "friendly"):
        raise CommandError(f"side: hostile or friendly (got {side!r})")
    name = str(cmd.get("name") or f"inject-{len(sim.w.vehicles) + 1:03d}")
    _free_name(sim, name)
    return name, side, route


def _free_name(sim: _Sim, name: str) -> None:
    """A vehicle's name must not be an asset's or a fire unit's (the picture, the report and
    a ``to:`` would mistake one for the other)."""
    if name in sim.sc.assets or name in sim.sc.units:
        raise CommandError(f"name: {name!r} is the name of "
                           f"{'an asset' if name in sim.sc.assets else 'a fire unit'}; "
                           "choose another")


def validate_command(sim: _Sim, t: float, cmd: Any) -> dict[str, Any]:
    """A simulation command checked against the running exercise; :class:`CommandError` if it
    cannot be applied. Returns it as it will be journaled."""
    if not isinstance(cmd, dict) or cmd.get("cmd") not in SIM_COMMANDS:
        raise CommandError(f"cmd: one of {', '.join(SIM_COMMANDS)} (got "
                           f"{cmd.get('cmd') if isinstance(cmd, dict) else cmd!r})")
    c = dict(cmd)
    kind = c["cmd"]
    if kind == "inject":
        _near(sim, c["from"], "from")
        if isinstance(c["to"], dict):
            _near(sim, c["to"], "to")
        _validated_route(sim, t, c)
    elif kind == "raid":
        for k, p in enumerate([c["from"], *c.get("via", [])]):
            _near(sim, p, "from" if k == 0 else f"via.{k - 1}")
        _raid_routes(sim, t, c)
    elif kind == "roe":
        _unit_index(sim, c.get("unit"))
        if c.get("roe") not in ROES:
            raise CommandError(f"roe: one of {', '.join(ROES)} (got {c.get('roe')!r})")
    elif kind in ("cut_link", "destroy_radar"):
        k = _unit_index(sim, c.get("unit"))
        if kind == "destroy_radar" and c.get("radar") is not None:
            rs = sim.w.radars
            own = [rs.name[i] for i in np.flatnonzero(rs.unit == k)]
            if not any(c["radar"] in n for n in own):
                raise CommandError(f"radar: no radar {c['radar']!r} at {c['unit']} "
                                   f"(radars: {', '.join(own)})")
    elif kind in ("approve", "deny"):
        try:
            aid = int(c.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CommandError(f"id: an engagement id (got {c.get('id')!r})") from None
        if aid not in sim.awaiting:
            raise CommandError(f"id: no engagement {aid} is waiting for approval")
        c["id"] = aid
    elif kind == "external":
        p = _point({k: c.get(k) for k in ("lat", "lon", "alt")}, "external")
        v = c.get("vel_enu")
        if not (isinstance(v, list | tuple) and len(v) == 3
                and all(isinstance(x, int | float) and np.isfinite(x) for x in v)):
            raise CommandError(f"vel_enu: three finite numbers (got {v!r})")
        if float(np.linalg.norm(v)) > EXTERNAL_MAX_SPEED_MPS:
            raise CommandError(f"vel_enu: faster than {EXTERNAL_MAX_SPEED_MPS:g} m/s "
                               f"(got {float(np.linalg.norm(v)):.0f})")
        if not EXTERNAL_ALT_M[0] <= p["alt"] <= EXTERNAL_ALT_M[1]:
            raise CommandError(f"alt: between {EXTERNAL_ALT_M[0]:g} and "
                               f"{EXTERNAL_ALT_M[1]:g} m (got {p['alt']:g})")
        o = sim.sc.origin
        d = np.hypot((p["lat"] - o.lat) * 111e3,
                     (p["lon"] - o.lon) * 111e3 * np.cos(np.radians(o.lat)))
        if d > EXTERNAL_MAX_DISTANCE_M:
            raise CommandError(f"external: {d / 1e3:.0f} km from the scenario's origin (at "
                               f"most {EXTERNAL_MAX_DISTANCE_M / 1e3:g} km)")
        if str(c.get("force")) not in ("hostile", "friendly"):
            raise CommandError(f"force: hostile or friendly (got {c.get('force')!r})")
        typ = _external_type(c)
        if typ not in sim.w.catalogue.air_vehicles:
            raise CommandError(f"type: no air vehicle type {typ!r} in the catalogue")
    elif kind == "external_remove":
        if str(c.get("id")) not in sim.external:
            raise CommandError(f"id: no external entity {c.get('id')!r}")
        c["why"] = str(c.get("why", ""))[:40]
    return c


def _near(sim: _Sim, p: dict[str, Any], what: str) -> None:
    """A point of an inject or a raid no further from the scenario's origin than
    ``INJECT_MAX_DISTANCE_M`` (a route across half the globe is no part of the exercise, and
    costs every later inject its length)."""
    o = sim.sc.origin
    d = float(np.hypot((p["lat"] - o.lat) * 111e3,
                       (p["lon"] - o.lon) * 111e3 * np.cos(np.radians(o.lat))))
    if d > INJECT_MAX_DISTANCE_M:
        raise CommandError(f"{what}: {d / 1e3:.0f} km from the scenario's origin (at most "
                           f"{INJECT_MAX_DISTANCE_M / 1e3:g} km)")


def _raid_routes(sim: _Sim, t: float, c: dict[str, Any]) -> list[tuple[str, str, Route]]:
    data: dict[str, Any] = {k: c[k] for k in ("type", "count", "spacing", "from", "to", "alt",
                                              "speed", "via", "lateral_spacing") if k in c}
    data["start"] = t
    raid = _model(Raid, data, sim, "raid")
    if raid.to not in sim.sc.assets and raid.to not in sim.sc.units:
        raise CommandError(f"to: no asset or unit named {raid.to!r}")
    name = str(c.get("name") or f"raid-{len(sim.w.vehicles) + 1:03d}")
    _free_name(sim, name)
    return [(f"{name}-{i + 1:02d}", "hostile", r)
            for i, r in enumerate(expand_raid(sim.sc, raid, sim.w.catalogue))]


def apply_command(sim: _Sim, t: float, role: str, cmd: dict[str, Any]) -> None:
    """Carry out a validated simulation command at ``t`` (``_Sim.command_handler``)."""
    kind = cmd["cmd"]
    sim.log.emit(t, "command", source=role, target=kind,
                 info=json.dumps(cmd, sort_keys=True, separators=(",", ":")))
    w = sim.w
    if kind in ("inject", "raid"):
        routes = [_validated_route(sim, t, cmd)] if kind == "inject" else \
            _raid_routes(sim, t, cmd)
        new = compile_vehicles(routes, w.catalogue, list(w.assets.name), list(w.units.name))
        for i, (name, _side, r) in zip(sim.add_vehicles(t, new), routes, strict=True):
            sim.log.emit(t, "inject", source=role, truth_id=int(i), target=r.type, info=name)
    elif kind == "roe":
        k = _unit_index(sim, cmd["unit"])
        w.units.roe[k] = ROES.index(cmd["roe"])
        sim.log.emit(t, "roe_change", source=cmd["unit"], target=cmd["roe"])
    elif kind == "cut_link":
        sim.live_auto[_unit_index(sim, cmd["unit"])] = True
    elif kind == "destroy_radar":
        k = _unit_index(sim, cmd["unit"])
        rs = w.radars
        mine = np.flatnonzero(rs.unit == k)
        pick = [i for i in mine if cmd.get("radar") is None and i == w.engagement_radar[k]
                or cmd.get("radar") is not None and cmd["radar"] in rs.name[i]]
        for i in pick:
            rs.alive[i] = False
            sim.log.emit(t, "radar_destroyed", source=rs.name[i], info=cmd["unit"])
    elif kind in ("approve", "deny"):
        sim.decide(t, int(cmd["id"]), kind == "approve", role)
    elif kind == "external":
        _external(sim, t, cmd)
    elif kind == "external_remove":
        key = str(cmd["id"])
        sim.remove_vehicle(t, sim.external.pop(key), f"{key} {cmd['why']}".strip())
    elif kind == "end":
        sim.log.emit(t, "end", value=t, info=f"ended by {role}")
        sim.finished = True


def _dead_reckoned(sim: _Sim, c: dict[str, Any]
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where an external entity will be if it flies on as it is (DIS dead reckoning F-P-W: a
    straight line at constant velocity, in ECEF and so in the scenario's ENU frame): times
    after now (0, ``EXTERNAL_DR_STEPS_S``..., the horizon), latitudes and longitudes in
    radians and altitudes (clipped to the vehicle limits) of points on that line."""
    w = sim.w
    lat0, lon0, alt0 = w.origin
    lat_r, lon_r = float(np.radians(c["lat"])), float(np.radians(c["lon"]))
    p = np.asarray(geodetic_to_enu(lat_r, lon_r, float(c["alt"]), lat0, lon0, alt0),
                   dtype=float).ravel()
    v = np.asarray(c["vel_enu"], dtype=float)
    horizon = EXTERNAL_HORIZON_S
    lo_, hi_ = EXTERNAL_ALT_M
    if v[2] > 0:  # stop the extrapolation at the altitude limits
        horizon = min(horizon, (hi_ - float(c["alt"])) / v[2])
    elif v[2] < 0:
        horizon = min(horizon, (lo_ - float(c["alt"])) / v[2])
    horizon = max(horizon, 1.0)
    tau = np.array([0.0, *(s for s in EXTERNAL_DR_STEPS_S if s < horizon), horizon])
    lat, lon, alt = enu_to_geodetic(p + v * tau[:, None], lat0, lon0, alt0)
    lat[0], lon[0] = lat_r, lon_r  # the received point itself
    alt = np.clip(alt, lo_, hi_)
    alt[0] = float(c["alt"])
    return tau, lat, lon, alt


def _external_type(c: dict[str, Any]) -> str:
    return str(c.get("type") or EXTERNAL_TYPES.get((str(c.get("force")),
                                                    str(c.get("kind", "platform"))), ""))


def _external_waypoints(sim: _Sim, t: float, c: dict[str, Any]
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The route of an external entity from ``t``: where it is now and where dead reckoning
    takes it (times, latitudes and longitudes in radians, altitudes). At rest, all points are
    the same place: the entity stays there until its next update."""
    tau, lat, lon, alt = _dead_reckoned(sim, c)
    return t + tau, lat, lon, alt


def _external(sim: _Sim, t: float, c: dict[str, Any]) -> None:
    w = sim.w
    key = str(c["id"])
    wp = _external_waypoints(sim, t, c)
    i = sim.external.get(key, -1)
    if i >= 0 and not w.vehicles.alive[i]:
        return  # shot down here: what its simulator says of it no longer matters
    if i < 0 or sim.ended[i]:  # new, or back after its route ran out
        typ = _external_type(c)
        # the catalogue type gives the signature; the motion is the other simulator's, so the
        # row is compiled from a nominal route and then given the dead-reckoned one
        # (as many waypoints as any dead-reckoned route has, for the updates to come)
        nominal = _model(Route, {"type": typ, "start": t, "waypoints": [
            {"lat": 0.01 * k, "lon": 0.0, "alt": 1000.0}
            for k in range(len(EXTERNAL_DR_STEPS_S) + 2)]}, sim, "external")
        new = compile_vehicles([(f"dis:{key}", str(c["force"]), nominal)], w.catalogue,
                               list(w.assets.name), list(w.units.name))
        wp_t, wp_lat, wp_lon, wp_alt = wp
        k = wp_t.size
        new.wp_t_s[0, :] = np.inf
        new.wp_t_s[0, :k], new.wp_lat_rad[0, :], new.wp_lon_rad[0, :] = wp_t, wp_lat[-1], \
            wp_lon[-1]
        new.wp_lat_rad[0, :k], new.wp_lon_rad[0, :k] = wp_lat, wp_lon
        new.wp_alt_m[0, :] = wp_alt[-1]
        new.wp_alt_m[0, :k] = wp_alt
        new.t_start_s[0], new.t_end_s[0] = wp_t[0], wp_t[-1]
        i = int(sim.add_vehicles(t, new)[0])
        sim.external[key] = i
        sim.log.emit(t, "external_entity", truth_id=i, target=typ, info=key)
        return
    sim.move_vehicle(t, i, *wp)


# --- the journal ---------------------------------------------------------------------------

def _append(path: Path, lines: list[str], sync: bool = True) -> None:
    if not lines:
        return
    with path.open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))
        f.flush()
        if sync:
            os.fsync(f.fileno())


class JournalError(ValueError):
    """A journal that cannot be resumed or replayed: a line in the middle is not what was
    written (the message names the file and line)."""


def _read_jsonl(path: Path) -> tuple[list[dict[str, Any]], int]:
    """The records of a journal file and the length in bytes of its complete lines. A line is
    complete when its newline was written: a last line without one was torn by a crash (it is
    left out; the command it held was never acknowledged, since a command is acknowledged only
    after its whole line is fsynced). A complete line that is not a JSON object is a
    :class:`JournalError`."""
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
    folder = Path(folder)
    records, _ = _read_jsonl(folder / "commands.jsonl")
    commands = _check_commands(folder / "commands.jsonl", records)
    events, _ = _read_jsonl(folder / "events.jsonl")
    return commands, events


def read_meta(folder: Path) -> tuple[int, tuple[float, bool] | None]:
    """The seed and approval setting of a live exercise's folder (``live.json``);
    :class:`JournalError` (one line) if it is missing or not what the server wrote."""
    path = Path(folder) / "live.json"
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


def _cut_torn_line(path: Path) -> None:
    """Truncate a last line torn by a crash, so that the next append starts a line of its own
    (else it would be glued to the torn one, and lost with it)."""
    if not path.exists():
        return
    _, end = _read_jsonl(path)
    if end < path.stat().st_size:
        with path.open("r+b") as f:
            f.truncate(end)
            f.flush()
            os.fsync(f.fileno())


def _event_rows(cols: dict[str, Any], start: int) -> list[dict[str, Any]]:
    n = len(cols["t_s"])
    rows = []
    for k in range(start, n):
        r = {c: cols[c][k] for c in EVENT_COLUMNS}
        for c in ("t_s", "value", "x_m", "y_m", "z_m"):
            x = float(r[c])
            r[c] = x if np.isfinite(x) else None
        for c in ("truth_id", "track_id", "weapon_id"):
            r[c] = int(r[c])
        rows.append(r)
    return rows


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    """An event without the one wall-clock figure of the log (the assignment solver's time)."""
    return {**row, "value": None} if row.get("kind") == "assignment" else row


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
    _events_out: int = 0
    sim: _Sim = field(init=False)
    # held by everything that reads or changes the exercise (commands, the clock, the
    # server's reads): a command is journaled and applied with nothing else in between
    lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        seed = self.scenario.seed if self.seed is None else int(self.seed)
        self.seed = seed
        self.sim = _Sim(compile_world(self.scenario), seed)
        self.sim.command_handler = apply_command
        self.sim.approval = self.approval
        self.sim.start()
        meta = self.folder / "live.json"
        if self.resume:
            self._resume()
        else:
            if (self.folder / "commands.jsonl").exists():
                raise FileExistsError(f"{self.folder} holds a journal already; resume it")
            meta.write_text(json.dumps({"scenario": self.scenario.name, "seed": seed,
                                        "approval": self.approval}) + "\n", encoding="utf-8")

    # ------------------------------------------------------------------ time
    def advance(self, t_s: float) -> list[dict[str, Any]]:
        """Run the simulation to ``t_s`` (no further than the exercise's end); the new events,
        already appended to the journal."""
        with self.lock:
            return self._advance(t_s)

    def _advance(self, t_s: float) -> list[dict[str, Any]]:
        if self.ended:
            return []
        t_s = min(float(t_s), self.scenario.duration)
        if t_s > self.t:
            self.sim.step_until(t_s)
            self.t = t_s
        if self.sim.finished:
            self.ended = True
        return self._flush()

    def _flush(self) -> list[dict[str, Any]]:
        rows = _event_rows(self.sim.log._cols, self._events_out)
        self._events_out += len(rows)
        _append(self.folder / "events.jsonl",
                [json.dumps(r, separators=(",", ":")) for r in rows], sync=False)
        return rows

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
            for col in self.sim.log._cols.values():
                del col[n0:]
            _append(self.folder / "commands.jsonl", [json.dumps(
                {"failed": self.seq, "t_s": self.t, "error": f"{type(exc).__name__}: {exc}"[:200]},
                sort_keys=True, separators=(",", ":"))])
            # what it half did may still be in the running exercise (the journal, and so a
            # resume, has a clean one): paused, journaled, for the controller to decide
            if not self.paused:
                pause = {"cmd": "pause"}
                self._journal("system:error", pause)
                self._engine(pause)
            raise
        if self.sim.finished:
            self.ended = True
        return {"seq": self.seq, "t_s": self.t, "events": self._flush()}

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
        self.seq += 1
        _append(self.folder / "commands.jsonl", [json.dumps(
            {"seq": self.seq, "t_s": self.t, "role": role, "cmd": c}, sort_keys=True,
            separators=(",", ":"))])

    def _resume(self) -> None:
        commands, events = read_journal(self.folder)  # JournalError if corrupt in the middle
        _cut_torn_line(self.folder / "commands.jsonl")
        t_end = max([c["t_s"] for c in commands] + [e["t_s"] or 0.0 for e in events]
                    + [0.0])
        for c in commands:
            if c["cmd"]["cmd"] in ENGINE_COMMANDS or c.get("failed"):
                continue
            self.sim.sched.at(float(c["t_s"]), Priority.COMMAND, "command", (c["role"], c["cmd"]))
        self.seq = commands[-1]["seq"] if commands else 0
        for c in commands:
            if c["cmd"]["cmd"] in ENGINE_COMMANDS:
                self._engine(c["cmd"])
        self.sim.step_until(t_end)
        self.t = t_end
        rows = _event_rows(self.sim.log._cols, 0)
        ours, theirs = [_comparable(r) for r in rows[:len(events)]], [_comparable(e)
                                                                     for e in events]
        if ours != theirs:
            k = next((i for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b),
                     min(len(ours), len(theirs)))
            raise RuntimeError(f"{self.folder}: the journal does not replay to its own events "
                               f"(first difference at event {k})")
        # the events the dead process had not yet written are in the log again: rewrite the
        # journal's events file whole (so it never holds a partial line) and go on from here
        tmp = self.folder / ".events.jsonl.partial"
        tmp.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows),
                       encoding="utf-8")
        tmp.replace(self.folder / "events.jsonl")
        self._events_out = len(rows)
        if self.sim.finished:
            self.ended = True

    # ------------------------------------------------------------------ the end
    def output(self) -> SimOutput:
        """The run so far as the batch engine's output (for the run folder)."""
        s = self.sim
        return SimOutput(s.w, int(self.seed or 0), s.log.columns(), s.truth_table(),
                         s.tracker.table(), s.picture_table(),
                         {"solver_time_s": np.array(s.solver_times)})


def replay_journal(scenario: Scenario, folder: Path, seed: int | None = None
                   ) -> dict[str, np.ndarray]:
    """Replay a journal offline: the same scenario and seed, every command at its recorded
    instant, to the last instant the journal reached; the event log (columns)."""
    ex = LiveExercise(scenario, Path(folder) / ".replay", seed=seed)
    commands, events = read_journal(Path(folder))
    t_end = max([c["t_s"] for c in commands] + [e["t_s"] or 0.0 for e in events] + [0.0])
    ex.sim.approval = read_meta(Path(folder))[1]
    for c in commands:
        if c["cmd"]["cmd"] not in ENGINE_COMMANDS and not c.get("failed"):
            ex.sim.sched.at(float(c["t_s"]), Priority.COMMAND, "command", (c["role"], c["cmd"]))
    ex.sim.step_until(t_end)
    import shutil

    shutil.rmtree(Path(folder) / ".replay", ignore_errors=True)
    return ex.sim.log.columns()
