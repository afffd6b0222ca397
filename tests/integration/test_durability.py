"""Acknowledged means durable: ``kill -9`` the real server mid-burst, restart it, lose nothing.

The server runs as a child process (``hubbub serve``) so that SIGKILL is a real crash: no
shutdown handler runs and nothing is flushed. Every client here has ``reconnect=False``,
because the server they talk to dies. Each test runs on both backends: the SQLite file,
and a PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ServerProcess, events_until, free_port, wait_left, whole_history
from hubbub.client import Client, ConnectionLost
from hubbub.protocol import LOBBY, Message
from hubbub.store import default_url

SignedInTo = Callable[..., Awaitable[Client]]


@pytest.fixture
def server_process(database_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """A ``hubbub serve`` to kill, on each backend: its SQLite file, or a PostgreSQL database."""
    sqlite = database_url == default_url(tmp_path)
    proc = ServerProcess(tmp_path, free_port(), database=None if sqlite else database_url)
    yield proc
    if proc.process is not None and proc.process.poll() is None:
        proc.kill()

WRITERS = 5
MESSAGES_PER_WRITER = 200
IN_FLIGHT_PER_WRITER = 10
KILL_AFTER_ACKS = 700


@dataclass(frozen=True, slots=True)
class Ack:
    """A message the server answered with its ``seq``, and when (in the test's own order)."""

    sender: str
    seq: int
    sent_at: int
    acked_at: int


async def test_every_acknowledged_lobby_message_survives_kill_9_with_its_seq(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server_process.start()
    names = [f"writer{n}" for n in range(WRITERS)]
    writers = [await signed_in_to(server_process, name, reconnect=False) for name in names]
    observer = await signed_in_to(server_process, "observer", reconnect=False)

    clock = itertools.count()
    sent_at: dict[str, int] = {}
    acks: dict[str, Ack] = {}
    enough_acked = asyncio.Event()

    async def write_all(client: Client, name: str) -> None:
        texts = deque(f"{name} message {n:03d}" for n in range(MESSAGES_PER_WRITER))

        async def send_one_after_another() -> None:
            while texts:
                text = texts.popleft()
                sent_at[text] = next(clock)
                try:
                    sent = await client.say(text)
                except ConnectionLost:
                    return
                assert sent.conversation == LOBBY
                acks[text] = Ack(name, sent.seq, sent_at[text], next(clock))
                if len(acks) >= KILL_AFTER_ACKS:
                    enough_acked.set()

        await asyncio.gather(*(send_one_after_another() for _ in range(IN_FLIGHT_PER_WRITER)))

    async def watch() -> list[Message]:
        return [event async for event in observer.events() if isinstance(event, Message)]

    async def kill_mid_burst() -> None:
        await enough_acked.wait()
        server_process.kill()

    watching = asyncio.create_task(watch())
    killing = asyncio.create_task(kill_mid_burst())
    async with asyncio.timeout(20):
        await asyncio.gather(*(write_all(c, n) for c, n in zip(writers, names, strict=True)))
        await killing
        observed = await watching
    # The kill must have caught sends in flight, or this test proves nothing about them.
    assert KILL_AFTER_ACKS <= len(acks) < len(sent_at)

    await asyncio.to_thread(server_process.start)
    reader = await signed_in_to(server_process, "reader", reconnect=False)
    stored = await whole_history(reader, LOBBY)

    # The lobby is one gapless sequence: 1..n, no duplicate seq, no duplicate text.
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    texts = [m.text for m in stored]
    assert len(set(texts)) == len(texts)
    # Only what the writers sent, each under its own sender's name.
    assert {m.text for m in stored} <= set(sent_at)
    assert all(m.text.startswith(f"{m.sender} ") for m in stored)

    # Every acknowledged message is there, with exactly the seq it was acknowledged with.
    seq_of = {m.text: m.seq for m in stored}
    wrong = {
        text: (ack.seq, seq_of.get(text))
        for text, ack in acks.items()
        if ack.seq != seq_of.get(text)
    }
    assert not wrong, f"acked (seq, stored seq) that differ or are lost: {wrong}"

    # Nobody was shown a message that the crash then lost (delivery follows the commit).
    assert observed, "the observer saw no message before the kill"
    lost = [(m.seq, m.text) for m in observed if seq_of.get(m.text) != m.seq]
    assert not lost, f"delivered before the kill, but not stored with that seq: {lost}"

    # Order per sender. With several sends in flight on one connection, the protocol
    # promises no order among them; what it does promise is causal: a message acknowledged
    # before another was sent is committed before it, so it has the lower seq.
    out_of_order = [
        (earlier, later)
        for later in seq_of
        for earlier, ack in acks.items()
        if ack.sender == later.split()[0]
        and ack.acked_at < sent_at[later]
        and not seq_of[earlier] < seq_of[later]
    ]
    assert not out_of_order, f"acked before the other was sent, yet stored after it: {out_of_order}"


async def test_a_direct_message_held_for_an_offline_user_survives_kill_9(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    server_process.start()
    alice = await signed_in_to(server_process, "alice", reconnect=False)
    bob = await signed_in_to(server_process, "bob", reconnect=False)
    await bob.close()
    await wait_left(alice, "bob")
    first = await alice.message_user("bob", "are you there?")
    second = await alice.message_user("bob", "call me when you are back")

    server_process.kill()
    await asyncio.to_thread(server_process.start)

    bob = await signed_in_to(server_process, "bob", reconnect=False)
    await bob.say("bob is back")
    arrived = await events_until(bob, lambda e: isinstance(e, Message) and e.text == "bob is back")
    held = [(first.seq, "are you there?"), (second.seq, "call me when you are back")]
    # The held messages come first, before any live event, each once.
    assert [
        (e.conversation, e.seq, e.sender, e.to, e.text)
        for e in [e for e in arrived if isinstance(e, Message)][:2]
        if isinstance(e, Message)
    ] == [(first.conversation, seq, "alice", "bob", text) for seq, text in held]
    dms = [e for e in arrived if isinstance(e, Message) and e.conversation == first.conversation]
    assert len(dms) == 2
    assert [(m.seq, m.text) for m in await bob.history(first.conversation)] == held

    # Taken once: signing in again does not deliver them a second time.
    await bob.close()
    again = await signed_in_to(server_process, "bob", reconnect=False)
    await again.say("bob is back again")
    arrived = await events_until(
        again, lambda e: isinstance(e, Message) and e.text == "bob is back again"
    )
    assert not [e for e in arrived if isinstance(e, Message) and e.conversation != LOBBY]
