"""Static weapon-target assignment with a certified gap.

Minimise the expected surviving value

    f(x) = Σ_j V_j · Π_i (1 − p_ij)^x_ij,   Σ_j x_ij ≤ r_i,  x_ij ∈ {0, 1, 2, ...}

(weapon i fires at most r_i rounds; firing never raises f, so every round is fired).

Method
------
1. **Start**: a linear assignment of weapon-rounds to targets on the first-shot gain V_j·p_ij
   (scipy ``linear_sum_assignment``, exact for one round each and n ≤ m when no target deserves
   two shots); with several rounds per weapon also the rounded continuous relaxation. (Greedy
   maximum marginal return, :func:`greedy`, is the baseline; as a start it never won.)
2. **Improve**: local search over *moves* (one round to another target; all improving moves on
   disjoint targets at once), *swaps* and two-step ejection *chains*, each evaluated for all
   candidates at once from the per-target survival products; when it stalls, *cyclic and path
   exchanges* of any length found by subset-disjoint shortest walks on Ahuja et al.'s
   improvement graph. Then, unless the bound already certifies the answer, randomised restarts
   (the linear-assignment start on noisy gains, descended) for ``search_s`` seconds or
   ``search_kicks`` restarts.
3. **Bound**: Lagrangian relaxation of the weapon constraints. For prices λ_i ≥ 0,
   L(λ) = Σ_j min_S [V_j Π_{k∈S} q_kj + Σ_{k∈S} λ_k] − Σ_i λ_i r_i is a lower bound on every
   feasible objective; the target subproblems are solved exactly over sets of up to two rounds
   and bounded for larger sets, which keeps L far above the continuous relaxation (whose gap is
   6 % on Ahuja-type and 30–36 % on Andersen-type instances, measured). Prices start as
   potentials of the incumbent on the exchange graph and improve by projected subgradient
   steps. On Ahuja-type instances the start alone proves the heuristic's answer optimal.
   (Frank–Wolfe on the continuous relaxation is the fallback bound beyond 2000 rounds.)
4. **Exact mode** (``exact=True`` or a ``time_limit_s``), when the bound has not closed the
   gap: outer approximation — the MILP min Σ_j z_j, z_j ≥ V_j e^(−t)(1 − (y_j − t)) for tangent
   points t, solved by HiGHS through ``scipy.optimize.milp``; each solution adds tangents at its
   own y and the loop stops when the MILP bound (a valid lower bound: tangents under-estimate a
   convex function) meets the best objective found, or at the time limit.

References: R. K. Ahuja, A. Kumar, K. C. Jha, J. B. Orlin, "Exact and heuristic algorithms for the
weapon-target assignment problem", Operations Research 55(6), 2007; A. C. Andersen,
K. Pavlikov, T. A. M. Toffolo, "Weapon-target assignment problem: exact and approximate solution
algorithms", Annals of Operations Research 312, 2022 (outer approximation); M. L. Fisher, "The
Lagrangian relaxation method for solving integer programming problems", Management Science 27(1),
1981 (prices, subgradient steps); M. Frank, P. Wolfe (1956) for the continuous bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

__all__ = ["WTAResult", "solve", "objective", "brute_force", "greedy"]


@dataclass(frozen=True)
class WTAResult:
    """``assignment`` (n_weapons, max_rounds): target per weapon and round, −1 for none."""

    assignment: np.ndarray
    objective: float
    lower_bound: float
    time_s: float
    optimal: bool
    method: str

    @property
    def gap(self) -> float:
        """Certified relative gap (objective − bound) / objective, the objective floored at
        1e-12 (an objective of 1e-27 with a bound of 0 is optimal, not 100 % off)."""
        return max(0.0, (self.objective - self.lower_bound) / max(self.objective, 1e-12))

    def counts(self, n_targets: int) -> np.ndarray:
        """x_ij: rounds of weapon i at target j."""
        x = np.zeros((self.assignment.shape[0], n_targets), dtype=np.int64)
        w, r = np.nonzero(self.assignment >= 0)
        np.add.at(x, (w, self.assignment[w, r]), 1)
        return x


def objective(values: np.ndarray, pk: np.ndarray, x: np.ndarray) -> float:
    """Σ_j V_j Π_i (1 − p_ij)^x_ij for counts ``x`` (n, m)."""
    q = 1.0 - np.asarray(pk, dtype=float)
    with np.errstate(divide="ignore"):
        logq = np.where(q > 0, np.log(np.where(q > 0, q, 1.0)), -np.inf)
    y = np.where(x > 0, x * logq, 0.0).sum(axis=0)
    return float(np.sum(np.asarray(values, dtype=float) * np.exp(y)))


def _arrays(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (m,), kill probabilities (n, m) and rounds (n,) as arrays (rounds default 1)."""
    V = np.asarray(values, dtype=float).ravel()
    p = np.asarray(pk, dtype=float)
    n = p.shape[0] if p.ndim == 2 else 0
    r = np.ones(n, dtype=np.int64) if rounds is None else np.asarray(rounds, dtype=np.int64)
    return V, p, r


