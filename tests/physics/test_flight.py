"""Point-mass flight and proportional navigation against closed forms (Zarchan, Tactical and
Strategic Missile Guidance, 6th ed.: ch. 2 zero-lag PN, ch. 8 the step-manoeuvre response)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from skyshield.physics import flight
from skyshield.physics.atmosphere import G0_MPS2, isa
from skyshield.physics.flight import (
    FUZED,
    Airframe,
    FlightState,
    burst_pk,
    cpa_in_step,
    fly_guided,
    hit_probability_circle,
    lateral_limit,
    rk4_step,
    true_pn,
)
from skyshield.physics.kinematics import cpa


def _airframe(n=1, tau=0.0, thrust=0.0, n_max=1e6, cn_max=1e6):
    f = lambda v: np.full(n, float(v))  # noqa: E731
    return Airframe(mass0_kg=f(100), propellant_kg=f(0), thrust_boost_n=f(thrust),
                    t_boost_s=f(1e9), thrust_sustain_n=f(0), t_sustain_s=f(0), isp_s=f(250),
                    ref_area_m2=f(0.05), cd_scale=f(1), n_max_g=f(n_max), cn_max=f(cn_max),
                    tau_s=f(tau))


def _state(pos, vel):
    pos, vel = np.atleast_2d(pos).astype(float), np.atleast_2d(vel).astype(float)
    n = pos.shape[0]
    return FlightState(pos, vel, np.full(n, 100.0), np.zeros((n, 3)), np.zeros(n))


def test_vacuum_ballistic_flight_is_the_parabola():
    af = _airframe()
    p0, v0 = np.array([0.0, 0.0, 100.0]), np.array([300.0, 50.0, 400.0])
    s = _state(p0, v0)
    dt, n = 0.05, 1000
    for _ in range(n):
        s = rk4_step(af, s, np.zeros((1, 3)), dt, drag=False)
    t = dt * n
    expected = p0 + v0 * t + 0.5 * np.array([0, 0, -G0_MPS2]) * t**2
    np.testing.assert_allclose(s.pos_m[0], expected, rtol=1e-12, atol=1e-7)
    np.testing.assert_allclose(s.vel_mps[0], v0 + np.array([0, 0, -G0_MPS2]) * t, atol=1e-9)


@pytest.mark.parametrize("tau", [0.0, 0.2])
def test_drag_free_manoeuvring_flight_conserves_energy(tau):
    """Lateral acceleration does no work: with thrust and drag off, KE + PE stays constant
    through a 5 g horizontal turn and a pull-up."""
    af = _airframe(tau=tau)
    s = _state([0, 0, 5000.0], [600.0, 0.0, 100.0])
    e0 = 0.5 * np.sum(s.vel_mps**2) + G0_MPS2 * s.pos_m[0, 2]
    for k in range(2000):
        cmd = np.array([[0.0, 5 * G0_MPS2, 0.0]]) if k < 1000 else np.array([[0, 0, 3 * G0_MPS2]])
        s = rk4_step(af, s, cmd, 0.01, drag=False)
    e1 = 0.5 * np.sum(s.vel_mps**2) + G0_MPS2 * s.pos_m[0, 2]
    assert abs(e1 - e0) / e0 < 1e-7
    assert np.linalg.norm(s.vel_mps[0, :2]) > 0  # it did turn
    assert abs(np.degrees(np.arctan2(s.vel_mps[0, 1], s.vel_mps[0, 0]))) > 20


def _engage(n_prime, tau, nT_g, t_start_manoeuvre=0.0, dt=0.002, r0=15000.0, vm=1000.0,
            vt=500.0):
    """Head-on engagement, missile along +x, target along −x; the target steps to nT (along +y)
    at ``t_start_manoeuvre``. Gravity, drag and limits off: Zarchan's linear engagement."""
    af = _airframe(tau=tau)
    s = _state([0, 0, 0], [vm, 0, 0])
    tp, tv = np.array([r0, 0.0, 0.0]), np.array([-vt, 0.0, 0.0])
    t, cmds, prev = 0.0, [], tp - s.pos_m[0]
    while True:
        a_t = np.array([0.0, nT_g * G0_MPS2, 0.0]) if t >= t_start_manoeuvre else np.zeros(3)
        cmd = true_pn((tp - s.pos_m[0])[None], (tv - s.vel_mps[0])[None], n_prime)
        cmds.append((t, cmd[0, 1]))
        s = rk4_step(af, s, cmd, dt, drag=False, gravity=False, limit=False)
        tp, tv = tp + tv * dt + 0.5 * a_t * dt**2, tv + a_t * dt
        t += dt
        rel = tp - s.pos_m[0]
        if np.dot(rel, tv - s.vel_mps[0]) > 0:  # opening: the closest approach was in this step
            _, miss = cpa_in_step(prev[None], rel[None], dt)
            return float(miss[0]), np.array(cmds), t
        prev = rel


