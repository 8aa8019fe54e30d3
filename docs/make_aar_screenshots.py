"""Regenerate docs/aar/report.png and docs/aar/replay.png: the after-action report and the browser
replay of the built-in exercise (seed 2019), rendered in Debian's headless Chromium by Playwright:
the whole report page, and the replay at ``--t`` with an interceptor selected in the detail panel
and the coverage and engagement rings drawn.

    python docs/make_aar_screenshots.py [--run DIR] [--t 1450]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

import skyshield
from skyshield.io.runfolder import read_run_folder
from skyshield.report.aar import write_report
from skyshield.web.replay import replay_app

HERE = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", type=Path, help="an existing run folder (default: run the exercise)")
    ap.add_argument("--t", type=float, default=1450.0, help="replay time of the screenshot (s)")
    a = ap.parse_args()
    out = HERE / "aar"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = a.run or skyshield.run("slavic-shield-2019", seed=2019).save(Path(tmp) / "run")
        run = read_run_folder(path)
        html = write_report(run, Path(tmp) / "report.html")
        srv = uvicorn.Server(uvicorn.Config(replay_app(run), host="127.0.0.1", port=0,
                                            log_level="warning"))
        th = threading.Thread(target=srv.run, daemon=True)
        th.start()
        while not srv.started:
            time.sleep(0.05)
        port = srv.servers[0].sockets[0].getsockname()[1]
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            pg = b.new_page(viewport={"width": 1280, "height": 1500})
            pg.goto(html.as_uri())
            pg.wait_for_load_state("load")
            pg.screenshot(path=str(out / "report.png"), full_page=True)
            pg = b.new_page(viewport={"width": 1400, "height": 850})
            pg.goto(f"http://127.0.0.1:{port}/")
            pg.evaluate("window.replay.ready")
            pg.evaluate(f"window.replay.setTime({a.t})")
            # an interceptor in flight (else any object) in the detail panel, rings drawn
            keys = sorted(pg.evaluate("Object.keys(window.replay.positions())"))
            key = next((k for k in keys if k.startswith("w")), keys[0] if keys else None)
            if key is None or not pg.evaluate(f"window.replay.select({key!r})"):
                raise SystemExit(f"nothing to select at T+{a.t:g} s; try another --t")
            rings = pg.evaluate("window.replay.ringsDrawn()")
            if not (rings["low"] and rings["high"] and rings["engagement"]):
                raise SystemExit(f"the rings are not drawn: {rings}")
            pg.wait_for_function("document.querySelectorAll('#map path').length > 50")
            pg.screenshot(path=str(out / "replay.png"))
            b.close()
        srv.should_exit = True
        th.join(timeout=10)
    print(f"wrote {out / 'report.png'} and {out / 'replay.png'}")


if __name__ == "__main__":
    main()
