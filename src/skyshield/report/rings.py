"""The rings of an after-action laydown, for the report and the replay: each radar's
horizon-limited detection coverage (:func:`skyshield.analysis.coverage.coverage`) against a
reference target at a low and at a high altitude, and each unit's engagement ring (its longest
missile's catalogue range).

The coverage is rebuilt from the run folder's resolved scenario (it loads again as it is): the
range by bearing is the least of the instrumented range, the 4/3-Earth radar horizon to a target
at that height above the terrain, and the radar equation for single-scan Pd 0.5 on a 1 m²
Swerling 1 target, without jamming. If the scenario cannot be rebuilt (a moved user catalogue or
terrain file) there is no coverage, and the laydown says so rather than drawing another figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from skyshield.analysis.coverage import coverage
from skyshield.geo import enu_to_geodetic
from skyshield.io.runfolder import RunFolder

__all__ = ["CoverageRing", "coverage_rings", "COVERAGE_RCS_M2", "COVERAGE_AGL_M",
           "COVERAGE_PD"]

COVERAGE_RCS_M2 = 1.0
COVERAGE_PD = 0.5
COVERAGE_AGL_M = (100.0, 10_000.0)  # a low (cruise-missile) and a high (aircraft) target


@dataclass(frozen=True)
class CoverageRing:
    unit: str
    radar: str  # catalogue type of the radar
    agl_m: float  # the reference target's height above the terrain
    lat_deg: np.ndarray  # (A + 1,) closed polygon
    lon_deg: np.ndarray
    max_range_m: float  # its farthest point (the instrumented range at most)


def coverage_rings(run: RunFolder, n_az: int = 180) -> list[CoverageRing]:
    """Every radar's coverage polygon at each of ``COVERAGE_AGL_M`` (module docstring); empty
    when the scenario cannot be rebuilt."""
    from skyshield.scenario.errors import ScenarioError
    from skyshield.scenario.loader import parse_scenario
    from skyshield.sim.world import compile_world

    text = (run.path / "scenario.resolved.yaml").read_text(encoding="utf-8")
    try:
        world = compile_world(parse_scenario(text, "scenario.resolved.yaml", run.path))
    except (ScenarioError, OSError, ValueError, KeyError):
        return []
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
            out.append(CoverageRing(unit_of[i], rtype[i], agl, np.degrees(lat), np.degrees(lon),
                                    float(rng.max())))
    return out
