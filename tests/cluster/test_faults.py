"""One chat on two ``hubbub serve`` processes sharing PostgreSQL and Redis, and one part of
it failing under traffic: a process killed with SIGKILL, Redis restarted, PostgreSQL
stopped for a while. Real processes, real servers, real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from conftest import ServerProcess, free_port, whole_history
from hubbub.client import Client, ClientEvent, ConnectionLost, RequestFailed
from hubbub.client.events import Disconnected, Reconnected
from hubbub.protocol import LOBBY, ErrorCode, Message, Sent
from outages import connected, say_once_back
from postgres import PostgresServer
from redis_server import RedisServer

BURST = 120
"""Messages each sender sends in the burst."""
IN_FLIGHT = 4
"""Sends of one sender not yet answered."""
KILL_AFTER = 30
"""The victim is killed once its sender has this many of its messages acknowledged."""
SEEN_WITHIN = 30.0
"""Generous: how long every acknowledged message may take to reach every watcher."""
BACK_WITHIN = 30.0
"""Generous: how long cross-process delivery may take to work again once Redis is back."""
NAMES = ("alice", "bob", "carol", "dave")


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Not started yet: :func:`start_nodes` starts them on a database and a Redis."""
    started = [ServerProcess(tmp_path / f"node{i}", free_port()) for i in (1, 2)]
    yield started
    for node in started:
        node.stop()


def start_nodes(nodes: list[ServerProcess], database: str, redis: RedisServer) -> None:
    """One after the other: the first one brings the database's schema up to date."""
    for node in nodes:
        node.database = database
        node.options = ("--redis", redis.url)
        node.start()


class Watcher:
    """A signed-in client whose every event is kept, in arrival order."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.events: list[ClientEvent] = []
        self._arrived = asyncio.Condition()
        self._reading = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for event in self.client.events():
            self.events.append(event)
            async with self._arrived:
                self._arrived.notify_all()

    def messages(self) -> list[Message]:
        return [e for e in self.events if isinstance(e, Message) and e.conversation == LOBBY]

    def texts(self) -> list[str]:
        return [m.text for m in self.messages()]

    async def until_seen(self, texts: set[str]) -> None:
        """Return once every one of ``texts`` has arrived, or after ``SEEN_WITHIN`` s."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SEEN_WITHIN), self._arrived:
                await self._arrived.wait_for(lambda: texts <= set(self.texts()))

    async def stop(self) -> None:
        self._reading.cancel()
        await asyncio.gather(self._reading, return_exceptions=True)
        await self.client.close()


@asynccontextmanager
async def watchers() -> AsyncIterator[list[Watcher]]:
    """Signed-in watchers (see :func:`watch`), closed at the end."""
    opened: list[Watcher] = []
    try:
        yield opened
    finally:
        for watcher in opened:
            await watcher.stop()


async def watch(
    opened: list[Watcher], name: str, on: ServerProcess, *elsewhere: ServerProcess
) -> Watcher:
    """``name`` signed in on ``on``; a resume that cannot reach it tries ``elsewhere``."""
    client = Client.connect(on.url, fallbacks=[node.url for node in elsewhere])
    await client.open()
    await client.sign_in(name, f"pw-{name}")
    watcher = Watcher(client)
    opened.append(watcher)
    return watcher


async def burst(
    client: Client, name: str, acked: dict[str, Sent], enough: asyncio.Event
) -> set[str]:
    """``BURST`` lobby messages, ``IN_FLIGHT`` at a time; each acknowledged one goes into
    ``acked`` by its text, and ``enough`` is set at ``KILL_AFTER`` of them. Returns why
    sends failed, if any did."""
    slots = asyncio.Semaphore(IN_FLIGHT)
    failures: set[str] = set()

    async def one(n: int) -> None:
        text = f"{name} {n}"
        async with slots:
            try:
                acked[text] = await client.say(text, client_id=text)
            except (ConnectionLost, TimeoutError, RequestFailed) as failure:
                failures.add(f"{type(failure).__name__}: {failure}")
                return
        if len(acked) >= KILL_AFTER:
            enough.set()

    await asyncio.gather(*(one(n) for n in range(BURST)))
    return failures


