"""Issue item 2, "The Pantsir's guns never hit": a Pantsir-S1 with its 30 mm guns only against
two subsonic cruise missiles at 130 m, one passing 1.5 km abeam, one flying straight at it.

What a gunnery officer expects once the burst is laid with a converged lead on the ballistic
time of flight (physics.gunnery) instead of range / muzzle speed:
* bursts only at aim points inside the gun's 4 km range (and outside its minimum range);
* a short time of flight leaves little for the track's velocity error to spoil: bursts that fly
  3 s or less arrive within 10 m of the missile (the intercept event's value);
* each burst kills with the Pk of the burst law (Carleton per round, a common aim error; the
  catalogue's figures) at its range and miss, computed here by an independent 1-D integral
  over the Rice-distributed aim error, and the kills over all seeds add up to the sum of those
  Pk (the count of kills minus the sum of the Pk of the bursts fired is a martingale, whatever
  the shoot-look-shoot doctrine stops);
* each missile meets at least one burst inside 2 km (the abeam one spends about 30 s inside
  the gun range, the other flies through every range), where the burst Pk is above 0.5, so a
  run ends with at least one kill with probability above 1 − 0.5² = 0.75.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, stats

import skyshield
from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.world import PRESENTED_AREA_M2

# origin at the Pantsir; 0.0135 deg of latitude = 1.50 km (WGS84, 1 deg ≈ 111.1 km at 45 N)
SCENARIO = """
name: guns-only
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 150 s
terrain_elevation: 0 m
truth_interval: 1 s
assets:
  site: {lat: 45.0, lon: 20.0, value: 10, radius: 500 m}
units:
  pantsir:
    type: pantsir_s1
    lat: 45.0
    lon: 20.0
    roe: weapons_free
    loadout: {pantsir_30mm: 12}
threats:
  abeam:
    type: cruise_missile_subsonic
    start: 0 s
    waypoints:
      - {lat: 45.0135, lon: 19.8, alt: 130 m, speed: 880 km/h}
      - {lat: 45.0135, lon: 20.2, alt: 130 m}
  headon:
    type: cruise_missile_subsonic
    start: 20 s
    waypoints:
      - {lat: 44.82, lon: 20.0, alt: 130 m, speed: 880 km/h}
      - {lat: 45.0, lon: 20.0, alt: 130 m}
"""
SEEDS = range(20)


def _gun_figures():
    g = load_catalogue().missiles["pantsir_30mm"]
    gun = g.gun
    assert gun is not None
    return dict(n=gun.rounds_per_burst.value, disp=gun.dispersion_mrad.value * 1e-3,
                aim=gun.aim_sigma_m.value, q=gun.pk_given_hit.value,
                max_range=g.max_range_m.value, min_range=g.min_range_m.value,
                area=PRESENTED_AREA_M2["cruise_missile"])


def burst_pk(range_m: float, miss_m: float, f: dict) -> float:
    """Pk of one burst: n rounds, per-round σ_d = R·δ, Gaussian target b² = A/2π, one aim
    error b ~ N(miss, σ_a²) per axis common to the burst (|b| Rice-distributed):
    Pk = 1 − ∫ (1 − q·b²/s²·exp(−ρ²/2s²))^n · Rice(ρ; miss, σ_a) dρ, s² = b² + σ_d²
    (Carleton damage function, models.md "Lethality"; binomial burst given the aim error)."""
    b2 = f["area"] / (2 * math.pi)
    s2 = b2 + (range_m * f["disp"]) ** 2
    sa = f["aim"]
    rice = stats.rice(miss_m / sa, scale=sa)

    def survive(rho: float) -> float:
        return (1 - f["q"] * b2 / s2 * math.exp(-rho * rho / (2 * s2))) ** f["n"] * rice.pdf(rho)

    hi = miss_m + 12 * sa
    val, _ = integrate.quad(survive, 0.0, hi, points=[miss_m], limit=200, epsabs=1e-10)
    return 1.0 - val


@pytest.fixture(scope="module")
def runs():
    sc = parse_scenario(SCENARIO, "guns.yaml")
    return [skyshield.run(sc, seed=s).events for s in SEEDS]


def _bursts(ev):
    """One row per burst: launch time and aim range, its intercept's time, victim, miss, pk."""
    la = ev[(ev["kind"] == "launch") & (ev["info"] == "gun burst")].set_index("weapon_id")
    ic = ev[ev["kind"] == "intercept"].set_index("weapon_id")
    b = la[["t_s", "value", "x_m", "y_m", "z_m"]].rename(
        columns={"t_s": "t_fire", "value": "tof", "x_m": "gx", "y_m": "gy", "z_m": "gz"}).join(
        ic[["t_s", "value", "truth_id", "info", "x_m", "y_m", "z_m"]].rename(
            columns={"t_s": "t_hit", "value": "miss"}))
    # the aim range: from the gun (the launch event's place) to the aim point (the intercept's)
    b["aim_range"] = np.sqrt((b["x_m"] - b["gx"]) ** 2 + (b["y_m"] - b["gy"]) ** 2
                             + (b["z_m"] - b["gz"]) ** 2)
    b["pk"] = b["info"].str.extract(r"pk=([0-9.]+)")[0].astype(float)
    return b


