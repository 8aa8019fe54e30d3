"""Issue 22, "Radar roles and scheduling": small engagements worked out from first principles.

One fire unit at the origin (flat terrain at 0 m, no clutter, a surface rough enough — 30 m rms
— that the reflected ray carries nothing, so F = 1 where the targets fly), its fire-control
radar's search sector turned away from the threats (``sensors: {sector: ...}``), weapons held.

(a) A Pantsir-S1 (surveillance ``pantsir_search`` + fire-control ``pantsir_1RS2``) and eight
    0.1 m² Swerling-1 cruise missiles flying in at 3 km from 30 km on bearings outside the
    1RS2's sector.
    The first detection of each is by the surveillance radar, and its expected range is
    predicted here by an independent route: the catalogue's reference point (36 km vs 2 m² at
    Pd 0.5, Swerling 1, Pfa 1e-6: S50 = ln(1e-6)/ln(0.5) − 1, from Pd = Pfa^(1/(1+S))) scaled as
    S = S50·(σ/σref)·(Rref/R)⁴ at each of the radar's scans (their times from the run, the
    target's range from the truth), cut at the 40 km instrumented range; the chance of a first
    detection at scan k is Pd_k·Π_{j<k}(1 − Pd_j). The 1RS2 holds four of them (its
    ``max_tracks``) and first measures each only after the picture confirmed its track (the
    cue) plus its 2 s acquisition time.
(b) A fire-control radar alone (no surveillance radar to cue it): a UAV outside its sector is
    never measured, one inside is.
(c) Seven UAVs, all cued, outside the 1RS2's sector: it holds at most its ``max_tracks`` (4).
(d) A 96L6E-class detector on a 24 m mast against 0.1 m² cruise missiles at 30 m: the 4/3-Earth
    horizon √(2·k·Re·h1) + √(2·k·Re·h2) (k = 4/3) moves from 32.7 km (6 m antenna) to 45.1 km
    (30 m), and the first detections follow: none beyond the horizon of the height used, and
    with the mast beyond the horizon without it.
(e) A fire-control radar alone that holds no cue radiates only in its sector: of two stand-off
    jammers, the one outside its sector gives it no strobe, the one inside does; what it
    illuminated (``Sensing.illuminates``) is its sector only.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import skyshield
from skyshield.scenario.catalogue import builtin_catalogue_path, load_catalogue
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.run import Simulation
from skyshield.sim.world import compile_world

M_PER_DEG_LAT = 111_132.0  # about, at 45° N
A_EFF = 4.0 / 3.0 * 6_371_000.0  # k·Re, the 4/3 Earth
UAV_SPEED = 60.0  # m/s, the MALE UAV's catalogue maximum


def _point(brg_deg: float, dist_m: float) -> tuple[float, float]:
    b = math.radians(brg_deg)
    return (45.0 + dist_m * math.cos(b) / M_PER_DEG_LAT,
            20.0 + dist_m * math.sin(b) / (M_PER_DEG_LAT * math.cos(math.radians(45.0))))


def _inbound(name: str, vtype: str, brg_deg: float, dist_m: float, alt: str, speed_m_s: float,
             start_s: float = 0.0) -> str:
    lat, lon = _point(brg_deg, dist_m)
    return f"""  {name}:
    type: {vtype}
    start: {start_s:.3f} s
    waypoints:
      - {{lat: {lat:.6f}, lon: {lon:.6f}, alt: {alt}, speed: {speed_m_s * 3.6:.2f} km/h}}
      - {{lat: 45.0, lon: 20.0, alt: {alt}}}"""


def _scenario(unit_type: str, threats: list[str], duration_s: float, sensors: str = "",
              catalogue: Path | None = None) -> str:
    cat = f"catalogue: [{catalogue}]\n" if catalogue else ""
    return f"""
name: radar-roles
{cat}origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: {duration_s:.0f} s
terrain_elevation: 0 m
truth_interval: 1 s
surface: {{type: medium_dry_ground, clutter: none, roughness: 30 m}}
assets:
  site: {{lat: 45.0, lon: 20.0, value: 10, radius: 500 m}}
