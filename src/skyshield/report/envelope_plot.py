"""Plot of a missile's launch acceptability region (matplotlib, imported only here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skyshield.weapons.envelope import Envelope

__all__ = ["plot_envelope"]


def plot_envelope(env: Envelope, title: str, out_png: Path) -> Path:
    """Where the target may be at launch for an intercept inside the lethal radius (shaded),
    with time-of-flight contours; both halves of the symmetric region are drawn."""
    from matplotlib.figure import Figure  # not pyplot: no global backend or figure state

    fig = Figure(figsize=(9, 6), dpi=110)
    ax = fig.subplots()
    x = env.x_m / 1e3
    y = np.concatenate([-env.y_m[:0:-1], env.y_m]) / 1e3
    ok = np.concatenate([env.ok[:, :0:-1], env.ok], axis=1).astype(float)
    tof = np.concatenate([env.tof_s[:, :0:-1], env.tof_s], axis=1)
    ax.contourf(y, x, ok, levels=[0.5, 1.5], colors=["#9ecae1"])
    ax.contour(y, x, ok, levels=[0.5], colors=["#08519c"], linewidths=1.5)
    t = np.where(ok > 0, tof, np.nan)
    if np.isfinite(t).any():
        cs = ax.contour(y, x, t, levels=8, colors="0.35", linewidths=0.7)
        ax.clabel(cs, fmt="%.0f s", fontsize=7)
    ax.plot([0], [0], marker="^", color="k", markersize=9)
    ax.annotate("launcher", (0, 0), textcoords="offset points", xytext=(6, -12), fontsize=8)
    ax.arrow(0.8 * y.max(), 0.9 * x.max(), 0, -0.12 * x.max(), width=0.004 * x.max(),
             color="firebrick")
    ax.text(0.8 * y.max(), 0.93 * x.max(), f"target {env.target_speed_mps:g} m/s",
            color="firebrick", ha="center", fontsize=8)
    ax.set_xlabel("target cross-range at launch (km)")
    ax.set_ylabel("target down-range at launch (km)")
    ax.set_title(title, fontsize=10)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png
