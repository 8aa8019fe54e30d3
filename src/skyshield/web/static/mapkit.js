// Shared by the replay and the live exercise pages: symbols, the offline base map, clock text.
/* global L, ms, topojson */

export const fmt = (s) => {
  const t = Math.max(0, Math.round(s));
  const h = String(Math.floor(t / 3600)).padStart(2, "0");
  const m = String(Math.floor((t % 3600) / 60)).padStart(2, "0");
  return `${h}:${m}:${String(t % 60).padStart(2, "0")}`;
};

// text for Leaflet tooltips (which take HTML): every name shown on the map passes through here
export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// an element with text (never parsed as HTML)
export function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text != null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

const iconCache = new Map();
export function icon(sidc, size, extra = "") {
  const key = `${sidc}/${size}/${extra}`;
  if (!iconCache.has(key)) {
    const sym = new ms.Symbol(sidc, { size });
    const a = sym.getAnchor(), sz = sym.getSize();
    iconCache.set(key, L.divIcon({ className: `sym ${extra}`, html: sym.asSVG(),
      iconSize: [sz.width, sz.height], iconAnchor: [a.x, a.y] }));
  }
  return iconCache.get(key);
}

// a Leaflet map with no tile server: Natural Earth borders from the vendored world-atlas
export function baseMap(id) {
  const map = L.map(id, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.addAttribution("borders: Natural Earth (world-atlas)");
  fetch("/static/vendor/world-atlas/countries-50m.json").then((r) => r.json()).then((w) => {
    L.geoJSON(topojson.feature(w, w.objects.countries), {
      style: { color: "#8795a5", weight: 1, fillColor: "#ffffff", fillOpacity: 0.8 },
      interactive: false }).addTo(map).bringToBack();
  });
  return map;
}

// a fire unit: its symbol, name, and its radar (dashed) and longest missile range rings
export function drawUnit(map, u, radarRange, missileRange, onClick) {
  if (radarRange) L.circle([u.lat, u.lon], { radius: radarRange, color: "#1f77b4", weight: 1, dashArray: "4 4", fill: false, interactive: false }).addTo(map);
  if (missileRange) L.circle([u.lat, u.lon], { radius: missileRange, color: "#ff8c00", weight: 1.2, fill: false, interactive: false }).addTo(map);
  return L.marker([u.lat, u.lon], { icon: icon(u.sidc, 22, "unit-symbol"), title: u.name, zIndexOffset: 1000 })
    .bindTooltip(esc(u.name), { permanent: true, direction: "right", offset: [12, 0], className: "unit-label" })
    .on("click", onClick || (() => {})).addTo(map);
}

// The air picture's standard identities (engine.names.IDENTITIES; MIL-STD-2525C SIDC position 2,
// the "standard identity" letter), in the standard's order. milsymbol then draws the frame the
// standard gives each: friend and assumed friend the friend frame, neutral the green square,
// suspect and hostile the hostile diamond, unknown and pending the unknown quatrefoil.
export const IDENTITIES = [["pending", "P"], ["unknown", "U"], ["assumed_friend", "A"],
  ["friend", "F"], ["neutral", "N"], ["suspect", "S"], ["hostile", "H"]];
const CODE = Object.fromEntries(IDENTITIES);

// the name shown for an identity ("assumed friend"); an identity never given: unknown
export const identityName = (ident) => (ident && CODE[ident] ? ident : "unknown").replace("_", " ");

// a letter-coded SIDC with its standard identity set to that of ``ident`` (an identity not in
// the list, or none: unknown, the air picture's rule before the standard identities)
export const withIdentity = (sidc, ident) => sidc[0] + (CODE[ident] || "U") + sidc.slice(2);

// a line colour for a symbol's standard identity: the frame's colour family
export const identityColour = (sidc) => ({ H: "#c62828", S: "#c62828", F: "#1565c0",
  A: "#1565c0", N: "#2e7d32" })[sidc[1]] || "#b59b00";

// a fire unit's symbol with its status (SIDC position 4): present, or destroyed (X: milsymbol
// draws the operational-condition bar)
export const withStatus = (sidc, alive) => sidc.slice(0, 3) + (alive ? "P" : "X") + sidc.slice(4);

// legend rows: each standard identity's air-track symbol and its name (the symbol as an image
// of milsymbol's SVG, never parsed into the page)
export function identityLegend(baseSidc) {
  return IDENTITIES.map(([ident]) => {
    const row = document.createElement("div");
    row.className = "legend-identity";
    row.dataset.identity = ident;
    const img = document.createElement("img");
    const sidc = withIdentity(baseSidc, ident);
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(new ms.Symbol(sidc, { size: 14 }).asSVG())}`;
    img.alt = sidc;
    img.style.cssText = "height:16px;width:auto;vertical-align:middle;margin-right:6px";
    row.append(img, identityName(ident));
    return row;
  });
}
