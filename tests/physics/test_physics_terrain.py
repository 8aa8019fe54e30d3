"""Terrain interpolation and terrain-masked line of sight against closed forms.

Authorities:
* Bilinear interpolation reproduces the grid nodes and every plane z = a·φ + b·λ + c
  (Press et al., Numerical Recipes 3rd ed., sec. 3.6).
* Smooth sea-level Earth, k = 4/3: the ray clears the surface exactly when the ground
  distance is below the radar horizon √(2·k·R0·ha) + √(2·k·R0·ht) (Skolnik, Introduction
  to Radar Systems 3rd ed., eq. 8.1; ``propagation.horizon_range_m``).
* Knife-edge ridge of height H midway (f = 1/2) between terminals at equal height h: the
  path-profile obstruction there is H + d²/(8·k·R0) (Earth bulge d1·d2/(2·k·R0) with
  d1 = d2 = d/2; ITU-R P.1812 Annex 1 sec. 4.3.1).
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.propagation import EARTH_RADIUS_M, horizon_range_m
from skyshield.physics.terrain import line_of_sight_clear, synthetic_ridge, terrain_height_m

M = 1.0
MM = 1e-3 * M
K43 = 4.0 / 3.0


def _destination_deg(
    lat_deg: float, lon_deg: float, bearing_deg: float, distance_m: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical direct problem on the R0 sphere (Sinnott / Williams aviation formulary)."""
    p1, l1, th = np.radians(lat_deg), np.radians(lon_deg), np.radians(bearing_deg)
    delta = np.asarray(distance_m, dtype=float) / EARTH_RADIUS_M
    p2 = np.arcsin(np.sin(p1) * np.cos(delta) + np.cos(p1) * np.sin(delta) * np.cos(th))
    l2 = l1 + np.arctan2(
        np.sin(th) * np.sin(delta) * np.cos(p1), np.cos(delta) - np.sin(p1) * np.sin(p2)
    )
    return np.degrees(p2), np.degrees(l2)


# --------------------------------------------------------------------------- interpolation

EXTENT = (-1.0, 2.0, 10.0, 14.0)  # lat_min, lat_max, lon_min, lon_max [deg]


def _plane_grid(n_lat: int = 7, n_lon: int = 9) -> tuple[np.ndarray, float, float, float]:
    a_m_per_deg, b_m_per_deg, c_m = 120.0, -75.0, 2000.0
    lat = np.linspace(EXTENT[0], EXTENT[1], n_lat)
    lon = np.linspace(EXTENT[2], EXTENT[3], n_lon)
    z = a_m_per_deg * lat[:, None] + b_m_per_deg * lon[None, :] + c_m
    return z, a_m_per_deg, b_m_per_deg, c_m


def test_bilinear_reproduces_plane() -> None:
    z, a, b, c = _plane_grid()
    rng = np.random.default_rng(20240601)
    lat = rng.uniform(EXTENT[0], EXTENT[1], size=(5, 40))
    lon = rng.uniform(EXTENT[2], EXTENT[3], size=(5, 40))
    h = terrain_height_m(lat, lon, z, *EXTENT)
    assert h.shape == (5, 40)
    np.testing.assert_allclose(h, a * lat + b * lon + c, rtol=0.0, atol=1e-6 * MM)
    # the closed edges (corners included) are inside the grid
    lat_e = np.array([EXTENT[0], EXTENT[0], EXTENT[1], EXTENT[1], 0.3, EXTENT[1]])
    lon_e = np.array([EXTENT[2], EXTENT[3], EXTENT[2], EXTENT[3], EXTENT[3], 12.1])
    h_e = terrain_height_m(lat_e, lon_e, z, *EXTENT)
    np.testing.assert_allclose(h_e, a * lat_e + b * lon_e + c, rtol=0.0, atol=1e-6 * MM)


def test_bilinear_hits_grid_nodes() -> None:
    rng = np.random.default_rng(7)
    z = rng.uniform(-50.0, 3000.0, size=(6, 11))  # rough terrain, no structure
    lat = np.linspace(EXTENT[0], EXTENT[1], 6)
    lon = np.linspace(EXTENT[2], EXTENT[3], 11)
    h = terrain_height_m(lat[:, None], lon[None, :], z, *EXTENT)
    # index round-off of ~1 ulp can move the weight by ~1e-16 -> far below a micrometre
    np.testing.assert_allclose(h, z, rtol=0.0, atol=1e-3 * MM)
    # the cell midpoint is the mean of its four corners
    mid = terrain_height_m(0.5 * (lat[2] + lat[3]), 0.5 * (lon[4] + lon[5]), z, *EXTENT)
    assert mid == pytest.approx(z[2:4, 4:6].mean(), abs=1e-3 * MM)


