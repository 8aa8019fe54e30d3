"""Fighter control under command chains (``command.posts.P.controls``), in whole engagements:
a Serbian MiG-29 whose transponder failed crosses the zone of a weapons-free Russian Pantsir-S1.

The scenario: the MiG-29 flies east at 1500 m and 800 km/h from 43 km west of Batajnica,
over the Pantsir (Russian post ``ru``, the joint post sits with it) and past a weapons-free
Serbian S-125 (post ``rs``, which controls the MiG). Its transponder fails at 0 s: no secure
IFF reply, no Mode 3/A or C; there is no briefed corridor.

Prediction, from the rules (``c2.threat.identify``, ``sim.chains``), before the runs:

* a post that knows the MiG only by its own interrogations finds a track silent to every mode
  outside every corridor (a hostile criterion): *suspect* at its first cycle, *hostile* after
  three silent interrogations (4 s at a 2 s cycle), both engaged by weapons free;
* the Serbian post correlates its fighter's position reports with its own track (the P-18 and
  the SNR-125 hold the MiG from the start): *friend* by control. Link up: the joint post gets
  the flag with the Serbian track reports (4 s latency), so the joint picture knows the MiG
  friend at least 4 s after the Serbian post does; when the Pantsir's search radar (40 km)
  starts its own track, the next Serbian report correlates with it (one report interval,
  2 s) — 20 km before the 57E6's range — and the new track is friend before any order: the
  MiG is never engaged, no missile is fired;
* link cut from the start: the Russian post alone has only its own IFF, declares the MiG
  hostile and its Pantsir engages it when it comes in range (fratricide), while the Serbian
  post, alone too, knows its fighter and its weapons-free S-125 holds;
* link up but the Serbian post does not control the MiG (no ``controls``), or the Serbian post
  lost (a lost post controls nothing): the joint post has only IFF and engages it.
"""

from __future__ import annotations

import pytest

import skyshield
from skyshield.scenario.loader import parse_scenario
from skyshield.tracking.joint import ID_BLOCK

SCENARIO = """
name: mig-under-serbian-control
origin: {lat: 44.93528, lon: 20.25750}
seed: 29
duration: 280 s
truth_interval: 5 s
assets:
  batajnica: {lat: 44.93528, lon: 20.25750, value: 100}
units:
  pantsir: {type: pantsir_s1, lat: 44.9300, lon: 20.2750, roe: weapons_free}
  neva: {type: s125_neva_m1t, lat: 44.8700, lon: 20.3300, roe: weapons_free}
friendlies:
  mig29:
    type: mig29
    transponder_fails_at: 0 s
    waypoints:
      - {lat: 44.9400, lon: 19.7000, alt: 1500 m, speed: 800 km/h}
      - {lat: 44.9400, lon: 20.4500, alt: 1500 m}
command:
  posts:
    ru: {units: [pantsir]}
    rs: {units: [neva], controls: [mig29]}
  joint: {at: ru}
  link: {latency: 4 s}
"""
CONTROL = "under own fighter control (the controller's position reports)"
RU, RS = 0, 1  # post index: the block of its track numbers


def _run(seed: int, replace: tuple[str, str] | None = None) -> skyshield.RunResult:
    text = SCENARIO if replace is None else SCENARIO.replace(*replace)
    assert replace is None or text != SCENARIO
    return skyshield.run(parse_scenario(text, "mig-under-serbian-control.yaml"), seed=seed)


def _ident(r: skyshield.RunResult):
    ev = r.events
    return ev[(ev["kind"] == "identified") & (ev["truth_id"] == 0)]


CUT = ("latency: 4 s}", "latency: 4 s, lost_at: 0 s}")


@pytest.mark.parametrize("seed", [0, 1])
def test_link_up_the_joint_post_knows_the_mig_by_serbian_control_and_never_engages_it(seed):
    up, cut = _run(seed), _run(seed, CUT)
    s = up.summary
    assert s["friendly_engaged"] == 0 and s["missiles_fired"] == 0
    assert s["command"]["friends_by_fighter_control"] == [0]
    ev = up.events
    assert not (ev["kind"] == "engage").any()
    idu = _ident(up)
    # every track of the MiG in the joint picture, the Serbian one and the Russian one, ends
    # friend by control; the Russian track is friend one report after it is born
    last = idu.groupby("track_id").last()
    assert set(last["target"]) == {"friend"} and set(last["info"]) == {CONTROL}
    assert {int(t) // ID_BLOCK for t in last.index} == {RU, RS}
    ru = idu[idu["track_id"] < ID_BLOCK]
    assert ru["t_s"].iloc[-1] - ru["t_s"].iloc[0] <= 2.0 + 1e-9
    # the flag crossed the link: the joint post knows the MiG friend at least the link's
    # latency after the Serbian post itself does (its own identification with the link cut:
    # same tracker, same reports)
    t_rs = _ident(cut)
    t_rs = t_rs[(t_rs["track_id"] >= ID_BLOCK) & (t_rs["info"] == CONTROL)]["t_s"].min()
    t_joint = idu[idu["info"] == CONTROL]["t_s"].min()
    assert t_joint >= t_rs + 4.0


@pytest.mark.parametrize("seed", [0, 1])
def test_link_cut_the_russian_post_alone_cannot_tell_and_its_pantsir_engages_the_mig(seed):
    r = _run(seed, CUT)
    s = r.summary
    assert s["friendly_engaged"] == 1
    ev = r.events
    launches = ev[ev["kind"] == "launch"]
    assert set(launches["source"]) == {"pantsir"} and set(launches["truth_id"]) == {0}
    idn = _ident(r)
    ru = idn[idn["track_id"] < ID_BLOCK]
    assert ru["target"].tolist() == ["suspect", "hostile"]
    rs = idn[idn["track_id"] >= ID_BLOCK]  # the Serbian post, alone, knows its fighter
    assert rs["target"].tolist() == ["friend"] and rs["info"].tolist() == [CONTROL]
    assert s["command"]["posts"]["rs"]["missiles_fired"] == 0


@pytest.mark.parametrize("replace", [
    (", controls: [mig29]", ""),
    ("rs: {units: [neva], controls: [mig29]}",
     "rs: {units: [neva], controls: [mig29], lost_at: 0 s}"),
], ids=["not-controlled", "serbian-post-lost"])
def test_without_serbian_control_the_joint_post_engages_the_mig(replace):
    r = _run(0, replace)
    assert r.summary["friendly_engaged"] == 1
    assert r.summary["command"]["friends_by_fighter_control"] == []
    idn = _ident(r)
    assert CONTROL not in set(idn["info"])
    assert "hostile" in set(idn["target"])
