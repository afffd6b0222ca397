"""The benchmark's own hubbub as one process or several: where each runs, how the clients
are spread over them, and the figures of all of them together.

``--processes N`` starts N ``hubbub serve`` processes, each with a data dir and a port of
its own, on the same ``--database`` (PostgreSQL) and ``--redis``: one chat. The load
generator signs its clients in on each process in turn, so the members of a room, and
the two sides of about half the direct messages, sit on different processes. Server CPU
time and memory are the sums over the N processes; PostgreSQL's and Redis's own are not
in them (on SQLite the database's work is inside the server process): a note gives
theirs over the same phases (``hubbub.bench.backends``).

CPUs: each server process is pinned to a CPU of its own and the generator to the next,
as long as there are enough; with fewer CPUs than processes plus one (two processes on a
two-core machine), the servers take one CPU each in turn and the generator is left
unpinned, sharing them. :func:`place` says which, and the report's notes repeat it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from hubbub.bench.accounts import Credentials
from hubbub.bench.backends import BackendCpu
from hubbub.bench.dialect import Dialect, SignedIn
from hubbub.bench.scrape import commits_note
from hubbub.bench.server import ServerProcess
from hubbub.store.database import shown_url


@dataclass(frozen=True, slots=True)
class Deployment:
    """How the benchmark runs its own hubbub: ``processes`` servers on ``database`` (None: a
    SQLite file in a temporary directory), sharing live events over ``redis`` (None: none)."""

    database: str | None = None
    redis: str | None = None
    processes: int = 1

    def describe(self) -> str:
        stored = "the database: " + (shown_url(self.database) if self.database else "SQLite")
        shared = f", live events over Redis {shown_url(self.redis)}" if self.redis else ""
        if self.processes == 1:
            return stored + shared
        return (
            f"{self.processes} hubbub processes, the clients signed in on each in turn; "
            f"{stored}{shared}; server CPU and memory are their sums"
        )


@dataclass(frozen=True, slots=True)
class Placement:
    """The CPU of each server process (None: unpinned), the generator's CPUs (None: left
    as they are), and a sentence saying so."""

    servers: list[int | None]
    generator: set[int] | None
    note: str


def place(count: int) -> Placement:
    """Where ``count`` server processes and the load generator run (see the module)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        note = "fewer than two CPUs: neither the server nor the generator is pinned"
        return Placement([None] * count, None, note)
    if len(cpus) > count:
        servers: list[int | None] = list(cpus[:count])
        generator = cpus[count]
        ran = "the server ran on CPU" if count == 1 else "the servers ran on CPUs"
        note = f"{ran} {_listed(servers)}, the generator on CPU {generator}"
        return Placement(servers, {generator}, note)
    servers = [cpus[i % len(cpus)] for i in range(count)]
    note = (
        f"the {count} servers ran on CPUs {_listed(servers)} and the generator, unpinned, "
        f"shared them: only {len(cpus)} CPUs here"
    )
    return Placement(servers, None, note)


def _listed(cpus: Sequence[int | None]) -> str:
    return ", ".join(str(cpu) for cpu in cpus)


class ServerGroup:
    """The server processes of one run, measured as one server: CPU and memory summed,
    alive only while every one of them is.

    Each reading of their CPU also reads the local PostgreSQL's and Redis's
    (``backends``): the run's meter reads it at the start and at the end of each phase,
    one phase after another, so the readings pair up into the backends' CPU over the
    same phases (see :meth:`closing_notes`).
    """

    def __init__(self, servers: Sequence[ServerProcess], backends: BackendCpu) -> None:
        if not servers:
            raise ValueError("a group of servers needs one")
        self.servers = list(servers)
        self.url = servers[0].url
        self._backends = backends
        self._backend_readings: list[float] = []

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def cpu_seconds(self) -> float:
        if self._backends.measured:
            self._backend_readings.append(self._backends.cpu_seconds())
        return sum(server.cpu_seconds() for server in self.servers)

    def rss_kib(self) -> int:
        return sum(server.rss_kib() for server in self.servers)

    def peak_rss_kib(self) -> int:
        return sum(server.peak_rss_kib() for server in self.servers)

    def check_alive(self) -> None:
        for server in self.servers:
            server.check_alive()

    async def closing_notes(self) -> list[str]:
        """Each process's commits line from its ``/metrics`` (numbered when there are
        several), then what the backends used."""
        notes = await asyncio.gather(*(commits_note(url) for url in self.urls))
        if len(notes) > 1:
            notes = [f"process {i}: {note}" for i, note in enumerate(notes, start=1)]
        readings, measured = self._backend_readings, self._backends.measured
        if readings and measured:
            pairs = zip(readings[::2], readings[1::2], strict=False)
            used = sum(stop - start for start, stop in pairs)
            notes.append(
                f"{measured} (unpinned) used {used:.2f} CPU-s during the measured phases, "
                "not counted in server CPU"
            )
        return notes


@dataclass(slots=True)
class Spread:
    """A dialect that signs each client in on the next of ``dialects`` in turn."""

    dialects: Sequence[Dialect]
    _turn: itertools.cycle[Dialect] = field(init=False)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle(self.dialects)

    @property
    def in_lobby(self) -> bool:
        return all(dialect.in_lobby for dialect in self.dialects)

    async def sign_in(self, account: Credentials) -> SignedIn:
        return await next(self._turn).sign_in(account)
