"""The look-ahead economy's stake of a threat aimed at a fire unit (issue 21), on a crafted
picture whose arithmetic a battery commander can do by hand.

Two units: a long-range battery at the origin with its last round (Pk 20²/(20² + 5²) = 0.941,
price 2) and a short-range battery 30 km north (8 rounds, reach 20 km, Pk 10²/(10² + 5²) = 0.8,
value 50). Four cruise missiles (worth 1.5 each) are 130 km north, 1,000 s out, flying south
over the short-range battery to the base at the origin (value 100): beyond the horizon and out
of reach, so not engageable this cycle, but the picture says they are coming. An
anti-radiation missile (worth 0.6) is 40 km east of the short-range battery at 12 km, above
the short-range missile's 10 km ceiling, flying at it at 1,000 m/s: 40 s out. The short-range
battery cannot engage it now, and gets no shot later: its path passes 12 km over the battery,
inside the 20 km reach for the last 2 × √(20² − 12²) / 2 = 16 s before it arrives, less than
one shot cycle (5 s reaction + 10 km / 800 m/s + 4 s look = 21.5 s).

The long-range battery's choice: fire its last round at the ARM, or keep it for the cruise
missiles.

* **Keeping** the round is worth the value it would save on them: (100 + 1.5) × 0.941 = 95.5
  per round (four need rounds, one is left: short of rounds, factor 1). Firing costs
  2 + 95.5 = 97.5.
* **Without the unit's defensive value** the ARM puts at stake the battery's own value and the
  ARM's worth: (50 + 0.6) × 0.941 = 47.6 < 97.5: hold, and the battery is lost.
* **With it**, losing the battery also loses what it would still do to the cruise missiles:
  4 × 101.5 × 0.8 (its 8 rounds cover all four) = 324.8 more at stake;
  (50.6 + 324.8) × 0.941 = 353 > 97.5: fire at the ARM.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.c2 import threat
from skyshield.c2.fire_control import FREE, FireUnits, LookAhead, MissileTypes, plan_wta


def _missiles() -> MissileTypes:
    return MissileTypes(
        name=["long", "short"], is_gun=np.array([False, False]),
        command_guided=np.array([False, False]),
        min_range_m=np.array([3e3, 1e3]), max_range_m=np.array([100e3, 20e3]),
        min_alt_m=np.array([10.0, 5.0]), max_alt_m=np.array([25e3, 10e3]),
        speed_mps=np.array([1000.0, 800.0]), max_target_speed_mps=np.array([2000.0, 1500.0]),
        lethal_radius_m=np.array([20.0, 10.0]), terminal_sigma_m=np.array([5.0, 5.0]),
        seeker_basket_m=np.array([1000.0, 500.0]))


def _units() -> FireUnits:
    return FireUnits(
        name=["long", "short"], pos_m=np.array([[0.0, 0.0, 0.0], [0.0, 30e3, 0.0]]),
        height_agl_m=np.zeros(2), value=np.full(2, 50.0), roe=np.full(2, FREE),
        salvo=np.ones(2, np.int64), shoot_look_shoot=np.ones(2, bool),
        reserve=np.zeros(2, np.int64), target_channels=np.full(2, 2.0),
        missile_channels=np.full(2, 4.0), reaction_s=np.full(2, 5.0),
        launch_interval_s=np.full(2, 2.0), inventory=np.array([[1, 0], [0, 8]], np.int64),
        radar_height_agl_m=np.full(2, 10.0), radar_max_range_m=np.full(2, 300e3),
        alive=np.ones(2, bool), next_ready_s=np.zeros(2))


ARM = [40e3, 30e3, 12e3, -1000.0, 0.0, 0.0]
CRUISE = [[x, 130e3, 1e3, 0.0, -130.0, 0.0] for x in (-300.0, -100.0, 100.0, 300.0)]


def _plan(unit_defence: bool):
    state = np.array([ARM, *CRUISE])
    k = state.shape[0]
    stake = np.array([50.0 + 0.6] + [100.0 + 1.5] * 4)
    econ = LookAhead(price=np.array([2.0, 0.1]), stake=stake,
                     aimed_unit=np.array([1, -1, -1, -1, -1]) if unit_defence else None)
    return plan_wta(0.0, np.arange(1, k + 1), state, state[:, 2].copy(),
                    np.full(k, threat.HOSTILE), np.ones(k), np.array([40.0] + [1000.0] * 4),
                    _units(), _missiles(), np.zeros(2), np.zeros(2), np.zeros(k, bool), 900.0,
                    economy=econ)


def test_the_commanders_arithmetic():
    p_long, p_short = 20**2 / (20**2 + 5**2), 10**2 / (10**2 + 5**2)
    keep = 101.5 * p_long
    assert 50.6 * p_long < 2.0 + keep  # without the defensive value: hold
    assert (50.6 + 4 * 101.5 * p_short) * p_long > 2.0 + keep  # with it: fire
    cycle = 5.0 + 10e3 / 800.0 + 4.0
    assert (20e3**2 - 12e3**2) ** 0.5 / 1000.0 < cycle  # no later shot at the ARM


def test_without_its_defensive_value_the_unit_is_given_up():
    pl = _plan(unit_defence=False)
    assert pl.orders == []
    assert pl.no_fire[1] == "not worth the rounds"


def test_a_unit_is_worth_what_it_still_defends():
    pl = _plan(unit_defence=True)
    assert [(o.unit, o.track_id) for o in pl.orders] == [(0, 1)]
    assert pl.solver is not None
    # the objective the solver proved: the ARM's stake with 324.8 more on it, hit at 0.941
    p_long, p_short = 20**2 / (20**2 + 5**2), 10**2 / (10**2 + 5**2)
    stake = 50.6 + 4 * 101.5 * p_short
    assert pl.solver.objective == pytest.approx(stake * (1 - p_long) + 2.0 + 101.5 * p_long,
                                                rel=1e-6)


def _two_layers(cheapest_first: bool):
    """A cruise missile 15 km out, inside both units' reach: the long-range battery's round
    (Pk 0.941, price 2) and the short-range battery's (Pk 0.8, price 0.1), stake 1,000. The
    objective alone: fire the long (1,000 × 0.059 + 2 = 61) over the short (1,000 × 0.2 + 0.1 =
    200) — both at once is cheaper still (1,000 × 0.0118 + 2.1 = 13.9) but one unit per target
    keeps the first. The doctrine "cheapest effective layer first" (effective: Pk ≥ 0.7) offers
    only the short's round: 0.8 ≥ 0.7 and 0.1 < 2."""
    fu = _units()
    fu.pos_m[1] = [0.0, 0.0, 0.0]
    fu.inventory[:] = [[4, 0], [0, 8]]
    state = np.array([[0.0, 15e3, 1e3, 0.0, -250.0, 0.0]])
    econ = LookAhead(price=np.array([2.0, 0.1]), stake=np.array([1000.0]), keep_rounds=False,
                     later_layers=False, cheapest_first=cheapest_first, effective_pk=0.7)
    return plan_wta(0.0, np.array([1]), state, state[:, 2].copy(), np.array([threat.HOSTILE]),
                    np.ones(1), np.array([60.0]), fu, _missiles(), np.zeros(2), np.zeros(2),
                    np.zeros(1, bool), 900.0, economy=econ)


def test_cheapest_effective_layer_first():
    assert 0.8 >= 0.7 and 1000 * (1 - 20**2 / 425) + 2 < 1000 * 0.2 + 0.1
    free = _two_layers(False)
    assert [o.unit for o in free.orders][:1] == [0]  # the objective alone: the long round
    rule = _two_layers(True)
    assert [(o.unit, o.missile) for o in rule.orders] == [(1, 1)]
