"""Exact delivery accounting: what each client is owed, by (conversation, seq), against what it got.

Every message the benchmark sends carries a stamp, ``"hb <run> <sender> <n> <sent_ns>"``:
the run tells its messages from anyone else's (with ``--url`` other people may be
talking), and ``sent_ns`` (``time.perf_counter_ns()`` in this process, so one clock at
both ends) times it. A message is owed once its sender has the server's ``ok`` with its
``seq``: to every member of its room that signed in before it (the sign-in's ``heads``
tell where each one starts), or to the named clients of a direct message.

Receivers only keep what arrives (a raw wire does two appends per message), so that a
generator reading a million deliveries spends its CPU reading frames; the ledger reads
what they kept once it has all arrived, outside the measured time.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol

from hubbub.bench.report import Deliveries

STAMP = "hb"
POLL_SECONDS = 0.02


class Posted(Protocol):
    """A received message event: a raw wire's frame, or the client library's ``Message``."""

    @property
    def conversation(self) -> str | None: ...

    @property
    def seq(self) -> int | None: ...

    @property
    def text(self) -> str | None: ...


class Inbox:
    """One client's account: the message events it received and when each arrived (both
    kept by its receiver, in step), and what it is owed."""

    __slots__ = ("_arrivals", "_heads", "_ledger", "_owed", "_posted", "_read", "_seen", "name")

    def __init__(
        self, ledger: Ledger, name: str, posted: Sequence[Posted], arrivals: Sequence[int]
    ) -> None:
        self.name = name
        self._ledger = ledger
        self._posted = posted
        self._arrivals = arrivals
        self._read = 0
        """How many of ``_posted`` the ledger has read."""
        self._seen: dict[str, array[int]] = {}
        """The ``seq`` of each of the run's messages read, by conversation, in arrival order."""
        self._owed: dict[str, set[int]] = {}
        """Messages owed one by one (direct messages)."""
        self._heads: dict[str, int] = {}
        """Where the client's session started in each room it is in."""

    def joined(self, conversation: str, head: int) -> None:
        """Signed in with ``heads[conversation] == head``: every later message posted to
        that room (see :meth:`Ledger.expect_in_room`) is owed."""
        self._heads[conversation] = head
        self._ledger.listening(conversation, head)


