"""Magazines, reloads and the cost of what is fired, over a whole engagement (issue 21).

A Kub-M battery with one launcher's worth of missiles (3 × 3M9) and one reload of 3 on its
transloaders holds a corridor that eight Predator-class UAVs fly through one after another. A
battery commander predicts, from the catalogue's figures alone:

* it fires its three ready rounds, then nothing until a crew has reloaded the launcher: the
  reload starts when the third round leaves and takes the catalogue's ``reload_time_s`` of the
  Kub-M (900 s, assumed there) — no launch in between;
* after the reload it can fire three more and then it is dry: never more than 3 + 3 rounds;
* what it fired cost the rounds fired × the catalogue's price of a 3M9 (assumed USD 100,000),
  and the summary's rounds left are the 6 it held less those fired.

The expected values come from the scenario and the catalogue's figures, not from the engine.
"""

from __future__ import annotations

import pytest

import skyshield
from skyshield.scenario.catalogue import builtin_catalogue_path, load_catalogue
from skyshield.scenario.loader import parse_scenario

KM_PER_DEG_LAT = 111.13  # WGS84 meridian degree near 45° N (NGA TR8350.2 §3)
N_UAV = 8


def _scenario() -> str:
    threats = "\n".join(f"""  uav{k}:
    type: male_recon_uav
    start: {k * 120} s
    waypoints:
      - {{lat: {45.0 + 30 / KM_PER_DEG_LAT:.6f}, lon: 20.04, alt: 3000 m, speed: 37.5 m/s}}
      - {{lat: {45.0 - 30 / KM_PER_DEG_LAT:.6f}, lon: 20.04, alt: 3000 m}}""" for k in range(N_UAV))
    return f"""
name: kub-magazine
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: 45 min
terrain_elevation: 0 m
truth_interval: 10 s
units:
  kub:
    type: kub_m
    lat: 45.0
    lon: 20.0
    roe: weapons_free
    doctrine: {{salvo: 1}}
    loadout: {{3M9: 3}}
    reloads: {{3M9: 3}}
threats:
{threats}
"""


@pytest.fixture(scope="module")
def result() -> skyshield.RunResult:
    return skyshield.run(parse_scenario(_scenario(), "magazine.yaml"), seed=3)


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(builtin_catalogue_path())


def test_no_launch_while_the_launcher_is_being_reloaded(result, catalogue):
    ev = result.events
    launches = ev[ev["kind"] == "launch"].reset_index(drop=True)
    reload_s = catalogue.fire_units["kub_m"].reload_time_s.value
    assert reload_s == 900.0
    assert len(launches) >= 4, "the corridor holds enough targets to empty the launcher"
    third = float(launches.loc[2, "t_s"])
    started = ev[(ev["kind"] == "reload") & (ev["tag"] == "started")]
    loaded = ev[(ev["kind"] == "reload") & (ev["tag"] == "loaded")]
    assert len(started) == 1 and len(loaded) == 1
    assert float(started["t_s"].iloc[0]) == pytest.approx(third)
    assert int(started["count"].iloc[0]) == 3
    assert float(loaded["t_s"].iloc[0]) == pytest.approx(third + reload_s)
    assert float(started["t_pred_s"].iloc[0]) == pytest.approx(third + reload_s)
    # nothing on the rails between the third launch and the end of the reload
    assert float(launches.loc[3, "t_s"]) >= third + reload_s
    # the launch events count the rounds still ready: 2, 1, 0, then after the reload 2, ...
    assert launches["count"].tolist()[:4] == [2, 1, 0, 2]


def test_never_more_than_loadout_plus_reloads(result):
    ev = result.events
    assert int((ev["kind"] == "launch").sum()) <= 6


def test_the_summary_counts_rounds_left_and_cost(result, catalogue):
    s = result.summary
    fired = int((result.events["kind"] == "launch").sum())
    price = catalogue.missiles["3M9"].cost_usd.value
    assert price == 1.0e5
    a = s["ammunition"]
    kub = a["by_unit"]["kub"]["3M9"]
    assert kub["fired"] == fired and kub["loaded"] == 3 and kub["reloads"] == 3
    assert kub["ready"] + kub["being_loaded"] + kub["on_transloaders"] == 6 - fired
    assert a["rounds_left"] == 6 - fired
    assert a["cost_spent_usd"] == pytest.approx(fired * price)
    assert a["rounds_of_unknown_cost"] == 0


def test_a_unit_without_reloads_stays_dry(catalogue):
    text = _scenario().replace("reloads: {3M9: 3}", "reloads: {}")
    ev = skyshield.run(parse_scenario(text, "magazine.yaml"), seed=3).events
    assert int((ev["kind"] == "launch").sum()) == 3
    assert not (ev["kind"] == "reload").any()

