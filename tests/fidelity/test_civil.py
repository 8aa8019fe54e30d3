"""Civil traffic and identification in whole runs: an airliner crossing the engagement zone during
a raid is never engaged, the raid still is; a MiG-29 whose transponder failed is identified by
the rules of ``c2.threat.identify`` (docs/design.md, "Identification").

Scenarios: ``tests/data/civil_crossing.yaml`` and ``tests/data/mig_transponder_failed.yaml``.
"""

from pathlib import Path

import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
CROSSING = DATA / "civil_crossing.yaml"
MIG = DATA / "mig_transponder_failed.yaml"


def _variant(path: Path, *, roe: str | None = None, corridors: bool = True,
             replace: tuple[str, str] | None = None):
    text = path.read_text(encoding="utf-8")
    if not corridors:
        text = text.split("\ncorridors:")[0] + "\n"
    if roe is not None:
        text = text.replace("roe: weapons_tight", f"roe: {roe}").replace(
            "roe: weapons_free", f"roe: {roe}")
    if replace is not None:
        text = text.replace(*replace)
    return parse_scenario(text, str(path), path.parent)


def _crossing_study(n: int):
    df = skyshield.montecarlo(skyshield.load_scenario(CROSSING), n=n, root_seed=2121)
    assert len(df) == n
    return df


def _check_crossing(df) -> None:
    n = len(df)
    assert (df["civil_total"] == 1).all()
    # never engaged, in any replication, by the weapons-free Pantsir or the weapons-tight Kub
    assert df["civil_engaged"].sum() == 0
    assert df["civil_shot_down"].sum() == 0
    # ... while the raid on the same axis is still fought: both cruise missiles engaged in
    # every replication, and most destroyed (1.53 of 2 on average over the 100 replications)
    assert (df["threats_engaged"] == 2).all(), df["threats_engaged"].tolist()
    assert df["threats_destroyed"].sum() >= n


def test_airliner_crossing_during_a_raid_is_never_engaged_10_replications():
    _check_crossing(_crossing_study(10))


@pytest.mark.slow
def test_airliner_crossing_during_a_raid_is_never_engaged_100_replications():
    """The issue's figure: 0 engagements of civil traffic over 100 replications."""
    _check_crossing(_crossing_study(100))


def test_the_published_route_is_what_protects_the_airliner():
    """The same airliner without the corridor: squawking Mode 3/A and C but on no published
    route, its straight line through the defended base is a hostile criterion, so it is suspect,
    then hostile after three interrogations without a secure reply — and engaged. The crossing
    test above can therefore fail: the neutral identity is what keeps it safe."""
    sc = _variant(CROSSING, corridors=False)
    engaged = [skyshield.run(sc, seed=s).summary["civil_engaged"] for s in range(3)]
    assert all(e == 1 for e in engaged)


def _mig(seed: int, **kw):
    r = skyshield.run(_variant(MIG, **kw), seed=seed)
    ev = r.events
    idents = ev[(ev["kind"] == "identified") & (ev["truth_id"] == 0)]["target"].tolist()
    return r.summary, idents


@pytest.mark.parametrize("roe", ["weapons_tight", "weapons_free"])
def test_mig29_with_failed_transponder_on_the_return_corridor_is_assumed_friend(roe):
    """A MiG-29 returning to Batajnica with its transponder failed from the start: no secure
    IFF reply (Mode 4/5), no Mode 3/A, no Mode C. Its track is silent and its straight line ends
    on the defended base — a hostile criterion. But it flies the briefed return corridor
    (``use: friendly``) inside its lateral limit, altitude band and speed band, as an aircraft
    (neither missile kinematics nor jamming). Rule 8 of ``identify`` (procedural
    identification) is checked before the hostile criteria (rules 10-11), so the track is an
    *assumed friend* from the first cycle and stays one while it conforms. Fire control never
    engages an assumed friend (``ENGAGEMENT_CODE`` 1), under weapons tight *or* weapons free:
    no missile is fired."""
    for seed in range(2):
        summary, idents = _mig(seed, roe=roe)
        assert idents == ["assumed_friend"]
        assert summary["friendly_engaged"] == 0 and summary["missiles_fired"] == 0


@pytest.mark.parametrize("roe", ["weapons_tight", "weapons_free"])
def test_mig29_with_failed_transponder_off_any_corridor_is_engaged(roe):
    """The same flight with no briefed corridor: silent to every mode outside every corridor
    (against the airspace control order) and heading at the base — hostile criteria — so the
    track is *suspect* at the first cycle and *hostile* after the third silent interrogation
    (4 s later at a 2 s cycle); weapons tight fires at hostiles, weapons free at suspects too:
    the MiG is engaged (fratricide). This is what the corridor prevents."""
    summary, idents = _mig(0, roe=roe, corridors=False)
    assert idents == ["suspect", "hostile"]
    assert summary["friendly_engaged"] == 1


def test_mig29_whose_transponder_fails_after_identification_stays_friend():
    """Failing at 60 s, after its secure replies identified it friend: a friend stays a friend
    while its track lives (rule 1: a secure reply, ever), even off any corridor."""
    summary, idents = _mig(0, corridors=False,
                           replace=("transponder_fails_at: 0 s", "transponder_fails_at: 60 s"))
    assert idents == ["friend"]
    assert summary["friendly_engaged"] == 0


def test_builtin_exercise_flies_lybe_traffic_through_the_drill_unengaged(exercise_2019):
    """The built-in exercise's Belgrade traffic (three arrivals down the runway 12 approach past
    Batajnica, a departure, an FL350 overflight) is identified neutral on its published routes
    and never engaged, while the exercise is fought (the jam strobes of the stand-off jammer to
    the west lie along the arrivals' bearing: they do not count against a track reporting Mode
    C)."""
    s = exercise_2019.summary
    assert (s["civil_total"], s["civil_engaged"], s["civil_shot_down"]) == (5, 0, 0)
    assert s["missiles_fired"] > 0 and s["threats_destroyed"] > 0
    ev = exercise_2019.events
    civil = {t["id"] for t in s["threats"] if t["side"] == "civil"}
    ident = ev[(ev["kind"] == "identified") & ev["truth_id"].isin(list(civil))]
    assert set(ident["target"]) == {"neutral"}
    assert set(ident["truth_id"]) == civil  # every airliner was tracked and identified
