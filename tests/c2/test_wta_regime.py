"""The many-rounds regime (rounds ≥ 2 × targets): proven optima against brute force, the
certified bound below them, the new kernels against exhaustion, and the same answer whatever
the speed of the machine."""

import time
from itertools import product

import numpy as np
import pytest

from skyshield.c2.wta import brute_force, objective, solve
from skyshield.c2.wta import solver as _solver
from skyshield.c2.wta.subsets import partition, prices, repair, target_minima, target_sets


def _many_rounds(seed):
    """2–3 targets, 2–4 weapons (some of one type), 6–7 rounds in all; half with costs and
    later-layer survival."""
    rng = np.random.default_rng(6100 + seed)
    m = int(rng.integers(2, 4))
    n = int(rng.integers(2, 5))
    V = rng.uniform(5, 100, m)
    p = rng.uniform(0.05, 0.9, (n, m)) * (rng.random((n, m)) < 0.85)
    if n > 2 and seed % 3 == 0:
        p[1] = p[0]  # two launchers of one type
    r = np.ones(n, dtype=np.int64)
    for _ in range(int(rng.integers(6, 8)) - n):
        r[rng.integers(0, n)] += 1
    with_costs = seed % 2 == 1
    cost = rng.uniform(0.5, 20, n) if with_costs else None
    s = rng.uniform(0.2, 1.0, m) if with_costs else None
    return V, p, r, cost, s


@pytest.mark.parametrize("small_pairs", [0, _solver.SMALL_PAIRS], ids=["new-start", "old-start"])
@pytest.mark.parametrize("seed", range(16))
def test_many_rounds_proven_optimum_equals_brute_force(seed, small_pairs, monkeypatch):
    """Both starts of the regime (the numba greedy and exchange-graph prices used beyond
    ``SMALL_PAIRS``; the linear assignment below) give the brute-force optimum, proven, with
    a certified bound never above it; in the fast mode as the simulation calls it."""
    monkeypatch.setattr(_solver, "SMALL_PAIRS", small_pairs)
    V, p, r, cost, s = _many_rounds(seed)
    m = V.size
    assert r.sum() >= 2 * m
    best, _ = brute_force(V, p, r, cost, s)
    res = solve(V, p, r, search_s=None, search_kicks=20, cost=cost, survive_later=s,
                tol=1e-9)
    x = res.counts(m)
    assert np.all(x.sum(axis=1) <= r)
    assert objective(V, p, x, cost, s) == pytest.approx(res.objective, rel=1e-12)
    assert res.optimal
    assert res.objective == pytest.approx(best, rel=1e-9, abs=1e-12)
    assert res.lower_bound <= best * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize("seed", range(30))
def test_enumeration_with_many_rounds_per_type_against_exhaustion(seed):
    """Types with up to 12 rounds (more rounds than the cardinality bound's 24 kept sums when
    they add up): the minimum, and every set within the slack, against all count vectors."""
    rng = np.random.default_rng(7300 + seed)
    T = int(rng.integers(2, 5))
    W = float(rng.uniform(1, 100))
    a = -np.log(1 - rng.uniform(0.05, 0.9, T))
    cnt = rng.integers(1, 13, T)
    mu = rng.uniform(0, 10, T) * rng.choice([0.02, 0.3, 1.0])
    vals = {x: W * np.exp(-a @ np.array(x)) + mu @ np.array(x)
            for x in product(*[range(c + 1) for c in cnt])}
    best = min(vals.values())
    h, X, done = target_minima(np.array([W]), a[:, None].copy(), mu, cnt)
    assert done.all() and h[0] == pytest.approx(best, rel=1e-12, abs=1e-12)
    assert vals[tuple(X[:, 0])] == pytest.approx(best, rel=1e-12, abs=1e-12)
    slack = float(rng.uniform(0, 0.5)) * best
    sets, v, low, ok = target_sets(W, a.copy(), mu, cnt, slack, 100_000)
    want = {x for x, val in vals.items() if val <= best + slack - 1e-9}
    assert ok and want <= {tuple(s) for s in sets}
    assert low == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_repair_is_feasible_and_prices_are_non_negative(seed):
    rng = np.random.default_rng(7700 + seed)
    T, m = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    W = rng.uniform(1, 100, m)
    a = -np.log(1 - rng.uniform(0, 0.9, (T, m)))
    cnt = rng.integers(0, 6, T)
    cost = rng.uniform(0, 20, T) * (seed % 2)
    X0 = rng.integers(0, 4, (T, m))  # over- and under-used types
    x = repair(W, a, cost, cnt, X0, 10_000)
    assert np.all(x >= 0) and np.all(x.sum(axis=1) <= cnt)
    f = W @ np.exp(-(a * x).sum(axis=0)) + cost @ x.sum(axis=1)
    g = repair(W, a, cost, cnt, np.zeros((T, m), dtype=np.int64), 10_000)
    assert W @ np.exp(-(a * g).sum(axis=0)) + cost @ g.sum(axis=1) < np.inf
    lam = prices(W, a, cost, cnt, x)
    assert lam.shape == (T,) and np.all(lam >= 0) and np.all(np.isfinite(lam))
    # the Lagrangian bound at any prices is below the best assignment found
    h, _, _ = target_minima(W, a, lam + cost, cnt)
    assert h.sum() - lam @ cnt <= f * (1 + 1e-12) + 1e-12


