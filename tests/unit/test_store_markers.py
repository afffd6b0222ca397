"""Read markers and each account's conversation list, on real SQLite files."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from conftest import say, sign_up
from hubbub.store import (
    Account,
    ConversationSummary,
    Store,
    StoreError,
)


async def summaries(store: Store, account: Account) -> dict[str, ConversationSummary]:
    return {summary.id: summary for summary in await store.conversations(account.id)}


async def test_read_markers_only_move_forward(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    for n in range(5):
        await store.append(say(ann, f"{n}"))

    assert await store.mark_read(ann.id, "lobby", 3) == 3
    assert await store.mark_read(ann.id, "lobby", 2) == 3
    assert await store.mark_read(ann.id, "lobby", 5) == 5
    assert (await summaries(store, ann))["lobby"].read == 5


async def test_marking_a_conversation_that_does_not_exist_is_refused(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    with pytest.raises(StoreError):
        await store.mark_read(ann.id, "chat:nowhere", 1)


async def test_unread_counts_messages_from_others_after_the_marker(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    for n in range(4):
        await store.append(say(ann, f"ann {n}"))
    await store.append(say(bob, "bob's own"))
    await store.append(say(ann, "ann 1 (edited)", kind="edit", target=2))
    await store.append(say(ann, "", kind="delete", target=3))

    assert await store.conversations(bob.id) == [
        ConversationSummary("lobby", "room", last_seq=7, read=0, unread=3, mentions=0)
    ]
    await store.mark_read(bob.id, "lobby", 2)
    assert (await summaries(store, bob))["lobby"].unread == 1
    assert (await summaries(store, ann))["lobby"].unread == 1


async def test_mentions_count_unread_messages_that_mention_the_account(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    to_bob = ((bob.id, "Bob"),)
    await store.append(say(ann, "@Bob one", mentions=to_bob))
    await store.append(say(ann, "@Bob two", mentions=to_bob))
    await store.append(say(ann, "@Bob three", mentions=to_bob))
    await store.append(say(bob, "@Bob talking to myself", mentions=to_bob))
    await store.append(say(ann, "", kind="delete", target=2))

    assert (await summaries(store, bob))["lobby"].mentions == 2
    await store.mark_read(bob.id, "lobby", 1)
    assert (await summaries(store, bob))["lobby"].mentions == 1
    assert (await summaries(store, cat))["lobby"].mentions == 0


async def test_direct_messages_and_chats_name_the_partner(store: Store) -> None:
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    await store.append(say(ann, "hi", "dm:1:2", to="Bob", members=(ann.id, bob.id)))
    await store.open_chat("chat:ac", [ann.id, cat.id])

    anns = await summaries(store, ann)
    bobs = await summaries(store, bob)
    cats = await summaries(store, cat)

    assert set(anns) == {"lobby", "dm:1:2", "chat:ac"}
    assert anns["dm:1:2"] == ConversationSummary("dm:1:2", "dm", 1, 0, 0, 0, partner="Bob")
    assert bobs["dm:1:2"] == ConversationSummary("dm:1:2", "dm", 1, 0, 1, 0, partner="Ann")
    assert cats["chat:ac"] == ConversationSummary("chat:ac", "chat", 0, 0, 0, 0, partner="Ann")
    assert anns["chat:ac"].partner == "Cat"
    assert anns["lobby"].partner is None


async def test_conversations_lists_only_memberships(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    await store.open_chat("chat:aa", [ann.id])
    await store.remove_member("lobby", bob.id)

    assert set(await summaries(store, ann)) == {"lobby", "chat:aa"}
    assert await store.conversations(bob.id) == []


async def test_the_conversation_list_is_one_query_however_many_there_are(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    for n in range(20):
        friend = await sign_up(store, f"F{n}")
        await store.open_chat(f"chat:{n:02x}", [ann.id, friend.id])
    statements: list[str] = []
    engine = store._database.engine

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        listed = await store.conversations(ann.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(listed) == 21
    assert len([sql for sql in statements if "SELECT" in sql]) <= 2
