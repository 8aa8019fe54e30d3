"""The scenario's weather block for the electro-optical channels (issue 22): visibility (the
meteorological optical range) and daylight, validated with located errors (file, line, field;
exit status 2, no traceback)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from typer.testing import CliRunner

from skyshield.cli import app
from skyshield.scenario.loader import parse_scenario

TEXT = """name: wx
origin: {lat: 45.0, lon: 20.0, alt: 0 m}
duration: 3 min
weather:
  rain_rate: 2 mm/h
  visibility: VIS
  light: LIGHT
units:
  s400: {type: s400_battalion, lat: 45.0, lon: 20.0}
"""


def test_visibility_and_light_are_read() -> None:
    sc = parse_scenario(TEXT.replace("VIS", "2 km").replace("LIGHT", "night"), "wx.yaml")
    assert sc.weather.visibility == 2000.0 and sc.weather.light == "night"
    default = parse_scenario(TEXT.replace("  visibility: VIS\n  light: LIGHT\n", ""), "wx.yaml")
    assert default.weather.visibility == 23000.0 and default.weather.light == "auto"


def test_bad_weather_is_located(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(TEXT.replace("VIS", "5 m").replace("LIGHT", "dusk"))
    with contextlib.chdir(tmp_path):
        r = CliRunner().invoke(app, ["validate", "bad.yaml"])
    assert r.exit_code == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.splitlines() == [
        "bad.yaml:6 weather.visibility: visibility must be between 10 m and 300 km (got '5 m')",
        "bad.yaml:7 weather.light: Input should be 'day', 'night' or 'auto' (got 'dusk')",
        "2 problems found"]


def test_bad_eo_catalogue_entry_is_located(tmp_path: Path) -> None:
    """A user catalogue's EO channel with an unknown band: file, line and field, exit 2."""
    src = (Path(__file__).parents[2] / "src/skyshield/scenario/catalogue/default.yaml"
           ).read_text(encoding="utf-8")
    i = src.index("  s125_neva_m1t:\n    description")
    block = src[i:src.index("\n  kub_m:", i)].replace("s125_neva_m1t:", "neva_uv:", 1)
    block = block.replace("band: {value: tv,", "band: {value: uv,", 1)
    (tmp_path / "cat.yaml").write_text("fire_units:\n" + block + "\n", encoding="utf-8")
    line = 1 + ("fire_units:\n" + block).splitlines().index(
        next(x for x in block.splitlines() if "value: uv" in x))
    (tmp_path / "sc.yaml").write_text(
        "name: c\norigin: {lat: 45.0, lon: 20.0, alt: 0 m}\nduration: 60 s\n"
        "catalogue: [cat.yaml]\nunits:\n  n: {type: neva_uv, lat: 45.0, lon: 20.0}\n")
    with contextlib.chdir(tmp_path):
        r = CliRunner().invoke(app, ["validate", "sc.yaml"])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.endswith(f"cat.yaml:{line} fire_units.neva_uv.eo.channels.tv.band.value: "
                          "band must be one of tv, ir (got 'uv')")
