"""Pd against range for the S-400 surveillance radar (91N6E) against three targets, with and
without the stand-off jammer of slavic-shield-2019:

    python docs/make_pd_plot.py [--out docs/pd_vs_range_91n6e.png]

Targets at their catalogue RCS, Swerling case and cruise height; the jammer where its route puts
it half-way through its flight; jammed curves on the bearing opposite the jammer (its noise enters
through a sidelobe) and toward it (main lobe). Needs matplotlib (the ``plot`` extra).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import skyshield  # noqa: E402
from skyshield.analysis.coverage import default_jam_time_s, jammers_at, pd_at_range  # noqa: E402
from skyshield.scenario.loader import scenario_catalogue  # noqa: E402
from skyshield.sensors.radar import Jammers  # noqa: E402
from skyshield.sim.world import compile_world  # noqa: E402

TARGETS = {"strike_aircraft": "fighter (strike aircraft)",
           "cruise_missile_subsonic": "subsonic cruise missile",
           "small_recon_uav": "small reconnaissance UAV"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="docs/pd_vs_range_91n6e.png")
    args = ap.parse_args()
    sc = skyshield.load_scenario("slavic-shield-2019")
    world = compile_world(sc)
    cat = scenario_catalogue(sc)
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


if __name__ == "__main__":
    main()
