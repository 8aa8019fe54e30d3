"""Lethality kernels: closed forms and a seeded Monte Carlo of the circular-normal SSPK."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.physics.lethality import (
    cookie_cutter_pk,
    cumulative_pk,
    gaussian_pk,
    lethal_radius_for_target,
    pk_by_class,
    sspk_circular_normal,
)


def test_gaussian_closed_form() -> None:
    assert gaussian_pk(0.0, 10.0) == 1.0
    assert gaussian_pk(10.0, 10.0) == pytest.approx(np.exp(-0.5))
    assert gaussian_pk(20.0, 10.0) == pytest.approx(np.exp(-2.0))


def test_cookie_cutter() -> None:
    np.testing.assert_array_equal(cookie_cutter_pk([0.0, 9.99, 10.0, 10.01], 10.0), [1, 1, 1, 0])


@pytest.mark.parametrize("b_m, sigma_m", [(10.0, 10.0), (5.0, 20.0), (30.0, 7.0)])
def test_sspk_circular_normal_monte_carlo(b_m: float, sigma_m: float) -> None:
    # Seeded 2-D circular-normal miss (σ per axis), Carleton damage function.
    rng = np.random.default_rng(12345)
    miss_xy = rng.normal(0.0, sigma_m, size=(400_000, 2))
    pk = gaussian_pk(np.hypot(miss_xy[:, 0], miss_xy[:, 1]), b_m)
    standard_error = pk.std(ddof=1) / np.sqrt(pk.size)
    assert abs(pk.mean() - sspk_circular_normal(b_m, sigma_m)) < 5 * standard_error


def test_sspk_limits() -> None:
    assert sspk_circular_normal(10.0, 10.0) == 0.5
    assert sspk_circular_normal(10.0, 0.0) == 1.0
    assert sspk_circular_normal(10.0, np.array([1.0, 10.0, 100.0]))[2] == pytest.approx(1 / 101)


def test_cumulative_pk() -> None:
    assert cumulative_pk(0.7, 2) == pytest.approx(0.91)
    assert cumulative_pk(0.7, 0) == 0.0
    assert cumulative_pk(0.5, 3) == pytest.approx(0.875)
    p = cumulative_pk(0.3, np.arange(1, 10))
    assert np.all(np.diff(p) > 0)
    out = cumulative_pk(np.array([[0.2], [0.6]]), np.array([1, 2, 3]))
    assert out.shape == (2, 3) and out[1, 2] == pytest.approx(1 - 0.4**3)


def test_lethal_radius_for_target_scales_with_the_root_of_the_vulnerable_area() -> None:
    """Closed form: the Carleton lethal area is 2πb² (∫ exp(−r²/2b²) 2πr dr), so a class
    with k² times the reference vulnerable area has b·k; at V = V_ref, b/√2."""
    b = lethal_radius_for_target(20.0, np.sqrt(0.25))
    assert b == pytest.approx(10.0, abs=1e-12)
    r = np.linspace(0.0, 400.0, 400_001)
    area = np.trapezoid(gaussian_pk(r, b) * 2 * np.pi * r, r)
    assert area == pytest.approx(0.25 * 2 * np.pi * 20.0**2, rel=1e-6)
    assert lethal_radius_for_target(20.0, 1.0, 600.0, 600.0) == pytest.approx(20.0 / np.sqrt(2))
    assert lethal_radius_for_target(20.0, 1.0, 600.0) == pytest.approx(20.0)


def test_pk_by_class_is_the_circular_normal_sspk_of_each_class() -> None:
    """Rows missiles, columns classes: b²k²/(b²k² + σ²) — b = 10 m, σ = 10 m: k = 1 gives
    1/2, k = 0.5 gives 1/5, k = 2 gives 4/5 (closed form)."""
    pk = pk_by_class(np.array([10.0, 5.0]), np.array([1.0, 0.5, 2.0]), np.array([10.0, 5.0]))
    np.testing.assert_allclose(pk, [[0.5, 0.2, 0.8], [0.5, 0.2, 0.8]], atol=1e-12)
