"""A fire unit's electro-optical look (sensors.eo.look) against the kernel's ranges.

The channel acquires the target nearest its cue inside half its field of view when the target
is within the range physics.eo gives for the conditions (television: daylight only), above the
horizon; it measures angles with the channel's noise and range with the laser rangefinder
within its reach.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.physics import eo
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.eo import TV_CONTRAST, channel_range_m, look
from skyshield.sim.eo import compile_eo
from skyshield.sim.world import compile_world

TEXT = """
name: eo-look
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 60 s
units:
  neva: {type: s125_neva_m1t, lat: 45.0, lon: 20.0}
  pantsir: {type: pantsir_s1, lat: 45.0, lon: 20.0}
  s400: {type: s400_battalion, lat: 45.0, lon: 20.0}
"""
AIRCRAFT = 2  # engine.names.CATEGORIES index
AREA = 12.0


@pytest.fixture(scope="module")
def setup():
    w = compile_world(parse_scenario(TEXT, "eo.yaml"))
    es = compile_eo(w)
    assert es is not None
    return w, es


def _look(w, es, unit, tgt_local, cue_local=None, vis=20e3, day=True, seed=0):
    eng = int(w.engagement_radar[unit])
    rs = w.radars
    pos, rot = rs.pos_m[eng], rs.rot[eng]
    tgt = pos + np.atleast_2d(tgt_local) @ rot
    cue = tgt[:1] if cue_local is None else pos + np.atleast_2d(cue_local) @ rot
    n = tgt.shape[0]
    return look(es, unit, pos, rot, float(rs.height_agl_m[eng]), cue, tgt,
                tgt[:, 2] + 1000.0, np.full(n, AREA), np.full(n, AIRCRAFT), vis, day,
                np.random.default_rng(seed))


def _north(r_m, alt_m=3000.0):
    return np.array([0.0, math.sqrt(r_m**2 - alt_m**2), alt_m])


def test_systems_compiled(setup):
    w, es = setup
    assert list(es.has_eo) == [True, True, False]
    assert sorted(es.name) == ["ir", "tv", "tv"]
    assert es.laser_range_m[0] == 0 and es.laser_range_m[1] == 15000.0


def test_acquisition_at_the_kernel_range(setup):
    w, es = setup
    tv = int(np.flatnonzero(es.unit == 0)[0])
    r = float(channel_range_m(es, np.array([tv]), np.array([AREA]), np.array([AIRCRAFT]),
                              20e3, True)[0, 0])
    want = min(20e3 * math.log(TV_CONTRAST[AIRCRAFT] / es.threshold[tv]) / math.log(20),
               math.sqrt(AREA) / (2 * es.ifov_rad[tv]))
    assert r == pytest.approx(want, abs=1e-6)
    assert r == pytest.approx(float(eo.detection_range_m(
        math.sqrt(AREA), es.ifov_rad[tv], 1.0, 0.5, es.threshold[tv],
        eo.extinction_per_m(20e3))), abs=1e-6)
    assert _look(w, es, 0, _north(r - 20.0)).target[0] == 0
    assert _look(w, es, 0, _north(r + 20.0)).target[0] == -1


def test_television_is_blind_at_night_thermal_is_not(setup):
    w, es = setup
    assert _look(w, es, 0, _north(8000.0), day=False).target[0] == -1
    got = _look(w, es, 1, _north(8000.0), day=False)
    assert got.target[0] == 0 and es.name[got.channel[0]] == "ir"


def test_cue_must_put_the_target_in_the_field(setup):
    w, es = setup
    tgt = _north(8000.0)
    half = float(es.fov_rad[es.unit == 0][0]) / 2
    r = np.linalg.norm(tgt)
    for off, seen in [(0.9 * half, True), (1.1 * half, False)]:
        cue = tgt + np.array([r * math.tan(off), 0.0, 0.0])  # rotated about the unit in azimuth
        assert bool(_look(w, es, 0, tgt, cue).target[0] == 0) is seen
    # two targets in the field: the one nearest the cue's direction
    two = np.vstack([_north(8000.0), _north(8000.0) + np.array([60.0, 0.0, 0.0])])
    assert _look(w, es, 0, two, two[1] + np.array([5.0, 0.0, 0.0])).target[0] == 1


def test_below_the_horizon_nothing(setup):
    w, es = setup
    # 30 m high at 40 km: beyond the 4/3-Earth horizon of a 6 m antenna (~32 km)
    assert _look(w, es, 1, np.array([0.0, 40e3, 30.0]), vis=300e3).target[0] == -1


def test_measurements(setup):
    w, es = setup
    tgt = _north(9000.0)
    az, el = 0.0, math.asin(3000.0 / 9000.0)
    n = 400
    got = [_look(w, es, 1, tgt, seed=s) for s in range(n)]
    sig = got[0].sigma_angle_rad[0]
    d_az = np.array([(g.az_rad[0] - az + np.pi) % (2 * np.pi) - np.pi for g in got])
    d_el = np.array([g.el_rad[0] - el for g in got])
    lrf = np.array([g.lrf_range_m[0] for g in got])
    # noise of the channel's σ (4-σ bounds on the sample statistics)
    assert abs(d_az.mean()) < 4 * sig / math.sqrt(n) and abs(d_el.mean()) < 4 * sig / math.sqrt(n)
    assert d_az.std() == pytest.approx(sig, rel=4 / math.sqrt(2 * n))
    assert lrf.mean() == pytest.approx(9000.0, abs=4 * 5.0 / math.sqrt(n))
    # beyond the rangefinder's 15 km, and for the S-125 (none): angles only
    assert np.isnan(_look(w, es, 1, _north(16000.0), vis=300e3).lrf_range_m[0])
    assert np.isnan(_look(w, es, 0, tgt).lrf_range_m[0])
