"""Two stores on one PostgreSQL database, as two processes would have: one sequence each
conversation, never the same seq twice, whoever appends."""

from __future__ import annotations

import asyncio

from conftest import say, sign_up
from hubbub.store import Store, StoredMessage, open_store
from postgres import PostgresServer

STORES = 2
SENDERS_PER_STORE = 4
MESSAGES_PER_SENDER = 60


async def test_two_stores_appending_to_one_conversation_never_share_a_seq(
    postgres: PostgresServer,
) -> None:
    url = postgres.new_database()
    stores: list[Store] = [await open_store(url) for _ in range(STORES)]
    try:
        ann = await sign_up(stores[0], "Ann")

        async def send(store: Store, sender: int) -> list[StoredMessage]:
            return [
                await store.append(say(ann, f"store {id(store)} sender {sender} #{n}"))
                for n in range(MESSAGES_PER_SENDER)
            ]

        answers = await asyncio.gather(
            *(send(store, sender) for store in stores for sender in range(SENDERS_PER_STORE))
        )

        total = STORES * SENDERS_PER_STORE * MESSAGES_PER_SENDER
        acknowledged = sorted(message.seq for answer in answers for message in answer)
        assert acknowledged == list(range(1, total + 1))
        for store in stores:
            history = await store.history("lobby", limit=total)
            assert [message.seq for message in history] == acknowledged
        stored = {message.seq: message.text for message in history}
        for answer in answers:
            assert all(stored[message.seq] == message.text for message in answer)
            timestamps = [message.ts for message in answer]
            assert timestamps == sorted(timestamps)
        assert stores[0].commits + stores[1].commits < total, "appends were not grouped"
        per_store = SENDERS_PER_STORE * MESSAGES_PER_SENDER
        for first in range(0, len(answers), SENDERS_PER_STORE):
            mine = sorted(m.seq for a in answers[first : first + SENDERS_PER_STORE] for m in a)
            assert mine[-1] - mine[0] + 1 > per_store, "the stores did not take turns"
    finally:
        for store in stores:
            await store.close()


async def test_two_stores_opening_the_same_conversations_in_opposite_orders_both_store(
    postgres: PostgresServer,
) -> None:
    """Each store's group writes to many conversations at once, the two in opposite
    orders (direct messages to new people from two processes): none is refused."""
    url = postgres.new_database()
    stores: list[Store] = [await open_store(url) for _ in range(STORES)]
    try:
        ann = await sign_up(stores[0], "Ann")
        rounds, width = 5, 40
        for round_ in range(rounds):
            names = [f"chat:r{round_}c{n:02}" for n in range(width)]

            async def burst(store: Store, order: list[str]) -> list[StoredMessage]:
                drafts = [say(ann, f"to {name}", conversation=name) for name in order]
                return list(await asyncio.gather(*(store.append(d) for d in drafts)))

            first, second = await asyncio.gather(
                burst(stores[0], names), burst(stores[1], names[::-1])
            )
            assert sorted(m.seq for m in first + second) == [1] * width + [2] * width
    finally:
        for store in stores:
            await store.close()
