"""Pd against range for the S-400 surveillance radar (91N6E) against three targets, with and
without the stand-off jammer of slavic-shield-2019, and for every radar of the exercise against a
low-level cruise missile with and without multipath and clutter (issue 22):

    python docs/make_pd_plot.py [--out docs/pd_vs_range_91n6e.png]
                                [--low-level-out docs/pd_vs_range_low_level.png]

First figure: targets at their catalogue RCS, Swerling case and cruise height; the jammer where
its route puts it half-way through its flight; jammed curves on the bearing opposite the jammer
(its noise enters through a sidelobe) and toward it (main lobe); free space to the horizon
(``analysis.coverage.pd_at_range``).

Second figure: single-scan Pd of a 0.1 m² Swerling 1 cruise missile at 30 m and 50 m flying
straight in at 244 m/s, against range from each radar of the built-in exercise (its own surface:
land, farmland clutter): dashed, free space to the 4/3-Earth horizon (the model before issue 22);
solid, the scan's model (``sensors.radar.low_level``: two-way multipath F⁴ with the nulls, clutter
after the radar's MTI or Doppler processing, the canceller's response to the closing speed).
Needs matplotlib (the ``plot`` extra).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import skyshield  # noqa: E402
from skyshield.analysis.coverage import default_jam_time_s, jammers_at, pd_at_range  # noqa: E402
from skyshield.physics import detection, propagation  # noqa: E402
from skyshield.scenario.loader import scenario_catalogue  # noqa: E402
from skyshield.sensors.radar import Jammers, low_level  # noqa: E402
from skyshield.sim.world import compile_world  # noqa: E402

TARGETS = {"strike_aircraft": "fighter (strike aircraft)",
           "cruise_missile_subsonic": "subsonic cruise missile",
           "small_recon_uav": "small reconnaissance UAV"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="docs/pd_vs_range_91n6e.png")
    ap.add_argument("--low-level-out", default="docs/pd_vs_range_low_level.png")
    args = ap.parse_args()
    sc = skyshield.load_scenario("slavic-shield-2019")
    world = compile_world(sc)
    cat = scenario_catalogue(sc)
    low_level_plot(world, args.low_level_out)
    i = world.radars.name.index("91N6E@s400")
    everyone = jammers_at(world, default_jam_time_s(world) or 0.0)
    k = [int(np.argmax(everyone.power_w))]  # the stand-off jammer alone (not strike_2's pod)
    jam = Jammers(everyone.pos_m[k], everyone.height_agl_m[k], everyone.power_w[k],
                  everyone.gain_db[k], everyone.bandwidth_hz[k])
    rel = (jam.pos_m[0] - world.radars.pos_m[i]) @ world.radars.rot[i].T
    jaz = float(np.arctan2(rel[0], rel[1]))
    r = np.linspace(1e3, 600e3, 1200)
    fig, ax = plt.subplots(figsize=(10, 6), dpi=110)
    for k, (typ, label) in enumerate(TARGETS.items()):
        vt = cat.air_vehicles[typ]
        rcs, sw, h = vt.rcs_m2.value, int(vt.swerling.value), vt.cruise_alt_m.value
        c = plt.get_cmap("tab10")(k)
        name = f"{label}: {rcs:g} m², {h:g} m"
        ax.plot(r / 1e3, pd_at_range(world, i, r, jaz + np.pi, rcs, h, sw), color=c, lw=2,
                label=f"{name}, no jamming")
        ax.plot(r / 1e3, pd_at_range(world, i, r, jaz + np.pi, rcs, h, sw, jam), "--", color=c,
                label=f"{name}, jammer in a sidelobe")
        ax.plot(r / 1e3, pd_at_range(world, i, r, jaz, rcs, h, sw, jam), ":", color=c,
                label=f"{name}, toward the jammer")
    ax.set_xlabel("range from the 91N6E (km)")
    ax.set_ylabel("single-scan probability of detection")
    ax.set_title(f"91N6E (S-400 surveillance) Pd vs range; stand-off jammer at "
                 f"{np.linalg.norm(rel) / 1e3:.0f} km, {jam.height_agl_m[0] / 1e3:.0f} km up")
    ax.set_xlim(0, 600)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


CM_RCS_M2 = 0.1
CM_SPEED_MPS = 244.0


def low_level_plot(world, out: str) -> None:
    """Pd vs range of every radar against a low cruise missile, with and without multipath."""
    rs = world.radars
    n = len(rs.name)
    cols = 4
    rows = -(-(n + 1) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(18, 4.2 * rows), dpi=100)
    axes = axes.ravel()
    for i, ax in enumerate(axes[:n]):
        h1 = float(rs.height_agl_m[i])
        for k, h2 in enumerate((30.0, 50.0)):
            c = plt.get_cmap("tab10")(k)
            hor = float(propagation.horizon_range_m(h1, h2))
            r = np.linspace(max(rs.min_range_m[i], 500.0), min(1.15 * hor, rs.max_range_m[i]),
                            6000)
            el = np.arctan2(h2 - h1, r)
            free = rs.dwell_snr_1m_db[i] + 10 * np.log10(CM_RCS_M2 / r**4)
            low = low_level(rs, i, r, el, np.full(r.size, h2), np.full(r.size, -CM_SPEED_MPS))
            snr = free + low.signal_db - 10 * np.log10(1 + 10 ** (low.cnr_db / 10))
            inside = r <= hor
            pd_free = np.where(inside, detection.pd(free, rs.pfa[i], 1, 1), 0.0)
            pd_low = np.where(inside, detection.pd(snr, rs.pfa[i], 1, 1), 0.0)
            ax.plot(r / 1e3, pd_free, "--", color=c, lw=1,
                    label=f"{h2:g} m, free space to the horizon")
            ax.plot(r / 1e3, pd_low, color=c, lw=1.2,
                    label=f"{h2:g} m, multipath + clutter + {rs.processing[i]}")
            ax.axvline(hor / 1e3, color=c, lw=0.6, ls=":")
        f = rs.freq_hz[i]
        band = f"{f / 1e6:.0f} MHz" if f < 1e9 else f"{f / 1e9:.0f} GHz"
        ax.set_title(f"{rs.name[i]}: {band}, antenna {h1:g} m, {rs.surface[i]}", fontsize=9)
        ax.set_xlabel("range (km)")
        ax.set_ylabel("single-scan Pd")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[n:]:
        ax.axis("off")
    axes[n].legend(handles, [lb.replace(f"+ {rs.processing[0]}", "+ processing")
                             for lb in labels], loc="center", fontsize=9,
                   title=f"{CM_RCS_M2:g} m² cruise missile, Swerling 1, {CM_SPEED_MPS:g} m/s "
                         "inbound\n(dotted: 4/3-Earth horizon)")
    fig.suptitle("Pd vs range against a low-level cruise missile, with and without multipath "
                 "(slavic-shield-2019 radars)")
    fig.tight_layout()
    fig.savefig(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
