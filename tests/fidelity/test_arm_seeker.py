"""Anti-radiation missiles home on emitters, and a radar that falls silent early enough survives.

One HARM-class missile (the catalogue's ``anti_radiation_missile``: seeker acquisition range
150 km, field of view ±60°, sensitivity −65 dBm, 2–20 GHz, angle error 1°, memory drift 1 m/s and
0.01 m/s²) released 200 km west of a 2K12 Kub-M battery at 10,000 m, flying at 2,000 km/h
(555.6 m/s) on a pre-briefed route that ends 3 km north of the battery (the launch platform's
error of the site's position). The battery holds fire (``weapons_hold``), so only the seeker and
the radar's emission decide the outcome. Each case's numbers are worked in its docstring from
the figures, ``physics.seeker`` and the route, and checked against the whole simulation (the
engine loop, ``sim.seekers``, ``sim.effects``):

(a) the 1S91 keeps radiating: acquired at 150 km, homed on, destroyed at the instant
    (range at acquisition) / speed after it;
(b) it shuts down 60 s before the impact (an MSEL ``emcon off``): the missile flies on memory
    to the last known point displaced by the drift model's error, misses by more than the
    lethal radius, and the battery survives; shutting down 3 s before impact does not save it;
(c) an engagement radar that never radiates (cued emission control with nothing else to cue
    it, or switched off, with only a metric-wave P-18 radiating, outside the seeker's band):
    no acquisition, the missile flies its route to its end on the unit and kills nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.analysis.test_event_schema_contract import schema_violations

import skyshield
from skyshield.geo import geodetic_to_enu
from skyshield.physics.propagation import horizon_range_m
from skyshield.physics.seeker import memory_miss_m, one_way_range_m
from skyshield.scenario.loader import parse_scenario, scenario_catalogue
from skyshield.sim.effects import ARM_LETHAL_RADIUS_M
from skyshield.sim.seekers import SEEKER_STEP_S
from skyshield.sim.world import compile_world

SPEED_MPS = 2000 / 3.6  # 555.6 m/s

SCENARIO = """
name: arm-seeker
origin: {{lat: 45.0, lon: 20.0}}
seed: 5
duration: 8 min
truth_interval: 1 s
terrain_elevation: 0 m
units:
  {unit}: {{type: {utype}, lat: 45.0, lon: 20.0, roe: weapons_hold{emcon}}}
