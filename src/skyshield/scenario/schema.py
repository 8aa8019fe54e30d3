"""The scenario format: typed, validated, SI inside.

A scenario is a YAML mapping validated by these pydantic models. Physical quantities accept a
number in SI units or a string with a unit (see :mod:`skyshield.scenario.quantities`); latitudes
and longitudes are decimal degrees (WGS84). Named things (assets, units, threats, raids,
friendlies) are mappings keyed by name, so a path such as ``units.s400.doctrine.salvo`` names one
parameter. References to catalogue types are checked against the catalogue passed as validation
context (``{"catalogue": Catalogue}``), the built-in one by default.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from skyshield.engine.names import Roe
from skyshield.geo import geodetic_to_ecef
from skyshield.scenario.airspace import (
    EMERGENCY_SQUAWKS,
    Corridor,
    check_squawk,
    squawk_code,
)
from skyshield.scenario.catalogue import Catalogue, FireUnitType, load_catalogue
from skyshield.scenario.commands import (
    INJECT_MAX_DISTANCE_M,
    CommandError,
    MselEntry,
    distance_from_origin_m,
    inject_route_data,
    raid_data,
    route_error,
)
from skyshield.scenario.quantities import (
    Altitude,
    Duration,
    Length,
    MslAltitude,
    Speed,
    split_alt_ref,
)
from skyshield.scenario.sensors import UnitSensors, check_unit_sensors

__all__ = [
    "ROE", "GeoPoint", "Asset", "Doctrine", "Emcon", "Unit", "Waypoint", "Route", "Raid",
    "Surface", "Weather", "TrackerConfig", "C2Config", "Command", "CommandPost", "Scenario",
    "MselEntry",
    "route_times", "loadout_limits", "Corridor",
]

ROE = Roe  # engine.names: the one home of the ROE vocabulary
AltRef = Literal["agl", "msl"]
Latitude = Annotated[float, Field(ge=-90.0, le=90.0, description="latitude, decimal degrees")]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, description="longitude, decimal degrees")]
_NAME = re.compile(r"^[\w\-]+\Z")  # letters and digits of any script (Бранко), '_' and '-'
_ALT_MIN_M, _ALT_MAX_M = -500.0, 100_000.0
MIN_SPEED_MPS = 1.0  # slower legs are not flights (and would take practically forever)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _catalogue(info: ValidationInfo) -> Catalogue:
    ctx = info.context or {}
    cat = ctx.get("catalogue")
    return cat if isinstance(cat, Catalogue) else load_catalogue()


def _vehicle_type(v: str, info: ValidationInfo) -> str:
    cat = _catalogue(info)
    if v not in cat.air_vehicles:
        raise ValueError(
            f"unknown air vehicle type; known types: {', '.join(sorted(cat.air_vehicles))}")
    return v


MAX_DURATION_S = 30 * 86400.0  # assumed: a month of exercise is the longest anyone runs


# bounds on counts and periods, chosen from what one machine runs (issue 20: values that
# validated then overflowed int64 or never finished)
MAX_ROUNDS = 10_000  # assumed: rounds of one type a fire unit holds, or keeps in reserve
MIN_PERIOD_S = 0.1  # truth samples and fire-control cycles: 36,000 per simulated hour at most
MAX_WEIGHT = 1e6  # a debrief score's weight or penalty: 1e308 gave a NaN score
MAX_VALUE = 1e9  # an asset's relative value: 1e308 overflowed the sums of value lost
# air vehicles and waypoints: memory and time grow linearly with both (bench/scale.py; the
# measurements are in docs/scenario.md, "Bounds")
MAX_AIR_VEHICLES = 100_000  # threats, friendlies and every raid's count, in all
MAX_ROUTE_WAYPOINTS = 20_000  # one route's waypoints (a raid's: from, via and to)
MAX_WAYPOINTS = 1_000_000  # all the scenario's routes' waypoints (a raid's: count × its own)
MAX_MSEL = 10_000  # assumed: scripted commands in one exercise (each inject adds vehicles)
# route-table nodes (engine.motion: one per 2 km of route at most): 80,000 vehicles on 730 km
# routes made 29 million nodes and a 5.9 GB run; 5 million keep a run near 1 GB
MAX_ROUTE_NODES = 5_000_000
ROUTE_NODE_M = 2000.0  # engine.motion.build_route_table's max_step_m


def _route_nodes(points: list[tuple[float, float]]) -> int:
    """Route-table nodes of a route through ``points`` (lat, lon degrees): one per started
    ``ROUTE_NODE_M`` of each leg (great circle on a 6,371 km sphere) plus the first."""
    n = 1
    for (la1, lo1), (la2, lo2) in zip(points, points[1:], strict=False):
        p1, p2 = math.radians(la1), math.radians(la2)
        h = (math.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2)
        d = 2 * 6_371_000.0 * math.asin(min(1.0, math.sqrt(h)))
        n += max(1, math.ceil(d / ROUTE_NODE_M))
    return n


def _period(v: float) -> float:
    if v < MIN_PERIOD_S:
        raise ValueError(f"at least {MIN_PERIOD_S:g} s")
    return v


def _positive_duration(v: float) -> float:
    if v <= 0:
        raise ValueError("must be positive")
    return v


def _not_negative(v: float) -> float:
    if v < 0:
        raise ValueError("must not be negative")
    return v


def _check_speed(v: float | None) -> float | None:
    if v is not None and v < MIN_SPEED_MPS:
        raise ValueError(f"speed must be positive and at least {MIN_SPEED_MPS:g} m/s")
    return v


def _check_alt(v: float) -> float:
    if not _ALT_MIN_M <= v <= _ALT_MAX_M:
        raise ValueError(f"altitude must be between {_ALT_MIN_M:g} m and {_ALT_MAX_M:g} m")
    return v


def _alt_with_ref(data: Any) -> Any:
    """Before validation: ``alt: 50 m AGL`` becomes ``alt: 50 m`` and ``alt_ref: agl``.

    A reference written in ``alt`` and a different ``alt_ref`` is an error; ``alt_ref`` is read
    case-insensitively.
    """
    if not isinstance(data, dict):
        return data
    out = dict(data)
    given = out.get("alt_ref")
    if isinstance(given, str):
        out["alt_ref"] = given.strip().lower()
    value, ref = split_alt_ref(out.get("alt"))
    if ref is not None:
        if isinstance(given, str) and out["alt_ref"] != ref:
            raise ValueError(f"@alt_ref: alt says {ref.upper()} but alt_ref says {given}; "
                             "give the reference once")
        out["alt"], out["alt_ref"] = value, ref
    return out


ALT_REF_DOC = ("'agl': above ground level, the terrain under the point (terrain_grid where "
               "given, never below terrain_elevation); 'msl': above mean sea level. May also be "
               "written after the unit of alt: '50 m AGL', '3000 m MSL'")


class GeoPoint(_Strict):
    lat: Latitude
    lon: Longitude
    alt: MslAltitude = Field(0.0, description="altitude above mean sea level (MSL; '86 m MSL' "
                             "accepted); unused on a raid's from/via points, where the raid's "
                             "alt applies")

    _alt = field_validator("alt")(_check_alt)


class Asset(_Strict):
    """A defended asset: a point with a value and the radius within which an impact damages it."""

    description: str = ""
    lat: Latitude
    lon: Longitude
    value: float = Field(gt=0, le=MAX_VALUE, description="relative value of the asset")
    radius: Length = Field(3000.0, description="impacts closer than this damage the asset")

    @field_validator("radius")
    @classmethod
    def _radius(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("radius must be positive")
        return v


class Doctrine(_Strict):
    salvo: int = Field(1, ge=1, le=4, description="missiles fired per engagement")
    shoot_look_shoot: bool = Field(
        True, description="wait for kill assessment before re-engaging (else shoot-shoot-look)")
    reserve: int = Field(0, ge=0, le=MAX_ROUNDS, description="rounds the fire unit keeps in "
                         "total (all types together) for later waves, released in self-defence "
                         "or against a threat under 2 min out")
    firing_range: float = Field(
        1.0, gt=0, le=1, description="fire only when the predicted intercept point is within "
        "this fraction of the missile's maximum range")
    self_defence_range: Length = Field(
        0.0, description="a threat closer than this to the unit releases the reserve")
    autonomous: bool = Field(
        False, description="fight without the joint command post from the start (own radars' "
        "tracks only, own fire plan)")

    @field_validator("self_defence_range")
    @classmethod
    def _sdr(cls, v: float) -> float:
        return _not_negative(v)


class Emcon(_Strict):
    """Emission control of a unit's engagement radar."""

    mode: Literal["always", "cued"] = Field(
        "always", description="'cued': the engagement radar stays silent until the air picture "
        "holds a track that is not a friend within cue_range of the unit")
    cue_range: Length | None = Field(
        None, description="cueing distance (default: 1.2 × the unit's longest missile range)")
    arm_silence: Duration | None = Field(
        None, description="fall silent when the air picture holds an anti-radiation missile "
        "inbound to the unit, and stay silent this long after the last such picture "
        "(c2.emcon; default: no such doctrine)")

    @field_validator("cue_range")
    @classmethod
    def _cue(cls, v: float | None) -> float | None:
        if v is not None and v <= 0:
            raise ValueError("cue_range must be positive")
        return v


