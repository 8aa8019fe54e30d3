"""Intercept time and CPA: closed-form engagement geometries and invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.physics.kinematics import cpa, intercept_time_s, intercept_time_table


def test_head_on() -> None:
    # 10 km away, closing at 300 m/s, interceptor 700 m/s: closure 1000 m/s -> 10 s
    assert intercept_time_s([10e3, 0, 0], [-300.0, 0, 0], 700.0) == pytest.approx(10.0)


def test_tail_chase() -> None:
    # target 1 km ahead receding at 100 m/s, interceptor 200 m/s -> 10 s
    assert intercept_time_s([1e3, 0, 0], [100.0, 0, 0], 200.0) == pytest.approx(10.0)


def test_impossible_chase_is_nan() -> None:
    assert np.isnan(intercept_time_s([1e3, 0, 0], [300.0, 0, 0], 200.0))
    # faster target crossing perpendicular: |p + vt| > s·t for all t
    assert np.isnan(intercept_time_s([1e3, 0, 0], [0, 300.0, 0], 200.0))
    # equal speeds, target receding: never
    assert np.isnan(intercept_time_s([1e3, 0, 0], [100.0, 0, 0], 100.0))


def test_perpendicular_crossing_3_4_5() -> None:
    # target at 3 km moving 400 m/s across; interceptor 500 m/s: 3000² + (400t)² = (500t)²
    assert intercept_time_s([3e3, 0, 0], [0, 400.0, 0], 500.0) == pytest.approx(10.0)


def test_equal_speeds_head_on_linear_case() -> None:
    assert intercept_time_s([1e3, 0, 0], [-100.0, 0, 0], 100.0) == pytest.approx(5.0)


def test_already_there() -> None:
    assert intercept_time_s([0.0, 0, 0], [100.0, 0, 0], 50.0) == 0.0


def test_intercept_batch_equals_scalars() -> None:
    p = np.array([[10e3, 0, 0], [1e3, 0, 0], [3e3, 0, 0], [1e3, 0, 0]])
    v = np.array([[-300.0, 0, 0], [100.0, 0, 0], [0, 400.0, 0], [300.0, 0, 0]])
    s = np.array([700.0, 200.0, 500.0, 200.0])
    batch = intercept_time_s(p, v, s)
    stacked = [intercept_time_s(p[i], v[i], s[i]) for i in range(4)]
    np.testing.assert_array_equal(batch, stacked)


# metre / (m/s) resolution inputs keep the geometry physical (no 1e-300 m offsets)
vec = st.tuples(*[st.integers(-20000, 20000).map(float)] * 3)
vel = st.tuples(*[st.integers(-800, 800).map(float)] * 3)


@settings(max_examples=300, deadline=None)
@given(vec, vel, st.integers(50, 2000).map(float))
def test_intercept_solution_satisfies_equation(p, v, s) -> None:
    p, v = np.array(p), np.array(v)
    t = intercept_time_s(p, v, s)
    if np.isnan(t):
        # no solution: interceptor must be slower than the target (else one always exists)
        assert np.dot(v, v) >= s * s - 1e-9 * s * s
    else:
        assert t >= 0
        assert np.linalg.norm(p + v * t) == pytest.approx(s * t, rel=1e-7, abs=1e-6)
        # earliest: no earlier time on a coarse grid reaches the target
        for tau in np.linspace(0, t, 50)[:-1]:
            assert np.linalg.norm(p + v * tau) >= s * tau - 1e-6 * max(1.0, s * t)


def test_cpa_closed_forms() -> None:
    # head-on: direct hit at 10 s
    t, d = cpa([1e3, 0, 0], [-100.0, 0, 0])
    assert (t, d) == (pytest.approx(10.0), pytest.approx(0.0))
    # crossing: passes 500 m abeam at 10 s
    t, d = cpa([-1e3, 500.0, 0], [100.0, 0, 0])
    assert t == pytest.approx(10.0) and d == pytest.approx(500.0)
    # diverging: closest now
    t, d = cpa([1e3, 0, 0], [100.0, 0, 0])
    assert t == 0.0 and d == pytest.approx(1e3)
    # no relative motion
    t, d = cpa([3.0, 4.0, 0], [0.0, 0, 0])
    assert t == 0.0 and d == pytest.approx(5.0)


@settings(max_examples=200, deadline=None)
@given(vec, vel, st.floats(0.0, 500.0))
def test_cpa_is_minimum(p, v, tau) -> None:
    p, v = np.array(p), np.array(v)
    t, d = cpa(p, v)
    assert t >= 0
    assert d <= np.linalg.norm(p + v * tau) + 1e-6


def test_cpa_batch_equals_scalars() -> None:
    rng = np.random.default_rng(3)
    p = rng.normal(0, 1e4, size=(2, 4, 3))
    v = rng.normal(0, 300, size=(2, 4, 3))
    t, d = cpa(p, v)
    assert t.shape == d.shape == (2, 4)
    for i in range(2):
        for j in range(4):
            ts, ds = cpa(p[i, j], v[i, j])
            assert t[i, j] == pytest.approx(ts, rel=1e-14) and d[i, j] == pytest.approx(ds)


def _speed_table(v_mps, r_max_m, h_max_m=20e3, n=80):
    """A time-of-flight table of a straight missile of speed V, out of reach beyond r_max."""
    R = np.linspace(0.0, 2 * r_max_m, n + 1)[1:]
    H = np.linspace(0.0, h_max_m, 21)
    rr, hh = np.meshgrid(R, H, indexing="ij")
    d = np.hypot(rr, hh)
    return R, H, np.where(d <= r_max_m, d / v_mps, np.inf)


def test_intercept_time_table_with_a_constant_speed_is_the_closed_form():
    """T = |p|/V in the table: the earliest intercept equals intercept_time_s's closed form
    (|p + v·t| = V·t) within the table's interpolation (0.05 s)."""
    rng = np.random.default_rng(8)
    V = 1000.0
    R, H, T = _speed_table(V, 60e3)
    p = np.c_[rng.uniform(5e3, 40e3, 200), rng.uniform(-20e3, 20e3, 200),
              rng.uniform(100, 10e3, 200)]
    v = np.c_[rng.uniform(-300, 300, (200, 2)), np.zeros(200)]
    exact = intercept_time_s(p, v, V)
    got = intercept_time_table(p, v, R, H, T, 120.0, n_samples=400)
    inside = np.linalg.norm(p + v * exact[:, None], axis=1) < 55e3
    np.testing.assert_allclose(got[inside], exact[inside], atol=0.05)


def test_intercept_time_table_refuses_an_intercept_the_missile_would_reach_early():
    """A target closing head-on from beyond the reach r_max: if the straight-line intercept
    point D·V/(u+V) lies inside r_max the table gives t* = D/(u+V); if it lies beyond, the
    target only enters reach at a point the missile would reach long before the target (it
    cannot loiter), so there is no intercept for a launch now (NaN), not a late one."""
    V, u, r_max = 1000.0, 250.0, 30e3
    R, H, T = _speed_table(V, r_max)
    vel = np.array([[-u, 0.0, 0.0]])
    D_near = 0.9 * r_max * (u + V) / V  # intercept point at 0.9 r_max
    D_far = 1.5 * r_max * (u + V) / V  # intercept point beyond reach
    t = intercept_time_table(np.array([[D_near, 0, 10.0], [D_far, 0, 10.0]]),
                             np.repeat(vel, 2, axis=0), R, H, T, 200.0, n_samples=400)
    assert t[0] == pytest.approx(D_near / (u + V), abs=0.05)
    assert np.isnan(t[1])
