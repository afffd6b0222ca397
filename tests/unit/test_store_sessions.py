"""The store's sessions: each token's last use, device and address; revoking one, all, or
all but one; idle tokens expire; and migration 0003 keeps the tokens issued before it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from test_store_migrations import migrate

from conftest import sign_up
from hubbub.store import Store, default_url, open_store, session_id


async def test_a_token_names_its_session_with_device_and_address(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id, "laptop", "203.0.113.7")

    [session] = await store.sessions(ann.id)
    assert (session.id, session.device, session.address) == (
        session_id(token),
        "laptop",
        "203.0.113.7",
    )
    assert session.created_at == session.last_seen
    assert len(session.id) == 16
    assert token not in repr(session)


async def test_signing_in_with_a_token_records_its_use(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id, "laptop", "203.0.113.7")

    assert await store.account_for_token(token, 0.0, None, "198.51.100.2") == ann
    [session] = await store.sessions(ann.id)
    assert (session.device, session.address) == ("laptop", "198.51.100.2")
    assert session.last_seen >= session.created_at


async def test_a_token_used_from_a_named_device_records_it(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id, "laptop", "203.0.113.7")

    assert await store.account_for_token(token, 0.0, "phone", "198.51.100.2") == ann
    [session] = await store.sessions(ann.id)
    assert (session.device, session.address) == ("phone", "198.51.100.2")


async def test_tokens_used_at_once_each_find_their_own_account(store: Store) -> None:
    people = [await sign_up(store, name) for name in ("Ann", "Bob", "Cy")]
    tokens = [await store.issue_token(person.id) for person in people]

    found = await asyncio.gather(
        *(store.account_for_token(token) for token in [*tokens, "not-a-token", *tokens])
    )
    assert found == [*people, None, *people]


async def test_tokens_used_at_once_each_record_their_own_use_in_one_commit(
    store: Store,
) -> None:
    people = [await sign_up(store, name) for name in ("Ann", "Bob", "Cy")]
    tokens = [await store.issue_token(person.id, "laptop") for person in people]
    commits_before = store.commits

    addresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
    found = await asyncio.gather(
        *(
            store.account_for_token(token, 0.0, device, address)
            for token, device, address in zip(
                tokens, ["phone", None, "tablet"], addresses, strict=True
            )
        )
    )

    assert found == people
    sessions = [(await store.sessions(person.id))[0] for person in people]
    assert [(s.device, s.address) for s in sessions] == [
        ("phone", "198.51.100.1"),
        ("laptop", "198.51.100.2"),
        ("tablet", "198.51.100.3"),
    ]
    assert all(s.last_seen >= s.created_at for s in sessions)
    assert store.commits - commits_before == 1


async def test_a_token_unused_since_before_the_limit_expires(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    token = await store.issue_token(ann.id)
    [session] = await store.sessions(ann.id)

    assert await store.account_for_token(token, session.last_seen + 1) is None
    assert await store.sessions(ann.id) == []
    assert await store.account_for_token(token) is None


async def test_a_token_revoked_while_a_sign_in_is_on_its_way_is_refused(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    first, second = await store.issue_token(ann.id), await store.issue_token(ann.id)

    revoking = asyncio.create_task(store.revoke_token(first))
    await asyncio.sleep(0)
    assert await store.account_for_token(first) is None
    await revoking

    signing_in = asyncio.create_task(store.account_for_token(second))
    await asyncio.sleep(0)
    await store.revoke_tokens(ann.id)
    assert await signing_in is None


async def test_revoking_a_session_needs_its_account(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    token = await store.issue_token(ann.id)

    assert not await store.revoke_session(bob.id, session_id(token))
    assert await store.revoke_session(ann.id, session_id(token))
    assert await store.account_for_token(token) is None
    assert not await store.revoke_session(ann.id, session_id(token))


async def test_revoking_every_token_but_one(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    kept, *others = [await store.issue_token(ann.id) for _ in range(3)]
    bobs = await store.issue_token(bob.id)

    await store.revoke_tokens(ann.id, keep=kept)
    assert [s.id for s in await store.sessions(ann.id)] == [session_id(kept)]
    assert [await store.account_for_token(t) for t in others] == [None, None]
    await store.revoke_tokens(ann.id)
    assert await store.sessions(ann.id) == []
    assert await store.account_for_token(bobs) == bob


async def test_0003_keeps_earlier_tokens_as_last_used_when_issued(tmp_path: Path) -> None:
    db = tmp_path / "hubbub.db"
    migrate(default_url(tmp_path), "0002")
    with sqlite3.connect(db) as connection:
        connection.executescript(
            """
            INSERT INTO accounts VALUES (1, 'Ann', 'ann', 'h1', 'user', 200.0);
            INSERT INTO tokens VALUES ('abcdef0123456789' || hex(zeroblob(24)), 1, 250.0);
            """
        )
    store = await open_store(default_url(tmp_path))
    try:
        [session] = await store.sessions(1)
    finally:
        await store.close()
    assert (session.id, session.created_at, session.last_seen) == ("abcdef0123456789", 250.0, 250.0)
    assert (session.device, session.address) == (None, None)