def _hard_instance():
    """Distinct weapons and 8 weapon types, one round each, 80 against 40 targets (bench/wta.py
    many_rounds, seed 0)."""
    rng = np.random.default_rng(5000 * 80 + 31 * 40 + 0 + 77)
    V = rng.uniform(25, 100, 40)
    pt = rng.uniform(0.6, 0.9, (8, 40))
    return V, pt[rng.integers(0, 8, 80)]


def test_the_default_path_gives_the_same_answer_on_a_slow_machine(monkeypatch):
    """The simulation's call (no time limit, a count of restarts) stops on counts of work, never
    on the clock: with a clock that jumps a second at every reading — a machine a thousand
    times slower — the assignment, objective and bound are identical. (Before, a 1 s budget of
    the many-rounds stage and a 10 s cap on the descent decided the answer.)"""
    V, p = _hard_instance()
    kw = dict(search_s=None, search_kicks=20, tol=1e-9)
    ref = solve(V, p, **kw)
    clock = [time.perf_counter()]

    def slow() -> float:
        clock[0] += 1.0
        return clock[0]

    monkeypatch.setattr(time, "perf_counter", slow)
    again = solve(V, p, **kw)
    monkeypatch.undo()
    assert ref.optimal
    assert np.array_equal(again.assignment, ref.assignment)
    assert again.objective == ref.objective and again.lower_bound == ref.lower_bound
    assert again.optimal == ref.optimal


@pytest.mark.parametrize("seed", range(20))
def test_partition_search_against_all_combinations(seed):
    """The depth-first set partitioning over enumerated columns finds the least
    Σ δ + λ·(unused rounds) among the combinations strictly below its bound, as listing all
    combinations does (and reports none when none is below)."""
    rng = np.random.default_rng(8100 + seed)
    m, T = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    per = rng.integers(1, 4, m)
    tj = np.repeat(np.arange(m), per)
    X = rng.integers(0, 3, (tj.size, T))
    delta = rng.uniform(0, 5, tj.size)
    lam = rng.uniform(0, 2, T)
    cnt = rng.integers(1, 2 * m + 2, T)
    vals = []
    for combo in product(*[np.flatnonzero(tj == j) for j in range(m)]):
        used = X[list(combo)].sum(axis=0)
        if np.all(used <= cnt):
            vals.append(delta[list(combo)].sum() + lam @ (cnt - used))
    bound = float(rng.uniform(2, 12))
    pick, best, done = partition(tj, X, delta, lam, cnt, m, bound, 100_000)
    assert done
    below = [v for v in vals if v < bound]
    if below:
        assert best == pytest.approx(min(below), rel=1e-12)
        assert np.all(tj[pick] == np.arange(m))
        assert np.all(X[pick].sum(axis=0) <= cnt)
    else:
        assert pick.min() < 0 and best == bound