threats:
  arm:
    type: anti_radiation_missile
    start: 0 s
    target: {unit}
    waypoints:
      - {{lat: 45.0, lon: 17.4559, alt: 10000 m MSL, speed: 2000 km/h}}
      - {{lat: {end_lat}, lon: 20.0, alt: 5 m MSL}}
{msel}"""


def _scenario(unit: str = "kub", utype: str = "kub_m", emcon: str = "", end_lat: float = 45.027,
              msel: str = "") -> skyshield.Scenario:
    return parse_scenario(SCENARIO.format(unit=unit, utype=utype, emcon=emcon, end_lat=end_lat,
                                          msel=msel), "arm.yaml")


def _run(sc: skyshield.Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    r = skyshield.run(sc)
    assert not schema_violations(r.events)
    return r.events, r.truth


def _radar(sc: skyshield.Scenario, name: str) -> tuple[np.ndarray, dict[str, float]]:
    w = compile_world(sc)
    rs = w.radars
    i = rs.name.index(name)
    return rs.pos_m[i], {"pt": rs.peak_power_w[i], "g": rs.gain_db[i] - rs.sidelobe_db[i],
                         "f": rs.freq_hz[i], "h": rs.height_agl_m[i]}


def _arm_at(truth: pd.DataFrame, t: float, col: tuple[str, ...] = ("x_m", "y_m", "z_m")
            ) -> np.ndarray:
    tr = truth[truth["entity_id"] == 0].sort_values("t_s")
    return np.array([np.interp(t, tr["t_s"], tr[c]) for c in col])


def _one(ev: pd.DataFrame, kind: str) -> pd.Series:
    sel = ev[ev["kind"] == kind]
    assert len(sel) == 1, (kind, sel)
    return sel.iloc[0]


@pytest.fixture(scope="module")
def radiating() -> tuple[skyshield.Scenario, pd.DataFrame, pd.DataFrame]:
    sc = _scenario()
    return (sc, *_run(sc))


def test_acquires_at_its_acquisition_range_and_destroys_the_radar(radiating):
    """The seeker hears the 1S91 (8 GHz, in its band) at the least of three ranges:

    * its acquisition range, 150 km;
    * the one-way link: the radar's sidelobes (69 kW, 35 dB gain − 20 dB sidelobes = 15 dBi)
      reach −65 dBm at R = λ/(4π)·√(Pt·Gt·Gr/S) = 0.0375/(4π)·√(69e3·31.6/3.16e-10) ≈ 248 km;
    * the 4/3-Earth radio horizon from the 4 m antenna to the missile (~7,500 m there):
      8.2 + 357 ≈ 365 km.

    So 150 km: the missile's range to the antenna crosses it 50 km after release, ~90 s in, and
    the seeker's 2 Hz samples acquire within one step (278 m) inside it. It then flies straight
    at the antenna (its route re-planned from 3 km north of the battery to the emitter): the
    battery is destroyed (``unit_destroyed``) at t_acq + R_acq / v, the burst within a metre of
    the antenna, ~270 s after acquisition.
    """
    sc, ev, truth = radiating
    ant, f = _radar(sc, "kub_1s91@kub")
    link = float(one_way_range_m(f["pt"], f["g"], f["f"], 0.0, -65.0))
    assert 240e3 < link < 256e3
    acq = _one(ev, "seeker_acquired")
    assert acq["source"] == "kub_1s91@kub" and acq["target"] == "kub"
    p_acq = _arm_at(truth, acq["t_s"])
    hor = float(horizon_range_m(f["h"], _arm_at(truth, acq["t_s"], ("alt_m",))[0]))
    assert hor > 350e3
    r_acq = min(150e3, link, hor)
    assert r_acq == 150e3
    # acquired at the first sample inside the acquisition range
    assert r_acq - SPEED_MPS * SEEKER_STEP_S <= acq["value"] <= r_acq
    assert np.linalg.norm(p_acq - ant) == pytest.approx(acq["value"], abs=2.0)
    assert 88.0 < acq["t_s"] < 95.0
    # destroyed when the geometry says: range at acquisition / speed
    dead = _one(ev, "unit_destroyed")
    assert dead["source"] == "kub"
    t_pred = acq["t_s"] + acq["value"] / SPEED_MPS
    assert dead["t_s"] == pytest.approx(t_pred, abs=1.0)
    assert acq["t_pred_s"] == pytest.approx(dead["t_s"], abs=1.0)
    leak = _one(ev, "leak")
    burst = leak[["x_m", "y_m", "z_m"]].to_numpy(dtype=float)
    assert np.linalg.norm(burst - ant) < 1.0
    assert _one(ev, "impact")["tag"] == "unit"
    assert not (ev["kind"] == "seeker_memory").any()
    # the pre-briefed route alone ended 0.027° (3.0 km) north of the battery: the kill is the
    # seeker's doing, not the script's
    w = compile_world(sc)
    _, lat, lon, alt = w.vehicles.route(0)
    end = geodetic_to_enu(lat[-1], lon[-1], alt[-1], *w.origin)
    assert np.linalg.norm(end[:2] - w.units.pos_m[0][:2]) > 2900.0


@pytest.mark.parametrize("before_s, survives", [(60.0, True), (3.0, False)])
def test_shutdown_before_impact(radiating, before_s, survives):
    """The MSEL switches the 1S91 off ``before_s`` before the impact (a) predicted (the command
    runs after everything else at its instant, so the seeker's sample at that instant still
    hears it: the last emission it knows of is then). From there the seeker flies on memory to
    the last known point displaced by the drift model,

        e(τ) = √((σθ·R)² + (δv·τ + ½·b·τ²)²),  σθ = 1°, δv = 1 m/s, b = 0.01 m/s²,

    R the range when it last heard the radar and τ the time from then to the burst:

    * 60 s: R ≈ 60 × 555.6 = 33.3 km, σθ·R ≈ 582 m, δv·τ + ½·b·τ² ≈ 60 + 18 = 78 m → e ≈ 587 m,
      beyond the 150 m lethal radius: the battery survives (``impact`` tagged ``missed``);
    * 3 s: R ≈ 1.7 km, σθ·R ≈ 29 m, inertial 3 m → e ≈ 29 m: destroyed all the same.

    The burst's distance from the antenna is the model's e (the aim point is displaced
    horizontally by e), and the test recomputes e from the truth: R from the missile's position
    at the last emission, τ from the burst's instant.
    """
    _, ev_a, _ = radiating
    t_hit = float(_one(ev_a, "unit_destroyed")["t_s"])
    t_off = float(np.floor(t_hit - before_s))
    sc = _scenario(msel=f"msel:\n  - {{at: {t_off} s, cmd: emcon, unit: kub, mode: 'off'}}\n")
    ev, truth = _run(sc)
    ant, _ = _radar(sc, "kub_1s91@kub")
    off = _one(ev, "emission")
    assert off["t_s"] == t_off and off["tag"] == "off"
    mem = _one(ev, "seeker_memory")
    assert mem["t_s"] == pytest.approx(t_off + SEEKER_STEP_S)
    leak = _one(ev, "leak")
    burst = leak[["x_m", "y_m", "z_m"]].to_numpy(dtype=float)
    r_heard = float(np.linalg.norm(_arm_at(truth, t_off) - ant))
    tau = float(leak["t_s"]) - t_off
    e = float(memory_miss_m(tau, r_heard, np.radians(1.0), 1.0, 0.01))
    assert mem["value"] == pytest.approx(e, rel=0.01)
    assert np.linalg.norm(burst - ant) == pytest.approx(e, rel=0.01)
    if survives:
        assert 540.0 < e < 640.0
        assert not (ev["kind"] == "unit_destroyed").any()
        assert _one(ev, "impact")["tag"] == "missed"
    else:
        assert e < 40.0
        assert _one(ev, "unit_destroyed")["source"] == "kub"


@pytest.mark.parametrize("unit, utype, emcon, msel", [
    # cued emission control and no other radar to cue it: the 1S91 never radiates
    ("kub", "kub_m", ", emcon: {mode: cued}", ""),
    # the SNR-125 switched off from the start; the P-18 (VHF, ~160 MHz) radiates all along,
    # outside the seeker's 2-20 GHz band (the old rule, 'the unit radiated in the last 30 s',
    # destroyed this unit)
    ("neva", "s125_neva_m1t", "", "msel:\n  - {at: 0 s, cmd: emcon, unit: neva, mode: 'off'}\n"),
])
def test_a_radar_that_never_radiates_is_not_found(unit, utype, emcon, msel):
    """No emitter in the seeker's band ever radiates: no acquisition, the missile flies its
    pre-briefed route to its end — here on the unit itself — and its fuze, never armed by a
    seeker lock, kills nothing (``impact`` tagged ``emitter silent``)."""
    sc = _scenario(unit=unit, utype=utype, emcon=emcon, end_lat=45.0, msel=msel)
    ev, _ = _run(sc)
    assert not ev["kind"].isin(["seeker_acquired", "seeker_memory", "unit_destroyed"]).any()
    assert not ((ev["kind"] == "emission") & (ev["tag"] == "on")).any()
    w = compile_world(sc)
    leak = _one(ev, "leak")
    assert leak["t_s"] == pytest.approx(float(w.vehicles.t_end_s[0]))  # its own route's end
    burst = leak[["x_m", "y_m", "z_m"]].to_numpy(dtype=float)
    assert np.linalg.norm(burst[:2] - w.units.pos_m[0][:2]) < ARM_LETHAL_RADIUS_M
    imp = _one(ev, "impact")
    assert imp["tag"] == "emitter silent" and imp["value"] == 0.0


def test_catalogue_seeker_figures():
    """The figures the docstrings above work with are the catalogue's."""
    sk = scenario_catalogue(_scenario()).air_vehicles["anti_radiation_missile"].seeker
    assert sk is not None
    assert (sk.acquisition_range_m.value, sk.field_of_view_deg.value, sk.sensitivity_dbm.value,
            sk.antenna_gain_dbi.value, sk.angle_sigma_deg.value,
            sk.memory_velocity_error_mps.value, sk.memory_accel_bias_mps2.value) == \
        (150e3, 60.0, -65.0, 0.0, 1.0, 1.0, 0.01)
    assert sk.band_min_hz.value == 2e9 and sk.band_max_hz.value == 2e10