def test_ideal_pn_has_zero_miss_against_a_straight_target():
    # a crossing target (off-axis start), ideal true PN: the miss goes to zero
    af = _airframe()
    s = _state([0, 0, 0], [900.0, 0, 0])
    tp, tv = np.array([12000.0, 3000.0, 500.0]), np.array([-200.0, -150.0, 0.0])
    dt, prev = 0.002, tp - s.pos_m[0]
    for _ in range(20000):
        cmd = true_pn((tp - s.pos_m[0])[None], (tv - s.vel_mps[0])[None], 4.0)
        s = rk4_step(af, s, cmd, dt, drag=False, gravity=False, limit=False)
        tp = tp + tv * dt
        rel = tp - s.pos_m[0]
        if np.dot(rel, tv - s.vel_mps[0]) > 0:
            break
        prev = rel
    _, miss = cpa_in_step(prev[None], rel[None], dt)
    assert miss[0] < 0.05


@pytest.mark.parametrize("n_prime", [3.0, 4.0, 5.0])
def test_step_manoeuvre_command_follows_zarchans_closed_form(n_prime):
    """Zero lag, step target manoeuvre nT at t = 0: a_c(t)/nT = N′/(N′−2)·[1 − (1 − t/tf)^(N′−2)]
    (Zarchan ch. 8), reaching N′/(N′−2) at intercept; the miss is zero."""
    miss, cmds, tf = _engage(n_prime, 0.0, 1.0)
    assert miss < 0.5
    nT = G0_MPS2
    for frac in (0.3, 0.6, 0.9, 0.98):
        k = np.searchsorted(cmds[:, 0], frac * tf)
        expected = n_prime / (n_prime - 2) * (1 - (1 - cmds[k, 0] / tf) ** (n_prime - 2))
        assert cmds[k, 1] / nT == pytest.approx(expected, rel=0.03, abs=0.02)


def _zarchan_linear_miss(n_prime, tau, nT, tf, t_manoeuvre, vc, dt=1e-4):
    """Zarchan's linearised engagement (ch. 8), integrated independently: relative lateral
    position y'' = nT − a_M, a_M' = (a_c − a_M)/τ, a_c = N′·Vc·λ̇, λ̇ = (y + ẏ·tgo)/(Vc·tgo²)."""
    y = yd = am = t = 0.0
    while t < tf - 1e-9:
        tgo = max(tf - t, 1e-6)
        ac = n_prime * vc * (y + yd * tgo) / (vc * tgo * tgo)
        ydd = (nT if t >= t_manoeuvre else 0.0) - am
        y, yd, am = y + yd * dt, yd + ydd * dt, am + (ac - am) / tau * dt
        t += dt
    return abs(y)


def test_miss_grows_with_guidance_lag_as_in_the_linear_model():
    """A 3 g step 1.5 s before intercept: the 3-DoF miss equals the miss of Zarchan's linear
    engagement with the same first-order lag, and grows with the lag."""
    taus = (0.3, 0.6, 1.0)
    misses = [_engage(4.0, tau, 3.0, t_start_manoeuvre=8.5)[0] for tau in taus]
    linear = [_zarchan_linear_miss(4.0, tau, 3 * G0_MPS2, 10.0, 8.5, 1500.0) for tau in taus]
    for m, lin in zip(misses, linear, strict=True):
        assert m == pytest.approx(lin, rel=0.1, abs=0.02)
    assert misses[0] < misses[1] < misses[2] and misses[2] > 3.0
    assert _engage(4.0, 0.02, 3.0, t_start_manoeuvre=8.5)[0] < 0.01  # many lags to go: no miss


