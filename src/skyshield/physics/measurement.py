"""Thermal-noise measurement accuracy of a radar (simulation forms).

    σθ = θ3dB / (km·√(2·SNR)),   σR = ΔR / √(2·SNR),   ΔR = c/(2B)

SNR is the (integrated) detection SNR, clamped from below at ``min_snr_db`` so that
marginal detections do not produce unbounded errors.

References
----------
* D. K. Barton, "Radar System Analysis and Modeling" (2005), eqs. 10.1.5, 10.2.1.
* M. A. Richards, "Fundamentals of Radar Signal Processing", 2nd ed. (2014), sec. 7.1.
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed. (2001), sec. 6.3 (km ≈ 1.6).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float, db_to_lin

__all__ = ["angle_sigma_rad", "range_sigma_m"]


def angle_sigma_rad(
    beamwidth_rad: ArrayLike,
    snr_db: ArrayLike,
    k_m: ArrayLike = 1.6,
    min_snr_db: ArrayLike = 3.0,
) -> FloatArray:
    """Angle-measurement standard deviation [rad].

        σθ = θ3dB / (km·√(2·SNR)),   SNR = 10^(max(snr_db, min_snr_db)/10)

    θ3dB one-way 3 dB beamwidth [rad], km monopulse slope (≈ 1.6).
    Reference: Barton (2005) eq. 10.2.1; Skolnik (2001) sec. 6.3.
    """
    snr = db_to_lin(np.maximum(as_float(snr_db), as_float(min_snr_db)))
    return as_float(beamwidth_rad) / (as_float(k_m) * np.sqrt(2.0 * snr))


def range_sigma_m(
    range_resolution_m: ArrayLike, snr_db: ArrayLike, min_snr_db: ArrayLike = 3.0
) -> FloatArray:
    """Range-measurement standard deviation [m].

        σR = ΔR / √(2·SNR),   ΔR = c/(2B),   SNR = 10^(max(snr_db, min_snr_db)/10)

    Reference: Barton (2005) eq. 10.1.5; Richards (2014) eq. 7.12.
    """
    snr = db_to_lin(np.maximum(as_float(snr_db), as_float(min_snr_db)))
    return as_float(range_resolution_m) / np.sqrt(2.0 * snr)
