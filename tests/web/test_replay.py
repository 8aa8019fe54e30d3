"""The replay: its JSON endpoints, and the page itself in a real headless Chromium (Debian's,
driven by Playwright) against the server on 127.0.0.1."""

import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import skyshield
from skyshield.io.runfolder import read_run_folder

DATA = Path(__file__).resolve().parents[1] / "data"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SKYSHIELD_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts"))


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("replay") / "run"
    skyshield.run(DATA / "aar_small.yaml").save(path)
    return read_run_folder(path)


def test_the_api_serves_the_run(run_folder):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from skyshield.web.replay import replay_app

    c = TestClient(replay_app(run_folder))
    run = c.get("/api/run").json()
    assert run["scenario"] == "aar-small" and run["duration_s"] == 150.0
    assert {u["name"] for u in run["units"]} == {"pantsir", "kub"}
    assert all(u["radars"] and u["missiles"] for u in run["units"])
    truth = c.get("/api/truth").json()
    assert set(truth) == set(run["entities"])
    for s in truth.values():
        assert len(s["t"]) == len(s["lat"]) == len(s["lon"]) == len(s["alt"])
        assert s["t"] == sorted(s["t"])
    tracks = c.get("/api/tracks").json()
    assert tracks and all(len(s["t"]) == len(s["sigma"]) for s in tracks.values())
    # identities come from the air picture's identification events, not from truth
    assert any(s["identity"] for s in tracks.values())
    events = c.get("/api/events").json()
    assert not any(e["kind"] == "scan" for e in events)
    assert [e["t_s"] for e in events] == sorted(e["t_s"] for e in events)
    assert c.get("/").headers["content-type"].startswith("text/html")
    assert c.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert c.get("/static/vendor/milsymbol/milsymbol.js").status_code == 200
    assert c.get("/static/vendor/world-atlas/countries-50m.json").status_code == 200
    assert c.get("/api/nothing").status_code == 404
    # a query string changes nothing (the handlers take no parameters), and the OpenAPI
    # document is served (it once failed on a return annotation FastAPI could not resolve)
    assert c.get("/api/run", params={"name": "events"}).json() == run
    assert c.get("/api/run", params={"name": "zzz"}).json() == run
    doc = c.get("/openapi.json")
    assert doc.status_code == 200
    assert {"/api/run", "/api/truth", "/api/tracks", "/api/events"} <= set(doc.json()["paths"])


def test_the_rings_are_coverage_and_engagement_not_instrumented_range(run_folder):
    """Each radar's coverage polygon at the low and the high reference height lies inside its
    instrumented range and, at the low height, inside the 4/3-Earth radar horizon
    √(2kR₀h_a) + √(2kR₀h_t) (Skolnik, Introduction to Radar Systems, 3rd ed., sec. 8.2)."""
    from skyshield.geo import geodetic_to_enu
    from skyshield.scenario.catalogue import load_catalogue
    from skyshield.web.replay import replay_payload

    run = replay_payload(run_folder)["run"]
    ref = run["coverage_reference"]
    low_m, high_m = ref["agl_m"]
    assert low_m < 1000 < high_m
    cat = load_catalogue()
    k_r0 = 4 / 3 * 6_371_000.0
    for u in run["units"]:
        fu = cat.fire_units[u["type"]]
        assert {(c["radar"], c["agl_m"]) for c in u["coverage"]} == {
            (r, h) for r in fu.radars for h in (low_m, high_m)}
        o = (np.radians(u["lat"]), np.radians(u["lon"]), 0.0)
        for c in u["coverage"]:
            radar = cat.radars[c["radar"]]
            inst = float(getattr(radar.max_range_m, "value", radar.max_range_m))
            enu = geodetic_to_enu(np.radians(c["lat"]), np.radians(c["lon"]), 0.0, *o)
            far = float(np.hypot(enu[..., 0], enu[..., 1]).max())
            assert far <= inst * 1.001 + 50, (c["radar"], far, inst)
            if c["agl_m"] == low_m:
                h_a = float(getattr(radar.antenna_height_m, "value", radar.antenna_height_m))
                horizon = np.sqrt(2 * k_r0 * h_a) + np.sqrt(2 * k_r0 * low_m)
                assert far <= horizon + 100, (c["radar"], far, horizon)
        assert u["missiles"][0]["range_m"] == max(m["range_m"] for m in u["missiles"])


