"""PostgreSQL stops for a while under a running ``hubbub serve --database postgresql://…``:
sends are refused with ``unavailable`` and nothing is acknowledged that was not stored;
once PostgreSQL is back, the same server carries on without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ServerProcess, events_until, free_port, whole_history
from hubbub.client import Client, RequestFailed
from hubbub.protocol import ErrorCode, Message
from outages import connected, said, say_once_back
from postgres import PostgresServer


async def test_sends_are_unavailable_while_postgresql_is_down_and_work_again_after(
    postgres_alone: PostgresServer, tmp_path: Path
) -> None:
    server = ServerProcess(tmp_path / "data", free_port(), database=postgres_alone.new_database())
    server.start()
    clients: list[Client] = []
    try:
        alice = await connected(server)
        clients.append(alice)
        await alice.sign_in("alice", "pw-alice")
        bob = await connected(server)
        clients.append(bob)
        await bob.sign_in("bob", "pw-bob")
        room = await alice.create_room("ops")
        await bob.join_room("ops")
        before = await alice.say("before the outage", room.id)
        await events_until(bob, said("before the outage"))

        postgres_alone.halt()
        for attempt in range(3):
            with pytest.raises(RequestFailed) as refused:
                await alice.say(f"lost {attempt}", room.id)
            assert refused.value.code == ErrorCode.UNAVAILABLE
            assert refused.value.retry_after is not None
            assert refused.value.retry_after > 0
            assert "nothing was saved" in refused.value.message
        with pytest.raises(RequestFailed) as direct:
            await alice.message_user("bob", "lost direct message")
        assert direct.value.code == ErrorCode.UNAVAILABLE
        carol = await connected(server)
        clients.append(carol)
        with pytest.raises(RequestFailed) as not_now:
            await carol.sign_in("carol", "pw-carol")
        assert not_now.value.code == ErrorCode.UNAVAILABLE

        postgres_alone.start()
        after = await say_once_back(alice, "after the outage", room.id)
        assert after.seq == before.seq + 1, "a refused send took a seq"
        seen = await events_until(bob, said("after the outage"))
        assert not any(isinstance(e, Message) and e.text.startswith("lost") for e in seen)
        assert [(m.seq, m.text) for m in await whole_history(bob, room.id)] == [
            (before.seq, "before the outage"),
            (after.seq, "after the outage"),
        ]
        await carol.sign_in("carol", "pw-carol")
        assert (await carol.say("carol is in")).seq >= 1
    finally:
        for client in clients:
            await client.close()
        server.stop()
