"""Raids expanded into individual routes."""

from __future__ import annotations

import numpy as np

from skyshield.geo import enu_to_geodetic, geodetic_to_enu
from skyshield.scenario.catalogue import Catalogue
from skyshield.scenario.schema import Raid, Route, Scenario, Waypoint

__all__ = ["expand_raid", "all_routes"]


def _target_point(scenario: Scenario, name: str) -> tuple[float, float]:
    if name in scenario.assets:
        a = scenario.assets[name]
        return a.lat, a.lon
    u = scenario.units[name]
    return u.lat, u.lon


def expand_raid(scenario: Scenario, raid: Raid, catalogue: Catalogue) -> list[Route]:
    """The ``raid.count`` routes of a raid.

    Vehicle i leaves ``from`` at ``start + i·spacing`` and flies through ``via`` to the target, at
    the raid's (or its type's cruise) altitude above the terrain and speed. With a lateral spacing,
    vehicles alternate left and right of the axis (0, +d, −d, +2d, −2d, ...); the offset is applied
    perpendicular to the first leg and tapers to zero at the target, so every vehicle arrives.
    """
    vt = catalogue.air_vehicles[raid.type]
    alt_m = (raid.alt if raid.alt is not None else vt.cruise_alt_m.value)
    alt_msl_m = alt_m + scenario.terrain_elevation
    speed = raid.speed if raid.speed is not None else vt.cruise_speed_mps.value
    tlat, tlon = _target_point(scenario, raid.to)
    pts = [(raid.from_.lat, raid.from_.lon)] + [(p.lat, p.lon) for p in raid.via] + [(tlat, tlon)]
    lat0, lon0 = np.radians(raid.from_.lat), np.radians(raid.from_.lon)
    enu = geodetic_to_enu(np.radians([p[0] for p in pts]), np.radians([p[1] for p in pts]),
                          np.zeros(len(pts)), lat0, lon0, 0.0)
    axis = enu[1] - enu[0]
    axis[2] = 0.0
    norm = float(np.hypot(axis[0], axis[1])) or 1.0
    left = np.array([-axis[1], axis[0], 0.0]) / norm
    taper = np.linspace(1.0, 0.0, len(pts))
    routes = []
    for i in range(raid.count):
        k = (i + 1) // 2 * (1 if i % 2 else -1)
        off = enu + (k * raid.lateral_spacing) * taper[:, None] * left[None, :]
        lat, lon, _ = enu_to_geodetic(off, lat0, lon0, 0.0)
        wps = [Waypoint(lat=float(np.degrees(a)), lon=float(np.degrees(b)), alt=alt_msl_m,
                        speed=speed) for a, b in zip(lat, lon, strict=True)]
        wps[-1] = Waypoint(lat=tlat, lon=tlon, alt=alt_msl_m)
        routes.append(Route.model_construct(type=raid.type, start=raid.start + i * raid.spacing,
                                            waypoints=wps, target=raid.to,
                                            manoeuvre=raid.manoeuvre))
    return routes


def all_routes(scenario: Scenario, catalogue: Catalogue) -> list[tuple[str, str, Route]]:
    """Every air vehicle of the scenario as (name, side, route); raids expanded in order."""
    out: list[tuple[str, str, Route]] = []
    for name, r in scenario.threats.items():
        out.append((name, "hostile", r))
    for name, raid in scenario.raids.items():
        for i, r in enumerate(expand_raid(scenario, raid, catalogue)):
            out.append((f"{name}-{i + 1:02d}", "hostile", r))
    for name, r in scenario.friendlies.items():
        out.append((name, "friendly", r))
    return out
