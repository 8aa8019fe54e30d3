"""Duplicate engagements across command chains, counted from a hand-made event log."""

from __future__ import annotations

import pandas as pd

from skyshield.analysis.chains import chain_summary, cross_chain_duplicates

POSTS = {"ru": ["s400", "pantsir"], "rs": ["neva", "kub"]}
UNIT_POST = {u: p for p, us in POSTS.items() for u in us}


def _ev(rows: list[tuple[float, str, str, int, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["t_s", "kind", "source", "truth_id", "weapon_id", "tag"])


def test_an_engagement_while_another_posts_missile_flies_at_the_aircraft_is_a_duplicate():
    ev = _ev([
        (10.0, "engage", "s400", 7, -1, "national"),
        (11.0, "launch", "s400", 7, 1, "missile"),
        (20.0, "engage", "kub", 7, -1, "national"),  # s400's missile still flying: duplicate
        (25.0, "intercept", "s400", 7, 1, "missed"),
        (26.0, "engage", "pantsir", 7, -1, "national"),  # same post as s400; kub's has no
        # launch, so it was open only at its own instant: not a duplicate
        (40.0, "engage", "neva", 7, -1, "national"),  # nothing of ru open any more
        (41.0, "engage", "neva", 8, -1, "national"),  # another aircraft
    ])
    assert cross_chain_duplicates(ev, UNIT_POST) == 1
    s = chain_summary(ev.assign(count=0), POSTS, "rs")
    assert s["posts"]["ru"] == {"units": ["s400", "pantsir"], "engagements": 2,
                                "missiles_fired": 1}
    assert s["posts"]["rs"]["engagements"] == 3
    assert s["duplicate_engagements_across_chains"] == 1
    assert s["link_lost_s"] == [] and s["posts_lost"] == {}


def test_orders_of_two_posts_in_one_cycle_are_a_duplicate_and_the_links_are_listed():
    ev = _ev([
        (30.0, "chain_link", "ru-rs", -1, -1, "lost"),
        (32.0, "engage", "pantsir", 3, -1, "national"),
        (32.0, "engage", "kub", 3, -1, "national"),
        (50.0, "chain_link", "ru-rs", -1, -1, "restored"),
        (60.0, "post_lost", "ru", -1, -1, "national"),
    ])
    s = chain_summary(ev, POSTS, "rs")
    assert s["duplicate_engagements_across_chains"] == 2  # each sees the other's order open
    assert s["link_lost_s"] == [30.0] and s["link_restored_s"] == [50.0]
    assert s["posts_lost"] == {"ru": 60.0}