class Ledger:
    """The run's deliveries: owed, arrived, and the latency of each that another client got.

    The sender's own copy of a message is counted but not timed: latency is measured where
    someone else receives it.
    """

    def __init__(self, run: str) -> None:
        self.prefix = f"{STAMP} {run} "
        self.expected_total = 0
        """Deliveries owed so far."""
        self._inboxes: list[Inbox] = []
        self._heads: dict[str, list[int]] = {}
        """Where each member's session started, sorted, by room: how many members a
        message of the room is owed to."""
        self._posted: dict[str, list[int]] = {}
        """The ``seq`` of each of the run's messages stored in a room, by room."""
        self._sending = True
        self._stamps: dict[str, tuple[str, int] | None] = {}
        self._ours = 0
        self._latencies = array("q")
        self._last_ns = 0

    def inbox(self, name: str, posted: Sequence[Posted], arrivals: Sequence[int]) -> Inbox:
        """Account for a client whose receiver keeps its message events in ``posted`` and
        their arrival times (``time.perf_counter_ns()``) in ``arrivals``."""
        inbox = Inbox(self, name, posted, arrivals)
        self._inboxes.append(inbox)
        return inbox

    def stamp(self, sender: str, n: int) -> str:
        """The text of the sender's ``n``-th message, timed from now.

        Each stamp's time is later than the last one's, so it also names the message
        within the run (see :func:`sent_ns`).
        """
        self._last_ns = max(time.perf_counter_ns(), self._last_ns + 1)
        return f"{self.prefix}{sender} {n} {self._last_ns}"

    @property
    def arrived(self) -> int:
        """Message events received so far, anyone's and duplicates included: cheap to ask."""
        return sum(len(inbox._posted) for inbox in self._inboxes)

    # ------------------------------------------------------------------ what is owed

    def listening(self, conversation: str, head: int) -> None:
        """One more member of the room, whose session there starts after ``head``."""
        bisect.insort(self._heads.setdefault(conversation, []), head)

    def expect_in_room(self, conversation: str, seq: int) -> None:
        """A message was stored in a room with ``seq``: owed to every member whose session
        there started before it."""
        self._posted.setdefault(conversation, []).append(seq)
        self.expected_total += bisect.bisect_left(self._heads.get(conversation, ()), seq)

    def expect(self, inbox: Inbox, conversation: str, seq: int) -> None:
        """A message of ``conversation`` with ``seq`` is owed to ``inbox``'s client."""
        inbox._owed.setdefault(conversation, set()).add(seq)
        self.expected_total += 1

    def sending_done(self) -> None:
        """Every message is sent and answered: nothing more will be owed."""
        self._sending = False

    # ------------------------------------------------------------------ waiting

    async def arrived_all(self, *, stall: float) -> None:
        """Wait until as many message events arrived as deliveries are owed, counting cheaply
        (someone else's messages too), or until none arrived for ``stall`` seconds."""
        await self._wait(lambda: self.arrived, stall)

    async def confirmed(self, *, stall: float) -> None:
        """Wait until the run's own messages make up every delivery owed (or a stall).

        After :meth:`arrived_all` this returns at once, unless other people's messages
        made that count too early.
        """
        await self._wait(self._read_all, stall)

    async def _wait(self, count: Callable[[], int], stall: float) -> None:
        loop = asyncio.get_running_loop()
        last, quiet_since = -1, loop.time()
        while (now := count()) < self.expected_total or self._sending:
            if now != last:
                last, quiet_since = now, loop.time()
            elif loop.time() - quiet_since > stall:
                return
            await asyncio.sleep(POLL_SECONDS)

    # ------------------------------------------------------------------ the verdict

    def latencies_ns(self) -> array[int]:
        """Arrival minus sending time of every delivery of the run's messages but their
        senders' own copies, in nanoseconds."""
        self._read_all()
        return self._latencies

    def tally(self) -> Deliveries:
        """Owed against received, client by client, by (conversation, seq)."""
        self._read_all()
        posted = {conversation: sorted(seqs) for conversation, seqs in self._posted.items()}
        expected = received = duplicates = unexpected = 0
        for inbox in self._inboxes:
            owed = dict(inbox._owed)
            for conversation, after in inbox._heads.items():
                room = posted.get(conversation, [])
                later = room[bisect.bisect_right(room, after) :]
                owed[conversation] = owed.get(conversation, set()).union(later)
            expected += sum(len(seqs) for seqs in owed.values())
            for conversation, seen in inbox._seen.items():
                wanted = owed.get(conversation, set())
                for seq, copies in Counter(seen).items():
                    if seq in wanted:
                        received += 1
                        duplicates += copies - 1
                    else:
                        unexpected += copies
        return Deliveries(expected, received, expected - received, duplicates, unexpected)

    def _read_all(self) -> int:
        """Read the messages received since the last call; return how many were the run's."""
        for inbox in self._inboxes:
            posted, arrivals = inbox._posted, inbox._arrivals
            for index in range(inbox._read, len(posted)):
                message = posted[index]
                stamp = self._read_stamp(message.text or "")
                if stamp is None or message.conversation is None or message.seq is None:
                    continue
                seen = inbox._seen.get(message.conversation)
                if seen is None:
                    seen = inbox._seen[message.conversation] = array("q")
                seen.append(message.seq)
                if stamp[0] != inbox.name:
                    self._latencies.append(arrivals[index] - stamp[1])
                self._ours += 1
            inbox._read = len(posted)
        return self._ours

    def _read_stamp(self, text: str) -> tuple[str, int] | None:
        """(sender, sent_ns) of one of the run's messages; None for anyone else's.

        Remembered by text: a message that reached many clients is read once.
        """
        try:
            return self._stamps[text]
        except KeyError:
            pass
        stamp = None
        if text.startswith(self.prefix) and (sent := sent_ns(text)) is not None:
            stamp = (text.split(" ")[2], sent)
        self._stamps[text] = stamp
        return stamp


def sent_ns(text: str) -> int | None:
    """The sending time in a stamp, unique within its run; None if ``text`` is no stamp.

    IRC gives a message no sequence number, so the IRC wire uses this as one.
    """
    parts = text.split(" ")
    if len(parts) == 5 and parts[0] == STAMP and parts[4].isdigit():
        return int(parts[4])
    return None
