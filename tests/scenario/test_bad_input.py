"""Every class of bad input is reported as ``FILE:LINE path.to.field: message (got VALUE)``.

Each test edits a small valid scenario (``BASE``), and checks the exact path, the line (computed
from the test's own YAML text), a message fragment and the ``got`` value of every problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import skyshield
from skyshield import Scenario, ScenarioError
from skyshield.scenario import errors
from skyshield.scenario.errors import Problem
from skyshield.scenario.loader import parse_scenario

FILE = "bad.yaml"
NO_GOT = Problem("f", 1, "p", "m").got  # the marker of "no value to show"

BASE = """\
name: bad-input-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
assets:
  base:
    lat: 44.93
    lon: 20.25
    value: 100
units:
  u1:
    type: pantsir_s1
    lat: 44.93
    lon: 20.27
threats:
  t1:
    type: cruise_missile_subsonic
    start: 10 s
    waypoints:
      - {lat: 44.50, lon: 19.50, alt: 100 m, speed: 800 km/h}
      - {lat: 44.93, lon: 20.25, alt: 100 m}
raids:
  r1:
    type: cruise_missile_subsonic
    count: 2
    from: {lat: 44.40, lon: 19.40}
    to: base
"""

WP0 = "      - {lat: 44.50, lon: 19.50, alt: 100 m, speed: 800 km/h}"
WP1 = "      - {lat: 44.93, lon: 20.25, alt: 100 m}"


def line(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``text`` containing ``needle``."""
    hits = [i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln]
    assert len(hits) >= nth, f"{needle!r} not in the test's YAML"
    return hits[nth - 1]


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (fails if not exactly once)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def problems(text: str, base_dir: Path | None = None, file: str = FILE) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, file, base_dir)
    assert info.value.problems, "ScenarioError without problems"
    return info.value.problems


def only(text: str, base_dir: Path | None = None) -> Problem:
    found = problems(text, base_dir)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def check(p: Problem, path: str, line_no: int | None, fragment: str, got: Any = NO_GOT,
          file: str = FILE) -> None:
    """``p`` is exactly at ``file:line_no path`` with ``got``; its message contains ``fragment``."""
    assert (p.file, p.line, p.path) == (file, line_no, path), repr(p)
    assert fragment in p.message, repr(p)
    if got is NO_GOT:
        assert p.got is NO_GOT, repr(p)
        assert "(got " not in str(p)
    else:
        assert p.got == got and type(p.got) is type(got), repr(p)
    where = f"{file}:{line_no}" if line_no is not None else file
    head = f"{where} {path}: " if path else f"{where} "
    assert str(p).startswith(head + p.message), str(p)
    assert "\n" not in str(p)


def test_base_scenario_is_valid() -> None:
    sc = parse_scenario(BASE, FILE)
    assert isinstance(sc, Scenario)
    assert sc.name == "bad-input-test"
    assert sc.threats["t1"].start == 10.0
    assert sc.threats["t1"].waypoints[0].speed == pytest.approx(800 / 3.6)
    assert sc.raids["r1"].to == "base"


# --- unknown types ------------------------------------------------------------------------------


def test_unknown_fire_unit_type() -> None:
    text = edit(BASE, "type: pantsir_s1", "type: patriot_pac3")
    check(only(text), "units.u1.type", line(text, "type: patriot_pac3"),
          "unknown fire unit type; known types: kub_m, pantsir_s1, s125_neva_m1t, s400_battalion",
          "patriot_pac3")


@pytest.mark.parametrize("where, old, path", [
    ("threat", "    type: cruise_missile_subsonic\n    start: 10 s",
     "threats.t1.type"),
    ("raid", "    type: cruise_missile_subsonic\n    count: 2", "raids.r1.type"),
])
def test_unknown_air_vehicle_type(where: str, old: str, path: str) -> None:
    text = edit(BASE, old, old.replace("cruise_missile_subsonic", "f35_lightning"))
    check(only(text), path, line(text, "f35_lightning"), "unknown air vehicle type; known types: "
          "airliner_a320, anti_radiation_missile, cruise_missile_subsonic, mald_decoy, "
          "male_recon_uav", "f35_lightning")


# --- unknown and missing fields -----------------------------------------------------------------


