"""How far this client has read each conversation: what a resume asks for, what dedup drops."""

from __future__ import annotations

from collections.abc import Mapping

from hubbub import protocol

STORED_TYPES = (protocol.Message, protocol.MessageEdited, protocol.MessageDeleted)
"""The events that have a place (a ``seq``) in a conversation: :data:`protocol.Stored`."""


class Watermarks:
    """Per conversation, the highest ``seq`` handed to the application.

    Every stored entry counts: messages and their change records (edits, deletes) share one
    ``seq`` sequence per conversation and arrive in ``seq`` order, so an entry at or below
    the mark has been delivered already and is a duplicate.

    A *baseline* is where a conversation starts for this client when none of its entries
    has been delivered yet: the ``heads`` of a sign-in (every conversation the user is in),
    the ``head`` of a ``room_added``, 0 for a chat that just started. Resuming asks for what
    came after it, so entries written while the client was away are not skipped.
    """

    def __init__(self) -> None:
        self._delivered: dict[str, int] = {}
        self._baselines: dict[str, int] = {}

    def admit(self, event: protocol.ServerEvent | protocol.Ok | protocol.Error) -> bool:
        """Take note of an incoming event; False if it is a stored entry delivered before.

        A stored entry advances its conversation's mark. ``room_added`` and ``chat_started``
        give a baseline to a conversation not known yet; ``room_removed`` forgets the room,
        so that joining it again starts from the new ``head``. Other events pass untouched.
        """
        if isinstance(event, STORED_TYPES):
            return self._admit_entry(event.conversation, event.seq)
        if isinstance(event, protocol.RoomAdded):
            if not self.knows(event.room.id):
                self.set_baseline(event.room.id, event.head)
        elif isinstance(event, protocol.ChatStarted):
            if not self.knows(event.conversation):
                self.set_baseline(event.conversation, 0)
        elif isinstance(event, protocol.RoomRemoved):
            self.forget(event.room)
        return True

    def _admit_entry(self, conversation: str, seq: int) -> bool:
        last = self._delivered.get(conversation)
        if last is not None and seq <= last:
            return False
        self._delivered[conversation] = seq
        return True

    def assume_delivered(self, since: Mapping[str, int]) -> None:
        """Take the application's word that it has every entry up to these marks."""
        self._delivered.update(since)

    def signed_in(self, heads: Mapping[str, int]) -> None:
        """A baseline from a sign-in's ``heads`` for every conversation not known yet."""
        for conversation, head in heads.items():
            if not self.knows(conversation):
                self.set_baseline(conversation, head)

    def set_baseline(self, conversation: str, seq: int) -> None:
        self._baselines[conversation] = seq

    def forget(self, conversation: str) -> None:
        """Drop a conversation the user is no longer in: resumes stop asking for it."""
        self._delivered.pop(conversation, None)
        self._baselines.pop(conversation, None)

    def knows(self, conversation: str) -> bool:
        return conversation in self._delivered or conversation in self._baselines

    def since(self) -> dict[str, int]:
        """The ``since`` map for a resuming sign-in: delivered marks over baselines."""
        return self._baselines | self._delivered
