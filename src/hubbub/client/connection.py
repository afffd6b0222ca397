"""One WebSocket to the server: requests out, replies matched to them by id, the rest handed on."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import msgspec
from aiohttp import WSMsgType

from hubbub import protocol
from hubbub.client.errors import ConnectionLost, RequestFailed

logger = logging.getLogger("hubbub.client")

MAX_INCOMING_FRAME = 8 * 1024 * 1024
"""The largest frame the client accepts; the server's largest, a full history page (200
messages of 4,000 characters, worst-case JSON escaping), is under 5 MiB."""

InboundEvent: TypeAlias = protocol.ServerEvent | protocol.Ok | protocol.Error
"""A frame that answers no request in flight: an event, or a reply nobody waits for."""

ReplyT = TypeVar("ReplyT", bound=protocol.Ok)

_frame_decoder = msgspec.json.Decoder(protocol.ServerFrame)
_ENDINGS = frozenset({WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR})


def websocket_url(url: str) -> str:
    """The WebSocket address for a server address: ``http(s)://host[/prefix]`` gains ``/ws``."""
    parts = urlsplit(url)
    if parts.scheme in ("ws", "wss"):
        return url
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"expected an http(s):// or ws(s):// address, got {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/ws"):
        path += "/ws"
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, path, parts.query, ""))


async def connect(
    http: aiohttp.ClientSession,
    url: str,
    *,
    heartbeat: float | None,
    on_event: Callable[[InboundEvent], None],
    on_closed: Callable[[Connection], None],
) -> Connection:
    """Open a WebSocket to ``url`` (a ``ws(s)://`` address).

    Raises :class:`ConnectionLost` if the server cannot be reached or refuses the upgrade.
    """
    try:
        ws = await http.ws_connect(url, heartbeat=heartbeat, max_msg_size=MAX_INCOMING_FRAME)
    except (aiohttp.ClientError, OSError) as exc:
        raise ConnectionLost(f"could not connect to {url}: {exc}") from exc
    return Connection(ws, on_event=on_event, on_closed=on_closed)


@dataclass(slots=True)
class _Pending:
    reply: type[protocol.Ok]
    future: asyncio.Future[protocol.Ok]


class Connection:
    """A WebSocket carrying requests and their replies, plus the server's events.

    One reader task per connection. Each reply goes to the request with its ``id``;
    everything else goes to ``on_event`` (which the owner may replace) in arrival order.
    When the socket closes, every request still waiting fails with :class:`ConnectionLost`,
    then ``on_closed`` is called once.
    """

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        *,
        on_event: Callable[[InboundEvent], None],
        on_closed: Callable[[Connection], None],
    ) -> None:
        self.on_event = on_event
        self._ws = ws
        self._on_closed = on_closed
        self._pending: dict[protocol.RequestId, _Pending] = {}
        self._lost = False
        self._reader = asyncio.create_task(self._read())

    @property
    def lost(self) -> bool:
        """True once the socket is closed and no more frames will be read."""
        return self._lost

    @property
    def close_code(self) -> int | None:
        return self._ws.close_code

    async def request(self, request: protocol.Request, reply: type[ReplyT]) -> ReplyT:
        """Send ``request`` and return the server's ``ok``, decoded as ``reply``.

        Raises :class:`RequestFailed` for an ``error`` reply, :class:`ConnectionLost` if the
        socket closes first, and ``msgspec.ValidationError`` if the reply breaks the protocol.
        """
        if self._lost:
            raise ConnectionLost("the connection is closed")
        future: asyncio.Future[protocol.Ok] = asyncio.get_running_loop().create_future()
        self._pending[request.id] = _Pending(reply, future)
        try:
            await self._send(protocol.encode(request), WSMsgType.TEXT)
            return cast(ReplyT, await future)
        finally:
            self._pending.pop(request.id, None)
            if future.done() and not future.cancelled():
                future.exception()  # a failure that nobody awaited is not worth a warning

    async def send_raw(self, data: str | bytes, *, binary: bool = False) -> None:
        """Write one frame exactly as given."""
        payload = data.encode() if isinstance(data, str) else data
        await self._send(payload, WSMsgType.BINARY if binary else WSMsgType.TEXT)

    async def close(self) -> None:
        """Close with code 1000 (normal) and wait until the reader has finished."""
        await self._ws.close(code=aiohttp.WSCloseCode.OK)
        await asyncio.wait({self._reader})

    async def _send(self, data: bytes, kind: WSMsgType) -> None:
        try:
            await self._ws.send_frame(data, kind)
        except ConnectionError as exc:
            raise ConnectionLost("the connection closed before the frame was sent") from exc

    async def _read(self) -> None:
        try:
            while True:
                message = await self._ws.receive()
                if message.type is WSMsgType.TEXT:
                    self._dispatch(message.data)
                elif message.type in _ENDINGS:
                    return
                else:
                    logger.warning("ignored a %s frame from the server", message.type.name)
        finally:
            self._lost = True
            for pending in self._pending.values():
                if not pending.future.done():
                    pending.future.set_exception(
                        ConnectionLost(f"the connection closed (code {self.close_code})")
                    )
            self._on_closed(self)

    def _dispatch(self, data: str) -> None:
        try:
            frame = _frame_decoder.decode(data)
        except msgspec.DecodeError as exc:
            self._unreadable(data, exc)
            return
        if isinstance(frame, protocol.Ok | protocol.Error) and frame.id is not None:
            pending = self._pending.pop(frame.id, None)
            if pending is not None:
                if not pending.future.done():
                    _answer(pending, frame, data)
                return
        self.on_event(frame)

    def _unreadable(self, data: str, exc: msgspec.DecodeError) -> None:
        request_id = protocol.request_id_of(data)
        pending = None if request_id is None else self._pending.pop(request_id, None)
        if pending is not None and not pending.future.done():
            pending.future.set_exception(exc)
        else:
            logger.warning("ignored a frame from the server that breaks the protocol: %s", exc)


def _answer(pending: _Pending, frame: protocol.Ok | protocol.Error, data: str) -> None:
    if isinstance(frame, protocol.Error):
        pending.future.set_exception(RequestFailed(frame.code, frame.message, frame.retry_after))
        return
    try:
        pending.future.set_result(_reply_decoder(pending.reply).decode(data))
    except msgspec.ValidationError as exc:
        pending.future.set_exception(exc)


@functools.cache
def _reply_decoder(reply: type[protocol.Ok]) -> msgspec.json.Decoder[protocol.Ok]:
    return msgspec.json.Decoder(reply)
