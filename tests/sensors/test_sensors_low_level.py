"""The low-level terms of a radar scan (issue 22) against the kernels and closed forms.

A scan's S/(N+C+J) must be the free-space radar equation plus exactly the kernels' terms:
40·log10 F of :func:`physics.multipath.propagation_factor` for a low target (and F = 1 for a high
one a pencil beam looks up at), the jammer's one-way F², two-way ITU-R P.838-3 rain over the path
below the rain height, the MTI canceller's response (blind speeds, the tangential notch), the
Doppler notch, and constant-γ clutter σ0·R·θaz·ΔR·sec ψ divided by the improvement factor — none
beyond the radar's own horizon.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.physics import clutter, detection, multipath, rain
from skyshield.scenario.catalogue import load_catalogue
from skyshield.scenario.errors import ScenarioError
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.radar import Jammers, low_level, scan
from skyshield.sim.world import compile_world

A_EFF = 4.0 / 3.0 * 6_371_000.0


def _world(unit_type: str = "s400_battalion", extra: str = ""):
    text = f"""
name: low-level-unit
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: 60 s
{extra}
units:
  fu: {{type: {unit_type}, lat: 45.0, lon: 20.0}}
"""
    return compile_world(parse_scenario(text, "low.yaml"))


def _place(rs, i, ground_m, agl_m):
    """Targets on the radar's local north at horizontal distances ``ground_m``, ``agl_m`` above
    the terrain (the local frame's up is the radar's; close enough at these ranges)."""
    up = np.asarray(agl_m, dtype=float) - rs.height_agl_m[i]
    local = np.stack([np.zeros_like(ground_m), ground_m, up], axis=1)
    return rs.pos_m[i] + local @ rs.rot[i], np.asarray(agl_m, dtype=float)


def _free_space_db(rs, i, r, rcs):
    return rs.dwell_snr_1m_db[i] + 10 * np.log10(rcs / r**4)


def _scan(rs, i, pos, agl, vel=None, jam=None, rcs=1e4):
    """S/(N+C+J) and true range of the targets detected, by truth id (a large RCS makes every
    target not in a null or a notch certain to be detected)."""
    n = pos.shape[0]
    jam = jam or Jammers(np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    det = scan(rs, i, 0.0, pos, agl, np.full(n, rcs), np.ones(n, dtype=np.int64),
               np.arange(n), jam, np.random.default_rng(0), None, vel)
    true = det.truth_id >= 0
    ids = det.truth_id[true]
    order = np.argsort(ids)
    return det.snr_db[true][order], det.true_range_m[true][order], ids[order]


def _beam_on_reflected_ray(rs, i, pos, r, h2):
    """The reflected ray leaves the antenna ψ + d1/a below the horizontal; the beam (Gaussian,
    its elevation beamwidth to the 3 dB points) points at the target, el above it."""
    h1 = rs.height_agl_m[i]
    rel = (pos - rs.pos_m[i]) @ rs.rot[i].T
    el = np.arcsin(rel[:, 2] / r)
    d = multipath.ground_range_from_slant_m(r, h1, h2)
    d1, _, _, _, psi = multipath.two_ray_geometry(d, h1, h2, A_EFF)
    return np.exp(-2 * math.log(2) * ((el + psi + d1 / A_EFF) / rs.beamwidth_el_rad[i]) ** 2)


def test_low_target_snr_is_free_space_times_the_kernels_f4():
    w = _world(extra="surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("91N6E@fu")
    pos, agl = _place(rs, i, np.array([12e3, 20e3, 30e3]), [50.0, 50.0, 50.0])
    snr, r, _ = _scan(rs, i, pos, agl)
    h1 = rs.height_agl_m[i]
    f_r = _beam_on_reflected_ray(rs, i, pos, r, 50.0)
    assert (f_r > 0.8).all() and (f_r < 1).all()
    # land's default roughness: 1 m rms (schema.Surface)
    F, region = multipath.propagation_factor(r, h1, 50.0, rs.freq_hz[i],
                                             surface="medium_dry_ground", polarization="H",
                                             rms_height_m=1.0,
                                             pattern_reflected=f_r)
    np.testing.assert_allclose(snr, _free_space_db(rs, i, r, 1e4) + 40 * np.log10(F), atol=1e-6)
    assert (np.abs(40 * np.log10(F)) > 1.0).all()  # the lobing is really there


def test_pencil_beam_looking_up_sees_free_space():
    w = _world(extra="surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("92N6E@fu")
    pos, agl = _place(rs, i, np.array([20e3, 60e3]), [6000.0, 9000.0])
    snr, r, _ = _scan(rs, i, pos, agl)
    np.testing.assert_allclose(snr, _free_space_db(rs, i, r, 1e4), atol=1e-9)


def test_vhf_fan_beam_keeps_lobing_on_high_targets():
    # the P-18's 27° elevation fan passes the reflected ray of a 6 km target at 40 km (Δ ≈ 17°)
    w = _world("s125_neva_m1t", "surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("s125_p18@fu")
    low = low_level(rs, i, np.array([40e3]), np.array([math.atan2(6000.0, 40e3)]),
                    np.array([6000.0]))
    assert abs(low.f4_db[0]) > 0.5


def test_jammer_noise_gets_the_one_way_factor():
    w = _world(extra="surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("91N6E@fu")
    pos, agl = _place(rs, i, np.array([25e3]), [100.0])
    from skyshield.sensors.radar import jam_to_noise
    jam = Jammers(pos, agl, np.array([100.0]), np.array([3.0]), np.array([1e8]))
    rel = (pos - rs.pos_m[i]) @ rs.rot[i].T
    r = float(np.linalg.norm(rel))
    az = math.atan2(rel[0, 0], rel[0, 1])
    jn_db = 10 * np.log10(jam_to_noise(rs, i, np.array([az]), jam, True))[0]
    F, _ = multipath.propagation_factor(r, rs.height_agl_m[i], 100.0, rs.freq_hz[i],
                                        rms_height_m=1.0,
                                        pattern_reflected=_beam_on_reflected_ray(
                                            rs, i, pos, np.array([r]), 100.0))
    from skyshield.physics import jamming
    free = jamming.jnr_db(100.0, 3.0, 1e8, rs.freq_hz[i], r, rs.gain_db[i],
                          1 / rs.pulse_width_s[i], rs.system_temp_k[i])
    assert jn_db == pytest.approx(free + 20 * math.log10(F[0]), abs=0.02)


def test_rain_attenuates_two_way_below_the_rain_height():
    base = "surface: {type: medium_dry_ground, clutter: none}\n"
    dry = _world(extra=base).radars
    wet = _world(extra=base + "weather: {rain_rate: 16 mm/h, rain_height: 2 km}").radars
    i = dry.name.index("92N6E@fu")
    ground = np.array([30e3, 30e3])
    heights = [5000.0, 1000.0]
    pos, agl = _place(dry, i, ground, heights)
    s_dry, r, _ = _scan(dry, i, pos, agl)
    s_wet, _, _ = _scan(wet, i, pos, agl)
    rel = (pos - dry.pos_m[i]) @ dry.rot[i].T
    el = np.arcsin(rel[:, 2] / r)
    h1 = dry.height_agl_m[i]
    inside = np.array([(2000.0 - h1) / (5000.0 - h1), 1.0]) * r  # part of the path in rain
    expect = rain.rain_attenuation_db(inside, 16.0, 10e9, el, 0.0)
    np.testing.assert_allclose(s_dry - s_wet, expect, rtol=1e-6)
    assert 0.5 < expect[1] < 40  # X band, 16 mm/h: 0.4 dB/km two-way over ~30 km


def test_mti_blind_speed_and_tangential_notch():
    w = _world("s125_neva_m1t", "surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("s125_p18@fu")
    cat = load_catalogue().radars["s125_p18"]
    v_blind = float(clutter.blind_speed_m_per_s(cat.freq_hz.value, cat.prf_hz.value))
    pos, agl = _place(rs, i, np.array([20e3, 22e3, 24e3]), [3000.0, 3000.0, 3000.0])
    rel = (pos - rs.pos_m[i]) @ rs.rot[i].T
    los = rel / np.linalg.norm(rel, axis=1)[:, None]
    speeds = np.array([v_blind, 0.0, 0.5 * v_blind])  # blind, tangential, best
    vel = (los * speeds[:, None]) @ rs.rot[i]  # radial, in scenario ENU
    vel[1] = np.array([1.0, 0.0, 0.0]) @ rs.rot[i] * 200.0  # crossing: radial speed 0
    low = low_level(rs, i, np.linalg.norm(rel, axis=1), np.arcsin(los[:, 2]), agl,
                    np.einsum("ij,ij->i", vel @ rs.rot[i].T, los))
    gain = 10 ** (low.processing_db / 10)
    assert gain[0] < 1e-6 and gain[1] < 1e-6
    assert gain[2] == pytest.approx(2.0, rel=1e-9)  # single canceller: 2·sin²(π/2)
    # and the scan sees it: of the three large targets only the one at the best speed
    _, _, ids = _scan(rs, i, pos, agl, vel, rcs=100.0)
    assert ids.tolist() == [2]


def test_doppler_notch_rejects_a_crossing_target():
    w = _world(extra="surface: {type: medium_dry_ground, clutter: none}")
    rs = w.radars
    i = rs.name.index("91N6E@fu")
    low = low_level(rs, i, np.array([50e3, 50e3]), np.array([0.05, 0.05]),
                    np.array([3000.0, 3000.0]), np.array([2.0, 100.0]))
    assert low.processing_db[0] < -100 and low.processing_db[1] == 0.0


def test_clutter_is_the_constant_gamma_cell_after_the_improvement_factor():
    w = _world("s125_neva_m1t", "surface: land")  # farmland
    rs = w.radars
    i = rs.name.index("s125_p18@fu")
    h1 = rs.height_agl_m[i]
    r = np.array([5e3, 9e3, 15e3])
    el = np.full(3, 0.0)
    low = low_level(rs, i, r, el, np.full(3, 30.0))
    f = rs.freq_hz[i]
    sin_psi = h1 / r + h1**2 / (2 * A_EFF * r) - r / (2 * A_EFF)
    psi = np.arcsin(sin_psi[:2])
    sc = clutter.clutter_cell_rcs_m2(clutter.constant_gamma_sigma0(
        clutter.gamma_db("farmland", f), psi), r[:2], rs.beamwidth_az_rad[i],
        rs.range_resolution_m[i], psi)
    # the two-way beam weight towards the clutter cell: within 0.01 dB of 1 (27° fan)
    expect = rs.dwell_snr_1m_db[i] + 10 * np.log10(sc / r[:2] ** 4) - 20.0
    np.testing.assert_allclose(low.cnr_db[:2], expect, atol=0.01)
    assert math.sqrt(2 * A_EFF * h1) < 15e3 and low.cnr_db[2] == -np.inf  # beyond its horizon
    # S/(N+C) in the scan: C/N enters like J/N
    pos, agl = _place(rs, i, r[:1], [30.0])
    snr, rr, _ = _scan(rs, i, pos, agl, rcs=1e6)
    F, _ = multipath.propagation_factor(rr, h1, 30.0, f, rms_height_m=1.0)
    cnr = low_level(rs, i, rr, np.array([math.atan2(30.0 - h1, rr[0])]),
                    np.array([30.0])).cnr_db
    s_over_c = _free_space_db(rs, i, rr, 1e6)[0] + 40 * math.log10(F[0]) - cnr[0]
    assert snr[0] == pytest.approx(_free_space_db(rs, i, rr, 1e6)[0] + 40 * math.log10(F[0])
                                   - 10 * math.log10(1 + 10 ** (cnr[0] / 10)), abs=0.02)
    # a 0.1 m² missile there is lost in the clutter (S/C 70 dB lower than this 1e6 m² one's)
    assert detection.pd(s_over_c - 70.0, 1e-6, 1, 1) < 0.01


def test_surface_and_weather_are_checked_where_they_are_written():
    text = """
