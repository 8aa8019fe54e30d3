"""``skyshield serve`` as a real subprocess on 127.0.0.1 and its HTTP API, for the tests that
need the command line itself (kill -9 and --resume, the run folder of an exercise ended)."""

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest


class Served:
    """Start ``skyshield serve`` on a free loopback port; talk to it; kill what is left."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    @staticmethod
    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def start(self, args, port: int) -> subprocess.Popen:
        """``skyshield serve ARGS --port PORT``, once it answers."""
        p = subprocess.Popen([sys.executable, "-m", "skyshield.cli", "serve", *map(str, args),
                              "--port", str(port)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        self.procs.append(p)
        while True:
            assert p.poll() is None, p.stderr.read().decode()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                return p
            except OSError:
                time.sleep(0.1)

    @staticmethod
    def post(port: int, token: str, body, timeout: float = 60.0):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/command",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    @staticmethod
    def get(port: int, token: str, path: str, timeout: float = 60.0):
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())


@pytest.fixture
def served():
    s = Served()
    yield s
    for p in s.procs:  # a test that failed half way leaves no server behind
        if p.poll() is None:
            p.kill()
            p.communicate()
