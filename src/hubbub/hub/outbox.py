"""What the hub wants sent: frames encoded once, each with the connections that get it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import msgspec

from hubbub.protocol import Message, Presence, UserJoined, UserLeft, encode

ConnId = int


@dataclass(frozen=True, slots=True)
class Delivery:
    """One encoded frame and its recipients.

    ``mark`` is ``(conversation, seq)`` for stored messages, so a connection that is
    catching up after a resume can drop a live copy of a message it already replayed.
    ``lazy`` deliveries (who joined, left, changed status) may wait a few milliseconds
    to share a write with others: a storm of sign-ins would otherwise cost every
    connection one write per newcomer.
    """

    conns: tuple[ConnId, ...]
    data: bytes
    mark: tuple[str, int] | None = None
    lazy: bool = False


@dataclass(slots=True)
class Outbox:
    """The hub's answer to one input: an ordered list of deliveries, nothing sent yet."""

    deliveries: list[Delivery] = field(default_factory=list)

    def send(self, conns: Iterable[ConnId], event: msgspec.Struct) -> None:
        """Queue ``event`` for ``conns``; it is serialised once whatever their number."""
        targets = tuple(conns)
        if not targets:
            return
        mark = (event.conversation, event.seq) if isinstance(event, Message) else None
        lazy = isinstance(event, UserJoined | UserLeft | Presence)
        self.deliveries.append(Delivery(targets, encode(event), mark, lazy))

    def extend(self, other: Outbox) -> None:
        self.deliveries.extend(other.deliveries)

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self.deliveries)

    def __bool__(self) -> bool:
        return bool(self.deliveries)