_RAIN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(mm/h)?\s*$")


def _rain_rate(v: Any) -> float:
    """A rain rate in mm/h: a number or a string such as '5 mm/h'."""
    if isinstance(v, bool):
        raise ValueError("expected a rain rate such as '5 mm/h', not a boolean")
    if isinstance(v, int | float):
        out = float(v)
    elif isinstance(v, str) and (m := _RAIN.match(v)):
        out = float(m.group(1))
    else:
        raise ValueError("expected a rain rate such as '5 mm/h' or a number of mm/h")
    if not math.isfinite(out) or out < 0:
        raise ValueError("a rain rate must be a finite number of mm/h, 0 or more")
    return out


RainRate = Annotated[float, BeforeValidator(_rain_rate), WithJsonSchema({"anyOf": [
    {"type": "number", "description": "rain rate in mm/h"},
    {"type": "string", "description": "rain rate with its unit (mm/h)",
     "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*(mm/h)?\s*$"}]})]

# ``surface: land`` etc.: the named surfaces of physics.surface and clutter of physics.clutter
SURFACE_SHORTHANDS: dict[str, dict[str, str]] = {
    "land": {"type": "medium_dry_ground", "clutter": "farmland"},
    "sea": {"type": "sea_water", "clutter": "sea_state_3"},
    "lake": {"type": "fresh_water", "clutter": "none"},
}


ROUGHNESS_DEFAULT_M: dict[str, float] = {"sea_water": 0.3, "fresh_water": 0.05}  # else 1 m


class Surface(_Strict):
    """The surface around a radar: its reflection (multipath), roughness and clutter."""

    type: Literal["sea_water", "fresh_water", "wet_ground", "medium_dry_ground",
                  "very_dry_ground"] = Field(
        "medium_dry_ground", description="electrical constants of the surface (ITU-R P.2040-3 "
        "grounds, P.527 water) for the reflected ray")
    clutter: Literal["none", "flatland", "farmland", "woods", "wooded_hill", "rugged_mountain",
                     "metropolitan", "sea_state_3", "sea_state_5"] = Field(
        "farmland", description="constant-gamma clutter class (gamma at 10 GHz: flatland -20, "
        "farmland and woods -15, wooded hill -10, rugged mountain and metropolitan 0, sea state "
        "3 -40, sea state 5 -30 dB); 'none' for no clutter")
    roughness: Length | None = Field(
        None, description="rms height of the surface irregularities (0: smooth); reduces the "
        "reflected ray (Miller-Brown-Vegh). Default by type (assumed): 1 m for ground "
        "(farmland, hedges, crops), 0.3 m for sea water (sea state 3: significant wave height "
        "about 1 m, rms height a quarter of it), 0.05 m for fresh water")

    @property
    def rms_height_m(self) -> float:
        """The roughness, or its default for the surface type (assumed, see the field)."""
        if self.roughness is not None:
            return self.roughness
        return ROUGHNESS_DEFAULT_M.get(self.type, 1.0)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v not in SURFACE_SHORTHANDS:
                raise ValueError(f"unknown surface {v!r}; use one of "
                                 f"{', '.join(SURFACE_SHORTHANDS)} or a mapping with type, "
                                 "clutter and roughness")
            return dict(SURFACE_SHORTHANDS[v])
        return v

    @field_validator("roughness")
    @classmethod
    def _roughness(cls, v: float | None) -> float | None:
        if v is not None and not 0.0 <= v <= 1000.0:
            raise ValueError("roughness must be between 0 and 1000 m")
        return v


class Weather(_Strict):
    """The weather of the exercise (one for the whole area; more fields as channels need them)."""

    rain_rate: RainRate = Field(0.0, description="uniform rain rate over the area, mm/h "
                                "(default 0: no rain); attenuates radar paths (ITU-R P.838-3)")
    rain_height: Length = Field(
        3000.0, description="top of the rain above the terrain (assumed default 3 km, about the "
        "0 degC isotherm of mid-latitudes, cf. ITU-R P.839); paths above it are dry")

    visibility: Length = Field(
        23000.0, description="meteorological optical range (WMO: the path that transmits 5 % "
        "of a beam), e.g. '20 km', '2 km' for mist, '500 m' for fog (assumed default 23 km, the "
        "'clear' visibility of the LOWTRAN/MODTRAN rural aerosol model); limits the "
        "electro-optical channels (physics.eo)")
    light: Literal["day", "night", "auto"] = Field(
        "auto", description="daylight over the exercise: 'day', 'night', or 'auto' (default): "
        "from the Sun's elevation at the origin over the exercise's clock (start_time), day "
        "while it is above civil twilight (6 deg below the horizon); television channels need "
        "daylight, thermal ones work in both")

    @field_validator("rain_height")
    @classmethod
    def _height(cls, v: float) -> float:
        if not 0.0 < v <= 20000.0:
            raise ValueError("rain_height must be above 0 and at most 20 km")
        return v

    @field_validator("visibility")
    @classmethod
    def _visibility(cls, v: float) -> float:
        if not 10.0 <= v <= 300000.0:
            raise ValueError("visibility must be between 10 m and 300 km")
        return v


