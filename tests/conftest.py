"""Real servers for the tests: in-process on a loopback port, or a subprocess to kill."""

from __future__ import annotations

import asyncio
import functools
import json
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import create_engine

from hubbub.client import Client, ClientEvent
from hubbub.hub import LEAVE_LINGER
from hubbub.hub.limits import Limits
from hubbub.protocol import LOBBY, MAX_HISTORY_PAGE, Message, Presence
from hubbub.server import ChatServer, Config, create_app
from hubbub.server.app import SERVER
from hubbub.store import Account, Draft, Store, default_url, open_store
from hubbub.store.database import parse_url
from ports import free_port
from postgres import PostgresServer, postgres, postgres_alone  # noqa: F401 (fixtures)
from redis_server import RedisServer, redis_server  # noqa: F401 (fixture)


@dataclass
class Running:
    url: str
    app: web.Application

    @property
    def chat(self) -> ChatServer:
        return self.app[SERVER]


StartServer = Callable[..., Awaitable[Running]]

TEST_LINGER = 0.3
"""The test servers' ``--leave-linger``: someone who leaves is told gone after 0.3 s, not
the default :data:`LEAVE_LINGER` (3 s) that dozens of tests would otherwise wait out. A
test that judges the linger itself (a reload tells nobody) is marked ``real_linger``."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "real_linger: the test's servers keep the default --leave-linger (LEAVE_LINGER), "
        "because the test judges it (tests/conftest.py TEST_LINGER)",
    )


@pytest.fixture
def leave_linger(request: pytest.FixtureRequest) -> float:
    """The ``--leave-linger`` of the servers the test's fixtures start (see TEST_LINGER)."""
    return LEAVE_LINGER if request.node.get_closest_marker("real_linger") else TEST_LINGER


@pytest.fixture
async def start_server(tmp_path: Path, leave_linger: float) -> AsyncIterator[StartServer]:
    """Start in-process servers on 127.0.0.1 with a fresh data dir; all stop at the end.

    They run without limits (a test sends far faster than a person, all from one address)
    unless a test asks for ``limits=Limits()``, as the tests of the limits themselves do.
    """
    started: list[TestServer] = []

    async def start(**settings: Any) -> Running:
        data_dir = tmp_path / f"data{len(started)}"
        default = Config(data_dir=data_dir, limits=Limits.off(), leave_linger=leave_linger)
        config = replace(default, **settings)
        test_server = TestServer(create_app(config), host="127.0.0.1", port=0)
        await test_server.start_server()
        started.append(test_server)
        return Running(str(test_server.make_url("")).rstrip("/"), test_server.app)

    yield start
    for test_server in reversed(started):
        await test_server.close()


@pytest.fixture
async def server(start_server: StartServer) -> Running:
    return await start_server()


SignedInTo = Callable[..., Awaitable[Client]]


@pytest.fixture
async def signed_in_to() -> AsyncIterator[SignedInTo]:
    """``signed_in_to(server, name)``: a client signed in with password "pw-<name>".

    It returns once the Lobby has been told the user is online (presence is told in
    batches), so that what the test does next is judged against a settled room.
    Every client it opens is closed at the end of the test.
    """
    opened: list[Client] = []

    async def sign_in(server: Running | ServerProcess, name: str, **options: Any) -> Client:
        client = Client.connect(server.url, **options)
        await client.open()
        opened.append(client)
        signed = await client.sign_in(name, f"pw-{name}")
        await _announced(client, signed.name)
        return client

    yield sign_in
    for client in reversed(opened):
        await client.close()


@pytest.fixture
def signed_in(server: Running, signed_in_to: SignedInTo) -> Callable[..., Awaitable[Client]]:
    """``signed_in(name)``: a client of the ``server`` fixture, signed in as ``name``."""
    return functools.partial(signed_in_to, server)


def drop(client: Client) -> None:
    """Cut the client's TCP connection with no close frame, as a network failure would."""
    connection = client._session._conn
    assert connection is not None
    connection._ws._writer.transport.abort()


async def whole_history(client: Client, conversation: str) -> list[Message]:
    """Every stored message of the conversation, read forwards page by page."""
    messages: list[Message] = []
    after = 0
    while page := await client.history(conversation, after=after, limit=MAX_HISTORY_PAGE):
        messages.extend(page)
        after = page[-1].seq
    return messages


