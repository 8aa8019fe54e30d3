"""Schemathesis against the live server's OpenAPI document: generated requests, with no token,
a wrong one, an observer's and the controller's, never get a server error."""

from pathlib import Path

import pytest

pytest.importorskip("fastapi")
schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

import skyshield  # noqa: E402
from skyshield.sim.live import LiveExercise  # noqa: E402
from skyshield.web.live import LiveServer, Roles, live_app  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "aar_small.yaml"


def _app():
    import tempfile

    ex = LiveExercise(skyshield.load_scenario(SMALL), Path(tempfile.mkdtemp()) / "live")
    ex.advance(40.0)
    roles, tokens = Roles.generate(list(ex.sim.w.units.name))
    return live_app(LiveServer(ex, roles)), tokens


APP, TOKENS = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_generated_requests_never_get_a_server_error(case):
    for token in (None, "not-a-token", TOKENS["observer"], TOKENS["controller"]):
        case.headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, case.body,
                                            response.status_code, response.text[:300])
        if token in (None, "not-a-token"):
            # never served without a valid token: refused as unauthorised (401), or earlier as
            # a malformed request (400, 422) or a wrong method (405)
            assert response.status_code in (400, 401, 405, 422), (case.path,
                                                                   response.status_code)
