"""Exact Lagrangian target subproblems of the weapon-target assignment, by branch and bound.

For one target of value W and weapon types t with counts n_t, kill exponents a_t = −ln q_t and
prices μ_t (the Lagrange price of a round plus its firing cost),

    h = min { W·exp(−Σ_t a_t x_t) + Σ_t μ_t x_t  :  x_t ∈ {0, …, n_t} }.

Depth-first branch and bound over the types in increasing order of μ_t / a_t (price per unit of
kill exponent), larger counts first. The bound at a node is the continuous relaxation of what is
left, solved exactly by filling the remaining types fractionally in that order while
W·exp(−A) > μ_t / a_t — the fractional-knapsack argument: for a fixed total exponent A the
cheapest fractional way to reach it takes the lowest ratios first, so its cost is convex and
piecewise linear in A with those ratios as slopes, and the minimum of a convex function of one
variable is where its slope crosses zero. Only types with μ_t < W·(1 − q_t) + slack can be in a
set within ``slack`` of the minimum (adding a round of any other type raises the value by more).

The same search *enumerates* every set within ``slack`` of the minimum, which the exact mode's
reduced-cost column enumeration needs (every column of an assignment better than the incumbent
is within UB − L(λ) of its target's minimum; see ``bounds._dw_exact``).

Compiled by numba (allowed for kernels by the import-linter contract; ``physics.flight`` is the
other user); loops over targets, no Python objects. Node budgets keep every search bounded:
an unfinished minimum is reported as the root relaxation, still a lower bound.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["target_minima", "target_sets", "warm"]

_jit = njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _relax(W: float, A: float, L: float, a: np.ndarray, mu: np.ndarray, cap: np.ndarray,
           start: int) -> float:
    """Continuous relaxation of the types ``start:`` (sorted by μ/a) from exponent A, cost L."""
    for k in range(start, a.size):
        s = W * np.exp(-A)
        ratio = mu[k] / a[k]
        if s <= ratio:
            return s + L
        if ratio <= 0.0:
            A += cap[k] * a[k]
            continue
        a_stop = np.log(W / ratio)  # where W e^(−A) = ratio: the slope crosses zero
        if A + cap[k] * a[k] <= a_stop:
            A += cap[k] * a[k]
            L += cap[k] * mu[k]
        else:
            L += (a_stop - A) / a[k] * mu[k]
            return W * np.exp(-a_stop) + L
    return W * np.exp(-A) + L


@_jit
def _search(W: float, a: np.ndarray, mu: np.ndarray, cap: np.ndarray, slack: float,
            max_sets: int, max_nodes: int, sets: np.ndarray, vals: np.ndarray
            ) -> tuple[float, int, bool]:
    """Branch and bound on types already sorted by μ/a. Keeps every set whose value is within
    ``slack`` of the running minimum in ``sets``/``vals`` (as many as ``max_sets``; with
    slack 0 only improvements). Returns (minimum or a lower bound, sets kept, complete)."""
    K = a.size
    x = np.zeros(K, dtype=np.int64)
    As = np.zeros(K + 1)
    Ls = np.zeros(K + 1)
    best = W  # the empty set
    n_sets = 0
    if max_sets > 0:
        vals[0] = W
        sets[0, :] = 0
        n_sets = 1
    if K == 0:
        return best, n_sets, True
    d = 0
    x[0] = cap[0] + 1  # the next count tried at depth 0 is cap[0]
    nodes = 0
    while d >= 0:
        x[d] -= 1
        if x[d] < 0:
            d -= 1
            continue
        nodes += 1
        if nodes > max_nodes:
            return min(best, _relax(W, 0.0, 0.0, a, mu, cap, 0)), n_sets, False
        A = As[d] + x[d] * a[d]
        L = Ls[d] + x[d] * mu[d]
        if x[d] > 0:  # a set not seen before (the later types at zero)
            v = W * np.exp(-A) + L
            if v < best:
                best = v
            if v <= best + slack and max_sets > 0:
                if n_sets < max_sets:
                    sets[n_sets, :] = 0
                    sets[n_sets, :d + 1] = x[:d + 1]
                    vals[n_sets] = v
                    n_sets += 1
                elif slack > 0.0:
                    return best, n_sets, False
                else:  # pricing: keep only the best set, in slot 0
                    sets[0, :] = 0
                    sets[0, :d + 1] = x[:d + 1]
                    vals[0] = v
        if d + 1 < K and _relax(W, A, L, a, mu, cap, d + 1) <= best + slack - 1e-15 * best:
            As[d + 1] = A
            Ls[d + 1] = L
            d += 1
            x[d] = cap[d] + 1
    return best, n_sets, True


@_jit
def _prepare(W: float, a: np.ndarray, mu: np.ndarray, cnt: np.ndarray, slack: float
             ) -> np.ndarray:
    """Types that can be in a set within ``slack`` of the minimum, sorted by μ/a."""
    keep = np.flatnonzero((a > 0.0) & (cnt > 0) & (mu < W * (1.0 - np.exp(-a)) + slack))
    return keep[np.argsort(mu[keep] / a[keep], kind="mergesort")]


@_jit
def target_minima(W: np.ndarray, a: np.ndarray, mu: np.ndarray, cnt: np.ndarray,
                  max_nodes: int = 200_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """h_j = min_x W_j e^(−Σ_t a_tj x_t) + Σ_t μ_t x_t for every target j: values (m,), the
    minimising counts (T, m) and whether each search finished (else h_j is the root relaxation,
    still a lower bound). ``a`` (T, m) kill exponents, ``mu`` (T,) prices, ``cnt`` (T,) rounds."""
    T, m = a.shape
    h = np.empty(m)
    X = np.zeros((T, m), dtype=np.int64)
    done = np.ones(m, dtype=np.bool_)
    vals = np.zeros(1)
    for j in range(m):
        idx = _prepare(W[j], a[:, j], mu, cnt, 0.0)
        K = idx.size
        sub = np.zeros((1, K), dtype=np.int64)
        best, _, ok = _search(W[j], a[idx, j], mu[idx], cnt[idx], 0.0, 1, max_nodes, sub,
                              vals)
        h[j] = best
        done[j] = ok
        if ok and best < W[j]:
            for k in range(K):
                X[idx[k], j] = sub[0, k]
    return h, X, done


@_jit
def target_sets(Wj: float, a: np.ndarray, mu: np.ndarray, cnt: np.ndarray, slack: float,
                max_sets: int, max_nodes: int = 50_000
                ) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Every count vector x (rows of the (s, T) result) with W e^(−a·x) + μ·x within ``slack``
    of the minimum (the minimum itself returned too), and whether the list is complete."""
    T = a.size
    idx = _prepare(Wj, a, mu, cnt, slack)
    K = idx.size
    sub = np.zeros((max_sets, K), dtype=np.int64)
    vals = np.zeros(max_sets)
    best, n, ok = _search(Wj, a[idx], mu[idx], cnt[idx], slack, max_sets, max_nodes, sub, vals)
    keep = np.flatnonzero(vals[:n] <= best + slack)
    out = np.zeros((keep.size, T), dtype=np.int64)
    for r in range(keep.size):
        for k in range(K):
            out[r, idx[k]] = sub[keep[r], k]
    return out, vals[keep], best, ok



def warm() -> None:
    """Compile (or load from numba's cache) both kernels on a one-target instance, so the first
    real call does not spend its time budget compiling."""
    a = np.ones((1, 1))
    target_minima(np.ones(1), a, np.zeros(1), np.ones(1, dtype=np.int64), 10)
    target_sets(1.0, a[:, 0].copy(), np.zeros(1), np.ones(1, dtype=np.int64), 0.1, 4, 10)
    # (the callers pass every argument, so these are the signatures they use)
