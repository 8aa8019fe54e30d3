"""Refraction-corrected (effective-Earth) line-of-sight geometry.

The standard atmosphere bends rays downward; replacing the Earth radius R0 by
Re = k·R0 lets rays be drawn as straight lines (k ≈ 4/3).

References
----------
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed. (2001), sec. 8.2 (4/3 Earth).
* ITU-R P.834 / P.453: k = 157/(157 + dN/dh) with dN/dh in N-units/km (1/157 km ≈ 1/R0).
* B. R. Bean & E. J. Dutton, "Radio Meteorology" (1966): Re = R0/(1 + R0·dn/dh).
* D. K. Barton, "Radar Equations for Modern Radar" (2013), sec. 6.1 (curved-Earth height).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from skyshield.physics._util import FloatArray, as_float

__all__ = [
    "EARTH_RADIUS_M",
    "effective_earth_radius_m",
    "elevation_from_range_height",
    "height_from_range_el",
    "horizon_range_m",
]

EARTH_RADIUS_M: float = 6371000.0
"""Mean Earth radius R0 [m] (IUGG mean radius R1 = 6371.0088 km, rounded)."""


def effective_earth_radius_m(
    refractivity_gradient_per_m: ArrayLike = -39e-9, earth_radius_m: ArrayLike = EARTH_RADIUS_M
) -> FloatArray:
    """Effective Earth radius Re [m] from the refractive-index gradient dn/dh [1/m].

        Re = R0 / (1 + R0·dn/dh)

    dn/dh = −39e-9 /m (−39 N-units/km, ITU-R median) gives Re ≈ 1.33·R0 ≈ 8477 km.
    Reference: Bean & Dutton (1966); ITU-R P.834 (k = 157/(157 + ΔN)).
    """
    R0 = as_float(earth_radius_m)
    with np.errstate(divide="ignore"):  # dn/dh = −1/R0 ("flat Earth") gives Re = inf
        return R0 / (1.0 + R0 * as_float(refractivity_gradient_per_m))


def horizon_range_m(
    antenna_height_m: ArrayLike, target_height_m: ArrayLike, k_factor: ArrayLike = 4.0 / 3.0
) -> FloatArray:
    """Radar horizon (maximum line-of-sight distance) [m] over a smooth effective Earth.

        d = √(2·k·R0·ha) + √(2·k·R0·ht)     (heights clipped at 0)

    With k = 4/3: d ≈ 4.12·(√ha + √ht) km for heights in metres.
    Reference: Skolnik (2001) eq. 8.1.
    """
    Re = as_float(k_factor) * EARTH_RADIUS_M
    ha = np.maximum(as_float(antenna_height_m), 0.0)
    ht = np.maximum(as_float(target_height_m), 0.0)
    return np.sqrt(2.0 * Re * ha) + np.sqrt(2.0 * Re * ht)


def height_from_range_el(
    range_m: ArrayLike,
    el_rad: ArrayLike,
    antenna_height_m: ArrayLike,
    k_factor: ArrayLike = 4.0 / 3.0,
) -> FloatArray:
    """Target height [m] above the (spherical) surface from slant range and elevation.

        ht = √(R² + (Re + ha)² + 2·R·(Re + ha)·sin(el)) − Re,   Re = k·R0

    (law of cosines in the effective-Earth triangle centre–antenna–target).
    Reference: Barton (2013) eq. 6.1.5; Skolnik (2001) sec. 8.2.
    """
    R = as_float(range_m)
    Re = as_float(k_factor) * EARTH_RADIUS_M
    ra = Re + as_float(antenna_height_m)
    return np.sqrt(R * R + ra * ra + 2.0 * R * ra * np.sin(as_float(el_rad))) - Re


def elevation_from_range_height(
    range_m: ArrayLike,
    target_height_m: ArrayLike,
    antenna_height_m: ArrayLike,
    k_factor: ArrayLike = 4.0 / 3.0,
) -> FloatArray:
    """Elevation angle [rad] of a target at slant range R and height ht (inverse of
    :func:`height_from_range_el`).

        sin(el) = ((Re + ht)² − R² − (Re + ha)²) / (2·R·(Re + ha))
                = ((ht − ha)(2Re + ht + ha) − R²) / (2·R·(Re + ha))

    The second form avoids cancellation.  Impossible geometries (|sin el| > 1, i.e.
    R < |ht − ha|) give NaN.  Reference: Barton (2013) eq. 6.1.5.
    """
    R = as_float(range_m)
    Re = as_float(k_factor) * EARTH_RADIUS_M
    ha = as_float(antenna_height_m)
    ht = as_float(target_height_m)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = ((ht - ha) * (2.0 * Re + ht + ha) - R * R) / (2.0 * R * (Re + ha))
        # tolerate round-off just outside [-1, 1]; reject genuinely impossible triangles
        s = np.where(np.abs(s) <= 1.0 + 1e-12, np.clip(s, -1.0, 1.0), np.nan)
        return np.arcsin(s)
