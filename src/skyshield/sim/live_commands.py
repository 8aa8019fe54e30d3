"""Live-exercise commands: checked against the running exercise, then carried out.

A command's shape (types, ranges, names) is checked by its typed model (``sim.commands``);
:func:`validate_command` checks it against the running exercise (is there such a unit, asset,
radar, engagement waiting, catalogue type; is the point near the exercise) and
:func:`apply_command` carries it out at its instant (the engine's ``command_handler``; events:
``command`` first, then what it did). The commands and their fields are listed in the docstring
of ``sim.live``. Units: degrees for lat/lon, metres, m/s, seconds.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

import numpy as np
from pydantic import ValidationError

from skyshield.c2.fire_control import ROES
from skyshield.scenario.commands import (
    INJECT_MAX_DISTANCE_M,
    distance_from_origin_m,
    inject_route_data,
    raid_data,
    route_error,
)
from skyshield.scenario.commands import point as _point
from skyshield.scenario.raids import expand_raid
from skyshield.scenario.schema import MAX_AIR_VEHICLES, Raid, Route, Scenario
from skyshield.sim.commands import SIM_COMMANDS, CommandError
from skyshield.sim.external import (
    EXTERNAL_ALT_M,
    EXTERNAL_MAX_DISTANCE_M,
    EXTERNAL_MAX_SPEED_MPS,
    dead_reckoned,
    external_type,
)
from skyshield.sim.run import Simulation
from skyshield.sim.world import compile_vehicles, compile_world

__all__ = ["INJECT_MAX_DISTANCE_M", "apply_command", "live_simulation", "validate_command"]


def live_simulation(scenario: Scenario, seed: int,
                    approval: tuple[float, bool] | None = None) -> Simulation:
    """The engine of a live exercise, started: commands carried out by :func:`apply_command`,
    operator approval as given ((timeout s, approve on time-out), or None)."""
    sim = Simulation(compile_world(scenario), seed)
    sim.command_handler = apply_command
    sim.approval = approval
    sim.start()
    return sim


M = TypeVar("M", Route, Raid)


def _model(cls: type[M], data: dict[str, Any], sim: Simulation, what: str) -> M:
    """``cls`` validated as a scenario file's entry would be; the first problem as a
    :class:`CommandError` naming the field."""
    try:
        return cls.model_validate(data, context={"catalogue": sim.w.catalogue})
    except ValidationError as exc:
        raise CommandError(_user_error(exc.errors()[0], what)) from None


def _user_error(e: Any, what: str) -> str:
    """A scenario-schema error on a command's route or raid, in the command's field names
    (``scenario.commands.route_error``)."""
    field_, msg, shown = route_error(e, what)
    return f"{field_}: {msg}{shown}"


def _unit_index(sim: Simulation, name: Any) -> int:
    names = sim.w.units.name
    if name not in names:
        raise CommandError(f"unit: no fire unit named {name!r} (units: {', '.join(names)})")
    return names.index(name)


def _room_for(sim: Simulation, n: int, field: str) -> None:
    """The exercise's air vehicles stay within the scenario's bound (``MAX_AIR_VEHICLES``:
    memory and time grow with them; injects and raids would otherwise add without end)."""
    have = len(sim.w.vehicles)
    if have + n > MAX_AIR_VEHICLES:
        raise CommandError(f"{field}: the exercise has {have:,} air vehicles and may have at most "
                           f"{MAX_AIR_VEHICLES:,} (this would make {have + n:,})")


def _validated_route(sim: Simulation, t: float, cmd: dict[str, Any]) -> tuple[str, str, Route]:
    _room_for(sim, 1, "cmd")
    route = _model(Route, inject_route_data(cmd, t, sim.sc.assets, sim.sc.units), sim, "inject")
    side = str(cmd.get("side", "hostile"))
    if side not in ("hostile", "friendly"):
        raise CommandError(f"side: hostile or friendly (got {side!r})")
    name = str(cmd.get("name") or f"inject-{len(sim.w.vehicles) + 1:03d}")
    _free_name(sim, name)
    return name, side, route


def _free_name(sim: Simulation, name: str) -> None:
    """A vehicle's name must not be an asset's or a fire unit's (the picture, the report and
    a ``to:`` would mistake one for the other)."""
    if name in sim.sc.assets or name in sim.sc.units:
        raise CommandError(f"name: {name!r} is the name of "
                           f"{'an asset' if name in sim.sc.assets else 'a fire unit'}; "
                           "choose another")


def validate_command(sim: Simulation, t: float, cmd: Any) -> dict[str, Any]:
    """A simulation command checked against the running exercise; :class:`CommandError` if it
    cannot be applied. Returns it as it will be journaled."""
    if not isinstance(cmd, dict) or cmd.get("cmd") not in SIM_COMMANDS:
        raise CommandError(f"cmd: one of {', '.join(SIM_COMMANDS)} (got "
                           f"{cmd.get('cmd') if isinstance(cmd, dict) else cmd!r})")
    c = dict(cmd)
    kind = c["cmd"]
    if kind == "inject":
        _near(sim, c["from"], "from")
        if isinstance(c["to"], dict):
            _near(sim, c["to"], "to")
        _validated_route(sim, t, c)
    elif kind == "raid":
        for k, p in enumerate([c["from"], *c.get("via", [])]):
            _near(sim, p, "from" if k == 0 else f"via.{k - 1}")
        _raid_routes(sim, t, c)
    elif kind == "roe":
        _unit_index(sim, c.get("unit"))
        if c.get("roe") not in ROES:
            raise CommandError(f"roe: one of {', '.join(ROES)} (got {c.get('roe')!r})")
    elif kind in ("cut_link", "destroy_radar", "restore_radar"):
        k = _unit_index(sim, c.get("unit"))
        if kind != "cut_link" and c.get("radar") is not None:
            rs = sim.w.radars
            own = [rs.name[i] for i in np.flatnonzero(rs.unit == k)]
            if not any(c["radar"] in n for n in own):
                raise CommandError(f"radar: no radar {c['radar']!r} at {c['unit']} "
                                   f"(radars: {', '.join(own)})")
        if kind == "restore_radar" and not sim.w.units.alive[k]:
            raise CommandError(f"unit: {c['unit']} is out of action; restore_unit brings it "
                               "back with its radars")
        if kind == "restore_radar" and sim.w.radars.alive[_radars(sim, k, c)].all():
            raise CommandError(f"radar: nothing to restore at {c['unit']}: in action")
    elif kind == "restore_link":
        if not sim.live_auto[_unit_index(sim, c.get("unit"))]:
            raise CommandError(f"unit: the link of {c['unit']} was not cut (cut_link)")
    elif kind in ("emcon", "destroy_unit", "restore_unit"):
        k = _unit_index(sim, c.get("unit"))
        if kind == "destroy_unit" and not sim.w.units.alive[k]:
            raise CommandError(f"unit: {c['unit']} is out of action already")
        if kind == "restore_unit" and sim.w.units.alive[k]:
            raise CommandError(f"unit: {c['unit']} is in action")
    elif kind in ("approve", "deny"):
        try:
            aid = int(c.get("id"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise CommandError(f"id: an engagement id (got {c.get('id')!r})") from None
        if aid not in sim.awaiting:
            raise CommandError(f"id: no engagement {aid} is waiting for approval")
        c["id"] = aid
    elif kind == "external":
        p = _point({k: c.get(k) for k in ("lat", "lon", "alt")}, "external")
        v = c.get("vel_enu")
        if not (isinstance(v, list | tuple) and len(v) == 3
                and all(isinstance(x, int | float) and np.isfinite(x) for x in v)):
            raise CommandError(f"vel_enu: three finite numbers (got {v!r})")
        if float(np.linalg.norm(v)) > EXTERNAL_MAX_SPEED_MPS:
            raise CommandError(f"vel_enu: faster than {EXTERNAL_MAX_SPEED_MPS:g} m/s "
                               f"(got {float(np.linalg.norm(v)):.0f})")
        if not EXTERNAL_ALT_M[0] <= p["alt"] <= EXTERNAL_ALT_M[1]:
            raise CommandError(f"alt: between {EXTERNAL_ALT_M[0]:g} and "
                               f"{EXTERNAL_ALT_M[1]:g} m (got {p['alt']:g})")
        o = sim.sc.origin
        d = np.hypot((p["lat"] - o.lat) * 111e3,
                     (p["lon"] - o.lon) * 111e3 * np.cos(np.radians(o.lat)))
        if d > EXTERNAL_MAX_DISTANCE_M:
            raise CommandError(f"external: {d / 1e3:.0f} km from the scenario's origin (at "
                               f"most {EXTERNAL_MAX_DISTANCE_M / 1e3:g} km)")
        if str(c.get("force")) not in ("hostile", "friendly"):
            raise CommandError(f"force: hostile or friendly (got {c.get('force')!r})")
        typ = external_type(c)
        if typ not in sim.w.catalogue.air_vehicles:
            raise CommandError(f"type: no air vehicle type {typ!r} in the catalogue")
    elif kind == "external_remove":
        if str(c.get("id")) not in sim.external:
            raise CommandError(f"id: no external entity {c.get('id')!r}")
        c["why"] = str(c.get("why", ""))[:40]
    return c


def _near(sim: Simulation, p: dict[str, Any], what: str) -> None:
    """A point of an inject or a raid no further from the scenario's origin than
    ``INJECT_MAX_DISTANCE_M`` (a route across half the globe is no part of the exercise, and
    costs every later inject its length)."""
    d = distance_from_origin_m(sim.sc.origin, p)
    if d > INJECT_MAX_DISTANCE_M:
        raise CommandError(f"{what}: {d / 1e3:.0f} km from the scenario's origin (at most "
                           f"{INJECT_MAX_DISTANCE_M / 1e3:g} km)")


def _raid_routes(sim: Simulation, t: float, c: dict[str, Any]) -> list[tuple[str, str, Route]]:
    raid = _model(Raid, raid_data(c, t), sim, "raid")
    _room_for(sim, raid.count, "count")
    if raid.to not in sim.sc.assets and raid.to not in sim.sc.units:
        raise CommandError(f"to: no asset or unit named {raid.to!r}")
    name = str(c.get("name") or f"raid-{len(sim.w.vehicles) + 1:03d}")
    _free_name(sim, name)
    return [(f"{name}-{i + 1:02d}", "hostile", r)
            for i, r in enumerate(expand_raid(sim.sc, raid, sim.w.catalogue))]


def apply_command(sim: Simulation, t: float, role: str, cmd: dict[str, Any]) -> None:
    """Carry out a validated simulation command at ``t`` (the engine's
    ``command_handler``)."""
    kind = cmd["cmd"]
    sim.log.emit(t, "command", source=role, target=kind,
                 info=json.dumps(cmd, sort_keys=True, separators=(",", ":")))
    w = sim.w
    if kind in ("inject", "raid"):
        routes = [_validated_route(sim, t, cmd)] if kind == "inject" else \
            _raid_routes(sim, t, cmd)
        new = compile_vehicles(routes, w.catalogue, list(w.assets.name), list(w.units.name))
        for i, (name, _side, r) in zip(sim.add_vehicles(t, new), routes, strict=True):
            sim.log.emit(t, "inject", source=role, truth_id=int(i), target=r.type, info=name)
    elif kind == "roe":
        k = _unit_index(sim, cmd["unit"])
        w.units.roe[k] = ROES.index(cmd["roe"])
        sim.log.emit(t, "roe_change", source=cmd["unit"], target=cmd["roe"])
    elif kind in ("cut_link", "restore_link"):  # fire control logs link_lost / link_restored
        sim.live_auto[_unit_index(sim, cmd["unit"])] = kind == "cut_link"
    elif kind == "emcon":
        _emcon(sim, t, _unit_index(sim, cmd["unit"]), cmd["mode"])
    elif kind in ("destroy_radar", "restore_radar"):
        k = _unit_index(sim, cmd["unit"])
        rs = w.radars
        back = kind == "restore_radar"
        for i in _radars(sim, k, cmd):
            if rs.alive[i] != back and (w.units.alive[k] or not back):
                rs.alive[i] = back
                sim.log.emit(t, "radar_restored" if back else "radar_destroyed",
                             source=rs.name[i], info=cmd["unit"])
    elif kind in ("destroy_unit", "restore_unit"):
        k = _unit_index(sim, cmd["unit"])
        back = kind == "restore_unit"
        if w.units.alive[k] != back:  # as sim.effects puts a unit out of action
            w.units.alive[k] = back
            w.radars.alive[w.unit_radars[k]] = back
            sim.log.emit(t, "unit_restored" if back else "unit_destroyed", source=cmd["unit"],
                         pos_m=w.units.pos_m[k], info=f"by {role}")
    elif kind in ("approve", "deny"):
        sim.decide(t, int(cmd["id"]), kind == "approve", role)
    elif kind == "external":
        _external(sim, t, cmd)
    elif kind == "external_remove":
        key = str(cmd["id"])
        sim.remove_vehicle(t, sim.external.pop(key), f"{key} {cmd['why']}".strip())
    elif kind == "end":
        sim.log.emit(t, "end", value=t, info=f"ended by {role}")
        sim.finished = True


def _radars(sim: Simulation, k: int, cmd: dict[str, Any]) -> list[int]:
    """The radars of unit ``k`` a ``destroy_radar`` / ``restore_radar`` names: its engagement
    radar, or those whose name contains ``radar``."""
    rs, w = sim.w.radars, sim.w
    return [int(i) for i in np.flatnonzero(rs.unit == k)
            if cmd.get("radar") is None and i == w.engagement_radar[k]
            or cmd.get("radar") is not None and cmd["radar"] in rs.name[i]]


def _emcon(sim: Simulation, t: float, k: int, mode: str) -> None:
    """Emission control of unit ``k``'s engagement radar: ``cued`` hands it to fire control
    (``c2.system``: radiating while a non-friend is within the cue range or its missiles fly,
    switched at the next cycle); ``on`` / ``off`` set it now (an ``emission`` event if that
    changes it)."""
    w = sim.w
    w.emcon_cued[k] = mode == "cued"
    if mode == "cued":
        return
    i = int(w.engagement_radar[k])
    if bool(w.radars.emitting[i]) != (mode == "on"):
        w.radars.emitting[i] = mode == "on"
        sim.log.emit(t, "emission", source=w.radars.name[i], info=mode, tag=mode)


def _external(sim: Simulation, t: float, c: dict[str, Any]) -> None:
    """An ``external`` command: the entity joins (or comes back) as a vehicle on its
    dead-reckoned route, or an entity already here is re-routed onto its new one."""
    w = sim.w
    key = str(c["id"])
    tau, lat, lon, alt = dead_reckoned(w.origin, c)
    wp = (t + tau, lat, lon, alt)  # where it is now and where dead reckoning takes it
    i = sim.external.get(key, -1)
    if i >= 0 and not w.vehicles.alive[i]:
        return  # shot down here: what its simulator says of it no longer matters
    if i < 0 or sim.ended[i]:  # new, or back after its route ran out
        typ = external_type(c)
        # the catalogue type gives the signature; the motion is the other simulator's, so the
        # row is compiled from a nominal route and then given the dead-reckoned one
        nominal = _model(Route, {"type": typ, "start": t, "waypoints": [
            {"lat": 0.01 * k, "lon": 0.0, "alt": 1000.0} for k in range(2)]}, sim, "external")
        new = compile_vehicles([(f"dis:{key}", str(c["force"]), nominal)], w.catalogue,
                               list(w.assets.name), list(w.units.name))
        new.set_route(0, *wp)
        new.t_start_s[0] = wp[0][0]
        i = int(sim.add_vehicles(t, new)[0])
        sim.external[key] = i
        sim.log.emit(t, "external_entity", truth_id=i, target=typ, info=key)
        return
    sim.move_vehicle(t, i, *wp)

