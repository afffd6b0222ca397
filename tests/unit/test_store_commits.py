"""The writer's hot path on both backends: what an answer promises, in what order writes
land, holds taken exactly once; and SQLite's checkpoints, off the writer's path."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Connection

from conftest import query, say, sign_up
from hubbub.store import Draft, Store, StoredMessage, StoreError, default_url, open_store
from hubbub.store.database import Database, open_engine, upgrade_schema

# ------------------------------------------------------------------ an answer means durable

_APPENDER = """
import asyncio, sys
from hubbub.store import Draft, open_store

async def main(url: str) -> None:
    store = await open_store(url)
    ann = await store.create_account("Ann", "ann", "hash")
    n = 0
    while True:  # until killed: bursts of ten, each answer printed as it comes
        burst = [store.append(Draft("lobby", ann.id, "Ann", f"m{n + k}")) for k in range(10)]
        for answer in asyncio.as_completed(burst):
            stored = await answer
            print(stored.seq, stored.text, flush=True)
        n += 10

asyncio.run(main(sys.argv[1]))
"""


def test_every_answered_append_survives_a_kill_9_of_the_process(
    database_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "appender.py"
    script.write_text(_APPENDER)
    child = subprocess.Popen(
        [sys.executable, str(script), database_url],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    answered: dict[int, str] = {}
    try:
        assert child.stdout is not None
        while len(answered) < 300:
            line = child.stdout.readline()
            assert line, "the appender stopped before it was killed"
            seq, text = line.split()
            answered[int(seq)] = text
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()

    kept = asyncio.run(lobby_texts(database_url))
    assert {seq: kept.get(seq) for seq in answered} == answered
    assert sorted(kept) == list(range(1, len(kept) + 1))


async def lobby_texts(url: str) -> dict[int, str]:
    store = await open_store(url)
    try:
        return {m.seq: m.text for m in await store.history("lobby", after=0, limit=100_000)}
    finally:
        await store.close()


async def test_an_answered_append_is_visible_to_another_connection(
    store: Store, database_url: str
) -> None:
    ann = await sign_up(store, "Ann")
    appends = [store.append(say(ann, f"{n}")) for n in range(30)]
    for answer in asyncio.as_completed(appends):
        stored = await answer
        sql = f"SELECT text FROM messages WHERE conversation = 'lobby' AND seq = {stored.seq}"
        assert query(database_url, sql) == [(stored.text,)]


# ------------------------------------------------------------------ order within a group commit


async def test_writes_called_in_one_loop_turn_commit_in_that_order(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    dm = "dm:1:2"
    commits_before = store.commits

    to_bob = store.append(Draft(dm, ann.id, "Ann", "are you there?", to="Bob", hold_for=(bob.id,)))
    taken = store.take_held(bob.id)
    read_far = store.mark_read(bob.id, "lobby", 5)
    read_back = store.mark_read(bob.id, "lobby", 3)
    again = store.take_held(bob.id)
    stored, got, far, back, nothing = await asyncio.gather(
        to_bob, taken, read_far, read_back, again
    )

    assert store.commits - commits_before <= 2
    assert got == [stored]
    assert (far, back) == (5, 5)
    assert nothing == []


async def test_a_burst_across_conversations_keeps_each_conversations_call_order(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    rooms = ["lobby", "dm:1:2", "chat:c1"]

    stored = await asyncio.gather(
        *(store.append(say(ann, f"{n}", rooms[n % 3])) for n in range(90))
    )

    for room in rooms:
        mine = [m for m in stored if m.conversation == room]
        assert [m.text for m in mine] == [str(n) for n in range(90) if rooms[n % 3] == room]
        assert [m.seq for m in mine] == list(range(1, 31))
        assert [m.text for m in await store.history(room, limit=100)] == [m.text for m in mine]


# ------------------------------------------------------------------ holds, exactly once


async def test_a_message_held_twice_for_one_account_is_taken_once(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    held = await store.append(Draft("dm:1:2", ann.id, "Ann", "hi", to="Bob", hold_for=(bob.id,)))
    await store.hold(bob.id, held.conversation, held.seq)
    await asyncio.gather(*(store.hold(bob.id, held.conversation, held.seq) for _ in range(3)))

    assert await store.take_held(bob.id) == [held]
    assert await store.take_held(bob.id) == []


async def test_takes_at_once_share_the_held_messages_without_a_copy(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    sent = [
        await store.append(Draft("dm:1:2", ann.id, "Ann", f"{n}", to="Bob", hold_for=(bob.id,)))
        for n in range(5)
    ]

    takes = await asyncio.gather(*(store.take_held(bob.id) for _ in range(4)))

    assert sorted(m.seq for take in takes for m in take) == [m.seq for m in sent]
    assert [take for take in takes if take] == [sent]


async def test_a_message_taken_can_be_held_again_and_taken_again(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    held = await store.append(Draft("dm:1:2", ann.id, "Ann", "hi", to="Bob", hold_for=(bob.id,)))
    assert await store.take_held(bob.id) == [held]

    await store.hold(bob.id, held.conversation, held.seq)

    assert await store.take_held(bob.id) == [held]


async def test_a_refused_hold_or_marker_fails_alone_and_its_batch_commits(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    first = await store.append(say(ann, "first"))

    outcomes = await asyncio.gather(
        store.hold(bob.id, "lobby", 99),
        store.hold(bob.id, first.conversation, first.seq),
        store.mark_read(bob.id, "room:nowhere", 1),
        store.mark_read(bob.id, "lobby", 1),
        store.append(say(ann, "second")),
        return_exceptions=True,
    )

    refused_hold, kept, refused_marker, marker, second = outcomes
    assert isinstance(refused_hold, StoreError)
    assert isinstance(refused_marker, StoreError)
    assert (kept, marker) == (None, 1)
    assert isinstance(second, StoredMessage)
    assert await store.take_held(bob.id) == [first]
    assert [m.text for m in await store.history("lobby")] == ["first", "second"]


# ------------------------------------------------------------------ SQLite checkpoints

_CHUNK = b"x" * 40_000
"""Bytes per commit: 200 commits make some 2,000 pages, twice SQLite's own checkpoint point,
and twice the commits after which the checkpointer starts one."""
_COMMITS = 200


async def scratch_database(tmp_path: Path) -> tuple[Database, Path]:
    url = default_url(tmp_path)
    await asyncio.to_thread(upgrade_schema, url)
    database = Database(await asyncio.to_thread(open_engine, url))
    await database.write(lambda c, _now: c.exec_driver_sql("CREATE TABLE scratch (x BLOB)"))
    return database, tmp_path / "hubbub.db"


def put_chunk(connection: Connection, _now: float) -> None:
    connection.exec_driver_sql("INSERT INTO scratch VALUES (?)", (_CHUNK,))


async def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    database, file = await scratch_database(tmp_path)
    assert database.checkpointer is not None
    await database.checkpointer.close()
    size = file.stat().st_size

    for _ in range(_COMMITS):
        await database.write(put_chunk)

    assert file.stat().st_size == size
    await database.close()
    assert file.stat().st_size > _COMMITS * len(_CHUNK)
    assert query(default_url(tmp_path), "SELECT count(*) FROM scratch") == [(_COMMITS,)]


async def test_the_checkpointer_copies_the_log_into_the_database_soon(tmp_path: Path) -> None:
    database, file = await scratch_database(tmp_path)
    try:
        for _ in range(_COMMITS):
            await database.write(put_chunk)
        await asyncio.to_thread(grows_to, file, _COMMITS * len(_CHUNK))
    finally:
        await database.close()


def grows_to(file: Path, size: int) -> None:
    """Return once the file holds ``size`` bytes; fail after 30 s."""
    deadline = time.monotonic() + 30
    while file.stat().st_size < size:
        assert time.monotonic() < deadline, f"{file} stayed at {file.stat().st_size} bytes"
        time.sleep(0.1)
