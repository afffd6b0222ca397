"""How far this client has read each conversation: what a resume asks for, what dedup drops."""

from __future__ import annotations

from collections.abc import Mapping

from hubbub import protocol


class Watermarks:
    """Per conversation, the highest ``seq`` handed to the application.

    Messages of a conversation arrive in ``seq`` order, so a message at or below the mark
    has been delivered already and is a duplicate. A *baseline* is where a conversation
    starts for this client when none of its messages has been delivered yet (the lobby's
    latest message at sign-in, 0 for a chat that just started): resuming asks for what came
    after it, so messages sent while the client was away are not skipped.
    """

    def __init__(self) -> None:
        self._delivered: dict[str, int] = {}
        self._baselines: dict[str, int] = {}

    def admit(self, message: protocol.Message) -> bool:
        """Record ``message`` as delivered, or return False if it was delivered before."""
        last = self._delivered.get(message.conversation)
        if last is not None and message.seq <= last:
            return False
        self._delivered[message.conversation] = message.seq
        return True

    def assume_delivered(self, since: Mapping[str, int]) -> None:
        """Take the application's word that it has every message up to these marks."""
        self._delivered.update(since)

    def set_baseline(self, conversation: str, seq: int) -> None:
        self._baselines[conversation] = seq

    def knows(self, conversation: str) -> bool:
        return conversation in self._delivered or conversation in self._baselines

    def since(self) -> dict[str, int]:
        """The ``since`` map for a resuming sign-in."""
        return self._baselines | self._delivered
