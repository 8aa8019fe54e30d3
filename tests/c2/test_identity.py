"""Standard identities of the air picture (``c2.threat.identify``): one test per criterion, the
corridor geometry, Mode C resolution and what fire control sees of each identity.

The vocabulary is STANAG 1241 / APP-6 / MIL-STD-2525's standard identity (pending, unknown,
assumed friend, friend, neutral, suspect, hostile); the criteria are documented in
``docs/design.md`` ("Identification").
"""

from types import SimpleNamespace

import numpy as np
import pytest

from skyshield.c2 import threat
from skyshield.engine.events import EVENT_TAGS
from skyshield.engine.names import IDENTITIES

K = 3  # interrogations before a silent track may be declared
AIRCRAFT, CRUISE_MISSILE = 3, 2


def _one(*, replied=False, asked=1, squawk=-1, mode_c=False, civil=False, friendly=False,
         fcode=False, hostile=False, cls=AIRCRAFT, jamming=False, speed=230.0,
         previous=threat.PENDING):
    a = lambda x, dt=None: np.array([x], dtype=dt)  # noqa: E731
    ident, rule = threat.identify(a(replied), a(asked), K, a(squawk), a(mode_c), a(civil),
                                  a(friendly), a(fcode), a(hostile), a(cls), a(jamming),
                                  a(speed, float), a(previous))
    return IDENTITIES[int(ident[0])], threat.ID_REASONS[int(rule[0])]


def test_vocabulary_is_the_standard_identities_and_the_event_tags():
    assert set(IDENTITIES) == {"pending", "unknown", "assumed_friend", "friend", "neutral",
                               "suspect", "hostile"}
    assert EVENT_TAGS["identified"] == IDENTITIES
    # fire control's codes of old keep their meaning
    assert (IDENTITIES[threat.UNKNOWN_ID], IDENTITIES[threat.FRIEND],
            IDENTITIES[threat.HOSTILE]) == ("unknown", "friend", "hostile")


def test_secure_reply_is_friend_whatever_else():
    assert _one(replied=True, hostile=True, asked=9)[0] == "friend"
    assert _one(replied=True, previous=threat.HOSTILE)[0] == "friend"


def test_squawk_and_mode_c_on_a_published_route_is_neutral():
    assert _one(squawk=0o4521, mode_c=True, civil=True) == (
        "neutral", "Mode 3/A and C on a published route at its profile")
    # even heading at a defended point (an approach passing an asset): the route explains it
    assert _one(squawk=0o4521, mode_c=True, civil=True, hostile=True, asked=5)[0] == "neutral"


@pytest.mark.parametrize("kw", [
    {"mode_c": False, "civil": True},            # Mode 3/A only
    {"mode_c": True, "civil": False},            # off every published route
    {"mode_c": True, "civil": True, "cls": CRUISE_MISSILE},
    {"mode_c": True, "civil": True, "jamming": True},
])
def test_neutral_needs_code_mode_c_route_and_a_civil_profile(kw):
    ident, _ = _one(squawk=0o4521, asked=K, **kw)
    assert ident == "unknown"
    assert _one(squawk=0o4521, asked=1, **kw)[0] == "pending"


def test_squawking_off_route_toward_an_asset_becomes_suspect_then_hostile():
    assert _one(squawk=0o4521, mode_c=True, hostile=True, asked=1)[0] == "suspect"
    assert _one(squawk=0o4521, mode_c=True, hostile=True, asked=K)[0] == "hostile"


def test_briefed_own_code_is_assumed_friend():
    assert _one(squawk=0o5101, fcode=True, hostile=True) == ("assumed_friend",
                                                              "briefed own Mode 3/A code")
    # a briefed code on a published route is still own traffic, not neutral
    assert _one(squawk=0o5101, mode_c=True, fcode=True, civil=True)[0] == "assumed_friend"
    assert _one(squawk=0o5101, fcode=True, cls=CRUISE_MISSILE, hostile=True)[0] == "suspect"


def test_friendly_corridor_without_any_reply_is_assumed_friend():
    # a MiG-29 with its transponder failed, on the briefed return corridor, heading home to a
    # defended base: procedural identification
    assert _one(friendly=True, hostile=True, asked=10) == (
        "assumed_friend", "conforming to a briefed friendly corridor (procedural)")
    # a cruise missile flying down the corridor is not let through
    assert _one(friendly=True, hostile=True, cls=CRUISE_MISSILE, asked=10)[0] == "hostile"


def test_silent_with_hostile_criteria_is_suspect_then_hostile_and_stays():
    assert _one(hostile=True, asked=K - 1)[0] == "suspect"
    assert _one(hostile=True, asked=K)[0] == "hostile"
    # a declaration stands when the criteria pass (it turned away) ...
    assert _one(hostile=False, asked=K + 1, previous=threat.HOSTILE)[0] == "hostile"
    # ... and a squawk or a corridor does not undo it: only a secure reply does
    assert _one(squawk=0o4521, mode_c=True, civil=True, previous=threat.HOSTILE)[0] == "hostile"


