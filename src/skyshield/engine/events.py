"""The event log: the single source of truth of a run.

Every system reports what it did as a typed event. All events share one columnar schema so the
log is one Parquet table; a column an event kind does not use holds its null value (-1, NaN or
""). Summaries, reports, replays and statistics are derived from this log, never from the private
state of a system.

Columns
-------
``t_s``        simulated time of the event (s)
``kind``       one of :data:`EVENT_KINDS`
``source``     the name of the emitting unit or radar ("" if none)
``truth_id``   the air vehicle concerned (ground truth; for scoring, never read by C2 logic)
``track_id``   the system track concerned
``weapon_id``  the interceptor concerned
``target``     a named object: defended asset, unit, missile type, class, ROE ...
``value``      the event's number (range m, miss distance m, Pk, damage fraction, count ...)
``x_m, y_m, z_m``  where it happened, in the scenario's ENU frame
``info``       short free text (reason of a miss, identity, ...)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["EVENT_KINDS", "EVENT_COLUMNS", "EventLog"]

EVENT_KINDS: dict[str, str] = {
    "spawn": "an air vehicle enters the exercise (truth_id, info = side)",
    "scan": "a radar completed a scan (source, value = detections, info = false alarms)",
    "first_detection": "first detection of a truth object by any radar (value = range m)",
    "track_confirmed": "a track passed M-of-N confirmation",
    "track_dropped": "a track was deleted (info = reason)",
    "jam_strobe": "a radar first sees a jammer's strobe (value = bearing deg, radar frame)",
    "classified": "a track's class changed (target = class, value = confidence, info = cue)",
    "identified": "a track's identity changed (target = friend/hostile/unknown)",
    "assignment": "a fire-control cycle's weapon-target assignment (value = relative optimality "
                  "gap, info = objective, bound, gap, targets, weapons; the solver's wall time "
                  "is not logged: it is in the run's timing, never in the event log)",
    "no_fire": "a threat could not be engaged this cycle; logged when the reason changes "
               "(info = reason)",
    "link_lost": "a unit lost the command post and fights autonomously (source = unit)",
    "engage": "fire control assigned a fire unit to a track (target = missile type, value = salvo)",
    "launch": "an interceptor left its launcher (target = missile type, value = predicted time "
              "of flight s to the intercept point, NaN if none; x, y, z = launcher)",
    "launch_aborted": "a scheduled launch was not fired: the round stays on the launcher "
                      "(source = unit, target = missile type, info = why: track lost or "
                      "assessed killed, threat down, engagement radar does not hold the track)",
    "intercept": "an interceptor reached its aim point (value = miss m, info = hit/miss reason)",
    "kill": "an air vehicle was destroyed (truth_id, source = unit, info = hostile/friendly)",
    "interceptor_lost": "an interceptor self-destructed without intercept (info = reason: "
                        "guidance lost, target assessed killed, too slow, into the ground ...)",
    "kill_assessed": "the fire unit assessed an engagement (info = killed/survived)",
    "leak": "a hostile weapon or weapon carrier completed its route alive (target = its target)",
    "route_end": "an air vehicle without a target or warhead completed its route",
    "impact": "a weapon reached its target (target = asset/unit, value = damage fraction)",
    "unit_destroyed": "a fire unit was put out of action (source = unit)",
    "emission": "a radar started or stopped radiating (source = radar, info = on/off)",
    "end": "the exercise ended (value = duration s)",
    # live exercise (sim.live): every command is an event of its own, at the instant it applied
    "command": "a live-exercise command applied (source = role, target = command, info = JSON)",
    "inject": "the controller put an air vehicle into the exercise (truth_id, target = type)",
    "roe_change": "a unit's rules of engagement changed (source = unit, target = new ROE)",
    "radar_destroyed": "a radar was put out of action by the controller (source = radar)",
    "approval_request": "an engagement waits for its operator (source = unit, value = id, "
                        "target = missile type, info = rounds and deadline)",
    "approved": "an operator approved an engagement (source = unit, value = id, info = by)",
    "denied": "an engagement was denied (source = unit, value = id, info = by or timeout)",
    "external_entity": "an entity from another simulator (DIS) joined (truth_id, info = DIS id)",
    "external_removed": "an entity from another simulator left: deactivated by it or timed out "
                        "(truth_id, info = DIS id and why)",
}

_INT_COLS = ("truth_id", "track_id", "weapon_id")
_FLOAT_COLS = ("value", "x_m", "y_m", "z_m")
EVENT_COLUMNS: tuple[str, ...] = (
    "t_s", "kind", "source", "truth_id", "track_id", "weapon_id", "target",
    "value", "x_m", "y_m", "z_m", "info",
)


@dataclass
class EventLog:
    """Append-only columnar event log."""

    _cols: dict[str, list[Any]] = field(
        default_factory=lambda: {c: [] for c in EVENT_COLUMNS}
    )

    def emit(
        self,
        t_s: float,
        kind: str,
        *,
        source: str = "",
        truth_id: int = -1,
        track_id: int = -1,
        weapon_id: int = -1,
        target: str = "",
        value: float = float("nan"),
        pos_m: Any = None,
        info: str = "",
    ) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        c = self._cols
        c["t_s"].append(float(t_s))
        c["kind"].append(kind)
        c["source"].append(source)
        c["truth_id"].append(int(truth_id))
        c["track_id"].append(int(track_id))
        c["weapon_id"].append(int(weapon_id))
        c["target"].append(target)
        c["value"].append(float(value))
        if pos_m is None:
            x = y = z = float("nan")
        else:
            x, y, z = (float(v) for v in pos_m)
        c["x_m"].append(x)
        c["y_m"].append(y)
        c["z_m"].append(z)
        c["info"].append(info)

    def __len__(self) -> int:
        return len(self._cols["t_s"])

    def rows_since(self, start: int) -> list[dict[str, Any]]:
        """The events from index ``start`` on, one dict per event (column name -> value)."""
        c = self._cols
        names = list(c)
        return [dict(zip(names, vals, strict=True))
                for vals in zip(*(c[n][start:] for n in names), strict=True)]

    def truncate(self, n: int) -> None:
        """Take back every event from index ``n`` on (a live command that failed)."""
        for col in self._cols.values():
            del col[n:]

    def columns(self) -> dict[str, np.ndarray]:
        """The log as typed numpy columns (strings as object arrays)."""
        out: dict[str, np.ndarray] = {}
        for name, values in self._cols.items():
            if name in _INT_COLS:
                out[name] = np.asarray(values, dtype=np.int64)
            elif name in _FLOAT_COLS or name == "t_s":
                out[name] = np.asarray(values, dtype=np.float64)
            else:
                out[name] = np.asarray(values, dtype=object)
        return out
