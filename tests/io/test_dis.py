"""DIS (IEEE 1278.1-2012, v7) Entity State, Fire and Detonation PDUs: round trips through the
independent ``opendis`` implementation both ways, the orientation angles on closed-form cases,
10,000+ random and mutated datagrams that must decode or be refused, never crash; and the
world coordinates of what we send (ECEF location, velocity, orientation) against GeographicLib
and a published worked example, never against our own conversion."""

import io
import math
import struct

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

from skyshield.io.dis import (
    Detonation,
    DISError,
    EntityID,
    EntityState,
    EntityType,
    Fire,
    decode,
    dis_timestamp,
    encode,
    entity_kinematics,
    entity_local,
    entity_location,
    enu_to_ecef_rotation,
    orientation_from_ecef,
    orientation_from_enu,
    to_ecef,
)

try:  # only the cross-checks need the independent implementation; the rest run without it
    from opendis.DataOutputStream import DataOutputStream
    from opendis.PduFactory import createPdu
except ImportError:
    DataOutputStream = createPdu = None
needs_opendis = pytest.mark.skipif(
    createPdu is None, reason="the DIS cross-check needs opendis: pip install --no-deps opendis "
    "(.ci/run installs it)")

ES = EntityState(EntityID(1, 3101, 42), 2, EntityType(2, 2, 222, 1, 2, 3, 0),
                 (120.5, -33.25, 4.0), (4194304.123, 1535180.5, 4487348.25),
                 (0.5, -0.25, 1.5), "CM-07", appearance=0x00010000, timestamp=dis_timestamp(61.5))
FI = Fire(EntityID(1, 3101, 7), EntityID(1, 3101, 42), EntityID(1, 3101, 901),
          EntityID(1, 3101, 5), (4194000.0, 1535000.0, 4487000.0), EntityType(2, 9, 222, 1, 1),
          (300.0, 10.0, 900.0), 12500.0, quantity=2, warhead=1000, fuse=100)
DE = Detonation(EntityID(1, 3101, 7), EntityID(1, 3101, 42), EntityID(1, 3101, 901),
                EntityID(1, 3101, 5), (800.0, -20.0, 150.0), (4194300.0, 1535100.0, 4487340.0),
                EntityType(2, 9, 222, 1, 1), (1.5, -2.0, 0.5), result=1, warhead=1000,
                fuse=100)


def _opendis_bytes(pdu) -> bytes:
    buf = io.BytesIO()
    pdu.serialize(DataOutputStream(buf))
    return buf.getvalue()


@needs_opendis
def test_our_pdus_decode_in_opendis_with_the_same_fields():
    es = createPdu(encode(ES))
    assert type(es).__name__ == "EntityStatePdu" and es.length == 144
    assert (es.entityID.siteID, es.entityID.applicationID, es.entityID.entityID) == (1, 3101, 42)
    assert es.forceId == 2
    t = es.entityType
    assert (t.entityKind, t.domain, t.country, t.category, t.subcategory, t.specific) == \
        (2, 2, 222, 1, 2, 3)
    assert (es.entityLocation.x, es.entityLocation.y, es.entityLocation.z) == ES.location_m
    assert es.entityLinearVelocity.x == pytest.approx(120.5)
    assert es.entityOrientation.theta == pytest.approx(-0.25)
    assert bytes(es.marking.characters).rstrip(b"\0") == b"CM-07"
    assert es.deadReckoningParameters.deadReckoningAlgorithm == 2
    fi = createPdu(encode(FI))
    assert type(fi).__name__ == "FirePdu" and fi.length == 96
    assert fi.targetEntityID.entityID == 42 and fi.munitionExpendableID.entityID == 901
    assert fi.eventID.eventNumber == 5 and fi.range == pytest.approx(12500.0)
    assert fi.descriptor.quantity == 2 and fi.descriptor.munitionType.domain == 9
    de = createPdu(encode(DE))
    assert type(de).__name__ == "DetonationPdu" and de.length == 104
    assert de.detonationResult == 1 and de.explodingEntityID.entityID == 901
    assert de.locationInEntityCoordinates.y == pytest.approx(-2.0)


def _header(pdu, pdu_type, family, length, exercise, timestamp):
    """opendis 1.0 leaves the header of a new PDU at type 0, family 0 and length 0, and the
    PDU status as an object that does not serialise: set by hand (docs: interop.md)."""
    pdu.protocolVersion, pdu.exerciseID, pdu.pduType, pdu.protocolFamily = 7, exercise, \
        pdu_type, family
    pdu.timestamp, pdu.length, pdu.pduStatus, pdu.padding = timestamp, length, 0, 0


@needs_opendis
def test_pdus_built_field_by_field_in_opendis_decode_here_to_the_values_set():
    """Each PDU type built in opendis from the values below (none from our encoder),
    serialised by opendis's DataOutputStream and decoded here: every field is the value set."""
    from opendis.dis7 import (
        DeadReckoningParameters,
        DetonationPdu,
        EntityMarking,
        EntityStatePdu,
        EulerAngles,
        EventIdentifier,
        FirePdu,
        MunitionDescriptor,
        SimulationAddress,
        VariableParameter,
        Vector3Double,
        Vector3Float,
    )
    from opendis.dis7 import EntityID as OID
    from opendis.dis7 import EntityType as OType

    ts = dis_timestamp(1234.5)
    # Entity State: one variable parameter (an articulated part: type 0, value 1.5, ...)
    es = EntityStatePdu(
        entityID=OID(11, 2202, 4242), forceId=3, entityType=OType(2, 9, 225, 1, 19, 2, 7),
        alternativeEntityType=OType(1, 2, 222, 1, 3, 4, 5),
        entityLinearVelocity=Vector3Float(120.5, -33.25, 4.0),
        entityLocation=Vector3Double(4194304.123, 1535180.5, 4487348.25),
        entityOrientation=EulerAngles(0.5, -0.25, 1.5), entityAppearance=0x00A00018,
        deadReckoningParameters=DeadReckoningParameters(4),
        marking=EntityMarking(1, list(b"SA-21") + [0] * 6), capabilities=0x1234,
        variableParameters=[VariableParameter(0, 1.5, 7, 3, 1)])
    _header(es, 1, 1, 160, 5, ts)
    got = decode(_opendis_bytes(es))
    assert got == EntityState(
        EntityID(11, 2202, 4242), 3, EntityType(2, 9, 225, 1, 19, 2, 7), (120.5, -33.25, 4.0),
        (4194304.123, 1535180.5, 4487348.25), (0.5, -0.25, 1.5), "SA-21",
        appearance=0x00A00018, dead_reckoning=4, capabilities=0x1234,
        alternative_type=EntityType(1, 2, 222, 1, 3, 4, 5), exercise_id=5, timestamp=ts,
        variable_parameters=struct.pack(">BdIHB", 0, 1.5, 7, 3, 1))
    # Fire
    fi = FirePdu(munitionExpendableID=OID(11, 2202, 901),
                 eventID=EventIdentifier(SimulationAddress(11, 2202), 77), fireMissionIndex=3,
                 location=Vector3Double(4194000.0, 1535000.0, 4487000.0),
                 descriptor=MunitionDescriptor(OType(2, 1, 222, 1, 2, 3, 4), 1000, 100, 2, 60),
                 velocity=Vector3Float(300.0, 10.0, 900.0), range_=12500.0)
    fi.firingEntityID, fi.targetEntityID = OID(11, 2202, 7), OID(12, 3303, 42)
    _header(fi, 2, 2, 96, 6, ts)
    assert decode(_opendis_bytes(fi)) == Fire(
        EntityID(11, 2202, 7), EntityID(12, 3303, 42), EntityID(11, 2202, 901),
        EntityID(11, 2202, 77), (4194000.0, 1535000.0, 4487000.0),
        EntityType(2, 1, 222, 1, 2, 3, 4), (300.0, 10.0, 900.0), 12500.0,
        fire_mission_index=3, warhead=1000, fuse=100, quantity=2, rate=60, exercise_id=6,
        timestamp=ts)
    # Detonation
    de = DetonationPdu(explodingEntityID=OID(11, 2202, 901),
                       eventID=EventIdentifier(SimulationAddress(11, 2202), 77),
                       velocity=Vector3Float(800.0, -20.0, 150.0),
                       location=Vector3Double(4194300.0, 1535100.0, 4487340.0),
                       descriptor=MunitionDescriptor(OType(2, 1, 222, 1, 2, 3, 4), 1000, 100,
                                                     1, 0),
                       locationInEntityCoordinates=Vector3Float(1.5, -2.0, 0.5),
                       detonationResult=5)
    de.firingEntityID, de.targetEntityID = OID(11, 2202, 7), OID(12, 3303, 42)
    _header(de, 3, 2, 104, 6, ts)
    assert decode(_opendis_bytes(de)) == Detonation(
        EntityID(11, 2202, 7), EntityID(12, 3303, 42), EntityID(11, 2202, 901),
        EntityID(11, 2202, 77), (800.0, -20.0, 150.0), (4194300.0, 1535100.0, 4487340.0),
        EntityType(2, 1, 222, 1, 2, 3, 4), (1.5, -2.0, 0.5), result=5, warhead=1000,
        fuse=100, quantity=1, rate=0, exercise_id=6, timestamp=ts)


def test_our_bytes_survive_a_decode_encode_round_trip():
    for ours in (ES, FI, DE):
        assert decode(encode(ours)) == ours and encode(decode(encode(ours))) == encode(ours)


def _rotation(psi, theta, phi):
    """ECEF components of the body axes from DIS Euler angles (Z-Y-X)."""
    cps, sps, cth, sth, cph, sph = (math.cos(psi), math.sin(psi), math.cos(theta),
                                    math.sin(theta), math.cos(phi), math.sin(phi))
    x = np.array([cth * cps, cth * sps, -sth])
    y = np.array([sph * sth * cps - cph * sps, sph * sth * sps + cph * cps, sph * cth])
    z = np.array([cph * sth * cps + sph * sps, cph * sth * sps - sph * cps, cph * cth])
    return x, y, z


def test_orientation_closed_forms_and_inverse():
    # at latitude 0, longitude 0 (ECEF x = up, y = east, z = north): flying east, wings level
    # is psi 90°, theta 0, phi -90°; flying north is theta -90° (the body x axis along +z)
    assert np.degrees(orientation_from_enu(0.0, 0.0, np.array([100.0, 0, 0]))) == \
        pytest.approx([90.0, 0.0, -90.0], abs=1e-9)
    assert np.degrees(orientation_from_enu(0.0, 0.0, np.array([0.0, 100, 0]))[1]) == \
        pytest.approx(-90.0, abs=1e-6)
    rng = np.random.default_rng(3)
    for _ in range(200):
        lat, lon = rng.uniform(-1.4, 1.4), rng.uniform(-3.1, 3.1)
        v = rng.normal(0, 200, 3)
        v[2] *= 0.3
        x, y, z = _rotation(*orientation_from_enu(lat, lon, v))
        R = enu_to_ecef_rotation(lat, lon)
        np.testing.assert_allclose(x, R @ v / np.linalg.norm(v), atol=1e-9)
        assert abs(y @ R[:, 2]) < 1e-9  # wings level: the right wing is horizontal
        assert z @ R[:, 2] < 0  # the body z axis points down


def test_ten_thousand_random_and_mutated_datagrams_never_crash_the_decoder():
    rng = np.random.default_rng(2019)
    valid = [encode(p) for p in (ES, FI, DE)]
    accepted = refused = 0
    for k in range(12_000):
        if k % 3 == 0:
            data = rng.bytes(int(rng.integers(0, 300)))
        else:
            data = bytearray(valid[k % 3])
            for _ in range(int(rng.integers(1, 8))):
                op = rng.integers(0, 4)
                if op == 0 and data:  # flip bits
                    i = int(rng.integers(0, len(data)))
                    data[i] ^= 1 << int(rng.integers(0, 8))
                elif op == 1:  # truncate
                    data = data[:int(rng.integers(0, len(data) + 1))]
                elif op == 2:  # extend
                    data += rng.bytes(int(rng.integers(1, 40)))
                elif data:  # overwrite a header field
                    i = int(rng.integers(0, min(12, len(data))))
                    data[i] = int(rng.integers(0, 256))
            data = bytes(data)
        try:
            decode(data)
            accepted += 1
        except DISError:
            refused += 1
    assert accepted + refused == 12_000 and accepted > 100 and refused > 5000


def test_refusals_say_why():
    with pytest.raises(DISError, match="shorter than a PDU header"):
        decode(b"\x07\x01")
    bad = bytearray(encode(ES))
    bad[0] = 6
    with pytest.raises(DISError, match="protocol version 6"):
        decode(bytes(bad))
    with pytest.raises(DISError, match="length field"):
        decode(encode(ES) + b"\0")
    nan = bytearray(encode(ES))
    nan[48:56] = b"\x7f\xf8" + b"\0" * 6  # location x (float64 after 48 bytes) = NaN
    with pytest.raises(DISError, match="non-finite"):
        decode(bytes(nan))


# --- world coordinates against independent references ------------------------------------
#
# GeographicLib's Python package has only its geodesic routines (no ``Geocentric``), so the
# reference ECEF is built from them: on a surface of revolution the reduced length m12 of a
# meridian from the pole is the distance p(s) of its end from the axis (both solve the Jacobi
# equation m'' + K m = 0, m(0) = 0, m'(0) = 1, with K = -p''/p; C. F. F. Karney, "Algorithms
# for geodesics", J. Geodesy 87 (2013) 43-55, sec. 3; M. do Carmo, "Differential Geometry of
# Curves and Surfaces" (1976), sec. 3-3). So p = N cos(phi) at the ellipsoid, z from the
# meridian ellipse p^2/a^2 + z^2/b^2 = 1, and the height along the normal. Accurate to a few nm
# away from the equator (z by cancellation there); checked against the published EPSG example.

