"""physics.gunnery against independent references: the published G7 table, vacuum closed forms,
an independent integration of the same ODE with scipy's solve_ivp, the quadratic intercept of a
constant-speed projectile, and Monte Carlo bursts drawn from named streams."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from skyshield.engine.rng import stream
from skyshield.physics import gunnery as gn
from skyshield.physics.atmosphere import G0_MPS2, isa
from skyshield.physics.flight import burst_pk

MS = 1e-3  # a millisecond (s)
MRAD = 1e-3


# ---------------------------------------------------------------------------------------------
# drag function


def test_g7_table_at_published_points():
    # G7 standard drag function, py-ballisticcalc py_ballisticcalc/drag_tables.py TableG7
    # (o-murphy/py-ballisticcalc, commit 0c92206b1840f796a6c2480b0fd83fa1f02b59ea): a
    # transcription check at rows across the subsonic, transonic and supersonic parts, and
    # linear interpolation half-way between two rows
    published = {0.05: 0.1197, 0.55: 0.1193, 0.90: 0.1464, 0.975: 0.2993, 1.0: 0.3803,
                 1.05: 0.4043, 1.55: 0.3376, 2.00: 0.2980, 2.50: 0.2697, 2.95: 0.2451,
                 3.00: 0.2424, 4.00: 0.1935, 5.00: 0.1618}
    np.testing.assert_allclose(gn.cd_g7(list(published)), list(published.values()), atol=1e-12)
    assert float(gn.cd_g7(2.825)) == pytest.approx((0.2533 + 0.2506) / 2, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# trajectory


def test_vacuum_trajectory_is_the_parabola_and_lands_at_v2_sin2theta_over_g():
    v0 = 300.0
    el = np.radians([15.0, 30.0, 45.0, 60.0])
    t, x, z, vx, vz = gn.trajectory(el, v0, form_factor=0.0, t_max_s=60.0, dt_s=0.01)
    # RK4 is exact for constant acceleration: the parabola to round-off
    np.testing.assert_allclose(x, v0 * np.cos(el)[:, None] * t, atol=1e-6)
    np.testing.assert_allclose(z, v0 * np.sin(el)[:, None] * t - 0.5 * G0_MPS2 * t ** 2,
                               atol=1e-6)
    np.testing.assert_allclose(np.hypot(vx, vz) ** 2 + 2 * G0_MPS2 * z, v0 ** 2, rtol=1e-12)
    for e in range(el.size):
        k = np.flatnonzero((z[e, :-1] > 0) & (z[e, 1:] <= 0))[0]
        land = x[e, k] + (x[e, k + 1] - x[e, k]) * z[e, k] / (z[e, k] - z[e, k + 1])
        # range of a projectile on flat ground in vacuum: R = v0²·sin(2θ)/g
        assert land == pytest.approx(v0 ** 2 * math.sin(2 * el[e]) / G0_MPS2, abs=0.01)


def test_no_drag_no_gravity_table_gives_range_over_speed():
    tb = gn.time_of_flight_table(500.0, form_factor=0.0, gravity_mps2=0.0, t_max_s=10.0)
    r = np.array([100.0, 1234.5, 2000.0, 4900.0])
    for el in (0.0, 0.3, 1.2):
        np.testing.assert_allclose(gn.tof_at_range(r, el, tb), r / 500.0, atol=1e-9)


def _reference_flight(el_rad: float, alt0_m: float = 0.0):
    """The same point-mass ODE integrated independently (scipy solve_ivp, DOP853, tight
    tolerances), with the ISA evaluated exactly and the G7 table read with numpy's interp."""
    k = 0.5 * math.pi * gn.CALIBRE_M ** 2 / 4 / gn.PROJECTILE_MASS_KG

    def f(_t, y):
        x, z, vx, vz = y
        v = math.hypot(vx, vz)
        _, _, rho, a = isa(alt0_m + z)
        c = k * float(rho) * v * gn.FORM_FACTOR * float(np.interp(v / float(a), gn._G7_MACH,
                                                                     gn._G7_CD))
        return [vx, vz, -c * vx, -c * vz - G0_MPS2]

    def reach(r):
        def ev(_t, y):
            return math.hypot(y[0], y[1]) - r

        ev.terminal = True  # type: ignore[attr-defined]
        return ev

    y0 = [0.0, 0.0, gn.MUZZLE_VELOCITY_MPS * math.cos(el_rad),
          gn.MUZZLE_VELOCITY_MPS * math.sin(el_rad)]
    out = {}
    for r in (1000.0, 2000.0, 3000.0):
        s = solve_ivp(f, (0, 20), y0, method="DOP853", rtol=1e-10, atol=1e-9, events=reach(r))
        t = float(s.t_events[0][0])
        x, z, vx, vz = s.y_events[0][0]
        drop = x * math.sin(el_rad) - z * math.cos(el_rad)
        out[r] = (t, math.hypot(vx, vz), drop)
    return out


