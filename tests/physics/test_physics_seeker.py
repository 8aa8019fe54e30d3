"""Passive seeker kernels (``physics.seeker``) against the free-space basic transmission loss of
ITU-R P.525-4 (2019) eq. (6), L_bf = 32.4 + 20·log10 f[MHz] + 20·log10 d[km] dB (the constant is
20·log10(4π·10⁹/c) = 32.45 dB), and the memory-drift model's limits."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.seeker import (
    memory_miss_m,
    off_boresight_rad,
    one_way_range_m,
    received_power_dbm,
)

DB = 1.0  # decibel


@pytest.mark.parametrize("f_mhz, d_km, loss_db", [
    (1000.0, 10.0, 112.45),   # 32.45 + 60 + 20
    (2400.0, 1.0, 100.05),    # 32.45 + 67.60 + 0: the textbook Wi-Fi example, ~100 dB at 1 km
    (8000.0, 150.0, 154.03),  # 32.45 + 78.06 + 43.52
])
def test_one_way_power_is_the_itu_free_space_loss(f_mhz, d_km, loss_db):
    """1 W (30 dBm) between isotropic antennas arrives at 30 dBm − L_bf."""
    s = received_power_dbm(1.0, 0.0, f_mhz * 1e6, 0.0, d_km * 1e3)
    assert s == pytest.approx(30.0 - loss_db, abs=0.01 * DB)


def test_one_way_range_inverts_the_link():
    pt, gt, f, gr, smin = 69e3, 15.0, 8e9, 0.0, -65.0
    r = one_way_range_m(pt, gt, f, gr, smin)
    assert received_power_dbm(pt, gt, f, gr, r) == pytest.approx(smin, abs=1e-9)
    # 6 dB more sensitivity doubles the range (R ∝ 1/√S)
    assert one_way_range_m(pt, gt, f, gr, smin - 6.0206) == pytest.approx(2 * r, rel=1e-6)


def test_off_boresight():
    ax = np.array([1.0, 0.0, 0.0])
    los = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, -2.0], [-1.0, 0.0, 0.0]])
    assert off_boresight_rad(ax, los) == pytest.approx([0.0, np.pi / 4, np.pi / 2, np.pi])


def test_memory_miss():
    # no time, no range: no error; each term alone; the two in quadrature
    assert memory_miss_m(0.0, 0.0, 0.01, 1.0, 0.01) == 0.0
    assert memory_miss_m(0.0, 10e3, np.radians(1.0), 1.0, 0.01) == pytest.approx(174.53, abs=0.01)
    assert memory_miss_m(60.0, 0.0, 0.0, 1.0, 0.01) == pytest.approx(60.0 + 18.0)
    e = memory_miss_m(60.0, 33.3e3, np.radians(1.0), 1.0, 0.01)
    assert e == pytest.approx(np.hypot(33.3e3 * np.radians(1.0), 78.0))
    # grows with the time since shutdown for a missile closing at 555.6 m/s
    tau = np.linspace(0.0, 120.0, 25)
    assert np.all(np.diff(memory_miss_m(tau, 555.6 * tau, np.radians(1.0), 1.0, 0.01)) > 0)
