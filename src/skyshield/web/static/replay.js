// skyshield replay viewer: Leaflet map with Natural Earth borders, MIL-STD-2525 symbols
// (milsymbol), the air picture (or the truth), trails, interceptor flights, coverage rings,
// a clock with play / pause / speed / slider, an event list that jumps the clock, and a detail
// panel. Everything is served by the replay server from the package: no internet needed.
/* global L */
import { baseMap, drawUnit, el, esc, fmt, icon, identityColour, identityLegend, identityName,
  withIdentity } from "./mapkit.js";

const state = { t: 0, playing: false, speed: 10, truth: false, selected: null, data: null };
const TRAIL_S = 180; // seconds of history drawn behind an air object
const COAST_S = 12; // a track is drawn this long after its last update
const CLASS_FN = { uav: "uav", cruise_missile: "cruise_missile", aircraft: "aircraft",
  jammer: "jammer", anti_radiation_missile: "anti_radiation_missile" };

const $ = (id) => document.getElementById(id);

function bisect(a, x) { // last index i with a[i] <= x, or -1
  let lo = 0, hi = a.length - 1, r = -1;
  while (lo <= hi) { const mid = (lo + hi) >> 1; if (a[mid] <= x) { r = mid; lo = mid + 1; } else hi = mid - 1; }
  return r;
}

function at(s, t) { // interpolated [lat, lon, alt] of a sampled object at t, or null
  const i = bisect(s.t, t);
  if (i < 0) return null;
  if (i === s.t.length - 1) return [s.lat[i], s.lon[i], s.alt[i]];
  const f = (t - s.t[i]) / (s.t[i + 1] - s.t[i]);
  return [s.lat[i] + f * (s.lat[i + 1] - s.lat[i]), s.lon[i] + f * (s.lon[i + 1] - s.lon[i]),
    s.alt[i] + f * (s.alt[i + 1] - s.alt[i])];
}

function trail(s, t, span) {
  const i = bisect(s.t, t);
  if (i < 0) return [];
  const j = Math.max(0, bisect(s.t, t - span));
  const pts = [];
  for (let k = j; k <= i; k++) pts.push([s.lat[k], s.lon[k]]);
  const p = at(s, t);
  if (p) pts.push([p[0], p[1]]);
  return pts;
}

function speedAt(s, t) {
  const i = Math.max(0, Math.min(bisect(s.t, t), s.t.length - 2));
  if (s.t.length < 2) return null;
  const dt = s.t[i + 1] - s.t[i];
  const dy = (s.lat[i + 1] - s.lat[i]) * 111195, dx = (s.lon[i + 1] - s.lon[i]) * 111195 *
    Math.cos(s.lat[i] * Math.PI / 180), dz = s.alt[i + 1] - s.alt[i];
  return Math.hypot(dx, dy, dz) / dt;
}

function lastBefore(pairs, t) { let v = null; for (const [tt, x] of pairs) { if (tt <= t) v = x; } return v; }

async function load() {
  const get = (p) => fetch(p).then((r) => { if (!r.ok) throw new Error(`${p}: ${r.status}`); return r.json(); });
  const [run, truth, tracks, events] = await Promise.all(
    ["/api/run", "/api/truth", "/api/tracks", "/api/events"].map(get));
  return { run, truth, tracks, events };
}

