"""A stand-off jammer that the radars see only as strobes becomes a track, and is engaged by
home-on-jam (issue 22, "electronic warfare both ways").

One noise jammer (the catalogue's stand-off jammer: 1 kW, 15 dB, 100 MHz) flies north-south
legs 98 km west of two S-400 battalions 44 km apart; it never burns through, so the radars give
only jam strobes. Worked here, from the published formulas (not the engine's kernels):

* jam-to-noise of the 92N6E (X band, λ = 0.03 m, G = 42 dB, NF 3.8 dB → Ts = 696 K) looking at
  the jammer at R: J/N = Pj·Gj·Gr·λ² / ((4π)²·R²·k·Ts·Bj) (the receiver bandwidth cancels:
  the jammer's noise density over the thermal one; Mahafza & Elsherbeni, *MATLAB Simulations
  for Radar Systems Design*, 2004, eq. 10.3; NAWCWPNS TP 8347 §4-7), about 55 dB at 100 km;
* the monopulse angle noise on that noise source, σθ = θ3dB / (km·√(2·J/N)), km = 1.6 (Barton,
  *Radar System Analysis and Modeling*, 2005, eq. 10.2.1; Skolnik 2001, §6.3): 0.001° at
  100 km with θ3dB = 1.3°;
* the fix of two bearings crossing at γ: in the axes of the two lines the error is r₁σ₁/sin γ
  along line 2 and r₂σ₂/sin γ along line 1 (Stansfield 1947; Torrieri 1984): the horizontal
  error σ_h = √((r₁σ₁)² + (r₂σ₂)²) / sin γ (independent sites; an upper bound when the
  91N6E's strobe of the same site adds its own bearing) — about 7 m at 100 km and γ ≈ 24°.

The passive track's position error is checked against σ_h at each of its updates (its RMS
within 2σ_h; the filter averages fixes, but the bearings it reuses are correlated), the jammer
is engaged by the battalion whose 48N6E3 homes on jam, and the battalion with only 9M96E2 (no
home-on-jam, 120 km reach: the jammer is inside it) never fires at the passive track.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario

KM_PER_DEG_LAT = 111.13  # WGS84 meridian degree near 45° N (NGA TR8350.2 §3)
K_B = 1.380649e-23  # J/K
LON_JAM = 18.75  # the jammer's legs: 1.25° of longitude west of the sites, 98.3 km at 45° N

SCENARIO = """
name: ew-jammer
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: {duration}
terrain_elevation: 0 m
truth_interval: 2 s
assets:
  base: {{lat: 45.0, lon: 20.0, value: 100, radius: 3 km}}
units:
  hoj:
    type: s400_battalion
    lat: 44.8
    lon: 20.0
    roe: weapons_free
    loadout: {{{hoj_loadout}: 8}}
    reloads: {{}}
  nohoj:
    type: s400_battalion
    lat: 45.2
    lon: 20.0
    roe: weapons_free
    loadout: {{9M96E2: 16}}
    reloads: {{}}
threats:
  jammer:
    type: standoff_jammer
    waypoints:
      - {{lat: 44.75, lon: {lon}, alt: 8000 m MSL, speed: 650 km/h}}
      - {{lat: 45.25, lon: {lon}, alt: 8000 m MSL}}
      - {{lat: 44.75, lon: {lon}, alt: 8000 m MSL}}
      - {{lat: 45.25, lon: {lon}, alt: 8000 m MSL}}
