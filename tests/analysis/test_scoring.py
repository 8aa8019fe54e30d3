"""The debrief score on a hand-built engagement, every figure worked out by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skyshield.analysis.scoring import ScoreWeights, score_exercise
from skyshield.engine.events import EVENT_COLUMNS

NULLS = {"t_s": 0.0, "kind": "", "source": "", "truth_id": -1, "track_id": -1, "weapon_id": -1,
         "target": "", "value": np.nan, "x_m": np.nan, "y_m": np.nan, "z_m": np.nan, "info": "",
         "pk": np.nan, "t_pred_s": np.nan, "count": -1, "tag": ""}


def _ev(rows):
    """Events in the log's columns, every column a row does not give at its null."""
    return pd.DataFrame([NULLS | r for r in rows], columns=list(EVENT_COLUMNS))


def _fight():
    # threats 0, 1, 2 hostile; 3 a friendly aircraft. Unit A at (0, 0) reaches 20 km, unit B
    # at (100 km, 0) reaches 10 km. Threat 0 is detected at 10 s, A launches at 40 s and at
    # 45 s and kills it; threat 1 detected at 20 s, B launches at 80 s and misses, it leaks
    # and destroys 30 % of an asset worth 200; threat 2 passes A only and is killed by A at
    # 150 s after a launch at 130 s (detected 100 s); A also shoots down the friendly.
    threats = [
        {"id": 0, "side": "hostile", "fate": "destroyed", "first_detection_t_s": 10.0},
        {"id": 1, "side": "hostile", "fate": "leaked", "first_detection_t_s": 20.0},
        {"id": 2, "side": "hostile", "fate": "destroyed", "first_detection_t_s": 100.0},
        {"id": 3, "side": "friendly", "fate": "shot_down", "first_detection_t_s": 5.0},
    ]
    ev = _ev([
        {"t_s": 39.0, "kind": "engage", "source": "A", "truth_id": 0},
        {"t_s": 40.0, "kind": "launch", "source": "A", "truth_id": 0},
        {"t_s": 45.0, "kind": "launch", "source": "A", "truth_id": 0},
        {"t_s": 60.0, "kind": "kill", "source": "A", "truth_id": 0},
        {"t_s": 79.0, "kind": "engage", "source": "B", "truth_id": 1},
        {"t_s": 80.0, "kind": "launch", "source": "B", "truth_id": 1},
        {"t_s": 200.0, "kind": "impact", "truth_id": 1, "target": "base", "value": 0.3,
         "tag": "asset"},
        {"t_s": 129.0, "kind": "engage", "source": "A", "truth_id": 2},
        {"t_s": 130.0, "kind": "launch", "source": "A", "truth_id": 2},
        {"t_s": 150.0, "kind": "kill", "source": "A", "truth_id": 2},
        {"t_s": 30.0, "kind": "launch", "source": "A", "truth_id": 3},
        {"t_s": 50.0, "kind": "kill", "source": "A", "truth_id": 3, "tag": "friendly"},
    ])
    truth = pd.DataFrame({
        "t_s": [0, 10, 0, 10, 0, 10, 0], "entity_id": [0, 0, 1, 1, 2, 2, 3],
        "x_m": [30e3, 15e3, 120e3, 95e3, 5e3, 1e3, 0.0],
        "y_m": [0.0, 0.0, 5e3, 2e3, 50e3, 18e3, 0.0]})
    return threats, ev, truth


