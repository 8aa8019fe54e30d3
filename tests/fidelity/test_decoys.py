"""Decoys (MALD class) look like strike aircraft to the radar and to fire control, and draw
missiles: the summary counts the missiles spent on them.

A raid of four ``mald_decoy`` (catalogue: 3 m² — the strike aircraft's signature it mimics —,
250 m/s at 6,000 m, no warhead, category ``decoy``) flying at an S-125 Neva-M1T battery that
defends an air base, ahead of one strike aircraft (3 m², 250 m/s, 6,000 m, its target the
base). The battery fights under the exercise's default ``weapons_tight``: it engages only tracks
it identifies as hostile. The decoys fly a strike aircraft's kinematics (250 m/s at 6 km: the
``aircraft`` class of ``c2.threat.classify``, neither missile band) straight at the base (its
closest approach inside the base's radius: ``threatened``, a hostile criterion), so nothing in
the picture tells them from the striker: they are classified ``aircraft``, identified hostile
and engaged, and every round fired at one of them is a round the striker did not draw.
"""

from __future__ import annotations

import pandas as pd
import pytest
from tests.analysis.test_event_schema_contract import schema_violations

import skyshield
from skyshield.analysis.summary import SUMMARY_KEYS
from skyshield.engine.names import CATEGORIES
from skyshield.scenario.loader import parse_scenario

RAID = """
name: decoy-raid
origin: {lat: 45.0, lon: 20.0}
seed: 7
duration: 12 min
truth_interval: 5 s
assets:
  base: {lat: 45.0, lon: 20.0, value: 100, radius: 3 km}
units:
  neva: {type: s125_neva_m1t, lat: 45.0, lon: 20.0, doctrine: {salvo: 1}}
threats:
  striker:
    type: strike_aircraft
    start: 60 s
    target: base
    waypoints:
      - {lat: 45.0, lon: 18.9, alt: 6000 m, speed: 250 m/s}
      - {lat: 45.0, lon: 20.0, alt: 6000 m}
"""
DECOY = """  mald_{k}:
    type: mald_decoy
    start: {start} s
    waypoints:
      - {{lat: {lat}, lon: 18.9, alt: 6000 m, speed: 250 m/s}}
      - {{lat: {lat}, lon: 20.3, alt: 6000 m}}
"""


@pytest.fixture(scope="module")
def raid() -> skyshield.RunResult:
    text = RAID + "".join(DECOY.format(k=k, start=10 * k, lat=45.0 + 0.004 * (k - 1.5))
                          for k in range(4))
    return skyshield.run(parse_scenario(text, "decoys.yaml"))


def test_decoy_is_a_category_appended_at_the_end():
    """Stored run folders hold category indices: the five older ones keep theirs."""
    assert CATEGORIES[:5] == ("uav", "cruise_missile", "aircraft", "jammer",
                              "anti_radiation_missile")
    assert CATEGORIES[5] == "decoy"


def test_decoys_draw_missiles_and_are_counted(raid):
    ev: pd.DataFrame = raid.events
    assert not schema_violations(ev)
    spawn = ev[ev["kind"] == "spawn"]
    decoys = set(spawn.loc[spawn["target"] == "mald_decoy", "truth_id"].astype(int))
    assert len(decoys) == 4
    # the picture takes them for strike aircraft, identifies them hostile ...
    cls = ev[(ev["kind"] == "classified") & ev["truth_id"].isin(decoys)]
    assert set(cls.drop_duplicates("truth_id", keep="last")["target"]) == {"aircraft"}
    ident = ev[(ev["kind"] == "identified") & ev["truth_id"].isin(decoys)]
    assert set(ident.drop_duplicates("truth_id", keep="last")["target"]) == {"hostile"}
    # ... and fires at them
    launches = ev[ev["kind"] == "launch"]
    at_decoys = int(launches["truth_id"].isin(decoys).sum())
    assert at_decoys >= 2
    assert launches.loc[launches["truth_id"].isin(decoys), "truth_id"].nunique() >= 2
    # the summary counts them: missiles spent on decoys, their share of all fired
    s = raid.summary
    assert "decoys" in SUMMARY_KEYS
    d = s["decoys"]
    assert d["total"] == 4
    assert d["missiles_spent"] == at_decoys
    assert d["engaged"] == launches.loc[launches["truth_id"].isin(decoys), "truth_id"].nunique()
    kills = ev[(ev["kind"] == "kill") & ev["truth_id"].isin(decoys)]
    assert d["destroyed"] == kills["truth_id"].nunique()
    assert d["share_of_missiles"] == pytest.approx(at_decoys / len(launches), abs=1e-3)
    assert s["by_type"]["mald_decoy"]["engaged"] == d["engaged"]
    # no warhead: a decoy that lives completes its route and damages nothing
    ends = ev[(ev["kind"] == "route_end") & ev["truth_id"].isin(decoys)]
    assert len(ends) + len(kills) == 4
    assert not ((ev["kind"] == "leak") & ev["truth_id"].isin(decoys)).any()
