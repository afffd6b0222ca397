"""Rooms, the conversation list, read markers, typing, mentions, edits, search and resends,
over real sockets against an in-process server."""

from __future__ import annotations

import asyncio
import json
import signal

import aiohttp
import pytest

from conftest import Running, ServerProcess, SignedInTo, drop, events_until
from hubbub.client import Client, RequestFailed
from hubbub.protocol import (
    LOBBY,
    ErrorCode,
    MemberJoined,
    Message,
    MessageDeleted,
    MessageEdited,
    ReadMarker,
    RoomAdded,
    RoomChanged,
    TypingEvent,
)

pytestmark = pytest.mark.twice


async def refused(request: object, code: ErrorCode) -> RequestFailed:
    with pytest.raises(RequestFailed) as caught:
        await request  # type: ignore[misc]
    assert caught.value.code == code, caught.value
    return caught.value


async def test_public_room_is_listed_joined_and_heard(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    room = await alice.create_room("design", topic="pixels")
    assert (room.name, room.topic, room.owner, room.members) == ("design", "pixels", "alice", 1)
    directory = {entry.name: entry.joined for entry in await bob.rooms()}
    assert directory == {"Lobby": True, "design": False}
    await refused(bob.say("hi", conversation=room.id), ErrorCode.NOT_A_MEMBER)
    await refused(bob.history(room.id), ErrorCode.NOT_A_MEMBER)
    joined = await bob.join_room("DESIGN")
    assert joined.id == room.id
    await alice.wait_for(MemberJoined, lambda m: m.name == "bob" and m.room == room.id)
    sent = await bob.say("hello design", conversation=room.id)
    for client in (alice, bob):
        message = await client.wait_for(Message, lambda m: m.conversation == room.id)
        assert (message.text, message.seq) == ("hello design", sent.seq)
    await alice.set_topic("design", "pixels and type")
    changed = await bob.wait_for(RoomChanged)
    assert (changed.room.topic, changed.by) == ("pixels and type", "alice")


async def test_private_room_is_invisible_until_invited(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    secret = await alice.create_room("secret", private=True)
    assert "secret" not in {entry.name for entry in await bob.rooms()}
    for attempt in (bob.join_room("secret"), bob.join_room(secret.id), bob.members("secret")):
        await refused(attempt, ErrorCode.UNKNOWN_ROOM)
    await refused(bob.history(secret.id), ErrorCode.UNKNOWN_CONVERSATION)
    await refused(alice.create_room("SECRET"), ErrorCode.ROOM_NAME_TAKEN)
    await alice.invite("secret", "bob")
    added = await bob.wait_for(RoomAdded)
    assert (added.room.name, added.by) == ("secret", "alice")
    assert {m.name for m in await bob.members("secret")} == {"alice", "bob"}
    await bob.leave_room("secret")
    await refused(bob.join_room("secret"), ErrorCode.UNKNOWN_ROOM)


async def test_only_the_owner_archives_and_an_archived_room_is_read_only(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    room = await alice.create_room("old")
    await bob.join_room("old")
    await bob.say("before", conversation=room.id)
    not_owner = await refused(bob.archive_room("old"), ErrorCode.NOT_ALLOWED)
    assert not_owner.message == "only the owner of old or a server admin can archive it"
    await alice.archive_room("old")
    await refused(bob.say("after", conversation=room.id), ErrorCode.ROOM_ARCHIVED)
    assert [m.text for m in await bob.history(room.id) if isinstance(m, Message)] == ["before"]
    assert "old" not in {e.name for e in await bob.rooms() if not e.joined}


async def test_bad_room_input_gets_documented_codes(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    await refused(alice.create_room(" padded "), ErrorCode.INVALID_NAME)
    await refused(alice.create_room("x" * 33), ErrorCode.INVALID_NAME)
    await refused(alice.create_room("topical", topic="t" * 251), ErrorCode.TOPIC_TOO_LONG)
    for n in range(10):
        await alice.create_room(f"room{n}")
    await refused(alice.create_room("one too many"), ErrorCode.TOO_MANY_ROOMS)
    await refused(alice.leave_room("nowhere"), ErrorCode.UNKNOWN_ROOM)


async def test_a_new_device_sees_every_conversation_with_unread_and_mentions(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    await bob.message_user("alice", "psst")
    await bob.say("hey @Alice, look")
    await bob.say("and again")
    laptop = await signed_in_to(server, "alice")
    listed = {c.id: c for c in await laptop.conversations()}
    lobby = listed[LOBBY]
    assert (lobby.kind, lobby.unread, lobby.mentions) == ("room", 2, 1)
    (dm,) = [c for c in listed.values() if c.kind == "dm"]
    assert (dm.name, dm.unread) == ("bob", 1)
    mention = await alice.wait_for(Message, lambda m: m.text.startswith("hey"))
    assert mention.mentions == ["alice"]
    await alice.mark_read(LOBBY, lobby.last_seq)
    marker = await laptop.wait_for(ReadMarker)
    assert (marker.conversation, marker.seq) == (LOBBY, lobby.last_seq)
    after = {c.id: c for c in await laptop.conversations()}[LOBBY]
    assert (after.read, after.unread, after.mentions) == (lobby.last_seq, 0, 0)


async def test_typing_reaches_the_others_at_most_every_three_seconds(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    for _ in range(5):
        await alice.typing(LOBBY)
    await alice.say("done typing")
    seen = await events_until(bob, lambda e: isinstance(e, Message) and e.text == "done typing")
    assert [e.name for e in seen if isinstance(e, TypingEvent)] == ["alice"]
    await refused(alice.typing("room:0123456789abcdef"), ErrorCode.UNKNOWN_CONVERSATION)


async def test_edit_and_delete_are_seen_live_and_after_a_resume(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    original = await alice.say("helo")
    await refused(bob.edit_message(LOBBY, original.seq, "mine now"), ErrorCode.NOT_ALLOWED)
    await refused(alice.edit_message(LOBBY, 999, "nothing"), ErrorCode.UNKNOWN_MESSAGE)
    edit = await alice.edit_message(LOBBY, original.seq, "hello")
    edited = await bob.wait_for(MessageEdited)
    assert (edited.target, edited.text, edited.seq) == (original.seq, "hello", edit.seq)
    drop(bob)
    deleted = await alice.delete_message(LOBBY, original.seq)
    told = await bob.wait_for(MessageDeleted, timeout=10)
    assert (told.target, told.seq) == (original.seq, deleted.seq)
    history = await alice.history(LOBBY)
    first = next(m for m in history if m.seq == original.seq)
    assert isinstance(first, Message)
    assert first.deleted
    assert first.text == ""


async def test_search_finds_what_you_may_read_and_survives_hostile_queries(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    bob = await signed_in_to(server, "bob")
    secret = await alice.create_room("vault", private=True)
    await alice.say("🎉 the release notes are ready")
    await alice.say("release notes in the vault", conversation=secret.id)
    found = await bob.search("release notes")
    assert [(hit.conversation, hit.sender) for hit in found.results] == [(LOBBY, "alice")]
    hit = found.results[0]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["release", "notes"]
    assert len((await alice.search("release")).results) == 2
    await refused(bob.search("release", conversation=secret.id), ErrorCode.UNKNOWN_CONVERSATION)
    for hostile in ['"', "*", "NEAR(", "col:x", "AND OR NOT", '") OR 1=1 --', "^x", "a" * 200]:
        assert isinstance((await bob.search(hostile)).results, list)
    await refused(bob.search("  "), ErrorCode.INVALID_FIELD)


async def test_a_resend_with_the_same_client_id_stores_nothing_new(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    first = await alice.say("once", client_id="key-1")
    again = await alice.say("once", client_id="key-1")
    assert (again.seq, again.duplicate, first.duplicate) == (first.seq, True, False)
    await signed_in_to(server, "bob")
    private = await alice.message_user("bob", "psst", client_id="key-2")
    assert (await alice.message_user("bob", "psst", client_id="key-2")).seq == private.seq
    texts = [m.text for m in await alice.history(LOBBY) if isinstance(m, Message)]
    assert texts.count("once") == 1


async def test_resumes_racing_a_steady_writer_never_get_a_message_twice(
    server: Running, signed_in_to: SignedInTo
) -> None:
    writers = [await signed_in_to(server, f"writer{n}") for n in range(3)]
    stop = asyncio.Event()

    async def write(client: Client) -> None:
        n = 0
        while not stop.is_set():
            await client.say(f"tick {n}")
            n += 1

    url = server.url.replace("http", "ws", 1) + "/ws"
    writing = [asyncio.create_task(write(w)) for w in writers]
    try:
        async with aiohttp.ClientSession() as http:
            since, token = 0, None
            for _ in range(60):
                ws = await http.ws_connect(url)
                credentials = {"password": "pw"} if token is None else {"token": token}
                sign_in = {"type": "sign_in", "id": 1, "name": "resumer", **credentials}
                await ws.send_str(json.dumps({**sign_in, "since": {LOBBY: since}}))
                seqs: list[int] = []
                async with asyncio.timeout(5):
                    while len(seqs) < 3:
                        frame = json.loads((await ws.receive()).data)
                        if frame.get("type") == "ok":
                            token = frame["token"]
                        elif frame.get("type") == "message":
                            seqs.append(frame["seq"])
                assert seqs == sorted(set(seqs)), f"a message came twice or out of order: {seqs}"
                assert seqs[0] == since + 1, f"a message was skipped after {since}: {seqs}"
                since = seqs[0]
                await ws.close()
    finally:
        stop.set()
        await asyncio.gather(*writing, return_exceptions=True)


async def test_sigterm_answers_every_request_already_read(server_process: ServerProcess) -> None:
    server_process.start()
    url = server_process.url.replace("http", "ws", 1) + "/ws"
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(url)
        await ws.send_str(json.dumps({"type": "sign_in", "id": 0, "name": "ann", "password": "pw"}))
        assert json.loads((await ws.receive()).data)["type"] == "ok"
        asked = [f"s{n}" for n in range(200)]
        for request_id in asked:
            await ws.send_str(json.dumps({"type": "say", "id": request_id, "text": request_id}))
        assert server_process.process is not None
        server_process.process.send_signal(signal.SIGTERM)
        answered: set[str] = set()
        async with asyncio.timeout(15):
            async for frame in ws:
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    break
                body = json.loads(frame.data)
                if body.get("type") in ("ok", "error") and body.get("id") in asked:
                    assert body["type"] == "ok", body
                    answered.add(body["id"])
        assert ws.close_code == 1001
    assert server_process.process.wait(timeout=20) == 0
    server_process.start()
    async with Client.connect(server_process.url) as again:
        await again.sign_in("ann", "pw")
        stored = {m.text for m in await again.history(LOBBY, limit=200) if isinstance(m, Message)}
    assert answered <= stored, "an answered send was not stored"
    assert answered, "nothing was answered before the close"


async def test_a_send_cut_off_by_a_drop_is_resent_and_stored_once(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice")
    texts = [f"through the storm {n}" for n in range(5)]
    for text in texts:
        sending = asyncio.create_task(alice.say(text))
        await asyncio.sleep(0)
        drop(alice)
        sent = await sending
        assert sent.conversation == LOBBY
    stored = [m.text for m in await alice.history(LOBBY) if isinstance(m, Message)]
    assert [t for t in stored if t in texts] == texts


async def test_a_client_id_is_remembered_across_connections(
    server: Running, signed_in_to: SignedInTo
) -> None:
    alice = await signed_in_to(server, "alice", reconnect=False)
    first = await alice.say("just once", client_id="across-1")
    await alice.close()
    laptop = await signed_in_to(server, "alice", reconnect=False)
    again = await laptop.say("just once", client_id="across-1")
    assert (again.seq, again.duplicate) == (first.seq, True)
