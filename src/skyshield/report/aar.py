"""The after-action report: one self-contained HTML file (it opens from disk, offline) with the
laydown (each radar's horizon-limited coverage at a low and a high reference altitude from
:mod:`skyshield.report.rings`, each unit's engagement ring, the threat tracks by fate, the
interceptor flights, a legend), the engagement timeline, missiles expended per unit, leakers with
their cause, detection ranges by threat type, air-picture quality over time and the debrief
scores. Plots are matplotlib PNGs embedded as data URIs, drawn on ``matplotlib.figure.Figure``
(no pyplot, no backend switch); no script, no external resource.
"""

from __future__ import annotations

import base64
import io as _io
import json
from collections.abc import Sequence
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from skyshield.common.files import atomic_write_text
from skyshield.io.aar import entities, iso, positions, start_time, units
from skyshield.io.runfolder import RunFolder
from skyshield.physics.propagation import EARTH_RADIUS_M

__all__ = ["write_report", "report_html", "laydown_figure", "FATE_COLOURS", "STYLES"]

# track colours by fate; every line of the laydown has its own (colour, line style), listed in
# its legend: a destroyed threat is not an interceptor, a friendly is not a radar ring
FATE_COLOURS = {"destroyed": "#2a9d3a", "leaked": "#d62728", "survived": "#7f7f7f",
                "safe": "#1f3fbf", "shot_down": "#e377c2"}
STYLES = {"interceptor": ("#17becf", ":"), "radar_low": ("#6a3d9a", ":"),
          "radar_high": ("#6a3d9a", "-."), "engagement": ("#ff8c00", "-")}


