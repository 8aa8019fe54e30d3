"""Low-level propagation over a smooth spherical Earth: two-ray multipath and diffraction.

The one-way pattern-propagation factor F is the ratio of the field at the target to the
free-space field; the radar equation's power is multiplied by F⁴ (two-way) — 40·log10 F dB.

Three regions along the ground range d for radar height h1 and target height h2 over an
effective Earth of radius a = k·R0 (heights above the surface, all in metres):

1. **Interference region** — line of sight with the direct ray clearing the Earth's bulge at
   the reflection point by at least the clearance ITU-R P.526/P.452 require for zero
   diffraction loss (h_se ≥ h_req = 0.552·√(λ·d1·d2/d), about 0.55 of the first Fresnel zone).
   Two rays: F = |f_d + ρ·f_r·e^(−j·2π·δ/λ)|, with ρ = Γ·ρs·D (:mod:`skyshield.physics.surface`),
   f_d, f_r the antenna's voltage pattern towards the direct and the reflected ray (default 1,
   isotropic in elevation), δ the path difference.
2. **Intermediate region** — line of sight but h_se < h_req.  The ray picture fails here (the
   divergence factor drives the reflected ray to zero, which would wrongly give F → 1 at the
   horizon).  The ITU-R spherical-Earth diffraction loss for paths within line of sight,
   L = (1 − h_se/h_req)·L_ft(a_em), a_em the Earth radius that makes the path just grazing
   (P.452-17 §4.2.2.1 eqs. 22–29; P.2001-4 Att. A §A.2), is zero at the region's inner edge
   d_int, where the two-ray value F_b is 0.5–1 dB below free space.  So that F is continuous,
   20·log10 F = w·20·log10(F_b/f_d) − L + 20·log10 f_d with w = (d_los − d)/(d_los − d_int)
   fading the offset linearly to zero at the horizon (skyshield's blend, in the spirit of
   Blake's interpolation across this region).  Where the divergence factor is still ≈ 1 this
   matches the spherical-Earth two-ray within 0.5 dB two-way (test_physics_multipath).
3. **Diffraction region** — beyond the smooth-Earth horizon d_los = √(2a·h1) + √(2a·h2):
   L = L_ft(a), the first term of the residue series for a smooth sphere with the surface's
   admittance (P.526-15 §3.1.1.2; P.452-17 §4.2.2.1 eqs. 30–37; P.2001-4 §A.3).

The boundary between regions 1 and 2 is where δ ≈ 0.15·λ (for equal grazing angles
h_se² = 2·δ·F1²/λ, so h_se = 0.552·F1 gives δ = 0.152·λ): just below the first lobe's half-power
point, where the two-ray F (≈ 2·sin(π·δ/λ) ≈ 0.9 for ρ = −1) and the zero diffraction loss
(F = 1) differ by under 1 dB.  This is the structure of Blake's method (two-ray interference
region, diffraction region, an interpolated region in between; Blake 1986 ch. 6) with the
ITU-R criterion and loss in place of Blake's own boundaries and range-linear interpolation
(Blake's exact boundary criteria were not checked against the book).

Geometry of the reflection point (the root of Blake's / Kerr's cubic
2·d1³ − 3·d·d1² + (d² − 2a(h1 + h2))·d1 + 2a·h1·d = 0 in the closed form of P.452-17 eq. 25 and
P.2001-4 eq. A.2.2):

    c = (h1 − h2)/(h1 + h2),  m = d²/(4a(h1 + h2))
    b = 2·√((m + 1)/(3m))·cos(π/3 + ⅓·arccos((3c/2)·√(3m/(m + 1)³)))
    d1 = d·(1 + b)/2,  d2 = d − d1

Heights above the plane tangent at the reflection point h1' = h1 − d1²/(2a), h2' = h2 − d2²/(2a);
over that plane the rays are exact flat-Earth rays:

    ψ = arctan((h1' + h2')/d),  δ = √(d² + (h1' + h2')²) − √(d² + (h1' − h2')²)
      = 4·h1'·h2' / (√(d² + (h1' + h2')²) + √(d² + (h1' − h2')²))   (≈ 2·h1'·h2'/d)

Flat-Earth sanity anchors (ρ = −1, δ = 2·h1·h2/R): F = 2·|sin(2π·h1·h2/(λR))|; far inside the
first lobe F⁴ ≈ (4π·h1·h2/(λR))⁴; lobe maxima at h2 = (2n+1)·λ·R/(4·h1), nulls at
h2 = n·λ·R/(2·h1).

References
----------
* L. V. Blake, "Radar Range-Performance Analysis", Lexington Books 1980 / Artech House 1986,
  ch. 6 (pattern-propagation factor, interference and diffraction regions).
* D. E. Kerr (ed.), "Propagation of Short Radio Waves", MIT Rad. Lab. Series 13, 1951
  (reflection-point cubic, divergence factor).
* Recommendation ITU-R P.526-15 (10/2019), "Propagation by diffraction", §3.1.1 (smooth-Earth
  first term: F(X), G(Y), K, β).
* Recommendation ITU-R P.452-17 (09/2021), "Prediction procedure for the evaluation of
  interference between stations on the surface of the Earth at frequencies above about
  0.1 GHz", §4.2.2.1 eqs. (22)–(37) (spherical-Earth diffraction loss).
* Recommendation ITU-R P.2001-4 (08/2021), Attachment A, §A.2–A.3 (same method).
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed. (2001), sec. 8.2 (flat-Earth lobing).
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skyshield.physics._util import FloatArray, as_float
from skyshield.physics.propagation import EARTH_RADIUS_M
from skyshield.physics.surface import (
    C_M_PER_S,
    ament_roughness_factor,
    complex_permittivity,
    divergence_factor,
    fresnel_reflection,
    miller_brown_vegh_roughness_factor,
    surface_constants,
)

__all__ = [
    "REGION_DIFFRACTION",
    "REGION_INTERFERENCE",
    "REGION_INTERMEDIATE",
    "first_term_diffraction_loss_db",
    "flat_earth_two_ray_factor",
    "ground_range_from_slant_m",
    "propagation_factor",
    "reflection_point_m",
    "spherical_earth_diffraction_loss_db",
    "two_ray_factor",
    "two_ray_geometry",
]

REGION_INTERFERENCE: Final[int] = 1
REGION_INTERMEDIATE: Final[int] = 2
REGION_DIFFRACTION: Final[int] = 3

_H_MIN_M: Final[float] = 1e-3   # heights are clipped here (antennas and targets on the surface)
_D_MIN_M: Final[float] = 1e-3   # ground ranges too (a target straight overhead)
_HREQ_COEF: Final[float] = 17.456 * np.sqrt(1e-3)   # P.452 eq. 27 in SI units: 0.5520


def _radius(k_factor: ArrayLike) -> FloatArray:
    return as_float(k_factor) * EARTH_RADIUS_M


def ground_range_from_slant_m(range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike,
                              k_factor: ArrayLike = 4.0 / 3.0) -> FloatArray:
    """Ground range d = a·θ [m] along the effective Earth for slant range R between heights
    h1 and h2:  sin²(θ/2) = (R² − (h2 − h1)²) / (4·(a + h1)·(a + h2)).  Flat Earth: √(R² − Δh²)."""
    R = as_float(range_m)
    h1 = as_float(h1_m)
    h2 = as_float(h2_m)
    a = _radius(k_factor)
    num = np.maximum(R * R - (h2 - h1) ** 2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = 2.0 * a * np.arcsin(np.minimum(np.sqrt(num / (4.0 * (a + h1) * (a + h2))), 1.0))
    return np.where(np.isfinite(a), d, np.sqrt(num))


def reflection_point_m(ground_range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike,
                       earth_radius_m: ArrayLike) -> FloatArray:
    """Ground distance d1 [m] from end 1 to the specular point on a sphere of radius a
    (closed-form root of the reflection cubic; P.452-17 eq. 25, P.2001-4 eq. A.2.2).

    Flat Earth (a = inf): d1 = d·h1/(h1 + h2).
    """
    d = as_float(ground_range_m)
    h1 = np.maximum(as_float(h1_m), _H_MIN_M)
    h2 = np.maximum(as_float(h2_m), _H_MIN_M)
    a = as_float(earth_radius_m)
    c = (h1 - h2) / (h1 + h2)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = d * d / (4.0 * a * (h1 + h2))
        arg = np.clip(1.5 * c * np.sqrt(3.0 * m / (m + 1.0) ** 3), -1.0, 1.0)
        b = 2.0 * np.sqrt((m + 1.0) / (3.0 * m)) * np.cos(np.pi / 3.0 + np.arccos(arg) / 3.0)
    b = np.where(m > 1e-12, b, c)   # flat-Earth limit of the closed form
    return d * (1.0 + b) / 2.0


def two_ray_geometry(ground_range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike,
                     earth_radius_m: ArrayLike
                     ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(d1, d2, h1', h2', ψ) for the specular reflection: ground distances to the reflection
    point [m], heights above its tangent plane [m] and the grazing angle [rad]."""
    d = as_float(ground_range_m)
    a = as_float(earth_radius_m)
    d1 = reflection_point_m(d, h1_m, h2_m, a)
    d2 = d - d1
    h1e = np.maximum(as_float(h1_m), _H_MIN_M) - d1 * d1 / (2.0 * a)
    h2e = np.maximum(as_float(h2_m), _H_MIN_M) - d2 * d2 / (2.0 * a)
    psi = np.arctan2(h1e + h2e, d)
    return d1, d2, h1e, h2e, psi


