"""Two-ray multipath and spherical-Earth diffraction against closed forms and published anchors.

Authorities: Skolnik, Introduction to Radar Systems 3rd ed. (2001) sec. 8.2 and Blake, Radar
Range-Performance Analysis (1986) ch. 6 — flat-Earth two-ray F = 2|sin(2π·h1·h2/(λR))|, F⁴ ≈
(4π·h1·h2/(λR))⁴ inside the first lobe, lobe maxima at h2 = (2n+1)·λR/(4·h1), nulls at
h2 = n·λR/(2·h1); Kerr (1951) reflection-point cubic; ITU-R P.452-17 §4.2.2.1 and P.526-15
§3.1.1 (spherical-Earth diffraction loss, first-term formula and its piecewise fits).
Issue 22: the VHF P-18 (170 MHz, 8 m antenna; catalogue s125_p18) against a target at 130 m at
55 km — "the two-ray factor for that geometry is about −35 dB".
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.multipath import (
    REGION_DIFFRACTION,
    REGION_INTERFERENCE,
    REGION_INTERMEDIATE,
    first_term_diffraction_loss_db,
    flat_earth_two_ray_factor,
    ground_range_from_slant_m,
    propagation_factor,
    reflection_point_m,
    spherical_earth_diffraction_loss_db,
    two_ray_factor,
    two_ray_geometry,
)
from skyshield.physics.propagation import EARTH_RADIUS_M, height_from_range_el
from skyshield.physics.surface import divergence_factor

C = 299792458.0
A43 = 4 / 3 * EARTH_RADIUS_M
P18_F, P18_H = 170e6, 8.0          # catalogue s125_p18: freq_hz 1.7e8, antenna_height_m 8


def db40(F: np.ndarray | float) -> np.ndarray:
    return 40 * np.log10(F)


def test_p18_issue_anchor_flat_earth() -> None:
    # issue 22: about −35 dB two-way; Skolnik small-angle form (4π·h1·h2/(λR))⁴
    lam = C / P18_F
    F = flat_earth_two_ray_factor(55e3, P18_H, 130.0, P18_F)
    assert db40(F) == pytest.approx(-35.0, abs=0.5)
    assert db40(F) == pytest.approx(db40(4 * np.pi * P18_H * 130 / (lam * 55e3)), abs=0.05)
    assert F == pytest.approx(2 * abs(np.sin(2 * np.pi * P18_H * 130 / (lam * 55e3))), rel=1e-12)


def test_p18_spherical_earth_is_in_the_intermediate_region() -> None:
    # over the 4/3 Earth the geometry is 3.6 km inside the radio horizon (58.7 km): the ray
    # picture no longer holds and the diffraction loss makes it 16 dB worse than flat Earth
    # (regression value of this model: −51.19 dB)
    F, region = propagation_factor(55e3, P18_H, 130.0, P18_F)
    assert region == REGION_INTERMEDIATE
    assert db40(F) == pytest.approx(-51.19, abs=0.05)
    # raw two-ray over the sphere would wrongly recover towards free space (D → 0)
    d = ground_range_from_slant_m(55e3, P18_H, 130.0)
    assert db40(two_ray_factor(d, P18_H, 130.0, P18_F, -1.0, A43)) > -10.0


def test_intermediate_region_agrees_with_two_ray_where_divergence_is_negligible() -> None:
    # 8–16 km: the intermediate region (ITU spherical-Earth loss plus the faded two-ray offset)
    # and the spherical-Earth two-ray with ρ = −1 are computed independently; where the
    # divergence factor is still ≥ 0.98 the ray picture holds and they agree within 0.5 dB
    R = np.array([8e3, 10e3, 12e3, 14e3, 16e3])
    F, region = propagation_factor(R, P18_H, 130.0, P18_F)
    assert np.all(region == REGION_INTERMEDIATE)
    d = ground_range_from_slant_m(R, P18_H, 130.0)
    d1, d2, _, _, psi = two_ray_geometry(d, P18_H, 130.0, A43)
    assert np.all(divergence_factor(d1, d2, psi, A43) >= 0.98)
    np.testing.assert_allclose(db40(F), db40(two_ray_factor(d, P18_H, 130.0, P18_F, -1.0, A43)),
                               atol=0.5)
    # the flat-Earth small-angle factor is 0.7–2 dB higher there (the bulge lowers h1', h2')
    flat = db40(flat_earth_two_ray_factor(R, P18_H, 130.0, P18_F))
    assert np.all((flat - db40(F) > 0.5) & (flat - db40(F) < 2.5))


def test_flat_earth_lobes_and_nulls() -> None:
    lam, R, h1 = C / 3e9, 20e3, 10.0
    for n in range(3):
        h_max = (2 * n + 1) * lam * R / (4 * h1)
        h_null = (n + 1) * lam * R / (2 * h1)
        d_max = ground_range_from_slant_m(R, h1, h_max, np.inf)
        d_null = ground_range_from_slant_m(R, h1, h_null, np.inf)
        assert two_ray_factor(d_max, h1, h_max, 3e9, -1.0, np.inf) == pytest.approx(2.0, abs=1e-4)
        assert two_ray_factor(d_null, h1, h_null, 3e9, -1.0, np.inf) == pytest.approx(0.0, abs=2e-3)
    # the flat-Earth k = inf path of propagation_factor is the two-ray everywhere
    h2 = np.linspace(1.0, 200.0, 50)
    F, region = propagation_factor(R, h1, h2, 3e9, surface="sea_water", k_factor=np.inf)
    assert np.all(region == REGION_INTERFERENCE)
    np.testing.assert_allclose(F, flat_earth_two_ray_factor(R, h1, h2, 3e9), atol=0.02)


def test_reflection_point_solves_the_cubic() -> None:
    # Kerr / Blake: 2·d1³ − 3·d·d1² + (d² − 2a(h1 + h2))·d1 + 2a·h1·d = 0
    d = np.array([5e3, 20e3, 40e3, 50e3])
    h1, h2 = 10.0, np.array([50.0, 100.0, 300.0, 120.0])
    d1 = reflection_point_m(d, h1, h2, A43)
    residual = 2 * d1**3 - 3 * d * d1**2 + (d**2 - 2 * A43 * (h1 + h2)) * d1 + 2 * A43 * h1 * d
    scale = 2 * A43 * h1 * d
    assert np.all(np.abs(residual / scale) < 1e-9)
    # the bulge pushes it from the flat-Earth point towards mid-path (h1 < h2)
    assert np.all((d1 > d * h1 / (h1 + h2)) & (d1 < d / 2))
    # Snell: equal grazing angles on both sides, h1'/d1 = h2'/d2
    d1, d2, h1e, h2e, psi = two_ray_geometry(d, h1, h2, A43)
    np.testing.assert_allclose(h1e / d1, h2e / d2, rtol=1e-6)
    # flat Earth and equal heights
    assert reflection_point_m(30e3, 10.0, 50.0, np.inf) == pytest.approx(5e3, rel=1e-12)
    assert reflection_point_m(30e3, 40.0, 40.0, A43) == pytest.approx(15e3, rel=1e-9)


def test_first_term_piecewise_fits_are_continuous() -> None:
    # F(X) switches at X = 1.6 and G(Y) at B = 2: the published fits join within 0.05 dB
    X = 1.6
    lhs = 11 + 10 * np.log10(X) - 17.6 * X
    rhs = -20 * np.log10(X) - 5.6488 * X**1.425
    assert abs(lhs - rhs) < 0.01
    B = 2.0
    assert abs((17.6 * np.sqrt(B - 1.1) - 5 * np.log10(B - 1.1) - 8)
               - 20 * np.log10(B + 0.1 * B**3)) < 0.05
    # and the kernel: loss grows with range beyond the horizon, about linearly in X
    d = np.linspace(70e3, 200e3, 14)
    L = first_term_diffraction_loss_db(d, 8.0, 130.0, P18_F, 15.0, 1e-3, False, A43)
    assert np.all(np.diff(L) > 0)


def test_regions_join_continuously() -> None:
    h1, h2, f = 8.0, 130.0, P18_F
    d_los = np.sqrt(2 * A43 * h1) + np.sqrt(2 * A43 * h2)
    # at the horizon the LoS interpolation becomes the first term at a_em = a: no step
    L = spherical_earth_diffraction_loss_db(d_los * np.array([1 - 1e-6, 1 + 1e-6]), h1, h2, f,
                                            15.0, 1e-3)
    assert abs(L[1] - L[0]) < 0.01
    # interference -> intermediate boundary: continuous (2 m steps: under 0.02 dB two-way)
    R = np.linspace(5e3, 12e3, 3501)
    F, region = propagation_factor(R, h1, h2, f)
    i = np.flatnonzero(np.diff(region) != 0)
    assert len(i) == 1 and region[i[0]] == REGION_INTERFERENCE
    assert abs(db40(F[i[0] + 1] / F[i[0]])) < 0.02
    # intermediate -> diffraction at the horizon: continuous as well
    R = np.linspace(57e3, 61e3, 2001)
    F, region = propagation_factor(R, h1, h2, f)
    i = np.flatnonzero(np.diff(region) != 0)
    assert len(i) == 1 and region[i[0]] == REGION_INTERMEDIATE
    assert abs(db40(F[i[0] + 1] / F[i[0]])) < 0.05
    # beyond the horizon: diffraction region
    _, region = propagation_factor(80e3, h1, h2, f)
    assert region == REGION_DIFFRACTION


def test_high_target_is_in_the_interference_region_and_lobes() -> None:
    # S-band, 10 m mast, 1 km target at 30–60 km: two-ray lobing between ~0 and ~2
    R = np.linspace(30e3, 60e3, 601)
    F, region = propagation_factor(R, 10.0, 1000.0, 3e9, surface="sea_water")
    assert np.all(region == REGION_INTERFERENCE)
    assert F.max() > 1.9 and F.min() < 0.1
    # a rough sea fills the nulls (MBV, σh = 1 m)
    F_rough, _ = propagation_factor(R, 10.0, 1000.0, 3e9, surface="sea_water", rms_height_m=1.0)
    assert F_rough.min() > 0.3 and F_rough.max() < 1.7


def test_vertical_polarisation_fills_nulls_more_over_sea() -> None:
    # above the pseudo-Brewster angle |Γ_V| < |Γ_H|: shallower nulls (Blake ch. 6)
    R = np.linspace(3e3, 8e3, 501)
    Fh, rh = propagation_factor(R, 20.0, 1500.0, 3e9, surface="sea_water", polarization="H")
    Fv, rv = propagation_factor(R, 20.0, 1500.0, 3e9, surface="sea_water", polarization="V")
    assert np.all(rh == REGION_INTERFERENCE) and np.all(rv == REGION_INTERFERENCE)
    assert Fv.min() > Fh.min() + 0.1


def test_batch_equals_stacked_scalars() -> None:
    R = np.array([5e3, 20e3, 55e3, 90e3])
    h2 = np.array([30.0, 130.0, 130.0, 500.0])
    F, region = propagation_factor(R, P18_H, h2, P18_F, polarization="V", rms_height_m=0.5)
    for i in range(4):
        Fi, ri = propagation_factor(R[i], P18_H, h2[i], P18_F, polarization="V",
                                    rms_height_m=0.5)
        assert F[i] == Fi and region[i] == ri


def test_ground_range_from_slant() -> None:
    # flat Earth: Pythagoras; sphere: consistent with the effective-Earth height formula
    assert ground_range_from_slant_m(5e3, 10.0, 3010.0, np.inf) == pytest.approx(4e3, rel=1e-12)
    R, el, ha = 40e3, 0.01, 20.0
    ht = height_from_range_el(R, el, ha)
    d = ground_range_from_slant_m(R, ha, ht)
    # law of cosines with the central angle θ = d/a
    R_back = np.sqrt((A43 + ha) ** 2 + (A43 + ht) ** 2
                     - 2 * (A43 + ha) * (A43 + ht) * np.cos(d / A43))
    assert R_back == pytest.approx(R, abs=1e-3)


def test_bad_options_raise() -> None:
    with pytest.raises(ValueError, match="polarization"):
        propagation_factor(1e3, 10.0, 10.0, 1e9, polarization="X")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="roughness"):
        propagation_factor(1e3, 10.0, 10.0, 1e9, roughness="gauss")  # type: ignore[arg-type]


def test_finite_everywhere_without_warnings() -> None:
    # a grid over range, height and band, plus a target straight overhead and an impossible
    # slant range (R < |h2 − h1|): finite F, no floating-point warnings (they would be errors)
    R = np.geomspace(100.0, 400e3, 60)[:, None, None]
    h2 = np.array([0.0, 1.0, 30.0, 130.0, 2000.0, 20000.0])[None, :, None]
    f = np.array([100e6, 170e6, 3e9, 10e9])[None, None, :]
    with np.errstate(all="raise"):
        for surface in ("sea_water", "wet_ground", "very_dry_ground"):
            F, region = propagation_factor(R, 8.0, h2, f, surface=surface, polarization="V",
                                           rms_height_m=0.3)
            assert F.shape == region.shape == (60, 6, 4)
            assert np.all(np.isfinite(F)) and np.all((F >= 0) & (F <= 2))
        for R0, ht in [(0.0, 8.0), (5.0, 100.0), (1e3, 900.0)]:
            F, region = propagation_factor(R0, 8.0, ht, 1e9)
            assert np.isfinite(F) and region == REGION_INTERFERENCE


def test_interference_edge_is_the_clearance_root():
    """The edge of the interference region d_int is where h_se = h_req (P.452-17 eqs. 26-27):
    the Illinois root agrees with a 60-step bisection on the clearance margin to the tolerance,
    for radars 2-40 m, targets 1 m-10 km, VHF to X band, and with a narrowed bracket."""
    from skyshield.physics.multipath import _clearance_margin, _interference_limit_m

    rng = np.random.default_rng(7)
    n = 400
    h1 = rng.uniform(2.0, 40.0, n)
    h2 = 10 ** rng.uniform(0.0, 4.0, n)
    lam = 3e8 / 10 ** rng.uniform(8.0, 10.0, n)
    a = np.full(n, 4.0 / 3.0 * 6371e3)
    d_los = np.sqrt(2 * a * h1) + np.sqrt(2 * a * h2)
    lo, hi = np.full(n, 1e-3), d_los.copy()
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        clear = _clearance_margin(mid, h1, h2, lam, a) >= 0
        lo, hi = np.where(clear, mid, lo), np.where(clear, hi, mid)
    ref = 0.5 * (lo + hi)
    assert np.all((ref > 0) & (ref < d_los))
    got = _interference_limit_m(h1, h2, lam, a, d_los)
    np.testing.assert_allclose(got, ref, atol=1e-3, rtol=0)
    beyond = ref + rng.uniform(1.0, 5e3, n)   # a target inside the intermediate region
    got = _interference_limit_m(h1, h2, lam, a, d_los, beyond, 0.01)
    np.testing.assert_allclose(got, ref, atol=0.01, rtol=0)
