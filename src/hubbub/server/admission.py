"""Who may connect: caps on TCP connections, on half-sent requests and on WebSockets.

aiohttp accepts every connection the kernel hands it and waits for a request's headers
as long as the peer likes. A :class:`Doorway` stands between each accepted socket and
aiohttp's protocol (``site.py`` installs it when the listening socket is served):

* past ``max_connections`` open TCP connections a newcomer is answered 503 and closed,
  so the process never runs out of file descriptors and the database can still open its
  files;
* a connection has ``handshake_timeout`` seconds to finish its request's headers, or it
  is answered 408 and closed; one address may have ``handshakes_per_address`` such
  connections at once (a trusted proxy may have any number), more are answered 429.

Empty lines before the request line are not a request: the clock runs on. After the
headers, the Doorway only passes bytes on, so the server closes a plain HTTP connection
once it has answered (``app.py``): a kept-alive connection would let a second
request's headers trickle in unwatched. :meth:`Admission.take_websocket`
caps the chat connections per client address (the real client's, behind a proxy), which
the WebSocket endpoint asks before the upgrade.
"""

from __future__ import annotations

import asyncio
import functools
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import cast

from hubbub.addresses import address_key
from hubbub.server.conn_limits import FD_RESERVE, ConnLimits
from hubbub.server.proxies import TrustedProxies

_address_key = functools.lru_cache(maxsize=4096)(address_key)
""":func:`hubbub.addresses.address_key`, remembered: each connection asks it up to six
times (entering, its headers in, its WebSocket taken and released), and parsing an
address costs several microseconds each time."""


def http_refusal(status: HTTPStatus, sentence: str) -> bytes:
    """A whole HTTP/1.1 response that refuses and closes, for a socket aiohttp never saw."""
    body = f"{sentence}\n".encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Server: hubbub\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


FULL = http_refusal(
    HTTPStatus.SERVICE_UNAVAILABLE,
    "the server has as many connections open as it can take; try again in a minute",
)
TOO_MANY_HANDSHAKES = http_refusal(
    HTTPStatus.TOO_MANY_REQUESTS,
    "too many connections from your address are still sending their request; finish those first",
)


class Admission:
    """The counts behind every connection cap; one per server, on the event loop's thread.

    Each cap counts a client address by :func:`hubbub.addresses.address_key`."""

    def __init__(
        self,
        limits: ConnLimits,
        trusted: TrustedProxies,
        refused: Callable[[str], None] = lambda reason: None,
    ) -> None:
        self.limits = limits
        self.refused = refused
        """Called with the HTTP status (``"503"``, ``"429"``, ``"408"``) of each refusal."""
        self._trusted = trusted
        self._cap = limits.connection_cap()
        self._open = 0
        self._handshaking: Counter[str] = Counter()
        self._websockets: Counter[str] = Counter()

    @property
    def open(self) -> int:
        return self._open

    def enter(self, host: str) -> bytes | None:
        """Count a new TCP connection; None if it may send its request, else its refusal.

        Refused ones are counted too until they are gone: each holds a file descriptor.
        """
        refusal = None
        cap = self.limits.handshakes_per_address
        if self._open >= self._cap:
            refusal = FULL
            self.refused("503")
        elif cap and self._handshaking[_address_key(host)] >= cap and host not in self._trusted:
            refusal = TOO_MANY_HANDSHAKES
            self.refused("429")
        else:
            self._handshaking[_address_key(host)] += 1
        self._open += 1
        return refusal

    def may_linger(self) -> bool:
        """Whether a refused connection may be kept a moment for its answer to be read, or
        the process is so close to its open-file limit that it must go at once."""
        return self._open <= self._cap + FD_RESERVE // 2

    def asked(self, host: str) -> None:
        """The connection's request headers are in."""
        _decrement(self._handshaking, _address_key(host))

    def leave(self, host: str, *, handshaking: bool) -> None:
        self._open -= 1
        if handshaking:
            _decrement(self._handshaking, _address_key(host))

    def take_websocket(self, host: str) -> bool:
        """Count a chat connection from ``host``, unless it already has its share."""
        cap = self.limits.connections_per_address
        if cap and self._websockets[_address_key(host)] >= cap:
            self.refused("429")
            return False
        self._websockets[_address_key(host)] += 1
        return True

    def release_websocket(self, host: str) -> None:
        _decrement(self._websockets, _address_key(host))


