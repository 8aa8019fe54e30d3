"""Lower bounds and exact modes of the static weapon-target assignment (see the package
docstring): the continuous relaxation, the Lagrangian bound, the Lagrangian/column-generation
bound with exact target subproblems and reduced-cost column enumeration, and the
outer-approximation MILP."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

from skyshield.c2.wta.search import _exchange_graph, _State


def _relaxed(V: np.ndarray, a: np.ndarray, r: np.ndarray, owner: np.ndarray,
             iters: int = 100) -> np.ndarray:
    """Rounded continuous relaxation: Frank–Wolfe on the convex relaxation from each weapon at
    its best target, then each weapon's rounds to its largest fractional shares (first round to
    the largest, further rounds only to shares above one half, else again the largest)."""
    n, m = a.shape
    x0 = np.zeros((n, m))
    x0[np.arange(n), np.argmax(a * V[None, :], axis=1)] = r
    x, _ = _frank_wolfe(V, a, r, x0, iters, np.inf)
    tgt = np.empty(owner.size, dtype=np.int64)
    order = np.argsort(-x, axis=1)
    pos = 0
    for i in range(n):
        for c in range(int(r[i])):
            j = order[i, c] if c < m and x[i, order[i, c]] > 0.5 else order[i, 0]
            tgt[pos] = j if c else order[i, 0]
            pos += 1
    return tgt



def _frank_wolfe(V: np.ndarray, a: np.ndarray, r: np.ndarray, x0: np.ndarray, iters: int,
                 deadline: float) -> tuple[np.ndarray, float]:
    """Frank–Wolfe on the continuous relaxation from ``x0`` (exact line search by a few Newton
    steps). Returns the last iterate and the best lower bound f(x) + min_s ∇f(x)·(s − x) seen
    (valid at every iterate: f is convex and s ranges over the feasible polytope)."""
    x = x0.astype(float)
    best = -np.inf
    rows = np.arange(a.shape[0])
    for it in range(iters):
        e = V * np.exp(-(a * x).sum(axis=0))  # V_j e^(−y_j)
        g = -a * e[None, :]  # ∂f/∂x_ij
        jmin = np.argmin(g, axis=1)
        best = max(best, float(e.sum()) + float(r @ g[rows, jmin]) - float((g * x).sum()))
        if time.perf_counter() > deadline:
            break
        d = -x
        d[rows, jmin] += r
        ad = (a * d).sum(axis=0)
        gam = 2.0 / (it + 2.0)
        for _ in range(6):
            ee = e * np.exp(-gam * ad)
            d2 = float((ee * ad * ad).sum())
            if d2 <= 0:
                break
            gam = min(1.0, max(0.0, gam + float((ee * ad).sum()) / d2))
        x += gam * d
    return x, best


def _target_bounds(V: np.ndarray, q: np.ndarray, lam: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Lower bounds of the Lagrangian target subproblems h_j = min_S V_j Π_{k∈S} q_kj + Σ_{k∈S} λ_k
    over sets S of items (weapon rounds) with survival factors ``q`` (K, m) and prices ``lam``
    (K,); and, as a subgradient, how often each item is in the minimising set.

    Exact over sets of up to two items; larger sets are bounded by V_j·(product of the k smallest
    q) + (sum of the k smallest λ), which under-estimates every set of size k. Only items with
    λ_k < V_j·p_kj can belong to a minimising set (dropping any other never raises the value), so
    both the pairs and the size-k bounds range over those; pairs are searched only among the items
    that could still beat the best single item."""
    K, m = q.shape
    cols = np.arange(m)
    single = V[None, :] * q + lam[:, None]
    i1 = np.argmin(single, axis=0)
    h = np.minimum(V, single[i1, cols])
    pick = np.where(single[i1, cols] < V, i1, -1)
    chosen = np.bincount(pick[pick >= 0], minlength=K).astype(float)
    prof = lam[:, None] < V[None, :] * (1.0 - q)
    npf = prof.sum(axis=0)
    need = np.flatnonzero(npf >= 2)
    if need.size == 0:
        return h, chosen
    qp = np.where(prof[:, need], q[:, need], 1.0)
    lp = np.where(prof[:, need], lam[:, None], np.inf)
    q2 = np.partition(qp, 1, axis=0)[:2]
    l2 = np.partition(lp, 1, axis=0)[:2]
    lb2 = V[need] * q2[0] * q2[1] + l2[0] + l2[1]  # no pair does better
    js = need[lb2 < h[need]]
    # an item of a pair {u, v} better than h_j has V q_u q_v + λ_u + λ_v < h_j, so with the
    # partner's q and λ at their smallest: V q_u q_min + λ_u + λ_min < h_j
    qmin = np.where(prof[:, js], q[:, js], 1.0).min(axis=0)
    lmin = np.where(prof[:, js], lam[:, None], np.inf).min(axis=0)
    cand = prof[:, js] & (V[js] * q[:, js] * qmin + lam[:, None] + lmin < h[js])
    ncand = cand.sum(axis=0)
    js, cand, ncand = js[ncand >= 2], cand[:, ncand >= 2], ncand[ncand >= 2]
    T = int(ncand.max()) if js.size else 0
    step = max(1, 4_000_000 // max(T * T, 1))
    for s in range(0, js.size, step):  # exact pairs, a block of targets at a time
        jb = js[s:s + step]
        items = np.argsort(~cand[:, s:s + step], axis=0, kind="stable")[:T]  # candidates first
        real = np.arange(T)[:, None] < ncand[s:s + step][None, :]
        qj = np.where(real, q[items, jb[None, :]], 1.0)
        lj = np.where(real, lam[items], np.inf)
        P = V[jb] * qj[:, None, :] * qj[None, :, :] + lj[:, None, :] + lj[None, :, :]
        P[np.arange(T), np.arange(T), :] = np.inf
        flat = np.argmin(P.reshape(T * T, -1), axis=0)
        u, v = np.divmod(flat, T)
        cb = np.arange(jb.size)
        pv = P[u, v, cb]
        better = pv < h[jb]
        old = pick[jb[better]]
        np.subtract.at(chosen, old[old >= 0], 1.0)
        np.add.at(chosen, items[u[better], cb[better]], 1.0)
        np.add.at(chosen, items[v[better], cb[better]], 1.0)
        h[jb] = np.minimum(h[jb], pv)
    # sets of k ≥ 3 items: at least the k smallest prices, so only where three undercut h_j
    # is the size-k bound V_j·(k smallest q multiplied) + (k smallest λ summed) worth forming
    big = need[npf[need] >= 3]
    if big.size == 0:
        return h, chosen
    l3 = np.partition(np.where(prof[:, big], lam[:, None], np.inf), 2, axis=0)[:3].sum(axis=0)
    big = big[l3 < h[big]]
    if big.size:
        kmax = int(npf[big].max())
        qs = np.sort(np.where(prof[:, big], q[:, big], 1.0), axis=0)[:kmax]
        ls = np.sort(np.where(prof[:, big], lam[:, None], np.inf), axis=0)[:kmax]
        size_lb = V[big][None, :] * np.cumprod(qs, axis=0) + np.cumsum(ls, axis=0)
        size_lb[np.arange(kmax)[:, None] >= npf[big][None, :]] = np.inf
        h[big] = np.minimum(h[big], size_lb[2:].min(axis=0))
    return h, chosen


def _lagrangian_bound(st: _State, r: np.ndarray, iters: int, deadline: float, tol: float
                      ) -> float:
    """Lower bound by relaxing the weapon constraints Σ_j x_ij ≤ r_i with prices λ_i ≥ 0:
    L(λ) = Σ_j h_j(λ) − Σ_i λ_i r_i ≤ f(x) for every feasible x, whatever λ (weak duality), and
    the integer target subproblems h_j keep it far above the continuous relaxation. The prices
    start from the incumbent: each round's marginal value, lowered by Bellman–Ford until no round
    of another weapon would replace it more cheaply (potentials on the exchange graph, the dual of
    a linear assignment) and raised to what it would gain elsewhere; then projected subgradient
    steps with Polyak's step towards f(incumbent). For Ahuja-type instances the start alone
    usually certifies the optimum."""
    V, q, owner, f = st.V, st.q, st.owner, st.f
    n = r.size
    C, out, inn = _exchange_graph(st)
    lk = out.copy()
    for _ in range(owner.size):
        new = np.minimum(lk, (lk[:, None] + C).min(axis=0))
        if np.array_equal(new, lk) or time.perf_counter() > deadline:
            break
        lk = new
    lk = np.maximum(lk, np.maximum(0.0, (-inn).max(axis=1)))
    lam = np.full(n, np.inf)
    np.minimum.at(lam, owner, lk)
    lam[~np.isfinite(lam)] = 0.0
    qk = q[owner]
    best, theta, stall = -np.inf, 1.0, 0
    for _ in range(iters + 1):
        h, chosen = _target_bounds(V, qk, lam[owner])
        L = float(h.sum() - lam @ r)
        if L > best:
            best, stall = L, 0
        else:
            stall += 1
            if stall >= 5:
                theta, stall = theta / 2, 0
        if f - best <= tol * max(f, 1e-12) or time.perf_counter() > deadline:
            break
        g = np.bincount(owner, weights=chosen, minlength=n) - r
        g[(lam <= 0) & (g < 0)] = 0.0
        gg = float(g @ g)
        if gg == 0.0:
            break
        lam = np.maximum(0.0, lam + theta * (f - L) / gg * g)
    return best


def _oa_milp(V: np.ndarray, a: np.ndarray, r: np.ndarray, x_best: np.ndarray, f_best: float,
             lb: float, deadline: float, tol: float
             ) -> tuple[np.ndarray, float, float, bool]:
    """Outer approximation by tangent cuts, HiGHS MILP per round of cuts."""
    n, m = a.shape
    nx = n * m
    # variables: x (n·m, integer in [0, r_i]) then z (m, continuous ≥ 0)
    c = np.concatenate([np.zeros(nx), np.ones(m)])
    integrality = np.concatenate([np.ones(nx), np.zeros(m)])
    ub = np.concatenate([np.repeat(r, m).astype(float), V])
    bounds = Bounds(np.zeros(nx + m), ub)
    rows = np.repeat(np.arange(n), m)
    cap = LinearConstraint(csr_matrix(coo_matrix((np.ones(nx), (rows, np.arange(nx))),
                                                 shape=(n, nx + m))), -np.inf, r)
    cut_blocks: list[csr_matrix] = []
    cut_lb: list[np.ndarray] = []

    def add_cuts(y: np.ndarray, js: np.ndarray) -> None:
        # z_j ≥ V e^(−t)(1 + t − y_j)  ⇔  z_j + V e^(−t) Σ_i a_ij x_ij ≥ V e^(−t)(1 + t)
        if js.size == 0:
            return
        t = y[js]
        w = V[js] * np.exp(-t)
        ii, jj = np.meshgrid(np.arange(n), js, indexing="xy")  # (len(js), n)
        cols = (ii * m + jj).ravel()
        vals = (w[:, None] * a[:, js].T).ravel()
        rr = np.repeat(np.arange(js.size), n)
        block = coo_matrix((np.concatenate([vals, np.ones(js.size)]),
                            (np.concatenate([rr, np.arange(js.size)]),
                             np.concatenate([cols, nx + js]))), shape=(js.size, nx + m))
        cut_blocks.append(block.tocsr())
        cut_lb.append(w * (1 + t))

    y0 = (a * x_best).sum(axis=0)
    add_cuts(y0, np.arange(m))
    for t in (0.0, 1.0, 2.0, 3.0):
        add_cuts(np.full(m, t), np.arange(m))
    proven = False
    prev_lb: float | None = None
    while True:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            break
        A = vstack(cut_blocks).tocsr()
        res = milp(c, integrality=integrality, bounds=bounds,
                   constraints=[cap, LinearConstraint(A, np.concatenate(cut_lb), np.inf)],
                   options={"time_limit": left, "mip_rel_gap": tol / 4, "disp": False})
        if res.x is None:
            bound = getattr(res, "mip_dual_bound", None)
            if bound is not None and np.isfinite(bound):
                lb = max(lb, float(bound))
            break
        bound = getattr(res, "mip_dual_bound", None)
        milp_lb = float(bound) if bound is not None and np.isfinite(bound) else float(res.fun)
        if res.status != 0 and bound is None:
            milp_lb = -np.inf
        lb = max(lb, milp_lb)
        x = np.rint(res.x[:nx]).reshape(n, m).astype(np.int64)
        y = (a * x).sum(axis=0)
        f = float((V * np.exp(-y)).sum())
        improved = f < f_best
        if improved:
            f_best, x_best = f, x
        if f_best - lb <= tol * max(f_best, 1e-12):
            proven = res.status == 0 or f_best - lb <= 1e-9
            break
        z = res.x[nx:]
        viol = np.flatnonzero(V * np.exp(-y) > z + 1e-9 * np.maximum(V, 1.0))
        if viol.size == 0 or (prev_lb is not None and milp_lb <= prev_lb + 1e-12 * abs(milp_lb)
                              and not improved):
            break  # nothing left to cut, or no progress at the solver's own tolerances
        prev_lb = milp_lb
        add_cuts(y, viol)
    return x_best, f_best, lb, proven


