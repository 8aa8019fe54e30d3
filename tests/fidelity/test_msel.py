"""A scripted exercise (the scenario's MSEL) changes the fight at its instants, as the rules say.

Two drills a planner scripts, each flown through the whole kill chain and compared with what the
rules of engagement and the autonomy rules predict (worked out in each test's docstring), and
with the same scenario without its MSEL:

* weapons hold until 30 min, then weapons free (``roe`` at 30 min);
* a fire unit's link to the joint command post cut at a scripted time, and restored
  (``cut_link`` / ``restore_link``): who fires changes, and changes back.
"""

from __future__ import annotations

import pandas as pd
import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario


def _run(text: str, seed: int | None = None) -> pd.DataFrame:
    return skyshield.run(parse_scenario(text, "msel.yaml"), seed=seed).events


def _without_msel(text: str) -> str:
    return text.split("msel:")[0]


HOLD_THEN_FREE = """
name: hold-then-free
origin: {lat: 45.0, lon: 20.0}
seed: 3
duration: 40 min
truth_interval: 10 s
assets:
  base: {lat: 45.0, lon: 20.0, value: 100, radius: 3 km}
units:
  pantsir: {type: pantsir_s1, lat: 45.0, lon: 20.0, roe: weapons_hold}
threats:
  uav:   # a reconnaissance drone on a racetrack 10 km north of the battery, 24 to 40 min
    type: male_recon_uav
    start: 24 min
    waypoints:
      - {lat: 45.09, lon: 19.95, alt: 3000 m, speed: 50 m/s}
      - {lat: 45.09, lon: 20.05, alt: 3000 m}
      - {lat: 45.09, lon: 19.95, alt: 3000 m}
      - {lat: 45.09, lon: 20.05, alt: 3000 m}
      - {lat: 45.09, lon: 19.95, alt: 3000 m}
      - {lat: 45.09, lon: 20.05, alt: 3000 m}
msel:
  - {at: 30 min, cmd: roe, unit: pantsir, roe: weapons_free}
"""


@pytest.mark.slow
def test_weapons_hold_until_30_min_then_free():
    """The drone flies its racetrack 0.09° (10.0 km) north of the Pantsir at 3,000 m, ±0.05° of
    longitude (±3.9 km) either side: 10.4–11.2 km slant range, inside the 57E6E's 20 km from the
    moment it appears (24:00) to the end (40:00). The Pantsir's search radar confirms it within
    a few seconds.

    * Weapons free from the start (the same scenario, no MSEL, ``roe: weapons_free``): engaged at
      the first fire-control cycle after confirmation and launched the reaction time (5 s) later —
      before 30 min. So the target *was* engageable before 30 min.
    * Weapons hold, then ``roe: weapons_free`` at 30:00 by the MSEL: not one launch before 30:00
      (the reason logged: rules of engagement); the ROE change at exactly 1800 s (the command runs
      after everything else at its instant, so the fire-control cycle at 1800 s still holds); the
      engagement at the next cycle, 1802 s (cycle 2 s), the launch 5 s later, 1807 s; then the kill.
    """
    free = _run(_without_msel(HOLD_THEN_FREE).replace("roe: weapons_hold", "roe: weapons_free"))
    launches = free[free["kind"] == "launch"]
    assert len(launches) and launches["t_s"].min() < 25 * 60  # engageable well before 30 min

    ev = _run(HOLD_THEN_FREE)
    cmd = ev[ev["kind"] == "command"]
    assert cmd[["t_s", "source", "target"]].values.tolist() == [[1800.0, "msel", "roe"]]
    roe = ev[ev["kind"] == "roe_change"]
    assert roe[["t_s", "source", "target"]].values.tolist() == [[1800.0, "pantsir",
                                                                 "weapons_free"]]
    before = ev[ev["t_s"] < 1800.0]
    assert not before["kind"].isin(["engage", "launch"]).any()
    assert (before[before["kind"] == "no_fire"]["tag"] == "rules of engagement").any()
    engage = ev[ev["kind"] == "engage"]
    launch = ev[ev["kind"] == "launch"]
    assert engage["t_s"].min() == 1802.0 and engage["source"].iloc[0] == "pantsir"
    assert launch["t_s"].min() == 1807.0
    kills = ev[(ev["kind"] == "kill") & (ev["truth_id"] == 0)]
    assert len(kills) == 1 and kills["t_s"].iloc[0] > 1807.0


