"""Tests for skyshield.geo.wgs84 against published worked examples and invariants.

Authorities (every expected number below is copied from these, never from this code):
* GeographicLib CartConvert(1) man page, EXAMPLES section
  (https://geographiclib.sourceforge.io/C++/doc/CartConvert.1.html).
* MathWorks Mapping Toolbox doc examples: geodetic2ecef / ecef2geodetic ("Paris"),
  ecef2enu / enu2ecef ("orbital debris"), ecef2enuv ("ground vehicle"), enu2aer.
* MathWorks Aerospace Toolbox doc example: ecef2lla.
* NIMA TR8350.2 (WGS 84 defining constants; b = 6356752.3142 m).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skyshield.geo as geo
from skyshield.geo import (
    WGS84_A_M,
    WGS84_B_M,
    WGS84_E2,
    WGS84_F,
    aer_to_enu,
    ecef_to_enu,
    ecef_to_geodetic,
    ecef_velocity_to_enu,
    enu_rotation,
    enu_to_aer,
    enu_to_ecef,
    enu_to_geodetic,
    enu_velocity_to_ecef,
    geodetic_to_ecef,
    geodetic_to_enu,
)

MM = 1e-3  # metre
D = np.radians


def test_exported_members() -> None:
    assert sorted(geo.__all__) == sorted(
        [
            "WGS84_A_M",
            "WGS84_B_M",
            "WGS84_E2",
            "WGS84_F",
            "aer_to_enu",
            "ecef_to_enu",
            "ecef_to_geodetic",
            "ecef_velocity_to_enu",
            "enu_rotation",
            "enu_to_aer",
            "enu_to_ecef",
            "enu_to_geodetic",
            "enu_velocity_to_ecef",
            "geodetic_to_ecef",
            "geodetic_to_enu",
            "wrap_angle",
        ]
    )


def test_constants_nima_tr8350() -> None:
    # NIMA TR8350.2 Table 3.1 / 3.3: b = 6356752.3142 m, e² = 6.69437999014e-3
    assert WGS84_A_M == 6378137.0
    assert WGS84_F == 1.0 / 298.257223563
    assert abs(WGS84_B_M - 6356752.3142) < 0.1 * MM
    assert abs(WGS84_E2 - 6.69437999014e-3) < 1e-14


# ---------------------------------------------------------------- published examples


def test_cartconvert_forward() -> None:
    # GeographicLib CartConvert: echo 33.3 44.4 6000 | CartConvert
    #   => 3816209.60 3737108.55 3485109.57   (printed to 0.01 m)
    xyz = geodetic_to_ecef(D(33.3), D(44.4), 6000.0)
    np.testing.assert_allclose(xyz, [3816209.60, 3737108.55, 3485109.57], atol=6 * MM, rtol=0)


def test_cartconvert_local_cartesian() -> None:
    # GeographicLib CartConvert: echo 33.3 44.4 6000 | CartConvert -l 33 44 20
    #   => 37288.97 33374.29 5783.64
    # Tolerance: one unit of the last printed digit (the printed z agrees with ours by
    # truncation, 5783.6466 -> 5783.64, not by rounding).
    enu = geodetic_to_enu(D(33.3), D(44.4), 6000.0, D(33.0), D(44.0), 20.0)
    np.testing.assert_allclose(enu, [37288.97, 33374.29, 5783.64], atol=10 * MM, rtol=0)
    lat, lon, h = enu_to_geodetic([37288.97, 33374.29, 5783.64], D(33.0), D(44.0), 20.0)
    assert abs(np.degrees(lat) - 33.3) < 1e-7
    assert abs(np.degrees(lon) - 44.4) < 1e-7
    assert abs(h - 6000.0) < 10 * MM


def test_cartconvert_reverse_deep_interior() -> None:
    # GeographicLib CartConvert: echo 30000 30000 0 | CartConvert -r  => 6.483 45 -6335709.73
    # (a point near the centre, inside the evolute: exercises the special branch)
    lat, lon, h = ecef_to_geodetic([30000.0, 30000.0, 0.0])
    assert abs(np.degrees(lat) - 6.483) < 5e-4
    assert abs(np.degrees(lon) - 45.0) < 1e-12
    assert abs(h - (-6335709.73)) < 6 * MM


def test_mathworks_ecef2lla_aerospace() -> None:
    # MathWorks Aerospace Toolbox ecef2lla doc example:
    #   ecef2lla([4510731 4510731 0; 0 4507609 4498719])
    #   => [0 45.0000 999.9564; 45.1358 90.0000 999.8659]
    lat, lon, h = ecef_to_geodetic([[4510731.0, 4510731.0, 0.0], [0.0, 4507609.0, 4498719.0]])
    np.testing.assert_allclose(np.degrees(lat), [0.0, 45.1358], atol=5e-5, rtol=0)
    np.testing.assert_allclose(np.degrees(lon), [45.0, 90.0], atol=5e-5, rtol=0)
    np.testing.assert_allclose(h, [999.9564, 999.8659], atol=0.05 * MM + 1e-6, rtol=0)


def test_mathworks_geodetic2ecef_paris() -> None:
    # MathWorks geodetic2ecef doc example (km): lat 48.8562, lon 2.3508, h 0.0674
    #   => x 4.2010e+03, y 172.4603, z 4.7801e+03
    x, y, z = geodetic_to_ecef(D(48.8562), D(2.3508), 67.4) / 1e3
    assert abs(y - 172.4603) < 0.05e-3  # 0.05 m
    assert abs(x - 4.2010e3) < 0.05
    assert abs(z - 4.7801e3) < 0.05


def test_mathworks_ecef2geodetic_paris() -> None:
    # MathWorks ecef2geodetic doc example (km): x 4201, y 172.46, z 4780.1
    #   => lat 48.8562, lon 2.3508, h 0.0674
    lat, lon, h = ecef_to_geodetic(np.array([4201.0, 172.46, 4780.1]) * 1e3)
    assert abs(np.degrees(lat) - 48.8562) < 5e-5
    assert abs(np.degrees(lon) - 2.3508) < 5e-5
    assert abs(h - 67.4) < 0.05


def test_mathworks_ecef2enu_debris() -> None:
    # MathWorks ecef2enu doc example (km): origin 45.9132, 36.7484, 1877.7532;
    #   point 5507.5289, 4556.2241, 6012.8208 => 355.6013, -923.0832, 1.0410e+03
    xyz = np.array([5507.5289, 4556.2241, 6012.8208]) * 1e3
    enu = ecef_to_enu(xyz, D(45.9132), D(36.7484), 1877753.2) / 1e3
    assert abs(enu[0] - 355.6013) < 0.05e-3
    assert abs(enu[1] - (-923.0832)) < 0.05e-3
    assert abs(enu[2] - 1041.0) < 0.05
    # enu2ecef reverses it (doc: 5.5075e+03, 4.5562e+03, 6.0128e+03); exact inverse here
    back = enu_to_ecef(enu * 1e3, D(45.9132), D(36.7484), 1877753.2)
    np.testing.assert_allclose(back, xyz, atol=MM, rtol=0)


def test_mathworks_ecef2enuv_vehicle() -> None:
    # MathWorks ecef2enuv doc example: lat0 17.4114, lon0 78.2700, (U,V,W) in km/h
    #   (27.9799, -1.0990, -15.7723) => (-27.6190, -16.4298, -0.3186)
    v = ecef_velocity_to_enu([27.9799, -1.0990, -15.7723], D(17.4114), D(78.27))
    np.testing.assert_allclose(v, [-27.6190, -16.4298, -0.3186], atol=5e-5 + 1e-9, rtol=0)
    back = enu_velocity_to_ecef([-27.6190, -16.4298, -0.3186], D(17.4114), D(78.27))
    np.testing.assert_allclose(back, [27.9799, -1.0990, -15.7723], atol=1e-4, rtol=0)


def test_mathworks_enu2aer_gate() -> None:
    # MathWorks enu2aer doc example: (8.4504, 12.4737, 1.1046) m
    #   => az 34.1160 deg, elev 4.1931 deg, slantRange 15.1070 m
    az, el, rng = enu_to_aer([8.4504, 12.4737, 1.1046])
    assert abs(np.degrees(az) - 34.1160) < 5e-5
    assert abs(np.degrees(el) - 4.1931) < 5e-5
    assert abs(rng - 15.1070) < 0.05 * MM
    # aer2enu doc example reverses it: => 8.4504, 12.4737, 1.1046
    enu = aer_to_enu(D(34.1160), D(4.1931), 15.1070)
    np.testing.assert_allclose(enu, [8.4504, 12.4737, 1.1046], atol=1e-4, rtol=0)


# ---------------------------------------------------------------- closed-form cases


@pytest.mark.parametrize("h_m", [-1000.0, 0.0, 12345.0])
def test_poles_and_equator_closed_form(h_m: float) -> None:
    # At φ = ±90°: (0, 0, ±(b + h)); at φ = 0, λ = 0: (a + h, 0, 0); λ = 90°: (0, a + h, 0).
    np.testing.assert_allclose(
        geodetic_to_ecef(D(90.0), D(17.0), h_m), [0, 0, WGS84_B_M + h_m], atol=1e-6
    )
    np.testing.assert_allclose(
        geodetic_to_ecef(D(-90.0), 0.0, h_m), [0, 0, -(WGS84_B_M + h_m)], atol=1e-6
    )
    np.testing.assert_allclose(geodetic_to_ecef(0.0, 0.0, h_m), [WGS84_A_M + h_m, 0, 0], atol=1e-6)
    np.testing.assert_allclose(
        geodetic_to_ecef(0.0, D(90.0), h_m), [0, WGS84_A_M + h_m, 0], atol=1e-6
    )
    lat, _, h = ecef_to_geodetic([0.0, 0.0, -(WGS84_B_M + h_m)])
    assert lat == pytest.approx(-np.pi / 2, abs=1e-15)
    assert abs(h - h_m) < 1e-6
    lat, lon, h = ecef_to_geodetic([0.0, -(WGS84_A_M + h_m), 0.0])
    assert abs(lat) < 1e-15 and lon == pytest.approx(-np.pi / 2) and abs(h - h_m) < 1e-6


def test_earth_centre() -> None:
    # The centre is at depth b below either pole (limit of the closed form).
    lat, _, h = ecef_to_geodetic([0.0, 0.0, 0.0])
    assert abs(abs(lat) - np.pi / 2) < 1e-12
    assert abs(h + WGS84_B_M) < 1e-6


def test_enu_of_origin_and_up() -> None:
    # The origin maps to (0,0,0); a point h metres higher maps to (0,0,h).
    np.testing.assert_allclose(
        geodetic_to_enu(D(50.0), D(8.0), 1100.0, D(50.0), D(8.0), 100.0), [0, 0, 1000.0], atol=1e-8
    )


def test_enu_rotation_orthonormal_right_handed() -> None:
    lat = D(np.array([-89.9, -30.0, 0.0, 45.0, 90.0]))
    C = enu_rotation(lat, D(np.array([0, 60, -120, 179, 5])))
    eye = np.einsum("...ij,...kj->...ik", C, C)
    np.testing.assert_allclose(eye, np.broadcast_to(np.eye(3), eye.shape), atol=1e-15)
    np.testing.assert_allclose(np.linalg.det(C), 1.0, atol=1e-14)


def test_aer_cardinal_directions() -> None:
    # North az 0, east π/2, south π, west 3π/2; straight up el π/2.
    enu = np.array([[0, 1, 0], [1, 0, 0], [0, -1, 0], [-1, 0, 0], [0, 0, 5.0]])
    az, el, rng = enu_to_aer(enu)
    np.testing.assert_allclose(az[:4], [0, np.pi / 2, np.pi, 3 * np.pi / 2], atol=1e-15)
    np.testing.assert_allclose(el, [0, 0, 0, 0, np.pi / 2], atol=1e-15)
    np.testing.assert_allclose(rng, [1, 1, 1, 1, 5], atol=1e-15)


def test_azimuth_in_half_open_interval() -> None:
    az, _, _ = enu_to_aer([[-1e-300, 1.0, 0.0], [-0.0, 1.0, 0.0], [-1e-17, 1.0, 0.0]])
    assert np.all((az >= 0.0) & (az < 2 * np.pi))


# ---------------------------------------------------------------- properties

lat_deg = st.one_of(
    st.floats(-90.0, 90.0),
    st.sampled_from([-90.0, 90.0, 89.9999999, -89.9999999, 0.0]),
    st.floats(89.999, 90.0),
    st.floats(-90.0, -89.999),
)
lon_deg = st.floats(-180.0, 180.0)
height_m = st.floats(-5.0e5, 1.0e6)


@settings(max_examples=300, deadline=None)
@given(lat_deg, lon_deg, height_m)
def test_geodetic_ecef_round_trip(lat: float, lon: float, h: float) -> None:
    phi, lam = D(lat), D(lon)
    lat2, lon2, h2 = ecef_to_geodetic(geodetic_to_ecef(phi, lam, h))
    assert abs(h2 - h) < MM
    # position error along the meridian and the parallel, in metres
    assert abs(lat2 - phi) * (WGS84_A_M + abs(h)) < MM
    dlon = np.angle(np.exp(1j * (lon2 - lam)))
    assert abs(dlon) * (WGS84_A_M + abs(h)) * np.cos(phi) < MM


@settings(max_examples=300, deadline=None)
@given(st.floats(-8e6, 8e6), st.floats(-8e6, 8e6), st.floats(-8e6, 8e6))
def test_ecef_geodetic_round_trip(x: float, y: float, z: float) -> None:
    # (0, 0, 7.3e-152) once failed by 337 m: underflow near the equatorial plane
    r = np.array([x, y, z])
    back = geodetic_to_ecef(*ecef_to_geodetic(r))
    assert np.linalg.norm(back - r) < MM


@pytest.mark.parametrize("z", [0.0, 7.329676801701541e-152, 1e-9, -1e-7, 1e-3])
def test_centre_and_equatorial_plane_round_trip(z: float) -> None:
    r = np.array([0.0, 0.0, z])
    back = geodetic_to_ecef(*ecef_to_geodetic(r))
    assert np.linalg.norm(back - r) < MM


@settings(max_examples=200, deadline=None)
@given(
    lat_deg,
    lon_deg,
    st.floats(-500.0, 5000.0),
    st.tuples(st.floats(-3e5, 3e5), st.floats(-3e5, 3e5), st.floats(-2e4, 3e5)),
)
def test_enu_round_trips(lat0: float, lon0: float, h0: float, enu: tuple) -> None:
    enu_m = np.array(enu)
    xyz = enu_to_ecef(enu_m, D(lat0), D(lon0), h0)
    np.testing.assert_allclose(ecef_to_enu(xyz, D(lat0), D(lon0), h0), enu_m, atol=MM, rtol=0)
    lat, lon, h = enu_to_geodetic(enu_m, D(lat0), D(lon0), h0)
    np.testing.assert_allclose(
        geodetic_to_enu(lat, lon, h, D(lat0), D(lon0), h0), enu_m, atol=MM, rtol=0
    )
    # rotation preserves length
    v = enu_velocity_to_ecef(enu_m, D(lat0), D(lon0))
    assert abs(np.linalg.norm(v) - np.linalg.norm(enu_m)) < 1e-6
    np.testing.assert_allclose(ecef_velocity_to_enu(v, D(lat0), D(lon0)), enu_m, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(0.0, 2 * np.pi, exclude_max=True),
    st.floats(-np.pi / 2, np.pi / 2),
    st.floats(1.0, 1e6),
)
def test_aer_round_trip(az: float, el: float, rng: float) -> None:
    az2, el2, rng2 = enu_to_aer(aer_to_enu(az, el, rng))
    assert 0.0 <= az2 < 2 * np.pi
    assert abs(rng2 - rng) < 1e-6
    assert abs(el2 - el) < 1e-9
    if abs(el) < np.pi / 2 - 1e-6:
        assert abs(np.angle(np.exp(1j * (az2 - az)))) < 1e-9


def test_batch_equals_stacked_scalars() -> None:
    rng = np.random.default_rng(7)
    lat = rng.uniform(-np.pi / 2, np.pi / 2, size=(4, 5))
    lon = rng.uniform(-np.pi, np.pi, size=(4, 5))
    h = rng.uniform(-1e3, 1e5, size=(4, 5))
    xyz = geodetic_to_ecef(lat, lon, h)
    assert xyz.shape == (4, 5, 3)
    stacked = np.array(
        [[geodetic_to_ecef(lat[i, j], lon[i, j], h[i, j]) for j in range(5)] for i in range(4)]
    )
    np.testing.assert_array_equal(xyz, stacked)
    glat, glon, gh = ecef_to_geodetic(xyz)
    for i in range(4):
        for j in range(5):
            s = ecef_to_geodetic(xyz[i, j])
            assert (glat[i, j], glon[i, j], gh[i, j]) == (s[0], s[1], s[2])
    enu = ecef_to_enu(xyz, lat[0, 0], lon[0, 0], h[0, 0])
    assert enu.shape == (4, 5, 3)
    np.testing.assert_allclose(
        enu[2, 3], ecef_to_enu(xyz[2, 3], lat[0, 0], lon[0, 0], h[0, 0]), atol=1e-9, rtol=0
    )
    az, el, r = enu_to_aer(enu)
    s = enu_to_aer(enu[1, 4])
    assert (az[1, 4], el[1, 4], r[1, 4]) == (s[0], s[1], s[2])
    # per-row origins broadcast too
    C = enu_rotation(lat[:, :1], lon[:, :1])
    assert C.shape == (4, 1, 3, 3)


def test_wrap_angle_matches_the_complex_argument() -> None:
    """The one angle wrap (geo.angles) against an independent reference: the argument of
    exp(i·a), which numpy computes with atan2 on [−π, π]; π itself maps to −π ([−π, π))."""
    a = np.linspace(-20.0, 20.0, 4001)
    np.testing.assert_allclose(geo.wrap_angle(a), np.angle(np.exp(1j * a)), atol=1e-9)
    assert geo.wrap_angle(np.pi) == -np.pi
    assert geo.wrap_angle(-np.pi) == -np.pi
