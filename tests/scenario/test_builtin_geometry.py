"""The built-in exercise is honest about sensor cover: every threat enters from beyond it.

A radar can first see a target at the least of its instrumented range and the 4/3-Earth radar
horizon  R_h = sqrt(2·k·R0·ha) + sqrt(2·k·R0·ht),  k = 4/3, R0 = 6371 km (Skolnik, Introduction
to Radar Systems, 3rd ed., 2001, sec. 8.2, eq. 8.2 with the 4/3-Earth effective radius), ha and
ht the antenna and target heights above the terrain. Distances are WGS 84 geodesics from
GeographicLib (Karney, "Algorithms for geodesics", J. Geodesy 87, 2013), independent of
skyshield's geodesy. The anti-radiation missiles are the documented exception: air-launched, they
appear where their launcher already is.
"""

from __future__ import annotations

import math

import pytest
from geographiclib.geodesic import Geodesic

import skyshield
from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.loader import builtin_scenario_text

KR0_M = 4.0 / 3.0 * 6371e3
WGS84 = Geodesic.WGS84
AIR_LAUNCHED = {"arm_1", "arm_2"}


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario("slavic-shield-2019")


def horizon_m(ha_m: float, ht_m: float) -> float:
    return math.sqrt(2 * KR0_M * ha_m) + math.sqrt(2 * KR0_M * max(ht_m, 0.0))


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return WGS84.Inverse(a[0], a[1], b[0], b[1])["s12"]


def radars(sc):
    cat = load_catalogue()
    for uname, u in sc.units.items():
        for r in cat.fire_units[u.type].radars:
            rt = cat.radars[r]
            yield f"{r}@{uname}", (u.lat, u.lon), rt.antenna_height_m.value, rt.max_range_m.value


def entries(sc):
    """(name, first point, height above the flat terrain) of every threat and raid."""
    cat = load_catalogue()
    ground = sc.terrain_elevation
    for name, r in sc.threats.items():
        w = r.waypoints[0]
        yield name, (w.lat, w.lon), w.alt if w.alt_ref == "agl" else w.alt - ground
    for name, raid in sc.raids.items():
        alt = raid.alt if raid.alt is not None else cat.air_vehicles[raid.type].cruise_alt_m.value
        assert raid.alt_ref == "agl"
        yield name, (raid.from_.lat, raid.from_.lon), alt


def test_every_threat_enters_from_beyond_every_radar(sc) -> None:
    assert sc.terrain_grid is None  # flat terrain: heights above it are heights above ground
    checked = 0
    for name, p, h in entries(sc):
        if name in AIR_LAUNCHED:
            continue
        for rname, site, ha, inst in radars(sc):
            reach = min(horizon_m(ha, h), inst)
            assert distance_m(site, p) > reach + 2e3, (name, rname, distance_m(site, p), reach)
        checked += 1
    assert checked == 7  # 5 routed threats and 2 raids


def test_first_detection_ranges_written_in_the_file(sc) -> None:
    # the 91N6E (10 m antenna) has the longest horizon; the comments quote these ranges
    h = {name: horizon_m(10.0, ht) / 1e3 for name, _, ht in entries(sc)}
    assert h["recon_male"] == pytest.approx(235.8, abs=0.1)
    assert h["recon_small"] == pytest.approx(42.2, abs=0.1)
    assert h["cm_west"] == h["cm_southwest"] == pytest.approx(42.2, abs=0.1)
    assert h["strike_1"] == pytest.approx(330.2, abs=0.1)
    assert h["strike_2"] == pytest.approx(343.3, abs=0.1)
    assert h["jammer"] == pytest.approx(379.9, abs=0.1)
    text = builtin_scenario_text("slavic-shield-2019")
    for km in ("235.8", "42.2", "330.2", "343.3", "379.9"):
        assert f"{km} km" in text


def test_cruise_missiles_fly_their_catalogue_height(sc) -> None:
    cm = load_catalogue().air_vehicles["cruise_missile_subsonic"].cruise_alt_m.value
    assert cm == 50.0
    for name in ("cm_west", "cm_southwest"):  # names used by the README, docs and tests
        raid = sc.raids[name]
        assert raid.alt is None and raid.alt_ref == "agl"


def test_the_stand_off_jammer_orbits_outside_the_envelopes_it_screens(sc) -> None:
    cat = load_catalogue()
    orbit = [(w.lat, w.lon) for w in sc.threats["jammer"].waypoints[1:]]
    for asset in ("batajnica", "belgrade"):
        a = sc.assets[asset]
        d = [distance_m((a.lat, a.lon), p) for p in orbit]
        assert 150e3 <= min(d) and max(d) <= 215e3, (asset, d)
    for unit in ("neva", "kub", "pantsir"):
        u = sc.units[unit]
        longest = max(cat.missiles[m].max_range_m.value
                      for m in cat.fire_units[u.type].loadout)
        assert min(distance_m((u.lat, u.lon), p) for p in orbit) > 5 * longest


def test_the_male_uav_loiters_inside_the_s400_reach(sc) -> None:
    cat = load_catalogue()
    s400 = sc.units["s400"]
    reach = cat.missiles["48N6E3"].max_range_m.value
    orbit = [(w.lat, w.lon) for w in sc.threats["recon_male"].waypoints[1:]]
    assert max(distance_m((s400.lat, s400.lon), p) for p in orbit) < 0.75 * reach


def test_the_story_and_the_hour_are_kept(sc) -> None:
    assert sc.duration == 3600.0
    assert set(sc.threats) == {"recon_male", "recon_small", "strike_1", "strike_2", "jammer",
                               "arm_1", "arm_2"}
    assert set(sc.raids) == {"cm_west", "cm_southwest"} and set(sc.friendlies) == {"mig29_cap"}
    assert all(r.start < sc.duration for r in sc.threats.values())
