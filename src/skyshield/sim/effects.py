"""Leaks and their effects: what a hostile weapon does when it completes its route alive.

A hostile with a target or a warhead that ends its route has leaked; its weapon reaches the
ground below it: defended assets within their radius are damaged (damage fractions combine as
independent). An anti-radiation missile bursts where its route ends (``sim.seekers`` re-plans
that route when its seeker homes or flies on memory): if its seeker acquired an emitter during
the flight, every fire unit with a radar (or its own position) within ``ARM_LETHAL_RADIUS_M`` is
put out of action with its radars; if it homed and burst farther, it missed; if its seeker never
acquired, its fuze is not armed and it hits nothing. Anything else simply completes its route.
"""

from __future__ import annotations

import numpy as np

from skyshield.engine.events import Event
from skyshield.engine.names import CATEGORIES, SIDES
from skyshield.sim.world import World

__all__ = ["ARM_LETHAL_RADIUS_M", "route_end_events"]

ARM_LETHAL_RADIUS_M = 150.0  # assumed: an anti-radiation missile this close silences a unit


def route_end_events(t: float, i: int, w: World, pos_m: np.ndarray,
                     seeker_guided: bool = False) -> list[Event]:
    """The events of vehicle ``i`` completing its route at ``pos_m`` (ENU m) at ``t``; applies
    the damage to ``w.assets``, and puts units (and their radars) out of action.
    ``seeker_guided``: an anti-radiation missile's seeker acquired an emitter in its flight."""
    v = w.vehicles
    tname = ""
    if v.target_asset[i] >= 0:
        tname = w.assets.name[v.target_asset[i]]
    elif v.target_unit[i] >= 0:
        tname = w.units.name[v.target_unit[i]]
    side = SIDES[v.side[i]]
    hostile = v.side[i] == 0
    if not (hostile and (tname or v.warhead_damage[i] > 0)):
        return [Event(t, "route_end", truth_id=i, pos_m=pos_m, info=side, tag=side)]
    out = [Event(t, "leak", truth_id=i, target=tname, pos_m=pos_m, info=side, tag=side)]
    a = w.assets
    if a.name and v.warhead_damage[i] > 0:
        # weapons released at the route's end fall on the ground below: horizontal distance
        d = np.linalg.norm(a.pos_m[:, :2] - pos_m[:2], axis=1)
        for k in np.flatnonzero(d <= a.radius_m):
            before = a.damage[k]
            a.damage[k] = 1.0 - (1.0 - before) * (1.0 - v.warhead_damage[i])
            out.append(Event(t, "impact", truth_id=i, target=a.name[k],
                             value=a.damage[k] - before, pos_m=pos_m, info="asset", tag="asset"))
    if CATEGORIES[v.category[i]] == "anti_radiation_missile":
        u, rs = w.units, w.radars
        d = np.linalg.norm(u.pos_m - pos_m, axis=1)
        d_radar = np.linalg.norm(rs.pos_m - pos_m, axis=1)
        np.minimum.at(d, rs.unit, d_radar)  # a unit's nearest radar or its own position
        near = (d <= ARM_LETHAL_RADIUS_M) & u.alive
        if not seeker_guided:  # no emitter acquired: no terminal guidance, fuze not armed
            for k in np.flatnonzero(near):
                out.append(Event(t, "impact", truth_id=i, target=u.name[k], value=0.0,
                                 pos_m=pos_m, info="emitter silent", tag="emitter silent"))
            return out
        for k in np.flatnonzero(near):
            u.alive[k] = False
            w.radars.alive[w.unit_radars[k]] = False
            out.append(Event(t, "impact", truth_id=i, target=u.name[k], value=1.0, pos_m=pos_m,
                             info="unit", tag="unit"))
            out.append(Event(t, "unit_destroyed", source=u.name[k], truth_id=i,
                             pos_m=u.pos_m[k]))
        tu = int(v.target_unit[i])
        if not near.any() and tu >= 0 and u.alive[tu]:
            out.append(Event(t, "impact", truth_id=i, target=u.name[tu], value=0.0, pos_m=pos_m,
                             info=f"missed: burst {d[tu]:.0f} m from the unit's nearest radar",
                             tag="missed"))
    return out
