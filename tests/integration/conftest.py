"""Protocol tests, twice: against the embedded default, then against a cluster.

A module marked ``pytestmark = pytest.mark.twice`` runs each of its tests that uses the
``server``, ``hubbub`` or ``start_server`` fixture twice: ``[embedded]`` as before (one
process, SQLite), and ``[cluster]`` against two ``hubbub serve`` processes on a fresh
PostgreSQL database and a Redis of their own. In the cluster run those fixtures give a
:class:`Spread`, whose ``url`` names the two processes in turn, so the clients a test
opens alternate between them: every exchange the test checks crosses processes.

Each cluster test gets a cluster of its own (the tests reuse names like "alice", and the
first account is the admin); while it runs, the next one is already starting. Databases
are copied from one migrated template, so no process migrates, and the processes are
forked from one that imported hubbub already (forks.py).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from conftest import TEST_LINGER, Cluster, Running, ServerProcess, free_port
from hubbub.hub.limits import Limits
from hubbub.store import default_url
from hubbub.store.database import parse_url, upgrade_schema
from integration.forks import ForkedServer, Forks
from postgres import PostgresServer
from redis_server import RedisServer

EMBEDDED, CLUSTER = "embedded", "cluster"

Setup = tuple[bool, float, tuple[str, ...]]
"""Whether the processes keep their limits, their ``--leave-linger``, and more flags."""
NO_LIMITS: Setup = (False, TEST_LINGER, ())
SPARES = 1
"""Clusters starting while a test runs: a short test need not wait for the next one's."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "twice: run against the embedded server and against two processes on "
        "PostgreSQL + Redis (tests/integration/conftest.py)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("twice") and "deployment" in metafunc.fixturenames:
        metafunc.parametrize("deployment", [EMBEDDED, CLUSTER], indirect=True)


@pytest.fixture
def deployment(request: pytest.FixtureRequest) -> str:
    """What the test runs against: ``embedded`` unless the module is marked ``twice``."""
    return getattr(request, "param", EMBEDDED)


@dataclass
class Spread:
    """A cluster as the tests see one server: each read of :attr:`url` names the next
    process in turn."""

    cluster: Cluster

    @property
    def url(self) -> str:
        return self.cluster.next().url

    @property
    def urls(self) -> list[str]:
        """Every process's URL (to ask each one's ``/status``)."""
        return [server.url for server in self.cluster.servers]


def database_of(target: ServerProcess | Spread) -> str:
    """The URL of the database a ``hubbub`` fixture's server (or cluster) keeps."""
    if isinstance(target, Spread):
        return target.cluster.database
    return target.database or default_url(target.data_dir)


class ClusterPool:
    """Clusters for one test each, on one PostgreSQL; :data:`SPARES` starting for the next tests."""

    def __init__(self, postgres: PostgresServer, root: Path) -> None:
        self.postgres = postgres
        self.root = root
        self.count = itertools.count(1)
        self.template = self._migrated_template()
        self.spares: list[Cluster] = []
        """Clusters of :data:`NO_LIMITS` starting for the next tests, oldest first."""
        self.forks = Forks()

    def _migrated_template(self) -> str:
        url = self.postgres.new_database()
        upgrade_schema(parse_url(url))
        return url.rsplit("/", 1)[1]

    def _database(self, number: int) -> str:
        name = f"hubbub_cluster_{number}"
        with psycopg.connect(self.postgres.admin_url, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        return self.postgres.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def _spawn(self, setup: Setup) -> Cluster:
        number = next(self.count)
        database = self._database(number)
        redis = RedisServer()
        redis.start()
        limits, leave_linger, flags = setup
        servers: list[ServerProcess] = [
            ForkedServer(
                self.root / f"cluster{number}-node{index}",
                free_port(),
                database=database,
                options=("--redis", redis.url, *flags),
                limits=limits,
                leave_linger=leave_linger,
                forks=self.forks,
            )
            for index in range(2)
        ]
        for server in servers:
            server.spawn()
        return Cluster(servers, redis, database)

    def take(self, setup: Setup = NO_LIMITS) -> Cluster:
        """A running cluster of ``setup``, each process hearing the other."""
        cluster = self.spares.pop(0) if self.spares and setup == NO_LIMITS else self._spawn(setup)
        while len(self.spares) < SPARES:
            self.spares.append(self._spawn(NO_LIMITS))
        for server in cluster.servers:
            server.wait_ready()
        cluster.wait_formed()
        return cluster

    @staticmethod
    def stop(cluster: Cluster) -> None:
        cluster.stop()
        cluster.redis.stop()

    def close(self) -> None:
        for spare in self.spares:
            self.stop(spare)
        self.forks.close()


def setup_of(
    leave_linger: float, limits: Limits | None = None, grace: float | None = None
) -> Setup:
    """The cluster matching the in-process server's settings a test may ask for: no
    limits unless ``limits=Limits()``, the defaults."""
    if limits not in (None, Limits(), Limits.off()):
        raise ValueError("a cluster test takes the default limits or none")
    return limits == Limits(), leave_linger, () if grace is None else ("--grace", str(grace))


@pytest.fixture(scope="session")
def cluster_pool(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterPool]:
    pool = ClusterPool(postgres, tmp_path_factory.mktemp("clusters"))
    yield pool
    pool.close()


StartServer = Callable[..., Awaitable[Running | Spread]]


@pytest.fixture
async def start_server(
    start_server: StartServer,
    deployment: str,
    leave_linger: float,
    request: pytest.FixtureRequest,
) -> AsyncIterator[StartServer]:
    """The root ``start_server``, or in the cluster run a cluster per call, started with
    the flags matching the settings (``limits``, ``grace``), all stopped at the end."""
    if deployment == EMBEDDED:
        yield start_server
        return
    pool: ClusterPool = request.getfixturevalue("cluster_pool")
    started: list[Cluster] = []

    async def start(**settings: Any) -> Spread:
        started.append(pool.take(setup_of(**{"leave_linger": leave_linger, **settings})))
        return Spread(started[-1])

    yield start
    for cluster in started:
        pool.stop(cluster)


@pytest.fixture
async def server(start_server: StartServer) -> Running | Spread:
    return await start_server()


@pytest.fixture
def hubbub(
    deployment: str, leave_linger: float, request: pytest.FixtureRequest
) -> Iterator[ServerProcess | Spread]:
    """The root ``hubbub`` (one ``hubbub serve``), or in the cluster run a :class:`Spread`."""
    if deployment == EMBEDDED:
        yield request.getfixturevalue("hubbub")
        return
    pool: ClusterPool = request.getfixturevalue("cluster_pool")
    cluster = pool.take(setup_of(leave_linger))
    yield Spread(cluster)
    pool.stop(cluster)