WGS84 = Geodesic.WGS84


def _geographiclib_ecef(lat_deg: float, lon_deg: float, h_m: float) -> np.ndarray:
    pole = 90.0 if lat_deg >= 0 else -90.0
    p = WGS84.Inverse(pole, 0.0, lat_deg, 0.0, Geodesic.REDUCEDLENGTH)["m12"]
    a, b = WGS84.a, WGS84.a * (1 - WGS84.f)
    z = math.copysign(b * math.sqrt(max(0.0, 1.0 - (p / a) ** 2)), lat_deg)
    cp, sp = math.cos(math.radians(lat_deg)), math.sin(math.radians(lat_deg))
    r = p + h_m * cp
    lam = math.radians(lon_deg)
    return np.array([r * math.cos(lam), r * math.sin(lam), z + h_m * sp])


def _enu_axes(lat_deg: float, lon_deg: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """East, north, up unit vectors in ECEF (the up one the ellipsoid normal)."""
    p, lam = math.radians(lat_deg), math.radians(lon_deg)
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    north = np.array([-math.sin(p) * math.cos(lam), -math.sin(p) * math.sin(lam), math.cos(p)])
    return east, north, np.cross(east, north)


# IOGP Publication 373-7-2, "Geomatics Guidance Note 7, part 2: Coordinate Conversions and
# Transformations including Formulas", International Association of Oil & Gas Producers,
# revised September 2019, sec. 4.1.1 "Geographic/geocentric conversions" (EPSG method 9602),
# worked example, WGS 84: a North Sea point at 53°48'33.820"N, 2°07'46.380"E, ellipsoidal height
# 73.000 m is X = 3771793.968 m, Y = 140253.342 m, Z = 5124304.349 m (https://epsg.org, accessed
# 2026-12-06).
EPSG_LAT_DEG = 53 + 48 / 60 + 33.820 / 3600
EPSG_LON_DEG = 2 + 7 / 60 + 46.380 / 3600
EPSG_H_M = 73.0
EPSG_XYZ_M = (3771793.968, 140253.342, 5124304.349)
MM = 1e-3

# Batajnica air base (the reference exercise's site), taken here as a point on the ellipsoid
BATAJNICA = (44.935, 20.258, 0.0)


def test_the_reference_reproduces_the_published_epsg_example():
    got = _geographiclib_ecef(EPSG_LAT_DEG, EPSG_LON_DEG, EPSG_H_M)
    np.testing.assert_allclose(got, EPSG_XYZ_M, atol=1 * MM)


def test_to_ecef_takes_radians_epsg_example_and_geographiclib():
    """The published EPSG example to the millimetre, and Batajnica against GeographicLib: a
    location given in degrees where radians are due lands thousands of km away."""
    epsg = to_ecef(math.radians(EPSG_LAT_DEG), math.radians(EPSG_LON_DEG), EPSG_H_M)
    np.testing.assert_allclose(epsg, EPSG_XYZ_M, atol=1 * MM)
    for lat, lon, h in (BATAJNICA, (44.935, 20.258, 5000.0), (-33.9, 151.2, 120.0)):
        want = _geographiclib_ecef(lat, lon, h)
        got = np.array(to_ecef(math.radians(lat), math.radians(lon), h))
        assert np.linalg.norm(got - want) < 1 * MM


def _origin(lat_deg: float, lon_deg: float, h_m: float) -> tuple[float, float, float]:
    return (math.radians(lat_deg), math.radians(lon_deg), h_m)


def test_entity_kinematics_of_a_point_of_the_scenario_frame():
    """An entity at the origin of a scenario laid at Batajnica is at Batajnica's ECEF
    (GeographicLib), 0.785° N 0.352° E being Batajnica's degrees taken as radians twice; one
    10 km east and 5 km north and 3 km up is at origin + 10 km east + 5 km north + 3 km up
    (the frame is the tangent plane there); its velocity rotates with the origin's axes
    whatever its position; its body x axis (orientation) is along that velocity and its wings
    level in the local horizontal."""
    origin = _origin(*BATAJNICA)
    r0 = _geographiclib_ecef(*BATAJNICA)
    e, n, u = _enu_axes(BATAJNICA[0], BATAJNICA[1])
    loc, vel, ori = entity_kinematics(np.zeros(3), np.zeros(3), origin)
    assert np.linalg.norm(np.array(loc) - r0) < 1 * MM
    assert vel == (0.0, 0.0, 0.0)
    assert np.linalg.norm(np.array(entity_location(np.zeros(3), origin)) - r0) < 1 * MM
    enu = np.array([10_000.0, 5_000.0, 3_000.0])
    v_enu = np.array([-150.0, 200.0, 10.0])
    loc, vel, ori = entity_kinematics(enu, v_enu, origin)
    want = r0 + enu[0] * e + enu[1] * n + enu[2] * u
    assert np.linalg.norm(np.array(loc) - want) < 1 * MM
    want_v = v_enu[0] * e + v_enu[1] * n + v_enu[2] * u
    assert np.linalg.norm(np.array(vel) - want_v) < 1e-9
    assert np.linalg.norm(vel) == pytest.approx(np.linalg.norm(v_enu), abs=1e-9)
    x, y, z = _rotation(*ori)
    np.testing.assert_allclose(x, want_v / np.linalg.norm(want_v), atol=1e-9)
    # wings level at the entity: its own up, not the origin's (they differ by ~0.1°)
    lat_e, lon_e = (math.degrees(c) for c in np.array(entity_local(loc, vel, origin)[:2]))
    up_here = _enu_axes(lat_e, lon_e)[2]
    assert abs(y @ up_here) < 1e-9 and z @ up_here < 0
    assert abs(y @ u) > 1e-4  # (the origin's up would not do)


def test_entity_local_inverts_entity_kinematics_and_gives_radians():
    """A PDU's ECEF location of Batajnica (GeographicLib) reads back as Batajnica in radians;
    an ECEF velocity due north at the origin is (0, v, 0) in the scenario's frame."""
    origin = _origin(*BATAJNICA)
    _, n, _ = _enu_axes(BATAJNICA[0], BATAJNICA[1])
    loc = _geographiclib_ecef(44.935, 20.258, 5000.0)
    lat, lon, h, v = entity_local(tuple(loc), tuple(250.0 * n), origin)
    assert math.degrees(lat) == pytest.approx(44.935, abs=1e-9)  # 1e-9 deg ~ 0.1 mm
    assert math.degrees(lon) == pytest.approx(20.258, abs=1e-9)
    assert h == pytest.approx(5000.0, abs=1 * MM)
    np.testing.assert_allclose(v, (0.0, 250.0, 0.0), atol=1e-9)
    rng = np.random.default_rng(5)
    for _ in range(50):
        enu = rng.normal(0, 50_000, 3)
        enu[2] = abs(enu[2]) / 10
        ve = rng.normal(0, 300, 3)
        loc2, vel2, _ = entity_kinematics(enu, ve, origin)
        *_, back = entity_local(loc2, vel2, origin)
        np.testing.assert_allclose(back, ve, atol=1e-9)


def test_orientation_from_ecef_agrees_with_the_local_enu_form():
    rng = np.random.default_rng(8)
    for _ in range(50):
        lat, lon = rng.uniform(-1.4, 1.4), rng.uniform(-3.1, 3.1)
        v = rng.normal(0, 200, 3)
        R = enu_to_ecef_rotation(lat, lon)
        np.testing.assert_allclose(orientation_from_ecef(lat, lon, R @ v),
                                   orientation_from_enu(lat, lon, v), atol=1e-12)


@needs_opendis
def test_opendis_reads_batajnica_where_geographiclib_puts_it():
    """The bytes of an Entity State PDU for an entity 5 km above Batajnica, decoded by opendis:
    the location is GeographicLib's ECEF of 44.935° N 20.258° E 5,000 m to the millimetre and
    the velocity its 250 m/s due north."""
    origin = _origin(*BATAJNICA)
    loc, vel, ori = entity_kinematics(np.array([0.0, 0.0, 5000.0]), np.array([0.0, 250.0, 0.0]),
                                      origin)
    es = createPdu(encode(EntityState(EntityID(1, 0x5353, 1), 1, EntityType(1, 2, 0, 1), vel,
                                      loc, ori, "MIG")))
    got = np.array([es.entityLocation.x, es.entityLocation.y, es.entityLocation.z])
    assert np.linalg.norm(got - _geographiclib_ecef(44.935, 20.258, 5000.0)) < 1 * MM
    v = np.array([es.entityLinearVelocity.x, es.entityLinearVelocity.y,
                  es.entityLinearVelocity.z])
    _, n, _ = _enu_axes(44.935, 20.258)
    assert np.linalg.norm(v - 250.0 * n) < 1e-3  # float32 on the wire
