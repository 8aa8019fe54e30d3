"""Exports against their formats: CZML parses with a document packet and time intervals inside
the run, KML is well formed and uses only KML 2.2 / gx elements where the schema allows them,
ACMI has the 2.2 header and increasing time frames; golden files for a small scenario."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from skyshield.io.exports import FORMATS, to_format
from skyshield.io.runfolder import RunFolderError, read_run_folder

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, aar_small_run):
    path = tmp_path_factory.mktemp("aar") / "run"
    aar_small_run.save(path)
    return read_run_folder(path)


def _t(s: str) -> float:
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_match_their_golden_files(run_folder, fmt):
    """Byte for byte (regenerate with tests/golden/make_golden.py after an intended change)."""
    assert to_format(run_folder, fmt) == (GOLDEN / f"aar-small.{fmt}").read_text(encoding="utf-8")


def test_czml_is_a_document_and_time_tagged_packets_inside_the_run(run_folder):
    packets = json.loads(to_format(run_folder, "czml"))
    doc = packets[0]
    assert doc["id"] == "document" and doc["version"] == "1.0"
    start, end = (_t(x) for x in doc["clock"]["interval"].split("/"))
    assert end - start == pytest.approx(150.0)
    ids = [p["id"] for p in packets]
    assert len(ids) == len(set(ids))
    moving = [p for p in packets if "availability" in p]
    kinds = {p["id"][0] for p in moving}
    assert kinds == {"v", "w"}  # air vehicles and interceptors
    for p in moving:
        a, b = (_t(x) for x in p["availability"].split("/"))
        assert start <= a <= b <= end
        c = p["position"]["cartographicDegrees"]
        assert len(c) % 4 == 0 and len(c) >= 8
        ts = c[0::4]
        assert ts == sorted(ts) and 0 <= ts[0] and ts[-1] <= 150.0
        assert _t(p["position"]["epoch"]) == start
        assert all(-180 <= lon <= 180 for lon in c[1::4]) and all(-90 <= la <= 90
                                                                   for la in c[2::4])
        assert p["billboard"]["image"].startswith("data:image/svg+xml;base64,")
    units = [p for p in packets if p["id"].startswith("u:") and ":ring:" not in p["id"]]
    assert {u["name"].split()[0] for u in units} == {"pantsir", "kub"}


# the KML 2.2 and gx elements the export uses, each with the parents the schema allows
_KML_PARENTS = {
    "kml": {None}, "Document": {"kml"}, "name": {"Document", "Folder", "Placemark"},
    "open": {"Document", "Folder"}, "Style": {"Document"}, "IconStyle": {"Style"},
    "LineStyle": {"Style"}, "color": {"IconStyle", "LineStyle"}, "scale": {"IconStyle"},
    "width": {"LineStyle"}, "Folder": {"Document", "Folder"}, "Placemark": {"Folder"},
    "description": {"Placemark"}, "styleUrl": {"Placemark"}, "Point": {"Placemark"},
    "altitudeMode": {"Point", "gx:Track"}, "coordinates": {"Point"},
    "gx:Track": {"Placemark"}, "when": {"gx:Track"}, "gx:coord": {"gx:Track"},
}
_NS = {"{http://www.opengis.net/kml/2.2}": "", "{http://www.google.com/kml/ext/2.2}": "gx:"}


def _local(tag: str) -> str:
    for ns, prefix in _NS.items():
        if tag.startswith(ns):
            return prefix + tag[len(ns):]
    raise AssertionError(f"element outside the KML and gx namespaces: {tag}")


def test_kml_is_well_formed_and_schema_valid_for_the_elements_it_uses(run_folder):
    root = ET.fromstring(to_format(run_folder, "kml"))
    stack = [(root, None)]
    tracks = 0
    while stack:
        el, parent = stack.pop()
        tag = _local(el.tag)
        assert tag in _KML_PARENTS, tag
        assert parent in _KML_PARENTS[tag], (tag, parent)
        if tag == "gx:Track":
            tracks += 1
            when = [_t(w.text) for w in el if _local(w.tag) == "when"]
            coords = [c.text.split() for c in el if _local(c.tag) == "gx:coord"]
            assert len(when) == len(coords) >= 2 and when == sorted(when)
            assert all(len(c) == 3 and -180 <= float(c[0]) <= 180 and -90 <= float(c[1]) <= 90
                       for c in coords)
        if tag == "altitudeMode":
            assert el.text in {"clampToGround", "relativeToGround", "absolute"}
        if tag == "styleUrl":
            assert root.find(f".//{{http://www.opengis.net/kml/2.2}}Style[@id='{el.text[1:]}']"
                             ) is not None
        if tag == "color":
            assert re.fullmatch(r"[0-9a-f]{8}", el.text)
        stack += [(c, tag) for c in el]
    assert tracks >= 4  # two cruise missiles, the MiG-29, interceptors


def test_acmi_has_the_header_and_increasing_frames(run_folder):
    lines = to_format(run_folder, "acmi").splitlines()
    assert lines[0] == "FileType=text/acmi/tacview" and lines[1] == "FileVersion=2.2"
    assert re.fullmatch(r"0,ReferenceTime=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[2])
    frames, alive, removed = [], set(), set()
    for ln in lines[3:]:
        if ln.startswith("#"):
            frames.append(float(ln[1:]))
        elif ln.startswith("-"):
            assert ln[1:] in alive
            removed.add(ln[1:])
        elif ln.startswith("0,"):
            assert frames or ln.split("=")[0] in ("0,Title", "0,DataSource", "0,Author")
        else:
            oid, _, props = ln.partition(",")
            assert re.fullmatch(r"[0-9a-f]+", oid) and oid not in removed
            t = re.search(r"T=([-\d.]+)\|([-\d.]+)\|([-\d.]+)", props)
            assert t and -180 <= float(t[1]) <= 180 and -90 <= float(t[2]) <= 90
            if oid not in alive:
                assert "Type=" in props and "Coalition=" in props  # first line names it
            alive.add(oid)
    assert frames == sorted(frames) and len(frames) == len(set(frames)) and frames[0] == 0.0
    assert "0,Event=Destroyed|" in "\n".join(lines)


def test_a_damaged_or_incomplete_run_folder_is_refused(tmp_path, run_folder):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(run_folder.path, bad)
    (bad / "truth.parquet").write_bytes(b"not parquet")
    with pytest.raises(RunFolderError, match="damaged"):
        read_run_folder(bad)
    (bad / "summary.json").unlink()
    with pytest.raises(RunFolderError, match="missing summary.json"):
        read_run_folder(bad)


def test_entities_carry_their_true_side(run_folder):
    from skyshield.io.aar import entities

    ents = entities(run_folder)
    sides = {e.name: e.side for e in ents.values() if e.category != "interceptor"}
    assert sides == {"salvo-01": "hostile", "salvo-02": "hostile", "mig": "friendly"}
    assert {e.category for e in ents.values()} == {"cruise_missile", "aircraft", "interceptor"}


# --- truth at launch and at the fate instant (what the exports draw) -----------------------

def _acmi_objects(text: str):
    """Per frame time, the object lines, removals and events, in file order."""
    t, out = None, []
    for ln in text.splitlines():
        if ln.startswith("#"):
            t = float(ln[1:])
        elif t is not None:
            out.append((t, ln))
    return out


def test_every_acmi_destroyed_event_names_a_live_object(run_folder):
    alive, destroyed = set(), 0
    for _t_s, ln in _acmi_objects(to_format(run_folder, "acmi")):
        if ln.startswith("-"):
            alive.discard(ln[1:])
        elif ln.startswith("0,Event=Destroyed|"):
            oid = ln.split("|")[1]
            assert oid in alive, ln
            destroyed += 1
        elif not ln.startswith("0,"):
            alive.add(ln.split(",", 1)[0])
    kills = run_folder.events[run_folder.events["kind"] == "kill"]
    assert destroyed == len(kills) >= 1


def _missile_kills(run):
    ev = run.events
    launch = ev[(ev["kind"] == "launch") & (ev["info"].astype(str) != "gun burst")]
    by_weapon = {int(w): r for w, r in zip(launch["weapon_id"], launch.itertuples(), strict=True)}
    kills = ev[ev["kind"] == "kill"]
    return [(k, by_weapon[int(k.weapon_id)]) for k in kills.itertuples()
            if int(k.weapon_id) in by_weapon], by_weapon


def test_at_a_kill_the_interceptor_and_its_target_end_together(run_folder):
    from skyshield.scenario.catalogue import load_catalogue

    cat = load_catalogue()
    truth = run_folder.truth
    kills, _ = _missile_kills(run_folder)
    assert kills
    for k, launch in kills:
        w = truth[truth["entity_id"] == -int(k.weapon_id)].sort_values("t_s")
        v = truth[truth["entity_id"] == int(k.truth_id)].sort_values("t_s")
        assert w["t_s"].iloc[-1] == pytest.approx(k.t_s, abs=1e-6)
        assert v["t_s"].iloc[-1] == pytest.approx(k.t_s, abs=1e-6)
        gap = np.linalg.norm(w[["x_m", "y_m", "z_m"]].iloc[-1].to_numpy()
                             - v[["x_m", "y_m", "z_m"]].iloc[-1].to_numpy())
        # the end game's miss distance, and inside the warhead's lethal reach: the Carleton
        # damage function exp(-r²/2b²) (Ball 2003, sec. 5.3) gives Pk 1 % at r = 3b
        ev = run_folder.events
        hit = ev[(ev["kind"] == "intercept") & (ev["weapon_id"] == k.weapon_id)]
        assert gap == pytest.approx(float(hit["value"].iloc[0]), abs=0.5)
        b = cat.missiles[launch.target].lethal_radius_m
        assert gap <= 3 * float(getattr(b, "value", b)), (launch.target, gap)


def test_an_interceptor_starts_at_its_launcher_at_launch(run_folder):
    from skyshield.geo import geodetic_to_enu

    o = run_folder.scenario["origin"]
    origin = (np.radians(o["lat"]), np.radians(o["lon"]), float(o.get("alt") or 0.0))
    sites = {n: geodetic_to_enu(np.radians(u["lat"]), np.radians(u["lon"]), 0.0, *origin)
             for n, u in run_folder.scenario["units"].items()}
    _, launches = _missile_kills(run_folder)
    assert launches
    czml = {p["id"]: p for p in json.loads(to_format(run_folder, "czml"))}
    t0 = _t(czml["document"]["clock"]["interval"].split("/")[0])
    for wid, launch in launches.items():
        w = run_folder.truth[run_folder.truth["entity_id"] == -wid].sort_values("t_s")
        assert w["t_s"].iloc[0] == launch.t_s
        first = w[["x_m", "y_m"]].iloc[0].to_numpy()
        assert np.hypot(*(first - np.asarray(sites[launch.source])[:2])) < 1.0  # metres
        p = czml[f"w{wid}"]
        assert _t(p["availability"].split("/")[0]) - t0 == pytest.approx(launch.t_s, abs=1e-3)
        c = p["position"]["cartographicDegrees"]
        u = run_folder.scenario["units"][launch.source]
        assert c[0] == pytest.approx(launch.t_s, abs=1e-3)
        assert (c[1], c[2]) == (pytest.approx(u["lon"], abs=1e-5), pytest.approx(u["lat"],
                                                                                abs=1e-5))
