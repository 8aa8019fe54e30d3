"""Monostatic radar range equation (single-pulse energy form).

    SNR = Pt·τ·Gt·Gr·λ²·σ / ((4π)³·k·Ts·R⁴·L),   λ = c/f

References
----------
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed. (2001), eq. 2.61 (energy form).
* M. A. Richards, "Fundamentals of Radar Signal Processing", 2nd ed. (2014), eq. 2.43.
* MathWorks Radar Toolbox ``radareqsnr`` / ``radareqrng`` / ``radareqpow`` (same convention:
  τ multiplies Pt, i.e. matched-filter output SNR of one pulse).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float, db_to_lin, lin_to_db

__all__ = [
    "BOLTZMANN_J_PER_K", "SPEED_OF_LIGHT_MPS", "REFERENCE_TEMP_K", "max_range_m", "noise_power_w",
    "snr_db", "system_noise_temp_k",
]

BOLTZMANN_J_PER_K: float = 1.380649e-23
"""Boltzmann constant k [J/K] (exact, SI 2019)."""
SPEED_OF_LIGHT_MPS: float = 299792458.0
"""Speed of light in vacuum c [m/s] (exact)."""

REFERENCE_TEMP_K: float = 290.0
"""Standard reference temperature T0 [K] of the noise-figure definition (IEEE)."""

_FOUR_PI_CUBED = (4.0 * np.pi) ** 3


def system_noise_temp_k(noise_figure_db: ArrayLike,
                        ref_temp_k: ArrayLike = REFERENCE_TEMP_K) -> FloatArray:
    """System noise temperature [K] of a receiver of noise figure ``F`` [dB].

        Ts = T0·F

    i.e. Blake's Ts = Ta + T0·(F − 1) with the antenna at the reference temperature (Ta = T0).
    Reference: Skolnik (2001) §2.5; MathWorks ``systemp`` (STEMP = REFTEMP·10^(NF/10)).
    """
    return as_float(ref_temp_k) * db_to_lin(noise_figure_db)


def noise_power_w(bandwidth_hz: ArrayLike, noise_figure_db: ArrayLike = 0.0,
                  ref_temp_k: ArrayLike = REFERENCE_TEMP_K) -> FloatArray:
    """Receiver noise power [W] in a noise bandwidth ``B`` [Hz]: N = k·T0·F·B.

    Reference: Skolnik (2001) eq. 2.6; MathWorks ``noisepow(NBW, NF, REFTEMP)``.
    """
    return BOLTZMANN_J_PER_K * system_noise_temp_k(noise_figure_db, ref_temp_k) * \
        as_float(bandwidth_hz)


def _numerator(
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    freq_hz: ArrayLike,
    rcs_m2: ArrayLike,
    gain_tx_db: ArrayLike,
    gain_rx_db: ArrayLike | None,
    system_temp_k: ArrayLike,
    loss_db: ArrayLike,
) -> FloatArray:
    """Pt·τ·Gt·Gr·λ²·σ / ((4π)³·k·Ts·L), i.e. SNR·R⁴ [m⁴]."""
    lam = SPEED_OF_LIGHT_MPS / as_float(freq_hz)
    Gt = db_to_lin(gain_tx_db)
    Gr = Gt if gain_rx_db is None else db_to_lin(gain_rx_db)
    L = db_to_lin(loss_db)
    return (
        as_float(peak_power_w)
        * as_float(pulse_width_s)
        * Gt
        * Gr
        * lam**2
        * as_float(rcs_m2)
        / (_FOUR_PI_CUBED * BOLTZMANN_J_PER_K * as_float(system_temp_k) * L)
    )


def snr_db(
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    freq_hz: ArrayLike,
    range_m: ArrayLike,
    rcs_m2: ArrayLike,
    gain_tx_db: ArrayLike,
    gain_rx_db: ArrayLike | None = None,
    system_temp_k: ArrayLike = 290.0,
    loss_db: ArrayLike = 0.0,
) -> FloatArray:
    """Single-pulse SNR [dB] of a monostatic radar.

        SNR = Pt·τ·Gt·Gr·λ²·σ / ((4π)³·k·Ts·R⁴·L)

    Pt peak power [W], τ pulse width [s], f carrier [Hz] (λ = c/f), R range [m],
    σ RCS [m²], Gt/Gr antenna gains [dB] (``gain_rx_db=None`` means Gr = Gt),
    Ts system noise temperature [K], L total loss [dB].  All arguments broadcast.
    Reference: Skolnik (2001) eq. 2.61; MathWorks ``radareqsnr``.
    """
    K = _numerator(
        peak_power_w,
        pulse_width_s,
        freq_hz,
        rcs_m2,
        gain_tx_db,
        gain_rx_db,
        system_temp_k,
        loss_db,
    )
    return lin_to_db(K / as_float(range_m) ** 4)


def max_range_m(
    required_snr_db: ArrayLike,
    peak_power_w: ArrayLike,
    pulse_width_s: ArrayLike,
    freq_hz: ArrayLike,
    rcs_m2: ArrayLike,
    gain_tx_db: ArrayLike,
    gain_rx_db: ArrayLike | None = None,
    system_temp_k: ArrayLike = 290.0,
    loss_db: ArrayLike = 0.0,
) -> FloatArray:
    """Range [m] at which the single-pulse SNR equals ``required_snr_db``.

        R_max = [Pt·τ·Gt·Gr·λ²·σ / ((4π)³·k·Ts·L·SNR_req)]^(1/4)

    Inverse of :func:`snr_db`.  Reference: Skolnik (2001) eq. 2.61; MathWorks ``radareqrng``.
    """
    K = _numerator(
        peak_power_w,
        pulse_width_s,
        freq_hz,
        rcs_m2,
        gain_tx_db,
        gain_rx_db,
        system_temp_k,
        loss_db,
    )
    return np.power(K / db_to_lin(required_snr_db), 0.25)
