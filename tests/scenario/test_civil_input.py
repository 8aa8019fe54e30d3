"""Civil traffic, transponders and corridors in a scenario: what is accepted and what is refused,
each refusal located (file, line, path) in one line."""

from __future__ import annotations

import pytest

from skyshield import ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.world import compile_world

FILE = "civil.yaml"
BASE = """\
name: civil-input-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
units:
  u1: {type: pantsir_s1, lat: 44.93, lon: 20.27}
friendlies:
  mig:
    type: mig29
    squawk: "5101"
    transponder_fails_at: 2 min
    waypoints:
      - {lat: 44.5, lon: 19.5, alt: 3000 m, speed: 700 km/h}
      - {lat: 44.9, lon: 20.2, alt: 3000 m}
civil:
  a1:
    type: airliner_a320
    squawk: "0700"
    waypoints:
      - {lat: 45.6, lon: 18.9, alt: 6100 m, speed: 250 kt}
      - {lat: 44.83, lon: 20.29, alt: 112 m}
corridors:
  approach:
    use: civil
    points: [{lat: 45.6, lon: 18.9}, {lat: 44.83, lon: 20.29}]
    half_width: 5 km
    ceiling: 6700 m
    max_speed: 300 kt
c2:
  friendly_codes: ["5101"]
"""


def _problem(text: str):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, FILE)
    (p,) = info.value.problems
    return p


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln)


def test_civil_traffic_compiles_with_its_transponder():
    sc = parse_scenario(BASE, FILE)
    w = compile_world(sc)
    v = w.vehicles
    assert v.name == ["mig", "a1"]  # civil traffic after the friendlies
    assert list(v.side) == [1, 2]
    assert list(v.squawk) == [0o5101, 0o0700]
    assert list(v.mode_c) == [True, True]
    assert list(v.transponder_fails_s) == [120.0, float("inf")]
    assert list(v.ssr_reply_probability) == [0.98, 0.98]
    assert w.corridors is not None and w.corridors.name == ["approach"]
    assert w.corridors.seg_a_m.shape == (1, 2) and not w.corridors.friendly[0]


@pytest.mark.parametrize("bad, why", [
    ('"7800"', "four octal digits"), ('"123"', "four octal digits"),
    ("12345", "four octal digits"), ('"77a0"', "four octal digits")])
def test_squawk_must_be_four_octal_digits(bad, why):
    text = BASE.replace('squawk: "0700"', f"squawk: {bad}")
    p = _problem(text)
    assert (p.file, p.line, p.path) == (FILE, _line(text, f"squawk: {bad}"), "civil.a1.squawk")
    assert why in p.message


def test_unquoted_squawk_is_read_as_its_digits():
    sc = parse_scenario(BASE.replace('squawk: "0700"', "squawk: 7000"), FILE)
    assert sc.civil["a1"].squawk == "7000"


def test_civil_traffic_must_squawk():
    text = BASE.replace('    squawk: "0700"\n', "")
    p = _problem(text)
    assert p.path == "civil.a1.squawk" and "squawks a Mode 3/A code" in p.message


def test_a_type_without_a_transponder_cannot_squawk():
    text = BASE.replace("    type: mig29\n", "    type: strike_aircraft\n")
    p = _problem(text)
    assert p.path == "friendlies.mig.squawk" and "no SSR transponder" in p.message


def test_emergency_codes_cannot_be_briefed_to_own_aircraft():
    text = BASE.replace('friendly_codes: ["5101"]', 'friendly_codes: ["5101", "7700"]')
    p = _problem(text)
    assert p.path == "c2.friendly_codes" and "emergency codes" in p.message


@pytest.mark.parametrize("old, new, path, fragment", [
    ("ceiling: 6700 m", "ceiling: 0 m", "corridors.approach.ceiling", "not above the floor"),
    ("half_width: 5 km", "half_width: 0 km", "corridors.approach.half_width", "positive"),
    ("max_speed: 300 kt", "max_speed: 10 kt", "corridors.approach.max_speed", "must exceed"),
    ("points: [{lat: 45.6, lon: 18.9}, {lat: 44.83, lon: 20.29}]",
     "points: [{lat: 45.6, lon: 18.9}]", "corridors.approach.points", "at least two points"),
    ("use: civil", "use: military", "corridors.approach.use", "civil"),
    ("transponder_fails_at: 2 min", "transponder_fails_at: -1 s",
     "friendlies.mig.transponder_fails_at", "in the past"),
])
def test_bad_corridors_and_transponders_are_located(old, new, path, fragment):
    text = BASE.replace(old, new)
    p = _problem(text)
    assert p.path == path, p
    assert (p.file, p.line) == (FILE, _line(text, new)), p
    assert fragment in p.message, p