def test_prior_burst_pk_at_2_km_is_above_one_half():
    # the a-priori figure the run's expectation rests on (module docstring)
    f = _gun_figures()
    assert burst_pk(2000.0, 0.0, f) > 0.5
    assert burst_pk(1000.0, 0.0, f) > 0.75


@pytest.mark.slow
def test_bursts_are_laid_inside_the_gun_range(runs):
    f = _gun_figures()
    for ev in runs:
        b = _bursts(ev)
        assert len(b) >= 2
        assert (b["aim_range"] <= f["max_range"]).all() and (b["aim_range"] >= f["min_range"]).all()
        # the burst arrives at its aim point when it was predicted to (an intercept for each)
        assert b["t_hit"].notna().all()
        assert np.allclose(b["t_hit"] - b["t_fire"], b["tof"], atol=1e-6)


@pytest.mark.slow
def test_short_flights_arrive_within_ten_metres(runs):
    short = []
    for ev in runs:
        b = _bursts(ev)
        fly = b[(b["t_hit"] - b["t_fire"] <= 3.0) & (b["truth_id"] >= 0)]
        short.extend(fly["miss"].tolist())
    assert len(short) >= len(SEEDS)
    # the converged lead leaves only the track's own error (a 2° beam at 3 km: σ of several
    # metres per axis): nine in ten short flights within 10 m, every one inside the 30 m basket
    # (the constant-muzzle-speed lead of old landed ~300 m short)
    assert np.quantile(short, 0.9) < 10.0 and max(short) < 30.0, sorted(short)


@pytest.mark.slow
def test_every_missile_meets_a_burst_inside_2_km(runs):
    for ev in runs:
        b = _bursts(ev)
        la = ev[(ev["kind"] == "launch") & (ev["info"] == "gun burst")]
        killed = set(ev.loc[ev["kind"] == "kill", "truth_id"])
        for tid in (0, 1):
            mine = b[la.set_index("weapon_id").loc[b.index, "truth_id"] == tid]
            assert tid in killed or (mine["aim_range"] <= 2000.0).any(), tid


@pytest.mark.slow
def test_kills_add_up_to_the_burst_pk(runs):
    f = _gun_figures()
    expected, var, kills, runs_with_kill = 0.0, 0.0, 0, 0
    for ev in runs:
        b = _bursts(ev)
        hit = b[b["truth_id"] >= 0]
        for _, r in hit.iterrows():
            pk = burst_pk(float(r["aim_range"]), float(r["miss"]), f)
            # the run's Pk of this burst is the burst law's at its range and miss
            assert float(r["pk"]) == pytest.approx(pk, abs=2e-3), r
            expected += pk
            var += pk * (1 - pk)
        k = int((ev["kind"] == "kill").sum())
        kills += k
        runs_with_kill += k > 0
    assert abs(kills - expected) <= 4 * math.sqrt(var) + 1, (kills, expected, var)
    # the guns do hit: with the expected kills summed from the burst law (about 8 over the 20
    # runs), P(fewer than 3) is 0.06 even at a Poisson mean of 6; the constant-speed lead of old
    # gave 0 hits in 26 bursts
    assert expected > 6.0 and kills >= 3, (kills, expected)
    assert stats.poisson.cdf(2, 6.0) < 0.07
    assert runs_with_kill >= 3
