"""The WebSocket after the handshake: hubbub's own, not aiohttp's.

aiohttp routes ``GET /ws`` and parses its request; :func:`accept_key` checks that it is a
WebSocket handshake hubbub can take (RFC 6455 section 4.2.1). Then :func:`take_over` writes
the ``101`` itself and moves the socket from aiohttp's protocol to a :class:`WebSocket`:
aiohttp's request, response, reader, writer and handler task all end with the handshake.
An idle connection then costs this object, its :class:`~hubbub.server.frames.FrameReader`,
its :class:`~hubbub.server.outbound.Outbound` and the server's entry, with no task and no
coroutine frames: a few KiB instead of about 18 (docs/performance.md).

No task runs per connection: :meth:`WebSocket.data_received` feeds the frame reader and
hands each complete frame to the server synchronously; when the connection already has as
many requests in flight as it may, the server does not take the next one, and reading pauses
until one is answered.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from hubbub.hub import ConnId
from hubbub.protocol import Error, ErrorCode
from hubbub.server.admission import Admission, Doorway
from hubbub.server.frames import Binary, Close, FrameReader, Ping, Pong, Text
from hubbub.server.memory import share_addresses
from hubbub.server.outbound import Outbound
from hubbub.server.server import ChatServer

ABUSIVE_FRAME_BYTES = 1024 * 1024
"""Messages above MAX_FRAME_BYTES get an error; above this they close the connection (1009)."""
VERSION = "13"
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_NOT_A_WEBSOCKET = (
    "this address takes WebSocket connections only (the chat protocol, docs/protocol.md); "
    "the chat page is at /"
)
_BINARY_REFUSED = Error(id=None, code=ErrorCode.BAD_FRAME, message="send JSON in text frames")


def accept_key(request: web.Request) -> str:
    """The ``Sec-WebSocket-Accept`` for this handshake; a 400 or 426 saying what is wrong."""
    headers = request.headers
    upgrade = {token.strip().lower() for token in headers.get("Upgrade", "").split(",")}
    connection = {token.strip().lower() for token in headers.get("Connection", "").split(",")}
    if request.method != "GET" or "websocket" not in upgrade or "upgrade" not in connection:
        raise web.HTTPBadRequest(text=_NOT_A_WEBSOCKET)
    if headers.get("Sec-WebSocket-Version", "").strip() != VERSION:
        raise web.HTTPUpgradeRequired(
            headers={"Sec-WebSocket-Version": VERSION},
            text=f"this server speaks WebSocket version {VERSION} only "
            "(send Sec-WebSocket-Version: 13)",
        )
    key = headers.get("Sec-WebSocket-Key", "").strip()
    try:
        valid = len(base64.b64decode(key, validate=True)) == 16
    except binascii.Error:
        valid = False
    if not valid:
        raise web.HTTPBadRequest(
            text="Sec-WebSocket-Key must be 16 random bytes in base64 (RFC 6455 section 4.1)"
        )
    return base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()


class HandedOver(web.StreamResponse):
    """What the endpoint returns once the socket is hubbub's: aiohttp writes nothing more."""

    def __init__(self) -> None:
        super().__init__(status=101)

    async def prepare(self, request: web.BaseRequest) -> None:
        return None

    async def write_eof(self, data: bytes = b"") -> None:
        return None


def take_over(
    request: web.Request,
    server: ChatServer,
    admission: Admission,
    accept: str,
    peer: str,
    host: str,
) -> HandedOver:
    """Answer ``101`` and move the socket to a :class:`WebSocket`; the WebSocket counted
    for ``host`` (``peer``'s address) in ``admission`` is released when the socket closes.

    aiohttp's protocol keeps whatever the peer sent after the headers (its "message
    tail"); it becomes the frame reader's first bytes. The protocol is then told the
    connection is not kept alive, its server forgets it, and it loses the transport, so
    when the handler returns aiohttp neither writes to the socket nor closes it.
    """
    handler = request.protocol
    transport = request.transport
    if not isinstance(handler, RequestHandler) or transport is None or transport.is_closing():
        raise ConnectionResetError("the peer left during the handshake")
    transport.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nServer: hubbub\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    tail, handler._message_tail = handler._message_tail, b""
    handler.keep_alive(False)
    if handler._manager is not None:
        handler._manager.connection_lost(handler, None)
    handler.transport = None
    # Behind site.py's Doorway the socket was counted open for its TCP peer; this protocol
    # replaces the Doorway, so it settles that count when the socket closes.
    door = transport.get_protocol()
    tcp_host = door.host if isinstance(door, Doorway) else None
    share_addresses(transport)
    socket = WebSocket(server, transport, admission, peer, host, tcp_host)
    transport.set_protocol(socket)
    if not transport.is_reading():
        transport.resume_reading()
    if tail:
        socket.data_received(tail)
    return HandedOver()


class WebSocket(asyncio.Protocol):
    """One chat connection's socket after the handshake (see the module's docstring)."""

    __slots__ = (
        "_admission",
        "_clean",
        "_conn",
        "_host",
        "_outbound",
        "_reader",
        "_server",
        "_tcp_host",
        "_transport",
        "_waiting",
    )

    def __init__(
        self,
        server: ChatServer,
        transport: asyncio.Transport,
        admission: Admission,
        peer: str,
        host: str,
        tcp_host: str | None,
    ) -> None:
        self._server = server
        self._transport = transport
        self._admission = admission
        self._host = host
        """What ``admission`` counted this WebSocket for."""
        self._tcp_host = tcp_host
        """What the Doorway counted the socket for, if it came through one."""
        self._reader = FrameReader(ABUSIVE_FRAME_BYTES)
        self._waiting: str | None = None
        """A text message the server could not take yet (it had enough in flight): while
        there is one, reading is paused."""
        self._clean = False
        """The peer closed first, with a close frame."""
        self._conn: ConnId
        self._outbound: Outbound
        self._conn, self._outbound = server.open_connection(transport, peer, self)

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        if self._waiting is None:
            self._read()

    def resume(self) -> None:
        if not self._transport.is_closing() and self._read():
            self._transport.resume_reading()

    def _read(self) -> bool:
        """Hand over every complete frame; False once the server cannot take one (the
        connection has enough requests in flight): reading pauses until :meth:`resume`."""
        if self._waiting is not None and not self._take(self._waiting):
            return False
        server, conn = self._server, self._conn
        while (event := self._reader.next_event()) is not None:
            if isinstance(event, Text):
                if not self._take(event.data):
                    return False
            elif isinstance(event, Pong):
                server.heartbeat.pong(conn)
            elif isinstance(event, Ping):
                self._outbound.pong(event.payload)
            elif isinstance(event, Binary):
                server.reply(conn, _BINARY_REFUSED)
            elif isinstance(event, Close):
                self._clean = not self._outbound.closing
                self._outbound.answer_close(event.code)
                return True
            else:
                self._outbound.peer_failed()
                server.end(conn, event.code, event.reason)
                return True
        return True

    def _take(self, text: str) -> bool:
        if self._server.on_frame(self._conn, text):
            self._waiting = None
            return True
        self._waiting = text
        self._transport.pause_reading()
        return False

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._outbound.ended()
        self._admission.release_websocket(self._host)
        if self._tcp_host is not None:
            self._admission.leave(self._tcp_host, handshaking=False)
        self._server.spawn(self._server.close_connection(self._conn, clean=self._clean))
