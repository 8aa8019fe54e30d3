"""Threat evaluation and fire-control rules on crafted pictures."""

import numpy as np
import pytest

from skyshield.c2 import threat
from skyshield.c2.fire_control import FREE, HOLD, TIGHT, FireUnits, MissileTypes, plan


def test_identity_rules():
    # the rule of old, for silent tracks showing a hostile criterion: friend once it replied,
    # hostile after 3 silent interrogations, suspect before (the criteria: tests/c2/test_identity)
    replied = np.array([True, False, False, True])
    asked = np.array([1, 3, 2, 5])
    n = replied.size
    no, none = np.zeros(n, bool), np.full(n, -1)
    ident, _ = threat.identify(replied, asked, 3, none, no, no, no, no, np.ones(n, bool),
                               np.full(n, 3), no, np.full(n, 250.0), np.full(n, threat.PENDING))
    assert list(ident) == [threat.FRIEND, threat.HOSTILE, threat.SUSPECT, threat.FRIEND]


def test_interrogation_answers_only_friends():
    friendly = np.array([True, True, False])
    p = np.array([0.9, 0.9, 0.9])
    assert list(threat.interrogate(friendly, p, np.array([0.5, 0.95, 0.0]))) == [True, False,
                                                                               False]


@pytest.mark.parametrize("speed,h,vz,expect", [
    (14.0, 300.0, 0.0, "uav"),
    (245.0, 50.0, 0.0, "cruise_missile"),
    (250.0, 6000.0, 0.0, "aircraft"),
    (560.0, 8000.0, -100.0, "anti_radiation_missile"),
])
def test_classification_regimes(speed, h, vz, expect):
    cls, conf = threat.classify(np.array([speed]), np.array([h]), np.array([vz]))
    assert threat.CLASSES[cls[0]] == expect
    assert 0.5 <= conf[0] <= 1.0


def test_threat_heading_for_an_asset_gets_its_time_to_go():
    # a track 50 km west of asset 1 flying straight at it at 250 m/s: ttg = 200 s exactly
    pts = np.array([[0.0, 30e3, 0.0], [0.0, 0.0, 0.0]])
    prio, thr, ttg = threat.threat_priority(np.array([[-50e3, 0.0, 0.0]]),
                                            np.array([[250.0, 0.0, 0.0]]), pts,
                                            np.array([100.0, 10.0]), np.array([3e3, 3e3]))
    assert thr[0] == 1
    assert ttg[0] == pytest.approx(200.0)
    assert prio[0] == pytest.approx(10.0 / 230.0)


def _missiles():
    return MissileTypes(
        name=["long", "short"], is_gun=np.array([False, False]),
        command_guided=np.array([False, False]),
        min_range_m=np.array([3e3, 1e3]), max_range_m=np.array([100e3, 20e3]),
        min_alt_m=np.array([10.0, 5.0]), max_alt_m=np.array([25e3, 10e3]),
        speed_mps=np.array([1000.0, 800.0]), max_target_speed_mps=np.array([2000.0, 900.0]),
        lethal_radius_m=np.array([20.0, 10.0]), terminal_sigma_m=np.array([5.0, 5.0]),
        seeker_basket_m=np.array([1000.0, 500.0]))


def _units(roe=TIGHT, inventory=((4, 4),), channels=2):
    n = len(inventory)
    return FireUnits(
        name=[f"u{i}" for i in range(n)], pos_m=np.zeros((n, 3)), height_agl_m=np.zeros(n),
        value=np.full(n, 50.0), roe=np.full(n, roe), salvo=np.full(n, 2),
        shoot_look_shoot=np.ones(n, bool), reserve=np.zeros(n, np.int64),
        target_channels=np.full(n, float(channels)), missile_channels=np.full(n, 4.0),
        reaction_s=np.full(n, 5.0), launch_interval_s=np.full(n, 2.0),
        inventory=np.array(inventory, dtype=np.int64), radar_height_agl_m=np.full(n, 10.0),
        radar_max_range_m=np.full(n, 200e3), alive=np.ones(n, bool), next_ready_s=np.zeros(n))


def _plan(fu, state, ident, agl=1000.0, blocked=None, ttg=100.0):
    k = state.shape[0]
    return plan(0.0, np.arange(1, k + 1), state, np.full(k, agl), np.asarray(ident),  # greedy
                np.linspace(1.0, 0.5, k), np.full(k, ttg), fu, _missiles(),
                np.zeros(len(fu.name)), np.zeros(len(fu.name)),
                np.zeros(k, bool) if blocked is None else blocked, 900.0).orders


INBOUND = np.array([[40e3, 0.0, 0.0, -250.0, 0.0, 0.0]])  # level with the launcher


