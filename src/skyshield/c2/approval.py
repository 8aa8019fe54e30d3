"""The engagement gate between fire control and the weapons.

Fire control's orders pass through it on their way to the launchers. In a batch run (and in a
live exercise without ``--approval``) the gate is open: each order is logged as ``engage`` and
released at once. With approval (a live exercise) each order waits for its unit's operator: it is
logged as ``approval_request`` with a deadline, and released when approved (``approved`` then
``engage``), or dropped when denied or when the deadline passes with the default decision
``deny`` (``denied``: the caller puts its rounds back on the rails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skyshield.c2.fire_control import FireUnits, MissileTypes, Order
from skyshield.engine.events import Event

__all__ = ["EngagementGate", "Release", "mode_tag"]


def mode_tag(mode: str) -> str:
    """The ``tag`` of an engagement from how it was ordered (" autonomous[ duplicate]",
    " national": by a national post fighting alone, command chains)."""
    return "duplicate" if "duplicate" in mode else "autonomous" if "autonomous" in mode \
        else "national" if "national" in mode else "joint"


@dataclass
class Release:
    """An engagement released to the weapons: fire ``rounds`` of ``missile`` from ``unit`` at
    ``track_id``, the first at ``t_first_s``."""

    unit: int
    missile: int
    track_id: int
    rounds: int
    t_first_s: float


class EngagementGate:
    def __init__(self, units: FireUnits, missiles: MissileTypes):
        self.units = units
        self.missiles = missiles
        # operator approval (live): (timeout s, default decision on timeout); None: open
        self.approval: tuple[float, bool] | None = None
        self.awaiting: dict[int, dict[str, Any]] = {}  # request id -> the waiting engagement
        self._next = 1

    def submit(self, t: float, o: Order, truth: int, mode: str
               ) -> tuple[list[Event], Release | None, float | None]:
        """An order of this cycle: its events, the release (None: it waits) and, when it
        waits, the instant its deadline falls (the caller schedules ``timeout``)."""
        u, mt = self.units, self.missiles
        if self.approval is None:
            ev = Event(t, "engage", source=u.name[o.unit], track_id=o.track_id, truth_id=truth,
                       target=mt.name[o.missile], value=o.rounds,
                       info=f"t_intercept={o.t_intercept_s:.1f}{mode}",
                       t_pred_s=o.t_intercept_s, tag=mode_tag(mode))
            return [ev], Release(o.unit, o.missile, o.track_id, o.rounds, o.t_launch_s), None
        timeout, _ = self.approval
        aid = self._next
        self._next += 1
        self.awaiting[aid] = {"id": aid, "unit": o.unit, "unit_name": u.name[o.unit],
                              "missile": o.missile, "missile_name": mt.name[o.missile],
                              "track_id": o.track_id, "rounds": o.rounds, "t_s": t,
                              "deadline_s": t + timeout, "t_intercept_s": o.t_intercept_s,
                              "truth": truth, "mode": mode}
        ev = Event(t, "approval_request", source=u.name[o.unit], track_id=o.track_id,
                   truth_id=truth, target=mt.name[o.missile], value=aid,
                   info=f"rounds={o.rounds} deadline={t + timeout:.1f}{mode}",
                   count=o.rounds, t_pred_s=t + timeout, tag=mode_tag(mode))
        return [ev], None, t + timeout

    def decide(self, t: float, aid: int, approve: bool, by: str
               ) -> tuple[list[Event], Release | None, dict[str, Any] | None]:
        """An operator's (or the deadline's) decision on request ``aid``: its events, the
        release if approved (and the unit is still in action), the request if denied."""
        a = self.awaiting.pop(aid, None)
        if a is None:
            return [], None, None
        name = a["unit_name"]
        if approve and self.units.alive[a["unit"]]:
            return [Event(t, "approved", source=name, track_id=a["track_id"],
                          truth_id=a["truth"], target=a["missile_name"], value=aid, info=by),
                    Event(t, "engage", source=name, track_id=a["track_id"], truth_id=a["truth"],
                          target=a["missile_name"], value=a["rounds"],
                          info=f"t_intercept={a['t_intercept_s']:.1f}{a['mode']} approved",
                          t_pred_s=a["t_intercept_s"], tag=mode_tag(a["mode"]))], \
                Release(a["unit"], a["missile"], a["track_id"], a["rounds"], t), None
        return [Event(t, "denied", source=name, track_id=a["track_id"], truth_id=a["truth"],
                      target=a["missile_name"], value=aid, info=by)], None, a

    def timeout(self, t: float, aid: int
                ) -> tuple[list[Event], Release | None, dict[str, Any] | None]:
        """The deadline of request ``aid`` passed: the default decision."""
        if aid in self.awaiting and self.approval is not None:
            return self.decide(t, aid, self.approval[1], "timeout")
        return [], None, None
