"""The FastAPI application of a live exercise (:func:`live_app`) and its launcher
(:func:`serve_live`, behind ``skyshield serve``).

Endpoints: the login page ``/`` and the UI ``/live`` (static, no token), and with a token
(``web.roles``): ``/openapi.json`` (this exercise's names — vehicle types, units, assets — as
the enumerated values of the commands' fields, and the injects' points boxed near the
exercise), ``/api/whoami``, ``/api/scenario``, ``/api/state`` (the role's frame),
``/api/stats``, ``POST /api/command`` (a ``sim.commands`` model: 400 refused with the reason,
403 not the role's) and the websocket ``/ws?token=`` (hello, frames, events; it takes
``{"command": {...}}`` messages and answers each with an ack or an error, never closing on a
bad one). DIS in: a datagram endpoint feeding ``LiveServer.receive_dis``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import (
    Body,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Request,
    WebSocket,
    WebSocketDisconnect,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from skyshield.scenario.schema import Scenario
from skyshield.sim.commands import Command, CommandError, dump, message, short
from skyshield.sim.live import INJECT_MAX_DISTANCE_M, JournalUnavailable, LiveExercise
from skyshield.web.clients import Client, pump
from skyshield.web.guard import (
    BACKLOG,
    AcceptErrorLog,
    ConnectionGuard,
    PostGuard,
    bearer_token,
    guarded_protocol,
)
from skyshield.web.ports import probe_tcp_port
from skyshield.web.replay import STATIC_DIR
from skyshield.web.roles import Roles
from skyshield.web.server import LiveServer

__all__ = ["live_app", "serve_live"]

log = logging.getLogger(__name__)


def _exercise_openapi(app: FastAPI, server: LiveServer) -> dict[str, Any]:
    """The OpenAPI document, with this exercise's names (vehicle types, units, assets) as the
    enumerated values of the commands' fields."""
    if app.openapi_schema is None:
        doc = app.openapi()
        w, sc = server.ex.sim.w, server.ex.scenario
        types, units = sorted(w.catalogue.air_vehicles), list(w.units.name)
        places = [*sc.assets, *units]
        schemas = doc.get("components", {}).get("schemas", {})
        for model, prop, values in (("Inject", "type", types), ("Raid", "type", types),
                                    ("Raid", "to", places), ("Roe", "unit", units),
                                    ("CutLink", "unit", units), ("DestroyRadar", "unit", units),
                                    ("RestoreLink", "unit", units), ("SetEmcon", "unit", units),
                                    ("RestoreRadar", "unit", units), ("DestroyUnit", "unit", units),
                                    ("RestoreUnit", "unit", units)):
            p = schemas.get(model, {}).get("properties", {}).get(prop)
            if p is not None and p.get("type") == "string" and values:
                p["enum"] = list(values)
        # injects start near the exercise (sim.live.INJECT_MAX_DISTANCE_M): a box inside that
        # circle
        half_deg = INJECT_MAX_DISTANCE_M / 111e3 / 1.5
        pt = schemas.get("Point", {}).get("properties", {})
        o = sc.origin
        for k, c, h in (("lat", o.lat, half_deg),
                        ("lon", o.lon, half_deg / max(np.cos(np.radians(o.lat)), 0.1))):
            if k in pt:
                pt[k]["minimum"] = round(max(pt[k].get("minimum", -1e9), c - h), 4)
                pt[k]["maximum"] = round(min(pt[k].get("maximum", 1e9), c + h), 4)
        to = schemas.get("Inject", {}).get("properties", {}).get("to", {})
        for alt in to.get("anyOf", []):
            if alt.get("type") == "string" and places:
                alt["enum"] = places
        app.openapi_schema = doc
    return app.openapi_schema


def _ws_command(server: LiveServer, role: str, msg: dict[str, Any]) -> dict[str, Any]:
    """The answer to one websocket message ``{"command": {...}}``: an ack, or an error with
    the reason; never raises (whatever was sent, the socket stays open)."""
    try:
        text = msg.get("text")
        if text is None:
            raise CommandError("send text: {\"command\": {\"cmd\": ...}}")
        data = json.loads(text)
        if not isinstance(data, dict) or "command" not in data:
            raise CommandError("send {\"command\": {\"cmd\": ...}}")
        return {"type": "ack", **server.command(role, data["command"])}
    except (CommandError, PermissionError) as exc:
        return {"type": "error", "detail": str(exc)}
    except (ValueError, RecursionError) as exc:  # not JSON (or too deep, or a number too long)
        return {"type": "error", "detail": f"not a JSON command: {str(exc)[:200]}"}
    except Exception as exc:  # noqa: BLE001 - a user's command never closes the socket
        log.exception("websocket command from %s failed", role)
        server.stats["command_errors"] += 1
        return {"type": "error", "detail": f"the command failed: {type(exc).__name__}"}


