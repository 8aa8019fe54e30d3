"""Rain specific attenuation (ITU-R P.838-3) against the ITU-R validation examples.

Authority: ITU-R Study Group 3 validation examples for software implementations
(CG-3M3J-13-ValEx), P.838-3 sheet: elevation, frequency, rain rate, tilt -> k, α, γ_R; values
copied from ITU-Rpy ``test/test_data/838/ITURP838-3_rain_specific_attenuation.csv``
(https://github.com/inigodelportillo/ITU-Rpy, commit e5e9363, accessed 2026-12-07).
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.rain import (
    rain_attenuation_db,
    rain_coefficients,
    rain_specific_attenuation_db_per_km,
)

# (elevation deg, f GHz, R mm/h, tau deg, k, alpha, gamma dB/km) -- the distinct rows of the sheet
VALEX_P838 = [
    (31.07699124, 14.25, 26.48052, 0, 0.03975488, 1.12418043, 1.58130839),
    (40.232036, 14.25, 33.936232, 0, 0.04007624, 1.11804138, 2.06173213),
    (46.35969261, 14.25, 27.13586832, 0, 0.04030344, 1.11376017, 1.5920842),
    (31.07699124, 29, 26.48052, 0, 0.22106804, 0.95320005, 5.02180189),
    (40.232036, 29, 33.936232, 0, 0.22031404, 0.9504446, 6.27846024),
    (46.35969261, 29, 27.13586832, 0, 0.21978097, 0.9484851, 5.03135479),
    (22.27833468, 14.25, 50.639304, 0, 0.03949319, 1.12925336, 3.32139638),
    (52.67898486, 14.25, 78.2994993, 0, 0.04053522, 1.10944215, 5.11503463),
    (22.27833468, 29, 50.639304, 0, 0.22168203, 0.95543001, 9.42430244),
    (52.67898486, 29, 78.2994993, 0, 0.21923716, 0.9464763, 13.59290086),
    (48.24117054, 14.25, 63.62668149, 90, 0.04226474, 1.07871664, 3.72901264),
    (85.80459566, 14.25, 99.13558978, 90, 0.04133039, 1.09499629, 6.34064598),
    (20.14335809, 14.25, 42.91007183, 90, 0.04319835, 1.0631531, 2.35032323),
    (48.24117054, 29, 63.62668149, 90, 0.21517927, 0.93116621, 10.28699163),
    (85.80459566, 29, 99.13558978, 90, 0.21737148, 0.93950825, 16.3183686),
    (20.14335809, 29, 42.91007183, 90, 0.21298877, 0.92265917, 6.83364556),
]


@pytest.mark.parametrize(("el", "f", "R", "tau", "k", "alpha", "gamma"), VALEX_P838)
def test_p838_validation_examples(el: float, f: float, R: float, tau: float, k: float,
                                  alpha: float, gamma: float) -> None:
    # the sheet prints 8 decimals: agree to half a unit of the last printed digit
    k_got, a_got = rain_coefficients(f * 1e9, np.radians(el), np.radians(tau))
    assert abs(k_got - k) < 5e-9
    assert abs(a_got - alpha) < 5e-9
    g = rain_specific_attenuation_db_per_km(R, f * 1e9, np.radians(el), np.radians(tau))
    assert abs(g - gamma) < 5e-8


def test_vectorised_equals_scalar() -> None:
    rows = np.array(VALEX_P838)
    g = rain_specific_attenuation_db_per_km(rows[:, 2], rows[:, 1] * 1e9,
                                            np.radians(rows[:, 0]), np.radians(rows[:, 3]))
    assert g.shape == (len(VALEX_P838),)
    np.testing.assert_allclose(g, rows[:, 6], atol=5e-8, rtol=0)


def test_polarisation_identities() -> None:
    f = np.array([3e9, 10e9, 35e9])
    kh, ah = rain_coefficients(f, 0.0, 0.0)
    kv, av = rain_coefficients(f, 0.0, np.pi / 2)
    # eq. (4)/(5): circular (τ = 45°) gives the mean k and the k-weighted mean α
    kc, ac = rain_coefficients(f, 0.0, np.pi / 4)
    np.testing.assert_allclose(kc, (kh + kv) / 2, rtol=1e-12)
    np.testing.assert_allclose(ac, (kh * ah + kv * av) / (kh + kv), rtol=1e-12)
    # a vertical path sees no polarisation difference
    k90h, _ = rain_coefficients(f, np.pi / 2, 0.0)
    k90v, _ = rain_coefficients(f, np.pi / 2, np.pi / 2)
    np.testing.assert_allclose(k90h, k90v, rtol=1e-12)


def test_below_validity_range_falls_smoothly_to_zero() -> None:
    k1, a1 = rain_coefficients(1e9)
    k_half, a_half = rain_coefficients(0.5e9)
    assert k_half == pytest.approx(k1 / 4, rel=1e-12)     # Rayleigh f² scaling below 1 GHz
    assert a_half == a1
    # the VHF P-18 band: attenuation in 50 mm/h rain over 50 km below 0.01 dB two-way
    assert rain_attenuation_db(50e3, 50.0, 170e6) < 0.01


def test_two_way_path_loss() -> None:
    g = rain_specific_attenuation_db_per_km(10.0, 10e9)
    assert rain_attenuation_db(20e3, 10.0, 10e9) == pytest.approx(2 * 20 * g, rel=1e-12)
    assert rain_attenuation_db(20e3, 10.0, 10e9, two_way=False) == pytest.approx(20 * g, rel=1e-12)
    assert rain_attenuation_db(20e3, 0.0, 10e9) == 0.0
    assert rain_attenuation_db(-1.0, 10.0, 10e9) == 0.0