def brute_force(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None
                ) -> tuple[float, np.ndarray]:
    """Exhaustive optimum for tiny instances (every round of every weapon at every target)."""
    V, p, r = _arrays(values, pk, rounds)
    n, m = p.shape
    owners = np.repeat(np.arange(n), r)
    best, best_x = np.inf, np.zeros((n, m), dtype=np.int64)
    for combo in np.ndindex(*([m] * owners.size)):
        x = np.zeros((n, m), dtype=np.int64)
        np.add.at(x, (owners, np.asarray(combo, dtype=np.int64)), 1)
        f = objective(V, p, x)
        if f < best - 1e-12:
            best, best_x = f, x
    return best, best_x


class _State:
    """Weapon-round assignment with per-target survival products kept up to date."""

    def __init__(self, V: np.ndarray, q: np.ndarray, owner: np.ndarray, tgt: np.ndarray):
        self.V, self.q, self.owner, self.tgt = V, q, owner, tgt.copy()
        self.s = np.ones(V.size)
        np.multiply.at(self.s, tgt, q[owner, tgt])

    @property
    def f(self) -> float:
        return float(self.V @ self.s)

    def move(self, k: int, j: int) -> None:
        i, old = self.owner[k], self.tgt[k]
        self.s[old] /= self.q[i, old]
        self.s[j] *= self.q[i, j]
        self.tgt[k] = j