class _DISProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: LiveServer):
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.server.receive_dis(data)


def live_app(server: LiveServer, dis_listen: tuple[str, int] | None = None,
             guard: ConnectionGuard | None = None) -> Any:
    """The FastAPI application of a live exercise (module docstring); ``guard``: the
    connections' guard it is served behind (:func:`uvicorn_config`), for ``/api/stats``."""
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        loop = asyncio.get_running_loop()
        # a failed accept() (no file descriptor left) is logged once a minute, not once per
        # attempt with its traceback (issue 20: 286,718 tracebacks, 109 MB in 40 s)
        previous = loop.get_exception_handler()
        loop.set_exception_handler(AcceptErrorLog(previous))
        server.open_dis()
        transport = None
        if dis_listen is not None:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _DISProtocol(server), local_addr=dis_listen)
        task = asyncio.create_task(server.run_clock())
        yield
        server.stop()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if transport is not None:
            transport.close()
        # a held exercise's journal gets a last try: what it holds back goes in if it can
        server.ex.retry_journal()
        loop.set_exception_handler(previous)

    # the OpenAPI document is served only with a token (below); no /docs (it would need
    # Swagger UI from a CDN, and the server works offline)
    app = FastAPI(title="skyshield live exercise", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(RequestValidationError)
    async def refused(request: Request, exc: RequestValidationError) -> JSONResponse:
        # the first problem, named by its field; the input shown short and as text (it may
        # hold what JSON cannot carry back, such as an infinite number)
        e = exc.errors()[0] if exc.errors() else {}
        where = tuple(e.get("loc", ()))
        loc = ".".join(str(x) for x in (where[2:] if where[:1] == ("body",) else where))
        return JSONResponse({"detail": f"{loc or 'body'}: {message(e)} "
                                       f"(got {short(e.get('input'))})"}, 422)

    def role_of(authorization: str | None = Header(None)) -> str:
        role = server.roles.role(bearer_token(authorization))
        if role is None:
            raise HTTPException(401, "a valid token is needed (Authorization: Bearer TOKEN)")
        return role

    @app.get("/", include_in_schema=False)
    def login() -> FileResponse:
        return FileResponse(STATIC_DIR / "login.html", media_type="text/html")

    @app.get("/live", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "live.html", media_type="text/html")

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(role: str = Depends(role_of)) -> dict[str, Any]:
        return _exercise_openapi(app, server)

    @app.get("/api/whoami")
    async def whoami(role: str = Depends(role_of)) -> dict[str, Any]:
        return {"role": role}

    @app.get("/api/scenario")
    async def scenario(role: str = Depends(role_of)) -> dict[str, Any]:
        return server.scenario_info()

    @app.get("/api/state")
    async def state(role: str = Depends(role_of)) -> dict[str, Any]:
        return server.frame(role)

    @app.get("/api/stats")
    async def stats(role: str = Depends(role_of)) -> dict[str, Any]:
        with server.ex.lock:
            return {**server.stats, "clients": len(server.clients), "t_s": server.ex.t,
                    "clock_last_error": server.clock_last_error,
                    "journal": server.journal_status(),
                    **({"connections": guard.stats()} if guard is not None else {})}

    @app.post("/api/command", responses={
        400: {"description": "refused, with the reason"},
        403: {"description": "not this role's to send"},
        503: {"description": "the journal cannot be written now: the exercise is held; "
                             "send it again later"}})
    async def command(body: Annotated[Command, Body()],
                role: str = Depends(role_of)) -> dict[str, Any]:
        """A command (``sim.commands``): its journal sequence number and simulated time."""
        try:
            return server.command(role, dump(body))
        except PermissionError as exc:
            raise HTTPException(403, str(exc)) from None
        except JournalUnavailable as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None
        except CommandError as exc:
            raise HTTPException(400, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - a user's command never gets a 500
            log.exception("command %r from %s failed", body, role)
            server.stats["command_errors"] += 1
            raise HTTPException(400, f"the command failed: {type(exc).__name__}") from None

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, token: str | None = None) -> None:
        role = server.roles.role(token)
        if role is None:
            await websocket.close(code=4401)
            return
        await websocket.accept()
        client = Client(asyncio.Queue(), role)
        server.clients.add(client)
        await websocket.send_text(json.dumps({"type": "hello", "role": role,
                                              "scenario": server.scenario_info()}))
        await websocket.send_text(json.dumps(server.frame(role)))

        sender = asyncio.create_task(pump(websocket, client, server.stats))
        try:
            while True:
                msg = await websocket.receive()
                if msg["type"] == "websocket.disconnect":
                    break
                await websocket.send_text(json.dumps(_ws_command(server, role, dict(msg))))
        except (WebSocketDisconnect, RuntimeError):  # RuntimeError: closed by the pump
            pass
        finally:
            sender.cancel()
            server.clients.discard(client)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # a POST's token and size are checked on its headers, before its body is read
    app.add_middleware(PostGuard, role_of=server.roles.role)
    return app


def serve_live(scenario: Scenario, folder: Path, host: str = "127.0.0.1", port: int = 8766,
               speed: float = 1.0, dis_target: tuple[str, int] | None = None,
               dis_listen: tuple[str, int] | int | None = None, tokens_file: Path | None = None,
               approval: tuple[float, bool] | None = None, resume: bool = False,
               seed: int | None = None, announce: Any = print,
               dis_exercise: int | None = None) -> LiveExercise:
    """Run the exercise live until it ends or is interrupted; the exercise (for its run
    folder). Tokens are printed once through ``announce``. ``dis_listen`` is (host, port) or a
    port on ``host`` (the server's own address: 127.0.0.1 unless told otherwise)."""
    import uvicorn

    probe_tcp_port(host, port)  # fails cleanly if the port is taken
    listen = (host, dis_listen) if isinstance(dis_listen, int) else dis_listen
    if listen is not None:
        with socket.socket(socket.AF_INET6 if ":" in listen[0] else socket.AF_INET,
                           socket.SOCK_DGRAM) as probe:
            probe.bind(listen)  # and if the DIS port is
    ex = LiveExercise(scenario, folder, seed=seed, speed=speed, approval=approval,
                      resume=resume)
    units = list(ex.sim.w.units.name)
    tok_path = Path(folder) / "tokens.json"
    if tokens_file is not None:
        roles = Roles.from_file(tokens_file, units)
    elif resume and tok_path.exists():
        roles = Roles.load(tok_path)
        announce("tokens: those printed when the exercise started")
    else:
        roles, tokens = Roles.generate(units)
        announce("tokens (shown once; only their SHA-256 is kept):")
        for r, t in tokens.items():
            announce(f"  {r:24s} {t}")
    roles.save(tok_path)
    server = LiveServer(ex, roles, dis_target, dis_exercise=dis_exercise)
    guard = ConnectionGuard.for_this_process()
    app = live_app(server, listen, guard)
    announce(f"live exercise {scenario.name}: http://{host}:{port}/  (Ctrl-C to stop; "
             f"--resume {folder} continues it)")
    userver = uvicorn.Server(uvicorn_config(app, host, port, guard))
    try:  # as uvicorn.run does: Ctrl-C (re-raised by uvicorn once it has shut down) stops it
        userver.run()
    except KeyboardInterrupt:
        pass
    if not userver.started:
        raise SystemExit(3)  # uvicorn logged why (as uvicorn.run exits)
    return ex


def uvicorn_config(app: Any, host: str, port: int, guard: ConnectionGuard) -> Any:
    """uvicorn's configuration for a live exercise: every connection admitted by ``guard``
    (``web.guard.ConnectionGuard``: at most so many open, in total and per client address),
    at most ``BACKLOG`` accepted in one go, and a 503 past the guard's total in requests in
    progress."""
    import uvicorn
    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    return uvicorn.Config(app, host=host, port=port, log_level="warning",
                          http=guarded_protocol(AutoHTTPProtocol, guard), backlog=BACKLOG,
                          limit_concurrency=guard.max_total + 16)