def test_cpa_in_step_matches_the_constant_velocity_cpa():
    rng = np.random.default_rng(4)
    r0 = rng.normal(0, 200, (500, 3))
    v = rng.normal(0, 1500, (500, 3))
    dt = 0.1
    t, d = cpa_in_step(r0, r0 + v * dt, dt)
    t_ref, d_ref = cpa(r0, v)
    inside = t_ref <= dt
    np.testing.assert_allclose(t[inside], t_ref[inside], atol=1e-12)
    np.testing.assert_allclose(d[inside], d_ref[inside], rtol=1e-9)
    # outside the step: the end point, never a point past it
    np.testing.assert_allclose(d[~inside], np.linalg.norm(r0 + v * dt, axis=1)[~inside],
                               rtol=1e-9)


def test_lateral_limit_falls_with_dynamic_pressure():
    af = _airframe(n_max=30.0, cn_max=20.0)
    low = lateral_limit(af, np.array([800.0]), np.array([0.0]), np.array([100.0]))
    high = lateral_limit(af, np.array([800.0]), np.array([25000.0]), np.array([100.0]))
    assert low[0] == pytest.approx(30 * G0_MPS2)  # structural limit near the ground
    # at 25 km: C_N·q·S/m with the ISA density (0.040084 kg/m³, US Standard Atmosphere 1976)
    assert high[0] == pytest.approx(20 * 0.5 * 0.040084 * 800**2 * 0.05 / 100, rel=1e-3)


def test_gun_hit_and_burst_probabilities_against_monte_carlo():
    rng = np.random.default_rng(11)
    area, sigma = 1.5, 1.2
    pts = rng.normal(0, sigma, (400_000, 2))
    inside = (np.sum(pts**2, axis=1) <= area / np.pi).mean()
    p = float(hit_probability_circle(area, sigma))
    assert inside == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 400_000))
    # a burst: rounds independent, each hit kills with p_k|h
    R, disp, aim, n, pkh = 2000.0, 1e-3, 1.0, 60, 0.2
    pk = float(burst_pk(R, area, n, disp, aim, pkh))
    sig = np.hypot(R * disp, aim)
    bursts = 20_000
    hits = rng.normal(0, sig, (bursts, n, 2))
    kill = ((np.sum(hits**2, axis=2) <= area / np.pi) & (rng.random((bursts, n)) < pkh)).any(axis=1)
    assert kill.mean() == pytest.approx(pk, abs=4 * np.sqrt(pk * (1 - pk) / bursts))


def _ivp_rhs(t, y, p, a_cmd):
    """The point-mass equations written out independently (numpy, the exact ISA), for SciPy."""
    v, m, a_l = y[3:6], y[6], y[7:10]
    speed = np.linalg.norm(v)
    u = v / speed
    thrust = p["Tb"] if t < p["tb"] else (p["Ts"] if t < p["tb"] + p["ts"] else 0.0)
    _, _, rho, a_snd = isa(y[2])
    drag = 0.5 * rho * speed**2 * p["S"] * np.interp(speed / a_snd, flight._CD_MACH,
                                                   flight._CD_VALUE)

    def perp(x):
        return x - np.dot(x, u) * u

    acc = (thrust - drag) / m * u + perp(a_l) + np.array([0.0, 0.0, -G0_MPS2])
    return np.concatenate([v, acc, [-thrust / (G0_MPS2 * p["isp"])],
                           (perp(a_cmd) - a_l) / p["tau"]])


