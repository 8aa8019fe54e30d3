"""DIS for a live exercise: its entities, fires and detonations out; other simulators' entities
in (IEEE 1278.1).

Out (``--dis HOST:PORT``, unicast, multicast or broadcast: the socket has ``SO_BROADCAST``):
Entity State PDUs for every live entity — the fire units (land platforms, damaged when a radar
is destroyed, destroyed when the unit is), the air vehicles and the interceptors in flight — at
the heartbeat (``DIS_HEARTBEAT_S`` of wall time, paused or not), whenever dead reckoning from
the last one sent errs by more than ``DIS_DR_THRESHOLD_M`` in simulated time or the appearance
changes (frozen, bit 21, while the exercise is paused), and one last PDU marked deactivated
(and destroyed, if killed) at the entity's final position when it leaves — and, when the
exercise ends, for every entity still sent, where it is then; a Fire PDU at every
launch (shooter: the fire unit's entity) and a Detonation PDU at every intercept (its outcome
from the event's ``tag``), with the same event number. Entity numbers come from one map
(``DIS_ENTITY_MAX`` at most at once; numbers are reused only after the counter wraps; an entity
with no free number is not sent, and counted).

In (``--dis-listen [HOST:]PORT``; HOST: the server's own by default): Entity State PDUs from
other simulators — of exercise ``dis_exercise`` only, if set (``--dis-exercise N``; our own PDUs
then carry that exercise id, 1 otherwise): each becomes an ``external`` command (journaled like
any other; its route is its dead reckoning, ``sim.external``). Bounds, so that nothing on the
network can flood the journal: updates of one entity closer than ``DIS_MIN_UPDATE_S``
(simulated) and anything beyond ``DIS_RATE_PER_S`` commands a second (burst ``DIS_BURST``) are
dropped (``dis_throttled``), a new entity beyond ``DIS_MAX_EXTERNAL`` is refused
(``dis_refused``). An entity that arrives deactivated (appearance bit 23), or that is not heard
for ``DIS_TIMEOUT_S`` of wall time, leaves by an ``external_remove`` command. A datagram that is
not a PDU is counted and dropped.

Every count is in the server's ``stats`` (``/api/stats``). The bridge reads the exercise through
its public interface and the event rows; the events of the commands it sends go to
``publish`` (the server sends them to its clients and back here for Fire and Detonation PDUs).
"""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from skyshield.engine.names import CATEGORIES
from skyshield.io import dis
from skyshield.sim.commands import CommandError
from skyshield.sim.live import LiveExercise

__all__ = ["DISBridge", "DIS_ENTITY_MAX", "DIS_HEARTBEAT_S", "DIS_TIMEOUT_S", "real_entity_id"]

DIS_HEARTBEAT_S = 5.0  # IEEE 1278.1 default entity-state heartbeat (wall time)
DIS_DR_THRESHOLD_M = 1.0  # IEEE 1278.1 default position threshold
DIS_TIMEOUT_S = 12.0  # IEEE 1278.1 default entity-state time-out (2.4 heartbeats, wall time)
DIS_MIN_UPDATE_S = 0.5  # an external entity's updates closer than this (simulated) are dropped
DIS_MAX_EXTERNAL = 200  # assumed: other simulators' entities in the exercise at once
DIS_RATE_PER_S, DIS_BURST = 50.0, 200  # assumed: external commands a wall second, burst
# IEEE 1278.1 entity numbers: 0 is NO_ENTITY, 0xFFFE RQST_ASSIGN_ID, 0xFFFF ALL_ENTITIES
DIS_ENTITY_MAX = 0xFFFD
DIS_SITE, DIS_APP = 1, 0x5353  # "SS": skyshield's application number (assumed)


def real_entity_id(site_app_entity: tuple[int, int, int]) -> bool:
    """Whether a DIS entity id names one entity. IEEE 1278.1-2012 §6.2.28 (Entity Identifier):
    0 in a field is NO_SITE / NO_APPLIC / NO_ENTITY, 0xFFFF is ALL_SITES / ALL_APPLIC /
    ALL_ENTITIES, and an entity number 0xFFFE is RQST_ASSIGN_ID — none of them an entity."""
    site, app, entity = site_app_entity
    return 0 < site < 0xFFFF and 0 < app < 0xFFFF and 0 < entity < 0xFFFE
