"""Magazines, reloads and the cost of what is fired, over a whole engagement (issue 21).

A Kub-M battery with one launcher's worth of missiles (3 × 3M9) and one reload of 3 on its
transloaders holds a corridor that eight Predator-class UAVs fly through one after another. A
battery commander predicts, from the catalogue's figures alone:

* every round that leaves the rails is replaced ("top up in every lull"): one of its two crews
  (``transloaders``) starts to load a round at once, or as soon as a crew is free, while the
  transloaders have rounds; a round takes a third of the catalogue's ``reload_time_s`` for
  the three-round launcher (900 s, assumed there): 300 s;
* no launch without a round ready: the launches count 3 − fired + loaded so far;
* it fires the three on the rails and the three reloads, then it is dry: never more than 3 + 3;
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


def test_every_round_fired_is_reloaded_and_none_fired_unready(result, catalogue):
    ev = result.events
    reload_s = catalogue.fire_units["kub_m"].reload_time_s.value
    assert reload_s == 900.0
    per_round = reload_s / 3  # the Kub-M's launcher holds 3 (catalogue rounds_per_launcher)
    launches = ev[ev["kind"] == "launch"]
    assert len(launches) >= 4, "the corridor holds enough targets to need the reloads"
    # the battery commander's bookkeeping, by hand: 2 crews, 3 rounds on the transloaders
    crews_free_at: list[float] = [0.0, 0.0]
    stock, waiting, ready = 3, 0, 3
    expected_starts: list[float] = []
    done_at: list[float] = []
    for t in launches["t_s"].astype(float):
        for d in sorted(done_at):  # reloads finished before this launch
            if d <= t:
                ready += 1
                done_at.remove(d)
        assert ready >= 1, f"a launch at {t} s with no round ready"
        ready -= 1
        waiting += 1
        while waiting and stock:
            crews_free_at.sort()
            start = max(t, crews_free_at[0])  # a busy crew starts when it is free
            crews_free_at[0] = start + per_round
            expected_starts.append(start)
            done_at.append(start + per_round)
            stock -= 1
            waiting -= 1
    started = ev[(ev["kind"] == "reload") & (ev["tag"] == "started")]
    loaded = ev[(ev["kind"] == "reload") & (ev["tag"] == "loaded")]
    assert (started["count"] == 1).all()
    assert started["t_s"].astype(float).tolist() == pytest.approx(expected_starts)
    assert (started["t_pred_s"] - started["t_s"]).tolist() == pytest.approx(
        [per_round] * len(started))
    assert sorted(loaded["t_s"].astype(float)) == pytest.approx(
        sorted(t + per_round for t in expected_starts[:len(loaded)]))
    # the launch events count the rounds still ready: 3 − fired + loaded before it
    ld = loaded["t_s"].astype(float).to_numpy()
    for i, (t, n) in enumerate(zip(launches["t_s"].astype(float), launches["count"],
                                   strict=True)):
        assert int(n) == 3 - (i + 1) + int((ld <= t).sum())


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

