"""The summary's civil-traffic counts: a civil aircraft is safe or shot down, never a threat."""

import pandas as pd

from skyshield.analysis.summary import SUMMARY_KEYS, summarise
from skyshield.engine.events import EVENT_COLUMNS


def _events(rows):
    base = {c: "" for c in EVENT_COLUMNS}
    base.update({"truth_id": -1, "track_id": -1, "weapon_id": -1, "count": -1,
                 "value": float("nan"), "pk": float("nan")})
    return pd.DataFrame([{**base, **r} for r in rows], columns=list(EVENT_COLUMNS))


def test_civil_traffic_is_counted_apart_from_threats_and_friends():
    vehicles = pd.DataFrame({"name": ["cm", "mig", "a1", "a2"],
                             "type": ["cruise_missile_subsonic", "mig29", "airliner_a320",
                                      "airliner_a320"],
                             "category": ["cruise_missile", "aircraft", "aircraft", "aircraft"],
                             "side": ["hostile", "friendly", "civil", "civil"]})
    ev = _events([
        {"t_s": 10.0, "kind": "launch", "source": "pantsir", "truth_id": 0, "target": "57E6E"},
        {"t_s": 11.0, "kind": "launch", "source": "pantsir", "truth_id": 3, "target": "57E6E"},
        {"t_s": 20.0, "kind": "kill", "source": "pantsir", "truth_id": 3, "tag": "civil"},
        {"t_s": 30.0, "kind": "route_end", "truth_id": 2, "tag": "civil"},
    ])
    s = summarise(ev, vehicles, pd.DataFrame({"name": [], "value": []}), "t", 1, 60.0, 0.0)
    assert (s["threats_total"], s["friendly_total"], s["civil_total"]) == (1, 1, 2)
    assert (s["civil_engaged"], s["civil_shot_down"], s["fratricide"]) == (1, 1, 0)
    assert s["threats_engaged"] == 1
    fates = {t["name"]: t["fate"] for t in s["threats"]}
    assert fates["a1"] == "safe" and fates["a2"] == "shot_down"
    assert {"civil_total", "civil_engaged", "civil_shot_down"} <= set(SUMMARY_KEYS)
