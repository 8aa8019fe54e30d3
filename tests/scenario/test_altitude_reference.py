"""Every altitude says its reference: above ground level (AGL) or above mean sea level (MSL).

A raid's ``alt`` is AGL unless it says MSL; a waypoint's is MSL unless it says AGL (the meaning
files had before the reference was explicit). ``alt: 50 m AGL`` and ``alt_ref: agl`` are the same.
The expected altitudes are closed forms: MSL = AGL + ground, where the ground is the flat
``terrain_elevation`` or a terrain grid holding a plane (which bilinear interpolation reproduces
exactly, Press et al., Numerical Recipes 3rd ed. 2007, sec. 3.6).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.errors import ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.raids import all_routes, altitude_lines, ground_height_m
from skyshield.scenario.schema import Scenario
from skyshield.scenario.terrain import TerrainGrid, save_terrain_grid
from skyshield.sim.world import compile_world

FILE = "alt.yaml"
CM_CRUISE_M = 50.0  # catalogue cruise_alt_m of cruise_missile_subsonic

BASE = """\
name: alt-test
origin: {lat: 44.9, lon: 20.2, alt: 80 m MSL}
duration: 10 min
terrain_elevation: 80 m
assets:
  base: {lat: 44.93, lon: 20.25, value: 100}
units:
  u1: {type: pantsir_s1, lat: 44.93, lon: 20.27}
threats:
  t1:
    type: cruise_missile_subsonic
    waypoints:
      - {lat: 44.50, lon: 19.50, alt: WP0, speed: 800 km/h}
      - {lat: 44.93, lon: 20.25, alt: 100 m}
raids:
  r1:
    type: cruise_missile_subsonic
    count: 2
    from: {lat: 44.40, lon: 19.40}
    to: base
