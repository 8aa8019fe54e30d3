"""EKF, UKF, converted measurements, coordinated turn and IMM against the linear Kalman filter,
closed forms, finite differences and chi-square consistency bounds."""

import numpy as np
import pytest
from scipy.stats import chi2

from skyshield.tracking import filters, imm, kalman


def _random_spd(rng, n, d, scale):
    A = rng.normal(size=(n, d, d))
    return A @ np.swapaxes(A, -1, -2) * scale + np.eye(d) * scale


@pytest.fixture
def problem():
    rng = np.random.default_rng(1)
    n = 20
    x = rng.normal(size=(n, 6)) * [1e4, 1e4, 1e3, 200, 200, 10]
    P = _random_spd(rng, n, 6, 100.0)
    z = x[:, :3] + rng.normal(size=(n, 3)) * 30
    R = _random_spd(rng, n, 3, 400.0)
    return x, P, z, R


def test_ekf_and_ukf_equal_the_kalman_filter_on_a_linear_problem(problem):
    x, P, z, R = problem
    xk, Pk = kalman.update(x, P, z, R)
    h, jac = filters.linear_position_model()
    xe, Pe, _, _ = filters.ekf_update(x, P, z, R, h, jac)
    xu, Pu, _, _ = filters.ukf_update(x, P, z, R, h)
    np.testing.assert_allclose(xe, xk, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(Pe, Pk, rtol=1e-8, atol=1e-8)
    # the unscented transform of a linear map is exact
    np.testing.assert_allclose(xu, xk, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(Pu, Pk, rtol=1e-7, atol=1e-6)


def test_imm_with_identical_models_is_the_kalman_filter(problem):
    x, P, z, R = problem
    n = x.shape[0]
    dt = np.full(n, 2.0)
    xk, Pk = kalman.cv_predict(x, P, dt, 3.0)
    xk, Pk = kalman.update(xk, Pk, z, R)
    M = 3
    xm, Pm = np.repeat(x[:, None], M, 1), np.repeat(P[:, None], M, 1)
    mu = np.full((n, M), 1 / M)
    models = (imm.ImmModel(0.0, (3.0, 3.0, 3.0)),) * M
    xmp, Pmp, c, xp, Pp = imm.predict(xm, Pm, mu, dt, models, 20.0)
    xmu, Pmu, mu1, xc, Pc = imm.update(xmp, Pmp, c, z, R)
    np.testing.assert_allclose(xc, xk, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(Pc, Pk, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(mu1, 1 / M)  # identical models: no evidence for any


def test_polar_jacobian_matches_finite_differences():
    rng = np.random.default_rng(2)
    rel = rng.normal(size=(50, 3)) * [5e4, 5e4, 5e3]
    J = filters.polar_jacobian(rel)
    h = 1e-3
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        d = filters.polar_of(rel + e) - filters.polar_of(rel - e)
        d[:, 1] = filters.wrap_angle(d[:, 1])
        np.testing.assert_allclose(J[:, :, k], d / (2 * h), rtol=1e-5, atol=1e-12)


def test_polar_model_in_a_rotated_sensor_frame():
    # a sensor at (1000, 2000, 0) whose axes are turned 90° (its x is the frame's y)
    rot = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    h, jac = filters.polar_model(np.array([1000.0, 2000.0, 0.0]), rot)
    x = np.array([[1000.0, 12000.0, 0.0, 0, 0, 0]])  # 10 km along the frame's y
    np.testing.assert_allclose(h(x), [[10000.0, 0.0, 0.0]], atol=1e-9)
    # finite differences of h in the frame
    H = jac(x)[0]
    for k in range(3):
        e = np.zeros((1, 6))
        e[0, k] = 1e-2
        np.testing.assert_allclose(H[:, k], ((h(x + e) - h(x - e)) / 2e-2)[0], atol=1e-9)


def test_converted_covariance_matches_monte_carlo():
    rng = np.random.default_rng(3)
    z0 = np.array([[80e3, 0.7, 0.05]])
    sig = np.array([50.0, 0.002, 0.002])
    pos, R = filters.polar_to_cartesian(z0, sig)
    draws = z0 + rng.standard_normal((200000, 3)) * sig
    cart, _ = filters.polar_to_cartesian(draws, sig)
    np.testing.assert_allclose(cart.mean(0), pos[0], atol=2.0)
    # four standard errors of a sample covariance: sqrt((Rii·Rjj + Rij²)/N)
    d = np.diag(R[0])
    se = np.sqrt((d[:, None] * d[None, :] + R[0] ** 2) / draws.shape[0])
    assert np.all(np.abs(np.cov(cart.T) - R[0]) < 4 * se)


def test_coordinated_turn_is_exact_circular_motion():
    v, w = 250.0, np.radians(4.5)
    T = np.array([(np.pi / 2) / w])  # a quarter turn
    F = kalman.ct_transition(T, w)[0]
    x = F @ np.array([0.0, 0.0, 1000.0, v, 0.0, 5.0])
    rad = v / w
    np.testing.assert_allclose(x, [rad, rad, 1000.0 + 5.0 * T[0], 0.0, v, 5.0], atol=1e-6)
    np.testing.assert_allclose(kalman.ct_transition(T, 0.0), kalman.cv_transition(T))
    np.testing.assert_allclose(kalman.ct_transition(T, 1e-9), kalman.cv_transition(T),
                               atol=1e-5)


def _ncv_runs(rng, runs, steps, dt, q, sig):
    x = np.zeros((runs, 6))
    x[:, 0], x[:, 1], x[:, 2] = 60e3, 20e3, 5e3
    x[:, 3], x[:, 4] = -200.0, 50.0
    F = kalman.cv_transition(np.full(runs, dt))
    Q = kalman.white_accel_q(np.full(runs, dt), np.full(3, q))
    L = np.linalg.cholesky(Q[0])
    truth, meas = [], []
    for _ in range(steps):
        x = np.einsum("nij,nj->ni", F, x) + rng.standard_normal((runs, 6)) @ L.T
        truth.append(x.copy())
        meas.append(filters.polar_of(x[:, :3]) + rng.standard_normal((runs, 3)) * sig)
    return truth, meas


@pytest.mark.parametrize("kind", ["ekf", "ukf", "cmkf"])
def test_nees_and_nis_are_consistent(kind):
    """Bar-Shalom et al. (2001) §5.4: over N Monte Carlo runs the average NEES lies in the
    two-sided 95 % chi-square interval of N·6 degrees of freedom divided by N at about 95 % of
    the steps (NIS likewise with 3 dof)."""
    rng = np.random.default_rng(4)
    runs, steps, dt, q = 200, 40, 2.0, 1.0
    sig = np.array([50.0, 0.002, 0.002])
    truth, meas = _ncv_runs(rng, runs, steps, dt, q, sig)
    Rp = np.broadcast_to(np.diag(sig**2), (runs, 3, 3))
    h, jac = filters.polar_model(np.zeros(3))
    x = truth[0].copy()
    x[:, :3], _ = filters.polar_to_cartesian(meas[0], sig)
    x[:, 3:] = truth[0][:, 3:] + rng.standard_normal((runs, 3)) * 30.0
    P = np.zeros((runs, 6, 6))
    _, Rc = filters.polar_to_cartesian(meas[0], sig)
    P[:, :3, :3] = Rc
    P[:, 3:, 3:] = np.eye(3) * 30.0**2
    lo6, hi6 = chi2.ppf([0.025, 0.975], runs * 6) / runs
    lo3, hi3 = chi2.ppf([0.025, 0.975], runs * 3) / runs
    in6 = in3 = 0
    for k in range(1, steps):
        x, P = kalman.cv_predict(x, P, np.full(runs, dt), q)
        if kind == "cmkf":
            zc, Rc = filters.polar_to_cartesian(meas[k], sig)
            y, S = kalman.innovation(x, P, zc, Rc)
            x, P = kalman.update(x, P, zc, Rc)
        elif kind == "ekf":
            x, P, y, S = filters.ekf_update(x, P, meas[k].copy(), Rp, h, jac, wrap=(1,))
        else:
            x, P, y, S = filters.ukf_update(x, P, meas[k].copy(), Rp, h, wrap=(1,))
        e = truth[k] - x
        nees = np.einsum("ni,ni->n", e, np.linalg.solve(P, e[..., None])[..., 0]).mean()
        nis = np.einsum("ni,ni->n", y, np.linalg.solve(S, y[..., None])[..., 0]).mean()
        in6 += lo6 <= nees <= hi6
        in3 += lo3 <= nis <= hi3
    assert in6 / (steps - 1) >= 0.85
    assert in3 / (steps - 1) >= 0.85


def test_imm_mode_probabilities_switch_on_a_turn():
    """Straight for 60 s, then a 4.5 °/s left turn: the CV model dominates before the turn and
    the left-turn model within 20 s after it starts (tracker-level IMM, noisy plots)."""
    from skyshield.tracking.tracker import CONFIRMED, Tracker, TrackerParams

    rng = np.random.default_rng(5)
    w = np.radians(4.5)
    tr = Tracker(TrackerParams(filter="imm", q=(1.0, 1.0, 0.01), imm_turn_rate_deg_s=4.5,
                               imm_q_turn=(5.0, 5.0, 0.01), init_speed_sigma_mps=300.0))
    sig = np.array([50.0, 0.002, 0.002])
    x = np.array([40e3, -20e3, 6e3, 0.0, 250.0, 0.0])
    mus = []
    for k in range(80):
        t = 2.0 * k
        F = kalman.ct_transition(np.array([2.0]), w if t >= 60 else 0.0)[0]
        if k:
            x = F @ x
        z = filters.polar_of(x[:3]) + rng.standard_normal(3) * sig
        zc, Rc = filters.polar_to_cartesian(z[None], sig)
        tr.process(t, zc, Rc, np.array([0]), np.zeros(3), np.inf, "radar")
        s = tr.live(CONFIRMED)
        mus.append(tr.mu[s[0]].copy() if s.size else np.full(3, np.nan))
    mus = np.array(mus)
    before = mus[20:30]  # 40-58 s, straight
    after = mus[40:80]  # 80-158 s, turning left (positive ω)
    assert np.all(before[:, 0] > 0.5)
    assert np.all(after[:, 1] > 0.5)
    assert np.all(after[:, 1] > after[:, 2])