def test_unknown_field_typo_also_reports_the_missing_field() -> None:
    text = edit(BASE, "    lat: 44.93\n    lon: 20.27", "    lattitude: 44.93\n    lon: 20.27")
    missing, unknown = problems(text)
    check(missing, "units.u1.lat", line(text, "  u1:"), "missing required field")
    check(unknown, "units.u1.lattitude", line(text, "lattitude"), "unknown field", 44.93)


@pytest.mark.parametrize("old, new, path, needle, got", [
    ("duration: 10 min", "duration: 10 min\ndurration: 5 min", "durration", "durration", "5 min"),
    ("alt: 100 m, speed: 800 km/h}", "alt: 100 m, sped: 800 km/h}", "threats.t1.waypoints.0.sped",
     "sped:", "800 km/h"),
    ("    count: 2\n", "    count: 2\n    colour: red\n", "raids.r1.colour", "colour", "red"),
    ("    value: 100\n", "    value: 100\n    radius_km: 3\n", "assets.base.radius_km",
     "radius_km", 3),
])
def test_unknown_field(old: str, new: str, path: str, needle: str, got: Any) -> None:
    text = edit(BASE, old, new)
    check(only(text), path, line(text, needle), "unknown field", got)


@pytest.mark.parametrize("old, new, path, anchor", [
    # a route without waypoints: reported at the route
    ("    waypoints:\n" + WP0 + "\n" + WP1 + "\n", "", "threats.t1.waypoints", "  t1:"),
    # a unit without lat: reported at the unit
    ("    lat: 44.93\n    lon: 20.27\n", "    lon: 20.27\n", "units.u1.lat", "  u1:"),
    # a scenario without origin: reported at the top of the document
    ("origin: {lat: 44.9, lon: 20.2}\n", "", "origin", "name:"),
    # a raid without `to`
    ("    to: base\n", "", "raids.r1.to", "  r1:"),
    # a waypoint without alt: reported at the waypoint's list item
    (WP1, "      - {lat: 44.93, lon: 20.25}", "threats.t1.waypoints.1.alt",
     "{lat: 44.93, lon: 20.25}"),
])
def test_missing_field(old: str, new: str, path: str, anchor: str) -> None:
    text = edit(BASE, old, new)
    check(only(text), path, line(text, anchor), "missing required field")


# --- wrong values, units and ranges -------------------------------------------------------------


@pytest.mark.parametrize("old, new, path, fragment, got", [
    ("{lat: 44.50, lon: 19.50,", "{lat: 91, lon: 19.50,", "threats.t1.waypoints.0.lat",
     "less than or equal to 90", 91),
    ("    lat: 44.93\n    lon: 20.27", "    lat: -90.5\n    lon: 20.27", "units.u1.lat",
     "greater than or equal to -90", -90.5),
    ("origin: {lat: 44.9, lon: 20.2}", "origin: {lat: 44.9, lon: 181}", "origin.lon",
     "less than or equal to 180", 181),
    ("speed: 800 km/h}", "speed: -5}", "threats.t1.waypoints.0.speed", "speed must be positive",
     -5),
    ("speed: 800 km/h}", "speed: -880 km/h}", "threats.t1.waypoints.0.speed",
     "speed must be positive", "-880 km/h"),
    ("speed: 800 km/h}", "speed: 0}", "threats.t1.waypoints.0.speed", "speed must be positive", 0),
    ("speed: 800 km/h}", "speed: 1.0e-300}", "threats.t1.waypoints.0.speed",
     "at least 1 m/s", 1e-300),
    ("    count: 2\n", "    count: 2\n    speed: -3 kn\n", "raids.r1.speed",
     "speed must be positive", "-3 kn"),
    ("    count: 2\n", "    count: 0\n", "raids.r1.count", "greater than or equal to 1", 0),
    ("duration: 10 min", "duration: -3 min", "duration", "must be positive", "-3 min"),
    ("duration: 10 min", "duration: 1e12 s", "duration", "at most 30 days (2.592e+06 s)",
     "1e12 s"),
    ("    value: 100\n", "    value: -1\n", "assets.base.value", "greater than 0", -1),
    (WP1, "      - {lat: 44.93, lon: 20.25, alt: 200 km}", "threats.t1.waypoints.1.alt",
     "altitude must be between -500 m and 100000 m", "200 km"),
    ("speed: 800 km/h}", "speed: 5000 km/h}", "threats.t1.waypoints.0",
     "leg speed 1389 m/s exceeds the type's maximum 250 m/s",
     {"lat": 44.5, "lon": 19.5, "alt": "100 m", "speed": "5000 km/h"}),
])
def test_value_out_of_range(old: str, new: str, path: str, fragment: str, got: Any) -> None:
    text = edit(BASE, old, new)
    needle = next(ln for ln in new.splitlines() if ln not in old.splitlines())
    check(only(text), path, line(text, needle.strip()), fragment, got)


