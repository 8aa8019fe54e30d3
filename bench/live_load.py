"""Load test of the live server (loopback only, bounded): N observer websockets for T seconds
while the exercise runs at S× speed; frames delivered, dropped and their latency.

    python bench/live_load.py [--clients 100] [--seconds 60] [--speed 10]
                              [--scenario slavic-shield-2019]

The server runs in its own process (``skyshield serve`` on 127.0.0.1, a free port, tokens from a
file); the clients are one asyncio process. Latency is the frame's receive time minus the wall
time the server stamped on it when it was built (the same clock: one machine). Dropped frames
are those the server did not queue for a client that had ``CLIENT_QUEUE`` frames waiting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import websockets
from rich.console import Console
from rich.table import Table


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(url: str, stop: float, lat: list[float], counts: list[int], k: int) -> None:
    async with websockets.connect(url, max_size=2**24) as ws:
        while time.time() < stop:
            try:
                msg = await asyncio.wait_for(ws.recv(), timeout=max(0.1, stop - time.time()))
            except TimeoutError:
                break
            now = time.time()
            data = json.loads(msg)
            if data.get("type") == "frame":
                counts[k] += 1
                lat.append(now - data["wall"])


async def _run(url: str, clients: int, seconds: float) -> tuple[list[float], list[int]]:
    stop = time.time() + seconds
    lat: list[float] = []
    counts = [0] * clients
    await asyncio.gather(*(_client(url, stop, lat, counts, k) for k in range(clients)))
    return lat, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--speed", type=float, default=10.0)
    ap.add_argument("--scenario", default="slavic-shield-2019")
    a = ap.parse_args()
    if not (1 <= a.clients <= 1000 and 1 <= a.seconds <= 600):
        sys.exit("bounded: 1-1000 clients, 1-600 s")
    port = _port()
    tmp = Path(tempfile.mkdtemp(prefix="skyshield-load-"))
    token = "observer-token-of-the-load-test"
    (tmp / "tokens.txt").write_text(f"observer: {token}\ncontroller: controller-token-load\n")
    server = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "serve", a.scenario,
                               "--out", str(tmp / "ex"), "--port", str(port), "--speed",
                               str(a.speed), "--tokens", str(tmp / "tokens.txt")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the server did not start: {server.stderr.read().decode()}")
                time.sleep(0.2)
        url = f"ws://127.0.0.1:{port}/ws?token={token}"
        t0 = time.perf_counter()
        lat, counts = asyncio.run(_run(url, a.clients, a.seconds))
        wall = time.perf_counter() - t0
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/stats",
                                     headers={"Authorization": f"Bearer {token}"})
        stats = json.loads(urllib.request.urlopen(req, timeout=10).read())
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
    L = np.asarray(lat) * 1e3
    # a frame goes out on the first clock tick (0.1 s) at least 0.25 s after the last: 0.3 s
    expected = a.seconds / 0.3
    t = Table(title=f"{a.clients} observer websockets, {a.seconds:g} s, {a.scenario} at "
              f"{a.speed:g}× (loopback)")
    for c in ("frames delivered", f"per client (expected ≈ {expected:.0f})",
              "frames dropped by the server", "latency p50 ms", "p99 ms", "max ms",
              "simulated s reached"):
        t.add_column(c, justify="right")
    t.add_row(f"{int(np.sum(counts)):,}", f"{np.min(counts)}–{np.max(counts)}",
              f"{stats['frames_dropped']:,}", f"{np.percentile(L, 50):.1f}",
              f"{np.percentile(L, 99):.1f}", f"{L.max():.1f}", f"{stats['t_s']:.0f}")
    Console(width=150).print(t)
    print(f"wall {wall:.1f} s; server stats: {stats}")


if __name__ == "__main__":
    main()
