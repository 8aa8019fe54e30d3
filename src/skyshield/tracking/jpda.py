"""Joint probabilistic data association (JPDA) as kernels over gated pairs.

Bar-Shalom & Fortmann, *Tracking and Data Association* (1988) for JPDA; Bar-Shalom, Li &
Kirubarajan, *Estimation with Applications to Tracking and Navigation* (2001), §6.5 for the PDA
update. :func:`probabilities` gives the exact marginal
association probability β of every gated (track, plot) pair by enumerating the joint events of
each cluster (:func:`marginals`); :func:`update` moves every track by its β-weighted innovation
with the PDA covariance. Per-plot covariances differ, so a track's innovation covariance uses
its β-weighted mean R.
"""

from __future__ import annotations

import numpy as np

from skyshield.tracking import association, kalman

__all__ = ["MAX_PAIRS", "marginals", "probabilities", "update", "most_probable"]

MAX_PAIRS = 24  # larger clusters fall back to GNN (enumeration is exponential)


def marginals(trk: np.ndarray, det: np.ndarray, g: np.ndarray, miss: float) -> np.ndarray:
    """Marginal probabilities β of each gated pair (trk[k], det[k]) over all feasible joint
    events (each track takes at most one plot, each plot at most one track); an event weighs
    Π g over its pairs × ``miss`` per track left without a plot."""
    tracks = np.unique(trk)
    by_track = [np.flatnonzero(trk == t) for t in tracks]
    num = np.zeros(trk.size)
    total = 0.0

    def walk(i: int, used: frozenset[int], w: float, chosen: list[int]) -> None:
        nonlocal total
        if i == len(by_track):
            total += w
            for k in chosen:
                num[k] += w
            return
        walk(i + 1, used, w * miss, chosen)
        for kk in by_track[i]:
            k, d = int(kk), int(det[kk])
            if d not in used:
                chosen.append(k)
                walk(i + 1, used | {d}, w * g[k], chosen)
                chosen.pop()

    walk(0, frozenset(), 1.0, [])
    return num / total


def probabilities(trk_idx: np.ndarray, det_idx: np.ndarray, d2: np.ndarray, logdet: np.ndarray,
                  n: int, m: int, pd: float, clutter_density: float, gate_probability: float
                  ) -> np.ndarray:
    """β of each gated pair (track row, plot row, d², ln|S| from
    :func:`skyshield.tracking.association.gate`) of n tracks and m plots: a plot from a track
    against clutter has the likelihood ratio g = Pd·N(y; 0, S)/λ, a track misses with
    1 − Pd·P_G. Clusters of more than :data:`MAX_PAIRS` pairs take the GNN assignment
    (β = 1 for the assigned pairs, 0 otherwise)."""
    # likelihood ratio of plot j from track t against clutter: Pd·N(y; 0, S)/λ
    g = pd * np.exp(-0.5 * (d2 + logdet) - 1.5 * np.log(2 * np.pi)) / clutter_density
    miss = 1.0 - pd * gate_probability
    beta = np.zeros(trk_idx.size)
    comp = association.clusters(trk_idx, det_idx, n, m)
    for cl in np.unique(comp):
        sel = np.flatnonzero(comp == cl)
        if sel.size > MAX_PAIRS:
            gt, gd = association.gnn(trk_idx[sel], det_idx[sel], d2[sel] + logdet[sel], n, m)
            key = {(int(a), int(b)): 1.0 for a, b in zip(gt, gd, strict=True)}
            beta[sel] = [key.get((int(trk_idx[k]), int(det_idx[k])), 0.0) for k in sel]
            continue
        beta[sel] = marginals(trk_idx[sel], det_idx[sel], g[sel], miss)
    return beta


def update(xp: np.ndarray, Pp: np.ndarray, z: np.ndarray, R: np.ndarray, trk_idx: np.ndarray,
           det_idx: np.ndarray, beta: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """PDA update of the n predicted tracks (xp, Pp) with the gated plots weighted by β
    (BLK §6.5, vectorised over tracks): ỹ = Σ β_j y_j,
    x⁺ = x + K ỹ, P⁺ = β₀ P + (1 − β₀) Pᶜ + K (Σ β_j y_j y_jᵀ − ỹỹᵀ) Kᵀ, Pᶜ = P − K S Kᵀ,
    β₀ = 1 − Σ β_j. Returns the rows updated (Σ β > 0), their x⁺ and P⁺, and Σ β per track."""
    n = xp.shape[0]
    y = z[det_idx] - xp[trk_idx, :3]
    bsum = np.bincount(trk_idx, beta, minlength=n)
    rows = np.flatnonzero(bsum > 0)
    yb = np.zeros((n, 3))
    np.add.at(yb, trk_idx, beta[:, None] * y)
    Rb = np.zeros((n, 3, 3))
    np.add.at(Rb, trk_idx, beta[:, None, None] * R[det_idx])
    Ryy = np.zeros((n, 3, 3))
    np.add.at(Ryy, trk_idx, beta[:, None, None] * (y[:, :, None] * y[:, None, :]))
    Rb = Rb[rows] / bsum[rows, None, None]
    x, P = xp[rows], Pp[rows]
    S = P[:, :3, :3] + Rb
    K = kalman.gain(P[:, :, :3], S)
    b0 = (1 - bsum[rows])[:, None, None]
    yt = yb[rows]
    Pc = P - K @ S @ np.swapaxes(K, -1, -2)
    spread = Ryy[rows] - yt[:, :, None] * yt[:, None, :]
    Pn = b0 * P + (1 - b0) * Pc + K @ spread @ np.swapaxes(K, -1, -2)
    return rows, x + np.einsum("nij,nj->ni", K, yt), kalman.symmetrise(Pn), bsum


def most_probable(trk_idx: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Index of the pair of highest β of each track present in ``trk_idx`` (ties: the first)."""
    order = np.lexsort((-beta, trk_idx))
    return order[np.r_[True, np.diff(trk_idx[order]) != 0]]
