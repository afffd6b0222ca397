"""A budget for the bytes queued to slow readers, all of them together.

Each connection may fall ``send_buffer`` bytes behind before it is closed (outbound.py),
but many of them falling behind at once could still fill the server's memory. Every
write that leaves bytes unsent notes the connection's backlog here; when the total is
over the budget, the readers furthest behind are cut (close code 4000) until it is not.
Backlogs drain without telling anyone, so the server's clock re-reads them
(:meth:`Backlog.refresh`), and so does every cut before it picks whom to cut.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("hubbub")


class Queued(Protocol):
    def queued_bytes(self) -> int:
        """Bytes written but not yet taken by the peer."""
        ...

    def cut(self) -> None:
        """Close the connection as a slow reader."""
        ...


class Backlog:
    __slots__ = ("_budget", "_queued", "_total")

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._queued: dict[Queued, int] = {}
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def note(self, reader: Queued, size: int) -> None:
        """``reader`` has ``size`` bytes queued after a write."""
        self._total += size - self._queued.get(reader, 0)
        self._queued[reader] = size
        if self._total > self._budget:
            self._cut_worst()

    def forget(self, reader: Queued) -> None:
        self._total -= self._queued.pop(reader, 0)

    def refresh(self) -> None:
        """Re-read every backlog; drop the readers that caught up."""
        queued = {reader: reader.queued_bytes() for reader in self._queued}
        self._queued = {reader: size for reader, size in queued.items() if size}
        self._total = sum(self._queued.values())

    def _cut_worst(self) -> None:
        self.refresh()
        for reader in sorted(self._queued, key=self._queued.__getitem__, reverse=True):
            if self._total <= self._budget:
                return
            log.warning(
                "slow readers hold %d bytes, over the budget of %d: cutting one %d behind",
                self._total, self._budget, self._queued[reader],
            )  # fmt: skip
            self.forget(reader)
            reader.cut()
