"""Issue 22, "Low-level propagation and clutter": first detections of low-level cruise missiles.

Small exercises: one fire unit at the origin, its surveillance radar alone radiating (the
engagement radar under emission control, cued only at 1 km), and 0.1 m² cruise missiles
(Swerling 1, 244 m/s) flying straight at it from 60-70 km on bearings 20° apart, their start
times staggered over one revisit period so that the scans fall at different ranges.

The first-detection range of each missile is predicted here from first principles and compared
with the run's ``first_detection`` events:

* the radar equation (catalogue figures, ``n_pulses`` integrated coherently) times the two-way
  propagation factor F⁴ of the textbook **flat-Earth two-ray** closed form
  F = 2·sin(2π·h1·h2/(λR)) (ρ = −1; Skolnik 2001 sec. 8.2), valid for the VHF P-18 whose targets
  sit far below the first lobe (F⁴ ≈ (4π·h1·h2/(λR))⁴), times the MTI canceller's response to
  the missile's radial speed (2·sin²(π·f_d/f_p), Skolnik ch. 3); Swerling 1:
  Pd = Pfa^(1/(1 + S/N));
* the chance of a first detection at each scan, Pd_k·Π_{j<k}(1 − Pd_j), over the ranges where
  the radar's scans (their times from the run) find the missile: expected range and spread.

Over a 4/3 Earth the kernel's F⁴ is 1-3 dB below the flat-Earth value at these ranges (Earth
bulge; docs/propagation.md), i.e. 3-9 % less range (S/N ∝ R⁻⁸ here): the runs may fall up to
12 % short of the flat-Earth prediction, never beyond it by more than the scan granularity.

For the S-band 91N6E the two-ray closed form does not apply (the missiles stay inside the lobes
up to the horizon, where the flat-Earth F is not small): the prediction is the horizon
√(2·a·h1) + √(2·a·h2) (a = 4/3·6371 km) — first detections on average between 0.8 and 0.94 of
it (the interference region gives way to the intermediate region some kilometres inside, where F⁴
falls 15-35 dB), where the old free-space model saw them at the first scan inside (0.97).

With the default land clutter (farmland, constant γ, the P-18's MTI 20 dB), a ground cell of
900 m × 6° inside the P-18's own horizon √(2·a·h1) = 11.7 km holds more clutter than a 30 m
missile's F⁴-weakened echo: no first detection by the P-18 inside it.

The issue's finding: the old free-space model had the P-18 detect the 130 m missile at 55 km
(Pd 0.9 there in free space); with F⁴ (−35 dB flat Earth, −51 dB over a 4/3 Earth) it does not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import skyshield
from skyshield.physics import radar as radar_eq
from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.loader import parse_scenario

M_PER_DEG_LAT = 111_132.0  # about, at 45° N
C = 299_792_458.0
A_EFF = 4.0 / 3.0 * 6_371_000.0
SPEED = 244.0  # the cruise missile's catalogue cruise speed
RCS = 0.1
N_MISSILES = 12


def _scenario(unit_type: str, height_m: float, start_m: float, surface: str) -> str:
    threats = []
    for k in range(N_MISSILES):
        brg = math.radians(20.0 * k)
        lat = 45.0 + start_m * math.cos(brg) / M_PER_DEG_LAT
        lon = 20.0 + start_m * math.sin(brg) / (M_PER_DEG_LAT * math.cos(math.radians(45.0)))
        threats.append(f"""  cm{k}:
    type: cruise_missile_subsonic
    start: {10.0 * k / N_MISSILES:.3f} s
    waypoints:
      - {{lat: {lat:.6f}, lon: {lon:.6f}, alt: {height_m:.0f} m, speed: {SPEED * 3.6:.1f} km/h}}
      - {{lat: 45.0, lon: 20.0, alt: {height_m:.0f} m}}""")
    return f"""
