"""The live server's door: a POST is refused before a byte of its body is read unless it carries
a valid token and declares a body of at most ``MAX_BODY_BYTES`` (issue 20: ``POST /api/command``
read and parsed bodies of any size from clients with no token — 100 MB each, and two such
clients raised a legitimate request's latency from 2 ms to 484 ms)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["PostGuard", "MAX_BODY_BYTES", "bearer_token"]

MAX_BODY_BYTES = 64 * 1024  # assumed: the largest command (a raid with its route) is ~2 KB

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header (None: no such header)."""
    return authorization[7:] if authorization and authorization.startswith("Bearer ") else None


class PostGuard:
    """ASGI middleware: every POST needs a token ``role_of(token)`` knows (401) and a
    ``Content-Length`` of at most ``max_bytes`` (411 without one, 413 above), checked on the
    headers alone; other requests pass untouched."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]],
                 role_of: Callable[[str | None], str | None], max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.role_of = role_of
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if self.role_of(bearer_token(auth)) is None:
            await _refuse(send, 401, "a valid token is needed (Authorization: Bearer TOKEN)")
            return
        length = headers.get(b"content-length", b"").decode("latin-1")
        if not length.isdigit():
            await _refuse(send, 411, "a Content-Length is needed")
            return
        if int(length) > self.max_bytes:
            await _refuse(send, 413, f"a command is at most {self.max_bytes} bytes "
                                     f"(got {int(length)})")
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
