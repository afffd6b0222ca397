"""The IRC listener: accepts IRC clients on the same ChatServer as the WebSocket endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from hubbub.hub import normalise_name
from hubbub.irc.lines import MAX_LINE_BYTES
from hubbub.irc.outlet import Flushes, FrameCache
from hubbub.protocol import MemberInfo, Refusal

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection
    from hubbub.server.config import IrcConfig
    from hubbub.server.server import ChatServer

log = logging.getLogger("hubbub.irc")
LEAVING_SECONDS = 5.0
"""How long a new client waits for an old one with its nick to finish disconnecting."""
SERVICE = "hubbub"
"""The service nick: the features IRC has no command for (docs/irc.md)."""


@functools.lru_cache(maxsize=1 << 14)
def _key(name: str) -> str:
    """A name's key (what tells names apart), remembered: rendering a delivery compares
    its sender with each recipient's nick."""
    try:
        return normalise_name(name)[1]
    except Refusal:
        return name.casefold()


class IrcListener:
    def __init__(self, server: ChatServer, config: IrcConfig) -> None:
        self.server = server
        self.config = config
        self.name = config.server_name
        self.service_mask = f"{SERVICE}!{SERVICE}@{self.name}"
        self.cache = FrameCache()
        self.flushes = Flushes()
        self.created = ""
        self._servers: list[asyncio.Server] = []
        self._clients: dict[str, IrcConnection] = {}
        """Registered IRC connections by name key: their user, host and away text."""
        self._open: set[IrcConnection] = set()
        self.most_users = 0
        self._leaving: dict[str, asyncio.Event] = {}
        self._creating: dict[str, asyncio.Event] = {}
        """Channel name key → set once the room an IRC JOIN is creating is made (or not)."""

    async def start(self) -> None:
        from datetime import UTC, datetime

        self.created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        config = self.config
        self._servers.append(
            await asyncio.start_server(self._accept, sock=config.sock, limit=MAX_LINE_BYTES)
            if config.sock is not None
            else await asyncio.start_server(
                self._accept, config.host, config.port, limit=MAX_LINE_BYTES
            )
        )
        if config.tls_sock is not None:
            self._servers.append(
                await asyncio.start_server(
                    self._accept, sock=config.tls_sock, ssl=config.tls, limit=MAX_LINE_BYTES
                )
            )

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for client in list(self._open):
            client.quit_message = "server shutting down"
            await client.outlet.close(1001, "server shutting down")

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        from hubbub.irc.connection import IrcConnection

        client = IrcConnection(self, reader, writer)
        self._open.add(client)
        try:
            await client.serve()
        finally:
            self._open.discard(client)

    def unregistered(self) -> int:
        return sum(1 for client in self._open if not client.registered)

    # ------------------------------------------------------------------ who is who

    def remember(self, client: IrcConnection) -> None:
        self._clients[self.key(client.nick)] = client

    def forget(self, client: IrcConnection) -> None:
        if self._clients.get(self.key(client.nick)) is client:
            del self._clients[self.key(client.nick)]

    @contextlib.asynccontextmanager
    async def leaving(self, client: IrcConnection) -> AsyncIterator[None]:
        """While a client's connection ends, its nick is not free yet: :meth:`gone` waits."""
        key = self.key(client.nick)
        done = self._leaving.setdefault(key, asyncio.Event())
        try:
            yield
        finally:
            done.set()
            if self._leaving.get(key) is done:
                del self._leaving[key]

    async def gone(self, name: str) -> None:
        """Wait (a few seconds at most) for a connection with this nick to finish ending."""
        done = self._leaving.get(self.key(name))
        if done is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), LEAVING_SECONDS)

    async def settled(self) -> None:
        """Wait (a few seconds at most) for every connection now ending to finish: a guest
        registering then finds the rooms those left as they are, not half released."""
        waiting = [done.wait() for done in self._leaving.values()]
        if waiting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*waiting), LEAVING_SECONDS)

    @contextlib.asynccontextmanager
    async def creating(self, channel: str) -> AsyncIterator[None]:
        """While a JOIN creates the room of ``channel``, other JOINs of it wait (:meth:`room_made`)
        and then join it, rather than try to create it too."""
        key = self.key(channel)
        done = self._creating.setdefault(key, asyncio.Event())
        try:
            yield
        finally:
            done.set()
            if self._creating.get(key) is done:
                del self._creating[key]

    async def room_made(self, channel: str) -> None:
        """Wait (a few seconds at most) for a JOIN creating ``channel``'s room to end."""
        done = self._creating.get(self.key(channel))
        if done is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), LEAVING_SECONDS)

    def clients(self) -> list[IrcConnection]:
        """The registered IRC connections."""
        return list(self._clients.values())

    def client(self, name: str) -> IrcConnection | None:
        return self._clients.get(self.key(name))

    @staticmethod
    def key(name: str) -> str:
        return _key(name)

    def same(self, a: str, b: str) -> bool:
        return self.key(a) == self.key(b)

    @staticmethod
    def nick(name: str) -> str:
        """A hubbub name as an IRC nick (a space cannot be in one)."""
        return name.replace(" ", "_")

    def mask(self, name: str) -> str:
        client = self.client(name)
        if client is not None:
            return client.mask
        nick = self.nick(name)
        return f"{nick}!{nick}@hubbub"

    def userhost(self, name: str) -> tuple[str, str, str]:
        """(user, host, real name) of someone, on IRC or not."""
        client = self.client(name)
        if client is not None:
            return client.user or client.nick, client.host, client.realname
        return self.nick(name), "hubbub", name

    def away_text(self, name: str) -> str:
        client = self.client(name)
        return (client.away if client is not None else None) or "Away"

    @staticmethod
    def channel(room_name: str) -> str:
        return "#" + room_name.replace(" ", "_")

    def names_entry(self, member: MemberInfo, viewer: IrcConnection) -> str:
        prefix = "@" if member.role == "owner" else ""
        if "multi-prefix" not in viewer.caps:
            prefix = prefix[:1]
        if "userhost-in-names" in viewer.caps:
            return prefix + self.mask(member.name)
        return prefix + self.nick(member.name)
