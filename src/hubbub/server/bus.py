"""The bus: live changes between the processes of one chat, over Redis pub/sub.

Each process is a *node* (``node:`` + random hex, new at every start). What its hub
gathers in ``Outbox.ops`` is published, in order and never blocking the loop: ops queued
during one loop turn go out as one envelope (hub/cluster.py encodes it) while the last
one is on its way. What other nodes publish is handed to this node's hub; its own
messages come back from Redis and are skipped before they are decoded.

Two channels: :data:`BROADCAST` (every node) and ``hubbub:bus:<node>`` (one node). A
message is one byte of kind, the sender's node id, a space, then the payload:

``e``  an envelope of ops
``b``  a beat, every :data:`BEAT_SECONDS`; a node silent for :data:`NODE_TIMEOUT` is gone
``h``  hello: the sender has (re)subscribed: tell it what you know (it follows its hello
       with what it knows, for everyone)
``a``  ask: the sender heard from you without knowing you: tell it what you know
``x``  bye: the sender is stopping

"What you know" is ``hub.announce()``, sent to the asker's channel: the whole state of
the sender's side (it ends with a roster of who is online there), so applying it again
changes nothing and corrects what ops lost meanwhile had left wrong. Losing Redis costs
no stored message: the node logs it, keeps serving its own users, and reconnects with
backoff; once back it says hello, so the others' hubs and its own learn each other's
state again, and clients catch up by resume.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from hubbub.hub.cluster import decode_envelope, encode_envelope
from hubbub.hub.ops import NodeId, Op
from hubbub.server.metrics import Metrics

log = logging.getLogger("hubbub.bus")

BROADCAST = "hubbub:bus"
"""The channel every node publishes its changes and beats on."""
BEAT_SECONDS = 1.0
NODE_TIMEOUT = 5.0
"""Seconds without a word from a node (a beat or anything else) before it counts as gone.

A node that hears not even its own beats for this long takes its subscription for dead
and connects again."""
FIRST_RETRY = 0.1
LAST_RETRY = 5.0
"""Seconds between attempts to reach Redis again: doubling from the first to the last."""
CONNECT_TIMEOUT = 2.0
MAX_PENDING_OPS = 100_000
"""Ops waiting for Redis beyond this are dropped (the others fill gaps from the database)."""

ENVELOPE, BEAT, HELLO, ASK, BYE = b"e", b"b", b"h", b"a", b"x"
KINDS = frozenset((ENVELOPE, BEAT, HELLO, ASK, BYE))


def shown_url(url: str) -> str:
    """The Redis URL as it may be printed: a password in it masked."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def channel_of(node: NodeId) -> str:
    """The channel only ``node`` listens to."""
    return f"{BROADCAST}:{node}"


class Peer(Protocol):
    """What the bus drives: the node's hub, through the server that runs its decisions."""

    def take_ops(self, node: NodeId, ops: Sequence[Op]) -> None:
        """Apply another node's ops, in the order it published them."""

    def announce(self) -> list[Op]:
        """Everything a node that just (re)subscribed must learn from this one."""

    def forget_node(self, node: NodeId) -> None:
        """``node`` stopped or fell silent: forget everything it said."""

    def subscribed(self) -> None:
        """This node (re)joined the bus: changes may have been missed meanwhile."""


class BusUnavailable(Exception):
    """Redis could not be reached when the server started."""


@dataclass(slots=True)
class _Link:
    """One connection to Redis: a client to publish with, a subscription to read."""

    client: Redis
    pubsub: PubSub

    async def close(self) -> None:
        """Disconnect (the client's pool holds the subscription's connection too)."""
        with contextlib.suppress(RedisError, OSError):
            await self.client.aclose(close_connection_pool=True)


class _Silent(Exception):
    """The subscription delivered not even this node's own beats."""