name: low-level-{unit_type}-{height_m:.0f}
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: {start_m / SPEED + 15:.0f} s
terrain_elevation: 0 m
truth_interval: 5 s
surface: {surface}
assets:
  site: {{lat: 45.0, lon: 20.0, value: 10, radius: 500 m}}
units:
  fu:
    type: {unit_type}
    lat: 45.0
    lon: 20.0
    roe: weapons_hold
    emcon: {{mode: cued, cue_range: 1 km}}
threats:
""" + "\n".join(threats) + "\n"


def _run(unit_type: str, height_m: float, start_m: float, surface: str = "land"):
    sc = parse_scenario(_scenario(unit_type, height_m, start_m, surface), "low-level.yaml")
    ev = skyshield.run(sc, seed=3).events
    fd = ev[ev["kind"] == "first_detection"]
    scans = ev[ev["kind"] == "scan"]
    return fd, scans


def _radar(name: str):
    return load_catalogue().radars[name]


def _snr1m_db(r) -> float:
    """Dwell S/N of 1 m² at 1 m: the radar equation with the catalogue's figures."""
    return float(radar_eq.snr_db(r.peak_power_w.value, r.pulse_width_s.value, r.freq_hz.value,
                                 1.0, 1.0, r.gain_db.value, None,
                                 radar_eq.system_noise_temp_k(r.noise_figure_db.value),
                                 r.loss_db.value) + 10 * math.log10(r.n_pulses.value))


def _pd_flat_earth(r, range_m: np.ndarray, h2: float) -> np.ndarray:
    """Single-scan Pd of the missile, flat-Earth two-ray F⁴ (module docstring)."""
    lam = C / r.freq_hz.value
    h1 = r.antenna_height_m.value
    f4 = (2.0 * np.abs(np.sin(2 * np.pi * h1 * h2 / (lam * range_m)))) ** 4
    fd = 2 * SPEED / lam  # radial speed: straight at the radar
    mti = 2 * math.sin(math.pi * fd / r.prf_hz.value) ** 2 if r.processing.value == "mti" else 1
    snr = 10 ** ((_snr1m_db(r) + 10 * np.log10(RCS * f4 * mti / range_m**4)) / 10)
    return np.asarray(r.pfa.value ** (1.0 / (1.0 + snr)))


def _predicted(r, radar_name: str, scans, start_m: float, h2: float
               ) -> tuple[float, float, float]:
    """(mean expected first-detection range, its standard error, expected number detected)
    over the missiles of the run, from the scan instants of ``radar_name``."""
    t_scan = np.sort(scans[scans["source"] == radar_name]["t_s"].to_numpy())
    means, variances, p_any = [], [], []
    for k in range(N_MISSILES):
        rng_m = start_m - SPEED * (t_scan - 10.0 * k / N_MISSILES)
        rng_m = rng_m[(rng_m > r.min_range_m.value) & (rng_m <= start_m)]
        pd = _pd_flat_earth(r, rng_m, h2)
        p_first = pd * np.concatenate([[1.0], np.cumprod(1 - pd)[:-1]])
        p = p_first.sum()
        mu = (p_first * rng_m).sum() / p
        means.append(mu)
        variances.append((p_first * (rng_m - mu) ** 2).sum() / p)
        p_any.append(p)
    return float(np.mean(means)), float(np.sqrt(np.mean(variances) / N_MISSILES)), \
        float(np.sum(p_any))


def _horizon_m(h1: float, h2: float) -> float:
    return math.sqrt(2 * A_EFF * h1) + math.sqrt(2 * A_EFF * h2)