def test_engages_a_hostile_with_the_earliest_intercept_and_books_resources():
    fu = _units()
    orders = _plan(fu, INBOUND, [threat.HOSTILE])
    assert len(orders) == 1
    o = orders[0]
    # long missile: target at 38.75 km at launch (t=5 s), closing speed 1250 m/s -> 31 s of flight
    assert o.missile == 0 and o.rounds == 2 and o.t_launch_s == 5.0
    assert o.t_intercept_s == pytest.approx(5.0 + 38750.0 / 1250.0)
    assert list(fu.inventory[0]) == [2, 4]
    assert fu.next_ready_s[0] == pytest.approx(9.0)


def test_friend_is_never_engaged_even_weapons_free():
    assert _plan(_units(roe=FREE), INBOUND, [threat.FRIEND]) == []


def test_rules_of_engagement():
    assert _plan(_units(roe=TIGHT), INBOUND, [threat.UNKNOWN_ID]) == []
    assert len(_plan(_units(roe=FREE), INBOUND, [threat.UNKNOWN_ID])) == 1
    assert _plan(_units(roe=HOLD), INBOUND, [threat.HOSTILE]) == []


def test_envelope_limits():
    far = np.array([[300e3, 0.0, 1000.0, -250.0, 0.0, 0.0]])
    assert _plan(_units(), far, [threat.HOSTILE]) == []  # beyond every missile's reach
    assert _plan(_units(), INBOUND, [threat.HOSTILE], agl=30e3) == []  # above the ceiling
    fast = np.array([[15e3, 0.0, 1000.0, -2500.0, 0.0, 0.0]])
    assert _plan(_units(), fast, [threat.HOSTILE]) == []  # faster than any missile can engage
    # with the long missile's stock gone, the short one is chosen inside its own envelope
    fu = _units(inventory=((0, 3),))
    orders = _plan(fu, np.array([[15e3, 0.0, 1000.0, -250.0, 0.0, 0.0]]), [threat.HOSTILE])
    assert [o.missile for o in orders] == [1]


def test_channel_limit_and_blocked_tracks():
    fu = _units(channels=1)
    two = np.vstack([INBOUND, INBOUND + [0, 5e3, 0, 0, 0, 0]])
    orders = _plan(fu, two, [threat.HOSTILE, threat.HOSTILE])
    assert [o.track_id for o in orders] == [1]  # one target channel: the higher priority only
    orders = _plan(_units(), two, [threat.HOSTILE] * 2, blocked=np.array([True, False]))
    assert [o.track_id for o in orders] == [2]


def test_radar_horizon_blocks_a_low_target_beyond_it():
    # 10 m antenna, target at 20 m: 4/3-Earth horizon ≈ 13.0 + 18.4 km = 31.5 km. The frame is
    # tangent at the launcher, so a target 20 m above the curved ground at ground range d sits
    # d²/(2R) below the plane (R = 6,371 km): z = 20 − 96 m at 35 km, 20 − 62 m at 28 km; flying
    # level over the curved ground toward the launcher it climbs in that frame at v·d/R
    R = 6_371_000.0
    low = np.array([[35e3, 0.0, 20.0 - 35e3**2 / (2 * R), -250.0, 0.0, 250.0 * 35e3 / R]])
    assert _plan(_units(), low, [threat.HOSTILE], agl=20.0) == []
    low_near = np.array([[28e3, 0.0, 20.0 - 28e3**2 / (2 * R), -250.0, 0.0, 250.0 * 28e3 / R]])
    assert len(_plan(_units(), low_near, [threat.HOSTILE], agl=20.0)) == 1


def test_reserve_is_kept_unless_the_threat_is_imminent():
    fu = _units(inventory=((3, 0),))
    fu.reserve[:] = 2  # 3 in stock, salvo 2: firing would eat into the reserve
    assert _plan(fu, INBOUND, [threat.HOSTILE], ttg=300.0) == []
    orders = _plan(fu, INBOUND, [threat.HOSTILE], ttg=60.0)  # under 120 s: the reserve is used
    assert len(orders) == 1 and orders[0].rounds == 2


def test_the_reserve_is_the_units_rounds_in_all_not_per_type():
    """Issue 21: ``reserve: 4`` applied per missile type locked 12 of the S-400's 32 rounds
    (the whole 40N6E magazine). The reserve is what the unit keeps in all: with 2 + 2 rounds
    of two types and a reserve of 2, one salvo of 2 may go (4 − 2 = 2 above the reserve), and
    no second one in the same cycle, for either planner."""
    two = np.vstack([INBOUND, INBOUND + [0, 5e3, 0, 0, 0, 0]])
    for planner in (_plan, _plan_wta):
        fu = _units(inventory=((2, 2),))
        fu.reserve[:] = 2
        orders = planner(fu, two, [threat.HOSTILE] * 2, ttg=300.0)
        orders = orders if isinstance(orders, list) else orders.orders
        assert len(orders) == 1 and orders[0].rounds == 2, (planner, orders)
        assert fu.inventory.sum() == 2  # the reserve is kept
        fu = _units(inventory=((2, 1),))
        fu.reserve[:] = 2  # 3 in all: a salvo of 2 would leave 1, under the reserve
        orders = planner(fu, INBOUND, [threat.HOSTILE], ttg=300.0)
        assert (orders if isinstance(orders, list) else orders.orders) == []


