"""The live server's door.

* :class:`PostGuard`: a POST is refused before a byte of its body is read unless it carries a
  valid token and declares a body of at most ``MAX_BODY_BYTES`` (issue 20: ``POST /api/command``
  read and parsed bodies of any size from clients with no token — 100 MB each, and two such
  clients raised a legitimate request's latency from 2 ms to 484 ms).
* :class:`ConnectionGuard` (through :func:`guarded_protocol`, the protocol uvicorn serves
  with): at most ``max_total`` connections open and ``max_per_address`` from one client
  address. A connection past either is admitted only if the oldest *silent* one (it has not
  sent a byte) in its way is closed for it, else it is closed at once; a connection silent for
  ``SILENT_S`` is closed. A flood of idle connections therefore holds at most the caps'
  worth of file descriptors, and a client that speaks still gets in (issue 20: 300 idle
  connections from a client without a token under ``ulimit -n 256`` exhausted the server's
  file descriptors: its journal could not be written, it stopped answering). The total is
  capped below the process's file-descriptor limit less a reserve
  (:meth:`ConnectionGuard.for_this_process`), and at most ``BACKLOG`` connections are accepted
  in one go, so that the caps hold before a burst can exhaust the descriptors.
* :class:`AcceptErrorLog`: the event loop's exception handler that logs a failed ``accept()``
  (no descriptor left) once, then at most once a minute with the count since — not once per
  attempt with its traceback (issue 20: 286,718 tracebacks, 109 MB of log in 40 s).
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ACCEPT_LOG_EVERY_S", "BACKLOG", "FD_RESERVE", "MAX_BODY_BYTES", "MAX_CONNECTIONS",
           "MAX_CONNECTIONS_PER_ADDRESS", "SILENT_S", "AcceptErrorLog", "ConnectionGuard",
           "PostGuard", "bearer_token", "guarded_protocol"]

log = logging.getLogger(__name__)

# assumed: an exercise is a few dozen browsers (each a websocket and up to 6 HTTP connections)
# and REST clients; a training room behind one NAT or proxy is one address
MAX_CONNECTIONS = 256
MAX_CONNECTIONS_PER_ADDRESS = 64
SILENT_S = 10.0  # a connection that has not sent a byte this long is closed
BACKLOG = 64  # connections accepted in one go (and the listen queue)
# file descriptors kept for everything but the connections: the journal (kept open), the
# server's own sockets, the log, the run folder written at the end; and one BACKLOG of
# connections accepted before the guard sees them
FD_RESERVE = 64 + BACKLOG
ACCEPT_LOG_EVERY_S = 60.0

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


@dataclass
class _Conn:
    address: str
    opened: float
    spoke: bool = False


class ConnectionGuard:
    """Caps on open connections, in total and per client address (module docstring). The
    protocol of :func:`guarded_protocol` asks :meth:`admit` for every new connection and tells
    :meth:`spoke` of its bytes; connections that have closed (a websocket's included, whose
    protocol is another) are forgotten when the next one arrives."""

    def __init__(self, max_total: int = MAX_CONNECTIONS,
                 max_per_address: int = MAX_CONNECTIONS_PER_ADDRESS, silent_s: float = SILENT_S,
                 clock: Callable[[], float] = time.monotonic):
        if max_total < 1 or max_per_address < 1:
            raise ValueError(f"connection caps: at least 1 (got {max_total}, {max_per_address})")
        self.max_total = max_total
        self.max_per_address = max_per_address
        self.silent_s = silent_s
        self.clock = clock
        self.open: dict[Any, _Conn] = {}  # transport -> its connection
        self.counts = {"admitted": 0, "refused": 0, "evicted": 0, "silent_closed": 0}

    @classmethod
    def for_this_process(cls) -> ConnectionGuard:
        """The default caps, the total lowered to fit the process's file-descriptor limit
        less ``FD_RESERVE`` (at least 8 connections)."""
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        total = MAX_CONNECTIONS if soft == resource.RLIM_INFINITY else \
            max(8, min(MAX_CONNECTIONS, soft - FD_RESERVE))
        return cls(total, min(MAX_CONNECTIONS_PER_ADDRESS, total))

    def stats(self) -> dict[str, int]:
        self._prune()
        return {**self.counts, "open": len(self.open)}

    def _prune(self) -> None:
        for tr in [tr for tr in self.open if tr.is_closing()]:
            del self.open[tr]

    def admit(self, transport: Any) -> bool:
        """Whether a new connection may stay open (module docstring); a silent one may be
        closed to make room for it."""
        self._prune()
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple | list) and peer else str(peer)
        now = self.clock()
        mine = [tr for tr, c in self.open.items() if c.address == address]
        for crowd, cap in ((mine, self.max_per_address), (list(self.open), self.max_total)):
            if len(crowd) >= cap:
                silent = [tr for tr in crowd if not self.open[tr].spoke]
                if not silent:
                    self.counts["refused"] += 1
                    return False
                oldest = min(silent, key=lambda tr: self.open[tr].opened)
                oldest.abort()
                del self.open[oldest]
                self.counts["evicted"] += 1
                if oldest in mine:
                    mine.remove(oldest)
        self.open[transport] = _Conn(address, now)
        self.counts["admitted"] += 1
        if self.silent_s > 0:
            asyncio.get_running_loop().call_later(self.silent_s, self._silent, transport)
        return True

    def spoke(self, transport: Any) -> None:
        c = self.open.get(transport)
        if c is not None:
            c.spoke = True

    def closed(self, transport: Any) -> None:
        self.open.pop(transport, None)

    def _silent(self, transport: Any) -> None:
        c = self.open.get(transport)
        if c is not None and not c.spoke and not transport.is_closing():
            transport.abort()
            del self.open[transport]
            self.counts["silent_closed"] += 1


def guarded_protocol(base: type[asyncio.Protocol], guard: ConnectionGuard
                     ) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol ``base`` with every connection admitted by ``guard``: one it
    refuses is closed before the protocol sees it."""

    class Guarded(base):  # type: ignore[valid-type, misc]
        _refused = False

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            if not guard.admit(transport):
                self._refused = True
                transport.abort()  # type: ignore[attr-defined]
                return
            self._guarded_transport = transport
            super().connection_made(transport)

        def data_received(self, data: bytes) -> None:
            guard.spoke(self._guarded_transport)
            super().data_received(data)

        def connection_lost(self, exc: Exception | None) -> None:
            if self._refused:
                return
            guard.closed(self._guarded_transport)
            super().connection_lost(exc)

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{base.__name__}"
    return Guarded


class AcceptErrorLog:
    """The event loop's exception handler (module docstring): a failed ``accept()`` for want
    of a resource (no file descriptor left) is logged as one line the first time and then at
    most once every ``every_s`` with the count since; anything else goes to ``previous`` (the
    loop's handler before, or its default)."""

    def __init__(self, previous: Callable[[Any, dict[str, Any]], object] | None = None,
                 every_s: float = ACCEPT_LOG_EVERY_S, clock: Callable[[], float] = time.monotonic):
        self.previous = previous
        self.every_s = every_s
        self.clock = clock
        self.failed = 0  # failed accepts since the last line logged
        self.total = 0
        self._last: float | None = None

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not str(context.get("message", "")).startswith("socket.accept() out of system"):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        self.failed += 1
        self.total += 1
        now = self.clock()
        if self._last is not None and now - self._last < self.every_s:
            return
        exc = context.get("exception")
        log.error("cannot accept connections: %s (no file descriptor left; %d failed "
                  "accept%s%s); logged at most once every %.0f s", exc, self.failed,
                  "" if self.failed == 1 else "s",
                  "" if self._last is None else f" in {now - self._last:.0f} s", self.every_s)
        self._last, self.failed = now, 0
