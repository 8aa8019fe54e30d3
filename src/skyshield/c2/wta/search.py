"""Heuristic search for the static weapon-target assignment: starts, local search, exchanges.

Rounds are items (``owner[k]`` is the weapon type of round k); the state keeps the per-target
survival products, so every move is evaluated in O(1) and whole neighbourhoods as arrays. With
firing costs the state has one more column, *hold* (value 0, survival 1, no cost): a round held
is a round assigned there, and every neighbourhood below then moves rounds in and out of it.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import linear_sum_assignment


class _State:
    """Weapon-round assignment with per-target survival products kept up to date; with firing
    costs ``cw`` (n, m) — the cost of a round of weapon i at column j, 0 at the hold column —
    also the cost spent, part of ``f``."""

    def __init__(self, V: np.ndarray, q: np.ndarray, owner: np.ndarray, tgt: np.ndarray,
                 cw: np.ndarray | None = None):
        self.V, self.q, self.owner, self.tgt = V, q, owner, tgt.copy()
        self.s = np.ones(V.size)
        np.multiply.at(self.s, tgt, q[owner, tgt])
        self.cw = cw
        self.spent = 0.0 if cw is None else float(cw[owner, tgt].sum())

    @property
    def f(self) -> float:
        return float(self.V @ self.s) + self.spent

    def move(self, k: int, j: int) -> None:
        i, old = self.owner[k], self.tgt[k]
        self.s[old] /= self.q[i, old]
        self.s[j] *= self.q[i, j]
        self.tgt[k] = j
        if self.cw is not None:
            self.spent += self.cw[i, j] - self.cw[i, old]


def _cost_change(st: _State) -> np.ndarray | None:
    """(K, m): change of the cost spent when round k moves to column j (None without costs)."""
    if st.cw is None:
        return None
    ck = st.cw[st.owner]
    return ck - ck[np.arange(st.owner.size), st.tgt][:, None]


def _mmr(V: np.ndarray, q: np.ndarray, owner: np.ndarray, cost: np.ndarray | None = None
         ) -> np.ndarray:
    """Greedy maximum marginal return: repeatedly fire the (round, target) pair of largest
    V_j·s_j·p_ij (less the round's cost ``cost[i]``) among the rounds not yet fired (rounds of
    one weapon are interchangeable); with costs it stops when no round gains more than it
    costs (those rounds are held: target −1)."""
    s = np.ones(V.size)
    tgt = np.full(owner.size, -1, dtype=np.int64)
    weapons, first = np.unique(owner, return_index=True)
    left = np.bincount(owner, minlength=q.shape[0])
    nxt = np.zeros(q.shape[0], dtype=np.int64)
    p = 1.0 - q
    avail = left > 0
    for _ in range(owner.size):
        gain = (V * s)[None, :] * p
        if cost is not None:
            gain = gain - cost[:, None]
        gain[~avail] = -np.inf if cost is not None else -1.0
        i, j = np.unravel_index(np.argmax(gain), gain.shape)
        if cost is not None and not gain[i, j] > 0:
            break
        k = first[np.searchsorted(weapons, i)] + nxt[i]
        tgt[k] = j
        nxt[i] += 1
        s[j] *= q[i, j]
        if nxt[i] >= left[i]:
            avail[i] = False
    return tgt


def _lap(V: np.ndarray, q: np.ndarray, owner: np.ndarray, noise: np.ndarray | None = None,
         cw: np.ndarray | None = None) -> np.ndarray:
    """One round per target where possible: linear assignment on the first-shot gain (times
    ``noise`` for a randomised restart); rounds left over (more rounds than targets) go by
    marginal return. With costs ``cw`` the gain is net of the round's cost and the last column
    (hold) takes any number of rounds at gain 0."""
    gain = V[None, :] * (1 - q[owner])
    if noise is not None:
        gain = gain * noise
    if cw is not None:
        gain = gain - cw[owner]
        hold = V.size - 1
        gain = np.concatenate([gain[:, :hold], np.zeros((owner.size, owner.size))], axis=1)
    rows, cols = linear_sum_assignment(-gain)
    tgt = np.full(owner.size, -1, dtype=np.int64)
    tgt[rows] = cols if cw is None else np.minimum(cols, hold)
    rest = np.flatnonzero(tgt < 0)
    if rest.size:
        s = np.ones(V.size)
        np.multiply.at(s, tgt[rows], q[owner[rows], tgt[rows]])
        for k in rest:
            i = owner[k]
            g = V * s * (1 - q[i])
            if cw is not None:
                g = g - cw[i]
            j = int(np.argmax(g))
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
        dc = _cost_change(st)
        if dc is not None:
            inn += dc
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
            if dc is not None:
                C += dc[:, cur]
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
    dc = _cost_change(st)
    if dc is not None:  # the cost of a move goes with the round that moves
        C += dc[:, cur]
    C[cur[:, None] == cur[None, :]] = np.inf
    out = vs[cur] * (1.0 / qcur - 1.0)
    inn = vs[None, :] * (qk - 1.0)
    if dc is not None:
        inn += dc
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
        trial = _State(st.V, st.q, st.owner, _lap(st.V, st.q, st.owner, noise, st.cw), st.cw)
        _descend(trial, deadline)
        if trial.f < st.f - 1e-12 * max(st.f, 1.0):
            for k in np.flatnonzero(st.tgt != trial.tgt):
                st.move(int(k), int(trial.tgt[k]))


