"""Self-screening noise jamming in a radar scan: burn-through emerges from the radar equation.

A target carrying its own noise jammer is placed on the bore-sight of the S-400 engagement radar
at a series of ranges. The scan's signal-to-(noise + jamming) ratio must equal the one built
independently from the radar-equation kernel, the jammer-to-noise kernel and S/(N+J) =
(S/N)/(1 + J/N); at the burn-through range given by the closed form of Mahafza & Elsherbeni
(2004) eq. 10.7 it must equal the required S/J (jamming far above thermal noise there).
"""

import numpy as np
import pytest

import skyshield
from skyshield.physics import detection, jamming, radar
from skyshield.scenario.catalogue import load_catalogue
from skyshield.sensors.radar import Jammers, scan
from skyshield.sim.world import compile_world


@pytest.fixture(scope="module")
def setup():
    world = compile_world(skyshield.load_scenario("slavic-shield-2019"))
    rs = world.radars
    i = rs.name.index("92N6E@s400")
    pod = load_catalogue().air_vehicles["strike_aircraft_ecm"].jammer
    return rs, i, (pod.power_w.value, pod.gain_db.value, pod.bandwidth_hz.value)


def _place(rs, i, ranges_m, alt_m=6000.0):
    """Targets on the radar's local north at slant ranges ``ranges_m``, ``alt_m`` above it."""
    local = np.stack([np.zeros_like(ranges_m), np.sqrt(ranges_m**2 - alt_m**2),
                      np.full_like(ranges_m, alt_m)], axis=1)
    return rs.pos_m[i] + local @ rs.rot[i], np.full(ranges_m.shape, alt_m + rs.height_agl_m[i])


def _scan(rs, i, pos, agl, rcs, pod, seed=0):
    n = pos.shape[0]
    jam = Jammers(pos, agl, np.full(n, pod[0]), np.full(n, pod[1]), np.full(n, pod[2]))
    return scan(rs, i, 0.0, pos, agl, np.full(n, rcs), np.ones(n, dtype=np.int64),
                np.arange(n), jam, np.random.default_rng(seed))


def _expected_sinr_db(rs, i, r, rcs, pod):
    snr = radar.snr_db(rs.peak_power_w[i], rs.pulse_width_s[i], rs.freq_hz[i], r, rcs,
                       rs.gain_db[i], None, rs.system_temp_k[i], rs.loss_db[i]) + \
        10 * np.log10(rs.n_pulses[i])
    jnr = jamming.jnr_db(pod[0], pod[1], pod[2], rs.freq_hz[i], r, rs.gain_db[i],
                         1 / rs.pulse_width_s[i], rs.system_temp_k[i])
    return snr - 10 * np.log10(1 + 10 ** (jnr / 10))


def test_scan_sinr_matches_the_kernels(setup):
    rs, i, pod = setup
    ranges = np.array([20e3])
    pos, agl = _place(rs, i, ranges)
    det = _scan(rs, i, pos, agl, 3.0, pod)
    hit = det.truth_id >= 0
    assert hit.sum() == 1  # 20 km, far inside burn-through: certain detection
    np.testing.assert_allclose(det.snr_db[hit], _expected_sinr_db(rs, i, ranges, 3.0, pod),
                               atol=1e-9)


def test_burn_through_range_emerges(setup):
    rs, i, pod = setup
    rcs = 3.0
    # S/J needed per dwell for Pd 0.5 (Swerling 1) at the radar's Pfa; per pulse −10·log10(n)
    s_dwell = float(detection.required_snr_db(0.5, rs.pfa[i], 1, 1))
    s_pulse = s_dwell - 10 * np.log10(rs.n_pulses[i])
    r_bt = float(jamming.burn_through_range_m(s_pulse, pod[0], pod[1], pod[2],
                                              rs.peak_power_w[i], rs.gain_db[i], rcs,
                                              1 / rs.pulse_width_s[i], rs.loss_db[i]))
    clear = float(radar.max_range_m(s_pulse, rs.peak_power_w[i], rs.pulse_width_s[i],
                                    rs.freq_hz[i], rcs, rs.gain_db[i], None,
                                    rs.system_temp_k[i], rs.loss_db[i]))
    assert r_bt < clear / 2  # the pod costs the radar more than half its range
    sinr = _expected_sinr_db(rs, i, np.array([r_bt]), rcs, pod)[0]
    assert sinr == pytest.approx(s_dwell, abs=0.05)  # J ≫ N there: S/(N+J) ≈ S/J
    # the scan itself: detection frequency against Swerling 1, Pd = Pfa^(1/(1+S)) (closed form)
    ranges = np.array([0.5 * r_bt, r_bt, 2.0 * r_bt])
    s_lin = 10 ** (_expected_sinr_db(rs, i, ranges, rcs, pod) / 10)
    pd_sw1 = rs.pfa[i] ** (1 / (1 + s_lin))
    hits = np.zeros(3)
    for seed in range(400):
        det = _scan(rs, i, *_place(rs, i, ranges[[0]]), rcs, pod, seed)
        hits[0] += (det.truth_id == 0).any()
        det = _scan(rs, i, *_place(rs, i, ranges[[1]]), rcs, pod, seed)
        hits[1] += (det.truth_id == 0).any()
        det = _scan(rs, i, *_place(rs, i, ranges[[2]]), rcs, pod, seed)
        hits[2] += (det.truth_id == 0).any()
    pd_hat = hits / 400
    assert pd_sw1[1] == pytest.approx(0.5, abs=0.01)
    # four binomial sigmas (σ ≤ 0.025 with 400 draws)
    np.testing.assert_array_less(np.abs(pd_hat - pd_sw1), 4 * np.sqrt(pd_sw1 * (1 - pd_sw1) / 400))
    assert pd_hat[0] > pd_hat[1] > pd_hat[2]


def test_self_screening_range_grows_as_the_square_root_of_jammer_power(setup):
    # closed form (eq. 10.7): R_bt ∝ (Pj·Gj/Bj)^(−1/2); quadrupling Pj halves it
    rs, i, pod = setup
    args = dict(required_sj_db=10.0, jammer_gain_db=pod[1], jammer_bandwidth_hz=pod[2],
                peak_power_w=rs.peak_power_w[i], gain_db=rs.gain_db[i], rcs_m2=3.0,
                receiver_bandwidth_hz=1 / rs.pulse_width_s[i])
    r1 = jamming.burn_through_range_m(jammer_power_w=pod[0], **args)
    r4 = jamming.burn_through_range_m(jammer_power_w=4 * pod[0], **args)
    assert r4 / r1 == pytest.approx(0.5, rel=1e-12)