def _figure(w_in: float, h_in: float) -> Any:
    """A matplotlib figure not attached to pyplot (no global backend, no global state)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(w_in, h_in))


def _png(fig: Any) -> str:
    buf = _io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _borders() -> list[list[tuple[float, float]]]:
    data = json.loads((resources.files("skyshield.io") / "data" / "borders_balkans.geojson")
                      .read_text(encoding="utf-8"))
    rings = []
    for f in data["features"]:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            rings += [[(x, y) for x, y in ring] for ring in poly]
    return rings


def _circle(lat: float, lon: float, r_m: float) -> tuple[np.ndarray, np.ndarray]:
    a = np.linspace(0, 2 * np.pi, 181)
    dlat = np.degrees(r_m * np.cos(a) / EARTH_RADIUS_M)
    dlon = np.degrees(r_m * np.sin(a) / (EARTH_RADIUS_M * np.cos(np.radians(lat))))
    return lon + dlon, lat + dlat


def laydown_figure(run: RunFolder) -> Any:
    """The laydown: borders, each radar's coverage at a low and a high reference altitude
    (:mod:`skyshield.report.rings`), each unit's engagement ring, the tracks by fate and the
    interceptor flights, with a legend of every style used."""
    from matplotlib.lines import Line2D

    from skyshield.io.runfolder import RunFolderError
    from skyshield.report.rings import load_rings

    ents = entities(run)
    pos = positions(run)
    us = units(run)
    fig = _figure(11, 8.5)
    ax = fig.subplots()
    lat0 = float(run.scenario["origin"]["lat"])
    lons = [u.lon_deg for u in us] + pos["lon_deg"].tolist()
    lats = [u.lat_deg for u in us] + pos["lat_deg"].tolist()
    for ring in _borders():
        xs, ys = zip(*ring, strict=True)
        ax.plot(xs, ys, color="#b0b0b0", lw=0.8, zorder=1)
    handles: dict[str, Any] = {}

    def key(label: str, colour: str, ls: str = "-", lw: float = 1.2, marker: str = "",
            **kw: Any) -> None:
        if label not in handles:
            handles[label] = Line2D([], [], color=colour, ls=ls, lw=lw, marker=marker, **kw)

    try:
        stored = load_rings(run)  # computed when the run was written (rings.json)
        rings, ref, why = stored.rings, stored.reference, "no unit radar"
    except RunFolderError:  # a malformed rings.json that its manifest vouches for
        rings, ref, why = [], {}, "rings.json unreadable"
    for r in rings:
        c, ls = STYLES["radar_low" if r.agl_m == min(ref["agl_m"]) else "radar_high"]
        ax.plot(r.lon_deg, r.lat_deg, color=c, lw=0.9, ls=ls, zorder=2)
        key(f"radar coverage, {ref['rcs_m2']:g} m² target at {r.agl_m / 1e3:g} km AGL", c, ls,
            0.9)
    c_eng, ls_eng = STYLES["engagement"]
    for u in us:
        if u.missile_ranges_m:
            m, rng = u.missile_ranges_m[0]
            x, y = _circle(u.lat_deg, u.lon_deg, rng)
            ax.plot(x, y, color=c_eng, lw=0.9, ls=ls_eng, zorder=2)
            key("engagement ring (longest missile range)", c_eng, ls_eng, 0.9)
    if not rings:
        key(f"radar coverage: not available ({why})", "#ffffff", "-", 0)
    for a in (run.scenario.get("assets") or {}).values():
        ax.plot(a["lon"], a["lat"], "s", color="#444", ms=7, zorder=5)
        key("defended asset", "#444", "", 0, "s", ms=7)
    c_i, ls_i = STYLES["interceptor"]
    for k, g in pos.groupby("key", sort=True):
        e = ents.get(str(k))
        if e is None:
            continue
        if e.category == "interceptor":
            ax.plot(g["lon_deg"], g["lat_deg"], color=c_i, lw=0.8, ls=ls_i, zorder=3)
            key("interceptor flight", c_i, ls_i, 0.8)
            continue
        c = FATE_COLOURS.get(e.fate, "#444444")
        ls = "--" if e.fate == "leaked" else "-"
        ax.plot(g["lon_deg"], g["lat_deg"], color=c, lw=1.4, ls=ls, zorder=4)
        who = e.side if e.side in ("friendly", "civil") else "threat"
        key(f"{who}: {e.fate}", c, ls, 1.4)
        if e.fate in ("destroyed", "shot_down"):
            ax.plot(g["lon_deg"].iloc[-1], g["lat_deg"].iloc[-1], "x", color="k", ms=7, zorder=6)
            key("kill", "k", "", 0, "x", ms=7)
    for u in us:
        ax.plot(u.lon_deg, u.lat_deg, "^", color="#0b3d91" if u.alive else "#999", ms=10,
                mec="white", zorder=7)
        ax.annotate(u.name, (u.lon_deg, u.lat_deg), xytext=(6, 6), textcoords="offset points",
                    fontsize=9, zorder=8)
        key("fire unit" if u.alive else "fire unit (destroyed)",
            "#0b3d91" if u.alive else "#999", "", 0, "^", ms=9)
    # the fight's extent (tracks and sites) with a margin; long rings are cut at the frame
    pad_x = max(0.15 * (max(lons) - min(lons)), 0.1)
    pad_y = max(0.15 * (max(lats) - min(lats)), 0.1)
    ax.set_xlim(min(lons) - pad_x, max(lons) + pad_x)
    ax.set_ylim(min(lats) - pad_y, max(lats) + pad_y)
    ax.set_aspect(1 / np.cos(np.radians(lat0)))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.grid(alpha=0.2)
    ax.legend(list(handles.values()), list(handles), loc="lower left", fontsize=8,
              framealpha=0.9)
    ax.set_title("Laydown: radar coverage (Pd 0.5 per scan, horizon-limited) and engagement "
                 "rings, threat tracks by fate, interceptor flights", fontsize=10)
    return fig


def _laydown(run: RunFolder) -> str:
    return _png(laydown_figure(run))


def _timeline(run: RunFolder) -> str:
    ev = run.events
    rows = [("first detection", ev[ev["kind"] == "first_detection"], "o", "#1f77b4"),
            ("launch", ev[ev["kind"] == "launch"], "^", "#ff8c00"),
            ("intercept: hit", ev[(ev["kind"] == "intercept") & (ev["tag"] == "hit")], "*",
             "#2a9d3a"),
            ("intercept: miss / no target", ev[(ev["kind"] == "intercept")
                                               & (ev["tag"] != "hit")], "x", "#7f7f7f"),
            ("kill", ev[ev["kind"] == "kill"], "X", "#000000"),
            ("leak", ev[ev["kind"] == "leak"], "v", "#d62728"),
            ("impact", ev[ev["kind"] == "impact"], "D", "#8c564b")]
    fig = _figure(11, 3.6)
    ax = fig.subplots()
    for k, (label, sel, marker, colour) in enumerate(rows):
        ax.scatter(sel["t_s"] / 60, np.full(len(sel), k), marker=marker, color=colour, s=28,
                   label=f"{label} ({len(sel)})")
    ax.set_yticks(range(len(rows)), [r[0] for r in rows])
    ax.set_xlabel("exercise time (min)")
    ax.set_xlim(0, float(run.summary.get("sim_duration_s", 0)) / 60)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Engagement timeline", fontsize=10)
    return _png(fig)


def _bars(labels: list[str], values: Sequence[float], title: str, xlabel: str,
          err: tuple[list[float], list[float]] | None = None) -> str:
    fig = _figure(7, 0.45 * max(3, len(labels)) + 1)
    ax = fig.subplots()
    y = np.arange(len(labels))
    ax.barh(y, values, color="#4c78a8", xerr=None if err is None else np.array(err),
            capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def _picture(run: RunFolder) -> str | None:
    ap = run.summary.get("air_picture") or {}
    s = ap.get("series")
    if not s or not s.get("t_s"):
        return None
    t = np.asarray(s["t_s"]) / 60
    fig = _figure(11, 3.4)
    ax = fig.subplots()
    ax.plot(t, s["gospa_m"], label="GOSPA (m)", color="#4c78a8")
    ax.plot(t, s["localisation_m"], label="localisation part (m)", color="#72b7b2")
    ax.set_ylabel("m")
    ax2 = ax.twinx()
    ax2.plot(t, s["missed"], color="#d62728", lw=1, ls="--", label="missed targets")
    ax2.plot(t, s["false"], color="#9467bd", lw=1, ls=":", label="false tracks")
    ax2.set_ylabel("count per sample")
    ax.set_xlabel("exercise time (min)")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    ax.set_title(f"Air-picture quality over time (GOSPA c = {ap.get('gospa_c_m', 0):g} m)",
                 fontsize=10)
    return _png(fig)


def _table(head: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"
        return escape(str(v))

    h = "".join(f"<th>{escape(c)}</th>" for c in head)
    b = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{b}</tbody></table>"


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:0 18px;color:#222}
h1{font-size:22px;margin:18px 0 2px} h2{font-size:17px;margin:26px 0 8px;border-bottom:1px solid
#ddd;padding-bottom:3px} .sub{color:#666} img{max-width:100%} table{border-collapse:collapse;
margin:6px 0 12px} th,td{border:1px solid #ddd;padding:3px 8px;text-align:right} th{background:
#f4f4f4} td:first-child,th:first-child{text-align:left} .kpi{display:flex;gap:12px;flex-wrap:wrap}
.kpi div{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px} .kpi b{display:
block;font-size:20px} .note{color:#666;font-size:12px}
"""


