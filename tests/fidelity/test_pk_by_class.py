"""Kill probability by target class: the compiled world's per-category lethal radii give, with
each missile's terminal miss, single-shot Pk ordered as the vulnerable areas say (fighter >
cruise missile > small drone)."""

import numpy as np

from skyshield.engine.names import CATEGORIES
from skyshield.physics.lethality import sspk_circular_normal
from skyshield.scenario.loader import parse_scenario
from skyshield.sim.world import CATEGORY_VULNERABILITY, compile_world

SCENARIO = """
name: pk-by-class
origin: {lat: 44.9, lon: 20.3}
duration: 2 min
assets:
  base: {lat: 44.9, lon: 20.3, value: 10}
units:
  sam:
    type: kub_m
    lat: 44.92
    lon: 20.30
threats:
  cm:
    type: cruise_missile_subsonic
    start: 10 s
    target: base
    waypoints:
      - {lat: 44.9, lon: 20.0, alt: 100 m, speed: 880 km/h}
      - {lat: 44.9, lon: 20.3, alt: 100 m}
"""


def test_single_shot_pk_is_ordered_by_target_class():
    w = compile_world(parse_scenario(SCENARIO, "pk.yaml"))
    mt = w.missiles
    b = mt.lethal_radius_by_category_m
    assert b is not None and b.shape == (len(mt.name), len(CATEGORIES))
    # Carleton lethal area 2πb² ∝ vulnerable area (Ball 2003, sec. 5.3): b_c = b·√(A_c/A_ref)
    k = np.array([CATEGORY_VULNERABILITY[c] for c in CATEGORIES])
    np.testing.assert_allclose(b, mt.lethal_radius_m[:, None] * k[None, :], atol=1e-9)
    pk = sspk_circular_normal(b, mt.terminal_sigma_m[:, None])
    col = {c: pk[:, CATEGORIES.index(c)] for c in CATEGORIES}
    assert np.all(col["aircraft"] > col["cruise_missile"])
    assert np.all(col["cruise_missile"] > col["uav"])
    # the fighter keeps the catalogue's figure (the reference target)
    np.testing.assert_allclose(col["aircraft"], mt.lethal_radius_m**2
                               / (mt.lethal_radius_m**2 + mt.terminal_sigma_m**2))