# SISO-REF-010 entity types (kind, domain, country, category): a fire unit is a platform (1),
# land (1), country other (0), category 28 "Air Defense / Missile Defense Unit Equipment"; our
# interceptors are munitions (2) of domain 1 "Anti-Air", category 1 "Guided"; anti-radiation
# missiles domain 4 "Anti-Radar"; land-attack cruise missiles domain 9 "Battlefield Support",
# where SISO-REF-010 v28 puts the conventional Tomahawks (BGM-109D TLAM-D 2.9.225.1.19.2,
# TACTOM BGM-109E 2.9.225.1.19.5; only the nuclear TLAM-N is "Strategic", 10); aircraft and
# UAVs platforms (1) of domain 2 "Air", category 1 (assumed: no finer class is known here)
DIS_AIR_DEFENCE_UNIT = dis.EntityType(1, 1, 0, 28)
DIS_INTERCEPTOR = dis.EntityType(2, 1, 0, 1)
DIS_ARM = dis.EntityType(2, 4, 0, 1)
DIS_CRUISE_MISSILE = dis.EntityType(2, 9, 0, 1)
DIS_AIR_PLATFORM = dis.EntityType(1, 2, 0, 1)
DIS_GUN_ROUND = dis.EntityType(2, 1, 0, 2)  # munition, anti-air, category 2 "Ballistic"
# IEEE 1278.1 general appearance record: damage in bits 3-4, frozen in bit 21, state
# (deactivated) in bit 23
DIS_MODERATE_DAMAGE, DIS_DESTROYED = 2 << 3, 3 << 3
DIS_FROZEN, DIS_DEACTIVATED = 1 << 21, 1 << 23