units:
  fu:
    type: {unit_type}
    lat: 45.0
    lon: 20.0
    roe: weapons_hold
    {sensors}
threats:
""" + "\n".join(threats) + "\n"


def _fc_only_catalogue(tmp_path: Path, name: str, radar: str) -> Path:
    """A catalogue file with a fire unit type carrying one radar: the Pantsir-S1's figures."""
    data = yaml.safe_load(builtin_catalogue_path().read_text(encoding="utf-8"))
    fut = data["fire_units"]["pantsir_s1"]
    fut.update(description=f"test unit: {radar} alone", radars=[radar], engagement_radar=radar)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"fire_units": {name: fut}}), encoding="utf-8")
    return path


def _run(text: str, base: Path | None = None, seed: int = 5) -> skyshield.RunResult:
    return skyshield.run(parse_scenario(text, "radar-roles.yaml", base), seed=seed)


def _radar_pos(text: str, base: Path | None, radar: str) -> np.ndarray:
    w = compile_world(parse_scenario(text, "radar-roles.yaml", base))
    return w.radars.pos_m[w.radars.name.index(radar)]


# ------------------------------------------------------------------------------ (a)
UAV_BEARINGS = (-70.0, -50.0, -30.0, -10.0, 10.0, 30.0, 50.0, 70.0)


def _pd_closed_form(range_m: np.ndarray, rcs_m2: float) -> np.ndarray:
    """Single-scan Pd of the Pantsir search radar from its reference point, R⁴ scaling."""
    r = load_catalogue().radars["pantsir_search"]
    s50 = math.log(1e-6) / math.log(0.5) - 1.0  # calibration: Pd 0.5, Pfa 1e-6, Swerling 1
    snr = s50 * (rcs_m2 / r.reference_target.rcs_m2.value) * (
        r.reference_target.range_m.value / range_m) ** 4
    pd = r.pfa.value ** (1.0 / (1.0 + snr))
    return np.where(range_m <= r.max_range_m.value, pd, 0.0)


