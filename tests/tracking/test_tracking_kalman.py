"""Kalman kernels against closed forms and against simulated truth (NEES consistency)."""

import numpy as np
import pytest
from scipy.stats import chi2

from skyshield.geo import aer_to_enu
from skyshield.tracking import kalman


def test_cv_model_matches_the_textbook_matrices():
    # Bar-Shalom et al. (2001) eq. 6.2.2-12 for one axis, dt = 2 s, q = 3
    F, Q = kalman.cv_model(np.array([2.0]), 3.0)
    assert F[0, 0, 3] == 2.0 and F[0, 0, 0] == 1.0 and F[0, 3, 0] == 0.0
    np.testing.assert_allclose(Q[0][np.ix_([0, 3], [0, 3])], 3.0 * np.array([[8 / 3, 2.0],
                                                                             [2.0, 2.0]]))


def test_block_predict_equals_F_P_Ft_plus_Q():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, 6, 6))
    P = A @ np.swapaxes(A, 1, 2) + np.eye(6)
    x = rng.normal(size=(5, 6))
    dt = rng.uniform(0.1, 20, 5)
    F, Q = kalman.cv_model(dt, 7.0)
    x1, P1 = kalman.predict(x, P, F, Q)
    x2, P2 = kalman.cv_predict(x, P, dt, 7.0)
    np.testing.assert_allclose(x2, x1, rtol=1e-12)
    np.testing.assert_allclose(P2, P1, rtol=1e-10, atol=1e-9)


def test_update_reduces_to_the_scalar_kalman_gain():
    # uncorrelated axes: each position behaves as a scalar filter, K = P/(P+R)
    x = np.zeros((1, 6))
    P = np.diag([4.0, 9.0, 1.0, 1.0, 1.0, 1.0])[None]
    R = np.diag([1.0, 3.0, 1.0])[None]
    z = np.array([[5.0, -6.0, 2.0]])
    xu, Pu = kalman.update(x, P, z, R)
    np.testing.assert_allclose(xu[0, :3], [5 * 4 / 5, -6 * 9 / 12, 2 * 1 / 2])
    np.testing.assert_allclose(np.diag(Pu[0])[:3], [4 * 1 / 5, 9 * 3 / 12, 0.5])
    np.testing.assert_allclose(xu[0, 3:], 0.0)


def test_converted_measurement_covariance_matches_monte_carlo():
    rng = np.random.default_rng(7)
    r, az, el = 40e3, np.radians(60.0), np.radians(3.0)
    s = (30.0, np.radians(0.2), np.radians(0.3))
    R = kalman.aer_to_enu_cov(np.array([r]), np.array([az]), np.array([el]),
                              np.array([s[0]]), np.array([s[1]]), np.array([s[2]]))[0]
    n = 200_000
    pts = aer_to_enu(az + s[1] * rng.standard_normal(n), el + s[2] * rng.standard_normal(n),
                     r + s[0] * rng.standard_normal(n))
    emp = np.cov(pts.T)
    # linearisation error is second order in the angle sigma: a few percent at most here
    np.testing.assert_allclose(R, emp, rtol=0.05, atol=50.0)


def test_filter_is_consistent_on_simulated_truth():
    """Average NEES over 200 seeded runs inside the 99 % chi-square interval (BLK §5.4.2)."""
    rng = np.random.default_rng(2019)
    runs, steps, dt, q = 200, 40, 2.0, 5.0
    F, Q = kalman.cv_model(np.full(runs, dt), q)
    L = np.linalg.cholesky(Q[0])
    Rm = np.diag([50.0, 50.0, 80.0]) ** 2
    x_true = np.tile([0.0, 0, 1000, 200, -50, 0], (runs, 1))
    x = x_true + rng.standard_normal((runs, 6)) * [50, 50, 80, 30, 30, 30]
    P = np.tile(np.diag([50.0, 50, 80, 30, 30, 30]) ** 2, (runs, 1, 1))
    nees = []
    for _ in range(steps):
        x_true = np.einsum("ij,nj->ni", F[0], x_true) + rng.standard_normal((runs, 6)) @ L.T
        x, P = kalman.cv_predict(x, P, np.full(runs, dt), q)
        z = x_true[:, :3] + rng.standard_normal((runs, 3)) @ np.linalg.cholesky(Rm).T
        x, P = kalman.update(x, P, z, np.tile(Rm, (runs, 1, 1)))
        e = x - x_true
        nees.append(np.einsum("ni,ni->n", e, np.linalg.solve(P, e[..., None])[..., 0]).mean())
    lo, hi = chi2.ppf([0.005, 0.995], 6 * runs) / runs
    assert lo <= np.mean(nees[5:]) <= hi
    assert np.all(np.array(nees[5:]) < chi2.ppf(0.9999, 6 * runs) / runs)


@pytest.mark.parametrize("az_deg", [0.0, 90.0, 200.0])
def test_converted_covariance_jacobian_matches_numerical(az_deg):
    r, az, el = 10e3, np.radians(az_deg), np.radians(10.0)
    h = 1e-6
    J = np.empty((3, 3))
    for k, d in enumerate(np.eye(3)):
        p1 = aer_to_enu(az + h * d[1], el + h * d[2], r + h * d[0] * 1e3)
        p0 = aer_to_enu(az - h * d[1], el - h * d[2], r - h * d[0] * 1e3)
        J[:, k] = (p1 - p0) / (2 * h * (1e3 if k == 0 else 1.0))
    sig = np.array([10.0, 0.01, 0.02])
    R = kalman.aer_to_enu_cov(r, az, el, *sig)
    np.testing.assert_allclose(R, J @ np.diag(sig**2) @ J.T, rtol=1e-5, atol=1e-6)


def test_mahalanobis_closed_form_equals_linear_algebra():
    rng = np.random.default_rng(11)
    A = rng.normal(size=(50, 3, 3))
    S = A @ np.swapaxes(A, 1, 2) + 0.1 * np.eye(3)
    y = rng.normal(size=(50, 3))
    d2, logdet = kalman.mahalanobis_sq(y, S)
    np.testing.assert_allclose(d2, np.einsum("ni,ni->n", y, np.linalg.solve(S, y[..., None])[
        ..., 0]), rtol=1e-9)
    np.testing.assert_allclose(logdet, np.linalg.slogdet(S)[1], rtol=1e-9, atol=1e-12)