RAIDALT"""


def scenario(wp0: str = "300 m", raid: str = "", base_dir: Path | None = None,
             extra: str = "") -> Scenario:
    return parse_scenario(BASE.replace("WP0", wp0).replace("RAIDALT", raid) + extra, FILE,
                          base_dir)


def routes(sc: Scenario) -> dict[str, list[float]]:
    return {n: [w.alt for w in r.waypoints] for n, _, r in all_routes(sc, load_catalogue())}


def only_problem(text_wp0: str = "300 m", raid: str = "", extra: str = ""):
    with pytest.raises(ScenarioError) as info:
        scenario(text_wp0, raid, extra=extra)
    (p,) = info.value.problems
    return p


def test_old_files_keep_their_meaning() -> None:
    sc = scenario("300 m", "    alt: 130 m\n")
    assert sc.threats["t1"].waypoints[0].alt_ref == "msl"
    assert sc.raids["r1"].alt_ref == "agl"
    r = routes(sc)
    assert r["t1"] == [300.0, 100.0]  # waypoints: above sea level, as written
    assert r["r1-01"] == [130.0 + 80.0] * 2  # raids: above the 80 m terrain


@pytest.mark.parametrize("wp0", ["50 m AGL", "50 m agl", "50 m, alt_ref: agl",
                                 "50 m, alt_ref: AGL"])
def test_a_waypoint_above_ground(wp0: str) -> None:
    sc = scenario(wp0)
    w = sc.threats["t1"].waypoints[0]
    assert (w.alt, w.alt_ref) == (50.0, "agl")
    assert routes(sc)["t1"] == [50.0 + 80.0, 100.0]
    v = compile_world(sc).vehicles
    assert v.route(v.name.index("t1"))[3].tolist() == [130.0, 100.0]


def test_a_raid_above_sea_level() -> None:
    sc = scenario(raid="    alt: 3000 m MSL\n")
    assert (sc.raids["r1"].alt, sc.raids["r1"].alt_ref) == (3000.0, "msl")
    assert routes(sc)["r1-02"] == [3000.0, 3000.0]


def test_a_raid_without_alt_flies_its_catalogue_cruise_height_above_ground() -> None:
    assert load_catalogue().air_vehicles["cruise_missile_subsonic"].cruise_alt_m.value == \
        CM_CRUISE_M
    sc = scenario()
    assert sc.raids["r1"].alt is None
    assert routes(sc)["r1-01"] == [CM_CRUISE_M + 80.0] * 2


def test_agl_follows_a_terrain_grid_at_each_waypoint(tmp_path: Path) -> None:
    # a tilted plane z = 1000·(lat − 44) + 500·(lon − 19) m: bilinear interpolation is exact
    lat = np.linspace(44.0, 45.5, 16)
    lon = np.linspace(19.0, 21.0, 21)
    z = 1000.0 * (lat[:, None] - 44.0) + 500.0 * (lon[None, :] - 19.0)
    save_terrain_grid(tmp_path / "plane.npz", TerrainGrid(z, 44.0, 45.5, 19.0, 21.0))
    sc = scenario("50 m AGL", "    alt: 60 m\n", tmp_path, "terrain_grid: plane.npz\n")

    def plane(la: float, lo: float) -> float:
        return max(1000.0 * (la - 44.0) + 500.0 * (lo - 19.0), 80.0)  # never below the flat 80 m

    r = routes(sc)
    assert r["t1"][0] == pytest.approx(50.0 + plane(44.50, 19.50), abs=1e-6)
    assert r["t1"][1] == 100.0  # MSL waypoint untouched
    assert r["r1-01"] == pytest.approx([60.0 + plane(44.40, 19.40), 60.0 + plane(44.93, 20.25)],
                                       abs=1e-6)
    assert ground_height_m(sc, 44.05, 19.02) == pytest.approx(80.0)  # plane at 60 m < floor


def test_a_reference_given_twice_differently_is_located() -> None:
    p = only_problem("50 m AGL, alt_ref: msl")
    assert (p.path, p.got) == ("threats.t1.waypoints.0.alt_ref", "msl")
    assert p.message == "alt says AGL but alt_ref says msl; give the reference once"


@pytest.mark.parametrize("wp0,path,fragment", [
    ("-5 m AGL", "threats.t1.waypoints.0.alt", "a height above ground cannot be negative"),
    ("50 m ASL", "threats.t1.waypoints.0.alt", "expected a length"),
    ("50 m, alt_ref: agI", "threats.t1.waypoints.0.alt_ref", "'agl' or 'msl'"),
])
def test_bad_waypoint_altitudes(wp0: str, path: str, fragment: str) -> None:
    p = only_problem(wp0)
    assert p.path == path and fragment in p.message, p


def test_an_msl_raid_needs_an_alt() -> None:
    p = only_problem(raid="    alt_ref: msl\n")
    assert p.path == "raids.r1.alt_ref" and "needs an alt" in p.message


def test_sea_level_only_fields_refuse_agl() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE.replace("80 m MSL", "5 m AGL").replace("WP0", "1 km")
                       .replace("RAIDALT", ""), FILE)
    (p,) = info.value.problems
    assert p.path == "origin.alt" and p.got == "5 m AGL"
    assert p.message == "this altitude is above mean sea level (MSL); AGL is not accepted here"


def test_validate_echo_lines() -> None:
    sc = scenario("50 m AGL", "    alt: 3000 m MSL\n")
    assert altitude_lines(sc, load_catalogue()) == [
        "threats.t1: 50 m AGL (130 m MSL over 80 m terrain)",
        "raids.r1: 3000 m MSL (2920 m AGL over 80 m terrain)",
    ]
    assert altitude_lines(scenario(), load_catalogue())[1] == \
        "raids.r1: 50 m AGL (130 m MSL over 80 m terrain; type cruise height)"


def test_the_json_schema_says_the_reference_of_every_altitude() -> None:
    schema = json.loads(json.dumps(Scenario.model_json_schema(by_alias=True)))
    defs = schema["$defs"]
    wp, raid = defs["Waypoint"]["properties"], defs["Raid"]["properties"]
    assert wp["alt_ref"]["default"] == "msl" and raid["alt_ref"]["default"] == "agl"
    assert "above mean sea level (MSL)" in wp["alt"]["description"]
    assert "above ground level (AGL)" in raid["alt"]["description"]
    assert "MSL" in defs["GeoPoint"]["properties"]["alt"]["description"]
    assert "MSL" in defs["Unit"]["properties"]["alt"]["description"]
    pattern = next(a["pattern"] for a in wp["alt"]["anyOf"] if a.get("type") == "string")
    for ok in ("50 m AGL", "3000 m MSL", "2 km", "1.5 km msl"):
        assert re.match(pattern, ok), ok
    assert not re.match(pattern, "50 m above")
