"""Plot of radar coverage for planners (matplotlib, imported only here)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from skyshield.analysis.coverage import Coverage
from skyshield.sim.world import World

__all__ = ["plot_coverage"]


def plot_coverage(world: World, cov: Coverage, title: str, out_png: Path) -> Path:
    """Each radar's detection range by bearing around its site, with and without jamming."""
    import matplotlib
    from matplotlib.figure import Figure  # not pyplot: no global backend or figure state

    fig = Figure(figsize=(10, 8), dpi=110)
    ax = fig.subplots()
    colours = matplotlib.colormaps["tab10"]
    rs = world.radars
    for i, name in enumerate(cov.radar):
        # bearings are in each radar's own frame; its frame differs from the scenario's by the
        # meridian convergence, well under a degree here, so they are drawn as scenario bearings
        x0, y0 = rs.pos_m[i, 0], rs.pos_m[i, 1]
        for rng, style, label in ((cov.range_no_jam_m[i], ":", None),
                                  (cov.range_m[i], "-", name)):
            x = x0 + rng * np.sin(cov.az_rad)
            y = y0 + rng * np.cos(cov.az_rad)
            ax.plot(np.append(x, x[0]) / 1e3, np.append(y, y[0]) / 1e3, style,
                    color=colours(i % 10), lw=1.2, label=label)
    for name, p in zip(world.units.name, world.units.pos_m, strict=True):
        ax.plot(p[0] / 1e3, p[1] / 1e3, "^", color="k", ms=7)
        ax.annotate(name, (p[0] / 1e3, p[1] / 1e3), xytext=(4, 4), textcoords="offset points")
    for name, p in zip(world.assets.name, world.assets.pos_m, strict=True):
        ax.plot(p[0] / 1e3, p[1] / 1e3, "s", color="tab:gray", ms=6)
        ax.annotate(name, (p[0] / 1e3, p[1] / 1e3), xytext=(4, -12), textcoords="offset points")
    for p in cov.jammers.pos_m:
        ax.plot(p[0] / 1e3, p[1] / 1e3, "*", color="tab:red", ms=14, label="jammer")
    ax.set_title(title)
    ax.set_xlabel("east of the scenario origin (km)")
    ax.set_ylabel("north of the scenario origin (km)")
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, title="solid: jammed, dotted: clear")
    fig.tight_layout()
    fig.savefig(out_png)
    return out_png
