"""Where the live exercise's DIS entities are, end to end.

A small live exercise laid at Batajnica air base runs with the fake wall clock of tests/live and
a loopback UDP receiver. One friendly MiG-29 flies due north along the meridian 20.60° E at
5,000 m and 250 m/s. Every Entity State PDU sent for it is decoded by ``opendis`` (not our
decoder), its ECEF location turned into latitude, longitude and height by an inversion of
GeographicLib's WGS 84 geometry (not ours), and compared with where the route puts the
aircraft at that PDU's timestamp, computed here with GeographicLib's geodesic along the
meridian: within 1 m, and the velocity within 0.5 m/s of 250 m/s, due north. An Entity
State PDU received from another simulator, at the ECEF GeographicLib gives a point 1.5
degrees of longitude west of the aircraft, joins the exercise's truth there.

The expected values derive from the scenario alone (the route's start, speed and bearing) and
from GeographicLib; nothing is computed with skyshield's geodesy or its DIS conversions. Before
the fix every PDU decoded to about 0.785° N 0.352° E (Batajnica's degrees taken as radians
twice), some 5,000 km away.

Conventions: the scenario's altitudes are taken as heights above the WGS 84 ellipsoid (the
engine applies no geoid model), so the truth height is the route's 5,000 m.
"""

from __future__ import annotations

import math
import socket

import numpy as np
import pytest
from geographiclib.geodesic import Geodesic

import skyshield
from skyshield.io import dis
from skyshield.sim.live import LiveExercise

pytest.importorskip("fastapi")

G = Geodesic.WGS84
A_M, B_M = G.a, G.a * (1 - G.f)
E2 = G.f * (2 - G.f)
METRE = 1.0

ORIGIN = (44.935, 20.258, 0.0)  # Batajnica air base, degrees and metres
LAT0_DEG, LON_DEG, ALT_M = 44.80, 20.60, 5000.0  # the MiG's start, on the meridian 20.60° E
LAT1_DEG = 45.10  # its end, due north
SPEED_MPS = 250.0  # route speed

SCENARIO = f"""
name: dis-positions
origin: {{lat: {ORIGIN[0]}, lon: {ORIGIN[1]}}}
seed: 1
start_time: 2019-10-25T08:00:00Z
duration: 130 s
units:  # the one a scenario needs, holding fire: nothing here is shot at
  kub: {{type: kub_m, lat: {ORIGIN[0]}, lon: {ORIGIN[1]}, roe: weapons_hold}}
friendlies:
  north:
    type: mig29
    waypoints:
      - {{lat: {LAT0_DEG}, lon: {LON_DEG}, alt: {ALT_M:g} m, speed: {SPEED_MPS:g} m/s}}
      - {{lat: {LAT1_DEG}, lon: {LON_DEG}, alt: {ALT_M:g} m}}
"""


# --- independent WGS 84 geometry (GeographicLib) ----------------------------------------

def ecef_ref(lat_deg: float, lon_deg: float, h_m: float) -> np.ndarray:
    """ECEF of a geodetic point from GeographicLib's geodesics (its Python package has no
    ``Geocentric``): the reduced length m12 of the meridian from the pole to the point is the
    radius of its parallel (Karney, "Algorithms for geodesics", J. Geodesy 87 (2013) 43-55,
    sec. 3: m12 solves the Jacobi equation, as does the distance from the axis of a surface of
    revolution); z from the meridian ellipse; h along the normal. Checked against the IOGP
    373-7-2 worked example in tests/io/test_dis.py."""
    pole = 90.0 if lat_deg >= 0 else -90.0
    p = G.Inverse(pole, 0.0, lat_deg, 0.0, Geodesic.REDUCEDLENGTH)["m12"]
    z = math.copysign(B_M * math.sqrt(max(0.0, 1.0 - (p / A_M) ** 2)), lat_deg)
    f, lam = math.radians(lat_deg), math.radians(lon_deg)
    r = p + h_m * math.cos(f)
    return np.array([r * math.cos(lam), r * math.sin(lam), z + h_m * math.sin(f)])