def test_silent_without_hostile_criteria_is_pending_then_unknown_never_hostile():
    assert _one(asked=1)[0] == "pending"
    assert _one(asked=K)[0] == "unknown"
    assert _one(asked=50)[0] == "unknown"


def test_held_identities_need_no_hostile_criterion():
    # a neutral that drifts off its route keeps its identity while it squawks ...
    assert _one(squawk=0o4521, mode_c=True, previous=threat.NEUTRAL, asked=K)[0] == "neutral"
    # ... not once it shows a hostile criterion, nor when its code is gone
    assert _one(squawk=0o4521, mode_c=True, previous=threat.NEUTRAL, hostile=True,
                asked=K)[0] == "hostile"
    assert _one(previous=threat.NEUTRAL, asked=K)[0] == "unknown"
    assert _one(previous=threat.ASSUMED_FRIEND, asked=K)[0] == "assumed_friend"
    assert _one(previous=threat.ASSUMED_FRIEND, hostile=True, asked=K)[0] == "hostile"


def test_emergency_squawks():
    # 7700 / 7600 off any route: neutral with Mode C and an airliner's speed
    assert _one(squawk=0o7700, mode_c=True, hostile=True, asked=K)[0] == "neutral"
    assert _one(squawk=0o7600, mode_c=True, asked=K)[0] == "neutral"
    assert _one(squawk=0o7700, mode_c=True, speed=400.0, hostile=True, asked=K)[0] == "hostile"
    assert _one(squawk=0o7700, mode_c=False, asked=K)[0] == "unknown"
    # 7500 (unlawful interference): suspect, and fire control never engages it
    ident, why = _one(squawk=0o7500, mode_c=True, hostile=True, asked=K)
    assert ident == "suspect" and "national-authority" in why
    code = threat.engagement_code(np.array([threat.SUSPECT]), np.array([0o7500]))
    assert list(code) == [1]


def test_fire_control_codes_of_the_identities():
    code = dict(zip(IDENTITIES, threat.engagement_code(
        np.arange(len(IDENTITIES)), np.full(len(IDENTITIES), -1)), strict=True))
    # 1: never engaged under any ROE; 2: weapons tight fires; 0: weapons free fires
    assert code == {"friend": 1, "assumed_friend": 1, "neutral": 1, "pending": 1,
                    "hostile": 2, "unknown": 0, "suspect": 0}


def test_hostile_profile_criteria():
    n = 6
    thr = np.array([0, -1, -1, -1, -1, -1])
    cls = np.array([AIRCRAFT, CRUISE_MISSILE, AIRCRAFT, AIRCRAFT, AIRCRAFT, AIRCRAFT])
    jam = np.array([False, False, True, False, False, False])
    v = np.array([230.0, 230.0, 230.0, 320.0, 230.0, 230.0])
    silent = np.array([False, False, False, False, True, False])
    on = np.zeros(n, bool)
    assert list(threat.hostile_profile(thr, cls, jam, v, silent, on)) == [True] * 5 + [False]
    # silent but on a corridor: no criterion
    assert not threat.hostile_profile(thr[5:], cls[5:], jam[5:], v[5:], np.array([True]),
                                      np.array([True]))[0]


def _corridors(use_friendly: bool):
    return SimpleNamespace(
        name=["c"], friendly=np.array([use_friendly]), half_width_m=np.array([2000.0]),
        floor_m=np.array([1000.0]), ceiling_m=np.array([3000.0]),
        min_speed_mps=np.array([60.0]), max_speed_mps=np.array([150.0]),
        seg_a_m=np.array([[0.0, 0.0], [10e3, 0.0]]), seg_b_m=np.array([[10e3, 0.0],
                                                                       [10e3, 10e3]]),
        seg_corridor=np.array([0, 0]))


def test_corridor_conformance_lateral_altitude_speed():
    xy = np.array([[5e3, 1.9e3], [5e3, 2.1e3], [11.9e3, 5e3], [-1.9e3, 0.0], [5e3, 0.0],
                   [5e3, 0.0], [5e3, 0.0]])
    alt = np.array([2000.0, 2000.0, 2000.0, 2000.0, 900.0, 2000.0, 2000.0])
    v = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 50.0, 160.0])
    civil, friendly = threat.corridor_conformance(xy, alt, v, _corridors(False))
    assert list(civil) == [True, False, True, True, False, False, False]
    assert not friendly.any()
    civil, friendly = threat.corridor_conformance(xy, alt, v, _corridors(True))
    assert not civil.any() and friendly[0]


def test_mode_c_reports_100_ft_steps():
    # 10,668 m is 35,000 ft exactly; 10,680 m (35,039 ft) reports 35,000 ft; 35,060 ft -> 35,100
    got = threat.mode_c_m(np.array([10668.0, 10680.0, 35060 * 0.3048]))
    assert np.allclose(got / 0.3048, [35000.0, 35000.0, 35100.0])
