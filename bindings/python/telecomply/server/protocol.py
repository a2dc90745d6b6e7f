"""uvicorn's HTTP/1.1 protocol (h11) with a deadline on reading a request's head.

uvicorn bounds the size of a request head (h11_max_incomplete_event_size) and the idle time
between requests (timeout_keep_alive), but not the time a client may take to send a head: a
client trickling one header line a minute (slowloris) would hold its connection forever. Here
a connection whose head is not complete `head_timeout` seconds after its first byte (or after
it opened) is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any, Optional, Type

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeadTimeoutH11Protocol(H11Protocol):
    """H11Protocol closing connections whose request head takes over `head_timeout` s."""

    head_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def data_received(self, data: bytes) -> None:
        if self._head_timer is None and self.conn.their_state is h11.IDLE:
            self._start_head_timer()  # the next request of a kept-alive connection
        super().data_received(data)
        if self._head_timer is not None and self.conn.their_state is not h11.IDLE:
            self._head_timer.cancel()  # the head is complete
            self._head_timer = None

    def connection_lost(self, exc: Optional[Exception]) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        super().connection_lost(exc)

    def _start_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_expired)

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def with_head_timeout(seconds: float) -> Type[HeadTimeoutH11Protocol]:
    """The protocol class with its deadline set (uvicorn takes a class)."""
    return type("HeadTimeoutH11Protocol", (HeadTimeoutH11Protocol,), {"head_timeout": seconds})
