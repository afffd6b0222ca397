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
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import WSCloseCode

from hubbub.hub import ConnId, Decision, Hub, Outbox, follow, handle, hold_again
from hubbub.hub.effects import Append
from hubbub.hub.hub import random_id
from hubbub.protocol import (
    ClientRequest,
    Error,
    ErrorCode,
    Ok,
    Refusal,
    RequestId,
    SignIn,
    decode_request,
    encode,
    request_id_of,
)
from hubbub.server.backlog import Backlog
from hubbub.server.bus import Bus
from hubbub.server.config import Config
from hubbub.server.heartbeat import Heartbeat
from hubbub.server.metrics import Metrics
from hubbub.server.other_processes import OtherProcesses
from hubbub.server.outbound import CLOSE_SECONDS, Flusher, Outbound, Outlet, text_frame
from hubbub.server.passwords import Argon2Passwords
from hubbub.server.unread import Unproven, UnreadLog
from hubbub.store import Store, StoreError, StoreUnavailable

log = logging.getLogger("hubbub")

SIGN_IN_LATE = 4002
"""Close code: the connection did not sign in within ``sign_in_deadline`` of its upgrade."""

RETRY_UNAVAILABLE = 2.0
"""The ``retry_after`` of an ``unavailable`` error: seconds before trying again."""


class Reader(Protocol):
    """Reads a connection's frames; :meth:`ChatServer.on_frame` may ask it to pause."""

    def resume(self) -> None:
        """Hand over frames again: the connection has room for another request."""
        ...


@dataclass(eq=False, slots=True)
class Wire:
    """What the server keeps for one open connection (a WebSocket, or an IRC one)."""

    outbound: Outlet
    tasks: tuple[asyncio.Task[None], ...] = ()
    """Its requests in flight; reading pauses while there are ``max_in_flight``. A tuple: an
    idle connection's is the one shared empty tuple (an empty set costs it 216 bytes, an
    empty list 56)."""
    unread: UnreadLog | None = None
    """Its direct messages not proven read yet; made for the first one."""
    closing: bool = False
    """The server is closing it (the hub asked, or it did not sign in in time): its frames
    are no longer read."""
    signing_in: bool = False
    """A request sent before sign-in is being answered (sign-in runs one frame at a time)."""
    ended: bool = False
    """The socket has closed: a catch-up running for it stops (nobody is left to read it)."""
    reader: Reader | None = None
    """What reads its frames (a WebSocket's); the IRC listener reads its own."""
    paused: bool = False
    """Its reader holds a frame back until one of its requests in flight is answered."""


def error_for(request_id: RequestId | None, refusal: Refusal) -> Error:
    return Error(
        id=request_id, code=refusal.code, message=refusal.message, retry_after=refusal.retry_after
    )


