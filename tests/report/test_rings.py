"""Coverage rings computed once, when the run folder is written (``rings.json``), and read by
the report and the replay, which no longer rebuild the scenario; run folders written before the
file (or before the typed event columns) are refused with a message naming what is missing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import skyshield
from skyshield.analysis import rings as analysis_rings
from skyshield.io.runfolder import RUN_FILES, RunFolderError, read_run_folder
from skyshield.report.rings import load_rings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("rings") / "run"
    skyshield.run(DATA / "aar_small.yaml").save(path)
    return read_run_folder(path)


def _copy(run, tmp_path: Path) -> Path:
    d = tmp_path / "copy"
    shutil.copytree(run.path, d)
    return d


def _manifest(d: Path) -> dict:
    return json.loads((d / "manifest.json").read_text(encoding="utf-8"))


def _rehash(d: Path, name: str) -> None:
    m = _manifest(d)
    m["files"][name]["sha256"] = hashlib.sha256((d / name).read_bytes()).hexdigest()
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


def test_the_rings_are_a_run_file_listed_in_the_manifest(small):
    assert "rings.json" in RUN_FILES
    entry = _manifest(small.path)["files"]["rings.json"]
    data = (small.path / "rings.json").read_bytes()
    assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def test_the_stored_rings_are_the_scenarios_coverage(small):
    """What the folder holds is what the coverage model gives for the scenario that ran: one
    polygon per unit radar and reference height, to 1e-7 degree (about a centimetre)."""
    from skyshield.sim.world import compile_world

    stored = load_rings(small)
    fresh = analysis_rings.coverage_rings(
        compile_world(skyshield.load_scenario(DATA / "aar_small.yaml")))
    assert stored.reference == {"rcs_m2": 1.0, "pd": 0.5, "agl_m": [100.0, 10_000.0],
                                "n_az": 180}
    assert len(stored.rings) == len(fresh) == 2 * 3  # pantsir 2 radars, kub 1; two heights
    for s, f in zip(stored.rings, fresh, strict=True):
        assert (s.unit, s.radar, s.agl_m) == (f.unit, f.radar, f.agl_m)
        assert s.max_range_m == pytest.approx(f.max_range_m, abs=0.05)
        assert s.lat_deg.shape == (181,) and s.lat_deg[0] == s.lat_deg[-1]
        np.testing.assert_allclose(s.lat_deg, f.lat_deg, rtol=0, atol=1e-7)
        np.testing.assert_allclose(s.lon_deg, f.lon_deg, rtol=0, atol=1e-7)
    # the low target is seen nearer than the high one by at least one radar (the horizon)
    low = {(r.unit, r.radar): r.max_range_m for r in stored.rings if r.agl_m == 100.0}
    high = {(r.unit, r.radar): r.max_range_m for r in stored.rings if r.agl_m == 10_000.0}
    assert low.keys() == high.keys() and all(low[k] <= high[k] for k in low)


def test_the_same_run_writes_the_same_rings(small, tmp_path):
    skyshield.run(DATA / "aar_small.yaml").save(tmp_path / "again")
    assert (tmp_path / "again" / "rings.json").read_bytes() == \
        (small.path / "rings.json").read_bytes()


def test_the_report_and_the_replay_do_not_rebuild_the_scenario(small, monkeypatch):
    """With the scenario loader, the world compiler and the coverage model all broken, the
    report draws every stored ring and the replay serves them."""
    pytest.importorskip("matplotlib")
    import skyshield.analysis.coverage as coverage_mod
    import skyshield.scenario.loader as loader_mod
    import skyshield.sim.world as world_mod
    from skyshield.report.aar import STYLES, laydown_figure
    from skyshield.web.replay import replay_payload

    def broken(*args, **kwargs):
        raise AssertionError("the scenario was rebuilt")

    for mod, name in ((world_mod, "compile_world"), (loader_mod, "parse_scenario"),
                      (loader_mod, "load_scenario"), (coverage_mod, "coverage"),
                      (analysis_rings, "coverage_rings")):
        monkeypatch.setattr(mod, name, broken)
    from matplotlib.colors import to_hex

    ax = laydown_figure(small).axes[0]
    drawn = [ln for ln in ax.get_lines() if to_hex(ln.get_color()) == STYLES["radar_low"][0]]
    assert len(drawn) == 6
    payload = replay_payload(small)
    cover = {u["name"]: u["coverage"] for u in payload["run"]["units"]}
    assert {k: len(v) for k, v in cover.items()} == {"pantsir": 4, "kub": 2}
    assert payload["run"]["coverage_reference"] == {"rcs_m2": 1.0, "pd": 0.5,
                                                    "agl_m": [100.0, 10_000.0]}


def test_a_folder_without_rings_is_refused_naming_the_file(small, tmp_path):
    d = _copy(small, tmp_path)
    (d / "rings.json").unlink()
    m = _manifest(d)
    del m["files"]["rings.json"]
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(RunFolderError, match=r"missing rings\.json"):
        read_run_folder(d)


def test_a_folder_without_the_typed_event_columns_is_refused_naming_them(small, tmp_path):
    """A run folder written before the typed columns: its consumers would have to parse
    ``info``, so it is refused, the message naming the missing columns."""
    d = _copy(small, tmp_path)
    old = pd.read_parquet(d / "events.parquet").drop(columns=["pk", "t_pred_s", "count", "tag"])
    old.to_parquet(d / "events.parquet", index=False)
    _rehash(d, "events.parquet")
    with pytest.raises(RunFolderError, match="missing columns pk, t_pred_s, count, tag") as exc:
        read_run_folder(d)
    assert "events.parquet" in str(exc.value) and "\n" not in str(exc.value)


def test_a_damaged_rings_file_is_refused(small, tmp_path):
    d = _copy(small, tmp_path)
    (d / "rings.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RunFolderError, match=r"rings\.json: damaged"):
        read_run_folder(d)


@pytest.mark.parametrize("text, match", [
    ("{}", "not a rings document"),
    ("[1, 2", "unreadable"),
    ('{"reference": {"rcs_m2": 1, "pd": 0.5, "n_az": 180, "agl_m": [100]}, '
     '"rings": [{"unit": "kub"}]}', r"rings\[0\]: missing radar"),
    ('{"reference": {"rcs_m2": 1, "pd": 0.5, "n_az": 180, "agl_m": [100]}, "rings": [{"unit": '
     '"kub", "radar": "r", "agl_m": 100, "max_range_m": 1, "lat_deg": [1, 2], "lon_deg": [1]}]}',
     "same length"),
    ('{"reference": {"pd": 0.5}, "rings": []}', "reference"),
    ('{"reference": {"rcs_m2": 1, "pd": 0.5, "n_az": 180, "agl_m": []}, "rings": []}',
     "reference"),
])
def test_a_malformed_rings_file_its_manifest_vouches_for_is_no_crash(small, tmp_path, text,
                                                                     match):
    """A rings.json edited by hand (its manifest entry updated): reading it raises one
    RunFolderError naming the file; the report says the coverage is not available and the
    replay serves no rings, neither crashes."""
    pytest.importorskip("matplotlib")
    from skyshield.report.aar import laydown_figure
    from skyshield.web.replay import replay_payload

    d = _copy(small, tmp_path)
    (d / "rings.json").write_text(text, encoding="utf-8")
    _rehash(d, "rings.json")
    run = read_run_folder(d)
    with pytest.raises(RunFolderError, match=match) as exc:
        load_rings(run)
    assert str(d / "rings.json") in str(exc.value) and "\n" not in str(exc.value)
    leg = laydown_figure(run).axes[0].get_legend()
    assert "radar coverage: not available (rings.json unreadable)" in [
        t.get_text() for t in leg.get_texts()]
    assert all(u["coverage"] == [] for u in replay_payload(run)["run"]["units"])
