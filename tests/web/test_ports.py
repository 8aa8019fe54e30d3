"""The servers' port probe (issue 20): a port left in TIME_WAIT by a server that was just killed
is free for uvicorn (which binds with SO_REUSEADDR), so the probe must find it free too; a port
someone listens on is still refused."""

import socket

import pytest

from skyshield.web.ports import probe_tcp_port


def _time_wait_port() -> int:
    """A port whose server side closed a connection first (TIME_WAIT), then stopped listening:
    what a killed server leaves behind."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    cli = socket.create_connection(("127.0.0.1", port))
    conn, _ = srv.accept()
    conn.close()  # the server closes first: its end goes to TIME_WAIT
    cli.recv(1)
    cli.close()
    srv.close()
    return port


def test_a_port_in_time_wait_is_free_and_a_listening_one_is_not():
    port = _time_wait_port()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # the old probe (no SO_REUSEADDR) was refused here
    probe_tcp_port("127.0.0.1", port)  # the new one agrees with uvicorn
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            probe_tcp_port("127.0.0.1", taken.getsockname()[1])