function buildMap(d) {
  const map = baseMap("map");
  const pts = d.run.units.map((u) => [u.lat, u.lon]);
  for (const s of Object.values(d.truth)) { pts.push([s.lat[0], s.lon[0]]); pts.push([s.lat[s.lat.length - 1], s.lon[s.lon.length - 1]]); }
  map.fitBounds(L.latLngBounds(pts).pad(0.08));
  for (const a of d.run.assets) {
    L.circleMarker([a.lat, a.lon], { radius: 5, color: "#333", fillColor: "#666", fillOpacity: 1, weight: 1 })
      .bindTooltip(esc(`${a.name} (value ${a.value})`)).addTo(map);
  }
  // each radar's horizon-limited coverage at the low and the high reference altitude (not its
  // instrumented range), and each unit's engagement ring (its longest missile's range)
  const ref = d.run.coverage_reference;
  for (const u of d.run.units) {
    for (const c of u.coverage || []) {
      const low = c.agl_m === ref.agl_m[0];
      L.polygon(c.lat.map((la, i) => [la, c.lon[i]]), { ...RING_STYLE[low ? "low" : "high"], fill: false, interactive: false, className: `coverage-${low ? "low" : "high"}` }).addTo(map);
    }
    drawUnit(map, u, null, null, () => select({ unit: u }));
    if (u.missiles[0]) L.circle([u.lat, u.lon], { radius: u.missiles[0].range_m, ...RING_STYLE.engagement, fill: false, interactive: false, className: "engagement-ring" }).addTo(map);
  }
  legend(ref, d.run.sidc["F:aircraft"]).addTo(map);
  return map;
}

const RING_STYLE = {
  low: { color: "#6a3d9a", weight: 1.2, dashArray: "2 4" },
  high: { color: "#6a3d9a", weight: 1.2, dashArray: "10 4 2 4" },
  engagement: { color: "#ff8c00", weight: 1.4 },
};

// what each line on the map is
function legend(ref, aircraftSidc) {
  const c = L.control({ position: "bottomleft" });
  c.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    const NS = "http://www.w3.org/2000/svg";
    const line = (st, text) => {
      const row = document.createElement("div");
      const svg = document.createElementNS(NS, "svg");
      svg.setAttribute("width", "34");
      svg.setAttribute("height", "10");
      const ln = document.createElementNS(NS, "line");
      for (const [k, v] of Object.entries({ x1: 0, y1: 5, x2: 34, y2: 5, stroke: st.color,
        "stroke-width": st.weight + 0.6, "stroke-dasharray": st.dashArray || "" })) ln.setAttribute(k, String(v));
      svg.appendChild(ln);
      row.append(svg, ` ${text}`);
      return row;
    };
    div.id = "legend";
    div.style.cssText = "background:rgba(255,255,255,.9);padding:4px 8px;font:12px sans-serif;border-radius:4px";
    div.append(
      line(RING_STYLE.low, `radar coverage, ${ref.rcs_m2} m² at ${ref.agl_m[0] / 1e3} km`),
      line(RING_STYLE.high, `radar coverage, ${ref.rcs_m2} m² at ${ref.agl_m[1] / 1e3} km`),
      line(RING_STYLE.engagement, "engagement ring (longest missile)"),
      line({ color: "#1a9641", weight: 1.5 }, "interceptor"),
      el("div", "standard identity (trails in its colour)", "legend-head"),
      ...identityLegend(aircraftSidc),
    );
    return div;
  };
  return c;
}

// the air objects of the moment: system tracks (the air picture) or truth, plus interceptors
function airObjects(d, t) {
  const out = [];
  for (const [key, s] of Object.entries(d.truth)) {
    const e = d.run.entities[key];
    if (!e || (!state.truth && e.category !== "interceptor")) continue;
    if (t < s.t[0] || t > s.t[s.t.length - 1] + 1) continue;
    // the truth: its side as the identity (civil traffic neutral)
    const ident = e.category === "interceptor" || e.side === "friendly" ? "friend" : e.side === "civil" ? "neutral" : "hostile";
    const fn = e.category === "interceptor" ? "interceptor" : (CLASS_FN[e.category] || "aircraft");
    out.push({ key, s, sidc: withIdentity(d.run.sidc[`F:${fn}`], ident), name: e.name, kind: "truth", e });
  }
  if (!state.truth) {
    for (const [tid, s] of Object.entries(d.tracks)) {
      if (t < s.t[0] || t > s.t[s.t.length - 1] + COAST_S) continue;
      // its standard identity at t (none yet, in a run from before them: unknown)
      const ident = lastBefore(s.identity, t);
      const fn = CLASS_FN[lastBefore(s.class, t)] || "aircraft";
      out.push({ key: `t${tid}`, s, sidc: withIdentity(d.run.sidc[`F:${fn}`], ident), name: `track ${tid}`, kind: "track", tid, ident });
    }
  }
  return out;
}

