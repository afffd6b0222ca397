"""Migrations 0004 and 0007 and the store's look-alike check: skeletons for old names,
refusals for new."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from test_store_migrations import migrate

from conftest import query
from hubbub.names import skeleton
from hubbub.store import NameTaken, RoomRecord, Store, default_url, open_store
from hubbub.store.database import parse_url

CYRILLIC_ALICE = "\u0430lice"
SOFT_SIGN_BOB = "\u042c\u043e\u042c"


def fill_as_0002(db: Path) -> None:
    """Two accounts that look alike, claimed before the rule, and a room."""
    with sqlite3.connect(db) as connection:
        connection.executescript(
            f"""
            INSERT INTO accounts VALUES (1, 'alice', 'alice', 'h1', 'user', 100.0);
            INSERT INTO accounts VALUES (2, '{CYRILLIC_ALICE}', '{CYRILLIC_ALICE}', 'h2',
                                         'user', 200.0);
            INSERT INTO conversations VALUES ('room:d', 'room', 300.0);
            INSERT INTO rooms (id, name, name_key, owner_id, created_at)
                VALUES ('room:d', 'Design', 'design', 1, 300.0);
            """
        )


def skeletons(db: Path, table: str) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as connection:
        query = f"SELECT name_key, name_skeleton FROM {table} ORDER BY id"
        return connection.execute(query).fetchall()


async def test_0004_gives_old_names_their_skeleton_and_keeps_look_alikes(
    tmp_path: Path,
) -> None:
    db = tmp_path / "hubbub.db"
    migrate(default_url(tmp_path), "0002")
    fill_as_0002(db)
    migrate(default_url(tmp_path), "head")

    assert skeletons(db, "accounts") == [("alice", "alice"), (CYRILLIC_ALICE, "alice")]
    assert skeletons(db, "rooms") == [("lobby", skeleton("lobby")), ("design", "design")]
    store = await open_store(default_url(tmp_path))
    try:
        found = [await store.find_account(key) for key in ("alice", CYRILLIC_ALICE)]
        assert [account.id for account in found if account] == [1, 2]
        with pytest.raises(NameTaken) as caught:
            await store.create_account("\u0251lice", "\u0251lice", "h3")
        assert (caught.value.holder, caught.value.look_alike) == ("alice", True)
    finally:
        await store.close()

    migrate(default_url(tmp_path), "0002", down=True)
    with sqlite3.connect(db) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(accounts)")]
    assert "name_skeleton" not in columns


async def test_the_store_refuses_a_room_or_account_that_looks_like_one_it_has(
    store: Store,
) -> None:
    owner = await store.create_account("Olga", "olga", "h")
    with pytest.raises(NameTaken) as same:
        await store.create_account("OLGA", "olga", "h")
    assert (same.value.holder, same.value.look_alike) == ("Olga", False)
    with pytest.raises(NameTaken) as similar:
        await store.create_account("\u041elga", "\u043elga", "h")
    assert (similar.value.holder, similar.value.look_alike) == ("Olga", True)

    await store.create_room(RoomRecord("room:a", "design", "design", "", False, owner.id, 1.0))
    with pytest.raises(NameTaken) as room:
        await store.create_room(
            RoomRecord("room:b", "d\u0435sign", "d\u0435sign", "", False, owner.id, 2.0)
        )
    assert (room.value.holder, room.value.look_alike) == ("design", True)
    assert {record.id for record in await store.load_rooms()} == {"lobby", "room:a"}


def column_names(url: str, table: str) -> set[str]:
    engine = create_engine(parse_url(url))
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


async def test_0007_gives_old_names_their_cased_skeleton_and_refuses_capitals_beside_them(
    database_url: str,
) -> None:
    migrate(database_url, "0006")
    for name, key in (("bob", "bob"), ("Lan", "lan")):
        query(
            database_url,
            "INSERT INTO accounts (name, name_key, name_skeleton, password_hash, role, created_at)"
            f" VALUES ('{name}', '{key}', '{key}', 'h', 'user', 1.0)",
        )
    migrate(database_url, "head")

    found = query(database_url, "SELECT name, name_cased_skeleton FROM accounts ORDER BY id")
    assert found == [("bob", "bob"), ("Lan", "Lan")]
    assert query(database_url, "SELECT name_cased_skeleton FROM rooms") == [(skeleton("Lobby"),)]
    store = await open_store(database_url)
    try:
        with pytest.raises(NameTaken) as caught:
            await store.create_account(SOFT_SIGN_BOB, SOFT_SIGN_BOB.casefold(), "h3")
        assert (caught.value.holder, caught.value.look_alike) == ("bob", True)
        ian = await store.create_account("Ian", "ian", "h4")
        assert ian.name == "Ian"
        with pytest.raises(NameTaken) as small:
            await store.create_account("lan", "lan", "h5")
        assert (small.value.holder, small.value.look_alike) == ("Lan", False)
    finally:
        await store.close()

    migrate(database_url, "0006", down=True)
    assert "name_cased_skeleton" not in column_names(database_url, "accounts")
    assert "name_cased_skeleton" not in column_names(database_url, "rooms")


async def test_the_store_refuses_a_name_whose_capitals_look_like_another_s_small_letters(
    store: Store,
) -> None:
    owner = await store.create_account("lan", "lan", "h")
    with pytest.raises(NameTaken) as capital:
        await store.create_account("Ian", "ian", "h")
    assert (capital.value.holder, capital.value.look_alike) == ("lan", True)
    await store.create_room(RoomRecord("room:a", "plans", "plans", "", False, owner.id, 1.0))
    with pytest.raises(NameTaken) as room:
        await store.create_room(RoomRecord("room:b", "pIans", "pians", "", False, owner.id, 2.0))
    assert (room.value.holder, room.value.look_alike) == ("plans", True)
