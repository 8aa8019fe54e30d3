"""The exercise's commands as typed models: one pydantic model per command, a union
discriminated on ``cmd``. The live server takes the REST body and the websocket message through
the same :data:`COMMAND` adapter (so the OpenAPI document describes every command and its
fields); :func:`parse_command` turns any problem into a :class:`CommandError` naming the field.
A scenario's MSEL (master scenario events list, ``Scenario.msel``) is a list of the same
commands, each with the instant it applies (:data:`MselEntry`), so they live here, in the
scenario layer, below the live exercise (``sim.commands`` re-exports them).

The models check the shape (types, ranges, finite numbers, lengths); what depends on the running
exercise (is there such a unit, asset, radar, engagement waiting, catalogue type) is checked by
``sim.live_commands.validate_command`` — and, for an MSEL, by the scenario's own validation
(``scenario.schema``: what can be known before the exercise runs). Units: degrees for lat/lon,
metres, m/s, seconds; an MSEL entry's ``at`` also takes a unit ("30 min").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from skyshield.scenario.quantities import Duration

__all__ = ["COMMAND", "COMMAND_NAMES", "ENGINE_COMMANDS", "INJECT_MAX_DISTANCE_M",
           "MSEL_COMMANDS", "SIM_COMMANDS", "Command", "CommandError", "MselEntry",
           "distance_from_origin_m", "dump", "inject_route_data", "message", "msel_command",
           "parse_command", "point", "raid_data", "route_error", "short"]

NAME_MAX = 64  # names and catalogue types: longer is not a name
INJECT_MAX_DISTANCE_M = 1_000_000.0  # assumed: how far from the origin an inject may start
RAID_MAX = 200  # assumed: more vehicles than one command should put into a live exercise


class CommandError(ValueError):
    """A command that cannot be applied (the message names the field and what was wrong)."""


class _Cmd(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, populate_by_name=True)


# a name is printable: no control characters (they would garble logs, reports and exports)
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX, pattern=r"^[^\x00-\x1f\x7f]+$")]
Lat = Annotated[float, Field(ge=-90.0, le=90.0, description="latitude, degrees")]
Lon = Annotated[float, Field(ge=-180.0, le=180.0, description="longitude, degrees")]
Alt = Annotated[float, Field(ge=-500.0, le=100_000.0, description="altitude MSL, m")]
SpeedMps = Annotated[float, Field(gt=0.0, le=10_000.0, description="speed, m/s")]


class Point(_Cmd):
    lat: Lat
    lon: Lon
    alt: Alt = 0.0


class Inject(_Cmd):
    """A threat (or with ``side: friendly`` a friend) from a catalogue template, flying from
    ``from`` to an asset or unit (by name) or a point."""

    cmd: Literal["inject"]
    type: Name = Field(description="air vehicle type from the catalogue")
    from_: Point = Field(alias="from")
    to: Name | Point
    speed: SpeedMps | None = None
    side: Literal["hostile", "friendly"] = "hostile"
    name: Name | None = None


class Raid(_Cmd):
    """``count`` vehicles along an axis from ``from`` to an asset or unit."""

    cmd: Literal["raid"]
    type: Name
    count: int = Field(ge=1, le=RAID_MAX)
    spacing: float = Field(10.0, ge=0.0, le=3600.0, description="seconds between vehicles")
    from_: Point = Field(alias="from")
    to: Name
    via: list[Point] = Field(default_factory=list, max_length=20)
    alt: Alt | None = None
    speed: SpeedMps | None = None
    lateral_spacing: float = Field(0.0, ge=0.0, le=100_000.0, description="m")
    name: Name | None = None


class Roe(_Cmd):
    cmd: Literal["roe"]
    unit: Name
    roe: Literal["weapons_free", "weapons_tight", "weapons_hold"]


class CutLink(_Cmd):
    cmd: Literal["cut_link"]
    unit: Name


class DestroyRadar(_Cmd):
    """The unit's engagement radar, or the radar whose name contains ``radar``."""

    cmd: Literal["destroy_radar"]
    unit: Name
    radar: Name | None = None