const drawn = new Map(); // key -> {marker, line, sidc}
function render() {
  const d = state.data;
  const t = state.t;
  const map = state.map;
  const objs = airObjects(d, t);
  const live = new Set();
  for (const o of objs) {
    const p = at(o.s, Math.min(t, o.s.t[o.s.t.length - 1]));
    if (!p) continue;
    live.add(o.key);
    let g = drawn.get(o.key);
    if (!g) {
      g = { line: L.polyline([], { color: trailColour(o), weight: o.e && o.e.category === "interceptor" ? 1.5 : 2, opacity: 0.8, interactive: false }).addTo(map),
        marker: L.marker([p[0], p[1]], { icon: icon(o.sidc, 22, "air-symbol") }).addTo(map), sidc: o.sidc };
      g.marker.on("click", () => select(g.marker.options.obj));
      tag(g.marker, o);
      drawn.set(o.key, g);
    } else if (g.sidc !== o.sidc) { // identified anew: its symbol, name and trail follow
      g.marker.setIcon(icon(o.sidc, 22, "air-symbol"));
      tag(g.marker, o);
      g.line.setStyle({ color: trailColour(o) });
      g.sidc = o.sidc;
    }
    g.marker.setLatLng([p[0], p[1]]);
    g.marker.options.obj = o;
    g.line.setLatLngs(trail(o.s, t, o.e && o.e.category === "interceptor" ? 1e9 : TRAIL_S));
  }
  for (const [k, g] of drawn) {
    if (!live.has(k)) { map.removeLayer(g.marker); map.removeLayer(g.line); drawn.delete(k); }
  }
  $("clock").replaceChildren(`T+${fmt(t)}`, el("small", `${clockUtc(t)} UTC`));
  $("slider").value = t;
  markPast();
  if (state.selected) showDetail(state.selected);
}

// a marker's element: its symbol code (data-sidc) and its name, a track's with its identity
function tag(marker, o) {
  const e = marker.getElement();
  if (!e) return;
  e.dataset.sidc = o.sidc;
  e.title = o.kind === "track" ? `${o.name} (${identityName(o.ident)})` : o.name;
}

function trailColour(o) {
  return o.kind === "truth" && o.e.category === "interceptor" ? "#1a9641" : identityColour(o.sidc);
}

function clockUtc(t) {
  const s = new Date(Date.parse(state.data.run.start_time) + t * 1000).toISOString();
  return s.slice(11, 19);
}

function setTime(t) {
  state.t = Math.max(0, Math.min(t, state.data.run.duration_s));
  render();
}

function select(o) { state.selected = o; showDetail(o); }

