"""A request-read deadline for uvicorn, which has none: a client that opens a connection (or starts a new request
on a kept-alive one) and has not sent its whole request (headers and body) within the deadline is disconnected. Without it, slow-header
clients (slowloris) hold connections for as long as they like."""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


def header_deadline_protocol(seconds: float) -> type[H11Protocol]:
    class HeaderDeadline(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            super().connection_lost(exc)

        def _arm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(seconds, self._expire)

        def _expire(self) -> None:
            """The request (headers, and a body: ours are a few KB at most) is still incomplete: close. An idle
            kept-alive connection is closed by uvicorn's keep-alive timeout before this fires."""
            if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadline
