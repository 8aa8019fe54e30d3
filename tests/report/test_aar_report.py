"""The after-action report (``skyshield report``): its sections for the small scenario, checked
against the run's own event log; self-contained (PNG data URIs, no external URL); and
``report`` / ``replay`` / ``export`` on a bad run folder: exit 2, one line on stderr, no
traceback (the CLI as a real subprocess)."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

import skyshield
from skyshield.io.runfolder import RunFolderError, read_run_folder

pytest.importorskip("matplotlib")

from skyshield.report.aar import report_html  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def small(tmp_path_factory, aar_small_run):
    path = tmp_path_factory.mktemp("aar") / "run"
    aar_small_run.save(path)
    return read_run_folder(path)


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    """The small scenario with the Kub-M alone against three cruise missiles: some leak."""
    d = yaml.safe_load((DATA / "aar_small.yaml").read_text(encoding="utf-8"))
    del d["units"]["pantsir"]
    d["raids"]["salvo"]["count"] = 3
    tmp = tmp_path_factory.mktemp("leaky")
    (tmp / "leaky.yaml").write_text(yaml.safe_dump(d), encoding="utf-8")
    skyshield.run(tmp / "leaky.yaml").save(tmp / "run")
    return read_run_folder(tmp / "run")


class _Doc(HTMLParser):
    """Sections (h2 title -> their text, tables and image sources) of the report."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.cur: dict | None = None
        self.in_h2 = False
        self.cell: list[str] | None = None
        self.row: list[str] | None = None
        self.urls: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        for k in ("src", "href"):
            if k in a:
                self.urls.append(a[k])
        if tag == "h2":
            self.in_h2 = True
            self.cur = {"title": "", "text": "", "rows": [], "imgs": []}
        elif tag == "img" and self.cur is not None:
            self.cur["imgs"].append(a.get("src", ""))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "h2":
            self.in_h2 = False
            self.sections[self.cur["title"].strip()] = self.cur
        elif tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.cur is not None and self.row is not None:
            self.cur["rows"].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.in_h2:
            self.cur["title"] += data
        elif self.cur is not None:
            self.cur["text"] += data
        if self.cell is not None:
            self.cell.append(data)


def _parse(html: str) -> _Doc:
    d = _Doc()
    d.feed(html)
    return d


def _section(doc: _Doc, start: str) -> dict:
    hits = [s for t, s in doc.sections.items() if t.startswith(start)]
    assert len(hits) == 1, (start, list(doc.sections))
    return hits[0]


def _is_png_uri(src: str) -> bool:
    if not src.startswith("data:image/png;base64,"):
        return False
    return base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_report_has_every_section_with_a_plot(small):
    doc = _parse(report_html(small))
    for title in ("Laydown", "Engagement timeline", "Debrief scores", "Missiles expended",
                  "Leakers", "Detection ranges", "Air-picture quality"):
        _section(doc, title)
    for title in ("Laydown", "Engagement timeline", "Missiles expended", "Detection ranges",
                  "Air-picture quality"):
        imgs = _section(doc, title)["imgs"]
        assert imgs and all(_is_png_uri(s) for s in imgs), title


def test_the_report_is_self_contained(small):
    html = report_html(small)
    doc = _parse(html)
    assert doc.urls and all(u.startswith("data:") for u in doc.urls)
    assert not {"script", "link", "iframe", "object", "embed"} & doc.tags
    # no URL anywhere a browser would fetch (CSS url(), @import, protocol-relative)
    assert not re.search(r"url\(|@import|(?:src|href)\s*=\s*['\"]?(?:https?:)?//", html)


def test_scores_and_missiles_per_unit_follow_the_event_log(small):
    doc = _parse(report_html(small))
    ev = small.events
    launches = ev[ev["kind"] == "launch"]["source"].value_counts()
    kills = ev[ev["kind"] == "kill"]["source"].value_counts()
    rows = {r[0]: r for r in _section(doc, "Missiles expended")["rows"][1:]}
    assert set(rows) == {"pantsir", "kub"}
    for unit, r in rows.items():
        assert int(r[1]) == int(launches.get(unit, 0)), unit
        assert int(r[2]) == int(kills.get(unit, 0)), unit
    scores = _section(doc, "Debrief scores")["rows"]
    head = scores[0]
    by_name = {r[0]: dict(zip(head, r, strict=True)) for r in scores[1:]}
    assert set(by_name) == {"joint group", "pantsir", "kub"}
    assert int(by_name["joint group"]["missiles"]) == len(ev[ev["kind"] == "launch"])
    for unit in ("pantsir", "kub"):
        assert 0 <= float(by_name[unit]["score"]) <= 100
        assert int(by_name[unit]["missiles"]) == int(launches.get(unit, 0))


def test_the_timeline_counts_the_events(small):
    doc = _parse(report_html(small))
    text = _section(doc, "Engagement timeline")["text"]
    ev = small.events
    for label, kind in (("launch", "launch"), ("kill", "kill"), ("leak", "leak")):
        assert f"{label}: {int((ev['kind'] == kind).sum())}" in text, label


def test_detection_ranges_and_air_picture_tables(small):
    doc = _parse(report_html(small))
    det = _section(doc, "Detection ranges")["rows"]
    first = small.events[small.events["kind"] == "first_detection"]
    assert det[0][0] == "type" and [r[0] for r in det[1:]] == ["cruise_missile_subsonic"]
    missiles = [int(t["id"]) for t in small.summary["threats"] if t["side"] == "hostile"]
    assert len(missiles) == 2
    assert int(det[1][2]) == first[first["truth_id"].isin(missiles)]["truth_id"].nunique()
    ap = _section(doc, "Air-picture quality")["rows"]
    assert ap[0][0].startswith("GOSPA") and len(ap) == 2
    assert float(ap[1][0]) >= float(ap[1][1]) >= 0  # GOSPA >= its localisation part


def test_leakers_are_listed_with_their_cause(small, leaky):
    none = _section(_parse(report_html(small)), "Leakers")
    assert "None" in none["text"] and not none["rows"]
    sec = _section(_parse(report_html(leaky)), "Leakers")
    ev = leaky.events
    names = {int(t["id"]): t["name"] for t in leaky.summary["threats"]}
    leaked = sorted(names[int(i)] for i in ev[ev["kind"] == "leak"]["truth_id"])
    assert leaked  # the scenario is built so that some leak
    rows = sec["rows"]
    assert rows[0][-1] == "cause"
    assert sorted(r[0] for r in rows[1:]) == leaked
    assert all(r[-1] not in ("", "–") for r in rows[1:])


# --- the CLI on bad run folders ----------------------------------------------------------

def _bad_folders(good: Path, root: Path) -> dict[str, Path]:
    out: dict[str, Path] = {"missing": root / "does-not-exist"}
    empty = root / "empty"
    empty.mkdir()
    out["not_a_run"] = empty

    def variant(name: str, file: str, text: str) -> None:
        d = root / name
        shutil.copytree(good, d)
        (d / file).write_text(text, encoding="utf-8")
        out[name] = d

    variant("manifest_list", "manifest.json", "[]")
    variant("manifest_corrupt", "manifest.json", "{\"files\": ")
    manifest = json.loads((good / "manifest.json").read_text(encoding="utf-8"))
    variant("manifest_no_files", "manifest.json",
            json.dumps({k: v for k, v in manifest.items() if k != "files"}))
    return out