function showDetail(o) {
  const d = state.data, t = state.t;
  const rows = [];
  let title = "";
  if (o.unit) {
    const u = o.unit;
    title = `${u.name} — ${u.type}`;
    rows.push(["site", `${u.lat.toFixed(4)}, ${u.lon.toFixed(4)}`]);
    rows.push(["radars (instrumented)", u.radars.map((r) => `${r.type} ${(r.range_m / 1e3).toFixed(0)} km`).join("\n")]);
    const ref = d.run.coverage_reference;
    rows.push(["coverage (farthest)", (u.coverage || []).map((c) => `${c.radar} ${(c.max_range_m / 1e3).toFixed(0)} km at ${c.agl_m / 1e3} km (${ref.rcs_m2} m², Pd ${ref.pd})`).join("\n") || "–"]);
    rows.push(["missiles", u.missiles.map((m) => `${m.type} ${(m.range_m / 1e3).toFixed(0)} km`).join("\n")]);
    const fired = d.events.filter((e) => e.kind === "launch" && e.source === u.name && e.t_s <= t).length;
    rows.push(["fired so far", String(fired)]);
    // ammunition at t: the start's rounds less those fired, plus the reloads done (events)
    const mine = d.events.filter((e) => e.source === u.name && e.t_s <= t &&
      (e.kind === "launch" || e.kind === "reload"));
    const ammo = Object.entries(u.magazine || {}).map(([m, b]) => {
      const of = mine.filter((e) => e.target === m);
      const n = (kind, tag) => of.filter((e) => e.kind === kind && (!tag || e.tag === tag))
        .reduce((a, e) => a + (kind === "launch" ? 1 : e.count), 0);
      const ready = b.loaded - n("launch") + n("reload", "loaded");
      const loading = n("reload", "started") - n("reload", "loaded") - n("reload", "lost");
      const stock = b.reloads - n("reload", "started");
      return `${m} ${ready} ready` + (loading ? `, ${loading} loading` : "") +
        `, ${stock} on transloaders`;
    });
    rows.push(["ammunition", ammo.join("\n") || "–"]);
    rows.push(["status", u.alive ? "in action" : "destroyed"]);
  } else {
    const p = at(o.s, Math.min(t, o.s.t[o.s.t.length - 1]));
    const v = speedAt(o.s, t);
    title = o.name;
    if (o.kind === "track") {
      rows.push(["identity", identityName(lastBefore(o.s.identity, t))]); // at the clock's time
      rows.push(["class", lastBefore(o.s.class, t) || "–"]);
      const i = Math.max(0, bisect(o.s.t, t));
      rows.push(["track quality", `σ ${o.s.sigma[i].toFixed(0)} m, last update ${(t - o.s.t[i]).toFixed(1)} s ago`]);
    } else {
      rows.push(["type", `${o.e.type || o.e.category} (${o.e.side})`]);
      rows.push(["fate", `${o.e.fate}${o.e.fate_t_s != null ? ` at T+${fmt(o.e.fate_t_s)}` : ""}`]);
    }
    if (p) rows.push(["altitude", `${p[2].toFixed(0)} m`]);
    if (v != null) rows.push(["speed", `${v.toFixed(0)} m/s`]);
    const eng = d.events.filter((e) => (e.kind === "launch" || e.kind === "intercept" || e.kind === "engage") &&
      ((o.kind === "track" && String(e.track_id) === String(o.tid)) || (o.kind === "truth" && (e.truth_key === o.key || e.weapon_key === o.key))));
    rows.push(["engagements", eng.length ? eng.map((e) => `T+${fmt(e.t_s)} ${e.kind} ${e.source} ${e.target}`).join("\n") : "none"]);
  }
  // names come from scenarios and live injects: set as text, never parsed as HTML
  const table = document.createElement("table");
  for (const [k, v] of rows) {
    const tr = document.createElement("tr");
    const td = el("td");
    String(v).split("\n").forEach((line, i) => { if (i) td.appendChild(document.createElement("br")); td.append(line); });
    tr.append(el("td", k), td);
    table.appendChild(tr);
  }
  $("detail").replaceChildren(el("h3", title), table);
}

const FILTERS = {
  notable: (e) => ["launch", "intercept", "kill", "leak", "impact", "unit_destroyed", "interceptor_lost"].includes(e.kind),
  launch: (e) => e.kind === "launch", intercept: (e) => e.kind === "intercept",
  kill: (e) => e.kind === "kill", leak: (e) => e.kind === "leak" || e.kind === "impact",
  detect: (e) => ["first_detection", "track_confirmed", "identified", "classified"].includes(e.kind),
  all: () => true,
};

function eventText(e) {
  switch (e.kind) {
    case "launch": return `${e.source} launches ${e.target} at track ${e.track_id}`;
    case "intercept": return `${e.target} from ${e.source}: ${e.tag} (miss ${Number(e.value).toFixed(1)} m${e.pk == null ? "" : `, Pk ${Number(e.pk).toFixed(2)}`})`;
    case "kill": return `${e.source} destroys ${nameOf(e.truth_key)} (${e.tag})`;
    case "leak": return `${nameOf(e.truth_key)} leaks to ${e.target}`;
    case "impact": return `${nameOf(e.truth_key)} hits ${e.target} (${e.tag})`;
    case "first_detection": return `${e.source} first detects ${nameOf(e.truth_key)} at ${(e.value / 1e3).toFixed(0)} km`;
    case "identified": return `track ${e.track_id} identified ${e.target}`;
    case "classified": return `track ${e.track_id} classed ${e.target}`;
    default: return `${e.kind} ${e.source || ""} ${e.target || ""} ${e.info || ""}`;
  }
}
function nameOf(key) { const e = key && state.data.run.entities[key]; return e ? e.name : (key || "?"); }