def test_powered_manoeuvring_flight_with_drag_matches_scipy_solve_ivp():
    """Boost, sustain and coast through the ISA with drag, a lagged 4.5 g command and mass
    flow: 20 s of RK4 at 0.05 s against SciPy's DOP853 (rtol 1e-11) on the same equations
    written out independently, each motor phase integrated as its own piece."""
    p = dict(m0=300.0, prop=150.0, Tb=60e3, tb=3.0, Ts=12e3, ts=6.0, isp=240.0,
             S=np.pi * 0.2**2 / 4, tau=0.2)
    af = Airframe(*(np.array([x]) for x in (p["m0"], p["prop"], p["Tb"], p["tb"], p["Ts"],
                                            p["ts"], p["isp"], p["S"], 1.0, 1e3, 1e3, p["tau"])))
    a_cmd = np.array([0.0, 40.0, 20.0])
    y = np.array([0, 0, 100.0, 30.0, 0, 30.0, p["m0"], 0, 0, 0])
    s = FlightState(y[None, :3].copy(), y[None, 3:6].copy(), y[None, 6:7].copy(),
                    np.zeros((1, 3)), np.zeros(1))
    for a, b in ((0.0, 3.0), (3.0, 9.0), (9.0, 20.0)):
        y = solve_ivp(_ivp_rhs, (a, b), y, method="DOP853", rtol=1e-11, atol=1e-9,
                      args=(p, a_cmd)).y[:, -1]
    for _ in range(400):
        s = rk4_step(af, s, a_cmd[None], 0.05, limit=False)
    # 8.5 km up and 10.7 km out at 630 m/s; the propellant burnt is T·t/(g0·Isp) exactly
    assert np.linalg.norm(s.pos_m[0] - y[:3]) < 0.05  # metres
    assert np.linalg.norm(s.vel_mps[0] - y[3:6]) < 0.005  # m/s
    assert s.mass_kg[0] == pytest.approx(p["m0"] - (p["Tb"] * p["tb"] + p["Ts"] * p["ts"])
                                         / (G0_MPS2 * p["isp"]), abs=1e-6)
    np.testing.assert_allclose(s.a_lat_mps2[0], y[7:10], atol=1e-3)


def test_guided_rows_fly_alone_as_they_fly_together():
    """fly_guided on a batch equals each row flown on its own (rows are independent), and a
    row's fuze instant, miss and position come from the closest approach inside its step."""
    rng = np.random.default_rng(5)
    n, k, h = 12, 300, 0.05
    af = _airframe(n, tau=0.15, thrust=5e3, n_max=30.0, cn_max=25.0)
    s = _state(np.zeros((n, 3)), rng.normal([600.0, 0, 150], [50, 80, 40], (n, 3)))
    tgt0 = rng.uniform([5e3, -2e3, 500], [9e3, 2e3, 4e3], (n, 3))
    tv = rng.normal([-250.0, 0, 0], 40.0, (n, 3))
    times = h * np.arange(k + 1)
    tp = tgt0[None] + tv[None] * times[:, None, None]
    tvv = np.broadcast_to(tv, tp.shape)
    nav, loft, mid = np.full(n, 4.0), np.zeros(n), np.zeros(n, dtype=bool)
    whole, res = fly_guided(af, s, nav, loft, mid, tp, tvv, tp, 0.0, h, 300.0, 0.0)
    for i in range(n):
        one, r1 = fly_guided(af.take([i]), _state(s.pos_m[i], s.vel_mps[i]), nav[i:i + 1],
                             loft[i:i + 1], mid[i:i + 1], tp[:, i:i + 1], tvv[:, i:i + 1],
                             tp[:, i:i + 1], 0.0, h, 300.0, 0.0)
        assert r1.status[0] == res.status[i]
        np.testing.assert_array_equal(one.pos_m[0], whole.pos_m[i])
        np.testing.assert_array_equal(one.vel_mps[0], whole.vel_mps[i])
    # at each fuze: the missile position given is the point of closest approach to the target
    fz = np.flatnonzero(res.status == FUZED)
    assert fz.size > 0
    tgt_at = tgt0[fz] + tv[fz] * res.t_fuze_s[fz][:, None]
    np.testing.assert_allclose(np.linalg.norm(tgt_at - res.pos_fuze_m[fz], axis=1),
                               res.miss_m[fz], atol=0.5)
