"""Issue 20: scenarios that validated and then exhausted memory at run time. The number of air
vehicles and of waypoints (per route and in all) is bounded where the file is read, with a
located one-line refusal; the bounds and the measurements behind them are in docs/scenario.md,
"Bounds" (bench/scale.py). Each scenario below validated before the bounds."""

from __future__ import annotations

import pytest

from skyshield import ScenarioError
from skyshield.scenario.errors import Problem
from skyshield.scenario.loader import parse_scenario
from skyshield.scenario.schema import MAX_AIR_VEHICLES, MAX_ROUTE_WAYPOINTS, MAX_WAYPOINTS

FILE = "big.yaml"
HEAD = """\
name: size-bounds
origin: {lat: 44.9, lon: 20.3}
duration: 10 min
assets:
  base: {lat: 44.9, lon: 20.3, value: 10}
units:
  u1: {type: pantsir_s1, lat: 44.91, lon: 20.3}
"""


def _points(k: int, indent: str) -> str:
    """``k`` points zig-zagging east (never twice the same place in a row), one a line."""
    return "\n".join(f"{indent}- {{lat: {44.9 + 0.005 * (j % 2):.4f}, "
                     f"lon: {19.8 + 0.01 * (j % 60):.4f}, alt: 300 m}}" for j in range(k))


def _raid(name: str, count: int, via: int = 0) -> str:
    turn = f"    via:\n{_points(via, '      ')}\n" if via else ""
    return (f"  {name}:\n    type: cruise_missile_subsonic\n    count: {count}\n"
            f"    from: {{lat: 44.8, lon: 19.7}}\n{turn}    to: base\n")


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.split("\n"), start=1) if needle in ln)


def _problems(text: str) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, FILE)
    return info.value.problems


def test_a_route_and_a_raid_axis_one_waypoint_over_the_bound_are_refused() -> None:
    """One route of 20,000 waypoints (a 1 MB file) asked for 48 GiB before the routes were
    ragged; now it runs (bench/scale.py), and one more is refused."""
    k = MAX_ROUTE_WAYPOINTS + 1
    text = (HEAD + "threats:\n  long:\n    type: cruise_missile_subsonic\n    waypoints:\n"
            + _points(k, "      ") + "\nraids:\n" + _raid("r1", 1, via=k - 2))
    found = {p.path: p for p in _problems(text)}
    p = found["threats.long.waypoints"]
    assert (p.file, p.line) == (FILE, _line(text, "    waypoints:"))
    assert f"at most {MAX_ROUTE_WAYPOINTS:,} waypoints in a route" in p.message
    p = found["raids.r1.via"]
    assert (p.file, p.line) == (FILE, _line(text, "    via:"))
    assert f"at most {MAX_ROUTE_WAYPOINTS - 2:,} turn points" in p.message
    assert len(found) == 2 and "\n" not in str(p)


def test_air_vehicles_one_over_the_bound_in_all_are_refused_at_the_raid_that_crosses() -> None:
    """Two raids, each under the raid count's own bound, one vehicle over the total."""
    a = MAX_AIR_VEHICLES // 2
    text = HEAD + "raids:\n" + _raid("a", a) + _raid("b", MAX_AIR_VEHICLES - a + 1)
    (p,) = _problems(text)
    assert (p.file, p.line, p.path) == (FILE, _line(text, f"count: {MAX_AIR_VEHICLES - a + 1}"),
                                        "raids.b.count")
    assert f"at most {MAX_AIR_VEHICLES:,} air vehicles in a scenario" in p.message
    assert f"this makes {MAX_AIR_VEHICLES + 1:,}" in p.message
    # at the bound: valid
    ok = HEAD + "raids:\n" + _raid("a", a) + _raid("b", MAX_AIR_VEHICLES - a)
    assert sum(r.count for r in parse_scenario(ok, FILE).raids.values()) == MAX_AIR_VEHICLES


def test_waypoints_one_over_the_bound_in_all_are_refused() -> None:
    """A raid's waypoints are its count × (from, via and to)."""
    per = 20  # from, 18 turn points, to
    count = MAX_WAYPOINTS // per
    text = HEAD + "threats:\n  t1:\n    type: cruise_missile_subsonic\n    waypoints:\n" + \
        _points(2, "      ") + "\nraids:\n" + _raid("r1", count, via=per - 2)
    (p,) = _problems(text)
    assert (p.file, p.line, p.path) == (FILE, _line(text, f"count: {count}"), "raids.r1.count")
    assert f"at most {MAX_WAYPOINTS:,} waypoints in a scenario's routes" in p.message
    assert f"this makes {MAX_WAYPOINTS + 2:,}" in p.message


def test_route_length_over_the_node_bound_is_refused() -> None:
    """The fuzz bench's case 2822: 80,000 cruise missiles on a 730 km axis validated, then
    needed 27 million route-table nodes (one per 2 km) and 5.9 GB. A raid along a meridian from
    35.9° N to 44.9° N is R·Δφ = 6,371 km × 9° × π/180 = 1,000.75 km long: 501 nodes of at most
    2 km plus its first, 502 per vehicle; 9,960 vehicles make 4,999,920 (valid), 9,961 make
    5,000,422, over the 5,000,000 bound."""
    from skyshield.scenario.schema import MAX_ROUTE_NODES

    assert MAX_ROUTE_NODES == 5_000_000

    def raid(count: int) -> str:
        return (HEAD + "raids:\n  long:\n    type: cruise_missile_subsonic\n"
                f"    count: {count}\n    from: {{lat: 35.9, lon: 20.3}}\n    to: base\n")

    text = raid(9961)
    (p,) = _problems(text)
    assert (p.file, p.line, p.path) == (FILE, _line(text, "count: 9961"), "raids.long.count")
    assert "at most 5,000,000 route nodes" in p.message and "this makes 5,000,422" in p.message
    assert parse_scenario(raid(9960), FILE).raids["long"].count == 9960
