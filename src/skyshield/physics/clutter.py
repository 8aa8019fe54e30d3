"""Surface clutter (constant-γ reflectivity) and MTI delay-line cancellers.

Clutter reflectivity — constant-γ model (Barton 1985; Nathanson 1999; Long 2001):

    σ0(ψ) = γ·sin ψ,   γ(f) [dB] = γ0 + 5·log10(f / 10 GHz)

γ0 by terrain at 10 GHz (``GAMMA_10GHZ_DB``): the table of MathWorks ``surfacegamma`` (Radar
Toolbox), which takes "Sea State 3" −40, "Sea State 5" −30, "Woods" −15, "Metropolitan" 0 and
"Rugged Mountain" 0 dB from Long (2001) and "Farmland" −15, "Wooded Hill" −10 and "Flatland"
−20 dB from Nathanson (1999), with the same 5·log10(f/10 GHz) frequency law.

Clutter cross-section of one resolution cell at low grazing angle (beam wider than the cell in
elevation): σc = σ0 · R · θ_az · ΔR · sec ψ (Skolnik 2001, ch. 7 "Radar Clutter" — the area of
the range-azimuth cell on the ground).

MTI (Skolnik, "Introduction to Radar Systems", 3rd ed. 2001, ch. 3):

* Delay-line canceller of order N (1 single, 2 double, binomial weights) with pulse repetition
  frequency f_p: power response |H(f_d)|² = (2·sin(π·f_d/f_p))^(2N), f_d = 2·v_r/λ; its average
  over f_d is C(2N, N) (2 single, 6 double).  ``mti_target_gain`` divides by that average so
  that a target of random Doppler keeps its signal-to-noise ratio on average.
* Blind speeds v_n = n·λ·f_p/2 (and v = 0: the tangential notch).
* Improvement factor I = (S/C)_out/(S/C)_in for a Gaussian clutter spectrum of standard
  deviation σ_c [Hz] (clutter autocorrelation ρ(kT) = exp(−2π²σ_c²k²/f_p²)):
      single:  I = 1/(1 − ρ1)
      double:  I = 1/(1 − (4/3)·ρ1 + (1/3)·ρ2)
  whose small-σ_c limits are Skolnik's I ≈ 2·(f_p/(2πσ_c))² and I ≈ 2·(f_p/(2πσ_c))⁴.
* Spectral spreads add as independent Gaussians: σ_c² = (2σ_v/λ)² + σ_s², with σ_v the clutter's
  internal-motion velocity spread and σ_s = 0.265·f_p/n the antenna-scanning modulation
  (n pulses in the one-way 3 dB beamwidth, Gaussian beam), which alone gives Skolnik's
  I ≈ n²/1.388 (single) and n⁴/3.85 (double).  Independent limits combine as
  1/I = Σ 1/I_k.

References
----------
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed., McGraw-Hill 2001, ch. 3 (MTI and
  pulse-Doppler radar: cancellers, blind speeds, improvement factor, scanning modulation).
* D. K. Barton, "Land clutter models for radar design and analysis", Proc. IEEE 73(2), 1985,
  198–204 (constant-γ model); "Radar Equations for Modern Radar", Artech House 2013.
* F. E. Nathanson, J. P. Reilly, M. N. Cohen, "Radar Design Principles", 2nd ed., SciTech 1999.
* M. W. Long, "Radar Reflectivity of Land and Sea", 3rd ed., Artech House 2001.
* MathWorks Radar Toolbox, ``surfacegamma`` reference page,
  https://www.mathworks.com/help/radar/ref/surfacegamma.html (accessed 2026-12-07).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float, db_to_lin

__all__ = [
    "GAMMA_10GHZ_DB",
    "blind_speed_m_per_s",
    "canceller_power_response",
    "clutter_cell_rcs_m2",
    "clutter_spectrum_std_hz",
    "combine_improvement_factors",
    "constant_gamma_sigma0",
    "gamma_db",
    "mti_improvement_factor",
    "mti_target_gain",
    "scan_modulation_std_hz",
]

C_M_PER_S: Final[float] = 299792458.0

GAMMA_10GHZ_DB: Final[dict[str, float]] = {
    "sea_state_3": -40.0,
    "sea_state_5": -30.0,
    "woods": -15.0,
    "metropolitan": 0.0,
    "rugged_mountain": 0.0,
    "farmland": -15.0,
    "wooded_hill": -10.0,
    "flatland": -20.0,
}
_AVERAGE_GAIN: Final[dict[int, float]] = {1: 2.0, 2: 6.0}   # C(2N, N)


def _order(order: int) -> int:
    if order not in (1, 2):
        raise ValueError(f"canceller order must be 1 (single) or 2 (double), not {order!r}")
    return order


def gamma_db(terrain: str, freq_hz: ArrayLike = 10e9) -> FloatArray:
    """γ [dB] of the constant-γ model for a terrain at frequency f: γ0 + 5·log10(f/10 GHz)."""
    if terrain not in GAMMA_10GHZ_DB:
        raise ValueError(f"unknown terrain {terrain!r}; expected one of "
                         f"{', '.join(GAMMA_10GHZ_DB)}")
    return GAMMA_10GHZ_DB[terrain] + 5.0 * np.log10(as_float(freq_hz) / 10e9)


def constant_gamma_sigma0(gamma_db_: ArrayLike, grazing_rad: ArrayLike) -> FloatArray:
    """Clutter reflectivity σ0 = γ·sin ψ [m²/m²] from γ [dB] and the grazing angle ψ [rad]
    (negative grazing angles — the surface is not seen — give 0)."""
    return db_to_lin(gamma_db_) * np.maximum(np.sin(as_float(grazing_rad)), 0.0)


def clutter_cell_rcs_m2(sigma0: ArrayLike, range_m: ArrayLike, beamwidth_az_rad: ArrayLike,
                        range_resolution_m: ArrayLike, grazing_rad: ArrayLike = 0.0
                        ) -> FloatArray:
    """Clutter RCS of one range-azimuth cell at low grazing angle [m²]:
    σc = σ0 · R · θ_az · ΔR · sec ψ."""
    return (as_float(sigma0) * as_float(range_m) * as_float(beamwidth_az_rad)
            * as_float(range_resolution_m) / np.cos(as_float(grazing_rad)))


def blind_speed_m_per_s(freq_hz: ArrayLike, prf_hz: ArrayLike, n: ArrayLike = 1) -> FloatArray:
    """n-th blind speed v_n = n·λ·f_p/2 [m/s]."""
    return as_float(n) * (C_M_PER_S / as_float(freq_hz)) * as_float(prf_hz) / 2.0


def canceller_power_response(radial_speed_m_per_s: ArrayLike, freq_hz: ArrayLike,
                             prf_hz: ArrayLike, order: int = 1) -> FloatArray:
    """Power response |H|² = (2·sin(π·f_d/f_p))^(2N) of an N-pulse-delay canceller for a target
    of radial speed v (f_d = 2v/λ); zero at v = 0 and at every blind speed."""
    N = _order(order)
    fd = 2.0 * as_float(radial_speed_m_per_s) * as_float(freq_hz) / C_M_PER_S
    return (2.0 * np.sin(np.pi * fd / as_float(prf_hz))) ** (2 * N)


def mti_target_gain(radial_speed_m_per_s: ArrayLike, freq_hz: ArrayLike, prf_hz: ArrayLike,
                    order: int = 1) -> FloatArray:
    """Target power gain of the canceller relative to its average over Doppler:
    2·sin²(π·f_d/f_p) (single), (8/3)·sin⁴(π·f_d/f_p) (double).  Multiplies the SNR."""
    N = _order(order)
    return canceller_power_response(radial_speed_m_per_s, freq_hz, prf_hz, N) / _AVERAGE_GAIN[N]


def clutter_spectrum_std_hz(velocity_spread_m_per_s: ArrayLike, freq_hz: ArrayLike) -> FloatArray:
    """Doppler spread of clutter with internal-motion velocity spread σ_v: σ_c = 2σ_v/λ [Hz]."""
    return 2.0 * as_float(velocity_spread_m_per_s) * as_float(freq_hz) / C_M_PER_S


def scan_modulation_std_hz(prf_hz: ArrayLike, pulses_per_beamwidth: ArrayLike) -> FloatArray:
    """Antenna-scanning modulation spread σ_s = 0.265·f_p/n [Hz] (Gaussian beam, n pulses in the
    one-way 3 dB beamwidth; Skolnik 2001 ch. 3)."""
    return 0.265 * as_float(prf_hz) / as_float(pulses_per_beamwidth)


def mti_improvement_factor(clutter_std_hz: ArrayLike, prf_hz: ArrayLike, order: int = 1
                           ) -> FloatArray:
    """Improvement factor (linear) of a single or double canceller against clutter with a
    Gaussian spectrum of standard deviation σ_c [Hz] (module docstring).  σ_c = 0 gives inf."""
    N = _order(order)
    x = 2.0 * np.pi**2 * (as_float(clutter_std_hz) / as_float(prf_hz)) ** 2   # ρ1 = e^−x
    with np.errstate(divide="ignore"):
        if N == 1:
            return 1.0 / -np.expm1(-x)                              # 1/(1 − ρ1)
        # 1 − 4ρ1/3 + ρ2/3 with ρ2 = e^−4x, written without cancellation
        return 3.0 / (-4.0 * np.expm1(-x) + np.expm1(-4.0 * x))


def combine_improvement_factors(*improvement: ArrayLike) -> FloatArray:
    """Overall improvement factor of independent limitations: 1/I = Σ 1/I_k (Skolnik ch. 3)."""
    with np.errstate(divide="ignore"):
        return np.asarray(1.0 / sum((1.0 / as_float(i) for i in improvement),
                                    start=np.zeros(())), dtype=np.float64)
