"""An attacker's review of the safety limits, over real sockets against ``hubbub serve``
with its limits on: each test is a bug found and what the attacker could do with it."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from abuse.attacks import answer_of, raw_connection, session_from, sign_in, ws_url
from conftest import ServerProcess, SignedInTo
from hubbub.client import Client, RequestFailed
from hubbub.protocol import LOBBY, ChatStarted, ErrorCode, Message, Muted


def serve(server: ServerProcess, *options: str) -> ServerProcess:
    server.limits = True
    server.options = options
    server.start()
    return server


async def _trickle_until_closed(sock: socket.socket, head: bytes) -> bytes:
    """Send ``head`` a byte every 0.2 s; whatever the server answers once it closes."""

    def run() -> bytes:
        sock.settimeout(0.2)
        received = b""
        for byte in head:
            try:
                sock.sendall(bytes([byte]))
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            received += chunk
        sock.settimeout(30)
        try:
            return received + answer_of(sock)
        except OSError:
            return received

    return await asyncio.to_thread(run)


SLOW_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200 + b"\r\n\r\n"
"""A request head that takes 50 s at a byte every 0.2 s: far past any handshake timeout."""


async def test_empty_lines_before_a_slow_head_do_not_stop_the_handshake_clock(
    server_process: ServerProcess,
) -> None:
    """An attacker sent an empty line first, then trickled its headers forever: the
    connection no longer counted as handshaking, so neither the timeout nor the
    per-address cap on half-sent requests held it."""
    server = serve(server_process, "--handshake-timeout", "1")
    sock = raw_connection(server.port, b"\r\n\r\n")
    answer = await _trickle_until_closed(sock, SLOW_HEAD)
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_kept_alive_connection_cannot_send_its_next_head_forever(
    server_process: ServerProcess,
) -> None:
    """An attacker made one quick request, then trickled the next request's headers on the
    same kept-alive connection: only the first head was timed, so one address could hold
    every connection the server has."""
    server = serve(server_process, "--handshake-timeout", "1")
    sock = raw_connection(server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = await _trickle_until_closed(sock, SLOW_HEAD)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert answer.count(b"HTTP/1.1 ") == 1


async def test_a_braille_blank_after_a_taken_name_is_refused(
    server_process: ServerProcess,
) -> None:
    """An impostor signed up as "alice" + U+2800 BRAILLE PATTERN BLANK, which shows as
    "alice": the confusable skeleton keeps the blank, so it was a new account."""
    server = serve(server_process)
    alice = Client.connect(server.url, reconnect=False)
    impostor = Client.connect(server.url, reconnect=False)
    await alice.open()
    await impostor.open()
    await alice.sign_in("alice", "alice's password")
    for name in ("alice\u2800", "ali\u2800ce"):
        with pytest.raises(RequestFailed) as refused:
            await impostor.sign_in(name, "impostor's password")
        assert refused.value.code == ErrorCode.INVALID_NAME
        assert "invisible character U+2800" in refused.value.message
    await impostor.close()
    await alice.close()


async def test_a_muted_user_cannot_change_the_topic(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """A muted spammer kept writing to the whole room through its topic."""
    server = serve(server_process)
    olga = await signed_in_to(server, "olga")
    bob = await signed_in_to(server, "bob")
    room = await olga.create_room("den", topic="cats")
    await bob.join_room("den")
    await olga.mute("den", "bob", 600, reason="spam")
    await bob.wait_for(Muted, lambda m: m.room == room.id)
    with pytest.raises(RequestFailed) as refused:
        await bob.set_topic("den", "BUY CHEAP PILLS")
    assert refused.value.code == ErrorCode.MUTED
    assert refused.value.retry_after is not None
    assert [r.topic for r in await olga.rooms() if r.id == room.id] == ["cats"]
    await olga.unmute("den", "bob")
    await bob.set_topic("den", "cats and dogs")


async def test_one_ipv6_subscriber_cannot_dodge_the_cap_by_changing_address(
    server_process: ServerProcess,
) -> None:
    """Behind a proxy, an attacker on IPv6 was handed a /64: a new address for each
    connection, so the per-address cap never counted more than one."""
    server = serve(server_process, "--trusted-proxy", "127.0.0.1", "--connections-per-address", "2")

    def from_(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    async with session_from() as proxy:
        held = [
            await proxy.ws_connect(ws_url(server.url), headers=from_(f"2001:db8::{n}"))
            for n in (1, 2)
        ]
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await proxy.ws_connect(ws_url(server.url), headers=from_("2001:db8::3"))
        assert refused.value.status == 429
        async with proxy.ws_connect(
            ws_url(server.url), headers=from_("2001:db8:0:1::1")
        ) as neighbour:
            assert (await sign_in(neighbour, "bob"))["type"] == "ok"
        for ws in held:
            await ws.close()


async def test_someone_you_block_cannot_ping_you_from_a_shared_room(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """A blocked harasser could no longer write to alice directly, but kept pinging her
    with @alice in the lobby: each counted as a mention."""
    server = serve(server_process)
    alice = await signed_in_to(server, "alice")
    mallory = await signed_in_to(server, "mallory")
    await alice.block("mallory")
    sent = await mallory.say("@alice look at me")
    seen = await alice.wait_for(Message, lambda m: m.seq == sent.seq)
    assert seen.text == "@alice look at me"
    assert seen.mentions == []
    await mallory.say("@mallory talks to himself, @alice")
    lobby = [c for c in await alice.conversations() if c.id == LOBBY]
    assert [c.mentions for c in lobby] == [0]


async def test_a_moderator_cannot_delete_the_owners_or_another_moderators_messages(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """A rogue moderator, who may not kick or mute the owner, an admin or another
    moderator, could still wipe every message they wrote in the room."""
    server = serve(server_process)
    admin = await signed_in_to(server, "admin")
    olga = await signed_in_to(server, "olga")
    bob = await signed_in_to(server, "bob")
    carol = await signed_in_to(server, "carol")
    dave = await signed_in_to(server, "dave")
    room = await olga.create_room("den")
    for member in (admin, bob, carol, dave):
        await member.join_room("den")
    await olga.set_role("den", "bob", "moderator")
    await olga.set_role("den", "carol", "moderator")
    for author in (olga, admin, carol):
        sent = await author.say("mine", conversation=room.id)
        with pytest.raises(RequestFailed) as refused:
            await bob.delete_message(room.id, sent.seq)
        assert refused.value.code == ErrorCode.NOT_ALLOWED
    spam = await dave.say("spam", conversation=room.id)
    await bob.delete_message(room.id, spam.seq)
    by_carol = await carol.say("mine too", conversation=room.id)
    await olga.delete_message(room.id, by_carol.seq)


async def test_a_muted_moderator_cannot_unmute_themselves(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """The owner muted a moderator, who lifted the mute at once with their own unmute:
    unmute did not check whom it acted on."""
    server = serve(server_process)
    olga = await signed_in_to(server, "olga")
    bob = await signed_in_to(server, "bob")
    carol = await signed_in_to(server, "carol")
    room = await olga.create_room("den")
    await bob.join_room("den")
    await carol.join_room("den")
    await olga.set_role("den", "bob", "moderator")
    await olga.set_role("den", "carol", "moderator")
    await olga.mute("den", "bob", 600)
    await bob.wait_for(Muted, lambda m: m.room == room.id)
    for moderator, muted in ((bob, "bob"), (carol, "bob")):
        with pytest.raises(RequestFailed) as refused:
            await moderator.unmute("den", muted)
        assert refused.value.code == ErrorCode.NOT_ALLOWED
    with pytest.raises(RequestFailed) as still:
        await bob.say("I am free", conversation=room.id)
    assert still.value.code == ErrorCode.MUTED
    await olga.unmute("den", "bob")
    await bob.say("thank you", conversation=room.id)


async def test_blocking_someone_mid_chat_stops_their_messages(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """Blocking refused new DMs and chat requests, but a harasser already in a 1:1 chat
    with you kept writing to it."""
    server = serve(server_process)
    alice = await signed_in_to(server, "alice")
    mallory = await signed_in_to(server, "mallory")
    await mallory.request_chat("alice")
    conversation = await alice.answer_chat("mallory", accept=True)
    assert conversation is not None
    await mallory.wait_for(ChatStarted)
    await mallory.say("hi", conversation=conversation)
    await alice.block("mallory")
    for writer in (mallory, alice):
        with pytest.raises(RequestFailed) as refused:
            await writer.say("still there?", conversation=conversation)
        assert refused.value.code == ErrorCode.BLOCKED


async def test_someone_you_block_cannot_pull_you_into_their_room(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """A blocked harasser made a room and invited their victim: an invite makes you a
    member at once, so every message there reached the person who blocked them."""
    server = serve(server_process)
    alice = await signed_in_to(server, "alice")
    mallory = await signed_in_to(server, "mallory")
    bob = await signed_in_to(server, "bob")
    await alice.block("mallory")
    await mallory.create_room("trap", private=True)
    with pytest.raises(RequestFailed) as refused:
        await mallory.invite("trap", "alice")
    assert refused.value.code == ErrorCode.BLOCKED
    assert "trap" not in [room.name for room in await alice.rooms()]
    await alice.create_room("garden")
    with pytest.raises(RequestFailed) as refused:
        await alice.invite("garden", "mallory")
    assert refused.value.code == ErrorCode.BLOCKED
    await mallory.invite("trap", "bob")
    assert "trap" in [room.name for room in await bob.rooms()]


async def test_clients_named_with_ports_behind_a_proxy_are_told_apart(
    server_process: ServerProcess,
) -> None:
    """A proxy that writes the client's port into X-Forwarded-For made every entry
    unreadable, so every client behind it counted as the proxy: one attacker's sockets
    used up the per-address cap of everyone else."""
    server = serve(server_process, "--trusted-proxy", "127.0.0.1", "--connections-per-address", "1")

    def from_(address: str) -> dict[str, str]:
        return {"X-Forwarded-For": address}

    async with session_from() as proxy:
        attacker = await proxy.ws_connect(ws_url(server.url), headers=from_("203.0.113.5:4321"))
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await proxy.ws_connect(ws_url(server.url), headers=from_("203.0.113.5:4322"))
        assert refused.value.status == 429
        for other in ("203.0.113.6:1234", "[2001:db8::1]:443"):
            async with proxy.ws_connect(ws_url(server.url), headers=from_(other)) as ws:
                assert (await sign_in(ws, f"user{len(other)}"))["type"] == "ok"
        await attacker.close()


async def test_a_join_racing_a_ban_does_not_leave_a_banned_member(
    server_process: ServerProcess, signed_in_to: SignedInTo
) -> None:
    """A user who kept joining while being banned could slip in: the join was checked
    before the ban took effect and stored after it, so they stayed a member, banned."""
    server = serve(server_process, "--status-limit", "100,100")  # joins 16 times on purpose
    olga = await signed_in_to(server, "olga")
    bob = await signed_in_to(server, "bob")
    await olga.create_room("den")
    for _ in range(8):
        banned, joined = await asyncio.gather(
            olga.ban("den", "bob"), bob.join_room("den"), return_exceptions=True
        )
        assert banned is None
        assert not isinstance(joined, RequestFailed) or joined.code == ErrorCode.BANNED
        assert [m.name for m in await olga.members("den")] == ["olga"]
        with pytest.raises(RequestFailed) as refused:
            await bob.join_room("den")
        assert refused.value.code == ErrorCode.BANNED
        await olga.unban("den", "bob")