@pytest.fixture(scope="module")
def bad_cli(small, tmp_path_factory):
    """Each command on each bad folder, all started at once."""
    root = tmp_path_factory.mktemp("bad")
    folders = _bad_folders(small.path, root)
    env = {**os.environ, "COLUMNS": "40"}
    cmds = {"report": [], "replay": ["--port", "1"], "export": ["--format", "acmi"]}
    procs = {}
    for fname, folder in folders.items():
        for cmd, extra in cmds.items():
            procs[(cmd, fname)] = subprocess.Popen(
                [sys.executable, "-m", "skyshield.cli", cmd, str(folder), *extra],
                cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return {k: (p.wait(), *p.communicate()) for k, p in procs.items()}


@pytest.mark.parametrize("cmd", ["report", "replay", "export"])
@pytest.mark.parametrize("folder", ["missing", "not_a_run", "manifest_list", "manifest_corrupt",
                                    "manifest_no_files"])
def test_a_bad_run_folder_is_one_line_and_exit_2(bad_cli, cmd, folder):
    code, stdout, stderr = bad_cli[(cmd, folder)]
    assert code == 2, (stdout, stderr)
    assert "Traceback" not in stderr and "Error:" not in stderr.split(":", 1)[0]
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "does-not-exist" in lines[0] or "manifest.json" in lines[0] or "empty" in lines[0]


# --- read_run_folder: damaged contents are refused with a message naming the file ----------

def _copy(run, tmp_path: Path) -> Path:
    d = tmp_path / "copy"
    shutil.copytree(run.path, d)
    return d


def _rehash(d: Path, name: str) -> None:
    """Keep the manifest consistent with an edited file (a well-formed but wrong folder)."""
    import hashlib

    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m["files"][name]["sha256"] = hashlib.sha256((d / name).read_bytes()).hexdigest()
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


@pytest.mark.parametrize("case, file, match", [
    ("manifest_list", "manifest.json", "not a run manifest"),
    ("manifest_no_files", "manifest.json", "no 'files'"),
    ("manifest_file_unlisted", "manifest.json", "truth.parquet: no SHA-256"),
    ("summary_empty", "summary.json", "incomplete summary"),
    ("summary_list", "summary.json", "not a run summary"),
    ("scenario_no_origin", "scenario.resolved.yaml", "origin"),
    ("scenario_unit_no_lat", "scenario.resolved.yaml", "units.kub"),
    ("events_no_kind", "events.parquet", "missing columns kind"),
])
def test_read_run_folder_refuses_malformed_contents(small, tmp_path, case, file, match):
    d = _copy(small, tmp_path)
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    if case == "manifest_list":
        (d / file).write_text("[]", encoding="utf-8")
    elif case == "manifest_no_files":
        del m["files"]
        (d / file).write_text(json.dumps(m), encoding="utf-8")
    elif case == "manifest_file_unlisted":
        del m["files"]["truth.parquet"]
        (d / file).write_text(json.dumps(m), encoding="utf-8")
    elif case in ("summary_empty", "summary_list"):
        (d / file).write_text("{}" if case == "summary_empty" else "[]", encoding="utf-8")
        _rehash(d, file)
    elif case.startswith("scenario"):
        sc = yaml.safe_load((d / file).read_text(encoding="utf-8"))
        if case == "scenario_no_origin":
            del sc["origin"]
        else:
            del sc["units"]["kub"]["lat"]
        (d / file).write_text(yaml.safe_dump(sc), encoding="utf-8")
        _rehash(d, file)
    else:
        ev = small.events.drop(columns=["kind"])
        ev.to_parquet(d / file, index=False)
        _rehash(d, file)
    with pytest.raises(RunFolderError, match=match) as exc:
        read_run_folder(d)
    assert "\n" not in str(exc.value) and str(d) in str(exc.value)


def test_an_empty_summary_is_an_exit_2_for_export_too(small, tmp_path):
    d = _copy(small, tmp_path)
    (d / "summary.json").write_text("{}", encoding="utf-8")
    _rehash(d, "summary.json")
    p = subprocess.run([sys.executable, "-m", "skyshield.cli", "export", str(d), "--format",
                        "czml"], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 2 and "summary.json: incomplete summary" in p.stderr
    assert "Traceback" not in p.stderr and not list(d.glob("*.czml"))
    assert isinstance(pd.read_parquet(d / "events.parquet"), pd.DataFrame)  # left as it was


def test_the_laydown_legend_tells_every_kind_of_line_apart(small):
    """Interceptors are not destroyed threats, a friendly is not a radar ring: each legend
    entry has its own colour and line style (or marker)."""
    from matplotlib.colors import to_hex

    from skyshield.report.aar import laydown_figure

    leg = laydown_figure(small).axes[0].get_legend()
    entries = {t.get_text(): h for t, h in zip(leg.get_texts(), leg.legend_handles, strict=True)}
    for label in ("interceptor flight", "threat: destroyed", "friendly: safe",
                  "engagement ring (longest missile range)", "fire unit", "kill",
                  "defended asset"):
        assert label in entries, (label, list(entries))
    coverage = [k for k in entries if k.startswith("radar coverage")]
    assert len(coverage) == 2 and any("0.1 km" in k for k in coverage) \
        and any("10 km" in k for k in coverage)
    looks = [(to_hex(h.get_color()), h.get_linestyle() if h.get_marker() in ("", "None")
              else h.get_marker()) for h in entries.values()]
    assert len(set(looks)) == len(looks), dict(zip(entries, looks, strict=True))


def test_the_laydown_draws_each_radars_coverage_not_its_instrumented_range(small):
    """One coverage polygon per radar and height, drawn in the legend's style, and none of
    them reaching beyond the radar's instrumented range."""
    from matplotlib.colors import to_hex

    from skyshield.report.aar import STYLES, laydown_figure
    from skyshield.report.rings import coverage_rings

    rings = coverage_rings(small)
    assert len(rings) == 2 * 3  # pantsir: search and tracking radars; kub: one radar; 2 heights
    ax = laydown_figure(small).axes[0]
    drawn = [ln for ln in ax.get_lines()
             if to_hex(ln.get_color()) == STYLES["radar_low"][0]]
    assert len(drawn) == len(rings)
    from skyshield.scenario.catalogue import load_catalogue

    cat = load_catalogue()
    for r in rings:
        inst = cat.radars[r.radar].max_range_m
        assert r.max_range_m <= float(getattr(inst, "value", inst)) + 1.0


def test_the_report_leaves_matplotlibs_global_state_alone(small, tmp_path):
    """Library code draws on matplotlib.figure.Figure: no pyplot, no backend switch."""
    code = ("import sys, matplotlib; b = matplotlib.get_backend(); "
            "from skyshield.io.runfolder import read_run_folder; "
            "from skyshield.report.aar import report_html; "
            f"report_html(read_run_folder({str(small.path)!r})); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'; "
            "assert matplotlib.get_backend() == b, 'backend switched'")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "MPLBACKEND": "svg"})
    assert p.returncode == 0, p.stderr
