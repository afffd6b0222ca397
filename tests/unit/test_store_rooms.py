"""Rooms and membership in the store, on real SQLite files."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from conftest import sign_up
from hubbub.store import Account, NameTaken, RoomRecord, Store, StoreError, open_store


def room(name: str, owner: Account, *members: Account, private: bool = False) -> RoomRecord:
    return RoomRecord(
        id=f"room:{name.casefold()}",
        name=name,
        name_key=name.casefold(),
        topic="",
        private=private,
        owner_id=owner.id,
        created_at=1000.0,
        members=tuple((member.id, member.name) for member in (owner, *members)),
    )


async def test_the_lobby_is_a_room_every_new_account_joins(store: Store) -> None:
    [lobby] = await store.load_rooms()
    assert (lobby.id, lobby.name, lobby.name_key, lobby.topic) == ("lobby", "Lobby", "lobby", "")
    assert (lobby.private, lobby.archived, lobby.owner_id) == (False, False, None)
    assert lobby.members == ()
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")

    [lobby] = await store.load_rooms()

    assert lobby.members == ((ann.id, "Ann"), (bob.id, "Bob"))
    assert await store.is_member("lobby", ann.id)


async def test_created_room_loads_with_its_members_in_join_order(database_url: str) -> None:
    store = await open_store(database_url)
    ann, bob, cat = [await sign_up(store, name) for name in ("Ann", "Bob", "Cat")]
    await store.create_room(room("Tea", cat, ann, private=True))
    await store.add_member("room:tea", bob.id)
    await store.close()

    store = await open_store(database_url)
    try:
        tea = (await rooms_by_id(store))["room:tea"]
    finally:
        await store.close()
    assert tea == RoomRecord(
        "room:tea", "Tea", "tea", "", True, cat.id, 1000.0, False,
        ((cat.id, "Cat"), (ann.id, "Ann"), (bob.id, "Bob")),
    )  # fmt: skip


LOOKS_LIKE_TEA = "T\u0435a"  # a Cyrillic e


async def test_a_room_given_a_new_key_frees_its_name_and_look_alikes(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.create_room(room("Tea", ann))
    await store.update_room("room:tea", archived=True, name_key="tea~room:tea")

    again = dataclasses.replace(room("Tea", ann), id="room:tea-again")
    await store.create_room(again)
    with pytest.raises(NameTaken):
        await store.create_room(dataclasses.replace(room(LOOKS_LIKE_TEA, ann), id="room:alike"))


async def test_a_room_name_another_room_has_is_taken(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.create_room(room("Tea", ann))

    with pytest.raises(NameTaken):
        await store.create_room(RoomRecord("room:other", "TEA", "tea", "", False, ann.id, 1.0))
    with pytest.raises(NameTaken):
        await store.create_room(RoomRecord("room:lob", "Lobby", "lobby", "", False, ann.id, 1.0))
    assert set(await rooms_by_id(store)) == {"lobby", "room:tea"}


async def test_a_refused_room_does_not_fail_the_writes_beside_it(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    ghost_owned = RoomRecord("room:g", "G", "g", "", False, 999, 1.0)

    outcomes = await asyncio.gather(
        store.create_room(ghost_owned),
        store.create_room(room("Tea", ann)),
        return_exceptions=True,
    )

    assert isinstance(outcomes[0], StoreError)
    assert outcomes[1] is None
    assert set(await rooms_by_id(store)) == {"lobby", "room:tea"}


async def test_topic_and_archive_are_updated(store: Store) -> None:
    ann = await sign_up(store, "Ann")
    await store.create_room(room("Tea", ann))

    await store.update_room("room:tea", topic="Earl Grey")
    await store.update_room("room:tea", archived=True)

    tea = (await rooms_by_id(store))["room:tea"]
    assert (tea.topic, tea.archived) == ("Earl Grey", True)
    await store.update_room("room:tea", archived=False)
    assert not (await rooms_by_id(store))["room:tea"].archived
    with pytest.raises(StoreError):
        await store.update_room("room:none", topic="x")


async def test_membership_is_added_and_removed_idempotently(store: Store) -> None:
    ann, bob = await sign_up(store, "Ann"), await sign_up(store, "Bob")
    await store.create_room(room("Tea", ann))

    await store.add_member("room:tea", bob.id)
    await store.add_member("room:tea", bob.id)
    assert await store.is_member("room:tea", bob.id)
    assert (await rooms_by_id(store))["room:tea"].members == ((ann.id, "Ann"), (bob.id, "Bob"))

    await store.remove_member("room:tea", bob.id)
    await store.remove_member("room:tea", bob.id)
    assert not await store.is_member("room:tea", bob.id)
    await store.remove_member("lobby", ann.id)
    assert not await store.is_member("lobby", ann.id)


async def test_joining_a_conversation_that_does_not_exist_is_refused(store: Store) -> None:
    ann = await sign_up(store, "Ann")

    with pytest.raises(StoreError):
        await store.add_member("room:nowhere", ann.id)
    assert not await store.is_member("room:nowhere", ann.id)


async def rooms_by_id(store: Store) -> dict[str, RoomRecord]:
    return {room.id: room for room in await store.load_rooms()}


async def test_a_topic_the_database_cannot_keep_is_refused_alone(
    store: Store, database_url: str
) -> None:
    cat = await sign_up(store, "Cat")
    await store.create_room(room("Tea", cat))

    outcome, _ = await asyncio.gather(
        store.update_room("room:tea", topic="nul \x00"),
        store.add_member("room:tea", (await sign_up(store, "Dan")).id),
        return_exceptions=True,
    )

    tea = (await rooms_by_id(store))["room:tea"]
    assert [name for _, name in tea.members] == ["Cat", "Dan"]
    if database_url.startswith("postgresql"):  # its text cannot hold U+0000
        assert isinstance(outcome, StoreError)
        assert tea.topic == ""
    else:
        assert tea.topic == "nul \x00"
