"""Terrain heights on a regular lat/lon grid and terrain-masked line of sight.

Line of sight is tested with the classical path-profile method over an effective
(k·R0) Earth: the radar–target ray is drawn as a straight line above a flat
reference, and each terrain sample on the path is raised by the Earth bulge
d1·d2/(2·k·R0) (d1, d2 = ground distances from the two ends).

Axis convention: every position argument broadcasts against the others (e.g.
radars with shape (R, 1) and targets with shape (T,) give an (R, T) answer); the
terrain grid is a 2-D array indexed [lat row, lon column].

References
----------
* M. I. Skolnik, "Introduction to Radar Systems", 3rd ed. (2001), sec. 8.2 (4/3 Earth).
* Recommendation ITU-R P.1812, Annex 1 sec. 4.3.1 (Bullington part of the diffraction
  calculation: profile heights corrected by the bulge d_i·(d − d_i)/(2·a_e)); the same
  path-profile convention is used in ITU-R P.452 and P.526.
* R. W. Sinnott, "Virtues of the haversine", Sky & Telescope 68(2), 159 (1984).
* W. H. Press et al., "Numerical Recipes", 3rd ed. (2007), sec. 3.6 (bilinear interpolation).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skyshield.physics._util import FloatArray, as_float
from skyshield.physics.propagation import EARTH_RADIUS_M

__all__ = [
    "line_of_sight_clear",
    "synthetic_ridge",
    "terrain_height_m",
]


def _check_grid(
    grid_z_m: ArrayLike,
    lat_min_deg: float,
    lat_max_deg: float,
    lon_min_deg: float,
    lon_max_deg: float,
) -> FloatArray:
    """Validate a terrain grid and its extent; return it as float64 (Nlat, Nlon)."""
    z = as_float(grid_z_m)
    if z.ndim != 2 or z.shape[0] < 2 or z.shape[1] < 2:
        raise ValueError(f"grid_z_m must be 2-D with at least 2x2 nodes, got shape {z.shape}")
    if not (lat_max_deg > lat_min_deg and lon_max_deg > lon_min_deg):
        raise ValueError("grid extent must satisfy lat_min < lat_max and lon_min < lon_max")
    return z


def terrain_height_m(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    grid_z_m: ArrayLike,
    lat_min_deg: float,
    lat_max_deg: float,
    lon_min_deg: float,
    lon_max_deg: float,
) -> FloatArray:
    """Terrain height [m MSL] by bilinear interpolation on a regular lat/lon grid.

        u = (φ − φmin)/(φmax − φmin)·(Nlat − 1),  v = (λ − λmin)/(λmax − λmin)·(Nlon − 1)
        i = ⌊u⌋, j = ⌊v⌋, t = u − i, s = v − j
        z = (1−t)(1−s)·z[i, j] + (1−t)·s·z[i, j+1] + t·(1−s)·z[i+1, j] + t·s·z[i+1, j+1]

    ``grid_z_m`` has shape (Nlat, Nlon) ≥ (2, 2); row 0 is at ``lat_min_deg``, the last
    row at ``lat_max_deg``, column 0 at ``lon_min_deg``, the last column at
    ``lon_max_deg`` (nodes equally spaced).  The interpolant reproduces the nodes and
    any plane z = a·φ + b·λ + c exactly.

    Points outside the closed grid rectangle (and NaN coordinates) get 0 m, i.e. the
    terrain is taken as sea level off the grid.  Longitudes are not wrapped: use the
    grid's own longitude convention.  ``lat_deg`` and ``lon_deg`` broadcast; the
    result has their broadcast shape.
    Reference: Press et al., Numerical Recipes 3rd ed. (2007) sec. 3.6.
    """
    z = _check_grid(grid_z_m, lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg)
    n_lat, n_lon = z.shape
    lat, lon = np.broadcast_arrays(as_float(lat_deg), as_float(lon_deg))
    # fractional node indices; the division form maps the grid edges to exact integers
    u = (lat - lat_min_deg) / (lat_max_deg - lat_min_deg) * (n_lat - 1)
    v = (lon - lon_min_deg) / (lon_max_deg - lon_min_deg) * (n_lon - 1)
    inside = (u >= 0.0) & (u <= n_lat - 1) & (v >= 0.0) & (v <= n_lon - 1)
    u = np.where(inside, u, 0.0)
    v = np.where(inside, v, 0.0)
    # lower-left cell corner; the last row/column belongs to the cell below/left
    i = np.clip(np.floor(u).astype(np.intp), 0, n_lat - 2)
    j = np.clip(np.floor(v).astype(np.intp), 0, n_lon - 2)
    t = u - i
    s = v - j
    h = (
        (1.0 - t) * (1.0 - s) * z[i, j]
        + (1.0 - t) * s * z[i, j + 1]
        + t * (1.0 - s) * z[i + 1, j]
        + t * s * z[i + 1, j + 1]
    )
    return np.where(inside, h, 0.0)


def _haversine_m(
    lat1_deg: ArrayLike, lon1_deg: ArrayLike, lat2_deg: ArrayLike, lon2_deg: ArrayLike
) -> FloatArray:
    """Great-circle ground distance [m] on the sphere of radius R0.

        d = 2·R0·asin √( sin²(Δφ/2) + cos φ1·cos φ2·sin²(Δλ/2) )

    Reference: Sinnott, Sky & Telescope 68(2), 159 (1984).
    """
    p1 = np.radians(as_float(lat1_deg))
    p2 = np.radians(as_float(lat2_deg))
    dp = p2 - p1
    dl = np.radians(as_float(lon2_deg) - as_float(lon1_deg))
    a = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def line_of_sight_clear(
    radar_lat_deg: ArrayLike,
    radar_lon_deg: ArrayLike,
    radar_height_msl_m: ArrayLike,
    target_lat_deg: ArrayLike,
    target_lon_deg: ArrayLike,
    target_height_msl_m: ArrayLike,
    grid_z_m: ArrayLike,
    lat_min_deg: float,
    lat_max_deg: float,
    lon_min_deg: float,
    lon_max_deg: float,
    k_factor: ArrayLike = 4.0 / 3.0,
    n_samples: int = 64,
) -> NDArray[np.bool_]:
    """True where the straight radar–target ray over a k·R0 Earth clears the terrain.

    At fraction f of the ground distance d along the path (path-profile method):

        ray height          y(f) = ha + f·(ht − ha)
        terrain obstruction o(f) = z(f) + f·(1 − f)·d²/(2·k·R0)      (Earth bulge d1·d2/(2·Re))

    and the path is clear when y(f) > o(f) at every one of the ``n_samples`` interior
    samples f = m/(n_samples + 1), m = 1 … n_samples (grazing counts as blocked; the
    end points are not tested).  Over smooth sea-level terrain the continuous test is
    exactly the radar-horizon condition d < √(2·k·R0·ha) + √(2·k·R0·ht).

    Heights ha, ht are metres above mean sea level (the grid's datum); d is the
    haversine distance on the R0 = 6371 km sphere; z(f) comes from
    :func:`terrain_height_m` (0 m off the grid).

    Approximations: samples are spaced linearly in latitude and longitude (along the
    shorter longitude difference, without wrapping the sample longitudes) rather than
    along the great circle, which is adequate for paths up to a few hundred km away
    from the poles; a terrain feature narrower than the sample spacing d/(n_samples + 1)
    can be missed, and between samples the test errs towards "clear" (by at most
    d²/(8·k·R0·(n_samples + 1)²) in height over smooth terrain).

    All position arguments and ``k_factor`` broadcast; the result has the broadcast
    shape.  Work arrays are of that shape × ``n_samples``.
    Reference: Skolnik (2001) sec. 8.2; ITU-R P.1812 Annex 1 sec. 4.3.1.
    """
    if int(n_samples) != n_samples or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    z = _check_grid(grid_z_m, lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg)
    lat_a, lon_a, ha, lat_t, lon_t, ht, k = np.broadcast_arrays(
        as_float(radar_lat_deg),
        as_float(radar_lon_deg),
        as_float(radar_height_msl_m),
        as_float(target_lat_deg),
        as_float(target_lon_deg),
        as_float(target_height_msl_m),
        as_float(k_factor),
    )
    d = _haversine_m(lat_a, lon_a, lat_t, lon_t)
    dlon = (lon_t - lon_a + 180.0) % 360.0 - 180.0  # shorter way round

    # interior fractions along the path, on a trailing sample axis
    f = np.arange(1, int(n_samples) + 1, dtype=np.float64) / (int(n_samples) + 1)
    lat_s = lat_a[..., None] + f * (lat_t - lat_a)[..., None]
    lon_s = lon_a[..., None] + f * dlon[..., None]
    z_s = terrain_height_m(lat_s, lon_s, z, lat_min_deg, lat_max_deg, lon_min_deg, lon_max_deg)

    # y(f) = ha + f·(ht − ha);  o(f) = z(f) + f·(1 − f)·d²/(2·k·R0)
    y = ha[..., None] + f * (ht - ha)[..., None]
    bulge = f * (1.0 - f) * (d * d / (2.0 * k * EARTH_RADIUS_M))[..., None]
    result: NDArray[np.bool_] = np.all(y > z_s + bulge, axis=-1)
    return result


def synthetic_ridge(
    lat_min_deg: float,
    lat_max_deg: float,
    lon_min_deg: float,
    lon_max_deg: float,
    n_lat: int,
    n_lon: int,
    ridge_lon_deg: float,
    ridge_height_m: float,
    ridge_width_deg: float,
) -> FloatArray:
    """Terrain grid [m] of shape (n_lat, n_lon) holding a north–south Gaussian ridge.

        z(φ, λ) = H·exp(−(λ − λr)²/(2·w²))

    with H = ``ridge_height_m``, λr = ``ridge_lon_deg`` and w = ``ridge_width_deg``
    (the Gaussian standard deviation, in degrees of longitude); the height does not
    depend on latitude.  Nodes are equally spaced from the min to the max corner,
    matching the grid convention of :func:`terrain_height_m`; the latitude extent is
    taken so the call mirrors that function and does not change the values.  For
    tests and demos.
    """
    if n_lat < 2 or n_lon < 2:
        raise ValueError(f"need at least 2x2 nodes, got {n_lat}x{n_lon}")
    if not ridge_width_deg > 0.0:
        raise ValueError(f"ridge_width_deg must be > 0, got {ridge_width_deg!r}")
    lon = np.linspace(lon_min_deg, lon_max_deg, n_lon)
    row = ridge_height_m * np.exp(-((lon - ridge_lon_deg) ** 2) / (2.0 * ridge_width_deg**2))
    return np.broadcast_to(row, (n_lat, n_lon)).astype(np.float64)
