"""Compile a validated scenario into the arrays the systems work on."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from skyshield.c2.fire_control import FireUnits, MissileTypes
from skyshield.engine.names import CATEGORIES, ROES, SIDES
from skyshield.geo import enu_rotation, geodetic_to_enu
from skyshield.physics.clutter import gamma_db
from skyshield.physics.flight import Airframe
from skyshield.physics.lethality import lethal_radius_for_target
from skyshield.physics.radar import system_noise_temp_k
from skyshield.physics.terrain import terrain_height_m
from skyshield.scenario.airspace import squawk_code
from skyshield.scenario.catalogue import Catalogue, Figure, figure_values
from skyshield.scenario.loader import scenario_catalogue
from skyshield.scenario.raids import all_routes
from skyshield.scenario.schema import Scenario, route_times
from skyshield.scenario.terrain import TerrainGrid, load_terrain_grid
from skyshield.sensors.radar import (
    DEFAULT_ACQUISITION_S,
    DEFAULT_MAX_TRACKS,
    DEFAULT_SECTOR_DEG,
    RadarSet,
)
from skyshield.weapons.envelope import ReachTable, missile_reach_table
from skyshield.weapons.flyout import airframe_table

__all__ = ["Vehicles", "Assets", "World", "compile_world", "CATEGORY_VULNERABILITY",
           "Corridors", "compile_corridors"]



@dataclass
class Vehicles:
    """Air vehicles (threats and friendlies), one row each; their routes ragged
    (``engine.motion``): the waypoints of all routes one after the other in the flat ``wp_*``
    arrays, vehicle ``i``'s at ``wp_start[i] : wp_start[i + 1]``."""

    name: list[str]
    type: list[str]
    side: np.ndarray  # index into SIDES
    category: np.ndarray  # index into CATEGORIES
    rcs_m2: np.ndarray
    swerling: np.ndarray
    iff_reply_probability: np.ndarray
    warhead_damage: np.ndarray
    target_asset: np.ndarray  # -1 if none
    target_unit: np.ndarray  # -1 if none
    wp_t_s: np.ndarray  # (W,) all routes' waypoints, route after route
    wp_lat_rad: np.ndarray  # (W,)
    wp_lon_rad: np.ndarray  # (W,)
    wp_alt_m: np.ndarray  # (W,)
    wp_start: np.ndarray  # (n + 1,) int: first waypoint of each route, then W
    t_start_s: np.ndarray
    t_end_s: np.ndarray
    jammer_power_w: np.ndarray  # 0 for non-jammers
    jammer_gain_db: np.ndarray
    jammer_bandwidth_hz: np.ndarray
    alive: np.ndarray
    presented_area_m2: np.ndarray | None = None  # for gun bursts
    # manoeuvre (engine.motion.manoeuvre_offsets): kind index into MANOEUVRES and its figures
    man_kind: np.ndarray | None = None
    man_a: np.ndarray | None = None
    man_b: np.ndarray | None = None
    jam_from_s: np.ndarray | None = None  # when each jammer switches on (-inf: always)
    # transponder: Mode 3/A code (-1: none), Mode C reported, SSR reply probability per
    # interrogation, when the whole transponder fails (inf: never)
    squawk: np.ndarray | None = None
    mode_c: np.ndarray | None = None
    ssr_reply_probability: np.ndarray | None = None
    transponder_fails_s: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.name)

    def route(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Vehicle ``i``'s waypoints: times (s), latitudes, longitudes (rad), altitudes (m)."""
        r = slice(int(self.wp_start[i]), int(self.wp_start[i + 1]))
        return self.wp_t_s[r], self.wp_lat_rad[r], self.wp_lon_rad[r], self.wp_alt_m[r]

    def set_route(self, i: int, wp_t_s: np.ndarray, wp_lat_rad: np.ndarray,
                  wp_lon_rad: np.ndarray, wp_alt_m: np.ndarray) -> None:
        """Give vehicle ``i`` these waypoints (at least two, times increasing) in place of its
        own, and their end time; O(total waypoints)."""
        a, b = int(self.wp_start[i]), int(self.wp_start[i + 1])
        new = [np.asarray(x, dtype=float) for x in (wp_t_s, wp_lat_rad, wp_lon_rad, wp_alt_m)]
        if new[0].size < 2 or any(x.shape != new[0].shape for x in new):
            raise ValueError("a route is at least two waypoints, as many of each coordinate")
        for name, x in zip(("wp_t_s", "wp_lat_rad", "wp_lon_rad", "wp_alt_m"), new, strict=True):
            old = getattr(self, name)
            setattr(self, name, np.concatenate([old[:a], x, old[b:]]))
        self.wp_start = self.wp_start.copy()
        self.wp_start[i + 1:] += new[0].size - (b - a)
        self.t_end_s[i] = float(new[0][-1])


# assumed: presented area (m²) of each category for a gun burst when the catalogue gives none —
# a cruise missile's side view (~0.5 m body × 6 m), a small UAV, a fighter's frontal/side mix
PRESENTED_AREA_M2 = {"uav": 1.0, "cruise_missile": 3.0, "aircraft": 12.0, "jammer": 20.0,
                     "anti_radiation_missile": 1.0, "decoy": 1.5}  # decoy: a ~3 m, 0.15 m body

# assumed: vulnerability of each category relative to a fighter (the catalogue lethal radii's
# reference target), as k = sqrt(vulnerable area / a fighter's) — the Carleton lethal area is
# 2*pi*b^2 (Ball, The Fundamentals of Aircraft Combat Survivability Analysis and Design, 2nd
# ed., AIAA 2003, sec. 5.3), so b scales with the root of the vulnerable area. Illustrative
# ratios, not published: a large jammer aircraft 1.5x a fighter's vulnerable area; a cruise
# missile (warhead, engine, fuel in a ~0.5 m body) 0.3x; a slender anti-radiation missile
# 0.2x; a UAV (small to MALE class; fragile but little to hit) 0.25x.
CATEGORY_VULNERABILITY = {"uav": 0.5, "cruise_missile": 0.55, "aircraft": 1.0,
                          "jammer": 1.22, "anti_radiation_missile": 0.45,
                          "decoy": 0.45}  # decoy (MALD class): a small unarmoured body, as an ARM


@dataclass
class FlightTypes:
    """Per missile type (rows as in ``World.missiles``): what the flyout and the guns need."""

    airframe: Airframe  # guns: a placeholder row, never flown
    nav_ratio: np.ndarray
    loft: np.ndarray
    seeker_range_m: np.ndarray
    cookie_cutter: np.ndarray  # damage function: cookie-cutter (else Gaussian)
    gun_rounds: np.ndarray
    gun_dispersion_rad: np.ndarray
    gun_aim_sigma_m: np.ndarray
    gun_pk_given_hit: np.ndarray
    gun_muzzle_mps: np.ndarray
    # per type: the reach table with each grid point's trajectory programme (None: a gun)
    reach_tables: list[ReachTable | None] = field(default_factory=list)


def _manoeuvre(m: Any) -> dict[str, float]:
    if m is None:
        return {"mk": 0, "ma": 0.0, "mb": 1.0}
    if m.kind == "weave":
        return {"mk": 1, "ma": m.amplitude, "mb": m.period}
    if m.kind == "popup":
        return {"mk": 2, "ma": m.height, "mb": m.range}
    return {"mk": 3, "ma": m.g * 9.80665, "mb": m.duration}


def _reach(v: dict[str, Any]) -> ReachTable:
    # per grid point the trajectory programme with the most energy in hand on arrival
    return missile_reach_table(v)


def _flight_table(mv: list[dict[str, Any]]) -> FlightTypes:
    dummy = {"mass_kg": 1.0, "propellant_kg": 0.0, "diameter_m": 0.1, "thrust_boost_n": 0.0,
             "t_boost_s": 0.0, "thrust_sustain_n": 0.0, "t_sustain_s": 0.0, "isp_s": 1.0,
             "cd_scale": 1.0, "n_max_g": 1.0, "cn_max": 1.0, "tau_s": 0.0, "nav_ratio": 3.0,
             "loft": 0.0, "seeker_range_m": 0.0}
    afs = [v["airframe"] or dummy for v in mv]
    gun = [v["gun"] or {} for v in mv]
    g = lambda k: np.array([x.get(k, 0.0) for x in gun], dtype=float)  # noqa: E731
    return FlightTypes(
        airframe=airframe_table(afs), nav_ratio=np.array([a["nav_ratio"] for a in afs]),
        loft=np.array([a["loft"] for a in afs]),
        seeker_range_m=np.array([a["seeker_range_m"] for a in afs]),
        cookie_cutter=np.array([v["damage_function"] == "cookie_cutter" for v in mv]),
        gun_rounds=g("rounds_per_burst"), gun_dispersion_rad=g("dispersion_mrad") / 1e3,
        gun_aim_sigma_m=g("aim_sigma_m"), gun_pk_given_hit=g("pk_given_hit"),
        gun_muzzle_mps=g("muzzle_speed_mps"))


@dataclass
class Assets:
    name: list[str]
    pos_m: np.ndarray
    value: np.ndarray
    radius_m: np.ndarray
    damage: np.ndarray  # fraction of value destroyed so far


@dataclass
class World:
    scenario: Scenario
    catalogue: Catalogue
    origin: tuple[float, float, float]  # lat rad, lon rad, alt m
    terrain_m: float
    vehicles: Vehicles
    assets: Assets
    radars: RadarSet
    units: FireUnits
    missiles: MissileTypes
    unit_radars: list[list[int]]
    terrain: TerrainGrid | None  # elevation grid masking line of sight, if any
    engagement_radar: np.ndarray  # (u,) radar index of each unit's engagement radar
    emcon_cued: np.ndarray  # (u,) engagement radar silent until cued
    cue_range_m: np.ndarray  # (u,)
    flight: FlightTypes | None = None
    reach_m: np.ndarray | None = None  # (u,) longest catalogue missile range of the loadout
    corridors: Corridors | None = None  # published routes and briefed corridors


def _enu(origin: tuple[float, float, float], lat_deg: float, lon_deg: float, alt_m: float
         ) -> np.ndarray:
    return geodetic_to_enu(np.radians(lat_deg), np.radians(lon_deg), alt_m, *origin)


def compile_vehicles(routes: list[tuple[str, str, Any]], cat: Catalogue, asset_names: list[str],
                     unit_names: list[str]) -> Vehicles:
    """Air vehicles from (name, side, route) triples (``scenario.raids.all_routes``); the live
    exercise compiles injected threats with it too."""
    n = len(routes)
    counts = np.array([len(r.waypoints) for _, _, r in routes], dtype=np.int64)
    wp_start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=wp_start[1:])
    wp_t = np.zeros(int(wp_start[-1]))
    wp_lat = np.zeros(wp_t.size)
    wp_lon = np.zeros(wp_t.size)
    wp_alt = np.zeros(wp_t.size)
    rows: list[dict[str, Any]] = []
    for i, (name, side, r) in enumerate(routes):
        vt = cat.air_vehicles[r.type]
        k = slice(int(wp_start[i]), int(wp_start[i + 1]))
        wp_t[k] = route_times(r, vt.cruise_speed_mps.value, vt.max_speed_mps.value)
        wp_lat[k] = np.radians([p.lat for p in r.waypoints])
        wp_lon[k] = np.radians([p.lon for p in r.waypoints])
        wp_alt[k] = [p.alt for p in r.waypoints]
        jam = vt.jammer
        rows.append({
            "name": name, "type": r.type, "side": SIDES.index(side),
            "category": CATEGORIES.index(vt.category), "rcs": vt.rcs_m2.value,
            "sw": int(vt.swerling.value), "iff": vt.iff_reply_probability.value,
            "dmg": vt.warhead_damage.value,
            "ta": asset_names.index(r.target) if r.target in asset_names else -1,
            "tu": unit_names.index(r.target) if r.target in unit_names else -1,
            "jp": jam.power_w.value if jam else 0.0, "jg": jam.gain_db.value if jam else 0.0,
            "jb": jam.bandwidth_hz.value if jam else 1.0,
            "jf": -np.inf if getattr(r, "jam_from", None) is None else float(r.jam_from),
            "area": vt.presented_area_m2.value if vt.presented_area_m2 is not None
            else PRESENTED_AREA_M2[vt.category],
            **_manoeuvre(r.manoeuvre),
            **_transponder(r, vt),
        })
    vc = lambda key, dt=float: np.array([r[key] for r in rows], dtype=dt)  # noqa: E731
    t_end = np.maximum.reduceat(wp_t, wp_start[:-1]) if n else np.zeros(0)
    vehicles = Vehicles(
        name=[r["name"] for r in rows], type=[r["type"] for r in rows],
        side=vc("side", np.int64), category=vc("category", np.int64), rcs_m2=vc("rcs"),
        swerling=vc("sw", np.int64), iff_reply_probability=vc("iff"),
        warhead_damage=vc("dmg"), target_asset=vc("ta", np.int64),
        target_unit=vc("tu", np.int64), wp_t_s=wp_t, wp_lat_rad=wp_lat, wp_lon_rad=wp_lon,
        wp_alt_m=wp_alt, wp_start=wp_start, t_start_s=wp_t[wp_start[:-1]], t_end_s=t_end,
        jammer_power_w=vc("jp"), jammer_gain_db=vc("jg"), jammer_bandwidth_hz=vc("jb"),
        alive=np.ones(n, dtype=bool), presented_area_m2=vc("area"),
        man_kind=vc("mk", np.int64), man_a=vc("ma"), man_b=vc("mb"), jam_from_s=vc("jf"),
        squawk=vc("sq", np.int64), mode_c=vc("mc", bool), ssr_reply_probability=vc("ssr"),
        transponder_fails_s=vc("tf"),
    )
    return vehicles


