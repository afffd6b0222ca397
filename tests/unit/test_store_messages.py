"""The store's messages, on both backends: client ids, holds, mentions, edits and deletes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from conftest import query, say, sign_up
from hubbub.store import Draft, Store, StoredMessage, StoreError, open_store

# ------------------------------------------------------------------ client ids


async def test_a_repeated_client_id_returns_the_original_and_stores_nothing(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    first = await store.append(say(ann, "hello", client_id="c1"))

    again = await store.append(say(ann, "hello, resent", client_id="c1"))

    assert not first.duplicate
    assert again == replace(first, duplicate=True)
    assert await store.history("lobby") == [first]


async def test_two_drafts_with_one_client_id_in_one_group_store_one_message(
    store: Store,
) -> None:
    ann = await sign_up(store, "Ann")
    commits_before = store.commits

    first, second = await asyncio.gather(
        store.append(say(ann, "hi", client_id="same")),
        store.append(say(ann, "hi", client_id="same")),
    )

    assert store.commits == commits_before + 1
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.seq == first.seq == 1
    assert await store.history("lobby") == [first]


async def test_client_ids_are_remembered_across_a_reopen(database_url: str) -> None:
    store = await open_store(database_url)
    ann = await sign_up(store, "Ann")
    first = await store.append(say(ann, "hi", client_id="k"))
    await store.close()

    store = await open_store(database_url)
    try:
        again = await store.append(say(ann, "hi", client_id="k"))
        assert again.duplicate
        assert again.seq == first.seq
        assert len(await store.history("lobby")) == 1
    finally:
        await store.close()


async def test_client_ids_are_per_sender(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")

    mine = await store.append(say(ann, "a", client_id="1"))
    theirs = await store.append(say(bob, "b", client_id="1"))

    assert not theirs.duplicate
    assert (mine.seq, theirs.seq) == (1, 2)


# ------------------------------------------------------------------ holds, members, heads


async def test_holds_are_written_in_the_same_transaction_as_the_message(
    store: Store, database_url: str
) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    commits_before = store.commits

    sent = await store.append(
        say(ann, "psst", "dm:1:2", to="Bob", hold_for=(bob.id,), members=(ann.id, bob.id))
    )

    assert store.commits == commits_before + 1
    assert query(database_url, "SELECT account_id, conversation, seq FROM held") == [
        (bob.id, "dm:1:2", 1)
    ]
    assert await store.take_held(bob.id) == [sent]
    assert await store.take_held(bob.id) == []


async def test_a_failed_batch_holds_nothing(store: Store, database_url: str) -> None:
    ann = await sign_up(store, "Ann")
    ghost = Draft("lobby", 999, "Ghost", "boo")

    outcomes = await asyncio.gather(
        store.append(say(ann, "held?", hold_for=(ann.id,))),
        store.append(ghost),
        return_exceptions=True,
    )

    assert [type(outcome) for outcome in outcomes] == [StoreError, StoreError]
    assert query(database_url, "SELECT * FROM held") == []
    assert await store.take_held(ann.id) == []


async def test_a_first_direct_message_makes_both_parties_members(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]

    await store.append(say(ann, "hi", "dm:1:2", to="Bob", members=(ann.id, bob.id)))
    await store.append(say(bob, "later", "dm:1:2", to="Ann", members=(cat.id,)))

    assert await store.is_member("dm:1:2", ann.id)
    assert await store.is_member("dm:1:2", bob.id)
    assert not await store.is_member("dm:1:2", cat.id)


async def test_heads_are_the_last_seq_of_each_conversation(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    assert await store.heads() == {}

    for text in ("a", "b", "c"):
        await store.append(say(ann, text))
    await store.append(say(ann, "x", "chat:01"))

    assert await store.heads() == {"lobby": 3, "chat:01": 1}


async def test_find_message(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    sent = await store.append(say(ann, "findable", mentions=((ann.id, "Ann"),)))

    assert await store.find_message("lobby", 1) == sent
    assert sent.mentions == ("Ann",)
    assert sent.sender_id == ann.id
    assert await store.find_message("lobby", 2) is None
    assert await store.find_message("elsewhere", 1) is None


# ------------------------------------------------------------------ edits and deletes


async def test_an_edit_is_a_change_record_and_changes_its_target(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "helo"))

    edit = await store.append(say(ann, "hello", kind="edit", target=1))

    assert (edit.seq, edit.kind, edit.target, edit.text) == (2, "edit", 1, "hello")
    target, record = await store.history("lobby")
    assert (target.kind, target.text, target.edited, target.deleted) == (
        "message", "hello", True, False,
    )  # fmt: skip
    assert record == edit


async def test_a_delete_is_a_change_record_and_blanks_its_target(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.append(say(ann, "oops", mentions=((ann.id, "Ann"),)))

    deletion = await store.append(say(ann, "ignored", kind="delete", target=1))

    assert (deletion.kind, deletion.target, deletion.text) == ("delete", 1, "")
    target = await store.find_message("lobby", 1)
    assert target is not None
    assert (target.text, target.deleted, target.mentions) == ("", True, ())


@pytest.mark.parametrize(
    ("sender", "kind", "target"),
    [
        ("Bob", "edit", 1),  # not Bob's message
        ("Ann", "edit", 9),  # no such message
        ("Ann", "delete", None),  # no target at all
        ("Ann", "edit", 2),  # a change record, not a message
        ("Ann", "delete", 3),  # deleted already
    ],
)
async def test_changes_the_store_refuses_write_nothing(
    store: Store, sender: str, kind: Any, target: int | None
) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    await store.append(say(ann, "one"))
    await store.append(say(ann, "one!", kind="edit", target=1))
    await store.append(say(ann, "three"))
    await store.append(say(ann, "", kind="delete", target=3))
    before = await store.history("lobby")
    who = {"Ann": ann, "Bob": bob}[sender]

    refused, accepted = await asyncio.gather(
        store.append(say(who, "changed", kind=kind, target=target)),
        store.append(say(ann, "next")),
        return_exceptions=True,
    )

    assert isinstance(refused, StoreError)
    assert isinstance(accepted, StoredMessage)
    assert accepted.seq == 5
    assert await store.history("lobby") == [*before, accepted]


async def test_a_message_can_be_edited_and_deleted_within_its_own_group(store: Store) -> None:
    ann = await sign_up(store, "Ann")

    message, edit, deletion = await asyncio.gather(
        store.append(say(ann, "draft", mentions=((ann.id, "Ann"),))),
        store.append(say(ann, "final", kind="edit", target=1)),
        store.append(say(ann, "", kind="delete", target=1)),
    )

    assert (message.seq, edit.seq, deletion.seq) == (1, 2, 3)
    now = await store.find_message("lobby", 1)
    assert now is not None
    assert (now.text, now.edited, now.deleted) == ("", True, True)


async def test_an_edit_replaces_the_mentions_of_its_target(store: Store, database_url: str) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    await store.append(say(ann, "hi @Bob", mentions=((bob.id, "Bob"),)))

    await store.append(say(ann, "hi @Cat", kind="edit", target=1, mentions=((cat.id, "Cat"),)))

    target = await store.find_message("lobby", 1)
    assert target is not None
    assert target.mentions == ("Cat",)
    assert query(database_url, "SELECT conversation, seq, account_id FROM mentions") == [
        ("lobby", 1, cat.id)
    ]


async def test_a_message_the_database_cannot_keep_fails_alone(
    store: Store, database_url: str
) -> None:
    ann = await sign_up(store, "Ann")

    fine, nul = await asyncio.gather(
        store.append(say(ann, "fine")), store.append(say(ann, "a\x00b")), return_exceptions=True
    )

    assert isinstance(fine, StoredMessage)
    if database_url.startswith("postgresql"):  # its text cannot hold U+0000
        assert isinstance(nul, StoreError)
        assert "U+0000" in str(nul)
        assert [m.text for m in await store.history("lobby")] == ["fine"]
    else:
        assert [m.text for m in await store.history("lobby")] == ["fine", "a\x00b"]
