"""Direct messages written to a connection but not yet proven read by the client.

Bytes written to a socket that then drops may never have reached the client, and a
direct message in a conversation the client has never seen cannot be asked for again by
``since``. So each direct message written to a connection stays *unproven* for two
heartbeats: a connection still open after that has answered a ping sent after the
message (or it would have been dropped), so the message was read. If the connection
drops first, its unproven messages are held again for their account and come back at
the next sign-in or resume; a resuming client filters out any it did get.
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple


class Unproven(NamedTuple):
    account_id: int
    conversation: str
    seq: int


class UnreadLog:
    """The unproven direct messages of one connection, oldest first.

    Most connections never have any, so the server makes one for the first. Entries
    are plain tuples of plain values, which the garbage collector stops tracking:
    thousands live for 30 s under a stream of direct messages, and as tracked objects
    they made every full collection longer and more frequent.
    """

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: deque[tuple[float, int, str, int]] = deque()

    def add(self, message: Unproven, proven_at: float) -> None:
        account_id, conversation, seq = message
        self._entries.append((proven_at, account_id, conversation, seq))

    def settle(self, now: float) -> bool:
        """Forget messages proven read by ``now``; True while some remain unproven."""
        entries = self._entries
        while entries and entries[0][0] <= now:
            entries.popleft()
        return bool(entries)

    def unproven(self) -> list[Unproven]:
        return [Unproven(*entry[1:]) for entry in self._entries]
