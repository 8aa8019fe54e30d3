"""The solver: inputs, grouping of identical weapons, the search, the bound and the exact modes
put together (see the package docstring)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from skyshield.c2.wta.bounds import _dw_exact, _frank_wolfe, _lagrangian_bound, _oa_milp, _relaxed
from skyshield.c2.wta.search import _descend, _lap, _mmr, _perturbed_search, _State

__all__ = ["WTAResult", "solve", "objective", "brute_force", "greedy"]

DEFAULT_KICKS = 20  # randomised restarts when neither a count nor a time is given
FAST_MILP_NODES = 2_000  # branch-and-bound nodes of the fast mode's set-partitioning MILP
FAST_CG_ITERS = 8  # column-generation rounds (one LP each) of the fast mode
SMALL_PAIRS = 2_000  # rounds × targets up to which the regime starts as the other problems do


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


def objective(values: np.ndarray, pk: np.ndarray, x: np.ndarray, cost: np.ndarray | None = None,
              survive_later: np.ndarray | None = None) -> float:
    """Σ_j V_j s_j Π_i (1 − p_ij)^x_ij + Σ_ij c_i x_ij for counts ``x`` (n, m), with firing
    costs ``cost`` (n,, default 0) and later-layer survival ``survive_later`` (m,, default 1)."""
    q = 1.0 - np.asarray(pk, dtype=float)
    with np.errstate(divide="ignore"):
        logq = np.where(q > 0, np.log(np.where(q > 0, q, 1.0)), -np.inf)
    y = np.where(x > 0, x * logq, 0.0).sum(axis=0)
    V = np.asarray(values, dtype=float)
    if survive_later is not None:
        V = V * np.asarray(survive_later, dtype=float)
    f = float(np.sum(V * np.exp(y)))
    if cost is not None:
        f += float(np.asarray(cost, dtype=float) @ np.asarray(x).sum(axis=1))
    return f


def _arrays(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values (m,), kill probabilities (n, m) and rounds (n,) as arrays (rounds default 1)."""
    V = np.asarray(values, dtype=float).ravel()
    p = np.asarray(pk, dtype=float)
    n = p.shape[0] if p.ndim == 2 else 0
    r = np.ones(n, dtype=np.int64) if rounds is None else np.asarray(rounds, dtype=np.int64)
    return V, p, r


def brute_force(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None,
                cost: np.ndarray | None = None, survive_later: np.ndarray | None = None
                ) -> tuple[float, np.ndarray]:
    """Exhaustive optimum for tiny instances (every round of every weapon at every target, and,
    with costs, held)."""
    V, p, r = _arrays(values, pk, rounds)
    n, m = p.shape
    owners = np.repeat(np.arange(n), r)
    best, best_x = np.inf, np.zeros((n, m), dtype=np.int64)
    options = m + (cost is not None)
    for combo in np.ndindex(*([options] * owners.size)):
        x = np.zeros((n, m + 1), dtype=np.int64)
        np.add.at(x, (owners, np.asarray(combo, dtype=np.int64)), 1)
        f = objective(V, p, x[:, :m], cost, survive_later)
        if f < best - 1e-12:
            best, best_x = f, x[:, :m]
    return best, best_x


def greedy(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None,
           cost: np.ndarray | None = None, survive_later: np.ndarray | None = None
           ) -> tuple[float, np.ndarray]:
    """Maximum-marginal-return greedy alone (the classical baseline): objective and counts; with
    costs it stops when no round saves more than it costs."""
    V, p, r = _arrays(values, pk, rounds)
    W = V if survive_later is None else V * np.asarray(survive_later, dtype=float)
    n, m = p.shape
    owner = np.repeat(np.arange(n), r)
    x = np.zeros((n, m), dtype=np.int64)
    if owner.size and m:
        c = None if cost is None else np.asarray(cost, dtype=float)
        tgt = _mmr(W, 1.0 - p, owner, c)
        np.add.at(x, (owner[tgt >= 0], tgt[tgt >= 0]), 1)
    return objective(V, p, x, cost, survive_later), x


