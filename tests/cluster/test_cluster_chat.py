"""Two ``hubbub serve`` processes on one PostgreSQL database and one Redis are one chat:
clients on either see one room in one order, reach each other by direct message (live, or
held until they sign in anywhere), see each other's presence, and hold 1:1 chats."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from conftest import Cluster, SignedInTo, events_until, wait_joined, wait_left, wait_status
from hubbub.client import Client, ClientEvent
from hubbub.protocol import LOBBY, ChatEnded, ChatRequested, ChatStarted, Message, Presence

OnCluster = Callable[..., Awaitable[Client]]


def said(text: str) -> Callable[[ClientEvent], bool]:
    return lambda event: isinstance(event, Message) and event.text == text


async def statuses_become(client: Client, wanted: dict[str, str]) -> None:
    """Read the client's presence news until each name in ``wanted`` has its status."""
    told: dict[str, str] = {}

    def settled(event: ClientEvent) -> bool:
        if isinstance(event, Presence):
            told.update((user.name, user.status) for user in event.users)
        return all(told.get(name) == status for name, status in wanted.items())

    await events_until(client, settled)


async def lobby_messages(client: Client, count: int) -> list[tuple[int, str]]:
    """The first ``count`` Lobby messages the client is told of, as (seq, text)."""
    seen: list[tuple[int, str]] = []
    async with asyncio.timeout(20):
        async for event in client.events():
            if isinstance(event, Message) and event.conversation == LOBBY:
                seen.append((event.seq, event.text))
                if len(seen) == count:
                    return seen
    raise AssertionError(f"the client ended after {len(seen)} messages")


async def test_everyone_sees_the_room_in_one_order(on_cluster: OnCluster) -> None:
    names = ["alice", "bob", "carol", "dave"]
    people = [await on_cluster(name) for name in names]  # alternately on each process

    async def talk(client: Client, name: str) -> None:
        for turn in range(10):
            await client.say(f"{name} {turn}")

    listening = [asyncio.create_task(lobby_messages(client, 40)) for client in people]
    await asyncio.gather(*(talk(client, name) for client, name in zip(people, names, strict=True)))
    seen = await asyncio.gather(*listening)
    assert all(order == seen[0] for order in seen), "the processes told different orders"
    assert [seq for seq, _ in seen[0]] == list(range(seen[0][0][0], seen[0][0][0] + 40))
    for name in names:
        mine = [text for _, text in seen[0] if text.startswith(f"{name} ")]
        assert mine == [f"{name} {turn}" for turn in range(10)]


async def test_a_direct_message_reaches_the_other_process_live(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    await wait_joined(alice, "bob")
    sent = await alice.message_user("bob", "lunch at noon?")
    heard = await events_until(bob, said("lunch at noon?"))
    message = heard[-1]
    assert isinstance(message, Message)
    assert (message.sender, message.conversation, message.seq) == (
        "alice",
        sent.conversation,
        sent.seq,
    )
    await bob.message_user("alice", "yes")
    await events_until(alice, said("yes"))


async def test_a_held_message_is_delivered_when_its_reader_signs_in_on_the_other_process(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    bob = await signed_in_to(cluster.servers[1], "bob")
    alice = await signed_in_to(cluster.servers[0], "alice")
    await bob.close()
    await wait_left(alice, "bob")
    sent = await alice.message_user("bob", "for when you are back")
    bob = await signed_in_to(cluster.servers[1], "bob")
    heard = await events_until(bob, said("for when you are back"))
    assert [(e.conversation, e.seq) for e in heard if isinstance(e, Message)] == [
        (sent.conversation, sent.seq)
    ]


async def test_presence_on_one_process_is_seen_on_the_other(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    await wait_joined(alice, "bob")
    assert {user.name: user.status for user in await alice.users()} == {
        "alice": "online",
        "bob": "online",
    }
    await bob.set_status("away")
    await wait_status(alice, "bob", "away")
    await bob.close()
    await wait_left(alice, "bob")


async def test_a_one_to_one_chat_between_the_processes(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    carol = await signed_in_to(cluster.servers[1], "carol")
    await statuses_become(alice, {"bob": "online", "carol": "online"})

    await alice.request_chat("bob")
    asked = await bob.wait_for(ChatRequested)
    assert asked.requester == "alice"
    conversation = await bob.answer_chat("alice", accept=True)
    started = await alice.wait_for(ChatStarted)
    assert (started.partner, started.conversation) == ("bob", conversation)
    await statuses_become(carol, {"alice": "busy", "bob": "busy"})

    assert conversation is not None
    await alice.say("just us two", conversation)
    await events_until(bob, said("just us two"))
    await bob.end_chat()
    ended = await alice.wait_for(ChatEnded)
    assert (ended.by, ended.reason) == ("bob", "ended")
    await statuses_become(carol, {"alice": "online", "bob": "online"})
