"""A run in progress, and the steps the scenarios share."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from hubbub import protocol
from hubbub.bench.accounts import Credentials
from hubbub.bench.crowd import Member
from hubbub.bench.dialect import Dialect, Stored
from hubbub.bench.display import Board
from hubbub.bench.ledger import Ledger
from hubbub.bench.meter import Meter
from hubbub.bench.report import Phase
from hubbub.bench.rooms import PlannedRoom
from hubbub.bench.server import Measured

T = TypeVar("T")

STALL_SECONDS = 10.0
"""How long a run waits with no delivery arriving before it counts the rest as lost."""


@dataclass(slots=True)
class Run:
    """One run in progress: the server, how to speak to it, the seeded accounts and the
    instruments.

    ``server`` is None with ``--url``. The accounts share ``password``; ``rooms`` were
    seeded with them (``fanout --rooms``). Scenarios add what went wrong to ``problems``
    (any of it fails the run) and what a reader should know to ``notes``.
    """

    run_id: str
    url: str
    accounts: list[Credentials]
    password: str
    board: Board
    server: Measured | None
    dialect: Dialect
    notes: list[str]
    rooms: list[PlannedRoom] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ledger: Ledger = field(init=False)
    meter: Meter = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.run_id)
        self.meter = Meter(None if self.server is None else self.server.cpu_seconds)


def when_stored(
    sending: Awaitable[Stored], run: Run, owe: Callable[[Stored], None]
) -> asyncio.Future[Stored]:
    """Once the server has stored a send, ``owe`` its deliveries (given where it was
    stored), or say why not; return the send as a future."""
    future = asyncio.ensure_future(sending)

    def answered(done: asyncio.Future[Stored]) -> None:
        error = None if done.cancelled() else done.exception()
        if error is not None or done.cancelled():
            run.problems.append(f"a send failed: {error or 'cancelled'}")
        else:
            owe(done.result())

    future.add_done_callback(answered)
    return future


def say(
    run: Run, member: Member, n: int, conversation: str = protocol.LOBBY
) -> asyncio.Future[Stored]:
    """Send the member's ``n``-th stamped message to a room; once stored, every member is
    owed it."""
    text = run.ledger.stamp(member.account.name, n)
    return when_stored(
        member.wire.say(conversation, text),
        run,
        lambda ok: run.ledger.expect_in_room(ok.conversation or "", ok.seq or 0),
    )


async def deliver_all(run: Run, phase: str, owed: int, sending: Awaitable[T]) -> tuple[Phase, T]:
    """Measure ``phase``: await ``sending`` (which must end once every send is answered,
    and must not have sent anything yet), then the deliveries, with a bar of them against
    ``owed``; return the phase and what ``sending`` returned.

    The phase ends as soon as enough messages arrived; which ones they were is checked
    after it. Deliveries still missing when none arrived for ``STALL_SECONDS`` are left for
    the ledger's tally to count as lost.
    """
    clock = run.meter.start(phase)
    async with run.board.track("deliveries", owed, lambda: run.ledger.arrived):
        result = await sending
        run.ledger.sending_done()
        await run.ledger.arrived_all(stall=STALL_SECONDS)
    measured = clock.stop()
    await run.ledger.confirmed(stall=STALL_SECONDS)
    return measured, result
