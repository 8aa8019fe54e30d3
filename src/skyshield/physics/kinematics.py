"""Constant-velocity engagement geometry: intercept time and closest point of approach.

Vectors have their three components on the last axis, shape (..., 3); all inputs
broadcast.

References
----------
* P. Zarchan, "Tactical and Strategic Missile Guidance", 6th ed. (2012), ch. 2
  (collision triangle).
* Closest point of approach: minimise |p + v t|² ⇒ t* = −(p·v)/(v·v)
  (e.g. IMO/COLREG CPA-TCPA; A. Bole et al., "Radar and ARPA Manual", 3rd ed. (2014)).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = ["cpa", "intercept_time_s"]


def _dot(a: FloatArray, b: FloatArray) -> FloatArray:
    return np.einsum("...i,...i->...", a, b)


def intercept_time_s(
    rel_pos_m: ArrayLike, target_vel_mps: ArrayLike, interceptor_speed_mps: ArrayLike
) -> FloatArray:
    """Earliest time t ≥ 0 [s] at which a straight-line interceptor of speed s, launched
    now from the origin, can meet a target at relative position p moving with velocity v:

        |p + v·t| = s·t   ⇔   (v·v − s²)·t² + 2(p·v)·t + p·p = 0

    ``rel_pos_m`` = target position − launcher position (..., 3); ``target_vel_mps`` (..., 3);
    ``interceptor_speed_mps`` scalar or (...).  Roots are taken in the cancellation-free
    form q = −(b + sgn(b)√(b² − 4ac))/2, t = q/a, c/q (so a → 0 is handled).
    Returns NaN where no non-negative solution exists.  Reference: Zarchan (2012) ch. 2.
    """
    p = as_float(rel_pos_m)
    v = as_float(target_vel_mps)
    s = as_float(interceptor_speed_mps)
    a = _dot(v, v) - s * s
    b = 2.0 * _dot(p, v)
    c = _dot(p, p)
    disc = b * b - 4.0 * a * c
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sqrt_disc = np.sqrt(np.where(disc >= 0.0, disc, np.nan))
        q = -0.5 * (b + np.where(b >= 0.0, 1.0, -1.0) * sqrt_disc)
        t1 = q / a
        t2 = c / q
        big = np.inf
        t1 = np.where(np.isfinite(t1) & (t1 >= 0.0), t1, big)
        t2 = np.where(np.isfinite(t2) & (t2 >= 0.0), t2, big)
        t = np.minimum(t1, t2)
    t = np.where(c == 0.0, 0.0, t)
    return np.where(np.isinf(t), np.nan, t)


def cpa(rel_pos_m: ArrayLike, rel_vel_mps: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Closest point of approach under constant relative velocity.

        t_cpa = max(0, −(p·v)/(v·v)),   d_miss = |p + v·t_cpa|

    p relative position [m] (..., 3), v relative velocity [m/s] (..., 3).  v = 0 gives
    t_cpa = 0 and d_miss = |p|.  Returns ``(t_cpa_s, miss_distance_m)``.
    Reference: Bole et al. (2014) ch. 7 (CPA/TCPA).
    """
    p = as_float(rel_pos_m)
    v = as_float(rel_vel_mps)
    vv = _dot(v, v)
    pv = _dot(p, v)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(vv > 0.0, -pv / np.where(vv > 0.0, vv, 1.0), 0.0)
    t = np.maximum(t, 0.0)
    miss = np.linalg.norm(p + v * t[..., None], axis=-1)
    return t, miss
