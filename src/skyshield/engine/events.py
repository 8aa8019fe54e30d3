"""The event log: the single source of truth of a run, and the schema of its typed events.

Every system reports what it did as a typed event (:class:`Event`). All events share one columnar
schema so the log is one Parquet table; a column an event kind does not use holds its null value
(-1, NaN or ""). Summaries, reports, replays and statistics are derived from this log, never from
the private state of a system, and **never by parsing** ``info``: what a consumer needs is in a
typed column, and :data:`EVENT_SCHEMA` says, for every kind, which columns it fills and what they
mean (units, frames, vocabularies). ``info`` is a note for people reading the log.

Columns (frames: positions are in the scenario's local ENU frame, origin at ``scenario.origin``,
x east, y north, z up from the origin's tangent plane; bearings are degrees clockwise from the
radar's north)
-------
``t_s``        simulated time of the event (s)
``kind``       one of :data:`EVENT_KINDS`
``source``     the emitting unit, radar or live role ("" if none)
``truth_id``   the air vehicle concerned (ground truth; for scoring, never read by C2 logic)
``track_id``   the system track concerned
``weapon_id``  the interceptor concerned
``target``     a named object: defended asset, unit, missile type, class, ROE ...
``value``      the event's number (its meaning and unit per kind in :data:`EVENT_SCHEMA`)
``x_m, y_m, z_m``  where it happened (m, ENU)
``info``       free text for people, on any kind (the schema names what it holds where it is
               the event's only account of something); never parsed
``pk``         a kill probability (0..1; NaN if none)
``t_pred_s``   a predicted or due instant (s of simulated time; NaN if none)
``count``      a count (-1 if none)
``tag``        a word from the kind's vocabulary (:data:`EVENT_TAGS`; "" if none)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyshield.engine.names import IDENTITIES, NO_FIRE_REASONS, SIDES

__all__ = ["EVENT_KINDS", "EVENT_COLUMNS", "EVENT_SCHEMA", "EVENT_TAGS", "Event", "EventLog"]

_N = "NaN if none"
# kind -> (what happened, {column: meaning with unit/frame}); columns not listed hold their null
EVENT_SCHEMA: dict[str, tuple[str, dict[str, str]]] = {
    "spawn": ("an air vehicle enters the exercise",
              {"truth_id": "the vehicle", "target": "its type", "tag": "side",
               "x_m": "where (ENU m)"}),
    "scan": ("a radar completed a scan",
             {"source": "radar", "value": "true detections (count)",
              "count": "false alarms"}),
    "first_detection": ("first detection of a truth object by any radar",
                        {"source": "radar", "truth_id": "the vehicle",
                         "value": "slant range from the radar (m)",
                         "x_m": "the vehicle's position (ENU m)"}),
    "track_confirmed": ("a track passed M-of-N confirmation",
                        {"source": "radar of the confirming plot", "track_id": "track",
                         "truth_id": "the vehicle the track follows (scoring only)",
                         "x_m": "the track's estimate at confirmation (ENU m)"}),
    "track_dropped": ("a track was deleted",
                      {"track_id": "track", "truth_id": "the vehicle it followed",
                       "x_m": "its last estimate (ENU m)", "tag": "why"}),
    "eo_track": ("a fire unit's electro-optical system acquires a target it did not hold "
                 "(sim.eo)",
                 {"source": "unit", "track_id": "the track it was cued on",
                  "truth_id": "the vehicle acquired",
                  "value": "its true slant range (m; for scoring, blank to operators)",
                  "tag": "the channel (tv, ir)"}),
    "jam_strobe": ("a radar first sees a jammer's strobe",
                   {"source": "radar", "truth_id": "the jammer",
                    "value": "bearing (deg, clockwise from north, radar frame)"}),
    "radar_cued": ("a fire-control radar takes a track of the picture into its time budget",
                   {"source": "radar", "track_id": "the picture's track",
                    "truth_id": "the vehicle the track follows (scoring only)",
                    "value": "acquisition time (s): its first dwell on it is at t_s + value or "
                             "later"}),
    "classified": ("a track's class changed",
                   {"track_id": "track", "truth_id": "the vehicle (scoring only)",
                    "target": "class (c2.threat.CLASSES)", "value": "confidence (0..1)",
                    "tag": "cue"}),
    "identified": ("a track's identity changed",
                   {"track_id": "track", "truth_id": "the vehicle (scoring only)",
                    "target": "identity (engine.names.IDENTITIES)",
                    "value": "the rule that decided it (index into c2.threat.ID_REASONS)",
                    "info": "the criterion that decided it (c2.threat.identify)",
                    "tag": "identity (engine.names.IDENTITIES)"}),
    "assignment": ("a fire-control cycle's weapon-target assignment (the solver's wall time is "
                   "not logged: it is in the run's timing, never in the event log)",
                   {"value": "relative optimality gap (certified: (objective - bound) / "
                             "objective)", "count": "weapons",
                    "tag": "solver method", "info": "objective, bound, targets, weapons"}),
    "no_fire": ("a threat could not be engaged this cycle; logged when the reason changes",
                {"track_id": "track", "truth_id": "the vehicle (scoring only)",
                 "tag": "why (engine.names.NO_FIRE_REASONS)"}),
    "link_lost": ("a unit lost the command post and fights autonomously",
                  {"source": "unit"}),
    "engage": ("fire control assigned a fire unit to a track",
               {"source": "unit", "track_id": "track", "truth_id": "the vehicle",
                "target": "missile type", "value": "salvo (rounds)",
                "t_pred_s": "predicted intercept instant (s)", "tag": "how it was ordered"}),
    "launch": ("an interceptor left its launcher",
               {"source": "unit", "track_id": "track", "truth_id": "the vehicle",
                "weapon_id": "interceptor", "target": "missile type",
                "value": "predicted time of flight to the intercept point (s; NaN if none)",
                "x_m": "launcher (ENU m)", "tag": "missile or gun burst",
                "count": "rounds of that type on the unit's launchers not yet committed to "
                         "an engagement"}),
    "reload": ("a crew began or finished reloading a launcher from its transloader",
               {"source": "unit", "target": "missile type", "count": "rounds",
                "value": "started: rounds of the type left on the transloaders; loaded: "
                         "rounds of the type ready on the unit's launchers",
                "t_pred_s": "started: when the launcher will be loaded (s)",
                "tag": "started, loaded, or lost (the unit went out of action)"}),
    "launch_aborted": ("a scheduled launch was not fired: the round stays on the launcher",
                       {"source": "unit", "track_id": "track", "truth_id": "the vehicle",
                        "target": "missile type", "info": "why (display text)"}),
    "intercept": ("an interceptor (or gun burst) reached its aim point",
                  {"source": "unit", "weapon_id": "interceptor", "track_id": "track",
                   "truth_id": "the vehicle it fuzed on (-1: none)", "target": "missile type",
                   "value": "miss distance (m)", "pk": "kill probability at that miss",
                   "x_m": "fuze point (ENU m)", "tag": "outcome"}),
    "kill": ("an air vehicle was destroyed",
             {"source": "unit", "truth_id": "the vehicle", "weapon_id": "interceptor",
              "track_id": "track", "value": "kill probability of the intercept",
              "pk": "the same", "x_m": "where (ENU m)", "tag": "side of the victim"}),
    "interceptor_lost": ("an interceptor self-destructed or was lost without intercept",
                         {"source": "unit", "weapon_id": "interceptor", "track_id": "track",
                          "x_m": "where (ENU m)", "tag": "why",
                          "info": "details (display text)"}),
    "kill_assessed": ("the fire unit assessed an engagement",
                      {"source": "unit", "track_id": "track", "weapon_id": "interceptor",
                       "tag": "reported outcome", "count": "1 if the report is wrong, else 0"}),
    "leak": ("a hostile weapon or weapon carrier completed its route alive",
             {"truth_id": "the vehicle", "target": "its target", "x_m": "where (ENU m)",
              "tag": "side"}),
    "route_end": ("an air vehicle without a target or warhead completed its route",
                  {"truth_id": "the vehicle", "x_m": "where (ENU m)", "tag": "side"}),
    "impact": ("a weapon reached its target",
               {"truth_id": "the weapon", "target": "asset or unit",
                "value": "damage fraction added (0..1)", "x_m": "where (ENU m)",
                "tag": "what was hit (an anti-radiation missile: unit; emitter silent: its "
                       "seeker never acquired; missed: it homed or flew on memory but burst "
                       "beyond its lethal radius)"}),
    "unit_destroyed": ("a fire unit was put out of action",
                       {"source": "unit", "truth_id": "the weapon (-1: a command)",
                        "x_m": "the unit (ENU m)", "info": "by whom (a command)"}),
    "emission": ("a radar started or stopped radiating", {"source": "radar", "tag": "on/off"}),
    # anti-radiation missiles' passive seekers (sim.seekers; truth: operators never see them)
    "seeker_acquired": ("an anti-radiation missile's passive seeker acquired an emitter and "
                        "homes on it (again, if it had lost it)",
                        {"source": "the radar", "truth_id": "the missile",
                         "target": "the radar's unit",
                         "value": "slant range from the missile to the radar (m)",
                         "x_m": "the missile (ENU m)",
                         "t_pred_s": "predicted impact instant (s)"}),
    "seeker_memory": ("the emitter an anti-radiation missile homed on stopped radiating: it flies "
                      "on memory to the last known point",
                      {"source": "the radar", "truth_id": "the missile",
                       "target": "the radar's unit",
                       "value": "the memory model's miss distance at impact (m; "
                                "physics.seeker.memory_miss_m)",
                       "x_m": "the point it now flies to (ENU m)",
                       "t_pred_s": "predicted impact instant (s)"}),
    "end": ("the exercise ended", {"value": "duration (s)", "info": "who ended it (live)"}),
    # live exercise (sim.live): every command is an event of its own, at the instant it applied
    "command": ("a live-exercise command applied",
                {"source": "role", "target": "command", "info": "the command (JSON)"}),
    "inject": ("the controller put an air vehicle into the exercise",
               {"source": "role", "truth_id": "the vehicle", "target": "type",
                "info": "its name"}),
    "roe_change": ("a unit's rules of engagement changed",
                   {"source": "unit", "target": "new ROE"}),
    "radar_destroyed": ("a radar was put out of action by the controller",
                        {"source": "radar", "info": "its unit"}),
    "approval_request": ("an engagement waits for its operator",
                         {"source": "unit", "track_id": "track", "truth_id": "the vehicle",
                          "target": "missile type", "value": "request id",
                          "count": "rounds", "t_pred_s": "deadline (s)",
                          "tag": "how it was ordered"}),
    "approved": ("an operator approved an engagement",
                 {"source": "unit", "value": "request id", "info": "by whom"}),
    "denied": ("an engagement was denied",
               {"source": "unit", "value": "request id", "info": "by whom or timeout"}),
    "external_entity": ("an entity from another simulator (DIS) joined",
                        {"truth_id": "the vehicle", "target": "type", "info": "DIS id"}),
    "external_removed": ("an entity from another simulator left: deactivated by it or timed out",
                         {"truth_id": "the vehicle", "info": "DIS id and why"}),
    # commands of the controller or the scenario's MSEL undoing a cut link or a loss
    "link_restored": ("a unit's link to the command post works again: it is assigned jointly",
                      {"source": "unit"}),
    "radar_restored": ("a radar put out of action is back in action",
                       {"source": "radar", "info": "its unit"}),
    "unit_restored": ("a fire unit put out of action is back in action, with its radars",
                      {"source": "unit", "x_m": "the unit (ENU m)", "info": "by whom"}),
    "chain_link": ("the track exchange between the national command posts was cut or "
                   "restored (command chains)",
                   {"source": "the posts, joined by '-'", "tag": "lost or restored"}),
    "post_lost": ("a command post was lost (command chains): a national post's units fight "
                  "autonomously; without the joint post each national post fights alone",
                  {"source": "the post", "tag": "joint or national"}),
}
EVENT_KINDS: dict[str, str] = {k: v[0] for k, v in EVENT_SCHEMA.items()}

# the vocabulary of ``tag`` per kind (kinds not listed leave it "")
EVENT_TAGS: dict[str, tuple[str, ...]] = {
    "spawn": SIDES,
    "leak": SIDES,
    "route_end": SIDES,
    "kill": SIDES,
    "track_dropped": ("coasted out",),
    "classified": ("kinematics", "jamming"),
    "eo_track": ("tv", "ir"),
    "assignment": ("heuristic", "outer-approximation", "enumeration"),
    "engage": ("joint", "autonomous", "duplicate", "national"),
    "approval_request": ("joint", "autonomous", "duplicate", "national"),
    "launch": ("missile", "gun burst"),
    "reload": ("started", "loaded", "lost"),
    "intercept": ("hit", "missed", "target already gone", "no target in the burst pattern"),
    "interceptor_lost": ("guidance lost", "self-destruct", "too slow", "into the ground",
                         "flight time exceeded"),
    "kill_assessed": ("killed", "survived"),
    "impact": ("asset", "unit", "emitter silent", "missed"),
    "emission": ("on", "off"),
    "no_fire": NO_FIRE_REASONS,
    "identified": IDENTITIES,
    "chain_link": ("lost", "restored"),
    "post_lost": ("joint", "national"),
}

_INT_COLS = ("truth_id", "track_id", "weapon_id", "count")
_FLOAT_COLS = ("value", "x_m", "y_m", "z_m", "pk", "t_pred_s")
EVENT_COLUMNS: tuple[str, ...] = (
    "t_s", "kind", "source", "truth_id", "track_id", "weapon_id", "target",
    "value", "x_m", "y_m", "z_m", "info", "pk", "t_pred_s", "count", "tag",
)


@dataclass(slots=True)
class Event:
    """One typed event, as a system returns it (:meth:`EventLog.record` appends it)."""

    t_s: float
    kind: str
    source: str = ""
    truth_id: int = -1
    track_id: int = -1
    weapon_id: int = -1
    target: str = ""
    value: float = math.nan
    pos_m: Any = None
    info: str = ""
    pk: float = math.nan
    t_pred_s: float = math.nan
    count: int = -1
    tag: str = ""


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
        pk: float = math.nan,
        t_pred_s: float = math.nan,
        count: int = -1,
        tag: str = "",
    ) -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        if tag and tag not in EVENT_TAGS.get(kind, ()):
            raise ValueError(f"tag {tag!r} is not in the vocabulary of {kind!r} events")
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
        c["pk"].append(float(pk))
        c["t_pred_s"].append(float(t_pred_s))
        c["count"].append(int(count))
        c["tag"].append(tag)

    def record(self, ev: Event) -> None:
        """Append a typed event a system returned."""
        self.emit(ev.t_s, ev.kind, source=ev.source, truth_id=ev.truth_id, track_id=ev.track_id,
                  weapon_id=ev.weapon_id, target=ev.target, value=ev.value, pos_m=ev.pos_m,
                  info=ev.info, pk=ev.pk, t_pred_s=ev.t_pred_s, count=ev.count, tag=ev.tag)

    def extend(self, events: list[Event]) -> None:
        """Append the events a system returned, in order."""
        for ev in events:
            self.record(ev)

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
