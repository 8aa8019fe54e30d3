"""A fire-control radar's schedule (``Sensing.schedule``): which cues it holds, when it first
dwells on them, and that it lets them go when it stops radiating."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.geo import enu_to_aer
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.system import Cues, Sensing
from skyshield.sim.world import compile_world

TEXT = """
name: fc-schedule
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 60 s
terrain_elevation: 0 m
assets:
  site: {lat: 45.0, lon: 20.0, value: 10, radius: 500 m}
units:
  fu: {type: pantsir_s1, lat: 45.0, lon: 20.0, roe: weapons_hold, sensors: {sector: 180}}
"""


@pytest.fixture()
def fc():
    w = compile_world(parse_scenario(TEXT, "fc.yaml"))
    sensing = Sensing(w.radars, 1, 0, terrain_m=0.0, origin=w.origin)
    i = w.radars.name.index("pantsir_1RS2@fu")
    return sensing, i, w.radars


def _north(rs, i, ground_m: np.ndarray, alt_m: float = 3000.0) -> np.ndarray:
    """Scenario ENU positions due north of the radar (the flat-Earth approximation is enough
    for which is nearer)."""
    return np.stack([np.zeros_like(ground_m), ground_m, np.full_like(ground_m, alt_m)], axis=1)


def test_cues_fill_the_budget_nearest_first_engaged_before_all(fc):
    sensing, i, rs = fc
    n_max = int(rs.max_tracks[i])
    ground = np.array([25e3, 12e3, 18e3, 40e3, 15e3, 22e3, 9e3])  # 40 km: beyond its 30 km
    ids = np.arange(100, 100 + ground.size)
    ev = sensing.schedule(0.0, i, Cues(ids, _north(rs, i, ground)))
    held = sorted(e.track_id for e in ev)
    # the nearest four inside its coverage
    assert held == sorted(ids[np.argsort(ground)][:n_max])
    assert all(e.kind == "radar_cued" and e.value == rs.acquisition_s[i] for e in ev)
    # a track the unit engages takes a slot from the farthest held one
    first = ids == 100  # 25 km: not among the nearest four
    ev = sensing.schedule(1.0, i, Cues(ids, _north(rs, i, ground), first))
    assert [e.track_id for e in ev] == [100]
    assert 100 in sensing.held[i] and 105 not in sensing.held[i] and len(sensing.held[i]) == n_max


def test_dwells_start_after_the_acquisition_time_and_stop_when_silent(fc):
    sensing, i, rs = fc
    acq = float(rs.acquisition_s[i])
    pos = _north(rs, i, np.array([15e3]))
    cue = Cues(np.array([7]), pos)
    assert len(sensing.schedule(10.0, i, cue)) == 1
    assert sensing.dwells[i][0].size == 0  # acquiring
    sensing.schedule(10.0 + acq - 0.5, i, cue)
    assert sensing.dwells[i][0].size == 0
    assert sensing.schedule(10.0 + acq, i, cue) == []  # held: no new event
    az, el = sensing.dwells[i]
    taz, tel, _ = enu_to_aer((pos - rs.pos_m[i]) @ rs.rot[i].T)
    assert az == pytest.approx(taz) and el == pytest.approx(tel)
    # silent, then radiating again: it acquires its cue anew
    sensing.release(i)
    assert len(sensing.schedule(20.0, i, cue)) == 1
    assert sensing.dwells[i][0].size == 0
    sensing.schedule(20.0 + acq, i, cue)
    assert sensing.dwells[i][0].size == 1
    # the track gone from the picture: the slot is free
    assert sensing.schedule(30.0, i, Cues(np.zeros(0, dtype=np.int64), np.zeros((0, 3)))) == []
    assert sensing.held[i] == {}
