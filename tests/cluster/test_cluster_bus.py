"""The bus between the processes: a process that stops or dies is forgotten by the others
(its users with it), and after Redis restarts the processes find each other again and
what was said meanwhile reaches the other process's clients, in order."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import redis

from conftest import Cluster, ServerProcess, SignedInTo
from hubbub.client import Client
from hubbub.protocol import LOBBY, Message


def online_names(cluster: Cluster, index: int) -> set[str]:
    return {user["name"] for user in Cluster.status(cluster.servers[index])["users"]}


def wait_until_online(cluster: Cluster, index: int, names: set[str]) -> None:
    """Wait until process ``index`` counts exactly ``names`` online, wherever they are."""
    deadline = time.monotonic() + 30
    while (seen := online_names(cluster, index)) != names:
        assert time.monotonic() < deadline, f"process {index} still counts {seen}"
        time.sleep(0.1)


async def test_a_killed_process_and_its_users_are_forgotten(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    await signed_in_to(cluster.servers[0], "alice")
    await signed_in_to(cluster.servers[1], "bob", reconnect=False)
    await asyncio.to_thread(wait_until_online, cluster, 0, {"alice", "bob"})
    cluster.servers[1].kill()
    await asyncio.to_thread(wait_until_online, cluster, 0, {"alice"})
    assert Cluster.bus(cluster.servers[0])["nodes"] == []


async def test_a_stopped_process_says_bye(cluster: Cluster, signed_in_to: SignedInTo) -> None:
    await signed_in_to(cluster.servers[0], "alice")
    await signed_in_to(cluster.servers[1], "bob", reconnect=False)
    await asyncio.to_thread(wait_until_online, cluster, 0, {"alice", "bob"})
    assert await asyncio.to_thread(cluster.servers[1].interrupt) == 0
    await asyncio.to_thread(wait_until_online, cluster, 0, {"alice"})
    survivor = cluster.servers[0]
    survivor.stop()
    assert survivor.process is not None
    assert survivor.process.stderr is not None
    assert "is gone (said bye)" in survivor.process.stderr.read().decode()


async def lobby_texts(client: Client, count: int) -> list[str]:
    texts: list[str] = []
    async with asyncio.timeout(30):
        while len(texts) < count:
            event = await client.wait_for(Message, lambda m: m.conversation == LOBBY, timeout=None)
            texts.append(event.text)
    return texts


async def test_after_redis_restarts_the_processes_hear_each_other_again(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    await asyncio.to_thread(wait_until_online, cluster, 0, {"alice", "bob"})

    cluster.redis.halt()
    await alice.say("while Redis was away")
    cluster.redis.start()
    await asyncio.to_thread(cluster.wait_formed)
    await asyncio.to_thread(wait_until_online, cluster, 1, {"alice", "bob"})
    await alice.say("Redis is back")
    assert await lobby_texts(bob, 2) == ["while Redis was away", "Redis is back"]


async def test_a_room_made_while_redis_was_away_is_known_on_the_other_process(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    await asyncio.to_thread(wait_until_online, cluster, 1, {"alice", "bob"})

    cluster.redis.halt()
    await alice.create_room("made-offline")
    cluster.redis.start()
    await asyncio.to_thread(cluster.wait_formed)
    room = await bob.join_room("made-offline")
    await alice.say("welcome", conversation=room.id)
    message = await bob.wait_for(Message, lambda m: m.conversation == room.id, timeout=30)
    assert message.text == "welcome"


async def test_what_others_publish_on_the_channel_is_ignored(
    cluster: Cluster, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    with redis.Redis.from_url(cluster.redis.url) as foreign:
        for junk in (b"hello", b"e\xff\xfe garbage", b"enode:x \x00\x01", b""):
            foreign.publish("hubbub:bus", junk)
    await alice.say("still one chat")
    assert await lobby_texts(bob, 1) == ["still one chat"]
    # Bob's process read the junk before Alice's message: none of it made a node there.
    sender, receiver = (cluster.bus(server) for server in cluster.servers)
    assert receiver["nodes"] == [sender["node"]]
    await asyncio.to_thread(cluster.wait_formed)


def metric(server: ServerProcess, name: str) -> float:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(f"{name} "):
                return float(line.split()[1])
    raise AssertionError(f"{name} is not in /metrics")


async def test_the_bus_is_in_the_metrics(cluster: Cluster, signed_in_to: SignedInTo) -> None:
    alice = await signed_in_to(cluster.servers[0], "alice")
    bob = await signed_in_to(cluster.servers[1], "bob")
    await alice.say("counted")
    assert await lobby_texts(bob, 1) == ["counted"]
    sender, receiver = cluster.servers
    assert metric(receiver, "hubbub_bus_up") == 1
    assert metric(receiver, "hubbub_bus_nodes") == 1
    assert metric(sender, "hubbub_bus_ops_published_total") >= 1
    assert metric(receiver, "hubbub_bus_ops_received_total") >= 1
    assert metric(sender, "hubbub_bus_ops_dropped_total") == 0
    cluster.redis.halt()
    await asyncio.to_thread(wait_down, sender)
    await alice.say("not shared while Redis is away")
    assert metric(sender, "hubbub_bus_ops_dropped_total") >= 1


def wait_down(server: ServerProcess) -> None:
    deadline = time.monotonic() + 30
    while metric(server, "hubbub_bus_up") != 0:
        assert time.monotonic() < deadline, "the process did not notice Redis was gone"
        time.sleep(0.1)
