"""External (DIS) entities in the live exercise: they live as long as their simulator keeps
them up to date (re-routed at every update, at rest too), leave when it deactivates them or
stops sending (IEEE 1278.1 default time-out 12 s, 2.4 heartbeats of 5 s), and the journal
replays it all."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
import skyshield.sim.external as external
import skyshield.sim.live as live
from skyshield.sim.live import LiveExercise, replay_journal

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


@pytest.fixture(scope="module")
def sc():
    return skyshield.load_scenario(SMALL)


def _ext(eid, lat, lon, vel, alt=3000.0, force="friendly"):
    return {"cmd": "external", "id": eid, "force": force, "kind": "platform", "lat": lat,
            "lon": lon, "alt": alt, "vel_enu": list(vel)}


def _no_clock(cols) -> pd.DataFrame:
    df = pd.DataFrame(cols)
    df.loc[df["kind"] == "assignment", "value"] = 0.0
    return df


def test_an_updated_entity_outlives_its_first_route_and_one_at_rest_joins(tmp_path, sc,
                                                                           monkeypatch):
    """Dead reckoning 20 s ahead, an update every 5 s for 90 s: present all along (no route
    end of a superseded route), and an entity at rest (zero velocity) is taken too."""
    monkeypatch.setattr(external, "EXTERNAL_HORIZON_S", 20.0)
    ex = LiveExercise(sc, tmp_path / "j")
    lat = 45.3
    for t in np.arange(5.0, 100.0, 5.0):
        ex.advance(float(t))
        ex.command("system:dis", _ext("1:1:1", lat, 20.0, (0.0, 100.0, 0.0)))
        ex.command("system:dis", _ext("1:1:2", 45.2, 20.1, (0.0, 0.0, 0.0)))
        lat += 500.0 / 111_195.0
        i, j = ex.sim.external["1:1:1"], ex.sim.external["1:1:2"]
        for dt in (0.5, 2.5, 4.9):
            pos, vel, _, present = ex.sim.state(float(t) + dt)
            assert present[i] and present[j]
        assert np.linalg.norm(vel[j]) < 1e-6  # at rest stays at rest
    log = pd.DataFrame(ex.sim.log.columns())
    mine = log[log["truth_id"].isin([i, j])]
    assert not mine["kind"].isin(["route_end", "leak"]).any()
    assert (log["kind"] == "external_entity").sum() == 2  # joined once each, then re-routed


def test_removal_is_journaled_and_replayed(tmp_path, sc):
    ex = LiveExercise(sc, tmp_path / "r")
    ex.advance(10.0)
    ex.command("system:dis", _ext("2:2:2", 45.1, 20.0, (150.0, 0.0, 0.0), force="hostile"))
    i = ex.sim.external["2:2:2"]
    ex.advance(20.0)
    with pytest.raises(live.CommandError, match="no external entity"):
        ex.command("system:dis", {"cmd": "external_remove", "id": "9:9:9", "why": "timed out"})
    ex.command("system:dis", {"cmd": "external_remove", "id": "2:2:2", "why": "deactivated"})
    assert not ex.sim.state(20.0)[3][i] and "2:2:2" not in ex.sim.external
    ex.advance(40.0)
    log = pd.DataFrame(ex.sim.log.columns())
    gone = log[log["kind"] == "external_removed"]
    assert gone["truth_id"].tolist() == [i] and gone["t_s"].tolist() == [20.0]
    assert gone["info"].tolist() == ["2:2:2 deactivated"]
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, tmp_path / "r")),
                                  _no_clock(ex.sim.log.columns()))


# --- through the server: DIS in and out ----------------------------------------------------

def _server(tmp_path, sc, **kw):
    pytest.importorskip("fastapi")
    from skyshield.web.live import LiveServer, Roles

    ex = LiveExercise(sc, tmp_path / "live")
    roles, _ = Roles.generate(list(ex.sim.w.units.name))
    wall = [0.0]
    server = LiveServer(ex, roles, clock=lambda: wall[0], **kw)
    return server, wall


def _es(num, lat_deg, lon_deg, vel_enu=(0.0, -150.0, 0.0), appearance=0, exercise=1,
        force=2, kind=1):
    from skyshield.io import dis

    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    v = dis.enu_to_ecef_rotation(lat, lon) @ np.asarray(vel_enu, dtype=float)
    return dis.encode(dis.EntityState(
        dis.EntityID(7, 7, num), force, dis.EntityType(kind, 2, 0, 1),
        (float(v[0]), float(v[1]), float(v[2])), dis.to_ecef(float(lat), float(lon), 3000.0),
        (0.0, 0.0, 0.0), f"E{num}", appearance=appearance, exercise_id=exercise))


def test_deactivated_and_silent_entities_leave_through_the_journal(tmp_path, sc):
    """Appearance bit 23 (deactivated) takes an entity out at once; one not heard for 12 s of
    wall time (IEEE 1278.1 default time-out) leaves then, one heard every 5 s stays; the
    removals are commands of the journal, so the replay repeats them."""
    from skyshield.web import dis_bridge as web

    assert web.DIS_TIMEOUT_S == 12.0
    server, wall = _server(tmp_path, sc)
    ex = server.ex
    ex.advance(5.0)
    for num in (1, 2, 3):
        server.receive_dis(_es(num, 45.1 + 0.01 * num, 20.0))
    ids = {k: ex.sim.external[k] for k in ("7:7:1", "7:7:2", "7:7:3")}
    # 7:7:1 deactivated by its simulator
    ex.advance(6.0)
    server.receive_dis(_es(1, 45.11, 20.0, appearance=1 << 23))
    assert "7:7:1" not in ex.sim.external and not ex.sim.state(6.0)[3][ids["7:7:1"]]
    # 7:7:2 heard every 5 s of wall time, 7:7:3 never again
    for k in range(1, 6):
        wall[0] = 2.5 * k
        ex.advance(6.0 + 2.5 * k)
        if k % 2 == 0:
            server.receive_dis(_es(2, 45.12 - 0.01 * k, 20.0))
        server.dis_tick()
        assert ("7:7:3" in ex.sim.external) == (wall[0] <= 12.0)
    assert "7:7:2" in ex.sim.external
    present = ex.sim.state(ex.t)[3]
    assert present[ids["7:7:2"]] and not present[ids["7:7:3"]]
    assert server.stats["dis_removed"] == 2
    ex.advance(30.0)
    log = pd.DataFrame(ex.sim.log.columns())
    gone = log[log["kind"] == "external_removed"]
    assert gone["info"].tolist() == ["7:7:1 deactivated", "7:7:3 timed out"]
    assert gone["t_s"].tolist() == [6.0, 18.5]
    pd.testing.assert_frame_equal(_no_clock(replay_journal(sc, tmp_path / "live")),
                                  _no_clock(ex.sim.log.columns()))


def test_a_flood_of_new_entities_is_capped_and_rate_limited(tmp_path, sc, monkeypatch):
    """5,000 datagrams of 1,000 different entities in 10 s of wall time: no more external
    entities than the cap, no more journaled commands than the rate limit allows, and the
    statistics count what was refused and throttled."""
    from skyshield.web import dis_bridge as web

    monkeypatch.setattr(web, "DIS_MAX_EXTERNAL", 25)
    server, wall = _server(tmp_path, sc)
    ex = server.ex
    ex.advance(1.0)
    rng = np.random.default_rng(9)
    for k in range(5000):
        wall[0] = k * 0.002
        if k % 100 == 0:
            ex.advance(1.0 + k / 100)
        num = int(rng.integers(1, 1001))
        server.receive_dis(_es(num, 45.0 + num * 1e-4, 20.0))
    s = server.stats
    assert len(ex.sim.external) == 25
    log = pd.DataFrame(ex.sim.log.columns())
    assert (log["kind"] == "external_entity").sum() == 25
    commands = (tmp_path / "live" / "commands.jsonl").read_text().splitlines()
    assert len(commands) <= web.DIS_BURST + web.DIS_RATE_PER_S * wall[0] + 1
    assert s["dis_refused"] > 3000 and s["dis_throttled"] > 0
    assert s["dis_received"] == 5000
    assert s["dis_refused"] + s["dis_throttled"] + len(commands) == 5000


def test_only_the_chosen_exercise_is_taken(tmp_path, sc):
    server, _ = _server(tmp_path, sc, dis_exercise=3)
    server.ex.advance(2.0)
    server.receive_dis(_es(1, 45.1, 20.0, exercise=1))
    assert not server.ex.sim.external and server.stats["dis_other_exercise"] == 1
    server.receive_dis(_es(2, 45.1, 20.0, exercise=3))
    assert list(server.ex.sim.external) == ["7:7:2"]


def test_reserved_entity_ids_are_not_entities(tmp_path, sc):
    """Issue 20: ids with a 0 or 0xFFFF field (NO_/ALL_SITES, _APPLIC, _ENTITIES) or the entity
    number 0xFFFE (RQST_ASSIGN_ID), IEEE 1278.1-2012 §6.2.28, were taken as real entities."""
    import dataclasses

    from skyshield.io import dis

    server, _ = _server(tmp_path, sc)
    server.ex.advance(2.0)

    def es(site, app, num):
        pdu = dis.decode(_es(1, 45.1, 20.0))
        assert isinstance(pdu, dis.EntityState)
        return dis.encode(dataclasses.replace(pdu, entity_id=dis.EntityID(site, app, num)))

    reserved = [(0, 7, 1), (7, 0, 1), (7, 7, 0), (0xFFFF, 7, 1), (7, 0xFFFF, 1), (7, 7, 0xFFFF),
                (7, 7, 0xFFFE)]
    for ids in reserved:
        server.receive_dis(es(*ids))
    assert not server.ex.sim.external
    assert server.stats["dis_reserved_id"] == len(reserved)
    server.receive_dis(es(7, 7, 0xFFFD))  # the largest real entity number
    assert list(server.ex.sim.external) == ["7:7:65533"]


def test_dis_exercise_option_reaches_the_server_and_stamps_our_pdus(tmp_path, sc, monkeypatch):
    """``skyshield serve --dis-exercise N`` (1..255) is the server's exercise: our Entity State
    PDUs carry it (exercise 1 when none is set)."""
    from typer.testing import CliRunner

    import skyshield.web.live as web
    from skyshield.cli import app
    from skyshield.io import dis

    seen = {}

    def fake_serve_live(scenario, folder, **kw):
        seen.update(kw)
        raise RuntimeError("not serving in a test")

    monkeypatch.setattr(web, "serve_live", fake_serve_live)
    r = CliRunner().invoke(app, ["serve", str(SMALL), "--out", str(tmp_path / "a"),
                                 "--dis-exercise", "3"])
    assert r.exit_code == 2 and "not serving in a test" in r.output and seen["dis_exercise"] == 3
    seen.clear()
    r = CliRunner().invoke(app, ["serve", str(SMALL), "--out", str(tmp_path / "b")])
    assert r.exit_code == 2 and seen["dis_exercise"] is None
    for bad in ("0", "256"):
        r = CliRunner().invoke(app, ["serve", str(SMALL), "--out", str(tmp_path / "c"),
                                     "--dis-exercise", bad])
        assert r.exit_code == 2 and "Traceback" not in r.output
    for exercise, want in ((None, 1), (3, 3)):
        rx = _receiver()
        server, _ = _server(tmp_path / f"x{want}", sc, dis_target=rx.getsockname(),
                            dis_exercise=exercise)
        server.open_dis()
        server.ex.advance(1.0)
        server.dis_tick()
        got: list[bytes] = []
        _drain(rx, got)
        rx.close()
        assert got and {dis.decode(b).exercise_id for b in got} == {want}


def _reference_ecef_of_enu(enu_m, sc) -> np.ndarray:
    """ECEF (WGS 84) of a point of the scenario's ENU frame, independently of skyshield: the
    origin's ECEF from GeographicLib's geodesics (the reduced length of the meridian from the
    pole is the radius of the parallel; see tests/io/test_dis.py, checked there against the
    published EPSG example) plus the east, north, up axes there. Not the code under test: that
    once sent Batajnica's degrees as radians and its test computed the same wrong value."""
    import math

    from geographiclib.geodesic import Geodesic

    g = Geodesic.WGS84
    lat, lon, h = sc.origin.lat, sc.origin.lon, float(sc.origin.alt)
    p = g.Inverse(90.0, 0.0, lat, 0.0, Geodesic.REDUCEDLENGTH)["m12"]
    z = g.a * (1 - g.f) * math.sqrt(1.0 - (p / g.a) ** 2)
    f, lam = math.radians(lat), math.radians(lon)
    r0 = np.array([(p + h * math.cos(f)) * math.cos(lam), (p + h * math.cos(f)) * math.sin(lam),
                   z + h * math.sin(f)])
    east = np.array([-math.sin(lam), math.cos(lam), 0.0])
    north = np.array([-math.sin(f) * math.cos(lam), -math.sin(f) * math.sin(lam), math.cos(f)])
    up = np.cross(east, north)
    e, n, u = (float(c) for c in np.ravel(enu_m))
    return r0 + e * east + n * north + u * up