def _path_difference_m(d: FloatArray, h1e: FloatArray, h2e: FloatArray) -> FloatArray:
    """δ = 4·h1'·h2'/(√(d² + (h1'+h2')²) + √(d² + (h1'−h2')²)) (exact over the tangent plane)."""
    return 4.0 * h1e * h2e / (np.hypot(d, h1e + h2e) + np.hypot(d, h1e - h2e))


def flat_earth_two_ray_factor(range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike,
                              freq_hz: ArrayLike, reflection: ArrayLike = -1.0) -> FloatArray:
    """Textbook flat-Earth, small-angle two-ray factor F = |1 + ρ·e^(−j·4π·h1·h2/(λR))|
    (one-way; ρ = −1 gives 2·|sin(2π·h1·h2/(λR))|).  Skolnik (2001) sec. 8.2; Blake ch. 6."""
    lam = C_M_PER_S / as_float(freq_hz)
    phase = 4.0 * np.pi * as_float(h1_m) * as_float(h2_m) / (lam * as_float(range_m))
    rho = np.asarray(reflection, dtype=np.complex128)
    return np.abs(1.0 + rho * np.exp(-1j * phase))


def two_ray_factor(
    ground_range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike, freq_hz: ArrayLike,
    surface_reflection: ArrayLike, earth_radius_m: ArrayLike,
    pattern_direct: ArrayLike = 1.0, pattern_reflected: ArrayLike = 1.0,
) -> FloatArray:
    """Two-ray factor F = |f_d + Γρs·D·f_r·e^(−j·2π·δ/λ)| over a sphere of radius a (inf: flat).

    ``surface_reflection`` is the complex Γ·ρs of the surface at the grazing angle (e.g. −1 for
    a smooth perfect conductor at low grazing angle); the divergence factor D and the path
    difference δ come from the specular geometry (:func:`two_ray_geometry`).  Valid in the
    interference region only (see :func:`propagation_factor`).
    """
    d = as_float(ground_range_m)
    a = as_float(earth_radius_m)
    d1, d2, h1e, h2e, psi = two_ray_geometry(d, h1_m, h2_m, a)
    lam = C_M_PER_S / as_float(freq_hz)
    rho = np.asarray(surface_reflection, dtype=np.complex128) * divergence_factor(d1, d2, psi, a)
    delta = _path_difference_m(d, h1e, h2e)
    return np.abs(as_float(pattern_direct)
                  + rho * as_float(pattern_reflected) * np.exp(-2j * np.pi * delta / lam))


