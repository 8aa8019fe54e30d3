"""Gating and global-nearest-neighbour assignment of plots to tracks, as kernels over arrays.

:func:`gate` finds the (track, plot) pairs inside the chi-square gate d² = yᵀS⁻¹y ≤ γ (candidate
pairs from a k-d tree, so the cost grows with the number of nearby pairs, not tracks × plots);
:func:`gnn` assigns them by global nearest neighbour, scipy's ``linear_sum_assignment`` on each
connected cluster of the gated pairs. JPDA (:mod:`skyshield.tracking.jpda`) weighs the same
gated pairs instead.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from skyshield.tracking import kalman

__all__ = ["gate", "gnn", "clusters"]

_BRUTE_FORCE_PAIRS = 4096  # below this many track-plot pairs, distances are computed directly


def gate(xp: np.ndarray, Pp: np.ndarray, z: np.ndarray, R: np.ndarray, gamma: float
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Gated pairs of predicted tracks (xp (n, 6), Pp (n, 6, 6)) and plots (z (m, 3),
    R (m, 3, 3)): track rows, plot rows, d² and ln|S| of each pair with d² ≤ ``gamma``."""
    # candidate pairs: d² = yᵀS⁻¹y ≤ γ implies |y|² ≤ γ·λmax(S) ≤ γ·(tr P + tr R), so a ball
    # of that radius around each track holds every plot that can pass its gate
    pos_var = np.trace(Pp[:, :3, :3], axis1=1, axis2=2)
    det_var = float(np.trace(R, axis1=1, axis2=2).max())
    radius = np.sqrt(gamma * (pos_var + det_var))
    if xp.shape[0] * z.shape[0] <= _BRUTE_FORCE_PAIRS:  # small picture: all pairs at once
        d = np.linalg.norm(xp[:, None, :3] - z[None, :, :], axis=-1)
        trk_idx, det_idx = np.nonzero(d <= radius[:, None])
    else:  # large picture: a k-d tree keeps the candidates near-linear in the counts
        hits = cKDTree(z).query_ball_point(xp[:, :3], radius, return_sorted=False)
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(hits))
        trk_idx = np.repeat(np.arange(len(hits)), counts)
        det_idx = np.fromiter(chain.from_iterable(hits), dtype=np.int64,
                              count=int(counts.sum()))
    if trk_idx.size == 0:
        e = np.empty(0, dtype=np.int64)
        return e, e, np.empty(0), np.empty(0)
    y, S = kalman.innovation(xp[trk_idx], Pp[trk_idx], z[det_idx], R[det_idx])
    d2, logdet = kalman.mahalanobis_sq(y, S)
    ok = d2 <= gamma
    return trk_idx[ok], det_idx[ok], d2[ok], logdet[ok]


def clusters(trk_idx: np.ndarray, det_idx: np.ndarray, n: int, m: int) -> np.ndarray:
    """The connected cluster of each gated pair (tracks and plots linked by a shared gate)."""
    graph = coo_matrix((np.ones(trk_idx.size), (trk_idx, n + det_idx)), shape=(n + m, n + m))
    _, label = connected_components(graph, directed=False)
    return label[trk_idx]


def gnn(trk_idx: np.ndarray, det_idx: np.ndarray, cost: np.ndarray, n: int, m: int
        ) -> tuple[np.ndarray, np.ndarray]:
    """Global nearest neighbour over gated pairs (track row, plot row, cost) of n tracks and m
    plots: the assignment of least total cost per connected cluster. Returns the assigned
    (track rows, plot rows)."""
    if (np.bincount(trk_idx, minlength=n).max() <= 1
            and np.bincount(det_idx, minlength=m).max() <= 1):
        return trk_idx, det_idx  # no contention: every gated pair stands alone
    comp = clusters(trk_idx, det_idx, n, m)
    order = np.argsort(comp, kind="stable")
    comp_sorted = comp[order]
    bounds = np.flatnonzero(np.diff(comp_sorted)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [comp_sorted.size]])
    single = (ends - starts) == 1
    out_t = [trk_idx[order[starts[single]]]]
    out_d = [det_idx[order[starts[single]]]]
    for s, e in zip(starts[~single], ends[~single], strict=True):
        sel = order[s:e]
        ut, ti = np.unique(trk_idx[sel], return_inverse=True)
        ud, di = np.unique(det_idx[sel], return_inverse=True)
        C = np.full((ut.size, ud.size), 1e12)
        C[ti, di] = cost[sel]
        r, c = linear_sum_assignment(C)
        keep = C[r, c] < 1e12
        out_t.append(ut[r[keep]])
        out_d.append(ud[c[keep]])
    return np.concatenate(out_t), np.concatenate(out_d)
