"""The live exercise's incremental route table (injects, raids, external entities and their
updates splice sampled rows into it) against the reference: the table built from scratch over the
same waypoints."""

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skyshield
from skyshield.engine.motion import (
    RouteTable,
    build_route_table,
    splice_route_table,
    table_state,
)
from skyshield.sim.run import Simulation
from skyshield.sim.world import Vehicles, compile_world

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario(SMALL)


def _waypoints(rng: np.random.Generator, k: int, origin, t_max_s: float):
    """A random route of ``k`` waypoints near ``origin``."""
    t = np.cumsum(rng.uniform(0.5, 600.0, k)) + rng.uniform(0.0, t_max_s)
    lat = origin[0] + rng.uniform(-0.05, 0.05, k)  # legs of up to ~450 km: many nodes
    lon = origin[1] + rng.uniform(-0.05, 0.05, k)
    alt = rng.uniform(30.0, 12000.0, k)
    return t, lat, lon, alt


def _ragged(wps) -> tuple[np.ndarray, ...]:
    """Routes (t, lat, lon, alt) as flat arrays and their ``wp_start``."""
    start = np.concatenate([[0], np.cumsum([w[0].size for w in wps])]).astype(np.int64)
    return (*(np.concatenate([w[j] for w in wps] or [np.zeros(0)]) for j in range(4)), start)


def _new_vehicles(v: Vehicles, rng: np.random.Generator, m: int, width: int, origin,
                  t_max_s: float) -> Vehicles:
    """``m`` copies of vehicle 0's signature on random routes of up to ``width`` waypoints."""
    out = {}
    rows = np.zeros(m, dtype=np.int64)
    for f in fields(Vehicles):
        x = getattr(v, f.name)
        if f.name.startswith("wp_"):
            continue
        out[f.name] = None if x is None else [x[0]] * m if isinstance(x, list) else x[rows]
    wps = [_waypoints(rng, int(rng.integers(2, width + 1)), origin, t_max_s) for _ in range(m)]
    for j, name in enumerate(("wp_t_s", "wp_lat_rad", "wp_lon_rad", "wp_alt_m", "wp_start")):
        out[name] = _ragged(wps)[j]
    out["t_start_s"] = np.array([w[0][0] for w in wps])
    out["t_end_s"] = np.array([w[0][-1] for w in wps])
    return Vehicles(**out)


def _assert_same_table(rt: RouteTable, ref: RouteTable) -> None:
    for name in ("key", "t_s", "pos_m", "alt_m", "first", "last"):
        np.testing.assert_array_equal(getattr(rt, name), getattr(ref, name), err_msg=name)
    assert rt.span_s == ref.span_s
    t_all = ref.t_s[np.isfinite(ref.t_s)]
    for t in np.concatenate([np.linspace(t_all.min() - 10, t_all.max() + 10, 41),
                             t_all[:: max(1, t_all.size // 25)]]):
        for a, b in zip(table_state(rt, float(t)), table_state(ref, float(t)), strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32 - 1), n_ops=st.integers(1, 25))
def test_adds_and_moves_splice_to_the_full_rebuild(sc, seed, n_ops):
    """Random injects (one or a raid of several, sometimes wider than the table, sometimes far
    later so the key span grows) and external updates (re-routing one vehicle, sometimes the
    latest so the span shrinks): the simulation's table equals the full rebuild."""
    rng = np.random.default_rng(seed)
    world = compile_world(sc)
    sim = Simulation(world, 1)
    for _ in range(n_ops):
        v = world.vehicles
        width = int(np.diff(v.wp_start).max())
        if rng.random() < 0.4:
            m = int(rng.integers(1, 5))
            t_max = 50_000.0 if rng.random() < 0.2 else 3000.0
            new = _new_vehicles(v, rng, m, width + int(rng.integers(0, 3)), world.origin, t_max)
            ids = sim.add_vehicles(0.0, new)
            np.testing.assert_array_equal(ids, np.arange(len(v), len(v) + m))
        else:
            i = int(rng.integers(0, len(v)))
            k = int(rng.integers(2, width + 1))
            wp = _waypoints(rng, k, world.origin, 3000.0 if rng.random() < 0.8 else 0.0)
            sim.move_vehicle(0.0, i, *wp)
        v = world.vehicles
        _assert_same_table(sim.truth.routes, build_route_table(
            v.wp_t_s, v.wp_lat_rad, v.wp_lon_rad, v.wp_alt_m, v.wp_start, world.origin))


def test_splice_edges_and_bad_rows():
    """Into and out of an empty table, replacing a block by more or fewer vehicles (later keys
    shift), and rows outside the table refused."""
    rng = np.random.default_rng(7)
    origin = (np.radians(44.9), np.radians(20.3), 100.0)
    wps = [_waypoints(rng, int(rng.integers(2, 6)), origin, 2000.0) for _ in range(9)]

    def build(rows):
        return build_route_table(*_ragged([wps[i] for i in rows]), origin)

    empty = build(np.arange(0))
    full = build(np.arange(9))
    _assert_same_table(splice_route_table(empty, full, 0, 0), full)
    out = splice_route_table(full, empty, 0, 9)
    assert out.key.size == 0 and out.first.size == 0 and out.span_s == empty.span_s
    # vehicles 2..4 (three) replaced by 6..8 (three), then those three by 5 alone (later rows
    # move up two), then 0 by 3 and 4 (later rows move down one)
    t1 = splice_route_table(full, build(np.arange(6, 9)), 2, 5)
    _assert_same_table(t1, build(np.r_[0:2, 6:9, 5:9]))
    t2 = splice_route_table(t1, build(np.arange(5, 6)), 2, 5)
    _assert_same_table(t2, build(np.r_[0:2, 5, 5:9]))
    t3 = splice_route_table(t2, build(np.arange(3, 5)), 0, 1)
    _assert_same_table(t3, build(np.r_[3:5, 1, 5, 5:9]))
    with pytest.raises(ValueError, match="outside"):
        splice_route_table(full, empty, 3, 10)
    with pytest.raises(ValueError, match="outside"):
        splice_route_table(full, empty, 5, 4)