def _check(V: np.ndarray, p: np.ndarray, r: np.ndarray, cost: np.ndarray | None,
           survive_later: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Refuse bad inputs (ValueError naming the argument); costs and survival as arrays."""
    if p.ndim != 2 or p.shape[1] != V.size:
        raise ValueError(f"pk must have shape (n_weapons, {V.size}) (got {p.shape})")
    if np.any(V < 0) or not np.all(np.isfinite(V)):
        raise ValueError("values must be finite and non-negative")
    if np.any(p < 0) or np.any(p >= 1) or not np.all(np.isfinite(p)):
        raise ValueError("pk must lie in [0, 1): a certain kill makes the bound degenerate")
    n, m = p.shape
    if r.shape != (n,) or np.any(r < 0):
        raise ValueError(f"rounds must be {n} non-negative integers")
    c = s = None
    if cost is not None:
        c = np.asarray(cost, dtype=float)
        if c.shape != (n,) or not np.all(np.isfinite(c)) or np.any(c < 0):
            raise ValueError(f"cost must be {n} finite non-negative numbers (got shape "
                             f"{c.shape})")
    if survive_later is not None:
        s = np.asarray(survive_later, dtype=float)
        if s.shape != (m,) or not np.all((s >= 0) & (s <= 1)):
            raise ValueError(f"survive_later must be {m} probabilities in [0, 1] (got shape "
                             f"{s.shape})")
    return c, s


def _group(p: np.ndarray, r: np.ndarray, c: np.ndarray | None
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Identical weapons (the same kill probabilities and cost) as one type with their rounds
    added, types in order of first appearance: (pk (T, m), rounds (T,), cost (T,), type of each
    weapon (n,))."""
    key = p if c is None else np.column_stack([p, c])
    _, first, inv = np.unique(key, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    typ = rank[inv.ravel()]
    rt = np.bincount(typ, weights=r, minlength=order.size).astype(np.int64)
    return p[first[order]], rt, None if c is None else c[first[order]], typ


def _ungroup(xt: np.ndarray, typ: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Counts per type (T, m) back to weapons: each type's rounds to its weapons in index order,
    targets in index order."""
    x = np.zeros((typ.size, xt.shape[1]), dtype=np.int64)
    left = xt.copy()
    for i in range(typ.size):
        need = int(r[i])
        row = left[typ[i]]
        for j in np.flatnonzero(row):
            k = min(need, int(row[j]))
            x[i, j] += k
            row[j] -= k
            need -= k
            if need == 0:
                break
    return x


def solve(values: np.ndarray, pk: np.ndarray, rounds: np.ndarray | None = None,
          time_limit_s: float | None = None, exact: bool = False, tol: float = 1e-4,
          search_s: float | None = 0.005, search_kicks: int | None = None, seed: int = 0,
          bound_iters: int = 25, cost: np.ndarray | None = None,
          survive_later: np.ndarray | None = None) -> WTAResult:
    """Assign weapons to targets (see the package docstring).

    ``values`` (m,) target values V_j ≥ 0; ``pk`` (n, m) single-shot kill probabilities in
    [0, 1); ``rounds`` (n,) rounds per weapon (default 1). ``cost`` (n,) the cost c_i ≥ 0 of
    firing one round of weapon i now (its price plus the value of keeping it for what is still
    coming; default none: every round is fired) and ``survive_later`` (m,) the probability s_j
    that target j survives the layers and shots still to come (default 1): the objective is then
    Σ_j V_j s_j Π_i q_ij^x_ij + Σ_ij c_i x_ij with Σ_j x_ij ≤ r_i, holding allowed. Without
    ``exact`` and ``time_limit_s`` the fast heuristic and its Lagrangian bound are returned (on
    many rounds per target, or with costs, continued by the exact-subproblem bound and
    reduced-cost enumeration until proven, see ``bounds._dw_exact``); ``exact=True``
    (optionally capped by ``time_limit_s``) continues with the outer-approximation MILP until
    the certified relative gap is at most ``tol`` (default 1e-4, the usual MILP optimality
    tolerance; pass a smaller one for a tighter proof). ``search_s`` caps the randomised
    restarts after the first descent in time (0 skips them) and ``search_kicks`` in number;
    they are skipped when the bound already certifies the answer and their noise comes from
    ``seed``, so with ``search_s=None`` and a restart count the answer is fully reproducible
    (the simulation runs it so). ``bound_iters`` caps the subgradient steps of the Lagrangian
    lower bound (more steps, a tighter bound; they stop early once the gap is within ``tol``).
    Identical weapons (same Pk row and cost) are solved as one type with their rounds added.
    """
    t0 = time.perf_counter()
    V0, p0, r0 = _arrays(values, pk, rounds)
    c0, s = _check(V0, p0, r0, cost, survive_later)
    V = V0 if s is None else V0 * s
    n, m = p0.shape
    width = int(r0.max()) if n and r0.size else 0
    if n == 0 or m == 0 or r0.sum() == 0:
        return WTAResult(np.full((n, width), -1, dtype=np.int64), float(V.sum()),
                         float(V.sum()), time.perf_counter() - t0, True, "trivial")
    if c0 is not None and not np.any(c0 > 0):
        c0 = None  # free rounds: every round is fired, the classical problem
    p, r, c, typ = _group(p0, r0, c0)
    grouped = typ.size != r.size
    if not grouped:
        p, r, c = p0, r0, c0
    # wall-clock cuts only when the caller asks for them (``time_limit_s``, ``search_s``):
    # otherwise every stage stops on a count of work, so the answer is the same on every machine
    deadline = np.inf if time_limit_s is None else t0 + float(time_limit_s)
    kicks = search_kicks if search_kicks is not None or search_s is not None or \
        time_limit_s is not None else DEFAULT_KICKS
    T = r.size
    q = 1.0 - p
    a = -np.log(q)
    owner = np.repeat(np.arange(T), r)
    if c is None:
        Vs, qs, cw = V, q, None
    else:  # a last column, hold: no value, no kill, no cost
        Vs = np.append(V, 0.0)
        qs = np.hstack([q, np.ones((T, 1))])
        cw = np.hstack([np.repeat(c[:, None], m, axis=1), np.zeros((T, 1))])
    best: _State | None = None
    # the linear-assignment start wins on every one-round family measured (bench/wta.py); with
    # several rounds per weapon the rounded relaxation is often the better basin
    # many rounds on few targets (or costs): the exact-subproblem stage below finishes the job
    regime = (owner.size >= 2 * m or c is not None) and T * m <= 200_000
    if regime and owner.size * m > SMALL_PAIRS:
        return _finish(_regime(V, a, r, c, tol, exact, deadline, search_s, kicks, seed, Vs, qs,
                               owner, cw), t0, n, m, width, grouped, typ, r0, exact,
                       time_limit_s, deadline, tol, V, a, r, c)
    starts = [_lap(Vs, qs, owner, cw=cw)]
    if r.max() > 1 and c is None and not regime:
        starts.append(_relaxed(V, a, r, owner))
    for start in starts:
        st = _State(Vs, qs, owner, start, cw)
        _descend(st, deadline)
        if best is None or st.f < best.f:
            best = st
    assert best is not None

    def bound(st: _State) -> tuple[float, np.ndarray]:
        if owner.size <= 2000:
            # in the regime the exact subproblems' ascent follows: the potentials suffice here
            return _lagrangian_bound(st, r, 0 if regime else bound_iters, deadline, tol, c)
        x = np.zeros((T, m))  # the exchange graph would not fit: the continuous relaxation's
        real = st.tgt < m
        np.add.at(x, (owner[real], st.tgt[real]), 1.0)
        return _frank_wolfe(V, a, r, x, bound_iters, deadline, c)[1], np.zeros(T)

    lb, lam = bound(best)
    if best.f - lb > tol * max(best.f, 1e-12) and (search_s is None or search_s > 0) \
            and not regime:
        # not certified yet: iterated local search, and a bound from its incumbent if it won
        f_before = best.f
        end = deadline if search_s is None else min(deadline, time.perf_counter() + search_s)
        _perturbed_search(best, np.random.default_rng(seed), end, kicks)
        if best.f < f_before:
            lb2, lam2 = bound(best)
            if lb2 > lb:
                lb, lam = lb2, lam2
    x = np.zeros((T, m + 1), dtype=np.int64)
    np.add.at(x, (owner, best.tgt), 1)
    x = x[:, :m]
    f = best.f
    method = "heuristic"
    optimal = f - lb <= tol * max(f, 1e-12)
    if not optimal and regime:
        # small cycles in the regime: the start above (which certifies most of them), then
        # the exact subproblems and the enumeration
        x, f, lb, optimal, method = _regime(V, a, r, c, tol, exact, deadline, search_s, kicks,
                                            seed, Vs, qs, owner, cw, (x, f, lb, lam, best))
    return _finish((x, f, lb, optimal, method), t0, n, m, width, grouped, typ, r0, exact,
                   time_limit_s, deadline, tol, V, a, r, c)


def _f(V: np.ndarray, a: np.ndarray, c: np.ndarray, x: np.ndarray) -> float:
    return float(V @ np.exp(-(a * x).sum(axis=0)) + c @ x.sum(axis=1))


def _regime(V: np.ndarray, a: np.ndarray, r: np.ndarray, c: np.ndarray | None, tol: float,
            exact: bool, deadline: float, search_s: float | None, kicks: int | None, seed: int,
            Vs: np.ndarray, qs: np.ndarray, owner: np.ndarray, cw: np.ndarray | None,
            start: tuple[np.ndarray, float, float, np.ndarray, _State] | None = None
            ) -> tuple[np.ndarray, float, float, bool, str]:
    """Many rounds on few targets, or costs: greedy marginal return and descent (``subsets.
    repair``), prices from its marginal values, then exact target subproblems, the ascent with
    its Lagrangian heuristic and reduced-cost enumeration (``bounds._dw_exact``)."""
    from skyshield.c2.wta.subsets import prices, repair, warm

    warm()  # numba compiles (or loads from its cache) before the work starts
    T, m = a.shape
    cz = np.zeros(T) if c is None else c
    lb0 = -np.inf
    best: _State | None = None
    if start is not None:  # the caller's start, bound and prices
        x, f, lb0, lam, best = start
    elif T == owner.size:
        # distinct weapons: the linear-assignment start, descended with the exchanges of Ahuja
        # et al., and the potentials of its exchange graph as prices (measured: greedy and
        # moves and swaps alone stop 0.5–2 % higher, and the ascent does not recover)
        st = _State(Vs, qs, owner, _lap(Vs, qs, owner, cw=cw), cw)
        _descend(st, deadline)
        lam = _lagrangian_bound(st, r, 0, deadline, tol, c, prices_only=True)[1]
        xx = np.zeros((T, m + 1), dtype=np.int64)
        np.add.at(xx, (owner, st.tgt), 1)
        x = xx[:, :m].copy()
    else:  # types with many rounds: greedy marginal return and descent, in numba
        x = repair(V, a, cz, r, np.zeros((T, m), dtype=np.int64), 10_000)
        lam = prices(V, a, cz, r, x)
    if start is None:
        f = _f(V, a, cz, x)
    # the fast mode's budgets are counts (columns, price updates, MILP nodes), not seconds
    x, f, lb, optimal = _dw_exact(V, a, r, cz, x, f, lam, deadline, tol,
                                  node_limit=None if exact else FAST_MILP_NODES,
                                  cg_iters=40 if exact else FAST_CG_ITERS)
    lb = max(lb, lb0)
    optimal = optimal or f - lb <= tol * max(f, 1e-12)
    if not optimal and (search_s is None or search_s > 0) and kicks != 0:
        # not proven within the budget: randomised restarts of the search
        if best is None:
            tgt = np.repeat(np.tile(np.arange(m + 1), T), np.column_stack(
                [x, r - x.sum(axis=1)]).ravel())
            if cw is None:
                tgt = np.minimum(tgt, m - 1)  # (a round nowhere useful: any target)
            best = _State(Vs, qs, owner, tgt, cw)
        end = deadline if search_s is None else min(deadline, time.perf_counter() + search_s)
        _perturbed_search(best, np.random.default_rng(seed), end, kicks)
        if best.f < f:
            xx = np.zeros((T, m + 1), dtype=np.int64)
            np.add.at(xx, (owner, best.tgt), 1)
            x, f = xx[:, :m], best.f
    return x, f, lb, optimal, "enumeration"


def _finish(res: tuple[np.ndarray, float, float, bool, str], t0: float, n: int, m: int,
            width: int, grouped: bool, typ: np.ndarray, r0: np.ndarray, exact: bool,
            time_limit_s: float | None, deadline: float, tol: float, V: np.ndarray,
            a: np.ndarray, r: np.ndarray, c: np.ndarray | None) -> WTAResult:
    """The exact mode's outer approximation when asked for and not yet proven; the result
    per weapon."""
    x, f, lb, optimal, method = res
    if (exact or time_limit_s is not None) and not optimal and time.perf_counter() < deadline:
        x, f, lb, optimal = _oa_milp(V, a, r, x, f, lb, deadline, tol, c)
        method = "outer-approximation"
    lb = min(max(lb, 0.0), f)  # the objective is a sum of non-negative terms
    if grouped:
        x = _ungroup(x, typ, r0)
    assign = np.full((n, width), -1, dtype=np.int64)
    for i in range(n):
        ts = np.repeat(np.arange(m), x[i])
        assign[i, :ts.size] = ts
    return WTAResult(assign, float(f), float(lb), time.perf_counter() - t0, bool(optimal),
                     method)
