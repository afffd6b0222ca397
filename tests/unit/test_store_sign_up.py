"""A password sign-up is one transaction on each backend: the account, its first rooms
with their read markers, and its token, in one commit, or nothing at all."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from conftest import query, say
from hubbub.store import NameTaken, SignedUp, Store, StoreError, open_store
from postgres import PostgresServer


async def new_user(store: Store, name: str) -> SignedUp:
    signed = await store.sign_up(name, name.casefold(), "hash", ["lobby"], {})
    assert isinstance(signed, SignedUp), signed
    return signed


async def test_a_sign_up_is_one_commit_with_member_marker_and_token(store: Store) -> None:
    first = await new_user(store, "ann")
    for text in ("one", "two", "three"):
        await store.append(say(first.account, text))
    commits = store.commits

    signed = await store.sign_up("Bob", "bob", "hash", ["lobby"], {"lobby": 3}, "phone", "10.0.0.2")

    assert store.commits == commits + 1
    assert isinstance(signed, SignedUp)
    bob = signed.account
    assert (bob.name, bob.name_key, bob.role) == ("Bob", "bob", "user")
    assert await store.find_account("bob") == bob
    assert await store.is_member("lobby", bob.id)
    [lobby] = await store.conversations(bob.id)
    assert (lobby.id, lobby.read, lobby.unread) == ("lobby", 3, 0)
    [session] = await store.sessions(bob.id)
    assert (session.device, session.address) == ("phone", "10.0.0.2")
    assert await store.account_for_token(signed.token) == bob


async def test_the_first_account_is_admin_and_the_next_ones_users(store: Store) -> None:
    assert (await new_user(store, "ann")).account.role == "admin"
    assert (await new_user(store, "bob")).account.role == "user"


async def test_of_two_first_sign_ups_at_once_only_one_is_admin(store: Store) -> None:
    both = await asyncio.gather(new_user(store, "ann"), new_user(store, "bob"))
    assert sorted(signed.account.role for signed in both) == ["admin", "user"]


async def test_a_taken_or_look_alike_name_is_answered_name_taken_and_nothing_is_written(
    store: Store, database_url: str
) -> None:
    await new_user(store, "alice")

    same = await store.sign_up("ALICE", "alice", "other", ["lobby"], {})
    look_alike = await store.sign_up("\u0430lice", "\u0430lice", "other", ["lobby"], {})

    assert isinstance(same, NameTaken)
    assert (same.holder, same.look_alike) == ("alice", False)
    assert isinstance(look_alike, NameTaken)
    assert (look_alike.holder, look_alike.look_alike) == ("alice", True)
    assert query(database_url, "SELECT name FROM accounts") == [("alice",)]
    assert query(database_url, "SELECT count(*) FROM tokens") == [(1,)]


async def test_a_refusal_in_the_middle_leaves_no_account_and_no_token(
    store: Store, database_url: str
) -> None:
    await new_user(store, "ann")
    with pytest.raises(StoreError, match="refused"):
        await store.sign_up("bob", "bob", "hash", ["lobby", "room:gone"], {"lobby": 0})

    assert await store.find_account("bob") is None
    assert query(database_url, "SELECT count(*) FROM accounts") == [(1,)]
    assert query(database_url, "SELECT count(*) FROM tokens") == [(1,)]
    assert query(database_url, "SELECT count(*) FROM members") == [(1,)]
    assert (await new_user(store, "bob")).account.name == "bob"


async def test_a_failed_sign_up_does_not_fail_the_writes_batched_with_it(store: Store) -> None:
    ann = (await new_user(store, "ann")).account
    failing = store.sign_up("bob", "bob", "hash", ["room:gone"], {})
    stored = store.append(say(ann, "still here"))
    outcomes = await asyncio.gather(failing, stored, return_exceptions=True)

    assert isinstance(outcomes[0], StoreError)
    assert [entry.text for entry in await store.history("lobby")] == ["still here"]


async def test_a_name_another_process_claims_meanwhile_is_name_taken(
    postgres: PostgresServer,
) -> None:
    """Two processes on one PostgreSQL database each check the name in their own writer:
    the second insert waits for the first commit and finds the name taken."""
    url = postgres.new_database()
    here = await open_store(url)
    try:
        await new_user(here, "ann")
        claim = await asyncio.to_thread(_claim_uncommitted, url, "cleo")
        try:
            racing = asyncio.ensure_future(here.sign_up("Cleo", "cleo", "hash", ["lobby"], {}))
            await asyncio.sleep(0.5)
            assert not racing.done()  # waiting on the other's uncommitted claim
            await asyncio.to_thread(claim.commit)
        finally:
            await asyncio.to_thread(claim.close)
        taken = await asyncio.wait_for(racing, 10)
        assert isinstance(taken, NameTaken)
        assert (taken.holder, taken.look_alike) == ("cleo", False)
        assert (await new_user(here, "dan")).account.name == "dan"
    finally:
        await here.close()


def _claim_uncommitted(url: str, name: str) -> psycopg.Connection[Any]:
    """A connection of "another process" that has inserted the account and not committed."""
    connection = psycopg.connect(url)
    connection.execute(
        "INSERT INTO accounts (name, name_key, name_skeleton, name_cased_skeleton,"
        " password_hash, role, created_at) VALUES (%s, %s, 'x', 'y', 'hash', 'user', 0)",
        (name, name),
    )
    return connection
