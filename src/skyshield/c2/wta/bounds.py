"""Lower bounds and exact modes of the static weapon-target assignment (see the package
docstring): the continuous relaxation, the Lagrangian bound, the Lagrangian/column-generation
bound with exact target subproblems and reduced-cost column enumeration, and the
outer-approximation MILP."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
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
                 deadline: float, cost: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Frank–Wolfe on the continuous relaxation from ``x0`` (exact line search by a few Newton
    steps). Returns the last iterate and the best lower bound f(x) + min_s ∇f(x)·(s − x) seen
    (valid at every iterate: f is convex and s ranges over the feasible polytope). With firing
    costs ``cost`` (n,) f gains Σ_ij c_i x_ij and a weapon's rounds go nowhere when every
    direction costs more than it saves (the polytope is Σ_j x_ij ≤ r_i)."""
    x = x0.astype(float)
    best = -np.inf
    rows = np.arange(a.shape[0])
    for it in range(iters):
        e = V * np.exp(-(a * x).sum(axis=0))  # V_j e^(−y_j)
        g = -a * e[None, :]  # ∂f/∂x_ij
        if cost is not None:
            g = g + cost[:, None]
        jmin = np.argmin(g, axis=1)
        gmin = g[rows, jmin] if cost is None else np.minimum(g[rows, jmin], 0.0)
        fx = float(e.sum()) + (0.0 if cost is None else float(cost @ x.sum(axis=1)))
        best = max(best, fx + float(r @ gmin) - float((g * x).sum()))
        if time.perf_counter() > deadline:
            break
        d = -x
        if cost is None:
            d[rows, jmin] += r
        else:
            d[rows, jmin] += np.where(gmin < 0, r, 0)
        ad = (a * d).sum(axis=0)
        cd = 0.0 if cost is None else float(cost @ d.sum(axis=1))
        gam = 2.0 / (it + 2.0)
        for _ in range(6):
            ee = e * np.exp(-gam * ad)
            d2 = float((ee * ad * ad).sum())
            if d2 <= 0:
                break
            gam = min(1.0, max(0.0, gam + (float((ee * ad).sum()) - cd) / d2))
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


def _lagrangian_bound(st: _State, r: np.ndarray, iters: int, deadline: float, tol: float,
                      cost: np.ndarray | None = None, prices_only: bool = False
                      ) -> tuple[float, np.ndarray]:
    """Lower bound by relaxing the weapon constraints Σ_j x_ij ≤ r_i with prices λ_i ≥ 0:
    L(λ) = Σ_j h_j(λ + c) − Σ_i λ_i r_i ≤ f(x) for every feasible x, whatever λ (weak duality;
    a round of weapon i costs its price λ_i plus its firing cost c_i in the target subproblems,
    which keeps the bound valid for the objective with costs, the held rounds being the slack of
    the relaxed constraints), and the integer target subproblems h_j keep it far above the
    continuous relaxation. The prices start from the incumbent: each round's marginal value net
    of its cost, lowered by Bellman–Ford until no round of another weapon would replace it more
    cheaply (potentials on the exchange graph, the dual of a linear assignment) and raised to
    what it would gain at another target; then projected subgradient steps with Polyak's step
    towards f(incumbent). For Ahuja-type instances the start alone usually certifies the
    optimum. Returns the best bound and its prices. With costs the state's last column is hold
    (no target: it never enters the subproblems)."""
    V, q, owner, f = st.V, st.q, st.owner, st.f
    n = r.size
    C, out, inn = _exchange_graph(st)
    lk = out.copy()
    if cost is not None:
        V, q, inn = V[:-1], q[:, :-1], inn[:, :-1]
        lk -= st.cw[owner, st.tgt]  # type: ignore[index]
    for _ in range(owner.size):
        new = np.minimum(lk, (lk[:, None] + C).min(axis=0))
        if np.array_equal(new, lk) or time.perf_counter() > deadline:
            break
        lk = new
    lk = np.maximum(lk, np.maximum(0.0, (-inn).max(axis=1)))
    lam = np.full(n, np.inf)
    np.minimum.at(lam, owner, lk)
    lam[~np.isfinite(lam)] = 0.0
    if prices_only:  # (the caller bounds with exact target subproblems)
        return -np.inf, lam
    qk = q[owner]
    ck = 0.0 if cost is None else cost[owner]
    best, best_lam, theta, stall = -np.inf, lam, 1.0, 0
    for _ in range(iters + 1):
        h, chosen = _target_bounds(V, qk, lam[owner] + ck)
        L = float(h.sum() - lam @ r)
        if L > best:
            best, best_lam, stall = L, lam, 0
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
    return best, best_lam