def test_our_entity_state_pdus_are_where_the_fire_units_stand(tmp_path, sc):
    """Every fire unit's Entity State PDU, decoded by opendis, is at its site's ECEF (the
    reference above) to the millimetre: 44.92° N 20.30° E for the Pantsir, not 0.78° N 0.35° E
    (the degrees taken as radians twice, 5,000 km away)."""
    opendis = pytest.importorskip("opendis.PduFactory")
    rx = _receiver()
    server, _ = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    server.ex.advance(1.0)
    server.dis_tick()
    got: list[bytes] = []
    _drain(rx, got)
    rx.close()
    w = server.ex.sim.w
    seen = 0
    for b in got:
        es = opendis.createPdu(b)
        mark = bytes(es.marking.characters).rstrip(b"\0").decode()
        if mark in w.units.name:
            k = w.units.name.index(mark)
            loc = np.array([es.entityLocation.x, es.entityLocation.y, es.entityLocation.z])
            assert np.linalg.norm(loc - _reference_ecef_of_enu(w.units.pos_m[k], sc)) < 1e-3
            seen += 1
    assert seen == len(w.units.name) == 2


def _receiver(addr="127.0.0.1"):
    import socket

    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind((addr, 0))
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    rx.setblocking(False)
    return rx


def _drain(rx, into):
    while True:
        try:
            into.append(rx.recv(4096))
        except BlockingIOError:
            return


