"""External (DIS) entities in the live exercise: they live as long as their simulator keeps
them up to date (re-routed at every update, at rest too), leave when it deactivates them or
stops sending (IEEE 1278.1 default time-out 12 s, 2.4 heartbeats of 5 s), and the journal
replays it all."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
import skyshield.sim.live as live
from skyshield.sim.live import LiveExercise, replay_journal

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario(SMALL)


def _ext(eid, lat, lon, vel, alt=3000.0, force="friendly"):
    return {"cmd": "external", "id": eid, "force": force, "kind": "platform", "lat": lat,
            "lon": lon, "alt": alt, "vel_enu": list(vel)}


def _no_clock(cols) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    df.loc[df["kind"] == "assignment", "value"] = 0.0
    return df


def test_an_updated_entity_outlives_its_first_route_and_one_at_rest_joins(tmp_path, sc,
                                                                           monkeypatch):
    """Dead reckoning 20 s ahead, an update every 5 s for 90 s: present all along (no route
    end of a superseded route), and an entity at rest (zero velocity) is taken too."""
    monkeypatch.setattr(live, "EXTERNAL_HORIZON_S", 20.0)
    ex = LiveExercise(sc, tmp_path / "j")
    lat = 45.3
    for t in np.arange(5.0, 100.0, 5.0):
        ex.advance(float(t))
        ex.command("system:dis", _ext("1:1:1", lat, 20.0, (0.0, 100.0, 0.0)))
        ex.command("system:dis", _ext("1:1:2", 45.2, 20.1, (0.0, 0.0, 0.0)))
        lat += 500.0 / 111_195.0
        i, j = ex.sim.external["1:1:1"], ex.sim.external["1:1:2"]
        for dt in (0.5, 2.5, 4.9):
            pos, vel, _, present = ex.sim.state(float(t) + dt)
            assert present[i] and present[j]
        assert np.linalg.norm(vel[j]) < 1e-6  # at rest stays at rest
    log = pd.DataFrame(ex.sim.log.columns())
    mine = log[log["truth_id"].isin([i, j])]
    assert not mine["kind"].isin(["route_end", "leak"]).any()
    assert (log["kind"] == "external_entity").sum() == 2  # joined once each, then re-routed


def test_removal_is_journaled_and_replayed(tmp_path, sc):
    ex = LiveExercise(sc, tmp_path / "r")
    ex.advance(10.0)
    ex.command("system:dis", _ext("2:2:2", 45.1, 20.0, (150.0, 0.0, 0.0), force="hostile"))
    i = ex.sim.external["2:2:2"]
    ex.advance(20.0)
    with pytest.raises(live.CommandError, match="no external entity"):
        ex.command("system:dis", {"cmd": "external_remove", "id": "9:9:9", "why": "timed out"})
    ex.command("system:dis", {"cmd": "external_remove", "id": "2:2:2", "why": "deactivated"})
    assert not ex.sim.state(20.0)[3][i] and "2:2:2" not in ex.sim.external
    ex.advance(40.0)
    log = pd.DataFrame(ex.sim.log.columns())
    gone = log[log["kind"] == "external_removed"]
    assert gone["truth_id"].tolist() == [i] and gone["t_s"].tolist() == [20.0]
    assert gone["info"].tolist() == ["2:2:2 deactivated"]
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, tmp_path / "r")),
                                  _no_clock(ex.sim.log.columns()))
