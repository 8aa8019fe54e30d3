"""Exports of a run for other tools: CZML (Cesium), KML with gx:Track (Google Earth) and Tacview
ACMI 2.2 text.

All three are written from the run folder alone (truth, events, the resolved scenario), with clock
times from the scenario's ``start_time``, and are deterministic: the same run folder gives the
same bytes.

* **CZML** (Cesium Language, https://github.com/AnalyticalGraphicsInc/czml-writer/wiki/CZML-Guide):
  a JSON array whose first packet is the ``document`` with the clock; then one packet per fire
  unit (fixed position, MIL-STD-2525 billboard, its first radar's instrumented range and its
  longest missile's engagement range as ellipses) and per air object and interceptor
  (``availability``, time-tagged ``cartographicDegrees`` from an ``epoch``, a billboard of its
  symbol — pre-rendered by milsymbol into ``io/data/symbols.json`` — and a trailing ``path``).
* **KML 2.2** (OGC 07-147r2) with the Google extension ``gx:Track``
  (https://developers.google.com/kml/documentation/kmlreference#gxtrack): a Document with one
  Style per side, a Folder of units (Point placemarks) and a Folder of tracks, each a Placemark
  holding a ``gx:Track`` of ``when`` / ``gx:coord`` pairs (absolute altitude).
* **ACMI 2.2** (https://www.tacview.net/documentation/acmi/en/): ``FileType=text/acmi/tacview``,
  ``FileVersion=2.2``, the global object ``0`` with ``ReferenceTime``, then time frames ``#t``
  (seconds from the reference, increasing) with object lines ``id,T=lon|lat|alt,...``; an
  object removed is ``-id``, after its last point and after its ``Event=Destroyed`` (a kill).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd

from skyshield.io.aar import Entity, Unit, entities, iso, positions, start_time, units
from skyshield.io.runfolder import RunFolder

__all__ = ["to_czml", "to_kml", "to_acmi", "FORMATS", "symbol_key", "SYMBOLS"]

FORMATS = ("czml", "kml", "acmi")

# side colours (RGBA): friend blue, hostile red, interceptor green
_RGBA = {"friendly": [0, 107, 255, 255], "hostile": [220, 30, 30, 255],
         "interceptor": [20, 170, 60, 255], "unit": [0, 107, 255, 255]}
_CIVIL_RGBA = [170, 255, 170, 255]  # civil traffic: APP-6 neutral, light green


def _symbols() -> dict[str, Any]:
    path = resources.files("skyshield.io") / "data" / "symbols.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


SYMBOLS = _symbols()


def symbol_key(e: Entity | None, affiliation: str | None = None) -> str:
    """The key into ``SYMBOLS`` of an entity (``H:cruise_missile``), or of a fire unit."""
    if e is None:
        return f"{affiliation or 'F'}:air_defence_unit"
    aff = affiliation or {"hostile": "H", "civil": "N" if "N:aircraft" in SYMBOLS else "U"
                          }.get(e.side, "F")
    return f"{aff}:{e.category if f'{aff}:{e.category}' in SYMBOLS else 'aircraft'}"


def _svg_uri(key: str) -> str:
    from base64 import b64encode

    return "data:image/svg+xml;base64," + b64encode(SYMBOLS[key]["svg"].encode()).decode()


def _colour(e: Entity) -> list[int]:
    return _RGBA.get("interceptor" if e.category == "interceptor" else e.side, _CIVIL_RGBA)


def _r(x: float, nd: int) -> float:
    return float(round(float(x), nd))


def _tracks(run: RunFolder) -> list[tuple[Entity, pd.DataFrame]]:
    ents = entities(run)
    pos = positions(run)
    return [(ents[str(k)], g) for k, g in pos.groupby("key", sort=True) if str(k) in ents]


def to_czml(run: RunFolder) -> list[dict[str, Any]]:
    """The run as CZML packets (module docstring)."""
    t0 = start_time(run)
    end = float(run.summary.get("sim_duration_s") or run.truth["t_s"].max())
    interval = f"{iso(t0, 0)}/{iso(t0, end)}"
    doc = {"id": "document", "name": str(run.summary.get("scenario", "skyshield run")),
           "version": "1.0",
           "clock": {"interval": interval, "currentTime": iso(t0, 0), "multiplier": 10,
                     "range": "LOOP_STOP", "step": "SYSTEM_CLOCK_MULTIPLIER"}}
    packets: list[dict[str, Any]] = [doc]
    for u in units(run):
        alt = u.alt_m
        packets.append({
            "id": u.key, "name": f"{u.name} ({u.type})",
            "description": _unit_html(u),
            "position": {"cartographicDegrees": [u.lon_deg, u.lat_deg, alt]},
            "billboard": {"image": _svg_uri(symbol_key(None)), "scale": 1.0,
                          "verticalOrigin": "CENTER"},
            "label": {"text": u.name, "font": "12px sans-serif", "pixelOffset":
                      {"cartesian2": [0, 22]}, "fillColor": {"rgba": [255, 255, 255, 255]}}})
        for what, rng in (*((f"radar {r}", m) for r, m in u.radar_ranges_m[:1]),
                          *((f"missile {m}", r) for m, r in u.missile_ranges_m[:1])):
            packets.append({
                "id": f"{u.key}:ring:{what}", "name": f"{u.name} {what} "
                        f"{'instrumented' if what.startswith('radar') else 'engagement'} range",
                "parent": u.key,
                "position": {"cartographicDegrees": [u.lon_deg, u.lat_deg, alt]},
                "ellipse": {"semiMajorAxis": rng, "semiMinorAxis": rng, "fill": False,
                            "outline": True, "height": 0,
                            "outlineColor": {"rgba": [0, 107, 255, 160] if what.startswith(
                                "radar") else [255, 160, 0, 200]}}})
    for e, g in _tracks(run):
        ts = g["t_s"].to_numpy(dtype=float)
        coords: list[float] = []
        for t, lon, lat, alt in zip(ts, g["lon_deg"], g["lat_deg"], g["alt_m"], strict=True):
            coords += [_r(t, 3), _r(lon, 7), _r(lat, 7), _r(alt, 1)]
        rgba = _colour(e)
        packets.append({
            "id": e.key, "name": e.name,
            "description": f"{e.type or e.category}, {e.side}; fate: {e.fate}",
            "availability": f"{iso(t0, ts[0])}/{iso(t0, ts[-1])}",
            "position": {"epoch": iso(t0, 0), "cartographicDegrees": coords,
                         "interpolationAlgorithm": "LINEAR"},
            "billboard": {"image": _svg_uri(symbol_key(e)), "scale": 0.8},
            "label": {"text": e.name, "font": "11px sans-serif",
                      "pixelOffset": {"cartesian2": [0, 18]}, "fillColor": {"rgba": rgba}},
            "path": {"material": {"solidColor": {"color": {"rgba": rgba}}},
                     "width": 2 if e.category == "interceptor" else 1.5,
                     "leadTime": 0, "trailTime": 600 if e.category != "interceptor" else 3600,
                     "resolution": 2}})
    return packets


def _unit_html(u: Unit) -> str:
    rows = [f"radar {r}: {m / 1e3:.0f} km" for r, m in u.radar_ranges_m] + \
           [f"missile {m}: {r / 1e3:.0f} km" for m, r in u.missile_ranges_m]
    return "<br/>".join([escape(u.type), *map(escape, rows)])


# --- KML ----------------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"


def _abgr(rgba: list[int]) -> str:
    r, g, b, a = rgba
    return f"{a:02x}{b:02x}{g:02x}{r:02x}"


def to_kml(run: RunFolder) -> str:
    """The run as KML 2.2 with gx:Track (module docstring)."""
    t0 = start_time(run)
    name = escape(str(run.summary.get("scenario", "skyshield run")))
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<kml xmlns="{KML_NS}" xmlns:gx="{GX_NS}">', "<Document>", f"<name>{name}</name>",
           "<open>1</open>"]
    civil = ({"civil": _CIVIL_RGBA} if any(e.side == "civil" for e in entities(run).values())
             else {})
    for side, rgba in {**_RGBA, **civil}.items():
        out += [f'<Style id="{side}">', "<IconStyle>", f"<color>{_abgr(rgba)}</color>",
                "<scale>0.8</scale>", "</IconStyle>", "<LineStyle>",
                f"<color>{_abgr(rgba)}</color>", "<width>2</width>", "</LineStyle>",
                "</Style>"]
    out += ["<Folder>", "<name>Fire units</name>"]
    for u in units(run):
        alt = u.alt_m
        out += ["<Placemark>", f"<name>{escape(u.name)}</name>",
                f"<description>{escape(_unit_html(u))}</description>",
                "<styleUrl>#unit</styleUrl>", "<Point>",
                "<altitudeMode>clampToGround</altitudeMode>",
                f"<coordinates>{u.lon_deg:.7f},{u.lat_deg:.7f},{alt:.1f}</coordinates>",
                "</Point>", "</Placemark>"]
    out += ["</Folder>", "<Folder>", "<name>Tracks</name>"]
    for e, g in _tracks(run):
        style = "interceptor" if e.category == "interceptor" else e.side
        out += ["<Placemark>", f"<name>{escape(e.name)}</name>",
                f"<description>{escape(f'{e.type or e.category}, {e.side}; fate: {e.fate}')}"
                "</description>", f"<styleUrl>#{style}</styleUrl>", "<gx:Track>",
                "<altitudeMode>absolute</altitudeMode>"]
        out += [f"<when>{iso(t0, t)}</when>" for t in g["t_s"]]
        out += [f"<gx:coord>{lon:.7f} {lat:.7f} {alt:.1f}</gx:coord>"
                for lon, lat, alt in zip(g["lon_deg"], g["lat_deg"], g["alt_m"], strict=True)]
        out += ["</gx:Track>", "</Placemark>"]
    out += ["</Folder>", "</Document>", "</kml>"]
    return "\n".join(out) + "\n"


# --- ACMI ---------------------------------------------------------------------------------

_ACMI_TYPE = {"aircraft": "Air+FixedWing", "uav": "Air+FixedWing+UAV",
              "jammer": "Air+FixedWing", "cruise_missile": "Weapon+Missile",
              "anti_radiation_missile": "Weapon+Missile", "interceptor": "Weapon+Missile"}


def to_acmi(run: RunFolder) -> str:
    """The run as Tacview ACMI 2.2 text (module docstring)."""
    t0 = start_time(run)
    lines = ["FileType=text/acmi/tacview", "FileVersion=2.2",
             f"0,ReferenceTime={t0.strftime('%Y-%m-%dT%H:%M:%SZ')}",
             f"0,Title={_acmi_text(str(run.summary.get('scenario', 'skyshield run')))}",
             "0,DataSource=skyshield (training and analysis only; public nominal figures)",
             "0,Author=skyshield"]
    ents = entities(run)
    ids: dict[str, int] = {}
    for k, u in enumerate(units(run)):
        ids[u.key] = 0x1000 + k
    for k, key in enumerate(sorted(ents)):
        ids[key] = 0x2000 + k
    frames: dict[float, list[str]] = {}

    def at(t: float, line: str) -> None:
        frames.setdefault(_r(t, 2), []).append(line)

    for u in units(run):
        alt = u.alt_m
        at(0.0, f"{ids[u.key]:x},T={u.lon_deg:.7f}|{u.lat_deg:.7f}|{alt:.1f},"
                f"Type=Ground+Static+AntiAircraft,Name={_acmi_text(u.type)},"
                f"CallSign={_acmi_text(u.name)},Coalition=Allies,Color=Blue")
    kills = run.events[run.events["kind"] == "kill"]
    destroyed_t = {f"v{int(tid)}": float(t) for t, tid in zip(kills["t_s"], kills["truth_id"],
                                                              strict=True)}
    for e, g in _tracks(run):
        oid = f"{ids[e.key]:x}"
        first = True
        for t, lon, lat, alt in zip(g["t_s"], g["lon_deg"], g["lat_deg"], g["alt_m"],
                                    strict=True):
            line = f"{oid},T={lon:.7f}|{lat:.7f}|{alt:.1f}"
            if first:
                hostile = e.side == "hostile"
                coalition, colour = (("Enemies", "Red") if hostile else ("Neutrals", "Green")
                                     if e.side == "civil" else ("Allies", "Blue"))
                line += (f",Type={_ACMI_TYPE.get(e.category, 'Air+FixedWing')},"
                         f"Name={_acmi_text(e.type or e.category)},"
                         f"CallSign={_acmi_text(e.name)},"
                         f"Coalition={coalition},Color={colour}")
                first = False
            at(float(t), line)
        # removed after its last point and after its Destroyed event, never before
        gone = max(float(g["t_s"].iloc[-1]), destroyed_t.get(e.key, -1.0))
        at(gone + 0.01, f"-{oid}")
    for key, t in destroyed_t.items():
        if key in ids:
            at(t, f"0,Event=Destroyed|{ids[key]:x}|")
    for t in sorted(frames):
        lines.append(f"#{t:.2f}")
        lines += frames[t]
    return "\n".join(lines) + "\n"


def _acmi_text(s: str) -> str:
    """ACMI property text: commas and line breaks escaped with a backslash."""
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("\n", "\\\n")


def to_format(run: RunFolder, fmt: str) -> str:
    """The export as text (``czml``: JSON)."""
    if fmt == "czml":
        return json.dumps(to_czml(run), separators=(",", ":"), ensure_ascii=False) + "\n"
    if fmt == "kml":
        return to_kml(run)
    if fmt == "acmi":
        return to_acmi(run)
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")