name: bad
origin: {lat: 45.0, lon: 20.0}
duration: 60 s
surface: swamp
weather: {rain_rate: 5 km}
"""
    with pytest.raises(ScenarioError) as exc:
        parse_scenario(text, "bad.yaml")
    msg = str(exc.value)
    assert "bad.yaml:5" in msg and "surface" in msg and "swamp" in msg
    assert "bad.yaml:6" in msg and "rain_rate" in msg and "mm/h" in msg


def test_unit_surface_replaces_the_scenario_default():
    w = _world(extra="surface: sea\n")
    assert set(w.radars.surface) == {"sea_water"}
    assert set(w.radars.roughness_m) == {0.3}  # sea state 3 (assumed default)
    assert set(_world().radars.roughness_m) == {1.0}  # land
    rough = _world(extra="surface: {type: wet_ground, roughness: 0 m}").radars
    assert set(rough.roughness_m) == {0.0}
    text = """
name: two
origin: {lat: 45.0, lon: 20.0}
duration: 60 s
units:
  a: {type: pantsir_s1, lat: 45.0, lon: 20.0, surface: lake}
  b: {type: pantsir_s1, lat: 45.1, lon: 20.0}
"""
    rs = compile_world(parse_scenario(text, "two.yaml")).radars
    assert rs.surface == ["fresh_water", "fresh_water", "medium_dry_ground", "medium_dry_ground"]
    assert np.isinf(rs.clutter_gamma_db[:2]).all() and np.isfinite(rs.clutter_gamma_db[2:]).all()


def test_catalogue_mti_needs_its_prf(tmp_path):
    from skyshield.scenario.catalogue import RadarType
    data = load_catalogue().radars["s125_p18"].model_dump(exclude_none=True)
    data.pop("prf_hz")
    with pytest.raises(ValueError, match="prf_hz"):
        RadarType.model_validate(data)


def test_false_plot_density_counts_the_false_plots_of_a_scan():
    """The density the tracker scores plots with is the scan's own: over many empty scans of
    the 91N6E the false plots falling in range shells (r1, r2) and an elevation band
    (0, e) number density × volume (closed form ∫ r² cos el dr daz del) within Poisson error."""
    from skyshield.sensors.radar import false_plot_density
    w = _world()
    rs = w.radars
    i = rs.name.index(next(n for n in rs.name if n.startswith("91N6E")))
    jam = Jammers(np.zeros((0, 3)), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    rng = np.random.default_rng(3)
    r_all, el_all = [], []
    n_scans = 400
    for _ in range(n_scans):
        det = scan(rs, i, 0.0, np.zeros((0, 3)), np.zeros(0), np.zeros(0),
                   np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), jam, rng, None, None)
        r_all.append(det.true_range_m)
        el_all.append(det.el_rad)
    r, el = np.concatenate(r_all), np.concatenate(el_all)
    assert r.size > 1000
    for r1, r2, e in ((50e3, 100e3, 0.05), (200e3, 300e3, 0.2)):
        got = np.count_nonzero((r >= r1) & (r < r2) & (el < e)) / n_scans
        # the density at (r, el) integrated over the shell, in closed form: it is uniform in
        # range × elevation, so λ·r²·cos el is a constant c and the count is c·Δr·2π·e
        c = float(false_plot_density(rs, i, np.array([r1]), np.array([0.0]))[0]) * r1 * r1
        want = c * (r2 - r1) * 2 * np.pi * e
        assert abs(got - want) < 4 * np.sqrt(want / n_scans) + 1e-9, (got, want)