@pytest.mark.parametrize("both_running", [False, True], ids=["accounts-older", "accounts-new"])
async def test_a_process_killed_in_a_send_burst_costs_its_clients_a_reconnect_and_nothing_else(
    postgres: PostgresServer,
    redis_server: RedisServer,
    nodes: list[ServerProcess],
    both_running: bool,
) -> None:
    """The four accounts are made on the victim, before the survivor starts (an existing
    chat that grows a second process) or once both run (new users)."""
    victim, survivor = nodes
    database = postgres.new_database()
    start_nodes(nodes if both_running else [victim], database, redis_server)
    for name in NAMES:
        async with Client.connect(victim.url) as client:
            await client.sign_in(name, f"pw-{name}")
    if not both_running:
        start_nodes([survivor], database, redis_server)
    async with watchers() as opened:
        alice = await watch(opened, "alice", victim, survivor)
        dave = await watch(opened, "dave", victim, survivor)
        bob = await watch(opened, "bob", survivor, victim)
        carol = await watch(opened, "carol", survivor, victim)
        acked_alice: dict[str, Sent] = {}
        acked_bob: dict[str, Sent] = {}
        enough = asyncio.Event()
        sending = asyncio.gather(
            burst(alice.client, "alice", acked_alice, enough),
            burst(bob.client, "bob", acked_bob, asyncio.Event()),
        )
        await enough.wait()
        victim.kill()
        failures = await sending
        acked = acked_alice | acked_bob

        assert failures == [set(), set()], "sends of the burst failed"
        assert len(acked_alice) == len(acked_bob) == BURST
        history = await whole_history(carol.client, LOBBY)
        texts = [m.text for m in history]
        assert len(texts) == len(set(texts)), "a message is stored twice"
        assert {text: sent.seq for text, sent in acked.items()} == {
            m.text: m.seq for m in history if m.text in acked
        }
        for watcher in (alice, bob, carol, dave):
            await watcher.until_seen(set(texts))
        for survivor_client in (bob, carol):
            assert not [e for e in survivor_client.events if isinstance(e, Disconnected)]
            assert survivor_client.texts() == texts, "a survivor's client missed or repeated one"
        for victim_client in (alice, dave):
            assert len([e for e in victim_client.events if isinstance(e, Disconnected)]) == 1
            assert any(isinstance(e, Reconnected) for e in victim_client.events)
            seen = victim_client.messages()
            assert sorted(m.seq for m in seen) == [m.seq for m in history], (
                "the victim's client has a gap or a duplicate after resuming elsewhere"
            )


async def test_redis_restarted_under_traffic_loses_no_stored_message_and_delivery_comes_back(
    postgres: PostgresServer, redis_server: RedisServer, nodes: list[ServerProcess]
) -> None:
    first, second = nodes
    start_nodes(nodes, postgres.new_database(), redis_server)
    async with watchers() as opened:
        alice = await watch(opened, "alice", first)
        bob = await watch(opened, "bob", second)
        await alice.client.say("before")
        await bob.until_seen({"before"})
        assert "before" in bob.texts(), "no cross-process delivery to begin with"

        redis_server.halt()
        during = [await alice.client.say(f"during {n}") for n in range(5)]
        during += [await bob.client.say(f"bob during {n}") for n in range(5)]
        redis_server.start()
        probes = [await alice.client.say("probe 0")]
        deadline = time.monotonic() + BACK_WITHIN
        while not any(text.startswith("probe") for text in bob.texts()):
            assert time.monotonic() < deadline, "no cross-process delivery once Redis was back"
            await asyncio.sleep(0.5)
            probes.append(await alice.client.say(f"probe {len(probes)}"))

        stored = {m.seq: m.text for m in await whole_history(bob.client, LOBBY)}
        for sent in during + probes:
            assert sent.seq in stored, "an acknowledged message is not in history"
        assert len(set(stored.values())) == len(stored), "a message is stored twice"
        assert sorted(stored) == list(range(1, len(stored) + 1)), "history has a gap"


async def test_postgresql_stopped_refuses_sends_on_both_processes_then_both_work_again(
    postgres_alone: PostgresServer, redis_server: RedisServer, nodes: list[ServerProcess]
) -> None:
    first, second = nodes
    start_nodes(nodes, postgres_alone.new_database(), redis_server)
    clients: list[Client] = []
    try:
        for node, name in ((first, "alice"), (second, "bob")):
            clients.append(await connected(node))
            await clients[-1].sign_in(name, f"pw-{name}")
        alice, bob = clients
        before = await alice.say("before the outage")

        postgres_alone.halt()
        for client in clients:
            with pytest.raises(RequestFailed) as refused:
                await client.say("lost")
            assert refused.value.code == ErrorCode.UNAVAILABLE
            assert refused.value.retry_after is not None
            assert "nothing was saved" in refused.value.message

        postgres_alone.start()
        after = await say_once_back(alice, "after the outage", LOBBY)
        await bob.wait_for(Message, lambda m: m.text == "after the outage", timeout=BACK_WITHIN)
        again = await say_once_back(bob, "bob is back", LOBBY)
        assert [(m.seq, m.text) for m in await whole_history(alice, LOBBY)] == [
            (before.seq, "before the outage"),
            (after.seq, "after the outage"),
            (again.seq, "bob is back"),
        ]
        assert again.seq == after.seq + 1 == before.seq + 2, "a refused send took a seq"
    finally:
        for client in clients:
            await client.close()
