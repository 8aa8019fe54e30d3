"""Exercise scoring for the debrief: per fire unit and for the joint group.

Figures (per unit, and for the group over all units):

* ``engagements`` (engage orders), ``missiles_fired``, ``kills`` and ``missiles_per_kill``;
* ``reaction_time_s`` — for each threat engaged, the time from the group's first detection of
  it to the first launch at it (by that unit; for the group, by any unit): mean, median and n;
* ``opportunities`` — hostile threats whose ground track came within the unit's longest missile
  range of its site (for the group: every hostile threat);
* ``opportunities_engaged`` — opportunities the unit (for the group: any unit) fired at;
* ``leakers_allowed`` — opportunities that leaked, and ``leak_damage_value`` the asset value
  they destroyed (each impact's damage fraction × the asset's value);
* ``fratricide`` — friendly aircraft killed.

The score (0-100) is a weighted mean of five terms, each in [0, 1], minus a penalty. For the
joint group, which answers for every threat::

    kills     = min(1, kills / opportunities)
    leakers   = 1 − leakers_allowed / opportunities
    value     = 1 − leak_damage_value / total asset value
    economy   = min(1, 1 / missiles_per_kill)
    reaction  = exp(−mean reaction time / reaction_reference)
    score     = 100 · Σ wᵢ·termᵢ / Σ wᵢ  −  fratricide_penalty · fratricide,   clipped to [0, 100]

For a fire unit the two outcome terms credit only what the unit affected — the threats it fired
at — so a unit that stays idle while another stops its opportunities earns nothing for them::

    leakers   = (opportunities_engaged − engaged opportunities that leaked) / opportunities
    value     = opportunities_engaged / opportunities · (1 − leak_damage_value / total value)

(kills, economy and reaction are the unit's own already). An idle unit with opportunities thus
scores 0 on every defined term.

A term that is undefined (no opportunities, no kill, no launch) is left out of both sums. The
weights, the reference time and the penalty come from the scenario's ``scoring`` block
(defaults: kills 0.3, leakers 0.3, value 0.2, economy 0.1, reaction 0.1, 60 s, 50 points).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ScoreWeights", "score_exercise", "FORMULA"]

FORMULA = ("score = 100 * sum(w_i * term_i) / sum(w_i) - fratricide_penalty * fratricide, "
           "clipped to [0, 100]; terms: kills = min(1, kills/opportunities), leakers = 1 - "
           "leakers_allowed/opportunities, value = 1 - leak_damage_value/total_value, economy = "
           "min(1, 1/missiles_per_kill), reaction = exp(-mean_reaction_s/reaction_reference_s); "
           "for a fire unit, leakers = (opportunities_engaged - engaged leakers)/opportunities "
           "and value = opportunities_engaged/opportunities * (1 - leak_damage_value/"
           "total_value): a unit is credited only for threats it fired at; "
           "undefined terms are left out")


@dataclass(frozen=True)
class ScoreWeights:
    kills: float = 0.3
    leakers: float = 0.3
    value: float = 0.2
    economy: float = 0.1
    reaction: float = 0.1
    reaction_reference_s: float = 60.0
    fratricide_penalty: float = 50.0


def _reaction(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"mean": None, "median": None, "n": 0}
    a = np.asarray(times, dtype=float)
    return {"mean": round(float(a.mean()), 2), "median": round(float(np.median(a)), 2),
            "n": int(a.size)}


def _score(f: dict[str, Any], total_value: float, w: ScoreWeights, unit: bool,
           engaged_leaked: int) -> float:
    terms: list[tuple[float, float]] = []
    opp = f["opportunities"]
    share = f["opportunities_engaged"] / opp if opp > 0 else 0.0
    if opp > 0:
        terms.append((w.kills, min(1.0, f["kills"] / opp)))
        terms.append((w.leakers, (f["opportunities_engaged"] - engaged_leaked) / opp if unit
                      else 1.0 - f["leakers_allowed"] / opp))
    if total_value > 0 and (opp > 0 or not unit):
        saved = 1.0 - min(1.0, f["leak_damage_value"] / total_value)
        terms.append((w.value, share * saved if unit else saved))
    if f["kills"] > 0 and f["missiles_fired"] > 0:
        terms.append((w.economy, min(1.0, f["kills"] / f["missiles_fired"])))
    if f["reaction_time_s"]["mean"] is not None:
        terms.append((w.reaction, float(np.exp(-f["reaction_time_s"]["mean"]
                                               / w.reaction_reference_s))))
    wsum = sum(wi for wi, _ in terms)
    base = 100.0 * sum(wi * ti for wi, ti in terms) / wsum if wsum > 0 else 0.0
    return round(float(np.clip(base - w.fratricide_penalty * f["fratricide"], 0.0, 100.0)), 2)


def score_exercise(events: pd.DataFrame, threats: list[dict[str, Any]], truth: pd.DataFrame,
                   unit_names: list[str], unit_xy_m: np.ndarray, unit_reach_m: np.ndarray,
                   asset_value: dict[str, float], weights: ScoreWeights | None = None
                   ) -> dict[str, Any]:
    """Scores per unit and for the joint group (module docstring). ``threats`` are the
    summary's per-vehicle rows (id, side, fate, first_detection_t_s); ``truth`` has t_s,
    entity_id, x_m, y_m; ``unit_xy_m`` (u, 2) the sites and ``unit_reach_m`` (u,) their longest
    missile ranges."""
    w = weights or ScoreWeights()
    ev = events
    kind = ev["kind"]
    hostile = {int(t["id"]): t for t in threats if t["side"] == "hostile"}
    friendly = {int(t["id"]) for t in threats if t["side"] == "friendly"}
    total_value = float(sum(asset_value.values()))
    impacts = ev[(kind == "impact") & (ev["tag"] == "asset")]
    damage_by: dict[int, float] = {}
    for k, a, d in zip(impacts["truth_id"].astype(int), impacts["target"], impacts["value"],
                       strict=True):
        damage_by[int(k)] = damage_by.get(int(k), 0.0) + asset_value.get(str(a), 0.0) * float(d)
    leaked = {i for i, t in hostile.items() if t["fate"] == "leaked"}
    launches = ev[kind == "launch"]
    kills = ev[kind == "kill"]
    engages = ev[kind == "engage"]
    # which threats came within each unit's reach: closest ground distance of each track
    tr = truth[truth["entity_id"].isin(list(hostile))]
    near: dict[int, set[int]] = {}
    for u in range(len(unit_names)):
        d = np.hypot(tr["x_m"].to_numpy() - unit_xy_m[u, 0], tr["y_m"].to_numpy() - unit_xy_m[u, 1])
        near[u] = set(tr["entity_id"].to_numpy()[d <= unit_reach_m[u]].astype(int).tolist())

    def figures(src: str | None, opportunities: set[int]) -> dict[str, Any]:
        sel_l = launches if src is None else launches[launches["source"] == src]
        sel_k = kills if src is None else kills[kills["source"] == src]
        sel_e = engages if src is None else engages[engages["source"] == src]
        first_launch = sel_l.groupby("truth_id")["t_s"].min()
        react = [float(t) - float(hostile[i]["first_detection_t_s"])
                 for i, t in zip(first_launch.index.astype(int).tolist(),
                                 first_launch.to_numpy(), strict=True)
                 if i in hostile and hostile[i]["first_detection_t_s"] is not None]
        n_kills = int(sel_k["truth_id"].astype(int).isin(list(hostile)).sum())
        allowed = opportunities & leaked
        engaged = opportunities & set(sel_l["truth_id"].astype(int).tolist())
        f = {"engagements": int(len(sel_e)), "missiles_fired": int(len(sel_l)),
             "kills": n_kills,
             "missiles_per_kill": round(len(sel_l) / n_kills, 3) if n_kills else None,
             "reaction_time_s": _reaction(react), "opportunities": len(opportunities),
             "opportunities_engaged": len(engaged),
             "leakers_allowed": len(allowed),
             "leak_damage_value": round(sum(damage_by.get(i, 0.0) for i in allowed), 3),
             "fratricide": int(sel_k["truth_id"].astype(int).isin(list(friendly)).sum())}
        f["score"] = _score(f, total_value, w, src is not None, len(engaged & leaked))
        return f

    per_unit = {name: figures(name, near[u]) for u, name in enumerate(unit_names)}
    joint = figures(None, set(hostile))
    return {"formula": FORMULA, "weights": asdict(w), "joint": joint, "units": per_unit}
