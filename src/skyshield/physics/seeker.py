"""Passive (anti-radiation) seeker kernels: what an ARM's seeker hears of an emitter, and where it
flies when the emitter falls silent.

Vectors have their three components on the last axis, shape (..., 3); all inputs broadcast.

One-way link (Friis transmission equation; the free-space basic loss of ITU-R P.525-4 eq. (6),
L_bf = 32.4 + 20·log10 f[MHz] + 20·log10 d[km] dB): the power a seeker antenna of gain Gr
receives from an emitter of peak power Pt radiating with gain Gt towards it at distance R is

    S = Pt·Gt·Gr·λ² / ((4π)²·R²)     ⇒     R_max = λ/(4π) · √(Pt·Gt·Gr / S_min)

(H. T. Friis, "A note on a simple transmission formula", Proc. IRE 34, 1946; the one-way link
is also the starting point of every radar-warning and ESM range budget, e.g. D. Adamy, EW 101,
Artech House 2001, ch. 5). The emitter's gain towards a missile off its beam is its sidelobe
level: a passive seeker hears a radar through its sidelobes continuously, and through its main
beam only as the beam sweeps past.

Memory (the emitter stopped radiating): the seeker flies to the last known point with the error
of its last angle measurement and the error its unaided inertial navigation accumulates since,
taken as independent (root sum of squares):

    e(τ) = √( (σθ·R_loss)² + (δv·τ + ½·b·τ²)² )

σθ the seeker's rms angle error (rad), R_loss the slant range when it last heard the emitter,
δv the velocity error and b the accelerometer bias of the inertial unit, τ the time from the
last emission to impact. The inertial term is the short-term (t ≪ the 84-min Schuler period)
position error of an unaided strapdown system (D. H. Titterton & J. L. Weston, Strapdown Inertial
Navigation Technology, 2nd ed., IET 2004, sec. 12.2: δp = δv·t + ½·δa·t²). Both terms grow with
the time since shutdown for a missile closing on the emitter (R_loss ≈ v·τ), which is why a
radar that goes silent early enough survives and one that shuts down in the last seconds does
not. The figures are the catalogue's (``seeker:`` of an air-vehicle type, all assumed).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float, db_to_lin

__all__ = ["C_MPS", "received_power_dbm", "one_way_range_m", "off_boresight_rad",
           "memory_miss_m"]

C_MPS = 299_792_458.0


def received_power_dbm(peak_power_w: ArrayLike, tx_gain_dbi: ArrayLike, freq_hz: ArrayLike,
                       rx_gain_dbi: ArrayLike, range_m: ArrayLike) -> FloatArray:
    """One-way received power S (dBm) at ``range_m``: S = Pt·Gt·Gr·λ²/((4π)²·R²)."""
    lam = C_MPS / as_float(freq_hz)
    s_w = (as_float(peak_power_w) * db_to_lin(tx_gain_dbi) * db_to_lin(rx_gain_dbi) * lam ** 2
           / ((4.0 * np.pi) ** 2 * as_float(range_m) ** 2))
    return 10.0 * np.log10(s_w) + 30.0


def one_way_range_m(peak_power_w: ArrayLike, tx_gain_dbi: ArrayLike, freq_hz: ArrayLike,
                    rx_gain_dbi: ArrayLike, sensitivity_dbm: ArrayLike) -> FloatArray:
    """The greatest range (m) at which the received power reaches ``sensitivity_dbm``:
    R_max = λ/(4π)·√(Pt·Gt·Gr / S_min)."""
    lam = C_MPS / as_float(freq_hz)
    s_min_w = db_to_lin(as_float(sensitivity_dbm) - 30.0)
    return lam / (4.0 * np.pi) * np.sqrt(as_float(peak_power_w) * db_to_lin(tx_gain_dbi)
                                         * db_to_lin(rx_gain_dbi) / s_min_w)


def off_boresight_rad(axis: ArrayLike, los_m: ArrayLike) -> FloatArray:
    """Angle (rad, 0..π) between the seeker's axis (the missile's velocity) and the line of
    sight to the emitter."""
    a, b = as_float(axis), as_float(los_m)
    c = np.einsum("...i,...i->...", a, b) / (np.linalg.norm(a, axis=-1)
                                             * np.linalg.norm(b, axis=-1))
    return np.arccos(np.clip(c, -1.0, 1.0))


def memory_miss_m(tau_s: ArrayLike, range_at_loss_m: ArrayLike, angle_sigma_rad: ArrayLike,
                  velocity_error_mps: ArrayLike, accel_bias_mps2: ArrayLike) -> FloatArray:
    """Miss distance (m) of a seeker flying on memory: e = √((σθ·R_loss)² + (δv·τ + ½·b·τ²)²),
    ``tau_s`` the time from the emitter's last emission to impact."""
    tau = np.maximum(as_float(tau_s), 0.0)
    angle = as_float(angle_sigma_rad) * as_float(range_at_loss_m)
    ins = as_float(velocity_error_mps) * tau + 0.5 * as_float(accel_bias_mps2) * tau ** 2
    return np.sqrt(angle ** 2 + ins ** 2)