def geodetic_ref(xyz: np.ndarray) -> tuple[float, float, float]:
    """(lat_deg, lon_deg, h_m) of an ECEF point: Newton's method on :func:`ecef_ref` in the
    meridian plane (longitude is atan2(Y, X)), to well below a millimetre."""
    x, y, z = (float(c) for c in xyz)
    lon = math.degrees(math.atan2(y, x))
    rho = math.hypot(x, y)
    lat, h = math.degrees(math.atan2(z, rho * (1 - E2))), 0.0

    def meridian(la: float, hh: float) -> np.ndarray:
        r = ecef_ref(la, 0.0, hh)
        return np.array([r[0], r[2]])

    for _ in range(8):
        res = meridian(lat, h) - (rho, z)
        d = 1e-6
        J = np.column_stack([(meridian(lat + d, h) - meridian(lat - d, h)) / (2 * d),
                             (meridian(lat, h + 1.0) - meridian(lat, h - 1.0)) / 2.0])
        dlat, dh = np.linalg.solve(J, -res)
        lat, h = lat + dlat, h + dh
    assert np.linalg.norm(meridian(lat, h) - (rho, z)) < 1e-4
    return lat, lon, h


def enu_axes(lat_deg: float, lon_deg: float) -> np.ndarray:
    """Rows: east, north, up unit vectors in ECEF (up along the ellipsoid normal)."""
    f, lam = math.radians(lat_deg), math.radians(lon_deg)
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    north = np.array([-math.sin(f) * math.cos(lam), -math.sin(f) * math.sin(lam), math.cos(f)])
    return np.array([east, north, np.cross(east, north)])


def scenario_enu_to_ecef(enu: np.ndarray) -> np.ndarray:
    """A point of the scenario's frame (east, north, up about the origin) in ECEF."""
    return ecef_ref(*ORIGIN) + enu_axes(ORIGIN[0], ORIGIN[1]).T @ np.asarray(enu, dtype=float)


