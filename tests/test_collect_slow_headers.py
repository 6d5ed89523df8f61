"""A client that sends its request headers slowly (slowloris) loses its connection with a 408
when the header deadline passes, even while it keeps dribbling bytes; honest clients, on new or
kept-alive connections, are served meanwhile. A real server on loopback, raw sockets."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from collect_helpers import SMALL, Server

pytestmark = pytest.mark.xdist_group("collect")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(SMALL, tmp_path_factory.mktemp("slow") / "r.sqlite",
                     extra=("--header-timeout", "1"))
    yield running
    running.stop()


def _connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.settimeout(10)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
    return b"".join(chunks)


def _response(sock: socket.socket) -> bytes:
    """One response read off a kept-alive connection (headers, then Content-Length bytes)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_headers_that_never_end_get_a_408_and_the_connection_closes(server):
    with _connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")  # no blank line
        answer = _read_all(sock)  # returns once the server has closed the connection
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_bytes_dribbled_in_do_not_push_the_deadline_back(server):
    started = time.monotonic()
    with _connect(server) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\n")
        with pytest.raises((BrokenPipeError, ConnectionResetError, TimeoutError)):
            for _ in range(40):  # 12 s of one header byte every 0.3 s, if nobody stops it
                sock.sendall(b"X")
                time.sleep(0.3)
                sock.setblocking(False)
                try:
                    if sock.recv(4096).startswith(b"HTTP/1.1 408 "):
                        raise TimeoutError("refused with 408")
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
    assert time.monotonic() - started < 10


def test_honest_clients_are_served_beside_slow_ones(server):
    slow = [_connect(server) for _ in range(20)]
    for sock in slow:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    try:
        assert httpx.get(server.url + "/health", timeout=5).status_code == 200
        with _connect(server) as kept:  # one connection kept alive, quiet between requests
            for _ in range(2):
                kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                assert _response(kept).startswith(b"HTTP/1.1 200 ")
                time.sleep(1.5)  # longer than the deadline: a pause, not a slow header
        assert all(_read_all(sock).startswith(b"HTTP/1.1 408 ") for sock in slow)
    finally:
        for sock in slow:
            sock.close()
