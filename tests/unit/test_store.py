"""The store, on real SQLite files: durability, group commit, accounts, tokens, history, schema."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from conftest import free_port, query
from hubbub.store import (
    Account,
    Draft,
    NameTaken,
    Store,
    StoredMessage,
    StoreError,
    default_url,
    open_store,
)
from hubbub.store.database import MIGRATIONS, parse_url
from hubbub.store.schema import include_name, metadata


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    store = await reopen(database_url)
    yield store
    await store.close()


async def reopen(url: str) -> Store:
    return await open_store(url)


async def sign_up(store: Store, name: str) -> Account:
    return await store.create_account(name, name.casefold(), f"hash of {name}'s password")


def say(account: Account, text: str, conversation: str = "lobby") -> Draft:
    return Draft(conversation, account.id, account.name, text)


def sqlite_query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql).fetchall()


def migrations_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


# ------------------------------------------------------------------ durability and group commit


async def test_message_survives_close_and_reopen_with_its_seq(database_url: str) -> None:
    store = await reopen(database_url)
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "first"))
    sent = await store.append(Draft("dm:1:2", ann.id, "Ann", "psst", to="Bob"))
    await store.close()

    store = await reopen(database_url)
    try:
        assert await store.history("dm:1:2") == [sent]
        assert sent.seq == 1
        assert (await store.append(say(ann, "second"))).seq == 2
    finally:
        await store.close()


async def test_concurrent_appends_get_gapless_seqs_per_conversation_in_few_commits(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    conversations = ["lobby", "chat:a1", "dm:1:2"]
    commits_before = store.commits

    drafts = [say(ann, f"{n}", conversations[n % 3]) for n in range(300)]
    stored = await asyncio.gather(*(store.append(draft) for draft in drafts))

    assert store.commits - commits_before < 10
    for conversation in conversations:
        mine = [message for message in stored if message.conversation == conversation]
        assert [message.seq for message in mine] == list(range(1, 101))
        assert await store.history(conversation, limit=200) == mine


async def test_messages_appended_while_a_commit_runs_each_get_their_own_seq(
    store: Store,
) -> None:
    """Appends keep arriving, one loop turn apart, while earlier groups are being written."""
    ann = await sign_up(store, "Ann")
    sending: list[asyncio.Task[StoredMessage]] = []
    for n in range(120):
        sending.append(asyncio.create_task(store.append(say(ann, f"{n}"))))
        await asyncio.sleep(0)

    stored = await asyncio.gather(*sending)

    assert [message.text for message in stored] == [f"{n}" for n in range(120)]
    assert [message.seq for message in stored] == list(range(1, 121))
    assert await whole_lobby(store) == stored


async def whole_lobby(store: Store) -> list[StoredMessage]:
    messages: list[StoredMessage] = []
    while page := await store.history("lobby", after=len(messages), limit=200):
        messages.extend(page)
    return messages


async def test_timestamps_never_decrease_within_a_conversation(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    for _ in range(5):
        await asyncio.gather(*(store.append(say(ann, "tick")) for _ in range(20)))
        await asyncio.sleep(0.001)

    stamps = [message.ts for message in await store.history("lobby", limit=200)]
    assert len(stamps) == 100
    assert stamps == sorted(stamps)


async def test_timestamps_never_go_back_even_when_the_clock_does(database_url: str) -> None:
    store = await reopen(database_url)
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "from the future"))
    await store.close()
    query(database_url, "UPDATE messages SET ts = ts + 3600")

    store = await reopen(database_url)
    try:
        [future] = await store.history("lobby")
        assert (await store.append(say(ann, "now"))).ts >= future.ts
    finally:
        await store.close()


async def test_close_commits_appends_called_just_before_it(database_url: str) -> None:
    store = await reopen(database_url)
    ann = await sign_up(store, "Ann")
    sending = [asyncio.create_task(store.append(say(ann, f"{n}"))) for n in range(20)]
    await asyncio.sleep(0)
    await store.close()
    assert [task.result().seq for task in sending] == list(range(1, 21))

    store = await reopen(database_url)
    try:
        assert len(await store.history("lobby")) == 20
    finally:
        await store.close()


async def test_calls_after_close_raise_store_error(database_url: str) -> None:
    store = await reopen(database_url)
    ann = await sign_up(store, "Ann")
    await store.close()
    await store.close()

    with pytest.raises(StoreError):
        await store.append(say(ann, "too late"))
    with pytest.raises(StoreError):
        await store.history("lobby")


async def test_failed_batch_fails_only_its_callers_and_the_store_keeps_working(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    ghost = Draft("lobby", sender_id=999, sender="Ghost", text="I have no account")

    outcomes = await asyncio.gather(
        store.append(say(ann, "same batch as the ghost")),
        store.append(ghost),
        return_exceptions=True,
    )

    assert [type(outcome) for outcome in outcomes] == [StoreError, StoreError]
    after = await store.append(say(ann, "next batch"))
    assert after.seq == 1
    assert await store.history("lobby") == [after]


async def test_name_taken_refuses_only_its_caller(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    commits_before = store.commits

    outcomes = await asyncio.gather(
        store.create_account("Bob", "bob", "hash"),
        store.create_account("BOB", "bob", "other hash"),
        store.append(say(ann, "hello")),
        return_exceptions=True,
    )

    assert [type(outcome) for outcome in outcomes] == [Account, NameTaken, StoredMessage]
    assert store.commits == commits_before + 1
    assert await store.find_account("bob") == outcomes[0]


# ------------------------------------------------------------------ accounts and tokens


async def test_first_account_is_admin_later_ones_users_found_by_key(store: Store) -> None:
    ann = await store.create_account("Ann", "ann", "argon2 hash")
    bob = await store.create_account("Bob", "bob", "argon2 hash")

    assert (ann.role, bob.role) == ("admin", "user")
    assert await store.find_account("ann") == ann
    assert await store.find_account("cat") is None


async def test_creating_an_account_with_a_taken_key_raises_name_taken(store: Store) -> None:
    ann = await store.create_account("Ann", "ann", "hash")

    with pytest.raises(NameTaken):
        await store.create_account("ANN", "ann", "another hash")
    assert await store.find_account("ann") == ann


async def test_token_signs_in_until_revoked(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id)

    assert await store.account_for_token(token) == ann
    await store.revoke_token(token)
    assert await store.account_for_token(token) is None


async def test_unknown_token_signs_nobody_in(store: Store) -> None:
    await sign_up(store, "Ann")
    assert await store.account_for_token("not a token") is None


async def test_database_keeps_only_a_hash_of_each_token(store: Store, database_url: str) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id)

    rows = query(database_url, "SELECT token_hash, account_id FROM tokens")
    assert rows == [(hashlib.sha256(token.encode()).hexdigest(), ann.id)]
    assert token not in repr(query(database_url, "SELECT * FROM tokens"))


# ------------------------------------------------------------------ history


@pytest.mark.parametrize(
    ("page", "seqs"),
    [
        ({}, list(range(1, 11))),
        ({"limit": 3}, [8, 9, 10]),
        ({"after": 7}, [8, 9, 10]),
        ({"after": 2, "limit": 3}, [3, 4, 5]),
        ({"after": 10}, []),
        ({"before": 4}, [1, 2, 3]),
        ({"before": 9, "limit": 3}, [6, 7, 8]),
        ({"before": 1}, []),
        ({"after": 2, "before": 6}, [3, 4, 5]),
        ({"after": 2, "before": 9, "limit": 2}, [3, 4]),
    ],
)
async def test_history_pages(store: Store, page: dict[str, int], seqs: list[int]) -> None:
    ann = await sign_up(store, "Ann")
    for n in range(1, 11):
        await store.append(say(ann, f"message {n}"))
    await store.append(say(ann, "elsewhere", "chat:ff"))

    messages = await store.history("lobby", **page)

    assert [message.seq for message in messages] == seqs
    assert [message.text for message in messages] == [f"message {seq}" for seq in seqs]


async def test_history_limit_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError, match="limit"):
        await store.history("lobby", limit=0)


# ------------------------------------------------------------------ chats


async def test_chat_members_are_members_and_others_are_not(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]

    await store.open_chat("chat:0f", [ann.id, bob.id])

    assert await store.is_member("chat:0f", ann.id)
    assert await store.is_member("chat:0f", bob.id)
    assert not await store.is_member("chat:0f", cat.id)
    assert (await store.append(say(ann, "hi Bob", "chat:0f"))).seq == 1


# ------------------------------------------------------------------ held for offline recipients


async def test_held_messages_come_back_in_the_order_held_and_only_once(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    first = await store.append(say(ann, "to the lobby"))
    second = await store.append(Draft("dm:1:2", ann.id, "Ann", "to Bob", to="Bob"))
    third = await store.append(say(ann, "again"))
    for message in (second, first, third):
        await store.hold(bob.id, message.conversation, message.seq)
    await store.hold(cat.id, first.conversation, first.seq)

    assert await store.take_held(bob.id) == [second, first, third]
    assert await store.take_held(bob.id) == []
    assert await store.take_held(cat.id) == [first]


# ------------------------------------------------------------------ schema and migrations


def head_revision() -> str | None:
    return ScriptDirectory.from_config(migrations_config()).get_current_head()


async def test_fresh_directory_gets_the_schema_from_alembic_and_reopens(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet"
    for _ in range(2):
        await (await open_store(f"sqlite:///{data_dir}/hubbub.db")).close()

    db = data_dir / "hubbub.db"
    assert sqlite_query(db, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    assert sqlite_query(db, "PRAGMA journal_mode") == [("wal",)]


async def test_migrated_schema_matches_the_table_definitions(database_url: str) -> None:
    await (await reopen(database_url)).close()

    engine = create_engine(parse_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_alembic_cli_migrates_the_database_named_in_its_ini(
    tmp_path: Path, database_url: str
) -> None:
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {MIGRATIONS}\nsqlalchemy.url = {database_url}\n")

    def alembic(*args: str) -> str:
        cli = [sys.executable, "-m", "alembic", "-c", str(ini), *args]
        return subprocess.run(cli, check=True, capture_output=True, text=True).stdout

    assert "CREATE TABLE messages" in alembic("upgrade", "head", "--sql")
    if database_url.startswith("sqlite"):  # --sql only prints: nothing is made
        assert not (tmp_path / "hubbub.db").exists()
    else:
        assert query(database_url, "SELECT to_regclass('alembic_version')") == [(None,)]
    alembic("upgrade", "head")
    assert query(database_url, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mysql://localhost/hubbub", "SQLite or PostgreSQL, not mysql"),
        ("postgresql+asyncpg://localhost/hubbub", "through psycopg 3"),
        ("postgresql://localhost", "name the PostgreSQL database"),
        ("sqlite://", "not an in-memory database"),
        ("sqlite:///:memory:", "not an in-memory database"),
        ("not a url", "not a database URL"),
    ],
)
async def test_urls_the_store_cannot_open_raise_store_error_saying_why(url: str, why: str) -> None:
    with pytest.raises(StoreError, match=why):
        await open_store(url)


async def test_a_postgresql_server_that_cannot_be_reached_raises_store_error() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(StoreError, match="cannot open the database"):
        await open_store(f"postgresql://hubbub@127.0.0.1:{port}/hubbub")


def test_default_url_is_the_sqlite_file_in_the_data_directory(tmp_path: Path) -> None:
    assert default_url(tmp_path) == f"sqlite:///{tmp_path}/hubbub.db"