def report_html(run: RunFolder) -> str:
    """The report as one HTML document (module docstring)."""
    s = run.summary
    t0 = start_time(run)
    sc = s.get("scoring") or {}
    j = sc.get("joint") or {}
    kpis = [("threats destroyed", f"{s['threats_destroyed']} / {s['threats_total']}"),
            ("leaked", s["threats_leaked"]), ("missiles fired", s["missiles_fired"]),
            ("missiles per kill", s.get("missiles_per_kill") or "–"),
            ("asset value lost", s.get("value_lost")), ("fratricide", s["fratricide"]),
            ("joint score", j.get("score", "–"))]
    parts = [f"<h1>After-action report: {escape(str(s['scenario']))}</h1>",
             f"<p class='sub'>seed {s['seed']}; {s['sim_duration_s'] / 60:.0f} min from "
             f"{iso(t0, 0)}; {s['events_total']:,} events. Training and analysis tool: public, "
             "nominal figures only.</p>",
             "<div class='kpi'>" + "".join(f"<div>{escape(k)}<b>{escape(str(v))}</b></div>"
                                           for k, v in kpis) + "</div>",
             "<h2>Laydown and threat tracks</h2>", f"<img alt='laydown' src='{_laydown(run)}'>",
             "<h2>Engagement timeline</h2>", f"<img alt='timeline' src='{_timeline(run)}'>",
             "<p>" + ", ".join(f"{escape(k)}: {int((run.events['kind'] == k).sum())}"
                               for k in ("first_detection", "launch", "intercept", "kill",
                                         "leak", "impact")) + "</p>"]
    # debrief scores
    head = ["", "score", "engagements", "missiles", "kills", "missiles / kill",
            "reaction s (mean)", "opportunities", "engaged", "leakers allowed", "their damage",
            "fratricide"]

    def srow(name: str, f: dict[str, Any]) -> list[Any]:
        return [name, f.get("score"), f.get("engagements"), f.get("missiles_fired"),
                f.get("kills"), f.get("missiles_per_kill"),
                (f.get("reaction_time_s") or {}).get("mean"), f.get("opportunities"),
                f.get("opportunities_engaged"),
                f.get("leakers_allowed"), f.get("leak_damage_value"), f.get("fratricide")]

    rows = [srow("joint group", j)] + [srow(n, f) for n, f in (sc.get("units") or {}).items()]
    parts += ["<h2>Debrief scores</h2>", _table(head, rows),
              f"<p class='note'>{escape(sc.get('formula', ''))}. Weights: "
              f"{escape(json.dumps(sc.get('weights', {})))}.</p>"]
    ev = run.events
    names = [u.name for u in units(run)]
    fired = [int(((ev["kind"] == "launch") & (ev["source"] == n)).sum()) for n in names]
    kills = [int(((ev["kind"] == "kill") & (ev["source"] == n)).sum()) for n in names]
    if names:
        parts += ["<h2>Missiles expended per unit</h2>",
                  f"<img alt='missiles' src='{_bars(names, fired, 'Missiles fired per unit', 'missiles')}'>",  # noqa: E501
                  _table(["unit", "missiles fired", "kills"],
                         [[n, f, k] for n, f, k in zip(names, fired, kills, strict=True)])]
    leakers = [t for t in s.get("threats") or [] if t.get("fate") == "leaked"]
    parts.append("<h2>Leakers</h2>")
    parts.append(_table(["threat", "type", "first detected (s)", "missiles at it", "cause"],
                        [[t["name"], t["type"], t.get("first_detection_t_s"),
                          t.get("missiles_at"), t.get("leak_cause")] for t in leakers])
                 if leakers else "<p>None: every threat that reached its target was stopped.</p>")
    causes = {k: v for k, v in (s.get("leakers_by_cause") or {}).items() if v}
    if causes:
        parts.append("<p>By cause: " + ", ".join(f"{escape(k)} {v}" for k, v in causes.items())
                     + "</p>")
    bt = s.get("by_type") or {}
    have = [(k, v["first_detection_range_m"]) for k, v in bt.items()
            if v["first_detection_range_m"]["mean"] is not None]
    if have:
        means = [v["mean"] / 1e3 for _, v in have]
        lo = [(v["mean"] - v["min"]) / 1e3 for _, v in have]
        hi = [(v["max"] - v["mean"]) / 1e3 for _, v in have]
        parts += ["<h2>Detection ranges by threat type</h2>",
                  f"<img alt='detection' src='{_bars([k for k, _ in have], means, 'First detection range by threat type (mean, min-max)', 'km', (lo, hi))}'>",  # noqa: E501
                  _table(["type", "total", "detected", "engaged", "destroyed", "leaked",
                          "survived"], [[k, v["total"], v["detected"], v["engaged"],
                                         v["destroyed"], v["leaked"], v["survived"]]
                                        for k, v in bt.items()])]
    pic = _picture(run)
    ap = s.get("air_picture") or {}
    if pic:
        si = ap.get("siap") or {}
        parts += ["<h2>Air-picture quality</h2>", f"<img alt='air picture' src='{pic}'>",
                  _table(["GOSPA mean m", "localisation m", "missed / sample", "false / sample",
                          "SIAP completeness", "ambiguity", "spuriousness", "ID swaps"],
                         [[ap.get("gospa_mean_m"), ap.get("gospa_localisation_mean_m"),
                           ap.get("gospa_missed_mean"), ap.get("gospa_false_mean"),
                           si.get("completeness"), si.get("ambiguity"), si.get("spuriousness"),
                           si.get("id_swaps")]])]
    pk = s.get("pk_by_missile") or {}
    if pk:
        parts += ["<h2>Kill probability per missile type</h2>",
                  _table(["missile", "end games", "kills", "Pk achieved", "Pk from misses",
                          "mean miss m", "Pk nominal"],
                         [[m, b["end_games"], b["kills"], b["pk_achieved"],
                           b["pk_mean_of_end_games"], b["miss_mean_m"], b["pk_nominal"]]
                          for m, b in pk.items()])]
    am = s.get("ammunition") or {}
    if am.get("by_unit"):
        parts += ["<h2>Ammunition</h2>",
                  f"<p>Rounds left at the end: {am.get('rounds_left')}; spent: USD "
                  f"{(am.get('cost_spent_usd') or 0) / 1e6:.2f} m (catalogue prices per round, "
                  f"USD 2020; {am.get('rounds_of_unknown_cost') or 0} rounds of unknown price)"
                  "</p>",
                  _table(["unit", "missile", "loaded", "reloads", "fired", "reloaded", "ready",
                          "being loaded", "on transloaders", "cost USD"],
                         [[u, m, b["loaded"], b["reloads"], b["fired"], b["reloaded"],
                           b["ready"], b["being_loaded"], b["on_transloaders"], b["cost_usd"]]
                          for u, ms in am["by_unit"].items() for m, b in ms.items()])]
    parts.append(f"<p class='note'>Written by skyshield from {escape(str(run.path))} "
                 f"(manifest {escape(str(run.manifest.get('scenario_sha256', ''))[:12])}).</p>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>AAR {escape(str(s['scenario']))}</title><style>{_CSS}</style></head>"
            "<body>" + "\n".join(parts) + "</body></html>\n")


def write_report(run: RunFolder, out_html: Path) -> Path:
    """Write the report atomically (``common.files``: temporary name, then rename)."""
    atomic_write_text(out_html, report_html(run))
    return out_html
