"""The websocket clients of a live exercise and their backlog.

Every client has a queue that a pump (:func:`pump`) empties onto its websocket. A client that
does not keep up has frames dropped (counted: ``frames_dropped``), never queued without bound:
a frame is a snapshot, and the next one replaces it. Its events (and errors) are never dropped
— it would miss them for good — and one more than ``CLIENT_BACKLOG`` messages behind is
disconnected instead (counted: ``clients_overflowed``), to reconnect for a fresh picture, so
memory stays bounded. A peer whose send blocks ``SEND_TIMEOUT_S`` is cut off the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

__all__ = ["CLIENT_BACKLOG", "CLIENT_QUEUE", "SEND_TIMEOUT_S", "Client", "pump", "put"]

CLIENT_QUEUE = 8  # messages a slow websocket may have waiting before new frames are dropped
# events and other messages are never dropped (a client would miss them for good): past this
# backlog a client that does not keep up is disconnected instead (it reconnects for a fresh
# picture), so memory stays bounded
CLIENT_BACKLOG = 2000
SEND_TIMEOUT_S = 10.0  # a websocket whose send blocks this long (a stalled peer) is cut off


@dataclass(eq=False)  # clients are kept in a set by identity
class Client:
    queue: asyncio.Queue[str]  # unbounded: :func:`put` bounds it
    role: str
    sent: int = 0
    dropped: int = 0
    overflowed: bool = False  # past CLIENT_BACKLOG: the pump closes its websocket


def put(c: Client, text: str, stats: dict[str, int], frame: bool = False) -> None:
    """``text`` onto the client's queue. A frame (a snapshot: the next one replaces it) is
    dropped, counted, when ``CLIENT_QUEUE`` messages are waiting; anything else (events,
    errors) is queued up to ``CLIENT_BACKLOG``, past which the client is marked to be
    disconnected rather than silently miss it."""
    if c.overflowed:
        return  # its pump is closing the socket: nothing more is queued for it
    n = c.queue.qsize()
    if frame and n >= CLIENT_QUEUE:
        c.dropped += 1
        stats["frames_dropped"] += 1
    elif n >= CLIENT_BACKLOG:
        if not c.overflowed:
            c.overflowed = True
            stats["clients_overflowed"] += 1
        c.queue.put_nowait("")  # wakes the pump, which closes the socket
    else:
        c.queue.put_nowait(text)


async def pump(websocket: Any, client: Client, stats: dict[str, int]) -> None:
    """Send the client's queue to its websocket until it is too far behind (or stalled): then
    close the socket (code 1013, "reconnect") and return."""
    while True:
        text = await client.queue.get()
        if not client.overflowed:
            try:
                await asyncio.wait_for(websocket.send_text(text), SEND_TIMEOUT_S)
            except TimeoutError:  # a stalled peer
                client.overflowed = True
                stats["clients_overflowed"] += 1
        if client.overflowed:  # too far behind: reconnecting gives a fresh picture
            with contextlib.suppress(Exception):
                await asyncio.wait_for(websocket.close(
                    code=1013, reason="too slow: reconnect"), SEND_TIMEOUT_S)
            return
        client.sent += 1
        stats["frames_sent"] += 1