def test_entity_numbers_come_from_one_map_in_range_and_send_never_raises(tmp_path, sc):
    """70,000 entities over an exercise: numbers stay in 1..65533 (IEEE 1278.1: 0 no entity,
    65534 and 65535 reserved), never two live entities with one number, wrap-around reuses only
    free numbers, a full map refuses cleanly; a launch with ids beyond 16 bits does not stop
    the clock (struct.error escaped _send before)."""
    from skyshield.io import dis
    from skyshield.web import dis_bridge as web

    rx = _receiver()
    server, _ = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    live_keys: list[str] = []
    for k in range(70_000):
        key = f"w{k}"
        n = server.dis.number(key)
        assert 1 <= n <= 65533
        live_keys.append(key)
        if len(live_keys) > 100:  # entities leave as others come
            server.dis.release(live_keys.pop(0))
    nums = [server.dis.numbers[key] for key in live_keys]
    assert len(set(nums)) == len(nums)
    for key in list(server.dis.numbers):
        server.dis.release(key)
    for k in range(web.DIS_ENTITY_MAX):
        server.dis.number(f"v{k}")
    assert server.dis.number("v-last") == 0 and server.stats["dis_unnumbered"] == 1
    server.dis.release("v123")
    assert server.dis.number("v-last") == server.dis.numbers.get("v-last") > 0
    for key in list(server.dis.numbers):
        server.dis.release(key)
    ev = {"t_s": 10.0, "kind": "launch", "source": "kub", "truth_id": 70_000, "track_id": 1,
          "weapon_id": 70_000, "target": "3M9", "value": 5000.0, "x_m": 0.0, "y_m": 0.0,
          "z_m": 5.0, "info": "", "tag": "missile"}
    server.dis.events([ev, {**ev, "kind": "intercept", "info": "", "tag": "hit"}])
    got: list[bytes] = []
    _drain(rx, got)
    fire, det = (dis.decode(b) for b in got)
    assert isinstance(fire, dis.Fire) and isinstance(det, dis.Detonation)
    assert det.result == 1  # a hit (the event's tag; 5 would be a miss)
    assert fire.munition_id == det.exploding_id and 1 <= fire.munition_id.entity <= 65533
    assert fire.event_id == det.event_id and 1 <= fire.event_id.entity <= 65535
    assert fire.target_id.entity == 0  # a vehicle that was never on the network
    bad = dis.EntityState(dis.EntityID(1, 1, 70_000), 1, dis.EntityType(), (0.0,) * 3,
                          (0.0,) * 3, (0.0,) * 3)
    server.dis.send(bad)  # does not raise: counted
    assert server.stats["dis_send_errors"] == 1
    rx.close()


