"""The replay: its JSON endpoints, and the page itself in a real headless Chromium (Debian's,
driven by Playwright) against the server on 127.0.0.1."""

import os
import shutil
import threading
import time
from pathlib import Path

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


@pytest.fixture(scope="module")
def server(run_folder):
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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip(f"Debian's Chromium is not installed ({CHROMIUM}); .ci/run installs it "
                    "with apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
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
    # the truth toggle shows the real objects (the friendly aircraft among them)
    page.locator("#truth").check()
    assert any(k.startswith("v") for k in page.evaluate("window.replay.positions()"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#slider").fill("60")
    page.screenshot(path=str(ARTIFACTS / "replay.png"))
    assert (ARTIFACTS / "replay.png").stat().st_size > 10_000
    assert errors == []
    page.close()
