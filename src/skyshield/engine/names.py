"""The shared vocabularies of the exercise, each with one home.

Every layer above the engine takes these names from here: the scenario schema (as ``Literal``
types, so that a scenario is validated against them), the compiled world (as indices into the
tuples), fire control, the weapons, the event log's tags, the live commands and the web client.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["Side", "SIDES", "Category", "CATEGORIES", "Roe", "ROES", "NO_FIRE_REASONS"]

Side = Literal["hostile", "friendly"]
SIDES: tuple[str, ...] = get_args(Side)
"""The two forces of an exercise (``Vehicles.side`` indexes this)."""

Category = Literal["uav", "cruise_missile", "aircraft", "jammer", "anti_radiation_missile"]
CATEGORIES: tuple[str, ...] = get_args(Category)
"""Air-vehicle categories of the catalogue (``Vehicles.category`` indexes this)."""

Roe = Literal["weapons_free", "weapons_tight", "weapons_hold"]
ROES: tuple[str, ...] = get_args(Roe)
"""Rules of engagement of a fire unit (``FireUnits.roe`` indexes this)."""

NO_FIRE_REASONS: tuple[str, ...] = (
    "no fire unit in range", "rules of engagement", "engagement radar silent",
    "fire channels busy", "out of missiles", "engagement radar does not hold the track",
    "beyond the engagement horizon", "assessed killed", "track stale",
    "not worth the rounds")
"""Why fire control did not engage a threat (the ``no_fire`` event's tag): the planner's
reasons (``c2.fire_control``), then the tracks it did not consider (assessed killed, stale), then
the look-ahead economy's: a unit could fire but the rounds are worth more kept."""
