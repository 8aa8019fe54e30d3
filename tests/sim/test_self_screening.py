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
    rs.sector_az_rad[i] = 0.0  # its search sector turned to local north, where _place puts them
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


# --- jam strobes: the emission cue -------------------------------------------------------------

BOLTZMANN = 1.380649e-23


def _strobe_range_m(rs, i, pj, gj_db, bj):
    """Range at which a jammer's main-lobe J/N is 3 dB, from the one-way (Friis) equation
    J/N = Pj·Gj·Gr·λ²·min(1, Br/Bj) / ((4π)²·R²·k·Ts·Br), Br = 1/τ, written out here."""
    lam = 299_792_458.0 / rs.freq_hz[i]
    br = 1.0 / rs.pulse_width_s[i]
    num = pj * 10 ** (gj_db / 10) * 10 ** (rs.gain_db[i] / 10) * lam**2 * min(1.0, br / bj)
    return float(np.sqrt(num / ((4 * np.pi) ** 2 * BOLTZMANN * rs.system_temp_k[i] * br
                                * 10 ** (3.0 / 10))))


def test_a_strobe_appears_where_the_main_lobe_jnr_reaches_3_db(setup):
    from skyshield.sensors.radar import STROBE_JNR_DB, strobes

    rs, i, pod = setup
    assert STROBE_JNR_DB == 3.0
    # a weak jammer, so that its 3 dB range lies inside the radar's horizon at 6 km
    pj = pod[0] * (100e3 / _strobe_range_m(rs, i, pod[0], pod[1], pod[2])) ** 2
    r3 = _strobe_range_m(rs, i, pj, pod[1], pod[2])
    assert r3 == pytest.approx(100e3, rel=1e-9)
    pos, agl = _place(rs, i, np.array([0.98 * r3, 1.02 * r3]))
    jam = Jammers(pos, agl, np.full(2, pj), np.full(2, pod[1]), np.full(2, pod[2]))
    sb = strobes(rs, i, jam, np.random.default_rng(0))
    assert list(sb.jammer) == [0]  # inside the 3 dB range only
    assert sb.jnr_db[0] == pytest.approx(3.0 + 20 * np.log10(1 / 0.98), abs=1e-6)


def test_strobe_bearing_noise_follows_barton(setup):
    from skyshield.sensors.radar import strobes

    rs, i, pod = setup
    pos, agl = _place(rs, i, np.array([150e3]))
    jam = Jammers(pos, agl, np.full(1, pod[0]), np.full(1, pod[1]), np.full(1, pod[2]))
    rng = np.random.default_rng(7)
    draws = [strobes(rs, i, jam, rng) for _ in range(4000)]
    jnr = draws[0].jnr_db[0]
    az = np.array([d.az_rad[0] for d in draws])
    err = (az + np.pi) % (2 * np.pi) - np.pi  # on local north: azimuth 0 (clockwise)
    sigma = rs.beamwidth_az_rad[i] / (1.6 * np.sqrt(2 * 10 ** (jnr / 10)))  # Barton eq. 10.2.1
    assert abs(err.mean()) < 4 * sigma / np.sqrt(err.size)
    assert err.std() == pytest.approx(sigma, rel=0.05)  # 4000 draws: σ̂ within ±5 % (≈4.5 s.e.)


def test_no_strobe_from_beyond_the_horizon(setup):
    from skyshield.sensors.radar import strobes

    rs, i, pod = setup
    pos, agl = _place(rs, i, np.array([600e3]), alt_m=100.0)  # far below the 4/3-Earth horizon
    jam = Jammers(pos, agl, np.full(1, 1e6), np.full(1, pod[1]), np.full(1, pod[2]))
    assert strobes(rs, i, jam, np.random.default_rng(0)).az_rad.size == 0


def test_jamming_cue_classifies_the_self_screening_striker_not_its_missiles(exercise_2019):
    """Built-in exercise: the ECM striker's track lies on strobes from two sites and is classed
    an aircraft with the jamming cue; the anti-radiation missiles it launched fly along the same
    bearings but keep their kinematic class; every radar that first sees a strobe logs it."""
    ev = exercise_2019.events
    types = ev[ev.kind == "spawn"].set_index("truth_id")["target"]
    cl = ev[ev.kind == "classified"].assign(type=lambda d: d.truth_id.map(types))
    ecm = cl[cl.type == "strike_aircraft_ecm"]
    assert (ecm["info"] == "cue=jamming").any()
    assert (ecm[ecm["info"] == "cue=jamming"].target == "aircraft").all()
    arm = cl[cl.type == "anti_radiation_missile"]
    assert len(arm) and (arm.target == "anti_radiation_missile").all()
    assert (cl[cl["info"] == "cue=jamming"].type.isin(["strike_aircraft_ecm",
                                                         "standoff_jammer"])).all()
    js = ev[ev.kind == "jam_strobe"]
    assert set(js.truth_id.map(types)) <= {"strike_aircraft_ecm", "standoff_jammer"}
    assert not js.duplicated(["source", "truth_id"]).any()