"""


@pytest.fixture(scope="module")
def hoj_run() -> skyshield.RunResult:
    text = SCENARIO.format(duration="4 min", hoj_loadout="48N6E3", lon=LON_JAM)
    return skyshield.run(parse_scenario(text, "ew-jammer.yaml"), seed=1)


@pytest.fixture(scope="module")
def no_hoj_run() -> skyshield.RunResult:
    text = SCENARIO.format(duration="4 min", hoj_loadout="9M96E2", lon=LON_JAM)
    return skyshield.run(parse_scenario(text, "ew-jammer.yaml"), seed=1)


def _sites_m() -> np.ndarray:
    """The two battalions on the local plane (x east, y north), 0.2° of latitude each side."""
    return np.array([[0.0, -0.2 * KM_PER_DEG_LAT * 1e3], [0.0, 0.2 * KM_PER_DEG_LAT * 1e3]])


def _sigma_theta_rad(r_m: np.ndarray) -> np.ndarray:
    """92N6E monopulse angle noise on the stand-off jammer at range r (module docstring)."""
    lam = 299_792_458.0 / 1.0e10
    g_r = 10 ** (42.0 / 10)
    ts = 290.0 * 10 ** (3.8 / 10)
    pj, gj, bj = 1000.0, 10 ** (15.0 / 10), 1.0e8
    jn = pj * gj * g_r * lam**2 / ((4 * math.pi) ** 2 * r_m**2 * K_B * ts * bj)
    return np.radians(1.3) / (1.6 * np.sqrt(2 * jn))


def _passive(r: skyshield.RunResult) -> pd.DataFrame:
    tr = r.tracks
    return tr[(tr["source"] == "passive") & (tr["truth_id"] == 0)]


def test_the_jammer_is_tracked_passively_within_the_predicted_sigma(
        hoj_run: skyshield.RunResult) -> None:
    ev = hoj_run.events
    # the radars never see its echo: strobes only
    assert not ((ev["kind"] == "first_detection") & (ev["truth_id"] == 0)).any()
    conf = ev[(ev["kind"] == "track_confirmed") & (ev["source"] == "passive")
              & (ev["truth_id"] == 0)]
    assert len(conf) == 1
    assert float(conf["t_s"].iloc[0]) <= 30.0  # three fixes, 10 s apart
    p = _passive(hoj_run)
    p = p[p["track_id"] == conf["track_id"].iloc[0]]
    assert len(p) >= 8
    truth = hoj_run.truth[hoj_run.truth["entity_id"] == 0]
    p = p[p["t_s"] <= truth["t_s"].max()]  # while it flies (the track coasts on after the kill)
    tx = np.interp(p["t_s"], truth["t_s"], truth["x_m"])
    ty = np.interp(p["t_s"], truth["t_s"], truth["y_m"])
    err = np.hypot(p["x_m"].to_numpy() - tx, p["y_m"].to_numpy() - ty)
    # σ_h of the two-bearing fix at each update (module docstring)
    sites = _sites_m()
    rel = np.stack([tx, ty], axis=1)[:, None, :] - sites[None]  # (n, 2 sites, 2)
    r = np.linalg.norm(rel, axis=2)
    u = rel / r[..., None]
    sin_g = np.abs(u[:, 0, 0] * u[:, 1, 1] - u[:, 0, 1] * u[:, 1, 0])
    s = r * _sigma_theta_rad(r)
    sigma_h = np.hypot(s[:, 0], s[:, 1]) / sin_g
    assert 3.0 < sigma_h.mean() < 15.0  # 7 m: metres, not kilometres, at 100 km
    rms = float(np.sqrt(np.mean(err**2)))
    assert rms <= 2.0 * float(np.sqrt(np.mean(sigma_h**2))), (rms, sigma_h.mean())
    assert err.max() <= 5.0 * sigma_h.max()


def test_the_jammer_is_engaged_by_home_on_jam(hoj_run: skyshield.RunResult) -> None:
    ev = hoj_run.events
    tid = int(_passive(hoj_run)["track_id"].iloc[0])
    eng = ev[(ev["kind"] == "engage") & (ev["track_id"] == tid)]
    assert len(eng) >= 1
    assert set(eng["source"]) == {"hoj"} and set(eng["target"]) == {"48N6E3"}
    assert eng["info"].str.contains("home-on-jam").all()
    launch = ev[(ev["kind"] == "launch") & (ev["track_id"] == tid)]
    assert len(launch) >= 1 and (launch["info"] == "home-on-jam").all()
    assert set(launch["source"]) == {"hoj"}
    # the missile homes on the jammer's emission and fuzes on it
    icpt = ev[(ev["kind"] == "intercept") & ev["weapon_id"].isin(launch["weapon_id"])]
    assert len(icpt) >= 1 and (icpt["truth_id"] == 0).all()
    assert float(icpt["value"].min()) < 20.0  # miss (m): inside the warhead's lethal radius
    assert ((ev["kind"] == "kill") & (ev["truth_id"] == 0)).any()
    # no guidance loss for want of the 92N6E, which never holds the jammer
    lost = ev[(ev["kind"] == "interceptor_lost") & ev["weapon_id"].isin(launch["weapon_id"])]
    assert len(lost) == 0


def test_a_battery_without_home_on_jam_never_fires_at_the_passive_track(
        hoj_run: skyshield.RunResult, no_hoj_run: skyshield.RunResult) -> None:
    for run in (hoj_run, no_hoj_run):
        ev = run.events
        p = _passive(run)
        assert len(p) >= 3
        # inside the 9M96E2's 120 km from the nohoj battalion all along, declared hostile
        d = np.hypot(p["x_m"] - _sites_m()[1, 0], p["y_m"] - _sites_m()[1, 1])
        assert float(d.max()) < 115e3
        ids = set(p["track_id"])
        assert ((ev["kind"] == "identified") & ev["track_id"].isin(ids)
                & (ev["target"] == "hostile")).any()
        fired = ev[ev["kind"].isin(["engage", "launch", "approval_request"])
                   & ev["track_id"].isin(ids)]
        assert not (fired["source"] == "nohoj").any()
        assert not (fired["target"] == "9M96E2").any()
    # with no home-on-jam missile anywhere, nothing is fired at it, and fire control says why
    ev = no_hoj_run.events
    ids = set(_passive(no_hoj_run)["track_id"])
    assert not (ev["kind"].isin(["engage", "launch"]) & ev["track_id"].isin(ids)).any()
    why = ev[(ev["kind"] == "no_fire") & ev["track_id"].isin(ids)]["tag"]
    assert "engagement radar does not hold the track" in set(why)
