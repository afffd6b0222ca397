"""What the hub wants sent: frames encoded once, each with the connections that get it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import msgspec

from hubbub.hub.ops import Op
from hubbub.protocol import Message, MessageDeleted, MessageEdited, Presence, encode

ConnId = int


@dataclass(frozen=True, slots=True)
class Delivery:
    """One encoded frame and its recipients.

    ``mark`` is ``(conversation, seq)`` for stored entries, so a connection that is
    catching up after a resume can drop a live copy of one it already replayed.
    ``lazy`` deliveries (presence changes) may wait a few milliseconds to share a write
    with others. ``urgent`` ones (replies, replayed history) go ahead of live frames held
    back while a connection catches up. ``proof``: a direct message that counts as read
    only once the connection has shown it reads (see server/unread.py).
    """

    conns: tuple[ConnId, ...]
    data: bytes
    mark: tuple[str, int] | None = None
    lazy: bool = False
    urgent: bool = False
    proof: bool = False


@dataclass(slots=True)
class Outbox:
    """The hub's answer to one input: an ordered list of deliveries, nothing sent yet."""

    deliveries: list[Delivery] = field(default_factory=list)
    closes: list[tuple[ConnId, int, str]] = field(default_factory=list)
    """Connections to close after the deliveries: (connection, close code, reason)."""
    ops: list[Op] = field(default_factory=list)
    """Changes the other processes must apply, published after the deliveries."""

    def send(self, conns: Iterable[ConnId], event: msgspec.Struct, *, urgent: bool = False) -> None:
        """Queue ``event`` for ``conns``; it is serialised once whatever their number."""
        targets = tuple(conns)
        if not targets:
            return
        mark = None
        proof = False
        if isinstance(event, Message | MessageEdited | MessageDeleted):
            mark = (event.conversation, event.seq)
            proof = isinstance(event, Message) and event.to is not None
        lazy = isinstance(event, Presence) and not event.full
        self.deliveries.append(Delivery(targets, encode(event), mark, lazy, urgent, proof))

    def send_encoded(self, conns: Iterable[ConnId], data: bytes, *, urgent: bool = False) -> None:
        """Queue an already encoded event (one the hub keeps encoded, such as a room's list)."""
        targets = tuple(conns)
        if targets:
            self.deliveries.append(Delivery(targets, data, urgent=urgent))

    def close(self, conns: Iterable[ConnId], code: int, reason: str) -> None:
        """Close ``conns`` with a WebSocket close ``code``, once what is queued is sent."""
        self.closes.extend((conn, code, reason) for conn in conns)

    def share(self, op: Op) -> None:
        """Tell the other processes about a change (only a hub with a node id calls this)."""
        self.ops.append(op)

    def extend(self, other: Outbox) -> None:
        self.deliveries.extend(other.deliveries)
        self.closes.extend(other.closes)
        self.ops.extend(other.ops)

    def extended(self, other: Outbox) -> Outbox:
        """This outbox followed by ``other``'s deliveries and closes."""
        self.extend(other)
        return self

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self.deliveries)

    def __bool__(self) -> bool:
        return bool(self.deliveries or self.closes or self.ops)
