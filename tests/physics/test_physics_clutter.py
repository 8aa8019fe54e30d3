"""Constant-γ clutter and MTI cancellers against published tables and formulas.

Authorities: MathWorks Radar Toolbox ``surfacegamma`` (γ table after Nathanson 1999 and Long
2001; γ(f) = γ0 + 5·log10(f/10 GHz); doc example "woods" at 300 MHz); Skolnik, Introduction to
Radar Systems 3rd ed. (2001) ch. 3: canceller responses 2|sin(π f_d T)| and 4 sin²(π f_d T),
blind speeds v_n = n·λ·f_p/2, Gaussian-clutter improvement factors I ≈ 2(f_p/2πσ_c)² and
2(f_p/2πσ_c)⁴, scanning-limited I ≈ n²/1.388 and n⁴/3.85, 1/I = Σ 1/I_k.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.clutter import (
    GAMMA_10GHZ_DB,
    blind_speed_m_per_s,
    canceller_power_response,
    clutter_cell_rcs_m2,
    clutter_spectrum_std_hz,
    combine_improvement_factors,
    constant_gamma_sigma0,
    gamma_db,
    mti_improvement_factor,
    mti_target_gain,
    scan_modulation_std_hz,
)

C = 299792458.0
DB = 1e-9


def test_surfacegamma_table_at_10ghz() -> None:
    expected = {"sea_state_3": -40, "sea_state_5": -30, "woods": -15, "metropolitan": 0,
                "rugged_mountain": 0, "farmland": -15, "wooded_hill": -10, "flatland": -20}
    assert GAMMA_10GHZ_DB == expected
    for name, g in expected.items():
        assert gamma_db(name) == g


def test_surfacegamma_frequency_law() -> None:
    # MathWorks doc example: surfacegamma('woods', 300e6) = −15 + 5·log10(0.03) = −22.614 dB
    assert gamma_db("woods", 300e6) == pytest.approx(-22.614393726401687, abs=DB)
    np.testing.assert_allclose(gamma_db("flatland", np.array([1e9, 3e9, 10e9])),
                               -20 + 5 * np.log10([0.1, 0.3, 1.0]), atol=DB)
    with pytest.raises(ValueError, match="unknown terrain 'swamp'"):
        gamma_db("swamp")


def test_constant_gamma_sigma0_and_cell_rcs() -> None:
    # σ0 = γ sin ψ: −20 dB at ψ = 30° -> 0.005; a 1 km, 1°, 150 m cell at ψ = 0.5°
    assert constant_gamma_sigma0(-20.0, np.radians(30)) == pytest.approx(0.005, rel=1e-12)
    assert constant_gamma_sigma0(-20.0, -0.01) == 0.0
    s0 = constant_gamma_sigma0(-10.0, np.radians(0.5))
    rcs = clutter_cell_rcs_m2(s0, 1e3, np.radians(1.0), 150.0, np.radians(0.5))
    assert rcs == pytest.approx(s0 * 1e3 * np.radians(1.0) * 150 / np.cos(np.radians(0.5)),
                                rel=1e-12)


def test_blind_speeds_and_notches() -> None:
    f, prf = 170e6, 300.0                     # VHF: λ = 1.763 m, v1 = 264.5 m/s
    lam = C / f
    assert blind_speed_m_per_s(f, prf) == pytest.approx(lam * prf / 2, rel=1e-15)
    v = blind_speed_m_per_s(f, prf, np.arange(4))
    for order in (1, 2):
        assert np.all(canceller_power_response(v, f, prf, order) < 1e-20)
        assert np.all(mti_target_gain(v, f, prf, order) < 1e-20)
    # peak of the single canceller's power response is 4 (|H| = 2) halfway between blind speeds
    v_half = v[1] / 2
    assert canceller_power_response(v_half, f, prf, 1) == pytest.approx(4.0, rel=1e-12)
    assert canceller_power_response(v_half, f, prf, 2) == pytest.approx(16.0, rel=1e-12)
    # average target gain over a full Doppler period is 1 for both
    vs = np.linspace(0, v[1], 20001)[:-1]
    for order in (1, 2):
        assert mti_target_gain(vs, f, prf, order).mean() == pytest.approx(1.0, rel=1e-9)
    with pytest.raises(ValueError, match="order"):
        canceller_power_response(1.0, f, prf, 3)


def test_improvement_factor_gaussian_limits() -> None:
    prf = 1000.0
    sc = np.array([0.5, 1.0, 2.0])            # σ_c ≪ f_p
    I1 = mti_improvement_factor(sc, prf, 1)
    I2 = mti_improvement_factor(sc, prf, 2)
    np.testing.assert_allclose(I1, 2 * (prf / (2 * np.pi * sc)) ** 2, rtol=1e-4)
    np.testing.assert_allclose(I2, 2 * (prf / (2 * np.pi * sc)) ** 4, rtol=2e-4)
    assert mti_improvement_factor(0.0, prf, 1) == np.inf
    # white clutter (σ_c ≫ f_p): no improvement (I → 1)
    assert mti_improvement_factor(1e5, prf, 1) == pytest.approx(1.0, rel=1e-9)
    assert mti_improvement_factor(1e5, prf, 2) == pytest.approx(1.0, rel=1e-9)


def test_scanning_limited_improvement_skolnik_constants() -> None:
    # Skolnik: I ≈ n²/1.388 (single), n⁴/3.85 (double), large n
    prf, n = 1000.0, 200.0
    ss = scan_modulation_std_hz(prf, n)
    assert mti_improvement_factor(ss, prf, 1) * 1.388 / n**2 == pytest.approx(1.0, abs=3e-3)
    assert mti_improvement_factor(ss, prf, 2) * 3.85 / n**4 == pytest.approx(1.0, abs=5e-3)


def test_clutter_spread_and_combination() -> None:
    # σ_c = 2σ_v/λ: σ_v = 0.22 m/s at 3 GHz -> 4.40 Hz
    assert clutter_spectrum_std_hz(0.22, 3e9) == pytest.approx(2 * 0.22 * 3e9 / C, rel=1e-15)
    assert combine_improvement_factors(100.0, 100.0) == pytest.approx(50.0, rel=1e-15)
    assert combine_improvement_factors(np.inf, 30.0) == pytest.approx(30.0, rel=1e-15)
    # adding scanning to internal motion: Gaussian spreads add in quadrature; the overall factor
    # is close to the 1/I = Σ 1/I_k rule for the single canceller in the small-σ regime
    prf, sc, ss = 1000.0, 3.0, scan_modulation_std_hz(1000.0, 20)
    I_joint = mti_improvement_factor(np.hypot(sc, ss), prf, 1)
    I_rule = combine_improvement_factors(mti_improvement_factor(sc, prf, 1),
                                         mti_improvement_factor(ss, prf, 1))
    assert I_joint == pytest.approx(I_rule, rel=0.01)