@pytest.mark.parametrize("h2", [30.0, 50.0, 130.0])
def test_p18_first_detects_low_missiles_where_the_two_ray_factor_says(h2):
    start = 70e3
    fd, scans = _run("s125_neva_m1t", h2, start, "{type: medium_dry_ground, clutter: none}")
    r = _radar("s125_p18")
    assert set(fd["source"]) <= {"s125_p18@fu"}
    mean_pred, se, n_pred = _predicted(r, "s125_p18@fu", scans, start, h2)
    obs = fd["value"].to_numpy()
    horizon = _horizon_m(r.antenna_height_m.value, h2)
    print(f"P-18, {h2:g} m: predicted {mean_pred / 1e3:.2f} ± {se / 1e3:.2f} km "
          f"({n_pred:.1f} of {N_MISSILES} detected), run {obs.mean() / 1e3:.2f} km "
          f"({obs.size} detected); horizon {horizon / 1e3:.1f} km")
    assert obs.size >= 0.75 * N_MISSILES
    # the old free-space model first saw them at the horizon (34-59 km): far beyond this
    assert obs.mean() < 0.6 * horizon
    # over a 4/3 Earth up to 12 % short of the flat-Earth prediction (module docstring)
    assert 0.88 * mean_pred - 3 * se <= obs.mean() <= mean_pred + 3 * se, (obs.mean(), mean_pred)


def test_p18_no_longer_detects_the_130_m_missile_at_55_km():
    start = 70e3
    fd, scans = _run("s125_neva_m1t", 130.0, start)
    r = _radar("s125_p18")
    # free space: Pd at 55 km was 0.9 (the old model's detection)
    snr_fs = 10 ** ((_snr1m_db(r) + 10 * math.log10(RCS / 55e3**4)) / 10)
    assert r.pfa.value ** (1 / (1 + snr_fs)) > 0.85
    # flat-Earth two-ray: −34.8 dB two-way there, Pd < 1e-3
    assert _pd_flat_earth(r, np.array([55e3]), 130.0)[0] < 1e-3
    assert len(fd) and (fd["value"] < 40e3).all(), fd["value"].tolist()


@pytest.mark.parametrize("h2", [30.0, 50.0])
def test_91n6e_first_detects_low_missiles_just_inside_the_horizon(h2):
    start = 60e3
    fd, _ = _run("s400_battalion", h2, start)
    assert set(fd["source"]) <= {"91N6E@fu"}
    horizon = _horizon_m(_radar("91N6E").antenna_height_m.value, h2)
    obs = fd["value"].to_numpy()
    print(f"91N6E, {h2:g} m: run {obs.mean() / 1e3:.2f} km (min {obs.min() / 1e3:.2f}, "
          f"{obs.size} detected); horizon {horizon / 1e3:.1f} km")
    assert obs.size == N_MISSILES
    assert (obs <= horizon).all() and (obs >= 0.7 * horizon).all(), (obs, horizon)
    # the old model (free space to a hard horizon, 20+ dB to spare) first saw each at the first
    # scan inside the horizon: on average half a revisit (1.2 km) inside, 0.97 of it
    assert 0.8 * horizon <= obs.mean() <= 0.94 * horizon, (obs.mean(), horizon)


def test_land_clutter_hides_the_30_m_missile_from_the_p18_inside_its_horizon():
    start = 60e3
    fd, _ = _run("s125_neva_m1t", 30.0, start)  # default surface: land (farmland clutter)
    r = _radar("s125_p18")
    h1 = r.antenna_height_m.value
    clutter_horizon = math.sqrt(2 * A_EFF * h1)
    # first principles at 10 km: σc = γ·sinψ·R·θaz·ΔR / I against σ·F⁴ (flat Earth)
    R, lam = 10e3, C / r.freq_hz.value
    gamma = 10 ** ((-15.0 + 5 * math.log10(r.freq_hz.value / 10e9)) / 10)  # farmland
    psi = h1 / R - R / (2 * A_EFF)
    sigma_c = gamma * math.sin(psi) * R * math.radians(r.beamwidth_az_deg.value) \
        * r.range_resolution_m.value / 10 ** (r.mti_improvement_db.value / 10)
    sig = RCS * (4 * math.pi * h1 * 30.0 / (lam * R)) ** 4
    assert 10 * math.log10(sig / sigma_c) < -10.0  # S/C far below the threshold
    assert (fd["value"] >= 0.98 * clutter_horizon).all(), fd["value"].tolist()
