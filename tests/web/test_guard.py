"""Issue 20: POST /api/command read and JSON-parsed bodies of any size before it checked the
token. The guard answers on the headers alone: these tests drive the live app as ASGI with a
``receive`` that fails the test if the body is ever asked for."""

import asyncio
import json
import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

import skyshield  # noqa: E402
from skyshield.sim.live import LiveExercise  # noqa: E402
from skyshield.web.guard import MAX_BODY_BYTES  # noqa: E402
from skyshield.web.live import LiveServer, Roles, live_app  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


@pytest.fixture(scope="module")
def app_and_tokens():
    ex = LiveExercise(skyshield.load_scenario(SMALL), Path(tempfile.mkdtemp()) / "live")
    roles, tokens = Roles.generate(list(ex.sim.w.units.name))
    return live_app(LiveServer(ex, roles)), tokens


def _post(app, headers, body=None):
    """One POST /api/command through the ASGI app: (status, JSON answer, body reads)."""
    reads = []

    async def receive():
        if body is None:
            raise AssertionError("the body was read")
        reads.append(1)
        return {"type": "http.request", "body": body, "more_body": False}

    sent = []

    async def send(msg):
        sent.append(msg)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/command", "raw_path": b"/api/command",
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 1),
             "client": ("127.0.0.1", 2),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    answer = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(answer), len(reads)


def test_no_token_is_refused_before_the_body_is_read(app_and_tokens):
    app, _ = app_and_tokens
    huge = str(100 * 2**20)
    assert _post(app, {"content-length": huge})[0] == 401
    assert _post(app, {"authorization": "Bearer nope", "content-length": huge})[0] == 401


def test_a_body_too_large_or_undeclared_is_refused_before_it_is_read(app_and_tokens):
    app, tokens = app_and_tokens
    auth = {"authorization": f"Bearer {tokens['controller']}"}
    status, answer, _ = _post(app, {**auth, "content-length": str(MAX_BODY_BYTES + 1)})
    assert status == 413 and str(MAX_BODY_BYTES) in answer["detail"]
    assert _post(app, auth)[0] == 411  # no Content-Length (a chunked body of unknown size)


def test_a_valid_command_still_goes_through(app_and_tokens):
    app, tokens = app_and_tokens
    body = json.dumps({"cmd": "roe", "unit": "kub", "roe": "weapons_tight"}).encode()
    status, answer, reads = _post(app, {"authorization": f"Bearer {tokens['controller']}",
                                        "content-type": "application/json",
                                        "content-length": str(len(body))}, body)
    assert status == 200 and reads == 1 and answer["seq"] >= 1
