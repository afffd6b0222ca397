"""``hubbub migrate-to-postgres``: an embedded installation, built through a real ``hubbub
serve``, moved into PostgreSQL and served from there with nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ServerProcess, events_until, free_port, query, whole_history
from hubbub.client import Client
from hubbub.protocol import LOBBY, Message
from hubbub.store.database import default_url
from hubbub.store.schema import metadata
from postgres import PostgresServer


def migrate(data_dir: Path, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubbub", "migrate-to-postgres", "--from", str(data_dir),
         "--to", target],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def connected(server: ServerProcess) -> Client:
    client = Client.connect(server.url, reconnect=False)
    await client.open()
    return client


def counts(url: str) -> dict[str, int]:
    return {
        t.name: query(url, f"SELECT count(*) FROM {t.name}")[0][0] for t in metadata.tables.values()
    }


async def test_an_embedded_installation_moves_to_postgresql_with_nothing_lost(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    embedded = ServerProcess(data, free_port())
    embedded.start()
    try:
        alice = await connected(embedded)
        await alice.sign_in("alice", "pw-alice")  # the first account: an admin
        bob = await connected(embedded)
        bob_token = (await bob.sign_in("bob", "pw-bob")).token
        carol = await connected(embedded)
        await carol.sign_in("carol", "pw-carol")

        room = await alice.create_room("ops", topic="deploys")
        await bob.join_room("ops")
        await carol.join_room("ops")
        first = await alice.say("the release notes are ready", room.id)
        typo = await bob.say("the deploy is dnoe", room.id)
        await bob.edit_message(room.id, typo.seq, "the deploy is done")
        oops = await carol.say("wrong room, sorry", room.id)
        await carol.delete_message(room.id, oops.seq)
        await alice.mute(room.id, "carol", 3600, reason="too chatty")
        await bob.mark_read(room.id, first.seq)
        await alice.say("hello lobby")
        await bob.block("carol")
        direct = await alice.message_user("bob", "a secret release plan")
        await events_until(bob, lambda e: isinstance(e, Message) and e.seq == direct.seq)

        await bob.close()
        held = await alice.message_user("bob", "held for you while away")
        room_history = await whole_history(alice, room.id)
        for client in (alice, carol):
            await client.close()
    finally:
        embedded.interrupt()

    target = postgres.new_database()
    done = migrate(data, target)
    assert done.returncode == 0, done.stderr
    assert f"in {len(metadata.tables)} tables" in done.stdout
    source_counts = counts(default_url(data))
    assert counts(target) == source_counts, "a table was not copied whole"
    for name, rows in source_counts.items():
        assert f"  {name}: {rows}\n" in done.stdout, f"the summary leaves out {name}"
    assert source_counts["held"] == 1
    assert source_counts["audit_log"] >= 1

    # A second run refuses: the target is no longer empty.
    again = migrate(data, target)
    assert again.returncode == 1
    assert again.stderr.startswith("Error: the target database is not empty")
    assert "Traceback" not in again.stderr

    served = ServerProcess(tmp_path / "unused", free_port(), database=target)
    served.start()
    try:
        bob = await connected(served)
        await bob.sign_in("bob", token=bob_token)
        replayed = await events_until(
            bob,
            lambda e: isinstance(e, Message) and e.seq == held.seq and e.text.startswith("held"),
        )
        assert any(isinstance(e, Message) and e.conversation == held.conversation for e in replayed)
        assert await whole_history(bob, room.id) == room_history
        assert [m.seq for m in await whole_history(bob, direct.conversation)] == [
            direct.seq,
            held.seq,
        ]
        info = {c.id: c for c in await bob.conversations()}
        assert info[room.id].read == first.seq
        assert await bob.blocked() == ["carol"]

        found = await bob.search("release")
        assert {(r.conversation, r.seq) for r in found.results} == {
            (direct.conversation, direct.seq),
            (room.id, first.seq),
        }

        alice = await connected(served)
        await alice.sign_in("alice", "pw-alice")
        assert (await alice.say("after the move", room.id)).seq == room_history[-1].seq + 1
        assert (await alice.message_user("bob", "still here")).seq == held.seq + 1
        assert [m.seq for m in await whole_history(alice, LOBBY)][-1] + 1 == (
            await alice.say("lobby again")
        ).seq
        entries = (await alice.audit()).entries
        assert [(e.action, e.target) for e in entries][-1] == ("mute", "carol")

        dave = await connected(served)  # a new account takes the next id after the copied ones
        await dave.sign_in("dave", "pw-dave")
        await dave.join_room("ops")
        assert "dave" in [m.name for m in await alice.members(room.id)]
        for client in (alice, bob, dave):
            await client.close()
    finally:
        served.stop()


def test_a_missing_source_or_a_target_that_is_not_postgresql_is_one_line(tmp_path: Path) -> None:
    nothing = migrate(tmp_path / "nowhere", "postgresql://hubbub@127.0.0.1:9/hubbub")
    assert nothing.returncode == 1
    assert nothing.stderr.startswith("Error: there is no hubbub database in")

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "hubbub.db").touch()
    sqlite = migrate(tmp_path / "data", default_url(tmp_path / "elsewhere"))
    assert sqlite.returncode == 1
    assert sqlite.stderr.startswith("Error: the target must be a postgresql:// URL")

    unreachable = migrate(tmp_path / "data", f"postgresql://hubbub:pw-9@127.0.0.1:{free_port()}/x")
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("Error: the migration failed, nothing was copied")
    assert "pw-9" not in unreachable.stderr
    assert "Traceback" not in sqlite.stderr + nothing.stderr + unreachable.stderr