def horizontal_m(lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
    return float(G.Inverse(lat_a, lon_a, lat_b, lon_b)["s12"])


def truth(t_s: float) -> tuple[float, float, float]:
    """Where the route puts the MiG at t: 250 m/s × t along its path due north (the meridian)
    from the first waypoint, at 5,000 m. The speed is along the path flown, at 5,000 m, not on
    the ellipsoid: the path's length to latitude φ is s(φ) + h (φ - φ0) (s: GeographicLib's
    geodesic distance on the ellipsoid along the meridian; at constant height h the meridian
    radius of curvature M becomes M + h, and s = ∫M dφ) — 26 m more than s over this leg.
    Solved for φ by Newton's method. (The engine interpolates latitude linearly in time with
    leg times from the chord: along 33 km of meridian both differ from this by under 0.3 m.)"""
    h = ALT_M
    flown_m = SPEED_MPS * t_s

    def path_m(lat: float) -> float:
        s = G.Inverse(LAT0_DEG, LON_DEG, lat, LON_DEG)["s12"]
        return math.copysign(s, lat - LAT0_DEG) + h * math.radians(lat - LAT0_DEG)

    lat = LAT0_DEG + math.degrees(flown_m / (A_M + h))
    for _ in range(6):
        d = 1e-5
        slope = (path_m(lat + d) - path_m(lat - d)) / (2 * d)
        lat -= (path_m(lat) - flown_m) / slope
    assert abs(path_m(lat) - flown_m) < 1e-4
    return lat, LON_DEG, h


# --- the exercise -------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    from skyshield.web.live import LiveServer, Roles

    path = tmp_path / "dis_positions.yaml"
    path.write_text(SCENARIO)
    sc = skyshield.load_scenario(path)
    ex = LiveExercise(sc, tmp_path / "live")
    roles, _ = Roles.generate(list(ex.sim.w.units.name))
    wall = [0.0]
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    rx.setblocking(False)
    server = LiveServer(ex, roles, clock=lambda: wall[0], dis_target=rx.getsockname())
    server.open_dis()
    yield server, wall, rx
    rx.close()


def _drain(rx: socket.socket) -> list[bytes]:
    got = []
    while True:
        try:
            got.append(rx.recv(4096))
        except BlockingIOError:
            return got


def _pdu_time_s(timestamp: int) -> float:
    """DIS relative timestamp (units of 3600/2^31 s past the hour, low bit 0) in seconds."""
    return (timestamp >> 1) * 3600.0 / 2**31


def test_every_entity_state_pdu_is_where_the_route_puts_the_aircraft(served):
    opendis_factory = pytest.importorskip(  # the decoder here is the independent one
        "opendis.PduFactory", reason="needs opendis: pip install --no-deps opendis")
    server, wall, rx = served
    ex = server.ex
    pdus = []
    for t in np.arange(0.5, 120.0, 0.5):
        wall[0] = float(t)  # wall time = simulated time: a heartbeat every 5 s
        ex.advance(float(t))
        server.dis_tick()
        pdus += [opendis_factory.createPdu(b) for b in _drain(rx)]
    mine = [p for p in pdus if bytes(p.marking.characters).rstrip(b"\0") == b"north"
            and not p.entityAppearance & (1 << 23)]
    assert len(mine) >= 20  # 5 s heartbeats over 120 s
    worst_m = worst_v = 0.0
    for p in mine:
        t = _pdu_time_s(p.timestamp)
        xyz = np.array([p.entityLocation.x, p.entityLocation.y, p.entityLocation.z])
        lat, lon, h = geodetic_ref(xyz)
        lat_t, lon_t, h_t = truth(t)
        assert horizontal_m(lat, lon, lat_t, lon_t) < 1 * METRE, (t, lat, lon, lat_t, lon_t)
        assert abs(h - h_t) < 1 * METRE, (t, h)
        miss = float(np.linalg.norm(xyz - ecef_ref(lat_t, lon_t, h_t)))
        assert miss < 1 * METRE
        v = np.array([p.entityLinearVelocity.x, p.entityLinearVelocity.y,
                      p.entityLinearVelocity.z])
        assert abs(np.linalg.norm(v) - SPEED_MPS) < 0.5
        east, north, up = enu_axes(lat, lon)
        assert abs(v @ north - SPEED_MPS) < 0.5 and abs(v @ east) < 0.5 and abs(v @ up) < 0.5
        # orientation: the body x axis (IEEE 1278.1 Z-Y-X Euler angles from ECEF) due north
        o = p.entityOrientation
        x_body = np.array([math.cos(o.theta) * math.cos(o.psi),
                           math.cos(o.theta) * math.sin(o.psi), -math.sin(o.theta)])
        assert x_body @ north > math.cos(math.radians(0.2))
        worst_m, worst_v = max(worst_m, miss), max(worst_v, abs(np.linalg.norm(v) - SPEED_MPS))
    print(f"{len(mine)} PDUs: worst position {worst_m:.3f} m, worst speed {worst_v:.3f} m/s")


def test_a_received_entity_joins_the_truth_where_its_ecef_says(served):
    """Another simulator's aircraft at 45.05° N 19.10° E (about 91 km west of Batajnica),
    3,000 m, flying 200 m/s due east: its ECEF from GeographicLib in the PDU; in the exercise's
    truth at the instant of receipt it is there to 1 m, with that velocity to 0.5 m/s, and for
    the next 12 s on its dead-reckoned line to 1 m."""
    server, wall, _ = served
    ex = server.ex
    lat_e, lon_e, h_e = 45.05, 19.10, 3000.0
    east, _, _ = enu_axes(lat_e, lon_e)
    v_ecef = 200.0 * east
    loc = ecef_ref(lat_e, lon_e, h_e)
    wall[0] = 10.0
    ex.advance(10.0)
    server.receive_dis(dis.encode(dis.EntityState(
        dis.EntityID(7, 7, 1), 2, dis.EntityType(1, 2, 0, 1),
        (float(v_ecef[0]), float(v_ecef[1]), float(v_ecef[2])),
        (float(loc[0]), float(loc[1]), float(loc[2])), (0.0, 0.0, 0.0), "E1")))
    i = ex.sim.external["7:7:1"]
    pos, vel, _, present = ex.sim.state(ex.t)
    assert present[i]
    got = scenario_enu_to_ecef(pos[i])
    lat, lon, h = geodetic_ref(got)
    assert horizontal_m(lat, lon, lat_e, lon_e) < 1 * METRE, (lat, lon)
    assert abs(h - h_e) < 1 * METRE
    v_got = enu_axes(ORIGIN[0], ORIGIN[1]).T @ vel[i]
    assert np.linalg.norm(v_got - v_ecef) < 0.5
    # until its next update (a 5 s heartbeat; 12 s time-out) it flies on along its dead
    # reckoning, IEEE 1278.1 DRM F-P-W: the straight line loc + v t in ECEF
    for tau in (0.5, 1.0, 2.5, 5.0, 8.0, 12.0):
        pos, _, _, present = ex.sim.state(ex.t + tau)
        assert present[i]
        off = float(np.linalg.norm(scenario_enu_to_ecef(pos[i]) - (loc + v_ecef * tau)))
        assert off < 1 * METRE, (tau, off)
