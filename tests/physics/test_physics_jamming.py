"""Noise-jamming kernels: published log-form equations and closed-form scaling.

Authorities:
* NAWCWPNS TP 8347, "Electronic Warfare and Radar Systems Engineering Handbook", §4-8:
  self-protection J/S (dB) = 10log Pj + 10log Gj − 10log Pt − 10log Gt − 10log σ
  + 20log R + 10.99 dB  (10.99 dB = 10log 4π; equal bandwidths, no losses).
* Free-space path loss (Friis): FSPL(dB) = 20log10(d_km) + 20log10(f_MHz) + 32.45 dB
  (e.g. 92.45 dB at 1 km, 1 GHz); thermal noise kT0 = −173.98 dBm/Hz at T0 = 290 K.
* Mahafza & Elsherbeni ch. 10: J/S ∝ R² (self-screening), ∝ R⁴ (stand-off at fixed Rj).
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.jamming import burn_through_range_m, jam_to_signal_db, jnr_db
from skyshield.physics.radar import snr_db

DB = 1.0


def _ssj(range_m, **kw):
    args = dict(
        jammer_power_w=100.0,
        jammer_gain_db=3.0,
        jammer_bandwidth_hz=50e6,
        peak_power_w=1e6,
        gain_db=35.0,
        rcs_m2=5.0,
        range_m=range_m,
        receiver_bandwidth_hz=1e6,
    )
    args.update(kw)
    return jam_to_signal_db(**args)


def test_ew_handbook_self_protection_log_form() -> None:
    Pj, Gj, Pt, G, sigma, R = 100.0, 10.0, 1e6, 30.0, 10.0, 20e3
    handbook = (
        10 * np.log10(Pj)
        + Gj
        - 10 * np.log10(Pt)
        - G
        - 10 * np.log10(sigma)
        + 20 * np.log10(R)
        + 10.99
    )
    got = jam_to_signal_db(Pj, Gj, 1e6, Pt, G, sigma, R, 1e6)
    assert abs(got - handbook) < 0.005 * DB


def test_jnr_friis_and_kt0() -> None:
    # 1 W isotropic jammer, 1 km, 1 GHz, isotropic receive, Br = Bj = 1 MHz, 290 K:
    # J = 30 dBm − 92.45 dB, N = −173.98 dBm/Hz + 60 dB  =>  J/N = 51.53 dB
    got = jnr_db(1.0, 0.0, 1e6, 1e9, 1e3, 0.0, 1e6)
    assert abs(got - (30.0 - 92.45 - (-173.98 + 60.0))) < 0.01 * DB


def test_jnr_bandwidth_fraction() -> None:
    base = jnr_db(1.0, 0.0, 1e6, 1e9, 1e3, 0.0, 1e6)
    # a jammer 10x wider than the receiver puts 1/10 of its power in band
    assert jnr_db(1.0, 0.0, 10e6, 1e9, 1e3, 0.0, 1e6) == pytest.approx(base - 10.0, abs=1e-9)
    # a jammer narrower than the receiver puts all of its power in band (N grows with Br)
    assert jnr_db(1.0, 0.0, 1e6, 1e9, 1e3, 0.0, 10e6) == pytest.approx(base - 10.0, abs=1e-9)
    # jammer-path loss subtracts
    assert jnr_db(1.0, 0.0, 1e6, 1e9, 1e3, 0.0, 1e6, loss_db=4.0) == pytest.approx(base - 4.0)


def test_js_equals_jnr_minus_snr() -> None:
    # J/S = (J/N)/(S/N) with S/N the peak-power SNR, i.e. radar equation with τ = 1/Br.
    f, R, Br = 3e9, 40e3, 2e6
    js = jam_to_signal_db(200.0, 5.0, 20e6, 5e5, 33.0, 2.0, R, Br, loss_db=3.0, jammer_loss_db=1.0)
    jn = jnr_db(200.0, 5.0, 20e6, f, R, 33.0, Br, system_temp_k=400.0, loss_db=1.0)
    sn = snr_db(5e5, 1 / Br, f, R, 2.0, 33.0, system_temp_k=400.0, loss_db=3.0)
    assert js == pytest.approx(jn - sn, abs=1e-9)


def test_r2_and_r4_scaling() -> None:
    assert _ssj(40e3) - _ssj(20e3) == pytest.approx(20 * np.log10(2), abs=1e-9)
    soj = dict(jammer_range_m=100e3, gain_toward_jammer_db=0.0)
    assert _ssj(40e3, **soj) - _ssj(20e3, **soj) == pytest.approx(40 * np.log10(2), abs=1e-9)


@pytest.mark.parametrize("sj_req_db", [0.0, 6.0, 13.0])
def test_js_at_burn_through_equals_requirement(sj_req_db: float) -> None:
    common = dict(
        jammer_power_w=100.0,
        jammer_gain_db=3.0,
        jammer_bandwidth_hz=50e6,
        peak_power_w=1e6,
        gain_db=35.0,
        rcs_m2=5.0,
        receiver_bandwidth_hz=1e6,
        loss_db=2.0,
        jammer_loss_db=1.0,
    )
    r_bt = burn_through_range_m(sj_req_db, **common)
    assert jam_to_signal_db(range_m=r_bt, **common) == pytest.approx(-sj_req_db, abs=1e-9)
    soj = dict(jammer_range_m=150e3, gain_toward_jammer_db=-5.0)
    r_soj = burn_through_range_m(sj_req_db, **common, **soj)
    assert jam_to_signal_db(range_m=r_soj, **common, **soj) == pytest.approx(-sj_req_db, abs=1e-9)


def test_models_md_burn_through_formula() -> None:
    # R_bt = √(Pt·G·σ·Bj·Lj / (4π·Pj·Gj·Br·L·(S/J)req)), all linear
    Pt, G, s, Bj, Lj = 1e6, 10**3.5, 5.0, 50e6, 10**0.1
    Pj, Gj, Br, L, SJ = 100.0, 2.0, 1e6, 1.0, 10.0
    expected = np.sqrt(Pt * G * s * Bj * Lj / (4 * np.pi * Pj * Gj * Br * L * SJ))
    got = burn_through_range_m(10.0, Pj, 10 * np.log10(Gj), Bj, Pt, 35.0, s, Br, jammer_loss_db=1.0)
    assert got == pytest.approx(expected, rel=1e-12)


def test_batch() -> None:
    R = np.array([[10e3, 20e3], [30e3, 40e3]])
    out = _ssj(R)
    assert out.shape == (2, 2)
    assert out[1, 0] == _ssj(30e3)
