"""Coverage ranges against the radar equation, the horizon and the jamming equation."""

import subprocess
import sys

import numpy as np
import pytest

import skyshield
from skyshield.analysis.coverage import coverage, detection_range_m, jammers_at, pd_at_range
from skyshield.physics import jamming, radar
from skyshield.sim.world import compile_world


@pytest.fixture(scope="module")
def world():
    return compile_world(skyshield.load_scenario("slavic-shield-2019"))


def _index(world, name):
    return world.radars.name.index(name)


def test_clear_range_is_the_least_of_equation_horizon_and_instrumented(world):
    rs = world.radars
    i = _index(world, "91N6E@s400")
    # Swerling 1, one dwell, Pd 0.5: S = ln(Pfa)/ln(0.5) − 1 (closed form), then R from the
    # radar-equation kernel with the dwell's coherent gain n
    s_req_db = 10 * np.log10(np.log(rs.pfa[i]) / np.log(0.5) - 1)
    r_eq = float(radar.max_range_m(s_req_db - 10 * np.log10(rs.n_pulses[i]), rs.peak_power_w[i],
                                   rs.pulse_width_s[i], rs.freq_hz[i], 1.0, rs.gain_db[i], None,
                                   rs.system_temp_k[i], rs.loss_db[i]))
    high = detection_range_m(world, i, np.array([1.0]), 1.0, 30e3)[0]
    assert high == pytest.approx(min(r_eq, rs.max_range_m[i]), rel=1e-9)
    # a sea-skimmer at 50 m: the 4/3-Earth horizon √(2kR0·ha) + √(2kR0·ht) limits it
    k_r0 = 4 / 3 * 6371e3
    horizon = np.sqrt(2 * k_r0 * rs.height_agl_m[i]) + np.sqrt(2 * k_r0 * 50.0)
    low = detection_range_m(world, i, np.array([1.0]), 1.0, 50.0)[0]
    assert low == pytest.approx(horizon, rel=1e-9)
    # and the probability there is the one asked for
    assert float(pd_at_range(world, i, np.array([high]), 1.0, 1.0, 30e3)[0]) == \
        pytest.approx(0.5, abs=1e-6)


def test_jamming_shrinks_range_by_the_fourth_root_of_one_plus_jnr(world):
    rs = world.radars
    i = _index(world, "91N6E@s400")
    cov = coverage(world, 5.0, 6000.0)
    jam = cov.jammers
    assert jam.pos_m.shape[0] == 2  # the stand-off jammer and the self-screening strike_2
    # J/N through a sidelobe (bearing opposite the first jammer), from the jamming kernel
    rel = (jam.pos_m - rs.pos_m[i]) @ rs.rot[i].T
    jaz = np.arctan2(rel[:, 0], rel[:, 1]) % (2 * np.pi)
    jr = np.linalg.norm(rel, axis=1)
    jnr_sl = jamming.jnr_db(jam.power_w, jam.gain_db, jam.bandwidth_hz, rs.freq_hz[i],
                            jr, rs.gain_db[i] - rs.sidelobe_db[i], 1 / rs.pulse_width_s[i],
                            rs.system_temp_k[i])
    opposite = np.array([(jaz[0] + np.pi) % (2 * np.pi)])
    r_clear = detection_range_m(world, i, opposite, 1.0, 30e3)[0]
    assert r_clear < rs.max_range_m[i]  # 1 m² at 30 km: limited by the equation, not range
    r_jam = detection_range_m(world, i, opposite, 1.0, 30e3, jammers=jam)[0]
    assert r_jam / r_clear == pytest.approx((1 + np.sum(10 ** (jnr_sl / 10))) ** -0.25,
                                          rel=1e-9)
    # toward a jammer (main lobe) the range is shortest of all bearings
    js = np.argmin(np.abs(((cov.az_rad[:, None] - jaz + np.pi) % (2 * np.pi)) - np.pi), axis=0)
    assert cov.range_m[i, js].min() == pytest.approx(cov.range_m[i].min())
    assert np.all(cov.range_m <= cov.range_no_jam_m + 1e-9)


def test_no_jammer_in_the_air_means_no_jamming(world):
    jam = jammers_at(world, 10.0)  # the jammer appears at 35 min
    assert jam.pos_m.shape == (0, 3)


def test_coverage_command_writes_a_png(tmp_path):
    out = tmp_path / "cov.png"
    p = subprocess.run([sys.executable, "-m", "skyshield.cli", "coverage", "slavic-shield-2019",
                        "--target-rcs", "0.1", "--altitude", "50", "--out", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "91N6E@s400" in p.stdout
