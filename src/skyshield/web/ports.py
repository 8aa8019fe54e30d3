"""The port probe the servers run before they start (a taken port fails cleanly, first)."""

from __future__ import annotations

import socket

__all__ = ["probe_tcp_port"]


def probe_tcp_port(host: str, port: int) -> None:
    """Raise OSError if ``host:port`` cannot be listened on. Binds as uvicorn does, with
    ``SO_REUSEADDR``: a port whose last connections are in TIME_WAIT (a server just killed and
    resumed) is free for uvicorn, so it is free for the probe too (issue 20: ``serve --resume``
    right after a crash was refused for 60 s)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