@pytest.mark.parametrize("el_deg", [0.0, 30.0, 60.0])
def test_time_of_flight_matches_an_independent_integration_at_1_2_3_km(el_deg):
    el = math.radians(el_deg)
    ref = _reference_flight(el)
    tb = gn.default_table()
    for r, (t, v, drop) in ref.items():
        tof = float(gn.tof_at_range(r, el, tb))
        spd, dr = gn._speed_drop(tb, np.array(r), np.array(el))
        assert tof == pytest.approx(t, abs=1 * MS), r
        assert float(spd) == pytest.approx(v, abs=0.5), r  # m/s
        assert float(dr) == pytest.approx(drop, abs=0.1), r  # m


def test_the_30mm_table_is_slower_than_the_constant_muzzle_speed_model():
    # the defect of issue item 2: range/960 m/s underestimates the time of flight, more so
    # the farther the target (drag); at 2 km by more than half a second
    r = np.array([1000.0, 2000.0, 3000.0])
    tof = gn.tof_at_range(r, 0.0)
    assert np.all(tof > r / gn.MUZZLE_VELOCITY_MPS)
    assert tof[1] - 2000.0 / gn.MUZZLE_VELOCITY_MPS > 0.5
    assert np.all(np.diff(tof - r / gn.MUZZLE_VELOCITY_MPS) > 0)


def test_table_is_nan_beyond_its_reach():
    tb = gn.default_table()
    assert np.isnan(gn.tof_at_range(tb.range_m[-1] + 100.0, 0.0, tb))
    assert np.isnan(gn.tof_at_range(-1.0, 0.0, tb))
    assert np.isnan(gn.tof_at_range(np.nan, 0.0, tb))


# ---------------------------------------------------------------------------------------------
# lead


GUN = np.array([100.0, -50.0, 5.0])


def test_stationary_target_gets_the_table_time_of_flight():
    tgt = GUN + np.array([[1500.0, 800.0, 300.0], [0.0, 2500.0, 125.0]])
    s = gn.lead_solution(GUN, tgt, np.zeros(3))
    rng = np.linalg.norm(tgt - GUN, axis=1)
    np.testing.assert_allclose(s.range_m, rng, atol=1e-9)
    np.testing.assert_allclose(s.aim_m, tgt, atol=1e-9)
    np.testing.assert_allclose(s.tof_s, gn.tof_at_range(rng, s.bore_elevation_rad), atol=1e-9)
    assert np.all(s.superelevation_rad > 0)


@pytest.mark.parametrize("speed", [0.0, 244.0, 400.0])
def test_crossing_target_aim_point_is_self_consistent(speed):
    # a cruise missile at 130 m crossing 1.5 km abeam, and one coming straight at the gun
    tgt = GUN + np.array([[3000.0, 1500.0, 125.0], [0.0, 3500.0, 125.0]])
    vel = np.array([[-speed, 0.0, 0.0], [0.0, -speed, 0.0]])
    s = gn.lead_solution(GUN, tgt, vel)
    assert np.all(np.isfinite(s.tof_s))
    np.testing.assert_allclose(s.aim_m, tgt + vel * s.tof_s[:, None], atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(s.aim_m - GUN, axis=1), s.range_m, atol=1e-9)
    np.testing.assert_allclose(gn.tof_at_range(s.range_m, s.bore_elevation_rad), s.tof_s,
                               atol=1 * MS)


