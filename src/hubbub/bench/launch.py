"""Carrying out one run: seed and start a server of its own (or aim at ``--url``), pin
both sides to their CPUs, let the scenario drive the load, and compile the report.

``--against inspircd`` makes a second run of the same scenario on InspIRCd
(:func:`execute_on_inspircd`), spoken to over IRC by the same generator.
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
from hubbub.bench.catalog import SENDERS, Load, Scenario
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
from hubbub.bench.scrape import commits_note
from hubbub.bench.server import (
    ChildProcess,
    ServerProcess,
    cpu_pair,
    free_port,
    raise_open_file_limit,
)
from hubbub.bench.wire import Address
from hubbub.store.database import shown_url

S = TypeVar("S", bound=ChildProcess)


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
        dialect = WebSocketDialect(Address.of(url))
        return await _measure(
            scenario, load, Run(run_id, url, accounts, password, board, None, dialect, [note])
        )
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        seeded: list[Credentials] = []
        rooms = plan_rooms(run_id, load.rooms, len(accounts), SENDERS)
        async with board.track("seeding accounts", len(accounts), lambda: len(seeded)):
            await seed(database or data_dir, accounts, seeded, rooms)
        stored = f"the database: {shown_url(database)}" if database else "the database: SQLite"

        irc_port = free_port() if load.irc else None

        def start(cpu: int | None) -> Awaitable[ServerProcess]:
            log = Path(tmp) / "server.log"
            return ServerProcess.start(data_dir, log, cpu, database, irc_port)

        async with _pinned(start) as (server, note):
            websocket = WebSocketDialect(Address.of(server.url))
            notes = [stored, note]
            mixed: Dialect = websocket
            if irc_port is not None:
                mixed = _mixed(websocket, irc_port, seeded, load.irc)
                notes.append(f"{load.irc} of the {len(seeded)} clients on IRC (the last ones)")
            run = Run(run_id, server.url, seeded, password, board, server, mixed, notes, rooms)
            return await _measure(scenario, load, run)


async def execute_on_inspircd(scenario: Scenario, load: Load, board: Board) -> Report:
    """The same scenario and load on an InspIRCd of its own (see ``hubbub.bench.inspircd``)."""
    run_id = secrets.token_hex(3)
    accounts = make_accounts(run_id, "u", scenario.accounts(load), "")
    raise_open_file_limit()
    with tempfile.TemporaryDirectory(prefix="hubbub-bench-inspircd-") as tmp:

        def start(cpu: int | None) -> Awaitable[InspIRCd]:
            return InspIRCd.start(Path(tmp), cpu)

        async with _pinned(start) as (server, note):
            dialect = IrcDialect.of(server.url, in_lobby=scenario.irc_lobby)
            run = Run(run_id, server.url, accounts, "", board, server, dialect, [note])
            return await _measure(scenario, load, run, server="InspIRCd")


def _mixed(
    websocket: WebSocketDialect, irc_port: int, accounts: list[Credentials], on_irc: int
) -> MixedDialect:
    """The last ``on_irc`` accounts over hubbub's IRC listener, the others as before."""
    irc = HubbubIrcDialect("127.0.0.1", irc_port)
    names = frozenset(account.name for account in accounts[len(accounts) - on_irc :])
    return MixedDialect(websocket, irc, names)


@asynccontextmanager
async def _pinned(start: Callable[[int | None], Awaitable[S]]) -> AsyncIterator[tuple[S, str]]:
    """A server started on the first CPU of :func:`cpu_pair`, with this process on the
    second for the block (and a note saying so); stopped afterwards."""
    own_cpus = os.sched_getaffinity(0)
    cpus = cpu_pair()
    server = await start(None if cpus is None else cpus[0])
    if cpus is None:
        note = "fewer than two CPUs: neither the server nor the generator is pinned"
    else:
        os.sched_setaffinity(0, {cpus[1]})
        note = f"the server ran on CPU {cpus[0]}, the generator on CPU {cpus[1]}"
    try:
        yield server, note
    finally:
        os.sched_setaffinity(0, own_cpus)
        await server.stop()


async def _measure(scenario: Scenario, load: Load, run: Run, server: str = "hubbub") -> Report:
    metrics = await scenario.measure()(run, load)
    timed = latency(scenario.latency_of, run.ledger.latencies_ns())
    metrics += latency_metrics(scenario.latency_name, timed, p99=scenario.p99, most=scenario.most)
    process, rss = run.server, None
    if process is not None:
        process.check_alive()
        rss = (process.rss_kib(), process.peak_rss_kib())
        if server == "hubbub":
            run.notes.append(await commits_note(run.url))
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
