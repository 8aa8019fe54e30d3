"""Scheduler ordering, named random streams and closed-form route motion."""

import numpy as np
import pytest

from skyshield.engine.motion import build_route_table, route_state, table_state
from skyshield.engine.rng import stream
from skyshield.engine.scheduler import Scheduler
from skyshield.geo import WGS84_A_M


def test_scheduler_orders_by_time_then_priority_then_insertion():
    s = Scheduler()
    s.at(5.0, 2, "c")
    s.at(1.0, 9, "a")
    s.at(5.0, 1, "b")
    s.at(5.0, 2, "d")
    assert [s.pop()[1] for _ in range(4)] == ["a", "b", "c", "d"]
    assert s.now == 5.0


def test_scheduler_refuses_the_past():
    s = Scheduler()
    s.at(3.0, 0, "x")
    s.pop()
    with pytest.raises(ValueError, match="past"):
        s.at(2.0, 0, "y")


def test_streams_are_reproducible_and_independent_of_creation_order():
    a1 = stream(42, "radar:A").random(5)
    stream(42, "radar:B").random(5)
    a2 = stream(42, "radar:A").random(5)
    np.testing.assert_array_equal(a1, a2)
    assert not np.array_equal(a1, stream(42, "radar:B").random(5))
    assert not np.array_equal(a1, stream(43, "radar:A").random(5))
    with pytest.raises(ValueError):
        stream(-1, "x")


def _equator_route(speed_mps: float, dlon_deg: float, h_m: float):
    lon = np.radians([0.0, dlon_deg])
    chord = 2 * (WGS84_A_M + h_m) * np.sin(np.radians(dlon_deg) / 2)  # circle of radius a + h
    t_end = chord / speed_mps
    wp_t = np.array([0.0, t_end])
    return wp_t, np.zeros(2), lon, np.full(2, h_m), chord, t_end


ONE = np.array([0, 2])  # wp_start of one route of two waypoints


def test_route_motion_on_the_equator_matches_the_circle():
    wp_t, lat, lon, alt, chord, t_end = _equator_route(250.0, 1.0, 100.0)
    origin = (0.0, 0.0, 0.0)
    # at the ends: exactly the waypoints (origin is the first waypoint's foot point)
    p0, _, _ = route_state(wp_t, lat, lon, alt, ONE, 0.0, origin)
    np.testing.assert_allclose(p0[0], [0.0, 0.0, 100.0], atol=1e-6)
    p1, _, a1 = route_state(wp_t, lat, lon, alt, ONE, t_end, origin)
    # east and up offsets of a point 1° along the equator, on the circle of radius a + h
    th = np.radians(1.0)
    r = WGS84_A_M + 100.0
    np.testing.assert_allclose(p1[0], [r * np.sin(th), 0.0, r * np.cos(th) - WGS84_A_M],
                               atol=1e-3)
    assert a1[0] == pytest.approx(100.0)
    # halfway in time: halfway in longitude, altitude kept (follows the curvature)
    pm, _, am = route_state(wp_t, lat, lon, alt, ONE, t_end / 2, origin)
    np.testing.assert_allclose(pm[0], [r * np.sin(th / 2), 0.0, r * np.cos(th / 2) - WGS84_A_M],
                               atol=1e-3)
    # clamped before the start and after the end
    pb, _, _ = route_state(wp_t, lat, lon, alt, ONE, -10.0, origin)
    np.testing.assert_allclose(pb, p0)
    # the sampled table: on the route at its nodes, within the 2 km sub-leg sagitta between,
    # and its velocity is the route's speed (250 m/s) along the equator
    rt = build_route_table(wp_t, lat, lon, alt, ONE, origin)
    assert rt.key.size == int(np.ceil(chord / 2000.0)) + 1
    for t in np.linspace(0.0, t_end, 37):
        pt, vt, at = table_state(rt, t)
        pe, _, ae = route_state(wp_t, lat, lon, alt, ONE, t, origin)
        assert np.linalg.norm(pt[0] - pe[0]) <= 2000.0**2 / (8 * WGS84_A_M) + 1e-6
        assert at[0] == pytest.approx(ae[0])
        assert np.linalg.norm(vt[0]) == pytest.approx(250.0, rel=1e-4)
    _, v_fd, _ = route_state(wp_t, lat, lon, alt, ONE, 10.0, origin)
    assert np.linalg.norm(v_fd[0]) == pytest.approx(250.0, rel=1e-4)
    # outside the route's time span the table clamps to its ends
    np.testing.assert_allclose(table_state(rt, -50.0)[0][0], p0[0], atol=1e-6)


def test_route_state_batches_equal_single_rows():
    rows = [_equator_route(s, d, h) for s, d, h in ((100.0, 0.5, 50.0), (300.0, 2.0, 9000.0))]
    wp_t, lat, lon, alt = (np.concatenate([r[j] for r in rows]) for j in range(4))
    origin = (0.1, 0.2, 10.0)
    pb, _, _ = route_state(wp_t, lat, lon, alt, np.array([0, 2, 4]), 700.0, origin)
    for i, r in enumerate(rows):
        p1, _, _ = route_state(r[0], r[1], r[2], r[3], ONE, 700.0, origin)
        np.testing.assert_allclose(pb[i], p1[0], atol=1e-9)