@pytest.mark.parametrize("seed", range(6))
def test_master_lp_prices_the_partition_search_exactly(seed):
    """The master LP over the enumerated columns (relax=True) bounds the MILP over them, and the
    depth-first search priced by its reduced costs finds the MILP's optimum (its explicit upper
    bounds y ≤ 1 had left negative reduced costs that, clipped, made the search accept an
    assignment 0.08 % worse as proven)."""
    from skyshield.c2.wta import bounds

    rng = np.random.default_rng(300 + seed)
    T, m = 4, 8
    V = rng.uniform(25, 100, m)
    a = -np.log(1 - rng.uniform(0.6, 0.9, (T, m)))
    cnt = rng.integers(3, 7, T)
    cost = np.zeros(T)
    x0 = repair(V, a, cost, cnt, np.zeros((T, m), dtype=np.int64), 1000)
    lam = prices(V, a, cost, cnt, x0)
    f0 = float(V @ np.exp(-(a * x0).sum(axis=0)))
    h, _, _ = target_minima(V, a, lam + cost, cnt, 100_000)
    L = float(h.sum() - lam @ cnt)
    found = bounds._enumerate(V, a, cnt, cost, lam, f0 - L, x0, 100_000, np.inf)
    assert found is not None
    tj, X = found
    chosen, f_milp, ok = bounds._master_milp(V, a, cnt, cost, tj, X, lam, f0 - L, np.inf, None)
    assert ok and chosen is not None
    f_opt = float(bounds._column_costs(V, a, cost, tj[chosen], X[chosen]).sum())
    priced: list = []
    _, lp, _ = bounds._master_milp(V, a, cnt, cost, tj, X, lam, f0 - L, np.inf, None,
                                   relax=True, out=priced)
    assert lp <= f_opt + 1e-9 * f_opt
    assert np.all(priced[0][0] >= 0) and np.all(priced[0][1] >= 0)
    pick, lb, done = bounds._partition(V, a, cnt, cost, tj, X, lam, f0 + 1e-9,
                                       priced=priced[0])
    assert done
    f_dfs = f0 if pick is None else float(
        bounds._column_costs(V, a, cost, tj[pick], X[pick]).sum())
    assert f_dfs == pytest.approx(f_opt, rel=1e-12)
    assert lb <= f_opt * (1 + 1e-12)


@pytest.mark.parametrize("seed, optimum", [(0, 52.342804185112165), (1, 46.12215428038503),
                                           (2, 45.274295142324895)])
def test_typed_80x40_proven_without_the_highs_milp(seed, optimum, monkeypatch):
    """8 weapon types, 80 launchers, 40 targets (bench/wta.py's "8 types 80×40"): the master
    LP over the enumerated columns, its duals as prices and the LP-priced partition search
    prove the optimum (the outer-approximation MILP's, tolerance 1e-6) without HiGHS's MILP,
    whose root cuts alone took 15–22 ms there (before, every seed went through it)."""
    from skyshield.c2.wta import bounds

    def no_milp(*args, **kwargs):
        raise AssertionError("the HiGHS MILP was called")

    monkeypatch.setattr(bounds, "milp", no_milp)
    rng = np.random.default_rng(5000 * 80 + 31 * 40 + seed + 77)
    V = rng.uniform(25, 100, 40)
    pt = rng.uniform(0.6, 0.9, (8, 40))
    p = pt[rng.integers(0, 8, 80)]
    res = solve(V, p, tol=1e-9)
    assert res.optimal
    assert res.objective == pytest.approx(optimum, rel=1e-9)
    assert objective(V, p, res.counts(40)) == pytest.approx(res.objective, rel=1e-12)


@pytest.mark.parametrize("seed", [1, 4, 5])
def test_small_c2_cycles_end_in_the_short_search_without_an_lp(seed, monkeypatch):
    """bench/wta.py's "C2 cycle" (8 launchers × 4 rounds of 3–4 types, 3–12 targets): the
    columns within the gap are few, and the short partition search proves the optimum before
    any LP (one scipy LP call costs ~2.5 ms, more than the whole cycle took before it)."""
    from skyshield.c2.wta import bounds

    def no_lp(*args, **kwargs):
        raise AssertionError("an LP was solved")

    rng = np.random.default_rng(9000 + seed)
    m, T = int(rng.integers(3, 13)), int(rng.integers(3, 5))
    V = rng.uniform(25, 100, m)
    pt = rng.uniform(0.3, 0.9, (T, m)) * (rng.random((T, m)) < 0.8)
    p = pt[rng.integers(0, T, 8)]
    ref = solve(V, p, np.full(8, 4), tol=1e-9)
    monkeypatch.setattr(bounds, "linprog", no_lp)
    monkeypatch.setattr(bounds, "milp", no_lp)
    res = solve(V, p, np.full(8, 4), tol=1e-9)
    assert res.optimal and res.objective == ref.objective
