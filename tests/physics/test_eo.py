"""Electro-optical range kernels (physics.eo) against published values.

Authorities:
* Koschmieder (1924) via the AMS Glossary of Meteorology, "meteorological range" (revision of
  25 April 2012): the black-target visual range with threshold contrast ε = 0.02, V = 3.912/σ;
  "visual-range formula": V = ln(|C|/ε)/σ.
* WMO-No. 8 (2018), Vol. I ch. 9, and CIE ILV 17-31-018: the meteorological optical range is the
  path that attenuates a collimated beam by 95 % (transmits 0.05).
* Johnson (1958), "Analysis of image forming systems": N50 = 1.0 (detection), 1.4
  (orientation), 4.0 (recognition), 6.4 (identification) cycles across the critical dimension.
* FLIR Systems technical note TN_0002_EN, "Thermal imaging: how far can you see with it?":
  1.5 pixels of a staring array = 0.75 cycles; a 320x240 camera with a 9 mm lens detects a
  human at approx. 205 m (1.5 pixels), recognises at approx. 52 m (6 pixels), identifies at
  approx. 26 m (12 pixels); with a 13 mm lens, detection approx. 300 m, recognition approx. 74 m.
* Kim, McArthur, Korevaar (2001), Proc. SPIE 4214: q = 1.6 (V > 50 km), 1.3 (6-50 km),
  0.16 V + 0.34 (1-6 km), V - 0.5 (0.5-1 km), 0 (< 0.5 km).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.physics import eo

KM = 1e3


def test_koschmieder_constant_3_912() -> None:
    # σ·V for the 2 % threshold: published 3.912
    assert float(eo.extinction_per_m(1.0, eo.KOSCHMIEDER_THRESHOLD)) == pytest.approx(3.912,
                                                                                     abs=5e-4)
    # 20 km of Koschmieder visibility: σ = 0.1956 /km
    assert float(eo.extinction_per_m(20 * KM, eo.KOSCHMIEDER_THRESHOLD)) * KM == pytest.approx(
        0.1956, abs=1e-4)


def test_wmo_mor_transmits_five_percent() -> None:
    # the beam over one MOR keeps 0.05 of its flux (WMO-No. 8 ch. 9; CIE 17-31-018)
    for mor in (50.0, 2 * KM, 20 * KM):
        sigma = eo.extinction_per_m(mor)
        assert float(eo.transmittance(sigma, mor)) == pytest.approx(0.05, abs=1e-12)
    assert float(eo.extinction_per_m(1.0)) == pytest.approx(2.996, abs=5e-4)  # "≈ 3/MOR"
    assert float(eo.visibility_m(eo.extinction_per_m(7 * KM))) == pytest.approx(7 * KM,
                                                                                abs=1e-6)


def test_visual_range_formula_black_target() -> None:
    # AMS visual-range formula: black target (|C| = 1), ε = 0.02 -> V = 3.912/σ; a grey one
    # of |C| = 0.5 -> ln(25)/σ
    sigma = 0.25 / KM
    assert float(eo.attenuated_range_m(-1.0, 0.02, sigma)) == pytest.approx(3.912 / sigma,
                                                                            abs=2.0)
    assert float(eo.attenuated_range_m(0.5, 0.02, sigma)) == pytest.approx(
        math.log(25.0) / sigma, abs=1e-6)
    # the root: the apparent contrast there is the threshold
    r = eo.attenuated_range_m(0.5, 0.02, sigma)
    assert float(eo.apparent_contrast(0.5, sigma, r)) == pytest.approx(0.02, abs=1e-12)


def test_attenuated_range_edges() -> None:
    assert float(eo.attenuated_range_m(0.01, 0.02, 1e-4)) == 0.0  # below threshold at 0 m
    assert float(eo.attenuated_range_m(0.5, 0.02, 0.0)) == np.inf  # no extinction


def test_johnson_table() -> None:
    assert eo.JOHNSON_N50 == {"detection": 1.0, "orientation": 1.4, "recognition": 4.0,
                              "identification": 6.4}


def test_pixels_and_cycles() -> None:
    # FLIR TN_0002: 1.5 pixels = 0.75 cycles -> R = d_c/(1.5·IFOV)
    ifov, dc = 2.5e-3, 0.75
    assert float(eo.resolution_range_m(dc, ifov, 0.75)) == pytest.approx(dc / (1.5 * ifov),
                                                                        abs=1e-9)
    # R = d_c/(N·2·IFOV): a 3 m target, 1 cycle, 0.05 mrad -> 30 km
    assert float(eo.resolution_range_m(3.0, 0.05e-3, 1.0)) == pytest.approx(30 * KM, abs=1e-6)


@pytest.mark.parametrize("focal_mm, published", [
    (9.0, {"recognition": 52.0, "identification": 26.0}),
    (13.0, {"detection": 300.0, "recognition": 74.0}),
])
def test_flir_dri_table_scales_as_johnson(focal_mm: float, published: dict[str, float]) -> None:
    """The FLIR note's ranges follow R ∝ 1/(cycles · IFOV): from its 9 mm detection range
    (205 m at 1.5 pixels = 0.75 cycles), the other entries, rounded as published ("approx."):
    within 2 %."""
    ifov_9 = 1.0  # any: the critical dimension is solved from the published 205 m
    dc = 205.0 * 0.75 * 2 * ifov_9
    ifov = ifov_9 * 9.0 / focal_mm  # IFOV = pitch / focal length
    cycles = {"detection": 0.75, "recognition": 3.0, "identification": 6.0}  # 1.5, 6, 12 px
    for task, r_pub in published.items():
        assert float(eo.resolution_range_m(dc, ifov, cycles[task])) == pytest.approx(r_pub,
                                                                                    rel=0.02)


@pytest.mark.parametrize("v_km, q", [(100.0, 1.6), (20.0, 1.3), (2.0, 0.66), (0.8, 0.3),
                                     (0.2, 0.0)])
def test_kim_q(v_km: float, q: float) -> None:
    assert float(eo.kim_q(v_km * KM)) == pytest.approx(q, abs=1e-12)


def test_aerosol_extinction_wavelength_law() -> None:
    # 20 km, 10 µm: σ550·(10/0.55)^−1.3; at 550 nm the visible σ itself
    v = 20 * KM
    s550 = float(eo.extinction_per_m(v))
    assert float(eo.aerosol_extinction_per_m(v, 550e-9)) == pytest.approx(s550, rel=1e-12)
    assert float(eo.aerosol_extinction_per_m(v, 10e-6)) == pytest.approx(
        s550 * (10e-6 / 550e-9) ** -1.3, rel=1e-12)
    # in dense fog (q = 0) the infrared is no better than the visible
    assert float(eo.aerosol_extinction_per_m(300.0, 10e-6)) == pytest.approx(
        float(eo.extinction_per_m(300.0)), rel=1e-12)


def test_detection_range_is_the_smaller_limit() -> None:
    # a 3.46 m target (12 m²), 0.05 mrad IFOV, 1 cycle: resolution 34.6 km; |C0| 0.5, ε 0.02
    dc = float(eo.critical_dimension_m(12.0))
    clear = eo.extinction_per_m(20 * KM)  # contrast limit 20 km · ln 25 / ln 20 = 21.5 km
    fog = eo.extinction_per_m(2 * KM)  # 2.15 km
    r = eo.detection_range_m(dc, 0.05e-3, 1.0, 0.5, 0.02, np.array([clear, fog]))
    assert r[0] == pytest.approx(20 * KM * math.log(25) / -math.log(0.05), abs=1e-6)
    assert r[1] == pytest.approx(2 * KM * math.log(25) / -math.log(0.05), abs=1e-6)
    r_res = eo.detection_range_m(dc, 0.2e-3, 1.0, 0.5, 0.02, clear)  # coarse pixels
    assert float(r_res) == pytest.approx(math.sqrt(12.0) / (2 * 0.2e-3), abs=1e-6)
    # vectorised: batch == stacked singles
    vs = np.array([1, 5, 20, 60]) * KM
    batch = eo.detection_range_m(dc, 0.05e-3, 1.0, 0.5, 0.02, eo.extinction_per_m(vs))
    single = [float(eo.detection_range_m(dc, 0.05e-3, 1.0, 0.5, 0.02, eo.extinction_per_m(v)))
              for v in vs]
    np.testing.assert_allclose(batch, single, rtol=0, atol=1e-9)


# --- daylight: the Sun's position (J. Meeus, Astronomical Algorithms, 2nd ed., 1998)

def test_julian_day_meeus_example_7a() -> None:
    assert eo.julian_day(1957, 10, 4.81) == pytest.approx(2436116.31, abs=1e-6)  # Example 7.a
    assert eo.julian_day(2000, 1, 1.5) == 2451545.0  # J2000.0


def test_sun_apparent_position_meeus_example_25a() -> None:
    # 1992 October 13.0 TD: α = 13h13m31.4s = 198.38083°, δ = −7°47'06" = −7.78507°
    ra, dec = eo.sun_ra_dec_rad(eo.julian_day(1992, 10, 13.0))
    assert math.degrees(float(ra)) == pytest.approx(198.38083, abs=1e-4)
    assert math.degrees(float(dec)) == pytest.approx(-7.78507, abs=1e-4)


@pytest.mark.parametrize("day, deg", [(10.0, 197.693195), (10 + (19 + 21 / 60) / 24, 128.7378734)])
def test_sidereal_time_meeus_examples_12ab(day: float, deg: float) -> None:
    # 1987 April 10, 0h UT: 13h10m46.3668s; 19h21m00s UT: 8h34m57.0896s
    assert math.degrees(float(eo.sidereal_time_rad(eo.julian_day(1987, 4, day)))) == \
        pytest.approx(deg, abs=1e-6)


def test_sun_elevation_day_and_night_at_belgrade() -> None:
    lat, lon = math.radians(44.82), math.radians(20.46)
    noon = eo.julian_day(2019, 10, 25 + 10.5 / 24)  # ~12:30 local (CEST = UT+2)
    midnight = eo.julian_day(2019, 10, 25 + 22.5 / 24)
    # at noon the Sun stands about 90 − φ + δ (δ ≈ −12° on 25 October) ≈ 33° high
    assert math.degrees(float(eo.sun_elevation_rad(noon, lat, lon))) == pytest.approx(33.0,
                                                                                     abs=1.0)
    assert float(eo.sun_elevation_rad(midnight, lat, lon)) < eo.CIVIL_TWILIGHT_RAD