def _oa_milp(V: np.ndarray, a: np.ndarray, r: np.ndarray, x_best: np.ndarray, f_best: float,
             lb: float, deadline: float, tol: float, cost: np.ndarray | None = None
             ) -> tuple[np.ndarray, float, float, bool]:
    """Outer approximation by tangent cuts, HiGHS MILP per round of cuts; firing costs
    ``cost`` (n,) enter the MILP's objective as the linear term Σ_ij c_i x_ij."""
    n, m = a.shape
    nx = n * m
    # variables: x (n·m, integer in [0, r_i]) then z (m, continuous ≥ 0)
    cx = np.zeros(nx) if cost is None else np.repeat(np.asarray(cost, dtype=float), m)
    c = np.concatenate([cx, np.ones(m)])
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
                   options=_milp_options(left, None, tol / 4))
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
        f = float((V * np.exp(-y)).sum()) + float(cx @ x.ravel())
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




def _milp_options(time_limit_s: float, node_limit: int | None, gap: float) -> dict:
    """HiGHS options: a time limit only when one is finite (the caller asked for it), else a
    node count or nothing — HiGHS is deterministic, so the answer does not depend on the
    machine."""
    opts: dict = {"mip_rel_gap": gap, "disp": False}
    if np.isfinite(time_limit_s):
        opts["time_limit"] = max(time_limit_s, 0.01)
    if node_limit is not None:
        opts["node_limit"] = node_limit
    return opts


def _column_costs(V: np.ndarray, a: np.ndarray, cost: np.ndarray, tj: np.ndarray,
                  X: np.ndarray) -> np.ndarray:
    """Cost of columns: target ``tj`` (s,) given the rounds ``X`` (s, T) of each type."""
    return V[tj] * np.exp(-(X * a[:, tj].T).sum(axis=1)) + X @ cost


def _master(V: np.ndarray, a: np.ndarray, cnt: np.ndarray, cost: np.ndarray, tj: np.ndarray,
            X: np.ndarray, integral: bool, time_limit_s: float, node_limit: int | None = None):
    """The set-partitioning master over columns (target ``tj``, rounds ``X``): min Σ cost·y,
    one column per target, Σ rounds ≤ counts; its LP (prices) or, ``integral``, its MILP."""
    m, T, s = V.size, cnt.size, tj.size
    A_eq = csr_matrix(coo_matrix((np.ones(s), (tj, np.arange(s))), shape=(m, s)))
    rr, cc = np.nonzero(X.T)
    A_ub = csr_matrix(coo_matrix((X.T[rr, cc].astype(float), (rr, cc)), shape=(T, s)))
    c = _column_costs(V, a, cost, tj, X)
    if not integral:
        return linprog(c, A_ub=A_ub, b_ub=cnt.astype(float), A_eq=A_eq, b_eq=np.ones(m),
                       bounds=(0, None), method="highs"), c
    return milp(c, integrality=np.ones(s), bounds=Bounds(0, 1),
                constraints=[LinearConstraint(A_eq, 1, 1),
                             LinearConstraint(A_ub, -np.inf, cnt.astype(float))],
                options=_milp_options(time_limit_s, node_limit, 0.0)), c


def _partition(V: np.ndarray, a: np.ndarray, cnt: np.ndarray, cost: np.ndarray,
               tj: np.ndarray, X: np.ndarray, lam: np.ndarray, f_inc: float,
               max_nodes: int = 1_000_000,
               priced: tuple | None = None
               ) -> tuple[np.ndarray | None, float, bool]:
    """The set-partitioning problem over the columns in reduced costs (see ``_master_milp``) by
    the depth-first search of ``subsets.partition``, looking only for answers better than the
    incumbent ``f_inc``: (chosen columns or None, lower bound on f, finished). ``priced``: the
    costs of columns and of unused rounds and the base to use instead of the Lagrangian ones
    (the master LP's reduced costs and value, from ``_master_milp(relax=True)``)."""
    from skyshield.c2.wta.subsets import partition

    m = V.size
    if priced is None:
        red = _column_costs(V, a, cost, tj, X) + X @ lam
        h = np.full(m, np.inf)
        np.minimum.at(h, tj, red)
        delta, idle, base = red - h[tj], lam, float(h.sum() - lam @ cnt)
    else:
        delta, idle, base = priced[:3]
    pick, best, done = partition(tj, X, delta, idle, cnt, m,
                                 f_inc - base - 1e-13 * abs(f_inc), max_nodes)
    if not done:  # out of nodes: an assignment better than the incumbent if one was found
        if pick.min() < 0:
            return None, -np.inf, False
        chosen = np.zeros(tj.size, dtype=bool)
        chosen[pick] = True
        return chosen, -np.inf, False
    if pick.min() < 0:  # nothing better than the incumbent: it is optimal
        return None, f_inc, True
    chosen = np.zeros(tj.size, dtype=bool)
    chosen[pick] = True
    return chosen, base + best, True