def _decrement(counts: Counter[str], key: str) -> None:
    counts[key] -= 1
    if counts[key] <= 0:
        del counts[key]


_HEAD_END = b"\r\n\r\n"
LINGER_SECONDS = 1.0
"""How long a refused connection is read (and ignored) so that closing it does not reset
it before the peer has read the refusal."""


class Doorway(asyncio.Protocol):
    """One accepted socket: admitted or refused, timed until its headers are in, then a
    plain pass-through to aiohttp's protocol (``make_handler``)."""

    __slots__ = (
        "_admission",
        "_handler",
        "_handshaking",
        "_host",
        "_make_handler",
        "_started",
        "_tail",
        "_timer",
        "_transport",
    )

    def __init__(self, admission: Admission, make_handler: Callable[[], asyncio.Protocol]) -> None:
        self._admission = admission
        self._make_handler = make_handler
        self._handler: asyncio.Protocol | None = None
        self._transport: asyncio.Transport | None = None
        self._host = "-"
        self._handshaking = False
        """Admitted, and the request's headers are still coming."""
        self._timer: asyncio.TimerHandle | None = None
        self._started = False
        """A byte of the request line has come (empty lines before it do not count)."""
        self._tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but they are stream ones.
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self._host = str(peer[0]) if isinstance(peer, tuple) else "-"
        refusal = self._admission.enter(self._host)
        if refusal is not None:
            self._refuse(refusal)
            return
        self._handshaking = True
        self._timer = asyncio.get_running_loop().call_later(
            self._admission.limits.handshake_timeout, self._too_slow_to_ask
        )
        self._handler = self._make_handler()
        self._handler.connection_made(transport)

    @property
    def host(self) -> str:
        """The TCP peer's address this socket is counted for (``-`` if it has none)."""
        return self._host

    def data_received(self, data: bytes) -> None:
        if self._handler is None:
            return  # refused: read only so that closing does not reset the connection
        if self._handshaking and self._head_ends(data):
            self._handshaking = False
            self._stop_timer()
            self._admission.asked(self._host)
        self._handler.data_received(data)

    def _head_ends(self, data: bytes) -> bool:
        if not self._started:
            data = data.lstrip(b"\r\n")
            self._started = bool(data)
        seen = self._tail + data
        self._tail = seen[-3:]
        return _HEAD_END in seen

    def _too_slow_to_ask(self) -> None:
        seconds = self._admission.limits.handshake_timeout
        self._admission.refused("408")
        self._refuse(
            http_refusal(
                HTTPStatus.REQUEST_TIMEOUT,
                f"the request's headers did not arrive within {seconds:g} seconds",
            )
        )

    def _refuse(self, response: bytes) -> None:
        """Answer ``response``, end the sending side, and drop the socket a little later.

        Closing at once, with the peer's request still unread, would reset the connection
        and could destroy the answer before the peer reads it.
        """
        assert self._transport is not None, "refused after connection_made"
        transport = self._transport
        if not self._admission.may_linger():
            transport.abort()
            return
        transport.write(response)
        if transport.can_write_eof():
            transport.write_eof()
        self._timer = asyncio.get_running_loop().call_later(LINGER_SECONDS, transport.abort)
        self._handler, handler = None, self._handler
        if handler is not None:
            handler.connection_lost(None)

    def eof_received(self) -> bool | None:
        return self._handler.eof_received() if self._handler is not None else None

    def pause_writing(self) -> None:
        if self._handler is not None:
            self._handler.pause_writing()

    def resume_writing(self) -> None:
        if self._handler is not None:
            self._handler.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        self._admission.leave(self._host, handshaking=self._handshaking)
        if self._handler is not None:
            self._handler.connection_lost(exc)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