# SISO-REF-010 (v28, 2020-05-07) entity kinds and munition domains, as written there:
# kind 1 Platform, 2 Munition; platform domain 1 Land, 2 Air; munition domain 1 Anti-Air,
# 2 Anti-Armor, 4 Anti-Radar, 9 Battlefield Support (the conventional land-attack Tomahawks:
# BGM-109D TLAM-D is 2.9.225.1.19.2), 10 Strategic; munition category 1 Guided, 2 Ballistic;
# land platform category 28 Air Defense / Missile Defense Unit Equipment
SISO_INTERCEPTOR = (2, 1, 0, 1)
SISO_CRUISE_MISSILE = (2, 9, 0, 1)
SISO_ARM = (2, 4, 0, 1)
SISO_AIRCRAFT = (1, 2, 0, 1)
SISO_GUN_ROUND = (2, 1, 0, 2)


def test_entity_types_and_the_last_word_where_the_entity_left(tmp_path, sc):
    """A 90 s exercise with an anti-radiation missile injected: the entity types of SISO-REF-010
    (interceptors anti-air guided, cruise missiles battlefield support, the ARM anti-radar), the
    munition of Fire and Detonation PDUs, and the last Entity State PDU of every killed vehicle
    and every spent interceptor at the kill, intercept or loss point (not where it was last
    sent)."""
    from skyshield.io import dis

    rx = _receiver()
    server, wall = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    ex = server.ex
    raw: list[bytes] = []
    numbers: dict[str, int] = {}
    events: list[dict] = []
    for t in np.arange(1.0, 90.0, 1.0):
        if t == 20.0:
            ex.command("controller", {"cmd": "inject", "type": "anti_radiation_missile",
                                      "from": {"lat": 45.0, "lon": 20.3, "alt": 3000},
                                      "to": "kub"})
        wall[0] = float(t)
        new = ex.advance(float(t))
        events += new
        server.dis.events(new)
        server.dis_tick()
        numbers.update(server.dis.numbers)
        _drain(rx, raw)
    rx.close()
    assert len(set(numbers.values())) == len(numbers)
    key_of = {n: k for k, n in numbers.items()}
    got = [dis.decode(b) for b in raw]
    es = [p for p in got if isinstance(p, dis.EntityState)]
    v = ex.sim.w.vehicles
    types = {}
    for p in es:
        types.setdefault(key_of[p.entity_id.entity], set()).add(p.entity_type.tup()[:4])
    cats = {f"v{i}": c for i, c in enumerate(v.category)}
    from skyshield.engine.names import CATEGORIES

    want = {"cruise_missile": SISO_CRUISE_MISSILE, "anti_radiation_missile": SISO_ARM,
            "aircraft": SISO_AIRCRAFT}
    seen_cats = set()
    for key, ts in types.items():
        if key.startswith("w"):
            assert ts == {SISO_INTERCEPTOR}
        elif key.startswith("v"):
            seen_cats.add(CATEGORIES[cats[key]])
            assert ts == {want[CATEGORIES[cats[key]]]}
    assert {"cruise_missile", "anti_radiation_missile"} <= seen_cats
    shots = [p for p in got if isinstance(p, dis.Fire | dis.Detonation)]
    assert shots and all(p.munition_type.tup()[:4] in (SISO_INTERCEPTOR, SISO_GUN_ROUND)
                         for p in shots)
    missiles = [p for p in shots if (p.munition_id if isinstance(p, dis.Fire)
                                     else p.exploding_id).entity]
    assert missiles and all(p.munition_type.tup()[:4] == SISO_INTERCEPTOR for p in missiles)

    def ecef(e):
        return _reference_ecef_of_enu(np.array([e["x_m"], e["y_m"], e["z_m"]]), sc)

    last = {key_of[p.entity_id.entity]: p for p in es if p.appearance & (1 << 23)}
    ends = {}
    for e in events:
        if e["kind"] == "kill":
            ends[f"v{e['truth_id']}"] = e
        elif e["kind"] in ("intercept", "interceptor_lost") and f"w{e['weapon_id']}" in numbers:
            ends[f"w{e['weapon_id']}"] = e
    checked = 0
    for key, e in ends.items():
        p = last[key]
        assert np.linalg.norm(np.array(p.location_m) - ecef(e)) < 0.01, (key, e["kind"])
        checked += 1
    assert checked >= 3 and any(k.startswith("v") for k in ends)


