"""Radar range equation against MathWorks Radar Toolbox doc examples and closed forms.

MathWorks defaults used by those examples: Gain 20 dB (Tx = Rx), RCS 1 m², Ts 290 K,
Loss 0 dB, λ = physconst('LightSpeed')/fc = 299792458/fc.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.physics.radar import BOLTZMANN_J_PER_K, SPEED_OF_LIGHT_MPS, max_range_m, snr_db

DB = 1.0  # decibel
M = 1.0  # metre


def test_constants() -> None:
    assert BOLTZMANN_J_PER_K == 1.380649e-23
    assert SPEED_OF_LIGHT_MPS == 299792458.0


def test_radareqsnr_example_1() -> None:
    # MathWorks radareqsnr: fc 1 GHz, R 50 km, Pt 1 MW, τ 0.2 µs, G 20 dB, σ 1 m² => 5.5868 dB
    assert abs(snr_db(1e6, 0.2e-6, 1e9, 50e3, 1.0, 20.0) - 5.5868) < 5e-5 * DB


def test_radareqsnr_example_2() -> None:
    # MathWorks radareqsnr: 10 GHz, R 100 km, Pt 1 MW, τ 1 µs, σ 0.5 m², G 40 dB, Ts 300 K,
    # Loss 3 dB => 14.3778 dB
    got = snr_db(1e6, 1e-6, 10e9, 100e3, 0.5, 40.0, system_temp_k=300.0, loss_db=3.0)
    assert abs(got - 14.3778) < 5e-5 * DB


def test_radareqsnr_separate_gains() -> None:
    # MathWorks radareqsnr bistatic example (Tx 40 dB, Rx 20 dB, 10 GHz, 1 MW, 1 µs) gives
    # 9.0547 dB at Rt = 50 km, Rr = 75 km; monostatic form with R⁴ -> Rt²·Rr² is the same law.
    # Check the gain split via the closed form: Gt = 40, Gr = 20 equals G = 30 on both.
    a = snr_db(1e6, 1e-6, 10e9, 60e3, 1.0, 40.0, gain_rx_db=20.0)
    b = snr_db(1e6, 1e-6, 10e9, 60e3, 1.0, 30.0)
    assert abs(a - b) < 1e-12
    r_equiv = np.sqrt(50e3 * 75e3)  # R⁴ = Rt²·Rr²
    got = snr_db(1e6, 1e-6, 10e9, r_equiv, 1.0, 40.0, gain_rx_db=20.0)
    assert abs(got - 9.0547) < 5e-5 * DB


def test_radareqrng_examples() -> None:
    # MathWorks radareqrng: 10 GHz, SNR 6 dB, τ 10 µs, Pt 1 MW (G 20 dB, σ 1) => 4.1057e+04 m
    assert abs(max_range_m(6.0, 1e6, 10e-6, 10e9, 1.0, 20.0) - 4.1057e4) < 5 * M
    # ... with G 40 dB, σ 0.1 m², Loss 3 dB => 1.9426e+05 m
    got = max_range_m(6.0, 1e6, 10e-6, 10e9, 0.1, 40.0, loss_db=3.0)
    assert abs(got - 1.9426e5) < 50 * M


def test_radareqpow_examples() -> None:
    # MathWorks radareqpow: 1 GHz, R 50 km, SNR 6 dB, τ 1 µs (G 20, σ 1) => Pt = 2.1996e+05 W
    # so the SNR produced by that power must be 6 dB (5 significant digits => ±1e-4 dB).
    assert abs(snr_db(2.1996e5, 1e-6, 1e9, 50e3, 1.0, 20.0) - 6.0) < 1e-4 * DB
    # radareqpow: 10 GHz, R 50 km, SNR 10 dB, τ 1 µs, σ 0.5, G 30, Ts 300, Loss 3 => 2.2809e+06 W
    got = snr_db(2.2809e6, 1e-6, 10e9, 50e3, 0.5, 30.0, system_temp_k=300.0, loss_db=3.0)
    assert abs(got - 10.0) < 1e-4 * DB


def test_r4_scaling_closed_form() -> None:
    # Doubling range costs 40·log10(2) = 12.0412 dB; 10x range costs 40 dB.
    base = snr_db(1e6, 1e-6, 3e9, 20e3, 2.0, 35.0)
    assert abs(base - snr_db(1e6, 1e-6, 3e9, 40e3, 2.0, 35.0) - 40 * np.log10(2)) < 1e-9
    assert abs(base - snr_db(1e6, 1e-6, 3e9, 200e3, 2.0, 35.0) - 40.0) < 1e-9


def test_broadcasting_batch_equals_scalars() -> None:
    ranges = np.array([[10e3, 20e3, 30e3], [40e3, 50e3, 60e3]])
    rcs = np.array([1.0, 0.1, 5.0])
    batch = snr_db(1e6, 1e-6, 3e9, ranges, rcs, 35.0)
    assert batch.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert batch[i, j] == snr_db(1e6, 1e-6, 3e9, ranges[i, j], rcs[j], 35.0)


@settings(max_examples=200, deadline=None)
@given(st.floats(100.0, 1e6), st.floats(1e-4, 1e3), st.floats(0.1, 40.0), st.floats(0.0, 50.0))
def test_range_snr_round_trip(range_m: float, rcs: float, freq_ghz: float, gain: float) -> None:
    s = snr_db(1e5, 1e-6, freq_ghz * 1e9, range_m, rcs, gain, loss_db=4.0, system_temp_k=500.0)
    r = max_range_m(s, 1e5, 1e-6, freq_ghz * 1e9, rcs, gain, loss_db=4.0, system_temp_k=500.0)
    assert r == pytest.approx(range_m, rel=1e-12)


def test_systemp_example() -> None:
    # MathWorks systemp doc example: T = systemp(5, 300) => 948.6833 K (noise figure 5 dB, 300 K)
    from skyshield.physics.radar import system_noise_temp_k
    assert abs(system_noise_temp_k(5.0, 300.0) - 948.6833) < 5e-5


def test_noisepow_example() -> None:
    # MathWorks noisepow doc example: noisepow(10e3, 1, 300) => 5.2144e-17 W
    from skyshield.physics.radar import noise_power_w
    assert abs(noise_power_w(10e3, 1.0, 300.0) - 5.2144e-17) < 5e-22


def test_noise_figure_zero_is_the_reference_temperature() -> None:
    # closed form: F = 1 (0 dB) -> Ts = T0 = 290 K; N = k·T0·B = -173.98 dBm/Hz + 10·log10(B)
    from skyshield.physics.radar import noise_power_w, system_noise_temp_k
    assert system_noise_temp_k(0.0) == 290.0
    np.testing.assert_allclose(10 * np.log10(noise_power_w(1.0) / 1e-3), -173.975, atol=1e-3)
    # batch equals stacked scalars
    nf = np.array([0.0, 1.5, 3.0, 10.0])
    np.testing.assert_array_equal(system_noise_temp_k(nf),
                                  [system_noise_temp_k(x) for x in nf])