class RestoreLink(_Cmd):
    """The unit's link to the command post, cut by ``cut_link``, works again: it is assigned
    by the joint command post once more."""

    cmd: Literal["restore_link"]
    unit: Name


class SetEmcon(_Cmd):
    """Emission control of the unit's engagement radar: ``on`` (radiating), ``off`` (silent:
    the unit cannot engage, and missiles its radar guides lose guidance), ``cued`` (silent
    until the air picture holds a non-friend within the unit's cue range)."""

    cmd: Literal["emcon"]
    unit: Name
    mode: Literal["on", "off", "cued"]


class RestoreRadar(_Cmd):
    """Back in action: the unit's engagement radar, or the radar whose name contains
    ``radar``."""

    cmd: Literal["restore_radar"]
    unit: Name
    radar: Name | None = None


class DestroyUnit(_Cmd):
    """The fire unit out of action (its radars too): it neither sees, nor fires, nor guides."""

    cmd: Literal["destroy_unit"]
    unit: Name


class RestoreUnit(_Cmd):
    """The fire unit back in action, with all its radars (its magazine as it was)."""

    cmd: Literal["restore_unit"]
    unit: Name


class Approve(_Cmd):
    cmd: Literal["approve"]
    id: int = Field(ge=1, le=2**31 - 1, description="an engagement waiting for approval")


class Deny(_Cmd):
    cmd: Literal["deny"]
    id: int = Field(ge=1, le=2**31 - 1, description="an engagement waiting for approval")


class External(_Cmd):
    """An entity of another simulator (DIS); further fields are kept as sent."""

    model_config = ConfigDict(extra="allow")
    cmd: Literal["external"]
    id: Name
    force: Literal["hostile", "friendly"]
    kind: Literal["munition", "platform"] = "platform"
    lat: Lat
    lon: Lon
    alt: float
    vel_enu: list[float] = Field(min_length=3, max_length=3, description="m/s east, north, up")
    type: Name | None = None


class ExternalRemove(_Cmd):
    """That entity of another simulator leaves (deactivated by its simulator, or silent too
    long: the server decides on the wall clock and journals the decision)."""

    cmd: Literal["external_remove"]
    id: Name
    why: str = Field("", max_length=40)


class End(_Cmd):
    cmd: Literal["end"]


class Speed(_Cmd):
    cmd: Literal["speed"]
    factor: float = Field(gt=0.0, le=1000.0, description="simulated seconds per wall second")


class Pause(_Cmd):
    cmd: Literal["pause"]


class Resume(_Cmd):
    cmd: Literal["resume"]


class Freeze(_Cmd):
    cmd: Literal["freeze"]


Command = Annotated[Inject | Raid | Roe | CutLink | RestoreLink | SetEmcon | DestroyRadar
                    | RestoreRadar | DestroyUnit | RestoreUnit | Approve | Deny | External
                    | ExternalRemove | End | Speed | Pause | Resume | Freeze,
                    Field(discriminator="cmd")]
COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
# simulation commands change the fight; engine commands only the pace (journaled all the same)
SIM_COMMANDS = ("inject", "raid", "roe", "cut_link", "restore_link", "emcon", "destroy_radar",
                "restore_radar", "destroy_unit", "restore_unit", "approve", "deny",
                "external", "external_remove", "end")
ENGINE_COMMANDS = ("speed", "pause", "resume", "freeze")
COMMAND_NAMES = SIM_COMMANDS + ENGINE_COMMANDS

# ---------------------------------------------------------------------- the MSEL
# the commands a scenario may script: not the operator's decisions on engagements (their ids
# exist only once the exercise runs), nor other simulators' entities (DIS), nor the pace, nor
# the end (a batch run's summary counts the scenario's whole duration)
MSEL_COMMANDS = ("inject", "raid", "roe", "cut_link", "restore_link", "emcon", "destroy_radar",
                 "restore_radar", "destroy_unit", "restore_unit")


class _At(BaseModel):
    at: Duration = Field(description="exercise time the command applies (s, or with a unit: "
                         "'30 min')")


