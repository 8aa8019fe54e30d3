"""Measurement-accuracy kernels: closed forms (Barton 2005 eqs. 10.1.5, 10.2.1)."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.measurement import angle_sigma_rad, range_sigma_m


def test_angle_sigma_closed_form() -> None:
    # θ = 2°, SNR = 20 dB (100), km = 1.6: σ = θ/(1.6·√200)
    theta = np.radians(2.0)
    assert angle_sigma_rad(theta, 20.0) == pytest.approx(theta / (1.6 * np.sqrt(200.0)))
    assert angle_sigma_rad(theta, 20.0, k_m=1.0) == pytest.approx(theta / np.sqrt(200.0))


def test_range_sigma_closed_form() -> None:
    # ΔR = c/(2B) = 150 m for B = 1 MHz; SNR 13 dB
    dR = 299792458.0 / (2 * 1e6)
    assert range_sigma_m(dR, 13.0) == pytest.approx(dR / np.sqrt(2 * 10**1.3))


def test_low_snr_clamp() -> None:
    assert angle_sigma_rad(0.05, -10.0) == angle_sigma_rad(0.05, 3.0)
    assert range_sigma_m(150.0, 0.0, min_snr_db=6.0) == range_sigma_m(150.0, 6.0)
    # at the clamp: σR = ΔR/√(2·10^0.3)
    assert range_sigma_m(150.0, -50.0) == pytest.approx(150.0 / np.sqrt(2 * 10**0.3))


def test_monotone_and_batch() -> None:
    snr = np.linspace(3.0, 40.0, 50)
    assert np.all(np.diff(angle_sigma_rad(0.03, snr)) < 0)
    assert np.all(np.diff(range_sigma_m(30.0, snr)) < 0)
    # 10 dB more SNR -> σ smaller by √10
    assert range_sigma_m(30.0, 10.0) / range_sigma_m(30.0, 20.0) == pytest.approx(np.sqrt(10))
    out = angle_sigma_rad(np.array([[0.01], [0.02]]), np.array([5.0, 15.0, 25.0]))
    assert out.shape == (2, 3) and out[1, 2] == angle_sigma_rad(0.02, 25.0)