def test_outside_grid_is_sea_level() -> None:
    z, *_ = _plane_grid()
    assert np.all(z > 100.0)  # so a leak of the interpolant would show
    eps_deg = 1e-9
    lat = np.array([EXTENT[0] - eps_deg, EXTENT[1] + eps_deg, 0.5, 0.5, -30.0, np.nan])
    lon = np.array([12.0, 12.0, EXTENT[2] - eps_deg, EXTENT[3] + eps_deg, 100.0, 12.0])
    h = terrain_height_m(lat, lon, z, *EXTENT)
    np.testing.assert_array_equal(h, np.zeros(6))
    # broadcasting over mixed shapes, inside and outside together
    h2 = terrain_height_m(np.array([[0.0], [50.0]]), np.array([11.0, 12.0, 13.0]), z, *EXTENT)
    assert h2.shape == (2, 3)
    assert np.all(h2[0] > 100.0) and np.all(h2[1] == 0.0)


def test_bad_grid_rejected() -> None:
    with pytest.raises(ValueError):
        terrain_height_m(0.0, 0.0, np.zeros(5), *EXTENT)
    with pytest.raises(ValueError):
        terrain_height_m(0.0, 0.0, np.zeros((3, 3)), 1.0, 0.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        line_of_sight_clear(0, 0, 10, 0, 0.1, 10, np.zeros((3, 3)), *EXTENT, n_samples=0)


def test_synthetic_ridge_shape_and_profile() -> None:
    H, w = 250.0, 0.2
    z = synthetic_ridge(-1.0, 1.0, 9.0, 11.0, 5, 201, 10.0, H, w)
    assert z.shape == (5, 201)
    lon = np.linspace(9.0, 11.0, 201)
    profile_m = H * np.exp(-((lon - 10.0) ** 2) / (2 * w * w))
    np.testing.assert_allclose(z, np.broadcast_to(profile_m, z.shape), rtol=0.0, atol=1e-9 * M)
    assert z[:, 100] == pytest.approx(np.full(5, H), abs=1e-9 * M)  # crest on the node
    # one standard deviation off the crest: H·e^(−1/2)
    h = terrain_height_m(0.3, 10.0 + w, z, -1.0, 1.0, 9.0, 11.0)
    assert h == pytest.approx(H * np.exp(-0.5), abs=1 * MM)
    assert np.all(z == z[0])  # north-south: independent of latitude


# --------------------------------------------------------------------------- flat Earth horizon


def _horizon_sampling_tol_m(ha: float, ht: float, k: float, n_samples: int) -> float:
    """Distance beyond the horizon by which the sampled test is guaranteed to block.

    Clearance over a smooth Earth g(f) = ha + f·(ht − ha) − f(1 − f)·D, D = d²/(2kR0), is a
    parabola with curvature 2D; its minimum (the tangent point) lies at most 1/(2(n+1)) from
    a sample, so the sampled minimum exceeds the true one by at most D/(4(n+1)²).  Near the
    horizon d_h the true minimum falls at 2ab/(a+b)/√(2kR0) per metre (a = √ha, b = √ht).
    Hence blocking is certain once d − d_h > √(2kR0)·(a+b)³/(8ab(n+1)²).
    """
    a, b = np.sqrt(ha), np.sqrt(ht)
    d_scale_m = np.sqrt(2 * k * EARTH_RADIUS_M)
    return float(d_scale_m * (a + b) ** 3 / (8 * a * b * (n_samples + 1) ** 2))


@pytest.mark.parametrize(
    ("lat0_deg", "bearing_deg", "ha_m", "ht_m", "k"),
    [
        (0.0, 90.0, 10.0, 10.0, K43),
        (45.0, 0.0, 30.0, 1000.0, K43),
        (-60.0, 225.0, 100.0, 100.0, K43),
        (20.0, 300.0, 15.0, 8000.0, K43),
        (35.0, 135.0, 50.0, 500.0, 1.0),
    ],
)
def test_flat_terrain_horizon(
    lat0_deg: float, bearing_deg: float, ha_m: float, ht_m: float, k: float
) -> None:
    lon0_deg = 10.0
    d_h = horizon_range_m(ha_m, ht_m, k)
    # closed form, independently
    assert d_h == pytest.approx(
        np.sqrt(2 * k * EARTH_RADIUS_M * ha_m) + np.sqrt(2 * k * EARTH_RADIUS_M * ht_m),
        abs=1 * MM,
    )
    n = 64
    tol_m = _horizon_sampling_tol_m(ha_m, ht_m, k, n)
    assert tol_m < 1e-3 * d_h  # the tolerance is a small fraction of the horizon
    # just inside: always clear (sampling can only err towards clear) -- 1 m short
    # just outside: blocked once beyond the sampling tolerance (2× for margin)
    d = np.array([0.25 * d_h, d_h - 1 * M, d_h + 2 * tol_m, 1.5 * d_h])
    lat_t, lon_t = _destination_deg(lat0_deg, lon0_deg, bearing_deg, d)
    grid = np.zeros((3, 3))  # all-zero terrain (also 0 m off the grid)
    extent = (lat0_deg - 10, lat0_deg + 10, lon0_deg - 20, lon0_deg + 20)
    clear = line_of_sight_clear(
        lat0_deg, lon0_deg, ha_m, lat_t, lon_t, ht_m, grid, *extent, k_factor=k, n_samples=n
    )
    np.testing.assert_array_equal(clear, [True, True, False, False])


def test_flat_terrain_sweep_matches_horizon() -> None:
    # dense sweep: LOS == (d < d_h) except inside the stated sampling band
    ha_m, ht_m = 25.0, 3000.0
    d_h = horizon_range_m(ha_m, ht_m)
    tol_m = _horizon_sampling_tol_m(ha_m, ht_m, K43, 64)
    d = np.linspace(0.5 * d_h, 1.5 * d_h, 2001)
    lat_t, lon_t = _destination_deg(52.0, 5.0, 70.0, d)
    clear = line_of_sight_clear(52.0, 5.0, ha_m, lat_t, lon_t, ht_m, np.zeros((2, 2)), 0, 1, 0, 1)
    decided = np.abs(d - d_h) > tol_m
    np.testing.assert_array_equal(clear[decided], (d < d_h)[decided])
    assert clear.any() and not clear.all()


# --------------------------------------------------------------------------- midway ridge


@pytest.mark.parametrize("distance_m", [40e3, 100e3, 180e3])
@pytest.mark.parametrize("ridge_m", [80.0, 600.0])
@pytest.mark.parametrize("k", [K43, 1.0])
def test_ridge_midway_closed_form(distance_m: float, ridge_m: float, k: float) -> None:
    lat_deg, lon_a_deg = 38.0, 20.0
    _, lon_t_deg = _destination_deg(lat_deg, lon_a_deg, 90.0, distance_m)
    lon_t_deg = float(lon_t_deg)
    # along a parallel the haversine distance is 2·R0·asin(cos φ·sin(Δλ/2)): use that d
    d = (
        2
        * EARTH_RADIUS_M
        * np.arcsin(np.cos(np.radians(lat_deg)) * np.sin(np.radians(lon_t_deg - lon_a_deg) / 2))
    )
    ridge_lon_deg = 0.5 * (lon_a_deg + lon_t_deg)
    w_deg = 0.1
    lon_min, lon_max = ridge_lon_deg - 2.0, ridge_lon_deg + 2.0  # crest on the middle node
    extent = (lat_deg - 1.0, lat_deg + 1.0, lon_min, lon_max)
    n_lon = 801  # node spacing 0.005 deg
    z = synthetic_ridge(*extent, 3, n_lon, ridge_lon_deg, ridge_m, w_deg)

    # closed form at f = 1/2: obstruction H + d²/(8kR0)
    o_mid_m = ridge_m + d * d / (8 * k * EARTH_RADIUS_M)

    def clear(h_m: float, n: int) -> bool:
        return bool(
            line_of_sight_clear(
                lat_deg,
                lon_a_deg,
                h_m,
                lat_deg,
                lon_t_deg,
                h_m,
                z,
                *extent,
                k_factor=k,
                n_samples=n,
            )
        )

    # the interpolated profile never exceeds H + bulge(f) <= o_mid: clear 1 cm above it
    for n in (64, 65):
        assert clear(o_mid_m + 10 * MM, n)
    # n = 65 (odd) puts a sample exactly at f = 1/2 on the crest node: blocked 1 cm below
    assert not clear(o_mid_m - 10 * MM, 65)
    # n = 64: the nearest samples sit at f = 1/2 ± 1/130, δλ = Δλ/130 off the crest; the
    # sampled obstruction there is lower by at most H(1 − exp(−δλ²/2w²)) (Gaussian), the
    # bilinear chord error H·Δ²/(8w²) (Δ = node spacing) and the bulge drop D/130² with
    # D = d²/(2kR0).  Blocked once h is below o_mid by more than that (+1 cm).
    dlon = lon_t_deg - lon_a_deg
    spacing = (lon_max - lon_min) / (n_lon - 1)
    shortfall_m = (
        ridge_m * (1 - np.exp(-((dlon / 130) ** 2) / (2 * w_deg**2)))
        + ridge_m * spacing**2 / (8 * w_deg**2)
        + d * d / (2 * k * EARTH_RADIUS_M) / 130**2
    )
    assert shortfall_m < 0.05 * ridge_m
    assert not clear(o_mid_m - shortfall_m - 10 * MM, 64)


def test_ridge_blocks_what_flat_earth_clears() -> None:
    # same geometry with and without a 300 m ridge midway: only the ridge masks
    z = synthetic_ridge(0.0, 2.0, 10.0, 12.0, 5, 401, 11.0, 300.0, 0.05)
    args = (1.0, 10.5, 100.0, 1.0, 11.5, 500.0)
    assert bool(line_of_sight_clear(*args, np.zeros_like(z), 0.0, 2.0, 10.0, 12.0))
    assert not bool(line_of_sight_clear(*args, z, 0.0, 2.0, 10.0, 12.0))


# --------------------------------------------------------------------------- batch & invariants

RIDGE_EXTENT = (30.0, 32.0, 34.0, 37.0)


def _ridge_grid() -> np.ndarray:
    return synthetic_ridge(*RIDGE_EXTENT, 21, 301, 35.5, 400.0, 0.08)


def test_batch_equals_stacked_scalars() -> None:
    z = _ridge_grid()
    rng = np.random.default_rng(11)
    n_r, n_t = 4, 9
    r_lat = rng.uniform(30.2, 31.8, (n_r, 1))
    r_lon = rng.uniform(34.2, 35.2, (n_r, 1))
    r_h = rng.uniform(20.0, 300.0, (n_r, 1))
    t_lat = rng.uniform(30.2, 31.8, n_t)
    t_lon = rng.uniform(35.8, 36.8, n_t)
    t_h = rng.uniform(200.0, 3000.0, n_t)
    batch = line_of_sight_clear(r_lat, r_lon, r_h, t_lat, t_lon, t_h, z, *RIDGE_EXTENT)
    assert batch.shape == (n_r, n_t) and batch.dtype == np.bool_
    stacked = np.array(
        [
            [
                bool(
                    line_of_sight_clear(
                        r_lat[i, 0],
                        r_lon[i, 0],
                        r_h[i, 0],
                        t_lat[j],
                        t_lon[j],
                        t_h[j],
                        z,
                        *RIDGE_EXTENT,
                    )
                )
                for j in range(n_t)
            ]
            for i in range(n_r)
        ]
    )
    np.testing.assert_array_equal(batch, stacked)
    assert batch.any() and not batch.all()  # the case mixes clear and masked paths
    # scalar in -> 0-d out
    assert np.ndim(line_of_sight_clear(31.0, 34.5, 50.0, 31.0, 36.5, 50.0, z, *RIDGE_EXTENT)) == 0


def test_reciprocity() -> None:
    # samples at f and 1 − f coincide, the bulge is symmetric: swapping ends changes nothing
    z = _ridge_grid()
    rng = np.random.default_rng(3)
    lat_a, lon_a = rng.uniform(30.2, 31.8, 200), rng.uniform(34.2, 35.3, 200)
    lat_b, lon_b = rng.uniform(30.2, 31.8, 200), rng.uniform(35.7, 36.8, 200)
    h_a, h_b = rng.uniform(0.0, 600.0, 200), rng.uniform(0.0, 600.0, 200)
    ab = line_of_sight_clear(lat_a, lon_a, h_a, lat_b, lon_b, h_b, z, *RIDGE_EXTENT)
    ba = line_of_sight_clear(lat_b, lon_b, h_b, lat_a, lon_a, h_a, z, *RIDGE_EXTENT)
    np.testing.assert_array_equal(ab, ba)


def test_raising_target_never_blocks() -> None:
    z = _ridge_grid()
    rng = np.random.default_rng(5)
    n = 300
    r_lat, r_lon = rng.uniform(30.2, 31.8, (n, 1)), rng.uniform(34.2, 35.3, (n, 1))
    r_h = rng.uniform(0.0, 300.0, (n, 1))
    t_lat, t_lon = rng.uniform(30.2, 31.8, (n, 1)), rng.uniform(35.7, 36.8, (n, 1))
    t_h = np.linspace(-100.0, 3000.0, 60)  # ascending along the last axis
    clear = line_of_sight_clear(r_lat, r_lon, r_h, t_lat, t_lon, t_h, z, *RIDGE_EXTENT)
    assert clear.shape == (n, t_h.size)
    # once clear, clear at every greater target height
    assert np.all(np.diff(clear.astype(np.int8), axis=-1) >= 0)
    assert (~clear[:, 0]).sum() > n // 2 and clear[:, -1].sum() > n // 2  # transitions happen