# the MSEL's commands, each with its instant ``at`` (the live models, one field more)
class MselInject(Inject, _At): ...
class MselRaid(Raid, _At): ...
class MselRoe(Roe, _At): ...
class MselCutLink(CutLink, _At): ...
class MselRestoreLink(RestoreLink, _At): ...
class MselEmcon(SetEmcon, _At): ...
class MselDestroyRadar(DestroyRadar, _At): ...
class MselRestoreRadar(RestoreRadar, _At): ...
class MselDestroyUnit(DestroyUnit, _At): ...
class MselRestoreUnit(RestoreUnit, _At): ...


_MselModel = (MselInject | MselRaid | MselRoe | MselCutLink | MselRestoreLink | MselEmcon
              | MselDestroyRadar | MselRestoreRadar | MselDestroyUnit | MselRestoreUnit)


def _msel_entry(value: Any, handler: ValidatorFunctionWrapHandler) -> _MselModel:
    """An MSEL entry checked by its command's model; the first problem as ``@field: message``
    (``scenario.errors`` locates it at that field of the entry)."""
    if not isinstance(value, dict):
        raise ValueError("an MSEL entry is a mapping: at, cmd and the command's fields")
    kind = value.get("cmd")
    if kind not in MSEL_COMMANDS:
        live = " (a live operator's command, not one to script)" if kind in COMMAND_NAMES else ""
        raise ValueError(f"@cmd: one of {', '.join(MSEL_COMMANDS)}{live}")
    try:
        entry: _MselModel = handler(value)
    except ValidationError as exc:
        e = _first_error(exc)
        loc = ".".join(str(x) for x in e["loc"][1:])  # the first is the command's tag
        msg = {"missing": "missing required field", "extra_forbidden": "unknown field"}.get(
            e["type"], message(e)).removeprefix("Value error, ")
        raise ValueError(f"@{loc}: {msg}" if loc else msg) from None
    if entry.at < 0:
        raise ValueError("@at: must not be negative (the exercise starts at 0 s)")
    return entry


_MEMBERS = ("constrained-str", "Point")  # pydantic's names of the members of Name | Point


def _first_error(exc: ValidationError) -> Any:
    """The first error; where it is one member's of "a name or a point" (``to``), the error of
    the member the input was meant for (a point if it is a mapping, else a name), the member's
    name left out of the location."""
    errors = exc.errors()
    e = errors[0]
    if any(x in _MEMBERS for x in e["loc"]):
        field_ = e["loc"][:next(k for k, x in enumerate(e["loc"]) if x in _MEMBERS)]
        ours = [x for x in errors if x["loc"][:len(field_)] == field_]
        as_name = next((x for x in ours if "constrained-str" in x["loc"]), e)
        member = "Point" if isinstance(as_name.get("input"), dict) else "constrained-str"
        e = next((x for x in ours if member in x["loc"]), e)
    return {**e, "loc": tuple(x for x in e["loc"] if x not in _MEMBERS)}


MselEntry = Annotated[_MselModel, Field(discriminator="cmd"), WrapValidator(_msel_entry)]
"""One entry of a scenario's ``msel:`` list: ``at`` and one command of :data:`MSEL_COMMANDS`
with its fields, exactly as a live controller would send it."""


def msel_command(entry: Any) -> dict[str, Any]:
    """The command of an MSEL entry as the exercise applies it (and as the ``command`` event
    shows it): its fields without ``at`` and without those left at their defaults, so that the
    scenario written back resolved (every default filled in) gives the same command."""
    out: dict[str, Any] = entry.model_dump(by_alias=True, exclude_defaults=True)
    out.pop("at", None)
    out["cmd"] = entry.cmd
    return out


# ------------------------------------------------------- injects and raids as scenario routes
def point(p: Any, what: str) -> dict[str, float]:
    """``{lat, lon, alt}`` as numbers on the Earth; :class:`CommandError` naming ``what``."""
    if not isinstance(p, dict):
        raise CommandError(f"{what}: expected {{lat, lon, alt}} (got {p!r})")
    try:
        out = {"lat": float(p["lat"]), "lon": float(p["lon"]), "alt": float(p.get("alt", 0.0))}
    except (KeyError, TypeError, ValueError):
        raise CommandError(f"{what}: expected numbers lat, lon and alt (got {p!r})") from None
    if not (-90 <= out["lat"] <= 90 and -180 <= out["lon"] <= 180 and math.isfinite(out["alt"])):
        raise CommandError(f"{what}: outside the Earth (got {p!r})")
    return out


