"""Plot of a sweep: one metric against the first swept parameter, with its confidence band
(matplotlib, imported only here)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["plot_sweep", "METRIC_LABELS"]

METRIC_LABELS = {
    "any_leak": "leak probability (any threat leaks)",
    "threats_leaked": "threats leaked (mean)",
    "missiles_fired": "missiles fired (mean)",
    "value_lost": "asset value lost (mean)",
    "any_fratricide": "fratricide probability",
    "any_unit_lost": "probability a fire unit is lost",
    "scoring.joint.score": "joint debrief score (mean)",
}


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def plot_sweep(points: list[dict[str, Any]], params: list[str], metric: str, out_png: Path,
               scenario: str | None = None) -> Path:
    """``points``: every sweep point's ``{"set": {path: value}, "metrics": {...}}`` (the
    aggregates of ``studies.sweep``); the mean of ``metric`` against ``params[0]`` with the
    interval as a band, one line per combination of the other parameters."""
    from matplotlib.figure import Figure  # not pyplot: no global backend or figure state

    x_param, others = params[0], params[1:]
    xs = list(dict.fromkeys(p["set"][x_param] for p in points))
    numeric = _numeric(xs)
    pos = {v: (float(v) if numeric else float(i)) for i, v in enumerate(xs)}
    fig = Figure(figsize=(8, 5), dpi=110)
    ax = fig.subplots()
    combos = list(itertools.product(*(list(dict.fromkeys(p["set"][o] for p in points))
                                      for o in others))) or [()]
    kind = ""
    for combo in combos:
        sel = [p for p in points if all(p["set"][o] == c for o, c in zip(others, combo,
                                                                         strict=True))]
        sel.sort(key=lambda p: pos[p["set"][x_param]])
        d = [p["metrics"].get(metric) or {} for p in sel]
        x = np.array([pos[p["set"][x_param]] for p in sel])
        mean = np.array([np.nan if m.get("mean") is None else m["mean"] for m in d])
        lo = np.array([np.nan if m.get("ci_low") is None else m["ci_low"] for m in d])
        hi = np.array([np.nan if m.get("ci_high") is None else m["ci_high"] for m in d])
        kind = str(next((m["interval"] for m in d if m.get("interval")), kind))
        label = ", ".join(f"{o} = {c}" for o, c in zip(others, combo, strict=True)) or None
        line, = ax.plot(x, mean, "o-", label=label)
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
    if not numeric:
        ax.set_xticks([pos[v] for v in xs], [str(v) for v in xs])
    n = points[0].get("replications", "?") if points else "?"
    band = {"wilson": "Wilson 95 % interval", "t": "95 % t interval",
            "bootstrap": "95 % bootstrap interval"}.get(kind, "95 % interval")
    ax.set_xlabel(x_param)
    ax.set_ylabel(METRIC_LABELS.get(metric, metric))
    head = f"{scenario}: " if scenario else ""
    ax.set_title(f"{head}{METRIC_LABELS.get(metric, metric)} against {x_param}\n"
                 f"({n} replications per point; band: {band})", fontsize=10)
    ax.grid(alpha=0.3)
    if others:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png
