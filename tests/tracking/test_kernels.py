"""The single copies of the filter kernels against references that do not use them: Van Loan's
matrix exponential for F and Q, the information form for the Joseph update, finite differences
for the converted covariance, complex exponentials for the angle wrap, written-out IMM and PDA
formulas (Bar-Shalom, Li & Kirubarajan 2001, §11.6.6 and §6.5) and brute-force enumeration for
GNN."""

from itertools import permutations

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.stats import multivariate_normal

from skyshield.tracking import association, filters, imm, jpda, kalman


def _spd(rng, n, d, scale=1.0):
    A = rng.normal(size=(n, d, d))
    return (A @ np.swapaxes(A, -1, -2) + np.eye(d)) * scale


def _van_loan(A, G, Qc, dt):
    """F = e^{A dt} and Q = ∫₀^dt e^{Aτ} G Qc Gᵀ e^{Aᵀτ} dτ (C. F. Van Loan, "Computing integrals
    involving the matrix exponential", IEEE TAC 23(3), 1978)."""
    n = A.shape[0]
    M = np.zeros((2 * n, 2 * n))
    M[:n, :n], M[:n, n:], M[n:, n:] = -A, G @ Qc @ G.T, A.T
    E = expm(M * dt)
    F = E[n:, n:].T
    return F, F @ E[:n, n:]


_A_CV = np.block([[np.zeros((3, 3)), np.eye(3)], [np.zeros((3, 3)), np.zeros((3, 3))]])
_G = np.vstack([np.zeros((3, 3)), np.eye(3)])