def _transponder(r: Any, vt: Any) -> dict[str, Any]:
    """The transponder figures of route ``r`` of catalogue type ``vt``."""
    sq = getattr(r, "squawk", None)
    fails = getattr(r, "transponder_fails_at", None)
    p = vt.ssr_reply_probability
    return {"sq": -1 if sq is None else squawk_code(sq),
            "mc": sq is not None and bool(getattr(r, "mode_c", True)),
            "ssr": 0.0 if sq is None or p is None else p.value,
            "tf": np.inf if fails is None else float(fails)}


@dataclass
class Corridors:
    """Published routes and briefed corridors (``scenario.schema.Corridor``), their centre
    lines split into segments in the scenario's ENU frame (horizontal, m)."""

    name: list[str]
    friendly: np.ndarray  # (c,) bool: use 'friendly' (else 'civil')
    half_width_m: np.ndarray  # (c,)
    floor_m: np.ndarray  # (c,) MSL
    ceiling_m: np.ndarray  # (c,) MSL
    min_speed_mps: np.ndarray  # (c,)
    max_speed_mps: np.ndarray  # (c,)
    seg_a_m: np.ndarray  # (s, 2) segment starts (east, north)
    seg_b_m: np.ndarray  # (s, 2) segment ends
    seg_corridor: np.ndarray  # (s,) corridor index of each segment