async def events_until(
    client: Client, last: Callable[[ClientEvent], bool], within: float = 5.0
) -> list[ClientEvent]:
    """The client's events in arrival order, up to and including the first that is ``last``."""
    seen: list[ClientEvent] = []
    async with asyncio.timeout(within):
        async for event in client.events():
            seen.append(event)
            if last(event):
                return seen
    raise AssertionError(f"the event stream ended before the awaited event: {seen}")


@dataclass
class ServerProcess:
    """``hubbub serve`` in a child process, as a user would run it (``--no-limits`` unless
    ``limits``: tests send faster than people, all from one address)."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    limits: bool = False
    options: tuple[str, ...] = ()
    """More ``hubbub serve`` flags (``--irc-port``...)."""
    database: str | None = None
    """A ``--database`` URL; None keeps the SQLite file in ``data_dir``."""
    tls: ssl.SSLContext | None = None
    """A client context trusting the server's certificate, when it serves https."""
    leave_linger: float = TEST_LINGER

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the server and return once it answers."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start the server without waiting for it (see :meth:`wait_ready`)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hubbub", *self.arguments()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def arguments(self) -> list[str]:
        """The ``hubbub`` command line's arguments: ``serve`` and its flags."""
        return [
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--log-level",
            "WARNING",
            "--leave-linger",
            str(self.leave_linger),
            *(() if self.limits else ("--no-limits",)),
            *(("--database", self.database) if self.database else ()),
            *self.options,
        ]

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1, context=self.tls):
                    return
            except OSError:
                if self.process.poll() is not None:
                    errors = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise RuntimeError(f"hubbub serve exited: {errors}") from None
                time.sleep(0.05)
        raise RuntimeError("hubbub serve did not answer /healthz in 20 s")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def interrupt(self) -> int:
        """Ctrl-C, and wait for a graceful exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)


@pytest.fixture
def server_process(tmp_path: Path, leave_linger: float) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "data", free_port(), leave_linger=leave_linger)
    yield proc
    if proc.process is not None and proc.process.poll() is None:
        proc.kill()


async def settle() -> None:
    """Let frames already on their way arrive."""
    await asyncio.sleep(0.05)


async def _announced(client: Client, name: str) -> None:
    """Wait until ``client`` has received a presence event showing ``name`` online, and
    leave it queued: the test may be waiting for other news in the same batch."""
    inbox = client._session.inbox
    async with asyncio.timeout(5):
        while not any(
            isinstance(event, Presence)
            and any(user.name == name and user.status != "offline" for user in event.users)
            for event in inbox._events
        ):
            await inbox._changed()


def _told(name: str, status: str | None) -> Callable[[Presence], bool]:
    """A presence change (not a full list) telling ``name`` came online / has ``status``."""

    def match(event: Presence) -> bool:
        return not event.full and any(
            user.name == name and (user.status == status if status else user.status != "offline")
            for user in event.users
        )

    return match


async def wait_joined(client: Client, name: str, within: float = 5.0) -> Presence:
    """Wait until ``client`` is told ``name`` came online."""
    return await client.wait_for(Presence, _told(name, None), timeout=within)


async def wait_left(
    client: Client, name: str, within: float = 5.0, linger: float = TEST_LINGER
) -> Presence:
    """Wait until ``client`` is told ``name`` went offline (which waits the server's
    ``linger`` first)."""
    return await client.wait_for(Presence, _told(name, "offline"), timeout=within + linger)


async def wait_status(client: Client, name: str, status: str, within: float = 5.0) -> Presence:
    """Wait until ``client`` is told ``name`` has ``status``."""
    return await client.wait_for(Presence, _told(name, status), timeout=within)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database: a SQLite file in ``tmp_path``, then one on the test PostgreSQL."""
    if request.param == "sqlite":
        return default_url(tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A store on a fresh database of each backend, closed at the end."""
    opened = await open_store(database_url)
    yield opened
    await opened.close()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` run (and committed) on the database at ``url``, either backend."""
    engine = create_engine(parse_url(url))
    try:
        with engine.begin() as connection:
            result = connection.exec_driver_sql(sql)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


async def sign_up(store: Store, name: str) -> Account:
    """A new account straight through the store (its password hash is a placeholder), in
    the Lobby as its first sign-in would have put it."""
    account = await store.create_account(name, name.casefold(), "hash")
    await store.add_member(LOBBY, account.id)
    return account


def say(account: Account, text: str, conversation: str = "lobby", **more: Any) -> Draft:
    """A draft of ``text`` by ``account``."""
    return Draft(conversation, account.id, account.name, text, **more)


class ServerPool:
    """Always one server (of :data:`TEST_LINGER`) starting up for the next test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0
        self.spare: ServerProcess | None = None

    def _spawn(self, leave_linger: float) -> ServerProcess:
        self.count += 1
        server = ServerProcess(
            self.root / f"server{self.count}", free_port(), leave_linger=leave_linger
        )
        server.spawn()
        return server

    def take(self, leave_linger: float) -> ServerProcess:
        """A running server of this linger: the spare if it has it, else a new one."""
        if self.spare is not None and self.spare.leave_linger == leave_linger:
            server, self.spare = self.spare, None
        else:
            server = self._spawn(leave_linger)
        if self.spare is None:
            self.spare = self._spawn(TEST_LINGER)
        server.wait_ready()
        return server

    def close(self) -> None:
        if self.spare is not None:
            self.spare.stop()


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("servers"))
    yield pool
    pool.close()


@pytest.fixture
def hubbub(server_pool: ServerPool, leave_linger: float) -> Iterator[ServerProcess]:
    """A running ``hubbub serve`` on a free loopback port, for this test alone."""
    server = server_pool.take(leave_linger)
    yield server
    server.stop()


@dataclass
class Cluster:
    """``hubbub serve`` processes on one PostgreSQL database and one Redis: one chat.

    :meth:`next` hands the processes out in turn, so clients spread over them.
    """

    servers: list[ServerProcess]
    redis: RedisServer
    database: str
    turn: int = 0

    def next(self) -> ServerProcess:
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        return server

    def start(self) -> None:
        """Start every process (together: they migrate in turn), and return once each has
        heard every other one on the bus."""
        for server in self.servers:
            server.spawn()
        for server in self.servers:
            server.wait_ready()
        self.wait_formed()

    def wait_formed(self, within: float = 20.0) -> None:
        """Wait until each running process has heard every other running one on the bus."""
        deadline = time.monotonic() + within
        while True:
            buses = [self.bus(server) for server in self.servers if server.running]
            nodes = {bus["node"] for bus in buses}
            if all(bus["up"] and set(bus["nodes"]) == nodes - {bus["node"]} for bus in buses):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"the processes did not all hear each other: {buses}")
            time.sleep(0.1)

    @staticmethod
    def status(server: ServerProcess) -> dict[str, Any]:
        """The process's ``/status``: its connections, users, and view of the bus."""
        with urllib.request.urlopen(f"{server.url}/status", timeout=5) as response:
            report: dict[str, Any] = json.load(response)
            return report

    @classmethod
    def bus(cls, server: ServerProcess) -> dict[str, Any]:
        """The process's view of the bus: its node, whether it is up, and the other
        nodes it hears."""
        bus: dict[str, Any] = cls.status(server)["bus"]
        return bus

    def stop(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def cluster_options() -> tuple[str, ...]:
    """More ``hubbub serve`` flags for every process of ``cluster`` (a module may override)."""
    return ()


@pytest.fixture
def cluster(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    cluster_options: tuple[str, ...],
    leave_linger: float,
) -> Iterator[Cluster]:
    """Two ``hubbub serve --database postgresql://… --redis redis://…`` processes, on the
    session's PostgreSQL and a Redis of the test's own."""
    database = request.getfixturevalue("postgres").new_database()
    redis: RedisServer = request.getfixturevalue("redis_server")
    servers = [
        ServerProcess(
            tmp_path / f"node{index}",
            free_port(),
            database=database,
            options=("--redis", redis.url, *cluster_options),
            leave_linger=leave_linger,
        )
        for index in range(2)
    ]
    running = Cluster(servers, redis, database)
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture
def on_cluster(cluster: Cluster, signed_in_to: SignedInTo) -> Callable[..., Awaitable[Client]]:
    """``on_cluster(name)``: a client signed in on the cluster's next process in turn."""

    async def sign_in(name: str, **options: Any) -> Client:
        return await signed_in_to(cluster.next(), name, **options)

    return sign_in