function renderEvents() {
  const f = FILTERS[$("filter").value];
  const ol = $("events");
  ol.replaceChildren();
  for (const e of state.data.events.filter(f)) {
    const li = document.createElement("li");
    li.className = `ev kind-${e.kind}`;
    li.dataset.t = e.t_s;
    li.dataset.kind = e.kind;
    li.append(el("span", `T+${fmt(e.t_s)}`, "t"), el("span", eventText(e), "k"));
    li.addEventListener("click", () => {
      state.playing = false; $("play").textContent = "▶ play";
      setTime(e.t_s);
      const key = e.weapon_key && state.data.truth[e.weapon_key] ? e.weapon_key : e.truth_key;
      if (key && state.data.truth[key]) select({ key, s: state.data.truth[key], name: nameOf(key), kind: "truth", e: state.data.run.entities[key] });
    });
    ol.appendChild(li);
  }
  markPast();
}

function markPast() {
  for (const li of $("events").children) li.classList.toggle("past", Number(li.dataset.t) < state.t);
}

let last = null;
function tick(now) {
  if (state.playing) {
    if (last != null) setTime(state.t + (now - last) / 1000 * state.speed);
    if (state.t >= state.data.run.duration_s) { state.playing = false; $("play").textContent = "▶ play"; }
  }
  last = now;
  requestAnimationFrame(tick);
}

let DETAIL_HINT = null; // the detail panel's first content (a hint), restored on the truth toggle

async function main() {
  DETAIL_HINT = $("detail").cloneNode(true);
  const d = await load();
  state.data = d;
  document.title = `skyshield replay — ${d.run.scenario}`;
  $("title").textContent = `${d.run.scenario} (seed ${d.run.seed})`;
  $("slider").max = d.run.duration_s;
  state.map = buildMap(d);
  $("play").addEventListener("click", () => {
    state.playing = !state.playing;
    $("play").textContent = state.playing ? "❚❚ pause" : "▶ play";
  });
  $("speed").addEventListener("change", (ev) => { state.speed = Number(ev.target.value); });
  $("truth").addEventListener("change", (ev) => {
    state.truth = ev.target.checked;
    state.selected = null; // the selected object may not exist in the other view
    $("detail").replaceChildren(...DETAIL_HINT.cloneNode(true).childNodes);
    render();
  });
  $("slider").addEventListener("input", (ev) => setTime(Number(ev.target.value)));
  $("filter").addEventListener("change", renderEvents);
  document.addEventListener("keydown", (ev) => { if (ev.code === "Space" && ev.target === document.body) { ev.preventDefault(); $("play").click(); } });
  renderEvents();
  setTime(0);
  requestAnimationFrame(tick);
  return d;
}

// a small surface for tests and scripting: the clock, the drawn objects, the units
window.replay = {
  ready: main(),
  time: () => state.t,
  setTime,
  positions: () => Object.fromEntries([...drawn].map(([k, g]) => [k, [g.marker.getLatLng().lat, g.marker.getLatLng().lng]])),
  symbols: () => Object.fromEntries([...drawn].map(([k, g]) => [k, g.sidc])),
  unitsDrawn: () => document.querySelectorAll(".unit-symbol svg").length,
  ringsDrawn: () => ({ low: document.querySelectorAll("path.coverage-low").length,
    high: document.querySelectorAll("path.coverage-high").length,
    engagement: document.querySelectorAll("path.engagement-ring").length }),
  select: (key) => { const g = drawn.get(key); if (g) select(g.marker.options.obj); return !!g; },
};