def compile_corridors(scenario: Scenario, origin: tuple[float, float, float]) -> Corridors:
    cs = scenario.corridors
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    owner: list[int] = []
    for k, c in enumerate(cs.values()):
        pts = np.array([_enu(origin, p.lat, p.lon, 0.0)[:2] for p in c.points])
        a.extend(pts[:-1])
        b.extend(pts[1:])
        owner.extend([k] * (len(pts) - 1))
    col = lambda key: np.array([getattr(c, key) for c in cs.values()], dtype=float)  # noqa: E731
    return Corridors(
        name=list(cs), friendly=np.array([c.use == "friendly" for c in cs.values()], dtype=bool),
        half_width_m=col("half_width"), floor_m=col("floor"), ceiling_m=col("ceiling"),
        min_speed_mps=col("min_speed"), max_speed_mps=col("max_speed"),
        seg_a_m=np.array(a).reshape(-1, 2), seg_b_m=np.array(b).reshape(-1, 2),
        seg_corridor=np.array(owner, dtype=np.int64))


def concat_vehicles(a: Vehicles, b: Vehicles) -> Vehicles:
    """``a`` then ``b`` (their waypoints one after the other)."""
    out: dict[str, Any] = {}
    for f in fields(Vehicles):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "wp_start":
            out[f.name] = np.concatenate([x, y[1:] + x[-1]])
        elif isinstance(x, list):
            out[f.name] = x + y
        elif x is None or y is None:
            out[f.name] = None
        else:
            out[f.name] = np.concatenate([x, y])
    return Vehicles(**out)