@pytest.mark.parametrize("old, new, path, fragment", [
    ("speed: 800 km/h}", "speed: 30 km}", "threats.t1.waypoints.0.speed",
     "wrong unit for a speed ('km' is a unit of length); use one of m/s, km/h, kn, kt, mph"),
    ("speed: 800 km/h}", "speed: 30 furlongs}", "threats.t1.waypoints.0.speed",
     "wrong unit for a speed; use one of m/s, km/h"),
    ("speed: 800 km/h}", "speed: fast}", "threats.t1.waypoints.0.speed",
     "expected a speed such as '880 km/h' or a number of metres per second"),
    ("duration: 10 min", "duration: 10 km", "duration",
     "wrong unit for a duration ('km' is a unit of length); use one of s, min, h"),
    ("alt: 100 m}", "alt: 100 km/h}", "threats.t1.waypoints.1.alt",
     "wrong unit for a length ('km/h' is a unit of speed)"),
    ("    start: 10 s", "    start: 10 m/s", "threats.t1.start",
     "wrong unit for a duration ('m/s' is a unit of speed)"),
])
def test_quantity_with_wrong_unit(old: str, new: str, path: str, fragment: str) -> None:
    text = edit(BASE, old, new)
    got = new.split(": ", 1)[1].rstrip("}")
    check(only(text), path, line(text, new.strip()), fragment, got)


def test_boolean_quantity_is_rejected() -> None:
    text = edit(BASE, "duration: 10 min", "duration: yes")
    check(only(text), "duration", line(text, "duration:"), "expected a duration, not a boolean",
          True)


def test_huge_integer_quantity_is_a_clean_error() -> None:
    text = edit(BASE, "duration: 10 min", "duration: " + "9" * 400)
    check(only(text), "duration", line(text, "duration:"), "expected a finite duration",
          int("9" * 400))


# --- times in the past, routes too short --------------------------------------------------------


def test_waypoint_arrival_before_previous_waypoint_is_in_the_past() -> None:
    text = edit(edit(BASE, "speed: 800 km/h}", "at: 5 min}"), WP1,
                "      - {lat: 44.93, lon: 20.25, alt: 100 m, at: 4 min}")
    check(only(text), "threats.t1.waypoints.1.at", line(text, "at: 4 min"),
          "waypoint is in the past: 240 s is not after the previous waypoint (300 s)", "4 min")


def test_first_waypoint_before_zero_is_in_the_past() -> None:
    text = edit(BASE, "speed: 800 km/h}", "at: -1 min}")
    check(only(text), "threats.t1.waypoints.0.at", line(text, "at: -1 min"),
          "waypoint is in the past (before 0 s)", "-1 min")


@pytest.mark.parametrize("old, new, path, fragment", [
    ("    start: 10 s", "    start: -5 s", "threats.t1.start", "start is in the past"),
    ("    count: 2\n", "    count: 2\n    start: -5 s\n", "raids.r1.start",
     "must not be negative (a raid cannot start in the past)"),
])
def test_start_in_the_past(old: str, new: str, path: str, fragment: str) -> None:
    text = edit(BASE, old, new)
    check(only(text), path, line(text, "start: -5 s"), fragment, "-5 s")


def test_route_starting_after_the_end_of_the_exercise() -> None:
    text = edit(BASE, "    start: 10 s", "    start: 11 min")
    check(only(text), "threats.t1.start", line(text, "start: 11 min"),
          "(660 s) is after the end of the exercise (600 s)", "11 min")


@pytest.mark.parametrize("waypoints, got", [
    ("    waypoints: []\n", []),
    ("    waypoints:\n" + WP1 + "\n", [{"lat": 44.93, "lon": 20.25, "alt": "100 m"}]),
])
def test_route_with_fewer_than_two_waypoints(waypoints: str, got: list[Any]) -> None:
    text = edit(BASE, "    waypoints:\n" + WP0 + "\n" + WP1 + "\n", waypoints)
    check(only(text), "threats.t1.waypoints", line(text, "waypoints:"),
          "a route needs at least two waypoints", got)


