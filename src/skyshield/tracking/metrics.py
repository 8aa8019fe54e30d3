"""Multi-target tracking metrics: GOSPA, OSPA and SIAP-style picture quality.

All functions take plain arrays: estimated positions ``est`` (m, d) and true positions ``truth``
(n, d) at one instant, or whole runs as per-scan lists. Distances are Euclidean.

References
----------
* A. S. Rahmathullah, Á. F. García-Fernández, L. Svensson, "Generalized optimal sub-pattern
  assignment metric", FUSION 2017 — GOSPA with α = 2: the minimum over assignments γ of
  (Σ_{(i,j)∈γ} d(x_i, y_j)^p + c^p/2 · (|X| + |Y| − 2|γ|))^(1/p), pairs only where d < c.
  Its three parts (p = 1 units) are the localisation error of the assigned pairs, c^p/2 per
  missed truth and c^p/2 per false track — the convention of Stone Soup's ``GOSPAMetric``.
* D. Schuhmacher, B.-T. Vo, B.-N. Vo, "A consistent metric for performance evaluation of
  multi-object filters", IEEE TSP 56(8), 2008 — OSPA:
  (1/n · (min_π Σ_{i≤m} d_c(x_i, y_π(i))^p + c^p·(n − m)))^(1/p), m ≤ n, d_c = min(d, c).
* Single Integrated Air Picture (SIAP) attributes: J. Votruba et al., "Single Integrated Air
  Picture (SIAP) Metrics Implementation", SIAP SE TF Technical Report 2001-003 — completeness,
  ambiguity, spuriousness, track breaks and identity changes from a track-to-truth association
  by a distance threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["GospaParts", "gospa", "ospa", "SiapResult", "siap", "gospa_series"]


@dataclass(frozen=True)
class GospaParts:
    """GOSPA and its parts: ``distance`` = (localisation + missed + false)^(1/p)."""

    distance: float
    localisation: float  # Σ d^p over assigned pairs with d < c
    missed: float  # c^p/2 per truth left unassigned
    false: float  # c^p/2 per estimate left unassigned
    n_assigned: int
    n_missed: int
    n_false: int
    ospa: float  # OSPA with the same c and p, from the same optimal assignment


def _points(a: np.ndarray, d: int | None = None) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.size == 0:
        return np.empty((0, d if d is not None else (a.shape[-1] if a.ndim == 2 else 3)))
    return a.reshape(len(a), -1)


def _distances(est: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return np.linalg.norm(est[:, None, :] - truth[None, :, :], axis=-1)


def gospa(est: np.ndarray, truth: np.ndarray, c: float, p: float = 1.0) -> GospaParts:
    """GOSPA (α = 2) between estimates (m, d) and truths (n, d), with cut-off ``c`` and order
    ``p``; the optimal assignment by ``scipy.optimize.linear_sum_assignment``."""
    if c <= 0 or p < 1:
        raise ValueError(f"GOSPA needs c > 0 and p ≥ 1 (got c={c}, p={p})")
    est, truth = _points(est), _points(truth)
    m, n = len(est), len(truth)
    half = c**p / 2
    if m == 0 or n == 0:
        return GospaParts(float((half * (m + n)) ** (1 / p)), 0.0, half * n, half * m, 0, n, m,
                          0.0 if m == n else float(c))
    cost = np.minimum(_distances(est, truth), c) ** p
    r, col = linear_sum_assignment(cost)
    d = cost[r, col]
    real = d < c**p  # a pair at the cut-off is no better than a miss plus a false track
    k = int(real.sum())
    loc = float(d[real].sum())
    missed, false = half * (n - k), half * (m - k)
    # the capped-cost assignment is also OSPA's: Σ d_c^p over its pairs + c^p per unmatched
    ospa_ = float(((d.sum() + c**p * abs(m - n)) / max(m, n)) ** (1 / p))
    return GospaParts(float((loc + missed + false) ** (1 / p)), loc, missed, false, k, n - k,
                      m - k, ospa_)


def ospa(est: np.ndarray, truth: np.ndarray, c: float, p: float = 1.0) -> float:
    """OSPA distance (Schuhmacher et al. 2008) with cut-off ``c`` and order ``p``."""
    est, truth = _points(est), _points(truth)
    m, n = len(est), len(truth)
    if m == 0 and n == 0:
        return 0.0
    if m == 0 or n == 0:
        return float(c)
    cost = np.minimum(_distances(est, truth), c) ** p
    r, col = linear_sum_assignment(cost)
    big = max(m, n)
    return float(((cost[r, col].sum() + c**p * abs(m - n)) / big) ** (1 / p))


def gospa_series(est_by_scan: list[np.ndarray], truth_by_scan: list[np.ndarray], c: float,
                 p: float = 1.0) -> np.ndarray:
    """GOSPA of every scan, columns distance, localisation, missed, false (shape (S, 4))."""
    out = np.empty((len(truth_by_scan), 4))
    for k, (e, t) in enumerate(zip(est_by_scan, truth_by_scan, strict=True)):
        g = gospa(e, t, c, p)
        out[k] = g.distance, g.localisation, g.missed, g.false
    return out


@dataclass(frozen=True)
class SiapResult:
    """SIAP attributes over a run (ratios in [0, 1] except ambiguity, which is ≥ 1 ideally 1)."""

    completeness: float  # truth-instants held by at least one track / truth-instants
    ambiguity: float  # tracks on truths / truths held (1 = one track per truth)
    spuriousness: float  # tracks on no truth / tracks
    positional_accuracy_m: float  # mean distance of a truth's nearest associated track
    track_breaks: int  # a held truth dropped while it is still there (held again later or not)
    id_changes: int  # a truth's nearest track number changes between held instants
    id_swaps: int  # ... to a track number that was on another truth before
    truth_instants: int
    track_instants: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def siap(times: np.ndarray, truth_time_idx: np.ndarray, truth_id: np.ndarray,
         truth_pos: np.ndarray, track_time_idx: np.ndarray, track_id: np.ndarray,
         track_pos: np.ndarray, threshold_m: float) -> SiapResult:
    """SIAP attributes from truth and track samples on a common time grid ``times`` (S,).

    Truth rows: time index, identity, position (k, d); track rows likewise. At each instant a
    track is associated with its nearest truth when within ``threshold_m`` (several tracks may
    share a truth: that is ambiguity); a truth is held when a track is associated with it.
    """
    S = len(times)
    tt_order = np.argsort(truth_time_idx, kind="stable")
    tk_order = np.argsort(track_time_idx, kind="stable")
    tb = np.searchsorted(truth_time_idx[tt_order], np.arange(S + 1))
    kb = np.searchsorted(track_time_idx[tk_order], np.arange(S + 1))
    held_total = on_truth = spurious = 0
    err_sum = 0.0
    n_truth = n_track = 0
    last_track: dict[int, int] = {}  # truth id -> nearest track id when last held
    was_held: dict[int, bool] = {}
    owner: dict[int, int] = {}  # track id -> truth id it was last on
    breaks = changes = swaps = 0
    for k in range(S):
        ti = tt_order[tb[k]:tb[k + 1]]
        ki = tk_order[kb[k]:kb[k + 1]]
        n_truth += ti.size
        n_track += ki.size
        present = truth_id[ti]
        if ti.size and ki.size:
            d = _distances(track_pos[ki], truth_pos[ti])
            near = np.argmin(d, axis=1)
            ok = d[np.arange(ki.size), near] <= threshold_m
        else:
            d = np.empty((ki.size, ti.size))
            near = np.zeros(ki.size, dtype=np.int64)
            ok = np.zeros(ki.size, dtype=bool)
        on_truth += int(ok.sum())
        spurious += int((~ok).sum())
        held = np.zeros(ti.size, dtype=bool)
        held[near[ok]] = True
        held_total += int(held.sum())
        for j in range(ti.size):
            tid = int(present[j])
            if not held[j]:
                if was_held.get(tid):
                    breaks += 1
                was_held[tid] = False
                continue
            mine = np.flatnonzero(ok & (near == j))
            best = mine[np.argmin(d[mine, j])]
            err_sum += float(d[best, j])
            trk = int(track_id[ki[best]])
            prev = last_track.get(tid)
            if prev is not None and prev != trk:
                changes += 1
                if owner.get(trk, tid) != tid:
                    swaps += 1
            last_track[tid] = trk
            was_held[tid] = True
            for b in mine:
                owner[int(track_id[ki[b]])] = tid
    return SiapResult(
        completeness=held_total / n_truth if n_truth else float("nan"),
        ambiguity=on_truth / held_total if held_total else float("nan"),
        spuriousness=spurious / n_track if n_track else float("nan"),
        positional_accuracy_m=err_sum / held_total if held_total else float("nan"),
        track_breaks=breaks, id_changes=changes, id_swaps=swaps,
        truth_instants=n_truth, track_instants=n_track)
