"""Fighter control by a national command post (``command.posts.P.controls``): the scenario's
located errors, the identification rule, and the flag carried by the joint picture (whole
engagements: tests/fidelity/test_chains_fighters.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import skyshield
from skyshield.c2 import threat
from skyshield.engine.names import IDENTITIES

DATA = Path(__file__).resolve().parents[1] / "data"


def _command(rs: str = "", ru: str = "") -> str:
    return f"""
command:
  posts:
    ru: {{units: [pantsir]{ru}}}
    rs: {{units: [kub]{rs}}}
"""


@pytest.mark.parametrize(("block", "path", "words"), [
    (_command(rs=", controls: [mig, f16]"), "command.posts.rs.controls.1",
     "no friendly aircraft named 'f16' (friendlies: mig)"),
    (_command(rs=", controls: [mig]", ru=", controls: [mig]"), "command.posts.rs.controls.0",
     "already under the fighter control of post 'ru'"),
    (_command(rs=", controls: [salvo-01]"), "command.posts.rs.controls.0",
     "no friendly aircraft named 'salvo-01'"),
])
def test_controls_errors_are_located(tmp_path, block, path, words):
    f = tmp_path / "s.yaml"
    f.write_text((DATA / "aar_small.yaml").read_text() + block)
    with pytest.raises(skyshield.ScenarioError) as exc:
        skyshield.load_scenario(str(f))
    (p,) = exc.value.problems
    assert p.path.startswith(path) and words in p.message, (p.path, p.message)
    assert p.line is not None


def test_control_identifies_friend_over_hostile_criteria_and_a_hostile_declaration():
    """Rule 1 (after the secure reply): a track under own fighter control is friend — silent,
    with hostile criteria, even declared hostile before (as a secure reply would); without
    ``controlled`` the rules are as before."""
    n = 3
    args = dict(secure_replied=np.zeros(n, bool), interrogations=np.full(n, 3), k=3,
                squawk=np.full(n, -1), mode_c=np.zeros(n, bool),
                civil_corridor=np.zeros(n, bool), friendly_corridor=np.zeros(n, bool),
                friendly_code=np.zeros(n, bool), hostile=np.ones(n, bool),
                cls=np.full(n, 3), jamming=np.zeros(n, bool), speed_mps=np.full(n, 200.0),
                previous=np.array([threat.PENDING, threat.HOSTILE, threat.SUSPECT]))
    ident, rule = threat.identify(**args, controlled=np.array([True, True, False]))
    assert [IDENTITIES[i] for i in ident] == ["friend", "friend", "hostile"]
    assert threat.ID_REASONS[rule[0]] == threat.ID_REASONS[rule[1]] == (
        "under own fighter control (the controller's position reports)")
    before, rule0 = threat.identify(**args)
    again, rule1 = threat.identify(**args, controlled=np.zeros(n, bool))
    assert (before == again).all() and (rule0 == rule1).all()
    assert [IDENTITIES[i] for i in before] == ["hostile"] * 3


def test_the_controlling_posts_flag_travels_with_its_reports(tmp_path):
    """On the small after-action scenario (a friendly MiG-29 at 5 km), the Serbian post
    controlling the MiG: its own picture flags the MiG's track as soon as it correlates a
    position report with it; the joint picture (with the Russian post) only when a report
    carrying the flag has come over the link, the latency (6 s) later at least; the Russian
    post's own picture never (it does not control the MiG)."""
    from skyshield.sim.run import Simulation
    from skyshield.sim.world import compile_world

    f = tmp_path / "s.yaml"
    f.write_text((DATA / "aar_small.yaml").read_text() + _command(rs=", controls: [mig]")
                 + "  joint: {at: ru}\n  link: {latency: 6 s}\n")
    sc = skyshield.load_scenario(str(f))
    sim = Simulation(compile_world(sc), sc.seed)
    sim.start()
    ch = sim.chains
    assert ch is not None
    mig = sim.w.vehicles.name.index("mig")
    first: dict[str, float] = {}
    views = {"ru": ch.picture.posts[0], "rs": ch.picture.posts[1], "joint": ch.picture.joint}
    for k in range(1, 61):
        sim.step_until(2.0 * k)
        for name, v in views.items():
            s = v.live()
            if name not in first and (v.controlled[s] & (v.truth[s] == mig)).any():
                first[name] = 2.0 * k
            assert not (v.controlled[s] & (v.truth[s] != mig)).any()  # only the MiG's
    assert set(first) == {"rs", "joint"}, first
    assert first["joint"] >= first["rs"] + 6.0, first
