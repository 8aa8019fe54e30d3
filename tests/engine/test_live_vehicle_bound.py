"""Issue 20: the live exercise's injects and raids stay within the scenario's bound on air
vehicles (``MAX_AIR_VEHICLES``); before it, a raid command of 100,000 was accepted on top of
the scenario's own vehicles, and raid after raid added without end."""

from pathlib import Path

import pytest

import skyshield
from skyshield.scenario.schema import MAX_AIR_VEHICLES
from skyshield.sim.commands import CommandError
from skyshield.sim.live_commands import validate_command
from skyshield.sim.run import Simulation
from skyshield.sim.world import compile_world

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


def test_a_raid_past_the_bound_on_air_vehicles_is_refused_before_it_is_expanded():
    sim = Simulation(compile_world(skyshield.load_scenario(SMALL)), 1)
    have = len(sim.w.vehicles)
    raid = {"cmd": "raid", "type": "cruise_missile_subsonic", "count": MAX_AIR_VEHICLES,
            "from": {"lat": 44.9, "lon": 19.95, "alt": 100}, "to": "base"}
    with pytest.raises(CommandError, match=f"count: the exercise has {have:,} air vehicles and "
                       f"may have at most {MAX_AIR_VEHICLES:,}"):
        validate_command(sim, 10.0, raid)
    # one at a time, up to the bound: an inject is refused once the exercise is full
    ok = validate_command(sim, 10.0, {**raid, "count": 2})
    assert ok["count"] == 2
    sim.w.vehicles.name.extend(["filler"] * (MAX_AIR_VEHICLES - have))  # len() of a full one
    with pytest.raises(CommandError, match="cmd: the exercise has 100,000 air vehicles"):
        validate_command(sim, 10.0, {"cmd": "inject", "type": "cruise_missile_subsonic",
                                     "from": {"lat": 44.9, "lon": 19.95, "alt": 100},
                                     "to": "base"})
