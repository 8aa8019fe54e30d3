"""The coverage rings of an after-action laydown, computed once when the run folder is written
(``rings.json``) and read back by the report and the replay.

Each radar's horizon-limited detection coverage (:func:`skyshield.analysis.coverage.coverage`)
against a reference target at a low and at a high altitude: the range by bearing is the least of
the instrumented range, the 4/3-Earth radar horizon to a target at that height above the terrain,
and the radar equation for single-scan Pd 0.5 on a 1 m² Swerling 1 target, without jamming, at
the start of the exercise. The polygon is drawn about the radar's site in the scenario frame
(bearings clockwise from north) and stored as geodetic latitude and longitude.

``rings.json``::

    {"reference": {"rcs_m2": 1.0, "pd": 0.5, "agl_m": [100.0, 10000.0], "n_az": 180},
     "rings": [{"unit": "kub", "radar": "1s91", "agl_m": 100.0, "max_range_m": 41234.5,
                "lat_deg": [...], "lon_deg": [...]}, ...]}

``lat_deg`` and ``lon_deg`` are closed polygons (``n_az + 1`` points, the first repeated last),
in degrees to 7 decimals (about a centimetre).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from skyshield.analysis.coverage import coverage
from skyshield.geo import enu_to_geodetic
from skyshield.sim.world import World

__all__ = ["CoverageRing", "coverage_rings", "rings_document", "rings_from_document",
           "COVERAGE_RCS_M2", "COVERAGE_AGL_M", "COVERAGE_PD", "COVERAGE_N_AZ"]

COVERAGE_RCS_M2 = 1.0
COVERAGE_PD = 0.5
COVERAGE_AGL_M = (100.0, 10_000.0)  # a low (cruise-missile) and a high (aircraft) target
COVERAGE_N_AZ = 180  # bearings (2° apart)
_DECIMALS_DEG = 7


@dataclass(frozen=True)
class CoverageRing:
    unit: str
    radar: str  # catalogue type of the radar
    agl_m: float  # the reference target's height above the terrain
    lat_deg: np.ndarray  # (A + 1,) closed polygon
    lon_deg: np.ndarray
    max_range_m: float  # its farthest point (the instrumented range at most)


def coverage_rings(world: World, n_az: int = COVERAGE_N_AZ) -> list[CoverageRing]:
    """Every unit radar's coverage polygon at each of ``COVERAGE_AGL_M`` (module docstring),
    in the order: heights, then radars."""
    unit_of = {r: str(world.units.name[k]) for k, rs in enumerate(world.unit_radars) for r in rs}
    rtype = [str(n).split("@")[0] for n in world.radars.name]
    out = []
    for agl in COVERAGE_AGL_M:
        cov = coverage(world, COVERAGE_RCS_M2, agl, COVERAGE_PD, t_s=-1.0, n_az=n_az)
        az = np.append(cov.az_rad, cov.az_rad[:1])
        for i in range(len(cov.radar)):
            if i not in unit_of:
                continue
            rng = np.append(cov.range_no_jam_m[i], cov.range_no_jam_m[i, :1])
            # bearings clockwise from north, drawn about the radar's site in the scenario frame
            enu = np.column_stack([world.radars.pos_m[i, 0] + rng * np.sin(az),
                                   world.radars.pos_m[i, 1] + rng * np.cos(az),
                                   np.full(az.shape, world.radars.pos_m[i, 2])])
            lat, lon, _ = enu_to_geodetic(enu, *world.origin)
            out.append(CoverageRing(unit_of[i], rtype[i], float(agl), np.degrees(lat),
                                    np.degrees(lon), float(rng.max())))
    return out


def rings_document(rings: list[CoverageRing], n_az: int = COVERAGE_N_AZ) -> dict[str, Any]:
    """The JSON document of ``rings`` (module docstring): plain lists and floats."""
    return {
        "reference": {"rcs_m2": COVERAGE_RCS_M2, "pd": COVERAGE_PD,
                      "agl_m": list(COVERAGE_AGL_M), "n_az": int(n_az)},
        "rings": [{"unit": r.unit, "radar": r.radar, "agl_m": r.agl_m,
                   "max_range_m": round(r.max_range_m, 1),
                   "lat_deg": [round(float(x), _DECIMALS_DEG) for x in r.lat_deg],
                   "lon_deg": [round(float(x), _DECIMALS_DEG) for x in r.lon_deg]}
                  for r in rings],
    }


def rings_from_document(doc: Any) -> tuple[dict[str, Any], list[CoverageRing]]:
    """The reference target (``rcs_m2``, ``pd``, ``agl_m``, ``n_az``) and the rings of a
    ``rings.json`` document; a malformed one raises ``ValueError`` saying what is wrong (one
    line)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("rings"), list):
        raise ValueError("not a rings document (an object with a 'rings' list expected)")
    ref = doc.get("reference")
    if not isinstance(ref, dict) or not all(
            isinstance(ref.get(k), int | float) and not isinstance(ref.get(k), bool)
            for k in ("rcs_m2", "pd", "n_az")) or not isinstance(ref.get("agl_m"), list) \
            or not ref["agl_m"] or not all(isinstance(a, int | float) for a in ref["agl_m"]):
        raise ValueError("reference: rcs_m2, pd, n_az and the agl_m list expected")
    reference = {"rcs_m2": float(ref["rcs_m2"]), "pd": float(ref["pd"]),
                 "agl_m": [float(a) for a in ref["agl_m"]], "n_az": int(ref["n_az"])}
    out = []
    for k, r in enumerate(doc["rings"]):
        where = f"rings[{k}]"
        if not isinstance(r, dict):
            raise ValueError(f"{where}: an object expected")
        missing = [f for f in ("unit", "radar", "agl_m", "max_range_m", "lat_deg", "lon_deg")
                   if f not in r]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        try:
            lat = np.asarray(r["lat_deg"], dtype=float)
            lon = np.asarray(r["lon_deg"], dtype=float)
            agl, far = float(r["agl_m"]), float(r["max_range_m"])
        except (TypeError, ValueError):
            raise ValueError(f"{where}: numbers expected") from None
        if lat.ndim != 1 or lat.shape != lon.shape or lat.size < 2 \
                or not (np.isfinite(lat).all() and np.isfinite(lon).all()):
            raise ValueError(f"{where}: lat_deg and lon_deg: two finite lists of the same "
                             "length expected")
        out.append(CoverageRing(str(r["unit"]), str(r["radar"]), agl, lat, lon, far))
    return reference, out
