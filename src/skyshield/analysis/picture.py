"""Quality of a run's joint air picture: GOSPA, OSPA and SIAP against the truth.

At every periodic truth sample (not the extra truth rows at launch and fate instants) the
confirmed system tracks (predicted to the sample time) are scored against the air vehicles then
in the air (interceptors excluded: the picture is of the air threat and the friendly aircraft),
with :mod:`skyshield.tracking.metrics`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from skyshield.tracking.metrics import gospa, siap

__all__ = ["picture_quality", "PICTURE_C_M", "SIAP_THRESHOLD_M"]

PICTURE_C_M = 2000.0  # GOSPA/OSPA cut-off, as the tracking benchmark
SIAP_THRESHOLD_M = 2000.0  # a track within this distance of a truth is associated with it
SERIES_BINS = 120  # time bins of the GOSPA series in the summary


def picture_quality(truth: dict[str, np.ndarray], picture: dict[str, np.ndarray]
                    ) -> dict[str, Any]:
    """GOSPA (c = 2000 m, p = 1, α = 2) and its parts averaged over the samples, OSPA, the
    SIAP attributes of the run, and ``series``: GOSPA and its parts averaged in at most
    ``SERIES_BINS`` equal time bins (bin centres in ``t_s``)."""
    air = truth["entity_id"] >= 0
    if "sample" in truth:  # the periodic samples only, not the launch and fate instants
        air = air & np.asarray(truth["sample"], dtype=bool)
    tt, tid = truth["t_s"][air], truth["entity_id"][air]
    tpos = np.column_stack([truth[c][air] for c in ("x_m", "y_m", "z_m")])
    pt, pid = picture["t_s"], picture["track_id"]
    ppos = np.column_stack([picture[c] for c in ("x_m", "y_m", "z_m")])
    times = np.unique(np.concatenate([tt, pt]))
    if times.size == 0:
        return {"samples": 0}
    ti = np.searchsorted(times, tt)
    pi = np.searchsorted(times, pt)
    tb = np.searchsorted(ti, np.arange(times.size + 1))
    pb = np.searchsorted(pi, np.arange(times.size + 1))
    g = np.array([[x.distance, x.localisation, x.n_missed, x.n_false, x.ospa] for x in (
        gospa(ppos[pb[k]:pb[k + 1]], tpos[tb[k]:tb[k + 1]], PICTURE_C_M)
        for k in range(times.size))])
    o = g[:, 4]
    s = siap(times, ti, tid, tpos, pi, pid, ppos, SIAP_THRESHOLD_M)

    def r(x: float, nd: int = 3) -> float | None:
        return None if not np.isfinite(x) else round(float(x), nd)

    # the same figures over time, in at most SERIES_BINS bins, for the debrief plot
    edges = np.linspace(times[0], times[-1] + 1e-9, min(SERIES_BINS, times.size) + 1)
    b = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, edges.size - 2)
    cnt = np.bincount(b, minlength=edges.size - 1)
    keep = cnt > 0

    def binned(col: int) -> list[float]:
        m = np.bincount(b, weights=g[:, col], minlength=edges.size - 1)[keep] / cnt[keep]
        return [round(float(x), 2) for x in m]

    series = {"t_s": [round(float(x), 1) for x in (0.5 * (edges[:-1] + edges[1:]))[keep]],
              "gospa_m": binned(0), "localisation_m": binned(1), "missed": binned(2),
              "false": binned(3)}
    return {
        "samples": int(times.size), "gospa_c_m": PICTURE_C_M,
        "gospa_mean_m": r(g[:, 0].mean(), 1), "gospa_localisation_mean_m": r(g[:, 1].mean(), 1),
        "gospa_missed_mean": r(g[:, 2].mean()), "gospa_false_mean": r(g[:, 3].mean()),
        "ospa_mean_m": r(o.mean(), 1),
        "siap": {k: (r(v) if isinstance(v, float) else v) for k, v in s.as_dict().items()},
        "series": series,
    }
