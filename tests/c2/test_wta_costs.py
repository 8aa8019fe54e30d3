"""The WTA objective with firing costs and later-layer survival, the grouping of identical
weapons, and the exact stage for many rounds on few targets: all against brute force."""

import time
from itertools import product

import numpy as np
import pytest

from skyshield.c2.wta import bounds, brute_force, objective, solve
from skyshield.c2.wta.subsets import target_minima, target_sets


def _small(rng, dup=False):
    n, m = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    r = rng.integers(1, 3, n)
    if r.sum() > 5:
        r = np.ones(n, dtype=np.int64)
    V, p = rng.uniform(1, 100, m), rng.uniform(0.0, 0.95, (n, m))
    if dup and n > 1:
        p[-1] = p[0]
    return V, p, r


@pytest.mark.parametrize("seed", range(40))
def test_costs_and_later_layers_against_brute_force(seed):
    """Mixed costs (some rounds worth firing, some not) and survival to the later layers: the
    exact mode finds the brute-force optimum, the fast mode's bound is below it, and both report
    the objective of the assignment they return."""
    rng = np.random.default_rng(2100 + seed)
    V, p, r = _small(rng, dup=seed % 3 == 0)
    cost = rng.uniform(0, 40, r.size) * rng.choice([0.2, 1.0, 3.0])
    s = rng.uniform(0, 1, V.size) if seed % 2 else None
    best, _ = brute_force(V, p, r, cost, s)
    for exact in (False, True):
        res = solve(V, p, r, cost=cost, survive_later=s, exact=exact, tol=1e-9)
        x = res.counts(V.size)
        assert np.all(x.sum(axis=1) <= r)
        assert objective(V, p, x, cost, s) == pytest.approx(res.objective, rel=1e-12)
        assert res.lower_bound <= best + 1e-9 * max(best, 1.0)
        assert res.objective >= best - 1e-9 * max(best, 1.0)
        if exact:
            assert res.optimal and res.objective == pytest.approx(best, rel=1e-9)


def test_costs_above_every_saving_fire_nothing():
    rng = np.random.default_rng(5)
    V, p = rng.uniform(25, 100, 4), rng.uniform(0.5, 0.9, (6, 4))
    r = np.full(6, 3)
    for exact in (False, True):
        res = solve(V, p, r, cost=np.full(6, 101.0), exact=exact)
        assert np.all(res.assignment == -1) and res.optimal
        assert res.objective == pytest.approx(V.sum())


def test_a_round_is_held_when_it_costs_more_than_it_saves():
    # one target worth 100, Pk 0.5: the first round saves 50, the second 25, the third 12.5;
    # at a cost of 20 per round two are fired: 100·0.25 + 2·20 = 65
    res = solve(np.array([100.0]), np.array([[0.5]]), rounds=np.array([3]),
                cost=np.array([20.0]), exact=True, tol=1e-9)
    assert (res.assignment[0] >= 0).sum() == 2 and res.objective == pytest.approx(65.0)
    # a later layer that kills half of what is left halves what this cycle can save: one round
    res = solve(np.array([100.0]), np.array([[0.5]]), rounds=np.array([3]),
                cost=np.array([20.0]), survive_later=np.array([0.5]), exact=True, tol=1e-9)
    assert (res.assignment[0] >= 0).sum() == 1 and res.objective == pytest.approx(45.0)


