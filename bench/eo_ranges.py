"""Acquisition ranges of the catalogue's electro-optical channels by conditions.

    python bench/eo_ranges.py

For each fire unit with an EO system and each channel: the range (km) at which it acquires an
aircraft (presented area 12 m²) and a cruise missile (3 m²) in a visibility (MOR) of 0.5, 2, 5,
10, 20 and 50 km, by day and by night (``sensors.eo.channel_range_m``, capped at the system's
tracking range), and which limit binds (res: Johnson resolution; atm: contrast/thermal).
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.names import CATEGORIES
from skyshield.physics import eo
from skyshield.scenario.loader import parse_scenario
from skyshield.sensors.eo import channel_range_m
from skyshield.sim.eo import compile_eo
from skyshield.sim.world import compile_world

TEXT = """
name: eo-bench
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 60 s
units:
  neva: {type: s125_neva_m1t, lat: 45.0, lon: 20.0}
  pantsir: {type: pantsir_s1, lat: 45.0, lon: 20.0}
"""
VIS_KM = [0.5, 2.0, 5.0, 10.0, 20.0, 50.0]
TARGETS = [("aircraft", 12.0), ("cruise_missile", 3.0)]


def main() -> None:
    w = compile_world(parse_scenario(TEXT, "bench.yaml"))
    es = compile_eo(w)
    assert es is not None
    print(f"{'unit/channel':16s} {'target':15s} {'light':5s} "
          + " ".join(f"{v:>9g}km" for v in VIS_KM))
    for c in range(es.unit.size):
        u = int(es.unit[c])
        for name, area in TARGETS:
            cat = np.array([CATEGORIES.index(name)])
            res = float(eo.resolution_range_m(eo.critical_dimension_m(area), es.ifov_rad[c],
                                              es.cycles[c]))
            for day in (True, False):
                cells = []
                for v in VIS_KM:
                    r = float(channel_range_m(es, np.array([c]), np.array([area]), cat,
                                              v * 1e3, day)[0, 0])
                    r = min(r, float(es.max_range_m[u]))
                    tag = "-" if r == 0 else ("cap" if r == es.max_range_m[u] else
                                              "res" if abs(r - res) < 1e-6 else "atm")
                    cells.append(f"{r / 1e3:6.2f} {tag:>3s}")
                print(f"{w.units.name[u] + '/' + es.name[c]:16s} {name:15s} "
                      f"{'day' if day else 'night':5s} " + " ".join(cells))


if __name__ == "__main__":
    main()
