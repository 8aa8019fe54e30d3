"""A stand-off jammer switched on when on station (`jam_from`): no jamming before, strobes after."""

import pandas as pd

import skyshield
from skyshield.scenario.loader import parse_scenario

TEXT = """
name: soj
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 3 min
terrain_elevation: 0 m
assets:
  base: {lat: 45.0, lon: 20.0, value: 10, radius: 3 km}
units:
  s400:
    type: s400_battalion
    lat: 45.0
    lon: 20.0
    roe: weapons_hold
threats:
  soj:
    type: standoff_jammer
    start: 0 s
    JAM
    waypoints:
      - {lat: 45.0, lon: 18.1, alt: 8000 m, speed: 650 km/h}
      - {lat: 45.5, lon: 18.1, alt: 8000 m}
"""


def _strobes(jam: str) -> pd.DataFrame:
    ev = skyshield.run(parse_scenario(TEXT.replace("JAM", jam), "soj.yaml"), seed=1).events
    return ev[ev["kind"] == "jam_strobe"]


def test_jammer_is_silent_until_jam_from():
    always = _strobes("")
    assert len(always) and always["t_s"].min() < 15.0  # jams from the start (the default)
    later = _strobes("jam_from: 90 s")
    assert len(later) and later["t_s"].min() >= 90.0


def test_jam_from_in_the_past_is_refused():
    import pytest

    from skyshield.scenario.errors import ScenarioError

    with pytest.raises(ScenarioError, match="jam_from"):
        parse_scenario(TEXT.replace("JAM", "jam_from: -5 s"), "soj.yaml")
