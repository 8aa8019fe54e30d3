"""What the command chains did, from the event log: engagements and missiles per national post,
duplicate engagements across posts, the links and posts lost, the aircraft identified friend by
a post's fighter control (``scenario.command``).

A *duplicate engagement across chains* is an engagement (``engage`` event) of an aircraft by a
unit of one post while a unit of another post has an engagement of the same aircraft open: ordered
at or before that instant and with a missile launched for it (by that unit, at that aircraft,
within ``OPEN_AFTER_ORDER_S`` of the order) still flying or not yet assessed — the rounds a
joint picture with one track per aircraft would not have spent.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from skyshield.c2.threat import ID_REASONS

__all__ = ["chain_summary", "cross_chain_duplicates", "OPEN_AFTER_ORDER_S"]

_BY_CONTROL_RULE = 13  # the rule of an identification by own fighter control
assert ID_REASONS[_BY_CONTROL_RULE].startswith("under own fighter control")

OPEN_AFTER_ORDER_S = 60.0  # assumed: a launch this long after an order belongs to a later one


def _open_intervals(ev: pd.DataFrame) -> pd.DataFrame:
    """Per engagement: unit, vehicle, from (the order) and until (its weapons' last end)."""
    kind = ev["kind"]
    eng = ev[kind == "engage"][["t_s", "source", "truth_id"]]
    lau = ev[kind == "launch"][["t_s", "source", "truth_id", "weapon_id"]]
    ends = ev[kind.isin(["intercept", "interceptor_lost", "kill_assessed"])]
    end_of = ends.groupby("weapon_id")["t_s"].max()
    lau = lau.assign(end=lau["weapon_id"].map(end_of).fillna(np.inf))
    until = []
    for t0, unit, tid in eng.itertuples(index=False):
        w = lau[(lau["source"] == unit) & (lau["truth_id"] == tid) & (lau["t_s"] >= t0)
                & (lau["t_s"] <= t0 + OPEN_AFTER_ORDER_S)]
        until.append(float(w["end"].max()) if len(w) else float(t0))
    return eng.assign(until=until)


def cross_chain_duplicates(ev: pd.DataFrame, unit_post: dict[str, str]) -> int:
    """Engagements ordered while another post's unit had one of the same aircraft open."""
    iv = _open_intervals(ev)
    iv = iv[iv["truth_id"] >= 0]
    post = iv["source"].map(unit_post)
    n = 0
    for (t0, _unit, tid), p in zip(iv[["t_s", "source", "truth_id"]].itertuples(index=False),
                                   post, strict=True):
        other = iv[(iv["truth_id"] == tid) & (post != p) & (iv["t_s"] <= t0)
                   & (iv["until"] >= t0)]
        n += int(len(other) > 0)
    return n


def chain_summary(events: pd.DataFrame, posts: dict[str, list[str]], host: str
                  ) -> dict[str, Any]:
    """Per post: its units, engagements ordered and missiles fired; the duplicates across
    posts; the link and post losses (instants); the aircraft (truth ids) some picture
    identified friend by fighter control."""
    ev = events
    kind = ev["kind"]
    unit_post = {u: p for p, units in posts.items() for u in units}
    eng = ev[kind == "engage"]
    lau = ev[kind == "launch"]
    link = ev[kind == "chain_link"]
    tag = link["tag"].astype(str)
    posts_lost = ev[kind == "post_lost"]
    ident = ev[kind == "identified"]
    # the identified event's value is the rule's index in ID_REASONS
    by_control = (ident[(ident["value"] == _BY_CONTROL_RULE) & (ident["truth_id"] >= 0)]
                  if "value" in ev.columns else ident.iloc[0:0])
    return {
        "joint_post_with": host,
        "posts": {p: {"units": list(units),
                      "engagements": int(eng["source"].isin(units).sum()),
                      "missiles_fired": int(lau["source"].isin(units).sum())}
                  for p, units in posts.items()},
        "duplicate_engagements_across_chains": cross_chain_duplicates(ev, unit_post),
        "link_lost_s": [float(x) for x in link[tag == "lost"]["t_s"]],
        "link_restored_s": [float(x) for x in link[tag == "restored"]["t_s"]],
        "posts_lost": {str(s): float(t) for s, t in
                       zip(posts_lost["source"], posts_lost["t_s"], strict=True)},
        "friends_by_fighter_control": sorted({int(x) for x in by_control["truth_id"]}),
    }
