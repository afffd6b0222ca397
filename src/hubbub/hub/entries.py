"""Stored entries as the events clients see, and who a conversation id belongs to."""

from __future__ import annotations

from hubbub.protocol import Message, MessageDeleted, MessageEdited, Stored
from hubbub.store import StoredMessage


def as_event(stored: StoredMessage) -> Stored:
    """The event for a stored entry: a message as it is now, or a change record."""
    if stored.kind == "edit":
        assert stored.target is not None
        return MessageEdited(
            conversation=stored.conversation,
            seq=stored.seq,
            ts=stored.ts,
            sender=stored.sender,
            target=stored.target,
            text=stored.text,
        )
    if stored.kind == "delete":
        assert stored.target is not None
        return MessageDeleted(
            conversation=stored.conversation,
            seq=stored.seq,
            ts=stored.ts,
            sender=stored.sender,
            target=stored.target,
        )
    return Message(
        conversation=stored.conversation,
        seq=stored.seq,
        ts=stored.ts,
        sender=stored.sender,
        text=stored.text,
        to=stored.to,
        mentions=list(stored.mentions),
        client_id=stored.client_id,
        edited=stored.edited,
        deleted=stored.deleted,
    )