def test_surveillance_detects_first_and_cues_the_fire_control_radar():
    threats = [_inbound(f"cm{k}", "cruise_missile_subsonic", b, 30e3, "3000 m", 244.0, 0.25 * k)
               for k, b in enumerate(UAV_BEARINGS)]
    text = _scenario("pantsir_s1", threats, 100, "sensors: {sector: 180}")
    res = _run(text)
    ev, tr = res.events, res.truth
    search, fc = "pantsir_search@fu", "pantsir_1RS2@fu"
    radar = _radar_pos(text, None, search)
    rcs = load_catalogue().air_vehicles["cruise_missile_subsonic"].rcs_m2.value
    scans = ev[(ev["kind"] == "scan") & (ev["source"] == search)]["t_s"].to_numpy()
    fd = ev[ev["kind"] == "first_detection"].set_index("truth_id")
    assert sorted(fd.index) == list(range(len(UAV_BEARINGS)))
    assert set(fd["source"]) == {search}  # the surveillance radar sees every one first
    exp_mean, exp_var, seen = [], [], []
    for k in range(len(UAV_BEARINGS)):
        t = tr[tr["entity_id"] == k].sort_values("t_s")
        ts = scans[(scans >= t["t_s"].min()) & (scans <= t["t_s"].max())]
        pos = np.stack([np.interp(ts, t["t_s"], t[c]) for c in ("x_m", "y_m", "z_m")], axis=1)
        rng = np.linalg.norm(pos - radar, axis=1)
        pd = _pd_closed_form(rng, rcs)
        first = pd * np.concatenate([[1.0], np.cumprod(1.0 - pd)[:-1]])
        assert first.sum() > 0.999
        m = float((first * rng).sum() / first.sum())
        exp_mean.append(m)
        exp_var.append(float((first * (rng - m) ** 2).sum() / first.sum()))
        seen.append(float(fd.loc[k, "value"]))
        assert rng.min() <= seen[-1] <= rng.max()
    n = len(seen)
    sigma = math.sqrt(sum(exp_var)) / n
    # the mean of eight first-detection ranges, against the closed form's, within 3σ (+0.5 %
    # for the catalogue's peak power rounded up: 36.2 km where the reference says 36.0 km)
    assert abs(np.mean(seen) - np.mean(exp_mean)) <= 3 * sigma + 0.005 * np.mean(exp_mean), (
        np.mean(seen), np.mean(exp_mean), sigma)
    assert 15e3 < np.mean(exp_mean) < 25e3  # the radar equation, not the instrumented range
    # the fire-control radar: measures each only after the picture confirms it + acquisition
    acq = load_catalogue().radars["pantsir_1RS2"].acquisition_time_s.value
    conf = ev[ev["kind"] == "track_confirmed"].groupby("truth_id")["t_s"].min()
    cued = ev[(ev["kind"] == "radar_cued") & (ev["source"] == fc)].groupby("truth_id")["t_s"].min()
    rows = res.tracks[(res.tracks["source"] == fc) & (res.tracks["truth_id"] >= 0)]
    first_fc = rows.groupby("truth_id")["t_s"].min()
    # it holds its max_tracks (4) of the eight (held while they stay in its coverage)
    n_max = int(load_catalogue().radars["pantsir_1RS2"].max_tracks.value)
    assert first_fc.size == cued.size == n_max
    assert (cued >= conf.reindex(cued.index)).all()  # cued by the picture's confirmed tracks
    # ... once inside its 30 km coverage (the track's estimate: the truth within 1 km)
    max_r = load_catalogue().radars["pantsir_1RS2"].max_range_m.value
    for k, tc in cued.items():
        t = tr[tr["entity_id"] == k]
        p = [np.interp(tc, t["t_s"], t[c]) for c in ("x_m", "y_m", "z_m")]
        assert np.linalg.norm(np.subtract(p, radar)) <= max_r + 1e3
    delay = first_fc - cued.reindex(first_fc.index)
    assert (delay >= acq).all(), delay
    # and soon after (1 s revisit): Pd > 0.5 per dwell inside 20 km, but the cue's elevation
    # (from the search radar's 13° beam) can leave a missile outside the dwell's 3 x 3-beam
    # cluster for a few dwells, until the track settles
    assert (delay <= acq + 8 * 1.0).all(), delay
    assert delay.median() <= acq + 2 * 1.0, delay
    print("first-detection ranges (km): seen", np.round(np.array(seen) / 1e3, 1),
          "expected mean", round(np.mean(exp_mean) / 1e3, 2), "σ of the mean",
          round(sigma / 1e3, 2), "; cue-to-first-dwell (s)", delay.round(2).tolist())


# ------------------------------------------------------------------------------ (b)
def test_fire_control_radar_alone_measures_only_its_sector(tmp_path):
    cat = _fc_only_catalogue(tmp_path, "fc_only", "pantsir_1RS2")
    threats = [_inbound("outside", "male_recon_uav", 0.0, 28e3, "5000 m", UAV_SPEED),
               _inbound("inside", "male_recon_uav", 180.0, 28e3, "5000 m", UAV_SPEED)]
    res = _run(_scenario("fc_only", threats, 300, "sensors: {sector: 180}", cat), tmp_path)
    ev = res.events
    fd = ev[ev["kind"] == "first_detection"]
    assert list(fd["truth_id"]) == [1]  # the one inside its sector, never the other
    measured = set(res.tracks.loc[res.tracks["truth_id"] >= 0, "truth_id"])
    assert measured == {1}
    # the one outside flew within range and above the horizon all along: 28 -> 10 km at 5 km
    assert ev[(ev["kind"] == "spawn")]["truth_id"].tolist() == [0, 1]


