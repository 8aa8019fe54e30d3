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

__all__ = ["target_minima", "target_sets", "repair", "prices", "partition", "warm"]

_jit = njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _relax(W: float, A: float, L: float, a: np.ndarray, mu: np.ndarray, cap: np.ndarray,
           start: int, cap_start: int, z_min: float) -> float:
    """Continuous relaxation of adding rounds of the types ``start:`` (sorted by μ/a; the first
    has ``cap_start`` rounds left) to a set of exponent A and cost L, adding at least ``z_min``
    of exponent: min over z ≥ z_min of W e^(−A−z) + L + C(z), C the fractional-knapsack cost of
    exponent z (convex, the ratios as slopes), so the minimum is where the slope of W e^(−A−z)
    meets the current ratio, or z_min."""
    z = 0.0
    for k in range(start, a.size):
        c = cap_start if k == start else cap[k]
        if c <= 0:
            continue
        ratio = mu[k] / a[k]
        seg = c * a[k]
        if z < z_min:  # forced: at least z_min of exponent
            take = min(seg, z_min - z)
            z += take
            L += take * ratio
            seg -= take
            if seg <= 0.0:
                continue
        if ratio <= 0.0:
            z += seg
            continue
        z_stop = np.log(W / ratio) - A if W > 0.0 else -np.inf  # W e^(−A−z) = ratio
        if z >= z_stop:
            return W * np.exp(-A - z) + L
        if z + seg <= z_stop:
            z += seg
            L += seg * ratio
        else:
            L += (z_stop - z) * ratio
            return W * np.exp(-A - z_stop) + L
    return W * np.exp(-A - z) + L