class ChatServer:
    """Runs the hub's decisions: no rule of who may do what lives here.

    Each frame becomes a request, the hub decides, and :meth:`run` carries the decision
    out: it sends what the hub says, runs the effect it names (a read, a write, a hash),
    and hands the result back to the hub, until the hub has nothing left to do.
    """

    TICK_SECONDS = 0.25
    FOLLOW_SECONDS = 1.0
    """How often the audit log is read for what ``hubbub admin`` did to accounts."""

    def __init__(self, config: Config, store: Store, metrics: Metrics | None = None) -> None:
        self.config = config
        self.store = store
        self.metrics = metrics or Metrics()
        limits = config.limits
        bounded = limits.enabled and limits.hash_queue > 0
        self.passwords = Argon2Passwords(limits.hash_queue if bounded else None)
        node = random_id("node") if config.redis is not None else None
        self.hub = Hub(
            grace=config.grace,
            request_ttl=config.request_ttl,
            limits=limits,
            token_idle=config.token_idle_days * 86400.0,
            node=node,
            leave_linger=config.leave_linger,
        )
        self.bus = (
            Bus(config.redis, node, OtherProcesses(self), self.metrics)
            if config.redis and node
            else None
        )
        """The other processes of this chat (``--redis``); None when this one is alone."""
        self._wires: dict[ConnId, Wire] = {}
        self._unsettled: set[ConnId] = set()
        self._unsigned: dict[ConnId, float] = {}
        """Connections not signed in yet, and by when they must be."""
        self._backlog = Backlog(config.connections.slow_readers_budget)
        self._chores: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self._ticker: asyncio.Task[None] | None = None
        self._follower: asyncio.Task[None] | None = None
        self._flusher: Flusher | None = None
        self.heartbeat = Heartbeat(config.heartbeat)
        """Pings every WebSocket; the endpoint tells it of each pong."""
        self._closing = False
        self.metrics.watch(lambda: len(self._wires), lambda: self._backlog.total)
        store.on_commit(self.metrics.committed)

    @property
    def backlog(self) -> Backlog:
        """The slow readers' budget; the IRC listener's connections are in it too."""
        return self._backlog

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Load the rooms and where each conversation ends, join the bus (if any), and
        start the clock."""
        self.hub.load(await self.store.load_rooms(), await self.store.heads())
        self.hub.load_moderation(await self.store.load_moderation())
        if self.bus is not None:
            await self.bus.start()
        self._flusher = Flusher()
        self.heartbeat.start()
        loop = asyncio.get_running_loop()
        self._ticker = loop.create_task(self._tick_forever())
        self._follower = loop.create_task(self._follow_forever())

    async def shutdown(self) -> None:
        """Stop reading, answer every request already read, then close with "going away"."""
        self._closing = True
        self.heartbeat.stop()
        for task in (self._ticker, self._follower):
            if task is not None:
                task.cancel()
        in_flight = set().union(*(wire.tasks for wire in self._wires.values()))
        if in_flight:
            await asyncio.wait(in_flight, timeout=5.0)
        await asyncio.gather(
            *(
                wire.outbound.close(WSCloseCode.GOING_AWAY, "server shutting down")
                for wire in self._wires.values()
            ),
            return_exceptions=True,
        )
        if self._chores:
            await asyncio.wait(self._chores, timeout=5.0)

    async def close(self) -> None:
        """After the last connection has ended: tell the other processes this one is gone."""
        if self.bus is not None:
            await self.bus.stop()

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(self.TICK_SECONDS)
            now = time.monotonic()
            self.send(self.hub.tick(now))
            self._backlog.refresh()
            for conn in list(self._unsigned):
                self._close_if_late(conn, now)
            for conn in list(self._unsettled):
                wire = self._wires.get(conn)
                if wire is None or wire.unread is None or not wire.unread.settle(now):
                    self._unsettled.discard(conn)
                    if wire is not None:
                        wire.unread = None  # all proven: no empty queue (600 B) kept

    async def _follow_forever(self) -> None:
        """Follow what ``hubbub admin`` did to accounts (a ban closes their connections)."""
        while True:
            await asyncio.sleep(self.FOLLOW_SECONDS)
            try:
                changes = await self.store.account_changes(self.hub.audit_seen)
            except StoreError:
                log.exception("could not read the audit log")
                continue
            self.send(follow(self.hub, changes, time.monotonic()))

    # ------------------------------------------------------------------ connections

    def open_connection(
        self, transport: asyncio.Transport, peer: str, reader: Reader
    ) -> tuple[ConnId, Outbound]:
        """A new WebSocket whose frames ``reader`` hands to :meth:`on_frame`."""
        assert self._flusher is not None, "connections open after start()"
        outbound = Outbound(transport, self._flusher, self.config.send_buffer, self._backlog)
        conn = self.attach(outbound, peer)
        self._wires[conn].reader = reader
        self.heartbeat.join(conn, outbound)
        return conn, outbound

    def attach(self, outbound: Outlet, peer: str) -> ConnId:
        """A new connection whose frames go to ``outbound``: from now on it may send requests.

        The WebSocket endpoint passes an :class:`Outbound`; the IRC listener its own outlet,
        which turns each delivery's frame into IRC lines (src/hubbub/irc/outlet.py).
        """
        conn = next(self._ids)
        self._wires[conn] = Wire(outbound)
        self._unsigned[conn] = time.monotonic() + self.config.connections.sign_in_deadline
        self.hub.connect(conn, peer, time.time())
        self.log(conn, "connect")
        return conn

    async def close_connection(self, conn: ConnId, *, clean: bool) -> None:
        """The socket is closed: finish the requests it sent, then end or park its session."""
        wire = self._wires[conn]
        wire.ended = True
        if wire.tasks:
            await asyncio.wait(wire.tasks, timeout=CLOSE_SECONDS)
        if clean:
            self.log(conn, "disconnect")
        elif self._closing:
            self.log(conn, "closed by shutdown")
        else:
            how = "closed by server" if wire.closing else "dropped"
            self.log(conn, how, f"grace={self.config.grace}s")
        del self._wires[conn]
        self.heartbeat.leave(conn)
        self._unsettled.discard(conn)
        self._unsigned.pop(conn, None)
        wire.outbound.stop()
        self.send(self.hub.disconnect(conn, clean=clean, now=time.monotonic()))
        if not clean and wire.unread is not None and wire.unread.settle(time.monotonic()):
            held = hold_again(self.hub, wire.unread.unproven())
            self.spawn(self.run_chore(conn, held, "hold messages again"))

    @staticmethod
    async def _close_answered(wire: Wire, code: int, reason: str) -> None:
        """Answer the requests already read (up to CLOSE_SECONDS), then close."""
        if wire.tasks:
            await asyncio.wait(wire.tasks, timeout=CLOSE_SECONDS)
        await wire.outbound.close(code, reason)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)

    async def run_chore(self, conn: ConnId, decision: Decision, what: str) -> None:
        try:
            await self.run(conn, decision)
        except (Refusal, StoreError):
            log.exception("conn=%s could not %s", conn, what)

    def send(self, outbox: Outbox) -> None:
        """Queue each delivery's one frame for every recipient still connected."""
        wires, count = self._wires, self.metrics.deliveries.inc
        for delivery in outbox:
            frame, mark, lazy = text_frame(delivery.data), delivery.mark, delivery.lazy
            count(len(delivery.conns))
            # This loop runs once per recipient of every event: nothing in it that need not be.
            if delivery.urgent:
                for conn in delivery.conns:
                    if (wire := wires.get(conn)) is not None:
                        wire.outbound.push_now(frame, mark)
            else:
                for conn in delivery.conns:
                    if (wire := wires.get(conn)) is not None:
                        wire.outbound.push(frame, mark, lazy)
            if delivery.proof and mark is not None:
                for conn in delivery.conns:
                    if (wire := wires.get(conn)) is not None:
                        self._written_unproven(conn, wire, mark)
        for conn, code, reason in outbox.closes:
            self.end(conn, code, reason)
        if outbox.ops and self.bus is not None:
            self.bus.publish(outbox.ops)

    def end(self, conn: ConnId, code: int, reason: str) -> None:
        """Stop reading ``conn``, answer what it sent, then close it with ``code``."""
        wire = self._wires.get(conn)
        if wire is not None and not wire.closing:
            wire.closing = True
            self.log(conn, "closing", f"code={code} {reason}")
            self.spawn(self._close_answered(wire, code, reason))

    def _close_if_late(self, conn: ConnId, now: float) -> None:
        """Close a connection still not signed in past its deadline (unless it is signing in)."""
        deadline = self._unsigned.get(conn)
        wire = self._wires.get(conn)
        if deadline is None or wire is None:
            return
        if self.hub.user_of(conn) is not None:
            del self._unsigned[conn]
        elif now >= deadline and not wire.signing_in:
            del self._unsigned[conn]
            seconds = self.config.connections.sign_in_deadline
            self.metrics.refused_connection(str(SIGN_IN_LATE))
            self.end(conn, SIGN_IN_LATE, f"sign in within {seconds:g} s of connecting")

    def reply(self, conn: ConnId, frame: Ok | Error) -> None:
        if isinstance(frame, Error):
            self.metrics.refused_request(frame.code)
        wire = self._wires.get(conn)
        if wire is not None:
            wire.outbound.push_now(text_frame(encode(frame)))

    def _written_unproven(self, conn: ConnId, wire: Wire, mark: tuple[str, int]) -> None:
        """Note a direct message written to ``conn``, until it proves it read it."""
        user = self.hub.user_of(conn)
        if user is not None:
            proven_at = time.monotonic() + 2 * self.config.heartbeat
            if wire.unread is None:
                wire.unread = UnreadLog()
            wire.unread.add(Unproven(user.account_id, *mark), proven_at)
            self._unsettled.add(conn)

    # ------------------------------------------------------------------ requests

    def on_frame(self, conn: ConnId, data: bytes | str) -> bool:
        """Start answering one frame; False if the connection already has as many requests
        in flight as it may: then the frame was not taken, and its reader pauses and hands
        it over again when one is answered (:meth:`Reader.resume`).

        Before sign-in frames run one at a time, then up to ``max_in_flight`` at once. Each
        runs as a task of the connection's, so the socket is still read meanwhile and a
        close is seen while a sign-in is catching up.
        """
        wire = self._wires[conn]
        if self._closing or wire.closing:
            return True
        if len(wire.tasks) >= self._in_flight_cap(conn):
            wire.paused = True
            return False
        try:
            request = decode_request(data)
        except Refusal as refusal:
            self.log(conn, "bad_frame", refusal.code)
            self.reply(conn, error_for(request_id_of(data), refusal))
            return True
        work = (
            self._answer(conn, request)
            if self.hub.user_of(conn) is not None
            else self._answer_before_sign_in(conn, wire, request)
        )
        task = asyncio.get_running_loop().create_task(work)
        wire.tasks += (task,)
        task.add_done_callback(lambda done: self._answered(conn, wire, done))
        return True

    def _in_flight_cap(self, conn: ConnId) -> int:
        return self.config.max_in_flight if self.hub.user_of(conn) is not None else 1

    def _answered(self, conn: ConnId, wire: Wire, task: asyncio.Task[None]) -> None:
        wire.tasks = tuple(t for t in wire.tasks if t is not task)
        if wire.paused and not wire.ended and len(wire.tasks) < self._in_flight_cap(conn):
            wire.paused = False
            if wire.reader is not None:
                wire.reader.resume()

    async def _answer_before_sign_in(
        self, conn: ConnId, wire: Wire, request: ClientRequest
    ) -> None:
        wire.signing_in = True
        try:
            await self._answer(conn, request)
        finally:
            wire.signing_in = False
        if isinstance(request, SignIn):
            signed_in = self.hub.user_of(conn) is not None
            self.metrics.signed_in(token=request.token is not None, ok=signed_in)
        self._close_if_late(conn, time.monotonic())

    async def _answer(self, conn: ConnId, request: ClientRequest) -> None:
        try:
            await self.run(conn, handle(self.hub, conn, request, time.monotonic(), time.time()))
        except Refusal as refusal:
            self.log(conn, "refused", f"{type(request).__name__} {refusal.code}")
            self.reply(conn, error_for(request.id, refusal))
        except StoreUnavailable as failure:
            log.warning("conn=%s %s: %s", conn, type(request).__name__, failure)
            self.reply(
                conn,
                Error(
                    id=request.id,
                    code=ErrorCode.UNAVAILABLE,
                    message="the database cannot be reached just now; nothing was saved, "
                    f"try again in {RETRY_UNAVAILABLE:g} s",
                    retry_after=RETRY_UNAVAILABLE,
                ),
            )
        except Exception:
            log.exception("conn=%s failed on %s", conn, type(request).__name__)
            self.reply(
                conn,
                Error(
                    id=request.id,
                    code=ErrorCode.INTERNAL_ERROR,
                    message="the server could not do that; nothing was saved, try again",
                ),
            )

    async def run(self, conn: ConnId, decision: Decision) -> None:
        """Carry out a decision: send, run its effect, decide again with the result, until done.

        A decision that catches a session up holds that connection's live frames back
        until the chain ends, so what it replays comes first.
        """
        wire = self._wires.get(conn)
        held = False
        try:
            while True:
                if decision.catch_up and not held and wire is not None:
                    wire.outbound.hold()
                    held = True
                self.send(decision.out)
                if decision.log is not None:
                    self.log(conn, *decision.log)
                if decision.effect is None or decision.then is None:
                    return
                if decision.catch_up and wire is not None and wire.ended:
                    self.log(conn, "catch_up stopped", "the connection closed")
                    return
                result = await decision.effect.run(self)
                if isinstance(decision.effect, Append) and not result.duplicate:
                    self.metrics.messages_stored.inc()
                decision = decision.then(result)
        finally:
            if held and wire is not None and self.hub.connected(conn):
                wire.outbound.release()

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
        users = [{"name": u.name, "status": u.status} for u in self.hub.all_users()]
        report: dict[str, Any] = {
            "connections": connections,
            "users": users,
            "commits": self.store.commits,
        }
        if self.bus is not None:
            report["bus"] = {"node": self.bus.node, "up": self.bus.up, "nodes": self.bus.nodes()}
        return report
