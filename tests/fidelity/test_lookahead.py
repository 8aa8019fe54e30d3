"""The look-ahead economy over a whole engagement (issue 21): a battery commander's reasoning.

An S-400 battalion and a Pantsir-S1 stand together at a base (value 100). One Predator-class
UAV flies straight at the base at 3,000 m and 37.5 m/s from 60 km. The S-400's 48N6E3 reaches it
long before the Pantsir's 57E6E (20 km) can.

What the commander predicts with the built-in economy (``c2.economy`` defaults: 1 value unit
per million USD; a UAV is worth USD 5 m = 5; a 48N6E3 costs USD 2 m = 2, a 9M96E2 1, a 57E6E
0.1; all catalogue or schema figures):

* **with the Pantsir loaded**, the UAV will meet the Pantsir's layer later, shoot-look-shoot:
  it spends 20 km / 37.5 m/s = 533 s inside the Pantsir's reach before it reaches the base; a
  shot cycle is the reaction (5 s), the flight to 10 km at the faster type's average speed and
  the kill assessment (4 s), so the Pantsir gets floor(533 / cycle) shots (it holds 24 salvos),
  each with a single-shot Pk of b²/(b² + σ²) from the catalogue's figures. The value the S-400
  can still save, (100 + 5) × (1 − Pk)^shots, is far under the 1 its cheapest round costs: the
  S-400 holds, and the Pantsir engages inside its 20 km;
* **with the Pantsir empty**, nothing comes later: (100 + 5) × Pk_48N6E3 ≫ 2, so the S-400
  engages it as soon as its envelope allows, beyond the Pantsir's reach;
* **under the old objective** (``assignment: wta``: surviving threat value only, no price), the
  S-400 engages first in both cases, since its intercept is the earliest.

The Pk values are computed here from the catalogue's lethal radius and terminal σ with the
closed form b²/(b² + σ²) (Gaussian damage function against a circular-normal miss), the UAV's
class scaling taken from the engine's table only for the category factor.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

import skyshield
from skyshield.scenario.catalogue import builtin_catalogue_path, load_catalogue
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.world import CATEGORY_VULNERABILITY

KM_PER_DEG_LAT = 111.13  # WGS84 meridian degree near 45° N (NGA TR8350.2 §3)
START_KM = 60.0


def _text(assignment: str, pantsir_loadout: str = "") -> str:
    return f"""
name: lookahead
origin: {{lat: 45.0, lon: 20.0, alt: 0 m}}
duration: 25 min
terrain_elevation: 0 m
truth_interval: 10 s
assets:
  base: {{lat: 45.0, lon: 20.0, value: 100, radius: 3 km}}
c2: {{assignment: {assignment}}}
units:
  s400: {{type: s400_battalion, lat: 45.0, lon: 20.0, roe: weapons_free, doctrine: {{salvo: 1}}}}
  pantsir: {{type: pantsir_s1, lat: 45.0, lon: 20.003, roe: weapons_free{pantsir_loadout}}}
threats:
  uav:
    type: male_recon_uav
    waypoints:
      - {{lat: {45.0 + START_KM / KM_PER_DEG_LAT:.6f}, lon: 20.0, alt: 3000 m, speed: 37.5 m/s}}
      - {{lat: 45.0, lon: 20.0, alt: 3000 m}}
"""


def _pk(missile: str) -> float:
    cat = load_catalogue(builtin_catalogue_path())
    m = cat.missiles[missile]
    # lethal radius against a UAV: the fighter's times the class factor k = √(A_uav / A_fighter)
    b = m.lethal_radius_m.value * CATEGORY_VULNERABILITY["uav"]
    s = m.terminal_sigma_m.value
    return b * b / (b * b + s * s)


def _launches(text: str) -> pd.DataFrame:
    ev = skyshield.run(parse_scenario(text, "lookahead.yaml"), seed=5).events
    return ev[ev["kind"] == "launch"]


def test_the_economys_arithmetic_is_what_the_commander_expects():
    cat = load_catalogue(builtin_catalogue_path())
    stake = 100.0 + 5.0
    speed = max(cat.missiles[m].speed_mps.value for m in ("57E6E", "pantsir_30mm"))
    cycle = 5.0 + 10e3 / speed + 4.0
    shots = min(math.floor(20e3 / 37.5 / cycle), 24)
    assert shots >= 10
    p = max(_pk("57E6E"), _pk("pantsir_30mm"))
    assert stake * (1.0 - p) ** shots < 1.0  # the S-400's rounds are worth more kept
    assert stake * _pk("48N6E3") > 2.0  # without the Pantsir, it is worth firing


def test_the_s400_holds_for_the_pantsirs_layer():
    launches = _launches(_text("lookahead"))
    assert len(launches), "the UAV is engaged"
    assert set(launches["source"]) == {"pantsir"}, launches[["t_s", "source", "target"]]


def test_without_the_pantsirs_rounds_the_s400_engages_early():
    launches = _launches(_text("lookahead", ", loadout: {57E6E: 0, pantsir_30mm: 0}, "
                                          "reloads: {}"))
    assert len(launches) and launches["source"].iloc[0] == "s400"
    # beyond the Pantsir's 20 km: at 37.5 m/s from 60 km, before 40 km / 37.5 = 1,067 s
    assert float(launches["t_s"].iloc[0]) < (START_KM - 20.0) * 1e3 / 37.5


@pytest.mark.parametrize("loadout", ["", ", loadout: {57E6E: 0, pantsir_30mm: 0}, reloads: {}"])
def test_the_old_objective_fires_the_s400_first(loadout):
    launches = _launches(_text("wta", loadout))
    assert len(launches) and launches["source"].iloc[0] == "s400"