@dataclass
class DISBridge:
    """The DIS sockets and entity map of one exercise (module docstring). Every method but
    :meth:`receive` expects the caller to hold the exercise's lock."""

    ex: LiveExercise
    stats: dict[str, int]  # the server's counters (dis_*)
    publish: Callable[[list[dict[str, Any]]], None]  # events of a command sent from DIS
    target: tuple[str, int] | None = None
    exercise: int | None = None  # take only PDUs of this exercise (all if None); ours too
    clock: Callable[[], float] = time.monotonic  # wall clock of heartbeat, time-out, rate
    sock: socket.socket | None = None
    # key -> (t simulated, t wall, position, velocity, force, type, marking, appearance) of the
    # last Entity State PDU sent
    last: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)  # key -> DIS entity number
    _used: set[int] = field(default_factory=set)
    _next: int = 1
    _final: dict[str, np.ndarray] = field(default_factory=dict)  # key -> where it left
    _seen: dict[str, float] = field(default_factory=dict)  # entity id -> last update t
    _heard: dict[str, float] = field(default_factory=dict)  # entity id -> wall t heard
    _tokens: float = float(DIS_BURST)
    _tokens_t: float | None = None

    def __post_init__(self) -> None:
        now = self.clock()  # the entities of a resumed exercise: heard now, timed out if silent
        sim = self.ex.sim
        for eid, i in sim.external.items():
            if not sim.ended[i] and sim.w.vehicles.alive[i]:
                self._heard[eid] = now

    def open(self) -> None:
        if self.target is not None and self.sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # a broadcast address needs SO_BROADCAST (without it sendto fails with EACCES);
            # unicast and multicast are not affected
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            self.sock = sock

    @property
    def exercise_id(self) -> int:
        """The exercise our PDUs belong to: ``exercise``, 1 if none is set."""
        return 1 if self.exercise is None else self.exercise

    def send(self, pdu: dis.PDU) -> None:
        """Send one PDU. Never raises: a PDU that does not encode or a socket error is counted
        (``dis_send_errors``) and the exercise goes on."""
        if self.sock is None or self.target is None:
            return
        try:
            self.sock.sendto(dis.encode(pdu), self.target)
        except (OSError, ValueError, TypeError, OverflowError, struct.error):
            self.stats["dis_send_errors"] += 1
            return
        self.stats["dis_sent"] += 1

    def number(self, key: str, allocate: bool = True) -> int:
        """The DIS entity number of ``key`` (``u``nit, ``v``ehicle truth id, ``w``eapon id),
        allocated from the one map if ``allocate``: the next free number after the last one
        given, wrapping at ``DIS_ENTITY_MAX``; 0 (no entity) if there is none."""
        n = self.numbers.get(key)
        if n is not None or not allocate:
            return n or 0
        if len(self._used) >= DIS_ENTITY_MAX:
            self.stats["dis_unnumbered"] += 1
            return 0
        n = self._next
        while n in self._used:
            n = n % DIS_ENTITY_MAX + 1
        self._next = n % DIS_ENTITY_MAX + 1
        self.numbers[key] = n
        self._used.add(n)
        return n

    def release(self, key: str) -> None:
        n = self.numbers.pop(key, None)
        if n is not None:
            self._used.discard(n)

    def tick(self) -> None:
        """What the clock does for DIS at every tick, paused or not: Entity State PDUs and the
        time-out of silent external entities."""
        if not self.ex.ended or self.last:
            self._entities()  # once more when the exercise has ended: the last word
        self._expire()

    def _entities(self) -> None:
        """Entity State PDUs: heartbeat (wall clock), dead reckoning beyond the threshold
        (simulated time), and a change of appearance (a fire unit damaged or destroyed, the
        exercise paused or resumed) at once; an entity that leaves the exercise (killed,
        landed, a spent interceptor) gets one last PDU marked deactivated, destroyed if it was
        killed, where it left. When the exercise has ended, every entity still sent gets its
        last PDU, marked deactivated, where it is, and nothing is sent after that."""
        if self.sock is None:
            return
        sim, t, wall = self.ex.sim, self.ex.t, self.clock()
        w = sim.w
        frozen = DIS_FROZEN if self.ex.paused else 0
        pos, vel, _, present = sim.state(t)
        # (key, position, velocity, force, type, marking, appearance)
        ent: list[tuple[str, np.ndarray, np.ndarray, int, dis.EntityType, str, int]] = []
        u, rs = w.units, w.radars
        for k, name in enumerate(u.name):
            damage = (DIS_DESTROYED if not u.alive[k] else
                      DIS_MODERATE_DAMAGE if not rs.alive[w.unit_radars[k]].all() else 0)
            ent.append((f"u{k}", u.pos_m[k], np.zeros(3), 1, DIS_AIR_DEFENCE_UNIT, name[:11],
                        damage | frozen))
        for i in np.flatnonzero(present):
            if w.vehicles.name[i].startswith("dis:"):
                continue  # it is another simulator's entity
            cat = CATEGORIES[w.vehicles.category[i]]
            et = (DIS_CRUISE_MISSILE if cat == "cruise_missile" else
                  DIS_ARM if cat == "anti_radiation_missile" else DIS_AIR_PLATFORM)
            force = (2, 1, 3)[int(w.vehicles.side[i])]  # DIS force id: opposing, friendly, neutral
            ent.append((f"v{i}", pos[i], vel[i], force, et,
                        w.vehicles.name[i][:11], frozen))
        ic = sim.icpt
        for r in ic.in_flight():
            ent.append((f"w{ic.weapon_id[r]}", ic.state.pos_m[r], ic.state.vel_mps[r], 1,
                        DIS_INTERCEPTOR, w.missiles.name[ic.missile[r]][:11], frozen))
        # entities sent before and gone now: their last word, where they left
        now = {e[0] for e in ent}
        for key in [k for k in self.last if k not in now]:
            _, _, p0, _, force, et, mark, _ = self.last.pop(key)
            killed = key.startswith("v") and not w.vehicles.alive[int(key[1:])]
            p_end = self._final.get(key, p0)
            num = self.number(key, allocate=False)
            if num:
                self._send_entity(num, p_end, np.zeros(3), force, et, mark, DIS_DEACTIVATED | (
                    DIS_DESTROYED if killed else 0) | frozen, t)
        if self.ex.ended:  # every entity still sent leaves with the exercise
            for key, p, _v, force, et, mark, app in ent:
                num = self.number(key, allocate=False)
                if key in self.last and num:
                    self._send_entity(num, p, np.zeros(3), force, et, mark,
                                      app | DIS_DEACTIVATED, t)
            ent, now = [], set()
            self.last.clear()
        for key, p, v, force, et, mark, app in ent:
            num = self.number(key)
            if not num:
                continue  # no free entity number: not on the network (counted)
            last = self.last.get(key)
            if last is not None:
                t0, wall0, p0, v0, app0 = last[0], last[1], last[2], last[3], last[7]
                err = float(np.linalg.norm(p0 + v0 * (t - t0) - p))
                if wall - wall0 < DIS_HEARTBEAT_S and err <= DIS_DR_THRESHOLD_M and app == app0:
                    continue
            self.last[key] = (t, wall, p.copy(), v.copy(), force, et, mark, app)
            self._send_entity(num, p, v, force, et, mark, app, t)
        for key in [k for k in self.numbers if k not in now]:
            self.release(key)  # gone (or a number a Fire PDU took for nothing in flight)
        self._final.clear()

    def _send_entity(self, num: int, p: np.ndarray, v: np.ndarray, force: int,
                     et: dis.EntityType, mark: str, appearance: int, t: float) -> None:
        # p, v in the scenario's ENU frame -> ECEF location, ECEF velocity, orientation
        loc, vel, ori = dis.entity_kinematics(p, v, self.ex.sim.w.origin)
        self.send(dis.EntityState(
            dis.EntityID(DIS_SITE, DIS_APP, num), force, et, vel, loc, ori, mark,
            appearance=appearance, dead_reckoning=1 if not v.any() else 2,
            exercise_id=self.exercise_id, timestamp=dis.dis_timestamp(t)))

    def _target_id(self, truth_id: int) -> dis.EntityID:
        """The DIS id of an air vehicle: another simulator's own id for its entities."""
        v = self.ex.sim.w.vehicles
        if 0 <= truth_id < len(v.name) and v.name[truth_id].startswith("dis:"):
            site, app, num = (int(x) for x in v.name[truth_id][4:].split(":"))
            return dis.EntityID(site, app, num)
        return dis.EntityID(DIS_SITE, DIS_APP, self.number(f"v{truth_id}", allocate=False)
                            if truth_id >= 0 else 0)

    def events(self, events: list[dict[str, Any]]) -> None:
        """Fire and Detonation PDUs; where entities left (for their last Entity State PDU)."""
        if self.sock is None:
            return
        w = self.ex.sim.w
        mt = w.missiles
        for e in events:
            kind = e["kind"]
            if e["x_m"] is None:
                continue
            where = np.array([e["x_m"], e["y_m"], e["z_m"]], dtype=float)
            if kind in ("kill", "route_end", "leak", "external_removed") and e["truth_id"] >= 0:
                self._final[f"v{e['truth_id']}"] = where
            elif kind in ("intercept", "interceptor_lost") and e["weapon_id"] > 0:
                self._final[f"w{e['weapon_id']}"] = where
            if kind not in ("launch", "intercept"):
                continue
            loc = dis.entity_location(where, w.origin)  # scenario ENU -> ECEF
            shooter = dis.EntityID(DIS_SITE, DIS_APP, self.number(
                f"u{w.units.name.index(e['source'])}") if e["source"] in w.units.name else 0)
            gun = e["target"] in mt.name and bool(mt.is_gun[mt.name.index(e["target"])])
            wkey = f"w{e['weapon_id']}"
            # a gun burst is not an entity of its own (munition id 0: not tracked)
            munition = dis.EntityID(DIS_SITE, DIS_APP, 0 if gun else self.number(
                wkey, allocate=kind == "launch"))
            event = dis.EntityID(DIS_SITE, DIS_APP, (int(e["weapon_id"]) - 1) % 0xFFFF + 1)
            mtype = DIS_GUN_ROUND if gun else DIS_INTERCEPTOR
            target = self._target_id(int(e["truth_id"]))
            if kind == "launch":
                self.send(dis.Fire(shooter, target, munition, event, loc, mtype, (0.0, 0.0, 0.0),
                                    float(e["value"] or 0.0), exercise_id=self.exercise_id,
                                    timestamp=dis.dis_timestamp(e["t_s"])))
            else:
                hit = e["tag"] == "hit"
                self.send(dis.Detonation(shooter, target, munition, event, (0.0, 0.0, 0.0),
                                          loc, mtype, result=1 if hit else 5,
                                          exercise_id=self.exercise_id,
                                          timestamp=dis.dis_timestamp(e["t_s"])))

    def _token(self, now: float) -> bool:
        """The global rate limit on external commands: a token bucket of ``DIS_BURST``
        refilled at ``DIS_RATE_PER_S`` a wall second."""
        if self._tokens_t is not None:
            self._tokens = min(float(DIS_BURST), self._tokens
                                   + max(now - self._tokens_t, 0.0) * DIS_RATE_PER_S)
        self._tokens_t = now
        if self._tokens < 1.0:
            return False
        self._tokens -= 1.0
        return True

    def _command(self, cmd: dict[str, Any]) -> bool:
        """An external command from DIS, journaled and applied; False if refused (counted)."""
        try:
            res = self.ex.command("system:dis", cmd)
        except CommandError:
            self.stats["dis_dropped"] += 1
            return False
        except Exception:  # noqa: BLE001 - another simulator's bytes never stop the exercise
            self.stats["dis_dropped"] += 1
            self.stats["dis_errors"] += 1
            return False
        if res["events"]:
            self.publish(res["events"])
        return True

    def _expire(self) -> None:
        """External entities not heard for ``DIS_TIMEOUT_S`` of wall time leave (journaled);
        not while frozen or held (the exercise takes no command), at once after."""
        if not self._heard or self.ex.frozen or self.ex.ended or self.ex.held is not None:
            return
        now = self.clock()
        for eid in [e for e, t0 in self._heard.items() if now - t0 > DIS_TIMEOUT_S]:
            del self._heard[eid]
            self._seen.pop(eid, None)
            if eid in self.ex.sim.external and self._command(
                    {"cmd": "external_remove", "id": eid, "why": "timed out"}):
                self.stats["dis_removed"] += 1

    def receive(self, data: bytes) -> None:
        """One datagram from another simulator (never raises; at most one journaled command)."""
        with self.ex.lock:
            self._receive(data)

    def _receive(self, data: bytes) -> None:
        self.stats["dis_received"] += 1
        try:
            pdu = dis.decode(data)
        except dis.DISError:
            self.stats["dis_dropped"] += 1
            return
        if not isinstance(pdu, dis.EntityState) or (pdu.entity_id.site, pdu.entity_id.application
                                                     ) == (DIS_SITE, DIS_APP):
            return  # fires and detonations of others, or our own echo
        if self.exercise is not None and pdu.exercise_id != self.exercise:
            self.stats["dis_other_exercise"] += 1
            return
        if not real_entity_id(pdu.entity_id.tup()):
            self.stats["dis_reserved_id"] += 1
            return
        eid = ":".join(map(str, pdu.entity_id.tup()))
        now = self.clock()
        if pdu.appearance & DIS_DEACTIVATED:  # its simulator took it out
            self._heard.pop(eid, None)
            self._seen.pop(eid, None)
            if eid in self.ex.sim.external and self._command(
                    {"cmd": "external_remove", "id": eid, "why": "deactivated"}):
                self.stats["dis_removed"] += 1
            return
        # ECEF -> geodetic (radians) and the velocity in the scenario's ENU frame
        lat, lon, alt, v_enu = dis.entity_local(pdu.location_m, pdu.velocity_mps,
                                                self.ex.sim.w.origin)
        if not (np.isfinite(lat) and np.isfinite(lon) and -1e4 < alt < 1e5):
            self.stats["dis_dropped"] += 1
            return
        known = eid in self._heard
        if not known and len(self._heard) >= DIS_MAX_EXTERNAL:
            self.stats["dis_refused"] += 1
            return
        if known:
            self._heard[eid] = now  # alive, even if this update is not taken
        last = self._seen.get(eid)
        if (last is not None and self.ex.t - last < DIS_MIN_UPDATE_S) or not self._token(now):
            self.stats["dis_throttled"] += 1  # more than the exercise needs: not journaled
            return
        cmd = {"cmd": "external", "id": eid,
               "force": "hostile" if pdu.force_id == 2 else "friendly",
               "kind": "munition" if pdu.entity_type.kind == 2 else "platform",
               "lat": float(np.degrees(lat)), "lon": float(np.degrees(lon)), "alt": float(alt),
               "vel_enu": [float(x) for x in v_enu]}
        if self._command(cmd):
            self._heard[eid] = now
            self._seen[eid] = self.ex.t
