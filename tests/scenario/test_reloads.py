"""The scenario's ``reloads`` (rounds on a unit's transloaders; issue 21): located refusals."""

from __future__ import annotations

import pytest

from skyshield.scenario.errors import Problem, ScenarioError
from skyshield.scenario.loader import parse_scenario

FILE = "reloads.yaml"
BASE = """\
name: magazine-test
origin: {lat: 44.9, lon: 20.2}
duration: 10 min
units:
  u1:
    type: pantsir_s1
    lat: 44.93
    lon: 20.27
threats:
  t1:
    type: cruise_missile_subsonic
    waypoints:
      - {lat: 44.50, lon: 19.50, alt: 100 m, speed: 800 km/h}
      - {lat: 44.93, lon: 20.25, alt: 100 m}
"""


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1
    return text.replace(old, new)


def line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln)


def only(text: str) -> Problem:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, FILE)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_reloads_of_a_type_the_unit_cannot_carry_are_refused_where_written() -> None:
    text = edit(BASE, "    type: pantsir_s1\n", "    type: pantsir_s1\n    reloads: {3M9: 3}\n")
    p = only(text)
    assert (p.file, p.line) == (FILE, line(text, "reloads"))
    assert p.path.startswith("units.u1") and "cannot carry 3M9" in p.message, repr(p)


def test_reloads_out_of_bounds_or_unknown_are_refused() -> None:
    for bad, says in (("{57E6E: -1}", "0 to 10000 rounds"), ("{57E6E: 20000}", "0 to 10000"),
                      ("{nope: 2}", "unknown missile type")):
        text = edit(BASE, "    type: pantsir_s1\n", f"    type: pantsir_s1\n    reloads: {bad}\n")
        p = only(text)
        assert p.path == "units.u1.reloads" and says in p.message, (bad, repr(p))
        assert p.line == line(text, "reloads")


def test_reloads_that_fit_validate() -> None:
    text = edit(BASE, "    type: pantsir_s1\n", "    type: pantsir_s1\n    reloads: {57E6E: 6}\n")
    assert parse_scenario(text, FILE).units["u1"].reloads == {"57E6E": 6}
