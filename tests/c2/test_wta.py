"""The static WTA solver against brute force, its bound, and its inputs."""

import numpy as np
import pytest

from skyshield.c2.wta import brute_force, objective, solve


def _instance(rng, n, m, lo=0.0, hi=0.95):
    return rng.uniform(25, 100, m), rng.uniform(lo, hi, (n, m))


@pytest.mark.parametrize("seed", range(25))
def test_exact_mode_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    r = rng.integers(1, 3, n)
    if r.sum() > 6:
        r = np.ones(n, dtype=np.int64)
    V, p = _instance(rng, n, m)
    best, _ = brute_force(V, p, r)
    res = solve(V, p, r, exact=True, tol=1e-6)
    assert res.optimal
    assert res.objective == pytest.approx(best, rel=1e-9)
    assert res.lower_bound <= best + 1e-9
    # the assignment is feasible and its objective is what is reported
    x = res.counts(m)
    assert np.all(x.sum(axis=1) <= r)
    assert objective(V, p, x) == pytest.approx(res.objective, rel=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_heuristic_bound_is_below_every_assignment(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = 4, 3
    V, p = _instance(rng, n, m, 0.6, 0.9)
    res = solve(V, p)
    best, _ = brute_force(V, p)
    assert res.lower_bound <= best + 1e-9
    assert best <= res.objective * (1 + 1e-12)
    assert 0.0 <= res.gap < 1.0
    # any assignment at all is at least the bound
    for _ in range(50):
        x = np.zeros((n, m), dtype=np.int64)
        x[np.arange(n), rng.integers(0, m, n)] = 1
        assert objective(V, p, x) >= res.lower_bound - 1e-9


def test_closed_forms():
    # one weapon, one target: V(1 − p)
    r = solve(np.array([80.0]), np.array([[0.7]]))
    assert r.objective == pytest.approx(24.0) and r.optimal
    # two weapons, two equal targets, equal p: one each (V q + V q) beats doubling up
    r = solve(np.array([50.0, 50.0]), np.full((2, 2), 0.8), exact=True, tol=1e-6)
    assert sorted(r.assignment[:, 0]) == [0, 1]
    assert r.objective == pytest.approx(20.0)
    # a target worth much more than the other gets both shots: 100·0.5² + 10 < 100·0.5 + 10·0.5
    r = solve(np.array([100.0, 10.0]), np.full((2, 2), 0.5), exact=True, tol=1e-6)
    assert list(r.assignment[:, 0]) == [0, 0] and r.objective == pytest.approx(35.0)
    # rounds: 3 rounds of one weapon at one target
    r = solve(np.array([64.0]), np.array([[0.5]]), rounds=np.array([3]))
    assert r.objective == pytest.approx(8.0)
    # nothing to shoot with: everything survives
    r = solve(np.array([5.0, 7.0]), np.zeros((0, 2)))
    assert r.objective == 12.0 and r.assignment.shape == (0, 0)


@pytest.mark.parametrize("values,pk,message", [
    (np.array([1.0, 2.0]), np.full((2, 3), 0.5), "shape"),
    (np.array([-1.0]), np.full((1, 1), 0.5), "non-negative"),
    (np.array([1.0]), np.full((1, 1), 1.0), "[0, 1)"),
    (np.array([1.0]), np.full((1, 1), np.nan), "[0, 1)"),
])
def test_bad_inputs_are_refused(values, pk, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(")", r"\)")):
        solve(values, pk)


def test_ahuja_instance_heuristic_reaches_the_proven_optimum():
    rng = np.random.default_rng(7)
    V, p = rng.uniform(25, 100, 40), rng.uniform(0.6, 0.9, (40, 40))
    h = solve(V, p)
    e = solve(V, p, exact=True, time_limit_s=60, tol=1e-6)
    assert e.optimal and e.gap <= 1e-6
    assert h.objective <= e.objective * (1 + 1e-4)
    assert h.lower_bound <= e.objective + 1e-9
