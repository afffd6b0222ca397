"""idle: what N signed-in connections that do nothing cost the server in memory.

RSS is read before the first connection and again once all N are signed in, every frame
queued for them has arrived and the server has had a moment to settle: the difference over
N is the cost of one idle signed-in connection. Then one lobby message proves every
connection is still alive (N deliveries owed, timed). On IRC (``--against inspircd``) the
clients are registered and in no channel, and the crowd's closing round trip (a ``PING``
each) is the proof instead.

Each connection takes an open file in this process and in the server, and both have the
open-file limit this process was given (raised to its hard limit): a machine whose hard
limit is below N plus a few dozen cannot hold N, and the run says so.
"""

from __future__ import annotations

import asyncio
import resource

from hubbub.bench.catalog import Load
from hubbub.bench.crowd import Crowd
from hubbub.bench.report import Metric, Target, metric
from hubbub.bench.run import Run, deliver_all, say
from hubbub.bench.server import SPARE_FILES

SETTLE_SECONDS = 1.0
"""Quiet time before RSS is read, for the last writes and frees to finish."""


async def measure(run: Run, load: Load) -> list[Metric]:
    limit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if limit < load.clients + SPARE_FILES:
        run.notes.append(
            f"the open-file limit is {limit}, its hard limit, which this process may not raise "
            "(that takes CAP_SYS_RESOURCE, which root has outside a container): "
            f"{load.clients:,} connections need about {load.clients + SPARE_FILES:,} "
            "in this process and in the server, so not all of them can fit"
        )
    before = None if run.server is None else run.server.rss_kib()
    crowd = Crowd(run.dialect, run.ledger)
    clock = run.meter.start("sign in")
    async with run.board.track("signing in", len(run.accounts), lambda: crowd.signed_in):
        await crowd.join(run.accounts)
    await crowd.barrier()
    clock.stop()
    await asyncio.sleep(SETTLE_SECONDS)
    after = None if run.server is None else run.server.rss_kib()
    per_connection = (
        None
        if before is None or after is None or not crowd.signed_in
        else (after - before) / crowd.signed_in
    )
    if crowd.members and run.dialect.in_lobby:
        speaker = crowd.members[0]

        async def one_message() -> None:
            await asyncio.wait([say(run, speaker, 0)])

        await deliver_all(run, "one message to all", crowd.signed_in, one_message())
    run.problems += crowd.problems()
    crowd.drop()
    return [
        metric("server RSS per idle connection", per_connection, "KiB", Target("<=", 16)),
        metric("connections signed in", crowd.signed_in, "", Target(">=", load.clients)),
    ]
