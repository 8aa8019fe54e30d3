"""Interceptors that fly: the flyout engine, its fuze, its losses, the damage function, and the
catalogue airframes against their published range and altitude figures."""

import numpy as np
import pytest

from skyshield.engine.rng import stream
from skyshield.physics.flight import FlightState
from skyshield.physics.kinematics import intercept_time_table
from skyshield.physics.lethality import gaussian_pk, sspk_circular_normal
from skyshield.scenario.catalogue import figure_values, load_catalogue
from skyshield.weapons.envelope import (
    fly_straight,
    missile_envelope,
    missile_reach_table,
)
from skyshield.weapons.flyout import MIN_ARRIVAL_MPS, airframe_table, fly, terminal_reach_m


def _af(name="57E6E"):
    v = figure_values(load_catalogue().missiles[name])
    return airframe_table([v["airframe"]]), v


def _state(n, pos, vel, mass):
    return FlightState(np.tile(pos, (n, 1)).astype(float), np.tile(vel, (n, 1)).astype(float),
                       np.full(n, mass), np.zeros((n, 3)), np.zeros(n))


def test_gaussian_damage_kill_rate_is_b2_over_b2_plus_sigma2():
    """Gaussian damage function against a circular-normal miss: SSPK = b²/(b²+σ²) (models.md),
    Monte Carlo of Rayleigh miss radii within four binomial standard errors."""
    b, sigma, n = 12.0, 9.0, 200_000
    rng = stream(1, "test-endgame")
    miss = np.hypot(*rng.normal(0, sigma, (2, n)))
    kills = rng.random(n) < gaussian_pk(miss, b)
    p = float(sspk_circular_normal(b, sigma))
    assert p == pytest.approx(144 / 225)
    assert abs(kills.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_flyout_homes_and_fuzes_at_the_closest_approach():
    af1, v = _af("57E6E")
    n = 3
    af = af1.take(np.zeros(n, dtype=int))
    s = _state(n, [0, 0, 5.0], [30.0, 0, 30.0], af1.mass0_kg[0])
    t0 = np.array([[8000.0, 0, 1000], [7000.0, 2000, 300], [9000.0, -1000, 3000]])
    tv = np.array([[-250.0, 0, 0], [-200.0, -100, 0], [-300.0, 50, 0]])

    def tgt(t):
        return t0 + tv * t, tv

    fuzed = {}
    t = 0.0
    while len(fuzed) < n and t < 60:
        s, fz, lost = fly(af, s, np.full(n, 4.0), np.zeros(n), tgt, tgt, np.zeros(n, bool), t,
                          0.5)
        assert not lost.any()
        for r, tf, m in zip(fz.rows, fz.t_s, fz.miss_m, strict=True):
            fuzed.setdefault(int(r), (tf, m))  # the first fuzing is the detonation
        t += 0.5
    assert len(fuzed) == n
    for tf, miss in fuzed.values():
        assert miss < v["lethal_radius_m"]  # perfect knowledge: well inside the lethal radius
        assert 5.0 < tf < 40.0


def test_a_fast_crossing_target_never_passes_through_a_step_unseen():
    """Closing at 3 km/s, 150 m per 0.05 s step: the fuze still finds the closest approach
    inside the step (a point-wise check at step ends would see ≥ 75 m)."""
    af1, v = _af("48N6E3")
    s = _state(1, [0, 0, 10000.0], [1500.0, 0, 0], af1.mass0_kg[0] - 900)
    s.t_flight_s[:] = 100.0  # burnt out: no thrust, so the closure stays near 3 km/s

    def tgt(t):
        p = np.array([[6000.0 - 1500.0 * t, 3.0, 10000.0 + 2.0]])
        return p, np.array([[-1500.0, 0, 0]])

    s, fz, _ = fly(af1, s, np.array([4.0]), np.zeros(1), tgt, tgt, np.zeros(1, bool), 0.0, 3.0)
    assert fz.rows.size == 1
    assert fz.miss_m[0] < 5.0
    assert fz.t_s[0] == pytest.approx(2.0, abs=0.05)  # drag slows it a little


def test_flyout_losses_into_the_ground_and_out_of_energy():
    af1, _ = _af("57E6E")
    # pointed down at 100 m: the ground
    s = _state(1, [0, 0, 100.0], [0.0, 0, -300.0], af1.mass0_kg[0])
    far = lambda t: (np.array([[1e6, 0, 0]]), np.zeros((1, 3)))  # noqa: E731
    _, fz, lost = fly(af1, s, np.array([4.0]), np.zeros(1), far, far, np.zeros(1, bool), 0.0,
                      2.0, ground_alt_m=0.0)
    assert lost[0] and fz.rows.size == 0
    # burnt out and slow: too slow to manoeuvre
    s = _state(1, [0, 0, 3000.0], [200.0, 0, 0], af1.mass0_kg[0] - af1.propellant_kg[0])
    s.t_flight_s[:] = 30.0
    _, _, lost = fly(af1, s, np.array([4.0]), np.zeros(1), far, far, np.zeros(1, bool), 30.0,
                     0.5)
    assert lost[0]


@pytest.mark.parametrize("name", ["48N6E3", "40N6E", "9M96E2", "9M96E", "57E6E", "5V27", "3M9"])
def test_catalogue_airframes_reproduce_the_published_range_and_altitude(name):
    """Each airframe reaches its catalogue range — arriving at ≥ 500 m/s — within one grid
    step (5 %) below, and its catalogue altitude. Its kinematic reach may lie beyond the
    catalogue (engagement) range — fire control takes the smaller of the two — since the
    airframes are calibrated to their public speeds as well (bench/airframe_calibration.py,
    tests/fidelity/test_missile_speed.py); an upper bound here had forced them slow."""
    _, v = _af(name)
    tb = missile_reach_table(v)
    ok = np.isfinite(tb.tof_s) & (tb.speed_mps >= MIN_ARRIVAL_MPS)
    reach = tb.range_m[ok.any(axis=1)].max()
    top = tb.height_m[ok.any(axis=0)].max()
    assert reach >= 0.9 * v["max_range_m"]
    assert top >= v["max_alt_m"]
    # time of flight grows with range along the best height (where the table switches to a
    # programme with more energy in hand it may be up to 2 % quicker than the cell before),
    # up to the catalogue range (fire control uses no more of the table)
    j = int(np.argmax(ok.sum(axis=0)))
    col = tb.tof_s[ok[:, j] & (tb.range_m <= v["max_range_m"]), j]
    assert np.all(np.diff(col) > -0.02 * col[1:]) and col[-1] > 1.5 * col[0]


def test_launch_envelope_shrinks_against_a_crossing_path():
    _, v = _af("57E6E")
    env = missile_envelope(v, 250.0, 50.0, nx=14, ny=6, sub_step_s=0.05)
    assert env.ok.any()
    reach = [env.x_m[env.ok[:, j]].max() if env.ok[:, j].any() else 0.0
             for j in range(env.y_m.size)]
    assert reach[0] > 0.5 * v["max_range_m"]  # head-on: far out
    assert reach[-1] < reach[0]  # a wide crossing path: less


@pytest.mark.parametrize("name", ["48N6E3", "40N6E", "9M96E2", "9M96E"])
def test_lofted_envelopes_against_a_low_target_have_no_gap(name):
    """Head-on against a cruise missile at 50 m: the launch ranges that succeed form one
    interval (the catalogue loft alone left 48N6E3 a hole from about 40 to 140 km: too slow
    on arrival after a shallow loft), and more than one trajectory programme is needed."""
    _, v = _af(name)
    env = missile_envelope(v, 250.0, 50.0, nx=24, ny=1, sub_step_s=0.1)
    ok = env.ok[:, 0]
    first, last = np.flatnonzero(ok)[[0, -1]]
    assert ok[first:last + 1].all()
    assert env.x_m[last] >= 0.2 * v["max_range_m"]
    assert np.unique(env.loft[ok, 0]).size > 1


@pytest.mark.parametrize("name", ["48N6E3", "9M96E2", "57E6E"])
def test_fire_control_intercept_time_is_the_flyouts(name):
    """The intercept time fire control plans with — the reach table's time of flight to the
    predicted point, ``intercept_time_table`` — against flying the same engagement (launched
    toward that point under the programme the table chose): head-on, crossing, low and high,
    within 6 % or 2 s."""
    _, v = _af(name)
    a = v["airframe"]
    tb = missile_reach_table(v)
    R = v["max_range_m"]
    tgt0 = np.array([[0.3 * R, 0.0, 50.0], [0.6 * R, 0.15 * R, 3000.0],
                     [0.4 * R, -0.2 * R, 8000.0], [0.3 * R, 0.05 * R, 12000.0]])
    tgt0[:, 2] = np.minimum(tgt0[:, 2], 0.8 * v["max_alt_m"])
    tv = np.array([[-250.0, 0, 0], [-200.0, -120, 0], [-300.0, 60, 0], [-150.0, 0, 0]])
    tof = intercept_time_table(tgt0, tv, tb.range_m, tb.height_m, tb.tof_s, tb.max_tof_s())
    assert np.isfinite(tof).all()
    pip = tgt0 + tv * tof[:, None]
    loft = tb.loft_at(np.hypot(pip[:, 0], pip[:, 1]), pip[:, 2], a["loft"])
    t_fz, miss, speed = fly_straight(_af(name)[0], a["nav_ratio"], loft, tgt0, tv,
                                     3 * tof.max(), 0.5, 0.05,
                                     float(terminal_reach_m(a["seeker_range_m"])),
                                     t_intercept_s=tof)
    assert np.all(miss <= v["lethal_radius_m"]) and np.all(speed >= MIN_ARRIVAL_MPS)
    assert np.all(np.abs(t_fz - tof) <= np.maximum(0.06 * tof, 2.0)), (t_fz, tof)
