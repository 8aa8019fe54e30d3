"""The shared vocabularies of the exercise, each with one home.

Every layer above the engine takes these names from here: the scenario schema (as ``Literal``
types, so that a scenario is validated against them), the compiled world (as indices into the
tuples), fire control, the weapons, the event log's tags, the live commands and the web client.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["Side", "SIDES", "Category", "CATEGORIES", "Roe", "ROES", "NO_FIRE_REASONS",
           "IDENTITIES"]

Side = Literal["hostile", "friendly", "civil"]
SIDES: tuple[str, ...] = get_args(Side)
"""The two forces of an exercise and the civil traffic flying through it (``Vehicles.side``
indexes this)."""

Category = Literal["uav", "cruise_missile", "aircraft", "jammer", "anti_radiation_missile",
                   "decoy"]
CATEGORIES: tuple[str, ...] = get_args(Category)
"""Air-vehicle categories of the catalogue (``Vehicles.category`` indexes this). New ones go at
the end: stored run folders hold these indices."""

Roe = Literal["weapons_free", "weapons_tight", "weapons_hold"]
ROES: tuple[str, ...] = get_args(Roe)
"""Rules of engagement of a fire unit (``FireUnits.roe`` indexes this)."""

NO_FIRE_REASONS: tuple[str, ...] = (
    "no fire unit in range", "rules of engagement", "engagement radar silent",
    "fire channels busy", "out of missiles", "engagement radar does not hold the track",
    "beyond the engagement horizon", "assessed killed", "track stale",
    "not worth the rounds", "rounds held in reserve")
"""Why fire control did not engage a threat (the ``no_fire`` event's tag): the planner's
reasons (``c2.fire_control``), then the tracks it did not consider (assessed killed, stale), then
the look-ahead economy's: a unit could fire but the rounds are worth more kept; and last the
doctrine's reserve: a unit has rounds, but only those its reserve keeps for self-defence and
threats under 2 min out."""

IDENTITIES: tuple[str, ...] = (
    "unknown", "friend", "hostile", "pending", "assumed_friend", "neutral", "suspect")
"""The standard identities of the air picture (STANAG 1241 / APP-6 / MIL-STD-2525 standard
identity: pending, unknown, assumed friend, friend, neutral, suspect, hostile), the
``identified`` event's tag. Indices 0-2 keep the codes fire control has always used (0 unknown,
1 friend, 2 hostile); ``c2.threat`` maps every identity to those three for the planner."""
