"""fanout: N clients in the lobby, M messages from a few senders, each delivered to all N.

With ``--rooms K`` the messages go to K rooms instead, seeded before the server starts
(``hubbub.bench.rooms``): each client is in 3 of them, the senders in all, and sender
``s`` posts its ``n``-th message to room ``(s + n) % K``, so the rooms take turns. Each
message is owed to the members of its room.

The server's CPU is read just before the first message and again once the last delivery
has arrived, so signing in (and the presence it costs) is not in the per-delivery
figure. Every member, the sender included, gets every message of its rooms: each
delivery is timed from its stamp to its arrival (the sender's own copy untimed).
"""

from __future__ import annotations

import asyncio
import statistics

from hubbub.bench.catalog import SENDERS, Load
from hubbub.bench.crowd import Crowd, Member
from hubbub.bench.dialect import Stored
from hubbub.bench.report import Metric, Target, metric, server_cpu_per
from hubbub.bench.rooms import ROOMS_PER_CLIENT
from hubbub.bench.run import Run, deliver_all, say
from hubbub.protocol import LOBBY


async def measure(run: Run, load: Load) -> list[Metric]:
    crowd = Crowd(run.dialect, run.ledger)
    async with run.board.track("signing in", len(run.accounts), lambda: crowd.signed_in):
        await crowd.join(run.accounts)
    await crowd.barrier()
    chosen = [account.name for account in run.accounts[:SENDERS]]
    by_name = {member.account.name: member for member in crowd.members}
    senders = [by_name[name] for name in chosen if name in by_name]
    if not senders:
        run.problems += crowd.problems()
        return []
    shares = [load.messages // len(senders)] * len(senders)
    shares[0] += load.messages - sum(shares)
    rooms = [room.id for room in run.rooms] or [LOBBY]
    schedule = [
        [rooms[(s + n) % len(rooms)] for n in range(share)] for s, share in enumerate(shares)
    ]
    sizes = {room.id: len(room.members) for room in run.rooms} or {LOBBY: crowd.signed_in}
    owed = sum(sizes[room] for posts in schedule for room in posts)
    if run.rooms:
        members = sorted(sizes.values())
        run.notes.append(
            f"{len(rooms)} rooms, each client in {min(ROOMS_PER_CLIENT, len(rooms))} and the "
            f"senders in all; members per room: min {members[0]}, "
            f"median {statistics.median(members):g}, max {members[-1]}"
        )
    slots = asyncio.Semaphore(load.in_flight)
    speaking = (speak(run, s, posts, slots) for s, posts in zip(senders, schedule, strict=True))
    phase, _ = await deliver_all(run, "send and deliver", owed, asyncio.gather(*speaking))
    run.problems += crowd.problems()
    crowd.drop()
    received = run.ledger.tally().received
    return [
        metric(
            "server CPU per delivery", server_cpu_per(phase, received, 1e6), "µs", Target("<=", 1)
        ),
        metric("deliveries per second", received / phase.wall_s, "/s"),
    ]


async def speak(run: Run, sender: Member, rooms: list[str], slots: asyncio.Semaphore) -> None:
    """Say one stamped message in each of ``rooms`` in turn, each once a slot in flight is free."""
    sent: list[asyncio.Future[Stored]] = []
    for n, room in enumerate(rooms):
        await slots.acquire()
        future = say(run, sender, n, room)
        future.add_done_callback(lambda _: slots.release())
        sent.append(future)
    if sent:
        await asyncio.wait(sent)
