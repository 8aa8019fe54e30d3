"""Draw the README picture: one run of slavic-shield-2019 seen from above.

    python docs/make_figure.py [--seed 2019] [--out docs/slavic-shield-2019.png]

Needs matplotlib (in the ``dev`` extra).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import skyshield  # noqa: E402
from skyshield.sim.world import compile_world  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--out", default="docs/slavic-shield-2019.png")
    args = ap.parse_args()
    sc = skyshield.load_scenario("slavic-shield-2019")
    r = skyshield.run(sc, seed=args.seed)
    w = compile_world(sc)
    fig, ax = plt.subplots(figsize=(11, 7), dpi=110)
    tr = r.truth
    colours = {"hostile": "tab:red", "friendly": "tab:blue", "interceptor": "tab:green"}
    for (kind, _eid), g in tr.groupby(["kind", "entity_id"]):
        ax.plot(g["x_m"] / 1e3, g["y_m"] / 1e3, color=colours[kind],
                lw=0.6 if kind == "interceptor" else 1.0, alpha=0.8)
    trk = r.tracks[r.tracks["status"] == 2]
    ax.scatter(trk["x_m"] / 1e3, trk["y_m"] / 1e3, s=0.3, color="k", alpha=0.25,
               label="confirmed track updates")
    ev = r.events
    kills = ev[ev["kind"] == "kill"]
    ax.scatter(kills["x_m"] / 1e3, kills["y_m"] / 1e3, marker="x", s=40, color="k",
               label="kills", zorder=5)
    for name, p in zip(w.units.name, w.units.pos_m, strict=True):
        ax.plot(p[0] / 1e3, p[1] / 1e3, "^", color="tab:blue", ms=8)
        ax.annotate(name, (p[0] / 1e3, p[1] / 1e3), xytext=(4, 4), textcoords="offset points")
    for name, p, rad in zip(w.assets.name, w.assets.pos_m, w.assets.radius_m, strict=True):
        ax.add_patch(plt.Circle((p[0] / 1e3, p[1] / 1e3), rad / 1e3, fill=False, ls="--"))
        ax.annotate(name, (p[0] / 1e3, p[1] / 1e3), xytext=(4, -12), textcoords="offset points")
    ax.plot([], [], color="tab:red", label="threats (truth)")
    ax.plot([], [], color="tab:blue", label="friendly MiG-29 (truth)")
    ax.plot([], [], color="tab:green", label="interceptors")
    s = r.summary
    ax.set_title(f"slavic-shield-2019, seed {args.seed}: {s['threats_destroyed']} of "
                 f"{s['threats_total']} threats destroyed, {s['threats_leaked']} leaked, "
                 f"{s['missiles_fired']} missiles, friendly engaged {s['friendly_engaged']}")
    ax.set_xlabel("east of Batajnica (km)")
    ax.set_ylabel("north of Batajnica (km)")
    ax.set_aspect("equal")
    ax.set_xlim(-130, 70)
    ax.set_ylim(-80, 50)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
