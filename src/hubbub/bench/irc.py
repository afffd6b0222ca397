"""An IRC client for the load generator: what ``wire.py`` does over a WebSocket, in IRC lines.

An :class:`IrcWire` is an asyncio ``Protocol``. It registers with ``echo-message``
(``CAP REQ``, ``NICK``, ``USER``, ``CAP END``) and waits for the welcome (``001``), joins
channels (waiting for the end of ``NAMES``), sends ``PRIVMSG`` and keeps every
``PRIVMSG`` it receives in :attr:`IrcWire.messages`, with the moment its chunk arrived in
:attr:`IrcWire.arrivals`, like the WebSocket wire. A line reaching many connections of
this process is parsed once.

IRC has no acknowledgement and no sequence numbers. The sender's own copy of its message
(``echo-message``) stands in for the ``ok``; the stamp's send time (unique in a run,
:func:`hubbub.bench.ledger.sent_ns`) stands in for the ``seq``. A channel's conversation
is its name; a private message's is ``dm:`` and the two nicks in order, the same at both
ends.

On hubbub's own IRC listener (``login``), a wire signs in to a seeded account
(``PASS name:token=…``), is in its rooms from the welcome on, and asks for
``message-tags``: each message's ``msgid`` tag (``<conversation>/<seq>``) gives the same
conversation and ``seq`` as the WebSocket, so IRC and WebSocket clients of one run share
one ledger.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import time
from array import array
from typing import TypeVar, cast

import msgspec

from hubbub.bench.ledger import sent_ns
from hubbub.bench.wire import WireClosed

T = TypeVar("T")

OPEN_SECONDS = 30.0
"""How long the TCP connection and the registration may take."""
NICK_PREFIX = "b"
"""Put before each account name: a nick may not start with a digit, and run ids may."""


def nick_of(name: str) -> str:
    return NICK_PREFIX + name


def channel_of(conversation: str) -> str:
    return "#" + conversation


class Posting(msgspec.Struct, frozen=True, gc=False):
    """A ``PRIVMSG`` received; ``seq`` is its stamp's send time (None: not a stamp)."""

    sender: str
    conversation: str
    seq: int | None
    text: str


@functools.lru_cache(maxsize=1 << 16)
def _read_privmsg(line: bytes) -> Posting | None:
    """``:nick!user@host PRIVMSG target :text`` as a posting; None for any other line."""
    prefix, _, rest = line.partition(b" ")
    command, _, rest = rest.partition(b" ")
    if command != b"PRIVMSG" or not prefix.startswith(b":"):
        return None
    target, _, text = rest.partition(b" ")
    sender = prefix[1:].partition(b"!")[0].decode(errors="replace").lower()
    to = target.decode(errors="replace").lower()
    conversation = to if to.startswith("#") else "dm:" + ",".join(sorted((sender, to)))
    body = (text[1:] if text.startswith(b":") else text).decode(errors="replace")
    return Posting(sender, conversation, sent_ns(body), body)


def _parse(line: bytes) -> tuple[str, list[str]]:
    """(command, parameters) of a line that is not a ``PRIVMSG``."""
    text = line.decode(errors="replace")
    if text.startswith("@"):
        text = text.partition(" ")[2]
    if text.startswith(":"):
        text = text.partition(" ")[2]
    head, colon, trailing = text.partition(" :")
    words = head.split()
    if colon:
        words.append(trailing)
    return (words[0].upper(), words[1:]) if words else ("", [])


@functools.lru_cache(maxsize=1 << 16)
def _read_tagged_privmsg(line: bytes) -> Posting | None:
    """``@msgid=<conversation>/<seq> :nick!user@host PRIVMSG …`` (hubbub's listener with
    ``message-tags``) as a posting of that conversation and ``seq``."""
    if not line.startswith(b"@"):
        return _read_privmsg(line)
    tags, _, rest = line.partition(b" ")
    posting = _read_privmsg(rest)
    if posting is None:
        return None
    for tag in tags[1:].split(b";"):
        key, _, value = tag.partition(b"=")
        conversation, _, seq = value.decode(errors="replace").rpartition("/")
        if key == b"msgid" and seq.isdigit():
            return Posting(posting.sender, conversation, int(seq), posting.text)
    return posting


