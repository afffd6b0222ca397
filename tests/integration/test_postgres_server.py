"""``hubbub serve --database postgresql://…``: one real server process on a real PostgreSQL.

Rooms, direct messages (held while the recipient is away), history, search and resume,
over real sockets; then a ``kill -9`` and a restart on the same database, which keeps
every acknowledged message and carries on each conversation's sequence.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ServerProcess, events_until, free_port, whole_history
from hubbub.client import Client, ClientEvent, RequestFailed
from hubbub.protocol import LOBBY, ErrorCode, Message
from postgres import PostgresServer


def said(text: str) -> Callable[[ClientEvent], bool]:
    return lambda event: isinstance(event, Message) and event.text == text


async def connected(server: ServerProcess) -> Client:
    client = Client.connect(server.url, reconnect=False)
    await client.open()
    return client


async def test_a_server_on_postgresql_keeps_rooms_dms_history_search_and_resume(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    server = ServerProcess(tmp_path / "data", free_port(), database=postgres.new_database())
    server.start()
    assert not (tmp_path / "data" / "hubbub.db").exists(), "the server made a SQLite file"
    clients: list[Client] = []
    try:
        alice = await connected(server)
        clients.append(alice)
        await alice.sign_in("alice", "pw-alice")
        bob = await connected(server)
        clients.append(bob)
        bob_session = await bob.sign_in("bob", "pw-bob")

        room = await alice.create_room("ops", topic="deploys")
        await bob.join_room("ops")
        first = await alice.say("the release notes are ready", room.id)
        await events_until(bob, said("the release notes are ready"))
        direct = await alice.message_user("bob", "a secret release plan")
        await events_until(bob, said("a secret release plan"))
        await bob.say("hello everyone")

        # Bob goes away; what he misses is replayed when he resumes with his token.
        await bob.close()
        missed = await alice.say("you missed this", room.id)
        held = await alice.message_user("bob", "held for you")
        bob = await connected(server)
        clients.append(bob)
        await bob.sign_in("bob", token=bob_session.token, since={room.id: first.seq})
        replayed = await events_until(bob, said("held for you"))
        messages = [(e.conversation, e.seq) for e in replayed if isinstance(e, Message)]
        assert (room.id, missed.seq) in messages
        assert (held.conversation, held.seq) in messages
        assert len(messages) == len(set(messages)), "a message came twice"

        history = await whole_history(bob, room.id)
        assert [(m.seq, m.text) for m in history] == [
            (first.seq, "the release notes are ready"),
            (missed.seq, "you missed this"),
        ]
        assert [m.seq for m in await whole_history(bob, direct.conversation)] == [
            direct.seq,
            held.seq,
        ]

        found = await bob.search("RELEASE")
        assert [(r.conversation, r.seq) for r in found.results] == [
            (direct.conversation, direct.seq),
            (room.id, first.seq),
        ]
        hit = found.results[1]
        assert hit.snippet == "the release notes are ready"
        assert [hit.snippet[a:b] for a, b in hit.highlights] == ["release"]
        assert (await alice.search("release", conversation=room.id)).results[0].seq == first.seq
        assert (await bob.search("missing words")).results == []

        # PostgreSQL cannot keep U+0000: that message alone is refused, nothing is stored.
        with pytest.raises(RequestFailed) as refused:
            await alice.say("nul \x00 inside", room.id)
        assert refused.value.code == ErrorCode.INTERNAL_ERROR
        after = await alice.say("still working", room.id)
        assert after.seq == missed.seq + 1
    finally:
        for client in clients:
            await client.close()

    # A crash keeps everything acknowledged; the restarted server numbers on from there.
    server.kill()
    server.start()
    try:
        carol = await connected(server)
        await carol.sign_in("carol", "pw-carol")
        lobby_before = [m.seq for m in await whole_history(carol, LOBBY)]
        assert lobby_before == [1]
        assert (await carol.say("after the restart")).seq == 2
        await carol.close()
    finally:
        server.stop()


def test_serve_says_why_it_cannot_open_its_database_and_hides_the_password() -> None:
    unreachable = f"postgresql://hubbub:secret-pw@127.0.0.1:{free_port()}/hubbub"
    result = subprocess.run(
        [sys.executable, "-m", "hubbub", "serve", "--port", "0"],
        env={**os.environ, "HUBBUB_DATABASE": unreachable},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot open the database postgresql")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "secret-pw" not in result.stderr + result.stdout
