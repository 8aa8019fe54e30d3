"""The solver: inputs, grouping of identical weapons, the search, the bound and the exact modes
put together (see the package docstring)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from skyshield.c2.wta.bounds import _frank_wolfe, _lagrangian_bound, _oa_milp, _relaxed
from skyshield.c2.wta.search import _descend, _lap, _mmr, _perturbed_search, _State

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
