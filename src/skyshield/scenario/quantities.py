"""Quantities with units at the scenario boundary.

Scenario files may give a physical quantity as a bare number in SI units (metres, metres per
second, seconds) or as a string with a unit: ``"25 km"``, ``"880 km/h"``, ``"450 kn"``,
``"10 min"``. Inside the program everything is SI; this is the only place units are converted.

Altitudes may also name their reference after the unit: ``"50 m AGL"`` (above ground level: the
terrain under the point) or ``"3000 m MSL"`` (above mean sea level). :func:`split_alt_ref`
separates the two; the scenario schema keeps the reference in a sibling ``alt_ref`` field.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

__all__ = ["Length", "Speed", "Duration", "Altitude", "MslAltitude", "UNITS", "ALT_REFS",
           "parse_quantity", "split_alt_ref"]

UNITS: dict[str, dict[str, float]] = {
    "length": {"m": 1.0, "km": 1000.0, "ft": 0.3048, "nmi": 1852.0, "mi": 1609.344},
    "speed": {"m/s": 1.0, "km/h": 1 / 3.6, "kn": 1852.0 / 3600.0, "kt": 1852.0 / 3600.0,
              "mph": 1609.344 / 3600.0},
    "duration": {"s": 1.0, "min": 60.0, "h": 3600.0},
}
_SI_NAME = {"length": "metres", "speed": "metres per second", "duration": "seconds"}
_EXAMPLE = {"length": "'25 km'", "speed": "'880 km/h'", "duration": "'10 min'"}
_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")
_ALT_REF = re.compile(r"^(.*\S)\s+(AGL|MSL)\s*$", re.IGNORECASE)
ALT_REFS = ("agl", "msl")
_ALT_REF_PATTERN = r"(\s+([Aa][Gg][Ll]|[Mm][Ss][Ll]))?"
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


def split_alt_ref(value: Any) -> tuple[Any, str | None]:
    """``"50 m AGL"`` → ``("50 m", "agl")``; a value naming no reference → ``(value, None)``."""
    if isinstance(value, str):
        m = _ALT_REF.match(value)
        if m:
            return m.group(1), m.group(2).lower()
    return value, None


def _altitude(value: Any, refs: tuple[str, ...]) -> float:
    number, ref = split_alt_ref(value)
    if ref is not None and ref not in refs:
        raise PydanticCustomError(
            "altitude_reference", "this altitude is above mean sea level (MSL); {ref} is not "
            "accepted here", {"ref": ref.upper()})
    return parse_quantity(number, "length")


def _quantity(dimension: str, refs: tuple[str, ...] = ()) -> Any:
    units = ", ".join(UNITS[dimension])
    suffix = _ALT_REF_PATTERN if refs else ""
    with_ref = f" and optionally its reference ({' or '.join(r.upper() for r in refs)})" \
        if refs else ""
    parse = (lambda v: _altitude(v, refs)) if refs else \
        (lambda v: parse_quantity(v, dimension))
    return Annotated[
        float,
        BeforeValidator(parse),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "description": f"{dimension} in {_SI_NAME[dimension]}"},
                    {"type": "string",
                     "description": f"{dimension} with a unit ({units}){with_ref}",
                     "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*[A-Za-z/]+"
                     + suffix + r"\s*$"},
                ]
            }
        ),
    ]


Length = _quantity("length")
Speed = _quantity("speed")
Duration = _quantity("duration")
# an altitude whose reference (AGL or MSL) the schema keeps in a sibling ``alt_ref`` field
Altitude = _quantity("length", ALT_REFS)
# an altitude that is always above mean sea level ("86 m MSL" accepted, "AGL" refused)
MslAltitude = _quantity("length", ("msl",))
