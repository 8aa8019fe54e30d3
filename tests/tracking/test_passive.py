"""Passive location of jammers from bearings (``tracking.passive``).

Closed forms the tests check against, worked here and not taken from the kernel:

* two bearing lines from sites a and b cross where s_a + t_a·u_a = s_b + t_b·u_b,
  u = (sin θ, cos θ) for a bearing θ clockwise from north;
* the fix of two bearings with noise σ₁, σ₂ at ranges r₁, r₂ crossing at γ moves along line 2
  by line 1's miss r₁σ₁ over sin γ, and along line 1 by r₂σ₂/sin γ (the geometric dilution of
  precision of a two-station fix: R. G. Stansfield, "Statistical theory of D.F. fixing",
  J. IEE 94 (IIIA), 1947, pp. 762-770; D. J. Torrieri, "Statistical theory of passive location
  systems", IEEE Trans. AES-20 (2), 1984, pp. 183-198, eq. 27 for two stations);
* with two jammers and two sites the four crossings are two fixes and two ghosts.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.tracking import passive as pv

KM = 1000.0


def bearing(site: np.ndarray, p: np.ndarray) -> float:
    d = np.asarray(p, dtype=float) - np.asarray(site, dtype=float)
    return float(np.arctan2(d[0], d[1]))


def test_two_bearings_cross_at_the_closed_form_point() -> None:
    # sites 10 km apart on the x axis, bearings 45° and 315°: the lines meet at (5, 5) km
    sa, sb = np.array([0.0, 0.0]), np.array([10 * KM, 0.0])
    p, ta, tb, sg = pv.intersect(sa, np.radians(45.0), sb, np.radians(315.0))
    np.testing.assert_allclose(p, [5 * KM, 5 * KM], atol=1e-6)
    assert ta == pytest.approx(5 * KM * np.sqrt(2), abs=1e-6)
    assert tb == pytest.approx(5 * KM * np.sqrt(2), abs=1e-6)
    assert sg == pytest.approx(1.0)  # crossing at 90°
    # the least-squares fix of the same two lines is the same point (zero residuals)
    xy, _, chi2 = pv.triangulate(np.stack([sa, sb]), np.radians([45.0, 315.0]),
                                 np.radians([0.1, 0.1]))
    np.testing.assert_allclose(xy, [5 * KM, 5 * KM], atol=1e-6)
    assert chi2 == pytest.approx(0.0, abs=1e-12)


def test_three_exact_bearings_locate_a_far_jammer_exactly() -> None:
    sites = np.array([[0.0, 0.0], [30 * KM, 5 * KM], [12 * KM, -20 * KM]])
    jam = np.array([-170 * KM, 40 * KM])
    az = np.array([bearing(s, jam) for s in sites])
    xy, _, chi2 = pv.triangulate(sites, az, np.full(3, 1e-3))
    np.testing.assert_allclose(xy, jam, atol=1e-3)  # 1 mm at 170 km
    assert chi2 == pytest.approx(0.0, abs=1e-12)


def _two_site_geometry() -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    sites = np.array([[0.0, -20 * KM], [0.0, 20 * KM]])
    jam = np.array([-100 * KM, 5 * KM])
    sig = np.radians([0.05, 0.08])
    az = np.array([bearing(s, jam) for s in sites])
    u = np.stack([np.sin(az), np.cos(az)], axis=1)
    gamma = float(np.arccos(abs(u[0] @ u[1])))
    return sites, jam, sig, gamma, u


def test_gdop_covariance_of_two_bearings_is_the_closed_form() -> None:
    sites, jam, sig, gamma, u = _two_site_geometry()
    r = np.linalg.norm(jam - sites, axis=1)
    P = pv.fix_covariance(sites, sig, jam)
    # the fix error d = α·u₁ + β·u₂ in the (oblique) axes of the two lines: β = line 1's miss
    # r₁δθ₁ over sin γ, α = r₂δθ₂ / sin γ, independent
    B = np.column_stack([u[0], u[1]])
    Q = np.linalg.solve(B, np.linalg.solve(B, P).T)  # B⁻¹ P B⁻ᵀ
    assert np.sqrt(Q[1, 1]) == pytest.approx(r[0] * sig[0] / np.sin(gamma), rel=1e-9)
    assert np.sqrt(Q[0, 0]) == pytest.approx(r[1] * sig[1] / np.sin(gamma), rel=1e-9)
    assert Q[0, 1] == pytest.approx(0.0, abs=1e-9 * Q[0, 0])
    # with these figures: r₁ = √(100² + 25²) = 103.08 km, γ = atan(25/100) + atan(15/100)
    # = 14.04° + 8.53° = 22.57°, so 103.08 km × 0.05° / sin 22.57° = 234.4 m along line 2
    assert r[0] == pytest.approx(103.08 * KM, abs=0.01 * KM)
    assert np.degrees(gamma) == pytest.approx(22.57, abs=0.01)
    assert np.sqrt(Q[1, 1]) == pytest.approx(234.4, abs=0.5)


def test_gdop_covariance_matches_monte_carlo() -> None:
    sites, jam, sig, _, _ = _two_site_geometry()
    sites = np.vstack([sites, [[25 * KM, 0.0]]])  # a third, to test the weighting too
    sig = np.append(sig, np.radians(0.2))
    az = np.array([bearing(s, jam) for s in sites])
    rng = np.random.default_rng(22)
    n = 4000
    noisy = az[None, :] + sig[None, :] * rng.standard_normal((n, 3))
    xy, P, chi2 = pv.triangulate(np.broadcast_to(sites, (n, 3, 2)), noisy,
                                 np.broadcast_to(sig, (n, 3)))
    err = xy - jam
    C = err.T @ err / n  # about the truth: the fix is unbiased to first order
    P0 = pv.fix_covariance(sites, sig, jam)
    # sample variances of 4000 draws: ±2.2 % (1σ) each; 10 % is 4.5σ
    for v in (np.array([1.0, 0.0]), np.array([0.0, 1.0]),
              np.linalg.eigh(P0)[1][:, 0], np.linalg.eigh(P0)[1][:, 1]):
        assert v @ C @ v == pytest.approx(v @ P0 @ v, rel=0.10)
    np.testing.assert_allclose(P.mean(axis=0), P0, rtol=0.02)
    # χ² of the residuals has n − 2 = 1 degree of freedom: mean 1
    assert chi2.mean() == pytest.approx(1.0, abs=0.1)


def test_batch_equals_stacked_single_fixes() -> None:
    sites, jam, sig, _, _ = _two_site_geometry()
    rng = np.random.default_rng(3)
    az = np.array([bearing(s, jam) for s in sites])[None] + 1e-3 * rng.standard_normal((5, 2))
    xy, P, _ = pv.triangulate(np.broadcast_to(sites, (5, 2, 2)), az, np.broadcast_to(sig, (5, 2)))
    for k in range(5):
        x1, P1, _ = pv.triangulate(sites, az[k], sig)
        np.testing.assert_allclose(xy[k], x1, atol=1e-9)
        np.testing.assert_allclose(P[k], P1, rtol=1e-12)
        assert np.all(np.linalg.eigvalsh(P1) > 0)


# --- ghosts -----------------------------------------------------------------------------------

GHOST_SITES = np.array([[0.0, -50 * KM], [0.0, 50 * KM], [-30 * KM, 0.0]])
JAMMERS = np.array([[-150 * KM, -30 * KM], [-150 * KM, 30 * KM]])


def _strobes(sites: np.ndarray, sig_rad: float = 1e-3
             ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    az = [np.array([bearing(s, j) for j in JAMMERS]) for s in sites]
    return az, [np.full(len(JAMMERS), sig_rad) for _ in sites]


def test_two_jammers_two_sites_give_no_ghost() -> None:
    az, sig = _strobes(GHOST_SITES[:2])
    # the crossings a→J2 × b→J1 and a→J1 × b→J2: the ghosts, in front of both sites
    p, ta, tb, _ = pv.intersect(GHOST_SITES[0], az[0][1], GHOST_SITES[1], az[1][0])
    assert ta > 0 and tb > 0
    np.testing.assert_allclose(p, [-93.75 * KM, 0.0], atol=1e-6)  # (−150·50/80, 0) km
    fixes = pv.locate(GHOST_SITES[:2], az, sig, np.full(2, 500 * KM))
    # a fix cannot be told from its ghost with two bearings each: none is made
    assert len(fixes) == 0


def test_a_third_site_resolves_the_ghosts() -> None:
    az, sig = _strobes(GHOST_SITES)
    fixes = pv.locate(GHOST_SITES, az, sig, np.full(3, 500 * KM))
    assert len(fixes) == 2
    assert list(fixes.n_sites) == [3, 3]
    found = fixes.xy_m[np.argsort(fixes.xy_m[:, 1])]
    np.testing.assert_allclose(found, JAMMERS, atol=1.0)
    for m in fixes.members:  # each fix takes one strobe of each site, of one jammer
        assert sorted(s for s, _ in m) == [0, 1, 2]
        assert len({k for _, k in m}) == 1


def test_noisy_ghost_case_keeps_the_true_fixes_within_their_sigma() -> None:
    rng = np.random.default_rng(7)
    sig_rad = np.radians(0.05)
    for _ in range(20):
        az, sig = _strobes(GHOST_SITES, sig_rad)
        az = [a + sig_rad * rng.standard_normal(a.size) for a in az]
        fixes = pv.locate(GHOST_SITES, az, sig, np.full(3, 500 * KM))
        assert len(fixes) == 2
        for xy, P, m in zip(fixes.xy_m, fixes.P, fixes.members, strict=True):
            j = JAMMERS[m[0][1]]
            d = xy - j
            assert d @ np.linalg.solve(P, d) < 25.0  # inside 5σ (χ², 2 dof: p ≈ 4e-6)


def test_one_jammer_two_sites_is_fixed() -> None:
    sites = GHOST_SITES[:2]
    az = [np.array([bearing(s, JAMMERS[0])]) for s in sites]
    sig = [np.array([1e-3]), np.array([1e-3])]
    fixes = pv.locate(sites, az, sig, np.full(2, 500 * KM))
    assert len(fixes) == 1
    np.testing.assert_allclose(fixes.xy_m[0], JAMMERS[0], atol=1e-3)
    # behind the sites or out of their reach: no fix
    assert len(pv.locate(sites, az, sig, np.full(2, 100 * KM))) == 0


def test_merge_and_extrapolate_bearings() -> None:
    # two radars of one site see one jammer 0.01° apart with σ 0.1° and 0.2°: one bearing,
    # the inverse-variance mean, σ = (1/0.1² + 1/0.2²)^-1/2
    az, sig, grp = pv.merge_strobes(np.radians([100.0, 100.01, 140.0]),
                                    np.radians([0.1, 0.2, 0.1]))
    assert az.size == 2 and list(grp) == [0, 0, 1]
    assert np.degrees(az[0]) == pytest.approx(100.0 + 0.01 * 0.2, abs=1e-9)
    assert np.degrees(sig[0]) == pytest.approx((1 / 0.1**2 + 1 / 0.2**2) ** -0.5, rel=1e-9)
    # inside one beamwidth: one source whatever the σ
    assert pv.merge_strobes(np.radians([10.0, 10.5]), np.radians([0.01, 0.01]),
                            resolution_rad=np.radians(1.3))[0].size == 1
    # a bearing moving at 0.1°/s, seen at 0 s and 10 s, brought to 15 s: 11.5° exactly
    a, s = pv.extrapolate_bearings(0.0, np.radians([10.0]), np.radians([0.01]), 10.0,
                                   np.radians([11.0]), np.radians([0.01]), 15.0,
                                   np.radians(2.0), 0.0)
    assert np.degrees(a[0]) == pytest.approx(11.5, abs=1e-9)
    assert np.degrees(s[0]) == pytest.approx(0.01 * np.hypot(1.5, 0.5), rel=1e-9)