def test_lead_of_a_constant_speed_projectile_is_the_quadratic_intercept():
    # no drag, no gravity: |r + v·t| = s·t, (v·v − s²)t² + 2(r·v)t + r·r = 0, smallest t > 0
    s_p = 900.0
    tb = gn.time_of_flight_table(s_p, form_factor=0.0, gravity_mps2=0.0, t_max_s=10.0)
    g = stream(7, "test.gunnery.lead")
    rel = g.uniform([-4000, -4000, 50], [4000, 4000, 3000], size=(50, 3))
    vel = g.uniform(-300, 300, size=(50, 3))
    sol = gn.lead_solution(np.zeros(3), rel, vel, table=tb)
    a = np.einsum("ij,ij->i", vel, vel) - s_p ** 2
    b = 2 * np.einsum("ij,ij->i", rel, vel)
    c = np.einsum("ij,ij->i", rel, rel)
    t = (-b - np.sqrt(b * b - 4 * a * c)) / (2 * a)  # a < 0: the positive root
    ok = s_p * t < tb.range_m[-1]
    assert ok.sum() > 40
    np.testing.assert_allclose(sol.tof_s[ok], t[ok], atol=1 * MS)
    np.testing.assert_allclose(sol.aim_m[ok], rel[ok] + vel[ok] * t[ok, None], atol=1.0)
    np.testing.assert_allclose(sol.superelevation_rad[ok], 0.0, atol=1e-12)


def test_superelevation_matches_the_vacuum_elevation_to_hit_a_ground_point():
    # drag off, gravity on: to land at horizontal distance X, sin 2θ = g·X/v² (low angle)
    v0 = 700.0
    tb = gn.time_of_flight_table(v0, form_factor=0.0, t_max_s=10.0, dt_s=0.005)
    X = np.array([800.0, 1500.0, 2500.0, 3500.0])
    tgt = np.column_stack([np.zeros_like(X), X, np.zeros_like(X)])  # due north, gun height
    s = gn.lead_solution(np.zeros(3), tgt, np.zeros(3), table=tb)
    theta = 0.5 * np.arcsin(G0_MPS2 * X / v0 ** 2)
    np.testing.assert_allclose(s.bore_elevation_rad, theta, atol=0.05 * MRAD)
    np.testing.assert_allclose(s.tof_s, X / (v0 * np.cos(theta)), atol=1 * MS)
    np.testing.assert_allclose(s.azimuth_rad, 0.0, atol=1e-12)


def test_batch_equals_stacked_single_solutions():
    g = stream(3, "test.gunnery.batch")
    rel = g.uniform([-3000, -3000, 30], [3000, 3000, 2000], size=(12, 3))
    vel = g.uniform(-250, 250, size=(12, 3))
    batch = gn.lead_solution(GUN, GUN + rel, vel)
    for i in range(12):
        one = gn.lead_solution(GUN, GUN + rel[i], vel[i])
        np.testing.assert_allclose(one.tof_s, batch.tof_s[i:i + 1], atol=1e-12, equal_nan=True)


def test_a_closing_target_beyond_the_reach_is_met_inside_it():
    # 5 km out, beyond the table's reach, coming at 244 m/s: the burst meets it nearer
    tb = gn.default_table()
    assert tb.range_m[-1] < 5000.0
    for tgt, vel in (([0.0, 5000.0, 130.0], [0.0, -244.0, 0.0]),
                     ([-4000.0, 1500.0, 130.0], [244.0, 0.0, 0.0])):
        s = gn.lead_solution(np.zeros(3), np.array(tgt), np.array(vel), table=tb)
        assert np.isfinite(s.tof_s[0]) and s.range_m[0] < tb.range_m[-1]
        assert float(gn.tof_at_range(s.range_m, s.bore_elevation_rad)[0]) == pytest.approx(
            s.tof_s[0], abs=1 * MS)


def test_a_target_out_of_reach_has_no_solution():
    # 8 km away and running away at 600 m/s: the projectile never catches it
    s = gn.lead_solution(np.zeros(3), np.array([[0.0, 8000.0, 100.0], [0.0, 2000.0, 100.0]]),
                         np.array([[0.0, 600.0, 0.0], [0.0, 0.0, 0.0]]))
    assert np.isnan(s.tof_s[0]) and np.all(np.isnan(s.aim_m[0]))
    assert np.isfinite(s.tof_s[1])


# ---------------------------------------------------------------------------------------------
# burst


def test_independent_rounds_closed_form():
    # σ_a = 0, no offset: every round independent with the Carleton per-round probability
    # p = b²/(b² + σ²), b² = A/2π (models.md "Lethality"); Pk = 1 − (1 − p·p_k|h)^n
    R, A, n, d, q = 2000.0, 3.0, 120, 2e-3, 0.3
    b2, s2 = A / (2 * np.pi), (R * d) ** 2
    p = b2 / (b2 + s2)
    hits, pk = gn.burst_kill_probability(R, A, n, d, 0.0, q)
    assert float(hits) == pytest.approx(n * p, rel=1e-12)
    assert float(pk) == pytest.approx(1 - (1 - p * q) ** n, rel=1e-12)