def _reloads(unit: Any, fut: Any) -> dict[str, int]:
    """Rounds of each type on a unit's transloaders: the scenario's, else the catalogue's."""
    if unit.reloads is not None:
        return dict(unit.reloads)
    return {m: int(f.value) for m, f in fut.reloads.items()}


def _roles(r_rows: list[dict[str, Any]]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The scheduling arrays of the radars (``sensors.radar``, Roles): fire-control or not,
    sector centre (set by :func:`_threat_axes`), sector half width (π: all round), acquisition
    time, max tracks. Fire-control radars search a sector and hold cued tracks; the others
    scan all round."""
    fc = np.array([r["role"] == "fire_control" for r in r_rows], dtype=bool)
    get = lambda key, default: np.array([default if r[key] is None else r[key]  # noqa: E731
                                         for r in r_rows], dtype=float)
    half = np.where(fc, np.radians(get("sector_width_deg", DEFAULT_SECTOR_DEG)) / 2, np.pi)
    return (fc, np.zeros(len(r_rows)), half, get("acquisition_time_s", DEFAULT_ACQUISITION_S),
            get("max_tracks", DEFAULT_MAX_TRACKS).astype(np.int64))


def _threat_axes(radars: RadarSet, r_rows: list[dict[str, Any]], vehicles: Vehicles,
                 origin: tuple[float, float, float]) -> None:
    """Each radar's sector centre (radar frame, clockwise from north): the scenario's
    (``units.NAME.sensors``), else the unit's threat axis — the mean bearing from the radar of
    the hostile routes' first points (north when there are none)."""
    first = vehicles.wp_start[:-1]
    hostile = first[vehicles.side == SIDES.index("hostile")]
    pts = geodetic_to_enu(vehicles.wp_lat_rad[hostile], vehicles.wp_lon_rad[hostile],
                          vehicles.wp_alt_m[hostile], *origin).reshape(-1, 3)
    assert radars.sector_az_rad is not None
    for i, r in enumerate(r_rows):
        if r["sector"] is not None:
            radars.sector_az_rad[i] = np.radians(r["sector"])
        elif pts.shape[0]:
            rel = (pts - radars.pos_m[i]) @ radars.rot[i].T
            unit = rel[:, :2] / np.maximum(np.linalg.norm(rel[:, :2], axis=1), 1e-9)[:, None]
            e, n = unit.mean(axis=0)
            radars.sector_az_rad[i] = np.arctan2(e, n) % (2 * np.pi)


def compile_world(scenario: Scenario, catalogue: Catalogue | None = None) -> World:
    cat = catalogue if catalogue is not None else scenario_catalogue(scenario)
    o = scenario.origin
    origin = (float(np.radians(o.lat)), float(np.radians(o.lon)), float(o.alt))
    terrain = float(scenario.terrain_elevation)
    rot_origin = enu_rotation(origin[0], origin[1])

    grid = load_terrain_grid(scenario.terrain_grid) if scenario.terrain_grid else None

    def ground_m(lat_deg: float, lon_deg: float) -> float:
        """Terrain height at a site: the grid's where there is one, else the flat terrain."""
        if grid is None:
            return terrain
        h = float(terrain_height_m(lat_deg, lon_deg, grid.z_m, *grid.bounds))
        return max(h, terrain)

    asset_names = list(scenario.assets)
    unit_names = list(scenario.units)
    assets = Assets(
        name=asset_names,
        pos_m=np.array([_enu(origin, a.lat, a.lon, terrain) for a in scenario.assets.values()]
                       ).reshape(-1, 3),
        value=np.array([a.value for a in scenario.assets.values()], dtype=float),
        radius_m=np.array([a.radius for a in scenario.assets.values()], dtype=float),
        damage=np.zeros(len(asset_names)),
    )

    # ---- missiles: every type in some unit's loadout, in name order
    unit_types = {}
    for uname, u in scenario.units.items():
        fut = cat.fire_units[u.type]
        if u.overrides:
            fut = fut.model_copy(update={k: Figure.override(v, f"units.{uname}.overrides.{k}")
                                         for k, v in u.overrides.items()})
        unit_types[uname] = fut
    loadouts: dict[str, dict[str, int]] = {}
    for uname, t in unit_types.items():
        given = scenario.units[uname].loadout
        loadouts[uname] = given if given is not None else {k: int(f.value)
                                                       for k, f in t.loadout.items()}
    mnames = sorted({m for lo in loadouts.values() for m in lo}
                    | {m for un, t in unit_types.items() for m in _reloads(scenario.units[un], t)})
    mv = [figure_values(cat.missiles[m]) for m in mnames]
    col = lambda key: np.array([v[key] for v in mv], dtype=float)  # noqa: E731
    missiles = MissileTypes(
        name=mnames,
        is_gun=np.array([v["kind"] == "gun" for v in mv], dtype=bool),
        command_guided=np.array([v["guidance"] in ("command", "gun") for v in mv], dtype=bool),
        min_range_m=col("min_range_m"), max_range_m=col("max_range_m"),
        min_alt_m=col("min_alt_m"), max_alt_m=col("max_alt_m"), speed_mps=col("speed_mps"),
        max_target_speed_mps=col("max_target_speed_mps"),
        lethal_radius_m=col("lethal_radius_m"), terminal_sigma_m=col("terminal_sigma_m"),
        seeker_basket_m=col("seeker_basket_m"),
    )
    missiles.lethal_radius_by_category_m = lethal_radius_for_target(
        missiles.lethal_radius_m[:, None],
        np.array([CATEGORY_VULNERABILITY[c] for c in CATEGORIES])[None, :])
    tables = [None if v["kind"] == "gun" else _reach(v) for v in mv]
    missiles.reach = [None if tb is None else (tb.range_m, tb.height_m, tb.tof_s)
                      for tb in tables]
    missiles.own_radar = np.array([v["guidance"] in ("semi_active", "command", "gun")
                                   for v in mv], dtype=bool)
    missiles.home_on_jam = np.array([bool(v.get("home_on_jam")) for v in mv], dtype=bool)
    missiles.hoj_sigma_rad = np.radians([v.get("hoj_angle_sigma_deg") or 0.0 for v in mv])
    flight = _flight_table(mv)
    flight.reach_tables = tables

    # ---- radars and fire units
    r_rows: list[dict[str, Any]] = []
    unit_radars: list[list[int]] = []
    u_rows: list[dict[str, Any]] = []
    for ui, (uname, u) in enumerate(scenario.units.items()):
        fut = unit_types[uname]
        site_alt = float(u.alt) if u.alt is not None else ground_m(u.lat, u.lon)
        site = _enu(origin, u.lat, u.lon, site_alt)
        rot = enu_rotation(np.radians(u.lat), np.radians(u.lon)) @ rot_origin.T
        idx = []
        for rname in fut.radars:
            rv = figure_values(cat.radars[rname])
            h = rv["antenna_height_m"] + u.sensors.mast_m(rname)  # on its mast, if any
            r_rows.append({**rv, "name": f"{rname}@{uname}", "unit": ui, "rot": rot,
                           "sector": u.sensors.sector_deg(rname),
                           "lat": u.lat, "lon": u.lon, "h_msl": site_alt + h,
                           "pos": _enu(origin, u.lat, u.lon, site_alt + h),
                           "agl": site_alt - terrain + h,
                           "surf": u.surface if u.surface is not None else scenario.surface})
            idx.append(len(r_rows) - 1)
        unit_radars.append(idx)
        fv = figure_values(fut)
        eng = r_rows[idx[fut.radars.index(fut.engagement_radar)]]
        u_rows.append({**fv, "pos": site, "agl": site_alt - terrain, "unit": u,
                       "eng_agl": eng["agl"], "eng_range": eng["max_range_m"],
                       "inv": [loadouts[uname].get(m, 0) for m in mnames],
                       "stock": [_reloads(u, fut).get(m, 0) for m in mnames]})
    rc = lambda key: np.array([r[key] for r in r_rows], dtype=float)  # noqa: E731
    radars = RadarSet(
        name=[r["name"] for r in r_rows],
        unit=np.array([r["unit"] for r in r_rows], dtype=np.int64),
        pos_m=np.array([r["pos"] for r in r_rows]).reshape(-1, 3),
        rot=np.array([r["rot"] for r in r_rows]).reshape(-1, 3, 3),
        height_agl_m=rc("agl"), freq_hz=rc("freq_hz"), peak_power_w=rc("peak_power_w"),
        pulse_width_s=rc("pulse_width_s"), gain_db=rc("gain_db"), sidelobe_db=rc("sidelobe_db"),
        system_temp_k=system_noise_temp_k(rc("noise_figure_db")), loss_db=rc("loss_db"),
        n_pulses=rc("n_pulses"),
        pfa=rc("pfa"), period_s=rc("scan_period_s"),
        beamwidth_az_rad=np.radians(rc("beamwidth_az_deg")),
        beamwidth_el_rad=np.radians(rc("beamwidth_el_deg")),
        range_resolution_m=rc("range_resolution_m"), min_range_m=rc("min_range_m"),
        max_range_m=rc("max_range_m"), max_el_rad=np.radians(rc("max_elevation_deg")),
        lat_deg=rc("lat"), lon_deg=rc("lon"), h_msl_m=rc("h_msl"),
        alive=np.ones(len(r_rows), dtype=bool),
        emitting=np.ones(len(r_rows), dtype=bool),
        last_emission_s=np.full(len(r_rows), -np.inf),
        surface=[r["surf"].type for r in r_rows],
        roughness_m=np.array([r["surf"].rms_height_m for r in r_rows], dtype=float),
        clutter_gamma_db=np.array([-np.inf if r["surf"].clutter == "none" else
                                   float(gamma_db(r["surf"].clutter, r["freq_hz"]))
                                   for r in r_rows], dtype=float),
        vertical=np.array([r["polarization"] == "V" for r in r_rows], dtype=bool),
        processing=[r["processing"] or "none" for r in r_rows],
        improvement_db=np.array([r["mti_improvement_db"] or 0.0 for r in r_rows], dtype=float),
        prf_hz=np.array([r["prf_hz"] or np.nan for r in r_rows], dtype=float),
        canceller_order=np.array([int(r["canceller_order"] or 1) for r in r_rows],
                                 dtype=np.int64),
        notch_m_s=np.array([r["notch_speed_m_s"] or 0.0 for r in r_rows], dtype=float),
        rain_rate_mm_h=float(scenario.weather.rain_rate),
        rain_height_m=float(scenario.weather.rain_height),
    )
    (radars.fire_control, radars.sector_az_rad, radars.sector_half_rad, radars.acquisition_s,
     radars.max_tracks) = _roles(r_rows)
    uc = lambda key: np.array([r[key] for r in u_rows], dtype=float)  # noqa: E731
    units = FireUnits(
        name=unit_names,
        pos_m=np.array([r["pos"] for r in u_rows]).reshape(-1, 3),
        height_agl_m=uc("agl"),
        value=np.array([r["unit"].value for r in u_rows], dtype=float),
        roe=np.array([ROES.index(r["unit"].roe) for r in u_rows], dtype=np.int64),
        salvo=np.array([r["unit"].doctrine.salvo for r in u_rows], dtype=np.int64),
        shoot_look_shoot=np.array([r["unit"].doctrine.shoot_look_shoot for r in u_rows]),
        reserve=np.array([r["unit"].doctrine.reserve for r in u_rows], dtype=np.int64),
        target_channels=uc("target_channels"), missile_channels=uc("missile_channels"),
        reaction_s=uc("reaction_time_s"), launch_interval_s=uc("launch_interval_s"),
        inventory=np.array([r["inv"] for r in u_rows], dtype=np.int64).reshape(
            len(u_rows), len(mnames)),
        radar_height_agl_m=uc("eng_agl"), radar_max_range_m=uc("eng_range"),
        alive=np.ones(len(u_rows), dtype=bool), next_ready_s=np.zeros(len(u_rows)),
        firing_range=np.array([r["unit"].doctrine.firing_range for r in u_rows], dtype=float),
        self_defence_m=np.array([r["unit"].doctrine.self_defence_range for r in u_rows],
                                dtype=float),
    )
    units.stock = np.array([r["stock"] for r in u_rows], dtype=np.int64).reshape(
        len(u_rows), len(mnames))
    units.carries = (units.inventory > 0) | (units.stock > 0)  # the types each unit holds
    units.initial_inventory = units.inventory.copy()
    units.initial_stock = units.stock.copy()
    units.rounds_per_launcher = np.array([r["rounds_per_launcher"] for r in u_rows],
                                         dtype=np.int64)
    units.reload_s = uc("reload_time_s")
    units.transloaders = np.array([1 if r["transloaders"] is None else r["transloaders"]
                                   for r in u_rows], dtype=np.int64)

    # ---- air vehicles
    vehicles = compile_vehicles(all_routes(scenario, cat), cat, asset_names, unit_names)
    eng_idx = np.array([unit_radars[k][cat.fire_units[u.type].radars.index(
        cat.fire_units[u.type].engagement_radar)] for k, u in enumerate(scenario.units.values())],
        dtype=np.int64)
    cued = np.array([u.emcon.mode == "cued" for u in scenario.units.values()], dtype=bool)
    reach = (units.inventory > 0) * missiles.max_range_m[None, :] if len(mnames) else \
        np.zeros((len(u_rows), 1))
    cue = np.array([u.emcon.cue_range if u.emcon.cue_range is not None
                    else 1.2 * float(reach[k].max(initial=0.0))
                    for k, u in enumerate(scenario.units.values())], dtype=float)
    radars.emitting[eng_idx[cued]] = False
    _threat_axes(radars, r_rows, vehicles, origin)
    return World(scenario, cat, origin, terrain, vehicles, assets, radars, units, missiles,
                 unit_radars, grid, eng_idx, cued, cue, flight,
                 reach.max(axis=1, initial=0.0) if reach.size else np.zeros(len(u_rows)),
                 compile_corridors(scenario, origin))
