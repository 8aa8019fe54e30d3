"""The browser replay viewer (and, later, the live exercise server): FastAPI + static ES modules,
with Leaflet, milsymbol and the Natural Earth borders vendored so it works offline."""