@pytest.fixture(scope="module")
def server(run_folder):
    yield from _serve(run_folder)


def _serve(run_folder):
    """The replay of ``run_folder`` on 127.0.0.1 (a free port), its URL, until the test ends."""
    pytest.importorskip("uvicorn")
    import uvicorn

    from skyshield.web.replay import replay_app

    srv = uvicorn.Server(uvicorn.Config(replay_app(run_folder), host="127.0.0.1", port=0,
                                        log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert th.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    host, port = srv.servers[0].sockets[0].getsockname()[:2]
    assert host == "127.0.0.1"
    yield f"http://127.0.0.1:{port}/"
    srv.should_exit = True
    th.join(timeout=10)


def _missing(why: str) -> None:
    """Skip on a developer's machine; in CI (the CI variable set) a missing browser is a
    failure, so the browser tests cannot silently stop running."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI is set: the browser tests must run)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        _missing(f"Debian's Chromium is not installed ({CHROMIUM}); .ci/run installs it "
                 "with apt-get install chromium")
    try:
        import playwright.sync_api as sync_api
    except ImportError:
        _missing("Playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def test_the_replay_page_plays_in_chromium(server, browser, run_folder):
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(server)
    page.evaluate("window.replay.ready")
    # a symbol for every fire unit
    assert page.evaluate("window.replay.unitsDrawn()") == len(run_folder.scenario["units"])
    # moving the slider moves the air objects
    page.locator("#slider").fill("40")
    early = page.evaluate("window.replay.positions()")
    page.locator("#slider").fill("70")
    later = page.evaluate("window.replay.positions()")
    assert page.evaluate("window.replay.time()") == pytest.approx(70.0)
    common = set(early) & set(later)
    assert common and any(early[k] != later[k] for k in common)
    # clicking a launch event jumps the clock to it and shows its missile
    first = page.locator("#events li[data-kind='launch']").first
    t_launch = float(first.get_attribute("data-t"))
    first.click()
    assert page.evaluate("window.replay.time()") == pytest.approx(t_launch)
    assert "engagements" in page.locator("#detail").inner_text()
    # the truth toggle shows the real objects (the friendly aircraft among them) and clears
    # the detail panel (its object may not exist in the other view)
    page.locator("#truth").check()
    assert any(k.startswith("v") for k in page.evaluate("window.replay.positions()"))
    assert "engagements" not in page.locator("#detail").inner_text()
    assert "Click a symbol" in page.locator("#detail").inner_text()
    # coverage polygons at both heights for every radar, an engagement ring per unit, a legend
    rings = page.evaluate("window.replay.ringsDrawn()")
    n_radars = sum(len(u["coverage"]) for u in page.evaluate(
        "fetch('/api/run').then((r) => r.json())")["units"]) // 2
    assert rings == {"low": n_radars, "high": n_radars,
                     "engagement": len(run_folder.scenario["units"])}
    assert "radar coverage" in page.locator("#legend").inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#slider").fill("60")
    page.screenshot(path=str(ARTIFACTS / "replay.png"))
    assert (ARTIFACTS / "replay.png").stat().st_size > 10_000
    # a unit's panel gives its ammunition at the clock's time (issue 21): the rounds it held
    # less those it launched, plus those its crews had reloaded by then, from the run folder's
    # own tables
    page.locator("#truth").uncheck()
    units = page.evaluate("fetch('/api/run').then((r) => r.json())")["units"]
    ev = run_folder.events
    t_end = float(ev["t_s"].max())
    page.locator("#slider").fill(str(t_end))
    page.locator(".unit-symbol").first.click()
    text = page.locator("#detail").inner_text()
    u = units[0]
    assert "ammunition" in text, text
    for m, b in u["magazine"].items():
        mine = (ev["source"] == u["name"]) & (ev["target"] == m) & (ev["t_s"] <= t_end)
        fired = int((mine & (ev["kind"] == "launch")).sum())
        reloaded = int(ev.loc[mine & (ev["kind"] == "reload") & (ev["tag"] == "loaded"),
                              "count"].sum())
        assert f"{m} {b['loaded'] - fired + reloaded} ready" in text, (m, text)
    assert errors == []
    page.close()


# the standard identities' letters in a 2525C SIDC (position 2), as the standard gives them
SIDC_IDENTITY = {"pending": "P", "unknown": "U", "assumed_friend": "A", "friend": "F",
                 "neutral": "N", "suspect": "S", "hostile": "H"}


@pytest.fixture(scope="module")
def civil_run(tmp_path_factory):
    """An airliner on its approach corridor and two cruise missiles (tests/data)."""
    path = tmp_path_factory.mktemp("replay-civil") / "run"
    skyshield.run(DATA / "civil_crossing.yaml").save(path)
    return read_run_folder(path)


def test_tracks_are_pending_until_identified_and_old_runs_keep_the_old_rule(civil_run):
    """A track is pending from its confirmation to its first identification (failed before:
    no identity until then, drawn unknown); a run folder from before the standard identities
    (its identified events carry no tag) keeps the old rule: unknown until identified."""
    import dataclasses

    from skyshield.web.replay import replay_payload

    tracks = replay_payload(civil_run)["tracks"]
    airliner = [s for s in tracks.values() if s["truth_key"] == "v2"]
    assert airliner and all(s["identity"][0] == [s["t"][0], "pending"] for s in airliner)
    assert airliner[0]["identity"][-1][1] == "neutral"
    assert all(s["identity"] and s["identity"][-1][1] == "hostile" for s in tracks.values()
               if s["truth_key"] in ("v0", "v1"))
    ev = civil_run.events.copy()
    ev.loc[ev["kind"] == "identified", "tag"] = ""
    old = replay_payload(dataclasses.replace(civil_run, events=ev))["tracks"]
    assert all(s["identity"] and s["identity"][0][1] != "pending" for s in old.values())
    assert {k: s["identity"] for k, s in old.items()} == {
        k: [x for x in s["identity"] if x[1] != "pending"] for k, s in tracks.items()}


def test_every_track_is_drawn_with_its_standard_identity_in_chromium(civil_run, browser):
    """The airliner's track is drawn neutral (SIDC S N ...), the cruise missiles' hostile, each
    track at each of its identities with that identity's letter (read from the page's state
    and the marker's data-sidc); the truth view draws civil traffic neutral; the legend lists
    the seven identities; the detail panel names the identity."""
    gen = _serve(civil_run)
    url = next(gen)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 850})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.evaluate("window.replay.ready")
        tracks = page.evaluate("fetch('/api/tracks').then((r) => r.json())")
        seen = set()
        for tid, s in tracks.items():
            for t, ident in s["identity"]:
                page.evaluate(f"window.replay.setTime({t + 0.01})")
                sidc = page.evaluate("window.replay.symbols()")[f"t{tid}"]
                assert sidc[1] == SIDC_IDENTITY[ident], (tid, t, ident, sidc)
                dom = page.get_attribute(f".air-symbol[data-sidc='{sidc}']", "data-sidc")
                assert dom == sidc
                seen.add((s["truth_key"], ident))
        assert {("v2", "pending"), ("v2", "neutral"), ("v0", "hostile"),
                ("v1", "hostile")} <= seen
        airliner = next(t for t, s in tracks.items() if s["truth_key"] == "v2")
        page.evaluate(f"window.replay.setTime({tracks[airliner]['identity'][-1][0] + 1})")
        assert page.evaluate(f"window.replay.select('t{airliner}')")
        assert "identity\tneutral" in page.locator("#detail").inner_text()
        # the truth: the airliner neutral, the missiles hostile
        page.locator("#truth").check()
        page.evaluate("window.replay.setTime(20)")
        sym = page.evaluate("window.replay.symbols()")
        assert sym["v2"][1] == "N" and sym["v0"][1] == "H", sym
        legend = page.locator("#legend .legend-identity")
        assert legend.evaluate_all("rows => rows.map(r => [r.dataset.identity, "
                                   "r.querySelector('img').alt[1]])") == [
            [k, v] for k, v in SIDC_IDENTITY.items()]
        assert "assumed friend" in page.locator("#legend").inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("#truth").uncheck()
        page.evaluate("window.replay.setTime(40)")
        page.screenshot(path=str(ARTIFACTS / "replay-identities.png"))
        assert errors == []
        page.close()
    finally:
        next(gen, None)