def first_term_diffraction_loss_db(
    ground_range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike, freq_hz: ArrayLike,
    eps_r: ArrayLike, sigma_s_per_m: ArrayLike, vertical: ArrayLike, earth_radius_m: ArrayLike,
) -> FloatArray:
    """First-term smooth-sphere diffraction loss L_ft [dB] (relative to free space).

    P.452-17 eqs. (30)–(37) / P.526-15 §3.1.1.2 in their units (f GHz, a and d km, h m):
        K_H = 0.036·(a·f)^(−1/3)·[(εr − 1)² + (18σ/f)²]^(−1/4),  K_V = K_H·[εr² + (18σ/f)²]^(1/2)
        β = (1 + 1.6K² + 0.67K⁴)/(1 + 4.5K² + 1.53K⁴)
        X = 21.88·β·(f/a²)^(1/3)·d,   Y = 0.9575·β·(f²/a)^(1/3)·h
        F(X) = 11 + 10·log X − 17.6·X (X ≥ 1.6), −20·log X − 5.6488·X^1.425 (X < 1.6)
        B = β·Y;  G(Y) = 17.6·√(B − 1.1) − 5·log(B − 1.1) − 8 (B > 2), 20·log(B + 0.1·B³)
        otherwise, and G ≥ 2 + 20·log K
        L_ft = −F(X) − G(Y1) − G(Y2)
    """
    f = as_float(freq_hz) / 1e9
    a = as_float(earth_radius_m) / 1e3
    d = as_float(ground_range_m) / 1e3
    er = as_float(eps_r)
    q = (18.0 * as_float(sigma_s_per_m) / f) ** 2
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        KH = 0.036 * (a * f) ** (-1.0 / 3.0) * ((er - 1.0) ** 2 + q) ** (-0.25)
        K = np.where(np.asarray(vertical, dtype=bool), KH * np.sqrt(er * er + q), KH)
        K2 = K * K
        beta = (1.0 + 1.6 * K2 + 0.67 * K2 * K2) / (1.0 + 4.5 * K2 + 1.53 * K2 * K2)
        X = 21.88 * beta * np.cbrt(f / (a * a)) * d
        FX = np.where(X >= 1.6, 11.0 + 10.0 * np.log10(X) - 17.6 * X,
                      -20.0 * np.log10(X) - 5.6488 * X**1.425)
        g_min = 2.0 + 20.0 * np.log10(K)

        def G(h_m: ArrayLike) -> FloatArray:
            B = beta * 0.9575 * beta * np.cbrt(f * f / a) * np.maximum(as_float(h_m), _H_MIN_M)
            Bm = np.maximum(B - 1.1, 1e-30)
            g = np.where(B > 2.0, 17.6 * np.sqrt(Bm) - 5.0 * np.log10(Bm) - 8.0,
                         20.0 * np.log10(B + 0.1 * B**3))
            return np.maximum(g, g_min)

        return -FX - G(h1_m) - G(h2_m)