def test_agrees_with_flight_burst_pk_and_the_circular_normal_circle_when_rounds_independent():
    # flight.burst_pk uses the cookie-cutter circle 1 − exp(−r²/2σ²) (r² = A/π) per round:
    # with x = A/(2πσ²) the two per-round laws differ by at most x²/2, so the burst Pk by at
    # most n·p_k|h·x²/2
    R = np.array([1000.0, 2000.0, 3000.0, 4000.0])
    A, n, d, q = 3.0, 120, 2e-3, 0.3
    _, pk = gn.burst_kill_probability(R, A, n, d, 0.0, q)
    x = A / (2 * np.pi * (R * d) ** 2)
    assert np.all(np.abs(pk - burst_pk(R, A, n, d, 0.0, q)) <= n * q * x ** 2 / 2 + 1e-12)
    # one round, p_k|h = 1: the hit probability of a circle of radius r, 1 − exp(−r²/2σ²)
    r, sig = 0.8, 6.0
    _, p1 = gn.burst_kill_probability(1.0, math.pi * r * r, 1, sig, 0.0, 1.0)
    circle = 1 - math.exp(-r * r / (2 * sig * sig))
    assert float(p1) == pytest.approx(circle, abs=(r * r / (2 * sig * sig)) ** 2 / 2)


def test_poisson_kill_law_for_many_small_chances():
    # n large, p small, σ_a = 0: 1 − (1 − p q)^n → 1 − exp(−E[hits]·q)
    hits, pk = gn.burst_kill_probability(4000.0, 1.0, 400, 3e-3, 0.0, 0.2)
    assert float(pk) == pytest.approx(1 - math.exp(-float(hits) * 0.2), abs=1e-4)


@pytest.mark.parametrize("R, aim_sigma, offset", [(2000.0, 2.0, 0.0), (2000.0, 4.0, 0.0),
                                                  (2000.0, 3.0, 5.0), (250.0, 1.5, 0.0),
                                                  (250.0, 1.5, 1.0)])
def test_common_aim_error_against_monte_carlo_bursts(R, aim_sigma, offset):
    # draw whole bursts: one aim error for the burst, n independent rounds about it, each
    # hitting the Gaussian target with exp(−ρ²/2b²) and killing with p_k|h (at 250 m the aim
    # error is twice the per-round spread: the regime where the common error matters most)
    A, n, d, q = 3.0, 120, 2e-3, 0.3
    g = stream(11, "test.gunnery.bursts")
    m = 20000
    bias = g.normal(0.0, aim_sigma, size=(m, 1, 2)) + np.array([offset, 0.0])
    rounds = bias + g.normal(0.0, R * d, size=(m, n, 2))
    b2 = A / (2 * np.pi)
    p_hit = np.exp(-np.sum(rounds ** 2, axis=2) / (2 * b2))
    hit = g.random((m, n)) < p_hit
    kill = (hit & (g.random((m, n)) < q)).any(axis=1)
    hits, pk = gn.burst_kill_probability(R, A, n, d, aim_sigma, q, offset_m=offset)
    se_h = hit.sum(axis=1).std() / math.sqrt(m)
    assert float(hits) == pytest.approx(hit.sum(axis=1).mean(), abs=4 * se_h)
    assert float(pk) == pytest.approx(kill.mean(), abs=4 * math.sqrt(0.25 / m))
    # the common error lowers the burst Pk below the independent-rounds value of equal E[hits]
    assert float(pk) < 1 - (1 - float(hits) / n * q) ** n


def test_burst_broadcasts_over_targets():
    hits, pk = gn.burst_kill_probability(np.array([1000.0, 3000.0]), np.array([3.0, 12.0]),
                                         120, 2e-3, 1.5, 0.3, offset_m=np.array([0.0, 4.0]))
    assert hits.shape == pk.shape == (2,)
    for i, (r, a, o) in enumerate([(1000.0, 3.0, 0.0), (3000.0, 12.0, 4.0)]):
        h1, p1 = gn.burst_kill_probability(r, a, 120, 2e-3, 1.5, 0.3, offset_m=o)
        assert float(h1) == pytest.approx(hits[i], rel=1e-12)
        assert float(p1) == pytest.approx(pk[i], rel=1e-12)