def test_every_entity_still_sent_is_deactivated_when_the_exercise_ends(tmp_path, sc):
    """The controller ends the exercise with fire units, an injected cruise missile, an
    external entity (never sent: it is the other simulator's) and maybe interceptors on the
    network: at the next tick every entity ever sent and not yet gone gets one last Entity State
    PDU marked deactivated (IEEE 1278.1 appearance bit 23), where it is at the end, keeping its
    other appearance bits; after that nothing more is sent."""
    from skyshield.io import dis

    rx = _receiver()
    server, wall = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    ex = server.ex
    raw: list[bytes] = []
    numbers: dict[str, int] = {}
    for t in np.arange(1.0, 31.0, 1.0):
        if t == 5.0:
            ex.command("controller", {"cmd": "inject", "type": "cruise_missile_subsonic",
                                      "from": {"lat": 44.92, "lon": 19.95, "alt": 120},
                                      "to": "base"})
            server.receive_dis(_es(4, 45.1, 20.0))
        wall[0] = float(t)
        server.dis.events(ex.advance(float(t)))
        server.dis_tick()
        numbers.update(server.dis.numbers)
    _drain(rx, raw)
    before = [dis.decode(b) for b in raw]
    still = dict(server.dis.last)  # sent and not gone: key -> (..., appearance last)
    assert any(k.startswith("u") for k in still) and any(k.startswith("v") for k in still)
    key_of = {n: k for k, n in numbers.items()}
    assert not any(p.appearance & (1 << 23) for p in before
                   if isinstance(p, dis.EntityState) and key_of.get(p.entity_id.entity) in still)
    pos, _, _, _ = ex.sim.state(ex.t)
    ex.command("controller", {"cmd": "end"})
    assert ex.ended
    wall[0] = 31.0
    server.dis_tick()
    last: list[bytes] = []
    _drain(rx, last)
    pdus = [dis.decode(b) for b in last]
    assert all(isinstance(p, dis.EntityState) for p in pdus)
    got = {key_of[p.entity_id.entity]: p for p in pdus}
    assert len(got) == len(pdus) and set(got) == set(still)
    assert all(p.entity_id.site != 7 for p in pdus)  # not the external entity's
    for key, p in got.items():
        assert p.appearance & (1 << 23)
        assert p.appearance & ~(1 << 23) == still[key][7]  # damage etc. as last sent
        assert p.velocity_mps == (0.0, 0.0, 0.0)
        if key.startswith("v"):  # where it is at the end
            want = _reference_ecef_of_enu(pos[int(key[1:])], sc)
            assert np.linalg.norm(np.subtract(p.location_m, want)) < 0.01
    assert not server.dis.last and not server.dis.numbers
    for k in range(1, 30):  # heartbeats would have come every 5 s: nothing now
        wall[0] = 31.0 + k
        server.dis_tick()
    after: list[bytes] = []
    _drain(rx, after)
    assert after == []
    rx.close()


