"""Electro-optical channels against a noise-jamming striker (issue 22).

A strike aircraft with its self-protection noise jammer (catalogue ``strike_aircraft_ecm``:
50 W, 5 dB, 200 MHz; 3 m²) flies at 6 km straight over a base defended by an S-125 Neva-M1T or
a Pantsir-S1. An S-400 battalion beside them, holding fire, supplies the picture (its 92N6E
burns through at about 35 km): the track is there, but the units' own engagement radars are
denied (their burn-through against the pod is under 2 km) — without an EO channel neither
would fire. With one, the unit is cued by the track and its channel acquires the aircraft at
the range the conditions allow, worked here by an independent closed form from the catalogue's
figures:

* television: the smaller of the contrast range R = MOR·ln(|C₀|/ε)/ln(1/0.05) (Duntley's law
  with σ = −ln 0.05/MOR, WMO) and Johnson's R = √A/(N·2·IFOV);
* thermal: the smaller of R = ln(ΔT₀/ΔT_th)/γ, γ = (−ln 0.05/MOR)·(λ/0.55 µm)^−q + γ_mol,
  and the same resolution range.

Looks come every second at 250 m/s: the acquisition range lies within 250 m (one look) plus the
slack of the cue below the predicted one. The S-125 (television only) does not engage at night
nor in 2 km of visibility; the Pantsir's thermal channel still does (later, closer).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import skyshield
from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.loader import parse_scenario

TEXT = """
name: eo-{unit}
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: 200 s
start_time: {start}
terrain_elevation: 0 m
weather: {{visibility: {vis}, light: {light}}}
assets:
  base: {{lat: 45.0, lon: 20.0, value: 10, radius: 3 km}}
units:
  s400:
    type: s400_battalion
    lat: 45.0
    lon: 20.0
    roe: weapons_hold
  {unit}:
    type: {utype}
    lat: 45.0
    lon: 20.0
    roe: weapons_free
threats:
  striker:
    type: strike_aircraft_ecm
    start: 0 s
    target: base
    waypoints:
      - {{lat: 45.0, lon: 19.55, alt: 6000 m, speed: 250 m/s}}
      - {{lat: 45.0, lon: 20.0, alt: 6000 m}}
"""
UTYPE = {"neva": "s125_neva_m1t", "pantsir": "pantsir_s1"}
SPEED, LOOK_S = 250.0, 1.0
TV_CONTRAST, DT_AIRCRAFT_K, AREA_AIRCRAFT_M2 = 0.5, 10.0, 12.0  # sensors.eo / sim.world


def _run(unit: str, vis: str, light: str, start: str = "2019-10-25T08:00:00Z") -> pd.DataFrame:
    sc = parse_scenario(TEXT.format(unit=unit, utype=UTYPE[unit], vis=vis, light=light,
                                    start=start), "eo.yaml")
    return skyshield.run(sc, seed=1).events


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str, str], pd.DataFrame]:
    cases = [("neva", "20 km", "day"), ("neva", "20 km", "night"), ("neva", "2 km", "day"),
             ("pantsir", "20 km", "night"), ("pantsir", "2 km", "day")]
    return {c: _run(*c) for c in cases}


def _closed_form(unit: str, channel: str, mor_m: float) -> float:
    eo = load_catalogue().fire_units[UTYPE[unit]].eo
    assert eo is not None
    ch = eo.channels[channel]
    res = math.sqrt(AREA_AIRCRAFT_M2) / (ch.acquisition_cycles.value * 2
                                         * ch.ifov_mrad.value * 1e-3)
    sigma = math.log(20.0) / mor_m  # −ln 0.05 / MOR
    if channel == "tv":
        lim = math.log(TV_CONTRAST / ch.threshold.value) / sigma
    else:
        v_km = mor_m / 1e3
        q = 1.6 if v_km > 50 else 1.3 if v_km > 6 else 0.16 * v_km + 0.34
        gamma = sigma * (ch.wavelength_um.value / 0.55) ** -q \
            + ch.molecular_extinction_per_km.value / 1e3
        lim = math.log(DT_AIRCRAFT_K / ch.threshold.value) / gamma
    return min(res, lim, eo.max_range_m.value)


def _eo(ev: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    acq = ev[(ev["kind"] == "eo_track") & (ev["source"] == unit)]
    eng = ev[(ev["kind"] == "engage") & (ev["source"] == unit)]
    return acq, eng


def _fired(ev: pd.DataFrame, unit: str) -> int:
    return int(((ev["kind"] == "launch") & (ev["source"] == unit)).sum())


@pytest.mark.parametrize("unit, vis, light, channel, mor_m", [
    ("neva", "20 km", "day", "tv", 20e3),
    ("pantsir", "20 km", "night", "ir", 20e3),
    ("pantsir", "2 km", "day", "ir", 2e3),
])
def test_eo_acquires_at_the_predicted_range_and_the_unit_engages(runs, unit, vis, light,
                                                                 channel, mor_m):
    ev = runs[(unit, vis, light)]
    r_pred = _closed_form(unit, channel, mor_m)
    acq, eng = _eo(ev, unit)
    assert len(acq) >= 1
    first = acq.iloc[0]
    assert first["tag"] == channel
    assert r_pred - SPEED * LOOK_S - 50.0 <= first["value"] <= r_pred
    # the radar is denied: no engagement before the EO channel holds the target, and the
    # engagement that follows is guided on it
    assert (eng["t_s"] >= first["t_s"]).all() and len(eng) >= 1
    assert eng["info"].str.contains("EO").all()
    assert _fired(ev, unit) >= 1
    launches = ev[(ev["kind"] == "launch") & (ev["source"] == unit)]
    assert launches["info"].str.contains("EO").all()
    # the unit's own engagement radar never detected the striker
    radar = {"neva": "s125_snr125@neva", "pantsir": "pantsir_1RS2@pantsir"}[unit]
    assert not ((ev["kind"] == "first_detection") & (ev["source"] == radar)).any()


def test_predicted_ranges_by_conditions() -> None:
    # day, 20 km: the S-125's sight is contrast-limited at 20 km·ln 10/ln 20 = 15.37 km
    assert _closed_form("neva", "tv", 20e3) == pytest.approx(15372.0, abs=1.0)
    # in 2 km the television channel reaches 1.54 km, under the 5V27's 3.5 km minimum range
    assert _closed_form("neva", "tv", 2e3) < 3500.0


@pytest.mark.parametrize("vis, light", [("20 km", "night"), ("2 km", "day")])
def test_television_only_unit_does_not_engage_at_night_or_in_fog(runs, vis, light):
    ev = runs[("neva", vis, light)]
    acq, eng = _eo(ev, "neva")
    assert len(eng) == 0 and _fired(ev, "neva") == 0
    if light == "night":
        assert len(acq) == 0  # a television sight sees nothing without daylight


@pytest.mark.parametrize("start, engages", [("2019-10-25T09:00:00Z", True),
                                            ("2019-10-25T20:00:00Z", False)])
def test_daylight_from_the_clock(start: str, engages: bool) -> None:
    """light: auto — at 45° N, 20° E on 25 October the Sun is 30° up at 09:00 UT and 45°
    below the horizon at 20:00 UT (physics.eo.sun_elevation_rad): the television sight works
    in the morning only."""
    ev = _run("neva", "20 km", "auto", start)
    acq, eng = _eo(ev, "neva")
    assert (len(acq) > 0) is engages and (len(eng) > 0) is engages