class Bus:
    """This node's side of the bus: :meth:`publish` what the hub shares; the rest is
    handed to ``peer``."""

    def __init__(self, url: str, node: NodeId, peer: Peer, metrics: Metrics) -> None:
        self.url = url
        self.node = node
        self.peer = peer
        self._own = node.encode()
        self._mine = channel_of(node)
        self._mine_key = self._mine.encode()
        self._pending: list[tuple[str, bytes, list[Op]]] = []
        """What to publish, in order: (channel, kind, ops), consecutive envelopes merged."""
        self._pending_ops = 0
        self._dropped = 0
        self._wake = asyncio.Event()
        self._drained = asyncio.Event()
        """Everything queued has been published."""
        self._up = False
        self._nodes: dict[NodeId, float] = {}
        """The other nodes this one knows, and when each was last heard."""
        self._heard_self = 0.0
        self._tasks: list[asyncio.Task[None]] = []
        self._counted = metrics.watch_bus(lambda: self._up, lambda: len(self._nodes))

    @property
    def up(self) -> bool:
        """Whether this node is subscribed (changes reach the others)."""
        return self._up

    def nodes(self) -> list[NodeId]:
        """The other nodes heard from within :data:`NODE_TIMEOUT`."""
        return sorted(self._nodes)

    # ------------------------------------------------------------------ lifetime

    async def start(self) -> None:
        """Connect and subscribe; :class:`BusUnavailable` if Redis cannot be reached."""
        try:
            link = await self._connect()
        except (RedisError, OSError, ValueError) as error:
            where = shown_url(self.url)
            raise BusUnavailable(f"cannot reach Redis at {where}: {error}") from None
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._stay_connected(link)),
            loop.create_task(self._watch_nodes()),
        ]

    async def stop(self) -> None:
        """Say bye (once what is queued has gone out, within a second), then disconnect."""
        if self._up:
            self._queue(BROADCAST, BYE)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained.wait(), 1.0)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    # ------------------------------------------------------------------ publishing

    def publish(self, ops: Sequence[Op]) -> None:
        """Queue ``ops`` for every other node; they go out in the order queued."""
        if not self._up:
            self._dropped += len(ops)
            self._counted.dropped.inc(len(ops))
        elif self._pending_ops + len(ops) > MAX_PENDING_OPS:
            if not self._dropped:
                log.warning("Redis takes changes slower than they come: dropping some")
            self._dropped += len(ops)
            self._counted.dropped.inc(len(ops))
        else:
            self._queue(BROADCAST, ENVELOPE, ops)

    def _queue(self, channel: str, kind: bytes, ops: Sequence[Op] = ()) -> None:
        if kind == ENVELOPE and not ops:
            return
        pending = self._pending
        if kind == ENVELOPE and pending and pending[-1][:2] == (channel, ENVELOPE):
            pending[-1][2].extend(ops)
        else:
            pending.append((channel, kind, list(ops)))
        self._pending_ops += len(ops)
        self._drained.clear()
        self._wake.set()

    async def _write(self, client: Redis) -> None:
        """Publish what is queued, in order: one round trip for all that waited."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending, sent = self._pending, [], self._pending_ops
            self._pending_ops = 0
            async with client.pipeline(transaction=False) as pipe:
                for channel, kind, ops in batch:
                    payload = encode_envelope(self.node, ops) if kind == ENVELOPE else b""
                    pipe.publish(channel, b"%b%b %b" % (kind, self._own, payload))
                await pipe.execute()
            self._counted.published.inc(sent)
            if not self._pending:
                self._drained.set()
            if self._dropped and self._up:
                log.warning("Redis caught up (%d changes were not shared)", self._dropped)
                self._dropped = 0

    # ------------------------------------------------------------------ receiving

    async def _read(self, pubsub: PubSub) -> None:
        """Hand every message to :meth:`_received`; give up if nothing comes, not even our
        own beats, for :data:`NODE_TIMEOUT` (while messages come, this node is catching up
        after its loop was busy)."""
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=BEAT_SECONDS)
            if message is None:
                if time.monotonic() - self._heard_self > NODE_TIMEOUT:
                    raise _Silent(f"heard nothing on the bus for {NODE_TIMEOUT:g} s")
            elif message["type"] == "message":
                self._received(message["data"], answer=message["channel"] == self._mine_key)

    def _received(self, data: bytes, *, answer: bool) -> None:
        """One message; ``answer``: it came on this node's own channel (an announce it
        asked for, or a question for it)."""
        kind, space = data[:1], data.find(b" ", 1)
        if kind not in KINDS or space < 2:
            log.warning("ignored a message on the bus that hubbub did not write: %r", data[:40])
            return
        sender = data[1:space]
        if sender == self._own:
            if kind == BEAT:
                self._heard_self = time.monotonic()
            return
        node = sender.decode(errors="replace")
        ops: Sequence[Op] = ()
        if kind == ENVELOPE:
            # Decoded before the sender counts as a node: junk that merely starts like an
            # envelope must not make a node that the others then wait for to time out.
            try:
                ops = decode_envelope(data[space + 1 :]).ops
            except Exception:
                log.warning("ignored an envelope from %s that did not decode: %r", node, data[:40])
                return
        if kind == BYE:
            self._gone(node, "said bye")
            return
        known = node in self._nodes
        self._nodes[node] = time.monotonic()
        if kind in (HELLO, ASK):
            self._queue(channel_of(node), ENVELOPE, self.peer.announce())
        elif not known and not answer:
            log.info("%s hears %s: asking what it knows", self.node, node)
            self._queue(channel_of(node), ASK)
        if ops:
            self._counted.received.inc(len(ops))
            try:
                self.peer.take_ops(node, ops)
            except Exception:
                log.exception("could not apply what %s published", node)

    # ------------------------------------------------------------------ connection

    async def _connect(self) -> _Link:
        """A new connection, subscribed to both channels (confirmed by Redis)."""
        # No retries inside redis-py: a lost connection must surface, so that this node
        # says hello again once it has resubscribed.
        client: Redis = Redis.from_url(
            self.url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=NODE_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        pubsub = client.pubsub()
        link = _Link(client, pubsub)
        try:
            await pubsub.subscribe(BROADCAST, self._mine)
            async with asyncio.timeout(CONNECT_TIMEOUT):
                confirmed = 0
                while confirmed < 2:
                    message: dict[str, Any] | None = await pubsub.get_message(timeout=None)
                    if message is not None and message["type"] == "subscribe":
                        confirmed += 1
        except BaseException:
            await link.close()
            raise
        return link

    async def _stay_connected(self, link: _Link) -> None:
        """Serve on ``link`` until it fails, then connect again with backoff, forever."""
        while True:
            try:
                await self._serve(link)
            except* (RedisError, OSError, _Silent) as lost:
                log.warning(
                    "lost Redis (%s): serving this node's users alone, reconnecting",
                    "; ".join(str(error) for error in lost.exceptions),
                )
            except* Exception:
                log.exception("the bus failed: reconnecting")
            finally:
                self._up = False
                self._pending, self._pending_ops = [], 0
                await link.close()
            delay = FIRST_RETRY
            while True:
                await asyncio.sleep(delay)
                try:
                    link = await self._connect()
                    break
                except (RedisError, OSError):
                    delay = min(2 * delay, LAST_RETRY)
            log.warning("Redis is back (%d changes were not shared meanwhile)", self._dropped)
            self._dropped = 0

    async def _serve(self, link: _Link) -> None:
        """Say hello and what this node knows, then read, publish and beat until the
        connection fails. The others' answers to the hello correct what this node missed."""
        self._up = True
        self._heard_self = time.monotonic()
        self._queue(BROADCAST, HELLO)
        self._queue(BROADCAST, ENVELOPE, self.peer.announce())
        self.peer.subscribed()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._read(link.pubsub))
            group.create_task(self._write(link.client))

    async def _watch_nodes(self) -> None:
        """Beat while subscribed; forget nodes silent for :data:`NODE_TIMEOUT`, even
        while Redis is lost (their users are unreachable then).

        While subscribed, silence is counted up to this node's own last beat heard, not
        the clock: after this node's loop was too busy to read, the others' beats wait
        unread behind its own, and they are not gone."""
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            if self._up:
                self._queue(BROADCAST, BEAT)
            until = self._heard_self if self._up else time.monotonic()
            for node, heard in list(self._nodes.items()):
                if until - heard > NODE_TIMEOUT:
                    self._gone(node, f"silent for {NODE_TIMEOUT:g} s")

    def _gone(self, node: NodeId, why: str) -> None:
        if self._nodes.pop(node, None) is None:
            return
        log.warning("node %s is gone (%s)", node, why)
        try:
            self.peer.forget_node(node)
        except Exception:
            log.exception("could not forget node %s", node)