def distance_from_origin_m(origin: Any, p: dict[str, Any]) -> float:
    """Ground distance (m, flat approximation) of point ``p`` from the scenario's origin."""
    return math.hypot((p["lat"] - origin.lat) * 111e3,
                      (p["lon"] - origin.lon) * 111e3 * math.cos(math.radians(origin.lat)))


def inject_route_data(cmd: dict[str, Any], t: float, assets: Mapping[str, Any],
                      units: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario route (``scenario.schema.Route`` data) an ``inject`` flies from ``t``: from
    ``from`` to a named asset or unit (at ``from``'s altitude) or a point."""
    frm = point(cmd.get("from"), "from")
    to = cmd.get("to")
    if isinstance(to, str):
        if to in assets or to in units:
            a = assets[to] if to in assets else units[to]
            dest = {"lat": a.lat, "lon": a.lon, "alt": frm["alt"]}
        else:
            raise CommandError(f"to: no asset or unit named {to!r}")
        target = to
    else:
        dest, target = point(to, "to"), None
    wp0: dict[str, Any] = dict(frm)
    if cmd.get("speed") is not None:
        wp0["speed"] = cmd["speed"]
    return {"type": cmd.get("type"), "start": t, "waypoints": [wp0, dest], "target": target}


def raid_data(cmd: dict[str, Any], t: float) -> dict[str, Any]:
    """The scenario raid (``scenario.schema.Raid`` data) a ``raid`` command flies from ``t``."""
    data: dict[str, Any] = {k: cmd[k] for k in ("type", "count", "spacing", "from", "to", "alt",
                                                "speed", "via", "lateral_spacing") if k in cmd}
    data["start"] = t
    return data


# an inject's route as the scenario schema sees it, in the command's own field names
_INJECT_FIELDS = {"waypoints.0.speed": "speed", "waypoints.0": "from", "waypoints.1": "to",
                  "waypoints": "from"}


def route_error(e: Any, what: str) -> tuple[str, str, str]:
    """A scenario-schema error on a command's route or raid in the command's field names
    (``to: the same place as from``), never the internal route it was built into: (field,
    message, `` (got X)`` or "")."""
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
    return field_ or what, msg, shown


def dump(model: Any) -> dict[str, Any]:
    """A parsed command as the plain dict the exercise journals (fields as sent, no defaults)."""
    out: dict[str, Any] = COMMAND.dump_python(model, by_alias=True, exclude_unset=True)
    return out


def parse_command(cmd: Any) -> dict[str, Any]:
    """``cmd`` checked against its model; the plain dict (:func:`dump`), or a
    :class:`CommandError` naming the first bad field."""
    if not isinstance(cmd, dict):
        raise CommandError(f"a command is a JSON object with a cmd (got {short(cmd)})")
    if cmd.get("cmd") not in COMMAND_NAMES:
        raise CommandError(f"cmd: one of {', '.join(COMMAND_NAMES)} "
                           f"(got {short(cmd.get('cmd'))})")
    try:
        return dump(COMMAND.validate_python(cmd))
    except ValidationError as exc:
        e = _first_error(exc)
        loc = ".".join(str(x) for x in e["loc"][1:])  # the first is the command's tag
        raise CommandError(f"{loc or cmd['cmd']}: {message(e)} (got {short(e.get('input'))})"
                           ) from None


def message(e: Any) -> str:
    """A pydantic error's message in the user's words."""
    if e.get("type") == "string_pattern_mismatch":  # Name's pattern
        return "a printable name: no control characters"
    return str(e.get("msg", "invalid"))


def short(x: Any) -> str:
    """``repr(x)``, cut to 80 characters (never raises)."""
    try:
        s = repr(x)
    except ValueError:  # an integer too long to print
        s = f"<{type(x).__name__}>"
    return s if len(s) <= 80 else s[:77] + "..."