class Unit(_Strict):
    """A fire unit of the joint group, placed by latitude/longitude."""

    type: str = Field(description="fire unit type from the catalogue")
    lat: Latitude
    lon: Longitude
    alt: MslAltitude | None = Field(
        None, description="site altitude above mean sea level (MSL; default: the terrain there)")
    roe: ROE = "weapons_tight"
    value: float = Field(50.0, gt=0, description="value of the unit as a defended point "
                         "(anti-radiation missiles aim at units)")
    doctrine: Doctrine = Doctrine()
    emcon: Emcon = Emcon()
    surface: Surface | None = Field(
        None, description="surface around the unit's radars (default: the scenario's surface)")
    overrides: dict[str, float] = Field(
        default_factory=dict, description="catalogue figures of the fire unit type to replace")
    loadout: dict[str, int] | None = Field(None, description="rounds of each missile type")
    reloads: dict[str, int] | None = Field(
        None, description="rounds of each missile type on the unit's transloaders (default: the "
        "catalogue's reloads; {} for none)")
    sensors: UnitSensors = Field(
        default_factory=UnitSensors, description="radar siting: threat axis, masts "
        "(scenario.sensors)")

    @field_validator("type")
    @classmethod
    def _type(cls, v: str, info: ValidationInfo) -> str:
        cat = _catalogue(info)
        if v not in cat.fire_units:
            raise ValueError(
                f"unknown fire unit type; known types: {', '.join(sorted(cat.fire_units))}")
        return v

    @field_validator("overrides")
    @classmethod
    def _overrides(cls, v: dict[str, float]) -> dict[str, float]:
        allowed = {n for n, f in FireUnitType.model_fields.items()
                   if f.annotation is not None and "Figure" in str(f.annotation)
                   and not str(f.annotation).startswith("dict")}
        for k, x in v.items():
            if k not in allowed:
                raise ValueError(f"cannot override {k!r}; figures: {', '.join(sorted(allowed))}")
            if not np.isfinite(x) or x < 0:
                raise ValueError(f"override {k} must be a finite non-negative number")
        return v

    @field_validator("loadout", "reloads")
    @classmethod
    def _rounds(cls, v: dict[str, int] | None, info: ValidationInfo) -> dict[str, int] | None:
        """Rounds by missile type (on the launchers, or on the transloaders): known types,
        0 to ``MAX_ROUNDS`` each."""
        if v is None:
            return v
        cat = _catalogue(info)
        for k, n in v.items():
            if k not in cat.missiles:
                raise ValueError(f"unknown missile type {k!r}")
            if info.field_name == "reloads" and not 0 <= n <= MAX_ROUNDS:
                raise ValueError(f"reloads of {k}: 0 to {MAX_ROUNDS} rounds (got {n})")
            if n < 0:
                raise ValueError(f"loadout of {k} must not be negative")
            if n > MAX_ROUNDS:
                raise ValueError(f"loadout of {k}: at most {MAX_ROUNDS} rounds (got {n})")
        return v
        cat = _catalogue(info)
        for k, n in v.items():
            if k not in cat.missiles:
                raise ValueError(f"unknown missile type {k!r}")
            if not 0 <= n <= MAX_ROUNDS:
                raise ValueError(f"reloads of {k}: 0 to {MAX_ROUNDS} rounds (got {n})")
        return v

    @model_validator(mode="after")
    def _sensors(self, info: ValidationInfo) -> Unit:
        check_unit_sensors(self.sensors, _catalogue(info).fire_units[self.type])
        return self

    @model_validator(mode="after")
    def _loadout_fits(self, info: ValidationInfo) -> Unit:
        if self.reloads:
            carried = loadout_limits(_catalogue(info).fire_units[self.type], self.overrides)[1]
            for m in self.reloads:
                if m not in carried:
                    raise ValueError(f"@reloads.{m}: {self.type} cannot carry {m}; it carries "
                                     f"{', '.join(sorted(carried))}")
        if self.loadout is None:
            return self
        fut = _catalogue(info).fire_units[self.type]
        capacity, limits = loadout_limits(fut, self.overrides)
        for m, n in self.loadout.items():
            if m not in limits:
                raise ValueError(f"@loadout.{m}: {self.type} cannot carry {m}; it carries "
                                 f"{', '.join(sorted(limits))}")
            if n > limits[m]:
                what = "of that type" if limits[m] < capacity else "in all"
                raise ValueError(f"@loadout.{m}: {n} rounds of {m} exceed what {self.type} "
                                 f"holds {what}, {limits[m]}")
        total = sum(self.loadout.values())
        if total > capacity:
            raise ValueError(f"@loadout: {total} rounds in all exceed the capacity of "
                             f"{self.type}, {capacity} ({_launchers(fut, self.overrides)})")
        return self


def _launchers(fut: FireUnitType, overrides: dict[str, float]) -> str:
    launchers = overrides.get("launchers", fut.launchers.value)
    rounds = overrides.get("rounds_per_launcher", fut.rounds_per_launcher.value)
    return f"{launchers:g} launchers x {rounds:g} rounds"


def loadout_limits(fut: FireUnitType, overrides: dict[str, float] | None = None
                   ) -> tuple[int, dict[str, int]]:
    """What a fire unit of type ``fut`` can carry: its capacity in rounds (launchers ×
    rounds_per_launcher, ``overrides`` applied) and the most rounds of each missile type it can
    carry — the types of its catalogue loadout and of its ``compatible_missiles``, each limited by
    its ``compatible_missiles`` figure where given and always by the capacity."""
    o = overrides or {}
    capacity = int(o.get("launchers", fut.launchers.value)
                   * o.get("rounds_per_launcher", fut.rounds_per_launcher.value))
    limits = {m: capacity for m in fut.loadout}
    limits.update({m: min(capacity, int(f.value)) for m, f in fut.compatible_missiles.items()})
    return capacity, limits


class Waypoint(_Strict):
    lat: Latitude
    lon: Longitude
    alt: Altitude = Field(description="altitude of the waypoint, above mean sea level (MSL) "
                          "unless alt_ref (or 'AGL' after the unit: '50 m AGL') says above "
                          "ground")
    alt_ref: AltRef = Field("msl", description="reference of alt (default 'msl', as in files "
                            "written before alt_ref existed): " + ALT_REF_DOC)
    speed: Speed | None = Field(None, description="speed on the leg that starts here")
    at: Duration | None = Field(None, description="time of arrival here (instead of a speed)")

    _alt = field_validator("alt")(_check_alt)
    _ref = model_validator(mode="before")(_alt_with_ref)

    @model_validator(mode="after")
    def _agl(self) -> Waypoint:
        if self.alt_ref == "agl" and self.alt < 0:
            raise ValueError("@alt: a height above ground cannot be negative")
        return self

    _speed = field_validator("speed")(_check_speed)


class Manoeuvre(_Strict):
    """A threat fighting back (``engine.motion.manoeuvre_offsets``): ``weave`` — a sinusoidal
    lateral weave of ``amplitude`` and ``period`` along the whole route; ``popup`` — over the last
    ``range`` before the final waypoint, a climb to ``height`` and a dive onto the target (cruise
    missile terminal pop-up); ``break`` — when the first interceptor is launched at it, a
    ``g``-limited jink across its path lasting ``duration`` (a break turn and back)."""

    kind: Literal["weave", "popup", "break"]
    amplitude: Length = Field(150.0, description="weave: lateral amplitude")
    period: Duration = Field(20.0, description="weave: period")
    height: Length = Field(300.0, description="popup: climb above the route")
    range: Length = Field(8000.0, description="popup: distance before the target it starts")
    g: float = Field(5.0, gt=0.0, le=12.0, description="break: lateral load (g)")
    duration: Duration = Field(8.0, description="break: length of the jink")

    @field_validator("amplitude", "period", "height", "range", "duration")
    @classmethod
    def _positive(cls, v: float) -> float:
        if v <= 0:
            raise ValueError("must be positive")
        return v


