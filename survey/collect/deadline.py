"""A deadline for a request's line and headers: a client that sends them byte by byte
(slowloris) holds a connection of the server's for as long as it likes, and uvicorn has no such
limit of its own (its keep-alive timeout only covers a silent connection). The body has its own
limit in `survey.collect.intake`.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
                    b"Connection: close\r\nContent-Length: 38\r\n\r\n"
                    b"the request headers did not arrive :(\n")


def header_deadline(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing with a 408 a connection whose request line and headers
    are not complete `seconds` after it opened, or after the first byte of a later request on it
    (between requests, uvicorn's keep-alive timeout closes a silent connection)."""

    class HeaderDeadline(H11Protocol):
        deadline: asyncio.TimerHandle | None = None
        started = False  # the first request's deadline runs from the connection's opening

        def arm(self) -> None:
            self.disarm()
            self.deadline = self.loop.call_later(seconds, self.too_slow)

        def disarm(self) -> None:
            if self.deadline is not None:
                self.deadline.cancel()
                self.deadline = None

        def too_slow(self) -> None:
            self.deadline = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.write(TIMEOUT_RESPONSE)
                self.transport.close()

        def connection_made(self, transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self.disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self.deadline is None and self.conn.their_state is h11.IDLE and self.started:
                self.arm()  # a later request on this connection begins: its own deadline
            self.started = True
            super().data_received(data)

        def handle_events(self) -> None:
            super().handle_events()
            if self.conn.their_state is not h11.IDLE:
                self.disarm()  # the headers are in: the body's own limit applies now

    return HeaderDeadline
