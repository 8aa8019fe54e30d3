"""Fire-control constraints asserted on the event logs of randomised runs: inventory, missile and
target channels, rules of engagement and missile envelopes are never exceeded, whichever planner
(weapon-target assignment or greedy) decides. The unmodified built-in is the session's golden
run (tests/conftest.py); each variant runs once, on one worker."""

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.sim.world import compile_world

pytestmark = pytest.mark.slow  # the built-in exercise, four variants of it


def _variant(seed: int, assignment: str, roe: str | None, raid_scale: int):
    sc = skyshield.load_scenario("slavic-shield-2019")
    raids = {k: r.model_copy(update={"count": r.count * raid_scale})
             for k, r in sc.raids.items()}
    units = sc.units
    if roe is not None:
        units = {k: u.model_copy(update={"roe": roe}) for k, u in units.items()}
    return sc.model_copy(update={
        "raids": raids, "units": units, "duration": 2700.0,
        "c2": sc.c2.model_copy(update={"assignment": assignment})}), seed


VARIANTS = [("wta", "weapons_tight", 3, 12), ("greedy", None, 3, 13),
            ("wta", "weapons_free", 2, 14)]


def _case(c):
    """A variant as a test parameter, in an xdist group of its own (run once, on one worker);
    ``None``: the unmodified built-in (WTA, its own ROE, one raid of each), the golden run."""
    name = "wta-None-x1-s2019" if c is None else f"{c[0]}-{c[1]}-x{c[2]}-s{c[3]}"
    group = "exercise_2019" if c is None else f"fire-control-{name}"
    return pytest.param(c, id=name, marks=pytest.mark.xdist_group(group))


CASES = [_case(c) for c in [None, *VARIANTS]]


@pytest.fixture(scope="module", params=CASES)
def run(request):
    if request.param is None:
        res = request.getfixturevalue("exercise_2019")
        return res.scenario, compile_world(res.scenario), res
    assignment, roe, scale, seed = request.param
    sc, seed = _variant(seed, assignment, roe, scale)
    return sc, compile_world(sc), skyshield.run(sc, seed=seed)


def _flights(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per interceptor: unit, missile, track, launch time, end time."""
    launch = ev[ev["kind"] == "launch"].set_index("weapon_id")
    end = ev[ev["kind"].isin(["intercept", "interceptor_lost"])].drop_duplicates(
        "weapon_id").set_index("weapon_id")
    f = pd.DataFrame({"unit": launch["source"], "missile": launch["target"],
                      "track": launch["track_id"], "t0": launch["t_s"]})
    f["t1"] = end["t_s"].reindex(f.index).fillna(np.inf)
    return f


def test_inventory_is_never_exceeded(run):
    """No unit fires more of a type than it held on its launchers plus what its crews had
    reloaded by then (issue 21: reloads), nor more than its loadout and reloads in all."""
    sc, world, res = run
    ev = res.events
    f = _flights(ev)
    u, mt = world.units, world.missiles
    loaded = ev[(ev["kind"] == "reload") & (ev["tag"] == "loaded")]
    for (unit, missile), g in f.groupby(["unit", "missile"]):
        i, m = u.name.index(unit), mt.name.index(missile)
        held, stock = u.initial_inventory[i, m], u.initial_stock[i, m]
        assert len(g) <= held + stock, (unit, missile, len(g), held, stock)
        mine = loaded[(loaded["source"] == unit) & (loaded["target"] == missile)]
        for k, t in enumerate(np.sort(g["t0"].to_numpy()), start=1):
            by_then = int(mine.loc[mine["t_s"] <= t, "count"].sum())
            assert k <= held + by_then, (unit, missile, t, k, held, by_then)


def test_missile_and_target_channels_are_never_exceeded(run):
    sc, world, res = run
    f = _flights(res.events)
    u = world.units
    for unit, g in f.groupby("unit"):
        i = u.name.index(unit)
        for t in g["t0"]:  # the count can only rise at a launch
            live = g[(g["t0"] <= t) & (g["t1"] > t)]
            assert len(live) <= u.missile_channels[i], (unit, t, len(live))
            assert live["track"].nunique() <= u.target_channels[i], (unit, t)


def test_rules_of_engagement_hold(run):
    sc, world, res = run
    ev = res.events
    ident = ev[ev["kind"] == "identified"][["t_s", "track_id", "target"]]
    for r in ev[ev["kind"] == "engage"].itertuples():
        seen = ident[(ident["track_id"] == r.track_id) & (ident["t_s"] <= r.t_s)]
        current = seen["target"].iloc[-1] if len(seen) else "unknown"
        assert current != "friend", r
        roe = sc.units[r.source].roe
        assert roe != "weapons_hold", r
        if roe == "weapons_tight":
            assert current == "hostile", r
    assert res.summary["friendly_engaged"] == 0 and res.summary["fratricide"] == 0


def test_intercepts_fall_inside_the_missile_envelope(run):
    sc, world, res = run
    ev = res.events
    f = _flights(ev)
    icp = ev[ev["kind"] == "intercept"].set_index("weapon_id")
    u, mt = world.units, world.missiles
    for wid, r in icp.iterrows():
        unit = f.loc[wid, "unit"]
        m = mt.name.index(r["target"])
        d = np.linalg.norm(np.array([r["x_m"], r["y_m"], r["z_m"]])
                           - u.pos_m[u.name.index(unit)])
        # the aim point follows the target in midcourse: a few per cent beyond the planned PIP
        assert d <= 1.1 * mt.max_range_m[m] + 500.0, (wid, unit, d)


def test_summary_accounts_for_every_leaker(run):
    s = run[2].summary
    assert sum(s["leakers_by_cause"].values()) == s["threats_leaked"]
    if s["threats_destroyed"]:
        assert s["missiles_per_kill"] == pytest.approx(s["missiles_fired"] /
                                                       s["threats_destroyed"], abs=1e-3)


def test_lost_links_make_units_fight_alone_and_the_summary_shows_it():
    from skyshield.scenario.schema import LinkLoss

    sc = skyshield.load_scenario("slavic-shield-2019")
    sc = sc.model_copy(update={"c2": sc.c2.model_copy(update={"links_lost": [
        LinkLoss(unit="neva", at=600.0), LinkLoss(unit="pantsir", at=600.0)]})})
    res = skyshield.run(sc, seed=21)
    ev, fc = res.events, res.summary["fire_control"]
    lost = ev[ev["kind"] == "link_lost"]
    assert sorted(lost["source"]) == ["neva", "pantsir"] and (lost["t_s"] >= 600.0).all()
    auto = ev[(ev["kind"] == "engage") & ev["info"].str.contains("autonomous")]
    assert set(auto["source"]) <= {"neva", "pantsir"} and len(auto) == \
        fc["autonomous_engagements"] > 0
    assert (auto["t_s"] >= 600.0).all()
    assert fc["autonomous_units"] == ["neva", "pantsir"]
    assert fc["duplicate_engagements"] == int(auto["info"].str.contains("duplicate").sum())


def test_a_link_loss_naming_no_unit_is_a_located_error(tmp_path):
    from skyshield.scenario.loader import builtin_scenario_text

    src = builtin_scenario_text("slavic-shield-2019").replace(
        "\nc2:", "\nc2:\n  links_lost: [{unit: nowhere, at: 10 min}]", 1)
    assert "links_lost" in src
    f = tmp_path / "s.yaml"
    f.write_text(src)
    with pytest.raises(skyshield.ScenarioError) as exc:
        skyshield.load_scenario(str(f))
    (p,) = exc.value.problems
    assert p.path == "c2.links_lost.0.unit" and "nowhere" in p.message
