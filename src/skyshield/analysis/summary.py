"""The summary of a run, derived from its event log and the list of air vehicles only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["summarise", "SUMMARY_KEYS"]

SUMMARY_KEYS = (
    "scenario", "seed", "sim_duration_s", "wall_time_s", "events_total", "threats_total",
    "threats_detected", "threats_engaged", "threats_destroyed", "threats_leaked",
    "threats_survived", "missiles_fired", "missiles_fired_by_unit", "intercepts_hit",
    "intercepts_missed", "intercepts_no_target", "friendly_total", "friendly_engaged", "fratricide",
    "civil_total", "civil_engaged", "civil_shot_down",
    "asset_damage", "value_lost", "units_destroyed", "missiles_per_kill", "decoys",
    "leakers_by_cause",
    "fire_control", "by_type", "pk_by_missile", "ammunition", "threats", "air_picture",
    "scoring",
)
LEAK_CAUSES = ("not detected", "not tracked", "no fire unit in range", "rules of engagement",
               "engagement radar silent", "fire channels busy", "out of missiles",
               "not worth the rounds", "rounds held in reserve", "missed")


def _r(x: Any, nd: int = 1) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def summarise(events: pd.DataFrame, vehicles: pd.DataFrame, assets: pd.DataFrame,
              scenario: str, seed: int, sim_duration_s: float, wall_time_s: float,
              nominal_pk: dict[str, float] | None = None,
              magazines: pd.DataFrame | None = None) -> dict[str, Any]:
    """Summary of one run.

    ``magazines`` has one row per (``unit``, ``missile``) a unit holds at the start:
    ``loaded`` (rounds on its launchers), ``reloads`` (on its transloaders) and ``cost_usd``
    (per round, NaN if not known); the ammunition state at the end is derived from it and the
    launch and reload events.

    ``vehicles`` has one row per air vehicle (index = truth id) with ``name``, ``type``,
    ``category``, ``side``; ``assets`` one row per defended asset with ``name`` and ``value``.
    A threat is *detected* if any radar detected it, *engaged* if a missile was launched at a
    track following it, *destroyed* if killed, *leaked* if it completed its route, and
    *survived* if it was still in the air at the end. A friendly aircraft or a civil one (side
    ``civil``) is *safe* or *shot_down*; ``civil_engaged`` counts the civil aircraft a missile
    was launched at (it must stay 0: fire control never engages a neutral).
    """
    ev = events
    kind = ev["kind"]

    def by_truth(k: str) -> dict[int, dict[Any, Any]]:
        sel = ev[kind == k].drop_duplicates("truth_id")
        return {int(r["truth_id"]): r for r in sel.to_dict(orient="records")}

    first, kills, leaks = by_truth("first_detection"), by_truth("kill"), by_truth("leak")
    launches = ev[kind == "launch"]
    fired_at = launches["truth_id"].value_counts().to_dict()

    rows = []
    for tid, v in zip(vehicles.index.astype(int), vehicles.to_dict(orient="records"),
                      strict=True):
        not_threat = v["side"] in ("friendly", "civil")  # safe or shot down
        if tid in kills:
            fate, t_fate = ("shot_down" if not_threat else "destroyed"), kills[tid]["t_s"]
        elif tid in leaks:
            fate, t_fate = ("safe" if not_threat else "leaked"), leaks[tid]["t_s"]
        else:
            fate, t_fate = ("safe" if not_threat else "survived"), np.nan
        fd = first.get(tid)
        rows.append({
            "id": tid, "name": v["name"], "type": v["type"], "category": v["category"],
            "side": v["side"], "detected": fd is not None,
            "first_detection_t_s": _r(fd["t_s"]) if fd else None,
            "first_detection_range_m": _r(fd["value"], 0) if fd else None,
            "first_detection_by": fd["source"] if fd else None,
            "engaged": tid in fired_at, "missiles_at": int(fired_at.get(tid, 0)),
            "fate": fate, "fate_t_s": _r(t_fate),
            "killed_by": kills[tid]["source"] if tid in kills else None,
        })
    fates = pd.DataFrame(rows, columns=[
        "id", "name", "type", "category", "side", "detected", "first_detection_t_s",
        "first_detection_range_m", "first_detection_by", "engaged", "missiles_at", "fate",
        "fate_t_s", "killed_by"])
    hostile = fates[fates["side"] == "hostile"]
    friendly = fates[fates["side"] == "friendly"]
    civil = fates[fates["side"] == "civil"]

    by_type: dict[str, Any] = {}
    for typ, g in hostile.groupby("type", sort=True):
        rng = g["first_detection_range_m"].dropna().astype(float)
        by_type[str(typ)] = {
            "total": len(g), "detected": int(g["detected"].sum()),
            "engaged": int(g["engaged"].sum()),
            "destroyed": int((g["fate"] == "destroyed").sum()),
            "leaked": int((g["fate"] == "leaked").sum()),
            "survived": int((g["fate"] == "survived").sum()),
            "first_detection_range_m": {
                "mean": _r(rng.mean(), 0) if len(rng) else None,
                "min": _r(rng.min(), 0) if len(rng) else None,
                "max": _r(rng.max(), 0) if len(rng) else None,
            },
        }
    intercepts = ev[kind == "intercept"]
    outcome = intercepts["tag"].astype(str)  # hit, missed, target already gone, no target ...
    hit = (outcome == "hit").to_numpy()
    impacts = ev[(kind == "impact") & (ev["tag"] == "asset")]
    asset_value = dict(zip(assets["name"], assets["value"], strict=True))
    damage = {str(a): 0.0 for a in assets["name"]}
    for a, g in impacts.groupby("target"):  # each impact's value is its damage increment
        damage[str(a)] = round(float(g["value"].sum()), 4)
    fratricide = sum(1 for k in kills.values() if k["tag"] == "friendly")
    # why each leaker got through: undetected, never a confirmed track, the last reason fire
    # control gave for not engaging it (the no_fire event's sentence, quoted as it is), or
    # engaged and missed
    no_fire = ev[kind == "no_fire"].drop_duplicates("truth_id", keep="last")
    last_reason = dict(zip(no_fire["truth_id"].astype(int), no_fire["tag"], strict=True))
    tracked = set(ev.loc[kind == "track_confirmed", "truth_id"].astype(int))
    causes = dict.fromkeys(LEAK_CAUSES, 0)
    cause_of: dict[int, str] = {}
    for r in fates[fates["fate"] == "leaked"].to_dict(orient="records"):
        if not r["detected"]:
            c = "not detected"
        elif r["engaged"]:
            c = "missed"
        elif r["id"] not in tracked:
            c = "not tracked"
        else:
            c = last_reason.get(r["id"], "no fire unit in range")
        causes[c] = causes.get(c, 0) + 1
        cause_of[int(r["id"])] = c
    fates["leak_cause"] = [cause_of.get(int(i)) for i in fates["id"]]
    cycles = ev[kind == "assignment"]
    engages = ev[kind == "engage"]
    gaps = cycles["value"].astype(float)  # the assignment event's value is the solver's gap
    n_destroyed = int((hostile["fate"] == "destroyed").sum())
    return {
        "scenario": scenario,
        "seed": int(seed),
        "sim_duration_s": float(sim_duration_s),
        "wall_time_s": round(float(wall_time_s), 3),
        "events_total": int(len(ev)),
        "threats_total": int(len(hostile)),
        "threats_detected": int(hostile["detected"].sum()),
        "threats_engaged": int(hostile["engaged"].sum()),
        "threats_destroyed": int((hostile["fate"] == "destroyed").sum()),
        "threats_leaked": int((hostile["fate"] == "leaked").sum()),
        "threats_survived": int((hostile["fate"] == "survived").sum()),
        "missiles_fired": int(len(launches)),
        "missiles_fired_by_unit": {str(k): int(v) for k, v in
                                   launches.groupby("source").size().sort_index().items()},
        "intercepts_hit": int(hit.sum()),
        "intercepts_missed": int((outcome == "missed").sum()),
        "intercepts_no_target": int((~hit & (outcome != "missed").to_numpy()).sum()),
        "friendly_total": int(len(friendly)),
        "friendly_engaged": int(friendly["engaged"].sum()),
        "fratricide": fratricide,
        "civil_total": int(len(civil)),
        "civil_engaged": int(civil["engaged"].sum()),
        "civil_shot_down": int((civil["fate"] == "shot_down").sum()),
        "asset_damage": damage,
        "value_lost": round(sum(asset_value[a] * d for a, d in damage.items()), 3),
        "units_destroyed": sorted(ev[kind == "unit_destroyed"]["source"].astype(str).tolist()),
        "missiles_per_kill": (round(len(launches) / n_destroyed, 3) if n_destroyed else None),
        "decoys": _decoys(hostile, len(launches)),
        "leakers_by_cause": causes,
        "fire_control": {
            "assignment_cycles": int(len(cycles)),
            "gap_mean": _r(gaps.mean(), 6) if len(cycles) else None,
            "gap_max": _r(gaps.max(), 6) if len(cycles) else None,
            "autonomous_units": sorted(ev.loc[kind == "link_lost", "source"].astype(str)),
            # a duplicate engagement is an autonomous unit's (a unit off the net engaging a
            # track the group already engages)
            "autonomous_engagements": int(engages["tag"].isin(["autonomous", "duplicate"]).sum()),
            "duplicate_engagements": int((engages["tag"] == "duplicate").sum()),
        },
        "by_type": by_type,
        "pk_by_missile": _pk_by_missile(intercepts, nominal_pk or {}),
        "ammunition": _ammunition(launches, ev[kind == "reload"], magazines),
        "threats": fates.to_dict(orient="records"),
    }


def _decoys(hostile: pd.DataFrame, fired: int) -> dict[str, Any]:
    """The decoys (category ``decoy``) among the threats, and the missiles spent on them: the
    rounds launched at tracks that followed a decoy, and their share of all rounds fired."""
    d = hostile[hostile["category"] == "decoy"]
    spent = int(d["missiles_at"].sum())
    return {"total": int(len(d)), "engaged": int(d["engaged"].sum()),
            "destroyed": int((d["fate"] == "destroyed").sum()), "missiles_spent": spent,
            "share_of_missiles": round(spent / fired, 3) if fired else None}


def _ammunition(launches: pd.DataFrame, reloads: pd.DataFrame,
                magazines: pd.DataFrame | None) -> dict[str, Any]:
    """Rounds fired, reloaded and left (ready on the launchers, being loaded, on the
    transloaders) per unit and type, and what the rounds fired cost."""
    if magazines is None or not len(magazines):
        return {"by_unit": {}, "rounds_left": None, "cost_spent_usd": None,
                "rounds_of_unknown_cost": 0}

    def count(df: pd.DataFrame, col: str = "") -> pd.Series:
        if col:
            return df.groupby(["source", "target"])[col].sum()
        return df.groupby(["source", "target"]).size()

    fired = count(launches)
    tag = reloads["tag"]
    started = count(reloads[tag == "started"], "count")
    loaded = count(reloads[tag == "loaded"], "count")
    lost = count(reloads[tag == "lost"], "count")
    by_unit: dict[str, dict[str, Any]] = {}
    left = 0
    spent, unknown = 0.0, 0
    for r in magazines.to_dict(orient="records"):
        key = (r["unit"], r["missile"])
        f, st, ld, ls = (int(x.get(key, 0)) for x in (fired, started, loaded, lost))
        ready = int(r["loaded"]) + ld - f
        stock = int(r["reloads"]) - st
        loading = st - ld - ls
        cost = float(r["cost_usd"])
        if f:
            if np.isfinite(cost):
                spent += f * cost
            else:
                unknown += f
        left += ready + loading + stock
        by_unit.setdefault(str(r["unit"]), {})[str(r["missile"])] = {
            "loaded": int(r["loaded"]), "reloads": int(r["reloads"]), "fired": f,
            "reloaded": ld, "lost_in_reload": ls, "ready": ready, "being_loaded": loading,
            "on_transloaders": stock,
            "cost_usd": round(f * cost, 0) if np.isfinite(cost) else None}
    return {"by_unit": by_unit, "rounds_left": left, "cost_spent_usd": round(spent, 0),
            "rounds_of_unknown_cost": unknown}


def _pk_by_missile(intercepts: pd.DataFrame, nominal: dict[str, float]
                   ) -> dict[str, dict[str, Any]]:
    """Per missile type: end games fought against a target still in the air (tag "hit" or
    "missed"), kills, the kill rate achieved, the mean Pk the end games gave (their ``pk``
    column, from their miss distances), the mean miss, and the catalogue's
    nominal single-shot Pk for comparison."""
    out: dict[str, dict[str, Any]] = {}
    outcome = intercepts["tag"].astype(str)
    fought = outcome.isin(["hit", "missed"])
    pk = intercepts["pk"].astype(float)
    for m, grp in intercepts[fought].groupby("target"):
        h = int((outcome[grp.index] == "hit").sum())
        out[str(m)] = {"end_games": int(len(grp)), "kills": h,
                       "pk_achieved": round(h / len(grp), 3),
                       "pk_mean_of_end_games": _r(pk[grp.index].mean(), 3),
                       "miss_mean_m": _r(grp["value"].astype(float).mean(), 2),
                       "pk_nominal": _r(nominal.get(str(m), np.nan), 3)}
    return out