def _master_milp(V: np.ndarray, a: np.ndarray, cnt: np.ndarray, cost: np.ndarray,
                 tj: np.ndarray, X: np.ndarray, lam: np.ndarray, gap: float,
                 time_limit_s: float, node_limit: int | None, relax: bool = False,
                 out: list | None = None) -> tuple[np.ndarray | None, float, bool]:
    """The set-partitioning MILP over the columns (target ``tj``, rounds ``X``) in reduced
    costs: with prices λ a column costs δ = c + λ·X − h_j ≥ 0 above its target's best
    (h_j, the least c + λ·X among its columns) and an unused round λ_t (slack s_t), and
    Σ c·y = Σ δ·y + λ·s + Σ_j h_j − λ·n exactly. Scaled by the ``gap`` the objective lies
    in [0, 1] whatever the size of f, so HiGHS's absolute tolerances (1e-6) are tolerances on
    the gap, not on f. Returns (chosen columns or None, lower bound on f, solved to the end).

    ``relax``: its LP relaxation only (HiGHS's simplex, a few ms where the MILP's root cuts
    take tens): the LP's value is a lower bound on every assignment among the columns, and an
    integral LP optimum is the MILP's (then "solved"; else no columns and not solved). Its
    reduced costs are appended to ``out`` for ``_partition`` (a far tighter start than the
    Lagrangian prices: the search then looks only within f(incumbent) − LP of the LP), with
    the prices its capacity duals imply (λ − gap·π, the Dantzig–Wolfe step)."""
    m, T, s = V.size, cnt.size, tj.size
    c = _column_costs(V, a, cost, tj, X)
    red = c + X @ lam
    h = np.full(m, np.inf)
    np.minimum.at(h, tj, red)
    g = max(gap, 1e-300)
    obj = np.concatenate([(red - h[tj]) / g, lam / g])
    A_eq = coo_matrix((np.ones(s), (tj, np.arange(s))), shape=(m, s + T))
    rr, cc = np.nonzero(X.T)
    A_cap = coo_matrix((np.concatenate([X.T[rr, cc].astype(float), np.ones(T)]),
                        (np.concatenate([rr, np.arange(T)]),
                         np.concatenate([cc, s + np.arange(T)]))), shape=(T, s + T))
    if relax:
        A = vstack([A_eq, A_cap]).tocsr()
        # no upper bounds (y ≤ 1 and s ≤ counts follow from the rows): at the optimum every
        # reduced cost is then ≥ 0 up to the solver's tolerance, which ``_partition`` needs
        res = linprog(obj, A_eq=A, b_eq=np.concatenate([np.ones(m), cnt.astype(float)]),
                      bounds=(0, None), method="highs")
        if res.status != 0:
            return None, -np.inf, False
        y = res.x[:s]
        chosen = y > 0.5
        integral = bool(np.all(np.abs(y - chosen) < 1e-9)) and \
            np.bincount(tj[chosen], minlength=m).tolist() == [1] * m and \
            bool(np.all(X[chosen].sum(axis=0) <= cnt))
        base = float(h.sum() - lam @ cnt)
        if out is not None:
            # the LP's reduced costs: for every integral (y, s) with A(y, s) = b exactly,
            # obj·(y, s) = π·b + d·(y, s), d = obj − Aᵀπ; negative d (the solver's tolerance)
            # are clipped at 0 and their worst effect (y ≤ 1, s ≤ counts) taken off π·b
            b = np.concatenate([np.ones(m), cnt.astype(float)])
            d = obj - A.T @ res.eqlin.marginals
            neg = np.minimum(d, 0.0)
            under = float(neg[:s].sum() + neg[s:] @ cnt)
            out.append((g * np.maximum(d[:s], 0.0), g * np.maximum(d[s:], 0.0),
                        base + g * (float(res.eqlin.marginals @ b) + under),
                        np.maximum(lam - g * res.eqlin.marginals[m:], 0.0)))
        return (chosen if integral else None), base + g * float(res.fun), integral
    res = milp(obj, integrality=np.concatenate([np.ones(s), np.zeros(T)]),
               bounds=Bounds(0, np.concatenate([np.ones(s), cnt.astype(float)])),
               constraints=[LinearConstraint(csr_matrix(A_eq), 1, 1),
                            LinearConstraint(csr_matrix(A_cap), cnt.astype(float),
                                             cnt.astype(float))],
               options=_milp_options(time_limit_s, node_limit, 0.0))
    base = float(h.sum() - lam @ cnt)
    bound = getattr(res, "mip_dual_bound", None)
    if bound is None or not np.isfinite(bound):
        bound = res.fun if res.status == 0 and res.fun is not None else -np.inf
    lb = base + g * float(bound) if np.isfinite(bound) else -np.inf
    chosen = None if res.x is None else res.x[:s] > 0.5
    return chosen, lb, res.status == 0


