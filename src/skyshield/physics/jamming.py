"""Barrage noise jamming of a monostatic radar: J/N, J/S and burn-through range.

Convention (Mahafza & Elsherbeni ch. 10; NAWCWPNS TP 8347 §4-7, 4-8)
--------------------------------------------------------------------
* Powers are PEAK powers at the receiver input, before any pulse compression or
  integration (those gains multiply S but not J and are applied by the caller).
* Jammer noise of power Pj spread uniformly over Bj; the receiver of bandwidth Br
  accepts the fraction min(1, Br/Bj) (all of it when the jammer is narrower).
* Jammer power at the radar (one-way, range Rj, radar antenna gain toward the jammer G'):
      J = Pj·Gj·G'·λ² / ((4π)²·Rj²·Lj) · min(1, Br/Bj)
* Target echo (two-way, range Rt, main-beam gain G on transmit and receive):
      S = Pt·G²·λ²·σ / ((4π)³·Rt⁴·L)
* Hence  J/S = 4π·Pj·Gj·G'·Rt⁴·L·min(1, Br/Bj) / (Pt·G²·σ·Rj²·Lj)
  which for a self-screening jammer (Rj = Rt = R, G' = G) is
      J/S = 4π·Pj·Gj·R²·L·(Br/Bj) / (Pt·G·σ·Lj)       (Bj ≥ Br)
  and for a stand-off jammer keeps its separate range Rj and sidelobe gain G'.
* Burn-through: the target range at which S/J equals the required S/J.
  L is the radar's two-way loss on the echo, Lj the loss on the jammer path.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float, db_to_lin, lin_to_db
from skyshield.physics.radar import BOLTZMANN_J_PER_K, SPEED_OF_LIGHT_MPS

__all__ = ["burn_through_range_m", "jam_to_signal_db", "jnr_db"]


def _band_fraction(receiver_bandwidth_hz: ArrayLike, jammer_bandwidth_hz: ArrayLike) -> FloatArray:
    return np.minimum(1.0, as_float(receiver_bandwidth_hz) / as_float(jammer_bandwidth_hz))


def jnr_db(
    jammer_power_w: ArrayLike,
    jammer_gain_db: ArrayLike,
    jammer_bandwidth_hz: ArrayLike,
    freq_hz: ArrayLike,
    range_m: ArrayLike,
    gain_rx_db: ArrayLike,
    receiver_bandwidth_hz: ArrayLike,
    system_temp_k: ArrayLike = 290.0,
    loss_db: ArrayLike = 0.0,
) -> FloatArray:
    """Jammer-to-noise ratio [dB] at the radar receiver.

        J = Pj·Gj·Gr·λ² / ((4π)²·R²·Lj) · min(1, Br/Bj),   N = k·Ts·Br,   J/N = J/N

    Pj jammer power [W], Gj jammer antenna gain toward the radar [dB], Bj jammer noise
    bandwidth [Hz], f radar frequency [Hz], R jammer range [m], Gr radar receive gain
    toward the jammer [dB], Br receiver bandwidth [Hz], Ts system temperature [K],
    ``loss_db`` = Lj, jammer-path loss [dB].
    Reference: Mahafza & Elsherbeni (2004) eq. 10.3; NAWCWPNS TP 8347 §4-7.
    """
    lam = SPEED_OF_LIGHT_MPS / as_float(freq_hz)
    R = as_float(range_m)
    J = (
        as_float(jammer_power_w)
        * db_to_lin(jammer_gain_db)
        * db_to_lin(gain_rx_db)
        * lam**2
        / ((4.0 * np.pi) ** 2 * R * R * db_to_lin(loss_db))
        * _band_fraction(receiver_bandwidth_hz, jammer_bandwidth_hz)
    )
    N = BOLTZMANN_J_PER_K * as_float(system_temp_k) * as_float(receiver_bandwidth_hz)
    return lin_to_db(J / N)


def _js_coefficient(
    jammer_power_w: ArrayLike,
    jammer_gain_db: ArrayLike,
    jammer_bandwidth_hz: ArrayLike,
    peak_power_w: ArrayLike,
    gain_db: ArrayLike,
    rcs_m2: ArrayLike,
    receiver_bandwidth_hz: ArrayLike,
    loss_db: ArrayLike,
    jammer_loss_db: ArrayLike,
    gain_toward_jammer_db: ArrayLike | None,
) -> FloatArray:
    """C = 4π·Pj·Gj·G'·L·min(1, Br/Bj) / (Pt·G²·σ·Lj), so that J/S = C·Rt⁴/Rj²."""
    G = db_to_lin(gain_db)
    G_j = G if gain_toward_jammer_db is None else db_to_lin(gain_toward_jammer_db)
    return (
        4.0
        * np.pi
        * as_float(jammer_power_w)
        * db_to_lin(jammer_gain_db)
        * G_j
        * db_to_lin(loss_db)
        * _band_fraction(receiver_bandwidth_hz, jammer_bandwidth_hz)
        / (as_float(peak_power_w) * G * G * as_float(rcs_m2) * db_to_lin(jammer_loss_db))
    )