def test_empty_waypoints_value() -> None:
    text = edit(BASE, "    waypoints:\n" + WP0 + "\n" + WP1 + "\n", "    waypoints:\n")
    check(only(text), "threats.t1.waypoints", line(text, "waypoints:"), "valid list", None)


# --- references ---------------------------------------------------------------------------------


def test_raid_aimed_at_nothing() -> None:
    text = edit(BASE, "    to: base", "    to: nowhere")
    check(only(text), "raids.r1.to", line(text, "to: nowhere"),
          "no asset or unit named 'nowhere'", "nowhere")


def test_threat_target_naming_nothing() -> None:
    text = edit(BASE, "    start: 10 s\n", "    start: 10 s\n    target: ghost\n")
    check(only(text), "threats.t1.target", line(text, "target: ghost"),
          "no asset or unit named 'ghost'", "ghost")


def test_every_bad_reference_is_reported_with_the_other_problems() -> None:
    text = edit(BASE, "    to: base", "    to: nowhere")
    text = edit(text, "    start: 10 s\n", "    start: 10 s\n    target: ghost\n")
    text += ("  r2:\n    type: cruise_missile_subsonic\n    count: 1\n"
             "    from: {lat: 44.40, lon: 19.40}\n    to: elsewhere\n")
    found = problems(text)
    assert [(p.path, p.line, p.got) for p in found] == [
        ("threats.t1.target", line(text, "target: ghost"), "ghost"),
        ("raids.r1.to", line(text, "to: nowhere"), "nowhere"),
        ("raids.r2.to", line(text, "to: elsewhere"), "elsewhere"),
    ]
    # with an unrelated field error too (the model's own reference check then does not run)
    text = edit(text, "    value: 100\n", "    value: 100\n    colour: red\n")
    found = problems(text)
    assert [(p.path, p.line) for p in found] == [
        ("assets.base.colour", line(text, "colour: red")),
        ("threats.t1.target", line(text, "target: ghost")),
        ("raids.r1.to", line(text, "to: nowhere")),
        ("raids.r2.to", line(text, "to: elsewhere")),
    ]
    check(found[2], "raids.r1.to", line(text, "to: nowhere"), "no asset or unit named 'nowhere'",
          "nowhere")


def test_invalid_unit_name() -> None:
    text = edit(BASE, "  u1:", "  my unit:")
    check(only(text), "units", line(text, "units:"),
          "names may use letters, digits, '_' and '-' only (got 'my unit')",
          {"my unit": {"type": "pantsir_s1", "lat": 44.93, "lon": 20.27}})


def test_names_in_any_script_are_letters() -> None:
    """Issue 20: 'Бранко' was refused as not letters. Names of any script run; a trailing
    newline (which ``$`` would let through) is not a letter."""
    text = edit(edit(BASE, "  u1:", "  Бранко_1:"), "  base:", "  Батајница:")
    text = edit(text, "    to: base", "    to: Батајница")
    sc = parse_scenario(text, FILE)
    assert list(sc.units) == ["Бранко_1"] and list(sc.assets) == ["Батајница"]
    r = skyshield.run(sc.model_copy(update={"duration": 60.0}))
    assert r.summary["sim_duration_s"] == 60.0
    found = problems(edit(BASE, "  u1:", '  "u1\\n":'))
    assert found[0].path == "units" and "letters, digits" in found[0].message


def test_periods_and_counts_that_would_never_finish_or_overflow_are_refused() -> None:
    """Issue 20: these validated, then the run never finished (a period of a microsecond) or
    overflowed int64 with a traceback (2**63 rounds)."""
    text = edit(BASE, "duration: 10 min", "duration: 10 min\ntruth_interval: 1e-6 s")
    check(only(text), "truth_interval", line(text, "truth_interval"), "at least 0.1 s",
          "1e-6 s")
    text = edit(BASE, "duration: 10 min", "duration: 10 min\nc2: {cycle: 1e-6 s}")
    check(only(text), "c2.cycle", line(text, "c2:"), "at least 0.1 s", "1e-6 s")
    big = 2**63
    text = edit(BASE, "    type: pantsir_s1\n",
                f"    type: pantsir_s1\n    doctrine: {{reserve: {big}}}\n")
    check(only(text), "units.u1.doctrine.reserve", line(text, "reserve"),
          "less than or equal to 10000", big)
    text = edit(BASE, "    type: pantsir_s1\n",
                f"    type: pantsir_s1\n    loadout: {{57E6E: {big}}}\n")
    p = only(text)
    assert p.path == "units.u1.loadout" and f"at most 10000 rounds (got {big})" in p.message
    # the bounds themselves run
    ok = edit(BASE, "duration: 10 min",
              "duration: 1 min\ntruth_interval: 0.1 s\nc2: {cycle: 0.1 s}")
    assert skyshield.run(parse_scenario(ok, FILE)).summary["sim_duration_s"] == 60.0


