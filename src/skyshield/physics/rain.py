"""Rain: specific attenuation γ = k·R^α from ITU-R P.838-3.

The coefficients k and α are the recommendation's regression fits in log10(f):

    log10 k = Σ_j a_j·exp(−((log10 f − b_j)/c_j)²) + m_k·log10 f + c_k      (P.838-3 eq. 2)
    α       = Σ_j a_j·exp(−((log10 f − b_j)/c_j)²) + m_α·log10 f + c_α      (P.838-3 eq. 3)

with f in GHz (1–1000 GHz) and the constants of P.838-3 Tables 1 (k_H), 2 (k_V), 3 (α_H) and
4 (α_V).  For a path at elevation θ and polarisation tilt τ (0 horizontal, 90° vertical,
45° circular):

    k = [k_H + k_V + (k_H − k_V)·cos²θ·cos 2τ] / 2                              (P.838-3 eq. 4)
    α = [k_H·α_H + k_V·α_V + (k_H·α_H − k_V·α_V)·cos²θ·cos 2τ] / (2k)          (P.838-3 eq. 5)

Below 1 GHz (outside the recommendation's range) rain attenuation is negligible for radar
(k < 4e-5 dB/km at 1 GHz): the coefficients are evaluated at 1 GHz and k is scaled by
(f/1 GHz)² (Rayleigh scattering, attenuation ∝ f² at fixed drop-size distribution), so the
result falls smoothly to zero instead of extrapolating the fit.

References
----------
* Recommendation ITU-R P.838-3 (03/2005), "Specific attenuation model for rain for use in
  prediction methods", eqs. (1)–(5), Tables 1–4.
  https://www.itu.int/rec/R-REC-P.838-3-200503-I/en
* ITU-R Study Group 3 validation examples (CG-3M3J-13-ValEx), P.838-3 sheet, as distributed in
  ITU-Rpy ``test/test_data/838/ITURP838-3_rain_specific_attenuation.csv`` (commit e5e9363).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = [
    "rain_attenuation_db",
    "rain_coefficients",
    "rain_specific_attenuation_db_per_km",
]

# P.838-3 Table 1 (k_H), Table 2 (k_V): a_j, b_j, c_j (j = 1..4), m_k, c_k
_KH = (np.array([-5.33980, -0.35351, -0.23789, -0.94158]),
       np.array([-0.10008, 1.26970, 0.86036, 0.64552]),
       np.array([1.13098, 0.45400, 0.15354, 0.16817]), -0.18961, 0.71147)
_KV = (np.array([-3.80595, -3.44965, -0.39902, 0.50167]),
       np.array([0.56934, -0.22911, 0.73042, 1.07319]),
       np.array([0.81061, 0.51059, 0.11899, 0.27195]), -0.16398, 0.63297)
# P.838-3 Table 3 (α_H), Table 4 (α_V): a_j, b_j, c_j (j = 1..5), m_α, c_α
_AH = (np.array([-0.14318, 0.29591, 0.32177, -5.37610, 16.1721]),
       np.array([1.82442, 0.77564, 0.63773, -0.96230, -3.29980]),
       np.array([-0.55187, 0.19822, 0.13164, 1.47828, 3.43990]), 0.67849, -1.95537)
_AV = (np.array([-0.07771, 0.56727, -0.20238, -48.2991, 48.5833]),
       np.array([2.33840, 0.95545, 1.14520, 0.791669, 0.791459]),
       np.array([-0.76284, 0.54039, 0.26809, 0.116226, 0.116479]), -0.053739, 0.83433)

_F_MIN_GHZ = 1.0
_F_MAX_GHZ = 1000.0


def _fit(log_f: FloatArray, table: tuple[FloatArray, FloatArray, FloatArray, float, float]
         ) -> FloatArray:
    a, b, c, m, c0 = table
    x = log_f[..., None]
    return np.sum(a * np.exp(-(((x - b) / c) ** 2)), axis=-1) + m * log_f + c0


def rain_coefficients(
    freq_hz: ArrayLike, elevation_rad: ArrayLike = 0.0, tilt_rad: ArrayLike = 0.0
) -> tuple[FloatArray, FloatArray]:
    """ITU-R P.838-3 coefficients (k [dB/km/(mm/h)^α], α) for a path at elevation θ and
    polarisation tilt τ (0 horizontal, π/2 vertical, π/4 circular); eqs. (2)–(5).

    Frequencies above 1000 GHz are clipped to 1000 GHz; below 1 GHz see the module note
    (k·(f/1 GHz)², α at 1 GHz).
    """
    f_ghz = as_float(freq_hz) / 1e9
    f_fit = np.clip(f_ghz, _F_MIN_GHZ, _F_MAX_GHZ)
    lf = np.log10(f_fit)
    kh = 10.0 ** _fit(lf, _KH)
    kv = 10.0 ** _fit(lf, _KV)
    ah = _fit(lf, _AH)
    av = _fit(lf, _AV)
    c = np.cos(as_float(elevation_rad)) ** 2 * np.cos(2.0 * as_float(tilt_rad))
    k = (kh + kv + (kh - kv) * c) / 2.0                       # eq. (4)
    alpha = (kh * ah + kv * av + (kh * ah - kv * av) * c) / (2.0 * k)   # eq. (5)
    rayleigh = np.where(f_ghz < _F_MIN_GHZ, (f_ghz / _F_MIN_GHZ) ** 2, 1.0)
    return k * rayleigh, alpha


def rain_specific_attenuation_db_per_km(
    rain_rate_mm_per_h: ArrayLike,
    freq_hz: ArrayLike,
    elevation_rad: ArrayLike = 0.0,
    tilt_rad: ArrayLike = 0.0,
) -> FloatArray:
    """Specific attenuation γ_R = k·R^α [dB/km] for rain rate R [mm/h]; P.838-3 eq. (1).

    Negative rain rates are treated as no rain.
    """
    k, alpha = rain_coefficients(freq_hz, elevation_rad, tilt_rad)
    R = np.maximum(as_float(rain_rate_mm_per_h), 0.0)
    return k * R**alpha


def rain_attenuation_db(
    path_in_rain_m: ArrayLike,
    rain_rate_mm_per_h: ArrayLike,
    freq_hz: ArrayLike,
    elevation_rad: ArrayLike = 0.0,
    tilt_rad: ArrayLike = 0.0,
    two_way: bool = True,
) -> FloatArray:
    """Attenuation [dB] over a path of the given length inside uniform rain:
    γ_R·L (one way), 2·γ_R·L for the radar's two-way path (the default)."""
    gamma = rain_specific_attenuation_db_per_km(rain_rate_mm_per_h, freq_hz, elevation_rad,
                                                tilt_rad)
    L_km = np.maximum(as_float(path_in_rain_m), 0.0) / 1e3
    return (2.0 if two_way else 1.0) * gamma * L_km
