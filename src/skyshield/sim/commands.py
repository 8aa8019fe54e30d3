"""The live exercise's commands as typed models: one pydantic model per command, a union
discriminated on ``cmd``. The server takes the REST body and the websocket message through the
same :data:`COMMAND` adapter (so the OpenAPI document describes every command and its fields);
:func:`parse_command` turns any problem into a :class:`CommandError` naming the field.

The models check the shape (types, ranges, finite numbers, lengths); what depends on the running
exercise (is there such a unit, asset, radar, engagement waiting, catalogue type) is checked by
``sim.live_commands.validate_command``. Units: degrees for lat/lon, metres, m/s, seconds.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

__all__ = ["COMMAND", "COMMAND_NAMES", "ENGINE_COMMANDS", "SIM_COMMANDS", "Command",
           "CommandError", "dump", "message", "parse_command", "short"]

NAME_MAX = 64  # names and catalogue types: longer is not a name
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


Command = Annotated[Inject | Raid | Roe | CutLink | DestroyRadar | Approve | Deny | External
                    | ExternalRemove | End | Speed | Pause | Resume | Freeze,
                    Field(discriminator="cmd")]
COMMAND: TypeAdapter[Any] = TypeAdapter(Command)
# simulation commands change the fight; engine commands only the pace (journaled all the same)
SIM_COMMANDS = ("inject", "raid", "roe", "cut_link", "destroy_radar", "approve", "deny",
                "external", "external_remove", "end")
ENGINE_COMMANDS = ("speed", "pause", "resume", "freeze")
COMMAND_NAMES = SIM_COMMANDS + ENGINE_COMMANDS


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
        e = exc.errors()[0]
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