def test_heartbeat_on_the_wall_clock_and_frozen_while_paused(tmp_path, sc):
    """Paused, the simulated clock stands still but other simulators still need the 5 s
    heartbeat: PDUs go on every 5 s of wall time, with the frozen bit (21) set at once on
    pause and cleared at once on resume."""
    from skyshield.io import dis

    rx = _receiver()
    server, wall = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    ex = server.ex
    raw: list[bytes] = []
    log: list[tuple[float, dis.PDU]] = []

    def tick(w):
        wall[0] = w
        server.dis_tick()
        before = len(raw)
        _drain(rx, raw)
        log.extend((w, dis.decode(b)) for b in raw[before:])

    ex.advance(2.0)
    tick(2.0)
    ex.command("controller", {"cmd": "pause"})
    for k in range(1, 201):  # 20 s of wall time, paused
        tick(2.0 + 0.1 * k)
    ex.command("controller", {"cmd": "resume"})
    tick(22.05)
    unit1 = [(w, p) for w, p in log if isinstance(p, dis.EntityState) and p.entity_id.entity == 1]
    paused = [(w, p) for w, p in unit1 if 2.0 < w < 22.0]
    assert [round(w, 1) for w, _ in paused] == [2.1, 7.1, 12.1, 17.1]
    assert all(p.appearance & (1 << 21) for _, p in paused)
    assert not unit1[0][1].appearance & (1 << 21) and unit1[-1][0] == 22.05
    assert not unit1[-1][1].appearance & (1 << 21)
    rx.close()


