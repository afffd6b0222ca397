"""One IRC client: its lines in, the hub's requests out, the hub's frames back as lines.

Lines are handled one at a time, in order, each to its end (a request's reply included),
so an IRC client sees answers in the order it asked. Requests go through
``ChatServer.run(conn, handle(...))`` like the WebSocket's: the hub decides everything.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec

from hubbub.hub import Decision, handle
from hubbub.hub.guests import farewell
from hubbub.irc.lines import MAX_LINE_BYTES, MAX_TAGS_BYTES, format_line, parse
from hubbub.irc.outlet import Decoded, IrcOutlet
from hubbub.irc.render import render
from hubbub.protocol import (
    ClientRequest,
    Error,
    ErrorCode,
    MemberList,
    Members,
    Refusal,
    RequestId,
    RoomInfo,
)
from hubbub.store import StoreError

if TYPE_CHECKING:
    from hubbub.irc.listener import IrcListener

log = logging.getLogger("hubbub.irc")
R = TypeVar("R")
_error = msgspec.json.Decoder(Error)


class Closed(Exception):
    """The client is to be disconnected (QUIT, or registration refused)."""


class IrcConnection:
    def __init__(
        self,
        listener: IrcListener,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.listener = listener
        self.server = listener.server
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.host = str(peer[0]) if isinstance(peer, tuple) else "unknown"
        self.outlet = IrcOutlet(
            self,
            writer.transport,
            listener.cache,
            listener.flushes,
            self.server.backlog,
            self.server.config.send_buffer,
        )
        self.conn = self.server.attach(self.outlet, f"irc:{self.host}")
        self.nick = "*"
        self.user: str | None = None
        self.realname = ""
        self.registered = False
        self.caps: set[str] = set()
        self.negotiating = False
        self.credentials: tuple[str, str] | None = None
        """(account name, password or token) from PASS or SASL, tried at registration."""
        self.sasl_done = False
        self.sasl_mechanism: str | None = None
        self.channels: dict[str, str] = {}
        """Room id → channel name, for the rooms this connection is in."""
        self.topics: dict[str, str] = {}
        self.chat: tuple[str, str] | None = None
        """(conversation, partner) of the 1:1 chat this user is in."""
        self.away: str | None = None
        self.invisible = False
        """User mode +i: hidden from WHO masks of users who share no channel with it."""
        self.operator = False
        """User mode +o: OPER proved this connection holds a server admin's password."""
        self.quitted: set[str] = set()
        self.told_away: dict[str, str] = {}
        self._waiting: dict[RequestId, asyncio.Future[bytes]] = {}
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._names: dict[str, asyncio.Task[None]] = {}
        self.quit_message = ""
        self.parting: dict[str, str] = {}
        """Room id → the PART message this connection is leaving it with."""

    # ------------------------------------------------------------------ identity

    @property
    def guest(self) -> bool:
        user = self.server.hub.user_of(self.conn)
        return user is None or user.guest

    @property
    def mask(self) -> str:
        return f"{self.nick}!{self.user or self.nick}@{self.host}"

    # ------------------------------------------------------------------ the loop

    async def serve(self) -> None:
        from hubbub.irc.commands import dispatch

        try:
            while True:
                try:
                    raw = await self.reader.readuntil(b"\n")
                except asyncio.LimitOverrunError:
                    self.numeric("417", "Input line was too long")
                    await self.reader.read(MAX_LINE_BYTES * 2)
                    continue
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                if raw.startswith(b"@") and raw.find(b" ") > MAX_TAGS_BYTES:
                    self.numeric("417", "Input line was too long")
                    continue
                line = parse(raw.decode("utf-8", "replace"))
                if line is None:
                    continue
                try:
                    await dispatch(self, line)
                except Closed:
                    return
                except Exception:
                    log.exception("irc conn=%s failed on %s", self.conn, line.command)
                    self.notice("the server could not do that; nothing was saved, try again")
        finally:
            await self.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        async with self.listener.leaving(self):
            await self._leave()

    async def _leave(self) -> None:
        if self.registered and self.server.hub.user_of(self.conn) is not None:
            try:
                await self.server.run(
                    self.conn, farewell(self.server.hub, self.conn, self.quit_message)
                )
            except (Refusal, StoreError):
                log.exception("irc conn=%s could not take a guest out of its rooms", self.conn)
        self.listener.forget(self)
        self.outlet.flush()
        await self.server.close_connection(self.conn, clean=True)
        self.writer.close()

    # ------------------------------------------------------------------ requests

    def next_id(self) -> str:
        return f"irc{next(self._ids)}"

    async def ask(self, request: ClientRequest, reply: type[R]) -> R:
        """The hub's answer to ``request``, decoded as ``reply``; raises its Refusal."""
        now, wall = time.monotonic(), time.time()
        return await self.run(
            request.id, handle(self.server.hub, self.conn, request, now, wall), reply
        )

    async def run(self, request_id: RequestId, decision: Decision, reply: type[R]) -> R:
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        try:
            await self.server.run(self.conn, decision)
            if not future.done():
                raise Refusal(ErrorCode.INTERNAL_ERROR, "no answer came")
            data = future.result()
        finally:
            self._waiting.pop(request_id, None)
        if data.startswith(b'{"type":"error"'):
            error = _error.decode(data)
            raise Refusal(error.code, error.message, error.retry_after)
        return msgspec.json.decode(data, type=reply)

    def answered(self, request_id: RequestId | None, data: bytes) -> None:
        future = self._waiting.get(request_id) if request_id is not None else None
        if future is not None and not future.done():
            future.set_result(data)

    def spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------------ output

    def render(self, decoded: Decoded) -> bytes:
        return render(self, decoded)

    def send(self, data: bytes) -> None:
        self.outlet.write(data)

    def line(self, command: str, *params: str, source: str | None = None) -> None:
        self.send(format_line(command, *params, source=source))

    def numeric(self, code: str, *params: str) -> None:
        self.send(format_line(code, self.nick, *params, source=self.listener.name))

    def notice(self, text: str) -> None:
        self.send(format_line("NOTICE", self.nick, text, source=self.listener.name))

    def service_notice(self, text: str) -> bytes:
        return format_line("NOTICE", self.nick, text, source=self.listener.service_mask)

    def joined(self, room: RoomInfo) -> bytes:
        """This connection is now in ``room``: JOIN, the topic, and the names soon after."""
        channel = self.listener.channel(room.name)
        self.channels[room.id] = channel
        self.topics[room.id] = room.topic
        out = [format_line("JOIN", channel, source=self.mask)]
        if room.topic:
            out.append(
                format_line("332", self.nick, channel, room.topic, source=self.listener.name)
            )
        task = self._names[room.id] = self.spawn(self.send_names(room.id))
        task.add_done_callback(lambda _: self._names.pop(room.id, None))
        return b"".join(out)

    async def names_sent(self, room_id: str) -> None:
        """Wait for the NAMES of a room just joined, so that they come before what follows."""
        task = self._names.pop(room_id, None)
        if task is not None:
            await asyncio.wait([task])

    async def send_names(self, room_id: str, end: bool = True) -> None:
        """353 lines for a room, then (unless ``end`` is false) its 366."""
        channel = self.channels.get(room_id)
        if channel is None:
            return
        try:
            listed = await self.ask(Members(id=self.next_id(), room=room_id), MemberList)
        except Refusal:
            listed = MemberList(id="", room=room_id, members=[])
        names = [self.listener.names_entry(m, self) for m in listed.members]
        for start in range(0, max(len(names), 1), 40):
            chunk = names[start : start + 40]
            if chunk:
                self.numeric("353", "=", channel, " ".join(chunk))
        if end:
            self.numeric("366", channel, "End of /NAMES list")
