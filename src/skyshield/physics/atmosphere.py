"""International Standard Atmosphere (U.S. Standard Atmosphere 1976), 0–86 km.

Layers in geopotential altitude H (base H_b [m], lapse rate L_b [K/m]):
0 (−6.5e-3), 11 000 (0), 20 000 (+1.0e-3), 32 000 (+2.8e-3), 47 000 (0),
51 000 (−2.8e-3), 71 000 (−2.0e-3), top 84 852 m (= 86 km geometric).

    H = r0·Z/(r0 + Z)                       (geometric Z -> geopotential H, r0 = 6 356 766 m)
    T = T_b + L_b·(H − H_b)
    p = p_b·(T_b/T)^(g0/(R·L_b))            (L_b ≠ 0)
    p = p_b·exp(−g0·(H − H_b)/(R·T_b))      (L_b = 0)
    ρ = p/(R·T),   a = √(γ·R·T)

T0 = 288.15 K, p0 = 101 325 Pa, g0 = 9.80665 m/s², R = 287.05287 J/(kg·K), γ = 1.4.

References
----------
* NOAA/NASA/USAF, "U.S. Standard Atmosphere, 1976", NOAA-S/T 76-1562, eqs. 18, 23, 33a/b.
* ISO 2533:1975 (identical below 32 km).
* MathWorks Aerospace Toolbox ``atmosisa`` (geopotential input).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = ["isa"]

T0_K = 288.15
P0_PA = 101325.0
G0_MPS2 = 9.80665
R_AIR_J_PER_KG_K = 287.05287
GAMMA_AIR = 1.4
R0_GEOPOTENTIAL_M = 6356766.0

_H_BASE_M = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0])
_LAPSE_K_PER_M = np.array([-6.5e-3, 0.0, 1.0e-3, 2.8e-3, 0.0, -2.8e-3, -2.0e-3])
_H_TOP_M = 84852.0


def _layer_bases() -> tuple[FloatArray, FloatArray]:
    """Base temperature and pressure of each layer, chained from sea level."""
    T_b = [T0_K]
    p_b = [P0_PA]
    for i in range(1, _H_BASE_M.size):
        dH = _H_BASE_M[i] - _H_BASE_M[i - 1]
        L = _LAPSE_K_PER_M[i - 1]
        T = T_b[-1] + L * dH
        if L == 0.0:
            p = p_b[-1] * np.exp(-G0_MPS2 * dH / (R_AIR_J_PER_KG_K * T_b[-1]))
        else:
            p = p_b[-1] * (T_b[-1] / T) ** (G0_MPS2 / (R_AIR_J_PER_KG_K * L))
        T_b.append(T)
        p_b.append(p)
    return np.array(T_b), np.array(p_b)


_T_BASE_K, _P_BASE_PA = _layer_bases()


def isa(
    altitude_m: ArrayLike, *, geopotential: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Standard-atmosphere state at an altitude.

    Returns ``(temperature_k, pressure_pa, density_kg_m3, speed_of_sound_mps)``.
    ``altitude_m`` is geometric altitude above mean sea level unless
    ``geopotential=True`` (as in MathWorks ``atmosisa``).  Valid 0–86 km geometric; below
    0 the tropospheric law is extrapolated (fine to about −5 km); above 86 km → NaN.
    Equations and reference: module docstring (U.S. Standard Atmosphere 1976).
    """
    Z = as_float(altitude_m)
    H = Z if geopotential else R0_GEOPOTENTIAL_M * Z / (R0_GEOPOTENTIAL_M + Z)
    i = np.clip(np.searchsorted(_H_BASE_M, H, side="right") - 1, 0, _H_BASE_M.size - 1)
    H_b, L_b = _H_BASE_M[i], _LAPSE_K_PER_M[i]
    T_b, p_b = _T_BASE_K[i], _P_BASE_PA[i]
    dH = H - H_b
    T = T_b + L_b * dH
    isothermal = L_b == 0.0
    safe_L = np.where(isothermal, 1.0, L_b)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        p_grad = p_b * (T_b / T) ** (G0_MPS2 / (R_AIR_J_PER_KG_K * safe_L))
        p_iso = p_b * np.exp(-G0_MPS2 * dH / (R_AIR_J_PER_KG_K * T_b))
    p = np.where(isothermal, p_iso, p_grad)
    above = H > _H_TOP_M
    T = np.where(above, np.nan, T)
    p = np.where(above, np.nan, p)
    rho = p / (R_AIR_J_PER_KG_K * T)
    a = np.sqrt(GAMMA_AIR * R_AIR_J_PER_KG_K * T)
    return T, p, rho, a
