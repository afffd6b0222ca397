"""Carrying out one run: seed and start a server of its own (or aim at ``--url``), pin
both sides to their CPUs, let the scenario drive the load, and compile the report.

``--processes N`` runs N servers on one PostgreSQL database and one Redis
(``hubbub.bench.cluster``). ``--against inspircd`` makes a second run of the same
scenario on InspIRCd (:func:`execute_on_inspircd`), spoken to over IRC by the same
generator.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from hubbub.bench.accounts import Credentials, make_accounts, seed
from hubbub.bench.backends import BackendCpu
from hubbub.bench.catalog import SENDERS, Load, Scenario
from hubbub.bench.cluster import Deployment, ServerGroup, Spread, place
from hubbub.bench.dialect import (
    Dialect,
    HubbubIrcDialect,
    IrcDialect,
    MixedDialect,
    WebSocketDialect,
)
from hubbub.bench.display import Board
from hubbub.bench.inspircd import InspIRCd
from hubbub.bench.report import Report, compile_report, latency, latency_metrics
from hubbub.bench.rooms import plan_rooms
from hubbub.bench.run import Run
from hubbub.bench.server import (
    SPARE_FILES,
    ChildProcess,
    ServerProcess,
    free_port,
    raise_open_file_limit,
)
from hubbub.bench.wire import Address

S = TypeVar("S", bound=ChildProcess)


async def execute(
    scenario: Scenario,
    load: Load,
    url: str | None,
    board: Board,
    database: str | None = None,
    redis: str | None = None,
    processes: int = 1,
) -> Report:
    """Run the scenario against ``url``, or against servers of its own on seeded accounts
    (and rooms: ``--rooms`` needs a server of its own): ``processes`` of them, on the
    database ``database`` or a SQLite file in a temporary directory, with ``redis``."""
    run_id = secrets.token_hex(3)
    password = secrets.token_urlsafe(12)
    accounts = make_accounts(run_id, "u", scenario.accounts(load), password)
    raise_open_file_limit(len(accounts) + 2 * SPARE_FILES)
    if url is not None:
        note = "a server of someone else's (--url): no server CPU or memory figures"
        dialect = WebSocketDialect(Address.of(url))
        return await _measure(
            scenario, load, Run(run_id, url, accounts, password, board, None, dialect, [note])
        )
    deployment = Deployment(database, redis, processes)
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-") as tmp:
        seeded: list[Credentials] = []
        rooms = plan_rooms(run_id, load.rooms, len(accounts), SENDERS)
        async with board.track("seeding accounts", len(accounts), lambda: len(seeded)):
            await seed(database or Path(tmp) / "data0", accounts, seeded, rooms)

        irc_port = free_port() if load.irc else None

        def start(index: int, cpu: int | None) -> Awaitable[ServerProcess]:
            data_dir, log = Path(tmp) / f"data{index}", Path(tmp) / f"server{index}.log"
            irc = irc_port if index == 0 else None
            return ServerProcess.start(data_dir, log, cpu, database, redis, irc)

        backends = BackendCpu(database, redis)
        async with _pinned(start, processes) as (servers, note):
            group = ServerGroup(servers, backends)
            spread = Spread([WebSocketDialect(Address.of(each)) for each in group.urls])
            notes = [deployment.describe(), note]
            mixed: Dialect = spread
            if irc_port is not None:
                mixed = _mixed(spread, irc_port, seeded, load.irc)
                notes.append(
                    f"{load.irc} of the {len(seeded)} clients on IRC (the last ones,"
                    " on the first process)"
                )
            run = Run(run_id, group.url, seeded, password, board, group, mixed, notes, rooms)
            try:
                return await _measure(scenario, load, run)
            finally:
                backends.close()


async def execute_on_inspircd(scenario: Scenario, load: Load, board: Board) -> Report:
    """The same scenario and load on an InspIRCd of its own (see ``hubbub.bench.inspircd``)."""
    run_id = secrets.token_hex(3)
    accounts = make_accounts(run_id, "u", scenario.accounts(load), "")
    raise_open_file_limit(len(accounts) + 2 * SPARE_FILES)
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-inspircd-") as tmp:

        def start(_: int, cpu: int | None) -> Awaitable[InspIRCd]:
            return InspIRCd.start(Path(tmp), cpu)

        async with _pinned(start) as ((server,), note):
            dialect = IrcDialect.of(server.url, in_lobby=scenario.irc_lobby)
            run = Run(run_id, server.url, accounts, "", board, server, dialect, [note])
            return await _measure(scenario, load, run, server="InspIRCd")


def _mixed(
    websocket: Dialect, irc_port: int, accounts: list[Credentials], on_irc: int
) -> MixedDialect:
    """The last ``on_irc`` accounts over hubbub's IRC listener, the others as before."""
    irc = HubbubIrcDialect("127.0.0.1", irc_port)
    names = frozenset(account.name for account in accounts[len(accounts) - on_irc :])
    return MixedDialect(websocket, irc, names)


@asynccontextmanager
async def _pinned(
    start: Callable[[int, int | None], Awaitable[S]], count: int = 1
) -> AsyncIterator[tuple[list[S], str]]:
    """``count`` servers started (``start(index, cpu)``) and this process placed as
    :func:`place` says for the block (with a note saying where); stopped afterwards."""
    own_cpus = os.sched_getaffinity(0)
    placement = place(count)
    servers: list[S] = []
    try:
        for index, cpu in enumerate(placement.servers):
            servers.append(await start(index, cpu))
        if placement.generator is not None:
            os.sched_setaffinity(0, placement.generator)
        yield servers, placement.note
    finally:
        os.sched_setaffinity(0, own_cpus)
        for server in servers:
            await server.stop()


async def _measure(scenario: Scenario, load: Load, run: Run, server: str = "hubbub") -> Report:
    metrics = await scenario.measure()(run, load)
    timed = latency(scenario.latency_of, run.ledger.latencies_ns())
    metrics += latency_metrics(scenario.latency_name, timed, p99=scenario.p99, most=scenario.most)
    process, rss = run.server, None
    if process is not None:
        process.check_alive()
        rss = (process.rss_kib(), process.peak_rss_kib())
        if isinstance(process, ServerGroup):
            run.notes += await process.closing_notes()
    parameters: dict[str, float] = {name: getattr(load, name) for name in scenario.knobs}
    return compile_report(
        scenario=scenario.name,
        server=server,
        parameters=parameters | dict(scenario.constants),
        url=run.url,
        own_server=process is not None,
        metrics=metrics,
        deliveries=run.ledger.tally(),
        latency=timed,
        phases=run.meter.phases,
        rss_kib=rss,
        errors=run.problems,
        notes=run.notes,
    )
