"""A unit's radar siting (``units.NAME.sensors``: threat axis, masts) and the catalogue's radar
roles: bad values are located problems (``FILE:LINE path: message (got VALUE)``, exit 2 from the
command line); good ones reach the compiled radars; old catalogues stay valid."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from skyshield import ScenarioError
from skyshield.cli import app
from skyshield.scenario.catalogue import builtin_catalogue_path, load_catalogue
from skyshield.scenario.errors import Problem
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.radar import DEFAULT_ACQUISITION_S, DEFAULT_MAX_TRACKS, DEFAULT_SECTOR_DEG
from skyshield.sim.world import compile_world

FILE = "siting.yaml"
NO_GOT = Problem("f", 1, "p", "m").got

BASE = """\
name: siting-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
assets:
  base: {lat: 44.93, lon: 20.25, value: 100}
units:
  u1:
    type: s400_battalion
    lat: 44.93
    lon: 20.27
    SENSORS
threats:
  t1:
    type: cruise_missile_subsonic
    start: 10 s
    waypoints:
      - {lat: 44.93, lon: 19.50, alt: 100 m, speed: 800 km/h}
      - {lat: 44.93, lon: 20.25, alt: 100 m}
"""


def scenario(sensors: str) -> str:
    return BASE.replace("SENSORS", sensors)


def line(text: str, needle: str) -> int:
    hits = [i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln]
    assert len(hits) == 1, needle
    return hits[0]


def only(text: str, base: Path | None = None) -> Problem:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, FILE, base)
    assert len(info.value.problems) == 1, "\n".join(map(str, info.value.problems))
    return info.value.problems[0]


def check(p: Problem, path: str, line_no: int, fragment: str, got: Any = NO_GOT,
          file: str = FILE) -> None:
    assert (p.file, p.line, p.path) == (file, line_no, path), repr(p)
    assert fragment in p.message, repr(p)
    if got is not NO_GOT:
        assert p.got == got, repr(p)
    assert "\n" not in str(p)


@pytest.mark.parametrize("sensors, needle, path, fragment, got", [
    ("sensors: {mast: -5 m}", "mast: -5 m", "units.u1.sensors.mast", "a mast is 0 to 100 m",
     "-5 m"),
    ("sensors: {mast: 400 ft}", "mast: 400 ft", "units.u1.sensors.mast", "a mast is 0 to 100 m",
     "400 ft"),
    ("sensors: {mast: tall}", "mast: tall", "units.u1.sensors.mast", "", "tall"),
    ("sensors: {sector: 360}", "sector: 360", "units.u1.sensors.sector",
     "degrees clockwise from true north, 0 to below 360", 360),
    ("sensors: {sector: -10}", "sector: -10", "units.u1.sensors.sector",
     "degrees clockwise from true north", -10),
    ("sensors: {masts: 24 m}", "masts: 24 m", "units.u1.sensors.masts", "", "24 m"),
    ("sensors: {radars: {92N6E: {sector: 400}}}", "sector: 400",
     "units.u1.sensors.radars.92N6E.sector", "degrees clockwise", 400),
    ("sensors: {radars: {92N6E: {mast: 1 km}}}", "mast: 1 km",
     "units.u1.sensors.radars.92N6E.mast", "a mast is 0 to 100 m", "1 km"),
])
def test_bad_siting_values_are_located(sensors, needle, path, fragment, got):
    text = scenario(sensors)
    check(only(text), path, line(text, needle), fragment, got)


def test_a_radar_the_unit_does_not_have():
    text = scenario("sensors: {radars: {pantsir_1RS2: {mast: 10 m}}}")
    check(only(text), "units.u1.sensors.radars.pantsir_1RS2", line(text, "pantsir_1RS2"),
          "the unit type has no radar 'pantsir_1RS2'; its radars: 91N6E, 92N6E")


def test_the_command_line_exits_2_with_the_located_problem(tmp_path):
    text = scenario("sensors: {sector: 365}")
    (tmp_path / FILE).write_text(text, encoding="utf-8")
    with contextlib.chdir(tmp_path):
        r = CliRunner().invoke(app, ["validate", FILE])
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines()[0].startswith(
        f"{FILE}:{line(text, 'sector: 365')} units.u1.sensors.sector: ")
    assert r.stderr.splitlines()[-1] == "1 problem found"


def test_good_siting_reaches_the_radars():
    text = scenario("sensors: {sector: 270, mast: 10 m, radars: {92N6E: {mast: 80 ft, "
                    "sector: 250}}}")
    w = compile_world(parse_scenario(text, FILE))
    rs = w.radars
    cat = load_catalogue().radars
    i91, i92 = rs.name.index("91N6E@u1"), rs.name.index("92N6E@u1")
    assert rs.height_agl_m[i91] == pytest.approx(cat["91N6E"].antenna_height_m.value + 10.0)
    assert rs.height_agl_m[i92] == pytest.approx(cat["92N6E"].antenna_height_m.value + 24.384)
    assert rs.pos_m[i92, 2] - rs.pos_m[i91, 2] == pytest.approx(14.384, abs=1e-3)
    assert w.units.radar_height_agl_m[0] == pytest.approx(rs.height_agl_m[i92])
    assert rs.fire_control is not None and rs.sector_az_rad is not None
    assert rs.sector_half_rad is not None and rs.max_tracks is not None
    assert list(rs.fire_control) == [False, True]
    assert np.degrees(rs.sector_az_rad[i92]) == pytest.approx(250.0)
    assert np.degrees(rs.sector_half_rad[i92]) == pytest.approx(
        cat["92N6E"].sector_width_deg.value / 2)
    assert rs.sector_half_rad[i91] == pytest.approx(np.pi)  # the surveillance radar: all round
    assert rs.max_tracks[i92] == cat["92N6E"].max_tracks.value


def test_the_default_threat_axis_is_the_hostile_routes_bearing():
    w = compile_world(parse_scenario(scenario(""), FILE))
    rs = w.radars
    assert rs.sector_az_rad is not None
    i92 = rs.name.index("92N6E@u1")
    # the one route starts due west of the unit (same latitude): bearing about 270°
    assert np.degrees(rs.sector_az_rad[i92]) == pytest.approx(270.0, abs=0.5)


def _catalogue_with_radar(tmp_path: Path, file: str = "cat.yaml", **changes: Any
                          ) -> tuple[Path, str]:
    data = yaml.safe_load(builtin_catalogue_path().read_text(encoding="utf-8"))
    r = dict(data["radars"]["92N6E"])
    for k, v in changes.items():
        if v is None:
            r.pop(k, None)
        else:
            r[k] = v
    text = yaml.safe_dump({"radars": {"my_fc": r}}, sort_keys=False, width=10_000)
    path = tmp_path / file
    path.write_text(text, encoding="utf-8")
    return path, text


@pytest.mark.parametrize("field, value, fragment", [
    ("max_tracks", {"value": 0, "assumed": "x"}, "max_tracks must be a whole number, at least 1"),
    ("max_tracks", {"value": 2.5, "assumed": "x"}, "max_tracks must be a whole number"),
    ("sector_width_deg", {"value": 400, "assumed": "x"}, "above 0 and at most 360"),
    ("acquisition_time_s", {"value": -1, "assumed": "x"}, "cannot be negative"),
])
def test_bad_scheduling_figures_in_a_catalogue_are_located(tmp_path, field, value, fragment):
    path, text = _catalogue_with_radar(tmp_path, **{field: value})
    with pytest.raises(ScenarioError) as info:
        load_catalogue(path)
    (p,) = info.value.problems
    assert (p.file, p.path) == (str(path), f"radars.my_fc.{field}.value"), repr(p)
    assert p.line == line(text, f"{field}:") + 1  # its value: line
    assert fragment in p.message


def test_a_role_outside_the_list_is_located(tmp_path):
    path, text = _catalogue_with_radar(tmp_path, role="tracker")
    with pytest.raises(ScenarioError) as info:
        load_catalogue(path)
    (p,) = info.value.problems
    assert (p.path, p.line) == ("radars.my_fc.role", line(text, "role: tracker"))


def test_old_catalogues_stay_valid(tmp_path):
    """The old role name 'engagement' is a fire-control radar; without a role a radar is a
    surveillance radar; a fire-control radar without scheduling figures takes the defaults."""
    path, _ = _catalogue_with_radar(tmp_path, role="engagement", sector_width_deg=None,
                                    acquisition_time_s=None, max_tracks=None)
    r = load_catalogue(path).radars["my_fc"]
    assert r.role == "fire_control" and r.max_tracks is None
    path2, _ = _catalogue_with_radar(tmp_path, "no_role.yaml", role=None)
    assert load_catalogue(path2).radars["my_fc"].role == "surveillance"
    # the defaults the world compiles for such a radar
    data = yaml.safe_load(builtin_catalogue_path().read_text(encoding="utf-8"))
    fut = dict(data["fire_units"]["s400_battalion"], radars=["91N6E", "my_fc"],
               engagement_radar="my_fc")
    cat = tmp_path / "cat2.yaml"
    r_old = yaml.safe_load(path.read_text(encoding="utf-8"))["radars"]
    cat.write_text(yaml.safe_dump({"radars": r_old, "fire_units": {"old_unit": fut}}),
                   encoding="utf-8")
    text = f"catalogue: [{cat}]\n" + scenario("").replace("s400_battalion", "old_unit")
    rs = compile_world(parse_scenario(text, FILE, tmp_path)).radars
    assert rs.fire_control is not None and rs.sector_half_rad is not None
    assert rs.acquisition_s is not None and rs.max_tracks is not None
    assert list(rs.fire_control) == [False, True]
    assert np.degrees(2 * rs.sector_half_rad[1]) == pytest.approx(DEFAULT_SECTOR_DEG)
    assert rs.acquisition_s[1] == DEFAULT_ACQUISITION_S
    assert rs.max_tracks[1] == DEFAULT_MAX_TRACKS
