"""Airspace of a scenario: Mode 3/A codes and the published routes and briefed corridors the air
picture identifies traffic against (``scenario.schema`` uses these models and validators)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skyshield.scenario.quantities import Length, MslAltitude, Speed

__all__ = ["EMERGENCY_SQUAWKS", "squawk_code", "check_squawk", "CorridorPoint", "Corridor"]

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, description="latitude, decimal degrees")]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, description="longitude, decimal degrees")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


EMERGENCY_SQUAWKS = {0o7500: "unlawful interference", 0o7600: "radio failure",
                     0o7700: "emergency"}
"""Mode 3/A codes with a meaning everywhere (ICAO Doc 8168 PANS-OPS Vol I)."""
_SQUAWK = re.compile(r"^[0-7]{4}\Z")


def squawk_code(v: str) -> int:
    """The value of a Mode 3/A code written as four octal digits ('7700' -> 0o7700)."""
    return int(v, 8)


def check_squawk(v: Any) -> Any:
    """A Mode 3/A code as written in a scenario, checked (a pydantic validator)."""
    if v is None:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        v = f"{v:04d}"  # YAML reads 7000 as a number: take its digits as written
    if not isinstance(v, str) or not _SQUAWK.match(v):
        raise ValueError("a Mode 3/A code is four octal digits 0-7, in quotes, e.g. '0700' "
                         f"(got {v!r})")
    return v


class CorridorPoint(_Strict):
    lat: Latitude
    lon: Longitude


class Corridor(_Strict):
    """A published route, approach, departure or corridor the air picture identifies traffic
    against (procedural identification, ``c2.threat.identify``): a polyline of points with a
    half-width, an altitude band (MSL; Mode C pressure altitude when the track reports one) and
    a speed band. ``use: civil`` (ATS routes, approaches, departures, free-route tracks): a
    squawking aircraft with Mode C conforming to it is neutral; ``use: friendly`` (a briefed
    return corridor or minimum-risk route of own aircraft): an aircraft conforming to it is an
    assumed friend even without any IFF reply."""

    use: Literal["civil", "friendly"]
    points: list[CorridorPoint] = Field(description="centre line, two points or more")
    half_width: Length = Field(description="lateral half-width about the centre line")
    floor: MslAltitude = Field(0.0, description="lowest altitude (MSL)")
    ceiling: MslAltitude = Field(description="highest altitude (MSL)")
    min_speed: Speed = Field(50.0, description="slowest ground speed that conforms")
    max_speed: Speed = Field(description="fastest ground speed that conforms")

    @field_validator("points")
    @classmethod
    def _points(cls, v: list[CorridorPoint]) -> list[CorridorPoint]:
        if len(v) < 2:
            raise ValueError("a corridor needs at least two points")
        return v

    @model_validator(mode="after")
    def _bands(self) -> Corridor:
        if self.half_width <= 0:
            raise ValueError(f"@half_width: must be positive (got {self.half_width:g} m)")
        if self.ceiling <= self.floor:
            raise ValueError(f"@ceiling: {self.ceiling:g} m is not above the floor "
                             f"{self.floor:g} m")
        if not 0 <= self.min_speed < self.max_speed:
            raise ValueError(f"@max_speed: {self.max_speed:g} m/s must exceed min_speed "
                             f"{self.min_speed:g} m/s")
        return self