def _mmr(V: np.ndarray, q: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Greedy maximum marginal return: repeatedly fire the (round, target) pair of largest
    V_j·s_j·p_ij among the rounds not yet fired (rounds of one weapon are interchangeable)."""
    s = np.ones(V.size)
    tgt = np.full(owner.size, -1, dtype=np.int64)
    weapons, first = np.unique(owner, return_index=True)
    left = np.bincount(owner, minlength=q.shape[0])
    nxt = np.zeros(q.shape[0], dtype=np.int64)
    p = 1.0 - q
    avail = left > 0
    for _ in range(owner.size):
        gain = (V * s)[None, :] * p
        gain[~avail] = -1.0
        i, j = np.unravel_index(np.argmax(gain), gain.shape)
        k = first[np.searchsorted(weapons, i)] + nxt[i]
        tgt[k] = j
        nxt[i] += 1
        s[j] *= q[i, j]
        if nxt[i] >= left[i]:
            avail[i] = False
    return tgt


def greedy(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None
           ) -> tuple[float, np.ndarray]:
    """Maximum-marginal-return greedy alone (the classical baseline): objective and counts."""
    V, p, r = _arrays(values, pk, rounds)
    n, m = p.shape
    owner = np.repeat(np.arange(n), r)
    x = np.zeros((n, m), dtype=np.int64)
    if owner.size and m:
        np.add.at(x, (owner, _mmr(V, 1.0 - p, owner)), 1)
    return objective(V, p, x), x


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


def _lap(V: np.ndarray, q: np.ndarray, owner: np.ndarray, noise: np.ndarray | None = None
         ) -> np.ndarray:
    """One round per target where possible: linear assignment on the first-shot gain (times
    ``noise`` for a randomised restart); rounds left over (more rounds than targets) go by
    marginal return."""
    gain = V[None, :] * (1 - q[owner])
    if noise is not None:
        gain = gain * noise
    rows, cols = linear_sum_assignment(-gain)
    tgt = np.full(owner.size, -1, dtype=np.int64)
    tgt[rows] = cols
    rest = np.flatnonzero(tgt < 0)
    if rest.size:
        s = np.ones(V.size)
        np.multiply.at(s, tgt[rows], q[owner[rows], tgt[rows]])
        for k in rest:
            i = owner[k]
            j = int(np.argmax(V * s * (1 - q[i])))
            tgt[k] = j
            s[j] *= q[i, j]
    return tgt


def _local_search(st: _State, deadline: float) -> None:
    """Best-improvement descent over three neighbourhoods until none improves (or the deadline):
    *move* (one round to another target), *swap* (two rounds exchange targets) and *chain*
    (round k leaves target a and takes the place of round l at target b, which moves on to a
    third target c) — an ejection chain of length two in the sense of Ahuja et al.'s
    very-large-scale neighbourhoods. Every candidate is evaluated at once from the per-target
    survival products; moves between distinct targets add exactly, so all improving moves on
    disjoint targets are applied together."""
    V, q, owner = st.V, st.q, st.owner
    K = owner.size
    qk = q[owner]  # (K, m): survival factor of round k at each target
    ar = np.arange(K)
    eps = 1e-12
    while time.perf_counter() < deadline:
        vs = V * st.s  # (m,)
        cur = st.tgt
        qcur = qk[ar, cur]
        out = vs[cur] * (1.0 / qcur - 1.0)  # round k leaves its target
        inn = vs[None, :] * (qk - 1.0)  # round k joins target c
        dmove = out[:, None] + inn
        dmove[ar, cur] = 0.0
        k1, j1 = np.unravel_index(np.argmin(dmove), dmove.shape)
        best, kind = dmove[k1, j1], "move"
        if best < -eps * max(st.f, 1.0):
            # improving moves on targets no other accepted move touches add exactly: apply them
            # all, best first, before looking at the costlier neighbourhoods
            to = np.argmin(dmove, axis=1)
            gain = dmove[ar, to]
            touched = np.zeros(V.size, dtype=bool)
            for k in np.argsort(gain)[: int(np.count_nonzero(gain < -eps * max(st.f, 1.0)))]:
                a, b = cur[k], to[k]
                if not (touched[a] or touched[b]):
                    touched[a] = touched[b] = True
                    st.move(int(k), int(b))
            continue
        if K <= 2000:
            # C[k, l]: round k takes round l's place at l's target
            C = vs[cur][None, :] * (qk[:, cur] / qcur[None, :] - 1.0)
            same = cur[:, None] == cur[None, :]
            dswap = C + C.T
            dswap[same] = 0.0
            k2, l2 = np.unravel_index(np.argmin(dswap), dswap.shape)
            if dswap[k2, l2] < best:
                best, kind = dswap[k2, l2], "swap"
            if V.size >= 3:
                top = np.argpartition(inn, 2, axis=1)[:, :3]
                top = np.take_along_axis(top, np.argsort(np.take_along_axis(inn, top, 1), 1), 1)
                val = np.take_along_axis(inn, top, 1)  # (K, 3): l's three best new targets
                ok0 = (top[None, :, 0] != cur[:, None]) & (top[:, 0] != cur)[None, :]
                ok1 = (top[None, :, 1] != cur[:, None]) & (top[:, 1] != cur)[None, :]
                onward = np.where(ok0, val[None, :, 0], np.where(ok1, val[None, :, 1],
                                                                  val[None, :, 2]))
                dchain = out[:, None] + C + onward
                dchain[same] = np.inf
                k3, l3 = np.unravel_index(np.argmin(dchain), dchain.shape)
                if dchain[k3, l3] < best:
                    best, kind = dchain[k3, l3], "chain"
        if best >= -eps * max(st.f, 1.0):
            return
        if kind == "move":
            st.move(int(k1), int(j1))
        elif kind == "swap":
            ta, tb = int(cur[k2]), int(cur[l2])
            st.move(int(k2), tb)
            st.move(int(l2), ta)
        else:
            a, b = int(cur[k3]), int(cur[l3])
            c = next(int(t) for t in top[l3] if t != a and t != b)
            st.move(int(k3), b)
            st.move(int(l3), c)


def _exchange_graph(st: _State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Improvement graph of Ahuja et al.'s very-large-scale neighbourhood, on weapon rounds:
    C[k, l] is the exact change of f when round k takes round l's place at l's target (round l
    leaves it), valid along any chain that touches each target once. Also the cost of round k
    leaving its target alone (``out``) and of joining each target (``inn``)."""
    V, q, owner = st.V, st.q, st.owner
    qk = q[owner]
    ar = np.arange(owner.size)
    vs = V * st.s
    cur = st.tgt
    qcur = qk[ar, cur]
    C = vs[cur][None, :] * (qk[:, cur] / qcur[None, :] - 1.0)
    C[cur[:, None] == cur[None, :]] = np.inf
    out = vs[cur] * (1.0 / qcur - 1.0)
    inn = vs[None, :] * (qk - 1.0)
    inn[ar, cur] = np.inf
    return C, out, inn


def _apply_chain(st: _State, rounds: list[int], targets: list[int]) -> bool:
    """Move ``rounds[k]`` to ``targets[k]`` if the targets touched are distinct and f falls;
    otherwise leave the state as it was."""
    old = [int(st.tgt[k]) for k in rounds]
    if len(set(old)) != len(old) or len(set(targets)) != len(targets):
        return False
    f0 = st.f
    for k, t in zip(rounds, targets, strict=True):
        st.move(k, t)
    if st.f < f0 - 1e-12 * max(f0, 1.0):
        return True
    for k, t in zip(rounds, old, strict=True):
        st.move(k, t)
    return False


def _cyclic_exchange(st: _State, max_len: int = 30) -> bool:
    """One improving cyclic or path exchange on the improvement graph: rounds k1 → target of k2
    → … → back to k1's target (cycle), or on to a target that gains a round (path, k1's target
    losing one). Label-correcting shortest walks, one label per round and walk length, each
    walk kept subset-disjoint (it never enters a target it has already touched) as in Ahuja et
    al. (2007, §5), so the cost of every walk is exact. Returns whether f was improved."""
    C, out, inn = _exchange_graph(st)
    K, m = inn.shape
    ar = np.arange(K)
    cur = st.tgt
    eps = 1e-12 * max(st.f, 1.0)
    for cyc_mode in (True, False):  # cycles from any round; paths from a round that leaves
        L = np.zeros(K) if cyc_mode else out.copy()
        first = ar.copy()
        seen = np.zeros((K, m), dtype=bool)
        seen[ar, cur] = True
        preds: list[np.ndarray] = []
        for _ in range(max_len):
            if cyc_mode:  # close: the last round takes the first round's place
                close = L + C[ar, first]
                tail = None
            else:  # end: the last round joins the best target the walk has not touched
                free = np.where(seen, np.inf, inn)
                tail = np.argmin(free, axis=1)
                close = L + free[ar, tail]
            w = int(np.argmin(close))
            if close[w] < -eps:
                walk = [w]
                for pw in reversed(preds):
                    walk.append(int(pw[walk[-1]]))
                walk.reverse()  # walk[i] takes walk[i + 1]'s place
                last = int(cur[walk[0]]) if tail is None else int(tail[w])
                if _apply_chain(st, walk, [int(cur[k]) for k in walk[1:]] + [last]):
                    return True
            M = L[:, None] + C
            M[seen[:, cur]] = np.inf  # round k may not enter a target its walk touched
            pw = np.argmin(M, axis=0)
            Ln = M[pw, ar]
            if cyc_mode:  # some rotation of a negative cycle has only negative prefixes
                Ln[Ln >= 0] = np.inf
            if not np.any(np.isfinite(Ln)):
                break
            seen = seen[pw]
            seen[ar, cur] = True
            first = first[pw]
            preds.append(pw)
            L = Ln
    return False


def _descend(st: _State, deadline: float) -> None:
    """Local search, then cyclic and path exchanges whenever it stalls, until neither improves
    (or the deadline)."""
    while True:
        _local_search(st, deadline)
        if st.owner.size > 2000 or time.perf_counter() >= deadline or not _cyclic_exchange(st):
            return


def _perturbed_search(st: _State, rng: np.random.Generator, deadline: float,
                      max_kicks: int | None = None, spread: float = 0.02) -> None:
    """Randomised restarts: the linear-assignment start with each gain scaled by 1 + ``spread``·N(0,
    1), descended; the incumbent is replaced whenever a restart beats it (until the deadline or
    ``max_kicks`` restarts). Measured on the Andersen family, restarts find better basins than
    kicking a few rounds of the incumbent, which the exchanges then undo."""
    K, m = st.owner.size, st.V.size
    if K < 2 or m < 2:
        return
    kicks = 0
    while time.perf_counter() < deadline and (max_kicks is None or kicks < max_kicks):
        kicks += 1
        noise = 1.0 + spread * rng.standard_normal((K, m))
        trial = _State(st.V, st.q, st.owner, _lap(st.V, st.q, st.owner, noise))
        _descend(trial, deadline)
        if trial.f < st.f - 1e-12 * max(st.f, 1.0):
            for k in np.flatnonzero(st.tgt != trial.tgt):
                st.move(int(k), int(trial.tgt[k]))


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


def solve(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None,
          time_limit_s: float | None = None, exact: bool = False, tol: float = 1e-4,
          search_s: float | None = 0.005, search_kicks: int | None = None, seed: int = 0,
          bound_iters: int = 25) -> WTAResult:
    """Assign weapons to targets (see the module docstring).

    ``values`` (m,) target values V_j ≥ 0; ``pk`` (n, m) single-shot kill probabilities in
    [0, 1); ``rounds`` (n,) rounds per weapon (default 1). Without ``exact`` and
    ``time_limit_s`` the fast heuristic and its Lagrangian bound are returned; ``exact=True``
    (optionally capped by ``time_limit_s``) continues with the outer-approximation MILP until
    the certified relative gap is at most ``tol`` (default 1e-4, the usual MILP optimality
    tolerance; pass a smaller one for a tighter proof). ``search_s`` caps the randomised
    restarts after the first descent in time (0 skips them) and ``search_kicks`` in number;
    they are skipped when the bound already certifies the answer and their noise comes from
    ``seed``, so with ``search_s=None`` and a restart count the answer is fully reproducible
    (the simulation runs it so). ``bound_iters`` caps the subgradient steps of the Lagrangian
    lower bound (more steps, a tighter bound; they stop early once the gap is within ``tol``).
    """
    t0 = time.perf_counter()
    V, p, r = _arrays(values, pk, rounds)
    if p.ndim != 2 or p.shape[1] != V.size:
        raise ValueError(f"pk must have shape (n_weapons, {V.size}) (got {p.shape})")
    if np.any(V < 0) or not np.all(np.isfinite(V)):
        raise ValueError("values must be finite and non-negative")
    if np.any(p < 0) or np.any(p >= 1) or not np.all(np.isfinite(p)):
        raise ValueError("pk must lie in [0, 1): a certain kill makes the bound degenerate")
    n, m = p.shape
    if r.shape != (n,) or np.any(r < 0):
        raise ValueError(f"rounds must be {n} non-negative integers")
    width = int(r.max()) if n and r.size else 0
    if n == 0 or m == 0 or r.sum() == 0:
        return WTAResult(np.full((n, width), -1, dtype=np.int64), float(V.sum()),
                         float(V.sum()), time.perf_counter() - t0, True, "trivial")
    limit = np.inf if time_limit_s is None else float(time_limit_s)
    deadline = t0 + (limit if np.isfinite(limit) else 3600.0)
    q = 1.0 - p
    a = -np.log(q)
    owner = np.repeat(np.arange(n), r)
    best: _State | None = None
    # the linear-assignment start wins on every one-round family measured (bench/wta.py); with
    # several rounds per weapon the rounded relaxation is often the better basin
    starts = [_lap(V, q, owner)]
    if r.max() > 1:
        starts.append(_relaxed(V, a, r, owner))
    for start in starts:
        st = _State(V, q, owner, start)
        _descend(st, deadline if exact or time_limit_s else t0 + 10.0)
        if best is None or st.f < best.f:
            best = st
    assert best is not None

    def bound(st: _State) -> float:
        if owner.size <= 2000:
            return _lagrangian_bound(st, r, bound_iters, deadline, tol)
        x = np.zeros((n, m))  # the exchange graph would not fit: the continuous relaxation's
        np.add.at(x, (owner, st.tgt), 1.0)
        return _frank_wolfe(V, a, r, x, bound_iters, deadline)[1]

    lb = bound(best)
    if best.f - lb > tol * max(best.f, 1e-12) and (search_s is None or search_s > 0):
        # not certified yet: iterated local search, and a bound from its incumbent if it won
        f_before = best.f
        end = deadline if search_s is None else min(deadline, time.perf_counter() + search_s)
        _perturbed_search(best, np.random.default_rng(seed), end, search_kicks)
        if best.f < f_before:
            lb = max(lb, bound(best))
    x = np.zeros((n, m), dtype=np.int64)
    np.add.at(x, (owner, best.tgt), 1)
    f = best.f
    method = "heuristic"
    optimal = f - lb <= tol * max(f, 1e-12)
    if (exact or time_limit_s is not None) and not optimal and time.perf_counter() < deadline:
        x, f, lb, optimal = _oa_milp(V, a, r, x, f, lb, deadline, tol)
        method = "outer-approximation"
    lb = min(max(lb, 0.0), f)  # the objective is a sum of non-negative terms
    assign = np.full((n, width), -1, dtype=np.int64)
    for i in range(n):
        ts = np.repeat(np.arange(m), x[i])
        assign[i, :ts.size] = ts
    return WTAResult(assign, float(f), float(lb), time.perf_counter() - t0, bool(optimal),
                     method)
