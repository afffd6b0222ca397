"""The running server: one hub, one store, the open connections, and the clock.

Everything here runs on the event loop's thread. Frames arrive from the WebSocket
endpoint, become typed requests, and go to the request handlers; whatever the hub
answers is encoded and framed once, and queued on each recipient's :class:`Outbound`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
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
from hubbub.server.outbound import CLOSE_SECONDS, Flusher, Outbound, text_frame
from hubbub.server.replay import as_event
from hubbub.server.requests import handle
from hubbub.server.unread import Unproven, UnreadLog
from hubbub.store import Store, StoredMessage

log = logging.getLogger("hubbub")


@dataclass(eq=False, slots=True)
class Wire:
    """What the server keeps for one open WebSocket."""

    outbound: Outbound
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    """Its requests in flight; reading pauses while there are ``max_in_flight``."""
    unread: UnreadLog = field(default_factory=UnreadLog)


class ChatServer:
    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.hub = Hub(grace=config.grace, request_ttl=config.request_ttl)
        self._wires: dict[ConnId, Wire] = {}
        self._unsettled: set[ConnId] = set()
        self._chores: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._ticker: asyncio.Task[None] | None = None
        self._flusher: Flusher | None = None

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Pick up where the lobby is, and start the clock."""
        latest = await self.store.history(LOBBY, limit=1)
        self.hub.lobby_head = latest[-1].seq if latest else 0
        self._flusher = Flusher()
        self._ticker = asyncio.get_running_loop().create_task(self._tick_forever())

    async def shutdown(self) -> None:
        """Close every connection with "going away", then let work in flight finish."""
        if self._ticker is not None:
            self._ticker.cancel()
        await asyncio.gather(
            *(
                wire.outbound.close(WSCloseCode.GOING_AWAY, "server shutting down")
                for wire in self._wires.values()
            ),
            return_exceptions=True,
        )
        pending = self._chores.union(*(wire.tasks for wire in self._wires.values()))
        if pending:
            await asyncio.wait(pending, timeout=5.0)

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(0.5)
            now = time.monotonic()
            self.send(self.hub.tick(now))
            for conn in list(self._unsettled):
                wire = self._wires.get(conn)
                if wire is None or not wire.unread.settle(now):
                    self._unsettled.discard(conn)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    # ------------------------------------------------------------------ connections

    def open_connection(
        self, ws: web.WebSocketResponse, transport: asyncio.Transport, peer: str
    ) -> ConnId:
        conn = next(self._ids)
        assert self._flusher is not None, "connections open after start()"
        outbound = Outbound(ws, transport, self._flusher, self.config.send_buffer)
        self._wires[conn] = Wire(outbound)
        self.hub.connect(conn, peer, time.time())
        self.log(conn, "connect")
        return conn

    async def close_connection(self, conn: ConnId, *, clean: bool) -> None:
        """The socket is closed: finish the requests it sent, then end or park its session."""
        wire = self._wires[conn]
        if wire.tasks:
            await asyncio.wait(wire.tasks, timeout=CLOSE_SECONDS)
        self.log(
            conn,
            "disconnect" if clean else "dropped",
            "" if clean else f"grace={self.config.grace}s",
        )
        del self._wires[conn]
        self._unsettled.discard(conn)
        wire.outbound.stop()
        self.send(self.hub.disconnect(conn, clean=clean, now=time.monotonic()))
        if not clean and wire.unread.settle(time.monotonic()):
            self._spawn(self._hold_again(wire.unread.unproven()))

    def outbound(self, conn: ConnId) -> Outbound:
        return self._wires[conn].outbound

    def send(self, outbox: Outbox) -> None:
        """Queue each delivery's one frame for every recipient still connected."""
        wires = self._wires
        for delivery in outbox:
            frame, mark, lazy = text_frame(delivery.data), delivery.mark, delivery.lazy
            for conn in delivery.conns:
                wire = wires.get(conn)
                if wire is not None:
                    wire.outbound.push(frame, mark, lazy)

    def reply(self, conn: ConnId, frame: Ok | Error) -> None:
        wire = self._wires.get(conn)
        if wire is not None:
            wire.outbound.push_now(text_frame(encode(frame)))

    # ------------------------------------------------------------------ direct messages

    def written_unproven(self, conns: Iterable[ConnId], message: StoredMessage) -> None:
        """Note a direct message written to ``conns``, until they prove they read it."""
        proven_at = time.monotonic() + 2 * self.config.heartbeat
        for conn in conns:
            wire, user = self._wires.get(conn), self.hub.user_of(conn)
            if wire is not None and user is not None:
                unproven = Unproven(user.account_id, message.conversation, message.seq)
                wire.unread.add(unproven, proven_at)
                self._unsettled.add(conn)

    async def _hold_again(self, messages: list[Unproven]) -> None:
        for message in messages:
            await self.store.hold(message.account_id, message.conversation, message.seq)
        for account_id in dict.fromkeys(m.account_id for m in messages):
            await self.deliver_held(account_id)

    async def deliver_held(self, account_id: int) -> None:
        """Send the account's held messages to its open connections, if it has any.

        They are missed messages: a connection still catching up gets them with its replay.
        """
        if not self.hub.conns_of([account_id]):
            return
        for stored in await self.store.take_held(account_id):
            frame = text_frame(encode(as_event(stored)))
            conns = self.hub.conns_of([account_id])
            for conn in conns:
                self._wires[conn].outbound.push_missed(frame, stored.conversation, stored.seq)
            self.written_unproven(conns, stored)

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
        tasks = self._wires[conn].tasks
        while len(tasks) >= self.config.max_in_flight:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.get_running_loop().create_task(self._answer(conn, request))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _answer(self, conn: ConnId, request: ClientRequest) -> None:
        try:
            answer = await handle(self, conn, request)
        except Refusal as refusal:
            self.log(conn, "refused", f"{type(request).__name__} {refusal.code}")
            answer = Error(id=request.id, code=refusal.code, message=refusal.message)
        except Exception:
            log.exception("conn=%s failed on %s", conn, type(request).__name__)
            answer = Error(
                id=request.id,
                code=ErrorCode.INTERNAL_ERROR,
                message="the server could not do that; nothing was saved, try again",
            )
        if answer is not None:
            self.reply(conn, answer)

    # ------------------------------------------------------------------ observability

    def log(self, conn: ConnId, event: str, detail: str = "") -> None:
        user = self.hub.user_of(conn)
        name = user.name if user is not None else "-"
        log.info("conn=%s peer=%s name=%s %s %s", conn, self.hub.peer_of(conn), name, event, detail)

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
