"""Threats that fight back: weave, terminal pop-up and break, against their closed forms, on
the kernel and through the simulation's truth."""

import numpy as np
import pytest

import skyshield
from skyshield.engine.motion import manoeuvre_offsets, table_state
from skyshield.scenario.schema import Manoeuvre
from skyshield.sim.run import Simulation
from skyshield.sim.world import compile_world

V = np.array([[220.0, 0.0, 0.0]])  # a straight route along +x


def _off(t, kind, a, b, t_ref=0.0, go=1e9):
    return manoeuvre_offsets(t, V, np.array([kind]), np.array([a]), np.array([b]),
                             np.array([t_ref]), np.array([go]))


def _second_derivative(f, t, h=1e-3):
    return (f(t + h) - 2 * f(t) + f(t - h)) / h**2


def test_weave_amplitude_rate_and_acceleration():
    A, P = 150.0, 20.0
    ts = np.linspace(0, 40, 801)
    y = np.array([_off(t, 1, A, P)[0][0, 1] for t in ts])
    assert y.max() == pytest.approx(A, rel=1e-4) and y.min() == pytest.approx(-A, rel=1e-4)
    # the velocity offset is the derivative of the position offset
    for t in (3.0, 7.7, 12.1):
        dv = _off(t, 1, A, P)[1][0, 1]
        fd = (_off(t + 1e-4, 1, A, P)[0][0, 1] - _off(t - 1e-4, 1, A, P)[0][0, 1]) / 2e-4
        assert dv == pytest.approx(fd, rel=1e-6)
    # peak lateral acceleration A(2π/P)² at the extremes
    acc = _second_derivative(lambda t: _off(t, 1, A, P)[0][0, 1], P / 4)
    assert abs(acc) == pytest.approx(A * (2 * np.pi / P) ** 2, rel=1e-4)


def test_popup_climbs_to_its_height_halfway_and_lands_on_the_target():
    H, R = 300.0, 8000.0
    assert _off(0, 2, H, R, go=R / 2)[0][0, 2] == pytest.approx(H)
    assert _off(0, 2, H, R, go=1e-9)[0][0, 2] == pytest.approx(0.0, abs=1e-6)
    assert _off(0, 2, H, R, go=R + 1)[0][0, 2] == 0.0
    # climbing before the top, at |v_h|·H·π/R at the start of the pop-up
    assert _off(0, 2, H, R, go=R - 1e-9)[1][0, 2] == pytest.approx(220.0 * H * np.pi / R)


def test_break_is_a_g_limited_jink_that_ends_where_it_began():
    g, T, t0 = 5 * 9.80665, 8.0, 100.0
    B = 2 * g * (T / (2 * np.pi)) ** 2
    assert _off(t0 - 1, 3, g, T, t_ref=t0)[0][0, 1] == 0.0
    assert _off(t0 + T / 2, 3, g, T, t_ref=t0)[0][0, 1] == pytest.approx(B)
    assert _off(t0 + T, 3, g, T, t_ref=t0)[0][0, 1] == pytest.approx(0.0, abs=1e-9)
    assert _off(t0 + T + 5, 3, g, T, t_ref=t0)[0][0, 1] == 0.0
    acc = _second_derivative(lambda t: _off(t, 3, g, T, t_ref=t0)[0][0, 1], t0 + T / 2)
    assert abs(acc) == pytest.approx(g, rel=1e-4)


def test_simulation_truth_carries_the_manoeuvres():
    sc = skyshield.load_scenario("slavic-shield-2019")
    raids = dict(sc.raids)
    raids["cm_west"] = raids["cm_west"].model_copy(
        update={"manoeuvre": Manoeuvre(kind="weave", amplitude=120.0, period=15.0)})
    threats = dict(sc.threats)
    threats["strike_1"] = threats["strike_1"].model_copy(
        update={"manoeuvre": Manoeuvre(kind="break", g=6.0, duration=6.0)})
    sc = sc.model_copy(update={"raids": raids, "threats": threats})
    world = compile_world(sc)
    sim = Simulation(world, 1)
    v = world.vehicles
    cm = [i for i, n in enumerate(v.name) if n.startswith("cm_west")]
    strike = v.name.index("strike_1")
    dev = []
    for t in np.arange(v.t_start_s[cm[0]] + 1, v.t_start_s[cm[0]] + 200, 0.5):
        pos = sim.state(float(t))[0]
        ref = table_state(sim.truth.routes, float(t))[0]
        dev.append(np.linalg.norm(pos[cm[0]] - ref[cm[0]]))
    assert max(dev) == pytest.approx(120.0, rel=0.01)
    # the striker breaks only once it has seen a launch
    t = float(v.t_start_s[strike]) + 60.0
    assert np.allclose(sim.state(t)[0][strike], table_state(sim.truth.routes, t)[0][strike])
    sim.truth.start_break(strike, t)
    off = np.linalg.norm(sim.state(t + 3.0)[0][strike] - table_state(sim.truth.routes, t + 3.0)[0][
        strike])
    assert off == pytest.approx(2 * 6 * 9.80665 * (6.0 / (2 * np.pi)) ** 2, rel=0.01)


@pytest.mark.slow  # the built-in exercise, 40 minutes of it
def test_an_exercise_with_every_manoeuvre_runs_and_balances():
    sc = skyshield.load_scenario("slavic-shield-2019")
    raids = {k: r.model_copy(update={"manoeuvre": Manoeuvre(
        kind="weave" if k == "cm_west" else "popup")}) for k, r in sc.raids.items()}
    threats = {k: (r.model_copy(update={"manoeuvre": Manoeuvre(kind="break")})
                   if k.startswith("strike") else r) for k, r in sc.threats.items()}
    sc = sc.model_copy(update={"raids": raids, "threats": threats, "duration": 2400.0})
    r = skyshield.run(sc, seed=5)
    ev, s = r.events, r.summary
    assert np.all(np.diff(ev["t_s"].to_numpy()) >= 0)
    assert s["threats_destroyed"] + s["threats_leaked"] + s["threats_survived"] == \
        s["threats_total"]
    ends = ev[ev["kind"].isin(["intercept", "interceptor_lost"])]
    assert ends["weapon_id"].is_unique  # every interceptor ends once
    assert set(ends["weapon_id"]) <= set(ev.loc[ev["kind"] == "launch", "weapon_id"])
