"""The running server: one hub, one store, the open connections, and the clock.

Everything here runs on the event loop's thread. Frames arrive from the WebSocket
endpoint, become typed requests, and go to the request handlers; whatever the hub
answers is written to each recipient's :class:`Outbound`, encoded once.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any

from aiohttp import WSCloseCode, web

from hubbub.hub import ConnId, Hub, Outbox
from hubbub.protocol import (
    LOBBY,
    ClientRequest,
    Error,
    ErrorCode,
    Ok,
    Refusal,
    SignIn,
    decode_request,
    encode,
    request_id_of,
)
from hubbub.server.config import Config
from hubbub.server.outbound import Outbound
from hubbub.server.requests import handle
from hubbub.store import Store, StoreError

log = logging.getLogger("hubbub")


class ChatServer:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.hub = Hub(grace=config.grace, request_ttl=config.request_ttl)
        self._outbound: dict[ConnId, Outbound] = {}
        self._peers: dict[ConnId, str] = {}
        self._in_flight: dict[ConnId, asyncio.Semaphore] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._ticker: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Pick up where the lobby is, and start the clock."""
        latest = await self.store.history(LOBBY, limit=1)
        self.hub.lobby_head = latest[-1].seq if latest else 0
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def shutdown(self) -> None:
        """Close every connection with "going away", then let handlers in flight finish."""
        if self._ticker is not None:
            self._ticker.cancel()
        await asyncio.gather(
            *(
                out.close(WSCloseCode.GOING_AWAY, "server shutting down")
                for out in self._outbound.values()
            ),
            return_exceptions=True,
        )
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5.0)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            self.send(self.hub.tick(time.monotonic()))

    # ------------------------------------------------------------------ connections

    def open_connection(
        self, ws: web.WebSocketResponse, transport: asyncio.Transport, peer: str
    ) -> ConnId:
        conn = next(self._ids)
        self._outbound[conn] = Outbound(ws, transport, self.config.send_buffer)
        self._peers[conn] = peer
        self._in_flight[conn] = asyncio.Semaphore(self.config.max_in_flight)
        self.hub.connect(conn, peer, time.time())
        self.log(conn, "connect")
        return conn

    def close_connection(self, conn: ConnId, *, clean: bool) -> None:
        self.log(
            conn,
            "disconnect" if clean else "dropped",
            "" if clean else f"grace={self.config.grace}s",
        )
        outbound = self._outbound.pop(conn)
        outbound.stop()
        self.send(self.hub.disconnect(conn, clean=clean, now=time.monotonic()))
        del self._peers[conn]
        del self._in_flight[conn]

    def outbound(self, conn: ConnId) -> Outbound:
        return self._outbound[conn]

    def send(self, outbox: Outbox) -> None:
        """Write each delivery's one encoding to every recipient still connected."""
        outbound = self._outbound
        for delivery in outbox:
            for conn in delivery.conns:
                target = outbound.get(conn)
                if target is not None:
                    target.push(delivery.data, delivery.mark)

    def reply(self, conn: ConnId, frame: Ok | Error) -> None:
        target = self._outbound.get(conn)
        if target is not None:
            target.push_now(encode(frame))

    # ------------------------------------------------------------------ requests

    async def on_frame(self, conn: ConnId, data: bytes | str) -> None:
        """Handle one frame. Sign-in runs to completion first; other requests run concurrently."""
        try:
            request = decode_request(data)
        except Refusal as refusal:
            self.log(conn, "bad_frame", refusal.code)
            self.reply(
                conn, Error(id=request_id_of(data), code=refusal.code, message=refusal.message)
            )
            return
        if isinstance(request, SignIn):
            await self._answer(conn, request)
            return
        slots = self._in_flight[conn]
        await slots.acquire()
        task = asyncio.get_running_loop().create_task(self._answer(conn, request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _: slots.release())

    async def _answer(self, conn: ConnId, request: ClientRequest) -> None:
        try:
            answer = await handle(self, conn, request)
        except Refusal as refusal:
            self.log(conn, "refused", f"{type(request).__name__} {refusal.code}")
            answer = Error(id=request.id, code=refusal.code, message=refusal.message)
        except StoreError:
            log.exception("conn=%s store failure on %s", conn, type(request).__name__)
            answer = Error(
                id=request.id,
                code=ErrorCode.INTERNAL_ERROR,
                message="the server could not store that; nothing was saved, try again",
            )
        if answer is not None:
            self.reply(conn, answer)

    # ------------------------------------------------------------------ observability

    def log(self, conn: ConnId, event: str, detail: str = "") -> None:
        user = self.hub.user_of(conn)
        name = user.name if user is not None else "-"
        log.info(
            "conn=%s peer=%s name=%s %s %s", conn, self._peers.get(conn, "-"), name, event, detail
        )

    def status(self) -> dict[str, Any]:
        """Who is connected, for ``GET /status`` and ``hubbub status``."""
        connections = [
            {
                "conn": link.conn,
                "peer": link.peer,
                "name": link.user.name if link.user is not None else None,
                "status": link.user.status if link.user is not None else None,
                "connected_at": link.connected_at,
            }
            for link in self.hub.links()
        ]
        users = [{"name": u.name, "status": u.status} for u in self.hub.users()]
        return {"connections": connections, "users": users, "commits": self.store.commits}
