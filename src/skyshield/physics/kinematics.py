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


def intercept_time_table(rel_pos_m: ArrayLike, vel_mps: ArrayLike, range_axis_m: ArrayLike,
                         height_axis_m: ArrayLike, tof_s: ArrayLike, t_max_s: float,
                         n_samples: int = 160, earth_radius_m: float = np.inf,
                         launcher_pos_m: ArrayLike | None = None) -> FloatArray:
    """Earliest intercept time against straight-line targets, given a missile's time-of-flight
    table T(ground range, height) from the launcher instead of a constant speed.

    The target at time t is at p(t) = p + v·t (relative to the launcher); the missile can be
    there by t when T(p(t)) ≤ t. The earliest such t is found on ``n_samples`` times in
    [0, t_max] and refined by linear interpolation of T(p(t)) − t between the last sample
    where it was positive and the first where it is not. T is bilinear in the table (inf cells
    are out of reach; a point outside the table is out of reach). NaN where never reachable —
    and where the target enters the reachable region at a point the missile would reach more
    than one sample interval *early* (T(p(t)) jumps from out of reach to well below t): a
    missile cannot loiter, so such a target is engaged by a later launch, not this one.
    With T = |p|/V it reproduces :func:`intercept_time_s` (tested).

    Over a curved Earth (``earth_radius_m`` finite) the table's height axis is the height above
    the Earth's surface: positions are in a flat frame tangent at the frame origin, in which a
    point x lies h(x) = z + (x² + y²)/(2R) above the sphere through the origin, so a target is
    looked up at height h(launcher + p) − h(launcher) (``launcher_pos_m``: the launcher in that
    frame, broadcastable to ``rel_pos_m``; default the frame origin) and at ground range |p_xy|.
    """
    p = as_float(rel_pos_m)
    v = as_float(vel_mps)
    R = as_float(range_axis_m)
    H = as_float(height_axis_m)
    T = as_float(tof_s)
    ts = np.linspace(0.0, t_max_s, n_samples)
    pt = p[..., None, :] + v[..., None, :] * ts[:, None]  # (..., n, 3)
    rg = np.hypot(pt[..., 0], pt[..., 1])
    hg = pt[..., 2]
    if np.isfinite(earth_radius_m):
        lp = np.zeros(3) if launcher_pos_m is None else as_float(launcher_pos_m)
        ax = pt[..., 0] + lp[..., None, 0]
        ay = pt[..., 1] + lp[..., None, 1]
        hg = hg + (ax**2 + ay**2 - (lp[..., None, 0]**2 + lp[..., None, 1]**2)) \
            / (2.0 * earth_radius_m)
    fr = np.interp(rg, R, np.arange(R.size), left=-1.0, right=np.inf)
    fh = np.interp(hg, H, np.arange(H.size), left=-np.inf, right=np.inf)
    inside = (fr >= 0) & np.isfinite(fr) & np.isfinite(fh)
    fr0 = np.where(inside, fr, 0.0)
    fh0 = np.where(inside, fh, 0.0)
    i0 = np.clip(np.floor(fr0).astype(int), 0, max(R.size - 2, 0))
    j0 = np.clip(np.floor(fh0).astype(int), 0, max(H.size - 2, 0))
    i1 = np.minimum(i0 + 1, R.size - 1)
    j1 = np.minimum(j0 + 1, H.size - 1)
    a = fr0 - i0
    b = fh0 - j0
    with np.errstate(invalid="ignore"):
        val = ((1 - a) * (1 - b) * T[i0, j0] + a * (1 - b) * T[i1, j0]
               + (1 - a) * b * T[i0, j1] + a * b * T[i1, j1])
    # inside the first range cell (closer than the table's first range) use the first column
    near = (fr < 0) & np.isfinite(fh)
    val = np.where(near, np.interp(hg, H, T[0]), val)
    val = np.where(inside | near, val, np.inf)
    val = np.where(np.isnan(val), np.inf, val)
    g = val - ts
    ok = g <= 0
    first = np.argmax(ok, axis=-1)
    found = ok.any(axis=-1)
    k = np.maximum(first, 1)
    g1 = np.take_along_axis(g, k[..., None], -1)[..., 0]
    g0 = np.take_along_axis(g, (k - 1)[..., None], -1)[..., 0]
    t1 = ts[k]
    t0 = ts[k - 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        fin = np.isfinite(g0) & (g0 > g1)
        frac = np.where(fin, g0 / np.where(fin, g0 - g1, 1.0), 1.0)
    t = np.where(first == 0, 0.0, t0 + np.clip(frac, 0.0, 1.0) * (t1 - t0))
    # a genuine crossing: the sample before was in reach (but too slow), or the first sample
    # in reach is at most one interval early
    genuine = (first == 0) | np.isfinite(g0) | (g1 >= -(t1 - t0))
    return np.where(found & genuine, t, np.nan)
