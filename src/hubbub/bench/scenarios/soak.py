"""soak: a light, steady load for a while, its acknowledgement latency told window by window.

N clients sign in to the lobby. A tenth of them (at least one) only come and go: every
``1 / RECONNECTS_PER_SECOND`` seconds the next of them cuts its connection without a
close frame and signs in again with its token, as a phone on a flaky network would. The
others listen, and random ones among them say lobby messages at a fixed offered rate
(open loop, as in ``dm``) for the duration.

Each message's acknowledgement time (from sending it to its ``ok``, which the server
sends only once it is committed) is kept with the moment it was sent, and told per
``WINDOW_SECONDS`` window: a stall that comes back every minute or so (a checkpoint,
a garbage-collector pass) hides in a whole run's p99 but stands out in its window's.
Deliveries to the listeners are accounted and timed as in ``fanout``; those to the
clients that come and go are not (a dropped connection is owed nothing).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Sequence

from hubbub.bench.catalog import (
    PAIRS_SEED,
    RECONNECTS_PER_SECOND,
    SLOW_WINDOW_MS,
    WINDOW_SECONDS,
    Load,
)
from hubbub.bench.crowd import Crowd, Member
from hubbub.bench.dialect import Stored
from hubbub.bench.ledger import Ledger
from hubbub.bench.report import Latency, Metric, Target, latency, metric, server_cpu_per
from hubbub.bench.run import Run, deliver_all, say

Ack = tuple[float, int]
"""(seconds from the start of sending to the send, nanoseconds from the send to its ``ok``)"""


async def measure(run: Run, load: Load) -> list[Metric]:
    coming_and_going = max(1, len(run.accounts) // 10)
    listeners = Crowd(run.dialect, run.ledger)
    churners = Crowd(run.dialect, Ledger(run.run_id))
    async with run.board.track(
        "signing in", len(run.accounts), lambda: listeners.signed_in + churners.signed_in
    ):
        await listeners.join(run.accounts[coming_and_going:])
        await churners.join(run.accounts[:coming_and_going])
    await listeners.barrier()
    if not listeners.members:
        run.problems += [*listeners.problems(), "a soak needs a client that stays signed in"]
        return []
    total = round(load.rate * load.duration)
    acks: list[Ack] = []
    sent: list[asyncio.Future[Stored]] = []
    reconnects = 0

    async def come_and_go() -> None:
        nonlocal reconnects
        for turn in range(math.floor(load.duration * RECONNECTS_PER_SECOND)):
            await asyncio.sleep(1 / RECONNECTS_PER_SECOND)
            if churners.members:
                await churners.reconnect(turn % len(churners.members))
                reconnects += 1

    async with run.board.track("lobby messages sent", total, lambda: len(sent)):
        churning = asyncio.create_task(come_and_go())
        owed = total * listeners.signed_in
        phase, sending = await deliver_all(
            run, "soak", owed, offer(run, listeners.members, total, load.rate, sent, acks)
        )
        await churning
    run.problems += listeners.problems() + churners.problems()
    listeners.drop()
    churners.drop()
    windows = per_window(acks, WINDOW_SECONDS)
    run.notes += [
        f"acknowledgements of messages sent {start:g} to {start + WINDOW_SECONDS:g} s: "
        + _window(timed)
        for start, timed in windows
    ]
    overall = latency("acknowledgements", [ns for _, ns in acks])
    worst = max((timed.p99_ms for _, timed in windows if timed is not None), default=None)
    slow = sum(1 for _, timed in windows if timed is not None and timed.p99_ms > SLOW_WINDOW_MS)
    stored = len(acks)
    return [
        metric("server CPU per lobby message", server_cpu_per(phase, stored, 1e6), "µs"),
        metric("offered rate achieved", len(sent) / sending, "/s", Target(">=", 0.99 * load.rate)),
        metric("reconnects", reconnects, ""),
        metric("acknowledgement p50", None if overall is None else overall.p50_ms, "ms"),
        metric("acknowledgement p99", None if overall is None else overall.p99_ms, "ms"),
        metric("acknowledgement p99, worst window", worst, "ms"),
        metric(
            f"windows with acknowledgement p99 > {SLOW_WINDOW_MS:g} ms", slow, "", Target("==", 0)
        ),
    ]


async def offer(
    run: Run,
    members: Sequence[Member],
    total: int,
    rate: float,
    sent: list[asyncio.Future[Stored]],
    acks: list[Ack],
) -> float:
    """Say ``total`` lobby messages on schedule from random members, appending each to
    ``sent`` and its acknowledgement to ``acks``; wait for their answers. Return the
    time the sends took (exactly ``total / rate`` when on schedule)."""
    loop = asyncio.get_running_loop()
    speakers = random.Random(PAIRS_SEED)
    start = loop.time()
    for k in range(total):
        due = start + k / rate
        if (wait := due - loop.time()) > 0:
            await asyncio.sleep(wait)
        future = say(run, speakers.choice(members), k)
        future.add_done_callback(_timer(acks, due - start, time.perf_counter_ns()))
        sent.append(future)
    sending = loop.time() - start + 1 / rate
    if sent:
        await asyncio.wait(sent)
    return sending


def _timer(acks: list[Ack], at: float, sent_ns: int) -> Callable[[asyncio.Future[Stored]], None]:
    """A callback that keeps the acknowledgement of a send made ``at`` into the run."""

    def answered(done: asyncio.Future[Stored]) -> None:
        if not done.cancelled() and done.exception() is None:
            acks.append((at, time.perf_counter_ns() - sent_ns))

    return answered


def _window(timed: Latency | None) -> str:
    if timed is None:
        return "none"
    return (
        f"p50 {timed.p50_ms:.1f} ms, p99 {timed.p99_ms:.1f} ms, max {timed.max_ms:.1f} ms "
        f"({timed.samples})"
    )


def per_window(acks: Sequence[Ack], seconds: float) -> list[tuple[float, Latency | None]]:
    """The acknowledgement latency of the messages sent in each window, from 0 to the last."""
    if not acks:
        return []
    count = math.floor(max(at for at, _ in acks) / seconds) + 1
    samples: list[list[int]] = [[] for _ in range(count)]
    for at, ns in acks:
        samples[math.floor(at / seconds)].append(ns)
    return [(index * seconds, latency("acknowledgements", s)) for index, s in enumerate(samples)]