def test_a_booked_unit_launches_its_next_engagement_later():
    fu = _units(channels=2)
    two = np.vstack([INBOUND, INBOUND + [0, 5e3, 0, 0, 0, 0]])
    o1, o2 = _plan(fu, two, [threat.HOSTILE, threat.HOSTILE])
    # the second salvo waits for the first: two rounds 2 s apart after the 5 s reaction
    assert o1.t_launch_s == 5.0 and o2.t_launch_s == pytest.approx(9.0)
    assert o2.t_intercept_s > o1.t_intercept_s


def _plan_wta(fu, state, ident, agl=1000.0, ttg=100.0, priority=None):
    from skyshield.c2.fire_control import plan_wta

    k = state.shape[0]
    return plan_wta(0.0, np.arange(1, k + 1), state, np.full(k, agl), np.asarray(ident),
                    np.linspace(1.0, 0.5, k) if priority is None else np.asarray(priority),
                    np.full(k, ttg), fu, _missiles(), np.zeros(len(fu.name)),
                    np.zeros(len(fu.name)), np.zeros(k, bool), 900.0)


def test_self_defence_range_releases_the_reserve():
    fu = _units(inventory=((3, 0),))
    fu.reserve[:] = 2
    fu.self_defence_m = np.array([30e3])  # INBOUND is 40 km out
    assert _plan(fu, INBOUND, [threat.HOSTILE], ttg=300.0) == []
    fu.self_defence_m = np.array([50e3])
    assert len(_plan(fu, INBOUND, [threat.HOSTILE], ttg=300.0)) == 1


def test_firing_range_fraction_shortens_the_envelope():
    fu = _units()
    assert len(_plan(fu, INBOUND, [threat.HOSTILE])) == 1
    fu.firing_range = np.array([0.2])  # PIP about 30 km out: beyond 20 % of the long missile
    assert _plan(fu, INBOUND, [threat.HOSTILE]) == []


def test_wta_planner_gives_the_only_channel_to_the_more_valuable_threat():
    fu = _units(channels=1)
    two = np.vstack([INBOUND, INBOUND + [0, 5e3, 0, 0, 0, 0]])
    pl = _plan_wta(fu, two, [threat.HOSTILE, threat.HOSTILE], priority=[0.2, 0.9])
    assert [o.track_id for o in pl.orders] == [2]
    assert pl.no_fire == {1: "fire channels busy"}
    assert pl.solver is not None and pl.solver.optimal and pl.solver.gap == 0.0


def test_wta_planner_says_why_it_holds_fire():
    fu = _units(roe=HOLD)
    pl = _plan_wta(fu, INBOUND, [threat.HOSTILE])
    assert pl.orders == [] and pl.no_fire == {1: "rules of engagement"}
    fu = _units(inventory=((0, 0),))
    assert _plan_wta(fu, INBOUND, [threat.HOSTILE]).no_fire == {1: "out of missiles"}
    far = INBOUND.copy()
    far[0, 0] = 900e3
    assert _plan_wta(_units(), far, [threat.HOSTILE]).no_fire == {1: "no fire unit in range"}


def test_jamming_cue_and_strobe_bearings():
    # a low, fast jammer is an aircraft, not a cruise missile; a slow one a UAV; an ARM stays
    cls, conf = threat.classify(np.array([250.0, 50.0, 600.0, 250.0]),
                                np.array([100.0, 300.0, 3000.0, 100.0]),
                                np.array([0.0, 0.0, -50.0, 0.0]),
                                np.array([True, True, True, False]))
    assert [threat.CLASSES[c] for c in cls] == ["aircraft", "uav", "anti_radiation_missile",
                                                "cruise_missile"]
    assert conf[0] == conf[1] == 0.9
    # bearings wrap at 2π; tolerance is 3σ or half a beamwidth, whichever is wider
    bw = np.radians(2.0)
    az = np.radians(np.array([359.5, 0.9, 2.5, 180.0]))
    on = threat.on_strobe(az, np.radians(np.array([0.2])), np.radians(np.array([0.1])), bw)
    assert list(on) == [True, True, False, False]
    wide = threat.on_strobe(az, np.radians(np.array([0.2])), np.radians(np.array([0.8])), bw)
    assert list(wide) == [True, True, True, False]
    assert not threat.on_strobe(az, np.zeros(0), np.zeros(0), bw).any()
