"""Issue 20: the route table's memory is linear in the waypoints (no table of route nodes × the
longest route's waypoints, none of vehicles × the longest route).

Measured with ``tracemalloc`` (what numpy allocates), not with a clock. Before the ragged
routes, one route of 2,000 waypoints peaked at 50 MB and one of 5,000 at 313 MB (the node ×
waypoint gather grows as the square); 20,000 asked for about 5 GB. Now 20,000 take about 7 MB.
"""

import tracemalloc

import numpy as np

from skyshield.engine.motion import build_route_table, route_state, table_state

ORIGIN = (np.radians(44.9), np.radians(20.3), 0.0)
MB = 1e6


def _zigzag(k: int, t0_s: float = 0.0) -> tuple[np.ndarray, ...]:
    """A route of ``k`` waypoints zig-zagging east, legs of about 0.8 km flown in 4 s."""
    j = np.arange(k)
    return (t0_s + 4.0 * j, np.radians(44.9 + 0.005 * (j % 2)),
            np.radians(19.8 + 0.01 * (j % 60)), np.full(k, 300.0))


def _ragged(routes: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    start = np.concatenate([[0], np.cumsum([r[0].size for r in routes])]).astype(np.int64)
    return (*(np.concatenate([r[i] for r in routes]) for i in range(4)), start)


def _peak_mb(f) -> tuple[float, object]:
    tracemalloc.start()
    try:
        out = f()
        return tracemalloc.get_traced_memory()[1] / MB, out
    finally:
        tracemalloc.stop()


def test_one_route_of_20000_waypoints_builds_in_linear_memory():
    wp = _ragged([_zigzag(20_000)])
    peak, rt = _peak_mb(lambda: build_route_table(*wp, ORIGIN))
    assert rt.key.size > 20_000  # every leg sampled (the long legs back west more than once)
    assert peak < 40.0, f"{peak:.0f} MB"  # ~7 MB: arrays of a few × 28,000 nodes
    # and the route's own state, evaluated exactly, agrees with the table at its nodes
    t = float(rt.t_s[12_345])
    p_exact, _, _ = route_state(*wp, t, ORIGIN)
    np.testing.assert_allclose(table_state(rt, t)[0], p_exact, rtol=0, atol=1e-6)


def test_many_short_routes_beside_one_long_one_build_in_linear_memory():
    """20,000 routes of 2 waypoints and one of 2,000: the padded table was 20,001 × 2,000."""
    wp = _ragged([_zigzag(2, 0.1 * i) for i in range(20_000)] + [_zigzag(2_000)])
    peak, rt = _peak_mb(lambda: build_route_table(*wp, ORIGIN))
    assert rt.first.size == 20_001
    assert peak < 40.0, f"{peak:.0f} MB"  # ~11 MB
