"""Surface reflection: permittivity by surface type, Fresnel coefficients, roughness, divergence.

The forward-scattered (specular) ray of the two-ray model is weighted by

    ρ = Γ(ψ) · ρs(ψ) · D(ψ)

Γ the smooth-plane Fresnel coefficient of the surface for the radar's polarisation, ρs the
specular scattering (roughness) factor and D the divergence factor of the spherical Earth, all
at the grazing angle ψ.

Complex relative permittivity (time dependence e^{+jωt}):

    εc = εr − j·60·λ·σ          (λ in m, σ in S/m; 60λσ = σ/(ω·ε0))

Fresnel reflection coefficients of a smooth plane at grazing angle ψ:

    Γ_H = (sin ψ − √(εc − cos²ψ)) / (sin ψ + √(εc − cos²ψ))
    Γ_V = (εc·sin ψ − √(εc − cos²ψ)) / (εc·sin ψ + √(εc − cos²ψ))

Γ → −1 for both polarisations as ψ → 0; |Γ_V| has its minimum near the pseudo-Brewster angle
(arcsin(1/√|εc|) for a low-loss surface).

Roughness (Gaussian surface heights with standard deviation σh), with g = 2π·σh·sin ψ / λ:

    Ament (1953):                 ρs = exp(−2g²)
    Miller, Brown & Vegh (1984):  ρs = exp(−2g²) · I0(2g²)

Divergence factor of a smooth sphere of (effective) radius a, reflection point at ground
distances d1 and d2 from the two ends, d = d1 + d2 (Kerr 1951; Blake 1986, ch. 6):

    D = [1 + 2·d1·d2 / (a·d·sin ψ)]^(−1/2)

Surface table (``SURFACES``): (εr, σ) by surface type and frequency.

* Ground (``wet_ground``, ``medium_dry_ground``, ``very_dry_ground``): ITU-R P.2040-3 (2023),
  Table 3: εr = a·f^b, σ = c·f^d [S/m], f in GHz, stated valid 1–10 GHz.  Below 1 GHz, εr is held
  at its 1 GHz value (a, which equals the low-frequency εr of ITU-R P.527-3 / P.368 for these
  grounds: 30, 15, 3) and σ follows the P.2040 power law down to the low-frequency conductivity
  of P.527-3 / P.368 (0.01, 0.001, 0.0001 S/m), never below it.  Above 10 GHz the formulas are
  evaluated at 10 GHz.  This extension outside 1–10 GHz is a modelling choice of skyshield.
* Water (``sea_water``, ``fresh_water``): the low-frequency values of ITU-R P.368 / P.527-3
  (sea water of average salinity εr = 70, σ = 5 S/m; fresh water εr = 80, σ = 0.003 S/m —
  the P.368 fresh-water curve).  These hold up to about 1 GHz; above, sea water's
  εr falls and σ rises (ITU-R P.527-6 double-Debye model, not implemented).  At the low grazing
  angles where multipath matters |εc| ≫ 1 either way and Γ ≈ −1.

References
----------
* ITU-R P.2040-3 (08/2023), "Effects of building materials and structures on radiowave
  propagation above about 100 MHz", Table 3 (ground types).
* ITU-R P.527-3 (1992) / P.527-6 (2021), "Electrical characteristics of the surface of the
  Earth"; ITU-R P.368-9 (2007), "Ground-wave propagation curves", figure captions (ground
  constants of the curves).
* L. V. Blake, "Radar Range-Performance Analysis", Lexington Books 1980 / Artech House 1986,
  ch. 6 (Fresnel coefficients, divergence factor, roughness).
* D. E. Kerr (ed.), "Propagation of Short Radio Waves", MIT Rad. Lab. Series 13, 1951
  (divergence factor; chapter and equation number not checked against the book).
* J. A. Ament, "Toward a theory of reflection by a rough surface", Proc. IRE 41 (1953) 142–146.
* A. R. Miller, R. M. Brown, E. Vegh, "New derivation for the rough-surface reflection
  coefficient and for the distribution of sea-wave elevations", IEE Proc. 131 H (1984) 114–116.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import i0e

from skyshield.physics._util import FloatArray, as_float

__all__ = [
    "SURFACES",
    "C_M_PER_S",
    "ament_roughness_factor",
    "complex_permittivity",
    "divergence_factor",
    "fresnel_reflection",
    "miller_brown_vegh_roughness_factor",
    "surface_constants",
]

C_M_PER_S: Final[float] = 299792458.0

ComplexArray = NDArray[np.complex128]

# name: (a, b, c, d, low-frequency sigma [S/m]) -- eps_r = a f^b, sigma = max(c f^d, sigma_lf)
_GROUND: Final[dict[str, tuple[float, float, float, float, float]]] = {
    "wet_ground": (30.0, -0.4, 0.15, 1.30, 1e-2),
    "medium_dry_ground": (15.0, -0.1, 0.035, 1.63, 1e-3),
    "very_dry_ground": (3.0, 0.0, 0.00015, 2.52, 1e-4),
}
# name: (eps_r, sigma [S/m]) -- frequency independent (P.368 / P.527-3 low-frequency values)
_WATER: Final[dict[str, tuple[float, float]]] = {
    "sea_water": (70.0, 5.0),
    "fresh_water": (80.0, 3e-3),
}
SURFACES: Final[tuple[str, ...]] = (*_WATER, *_GROUND)


def surface_constants(surface: str, freq_hz: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """(εr, σ [S/m]) of a named surface at the given frequency (see the module table)."""
    f_ghz = as_float(freq_hz) / 1e9
    if surface in _WATER:
        eps, sig = _WATER[surface]
        return np.full_like(f_ghz, eps), np.full_like(f_ghz, sig)
    if surface in _GROUND:
        a, b, c, d, sig_lf = _GROUND[surface]
        f_eps = np.clip(f_ghz, 1.0, 10.0)
        f_sig = np.minimum(f_ghz, 10.0)
        return a * f_eps**b, np.maximum(c * f_sig**d, sig_lf)
    raise ValueError(f"unknown surface {surface!r}; expected one of {', '.join(SURFACES)}")


def complex_permittivity(eps_r: ArrayLike, sigma_s_per_m: ArrayLike, freq_hz: ArrayLike
                         ) -> ComplexArray:
    """εc = εr − j·60·λ·σ (relative, e^{+jωt} convention)."""
    lam = C_M_PER_S / as_float(freq_hz)
    return as_float(eps_r) - 1j * 60.0 * lam * as_float(sigma_s_per_m)


def fresnel_reflection(grazing_rad: ArrayLike, eps_c: ArrayLike
                       ) -> tuple[ComplexArray, ComplexArray]:
    """Smooth-plane Fresnel reflection coefficients (Γ_H, Γ_V) at grazing angle ψ [rad] for a
    surface of complex relative permittivity εc (module docstring)."""
    psi = as_float(grazing_rad)
    eps = np.asarray(eps_c, dtype=np.complex128)
    s = np.sin(psi)
    root = np.sqrt(eps - np.cos(psi) ** 2)   # principal root: Re ≥ 0 for a lossy medium
    gamma_h = (s - root) / (s + root)
    gamma_v = (eps * s - root) / (eps * s + root)
    return gamma_h, gamma_v


def _g2(rms_height_m: ArrayLike, grazing_rad: ArrayLike, freq_hz: ArrayLike) -> FloatArray:
    """2g² with g = 2π·σh·sin ψ / λ."""
    lam = C_M_PER_S / as_float(freq_hz)
    g = 2.0 * np.pi * as_float(rms_height_m) * np.sin(as_float(grazing_rad)) / lam
    return 2.0 * g * g


def ament_roughness_factor(rms_height_m: ArrayLike, grazing_rad: ArrayLike, freq_hz: ArrayLike
                           ) -> FloatArray:
    """Ament specular scattering factor ρs = exp(−2g²), g = 2π·σh·sin ψ/λ."""
    return np.exp(-_g2(rms_height_m, grazing_rad, freq_hz))


def miller_brown_vegh_roughness_factor(rms_height_m: ArrayLike, grazing_rad: ArrayLike,
                                       freq_hz: ArrayLike) -> FloatArray:
    """Miller–Brown–Vegh specular scattering factor ρs = exp(−2g²)·I0(2g²) (≥ Ament's).

    Computed as i0e(2g²) = exp(−2g²)·I0(2g²), which stays finite for large arguments.
    """
    return np.asarray(i0e(_g2(rms_height_m, grazing_rad, freq_hz)), dtype=np.float64)


def divergence_factor(d1_m: ArrayLike, d2_m: ArrayLike, grazing_rad: ArrayLike,
                      earth_radius_m: ArrayLike) -> FloatArray:
    """Spherical-Earth divergence factor D = [1 + 2·d1·d2/(a·d·sin ψ)]^(−1/2) (Kerr; Blake).

    d1, d2 ground distances from the two ends to the reflection point [m]; a the effective
    Earth radius [m].  D = 1 for a flat Earth (a = inf); D → 0 as ψ → 0.
    """
    d1 = as_float(d1_m)
    d2 = as_float(d2_m)
    s = np.sin(as_float(grazing_rad))
    with np.errstate(divide="ignore", invalid="ignore"):
        x = 2.0 * d1 * d2 / (as_float(earth_radius_m) * (d1 + d2) * s)
        D = 1.0 / np.sqrt(1.0 + x)
    return np.where(s > 0.0, np.where(np.isfinite(D), D, 0.0), 0.0)
