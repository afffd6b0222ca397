"""fanout: N clients in the lobby, M messages from a few senders, each delivered to all N.

The server's CPU is read just before the first message and again once the last delivery
has arrived, so signing in (and the N²/2 ``user_joined`` frames it costs) is not in the
per-delivery figure. Every client, the senders included, gets every message: N times M
deliveries, each timed from its stamp to its arrival (the sender's own copy untimed).
"""

from __future__ import annotations

import asyncio

from hubbub.bench.catalog import SENDERS, Load
from hubbub.bench.crowd import Crowd, Member
from hubbub.bench.report import Metric, Target, metric, server_cpu_per
from hubbub.bench.run import Run, deliver_all, say_in_lobby
from hubbub.bench.wire import Frame


async def measure(run: Run, load: Load) -> list[Metric]:
    crowd = Crowd(run.address, run.ledger)
    async with run.board.track("signing in", len(run.accounts), lambda: crowd.signed_in):
        await crowd.join(run.accounts)
    await crowd.barrier()
    senders = crowd.members[:SENDERS]
    if not senders:
        run.problems += crowd.problems()
        return []
    shares = [load.messages // len(senders)] * len(senders)
    shares[0] += load.messages - sum(shares)
    slots = asyncio.Semaphore(load.in_flight)
    speaking = (speak(run, s, share, slots) for s, share in zip(senders, shares, strict=True))
    phase, _ = await deliver_all(
        run, "send and deliver", crowd.signed_in * load.messages, asyncio.gather(*speaking)
    )
    run.problems += crowd.problems()
    crowd.drop()
    received = run.ledger.tally().received
    return [
        metric(
            "server CPU per delivery", server_cpu_per(phase, received, 1e6), "µs", Target("<=", 1)
        ),
        metric("deliveries per second", received / phase.wall_s, "/s"),
    ]


async def speak(run: Run, sender: Member, count: int, slots: asyncio.Semaphore) -> None:
    """Say ``count`` stamped messages in the lobby, each once a slot in flight is free."""
    sent: list[asyncio.Future[Frame]] = []
    for n in range(count):
        await slots.acquire()
        future = say_in_lobby(run, sender, n)
        future.add_done_callback(lambda _: slots.release())
        sent.append(future)
    if sent:
        await asyncio.wait(sent)
