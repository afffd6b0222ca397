"""dm: N signed-in clients send direct messages to each other at a fixed offered rate.

Open loop: the k-th message goes at start + k / rate whatever the server is doing, from a
random client to another random client, without waiting for earlier answers, so a slow
server shows as latency instead of quietly lowering the rate. The server delivers each
direct message to both parties' connections: the recipient (timed) and the sender's
own copy, so 2 deliveries per message are owed. Server CPU covers the sending time and
the wait for the last delivery.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from hubbub.bench.catalog import PAIRS_SEED, Load
from hubbub.bench.crowd import Crowd, Member
from hubbub.bench.dialect import Stored
from hubbub.bench.report import Metric, Target, metric, server_cpu_per
from hubbub.bench.run import Run, deliver_all, when_stored

ANSWER_SECONDS = 30.0


async def measure(run: Run, load: Load) -> list[Metric]:
    crowd = Crowd(run.dialect, run.ledger)
    async with run.board.track("signing in", len(run.accounts), lambda: crowd.signed_in):
        await crowd.join(run.accounts)
    await crowd.barrier()
    if crowd.signed_in < 2:
        run.problems += [*crowd.problems(), "direct messages need two signed-in clients"]
        return []
    total = round(load.rate * load.duration)
    sent: list[asyncio.Future[Stored]] = []
    async with run.board.track("direct messages sent", total, lambda: len(sent)):
        phase, (lag, sending) = await deliver_all(
            run, "send and deliver", 2 * total, offer(run, crowd.members, total, load.rate, sent)
        )
    run.problems += crowd.problems()
    crowd.drop()
    run.notes.append(f"the generator sent each message at most {lag * 1e3:.1f} ms after its time")
    stored = sum(1 for f in sent if f.done() and not f.cancelled() and not f.exception())
    return [
        metric(
            "server CPU per direct message",
            server_cpu_per(phase, stored, 1e6),
            "µs",
            Target("<=", 40),
        ),
        metric("offered rate achieved", len(sent) / sending, "/s", Target(">=", 0.99 * load.rate)),
    ]


async def offer(
    run: Run, members: list[Member], total: int, rate: float, sent: list[asyncio.Future[Stored]]
) -> tuple[float, float]:
    """Send ``total`` direct messages on schedule, appending each to ``sent``, and wait for
    their answers. Return the worst lateness of a send, and the time the sends took: up to
    the last one, plus one interval for it (exactly ``total / rate`` when on schedule)."""
    loop = asyncio.get_running_loop()
    pairs = random.Random(PAIRS_SEED)
    start, lag = loop.time(), 0.0
    for k in range(total):
        due = start + k / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        lag = max(lag, loop.time() - due)
        sender, recipient = pairs.sample(members, 2)
        text = run.ledger.stamp(sender.account.name, k)
        to = sender.wire.message_user(recipient.account.name, text)
        sent.append(when_stored(to, run, _owed_to(run, sender, recipient)))
    sending = loop.time() - start + 1 / rate
    if sent:
        await asyncio.wait(sent, timeout=ANSWER_SECONDS)
    return lag, sending


def _owed_to(run: Run, sender: Member, recipient: Member) -> Callable[[Stored], None]:
    def owe(ok: Stored) -> None:
        conversation, seq = ok.conversation or "", ok.seq or 0
        run.ledger.expect(recipient.inbox, conversation, seq)
        run.ledger.expect(sender.inbox, conversation, seq)

    return owe
