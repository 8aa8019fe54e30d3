// Natural Earth 1:50m country borders (world-atlas) around the Balkans as GeoJSON, converted
// with topojson-client, for the report's laydown map (the replay reads the topojson itself).
// Run by scripts/vendor_frontend.sh.
const topojson = require("topojson-client");
const world = require("world-atlas/countries-50m.json");
const all = topojson.feature(world, world.objects.countries);
const [W, S, E, N] = [12, 38, 28, 50];
const near = (g) => JSON.stringify(g.coordinates).match(/-?\d+\.?\d*,-?\d+\.?\d*/g)
  .some((p) => { const [x, y] = p.split(",").map(Number); return x >= W && x <= E && y >= S && y <= N; });
const features = all.features.filter((f) => f.geometry && near(f.geometry))
  .map((f) => ({ type: "Feature", properties: { name: f.properties.name }, geometry: f.geometry }));
process.stdout.write(JSON.stringify({ type: "FeatureCollection", features,
  source: "Natural Earth 1:50m via world-atlas 2.0.2 (public domain / ISC)" }) + "\n");
