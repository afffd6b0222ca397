"""What the scenarios drive: a :class:`ChatWire` per simulated user, opened by a :class:`Dialect`.

Two dialects speak to two servers: hubbub's WebSocket protocol (``wire.py``, signing in
with a seeded token) and IRC (``irc.py``, registering a nick and joining channels) for
``--against inspircd``. The scenarios, the crowd and the ledger only see the interface,
so both servers get the same load and the same accounting. ``fanout --irc N`` puts N of
the clients on hubbub's own IRC listener (:class:`HubbubIrcDialect`, mixed with the
WebSocket ones by :class:`MixedDialect`), in the same ledger.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from hubbub import protocol
from hubbub.bench.accounts import Credentials
from hubbub.bench.irc import channel_of, open_irc
from hubbub.bench.ledger import Posted
from hubbub.bench.wire import Address, open_wire

SIGN_IN_SECONDS = 60.0


class Stored(Protocol):
    """Where the server put a message: its conversation and its place in it."""

    @property
    def conversation(self) -> str | None: ...

    @property
    def seq(self) -> int | None: ...


class ChatWire(Protocol):
    """One simulated user's connection.

    ``messages`` and ``arrivals`` are every message received and the
    ``time.perf_counter_ns()`` it arrived at, in step; ``problems`` what the server should
    not have sent; ``lost`` is done once the connection ended.
    """

    @property
    def messages(self) -> Sequence[Posted]: ...

    @property
    def arrivals(self) -> Sequence[int]: ...

    @property
    def lost(self) -> asyncio.Future[None]: ...

    @property
    def close_code(self) -> int | None: ...

    @property
    def problems(self) -> list[str]: ...

    def say(self, conversation: str, text: str) -> Awaitable[Stored]: ...

    def message_user(self, to: str, text: str) -> Awaitable[Stored]: ...

    def sync(self) -> Awaitable[object]:
        """Answered once whatever the server had queued for this connection has arrived."""
        ...

    async def close(self) -> None: ...

    def drop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A connection ready for the load; ``heads`` says where it starts in each room."""

    wire: ChatWire
    heads: Mapping[str, int]
    token: str


class Dialect(Protocol):
    """How to open a simulated user's connection to one kind of server."""

    @property
    def in_lobby(self) -> bool:
        """Whether every connection hears the lobby."""
        ...

    async def sign_in(self, account: Credentials) -> SignedIn: ...


@dataclass(frozen=True, slots=True)
class WebSocketDialect:
    """hubbub: a raw WebSocket, signed in with the account's token (or password)."""

    address: Address
    in_lobby: bool = True

    async def sign_in(self, account: Credentials) -> SignedIn:
        wire = await open_wire(self.address)
        password = None if account.token is not None else account.password
        request = protocol.SignIn(
            id=wire.next_id(), name=account.name, password=password, token=account.token
        )
        try:
            async with asyncio.timeout(SIGN_IN_SECONDS):
                reply = await wire.request(request)
        except BaseException:
            wire.drop()
            raise
        return SignedIn(wire, reply.heads, reply.token or "")


@dataclass(frozen=True, slots=True)
class IrcDialect:
    """An IRC server: a nick per account, in the lobby's channel when ``in_lobby``.

    A channel has no history, so everything said after the join is owed (head 0).
    Joining is N²/2 ``JOIN`` lines for N clients, so scenarios that do not post to the
    lobby stay out of it.
    """

    host: str
    port: int
    in_lobby: bool

    @classmethod
    def of(cls, url: str, *, in_lobby: bool) -> IrcDialect:
        """The server at ``irc://host:port``."""
        parts = urlsplit(url)
        if parts.scheme != "irc" or parts.hostname is None or parts.port is None:
            raise ValueError(f"an IRC server's address is irc://host:port, not {url!r}")
        return cls(parts.hostname, parts.port, in_lobby)

    async def sign_in(self, account: Credentials) -> SignedIn:
        wire = await open_irc(self.host, self.port, account.name)
        channels = [channel_of(protocol.LOBBY)] if self.in_lobby else []
        try:
            async with asyncio.timeout(SIGN_IN_SECONDS):
                for channel in channels:
                    await wire.join(channel)
        except BaseException:
            wire.drop()
            raise
        return SignedIn(wire, dict.fromkeys(channels, 0), "")


@dataclass(frozen=True, slots=True)
class HubbubIrcDialect:
    """hubbub's IRC listener: ``PASS name:token=…`` signs in to the seeded account, whose
    rooms (the lobby) are joined at the welcome; ``msgid`` tags give each message the
    conversation and ``seq`` the WebSocket gives, so the run's ledger is one."""

    host: str
    port: int
    in_lobby: bool = True

    async def sign_in(self, account: Credentials) -> SignedIn:
        secret = f"token={account.token}" if account.token is not None else account.password
        wire = await open_irc(self.host, self.port, account.name, (account.name, secret))
        try:
            async with asyncio.timeout(SIGN_IN_SECONDS):
                await wire.named(channel_of("Lobby"))
        except BaseException:
            wire.drop()
            raise
        return SignedIn(wire, {protocol.LOBBY: 0}, "")


@dataclass(frozen=True, slots=True)
class MixedDialect:
    """Some accounts (``on_irc``, by name) over IRC, the others over the WebSocket."""

    websocket: Dialect
    irc: HubbubIrcDialect
    on_irc: frozenset[str]
    in_lobby: bool = True

    async def sign_in(self, account: Credentials) -> SignedIn:
        if account.name in self.on_irc:
            return await self.irc.sign_in(account)
        return await self.websocket.sign_in(account)
