"""Schemathesis against the live server's OpenAPI document: generated requests, with no token,
a wrong one, an observer's and the controller's, never get a server error. The document
describes every command (one typed model per ``cmd``, with this exercise's unit, asset and
vehicle-type names as enumerations), so the controller's requests are real commands, most of
them applied; negative generation sends what the models refuse (missing or mistyped fields)."""

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402

import skyshield  # noqa: E402
from skyshield.sim.live import LiveExercise  # noqa: E402
from skyshield.web.live import LiveServer, Roles, live_app  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"

# one worker runs the module in file order: its tests share one live server (SERVER), and the
# teardown check counts the commands the generated requests got applied there
pytestmark = pytest.mark.xdist_group("live_openapi")


def _app():
    ex = LiveExercise(skyshield.load_scenario(SMALL), Path(tempfile.mkdtemp()) / "live",
                      approval=(30.0, False))
    ex.advance(40.0)
    roles, tokens = Roles.generate(list(ex.sim.w.units.name))
    server = LiveServer(ex, roles)
    return live_app(server), tokens, server


APP, TOKENS, SERVER = _app()
# the document itself needs a token
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, headers={"Authorization": f"Bearer {TOKENS['observer']}"})
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
APPLIED: list[str] = []  # the controller's generated commands the exercise applied
CALLED: list[str] = []


# one test per API operation, each with a plain node id: schemathesis' own parametrize gives
# every operation the same node id, and xdist (the suite runs on two workers) then ran only one
OPERATIONS = {r.ok().label: r.ok() for r in schema.get_all_operations()}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_generated_requests_never_get_a_server_error(label):
    op = OPERATIONS[label]
    cases = st.one_of(op.as_strategy(GenerationMode.POSITIVE),
                      op.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    # the command endpoint takes 14 kinds of command: more examples to reach most of them
    @settings(max_examples=200 if label == "POST /api/command" else 60, deadline=None,
              derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        _check(case)

    run()


def _check(case):
    body = case.body if isinstance(case.body, dict) else {}
    if SERVER.ex.frozen:
        SERVER.command("controller", {"cmd": "resume"})
    for token in (None, "not-a-token", TOKENS["observer"], TOKENS["controller"]):
        if token == TOKENS["controller"] and body.get("cmd") == "end":
            continue  # the exercise goes on, so that later commands are applied
        case.headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, case.body,
                                            response.status_code, response.text[:300])
        if token in (None, "not-a-token"):
            # never served without a valid token: refused as unauthorised (401), or earlier as
            # a malformed request (400, 422) or a wrong method (405)
            assert response.status_code in (400, 401, 405, 422), (case.path,
                                                                   response.status_code)
        if case.path == "/api/command":
            CALLED.append(str(body.get("cmd")))
        if case.path == "/api/command" and response.status_code == 200:
            APPLIED.append(body["cmd"])


@pytest.fixture(scope="module", autouse=True)
def _generated_commands_were_real_ones():
    """After the module, in the process that ran the generated POST /api/command requests
    (whatever the test order or the worker): the controller's generated commands reached the
    exercise and were applied, of several kinds; nothing failed unexpectedly inside. A failure
    here is reported as an error in the module's teardown."""
    yield
    if CALLED:
        assert {"inject", "raid", "roe"} <= set(APPLIED) and len(set(APPLIED)) >= 6, APPLIED
        assert SERVER.stats["command_errors"] == 0


def test_the_openapi_document_needs_a_token_and_describes_every_command():
    c = TestClient(APP)
    assert c.get("/openapi.json").status_code == 401
    assert c.get("/openapi.json", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert c.get("/docs").status_code == 404
    doc = c.get("/openapi.json", headers={"Authorization": f"Bearer {TOKENS['observer']}"}
                ).json()
    body = doc["paths"]["/api/command"]["post"]["requestBody"]["content"]["application/json"]
    mapping = body["schema"]["discriminator"]["mapping"]
    assert set(mapping) == {"inject", "raid", "roe", "cut_link", "restore_link", "emcon",
                            "destroy_radar", "restore_radar", "destroy_unit", "restore_unit",
                            "approve", "deny", "external", "external_remove", "end", "speed",
                            "pause", "resume", "freeze"}
    s = doc["components"]["schemas"]
    for model in ("Roe", "CutLink", "RestoreLink", "SetEmcon", "DestroyRadar", "RestoreRadar",
                  "DestroyUnit", "RestoreUnit"):
        assert set(s[model]["properties"]["unit"]["enum"]) == set(SERVER.ex.sim.w.units.name)
    assert "cruise_missile_subsonic" in s["Inject"]["properties"]["type"]["enum"]
    assert {"id", "force", "lat", "lon", "alt", "vel_enu"} <= set(s["External"]["required"])
