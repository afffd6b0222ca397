"""Carrying out one run: seed and start a server of its own (or aim at ``--url``), pin
both sides to their CPUs, let the scenario drive the load, and compile the report."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from hubbub.bench.accounts import Credentials, make_accounts, seed
from hubbub.bench.catalog import SENDERS, Load, Scenario
from hubbub.bench.display import Board
from hubbub.bench.report import Report, compile_report, latency, latency_metrics
from hubbub.bench.rooms import plan_rooms
from hubbub.bench.run import Run
from hubbub.bench.server import ServerProcess, cpu_pair, raise_open_file_limit
from hubbub.store.database import shown_url


async def execute(
    scenario: Scenario, load: Load, url: str | None, board: Board, database: str | None = None
) -> Report:
    """Run the scenario against ``url``, or against a server of its own on seeded accounts
    (and rooms: ``--rooms`` needs a server of its own), its database ``database`` or a
    SQLite file in a temporary directory."""
    run_id = secrets.token_hex(3)
    password = secrets.token_urlsafe(12)
    accounts = make_accounts(run_id, "u", scenario.accounts(load), password)
    raise_open_file_limit()
    if url is not None:
        note = "a server of someone else's (--url): no server CPU or memory figures"
        return await _measure(
            scenario, load, Run(run_id, url, accounts, password, board, None, [note])
        )
    own_cpus = os.sched_getaffinity(0)
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        seeded: list[Credentials] = []
        rooms = plan_rooms(run_id, load.rooms, len(accounts), SENDERS)
        async with board.track("seeding accounts", len(accounts), lambda: len(seeded)):
            await seed(database or data_dir, accounts, seeded, rooms)
        cpus = cpu_pair()
        server = await ServerProcess.start(
            data_dir, Path(tmp) / "server.log", None if cpus is None else cpus[0], database
        )
        stored = f"the database: {shown_url(database)}" if database else "the database: SQLite"
        if cpus is None:
            note = "fewer than two CPUs: neither the server nor the generator is pinned"
        else:
            os.sched_setaffinity(0, {cpus[1]})
            note = f"the server ran on CPU {cpus[0]}, the generator on CPU {cpus[1]}"
        try:
            run = Run(run_id, server.url, seeded, password, board, server, [stored, note], rooms)
            return await _measure(scenario, load, run)
        finally:
            os.sched_setaffinity(0, own_cpus)
            await server.stop()


async def _measure(scenario: Scenario, load: Load, run: Run) -> Report:
    metrics = await scenario.measure()(run, load)
    timed = latency(scenario.latency_of, run.ledger.latencies_ns())
    metrics += latency_metrics(scenario.latency_name, timed, p99=scenario.p99, most=scenario.most)
    server, rss = run.server, None
    if server is not None:
        server.check_alive()
        rss = (server.rss_kib(), server.peak_rss_kib())
    parameters: dict[str, float] = {name: getattr(load, name) for name in scenario.knobs}
    return compile_report(
        scenario=scenario.name,
        parameters=parameters | dict(scenario.constants),
        url=run.url,
        own_server=server is not None,
        metrics=metrics,
        deliveries=run.ledger.tally(),
        latency=timed,
        phases=run.meter.phases,
        rss_kib=rss,
        errors=run.problems,
        notes=run.notes,
    )