def test_a_broadcast_address_is_sent_to(tmp_path, sc):
    """A broadcast target (here the loopback network's, 127.255.255.255) needs SO_BROADCAST;
    without it every sendto failed with EACCES, silently."""
    rx = _receiver("127.255.255.255")
    server, _ = _server(tmp_path, sc, dis_target=rx.getsockname())
    server.open_dis()
    server.ex.advance(1.0)
    server.dis_tick()
    got: list[bytes] = []
    _drain(rx, got)
    assert got and server.stats["dis_sent"] == len(got)
    assert server.stats["dis_send_errors"] == 0
    rx.close()


def test_dis_listen_binds_the_serve_host_unless_told(tmp_path, sc):
    """``--dis-listen [HOST:]PORT``: the serve host by default (it was 0.0.0.0); the app's
    UDP endpoint takes datagrams there."""
    import socket
    import time

    from skyshield.cli import _listen

    assert _listen("9000", "127.0.0.1") == ("127.0.0.1", 9000)
    assert _listen("127.0.0.2:9001", "127.0.0.1") == ("127.0.0.2", 9001)
    assert _listen(None, "127.0.0.1") is None
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from skyshield.web.live import live_app

    server, _ = _server(tmp_path, sc)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with TestClient(live_app(server, ("127.0.0.1", port))), \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        tx.sendto(b"not a PDU", ("127.0.0.1", port))
        for _ in range(200):  # the event loop's thread takes it; wait for it, not for a time
            if server.stats["dis_received"]:
                break
            time.sleep(0.05)
    assert server.stats["dis_received"] == 1 and server.stats["dis_dropped"] == 1
