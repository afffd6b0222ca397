"""Two stores on one PostgreSQL database, as two ``hubbub serve`` processes share it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from conftest import sign_up
from hubbub.store import Draft, Store, open_store
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