def _dw_exact(V: np.ndarray, a: np.ndarray, cnt: np.ndarray, cost: np.ndarray,
              x_inc: np.ndarray, f_inc: float, lam0: np.ndarray, deadline: float, tol: float,
              max_columns: int = 5_000, cg_iters: int = 40, ascent_iters: int = 200,
              node_limit: int | None = None) -> tuple[np.ndarray, float, float, bool]:
    """Exact mode for many rounds on few targets, on weapon *types* with counts.

    1. **Bound**: L(λ) = Σ_j h_j(λ + c) − λ·n with every target subproblem h_j solved exactly
       (``subsets.target_minima``); the prices start at ``lam0`` and are improved by column
       generation on the set-partitioning master (columns: a target and the rounds of each type
       fired at it), each LP's duals giving new prices — Dantzig–Wolfe decomposition, whose
       limit is the best Lagrangian bound (Geoffrion 1974). Stops when L meets f(incumbent).
    2. **Reduced-cost enumeration**: for every feasible x, f(x) ≥ L(λ) + Σ_j δ_j(x) where
       δ_j ≥ 0 is how far x's column at target j is above h_j (and λ·(n − used) ≥ 0). So every
       assignment better than the incumbent uses, at each target, a column within
       Δ = f(incumbent) − L(λ) of that target's minimum. Those columns are enumerated exactly
       (``subsets.target_sets``) and the set-partitioning MILP over them (with the incumbent's
       columns) is solved by HiGHS: its optimum is the optimum of the whole problem.

    ``V`` (m,), ``a`` (T, m) kill exponents, ``cnt`` (T,) rounds, ``cost`` (T,) per round,
    ``x_inc`` (T, m) incumbent counts. Returns (counts, objective, lower bound, proven); when a
    list grows past ``max_columns`` or time runs out, the bound found so far, not proven."""
    from skyshield.c2.wta.subsets import target_minima

    T, m = a.shape
    scale = max(f_inc, 1e-300)
    cntf = cnt.astype(float)

    def price(lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        h, Xp, _ = target_minima(V, a, lam + cost, cnt, 20_000)
        return float(h.sum() - lam @ cntf), h, Xp

    lam = np.maximum(np.asarray(lam0, dtype=float), 0.0)
    best_L, best_lam, x_best, f_best = -np.inf, lam, x_inc.copy(), f_inc
    # subgradient steps in chunks of 4, 8, 16, ...; after each the columns within the gap are
    # listed, at first only if few (the MILP over them is quick), later up to ``max_columns``
    done, chunk, cap, cg_done = 0, 4, 100, False
    reprice = 0  # LP-dual price updates taken (each then lists the columns again)
    again = False
    while True:
        steps = 0 if again else min(chunk, ascent_iters - done)
        if steps > 0:
            L, lam_a, x_best, f_best, complete = _dual_ascent(V, a, cost, cnt, best_lam, x_best,
                                                              f_best, steps, tol, deadline)
            done, chunk, cap = done + steps, 2 * chunk, min(2 * cap, max_columns)
            if L > best_L:
                best_L, best_lam = L, lam_a
            if not complete and node_limit is not None:
                break  # target subproblems too big for their node budget: the fast mode stops
        if f_best - best_L <= tol * scale:
            return x_best, f_best, best_L, True
        if time.perf_counter() > deadline:
            break
        found = _enumerate(V, a, cnt, cost, best_lam, f_best - best_L, x_best,
                           cap if steps > 0 or again else max_columns, deadline)
        again = False
        if found is not None:
            tj, X = found
            left = deadline - time.perf_counter()
            if left <= 0.01:
                break
            # a short search in the Lagrangian reduced costs first (the small cycles of a C2
            # cycle end here, quicker than one LP), then the LP over the columns: often
            # integral (then it is the optimum), and its value bounds the search below
            priced: list = []
            chosen, lb, solved = _partition(V, a, cnt, cost, tj, X, best_lam, f_best, 20_000)
            if not solved and chosen is not None:  # out of nodes, but a better assignment
                f = float(_column_costs(V, a, cost, tj[chosen], X[chosen]).sum())
                if f < f_best:
                    x_best = np.zeros((T, m), dtype=np.int64)
                    x_best[:, tj[chosen]] = X[chosen].T
                    f_best = f
            if not solved:
                chosen, lb, solved = _master_milp(V, a, cnt, cost, tj, X, best_lam,
                                                  f_best - best_L, left, node_limit,
                                                  relax=True, out=priced)
            lp_lb = lb
            if lb >= f_best:  # no assignment among the columns beats the incumbent
                solved = True
            if not solved and priced and reprice < 3:
                # the LP's duals as prices, their target minima repaired: when the gap shrinks
                # by a third, list the (far fewer) columns within it again
                L2, lam2, x2, f2, _ = _dual_ascent(V, a, cost, cnt, priced[0][3], x_best,
                                                   f_best, 1, tol, deadline)
                if f2 - max(L2, best_L) < 0.67 * (f_best - best_L):
                    reprice += 1
                    if L2 > best_L:
                        best_L, best_lam = L2, lam2
                    x_best, f_best, again = x2, f2, True
                    continue
            if not solved:
                chosen, lb, solved = _partition(V, a, cnt, cost, tj, X, best_lam, f_best,
                                                priced=priced[0] if priced else None)
                if not solved and chosen is not None and reprice < 3:
                    # the search ran out of nodes but found a better assignment: the gap
                    # shrinks, list the columns within it again
                    f = float(_column_costs(V, a, cost, tj[chosen], X[chosen]).sum())
                    if f < f_best:
                        x_best = np.zeros((T, m), dtype=np.int64)
                        x_best[:, tj[chosen]] = X[chosen].T
                        f_best, again = f, True
                        reprice += 1
                        continue
            if not solved:  # too many combinations for the depth-first search: HiGHS
                chosen, lb, solved = _master_milp(V, a, cnt, cost, tj, X, best_lam,
                                                  f_best - best_L, left, node_limit)
            lb = max(lb, lp_lb)
            if chosen is not None:
                f = float(_column_costs(V, a, cost, tj[chosen], X[chosen]).sum())
                if f < f_best:
                    x_best = np.zeros((T, m), dtype=np.int64)
                    x_best[:, tj[chosen]] = X[chosen].T
                    f_best = f
            # every assignment better than the incumbent is among these columns: the MILP's
            # bound is a bound on the whole problem
            best_L = max(best_L, min(lb, f_best))
            return x_best, f_best, best_L, solved and f_best - best_L <= tol * scale

        if done < ascent_iters:
            continue
        if cg_done:
            break
        cg_done = True
        cols_t = [np.arange(m), np.arange(m)]
        cols_X = [x_best.T.copy(), np.zeros((m, T), dtype=np.int64)]
        # too many columns within the gap: better prices by column generation, then again
        for _ in range(cg_iters):
            if f_best - best_L <= tol * scale or time.perf_counter() > deadline:
                break
            tj, X = _unique_columns(np.concatenate(cols_t), np.concatenate(cols_X))
            cols_t, cols_X = [tj], [X]
            res, _ = _master(V, a, cnt, cost, tj, X, False, 0.0)
            if res.status != 0:
                break
            lam = np.maximum(-res.ineqlin.marginals, 0.0)
            L, h, Xp = price(lam)
            if L > best_L:
                best_L, best_lam = L, lam
            y = res.x
            if np.all(np.minimum(np.abs(y), np.abs(1.0 - y)) < 1e-9) and res.fun < f_best:
                chosen = y > 0.5  # an integral LP optimum is an assignment
                xi = np.zeros((T, m), dtype=np.int64)
                xi[:, tj[chosen]] = X[chosen].T
                f_best = float(_column_costs(V, a, cost, tj[chosen], X[chosen]).sum())
                x_best = xi
            new = np.flatnonzero(h < res.eqlin.marginals - 1e-12 * scale)
            if new.size == 0:
                break  # the LP is the Dantzig–Wolfe bound: L can rise no further
            cols_t.append(new)
            cols_X.append(Xp[:, new].T.copy())
    return x_best, f_best, best_L, False


def _dual_ascent(W: np.ndarray, a: np.ndarray, cost: np.ndarray, cnt: np.ndarray,
                 lam0: np.ndarray, x_inc: np.ndarray, f_target: float, iters: int, tol: float,
                 deadline: float, max_nodes: int = 20_000
                 ) -> tuple[float, np.ndarray, np.ndarray, float, bool]:
    """Projected subgradient ascent on L(λ) = Σ_j h_j(λ + c) − λ·n with exact target minima:
    Polyak's step towards ``f_target`` (the incumbent's objective), halved (and back to the best
    prices) after five steps without progress (Held, Wolfe & Crowder 1974; Fisher 1981). The
    subgradient of L at λ is the rounds the target minima use minus the rounds available.
    Returns the best L and its prices, the best assignment the heuristic found and its
    objective, and whether the last target searches finished; stops once L is within ``tol``
    (relative) of ``f_target`` (lowered to each better assignment found: the Lagrangian
    heuristic repairs the target minima into one, ``subsets.repair``), at the deadline, or
    when a target search outgrows ``max_nodes`` (its h_j is then only the root relaxation, a
    poor guide for the step)."""
    from skyshield.c2.wta.subsets import repair, target_minima

    lam = np.maximum(lam0, 0.0)
    best, best_lam, theta, stall = -np.inf, lam, 1.0, 0
    x_best, f_best = x_inc, f_target
    complete = True
    for _ in range(iters):
        h, X, done = target_minima(W, a, lam + cost, cnt, max_nodes)
        L = float(h.sum() - lam @ cnt)
        if L > best:
            best, best_lam, stall = L, lam, 0
        else:
            stall += 1
            if stall >= 5:
                theta, stall, lam = theta / 2, 0, best_lam
        complete = bool(done.all())
        if complete:  # the Lagrangian heuristic: the target minima made feasible
            xr = repair(W, a, cost, cnt, X, 10_000)
            fr = float(_column_costs(W, a, cost, np.arange(W.size), xr.T).sum())
            if fr < f_best:
                x_best, f_best = xr, fr
                f_target = fr
        if f_target - best <= tol * max(abs(f_target), 1e-300) or theta < 1e-6 \
                or not done.all() or time.perf_counter() > deadline:
            break
        g = (X.sum(axis=1) - cnt).astype(float)
        g[(lam <= 0) & (g < 0)] = 0.0
        gg = float(g @ g)
        if gg == 0.0:
            break
        lam = np.maximum(0.0, lam + theta * (f_target - L) / gg * g)
    return best, best_lam, x_best, f_best, complete


def _unique_columns(tj: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tj_X = np.unique(np.column_stack([tj, X]), axis=0)
    return tj_X[:, 0], tj_X[:, 1:]


def _enumerate(V: np.ndarray, a: np.ndarray, cnt: np.ndarray, cost: np.ndarray,
               lam: np.ndarray, gap: float, x_inc: np.ndarray, max_columns: int,
               deadline: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Every column within ``gap`` of its target's minimum at prices ``lam``, with the
    incumbent's: (targets, rounds) or None when they are too many (or time is up)."""
    from skyshield.c2.wta.subsets import target_sets

    m = V.size
    slack = gap * (1 + 1e-9) + 1e-12 * max(abs(gap), 1e-300)
    mu = lam + cost
    tjs, Xs = [np.arange(m)], [x_inc.T.copy()]
    total = 0
    for j in range(m):
        if time.perf_counter() > deadline:
            return None
        S, _, _, ok = target_sets(float(V[j]), a[:, j].copy(), mu, cnt, slack,
                                  max(max_columns - total, 1), 50_000)
        if not ok:
            return None
        total += S.shape[0]
        tjs.append(np.full(S.shape[0], j))
        Xs.append(S)
    return _unique_columns(np.concatenate(tjs), np.concatenate(Xs))