class Route(_Strict):
    """An air vehicle flying a route of waypoints, appearing at ``start``."""

    type: str = Field(description="air vehicle type from the catalogue")
    start: Duration = Field(0.0, description="time at the first waypoint")
    waypoints: list[Waypoint]
    target: str | None = Field(None, description="asset or unit the vehicle's weapon is aimed at")
    manoeuvre: Manoeuvre | None = Field(None, description="how it fights back, if at all")
    jam_from: Duration | None = Field(
        None, description="a jammer type: the exercise time its jammer is switched on (a "
        "stand-off jammer on station); default: jamming from the moment it appears")
    squawk: str | None = Field(
        None, description="SSR Mode 3/A code it squawks, four octal digits ('7000'; 7500 "
        "unlawful interference, 7600 radio failure, 7700 emergency); none: no SSR reply")
    mode_c: bool = Field(True, description="with a squawk: it also reports its pressure "
                         "altitude (Mode C, 100 ft steps)")
    transponder_fails_at: Duration | None = Field(
        None, description="its transponder fails at this exercise time (0 s: failed from the "
        "start): no IFF (Mode 4/5) and no Mode 3/A or C reply from then on")

    @field_validator("type")
    @classmethod
    def _type(cls, v: str, info: ValidationInfo) -> str:
        return _vehicle_type(v, info)

    _squawk = field_validator("squawk", mode="before")(check_squawk)

    @field_validator("transponder_fails_at")
    @classmethod
    def _fails(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError("transponder_fails_at is in the past: 0 s or later")
        return v

    @model_validator(mode="after")
    def _ssr(self, info: ValidationInfo) -> Route:
        vt = _catalogue(info).air_vehicles.get(self.type)
        if self.squawk is not None and vt is not None and vt.ssr_reply_probability is None:
            raise ValueError(f"@squawk: type {self.type} has no SSR transponder in the "
                             "catalogue (ssr_reply_probability)")
        return self

    @field_validator("jam_from")
    @classmethod
    def _jam_from(cls, v: float | None) -> float | None:
        if v is not None and v < 0:
            raise ValueError("jam_from is in the past: jamming starts at 0 s or later")
        return v

    @field_validator("start")
    @classmethod
    def _start(cls, v: float) -> float:
        if v < 0:
            raise ValueError("start is in the past: routes start at 0 s or later")
        return v

    @field_validator("waypoints")
    @classmethod
    def _waypoints(cls, v: list[Waypoint]) -> list[Waypoint]:
        if len(v) < 2:
            raise ValueError("a route needs at least two waypoints")
        if len(v) > MAX_ROUTE_WAYPOINTS:
            raise ValueError(f"at most {MAX_ROUTE_WAYPOINTS:,} waypoints in a route")
        return v

    @model_validator(mode="after")
    def _timing(self, info: ValidationInfo) -> Route:
        cat = _catalogue(info)
        if self.type in cat.air_vehicles:
            route_times(self, cat.air_vehicles[self.type].cruise_speed_mps.value,
                        cat.air_vehicles[self.type].max_speed_mps.value)
        return self


class Raid(_Strict):
    """``count`` vehicles of one type flying from ``from`` to ``to``, ``spacing`` apart in time."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: str = Field(description="air vehicle type from the catalogue")
    count: int = Field(ge=1, le=100_000)
    start: Duration = 0.0
    spacing: Duration = Field(10.0, description="time between two vehicles of the raid")
    from_: GeoPoint = Field(alias="from", description="start of the axis")
    via: list[GeoPoint] = Field(default_factory=list, description="turn points on the axis")
    to: str = Field(description="the asset or unit the raid is aimed at")
    alt: Altitude | None = Field(
        None, description="flight height, above ground level (AGL) at every point of the axis "
        "unless alt_ref (or 'MSL' after the unit: '3000 m MSL') says above mean sea level "
        "(default: the type's catalogue cruise_alt_m above ground)")
    alt_ref: AltRef = Field("agl", description="reference of alt (default 'agl', as in files "
                            "written before alt_ref existed): " + ALT_REF_DOC)
    speed: Speed | None = Field(None, description="speed (default: type cruise)")
    lateral_spacing: Length = Field(
        0.0, description="vehicles alternate left/right of the axis this far apart")
    manoeuvre: Manoeuvre | None = Field(None, description="how each vehicle fights back")

    @field_validator("type")
    @classmethod
    def _type(cls, v: str, info: ValidationInfo) -> str:
        return _vehicle_type(v, info)

    @field_validator("start", "spacing", "lateral_spacing")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v < 0:
            raise ValueError("must not be negative (a raid cannot start in the past)")
        return v

    @field_validator("via")
    @classmethod
    def _via(cls, v: list[GeoPoint]) -> list[GeoPoint]:
        if len(v) + 2 > MAX_ROUTE_WAYPOINTS:
            raise ValueError(f"at most {MAX_ROUTE_WAYPOINTS - 2:,} turn points (a route of "
                             f"at most {MAX_ROUTE_WAYPOINTS:,} waypoints)")
        return v

    _speed = field_validator("speed")(_check_speed)
    _ref = model_validator(mode="before")(_alt_with_ref)

    @field_validator("alt")
    @classmethod
    def _alt(cls, v: float | None) -> float | None:
        return None if v is None else _check_alt(v)

    @model_validator(mode="after")
    def _speed_limit(self, info: ValidationInfo) -> Raid:
        if self.alt is None and self.alt_ref == "msl":
            raise ValueError("@alt_ref: 'msl' needs an alt; without one the raid flies at its "
                             "type's cruise_alt_m above ground")
        if self.alt_ref == "agl" and self.alt is not None and self.alt < 0:
            raise ValueError("@alt: a height above ground cannot be negative")
        cat = _catalogue(info)
        vt = cat.air_vehicles.get(self.type)
        if vt is not None and self.speed is not None and self.speed > 1.05 * vt.max_speed_mps.value:
            raise ValueError(f"@speed: {self.speed:.0f} m/s exceeds the type's maximum "
                             f"{vt.max_speed_mps.value:.0f} m/s")
        return self


class TrackerConfig(_Strict):
    confirm_m: int = Field(3, ge=1, description="hits needed to confirm a track ...")
    confirm_n: int = Field(5, ge=1, description="... within this many opportunities")
    coast: Duration = Field(30.0, description="a confirmed track unseen this long is dropped")
    gate_probability: float = Field(0.9997, gt=0, lt=1)
    process_noise: float = Field(
        30.0, gt=0, description="white-acceleration spectral density q (m²/s³)")
    filter: Literal["cmkf", "ekf", "ukf", "imm"] = Field(
        "imm", description="converted-measurement KF, EKF or UKF on range/azimuth/elevation, "
        "or an IMM of nearly constant velocity with a manoeuvre model (and coordinated turns "
        "when imm_turn_rate > 0); the default, as `skyshield track`'s")
    association: Literal["gnn", "jpda"] = Field(
        "gnn", description="global nearest neighbour, or JPDA for confirmed tracks (cmkf only)")
    imm_turn_rate: float = Field(0.0, ge=0, le=30,
                                 description="IMM coordinated-turn rate (degrees per second); "
                                 "0: no coordinated-turn models")
    imm_manoeuvre_noise: float = Field(
        3000.0, ge=0, description="white-acceleration spectral density (m²/s³) of the IMM's "
        "manoeuvre model, a nearly-constant-velocity model with a large q; 0: none")
    imm_sojourn: Duration = Field(2400.0, description="IMM: mean time in a mode")
    imm_gate: Literal["widest", "combined"] = Field(
        "widest", description="IMM gating: with its widest model's prediction (a turn between "
        "two scans of a slow radar stays in the gate) or the combined one's")
    imm_cv_prior: float = Field(0.9, gt=0, lt=1, description="IMM: the quiet model's "
                                "probability when a track starts")
    confirmation: Literal["m_of_n", "sprt"] = Field(
        "sprt", description="M-of-N, or M-of-N and the track score's sequential probability "
        "ratio test with each radar's false-plot density")

    @field_validator("coast", "imm_sojourn")
    @classmethod
    def _coast(cls, v: float) -> float:
        return _positive_duration(v)

    @model_validator(mode="after")
    def _mn(self) -> TrackerConfig:
        if self.filter == "imm" and self.imm_turn_rate == 0 and self.imm_manoeuvre_noise == 0:
            raise ValueError("@imm_turn_rate: the IMM needs a second model: a turn rate above 0 "
                             "or imm_manoeuvre_noise above 0 (got both 0)")
        if self.association == "jpda" and self.filter != "cmkf":
            raise ValueError(f"@association: JPDA runs with filter cmkf (got filter "
                             f"{self.filter})")
        if self.confirm_m > self.confirm_n:
            raise ValueError(f"confirm_m ({self.confirm_m}) must not exceed confirm_n "
                             f"({self.confirm_n})")
        return self


class LinkLoss(_Strict):
    """A unit loses its link to the joint command post at ``at`` and fights autonomously."""

    unit: str = Field(min_length=1)
    at: Duration


class ScoringConfig(_Strict):
    """Weights of the debrief score (``analysis.scoring``; the formula is documented there)."""

    kills: float = Field(0.3, ge=0.0, le=MAX_WEIGHT,
                         description="weight of kills / opportunities")
    leakers: float = Field(0.3, ge=0.0, le=MAX_WEIGHT,
                           description="weight of 1 - leakers allowed / opportunities")
    value: float = Field(0.2, ge=0.0, le=MAX_WEIGHT,
                         description="weight of 1 - asset value lost / total value")
    economy: float = Field(0.1, ge=0.0, le=MAX_WEIGHT,
                           description="weight of min(1, 1 / missiles per kill)")
    reaction: float = Field(0.1, ge=0.0, le=MAX_WEIGHT,
                            description="weight of exp(-mean reaction time / reference)")
    reaction_reference: Duration = Field(60.0, description="reaction time scale of the score")
    fratricide_penalty: float = Field(50.0, ge=0.0, le=MAX_WEIGHT,
                                      description="points off for each friendly shot down")

    @field_validator("reaction_reference")
    @classmethod
    def _positive(cls, v: float) -> float:
        return _positive_duration(v)


CLASS_VALUE_MUSD = {  # assumed: what destroying a track of each class is worth, million USD 2020
    # (the picture knows the class, not the type): order of the public unit costs gathered on
    # 2026-12-07 (/docs/catalogue.md "Prices"): a MALE UAV about 5 (MQ-1 air vehicle, a
    # quarter of a USD 20 m 4-aircraft system, USAF fact sheet), a cruise missile 1.5 (Tomahawk
    # Block IV, Defense Daily 2014: 1.2-1.5), a strike aircraft 30 (assumed: order of a
    # 4th-generation fighter), an anti-radiation missile 0.6 (AARGM: USD 1.1 bn for about
    # 2,000, Bloomberg 2012)
    "uav": 5.0, "cruise_missile": 1.5, "aircraft": 30.0, "anti_radiation_missile": 0.6,
    "unknown": 1.0,
}


class Economy(_Strict):
    """The fire-control economy of ``c2.assignment: lookahead`` (issue 21): what a commander
    weighs each cycle besides the threat value destroyed."""

    value_per_musd: float = Field(
        1.0, ge=0, le=1e6, description="value units (those of the assets) one million USD is "
        "worth: the weight of a round's price and of a threat's own worth (assumed default 1: "
        "an asset's value read in millions of USD, so the built-in air base, 100, weighs as "
        "much as fifty 48N6E3)")
    class_value_musd: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_VALUE_MUSD),
        description="worth of destroying a track of each class, million USD (assumed defaults)")
    keep_rounds: bool = Field(
        True, description="weigh the value of a round kept for the threats the picture says are "
        "still coming")
    later_layers: bool = Field(
        True, description="discount a threat by the chance the layers it meets later kill it")
    rounds_per_target: dict[str, int] = Field(
        default_factory=dict, description="salvo by threat class (overrides the units' salvo "
        "for that class), e.g. {uav: 1, cruise_missile: 2}")
    one_unit_per_target: bool = Field(
        True, description="at most one fire unit engages a track in a cycle")
    cheapest_first: bool = Field(
        False, description="doctrine 'cheapest effective layer first': on a track some unit can "
        "engage this cycle with a salvo Pk of at least effective_pk, dearer salvos are not "
        "offered (the price term alone already prefers cheap rounds; this makes it a rule)")
    effective_pk: float = Field(0.7, gt=0.0, le=1.0,
                                description="the salvo Pk that makes a layer 'effective'")
    unit_defence: bool = Field(
        True, description="a threat aimed at a fire unit also puts at stake what the unit would "
        "still defend: the value its rounds would save on the other threats coming")

    @field_validator("class_value_musd")
    @classmethod
    def _classes(cls, v: dict[str, float]) -> dict[str, float]:
        known = set(CLASS_VALUE_MUSD)
        for k, x in v.items():
            if k not in known:
                raise ValueError(f"unknown class {k!r}; classes: {', '.join(sorted(known))}")
            if not 0 <= x <= 1e6:
                raise ValueError(f"class value of {k}: 0 to 1e6 million USD (got {x})")
        return {**CLASS_VALUE_MUSD, **v}

    @field_validator("rounds_per_target")
    @classmethod
    def _rounds(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if k not in CLASS_VALUE_MUSD:
                raise ValueError(f"unknown class {k!r}; classes: "
                                 f"{', '.join(sorted(CLASS_VALUE_MUSD))}")
            if not 1 <= n <= 4:
                raise ValueError(f"rounds per target of {k}: 1 to 4 (got {n})")
        return v


class C2Config(_Strict):
    cycle: Duration = Field(2.0, description="period of the fire-control decision cycle")
    links_lost: list[LinkLoss] = Field(
        default_factory=list, description="units cut off from the command post (scenario events)")
    command_post_lost: Duration | None = Field(
        None, description="the joint command post is lost: every unit fights autonomously")
    assignment: Literal["wta", "lookahead", "greedy"] = Field(
        "wta", description="weapon-target assignment each cycle (minimise the expected "
        "surviving threat value), the look-ahead economy (also weighs the rounds' price, the "
        "rounds kept for threats still coming and the later layers' shots: c2.economy), or "
        "greedy earliest intercept in priority order")
    iff_interrogations: int = Field(
        3, ge=1, description="unanswered interrogations before a track may be declared hostile "
        "(when it also shows a hostile profile) or unknown")
    friendly_codes: list[str] = Field(
        default_factory=list, description="Mode 3/A codes briefed to own aircraft (airspace "
        "control order): a track squawking one is an assumed friend")
    kill_assessment_delay: Duration = 4.0
    kill_assessment_pd: float = Field(
        0.95, ge=0.0, le=1.0, description="probability a kill is reported as a kill (assumed)")
    kill_assessment_pfa: float = Field(
        0.02, ge=0.0, le=1.0,
        description="probability a surviving target is reported killed (assumed)")
    engagement_horizon: Duration = Field(
        900.0, description="threats predicted to arrive later than this are not yet engaged")
    max_track_age: Duration = Field(
        12.0, description="a track not updated for this long is not fired at")
    economy: Economy = Field(default_factory=Economy,
                             description="the look-ahead assignment's economy")

    @field_validator("cycle", "engagement_horizon", "max_track_age")
    @classmethod
    def _positive(cls, v: float) -> float:
        return _positive_duration(v)

    @field_validator("cycle")
    @classmethod
    def _cycle(cls, v: float) -> float:
        return _period(v)

    @field_validator("kill_assessment_delay")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        return _not_negative(v)

    @field_validator("friendly_codes", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        if not isinstance(v, list):
            return v
        out = [check_squawk(c) for c in v]
        bad = [c for c in out if squawk_code(c) in EMERGENCY_SQUAWKS]
        if bad:
            raise ValueError(f"emergency codes cannot be briefed to own aircraft (got {bad})")
        return out


MAX_BIAS_M = 50_000.0  # a range registration bias beyond this is a wrong site, not a bias
MAX_LATENCY_S = 600.0  # assumed: a track report ten minutes old is no longer a picture


class RegistrationBias(_Strict):
    """Sensor registration bias of a command post's radars: what each of its radars adds to the
    range and azimuth it measures (an uncorrected site survey, north alignment or time offset)."""

    range: Length = Field(0.0, description="range bias added to every plot (m; may be "
                          "negative)")
    azimuth: float = Field(0.0, ge=-10.0, le=10.0, description="azimuth bias added to every "
                           "plot, degrees clockwise")

    @field_validator("range")
    @classmethod
    def _range(cls, v: float) -> float:
        if not -MAX_BIAS_M <= v <= MAX_BIAS_M:
            raise ValueError(f"a range bias within ±{MAX_BIAS_M:g} m")
        return v


class CommandPost(_Strict):
    """A national command post: the fire units it commands; the radars of those units make its
    own air picture."""

    units: list[str] = Field(min_length=1, description="fire units this post commands")
    bias: RegistrationBias = Field(RegistrationBias(),
                                   description="registration bias of every radar of the post")
    radar_bias: dict[str, dict[str, RegistrationBias]] = Field(
        default_factory=dict, description="per unit and radar type (e.g. neva: {s125_p18: "
        "{range: 200 m}}): that radar's own registration bias instead of the post's")
    lost_at: Duration | None = Field(
        None, description="the post is lost at this instant: its units fight autonomously")
    controls: list[str] = Field(
        default_factory=list, description="friendly aircraft under this post's fighter control "
        "(names under friendlies:): the post knows them from their position reports and "
        "identifies their tracks friend, whatever their IFF")


class JointPost(_Strict):
    """The joint group command post above the national posts."""

    at: str | None = Field(
        None, description="the national post it sits with (its picture is that post's own, "
        "the others' come over the link); default: the first post")
    lost_at: Duration | None = Field(
        None, description="the joint post is lost: each national post fights alone")


class InterChainLink(_Strict):
    """The track exchange between the national posts (and to the joint post)."""

    latency: Duration = Field(
        4.0, description="age of a track report when it arrives (s); assumed: a Link-16-class "
        "net reports an air track every 12 s frame at best, a national ADC net relays with a "
        "few seconds' delay")
    report_interval: Duration = Field(
        2.0, description="a post reports its picture at most this often (after a scan of its "
        "radars); assumed: about the revisit of the posts' surveillance radars and a national "
        "net's update rate (a Link-16 air track is reported every 12 s frame)")
    extrapolate: bool = Field(
        True, description="received tracks are dead-reckoned over the latency (else used as "
        "they were sent)")
    correlation_gate: float = Field(
        0.9997, gt=0.0, lt=1.0, description="probability of the chi-square gate (3 degrees of "
        "freedom) inside which a received track is correlated with a track of the picture")
    lost_at: Duration | None = Field(None, description="the link between the posts is cut")
    restored_at: Duration | None = Field(None, description="... and restored")

    @field_validator("latency", "report_interval")
    @classmethod
    def _latency(cls, v: float) -> float:
        if not 0.0 <= v <= MAX_LATENCY_S:
            raise ValueError(f"between 0 and {MAX_LATENCY_S:g} s")
        return v


class Command(_Strict):
    """Command chains: national command posts, each with its own picture, exchanging tracks over
    a link, and a joint group post that assigns across all of them. Without this block the
    group has one joint post with one instant picture of every radar."""

    posts: dict[str, CommandPost] = Field(min_length=1)
    joint: JointPost = JointPost()
    link: InterChainLink = InterChainLink()

    @model_validator(mode="after")
    def _posts(self) -> Command:
        seen: dict[str, str] = {}
        for name, p in self.posts.items():
            if not isinstance(name, str) or not _NAME.match(name):
                raise ValueError(f"@posts: names may use letters, digits, '_' and '-' only "
                                 f"(got {name!r})")
            for i, u in enumerate(p.units):
                if u in seen:
                    raise ValueError(f"@posts.{name}.units.{i}: unit {u!r} is already "
                                     f"commanded by post {seen[u]!r}")
                seen[u] = name
        ctl: dict[str, str] = {}
        for name, p in self.posts.items():
            for i, f in enumerate(p.controls):
                if f in ctl:
                    raise ValueError(f"@posts.{name}.controls.{i}: friendly {f!r} is already "
                                     f"under the fighter control of post {ctl[f]!r}")
                ctl[f] = name
        if self.joint.at is not None and self.joint.at not in self.posts:
            raise ValueError(f"@joint.at: no post named {self.joint.at!r}")
        ln = self.link
        if ln.restored_at is not None and (ln.lost_at is None or ln.restored_at <= ln.lost_at):
            raise ValueError("@link.restored_at: must come after link.lost_at")
        return self

    @property
    def host(self) -> str:
        """The national post the joint post sits with."""
        return self.joint.at if self.joint.at is not None else next(iter(self.posts))


class Scenario(_Strict):
    """An exercise: where, what defends, what attacks, under which rules, for how long."""

    name: str = Field(min_length=1)
    description: str = ""
    origin: GeoPoint
    seed: int = Field(0, ge=0, lt=2**63)
    start_time: AwareDatetime = Field(
        datetime(2019, 10, 25, 8, 0, tzinfo=UTC),
        description="UTC clock time of t = 0, for exports and the replay (ISO 8601 with a zone, "
        "e.g. 2019-10-25T08:00:00Z); assumed default: a morning of the drill's week")
    duration: Duration
    terrain_elevation: MslAltitude = Field(
        0.0, description="flat terrain height above mean sea level (MSL): the ground that AGL "
        "heights stand on, and the floor under a terrain_grid")
    terrain_grid: str | None = Field(
        None, description="elevation grid masking radar line of sight, relative to the scenario: "
        ".npz (z_m, lat/lon bounds) or a GeoTIFF in EPSG:4326 (SRTM-style); without it the "
        "terrain is flat")
    catalogue: list[str] = Field(default_factory=list,
                                 description="extra catalogue files, relative to the scenario")
    assets: dict[str, Asset] = Field(default_factory=dict)
    units: dict[str, Unit] = Field(default_factory=dict)
    threats: dict[str, Route] = Field(default_factory=dict)
    raids: dict[str, Raid] = Field(default_factory=dict)
    friendlies: dict[str, Route] = Field(default_factory=dict)
    civil: dict[str, Route] = Field(
        default_factory=dict, description="civil traffic (airliners on the approaches, "
        "departures and airways): neutral, never a target; each must squawk")
    corridors: dict[str, Corridor] = Field(
        default_factory=dict, description="published routes and briefed corridors the air "
        "picture identifies traffic against")
    surface: Surface = Field(
        Surface(), description="surface around the radars (multipath, clutter): 'land', 'sea', "
        "'lake' or a mapping; a unit's own surface replaces it")
    weather: Weather = Weather()
    c2: C2Config = C2Config()
    command: Command | None = Field(
        None, description="national command chains and a joint post (default: one joint post)")
    tracker: TrackerConfig = TrackerConfig()
    scoring: ScoringConfig = ScoringConfig()
    truth_interval: Duration = Field(2.0, description="period of the truth samples")
    msel: list[MselEntry] = Field(
        default_factory=list, max_length=MAX_MSEL, description="master scenario events list: "
        "timed commands — the live exercise's own (ROE, emission control, links, radars and "
        "units out of and back in action, injects, raids) — each with the exercise time it "
        "applies, 'at'")

    @field_validator("duration", "truth_interval")
    @classmethod
    def _positive(cls, v: float) -> float:
        return _positive_duration(v)

    @field_validator("truth_interval")
    @classmethod
    def _sample_period(cls, v: float) -> float:
        return _period(v)

    @field_validator("duration")
    @classmethod
    def _at_most_a_month(cls, v: float) -> float:
        if v > MAX_DURATION_S:  # radars scan every few seconds: a longer run never ends
            raise ValueError(f"at most {MAX_DURATION_S / 86400:g} days ({MAX_DURATION_S:g} s)")
        return v

    @field_validator("assets", "units", "threats", "raids", "friendlies", "civil", "corridors")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for k in v:
            if not isinstance(k, str) or not _NAME.match(k):
                raise ValueError(
                    f"names may use letters, digits, '_' and '-' only (got {k!r})")
        return v

    def _sizes(self) -> None:
        """At most ``MAX_AIR_VEHICLES`` air vehicles and ``MAX_WAYPOINTS`` waypoints in all,
        refused at the route or raid whose own share takes the total over."""
        n = w = 0
        parts = [(f"threats.{k}", f"threats.{k}.waypoints", 1, len(r.waypoints))
                 for k, r in self.threats.items()]
        parts += [(f"raids.{k}.count",) * 2 + (r.count, r.count * (len(r.via) + 2))
                  for k, r in self.raids.items()]
        parts += [(f"friendlies.{k}", f"friendlies.{k}.waypoints", 1, len(r.waypoints))
                  for k, r in self.friendlies.items()]
        nodes = 0
        node_parts = {f"threats.{k}": _route_nodes([(p.lat, p.lon) for p in r.waypoints])
                      for k, r in self.threats.items()}
        node_parts.update({f"friendlies.{k}": _route_nodes([(p.lat, p.lon) for p in r.waypoints])
                           for k, r in self.friendlies.items()})
        ends = {**{k: (a.lat, a.lon) for k, a in self.assets.items()},
                **{k: (u.lat, u.lon) for k, u in self.units.items()}}
        for k, r in self.raids.items():
            axis = [(r.from_.lat, r.from_.lon)] + [(p.lat, p.lon) for p in r.via]
            if r.to in ends:
                axis.append(ends[r.to])
            node_parts[f"raids.{k}.count"] = r.count * _route_nodes(axis)
        for where, where_w, dn, dw in parts:
            nodes += node_parts.get(where, 0)
            if nodes > MAX_ROUTE_NODES:
                raise ValueError(f"@{where}: the routes are too long for one run: at most "
                                 f"{MAX_ROUTE_NODES:,} route nodes in a scenario (one per "
                                 f"{ROUTE_NODE_M / 1e3:g} km of every vehicle's route); this "
                                 f"makes {nodes:,}")
            n, w = n + dn, w + dw
            if n > MAX_AIR_VEHICLES:
                raise ValueError(f"@{where}: at most {MAX_AIR_VEHICLES:,} air vehicles in a "
                                 f"scenario (threats, friendlies and raids' counts); this makes "
                                 f"{n:,}")
            if w > MAX_WAYPOINTS:
                raise ValueError(f"@{where_w}: at most {MAX_WAYPOINTS:,} waypoints in a scenario's "
                                 f"routes (a raid's: count × its from, via and to); this makes "
                                 f"{w:,}")

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        targets = set(self.assets) | set(self.units)
        clash = set(self.assets) & set(self.units)
        if clash:
            raise ValueError(f"an asset and a unit share the name(s) {sorted(clash)}")
        for name, route in self.civil.items():
            if route.squawk is None:
                raise ValueError(f"@civil.{name}.squawk: civil traffic squawks a Mode 3/A "
                                 "code (transponders are mandatory in controlled airspace)")
            if route.target is not None:
                raise ValueError(f"@civil.{name}.target: civil traffic has no target")
        for group in ("threats", "friendlies", "civil"):
            for name, route in getattr(self, group).items():
                if route.target is not None and route.target not in targets:
                    raise ValueError(f"@{group}.{name}.target: no asset or unit named "
                                     f"{route.target!r}")
                if route.start > self.duration:
                    raise ValueError(f"@{group}.{name}.start: ({route.start:g} s) is after the end "
                                     f"of the exercise ({self.duration:g} s)")
        for name, raid in self.raids.items():
            if raid.to not in targets:
                raise ValueError(f"@raids.{name}.to: no asset or unit named {raid.to!r}")
            if raid.start > self.duration:
                raise ValueError(f"@raids.{name}.start: ({raid.start:g} s) is after the end of the "
                                 f"exercise ({self.duration:g} s)")
            end = self.assets.get(raid.to) or self.units[raid.to]
            pts = [(raid.from_.lat, raid.from_.lon), *((p.lat, p.lon) for p in raid.via),
                   (end.lat, end.lon)]
            for k in range(1, len(pts)):
                if pts[k] == pts[k - 1]:
                    where = "to" if k == len(pts) - 1 else f"via.{k - 1}"
                    raise ValueError(f"@raids.{name}.{where}: same place as the previous point "
                                     "of the axis; a raid must fly somewhere")
        self._sizes()
        if not self.units:
            raise ValueError("@units: a scenario needs at least one fire unit")
        for i, ll in enumerate(self.c2.links_lost):
            if ll.unit not in self.units:
                raise ValueError(f"@c2.links_lost.{i}.unit: no unit named {ll.unit!r}")
        if self.command is not None:
            owned = {u for p in self.command.posts.values() for u in p.units}
            for name, p in self.command.posts.items():
                for i, u in enumerate(p.units):
                    if u not in self.units:
                        raise ValueError(f"@command.posts.{name}.units.{i}: no unit named {u!r}")
                for i, f in enumerate(p.controls):
                    if f not in self.friendlies:
                        raise ValueError(
                            f"@command.posts.{name}.controls.{i}: no friendly aircraft named "
                            f"{f!r} (friendlies: {', '.join(self.friendlies) or 'none'})")
            missing = [u for u in self.units if u not in owned]
            if missing:
                raise ValueError(f"@command.posts: every unit needs a post; not commanded: "
                                 f"{', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _command_radars(self, info: ValidationInfo) -> Scenario:
        if self.command is None:
            return self
        cat = _catalogue(info)
        for name, p in self.command.posts.items():
            for u, radars in p.radar_bias.items():
                where = f"@command.posts.{name}.radar_bias.{u}"
                if u not in p.units:
                    raise ValueError(f"{where}: not a unit of this post ({', '.join(p.units)})")
                if u not in self.units:
                    continue  # reported by the post's own unit check
                has = cat.fire_units[self.units[u].type].radars
                for r in radars:
                    if r not in has:
                        raise ValueError(f"{where}.{r}: {u} has no such radar; its radars: "
                                         f"{', '.join(has)}")
        return self

    @model_validator(mode="after")
    def _msel(self, info: ValidationInfo) -> Scenario:
        """What the exercise would refuse of an MSEL command, known before it runs: names of
        units, radars, assets; injects and raids as the routes they will fly (the checks of
        ``sim.live_commands.validate_command``); a link restored that was cut before."""
        cut: set[str] = set()
        order = sorted(range(len(self.msel)), key=lambda k: self.msel[k].at)
        for i in order:
            try:
                self._msel_entry(self.msel[i], cut, info)
            except CommandError as exc:
                raise ValueError(f"@msel.{i}.{exc}") from None
        return self

    def _msel_entry(self, e: Any, cut: set[str], info: ValidationInfo) -> None:
        """One MSEL entry (:meth:`_msel`); :class:`CommandError` ``field: message``."""
        if e.at >= self.duration:  # (the end comes before a command at its instant)
            raise CommandError(f"at: ({e.at:g} s) is not before the end of the exercise "
                               f"({self.duration:g} s)")
        unit = str(getattr(e, "unit", ""))
        if hasattr(e, "unit") and unit not in self.units:
            raise CommandError(f"unit: no fire unit named {unit!r} (units: "
                               f"{', '.join(self.units)})")
        radar = getattr(e, "radar", None)
        if radar is not None:
            own = [f"{r}@{unit}" for r in _catalogue(info).fire_units[
                self.units[unit].type].radars]
            if not any(radar in n for n in own):
                raise CommandError(f"radar: no radar {radar!r} at {unit} (radars: "
                                   f"{', '.join(own)})")
        if e.cmd in ("cut_link", "restore_link"):
            if e.cmd == "restore_link" and unit not in cut:
                raise CommandError(f"unit: the link of {unit} is not cut at {e.at:g} s (an "
                                   "earlier cut_link restores)")
            (cut.add if e.cmd == "cut_link" else cut.discard)(unit)
        if e.cmd not in ("inject", "raid"):
            return
        c = e.model_dump(by_alias=True, exclude_none=True)
        for k, p in enumerate([c["from"], *c.get("via", []),
                               *([c["to"]] if isinstance(c["to"], dict) else [])]):
            d = distance_from_origin_m(self.origin, p)
            if d > INJECT_MAX_DISTANCE_M:
                where = "from" if k == 0 else f"via.{k - 1}" if k <= len(c.get("via", [])) \
                    else "to"
                raise CommandError(f"{where}: {d / 1e3:.0f} km from the scenario's origin (at "
                                   f"most {INJECT_MAX_DISTANCE_M / 1e3:g} km)")
        name = c.get("name")
        if name in self.assets or name in self.units:
            raise CommandError(f"name: {name!r} is the name of "
                               f"{'an asset' if name in self.assets else 'a fire unit'}; "
                               "choose another")
        model: type[Route] | type[Raid] = Route if e.cmd == "inject" else Raid
        data = inject_route_data(c, e.at, self.assets, self.units) if e.cmd == "inject" \
            else raid_data(c, e.at)
        try:
            raid = model.model_validate(data, context=info.context)
        except ValidationError as exc:
            field_, msg, _ = route_error(exc.errors()[0], e.cmd)
            raise CommandError(f"{field_}: {msg}") from None
        if isinstance(raid, Raid):
            end = self.assets.get(raid.to) or self.units.get(raid.to)
            if end is None:
                raise CommandError(f"to: no asset or unit named {raid.to!r}")
            pts = [(raid.from_.lat, raid.from_.lon), *((p.lat, p.lon) for p in raid.via),
                   (end.lat, end.lon)]
            for k in range(1, len(pts)):
                if pts[k] == pts[k - 1]:
                    where = "to" if k == len(pts) - 1 else f"via.{k - 1}"
                    raise CommandError(f"{where}: same place as the previous point of the "
                                       "axis; a raid must fly somewhere")


def route_times(route: Route, cruise_speed_mps: float, max_speed_mps: float) -> np.ndarray:
    """Time (s) at each waypoint of ``route``.

    Leg i→i+1 is flown at waypoint i's ``speed``; or, when waypoint i+1 gives ``at``, at the speed
    that arrives then; or else at the type's cruise speed. Leg length is the straight (ECEF chord)
    distance, which differs from the geodesic by less than 0.1 % for legs under 500 km.
    """
    wp = route.waypoints
    lat = np.radians([w.lat for w in wp])
    lon = np.radians([w.lon for w in wp])
    alt = np.array([w.alt for w in wp])
    xyz = geodetic_to_ecef(lat, lon, alt)
    leg_m = np.linalg.norm(np.diff(xyz, axis=0), axis=-1)
    t = np.empty(len(wp))
    t[0] = route.start if wp[0].at is None else wp[0].at
    if wp[0].at is not None and wp[0].at < 0:
        raise ValueError("@waypoints.0.at: waypoint is in the past (before 0 s)")
    for i in range(len(wp) - 1):
        nxt = wp[i + 1]
        if nxt.at is not None:
            if wp[i].speed is not None:
                raise ValueError(f"@waypoints.{i + 1}.at: waypoints.{i}.speed and this arrival "
                                 "time both set the speed of one leg; give one of them")
            if nxt.at <= t[i]:
                raise ValueError(
                    f"@waypoints.{i + 1}.at: waypoint is in the past: {nxt.at:g} s is not after "
                    f"the previous waypoint ({t[i]:g} s)")
            speed = leg_m[i] / (nxt.at - t[i])
        else:
            speed = wp[i].speed if wp[i].speed is not None else cruise_speed_mps
        if speed < MIN_SPEED_MPS:
            raise ValueError(f"@waypoints.{i}: leg speed {speed:.3g} m/s is below the minimum "
                             f"{MIN_SPEED_MPS:g} m/s")
        if speed > 1.05 * max_speed_mps:
            raise ValueError(f"@waypoints.{i}: leg speed {speed:.0f} m/s exceeds the type's "
                             f"maximum {max_speed_mps:.0f} m/s")
        if leg_m[i] == 0 and nxt.at is None:
            raise ValueError(f"@waypoints.{i + 1}: same place as the previous waypoint")
        t[i + 1] = t[i] + leg_m[i] / speed if nxt.at is None else nxt.at
    return t