async def open_irc(
    host: str, port: int, name: str, login: tuple[str, str] | None = None
) -> IrcWire:
    """A new connection registered as ``nick_of(name)`` (signed in to ``login``'s account,
    name and secret, on hubbub's listener); raises :class:`WireClosed` or ``OSError`` if
    it fails."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(OPEN_SECONDS):
        _, wire = await loop.create_connection(lambda: IrcWire(nick_of(name), login), host, port)
        try:
            await wire.registered
        except BaseException:
            wire.drop()
            raise
    return wire


class IrcWire(asyncio.Protocol):
    """One IRC connection; sends are answered by their echo, ``sync`` by a ``PONG``.

    ``problems`` collects what a well-behaved client should never be told: error numerics,
    refusals, ``ERROR`` lines. ``lost`` is set when the TCP connection ends.
    """

    def __init__(self, nick: str, login: tuple[str, str] | None = None) -> None:
        loop = asyncio.get_running_loop()
        self._sent_nick = nick
        self._login = login
        self.nick = (login[0] if login is not None else nick).lower()
        """Whose echoes are this wire's: the nick, or on hubbub the account's name."""
        self._read = _read_tagged_privmsg if login is not None else _read_privmsg
        self.messages: list[Posting] = []
        self.arrivals = array("q")
        self._keep, self._stamp = self.messages.append, self.arrivals.append
        self.registered: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        """IRC has no close codes; there for the crowd's report, always None."""
        self.problems: list[str] = []
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._echoes: dict[str, asyncio.Future[Posting]] = {}
        self._joins: dict[str, asyncio.Future[None]] = {}
        self._named: set[str] = set()
        """Channels whose end of ``NAMES`` came with no ``JOIN`` asked (hubbub's rooms)."""
        self._pongs: dict[str, asyncio.Future[None]] = {}
        self._tokens = itertools.count(1)

    # ------------------------------------------------------------------ requests

    def join(self, channel: str) -> asyncio.Future[None]:
        """Join ``channel``; the future is done at the end of its ``NAMES``."""
        return self._await(self._joins, channel.lower(), b"JOIN %s\r\n" % channel.encode())

    def named(self, channel: str) -> asyncio.Future[None]:
        """Done at the end of ``channel``'s ``NAMES`` that registration sends, unasked."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if channel.lower() in self._named:
            future.set_result(None)
        else:
            self._joins[channel.lower()] = future
        return future

    def say(self, conversation: str, text: str) -> asyncio.Future[Posting]:
        """Post ``text`` to the conversation's channel; the future gets its echo."""
        return self._privmsg(channel_of(conversation), text)

    def message_user(self, to: str, text: str) -> asyncio.Future[Posting]:
        """Send ``text`` to the account named ``to``; the future gets its echo."""
        return self._privmsg(nick_of(to), text)

    def sync(self) -> asyncio.Future[None]:
        """A ``PING`` answered after whatever the server had queued for this connection."""
        token = f"sync{next(self._tokens)}"
        return self._await(self._pongs, token, b"PING :%s\r\n" % token.encode())

    async def close(self) -> None:
        """``QUIT``, and wait for the server to close the connection."""
        self._write(b"QUIT :done\r\n")
        await asyncio.shield(self.lost)

    def drop(self) -> None:
        """Cut the TCP connection."""
        if self._transport is not None:
            self._transport.abort()

    def _privmsg(self, target: str, text: str) -> asyncio.Future[Posting]:
        line = b"PRIVMSG %s :%s\r\n" % (target.encode(), text.encode())
        return self._await(self._echoes, text, line)

    def _await(
        self, pending: dict[str, asyncio.Future[T]], key: str, line: bytes
    ) -> asyncio.Future[T]:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        if self.lost.done():
            future.set_exception(WireClosed("the connection is closed"))
            return future
        pending[key] = future
        self._write(line)
        return future

    def _write(self, line: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(line)

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        nick = self._sent_nick.lower().encode()
        if self._login is None:
            caps, password = b"echo-message", b""
        else:
            caps = b"echo-message message-tags"
            password = b"PASS %s:%s\r\n" % tuple(part.encode() for part in self._login)
        self._transport.write(
            b"CAP REQ :%s\r\n%sNICK %s\r\nUSER %s 0 * :%s\r\nCAP END\r\n"
            % (caps, password, nick, nick, nick)
        )

    def data_received(self, data: bytes) -> None:
        """The hot path: a ``PRIVMSG`` costs a split, a cached parse and two appends."""
        arrived_ns = time.perf_counter_ns()
        lines = (self._buffer + data if self._buffer else data).split(b"\r\n")
        self._buffer = lines.pop()
        keep, stamp, read, nick = self._keep, self._stamp, self._read, self.nick
        for line in lines:
            posting = read(line)
            if posting is None:
                self._other(line)
                continue
            keep(posting)
            stamp(arrived_ns)
            if posting.sender == nick:
                echoed = self._echoes.pop(posting.text, None)
                if echoed is not None and not echoed.done():
                    echoed.set_result(posting)

    def connection_lost(self, exc: Exception | None) -> None:
        closed = WireClosed(f"the connection closed: {exc or 'EOF'}")
        if not self.registered.done():
            self.registered.set_exception(closed)
        for pending in (self._echoes, self._joins, self._pongs):
            for future in cast(dict[str, asyncio.Future[object]], pending).values():
                if not future.done():
                    future.set_exception(closed)
            pending.clear()
        self.lost.set_result(None)

    # ------------------------------------------------------------------ reading

    def _other(self, line: bytes) -> None:
        """Every line but a ``PRIVMSG``: registration, joins, pings, pongs and errors."""
        command, params = _parse(line)
        if command == "PING":
            self._write(b"PONG :%s\r\n" % (params[-1] if params else "").encode())
        elif command == "PONG" and params:
            self._resolve(self._pongs, params[-1])
        elif command == "001" and not self.registered.done():
            self.registered.set_result(None)
        elif command == "366" and len(params) >= 2:
            self._named.add(params[1].lower())
            self._resolve(self._joins, params[1].lower())
        elif command == "CAP" and len(params) >= 2 and params[1] == "NAK":
            self._refuse(f"the server does not offer {params[-1]}")
        elif command == "ERROR":
            self.problems.append(f"the server ended the connection: {' '.join(params)}")
        elif command[:1] in ("4", "5") and command.isdigit() and command != "422":
            self._refuse(f"the server refused: {command} {' '.join(params[1:])}")

    def _resolve(self, pending: dict[str, asyncio.Future[None]], key: str) -> None:
        future = pending.pop(key, None)
        if future is not None and not future.done():
            future.set_result(None)

    def _refuse(self, reason: str) -> None:
        """Before the welcome, the registration fails; after it, a problem is noted."""
        if not self.registered.done():
            self.registered.set_exception(WireClosed(reason))
            self.drop()
        else:
            self.problems.append(reason)
