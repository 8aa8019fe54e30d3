#!/usr/bin/env bash
# Refresh the vendored front-end files (Leaflet, milsymbol, topojson-client, Natural Earth
# borders from world-atlas) and the pre-rendered MIL-STD-2525 symbols the exports embed.
# Needs node and npm (the npm registry); the package itself works offline with what is
# committed. Versions are pinned here; docs/vendored.md lists them with their licences.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/skyshield/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm init -y >/dev/null && npm install --no-audit --no-fund \
    leaflet@1.9.4 milsymbol@2.2.0 topojson-client@3.1.0 world-atlas@2.0.2 >/dev/null)
nm=$tmp/node_modules
mkdir -p "$dest"/{leaflet,milsymbol,topojson-client,world-atlas}
cp "$nm/leaflet/dist/leaflet.js" "$nm/leaflet/dist/leaflet.css" "$nm/leaflet/LICENSE" "$dest/leaflet/"
cp -r "$nm/leaflet/dist/images" "$dest/leaflet/"
cp "$nm/milsymbol/dist/milsymbol.js" "$nm/milsymbol/LICENSE" "$dest/milsymbol/"
cp "$nm/topojson-client/dist/topojson-client.min.js" "$nm/topojson-client/LICENSE" \
    "$dest/topojson-client/"
cp "$nm/world-atlas/countries-50m.json" "$nm/world-atlas/LICENSE" "$dest/world-atlas/"
NODE_PATH=$nm node scripts/render_symbols.cjs > src/skyshield/io/data/symbols.json

NODE_PATH=$nm node scripts/borders_geojson.cjs > src/skyshield/io/data/borders_balkans.geojson
echo "vendored into $dest"