ARM_SILENCE = """
name: arm-silence
origin: {lat: 45.0, lon: 20.0}
seed: 5
duration: 10 min
truth_interval: 1 s
terrain_elevation: 0 m
units:
  kub: {type: kub_m, lat: 45.0, lon: 20.0, roe: weapons_hold, emcon: {mode: always%s}}
  neva: {type: s125_neva_m1t, lat: 45.02, lon: 20.02, roe: weapons_hold}
threats:
  arm:
    type: anti_radiation_missile
    start: 0 s
    target: kub
    waypoints:
      - {lat: 45.0, lon: 17.4559, alt: 10000 m MSL, speed: 2000 km/h}
      - {lat: 45.027, lon: 20.0, alt: 5 m MSL}
"""


@pytest.mark.parametrize("silence", [True, False])
def test_emcon_doctrine_falls_silent_when_an_arm_is_inbound(silence):
    """The C2 doctrine ``emcon: {arm_silence: 2 min}`` (``c2.emcon``): the group's P-18
    (metric wave, outside the seeker's band, radiating throughout) puts the missile in the joint
    picture far out; once its track is classified an anti-radiation missile (faster than
    450 m/s) heading at the Kub-M, the Kub-M's 1S91 falls silent at the next fire-control cycle
    and stays silent while the missile is inbound. The seeker, which acquired the 1S91 at
    150 km as in (a), flies on memory from the last sample that heard it (the cycle runs after
    the seeker's sample at its instant) and misses by e(τ) of its drift model — several hundred
    metres at the tens of kilometres the picture gives: the battery survives. Without the
    doctrine (the same group), the battery is destroyed."""
    text = ARM_SILENCE % (", arm_silence: 2 min" if silence else "")
    sc = parse_scenario(text, "arm-silence.yaml")
    ev, truth = _run(sc)
    ant, _ = _radar(sc, "kub_1s91@kub")
    assert _one(ev, "seeker_acquired")["source"] == "kub_1s91@kub"
    off = ev[(ev["kind"] == "emission") & (ev["source"] == "kub_1s91@kub")]
    if not silence:
        assert off.empty
        assert _one(ev, "unit_destroyed")["source"] == "kub"
        return
    cls = ev[(ev["kind"] == "classified") & (ev["truth_id"] == 0)
             & (ev["target"] == "anti_radiation_missile")]
    assert len(cls)
    t_off = float(off.iloc[0]["t_s"])
    assert off.iloc[0]["tag"] == "off" and t_off >= float(cls["t_s"].min())
    mem = _one(ev, "seeker_memory")
    assert mem["t_s"] == pytest.approx(t_off + SEEKER_STEP_S)
    leak = _one(ev, "leak")
    assert (off["t_s"] < leak["t_s"]).sum() == 1  # silent from then to the burst
    r_heard = float(np.linalg.norm(_arm_at(truth, t_off) - ant))
    e = float(memory_miss_m(float(leak["t_s"]) - t_off, r_heard, np.radians(1.0), 1.0, 0.01))
    burst = leak[["x_m", "y_m", "z_m"]].to_numpy(dtype=float)
    assert np.linalg.norm(burst - ant) == pytest.approx(e, rel=0.01)
    assert e > 2 * ARM_LETHAL_RADIUS_M
    assert not (ev["kind"] == "unit_destroyed").any()
    assert _one(ev, "impact")["tag"] == "missed"