LINK_CUT = """
name: link-cut
origin: {lat: 45.0, lon: 20.0}
seed: 5
duration: 11 min
truth_interval: 10 s
assets:
  base: {lat: 45.0, lon: 20.0, value: 100, radius: 3 km}
units:   # two Pantsir-S1 batteries on one site, alpha 0.001° (111 m) nearer the threat axis
  alpha: {type: pantsir_s1, lat: 45.051, lon: 20.0, roe: weapons_free}
  bravo: {type: pantsir_s1, lat: 45.05, lon: 20.0, roe: weapons_free}
c2: {assignment: greedy}
raids:
  first:  {type: cruise_missile_subsonic, count: 1, start: 1 min, from: {lat: 45.3, lon: 20.0},
           to: base, alt: 300 m}
  second: {type: cruise_missile_subsonic, count: 1, start: 5 min, from: {lat: 45.3, lon: 20.0},
           to: base, alt: 300 m}
  third:  {type: cruise_missile_subsonic, count: 1, start: 8 min, from: {lat: 45.3, lon: 20.0},
           to: base, alt: 300 m}
msel:
  - {at: 4 min, cmd: cut_link, unit: alpha}
  - {at: 7 min, cmd: restore_link, unit: alpha}
"""


def _engages(ev: pd.DataFrame, truth: int) -> pd.DataFrame:
    return ev[(ev["kind"] == "engage") & (ev["truth_id"] == truth)]


@pytest.mark.slow
def test_a_link_cut_at_a_scripted_time_changes_who_fires():
    """Two Pantsir-S1 batteries on one site 5.6 km north of the base (alpha 111 m nearer the
    threat axis), three cruise missiles flying due south at 300 m from 28 km north of the site,
    at 1, 5 and 8 min. Fire control assigns greedily (``c2.assignment: greedy``): each threat to
    the unit that promises the earliest intercept among those whose engagement radar holds the
    track — the two share one fused track and, but for 111 m, one geometry, so it is the one
    whose radar holds the track first (the radars' scan phases differ), and the other when that
    one is busy or re-engages.

    The MSEL cuts alpha's link at 4 min and restores it at 7 min. The autonomy rules
    (``c2.system``): the joint command post plans only the units it reaches; a unit cut off
    fights alone on the tracks its own radars hold, knowing only its own missiles in the air.
    So, for the second missile (flying while the link is cut):

    * without the MSEL, the command post orders both batteries at it as it sees fit — alpha
      among them — every order ``joint``;
    * with it, every order of the command post for that missile is bravo's (alpha is no longer
      its to give orders to), and alpha engages it on its own (tag ``autonomous``, or
      ``duplicate`` when bravo already has it: alpha does not know): both batteries engage it.
      ``link_lost`` is logged for alpha by the first fire-control cycle after the cut that has a
      track (a cycle without tracks does nothing), ``link_restored`` likewise after the restore;
    * the first missile (before the cut) is the same fight, event for event, in both runs; the
      third (after the restore) is alpha's again, every order of alpha's ``joint``.
    """
    base = _run(_without_msel(LINK_CUT))
    assert ("alpha", "joint") in set(zip(_engages(base, 1)["source"], _engages(base, 1)["tag"],
                                         strict=True))
    assert set(base[base["kind"] == "engage"]["tag"]) == {"joint"}

    ev = _run(LINK_CUT)
    second = _engages(ev, 1)
    assert set(second[second["tag"] == "joint"]["source"]) == {"bravo"}
    assert set(second[second["source"] == "alpha"]["tag"]) <= {"autonomous", "duplicate"}
    assert (second["source"] == "alpha").any()
    assert set(second["source"]) == {"alpha", "bravo"}  # both engaged the second missile
    launched = ev[(ev["kind"] == "launch") & (ev["truth_id"] == 1)]
    assert len(launched)  # (a launch finding its target assessed killed is aborted)
    third = _engages(ev, 2)
    assert set(third[third["source"] == "alpha"]["tag"]) == {"joint"}
    assert set(third["tag"]) == {"joint"}
    lost = ev[ev["kind"] == "link_lost"]
    back = ev[ev["kind"] == "link_restored"]
    assert lost["source"].tolist() == ["alpha"] and back["source"].tolist() == ["alpha"]
    assert 240.0 <= lost["t_s"].iloc[0] <= second["t_s"].min()
    assert 420.0 <= back["t_s"].iloc[0] <= third["t_s"].min()
    # the scripted commands are events of their own, from the MSEL, at their instants
    cmd = ev[ev["kind"] == "command"]
    assert cmd[["t_s", "source", "target"]].values.tolist() == [
        [240.0, "msel", "cut_link"], [420.0, "msel", "restore_link"]]
    # before the cut, the two runs are the same fight, event for event
    pd.testing.assert_frame_equal(ev[ev["t_s"] < 240.0].reset_index(drop=True),
                                  base[base["t_s"] < 240.0].reset_index(drop=True))