# ------------------------------------------------------------------------------ (c)
def test_fire_control_radar_holds_at_most_max_tracks():
    n_max = int(load_catalogue().radars["pantsir_1RS2"].max_tracks.value)
    bearings = [10.0 * k for k in range(n_max + 3)]
    threats = [_inbound(f"u{k}", "male_recon_uav", b, 38e3, "5000 m", UAV_SPEED)
               for k, b in enumerate(bearings)]
    res = _run(_scenario("pantsir_s1", threats, 360, "sensors: {sector: 210}"))
    ev = res.events
    conf = set(ev.loc[ev["kind"] == "track_confirmed", "truth_id"])
    assert conf >= set(range(len(bearings)))  # all of them cued by the picture
    rows = res.tracks[(res.tracks["source"] == "pantsir_1RS2@fu") & (res.tracks["truth_id"] >= 0)]
    per_scan = rows.groupby("t_s")["truth_id"].nunique()
    assert per_scan.max() == n_max
    assert rows["truth_id"].nunique() == n_max  # the same four held: none let go in range


# ------------------------------------------------------------------------------ (d)
def _horizon_m(h1: float, h2: float) -> float:
    return math.sqrt(2 * A_EFF * h1) + math.sqrt(2 * A_EFF * h2)


@pytest.mark.parametrize("mast_m", [0.0, 24.0])
def test_a_mast_raises_the_horizon_as_predicted(tmp_path, mast_m):
    cat = _fc_only_catalogue(tmp_path, "detector", "96L6E")
    h_ant = load_catalogue().radars["96L6E"].antenna_height_m.value
    threats = [_inbound(f"cm{k}", "cruise_missile_subsonic", 45.0 * k, 60e3, "30 m", 244.0,
                        0.75 * k) for k in range(8)]
    sensors = f"sensors: {{radars: {{96L6E: {{mast: {mast_m:g} m}}}}}}"
    res = _run(_scenario("detector", threats, 200, sensors, cat), tmp_path)
    fd = res.events[res.events["kind"] == "first_detection"]
    assert len(fd) == 8
    horizon = _horizon_m(h_ant + mast_m, 30.0)
    assert fd["value"].max() <= horizon  # the horizon of the height used is a hard cut
    if mast_m:
        assert horizon == pytest.approx(45.1e3, abs=0.1e3)
        # on the mast it sees every missile beyond where the bare antenna's horizon ends
        assert fd["value"].min() > _horizon_m(h_ant, 30.0) == pytest.approx(32.7e3, abs=0.1e3)


# ------------------------------------------------------------------------------ (e)
def test_an_uncued_fire_control_radar_radiates_only_in_its_sector(tmp_path):
    cat = _fc_only_catalogue(tmp_path, "fc_only", "pantsir_1RS2")
    threats = []
    for name, brg in (("jam_out", 0.0), ("jam_in", 180.0)):
        lat, lon = _point(brg, 60e3)
        threats.append(f"""  {name}:
    type: standoff_jammer
    start: 0 s
    waypoints:
      - {{lat: {lat:.6f}, lon: {lon:.6f}, alt: 9000 m, speed: 200 m/s}}
      - {{lat: {_point(brg + 5.0, 60e3)[0]:.6f}, lon: {_point(brg + 5.0, 60e3)[1]:.6f},
          alt: 9000 m}}""")
    text = _scenario("fc_only", threats, 20, "sensors: {sector: 180}", cat)
    sc = parse_scenario(text, "radar-roles.yaml", tmp_path)
    sim = Simulation(compile_world(sc), 5)
    sim.run()
    ev = pd.DataFrame(sim.output().events)
    strobes = ev[ev["kind"] == "jam_strobe"]
    assert list(strobes["truth_id"]) == [1]  # the jammer in its sector, not the other
    # beyond its 30 km instrumented range: no track, no cue, no dwell
    assert not (ev["kind"] == "track_confirmed").any()
    az = np.radians(np.arange(0.0, 360.0, 5.0))
    lit = sim.sensing.illuminates(0, az, np.zeros(az.size))
    expected = np.abs((np.degrees(az) - 180.0 + 180.0) % 360.0 - 180.0) <= 45.0
    assert (lit == expected).all()
    assert sim.w.radars.last_emission_s[0] > 0.0
