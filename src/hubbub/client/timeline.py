"""One conversation as a client knows it: its messages by ``seq``, its read marker, its unread.

Pure bookkeeping for :mod:`hubbub.client.state`; no I/O.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from hubbub import protocol
from hubbub.client.shapes import ShownMessage


@dataclass(frozen=True, slots=True)
class _Deletion:
    target: int
    sender: str


class Timeline:
    """Messages of one conversation by ``seq``, each entry (message or change record) once.

    Counts follow the server's rule: ``unread`` is the messages from others after the read
    marker, deleted ones and change records excluded; ``mentions`` those naming ``me``.
    The server's last figures (:meth:`rebase`) stand for what this client never saw; above
    them, and wherever every ``seq`` is known, the count is made from the messages held.
    """

    def __init__(self, me: str, *, head: int = 0) -> None:
        self._me = me.casefold()
        self._messages: dict[int, ShownMessage] = {}
        self._order: list[int] = []
        self._seen: set[int] = set()
        self._deletions: dict[int, _Deletion] = {}
        self._deleted: set[int] = set()
        self._edits: dict[int, protocol.MessageEdited] = {}
        self.last_seq = head
        self.read = head
        self._base_seq = head
        self._base_read = head
        self._base_unread = 0
        self._base_mentions = 0

    def add(self, entry: protocol.Stored) -> bool:
        """Apply an entry from any source (live, replay, history); False if seen before.

        A message seen again (in a history page) replaces the one held, with every change
        record this timeline has seen applied on top, so an older page cannot undo a change.
        """
        self.last_seq = max(self.last_seq, entry.seq)
        if isinstance(entry, protocol.Message):
            return self._add_message(ShownMessage.of(entry))
        if entry.seq in self._seen:
            return False
        self._seen.add(entry.seq)
        if isinstance(entry, protocol.MessageDeleted):
            self._deletions[entry.seq] = _Deletion(entry.target, entry.sender)
            self._deleted.add(entry.target)
        else:
            latest = self._edits.get(entry.target)
            if latest is None or latest.seq < entry.seq:
                self._edits[entry.target] = entry
        target = self._messages.get(entry.target)
        if target is not None:
            self._messages[entry.target] = self._changed(target)
        return True

    def _add_message(self, shown: ShownMessage) -> bool:
        if shown.seq not in self._messages:
            bisect.insort(self._order, shown.seq)
        self._messages[shown.seq] = self._changed(shown)
        if shown.seq in self._seen:
            return False
        self._seen.add(shown.seq)
        return True

    def _changed(self, shown: ShownMessage) -> ShownMessage:
        """``shown`` with the latest edit and any deletion this timeline has seen."""
        if shown.deleted or shown.seq in self._deleted:
            return shown if shown.deleted else shown.tombstone()
        edit = self._edits.get(shown.seq)
        return shown if edit is None else replace(shown, text=edit.text, edited=True)

    def rebase(self, info: protocol.ConversationInfo) -> None:
        """Take the server's figures (from ``conversations``) as the truth up to its last seq."""
        self._base_seq = info.last_seq
        self._base_read = info.read
        self._base_unread = info.unread
        self._base_mentions = info.mentions
        self.last_seq = max(self.last_seq, info.last_seq)
        self.read = max(self.read, info.read)

    def move_read(self, seq: int) -> bool:
        """Move the read marker forward to ``seq`` (never back); False if it did not move."""
        if seq <= self.read:
            return False
        self.read = seq
        return True

    @property
    def messages(self) -> list[ShownMessage]:
        return [self._messages[seq] for seq in self._order]

    def message(self, seq: int) -> ShownMessage | None:
        return self._messages.get(seq)

    def counts(self) -> tuple[int, int]:
        """``(unread, mentions)`` now."""
        if self.read >= self.last_seq:
            return 0, 0
        fresh = self._tally(max(self.read, self._base_seq))
        if self.read >= self._base_seq or self._knows_all(self.read, self._base_seq):
            old = self._tally(self.read, self._base_seq)
            return fresh[0] + old[0], fresh[1] + old[1]
        unread, mentions = self._base_unread, self._base_mentions
        for seq, deletion in self._deletions.items():
            if seq > self._base_seq and self._counted_at_base(deletion):
                unread -= 1
                target = self._messages.get(deletion.target)
                if target is not None and self._me in _folded(target.mentions):
                    mentions -= 1
        unread = max(0, min(unread, self._base_seq - self.read))
        return fresh[0] + unread, fresh[1] + max(0, min(mentions, unread))

    def _counted_at_base(self, deletion: _Deletion) -> bool:
        """Whether the server's last unread figure counted the message ``deletion`` removed."""
        return (
            self._base_read < deletion.target <= self._base_seq
            and deletion.sender.casefold() != self._me
        )

    def _tally(self, after: int, upto: int | None = None) -> tuple[int, int]:
        unread = mentions = 0
        start = bisect.bisect_right(self._order, after)
        stop = len(self._order) if upto is None else bisect.bisect_right(self._order, upto)
        for seq in self._order[start:stop]:
            shown = self._messages[seq]
            if shown.deleted or shown.sender.casefold() == self._me:
                continue
            unread += 1
            mentions += self._me in _folded(shown.mentions)
        return unread, mentions

    def _knows_all(self, after: int, upto: int) -> bool:
        if upto - after > len(self._seen):
            return False
        return all(seq in self._seen for seq in range(after + 1, upto + 1))


def _folded(names: tuple[str, ...]) -> set[str]:
    return {name.casefold() for name in names}
