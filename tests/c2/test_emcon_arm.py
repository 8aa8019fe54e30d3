"""``c2.emcon.ArmSilence``: which units fall silent for an anti-radiation missile, and how long."""

from __future__ import annotations

import numpy as np

from skyshield.c2 import threat
from skyshield.c2.emcon import ARM_ALERT_RADIUS_M, ARM_CLASS, ArmSilence


def test_arm_class_index():
    assert threat.CLASSES[ARM_CLASS] == "anti_radiation_missile"


def test_silent_while_inbound_and_for_the_hold_after():
    units = np.array([[0.0, 0.0, 0.0], [0.0, 50e3, 0.0], [0.0, -50e3, 0.0]])
    alive = np.ones(3, dtype=bool)
    sil = ArmSilence(np.array([60.0, 60.0, np.nan]))  # the third has no such doctrine
    # an ARM 40 km west heading east at 600 m/s, diving: aimed at unit 0 (passes 0 m from it)
    arm = np.array([[-40e3, 0.0, 6000.0, 600.0, 0.0, -90.0]])
    # an aircraft-class track aimed at unit 1, and an ARM 40 km west of unit 2 aimed at it
    other = np.array([[-40e3, 50e3, 6000.0, 600.0, 0.0, 0.0],
                      [-40e3, -50e3, 6000.0, 600.0, 0.0, -90.0]])
    st = np.vstack([arm, other])
    cls = np.array([ARM_CLASS, 3, ARM_CLASS])
    assert sil.quiet(10.0, units, alive, cls, st).tolist() == [True, False, False]
    # no ARM in the picture any more: silent until 10 + 60 s
    assert sil.quiet(69.0, units, alive, cls[1:2], st[1:2]).tolist() == [True, False, False]
    assert sil.quiet(70.0, units, alive, cls[1:2], st[1:2]).tolist() == [False, False, False]


def test_no_alert_for_an_arm_passing_wide_or_going_away():
    units = np.zeros((1, 3))
    sil = ArmSilence(np.array([60.0]))
    wide = [-40e3, 2 * ARM_ALERT_RADIUS_M, 6000.0, 600.0, 0.0, 0.0]  # abeam by 10 km
    away = [40e3, 0.0, 6000.0, 600.0, 0.0, 0.0]  # past the unit, flying away
    st = np.array([wide, away])
    assert not sil.quiet(0.0, units, np.ones(1, bool), np.full(2, ARM_CLASS), st)[0]
    # a dead unit is not silenced
    inbound = np.array([[-40e3, 0.0, 6000.0, 600.0, 0.0, -90.0]])
    assert not sil.quiet(0.0, units, np.zeros(1, bool), np.array([ARM_CLASS]), inbound)[0]
