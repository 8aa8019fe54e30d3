"""Command chains in a run (``scenario.command``): who commands whom, over which picture, and
what the degraded modes change — on the small after-action scenario (a Pantsir-S1 and a Kub-M
against two low cruise missiles, a friendly MiG-29 in the air), the Pantsir under a Russian
post, the Kub under a Serbian one with the joint post."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import skyshield
from skyshield.api import resolved_yaml
from skyshield.tracking.joint import ID_BLOCK

DATA = Path(__file__).resolve().parents[1] / "data"
POSTS = {"ru": 0, "rs": 1}  # post index = order in the file: its track numbers' block
UNIT_POST = {"pantsir": 0, "kub": 1}


def _command(ru: str = "", link: str = "", joint: str = "at: rs") -> str:
    return f"""
command:
  posts:
    ru: {{units: [pantsir]{', ' + ru if ru else ''}}}
    rs: {{units: [kub]}}
  joint: {{{joint}}}
  link: {{latency: 4 s{', ' + link if link else ''}}}
"""


def _run(tmp: Path, name: str, block: str, cued: bool = False) -> skyshield.RunResult:
    text = (DATA / "aar_small.yaml").read_text()
    if cued:  # the Pantsir holds fire (its radars still see); the Kub radiates only when cued
        text = text.replace("type: pantsir_s1\n", "type: pantsir_s1\n    roe: weapons_hold\n")
        text = text.replace("type: kub_m\n", "type: kub_m\n    emcon: {mode: cued}\n")
        assert text.count("weapons_hold") == text.count("mode: cued") == 1
    f = tmp / f"{name}.yaml"
    f.write_text(text + block)
    return skyshield.run(str(f))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chains")
    return {"joint": _run(tmp, "joint", _command()),
            "cut": _run(tmp, "cut", _command(link="lost_at: 0 s")),
            "bias": _run(tmp, "bias", _command(ru="bias: {range: 1500 m}")),
            "radar_bias": _run(tmp, "radar_bias", _command(
                ru="radar_bias: {pantsir: {pantsir_search: {range: 1500 m}}}")),
            "post_lost": _run(tmp, "post_lost", _command(ru="lost_at: 0 s")),
            "cued_joint": _run(tmp, "cued_joint", _command(), cued=True),
            "cued_cut": _run(tmp, "cued_cut", _command(link="lost_at: 0 s"), cued=True)}


def _engages(r):
    ev = r.events
    return ev[ev["kind"] == "engage"]


def test_the_joint_post_fights_the_serbian_kub_on_the_russian_picture_until_the_link_is_cut(
        runs):
    # the Kub has no search radar of its own: its fire-control radar waits for a cue. Under the
    # joint post the Russian Pantsir's search radar cues it (its tracks come over the link);
    # with the link cut the Serbian post's own picture is empty and the Kub never radiates
    for name, fights in (("cued_joint", True), ("cued_cut", False)):
        ev = runs[name].events
        on = ev[(ev["kind"] == "emission") & (ev["source"] == "kub_1s91@kub")]
        kub = _engages(runs[name])
        kub = kub[kub["source"] == "kub"]
        assert (len(on) > 0) == fights and (len(kub) > 0) == fights, name
        assert runs[name].summary["command"]["posts"]["rs"]["engagements"] == len(kub)
    ev = runs["cued_joint"].events
    first_on = ev[(ev["kind"] == "emission") & (ev["tag"] == "on")]["t_s"].min()
    kub_plots = ev[(ev["kind"] == "scan") & (ev["source"] == "kub_1s91@kub")]
    assert kub_plots["t_s"].min() >= first_on  # cued: silent before the Russian tracks came
    assert set(_engages(runs["cued_joint"])["tag"]) == {"joint"}


def test_the_joint_post_assigns_every_unit_and_the_summary_counts_them_per_post(runs):
    e = _engages(runs["joint"])
    assert len(e) > 0 and set(e["tag"]) == {"joint"}
    s = runs["joint"].summary["command"]
    assert s["joint_post_with"] == "rs"
    assert sum(p["engagements"] for p in s["posts"].values()) == len(e)
    assert s["link_lost_s"] == [] and s["posts_lost"] == {}


def test_with_the_link_cut_each_chain_engages_only_with_its_own_units_on_its_own_tracks(runs):
    r = runs["cut"]
    ev = r.events
    lost = ev[(ev["kind"] == "chain_link") & (ev["tag"] == "lost")]
    assert lost["source"].tolist() == ["ru-rs"]
    e = _engages(r)
    assert len(e) > 0
    assert set(e["tag"]) == {"national"}  # ordered by the unit's own post, fighting alone
    # no correlation ever: every engagement is on a track of the unit's own post
    assert all(UNIT_POST[u] == t // ID_BLOCK for u, t in zip(e["source"], e["track_id"],
                                                             strict=True))
    s = r.summary["command"]
    assert s["link_lost_s"] == [pytest.approx(lost["t_s"].iloc[0])]
    assert s["posts"]["ru"]["engagements"] == int((e["source"] == "pantsir").sum())
    assert s["duplicate_engagements_across_chains"] >= 0


def test_a_large_bias_makes_dual_tracks_and_worsens_the_joint_picture(runs):
    a, b = runs["joint"].summary, runs["bias"].summary
    pa, pb = a["air_picture"], b["air_picture"]
    # 1.5 km between the posts' grids is far outside the correlation gate: the aircraft both
    # posts hold appear twice (SIAP ambiguity, GOSPA false tracks) ...
    assert pb["siap"]["ambiguity"] > pa["siap"]["ambiguity"]
    assert pb["gospa_false_mean"] > pa["gospa_false_mean"]
    assert pb["gospa_mean_m"] > pa["gospa_mean_m"]
    # ... while the Russian post's own picture is 1.5 km off wherever it alone holds a track
    ru_a = a["command"]["post_pictures"]["ru"]
    ru_b = b["command"]["post_pictures"]["ru"]
    assert ru_b["gospa_localisation_mean_m"] > ru_a["gospa_localisation_mean_m"] + 500.0
    # the Pantsir's own engagements close on its own radar: the bias does not spoil its shots
    assert b["threats_destroyed"] == a["threats_destroyed"]
    # the same bias on the Pantsir's search radar alone: its tracks are off until its
    # fire-control radar (unbiased) updates them
    ru_r = runs["radar_bias"].summary["command"]["post_pictures"]["ru"]
    assert ru_r["gospa_localisation_mean_m"] > ru_a["gospa_localisation_mean_m"] + 200.0


def test_a_lost_post_leaves_its_units_autonomous(runs):
    r = runs["post_lost"]
    ev = r.events
    lost = ev[ev["kind"] == "post_lost"]
    assert list(zip(lost["source"], lost["tag"], strict=True)) == [("ru", "national")]
    unit = ev[ev["kind"] == "link_lost"]
    assert unit["source"].tolist() == ["pantsir"]  # its unit's own link, as before
    e = _engages(r)
    pan = e[e["source"] == "pantsir"]
    assert len(pan) > 0 and set(pan["tag"]) <= {"autonomous", "duplicate"}
    assert r.summary["command"]["posts_lost"] == {"ru": pytest.approx(lost["t_s"].min())}


def test_without_a_command_block_the_resolved_scenario_is_as_before():
    sc = skyshield.load_scenario(str(DATA / "aar_small.yaml"))
    assert sc.command is None
    assert "command" not in yaml.safe_load(resolved_yaml(sc, 1))


@pytest.mark.parametrize(("block", "path", "words"), [
    (_command(ru="lost_at: 1 s").replace("[kub]", "[kub, pantsir]"), "command.posts",
     "already commanded by post 'ru'"),
    (_command().replace("[kub]", "[kub, nowhere]"), "command.posts.rs.units.1", "nowhere"),
    (_command(joint="").replace("    rs: {units: [kub]}\n", ""), "command.posts",
     "not commanded: kub"),
    (_command(joint="at: hq"), "command.joint.at", "hq"),
    (_command(link="lost_at: 60 s, restored_at: 30 s"), "command.link.restored_at",
     "after link.lost_at"),
    (_command(ru="bias: {azimuth: 45}"), "command.posts.ru.bias.azimuth", "10"),
    (_command(ru="radar_bias: {kub: {kub_1s91: {range: 10 m}}}"),
     "command.posts.ru.radar_bias.kub", "not a unit of this post"),
    (_command(ru="radar_bias: {pantsir: {kub_1s91: {range: 10 m}}}"),
     "command.posts.ru.radar_bias.pantsir.kub_1s91", "pantsir has no such radar"),
])
def test_command_block_errors_are_located(tmp_path, block, path, words):
    f = tmp_path / "s.yaml"
    f.write_text((DATA / "aar_small.yaml").read_text() + block)
    with pytest.raises(skyshield.ScenarioError) as exc:
        skyshield.load_scenario(str(f))
    (p,) = exc.value.problems
    assert p.path.startswith(path) and words in p.message, (p.path, p.message)
    assert p.line is not None


def test_a_live_exercise_with_command_chains_replays_from_its_journal(tmp_path):
    import pandas as pd

    from skyshield.sim.live import LiveExercise, replay_journal

    f = tmp_path / "s.yaml"
    f.write_text((DATA / "aar_small.yaml").read_text()
                 + _command(link="lost_at: 40 s, restored_at: 80 s"))
    sc = skyshield.load_scenario(str(f))
    ex = LiveExercise(sc, tmp_path / "j")
    plan = {10.0: {"cmd": "inject", "type": "cruise_missile_subsonic",
                   "from": {"lat": 44.92, "lon": 19.95, "alt": 120}, "to": "base"},
            30.0: {"cmd": "cut_link", "unit": "pantsir"}}
    for t in [x * 0.5 for x in range(1, 301)]:
        ex.advance(t)
        if t in plan:
            ex.command("controller", plan[t])
    live = pd.DataFrame(ex.sim.log.columns())
    links = live[live["kind"] == "chain_link"]
    assert links["tag"].tolist() == ["lost", "restored"]
    assert live[live["kind"] == "link_lost"]["source"].tolist() == ["pantsir"]
    again = pd.DataFrame(replay_journal(sc, tmp_path / "j"))
    floats = ["value", "x_m", "y_m", "z_m", "pk", "t_pred_s"]
    for df in (live, again):  # the solver's wall time aside (its only clock figure)
        df[floats] = df[floats].astype(float)
        df.loc[df["kind"] == "assignment", "value"] = 0.0
    pd.testing.assert_frame_equal(again, live)