def _clearance(d: FloatArray, d1: FloatArray, h1e: FloatArray, h2e: FloatArray,
               lam: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(h_se, h_req) [m]: clearance of the direct ray above the Earth at the specular point
    and the clearance required for zero diffraction loss (P.452-17 eqs. 26–27)."""
    d2 = d - d1
    with np.errstate(divide="ignore", invalid="ignore"):
        hse = (h1e * d2 + h2e * d1) / d
        hreq = _HREQ_COEF * np.sqrt(d1 * d2 * lam / d)
    return hse, hreq


def _clearance_margin(d: FloatArray, h1: FloatArray, h2: FloatArray, lam: FloatArray,
                      a: FloatArray) -> FloatArray:
    """h_se − h_req [m] at ground range d (decreasing in d on [0, d_los])."""
    d1, _, h1e, h2e, _ = two_ray_geometry(d, h1, h2, a)
    hse, hreq = _clearance(np.maximum(d, _D_MIN_M), d1, h1e, h2e, lam)
    return hse - hreq


def _interference_limit_m(h1: FloatArray, h2: FloatArray, lam: FloatArray, a: FloatArray,
                          d_los: FloatArray, beyond_m: FloatArray | None = None,
                          tol_m: float = 1e-3) -> FloatArray:
    """Ground range d_int where the direct ray's clearance h_se falls to h_req (the edge of the
    interference region): the root of the decreasing h_se − h_req on [0, d_los] by the Illinois
    variant of regula falsi (Dowell & Jarratt 1971), bracketed, to ``tol_m``.  ``beyond_m``, a
    range known to lie beyond the edge (a target in the intermediate region), narrows the
    bracket to [0, beyond_m].

    Superlinear where the 32-step bisection it replaced was linear: 6–10 evaluations instead
    of 32 (the kernel's cost in a run was a third this root).  Every step keeps the root
    bracketed, and a bisection step is taken whenever the secant stalls, so the answer is the
    bisection's to within the tolerance."""
    h1, h2, lam, a, d_los = np.broadcast_arrays(h1, h2, lam, a, d_los)
    lo = np.full(h1.shape, _D_MIN_M)
    hi = np.array(d_los if beyond_m is None else np.minimum(beyond_m, d_los), dtype=float,
                  copy=True)
    g_lo = _clearance_margin(lo, h1, h2, lam, a)
    g_hi = _clearance_margin(hi, h1, h2, lam, a)
    # the clearance is positive next to the radar and negative at the horizon; a degenerate
    # bracket (both ends of one sign) keeps its end as the answer
    out = np.where(g_lo <= 0.0, lo, hi)
    todo = np.flatnonzero((g_lo > 0.0) & (g_hi < 0.0))
    lo, hi, g_lo, g_hi = lo[todo], hi[todo], g_lo[todo], g_hi[todo]
    h1, h2, lam, a = h1[todo], h2[todo], lam[todo], a[todo]
    side = np.zeros(todo.shape, dtype=np.int8)   # which end was kept last (+1 lo, −1 hi)
    for _ in range(64):
        if not todo.size:
            break
        x = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        x = np.where((x > lo) & (x < hi), x, 0.5 * (lo + hi))
        g = _clearance_margin(x, h1, h2, lam, a)
        right = g > 0.0                         # the root is above x
        lo = np.where(right, x, lo)
        hi = np.where(right, hi, x)
        # Illinois: halve the stale end's value when the same end is kept twice
        g_hi = np.where(right & (side == 1), 0.5 * g_hi, np.where(right, g_hi, g))
        g_lo = np.where(~right & (side == -1), 0.5 * g_lo, np.where(right, g, g_lo))
        side = np.where(right, 1, -1).astype(np.int8)
        done = (hi - lo < tol_m) | (g == 0.0)
        if done.any():
            out[todo[done]] = np.where(g[done] == 0.0, x[done], 0.5 * (lo[done] + hi[done]))
            keep = ~done
            todo, lo, hi, g_lo, g_hi, side = (todo[keep], lo[keep], hi[keep], g_lo[keep],
                                              g_hi[keep], side[keep])
            h1, h2, lam, a = h1[keep], h2[keep], lam[keep], a[keep]
    if todo.size:
        out[todo] = 0.5 * (lo + hi)
    return out


def spherical_earth_diffraction_loss_db(
    ground_range_m: ArrayLike, h1_m: ArrayLike, h2_m: ArrayLike, freq_hz: ArrayLike,
    eps_r: ArrayLike, sigma_s_per_m: ArrayLike, vertical: ArrayLike = False,
    k_factor: ArrayLike = 4.0 / 3.0,
) -> FloatArray:
    """Spherical-Earth diffraction loss L_dsph [dB] for any distance (P.452-17 §4.2.2.1):
    beyond the horizon L_ft(a); within line of sight 0 if h_se > h_req, else
    max(0, (1 − h_se/h_req)·L_ft(a_em)) with a_em = ½·(d/(√h1 + √h2))²."""
    d = np.maximum(as_float(ground_range_m), _D_MIN_M)
    h1 = np.maximum(as_float(h1_m), _H_MIN_M)
    h2 = np.maximum(as_float(h2_m), _H_MIN_M)
    a = _radius(k_factor)
    lam = C_M_PER_S / as_float(freq_hz)
    d_los = np.sqrt(2.0 * a * h1) + np.sqrt(2.0 * a * h2)
    L_beyond = first_term_diffraction_loss_db(d, h1, h2, freq_hz, eps_r, sigma_s_per_m,
                                              vertical, a)
    d1, _, h1e, h2e, _ = two_ray_geometry(d, h1, h2, a)
    hse, hreq = _clearance(d, d1, h1e, h2e, lam)
    a_em = 0.5 * (d / (np.sqrt(h1) + np.sqrt(h2))) ** 2
    L_em = first_term_diffraction_loss_db(d, h1, h2, freq_hz, eps_r, sigma_s_per_m, vertical,
                                          a_em)
    with np.errstate(divide="ignore", invalid="ignore"):
        L_los = np.where(hse > hreq, 0.0, np.maximum((1.0 - hse / hreq) * L_em, 0.0))
    return np.where(d >= d_los, L_beyond, L_los)


def propagation_factor(
    range_m: ArrayLike,
    radar_height_m: ArrayLike,
    target_height_m: ArrayLike,
    freq_hz: ArrayLike,
    *,
    surface: str = "medium_dry_ground",
    polarization: Literal["H", "V"] = "H",
    rms_height_m: ArrayLike = 0.0,
    roughness: Literal["mbv", "ament"] = "mbv",
    k_factor: ArrayLike = 4.0 / 3.0,
    pattern_direct: ArrayLike = 1.0,
    pattern_reflected: ArrayLike = 1.0,
) -> tuple[FloatArray, NDArray[np.int64]]:
    """One-way pattern-propagation factor F (amplitude) and the region (1 interference,
    2 intermediate, 3 diffraction) for a target at slant range R and height h2 seen by a radar
    at height h1 over a smooth spherical Earth of the named surface (module docstring).

    The radar equation's two-way power factor is F⁴ (40·log10 F dB).  ``rms_height_m`` is the
    surface's rms height σh (0 = smooth); ``pattern_direct``/``pattern_reflected`` are the
    antenna's elevation voltage pattern towards the two rays (1 = isotropic in elevation).
    ``k_factor = inf`` gives a flat Earth (two-ray everywhere, no diffraction region).
    """
    if polarization not in ("H", "V"):
        raise ValueError(f"polarization must be 'H' or 'V', not {polarization!r}")
    if roughness not in ("mbv", "ament"):
        raise ValueError(f"roughness must be 'mbv' or 'ament', not {roughness!r}")
    vertical = polarization == "V"
    rough = miller_brown_vegh_roughness_factor if roughness == "mbv" else ament_roughness_factor
    # every input broadcast to the targets' shape once: the regions below take subsets
    inputs = np.broadcast_arrays(
        as_float(range_m), np.maximum(as_float(radar_height_m), _H_MIN_M),
        np.maximum(as_float(target_height_m), _H_MIN_M), as_float(freq_hz),
        _radius(k_factor), as_float(rms_height_m),
        np.maximum(as_float(pattern_direct), 1e-30), as_float(pattern_reflected))
    shape = inputs[0].shape
    R, h1, h2, f, a, rms, f_d, f_r = (x.ravel() for x in inputs)
    lam = C_M_PER_S / f
    d = np.maximum(ground_range_from_slant_m(R, h1, h2, a / EARTH_RADIUS_M), _D_MIN_M)
    eps_r, sigma = (np.broadcast_to(x, f.shape) for x in surface_constants(surface, f))
    eps_c = complex_permittivity(eps_r, sigma, f)

    def two_ray(d_m: FloatArray, sel: NDArray[np.intp] | slice,
                geometry: tuple[FloatArray, ...] | None = None) -> FloatArray:
        # the two-ray factor of the elements ``sel`` at ground ranges ``d_m``
        d1, d2, h1e, h2e, psi = geometry or two_ray_geometry(d_m, h1[sel], h2[sel], a[sel])
        gamma_h, gamma_v = fresnel_reflection(psi, eps_c[sel])
        rho = ((gamma_v if vertical else gamma_h) * rough(rms[sel], psi, f[sel])
               * divergence_factor(d1, d2, psi, a[sel]))
        delta = _path_difference_m(d_m, h1e, h2e)
        return np.abs(f_d[sel] + rho * f_r[sel] * np.exp(-2j * np.pi * delta / lam[sel]))

    every = slice(None)
    geometry = two_ray_geometry(d, h1, h2, a)
    d1, _, h1e, h2e, _ = geometry
    hse, hreq = _clearance(d, d1, h1e, h2e, lam)
    d_los = np.sqrt(2.0 * a * h1) + np.sqrt(2.0 * a * h2)
    region = np.where(d >= d_los, REGION_DIFFRACTION,
                      np.where((hse >= hreq) | ~np.isfinite(a), REGION_INTERFERENCE,
                               REGION_INTERMEDIATE)).astype(np.int64)
    # region 1: two rays
    F = np.array(two_ray(d, every, geometry), dtype=float, copy=True)
    # region 3: the first term of the residue series over the effective Earth
    far = np.flatnonzero(region == REGION_DIFFRACTION)
    if far.size:
        L = first_term_diffraction_loss_db(d[far], h1[far], h2[far], f[far], eps_r[far],
                                           sigma[far], vertical, a[far])
        F[far] = f_d[far] * 10.0 ** (-L / 20.0)
    # region 2: the P.452 loss within line of sight, L = (1 − h_se/h_req)·L_ft(a_em), a_em the
    # radius that makes the path grazing; it starts from the two-ray value at the region's
    # inner edge d_int: the step there (under 1 dB one way) is carried as an offset that fades
    # linearly to zero at the horizon
    mid = np.flatnonzero(region == REGION_INTERMEDIATE)
    if mid.size:
        dm, h1m, h2m = d[mid], h1[mid], h2[mid]
        a_em = 0.5 * (dm / (np.sqrt(h1m) + np.sqrt(h2m))) ** 2
        L_em = first_term_diffraction_loss_db(dm, h1m, h2m, f[mid], eps_r[mid], sigma[mid],
                                              vertical, a_em)
        with np.errstate(divide="ignore", invalid="ignore"):
            L = np.maximum((1.0 - hse[mid] / hreq[mid]) * L_em, 0.0)
        d_int = _interference_limit_m(h1m, h2m, lam[mid], a[mid], d_los[mid], dm, 0.01)
        step_db = 20.0 * np.log10(np.maximum(two_ray(d_int, mid), 1e-300) / f_d[mid])
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.clip((d_los[mid] - dm) / (d_los[mid] - d_int), 0.0, 1.0)
        F[mid] = f_d[mid] * 10.0 ** ((w * step_db - L) / 20.0)
    return F.reshape(shape), region.reshape(shape)