def jam_to_signal_db(
    jammer_power_w: ArrayLike,
    jammer_gain_db: ArrayLike,
    jammer_bandwidth_hz: ArrayLike,
    peak_power_w: ArrayLike,
    gain_db: ArrayLike,
    rcs_m2: ArrayLike,
    range_m: ArrayLike,
    receiver_bandwidth_hz: ArrayLike,
    loss_db: ArrayLike = 0.0,
    jammer_loss_db: ArrayLike = 0.0,
    jammer_range_m: ArrayLike | None = None,
    gain_toward_jammer_db: ArrayLike | None = None,
) -> FloatArray:
    """Jam-to-signal ratio J/S [dB] of a noise jammer against a target at ``range_m``.

        J/S = 4π·Pj·Gj·G'·Rt⁴·L·min(1, Br/Bj) / (Pt·G²·σ·Rj²·Lj)

    Self-screening (defaults: Rj = Rt, G' = G): J/S = 4π·Pj·Gj·R²·L·(Br/Bj)/(Pt·G·σ·Lj),
    growing as R².  Stand-off: pass ``jammer_range_m`` (Rj) and ``gain_toward_jammer_db``
    (G', usually a sidelobe gain).  Frequency cancels.  ``loss_db`` = L (radar echo
    losses), ``jammer_loss_db`` = Lj.  See the module docstring for the convention.
    Reference: Mahafza & Elsherbeni (2004) eqs. 10.5, 10.9; NAWCWPNS TP 8347 §4-8.
    """
    C = _js_coefficient(
        jammer_power_w,
        jammer_gain_db,
        jammer_bandwidth_hz,
        peak_power_w,
        gain_db,
        rcs_m2,
        receiver_bandwidth_hz,
        loss_db,
        jammer_loss_db,
        gain_toward_jammer_db,
    )
    Rt = as_float(range_m)
    Rj = Rt if jammer_range_m is None else as_float(jammer_range_m)
    return lin_to_db(C * Rt**4 / (Rj * Rj))


def burn_through_range_m(
    required_sj_db: ArrayLike,
    jammer_power_w: ArrayLike,
    jammer_gain_db: ArrayLike,
    jammer_bandwidth_hz: ArrayLike,
    peak_power_w: ArrayLike,
    gain_db: ArrayLike,
    rcs_m2: ArrayLike,
    receiver_bandwidth_hz: ArrayLike,
    loss_db: ArrayLike = 0.0,
    jammer_loss_db: ArrayLike = 0.0,
    jammer_range_m: ArrayLike | None = None,
    gain_toward_jammer_db: ArrayLike | None = None,
) -> FloatArray:
    """Burn-through range [m]: target range at which S/J equals ``required_sj_db``.

    Self-screening (Rj = Rt):
        R_bt = √(Pt·G·σ·Bj·Lj / (4π·Pj·Gj·Br·L·(S/J)req))        (Bj ≥ Br)
    Stand-off jammer at fixed range Rj with radar gain G' toward it:
        R_bt = [Pt·G²·σ·Rj²·Bj·Lj / (4π·Pj·Gj·G'·Br·L·(S/J)req)]^(1/4)
    Inside R_bt the radar "burns through" (S/J above the requirement).
    Reference: Mahafza & Elsherbeni (2004) eqs. 10.7, 10.11; NAWCWPNS TP 8347 §4-8.
    """
    C = _js_coefficient(
        jammer_power_w,
        jammer_gain_db,
        jammer_bandwidth_hz,
        peak_power_w,
        gain_db,
        rcs_m2,
        receiver_bandwidth_hz,
        loss_db,
        jammer_loss_db,
        gain_toward_jammer_db,
    )
    SJ = db_to_lin(required_sj_db)
    if jammer_range_m is None:
        return np.sqrt(1.0 / (C * SJ))
    Rj = as_float(jammer_range_m)
    return np.power(Rj * Rj / (C * SJ), 0.25)