def test_scores_of_a_hand_built_fight():
    threats, ev, truth = _fight()
    w = ScoreWeights()
    s = score_exercise(ev, threats, truth, ["A", "B"], np.array([[0.0, 0.0], [100e3, 0.0]]),
                       np.array([20e3, 10e3]), {"base": 200.0, "city": 800.0}, w)
    a, b, j = s["units"]["A"], s["units"]["B"], s["joint"]
    # unit A: threats 0 and 2 came within 20 km (1 stayed beyond); 4 launches (two at threat
    # 0, one at 2, one at the friendly), 2 hostile kills
    assert a["opportunities"] == 2 and a["kills"] == 2 and a["missiles_fired"] == 4
    assert a["reaction_time_s"] == {"mean": 30.0, "median": 30.0, "n": 2}  # (40-10, 130-100)
    assert a["leakers_allowed"] == 0 and a["fratricide"] == 1
    # terms: kills 1, leakers (2 engaged - 0 leaked) / 2 = 1, value 2/2 engaged x 1,
    # economy 2/4, reaction exp(-30/60)
    base = 100 * (0.3 + 0.3 + 0.2 + 0.1 * 0.5 + 0.1 * np.exp(-0.5)) / 1.0
    assert a["score"] == pytest.approx(round(max(0.0, base - 50.0), 2))
    # unit B: threat 1 within 10 km (at 95 km, 2 km: 5.4 km away); a miss; it leaked
    assert b["opportunities"] == 1 and b["kills"] == 0 and b["leakers_allowed"] == 1
    assert b["leak_damage_value"] == pytest.approx(60.0)  # 0.3 x 200
    assert b["reaction_time_s"]["mean"] == 60.0  # 80 - 20
    # leakers: (1 engaged - 1 leaked) / 1 = 0; value 1/1 engaged x (1 - 60/1000);
    # economy is undefined (no kill): the weights in play sum to 0.9
    base_b = 100 * (0.3 * 0 + 0.3 * 0 + 0.2 * (1 - 60 / 1000) + 0.1 * np.exp(-1)) / 0.9
    assert b["score"] == pytest.approx(round(base_b, 2))
    # the group: 3 hostile threats, 2 kills, 1 leaker, 5 missiles, reactions 30, 60, 30
    assert j["opportunities"] == 3 and j["kills"] == 2 and j["leakers_allowed"] == 1
    assert j["reaction_time_s"]["mean"] == 40.0 and j["reaction_time_s"]["median"] == 30.0
    base_j = 100 * (0.3 * 2 / 3 + 0.3 * 2 / 3 + 0.2 * (1 - 60 / 1000) + 0.1 * 2 / 5
                    + 0.1 * np.exp(-40 / 60))
    assert j["score"] == pytest.approx(round(max(0.0, base_j - 50.0), 2))
    assert "score = 100" in s["formula"]


def test_an_idle_unit_scores_below_an_effective_one():
    """Unit C at (10 km, 0) reaches 25 km: threats 0 and 2 pass within its reach, A kills them
    both, C never fires. C affected nothing, so it earns nothing: the old formula credited it
    with the leakers and value terms (100·(0.3 + 0.2)/0.8 = 62.5), above A's 41.1."""
    threats, ev, truth = _fight()
    s = score_exercise(ev, threats, truth, ["A", "B", "C"],
                       np.array([[0.0, 0.0], [100e3, 0.0], [10e3, 0.0]]),
                       np.array([20e3, 10e3, 25e3]), {"base": 200.0, "city": 800.0})
    a, c = s["units"]["A"], s["units"]["C"]
    assert c["opportunities"] == 2 and c["opportunities_engaged"] == 0
    assert c["missiles_fired"] == 0 and c["leakers_allowed"] == 0
    assert c["score"] == 0.0
    assert a["score"] > c["score"]
    # without A's fratricide, A is perfect but for economy and reaction
    base = 100 * (0.3 + 0.3 + 0.2 + 0.1 * 0.5 + 0.1 * np.exp(-0.5))
    assert a["score"] == pytest.approx(round(base - 50.0, 2))


def test_a_unit_that_engages_is_credited_for_a_threat_stopped_behind_it():
    """Unit B engages threat 0 at 20 s and misses; A kills it later. B fired at one of its
    two opportunities (0 and 2) and neither leaked: leakers (1 - 0)/2, value 1/2 x 1."""
    threats, ev, truth = _fight()
    ev = pd.concat([ev, _ev([{"t_s": 20.0, "kind": "launch", "source": "B", "truth_id": 0}])],
                   ignore_index=True)
    s = score_exercise(ev, threats, truth, ["A", "B"],
                       np.array([[0.0, 0.0], [10e3, 0.0]]), np.array([20e3, 25e3]),
                       {"base": 200.0, "city": 800.0})
    b = s["units"]["B"]
    assert b["opportunities"] == 2 and b["opportunities_engaged"] == 1 and b["kills"] == 0
    # terms: kills 0, leakers 1/2, value 1/2, economy undefined, reaction exp(-35/60): the
    # mean of 20 - 10 (threat 0) and 80 - 20 (threat 1, fired at beyond its reach)
    assert b["reaction_time_s"]["mean"] == 35.0
    base = 100 * (0.3 * 0 + 0.3 * 0.5 + 0.2 * 0.5 + 0.1 * np.exp(-35 / 60)) / 0.9
    assert b["score"] == pytest.approx(round(base, 2))


def test_the_scenario_sets_the_weights():
    import skyshield
    from skyshield.scenario.loader import parse_scenario

    text = (Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml").read_text()
    sc = parse_scenario(text + "scoring: {kills: 1, leakers: 0, value: 0, economy: 0, "
                        "reaction: 0}\n", "s.yaml")
    s = skyshield.run(sc).summary["scoring"]
    assert s["weights"]["kills"] == 1.0
    j = s["joint"]
    assert j["score"] == pytest.approx(100 * min(1, j["kills"] / j["opportunities"]))

