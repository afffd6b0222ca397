"""Reading the entries another process committed and this one missed, on each backend."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import say, sign_up
from hubbub.hub.effects import ReadGap
from hubbub.server.passwords import Argon2Passwords
from hubbub.store import Store


@dataclass
class _Services:
    """What a server gives its effects: here the store under test."""

    store: Store
    passwords: Argon2Passwords


async def test_a_gap_read_gets_the_missing_entries_in_order(store: Store) -> None:
    alice = await sign_up(store, "alice")
    for text in ("one", "two", "three", "four"):
        await store.append(say(alice, text))
    read = await ReadGap("lobby", after=1, limit=2).run(_Services(store, Argon2Passwords()))
    assert read is not None
    assert [(entry.seq, entry.text) for entry in read] == [(2, "two"), (3, "three")]


async def test_a_gap_read_on_a_store_that_fails_answers_none(store: Store) -> None:
    alice = await sign_up(store, "alice")
    await store.append(say(alice, "one"))
    await store.close()
    read = ReadGap("lobby", after=0, limit=1, pauses=(0.0,))
    assert await read.run(_Services(store, None)) is None  # type: ignore[arg-type]
