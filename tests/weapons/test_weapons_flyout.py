"""Interceptor motion, aim points and the end game against closed forms."""

import numpy as np
import pytest

from skyshield.engine.rng import stream
from skyshield.physics.lethality import sspk_circular_normal
from skyshield.weapons.flyout import Interceptors, aim_points, end_game


def test_aim_point_is_on_the_target_path_and_reachable():
    pos = np.zeros((1, 3))
    st = np.array([[30e3, 10e3, 2e3, -200.0, 50.0, 0.0]])
    pip, tgo = aim_points(pos, np.array([900.0]), st)
    # the interceptor covers |pip| at 900 m/s in the time the target takes to get there
    assert np.linalg.norm(pip[0]) == pytest.approx(900.0 * tgo[0])
    assert np.linalg.norm(pip[0] - st[0, :3]) == pytest.approx(
        np.linalg.norm(st[0, 3:]) * tgo[0])
    # and the target's path passes through it (cross product of offset and velocity vanishes)
    assert np.linalg.norm(np.cross(pip[0] - st[0, :3], st[0, 3:])) < 1e-6 * np.linalg.norm(
        pip[0])


def test_advance_moves_from_the_launch_instant_and_never_overshoots():
    ic = Interceptors()
    ic.launch(0, 0, 1, 0.4, np.zeros(3), np.array([1000.0, 0, 0]), 800.0, 10.0)
    assert ic.time_to_aim(ic.in_flight())[0] == pytest.approx(1.25)
    ic.advance(ic.in_flight(), 0.5)  # launched at 0.4 s: 0.1 s of flight, not a whole step
    np.testing.assert_allclose(ic.pos_m[0], [80.0, 0, 0])
    ic.advance(ic.in_flight(), 5.0)
    np.testing.assert_allclose(ic.pos_m[0], [1000.0, 0, 0])


def test_end_game_kill_rate_is_b2_over_b2_plus_sigma2():
    """Gaussian damage function vs circular-normal miss: SSPK = b²/(b²+σ²) (models.md)."""
    b, sigma = 12.0, 9.0
    rng = stream(1, "test-endgame")
    target = np.array([[0.0, 0.0, 0.0]])
    n = 20000
    kills = sum(end_game(np.zeros(3), target, np.array([True]), 100.0, sigma, b, rng).killed
                for _ in range(n))
    p = float(sspk_circular_normal(b, sigma))
    assert p == pytest.approx(144 / 225)
    assert abs(kills / n - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_end_game_accuracy_halves_at_the_edge_of_the_basket():
    """A vehicle acquired at the basket's edge: σ doubles, so SSPK = b²/(b²+(2σ)²)."""
    b, sigma, basket = 12.0, 6.0, 400.0
    rng = stream(2, "test-endgame-edge")
    target = np.array([[basket, 0.0, 0.0]])
    n = 20000
    kills = sum(end_game(np.zeros(3), target, np.array([True]), basket, sigma, b, rng).killed
                for _ in range(n))
    p = float(sspk_circular_normal(b, 2 * sigma))
    assert p == pytest.approx(144 / 288)
    assert abs(kills / n - p) < 4 * np.sqrt(p * (1 - p) / n)


def test_end_game_acquires_the_nearest_live_vehicle_in_the_basket():
    pts = np.array([[500.0, 0, 0], [50.0, 0, 0], [10.0, 0, 0]])
    alive = np.array([True, True, False])
    eg = end_game(np.zeros(3), pts, alive, 100.0, 1.0, 50.0, stream(0, "x"))
    assert eg.victim == 1
    eg = end_game(np.zeros(3), pts, np.array([True, False, False]), 100.0, 1.0, 50.0,
                  stream(0, "x"))
    assert eg.victim == -1 and not eg.killed and "basket" in eg.reason