@pytest.mark.parametrize("seed", range(25))
def test_zero_costs_and_full_survival_are_the_old_problem_bit_for_bit(seed):
    """The instances of test_wta.py's brute-force test: cost 0 and s = 1 give the same
    assignment, objective and bound as leaving them out."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    r = rng.integers(1, 3, n)
    if r.sum() > 6:
        r = np.ones(n, dtype=np.int64)
    V, p = rng.uniform(25, 100, m), rng.uniform(0.0, 0.95, (n, m))
    for kw in ({}, {"exact": True, "tol": 1e-6}):
        a = solve(V, p, r, **kw)
        b = solve(V, p, r, cost=np.zeros(n), survive_later=np.ones(m), **kw)
        assert np.array_equal(a.assignment, b.assignment)
        assert a.objective == b.objective and a.lower_bound == b.lower_bound


def test_identical_weapons_are_solved_as_types_and_given_back_per_weapon():
    rng = np.random.default_rng(3)
    V = rng.uniform(25, 100, 5)
    col = rng.uniform(0.4, 0.8, (2, 5))
    p = col[[0, 1, 0, 0, 1, 1, 0]]
    r = np.array([2, 1, 3, 1, 2, 2, 1])
    res = solve(V, p, r, exact=True, tol=1e-9)
    x = res.counts(5)
    assert np.all(x.sum(axis=1) <= r)
    # the optimum over types: two weapons with 7 and 5 rounds
    e = solve(V, col, np.array([7, 5]), exact=True, tol=1e-9)
    assert res.objective == pytest.approx(e.objective, rel=1e-12) and res.optimal


@pytest.mark.parametrize("seed", range(6))
def test_many_rounds_on_few_targets_are_proven_optimal(seed):
    """A C2 cycle (8 launchers × 4 rounds of 3 weapon types against a few targets, with and
    without costs): the fast mode proves its answer; the outer-approximation MILP, run on its
    own, finds nothing better (and its bound is below the proven optimum)."""
    rng = np.random.default_rng(4000 + seed)
    m = int(rng.integers(3, 7))
    V = rng.uniform(25, 100, m)
    pt = rng.uniform(0.3, 0.9, (3, m)) * (rng.random((3, m)) < 0.8)
    typ = rng.integers(0, 3, 8)
    cost = rng.uniform(1, 15, 3)[typ] if seed % 2 else None
    res = solve(V, pt[typ], np.full(8, 4), cost=cost, tol=1e-9)
    assert res.optimal and res.gap <= 1e-9
    a = -np.log(1 - pt[typ])
    x0 = np.zeros((8, m), dtype=np.int64)
    f0 = objective(V, pt[typ], x0, cost)
    _, f, lb, _ = bounds._oa_milp(V, a, np.full(8, 4), x0, f0, -np.inf,
                                       time.perf_counter() + 120, 1e-6, cost)
    assert f >= res.objective * (1 - 1e-12)
    assert res.objective == pytest.approx(f, rel=1e-6) and lb <= res.objective * (1 + 1e-12)


@pytest.mark.parametrize("seed", range(40))
def test_target_subproblems_and_their_enumeration_against_exhaustion(seed):
    rng = np.random.default_rng(900 + seed)
    T, m = int(rng.integers(1, 5)), int(rng.integers(1, 4))
    W = rng.uniform(1, 100, m)
    a = -np.log(1 - rng.uniform(0, 0.95, (T, m)))
    a[rng.random((T, m)) < 0.15] = 0.0
    cnt = rng.integers(0, 4, T)
    mu = rng.uniform(0, 40, T) * rng.choice([0.05, 1.0, 3.0])
    h, X, done = target_minima(W, a, mu, cnt)
    assert done.all()
    for j in range(m):
        vals = {x: W[j] * np.exp(-a[:, j] @ np.array(x)) + mu @ np.array(x)
                for x in product(*[range(c + 1) for c in cnt])}
        best = min(vals.values())
        assert h[j] == pytest.approx(best, rel=1e-12, abs=1e-12)
        assert vals[tuple(X[:, j])] == pytest.approx(best, rel=1e-12, abs=1e-12)
        slack = float(rng.uniform(0, 5))
        sets, v, low, ok = target_sets(W[j], a[:, j].copy(), mu, cnt, slack, 10_000)
        # every set within the slack that has no useless round (a = 0) is listed
        want = {x for x, val in vals.items() if val <= best + slack - 1e-9
                and all(x[t] == 0 or a[t, j] > 0 for t in range(T))}
        assert ok and want <= {tuple(s) for s in sets}
        assert np.all(v <= low + slack + 1e-12) and low == pytest.approx(best, rel=1e-12)
