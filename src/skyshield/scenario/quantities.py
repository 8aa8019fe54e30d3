"""Quantities with units at the scenario boundary.

Scenario files may give a physical quantity as a bare number in SI units (metres, metres per
second, seconds) or as a string with a unit: ``"25 km"``, ``"880 km/h"``, ``"450 kn"``,
``"10 min"``. Inside the program everything is SI; this is the only place units are converted.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["Length", "Speed", "Duration", "UNITS", "parse_quantity"]

UNITS: dict[str, dict[str, float]] = {
    "length": {"m": 1.0, "km": 1000.0, "ft": 0.3048, "nmi": 1852.0, "mi": 1609.344},
    "speed": {"m/s": 1.0, "km/h": 1 / 3.6, "kn": 1852.0 / 3600.0, "kt": 1852.0 / 3600.0,
              "mph": 1609.344 / 3600.0},
    "duration": {"s": 1.0, "min": 60.0, "h": 3600.0},
}
_SI_NAME = {"length": "metres", "speed": "metres per second", "duration": "seconds"}
_EXAMPLE = {"length": "'25 km'", "speed": "'880 km/h'", "duration": "'10 min'"}
_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")
_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z/]+)\s*$")


def parse_quantity(value: Any, dimension: str) -> float:
    """Convert ``value`` (a number in SI or a string with a unit) to a float in SI units."""
    if isinstance(value, bool):
        raise PydanticCustomError("quantity", "expected a {dim}, not a boolean", {"dim": dimension})
    if isinstance(value, int | float):
        try:
            out = float(value)
        except OverflowError:  # an int beyond the float range
            out = math.inf
    elif isinstance(value, str) and _NUMBER.match(value):
        out = float(value)  # YAML reads 1e3 (no decimal point) as a string: a number in SI
    elif isinstance(value, str):
        m = _PATTERN.match(value)
        units = UNITS[dimension]
        if not m:
            raise PydanticCustomError(
                "quantity",
                "expected a {dim} such as {example} or a number of {si}",
                {"dim": dimension, "example": _EXAMPLE[dimension], "si": _SI_NAME[dimension]},
            )
        number, unit = m.group(1), m.group(2)
        factor = units.get(unit) or units.get(unit.lower())
        if factor is None:
            other = [d for d, u in UNITS.items() if unit in u or unit.lower() in u]
            hint = f" ('{unit}' is a unit of {other[0]})" if other else ""
            raise PydanticCustomError(
                "quantity_unit",
                "wrong unit for a {dim}{hint}; use one of {units}",
                {"dim": dimension, "hint": hint, "units": ", ".join(units)},
            )
        out = float(number) * factor
    else:
        raise PydanticCustomError(
            "quantity", "expected a {dim} such as {example} or a number of {si}",
            {"dim": dimension, "example": _EXAMPLE[dimension], "si": _SI_NAME[dimension]},
        )
    if not math.isfinite(out):
        raise PydanticCustomError("quantity", "expected a finite {dim}", {"dim": dimension})
    return out


def _quantity(dimension: str) -> Any:
    units = ", ".join(UNITS[dimension])
    return Annotated[
        float,
        BeforeValidator(lambda v: parse_quantity(v, dimension)),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "description": f"{dimension} in {_SI_NAME[dimension]}"},
                    {"type": "string", "description": f"{dimension} with a unit ({units})",
                     "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[A-Za-z/]+\s*$"},
                ]
            }
        ),
    ]


Length = _quantity("length")
Speed = _quantity("speed")
Duration = _quantity("duration")
