"""Catching a resumed session up: every message it missed, in order, none twice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.protocol import Message, encode
from hubbub.server.outbound import text_frame
from hubbub.store import StoredMessage

if TYPE_CHECKING:
    from hubbub.hub import ConnId
    from hubbub.server.server import ChatServer

MAX_RESUMED_CONVERSATIONS = 200
PAGE = 500


def as_event(stored: StoredMessage) -> Message:
    return Message(
        conversation=stored.conversation,
        seq=stored.seq,
        ts=stored.ts,
        sender=stored.sender,
        text=stored.text,
        to=stored.to,
    )


async def replay(server: ChatServer, conn: ConnId, account_id: int, since: dict[str, int]) -> int:
    """Send the messages after ``since`` and the direct messages held while offline.

    Runs while the connection's live frames are held back; returns how many it sent.
    Held messages stay unproven until the connection shows it read them (see unread.py).
    """
    store = server.store
    seen = dict(since)
    sent = 0

    def push(message: StoredMessage) -> bool:
        nonlocal sent
        if message.seq <= seen.get(message.conversation, 0):
            return False
        seen[message.conversation] = message.seq
        server.outbound(conn).push_missed(
            text_frame(encode(as_event(message))), message.conversation, message.seq
        )
        sent += 1
        return True

    for conversation, last in list(since.items())[:MAX_RESUMED_CONVERSATIONS]:
        if not await store.can_read(account_id, conversation):
            continue
        after = last
        while True:
            page = await store.history(conversation, after=after, limit=PAGE)
            for message in page:
                push(message)
            if len(page) < PAGE:
                break
            after = page[-1].seq
    for message in await store.take_held(account_id):
        if push(message):
            server.written_unproven([conn], message)
    return sent
