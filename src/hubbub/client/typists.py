"""Who is typing where, for as long as an indicator lasts. Pure; no I/O."""

from __future__ import annotations

from hubbub.protocol import TYPING_LASTS


class Typists:
    """Per conversation, each typist's expiry: :data:`TYPING_LASTS` after their last
    ``typing`` event, or sooner when their message arrives."""

    def __init__(self) -> None:
        self._until: dict[str, dict[str, float]] = {}

    def started(self, conversation: str, name: str, now: float) -> None:
        self._until.setdefault(conversation, {})[name] = now + TYPING_LASTS

    def stopped(self, conversation: str, name: str) -> None:
        self._until.get(conversation, {}).pop(name, None)

    def drop(self, conversation: str) -> None:
        self._until.pop(conversation, None)

    def names(self, conversation: str, now: float) -> list[str]:
        """The live typists at ``now``, first typist first; expired ones are forgotten."""
        typists = self._until.get(conversation, {})
        for name, until in list(typists.items()):
            if until <= now:
                del typists[name]
        return list(typists)
