"""Issue 22, "a loitering target keeps one track number for as long as it is seen": a MALE UAV
(1 m², 180 km/h, 5 km altitude) loiters for 40 min on a circle of 10 km diameter centred 60 km
east of an S-400 battalion (weapons hold), whose 92N6E revisits every 1 s and 91N6E every 10 s.

Why one number should last the whole 40 min:
* coasting cannot end the track: the 92N6E's Pd at 60 km against 1 m² follows from its
  catalogue calibration (SNR 12.77 dB = Pd 0.5 at 250 km against 1 m², SNR ∝ R⁻⁴): SNR ×
  (250/60)⁴ ≈ 37.6 dB, Pd = pfa^(1/(1+SNR)) ≈ 0.997 at its pfa of 1e-8 (Swerling 1), so the
  chance that the 30 s coast time passes without a plot (30 misses in a row) is ≈ 1e-76;
* the route is piecewise linear, so the circle is an octagon whose vertices turn the velocity
  by 45° at once (Δv = 2·50·sin 22.5° ≈ 38 m/s): one 1 s scan later the plot lies up to 38 m
  off a constant-velocity prediction whose gate, with the 92N6E's ~8 m accuracy, is about as
  wide. Before the fix the plot missed the gate at most vertices and started a new track that
  confirmed 2 s later: 8 track numbers in 40 min. The tracker now continues
  the old number when a confirming track starts where the lost one's target can have gone
  (:meth:`skyshield.tracking.tracker.Tracker._stitch`).
"""

from __future__ import annotations

import math

import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario

LAT0, LON0 = 45.0, 20.0
KM_PER_DEG_LAT = 111.13
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(LAT0))


def loiter_scenario(corners: int = 8, laps: int = 6, dist_km: float = 60.0,
                    radius_km: float = 5.0) -> str:
    wps = []
    for i in range(laps * corners + 1):
        a = 2 * math.pi * i / corners
        x, y = dist_km + radius_km * math.cos(a), radius_km * math.sin(a)
        speed = ", speed: 180 km/h" if i == 0 else ""
        wps.append(f"      - {{lat: {LAT0 + y / KM_PER_DEG_LAT:.6f}, "
                   f"lon: {LON0 + x / KM_PER_DEG_LON:.6f}, alt: 5000 m{speed}}}")
    return f"""
name: loiter
origin: {{lat: {LAT0}, lon: {LON0}, alt: 0 m}}
duration: 40 min
terrain_elevation: 0 m
truth_interval: 2 s
assets:
  base: {{lat: {LAT0}, lon: {LON0}, value: 10, radius: 500 m}}
units:
  s400:
    type: s400_battalion
    lat: {LAT0}
    lon: {LON0}
    roe: weapons_hold
threats:
  uav:
    type: male_recon_uav
    start: 0 s
    waypoints:
""" + "\n".join(wps) + "\n"


@pytest.fixture(scope="module")
def run():
    return skyshield.run(parse_scenario(loiter_scenario(), "loiter.yaml"), seed=1)


def test_the_loitering_uav_keeps_one_track_number(run):
    tr = run.tracks
    on_uav = tr[(tr.status == 2) & (tr.truth_id == 0)]
    assert on_uav.track_id.nunique() == 1, on_uav.groupby("track_id").t_s.agg(["min", "max"])
    # held from the first minute to the end of the exercise
    assert on_uav.t_s.min() < 60.0
    assert on_uav.t_s.max() > 40 * 60 - 5.0


def test_the_summary_counts_no_change_of_number(run):
    si = run.summary["air_picture"]["siap"]
    assert si["id_changes"] == 0 and si["track_breaks"] == 0 and si["id_swaps"] == 0
    assert si["ambiguity"] == 1.0  # no second track on it while the first coasts
    assert si["completeness"] > 0.99
