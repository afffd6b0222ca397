"""``hubbub serve --workers 2``: two processes on one port form one chat, and Ctrl-C
stops them all; the flags refuse what cannot work, in one line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Cluster, ServerProcess, SignedInTo, events_until, free_port
from hubbub.client import Client
from hubbub.protocol import Message
from postgres import PostgresServer
from redis_server import RedisServer


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def connections_per_worker(server: ServerProcess) -> dict[str, int]:
    """Each worker's open connections, as told by whichever worker answers each ask."""
    seen: dict[str, int] = {}
    for _ in range(40):
        with urllib.request.urlopen(f"{server.url}/status", timeout=5) as response:
            report = json.load(response)
        seen[report["bus"]["node"]] = len(report["connections"])
    return seen


def wait_heard(server: ServerProcess, others: int) -> None:
    """Wait until the worker that answers hears ``others`` other nodes on the bus."""
    deadline = time.monotonic() + 20
    while len(Cluster.bus(server)["nodes"]) != others:
        assert time.monotonic() < deadline, "the workers did not hear each other"
        time.sleep(0.1)


@pytest.fixture
def two_workers(
    postgres: PostgresServer, redis_server: RedisServer, tmp_path: Path
) -> Iterator[ServerProcess]:
    """``hubbub serve --workers 2`` on PostgreSQL and Redis; at the end Ctrl-C stops the
    supervisor (exit 0) and every worker it has then."""
    server = ServerProcess(
        tmp_path / "data",
        free_port(),
        database=postgres.new_database(),
        options=("--redis", redis_server.url, "--workers", "2"),
    )
    server.start()
    assert server.process is not None
    try:
        yield server
    finally:
        workers = children(server.process.pid)
        assert server.interrupt() == 0
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


async def test_two_workers_on_one_port_are_one_chat(
    two_workers: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server = two_workers
    assert server.process is not None
    workers = children(server.process.pid)
    assert len(workers) == 2
    await asyncio.to_thread(wait_heard, server, 1)

    # Sign people in until both workers have some (the kernel picks who accepts).
    people: list[Client] = []
    spread: dict[str, int] = {}
    while len(people) < 20 and not (len(spread) == 2 and all(spread.values())):
        people.append(await signed_in_to(server, f"user{len(people)}"))
        spread = await asyncio.to_thread(connections_per_worker, server)
    assert len(spread) == 2, spread
    assert all(spread.values()), spread
    await people[0].say("one port, two processes")
    for client in people[1:]:
        heard = await events_until(client, lambda e: isinstance(e, Message))
        assert isinstance(heard[-1], Message)
        assert heard[-1].text == "one port, two processes"


def wait_replaced(server: ServerProcess, dead: int) -> list[int]:
    """Wait until the supervisor has two workers again, ``dead`` not among them."""
    assert server.process is not None
    deadline = time.monotonic() + 30
    while len(workers := children(server.process.pid)) != 2 or dead in workers:
        assert time.monotonic() < deadline, f"the workers are now {workers}"
        time.sleep(0.1)
    return workers


async def test_a_worker_that_dies_is_started_again(
    two_workers: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server = two_workers
    assert server.process is not None
    await asyncio.to_thread(wait_heard, server, 1)
    dead = children(server.process.pid)[0]
    os.kill(dead, signal.SIGKILL)
    await asyncio.to_thread(wait_replaced, server, dead)
    await asyncio.to_thread(wait_heard, server, 1)
    ann = await signed_in_to(server, "ann")
    ben = await signed_in_to(server, "ben")
    await ann.say("still here")
    heard = await events_until(ben, lambda e: isinstance(e, Message))
    assert isinstance(heard[-1], Message)
    assert heard[-1].text == "still here"


@pytest.mark.parametrize(
    ("flags", "complaint"),
    [
        (["--redis", "redis://127.0.0.1:1/0"], "--redis needs --database postgresql://"),
        (["--workers", "2"], "--workers 2 needs --database postgresql://"),
        (
            ["--workers", "2", "--database", "postgresql://u@127.0.0.1:1/db"],
            "--workers 2 needs --redis redis://",
        ),
    ],
)
def test_several_processes_need_postgresql_and_redis(
    flags: list[str], complaint: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hubbub", "serve", "--port", "0", "--data-dir", str(tmp_path),
         *flags],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert complaint in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreachable_redis_stops_the_start_with_one_line(
    workers: str, postgres: PostgresServer, tmp_path: Path
) -> None:
    port = free_port()
    done = subprocess.run(
        [sys.executable, "-m", "hubbub", "serve", "--port", "0", "--data-dir", str(tmp_path),
         "--database", postgres.new_database(), "--redis", f"redis://127.0.0.1:{port}/0",
         "--workers", workers, "--log-level", "WARNING"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"Error: cannot reach Redis at redis://127.0.0.1:{port}/0" in done.stderr
