"""Entries from several processes, delivered in ``seq`` order, each once.

Each process commits entries and shares them; they reach the other processes in any
order (one published before another may arrive after it, and a Redis outage loses some).
:class:`InOrder` lets an entry through only right after the one before it: an entry
that arrives early waits, and the missing ones are read from the store, where an entry
committed implies every earlier one of its conversation is.
"""

from __future__ import annotations

from hubbub.store import StoredMessage

GAP_PAGE = 250
"""Entries read from the store at a time to fill a gap."""


class InOrder:
    """Per conversation, the last entry let through and those that came early."""

    def __init__(self, heads: dict[str, int]) -> None:
        self.heads = heads
        """Conversation → ``seq`` of the last entry let through (shared with the hub)."""
        self._early: dict[str, dict[int, StoredMessage]] = {}
        self._reading: set[str] = set()

    def arrive(self, entry: StoredMessage) -> list[StoredMessage]:
        """The entries to deliver now, in order: none if ``entry`` was seen or came early."""
        conversation = entry.conversation
        head = self.heads.get(conversation, 0)
        if entry.seq <= head:
            return []
        if entry.seq > head + 1:
            self._early.setdefault(conversation, {})[entry.seq] = entry
            return []
        ready = [entry]
        head = entry.seq
        early = self._early.get(conversation)
        if early:
            while (following := early.pop(head + 1, None)) is not None:
                ready.append(following)
                head += 1
            for seq in [s for s in early if s <= head]:
                del early[seq]
            if not early:
                del self._early[conversation]
        self.heads[conversation] = head
        return ready

    def gap(self, conversation: str) -> tuple[int, int] | None:
        """What to read to fill the conversation's gap: (after, how many); None if there is
        no gap or a read is already under way."""
        early = self._early.get(conversation)
        if not early or conversation in self._reading:
            return None
        self._reading.add(conversation)
        head = self.heads.get(conversation, 0)
        return head, min(GAP_PAGE, min(early) - head - 1)

    def filled(self, conversation: str, entries: list[StoredMessage] | None) -> list[StoredMessage]:
        """The entries to deliver now that the store answered a :meth:`gap` read.

        If entries came back but the bus had brought them meanwhile, a gap that opened
        while the read ran is read next (:meth:`gap`). If the store had none of the
        missing ones (or could not be read: None), the gap is given up: the waiting
        entries go out, and the missing ones are left to a client's resume."""
        self._reading.discard(conversation)
        ready: list[StoredMessage] = []
        for entry in entries or ():
            ready.extend(self.arrive(entry))
        early = self._early.get(conversation)
        if not entries and early:
            self.heads[conversation] = min(early) - 1
            ready = self.arrive(early[min(early)])
        return ready
