"""Two-way pattern-propagation factor F⁴ against range for low-flying targets, per catalogue radar:

    python docs/make_propagation_plot.py [--out docs/propagation_factor.png]

Smooth spherical Earth (k = 4/3), medium dry ground, horizontal polarisation, isotropic antenna
in elevation (skyshield.physics.multipath.propagation_factor); the dashed line is the flat-Earth
small-angle two-ray factor for comparison.  Frequencies and antenna heights from the default
catalogue (s125_p18, 91N6E, s125_snr125).  Needs matplotlib (the ``plot`` extra).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from skyshield.physics.multipath import (  # noqa: E402
    flat_earth_two_ray_factor,
    propagation_factor,
)

RADARS = [("P-18 (s125_p18), 170 MHz, mast 8 m", 170e6, 8.0),
          ("91N6E, 3 GHz, mast 10 m", 3e9, 10.0),
          ("SNR-125 (s125_snr125), 9 GHz, 5 m", 9e9, 5.0)]
HEIGHTS_M = (30.0, 50.0, 130.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--out", default="docs/propagation_factor.png")
    args = ap.parse_args()

    R = np.linspace(0.5e3, 80e3, 4000)
    fig, axes = plt.subplots(len(RADARS), 1, figsize=(9, 10), sharex=True)
    for ax, (name, f, ha) in zip(axes, RADARS, strict=True):
        for h in HEIGHTS_M:
            F, _ = propagation_factor(R, ha, h, f)
            (line,) = ax.plot(R / 1e3, 40 * np.log10(np.maximum(F, 1e-30)), lw=1.0,
                              label=f"target {h:.0f} m")
            if f < 1e9:
                F0 = flat_earth_two_ray_factor(R, ha, h, f)
                ax.plot(R / 1e3, 40 * np.log10(np.maximum(F0, 1e-30)), "--", lw=0.8,
                        color=line.get_color(), label=f"{h:.0f} m, flat Earth")
        ax.axhline(0.0, color="k", lw=0.5)
        ax.set_ylim(-80, 15)
        ax.set_ylabel("F⁴ [dB] (two-way)")
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2, loc="lower left")
    axes[-1].set_xlabel("slant range [km]")
    fig.suptitle("Pattern-propagation factor over a smooth 4/3 Earth (medium dry ground, H pol.)",
                 fontsize=11)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
