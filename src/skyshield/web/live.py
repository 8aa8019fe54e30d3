"""The live exercise server: a :class:`skyshield.sim.live.LiveExercise` against the wall clock,
with roles, a browser UI over a websocket, and DIS. Each job has its module:

=========================  ==========================================================
``web.roles``              roles and their tokens (SHA-256 kept); who may do what
``web.pictures``           what each role sees: scenario, frames, events (truth kept from
                           operators; one unit's operator sees its own unit's picture)
``web.clients``            the websocket clients and their bounded backlog
``web.server``             :class:`LiveServer`: commands, the clock, one at a time under the
                           exercise's lock, sending to the clients and to DIS
``web.dis_bridge``         DIS out (Entity State, Fire, Detonation) and in (other
                           simulators' entities as journaled ``external`` commands)
``web.live_app``           the FastAPI application, the exercise's OpenAPI document, and
                           :func:`serve_live` (``skyshield serve``)
=========================  ==========================================================

This module keeps the names the command line and other callers import.
"""

from __future__ import annotations

from skyshield.web.live_app import live_app, serve_live
from skyshield.web.roles import Roles
from skyshield.web.server import FRAME_S, TICK_S, LiveServer

__all__ = ["Roles", "LiveServer", "live_app", "serve_live", "TICK_S", "FRAME_S"]