def test_weights_and_values_that_overflow_are_refused() -> None:
    """Issue 20: scoring weights of 1e308 gave a NaN joint score, an asset value of 1e308 an
    overflow warning."""
    text = edit(BASE, "duration: 10 min", "duration: 10 min\nscoring: {kills: 1.0e+308}")
    check(only(text), "scoring.kills", line(text, "scoring:"), "less than or equal to 1000000",
          1e308)
    text = edit(BASE, "    value: 100\n", "    value: 1.0e+308\n")
    check(only(text), "assets.base.value", line(text, "value: 1.0e+308"),
          "less than or equal to 1000000000", 1e308)


def test_a_damaged_terrain_grid_is_a_located_refusal(tmp_path: Path) -> None:
    """Issue 20: a broken zip or a truncated TIFF gave BadZipFile and similar tracebacks."""
    import numpy as np

    from skyshield.scenario.terrain import TerrainGrid, save_terrain_grid

    save_terrain_grid(tmp_path / "good.npz", TerrainGrid(np.zeros((3, 3)), 44.0, 45.5, 19.0, 21.0))
    whole = (tmp_path / "good.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    (tmp_path / "cut.tif").write_bytes(b"II*\x00" + b"\x00" * 20)
    for name in ("cut.npz", "junk.npz", "cut.tif"):
        text = edit(BASE, "duration: 10 min", f"duration: 10 min\nterrain_grid: {name}")
        p = only(text, tmp_path)
        assert (p.path, p.line, p.got) == ("terrain_grid", line(text, "terrain_grid"), name)
        assert p.message.startswith("cannot read"), p.message
        assert "\n" not in str(p)


def test_non_string_unit_name() -> None:
    text = edit(BASE, "  u1:", "  12:")
    check(only(text), "units.12", line(text, "  12:"), "invalid name: Input should be a valid "
          "string", 12)


# --- several problems at once -------------------------------------------------------------------


def test_every_problem_in_a_file_is_reported() -> None:
    text = BASE
    text = edit(text, "duration: 10 min", "duration: -3 min")
    text = edit(text, "    value: 100\n", "    value: 100\n    colour: red\n")
    text = edit(text, "type: pantsir_s1", "type: patriot")
    text = edit(text, "{lat: 44.50, lon: 19.50,", "{lat: 91, lon: 19.50,")
    text = edit(text, WP1, "      - {lat: 44.93, lon: 20.25, alt: 100 m, speed: 30 km}")
    text = edit(text, "    count: 2\n", "    count: 0\n")
    found = problems(text)
    assert [(p.path, p.line, p.got) for p in found] == [
        ("duration", line(text, "duration:"), "-3 min"),
        ("assets.base.colour", line(text, "colour: red"), "red"),
        ("units.u1.type", line(text, "type: patriot"), "patriot"),
        ("threats.t1.waypoints.0.lat", line(text, "lat: 91"), 91),
        ("threats.t1.waypoints.1.speed", line(text, "speed: 30 km"), "30 km"),
        ("raids.r1.count", line(text, "count: 0"), 0),
    ]
    assert all(str(p).startswith(f"{FILE}:{p.line} {p.path}: ") for p in found)
    assert str(ScenarioError(found)).count("\n") == len(found) - 1


# --- malformed YAML, duplicate keys, documents that are not scenarios ---------------------------


@pytest.fixture(params=["libyaml", "python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each parser in turn (libyaml's C one when PyYAML has it, and PyYAML's own): the same
    problems on the same lines, in each parser's words."""
    if request.param == "libyaml":
        if not errors.LIBYAML:
            pytest.skip("PyYAML without libyaml")
        return "libyaml"
    monkeypatch.setattr(errors, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(errors, "LIBYAML", False)
    return "python"


def test_malformed_yaml_bad_indentation(yaml_parser: str) -> None:
    text = edit(BASE, "    lon: 20.27", "     lon: 20.27")
    check(only(text), "", line(text, "     lon: 20.27"),
          "malformed YAML: mapping values are not allowed "
          + ("in this context" if yaml_parser == "libyaml" else "here"))


def test_malformed_yaml_unclosed_bracket(yaml_parser: str) -> None:
    text = edit(BASE, "origin: {lat: 44.9, lon: 20.2}", "origin: {lat: 44.9, lon: 20.2")
    p = only(text)
    # detected on the next line; the message names the line the bracket opened on
    check(p, "", line(text, "duration:"), "malformed YAML: while parsing a flow mapping "
          f"(started on line {line(text, 'origin:')}): "
          + ("did not find expected ',' or '}'" if yaml_parser == "libyaml"
             else "expected ',' or '}', but got ':'"))


def test_malformed_yaml_unclosed_list_at_end_of_file(yaml_parser: str) -> None:
    text = BASE + "catalogue: [a.yaml\n"
    check(only(text), "", text.count("\n") + 1, "malformed YAML: while parsing a flow sequence "
          f"(started on line {line(text, 'catalogue:')}): "
          + ("did not find expected ',' or ']'" if yaml_parser == "libyaml"
             else "expected ',' or ']', but got '<stream end>'"))


def test_malformed_yaml_tab_indentation(yaml_parser: str) -> None:
    text = edit(BASE, "    lon: 20.27", "\tlon: 20.27")
    check(only(text), "", line(text, "\tlon"),
          "found a tab character that violates indentation" if yaml_parser == "libyaml"
          else "found character '\\t' that cannot start any token")


def _bad_character(yaml_parser: str) -> str:
    return "malformed YAML: " + ("control" if yaml_parser == "libyaml" else "special") \
        + " characters are not allowed"


@pytest.mark.parametrize("before", ["", "é€😀 "])
def test_forbidden_control_character(yaml_parser: str, before: str) -> None:
    """Located on its line, also after characters of several bytes (libyaml counts bytes)."""
    text = edit(BASE, "name: bad-input-test", "name: bad-input-test\n# " + before + "\nx: a\x07b")
    check(only(text), "", line(text, "x: a"), _bad_character(yaml_parser), "\x07")


def test_duplicate_keys_are_all_reported() -> None:
    text = edit(BASE, "    lon: 20.27\n", "    lon: 20.27\n    lon: 20.28\n")
    text = edit(text, "duration: 10 min\n", "duration: 10 min\nduration: 20 min\n")
    first, second = problems(text)
    check(first, "duration", line(text, "duration: 20 min"), "duplicate key")
    check(second, "units.u1.lon", line(text, "lon: 20.28"), "duplicate key")


@pytest.mark.parametrize("text, line_no, got", [
    ("- a\n- b\n", 1, ["a", "b"]),
    ("just a sentence\n", 1, "just a sentence"),
    ("42\n", 1, 42),
    ("# a comment\n\n[1, 2, 3]\n", 3, [1, 2, 3]),
])
def test_document_that_is_not_a_mapping(text: str, line_no: int, got: Any) -> None:
    check(only(text), "", line_no, "a scenario must be a YAML mapping", got)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "null\n"])
def test_empty_document(text: str) -> None:
    check(only(text), "", 1, "the file is empty: a scenario must be a YAML mapping")


# --- files: catalogue, unreadable, missing ------------------------------------------------------

MISSILE = """\
version: 1
missiles:
  my_sam:
    description: test missile
    kind: missile
    guidance: command
    min_range_m: {value: 50000, source: "test sheet"}
    max_range_m: {value: 20000, source: "test sheet"}
    min_alt_m: {value: 10, source: "test sheet"}
    max_alt_m: {value: 20000, source: "test sheet"}
    speed_mps: {value: 1000, source: "test sheet"}
    max_target_speed_mps: {value: 1000, assumed: "test"}
    lethal_radius_m: {value: 10, assumed: "test"}
    terminal_sigma_m: {value: 5, source: "test sheet"}
    seeker_basket_m: {value: 100, source: "test sheet"}
    airframe:
      mass_kg: {value: 80, assumed: "test"}
      propellant_kg: {value: 30, assumed: "test"}
      diameter_m: {value: 0.1, assumed: "test"}
      thrust_boost_n: {value: 28000, assumed: "test"}
      t_boost_s: {value: 2.5, assumed: "test"}
      thrust_sustain_n: {value: 0, assumed: "test"}
      t_sustain_s: {value: 0, assumed: "test"}
      isp_s: {value: 230, assumed: "test"}
      cd_scale: {value: 1, assumed: "test"}
      n_max_g: {value: 30, assumed: "test"}
      cn_max: {value: 20, assumed: "test"}
      tau_s: {value: 0.1, assumed: "test"}
      nav_ratio: {value: 4, assumed: "test"}
      loft: {value: 0, assumed: "test"}
      seeker_range_m: {value: 0, assumed: "test"}
"""


def write_catalogue(tmp_path: Path, text: str) -> tuple[str, str]:
    """The scenario text referring to catalogue ``text``, and the catalogue's reported name."""
    (tmp_path / "cat").mkdir()
    path = tmp_path / "cat" / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return BASE + "catalogue: [cat/mine.yaml]\n", str(path.resolve())


MY_FU = """\
fire_units:
  my_fu:
    description: test unit carrying the test missile
    radars: [pantsir_search, pantsir_1RS2]
    engagement_radar: pantsir_1RS2
    target_channels: {value: 1, assumed: "test"}
    missile_channels: {value: 1, assumed: "test"}
    launchers: {value: 1, assumed: "test"}
    rounds_per_launcher: {value: 4, assumed: "test"}
    loadout:
      my_sam: {value: 4, assumed: "test"}
    reaction_time_s: {value: 5, assumed: "test"}
    launch_interval_s: {value: 2, assumed: "test"}
    reload_time_s: {value: 600, assumed: "test"}
"""


def test_valid_user_catalogue_is_used(tmp_path: Path) -> None:
    # a loadout names only missiles its fire unit carries: the user's missile needs the user's
    # fire unit (tests/scenario/test_loadout_check.py)
    good = edit(MISSILE, "min_range_m: {value: 50000,", "min_range_m: {value: 500,") + MY_FU
    text, _ = write_catalogue(tmp_path, good)
    text = edit(edit(text, "    lon: 20.27\n", "    lon: 20.27\n    loadout: {my_sam: 4}\n"),
                "type: pantsir_s1", "type: my_fu")
    sc = parse_scenario(text, FILE, tmp_path)
    assert sc.units["u1"].loadout == {"my_sam": 4}
    assert sc.catalogue == [str((tmp_path / "cat" / "mine.yaml").resolve())]


def test_catalogue_missile_min_range_above_max_range(tmp_path: Path) -> None:
    text, cat = write_catalogue(tmp_path, MISSILE)
    check(only(text, tmp_path), "missiles.my_sam.min_range_m.value",
          line(MISSILE, "min_range_m:"), "min_range_m must be below max_range_m (20000)", 50000,
          file=cat)


def test_catalogue_missile_without_an_airframe(tmp_path: Path) -> None:
    good = edit(MISSILE, "min_range_m: {value: 50000,", "min_range_m: {value: 500,")
    bad = good[:good.index("    airframe:")]
    text, cat = write_catalogue(tmp_path, bad)
    check(only(text, tmp_path), "missiles.my_sam.airframe", line(bad, "my_sam:"),
          "a missile needs an airframe", file=cat)


def test_catalogue_airframe_propellant_heavier_than_the_missile(tmp_path: Path) -> None:
    good = edit(MISSILE, "min_range_m: {value: 50000,", "min_range_m: {value: 500,")
    bad = edit(good, 'propellant_kg: {value: 30,', 'propellant_kg: {value: 90,')
    text, cat = write_catalogue(tmp_path, bad)
    check(only(text, tmp_path), "missiles.my_sam.airframe.propellant_kg.value",
          line(bad, "propellant_kg:"), "propellant_kg must lie in [0, mass_kg)", 90, file=cat)


def test_catalogue_figure_without_provenance(tmp_path: Path) -> None:
    bad = edit(MISSILE, "min_range_m: {value: 50000,", "min_range_m: {value: 500,")
    bad = edit(bad, 'lethal_radius_m: {value: 10, assumed: "test"}', "lethal_radius_m: {value: 10}")
    text, cat = write_catalogue(tmp_path, bad)
    check(only(text, tmp_path), "missiles.my_sam.lethal_radius_m", line(bad, "lethal_radius_m"),
          "give exactly one of 'source' or 'assumed' with each figure", {"value": 10}, file=cat)


def test_catalogue_fire_unit_naming_unknown_radar_and_missile(tmp_path: Path) -> None:
    good = edit(MISSILE, "min_range_m: {value: 50000,", "min_range_m: {value: 500,")
    fu = good + """\
fire_units:
  my_fu:
    description: test unit
    radars: [pantsir_search, no_such_radar]
    engagement_radar: pantsir_search
    target_channels: {value: 1, assumed: "test"}
    missile_channels: {value: 1, assumed: "test"}
    launchers: {value: 1, assumed: "test"}
    rounds_per_launcher: {value: 4, assumed: "test"}
    loadout:
      my_sam: {value: 4, assumed: "test"}
      no_such_missile: {value: 2, assumed: "test"}
    reaction_time_s: {value: 5, assumed: "test"}
    launch_interval_s: {value: 2, assumed: "test"}
    reload_time_s: {value: 600, assumed: "test"}
"""
    text, cat = write_catalogue(tmp_path, fu)
    radar, missile = problems(text, tmp_path)
    check(radar, "fire_units.my_fu.radars.1", line(fu, "no_such_radar"), "unknown radar type",
          "no_such_radar", file=cat)
    check(missile, "fire_units.my_fu.loadout.no_such_missile", line(fu, "no_such_missile"),
          "unknown missile type", "no_such_missile", file=cat)


def test_catalogue_file_not_found(tmp_path: Path) -> None:
    text = BASE + "catalogue: [missing.yaml, also-missing.yaml]\n"
    first, second = problems(text, tmp_path)
    check(first, "catalogue.0", line(text, "catalogue:"), "catalogue file not found",
          "missing.yaml")
    check(second, "catalogue.1", line(text, "catalogue:"), "catalogue file not found",
          "also-missing.yaml")


@pytest.mark.parametrize("name", ["a" * 300, "a\x00b"])
def test_catalogue_name_the_os_rejects(tmp_path: Path, name: str) -> None:
    text = BASE + f"catalogue: [{name!r}]\n".replace("'", '"').replace("\\x00", "\\0")
    check(only(text, tmp_path), "catalogue.0", line(text, "catalogue:"), "catalogue file not found",
          name)


def test_malformed_catalogue_file(tmp_path: Path) -> None:
    bad = "version: 1\nmissiles: {my_sam: [1, 2\n"
    text, cat = write_catalogue(tmp_path, bad)
    p = only(text, tmp_path)
    assert (p.file, p.line, p.path) == (cat, 3, "")
    assert p.message.startswith("malformed YAML: while parsing a flow sequence (started on line 2)")


def test_load_scenario_file_reports_the_path_given(tmp_path: Path) -> None:
    path = tmp_path / "scen.yaml"
    text = edit(BASE, "type: pantsir_s1", "type: patriot")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "units.u1.type", line(text, "type: patriot"), "unknown fire unit type", "patriot",
          file=str(path))


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.replace("bad-input-test", "caf\xe9").encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "", 1, "cannot read scenario: not UTF-8 text (invalid continuation byte at byte 9)",
          b"\xe9", file=str(path))


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "", 1, "cannot read scenario: not UTF-8 text (invalid start byte at byte 0)",
          b"\x89", file=str(path))


