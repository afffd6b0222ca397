"""Two stores on one PostgreSQL database, as two ``hubbub serve`` processes share it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from conftest import say, sign_up
from hubbub.store import Draft, RoomArchived, RoomRecord, Store, open_store
from postgres import PostgresServer


@pytest.fixture
async def two_stores(postgres: PostgresServer) -> AsyncIterator[tuple[Store, Store]]:
    """Two stores opened on the same new database, closed at the end."""
    url = postgres.new_database()
    first = await open_store(url)
    second = await open_store(url)
    yield first, second
    await second.close()
    await first.close()


async def test_a_message_held_by_one_process_is_taken_by_the_other(
    two_stores: tuple[Store, Store],
) -> None:
    here, there = two_stores
    ann, bob = await sign_up(here, "Ann"), await sign_up(here, "Bob")
    held = await here.append(Draft("dm:1:2", ann.id, "Ann", "are you there?", to="Bob"))
    await here.hold(bob.id, held.conversation, held.seq)

    assert await there.take_held(bob.id) == [held]
    assert await here.take_held(bob.id) == []


async def test_a_message_held_while_appended_is_taken_by_the_other_process(
    two_stores: tuple[Store, Store],
) -> None:
    here, there = two_stores
    ann, bob = await sign_up(here, "Ann"), await sign_up(here, "Bob")
    held = await here.append(
        Draft("dm:1:2", ann.id, "Ann", "see you", to="Bob", hold_for=(bob.id,))
    )

    assert await there.take_held(bob.id) == [held]


async def test_a_room_archived_by_one_process_takes_no_entry_from_the_other(
    two_stores: tuple[Store, Store],
) -> None:
    here, there = two_stores
    ann = await sign_up(here, "Ann")
    tea = RoomRecord(
        "room:tea", "Tea", "tea", "", False, ann.id, 1000.0, members=((ann.id, "Ann"),)
    )
    await here.create_room(tea)
    first = await there.append(say(ann, "before", tea.id, client_id="c1"))
    await here.update_room(tea.id, archived=True)

    # The archived room's drafts are refused; the Lobby's, perhaps in their group, is stored.
    outcomes = await asyncio.gather(
        there.append(say(ann, "after", tea.id)),
        there.append(say(ann, "meanwhile")),
        there.append(Draft(tea.id, ann.id, "Ann", "", kind="delete", target=first.seq)),
        return_exceptions=True,
    )

    refused, lobby, delete = outcomes
    assert isinstance(refused, RoomArchived)
    assert isinstance(delete, RoomArchived)
    assert not isinstance(lobby, BaseException)
    assert lobby.text == "meanwhile"
    assert [(m.seq, m.text) for m in await here.history(tea.id)] == [(1, "before")]
    # A resend of what was stored before the archive still learns its place.
    resent = await there.append(say(ann, "before", tea.id, client_id="c1"))
    assert (resent.seq, resent.duplicate) == (first.seq, True)
    await here.update_room(tea.id, archived=False)
    assert (await there.append(say(ann, "reopened", tea.id))).seq == 2, "no seq was spent"