@pytest.mark.parametrize("q", [30.0, (1.0, 2.0, 0.01)])
def test_white_accel_q_and_cv_transition_equal_van_loan(q):
    dt = np.array([0.3, 2.0, 11.7])
    Q = kalman.white_accel_q(dt, q)
    F = kalman.cv_transition(dt)
    for k, d in enumerate(dt):
        Fr, Qr = _van_loan(_A_CV, _G, np.diag(np.broadcast_to(q, (3,))), d)
        np.testing.assert_allclose(F[k], Fr, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(Q[k], Qr, rtol=1e-9, atol=1e-12)


def test_coordinated_turn_equals_the_matrix_exponential():
    w = np.radians(-4.0)
    A = _A_CV.copy()
    A[3, 4], A[4, 3] = -w, w  # v̇x = −ω vy, v̇y = ω vx
    dt = np.array([0.5, 2.0, 9.0])
    F = kalman.ct_transition(dt, w)
    for k, d in enumerate(dt):
        np.testing.assert_allclose(F[k], expm(A * d), rtol=1e-12, atol=1e-12)


def test_cv_predict_equals_van_loan_propagation():
    rng = np.random.default_rng(3)
    P = _spd(rng, 4, 6, 50.0)
    x = rng.normal(size=(4, 6)) * 1e3
    dt = np.array([0.1, 1.0, 4.0, 12.0])
    q = np.array([5.0, 5.0, 0.05])
    xp, Pp = kalman.cv_predict(x, P, dt, q)
    for k, d in enumerate(dt):
        F, Q = _van_loan(_A_CV, _G, np.diag(q), d)
        np.testing.assert_allclose(xp[k], F @ x[k], rtol=1e-12)
        np.testing.assert_allclose(Pp[k], F @ P[k] @ F.T + Q, rtol=1e-10)


def test_joseph_update_with_the_optimal_gain_equals_the_information_form():
    """P⁺ = (P⁻¹ + Hᵀ R⁻¹ H)⁻¹ and x⁺ = x + P⁺ Hᵀ R⁻¹ y for any H (here a random 3×6)."""
    rng = np.random.default_rng(8)
    n = 6
    P, R = _spd(rng, n, 6, 100.0), _spd(rng, n, 3, 30.0)
    H = rng.normal(size=(n, 3, 6))
    x, y = rng.normal(size=(n, 6)) * 100, rng.normal(size=(n, 3)) * 10
    PHt = P @ np.swapaxes(H, -1, -2)
    S = H @ PHt + R
    xn, Pn = kalman.joseph_update(x, P, kalman.gain(PHt, S), H, y, R)
    for k in range(n):
        Ri = np.linalg.inv(R[k])
        Pi = np.linalg.inv(np.linalg.inv(P[k]) + H[k].T @ Ri @ H[k])
        np.testing.assert_allclose(Pn[k], Pi, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(xn[k], x[k] + Pi @ H[k].T @ Ri @ y[k], rtol=1e-8)
        assert np.array_equal(Pn[k], Pn[k].T)


def test_joseph_update_with_any_gain_is_the_error_covariance():
    """Scalar state, suboptimal gain k: e⁺ = (1 − k h) e − k v, so P⁺ = (1 − k h)² p + k² r."""
    p, r, h, k = 9.0, 4.0, 2.0, 0.1
    arr = lambda v: np.full((1, 1, 1), v)  # noqa: E731
    xn, Pn = kalman.joseph_update(np.zeros((1, 1)), arr(p), arr(k), arr(h), np.ones((1, 1)),
                                  arr(r))
    assert Pn[0, 0, 0] == pytest.approx((1 - k * h) ** 2 * p + k * k * r, rel=1e-14)
    assert xn[0, 0] == pytest.approx(k)


def test_update_is_the_joseph_form_with_position_h():
    rng = np.random.default_rng(2)
    P, R = _spd(rng, 5, 6, 100.0), _spd(rng, 5, 3, 30.0)
    x, z = rng.normal(size=(5, 6)), rng.normal(size=(5, 3))
    xn, Pn = kalman.update(x, P, z, R)
    for k in range(5):
        H = kalman.H_POS
        Ri = np.linalg.inv(R[k])
        Pi = np.linalg.inv(np.linalg.inv(P[k]) + H.T @ Ri @ H)
        np.testing.assert_allclose(Pn[k], Pi, rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(xn[k], x[k] + Pi @ H.T @ Ri @ (z[k] - x[k, :3]), rtol=1e-8,
                                   atol=1e-10)


def _numerical_jacobian(f, v, steps):
    J = np.empty((3, 3))
    for k in range(3):
        e = np.zeros(3)
        e[k] = steps[k]
        J[:, k] = (f(v + e) - f(v - e)) / (2 * steps[k])
    return J


@pytest.mark.parametrize("az", [0.3, 2.0, -2.8])
def test_converted_covariance_in_the_mathematical_convention(az):
    def to_xyz(v):  # x = r·cos el·cos az, y = r·cos el·sin az, z = r·sin el
        r, a, e = v
        return np.array([r * np.cos(e) * np.cos(a), r * np.cos(e) * np.sin(a), r * np.sin(e)])

    v = np.array([25e3, az, 0.2])
    sig = np.array([40.0, 0.003, 0.005])
    J = _numerical_jacobian(to_xyz, v, (1.0, 1e-7, 1e-7))
    want = J @ np.diag(sig**2) @ J.T
    R = kalman.polar_cov(v[0], v[1], v[2], sig, clockwise=False)
    np.testing.assert_allclose(R, want, rtol=1e-6, atol=1e-6)
    pos, Rc = filters.polar_to_cartesian(v[None], sig)
    np.testing.assert_array_equal(Rc[0], R)
    np.testing.assert_allclose(pos[0], to_xyz(v), rtol=1e-12)
    # the same plot counted clockwise from +y: az_cw = π/2 − az gives the same covariance
    Rcw = kalman.polar_cov(v[0], np.pi / 2 - v[1], v[2], sig, clockwise=True)
    np.testing.assert_allclose(Rcw, R, rtol=1e-9, atol=1e-9)


def test_converted_covariance_of_a_rotated_sensor():
    c, s = np.cos(0.4), np.sin(0.4)
    rot = np.array([[c, s, 0.0], [-s, c, 0.0], [0.0, 0.0, 1.0]])  # frame -> sensor axes
    sensor = np.array([1e3, -2e3, 50.0])
    sig = np.array([30.0, 0.002, 0.004])
    v = np.array([18e3, 1.1, 0.05])

    def to_frame(w):
        r, a, e = w
        local = np.array([r * np.cos(e) * np.cos(a), r * np.cos(e) * np.sin(a), r * np.sin(e)])
        return rot.T @ local + sensor

    J = _numerical_jacobian(to_frame, v, (1.0, 1e-7, 1e-7))
    pos, R = filters.polar_to_cartesian(v[None], sig, sensor, rot)
    np.testing.assert_allclose(pos[0], to_frame(v), rtol=1e-12)
    np.testing.assert_allclose(R[0], J @ np.diag(sig**2) @ J.T, rtol=1e-6, atol=1e-6)


def test_wrap_angle_equals_the_argument_of_the_unit_complex_number():
    a = np.random.default_rng(4).uniform(-60.0, 60.0, 10_000)
    np.testing.assert_allclose(filters.wrap_angle(a), np.angle(np.exp(1j * a)), atol=1e-9)
    w = filters.wrap_angle(np.array([np.pi, -np.pi, 3 * np.pi, 0.0]))
    np.testing.assert_allclose(w, [-np.pi, -np.pi, -np.pi, 0.0])
    assert np.all((w >= -np.pi) & (w < np.pi))


def test_imm_mixing_equals_the_written_out_interaction_step():
    """BLK §11.6.6 step 1, one track at a time with loops."""
    rng = np.random.default_rng(6)
    n, M = 4, 3
    xm = rng.normal(size=(n, M, 6)) * 100
    Pm = _spd(rng, n * M, 6, 10.0).reshape(n, M, 6, 6)
    mu = rng.dirichlet(np.ones(M), size=n)
    dt = rng.uniform(0.5, 10, n)
    Pi = imm.transition(dt, M, 20.0)
    np.testing.assert_allclose(Pi.sum(axis=2), 1.0)
    np.testing.assert_allclose(Pi[:, 0, 0], np.exp(-dt / 20.0))
    x0, P0, c = imm.mix(xm, Pm, mu, Pi)
    for t in range(n):
        cbar = mu[t] @ Pi[t]
        for j in range(M):
            w = [Pi[t, i, j] * mu[t, i] / cbar[j] for i in range(M)]
            xj = sum(w[i] * xm[t, i] for i in range(M))
            Pj = sum(w[i] * (Pm[t, i] + np.outer(xm[t, i] - xj, xm[t, i] - xj))
                     for i in range(M))
            np.testing.assert_allclose(c[t, j], cbar[j], rtol=1e-12)
            np.testing.assert_allclose(x0[t, j], xj, rtol=1e-10, atol=1e-9)
            np.testing.assert_allclose(P0[t, j], Pj, rtol=1e-10, atol=1e-9)


def test_imm_mode_probabilities_are_bayes_with_gaussian_likelihoods():
    rng = np.random.default_rng(7)
    n, M = 3, 3
    xm = rng.normal(size=(n, M, 6)) * 50
    Pm = _spd(rng, n * M, 6, 40.0).reshape(n, M, 6, 6)
    c = rng.dirichlet(np.ones(M), size=n)
    z, R = rng.normal(size=(n, 3)) * 50, _spd(rng, n, 3, 20.0)
    xmu, Pmu, mu, x, P = imm.update(xmp=xm, Pmp=Pm, c=c, z=z, R=R)
    for t in range(n):
        lik = [multivariate_normal.pdf(z[t], xm[t, j, :3], Pm[t, j, :3, :3] + R[t])
               for j in range(M)]
        want = c[t] * lik / np.sum(c[t] * lik)
        np.testing.assert_allclose(mu[t], want, rtol=1e-9)
        xc = sum(want[j] * xmu[t, j] for j in range(M))
        np.testing.assert_allclose(x[t], xc, rtol=1e-9, atol=1e-9)
        Pc = sum(want[j] * (Pmu[t, j] + np.outer(xmu[t, j] - xc, xmu[t, j] - xc))
                 for j in range(M))
        np.testing.assert_allclose(P[t], Pc, rtol=1e-8, atol=1e-8)


def test_pda_update_equals_the_written_out_formulas_and_kalman_for_a_sure_plot():
    rng = np.random.default_rng(9)
    n = 3
    xp, Pp = rng.normal(size=(n, 6)) * 100, _spd(rng, n, 6, 100.0)
    z, R = rng.normal(size=(5, 3)) * 100, _spd(rng, 5, 3, 30.0)
    trk = np.array([0, 0, 0, 2, 1])  # track 0 gates plots 0-2, track 2 plot 3, track 1 plot 4
    det = np.array([0, 1, 2, 3, 4])
    beta = np.array([0.5, 0.2, 0.1, 1.0, 0.0])  # track 1: nothing (Σβ = 0), not updated
    rows, x, P, bsum = jpda.update(xp, Pp, z, R, trk, det, beta)
    assert list(rows) == [0, 2]
    np.testing.assert_allclose(bsum, [0.8, 0.0, 1.0])
    # track 0 by BLK §6.5 with the β-weighted mean R
    sel = trk == 0
    b, ys = beta[sel], z[det[sel]] - xp[0, :3]
    Rb = sum(bj * R[j] for bj, j in zip(b, det[sel], strict=True)) / b.sum()
    S = Pp[0, :3, :3] + Rb
    K = Pp[0, :, :3] @ np.linalg.inv(S)
    yt = (b[:, None] * ys).sum(axis=0)
    spread = sum(bj * np.outer(y, y) for bj, y in zip(b, ys, strict=True)) - np.outer(yt, yt)
    b0 = 1 - b.sum()
    want = b0 * Pp[0] + (1 - b0) * (Pp[0] - K @ S @ K.T) + K @ spread @ K.T
    np.testing.assert_allclose(x[0], xp[0] + K @ yt, rtol=1e-10)
    np.testing.assert_allclose(P[0], want, rtol=1e-9, atol=1e-9)
    # one plot with β = 1 is the Kalman update
    xk, Pk = kalman.update(xp[2:3], Pp[2:3], z[3:4], R[3:4])
    np.testing.assert_allclose(x[1], xk[0], rtol=1e-10)
    np.testing.assert_allclose(P[1], Pk[0], rtol=1e-8, atol=1e-8)


def _brute_force_gnn(trk, det, cost):
    """(number of pairs, cost) of the best matching of the gated pairs: most pairs, then least
    total cost, over every way of giving each track one plot or none."""
    pairs = {(int(t), int(d)): float(c) for t, d, c in zip(trk, det, cost, strict=True)}
    ts = sorted(set(trk.tolist()))
    options = sorted(set(det.tolist())) + [None] * len(ts)
    best = (-1, 0.0)
    for perm in set(permutations(options, len(ts))):
        chosen = [(t, d) for t, d in zip(ts, perm, strict=True) if d is not None]
        if all(p in pairs for p in chosen):
            c = sum(pairs[p] for p in chosen)
            if (len(chosen), -c) > (best[0], -best[1]):
                best = (len(chosen), c)
    return best


def test_gnn_finds_the_brute_force_optimum():
    rng = np.random.default_rng(12)
    for _ in range(30):
        n, m = 4, 4
        mask = rng.random((n, m)) < 0.5
        trk, det = np.nonzero(mask)
        if trk.size == 0:
            continue
        cost = rng.uniform(0, 10, trk.size)
        at, ad = association.gnn(trk, det, cost, n, m)
        got = {(int(t), int(d)) for t, d in zip(at, ad, strict=True)}
        k, c = _brute_force_gnn(trk, det, cost)
        lookup = {(int(t), int(d)): cc for t, d, cc in zip(trk, det, cost, strict=True)}
        assert len(got) == k
        assert sum(lookup[p] for p in got) == pytest.approx(c)


def test_jpda_probabilities_per_cluster_and_gnn_beyond_the_limit():
    rng = np.random.default_rng(13)
    # two separate clusters: tracks 0-1 share plots 0-1, track 2 alone with plot 2
    trk, det = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 1, 2])
    d2, logdet = rng.uniform(0, 9, 5), rng.uniform(5, 8, 5)
    pd, lam, pg = 0.9, 1e-9, 0.999
    beta = jpda.probabilities(trk, det, d2, logdet, 3, 3, pd, lam, pg)
    g = pd * np.exp(-0.5 * (d2 + logdet)) / (2 * np.pi) ** 1.5 / lam
    miss = 1 - pd * pg
    np.testing.assert_allclose(beta[:4], jpda.marginals(trk[:4], det[:4], g[:4], miss))
    np.testing.assert_allclose(beta[4], g[4] / (g[4] + miss))
    # a cluster of 5 tracks x 5 plots (25 pairs > MAX_PAIRS): the GNN assignment, β ∈ {0, 1}
    trk, det = np.repeat(np.arange(5), 5), np.tile(np.arange(5), 5)
    d2 = rng.uniform(0, 9, 25)
    beta = jpda.probabilities(trk, det, d2, np.zeros(25), 5, 5, pd, lam, pg)
    at, ad = association.gnn(trk, det, d2, 5, 5)
    want = np.zeros(25)
    want[at * 5 + ad] = 1.0
    np.testing.assert_array_equal(beta, want)
