"""How a fire unit sites and points its radars (a unit's ``sensors:`` block).

.. code-block:: yaml

    units:
      s400:
        type: s400_battalion
        sensors:
          sector: 250          # the unit's threat axis, degrees clockwise from true north
          mast: 0 m            # a mast under every radar of the unit
          radars:              # per radar type of the unit (catalogue names)
            96L6E: {mast: 24 m}          # on a 40V6M-class tower
            92N6E: {sector: 240}         # its own search sector centre

``sector`` centres the search sector of the unit's fire-control radars (catalogue ``role:
fire_control``, width ``sector_width_deg``); without it the unit's threat axis is the mean
bearing from the unit of the hostile routes' first points (north when there are none). ``mast``
raises the antenna above the catalogue's ``antenna_height_m``: the horizon, the multipath
geometry and the terrain's line of sight all use the raised height.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field, field_validator

from skyshield.scenario.catalogue import FireUnitType
from skyshield.scenario.quantities import Length

__all__ = ["RadarSiting", "UnitSensors", "MAX_MAST_M", "check_unit_sensors"]

MAX_MAST_M = 100.0
"""Tallest mast accepted (m): well above the 40V6M-class towers (catalogue 96L6E), so a value
above it is a typing error (a height in feet, or in km given as metres)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _azimuth(v: float | None) -> float | None:
    if v is not None and not (math.isfinite(v) and 0.0 <= v < 360.0):
        raise ValueError("an azimuth is in degrees clockwise from true north, 0 to below 360")
    return v


def _mast(v: float | None) -> float | None:
    if v is not None and not (math.isfinite(v) and 0.0 <= v <= MAX_MAST_M):
        raise ValueError(f"a mast is 0 to {MAX_MAST_M:g} m high")
    return v


class RadarSiting(_Strict):
    """One radar of the unit: its mast and, for a fire-control radar, its sector's centre."""

    mast: Length | None = Field(
        None, description="mast under this radar's antenna, added to the catalogue antenna height "
        "(default: the unit's mast)")
    sector: float | None = Field(
        None, description="centre of this fire-control radar's search sector, degrees clockwise "
        "from true north (default: the unit's sector)")

    _az = field_validator("sector")(_azimuth)
    _m = field_validator("mast")(_mast)


class UnitSensors(_Strict):
    """A unit's radar siting: its threat axis, its masts (module docstring)."""

    sector: float | None = Field(
        None, description="the unit's threat axis: centre of its fire-control radars' search "
        "sectors, degrees clockwise from true north (default: the mean bearing of the hostile "
        "routes' first points)")
    mast: Length | None = Field(
        None, description="mast under every radar of the unit (m; default: none)")
    radars: dict[str, RadarSiting] = Field(
        default_factory=dict, description="per radar of the unit's type (catalogue names)")

    _az = field_validator("sector")(_azimuth)
    _m = field_validator("mast")(_mast)

    def mast_m(self, radar: str) -> float:
        """Mast under ``radar`` (m): its own, else the unit's, else none."""
        own = self.radars.get(radar)
        if own is not None and own.mast is not None:
            return float(own.mast)
        return 0.0 if self.mast is None else float(self.mast)

    def sector_deg(self, radar: str) -> float | None:
        """Centre of ``radar``'s search sector (deg true): its own, else the unit's, else None
        (the threat axis of the hostile routes)."""
        own = self.radars.get(radar)
        if own is not None and own.sector is not None:
            return float(own.sector)
        return self.sector


def check_unit_sensors(sensors: UnitSensors, fut: FireUnitType) -> None:
    """The radars named in ``sensors.radars`` must be the unit type's (a located error)."""
    for name in sensors.radars:
        if name not in fut.radars:
            raise ValueError(f"@sensors.radars.{name}: the unit type has no radar {name!r}; "
                             f"its radars: {', '.join(fut.radars)}")
