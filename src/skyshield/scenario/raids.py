"""Raids expanded into individual routes; altitudes above ground resolved to above sea level.

Two references for altitudes (``alt_ref``, or the suffix in ``alt: 50 m AGL``): ``msl``, above
mean sea level, and ``agl``, above the terrain under the point — the scenario's terrain grid
where it has one, never below the flat ``terrain_elevation``, which is the ground everywhere
else. A raid's height is AGL unless it says MSL; a waypoint's is MSL unless it says AGL. An AGL
height is resolved at each waypoint (each point of a raid's axis); between two waypoints a
vehicle flies the straight line between them (no terrain following).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike

from skyshield.geo import enu_to_geodetic, geodetic_to_enu
from skyshield.physics.terrain import terrain_height_m
from skyshield.scenario.catalogue import Catalogue
from skyshield.scenario.schema import Raid, Route, Scenario, Waypoint
from skyshield.scenario.terrain import TerrainGrid, load_terrain_grid

__all__ = ["expand_raid", "all_routes", "ground_height_m", "resolve_route", "altitude_lines"]


@lru_cache(maxsize=4)
def _grid(path: str, mtime_ns: int, size: int) -> TerrainGrid:
    return load_terrain_grid(path)


def ground_height_m(scenario: Scenario, lat_deg: ArrayLike, lon_deg: ArrayLike) -> np.ndarray:
    """Height (m above mean sea level) of the ground under points: the terrain grid's
    (bilinear, ``physics.terrain.terrain_height_m``) where the scenario has one, never below
    its flat ``terrain_elevation``; that elevation everywhere else."""
    lat, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=float),
                                   np.asarray(lon_deg, dtype=float))
    flat = np.full(lat.shape, float(scenario.terrain_elevation))
    if scenario.terrain_grid is None:
        return flat
    st = Path(scenario.terrain_grid).stat()
    g = _grid(scenario.terrain_grid, st.st_mtime_ns, st.st_size)
    return np.maximum(terrain_height_m(lat, lon, g.z_m, *g.bounds), flat)


def resolve_route(scenario: Scenario, route: Route) -> Route:
    """``route`` with every waypoint's altitude above mean sea level (``alt_ref: msl``)."""
    agl = [i for i, w in enumerate(route.waypoints) if w.alt_ref == "agl"]
    if not agl:
        return route
    ground = ground_height_m(scenario, [route.waypoints[i].lat for i in agl],
                             [route.waypoints[i].lon for i in agl])
    wps = list(route.waypoints)
    for i, h in zip(agl, ground, strict=True):
        wps[i] = wps[i].model_copy(update={"alt": wps[i].alt + float(h), "alt_ref": "msl"})
    return route.model_copy(update={"waypoints": wps})


def _target_point(scenario: Scenario, name: str) -> tuple[float, float]:
    if name in scenario.assets:
        a = scenario.assets[name]
        return a.lat, a.lon
    u = scenario.units[name]
    return u.lat, u.lon


def expand_raid(scenario: Scenario, raid: Raid, catalogue: Catalogue) -> list[Route]:
    """The ``raid.count`` routes of a raid.

    Vehicle i leaves ``from`` at ``start + i·spacing`` and flies through ``via`` to the target, at
    the raid's height (or its type's cruise height) above the terrain under each point of its
    axis — or at one altitude above sea level if the raid says ``msl`` — and the raid's (or its
    type's cruise) speed. The routes' altitudes are above sea level. With a lateral spacing,
    vehicles alternate left and right of the axis (0, +d, −d, +2d, −2d, ...); the offset is applied
    perpendicular to the first leg and tapers to zero at the target, so every vehicle arrives.
    """
    vt = catalogue.air_vehicles[raid.type]
    alt_m = (raid.alt if raid.alt is not None else vt.cruise_alt_m.value)
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
    # every vehicle's axis at once: (count, points, 3), arithmetic as for one vehicle
    n = np.arange(raid.count)
    k = (n + 1) // 2 * np.where(n % 2, 1, -1)
    off = enu[None] + ((k * raid.lateral_spacing)[:, None, None] * taper[None, :, None]) * \
        left[None, None, :]
    lat, lon, _ = enu_to_geodetic(off.reshape(-1, 3), lat0, lon0, 0.0)
    lat_deg = np.degrees(lat).reshape(raid.count, len(pts))
    lon_deg = np.degrees(lon).reshape(raid.count, len(pts))
    lat_deg[:, -1], lon_deg[:, -1] = tlat, tlon
    alt_msl = alt_m + ground_height_m(scenario, lat_deg, lon_deg) \
        if raid.alt_ref == "agl" else np.full(lat_deg.shape, alt_m)
    routes = []
    for i in range(raid.count):
        wps = [Waypoint(lat=float(a), lon=float(b), alt=float(h), speed=speed)
               for a, b, h in zip(lat_deg[i, :-1], lon_deg[i, :-1], alt_msl[i, :-1], strict=True)]
        wps.append(Waypoint(lat=tlat, lon=tlon, alt=float(alt_msl[i, -1])))
        routes.append(Route.model_construct(type=raid.type, start=raid.start + i * raid.spacing,
                                            waypoints=wps, target=raid.to,
                                            manoeuvre=raid.manoeuvre))
    return routes


def all_routes(scenario: Scenario, catalogue: Catalogue) -> list[tuple[str, str, Route]]:
    """Every air vehicle of the scenario as (name, side, route); raids expanded in order; every
    altitude above mean sea level."""
    out: list[tuple[str, str, Route]] = []
    for name, r in scenario.threats.items():
        out.append((name, "hostile", resolve_route(scenario, r)))
    for name, raid in scenario.raids.items():
        for i, r in enumerate(expand_raid(scenario, raid, catalogue)):
            out.append((f"{name}-{i + 1:02d}", "hostile", r))
    for name, r in scenario.friendlies.items():
        out.append((name, "friendly", resolve_route(scenario, r)))
    for name, r in scenario.civil.items():
        out.append((name, "civil", resolve_route(scenario, r)))
    return out


def altitude_lines(scenario: Scenario, catalogue: Catalogue) -> list[str]:
    """One line per route and raid: the reference its altitude is given in, and its height above
    ground and above sea level at its first waypoint (``skyshield validate`` prints them), e.g.
    ``raids.cm_west: 50 m AGL (130 m MSL over 80 m terrain; type cruise height)``."""
    rows: list[tuple[str, float, str, float, float, str]] = []  # path, alt, ref, lat, lon, note
    for group in ("threats", "friendlies", "civil"):
        for name, r in getattr(scenario, group).items():
            w = r.waypoints[0]
            rows.append((f"{group}.{name}", w.alt, w.alt_ref, w.lat, w.lon, ""))
    for name, raid in scenario.raids.items():
        alt, note = raid.alt, ""
        if alt is None:
            alt, note = catalogue.air_vehicles[raid.type].cruise_alt_m.value, \
                "; type cruise height"
        rows.append((f"raids.{name}", alt, raid.alt_ref, raid.from_.lat, raid.from_.lon, note))
    if not rows:
        return []
    ground = ground_height_m(scenario, [r[3] for r in rows], [r[4] for r in rows])
    out = []
    for (path, alt, ref, _, _, note), g in zip(rows, ground, strict=True):
        other, other_ref = (alt + g, "MSL") if ref == "agl" else (alt - g, "AGL")
        out.append(f"{path}: {alt:.0f} m {ref.upper()} ({other:.0f} m {other_ref} over "
                   f"{g:.0f} m terrain{note})")
    return out
