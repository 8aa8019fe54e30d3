"""What an after-action review needs from a run folder, in one place for the report, the replay
and the exports: every entity with its side, category, type and fate; the units with their
radars' and missiles' reach; clock times.

Entity keys: an air vehicle is ``v<truth id>``, an interceptor ``w<weapon id>``, a fire unit
``u:<name>`` — the same keys in the replay's data, the CZML packets and the KML placemarks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from skyshield.io.runfolder import RunFolder
from skyshield.scenario.catalogue import load_catalogue

__all__ = ["Entity", "Unit", "entities", "units", "start_time", "iso", "entity_key"]


@dataclass(frozen=True)
class Entity:
    key: str
    name: str
    side: str  # hostile | friendly
    category: str  # uav, cruise_missile, aircraft, jammer, anti_radiation_missile, interceptor
    type: str
    fate: str  # destroyed, leaked, survived, lost, hit, missed, ...
    fate_t_s: float | None


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    type: str
    lat_deg: float
    lon_deg: float
    alt_m: float  # the site's altitude (the scenario's, else its terrain elevation)
    radar_ranges_m: tuple[tuple[str, float], ...]  # (radar type, instrumented range)
    missile_ranges_m: tuple[tuple[str, float], ...]  # (missile type, catalogue range)
    alive: bool


def start_time(run: RunFolder) -> datetime:
    v = run.scenario.get("start_time", "2019-10-25T08:00:00Z")
    t = v if isinstance(v, datetime) else datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    return t


def iso(t0: datetime, t_s: float) -> str:
    """ISO 8601 UTC with milliseconds (``2019-10-25T08:01:02.500Z``)."""
    t = t0 + timedelta(seconds=float(t_s))
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def entity_key(entity_id: int) -> str:
    """The key of a truth row's entity: ``v<id>`` for air vehicles, ``w<weapon id>`` for
    interceptors (negative ids in the truth table)."""
    return f"v{entity_id}" if entity_id >= 0 else f"w{-entity_id}"


def entities(run: RunFolder) -> dict[str, Entity]:
    """Every entity that appears in the truth table."""
    threats = {int(t["id"]): t for t in run.summary.get("threats") or []}  # every vehicle
    friendly_types = {name: r.get("type", "") for name, r in
                      (run.scenario.get("friendlies") or {}).items()}
    ev = run.events
    fate_w: dict[int, tuple[str, float]] = {}
    for kind in ("intercept", "interceptor_lost"):
        sel = ev[ev["kind"] == kind]
        for w, t, tag in zip(sel["weapon_id"], sel["t_s"], sel["tag"], strict=True):
            # an intercept's outcome (hit, missed, target already gone, no target ...)
            what = "lost" if kind == "interceptor_lost" else str(tag) or "missed"
            fate_w[int(w)] = (what, float(t))
    launch = ev[ev["kind"] == "launch"]
    w_type = dict(zip(launch["weapon_id"].astype(int), launch["target"], strict=True))
    killed = ev[ev["kind"] == "kill"]
    kill_t = dict(zip(killed["truth_id"].astype(int), killed["t_s"], strict=True))
    out: dict[str, Entity] = {}
    seen = run.truth.drop_duplicates("entity_id")
    for eid, name, kind in zip(seen["entity_id"], seen["name"], seen["kind"], strict=True):
        eid = int(eid)
        key = entity_key(eid)
        if eid < 0:
            w = -eid
            fate, ft = fate_w.get(w, ("in flight", None))
            out[key] = Entity(key, str(name), "friendly", "interceptor", str(w_type.get(w, "")),
                              fate, ft)
        elif eid in threats:  # the summary's row of every air vehicle, hostile or friendly
            t = threats[eid]
            out[key] = Entity(key, str(name), str(t.get("side", kind)),
                              str(t.get("category", "")), str(t.get("type", "")),
                              str(t.get("fate", "")), t.get("fate_t_s"))
        else:
            fate = "destroyed" if eid in kill_t else "survived"
            base = str(name).split("#")[0]
            out[key] = Entity(key, str(name), "friendly" if kind == "friendly" else str(kind),
                              "aircraft", str(friendly_types.get(base, "")), fate,
                              kill_t.get(eid))
    return out


def units(run: RunFolder) -> list[Unit]:
    """The fire units of the scenario with their radars' instrumented ranges and their
    missiles' catalogue ranges (the rings of the laydown), and whether they survived."""
    sc = run.scenario
    try:
        cat = load_catalogue(*(sc.get("catalogue") or []))
    except Exception:  # noqa: BLE001 - a moved user catalogue: the laydown without rings
        cat = None
    lost = set(run.summary.get("units_destroyed") or [])
    out = []
    for name, u in (sc.get("units") or {}).items():
        rr: list[tuple[str, float]] = []
        mr: list[tuple[str, float]] = []
        if cat is not None and u.get("type") in cat.fire_units:
            fu = cat.fire_units[u["type"]]
            for r in fu.radars:
                if r in cat.radars:
                    rr.append((r, float(_value(cat.radars[r].max_range_m))))
            loadout = u.get("loadout") or fu.loadout
            for m in loadout:
                if m in cat.missiles:
                    mr.append((m, float(_value(cat.missiles[m].max_range_m))))
        alt = u.get("alt")
        out.append(Unit(f"u:{name}", str(name), str(u.get("type", "")), float(u["lat"]),
                        float(u["lon"]), float(sc.get("terrain_elevation") or 0.0)
                        if alt is None else float(alt),
                        tuple(rr), tuple(sorted(mr, key=lambda x: -x[1])), name not in lost))
    return out


def _value(fig: Any) -> float:
    v = getattr(fig, "value", fig)
    return float(np.asarray(v, dtype=float))


def positions(run: RunFolder) -> pd.DataFrame:
    """The truth table with each row's entity key, sorted by entity and time."""
    t = run.truth.copy()
    t["key"] = [entity_key(int(e)) for e in t["entity_id"]]
    return t.sort_values(["key", "t_s"], kind="stable").reset_index(drop=True)
