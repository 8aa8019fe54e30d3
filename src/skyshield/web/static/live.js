// skyshield live exercise page: the replay's map and symbols, live over a websocket; the
// controller's injects and controls, the operators' approvals, everyone's event list.
/* global L */
import { baseMap, drawUnit, el, esc, fmt, icon, identityLegend, identityName, withIdentity,
  withStatus } from "./mapkit.js";
// every name or text that came from a user (inject names, scenario names) is set as text,
// never as HTML

const $ = (id) => document.getElementById(id);
const token = sessionStorage.getItem("skyshield-token") || new URLSearchParams(location.hash.slice(1)).get("token");
const state = { role: null, info: null, frames: 0, last: null, events: [], placing: false, map: null };
const drawn = new Map(); // key -> marker
const unitMarkers = new Map(); // unit name -> marker (its sidc: the symbol drawn)
const CLASS_FN = { uav: "uav", cruise_missile: "cruise_missile", aircraft: "aircraft",
  jammer: "jammer", anti_radiation_missile: "anti_radiation_missile" };
let ws = null;
let readyResolve;
const ready = new Promise((r) => { readyResolve = r; });

async function api(path, body) {
  const r = await fetch(path, { method: body ? "POST" : "GET",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.detail || `${r.status}`);
  return data;
}

async function send(cmd) {
  try {
    const r = await api("/api/command", cmd);
    $("msg").textContent = `${cmd.cmd}: applied at T+${fmt(r.t_s)}`;
    return r;
  } catch (e) {
    $("msg").textContent = `${cmd.cmd} refused: ${e.message}`;
    return null;
  }
}

function buildMap(info) {
  const map = baseMap("map");
  const pts = info.units.map((u) => [u.lat, u.lon]);
  for (const a of info.assets) {
    pts.push([a.lat, a.lon]);
    L.circleMarker([a.lat, a.lon], { radius: 5, color: "#333", fillColor: "#666", fillOpacity: 1, weight: 1 })
      .bindTooltip(esc(a.name)).addTo(map);
  }
  map.fitBounds(L.latLngBounds(pts).pad(1.5)); // first: a marker is drawn on a map with a view
  for (const u of info.units) unitMarkers.set(u.name, setSidc(drawUnit(map, u, u.radar_range_m, u.missile_range_m), u.sidc));
  legend(info).addTo(map);
  map.on("click", (ev) => {
    if (!state.placing) return;
    state.placing = false;
    document.body.classList.remove("placing");
    const type = $("itype").value, n = Number($("icount").value) || 1;
    const from = { lat: ev.latlng.lat, lon: ev.latlng.lng, alt: Number($("ialt").value) };
    // a raid is hostile (the command has no side): a friendly one is sent as asked and refused
    const side = $("iside").value, friendly = side === "friendly" ? { side } : {};
    if (n > 1) send({ cmd: "raid", type, count: n, spacing: 10, from: { lat: from.lat, lon: from.lon }, to: $("ito").value, alt: from.alt, ...friendly });
    else send({ cmd: "inject", type, from, to: $("ito").value, side });
  });
  return map;
}

// the map's key: the standard identities' symbols
function legend(info) {
  const c = L.control({ position: "bottomleft" });
  c.onAdd = () => {
    const div = L.DomUtil.create("div", "legend");
    div.id = "legend";
    div.style.cssText = "background:rgba(255,255,255,.9);padding:4px 8px;font:12px sans-serif;border-radius:4px";
    div.append(el("div", "standard identity", "legend-head"), ...identityLegend(info.sidc["F:aircraft"]));
    return div;
  };
  return c;
}

// a marker's symbol code, kept on the marker and on its element (data-sidc), and its name
function setSidc(m, sidc, title) {
  m.sidc = sidc;
  const e = m.getElement();
  if (e) { e.dataset.sidc = sidc; if (title) e.title = title; }
  return m;
}

// a track's symbol: its class's, with its standard identity
function trackSidc(fn, ident) {
  return withIdentity(state.info.sidc[`F:${fn}`] || state.info.sidc["F:aircraft"], ident);
}

function show(frame) {
  const map = state.map;
  const live = new Set();
  const put = (key, lat, lon, sidc, title) => {
    live.add(key);
    let m = drawn.get(key);
    if (!m) { m = setSidc(L.marker([lat, lon], { icon: icon(sidc, 20, "air-symbol") }).addTo(map), sidc, title); drawn.set(key, m); }
    else { m.setLatLng([lat, lon]); if (m.sidc !== sidc) setSidc(m.setIcon(icon(sidc, 20, "air-symbol")), sidc, title); }
  };
  for (const t of frame.tracks || []) {
    put(`t${t.id}`, t.lat, t.lon, trackSidc(CLASS_FN[t.class] || "aircraft", t.identity), `track ${t.id} (${identityName(t.identity)})`);
  }
  for (const w of frame.interceptors || []) put(`w${w.id}`, w.lat, w.lon, trackSidc("interceptor", "friend"), `${w.missile} from ${w.unit}`);
  for (const v of frame.vehicles || []) {
    // the controller and observers also see the truth, as small dots under the picture
    const key = `v${v.id}`;
    live.add(key);
    let m = drawn.get(key);
    const colour = v.side === "hostile" ? "#c62828" : v.side === "civil" ? "#2e7d32" : "#1565c0";
    if (!m) { m = L.circleMarker([v.lat, v.lon], { radius: 3, color: colour, weight: 1, fillOpacity: 0.8, interactive: false }).addTo(map); drawn.set(key, m); }
    else m.setLatLng([v.lat, v.lon]);
  }
  for (const [k, m] of drawn) if (!live.has(k)) { map.removeLayer(m); drawn.delete(k); }
  $("clock").replaceChildren(`T+${fmt(frame.t)}`, el("small", `${frame.held ? "held: the journal cannot be written" : frame.paused ? (frame.frozen ? "frozen" : "paused") : `${frame.speed}× real time`}${frame.ended ? " — ended" : ""}`));
  renderApprovals(frame.approvals || [], frame.t);
  renderPlanned(frame.planned || []);
  renderUnits(frame.units || []);
  renderTracks(frame.tracks || []);
}

// each fire unit's state (a destroyed unit's symbol gets the destroyed status too)
function renderUnits(list) {
  const ol = $("unitlist");
  ol.replaceChildren(...list.map((u) => {
    const radars = (u.radars || []).map((r) => `${r.name} ${r.alive ? (r.emitting ? "radiating" : "silent") : "destroyed"}`).join(", ");
    const li = el("li", `${u.name}: ${u.alive ? "in action" : "destroyed"} · ${u.roe} · link ${u.autonomous ? "cut" : "up"} · EMCON ${u.emcon} · ${u.missiles} missiles · ${radars}`, u.alive ? "" : "destroyed");
    li.dataset.unit = u.name;
    li.dataset.alive = String(u.alive);
    const m = unitMarkers.get(u.name);
    const base = state.info.units.find((x) => x.name === u.name);
    if (m && base) {
      const sidc = withStatus(base.sidc, u.alive);
      if (m.sidc !== sidc) setSidc(m.setIcon(icon(sidc, 22, "unit-symbol")), sidc);
    }
    return li;
  }));
}

// the air picture's tracks, with their standard identity by name
const TRACKS_LISTED = 200;
function renderTracks(list) {
  const rows = [...list].sort((a, b) => a.id - b.id);
  const items = rows.slice(0, TRACKS_LISTED).map((t) => {
    const li = el("li", `track ${t.id}: ${identityName(t.identity)}, ${t.class.replace(/_/g, " ")}, ${Math.round(t.alt)} m`);
    li.dataset.track = String(t.id);
    li.dataset.identity = t.identity;
    return li;
  });
  if (rows.length > TRACKS_LISTED) items.push(el("li", `… ${rows.length - TRACKS_LISTED} more`, "hint"));
  if (!items.length) items.push(el("li", "none", "hint"));
  $("tracklist").replaceChildren(...items);
}

function renderApprovals(list, t) {
  if ($("operator").hidden) return;
  const ol = $("approvals");
  ol.replaceChildren();
  if (!list.length) { ol.appendChild(el("li", "none", "hint")); return; }
  for (const a of list) {
    const li = document.createElement("li");
    li.dataset.id = a.id;
    li.appendChild(el("span", `#${a.id} ${a.unit_name}: ${a.rounds} × ${a.missile_name} at track ${a.track_id} (${Math.max(0, a.deadline_s - t).toFixed(0)} s)`, "what"));
    for (const [label, cmd] of [["approve", "approve"], ["deny", "deny"]]) {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = label; b.className = cmd;
      b.addEventListener("click", () => send({ cmd, id: a.id }));
      li.appendChild(b);
    }
    ol.appendChild(li);
  }
}

// the fire-control plan: engagements decided and still to launch (in every mode)
function renderPlanned(list) {
  if ($("operator").hidden) return;
  const ol = $("planned");
  ol.replaceChildren(...(list.length ? list.map((p) => el("li", `${p.unit}: ${p.rounds} × at track ${p.track_id}`))
    : [el("li", "none", "hint")]));
}

const QUIET = new Set(["scan", "jam_strobe", "assignment"]);
function addEvents(evs) {
  const ol = $("events");
  for (const e of evs) {
    state.events.push(e);
    if (QUIET.has(e.kind)) continue;
    const li = document.createElement("li");
    li.className = `ev kind-${e.kind}`;
    li.dataset.kind = e.kind;
    li.dataset.t = e.t_s;
    li.append(el("span", `T+${fmt(e.t_s)}`, "t"), el("span", `${e.kind} ${e.source || ""} ${e.target || ""} ${e.kind === "command" ? "" : (e.info || "")}`, "k"));
    ol.prepend(li);
  }
}

function controllerPanel(info) {
  $("controller").hidden = false;
  const options = (id, names, selected) => $(id).replaceChildren(...names.map((n) => {
    const o = el("option", n); o.value = n; o.selected = n === selected; return o;
  }));
  options("itype", info.vehicle_types, "cruise_missile_subsonic");
  options("ito", [...info.assets.map((a) => a.name), ...info.units.map((u) => u.name)]);
  options("unit", info.units.map((u) => u.name));
  options("roe", info.roes);
  // the radar a destroy / restore radar names: the unit's engagement radar, or one of its own
  const radars = () => {
    const u = info.units.find((x) => x.name === $("unit").value);
    const first = el("option", "engagement radar"); first.value = "";
    $("radar").replaceChildren(first, ...((u && u.radars) || []).map((n) => { const o = el("option", n); o.value = n; return o; }));
  };
  radars();
  $("unit").addEventListener("change", radars);
  const radar = () => ($("radar").value ? { radar: $("radar").value } : {});
  for (const c of ["pause", "resume", "freeze", "end"]) $(c).addEventListener("click", () => send({ cmd: c }));
  $("speed").addEventListener("change", (ev) => send({ cmd: "speed", factor: Number(ev.target.value) }));
  $("place").addEventListener("click", () => { state.placing = true; document.body.classList.add("placing"); $("msg").textContent = "click the map where it starts"; });
  $("setroe").addEventListener("click", () => send({ cmd: "roe", unit: $("unit").value, roe: $("roe").value }));
  $("cut").addEventListener("click", () => send({ cmd: "cut_link", unit: $("unit").value }));
  $("restorelink").addEventListener("click", () => send({ cmd: "restore_link", unit: $("unit").value }));
  $("setemcon").addEventListener("click", () => send({ cmd: "emcon", unit: $("unit").value, mode: $("emcon").value }));
  $("kill").addEventListener("click", () => send({ cmd: "destroy_radar", unit: $("unit").value, ...radar() }));
  $("restoreradar").addEventListener("click", () => send({ cmd: "restore_radar", unit: $("unit").value, ...radar() }));
  $("destroyunit").addEventListener("click", () => send({ cmd: "destroy_unit", unit: $("unit").value }));
  $("restoreunit").addEventListener("click", () => send({ cmd: "restore_unit", unit: $("unit").value }));
}

async function main() {
  if (!token) { location.href = "/"; return; }
  let who;
  try { who = await api("/api/whoami"); } catch { location.href = "/"; return; }
  state.role = who.role;
  $("who").textContent = `signed in as ${who.role}`;
  const info = await api("/api/scenario");
  state.info = info;
  $("title").textContent = `${info.scenario} (live)`;
  state.map = buildMap(info);
  if (who.role === "controller") controllerPanel(info);
  if (who.role.startsWith("operator:") || who.role === "controller") $("operator").hidden = false;
  const proto = location.protocol === "https:" ? "wss" : "ws";
  ws = new WebSocket(`${proto}://${location.host}/ws?token=${encodeURIComponent(token)}`);
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.type === "frame") { state.frames += 1; state.last = msg; show(msg); readyResolve(true); }
    else if (msg.type === "events") addEvents(msg.events);
    else if (msg.type === "error" || msg.type === "notice") $("msg").textContent = msg.detail;
  };
  ws.onclose = () => { $("msg").textContent = "connection closed"; };
}

window.live = {
  ready, main: main(),
  frames: () => state.frames,
  last: () => state.last,
  events: () => state.events,
  drawn: () => [...drawn.keys()],
  symbols: () => Object.fromEntries([...[...drawn].filter(([, m]) => m.sidc), ...[...unitMarkers].map(([n, m]) => [`unit:${n}`, m])].map(([k, m]) => [k, m.sidc])),
};
