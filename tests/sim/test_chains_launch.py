"""Command chains in a run: a launch is vetoed (or not) by the fire control that commands the
unit — on the small after-action scenario (a Pantsir-S1 under a Russian post, a Kub-M under a
Serbian one with the joint post, two low cruise missiles)."""

from __future__ import annotations

from pathlib import Path

import pytest

import skyshield

DATA = Path(__file__).resolve().parents[1] / "data"

COMMAND = """
command:
  posts:
    ru: {units: [pantsir]}
    rs: {units: [kub]}
  joint: {at: rs}
  link: {latency: 4 s%s}
"""


def _run(tmp: Path, link: str = "") -> skyshield.RunResult:
    f = tmp / "s.yaml"
    f.write_text((DATA / "aar_small.yaml").read_text() + COMMAND % link)
    return skyshield.run(str(f))


@pytest.mark.parametrize("link", ["", ", lost_at: 0 s"])
def test_the_commanding_post_launches_what_it_ordered(tmp_path, link):
    """Under the joint post (link up) the joint post's fire control identifies the tracks and
    orders the launches; the national posts' fire controls, idle while it commands, hold every
    track *pending* — they must not veto its launches (before the fix every launch under the
    joint post was aborted, 'track pending', and no missile ever flew). With the link cut each
    post's own fire control orders and clears its own units' launches."""
    r = _run(tmp_path, link)
    ev = r.events
    aborted = ev[ev["kind"] == "launch_aborted"]
    assert not (aborted["info"] == "track pending").any(), aborted["info"].tolist()
    assert r.summary["missiles_fired"] > 0
    assert r.summary["threats_engaged"] == 2  # both cruise missiles
