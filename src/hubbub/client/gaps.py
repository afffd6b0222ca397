"""Conversations a resume replayed only in part, while their missing entries are paged in.

A resume replays at most ``MAX_REPLAYED`` entries per conversation and then says where the
rest starts (``resume_gap``). Until the client has paged the rest in with ``history``, that
conversation's live entries wait here, so the application still sees every entry once and
in ``seq`` order.
"""

from __future__ import annotations

from hubbub.client.connection import InboundEvent
from hubbub.client.watermarks import STORED_TYPES


class Gaps:
    def __init__(self) -> None:
        self._waiting: dict[str, list[InboundEvent]] = {}

    def open(self, conversation: str) -> None:
        self._waiting.setdefault(conversation, [])

    def holds(self, event: InboundEvent) -> bool:
        """Keep ``event`` back if it is a live entry of a conversation being filled."""
        if isinstance(event, STORED_TYPES) and event.conversation in self._waiting:
            self._waiting[event.conversation].append(event)
            return True
        return False

    def close(self, conversation: str) -> list[InboundEvent]:
        """The gap is filled: the entries kept back, in arrival order."""
        return self._waiting.pop(conversation, [])

    def clear(self) -> None:
        """The connection is gone: what was kept back comes again with the next resume."""
        self._waiting.clear()
