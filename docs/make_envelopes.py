"""Regenerate docs/envelopes/*.png: each catalogue missile's launch envelope against a cruise
missile at 50 m (250 m/s) and a fighter at 8 km (300 m/s), from simulated flyouts.

    python docs/make_envelopes.py [--nx 30] [--ny 12]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skyshield.scenario.catalogue import figure_values, load_catalogue  # noqa: E402
from skyshield.weapons.envelope import missile_envelope  # noqa: E402

HERE = Path(__file__).resolve().parent
TARGETS = (("cruise missile, 50 m, 250 m/s", 250.0, 50.0), ("fighter, 8 km, 300 m/s", 300.0,
                                                              8000.0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nx", type=int, default=30)
    ap.add_argument("--ny", type=int, default=12)
    a = ap.parse_args()
    cat = load_catalogue()
    for name, m in sorted(cat.missiles.items()):
        v = figure_values(m)
        if v["airframe"] is None:
            continue
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), dpi=100)
        for ax, (label, speed, alt) in zip(axes, TARGETS, strict=True):
            env = missile_envelope(v, speed, min(alt, v["max_alt_m"]), nx=a.nx, ny=a.ny,
                                   sub_step_s=0.1)
            x = env.x_m / 1e3
            y = np.concatenate([-env.y_m[:0:-1], env.y_m]) / 1e3
            ok = np.concatenate([env.ok[:, :0:-1], env.ok], axis=1).astype(float)
            if ok.any():
                ax.contourf(y, x, ok, levels=[0.5, 1.5], colors=["#9ecae1"])
                ax.contour(y, x, ok, levels=[0.5], colors=["#08519c"])
            ax.plot([0], [0], "k^")
            ax.set_title(f"{name} vs {label}", fontsize=10)
            ax.set_xlabel("target cross-range at launch (km)")
            ax.set_ylabel("target down-range at launch (km)")
            ax.set_aspect("equal")
            ax.grid(alpha=0.3)
            reach = env.x_m[env.ok[:, 0]].max() / 1e3 if env.ok[:, 0].any() else 0.0
            print(f"{name:8s} {label:32s} head-on max launch range {reach:7.1f} km "
                  f"(catalogue range {v['max_range_m'] / 1e3:g} km)", flush=True)
        fig.suptitle(f"{name}: launch acceptability region (flyouts; intercept inside the "
                     f"lethal radius, arriving ≥ 500 m/s)", fontsize=11)
        fig.tight_layout()
        fig.savefig(HERE / "envelopes" / f"{name}.png")
        plt.close(fig)


if __name__ == "__main__":
    main()
