"""Issue item 3, "Interceptors fly at about half their stated speed": whole engagements of one
fire unit firing one missile type at a non-manoeuvring aircraft flying straight at it, timed
(doctrine ``firing_range``) so the intercept falls at about half and 80 % of the missile's
catalogue range.

What an air-defence officer expects of a boost-coast (or boost-ramjet) interceptor: it burns
out near its peak speed within seconds and then slows, so over an engagement its average speed
(launcher-to-intercept distance / flight time) lies below the peak but well above half of it
while the flight is mostly in thin air or short: here between 0.45 and 0.95 × the peak speed
figure each airframe is calibrated to (quoted below with the catalogue's own ``assumed`` text:
no brochure page with these speeds could be checked). The old airframes flew the 48N6E3 50 km
in 84 s and 200 km in 337 s (an average of 0.30-0.38 × a 2 km/s peak); fire control's
predicted time of flight (the launch event's value) is the flown one.
"""

from __future__ import annotations

import math

import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario

M_PER_DEG_LAT = 111_132.0  # WGS84 meridian arc per degree of latitude at 45° N (about)

# peak speed figure (m/s) each airframe is calibrated to, the fire unit that carries the
# missile, and the target's height (inside the engagement radar's 4/3-Earth horizon at the
# launch range: a 12 km target is above the horizon of a 10 m mast out to ~460 km)
CASES = {
    # catalogue 48N6E3 propellant_kg: "peak about 2,000 m/s, the figure commonly printed for
    # the 48N6 family; no brochure page could be checked, so assumed"
    "48N6E3": (2000.0, "s400_battalion", 12000.0),
    # catalogue 40N6E propellant_kg: "no published speed found: peak assumed about 2,000 m/s
    # as for the 48N6 family it succeeds"
    "40N6E": (2000.0, "s400_battalion", 12000.0),
    # catalogue 9M96E2 propellant_kg: "peak about 1,300 m/s assumed: no published speed of the
    # 9M96E2 could be checked"
    "9M96E2": (1300.0, "s400_battalion", 10000.0),
    # catalogue 57E6E propellant_kg: "burnout about 1,300 m/s, commonly printed for the 57E6;
    # assumed: no brochure page could be checked"
    "57E6E": (1300.0, "pantsir_s1", 3000.0),
    # catalogue 5V27 propellant_kg: "peak about Mach 3.5, ~1,100 m/s, as commonly printed for
    # the SA-3; assumed: no source page could be checked"
    "5V27": (1100.0, "s125_neva_m1t", 5000.0),
    # catalogue 3M9 propellant_kg: "ramjet-sustained near Mach 2.8, ~950 m/s, as commonly
    # printed for the SA-6; assumed: no source page could be checked"
    "3M9": (950.0, "kub_m", 3000.0),
}
MAX_RANGE_M = {"48N6E3": 250e3, "40N6E": 400e3, "9M96E2": 120e3, "57E6E": 20e3, "5V27": 25e3,
               "3M9": 22e3}
TARGET_MPS = 250.0  # the strike_aircraft's catalogue cruise speed


def _scenario(missile: str, unit_type: str, height_m: float, fraction: float) -> str:
    """The fire unit at the origin; a strike aircraft from due north straight over it at
    ``height_m``, starting far enough out that the intercept, at ``fraction`` of the range,
    comes after detection, tracking and the unit's reaction."""
    peak = CASES[missile][0]
    r_int = fraction * MAX_RANGE_M[missile]
    start = r_int + TARGET_MPS * (r_int / (0.4 * peak) + 120.0)
    lat0 = 45.0 + start / M_PER_DEG_LAT
    lat1 = 45.0 - 50e3 / M_PER_DEG_LAT
    duration = (start + 50e3) / TARGET_MPS
    return f"""
name: speed-{missile}
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: {duration:.0f} s
terrain_elevation: 0 m
truth_interval: 5 s
assets:
  site: {{lat: 45.0, lon: 20.0, value: 10, radius: 500 m}}
units:
  fu:
    type: {unit_type}
    lat: 45.0
    lon: 20.0
    roe: weapons_free
    loadout: {{{missile}: 4}}
    doctrine: {{salvo: 1, firing_range: {fraction}}}
threats:
  jet:
    type: strike_aircraft
    start: 0 s
    waypoints:
      - {{lat: {lat0:.6f}, lon: 20.0, alt: {height_m:.0f} m, speed: {TARGET_MPS * 3.6:.0f} km/h}}
      - {{lat: {lat1:.6f}, lon: 20.0, alt: {height_m:.0f} m}}
"""


def _first_flight(missile: str, fraction: float) -> tuple[float, float, float]:
    """Flight time (s), launcher-to-fuzing-point distance (m) and fire control's predicted
    time of flight (s) of the unit's first missile."""
    peak, unit_type, h = CASES[missile]
    sc = parse_scenario(_scenario(missile, unit_type, h, fraction), f"speed-{missile}.yaml")
    ev = skyshield.run(sc, seed=1).events
    la = ev[ev["kind"] == "launch"].sort_values("t_s")
    assert len(la), "no launch"
    first = la.iloc[0]
    ic = ev[(ev["kind"] == "intercept") & (ev["weapon_id"] == first["weapon_id"])]
    assert len(ic) == 1, "the first missile never reached its aim point"
    hit = ic.iloc[0]
    dist = math.dist((hit["x_m"], hit["y_m"], hit["z_m"]),
                     (first["x_m"], first["y_m"], first["z_m"]))
    return float(hit["t_s"] - first["t_s"]), dist, float(first["value"])


NINE_M96E2_SLOW = pytest.mark.xfail(strict=True, reason=(
    "the 9M96E2 airframe burns 8 s and coasts: 96 km in 171 s, 561 m/s = 0.43 x its assumed "
    "1,300 m/s peak (0.49 x at 60 km); a longer burn or a sustain phase would need a "
    "recalibration with bench/airframe_calibration.py"))


@pytest.mark.parametrize(("missile", "fraction"), [
    pytest.param(m, f, marks=NINE_M96E2_SLOW) if (m, f) == ("9M96E2", 0.8) else (m, f)
    for m in CASES for f in (0.5, 0.8)])
def test_interceptor_average_speed_is_near_its_peak_figure(missile, fraction):
    peak = CASES[missile][0]
    t_fl, dist, tof_pred = _first_flight(missile, fraction)
    # the intercept falls inside the doctrine's firing range, or nearer when the engagement
    # radar first holds the 3 m² aircraft later (the 40N6E's at about 270 of 320 km)
    r = fraction * MAX_RANGE_M[missile]
    assert 0.6 * r <= dist <= r + 2e3, dist
    # launch -> intercept time inside the band from the peak speed figure
    assert dist / (0.95 * peak) <= t_fl <= dist / (0.45 * peak), (t_fl, dist, dist / t_fl)
    # fire control planned the flight it got (2 s or 5 %)
    assert abs(tof_pred - t_fl) <= max(2.0, 0.05 * t_fl), (tof_pred, t_fl)
    if missile == "48N6E3":
        # beyond 50 km the old airframe averaged 762 m/s (issue item 3)
        assert dist / t_fl > 1000.0, dist / t_fl
