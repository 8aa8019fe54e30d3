"""What each role of a live exercise sees: the scenario, the picture (frames) and the events.

The controller and observers: everything, the truth included (where the vehicles are, every
event). An operator never sees the truth: the tracks, not the vehicles; no truth-bearing event
(``TRUTH_EVENTS``; ``truth_id`` blanked). The operator of one unit sees its own unit's air
picture: the tracks its radars hold, its interceptors, its own status, and the events about the
unit or those tracks (:meth:`Pictures.events_for`); the command-post operator sees the fused
picture (every track, unit and interceptor). The fire-control plan reaches the operators in
every mode: ``engage`` events and ``planned`` in the frame (in approval mode, also
``approvals``, the engagements waiting for their decision).

Everything here reads the engine through its public interface only (``sim.state``,
``sim.tracker``, ``sim.icpt``, ``sim.unit_sensor_ids``, ``sim.track_identity``, ...). The caller
holds the exercise's lock (``web.server.LiveServer`` does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyshield.c2.fire_control import ROES
from skyshield.c2.threat import CLASSES, IDENTITIES
from skyshield.engine.names import CATEGORIES, SIDES
from skyshield.geo import enu_to_geodetic
from skyshield.io.exports import SYMBOLS, symbol_key
from skyshield.sim.live import LiveExercise
from skyshield.web.roles import may, own_unit

__all__ = ["OPERATOR_BLANKS", "TRUTH_EVENTS", "Pictures"]

# events that carry the truth (where the vehicles really are, what really happened): the
# controller's and observers' only
TRUTH_EVENTS = frozenset({"spawn", "route_end", "leak", "impact", "first_detection", "kill",
                          "inject", "external_entity", "command", "seeker_acquired",
                          "seeker_memory"})
# what else of an operator's events is the truth (``truth_id`` always is), per kind, and what
# an operator gets instead: an intercept's miss distance, kill probability at that miss and
# outcome (the unit learns it from its kill assessment); how many of a scan's plots were true
# or false; whether a kill assessment was wrong (its note says only what was reported)
OPERATOR_BLANKS: dict[str, dict[str, Any]] = {
    "intercept": {"value": None, "pk": None, "tag": "", "info": ""},
    "scan": {"value": None, "count": -1, "info": ""},
    "kill_assessed": {"count": -1},
    "eo_track": {"value": None},  # the true range of the target acquired
}


@dataclass
class Pictures:
    """The pictures of one exercise, per role (module docstring)."""

    ex: LiveExercise
    held: dict[int, set[int]] = field(default_factory=dict)  # unit -> tracks it held

    def scenario_info(self) -> dict[str, Any]:
        """The scenario as every role sees it: units, assets, vehicle types, symbols."""
        w = self.ex.sim.w
        sc = self.ex.scenario
        cat = w.catalogue
        lat, lon, alt = enu_to_geodetic(w.units.pos_m, *w.origin)
        return {
            "scenario": sc.name, "seed": self.ex.seed, "duration_s": sc.duration,
            "start_time": sc.start_time.isoformat().replace("+00:00", "Z"),
            "origin": {"lat": sc.origin.lat, "lon": sc.origin.lon},
            "units": [{"name": n, "type": sc.units[n].type, "lat": float(np.degrees(la)),
                       "lon": float(np.degrees(lo)), "sidc": SYMBOLS[symbol_key(None)]["sidc"],
                       "radar_range_m": float(max((w.radars.max_range_m[i] for i in
                                                   np.flatnonzero(w.radars.unit == k)),
                                                  default=0.0)),
                       "missile_range_m": float(w.reach_m[k]) if w.reach_m is not None else 0.0,
                       "radars": [w.radars.name[i] for i in np.flatnonzero(w.radars.unit == k)]}
                      for k, (n, la, lo) in enumerate(zip(w.units.name, lat, lon, strict=True))],
            "assets": [{"name": n, "lat": a.lat, "lon": a.lon} for n, a in sc.assets.items()],
            "vehicle_types": sorted(cat.air_vehicles),
            "sidc": {k: v["sidc"] for k, v in SYMBOLS.items()},
            "roes": ["weapons_free", "weapons_tight", "weapons_hold"],
        }

    def frame(self, role: str, clock_errors: int = 0) -> dict[str, Any]:
        """The picture ``role`` sees now (``clock_errors``: the controller's count of failed
        clock ticks)."""
        ex, sim = self.ex, self.ex.sim
        w = sim.w
        t = ex.t
        out: dict[str, Any] = {"type": "frame", "t": t, "wall": time.time(),
                               "speed": ex.speed, "paused": ex.paused, "frozen": ex.frozen,
                               "ended": ex.ended, "role": role}
        origin = w.origin
        if role in ("controller", "observer"):
            pos, vel, _, present = sim.state(t)
            idx = np.flatnonzero(present)
            if idx.size:
                la, lo, al = enu_to_geodetic(pos[idx], *origin)
                v = w.vehicles
                out["vehicles"] = [
                    {"id": int(i), "name": v.name[i], "side": SIDES[v.side[i]],
                     "category": CATEGORIES[v.category[i]], "lat": round(float(np.degrees(a)), 6),
                     "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1)}
                    for i, a, b, c in zip(idx, la, lo, al, strict=True)]
            else:
                out["vehicles"] = []
        tr = sim.tracker
        slots = tr.live(2)
        if role.startswith("operator:") and role != "operator:command_post":
            unit = role.split(":", 1)[1]
            k = w.units.name.index(unit)
            slots = slots[tr.seen_by(slots, sim.unit_sensor_ids(k),
                                     t - sim.sc.c2.max_track_age)] if slots.size else slots
        tracks = []
        if slots.size:
            st = tr.state_at(slots, t)
            la, lo, al = enu_to_geodetic(st[:, :3], *origin)
            ident, cls = sim.track_identity(slots)
            for s, a, b, c, i_, c_ in zip(slots, la, lo, al, ident, cls, strict=True):
                tracks.append({"id": int(tr.track_id[s]), "lat": round(float(np.degrees(a)), 6),
                               "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1),
                               "identity": IDENTITIES[int(i_)], "class": CLASSES[int(c_)]})
        out["tracks"] = tracks
        own = own_unit(role, w.units.name)  # an operator of one unit: its index; else None
        ic = sim.icpt
        rows = ic.in_flight()
        if own is not None:
            rows = rows[np.asarray(ic.unit, dtype=np.int64)[rows] == own]
        if rows.size:
            la, lo, al = enu_to_geodetic(ic.state.pos_m[rows], *origin)
            out["interceptors"] = [
                {"id": int(ic.weapon_id[r]), "missile": w.missiles.name[ic.missile[r]],
                 "unit": w.units.name[ic.unit[r]], "lat": round(float(np.degrees(a)), 6),
                 "lon": round(float(np.degrees(b)), 6), "alt": round(float(c), 1)}
                for r, a, b, c in zip(rows, la, lo, al, strict=True)]
        else:
            out["interceptors"] = []
        rs = w.radars
        out["units"] = [{"name": n, "alive": bool(w.units.alive[k]),
                         "roe": ROES[int(w.units.roe[k])],
                         "autonomous": bool(sim.live_auto[k]),
                         "missiles": int(w.units.inventory[k].sum()),
                         # its engagement radar's emission control, and each radar's state
                         "emcon": "cued" if w.emcon_cued[k] else
                         "on" if rs.emitting[w.engagement_radar[k]] else "off",
                         "radars": [{"name": rs.name[i], "alive": bool(rs.alive[i]),
                                     "emitting": bool(rs.emitting[i])}
                                    for i in np.flatnonzero(rs.unit == k)]}
                        for k, n in enumerate(w.units.name) if own is None or k == own]
        # the fire-control plan: engagements decided and not yet all launched (in approval
        # mode, the approved ones; the ones waiting are in "approvals")
        out["planned"] = [{"unit": w.units.name[u], "track_id": int(tid), "rounds": int(n)}
                          for u, tid, n in sim.pending
                          if n > 0 and may(role, "approve", w.units.name[u])
                          and not any(a["unit"] == u and a["track_id"] == tid
                                      for a in sim.awaiting.values())]
        if role == "controller":
            out["clock_errors"] = clock_errors
        out["approvals"] = [
            {k: a[k] for k in ("id", "unit_name", "missile_name", "track_id", "rounds", "t_s",
                               "deadline_s")}
            for a in sim.awaiting.values() if may(role, "approve", a["unit_name"])]
        return out

    def held_tracks(self, k: int) -> set[int]:
        """The tracks fire unit ``k``'s own radars hold now or held since the exercise began
        (so that a track's last events, such as its drop, still reach its operator)."""
        sim = self.ex.sim
        tr = sim.tracker
        slots = tr.live()
        held = self.held.setdefault(k, set())
        if slots.size:
            mine = tr.seen_by(slots, sim.unit_sensor_ids(k),
                              self.ex.t - sim.sc.c2.max_track_age)
            held.update(int(i) for i in tr.track_id[slots[mine]])
        return held

    def events_for(self, role: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events ``role`` may see. The controller and observers: all. Operators: never
        the truth (``TRUTH_EVENTS`` left out, ``truth_id`` blanked, and ``OPERATOR_BLANKS``);
        the command post the fused picture (every unit's and track's events), the operator of
        one unit those about it (its own radars, or the unit as source) or about tracks its
        radars hold, and the end."""
        if role in ("controller", "observer"):
            return events
        w = self.ex.sim.w
        own = own_unit(role, w.units.name)
        if own is None and role != "operator:command_post":
            return []
        radars: set[str] = set()
        held: set[int] = set()
        if own is not None:
            radars = {w.radars.name[i] for i in np.flatnonzero(w.radars.unit == own)}
            held = self.held_tracks(own)
        out = []
        for e in events:
            kind = e["kind"]
            if kind in TRUTH_EVENTS:
                continue
            if own is not None and kind != "end":
                src = e["source"]
                about_unit = src == w.units.name[own] or src in radars
                if not about_unit and not (e["track_id"] >= 0 and e["track_id"] in held):
                    continue
            e = {**e, "truth_id": -1, **OPERATOR_BLANKS.get(kind, {})}
            if kind == "kill_assessed":
                e["info"] = e["tag"]  # the reported outcome, not whether it was right
            out.append(e)
        return out