def test_binary_but_utf8_file(tmp_path: Path, yaml_parser: str) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"name: x\n\x00\x01\x02\n")
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "", 2, _bad_character(yaml_parser), "\x00", file=str(path))


def test_nonexistent_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "", None, "cannot read scenario: No such file or directory", file=str(path))
    assert str(p) == f"{path} cannot read scenario: No such file or directory"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.yaml"
    path.mkdir()
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario(path)
    (p,) = info.value.problems
    check(p, "", None, "cannot read scenario: Is a directory", file=str(path))


def test_unknown_builtin_name() -> None:
    with pytest.raises(ScenarioError) as info:
        skyshield.load_scenario("no-such-exercise")
    (p,) = info.value.problems
    check(p, "", None, "no such built-in scenario; built-ins: slavic-shield-2019",
          file="no-such-exercise")


@pytest.mark.parametrize("odd", ["\x85", "\u2028", "\u2029"])
def test_lines_count_newlines_only(odd: str) -> None:
    """U+0085/U+2028/U+2029 break lines for YAML, not for editors: lines still match the file."""
    text = edit(BASE, "name: bad-input-test", f'name: "bad{odd}input"')
    text = edit(text, "type: pantsir_s1", "type: patriot")
    check(only(text), "units.u1.type", line(text, "type: patriot"), "unknown fire unit type",
          "patriot")
