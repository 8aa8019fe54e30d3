"""Distributed Interactive Simulation (IEEE 1278.1-2012, protocol version 7): the three PDUs
the live exercise exchanges, encoded and decoded here (big-endian, fixed layouts), and
cross-checked byte for byte against the ``opendis`` package in the tests.

* **Entity State PDU** (type 1, family 1 Entity Information), 144 bytes without variable
  parameters: header, entity ID (site, application, entity), force ID, entity type and
  alternative type (kind, domain, country, category, subcategory, specific, extra), linear
  velocity (3 × float32, m/s, world coordinates), location (3 × float64, m, geocentric
  WGS 84 / ECEF), orientation (ψ, θ, φ float32, rad, Euler angles in world coordinates),
  appearance (uint32), dead-reckoning parameters (algorithm, 15 other bytes, linear
  acceleration, angular velocity), marking (character set + 11 bytes), capabilities.
* **Fire PDU** (type 2, family 2 Warfare), 96 bytes: firing, target and munition entity IDs,
  event ID, fire mission index, location, munition descriptor (entity type, warhead, fuse,
  quantity, rate), velocity, range.
* **Detonation PDU** (type 3, family 2), 104 bytes without variable parameters: firing, target
  and exploding entity IDs, event ID, velocity, location, descriptor, location in entity
  coordinates, detonation result, number of variable parameters, padding.

Header (12 bytes): protocol version, exercise ID, PDU type, protocol family, timestamp,
length, PDU status, padding. The timestamp is DIS "relative" time: units of 3600 s / 2³¹ past
the hour, shifted left one bit, the low bit 0.

:func:`decode` never raises anything but :class:`DISError` for a datagram it cannot accept
(short, wrong version or type, inconsistent length, non-finite numbers): a live server counts
and drops those.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np

from skyshield.geo import (
    ecef_to_geodetic,
    ecef_velocity_to_enu,
    enu_rotation,
    enu_to_ecef,
    enu_velocity_to_ecef,
    geodetic_to_ecef,
)

__all__ = ["EntityID", "EntityType", "EntityState", "Fire", "Detonation", "DISError",
           "encode", "decode", "dis_timestamp", "orientation_from_enu", "PROTOCOL_VERSION",
           "enu_to_ecef_rotation", "orientation_from_ecef", "to_ecef", "from_ecef",
           "entity_location", "entity_kinematics", "entity_local"]

PROTOCOL_VERSION = 7
ENTITY_STATE, FIRE, DETONATION = 1, 2, 3
FAMILY = {ENTITY_STATE: 1, FIRE: 2, DETONATION: 2}
_HDR = struct.Struct(">BBBBIHBB")
_ID = ">HHH"
_TYPE = "BBHBBBB"
_ES = struct.Struct(">" + _ID[1:] + "BB" + _TYPE + _TYPE + "fff" + "ddd" + "fff" + "I" +
                    "B15s" + "fff" + "fff" + "B11s" + "I")
_DESC = _TYPE + "HHHH"
_FIRE = struct.Struct(">" + _ID[1:] * 4 + "I" + "ddd" + _DESC + "fff" + "f")
_DET = struct.Struct(">" + _ID[1:] * 4 + "fff" + "ddd" + _DESC + "fff" + "BBH")
_VP = 16  # bytes of one variable parameter record


class DISError(ValueError):
    """A datagram that is not a PDU this codec accepts (the message says why)."""


@dataclass(frozen=True)
class EntityID:
    site: int = 0
    application: int = 0
    entity: int = 0

    def tup(self) -> tuple[int, int, int]:
        return (self.site, self.application, self.entity)


@dataclass(frozen=True)
class EntityType:
    kind: int = 0
    domain: int = 0
    country: int = 0
    category: int = 0
    subcategory: int = 0
    specific: int = 0
    extra: int = 0

    def tup(self) -> tuple[int, ...]:
        return (self.kind, self.domain, self.country, self.category, self.subcategory,
                self.specific, self.extra)


@dataclass(frozen=True)
class EntityState:
    entity_id: EntityID
    force_id: int  # 1 friendly, 2 opposing, 3 neutral
    entity_type: EntityType
    velocity_mps: tuple[float, float, float]  # ECEF
    location_m: tuple[float, float, float]  # ECEF
    orientation_rad: tuple[float, float, float]  # psi, theta, phi
    marking: str = ""
    appearance: int = 0
    dead_reckoning: int = 2  # DRM(F, P, W): constant velocity
    capabilities: int = 0
    alternative_type: EntityType = field(default_factory=EntityType)
    exercise_id: int = 1
    timestamp: int = 0
    variable_parameters: bytes = b""  # n × 16 bytes, kept as received


@dataclass(frozen=True)
class Fire:
    firing_id: EntityID
    target_id: EntityID
    munition_id: EntityID
    event_id: EntityID  # (site, application, event number)
    location_m: tuple[float, float, float]
    munition_type: EntityType
    velocity_mps: tuple[float, float, float]
    range_m: float
    fire_mission_index: int = 0
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0
    exercise_id: int = 1
    timestamp: int = 0


@dataclass(frozen=True)
class Detonation:
    firing_id: EntityID
    target_id: EntityID
    exploding_id: EntityID
    event_id: EntityID
    velocity_mps: tuple[float, float, float]
    location_m: tuple[float, float, float]
    munition_type: EntityType
    location_entity_m: tuple[float, float, float] = (0.0, 0.0, 0.0)
    result: int = 0  # 0 other, 1 entity impact, 5 detonation (no impact), ...
    warhead: int = 0
    fuse: int = 0
    quantity: int = 1
    rate: int = 0
    exercise_id: int = 1
    timestamp: int = 0
    variable_parameters: bytes = b""


PDU = EntityState | Fire | Detonation


def dis_timestamp(t_s: float, absolute: bool = False) -> int:
    """DIS timestamp of a time in seconds past the hour (units of 3600/2³¹ s, the low bit 1
    for absolute time)."""
    units = int((t_s % 3600.0) / 3600.0 * 2**31) & 0x7FFFFFFF
    return (units << 1) | (1 if absolute else 0)


def _header(pdu_type: int, exercise: int, timestamp: int, length: int) -> bytes:
    return _HDR.pack(PROTOCOL_VERSION, exercise & 0xFF, pdu_type, FAMILY[pdu_type],
                     timestamp & 0xFFFFFFFF, length, 0, 0)


def _marking(s: str) -> bytes:
    return s.encode("ascii", "replace")[:11].ljust(11, b"\0")


def encode(p: PDU) -> bytes:
    """The PDU's bytes."""
    if isinstance(p, EntityState):
        vp = p.variable_parameters
        if len(vp) % _VP or len(vp) // _VP > 255:
            raise DISError("variable parameters must be whole 16-byte records (at most 255)")
        body = _ES.pack(*p.entity_id.tup(), p.force_id, len(vp) // _VP, *p.entity_type.tup(),
                        *p.alternative_type.tup(), *p.velocity_mps, *p.location_m,
                        *p.orientation_rad, p.appearance, p.dead_reckoning, b"\0" * 15,
                        0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1, _marking(p.marking), p.capabilities)
        return _header(ENTITY_STATE, p.exercise_id, p.timestamp,
                       _HDR.size + len(body) + len(vp)) + body + vp
    if isinstance(p, Fire):
        body = _FIRE.pack(*p.firing_id.tup(), *p.target_id.tup(), *p.munition_id.tup(),
                          *p.event_id.tup(), p.fire_mission_index, *p.location_m,
                          *p.munition_type.tup(), p.warhead, p.fuse, p.quantity, p.rate,
                          *p.velocity_mps, p.range_m)
        return _header(FIRE, p.exercise_id, p.timestamp, _HDR.size + len(body)) + body
    if isinstance(p, Detonation):
        vp = p.variable_parameters
        if len(vp) % _VP or len(vp) // _VP > 255:
            raise DISError("variable parameters must be whole 16-byte records (at most 255)")
        body = _DET.pack(*p.firing_id.tup(), *p.target_id.tup(), *p.exploding_id.tup(),
                         *p.event_id.tup(), *p.velocity_mps, *p.location_m,
                         *p.munition_type.tup(), p.warhead, p.fuse, p.quantity, p.rate,
                         *p.location_entity_m, p.result, len(vp) // _VP, 0)
        return _header(DETONATION, p.exercise_id, p.timestamp,
                       _HDR.size + len(body) + len(vp)) + body + vp
    raise TypeError(f"not a PDU: {type(p).__name__}")


def _finite(*xs: float) -> None:
    if not all(math.isfinite(x) for x in xs):
        raise DISError("non-finite number in the PDU")


def decode(data: bytes) -> PDU:
    """The PDU in a datagram; :class:`DISError` for anything else (module docstring)."""
    if len(data) < _HDR.size:
        raise DISError(f"datagram of {len(data)} bytes is shorter than a PDU header")
    ver, ex, typ, fam, ts, length, _status, _pad = _HDR.unpack_from(data)
    if ver != PROTOCOL_VERSION:
        raise DISError(f"protocol version {ver}, not {PROTOCOL_VERSION}")
    if typ not in FAMILY:
        raise DISError(f"PDU type {typ} is not handled (entity state, fire, detonation)")
    if fam != FAMILY[typ]:
        raise DISError(f"PDU type {typ} in protocol family {fam}")
    if length != len(data):
        raise DISError(f"length field {length} but the datagram has {len(data)} bytes")
    o = _HDR.size
    if typ == ENTITY_STATE:
        if len(data) < o + _ES.size:
            raise DISError("entity state PDU too short")
        f = _ES.unpack_from(data, o)
        n_vp = f[4]
        if len(data) != o + _ES.size + n_vp * _VP:
            raise DISError(f"entity state PDU with {n_vp} variable parameters has the wrong "
                           "length")
        vel, loc, ori = f[19:22], f[22:25], f[25:28]
        _finite(*vel, *loc, *ori)
        mark = f[38].split(b"\0", 1)[0].decode("ascii", "replace")
        return EntityState(EntityID(*f[0:3]), f[3], EntityType(*f[5:12]), vel, loc, ori,
                           mark, f[28], f[29], f[39], EntityType(*f[12:19]), ex, ts,
                           bytes(data[o + _ES.size:]))
    if typ == FIRE:
        if len(data) != o + _FIRE.size:
            raise DISError("fire PDU of the wrong length")
        f = _FIRE.unpack_from(data, o)
        loc, vel = f[13:16], f[27:30]
        _finite(*loc, *vel, f[30])
        return Fire(EntityID(*f[0:3]), EntityID(*f[3:6]), EntityID(*f[6:9]), EntityID(*f[9:12]),
                    loc, EntityType(*f[16:23]), vel, f[30], f[12], f[23], f[24], f[25], f[26],
                    ex, ts)
    if len(data) < o + _DET.size:
        raise DISError("detonation PDU too short")
    f = _DET.unpack_from(data, o)
    n_vp = f[33]
    if len(data) != o + _DET.size + n_vp * _VP:
        raise DISError(f"detonation PDU with {n_vp} variable parameters has the wrong length")
    vel, loc, loc_e = f[12:15], f[15:18], f[29:32]
    _finite(*vel, *loc, *loc_e)
    return Detonation(EntityID(*f[0:3]), EntityID(*f[3:6]), EntityID(*f[6:9]),
                      EntityID(*f[9:12]), vel, loc, EntityType(*f[18:25]), loc_e, f[32],
                      f[25], f[26], f[27], f[28], ex, ts, bytes(data[o + _DET.size:]))


# --- geometry: the scenario's ENU frame to DIS world coordinates and back -------------------
#
# Every angle here is in radians (as in ``skyshield.geo``); ``origin`` is the scenario's local
# frame, ``World.origin`` = (lat0_rad, lon0_rad, h0_m). Positions and velocities inside the
# exercise are in that one ENU frame; DIS carries ECEF (WGS 84) positions and velocities.

def enu_to_ecef_rotation(lat_rad: float, lon_rad: float) -> np.ndarray:
    """Columns: east, north, up unit vectors in ECEF at (lat, lon), radians; the transpose of
    :func:`skyshield.geo.enu_rotation`."""
    return np.asarray(enu_rotation(lat_rad, lon_rad), dtype=float).T


def orientation_from_ecef(lat_rad: float, lon_rad: float, vel_ecef: np.ndarray
                          ) -> tuple[float, float, float]:
    """DIS Euler angles (ψ, θ, φ) of a body at geodetic (lat, lon) (radians) flying along the
    ECEF vector ``vel_ecef`` wings level: the body x axis along the velocity, y to the right in
    the local horizontal, z down; ψ, θ, φ the Z-Y-X rotations from the ECEF axes (IEEE 1278.1
    §1.3.2; Kok, "Using the DIS orientation angles"). At rest: facing north, level."""
    R = enu_to_ecef_rotation(lat_rad, lon_rad)
    v = np.asarray(vel_ecef, dtype=float)
    if np.linalg.norm(v) < 1e-9:
        v = R[:, 1]  # at rest: facing north
    x = v / np.linalg.norm(v)
    up = R[:, 2]
    y = np.cross(x, up)
    y = y / max(np.linalg.norm(y), 1e-12) if np.linalg.norm(y) > 1e-9 else R[:, 0]
    psi = math.atan2(x[1], x[0])
    theta = math.asin(max(-1.0, min(1.0, -x[2])))
    y0 = np.array([-math.sin(psi), math.cos(psi), 0.0])
    z0 = np.array([math.sin(theta) * math.cos(psi), math.sin(theta) * math.sin(psi),
                   math.cos(theta)])
    phi = math.atan2(float(y @ z0), float(y @ y0))
    return (psi, theta, phi)


def orientation_from_enu(lat_rad: float, lon_rad: float, vel_enu: np.ndarray
                         ) -> tuple[float, float, float]:
    """:func:`orientation_from_ecef` of a velocity given in the LOCAL east-north-up frame at
    (lat, lon) (radians)."""
    v = np.asarray(vel_enu, dtype=float)
    return orientation_from_ecef(lat_rad, lon_rad,
                                 enu_to_ecef_rotation(lat_rad, lon_rad) @ v)


def to_ecef(lat_rad: float, lon_rad: float, alt_m: float) -> tuple[float, float, float]:
    """ECEF (WGS 84) position, metres, of geodetic latitude and longitude in RADIANS and
    ellipsoidal height in metres."""
    x, y, z = (float(c) for c in np.asarray(geodetic_to_ecef(lat_rad, lon_rad, alt_m)).ravel())
    return (x, y, z)


def from_ecef(xyz: tuple[float, float, float]) -> tuple[float, float, float]:
    """(lat_rad, lon_rad, h_m) of an ECEF (WGS 84) position: RADIANS."""
    lat, lon, alt = ecef_to_geodetic(np.asarray(xyz, dtype=float))
    return (float(lat), float(lon), float(alt))


def _triple(a: np.ndarray) -> tuple[float, float, float]:
    x, y, z = (float(c) for c in np.ravel(a))
    return (x, y, z)


def entity_location(pos_enu_m: np.ndarray, origin: tuple[float, float, float]
                    ) -> tuple[float, float, float]:
    """DIS location (ECEF, WGS 84, metres) of a point of the scenario's ENU frame about
    ``origin`` (lat0_rad, lon0_rad, h0_m): r = r0 + Cᵀ·enu (``skyshield.geo.enu_to_ecef``)."""
    return _triple(enu_to_ecef(np.asarray(pos_enu_m, dtype=float), *origin))


def entity_kinematics(pos_enu_m: np.ndarray, vel_enu_mps: np.ndarray,
                      origin: tuple[float, float, float]
                      ) -> tuple[tuple[float, float, float], tuple[float, float, float],
                                 tuple[float, float, float]]:
    """Location (ECEF m), linear velocity (ECEF m/s) and orientation (ψ, θ, φ rad) of an
    Entity State PDU for an entity at ``pos_enu_m`` moving at ``vel_enu_mps``, both in the
    scenario's ENU frame about ``origin`` (lat0_rad, lon0_rad, h0_m).

    The frame is an affine image of ECEF (r = r0 + Cᵀ(φ0, λ0)·enu), so the velocity rotates
    with the ORIGIN's matrix, v_ecef = Cᵀ(φ0, λ0)·v_enu, wherever the entity is; the
    orientation takes its local level (up, north) at the entity's own latitude and longitude.
    """
    loc = np.asarray(enu_to_ecef(np.asarray(pos_enu_m, dtype=float), *origin), dtype=float)
    vel = np.asarray(enu_velocity_to_ecef(np.asarray(vel_enu_mps, dtype=float), origin[0],
                                          origin[1]), dtype=float)
    lat, lon, _ = from_ecef(_triple(loc))
    return _triple(loc), _triple(vel), orientation_from_ecef(lat, lon, vel)


def entity_local(location_m: tuple[float, float, float], velocity_mps: tuple[float, float, float],
                 origin: tuple[float, float, float]
                 ) -> tuple[float, float, float, tuple[float, float, float]]:
    """What an Entity State PDU's ECEF location and velocity are in the exercise: geodetic
    (lat_rad, lon_rad, h_m) of the location (RADIANS) and the velocity in the scenario's ENU
    frame about ``origin`` (v_enu = C(φ0, λ0)·v_ecef, the inverse of :func:`entity_kinematics`)."""
    lat, lon, h = from_ecef(location_m)
    v = ecef_velocity_to_enu(np.asarray(velocity_mps, dtype=float), origin[0], origin[1])
    return lat, lon, h, _triple(v)