@_jit
def _suffix_sums(a: np.ndarray, mu: np.ndarray, cap: np.ndarray, N: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every suffix k.. of the types, over its rounds: the sum of the n largest exponents
    SA[k, n] and of the n smallest prices SM[k, n] for n ≤ N (inf past the rounds there are),
    the exponent of all of them and how many there are."""
    K = a.size
    SA = np.full((K + 1, N + 1), np.inf)
    SM = np.full((K + 1, N + 1), np.inf)
    SA[:, 0] = 0.0
    SM[:, 0] = 0.0
    tot = np.zeros(K + 1)
    items = np.zeros(K + 1, dtype=np.int64)
    ta = np.empty(N)  # the suffix's largest exponents, descending
    tm = np.empty(N)  # and smallest prices, ascending
    na = 0
    for k in range(K - 1, -1, -1):
        tot[k] = tot[k + 1] + cap[k] * a[k]
        items[k] = items[k + 1] + cap[k]
        for _ in range(min(cap[k], N)):  # insert the rounds of type k
            pos = na
            if na < N:
                na += 1
            elif a[k] <= ta[N - 1] and mu[k] >= tm[N - 1]:
                break
            i = min(pos, N - 1)
            while i > 0 and ta[i - 1] < a[k]:
                ta[i] = ta[i - 1]
                i -= 1
            if i < N and (pos < N or a[k] > ta[i]):
                ta[i] = a[k]
            i = min(pos, N - 1)
            while i > 0 and tm[i - 1] > mu[k]:
                tm[i] = tm[i - 1]
                i -= 1
            if i < N and (pos < N or mu[k] < tm[i]):
                tm[i] = mu[k]
        sa = 0.0
        sm = 0.0
        for n in range(na):
            sa += ta[n]
            sm += tm[n]
            SA[k, n + 1] = sa
            SM[k, n + 1] = sm
    return SA, SM, tot, items


@_jit
def _card(W: float, A: float, L: float, SA: np.ndarray, SM: np.ndarray, tot: np.ndarray,
          items: np.ndarray, k: int, n0: int, cutoff: float) -> float:
    """Lower bound on adding n ≥ ``n0`` rounds of the types k.. to a set of exponent A and cost
    L: with n rounds the exponent is at most the n largest and the cost at least the n smallest
    prices (prices are ≥ 0). Stops counting up once the cost alone passes ``cutoff``."""
    N = SA.shape[1] - 1
    best = np.inf
    top = min(N, items[k])
    for n in range(n0, top + 1):
        if L + SM[k, n] > cutoff:
            return best
        v = W * np.exp(-A - SA[k, n]) + L + SM[k, n]
        if v < best:
            best = v
    if items[k] > N:
        best = min(best, W * np.exp(-A - tot[k]) + L + SM[k, N])
    return best


@_jit
def _search(W: float, a: np.ndarray, mu: np.ndarray, cap: np.ndarray, slack: float,
            max_sets: int, max_nodes: int, sets: np.ndarray, vals: np.ndarray
            ) -> tuple[float, int, bool]:
    """Branch and bound on types already sorted by μ/a. A node is a set of rounds; its children
    add one round of a type at or after the last one added (every count vector once). Children
    are tried in order and the loop stops at the first type k for which no extension by types
    k.. can come within ``slack`` of the running minimum (the relaxation with at least the
    smallest exponent of those types added, non-decreasing in k); a child is entered only when
    its own relaxation can. Keeps every set within ``slack`` of the running minimum in
    ``sets``/``vals`` (as many as ``max_sets``; with slack 0 only the best, in slot 0).
    Returns (minimum or a lower bound, sets kept, complete)."""
    K = a.size
    best = W  # the empty set
    n_sets = 0
    if max_sets > 0:
        vals[0] = W
        sets[0, :] = 0
        n_sets = 1
    if K == 0:
        return best, n_sets, True
    amin = np.empty(K + 1)  # smallest exponent among the types k..
    amin[K] = np.inf
    for k in range(K - 1, -1, -1):
        amin[k] = min(amin[k + 1], a[k])
    SA, SM, tot, items = _suffix_sums(a, mu, cap, 24)
    depth = 0
    for k in range(K):
        depth += cap[k]
    stk = np.zeros(depth + 1, dtype=np.int64)  # type added at each level
    nxt = np.zeros(depth + 1, dtype=np.int64)  # next type to try at each level
    As = np.zeros(depth + 1)
    Ls = np.zeros(depth + 1)
    used = np.zeros(K, dtype=np.int64)
    d = 0
    nodes = 0
    while True:
        k = nxt[d]
        while k < K and used[k] >= cap[k]:
            k += 1
        cut = best + slack + 1e-15 * best
        if k >= K or _card(W, As[d], Ls[d], SA, SM, tot, items, k, 1, cut) > cut \
                or _relax(W, As[d], Ls[d], a, mu, cap, k, cap[k] - used[k], amin[k]) > cut:
            if d == 0:
                break
            d -= 1
            used[stk[d]] -= 1
            continue
        nxt[d] = k + 1
        A = As[d] + a[k]
        L = Ls[d] + mu[k]
        if _card(W, A, L, SA, SM, tot, items, k, 0, cut) > cut \
                or _relax(W, A, L, a, mu, cap, k, cap[k] - used[k] - 1, 0.0) > cut:
            continue
        nodes += 1
        if nodes > max_nodes:
            return min(best, _relax(W, 0.0, 0.0, a, mu, cap, 0, cap[0], 0.0)), n_sets, False
        used[k] += 1
        v = W * np.exp(-A) + L
        if v < best:
            best = v
        if v <= best + slack and max_sets > 0:
            if n_sets < max_sets:
                sets[n_sets, :] = used
                vals[n_sets] = v
                n_sets += 1
            elif slack > 0.0:
                return best, n_sets, False
            elif v <= vals[0]:  # pricing: keep only the best set, in slot 0
                sets[0, :] = used
                vals[0] = v
        stk[d] = k
        d += 1
        As[d], Ls[d], nxt[d] = A, L, k
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
    size = min(max_sets, 64)
    while True:  # a buffer that grows eightfold while it is what stopped the search
        sub = np.zeros((size, K), dtype=np.int64)
        vals = np.zeros(size)
        best, n, ok = _search(Wj, a[idx], mu[idx], cnt[idx], slack, size, max_nodes, sub, vals)
        if ok or n < size or size >= max_sets:
            break
        size = min(max_sets, 8 * size)
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
    repair(np.ones(1), a, np.zeros(1), np.ones(1, dtype=np.int64),
           np.zeros((1, 1), dtype=np.int64), 10)
    prices(np.ones(1), a, np.zeros(1), np.ones(1, dtype=np.int64), np.ones((1, 1), dtype=np.int64))
    partition(np.zeros(1, dtype=np.int64), np.ones((1, 1), dtype=np.int64), np.zeros(1),
              np.zeros(1), np.ones(1, dtype=np.int64), 1, 1.0, 10)
    # (the callers pass every argument, so these are the signatures they use)


@_jit
def repair(W: np.ndarray, a: np.ndarray, cost: np.ndarray, cnt: np.ndarray, X0: np.ndarray,
           max_passes: int = 1_000) -> np.ndarray:
    """A feasible assignment near the target minima ``X0`` (T, m) — the Lagrangian heuristic
    (and, from zeros, greedy maximum marginal return): rounds of over-used types leave the
    targets where they save the least, free rounds go where they gain the most (while they gain
    more than they cost), then first-improvement descent over single moves (a round to another
    target, fired or held) and swaps (two rounds of different types exchange targets) until a
    whole pass improves nothing, or ``max_passes`` passes. Counts (T, m)."""
    T, m = a.shape
    X = X0.copy()
    E = np.exp(a)  # a round leaving target j multiplies its survival by E
    En = np.exp(-a)
    y = np.zeros(m)
    for j in range(m):
        for t in range(T):
            y[j] += X[t, j] * a[t, j]
    e = W * np.exp(-y)  # the surviving value of each target
    used = X.sum(axis=1)
    while True:  # over-used types give back their cheapest rounds
        bt, bj, bd = -1, -1, np.inf
        for t in range(T):
            if used[t] > cnt[t]:
                for j in range(m):
                    if X[t, j] > 0:
                        d = e[j] * (E[t, j] - 1.0) - cost[t]
                        if d < bd:
                            bt, bj, bd = t, j, d
        if bt < 0:
            break
        X[bt, bj] -= 1
        used[bt] -= 1
        y[bj] -= a[bt, bj]
        e[bj] = W[bj] * np.exp(-y[bj])
    while True:  # free rounds to their best targets
        bt, bj, bd = -1, -1, 0.0
        for t in range(T):
            if used[t] < cnt[t]:
                for j in range(m):
                    d = e[j] * (En[t, j] - 1.0) + cost[t]
                    if d < bd:
                        bt, bj, bd = t, j, d
        if bt < 0:
            break
        X[bt, bj] += 1
        used[bt] += 1
        y[bj] += a[bt, bj]
        e[bj] = W[bj] * np.exp(-y[bj])
    nt = np.empty(T * m + T, dtype=np.int64)  # the (type, column) pairs holding rounds
    nj = np.empty(T * m + T, dtype=np.int64)
    for _ in range(max_passes):
        nz = 0
        for t in range(T):
            if used[t] < cnt[t]:
                nt[nz], nj[nz] = t, -1  # a round held
                nz += 1
            for j in range(m):
                if X[t, j] > 0:
                    nt[nz], nj[nz] = t, j
                    nz += 1
        eps = 1e-12 * max(e.sum(), 1e-300)
        improved = False
        for i in range(nz):  # moves: fire, hold, or to another target
            t, j = nt[i], nj[i]
            if (j >= 0 and X[t, j] == 0) or (j < 0 and used[t] >= cnt[t]):
                continue
            # leaving: a held round changes nothing, a fired one gives back its kill and cost
            out = 0.0 if j < 0 else e[j] * (E[t, j] - 1.0) - cost[t]
            bk, bd = -2, -eps
            if j >= 0 and out < bd:
                bk, bd = -1, out
            for k in range(m):
                if k != j:
                    d = out + e[k] * (En[t, k] - 1.0) + cost[t]
                    if d < bd:
                        bk, bd = k, d
            if bk == -2:
                continue
            improved = True
            if j >= 0:
                X[t, j] -= 1
                y[j] -= a[t, j]
                e[j] = W[j] * np.exp(-y[j])
            else:
                used[t] += 1
            if bk >= 0:
                X[t, bk] += 1
                y[bk] += a[t, bk]
                e[bk] = W[bk] * np.exp(-y[bk])
            else:
                used[t] -= 1
        for i in range(nz):  # swaps: t at j <-> u at l
            t, j = nt[i], nj[i]
            if j < 0:
                continue
            for f in range(i + 1, nz):
                u, l = nt[f], nj[f]
                if l < 0 or l == j or u == t or X[t, j] == 0 or X[u, l] == 0:
                    continue
                d = e[j] * (E[t, j] * En[u, j] - 1.0) + e[l] * (E[u, l] * En[t, l] - 1.0)
                if d < -eps:
                    improved = True
                    X[t, j] -= 1
                    X[t, l] += 1
                    X[u, l] -= 1
                    X[u, j] += 1
                    y[j] += a[u, j] - a[t, j]
                    y[l] += a[t, l] - a[u, l]
                    e[j] = W[j] * np.exp(-y[j])
                    e[l] = W[l] * np.exp(-y[l])
                    break  # (t, j) may be empty now: on to the next pair
        if not improved:
            break
    return X


@_jit
def prices(W: np.ndarray, a: np.ndarray, cost: np.ndarray, cnt: np.ndarray, X: np.ndarray
           ) -> np.ndarray:
    """Starting prices from an assignment ``X`` (T, m): potentials on its exchange graph (Ahuja
    et al.'s improvement graph, on types). The price of a round's place is the cheapest way to
    free it — the round leaves (what f loses), or a round of another type from another target
    takes its place and that round's place is freed in turn (Bellman–Ford, the dual of a
    linear assignment) — a type's price the least over its places, 0 when one of its rounds is
    held, raised to what one more round of it would gain anywhere (net of its cost)."""
    T, m = a.shape
    y = np.zeros(m)
    for j in range(m):
        for t in range(T):
            y[j] += X[t, j] * a[t, j]
    e = W * np.exp(-y)
    nt = np.empty(T * m, dtype=np.int64)
    nj = np.empty(T * m, dtype=np.int64)
    nz = 0
    for t in range(T):
        for j in range(m):
            if X[t, j] > 0:
                nt[nz], nj[nz] = t, j
                nz += 1
    lk = np.empty(nz)
    for i in range(nz):
        t, j = nt[i], nj[i]
        lk[i] = e[j] * np.expm1(a[t, j]) - cost[t]
    for _ in range(nz):
        changed = False
        for i in range(nz):  # round of (u, l) takes the place of a round of (t, j)
            t, j = nt[i], nj[i]
            for k in range(nz):
                u, l = nt[k], nj[k]
                if l == j:
                    continue
                v = lk[k] + e[j] * (np.exp(a[t, j] - a[u, j]) - 1.0)
                if v < lk[i] - 1e-15 * abs(lk[i]):
                    lk[i] = v
                    changed = True
        if not changed:
            break
    lam = np.full(T, np.inf)
    for i in range(nz):
        lam[nt[i]] = min(lam[nt[i]], lk[i])
    used = X.sum(axis=1)
    for t in range(T):
        if used[t] < cnt[t] or not np.isfinite(lam[t]):
            lam[t] = 0.0
        for j in range(m):
            lam[t] = max(lam[t], e[j] * -np.expm1(-a[t, j]) - cost[t])
        lam[t] = max(lam[t], 0.0)
    return lam


@_jit
def partition(tj: np.ndarray, X: np.ndarray, delta: np.ndarray, lam: np.ndarray,
              cnt: np.ndarray, m: int, bound: float, max_nodes: int
              ) -> tuple[np.ndarray, float, bool]:
    """The set-partitioning problem over enumerated columns, by depth-first branch and bound:
    one column per target (column s at target ``tj[s]`` fires ``X[s]`` rounds of each type and
    costs ``delta[s]`` ≥ 0 above its target's best), Σ rounds ≤ ``cnt``, a round left unused
    costing its price ``lam``; minimise Σ delta + lam·(cnt − used), which is f − L(λ). Targets
    are taken in order of how many columns they have, columns cheapest first; a node is pruned
    when its cost plus the cheapest column of every target left reaches the best found (at
    first ``bound``: only strictly better answers are sought). Returns (the chosen column of
    each target, −1 when none was better than ``bound``; the best value; complete within
    ``max_nodes``)."""
    S, T = X.shape
    ncol = np.zeros(m, dtype=np.int64)
    for s in range(S):
        ncol[tj[s]] += 1
    order = np.argsort(ncol, kind="mergesort")
    start = np.zeros(m + 1, dtype=np.int64)
    for d in range(m):
        start[d + 1] = start[d] + ncol[order[d]]
    cols = np.empty(S, dtype=np.int64)  # columns by depth, cheapest first
    fill = start[:m].copy()
    pos = np.empty(m, dtype=np.int64)
    for d in range(m):
        pos[order[d]] = d
    for s in np.argsort(delta, kind="mergesort"):
        d = pos[tj[s]]
        cols[fill[d]] = s
        fill[d] += 1
    rest = np.zeros(m + 1)  # cheapest columns of the targets from depth d on
    for d in range(m - 1, -1, -1):
        rest[d] = rest[d + 1] + (delta[cols[start[d]]] if ncol[order[d]] > 0 else np.inf)
    best = bound
    best_pick = np.full(m, -1, dtype=np.int64)
    pick = np.zeros(m, dtype=np.int64)  # index into the depth's columns
    used = np.zeros(T, dtype=np.int64)
    cost = np.zeros(m + 1)
    d = 0
    pick[0] = -1
    nodes = 0
    while d >= 0:
        if pick[d] >= 0:  # undo the column tried last at this depth
            s = cols[start[d] + pick[d]]
            for t in range(T):
                used[t] -= X[s, t]
        pick[d] += 1
        if start[d] + pick[d] >= start[d + 1]:
            pick[d] = -1
            d -= 1
            continue
        s = cols[start[d] + pick[d]]
        if cost[d] + delta[s] + rest[d + 1] >= best:
            pick[d] = -1  # the columns after it cost more
            d -= 1
            continue
        nodes += 1
        if nodes > max_nodes:
            return best_pick, best, False
        ok = True
        for t in range(T):
            used[t] += X[s, t]
            if used[t] > cnt[t]:
                ok = False
        if not ok:
            continue
        cost[d + 1] = cost[d] + delta[s]
        if d + 1 == m:
            v = cost[m]
            for t in range(T):
                v += lam[t] * (cnt[t] - used[t])
            if v < best:
                best = v
                for k in range(m):
                    best_pick[order[k]] = cols[start[k] + pick[k]]
            continue
        d += 1
        pick[d] = -1
    return best_pick, best, True
