"""The recorder: truth and the air picture, sampled for the run folder.

Truth is sampled every ``truth_interval`` and also recorded, for the entities concerned, at every
launch and fate instant (intercept, kill, leak, route end, interceptor lost), so that a replay
shows each fate where it happened. The air picture (confirmed tracks) is sampled with truth.
Entity ids: air vehicles are their truth id (>= 0), interceptors minus their weapon id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Recorder"]

_XYZ = ("x_m", "y_m", "z_m")
_V = ("vx_mps", "vy_mps", "vz_mps")


class Recorder:
    def __init__(self) -> None:
        self._samples: list[tuple[np.ndarray, ...]] = []
        self._fates: list[tuple[np.ndarray, ...]] = []  # truth at launch and fate instants
        self._picture: list[tuple[np.ndarray, ...]] = []

    def sample(self, t: float, ids: np.ndarray, pos_m: np.ndarray, vel_mps: np.ndarray) -> None:
        """A periodic truth sample of the entities ``ids``."""
        if ids.size:
            self._samples.append((np.full(ids.size, t), ids, pos_m, vel_mps))

    def fate(self, t: float, ids: Sequence[int], pos_m: np.ndarray, vel_mps: np.ndarray
             ) -> None:
        """Truth of the entities ``ids`` at a launch or fate instant, between the samples."""
        self._fates.append((np.full(len(ids), t), np.asarray(ids, dtype=np.int64),
                            np.asarray(pos_m, dtype=float).reshape(-1, 3),
                            np.asarray(vel_mps, dtype=float).reshape(-1, 3)))

    def picture(self, t: float, track_ids: np.ndarray, pos_m: np.ndarray) -> None:
        """The confirmed tracks' positions (ENU m) at a truth sample."""
        if track_ids.size:
            self._picture.append((np.full(track_ids.size, t), track_ids, pos_m))

    def picture_table(self) -> dict[str, np.ndarray]:
        if not self._picture:
            return {"t_s": np.zeros(0), "track_id": np.zeros(0, np.int64),
                    **{c: np.zeros(0) for c in _XYZ}}
        t, tid, p = (np.concatenate(c) for c in zip(*self._picture, strict=True))
        return {"t_s": t, "track_id": tid, "x_m": p[:, 0], "y_m": p[:, 1], "z_m": p[:, 2]}

    def truth_table(self) -> dict[str, np.ndarray]:
        """The periodic samples and the launch and fate instants, in time order (``sample``
        tells them apart); one row per entity and instant."""
        rows = [(*r, np.ones(r[0].size, dtype=bool)) for r in self._samples] + \
               [(*r, np.zeros(r[0].size, dtype=bool)) for r in self._fates]
        if not rows:
            return {"t_s": np.zeros(0), "entity_id": np.zeros(0, np.int64),
                    **{c: np.zeros(0) for c in (*_XYZ, *_V)}, "sample": np.zeros(0, dtype=bool)}
        t, eid, p, v, sample = (np.concatenate(c) for c in zip(*rows, strict=True))
        # time order, the launch or fate row first where both fall at one instant (it has the
        # fuze point); then one row per (instant, entity)
        order = np.lexsort((sample, t))
        t, eid, p, v, sample = t[order], eid[order], p[order], v[order], sample[order]
        _, first = np.unique(np.column_stack([t, eid.astype(float)]), axis=0, return_index=True)
        keep = np.sort(first)
        t, eid, p, v, sample = t[keep], eid[keep], p[keep], v[keep], sample[keep]
        return {"t_s": t, "entity_id": eid, "x_m": p[:, 0], "y_m": p[:, 1], "z_m": p[:, 2],
                "vx_mps": v[:, 0], "vy_mps": v[:, 1], "vz_mps": v[:, 2], "sample": sample}
