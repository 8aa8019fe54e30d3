"""The replay server: a run folder served to the browser viewer (FastAPI + static files).

Everything the page needs is in the package (Leaflet, milsymbol, topojson-client and the Natural
Earth borders are vendored under ``static/vendor``), so a replay works with no internet. The
server binds 127.0.0.1 by default. Endpoints (all JSON, read-only):

* ``/api/run`` — the scenario's name, clock start, duration, origin, fire units (site, radars
  and missiles with their ranges, each radar's horizon-limited coverage polygon at a low and a
  high reference altitude, as the run folder stores them in ``rings.json``:
  :mod:`skyshield.report.rings`), assets, and every entity (side, category, type, fate);
* ``/api/truth`` — per entity key, columns ``t``, ``lat``, ``lon``, ``alt`` (the truth samples);
* ``/api/tracks`` — per confirmed system track, its updates (``t``, ``lat``, ``lon``, ``alt``,
  ``sigma``) and its identity and class over time as the air picture had them (identification
  and classification events, not truth): the standard identities (``engine.names.IDENTITIES``,
  pending from the track's confirmation until its first ``identified`` event); a run folder
  written before them (its ``identified`` events carry no tag) has friend / hostile only, and
  a track not identified is unknown, as it was then;
* ``/api/events`` — the notable events (every kind but the radar scans), time-ordered.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from skyshield.geo import enu_to_geodetic
from skyshield.io.aar import entities, entity_key, iso, positions, start_time, units
from skyshield.io.exports import SYMBOLS, symbol_key
from skyshield.io.runfolder import RunFolder, RunFolderError, to_jsonable
from skyshield.report.rings import COVERAGE_AGL_M, COVERAGE_PD, COVERAGE_RCS_M2, load_rings

__all__ = ["replay_app", "replay_payload", "STATIC_DIR", "serve"]

STATIC_DIR = Path(str(resources.files("skyshield.web") / "static"))
QUIET_KINDS = {"scan", "jam_strobe", "assignment"}


def _r(a: Any, nd: int) -> list[float]:
    return [round(float(x), nd) for x in np.asarray(a, dtype=float)]


def replay_payload(run: RunFolder) -> dict[str, Any]:
    """The four JSON documents the viewer loads (module docstring)."""
    t0 = start_time(run)
    sc = run.scenario
    ents = entities(run)
    cover: dict[str, list[dict[str, Any]]] = {}
    try:
        stored = load_rings(run)  # computed when the run was written (rings.json)
        rings, ref = stored.rings, stored.reference
    except RunFolderError:  # a malformed rings.json that its manifest vouches for: no rings
        rings, ref = [], {"rcs_m2": COVERAGE_RCS_M2, "pd": COVERAGE_PD,
                          "agl_m": list(COVERAGE_AGL_M)}
    for r in rings:
        cover.setdefault(r.unit, []).append({
            "radar": r.radar, "agl_m": r.agl_m, "max_range_m": round(r.max_range_m, 1),
            "lat": _r(r.lat_deg, 5), "lon": _r(r.lon_deg, 5)})
    meta = {
        "scenario": run.summary.get("scenario"), "seed": run.summary.get("seed"),
        "start_time": iso(t0, 0), "duration_s": float(run.summary.get("sim_duration_s", 0)),
        "origin": sc.get("origin"),
        "units": [{"key": u.key, "name": u.name, "type": u.type, "lat": u.lat_deg,
                   "lon": u.lon_deg, "alt": u.alt_m, "alive": u.alive,
                   "radars": [{"type": r, "range_m": m} for r, m in u.radar_ranges_m],
                   "missiles": [{"type": m, "range_m": r} for m, r in u.missile_ranges_m],
                   "coverage": cover.get(u.name, []),
                   # rounds at the start, per type: on the launchers and on the transloaders
                   "magazine": {m: {"loaded": b["loaded"], "reloads": b["reloads"]}
                                for m, b in ((run.summary.get("ammunition") or {}).get(
                                    "by_unit") or {}).get(u.name, {}).items()},
                   "sidc": SYMBOLS[symbol_key(None)]["sidc"]} for u in units(run)],
        "assets": [{"name": n, "lat": a["lat"], "lon": a["lon"], "value": a.get("value"),
                    "radius_m": a.get("radius")} for n, a in (sc.get("assets") or {}).items()],
        "entities": {k: {"name": e.name, "side": e.side, "category": e.category,
                         "type": e.type, "fate": e.fate, "fate_t_s": e.fate_t_s,
                         "sidc": SYMBOLS[symbol_key(e)]["sidc"]} for k, e in ents.items()},
        "sidc": {k: v["sidc"] for k, v in SYMBOLS.items()},
        "coverage_reference": {k: ref[k] for k in ("rcs_m2", "pd", "agl_m")},
        "summary": {k: run.summary.get(k) for k in (
            "threats_total", "threats_destroyed", "threats_leaked", "missiles_fired",
            "fratricide", "value_lost")},
    }
    pos = positions(run)
    truth = {str(k): {"t": _r(g["t_s"], 2), "lat": _r(g["lat_deg"], 6),
                      "lon": _r(g["lon_deg"], 6), "alt": _r(g["alt_m"], 1)}
             for k, g in pos.groupby("key", sort=True)}
    tracks = _tracks(run)
    ev = run.events[~run.events["kind"].isin(QUIET_KINDS)].sort_values("t_s", kind="stable")
    # the typed columns (engine.events.EVENT_SCHEMA); ``info`` is shown as text, never parsed
    cols = ["t_s", "kind", "source", "truth_id", "track_id", "weapon_id", "target", "value",
            "info", "tag", "pk", "t_pred_s", "count"]
    events = [dict(zip(cols, r, strict=True)) for r in ev[cols].itertuples(index=False)]
    for e in events:
        e["truth_key"] = entity_key(int(e["truth_id"])) if e["truth_id"] >= 0 else None
        e["weapon_key"] = f"w{int(e['weapon_id'])}" if e["weapon_id"] > 0 else None
    return to_jsonable({"run": meta, "truth": truth, "tracks": tracks, "events": events})


def _tracks(run: RunFolder) -> dict[str, Any]:
    tr = run.tracks
    conf = tr[tr["status"] == 2]
    if conf.empty:
        return {}
    o = run.scenario["origin"]
    lat0, lon0, alt0 = np.radians(o["lat"]), np.radians(o["lon"]), float(o.get("alt") or 0.0)
    lat, lon, alt = enu_to_geodetic(conf[["x_m", "y_m", "z_m"]].to_numpy(), lat0, lon0, alt0)
    conf = conf.assign(lat=np.degrees(lat), lon=np.degrees(lon), alt=alt)
    ev = run.events
    ident = ev[ev["kind"] == "identified"]
    klass = ev[ev["kind"] == "classified"]
    # the standard identities (their events carry the identity as tag): a track is pending
    # until its first identification; before them (no tag) it was unknown (the page's default)
    standard = bool((ident["tag"].fillna("").astype(str) != "").any())
    out: dict[str, Any] = {}
    for tid, g in conf.groupby("track_id", sort=True):
        g = g.sort_values("t_s", kind="stable")
        i = ident[ident["track_id"] == tid]
        c = klass[klass["track_id"] == tid]
        identity: list[tuple[float, str]] = [
            (round(float(t), 2), str(x)) for t, x in zip(i["t_s"], i["target"], strict=True)]
        t0 = round(float(g["t_s"].iloc[0]), 2)
        if standard and (not identity or identity[0][0] > t0):
            identity.insert(0, (t0, "pending"))
        out[str(tid)] = {
            "t": _r(g["t_s"], 2), "lat": _r(g["lat"], 6), "lon": _r(g["lon"], 6),
            "alt": _r(g["alt"], 1), "sigma": _r(g["sigma_pos_m"], 1),
            "truth_key": _truth_key(g["truth_id"]),
            "identity": identity,
            "class": [[round(float(t), 2), str(x)] for t, x in zip(c["t_s"], c["target"],
                                                                    strict=True)]}
    return out


def _truth_key(s: pd.Series) -> str | None:
    v = s[s >= 0]
    return entity_key(int(v.mode().iloc[0])) if len(v) else None


def replay_app(run: RunFolder) -> Any:
    """The FastAPI application serving one run folder's replay."""
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles

    payload = replay_payload(run)
    app = FastAPI(title="skyshield replay", docs_url=None, redoc_url=None)

    # no return annotations on the handlers: under ``from __future__ import annotations`` they
    # are strings FastAPI resolves in this module's globals, where the responses are not
    @app.get("/", include_in_schema=False)
    def index():
        return FileResponse(STATIC_DIR / "replay.html", media_type="text/html")

    def _serves(body: Any) -> Any:
        def endpoint():  # no parameters: nothing is read from the query
            return JSONResponse(body)
        return endpoint

    for name in ("run", "truth", "tracks", "events"):
        app.add_api_route(f"/api/{name}", _serves(payload[name]), methods=["GET"], name=name,
                          response_class=JSONResponse)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve(run: RunFolder, host: str = "127.0.0.1", port: int = 8765) -> None:
    """Serve the replay until interrupted; a port already taken raises OSError first."""
    import uvicorn

    from skyshield.web.ports import probe_tcp_port

    probe_tcp_port(host, port)  # fails cleanly if the port is taken
    uvicorn.run(replay_app(run), host=host, port=port, log_level="warning")
