"""However a client goes away, the server's state stays clean: no ghost users, no stuck busy.

Clean closes (a close frame) end a session at once; drops (no close frame, via ``drop``)
keep it for the grace period, during which a token sign-in resumes it without anyone
noticing. Servers here use short grace periods. "Nobody noticed" is checked with a
sentinel: after the event, someone says a lobby message, and a bystander's events up to
that message must not contain what should not have happened.

Some checks read what the server actually wrote on the wire (``Wire``): the client library
drops duplicate messages by design, so only a bare WebSocket shows the server sending one
twice.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, Literal, Protocol

import aiohttp
import pytest

from conftest import (
    TEST_LINGER,
    Running,
    ServerProcess,
    StartServer,
    drop,
    events_until,
    wait_joined,
    wait_left,
    wait_status,
    whole_history,
)
from hubbub.client import (
    Client,
    ClientEvent,
    Disconnected,
    Reconnected,
    ReconnectPolicy,
    RequestFailed,
)
from hubbub.protocol import (
    LOBBY,
    ChatCancelled,
    ChatDeclined,
    ChatEnded,
    ChatRequested,
    ChatStarted,
    ErrorCode,
    Message,
    Presence,
)
from integration.conftest import Spread


class Served(Protocol):
    """A running server, in-process (``Running``) or a child process (``ServerProcess``)."""

    @property
    def url(self) -> str: ...


SignedInTo = Callable[..., Awaitable[Client]]
SignedIn = Callable[..., Awaitable[Client]]
Leave = Literal["close", "drop"]

SOON = 2.0
"""Seconds to wait for what must happen at once (default grace periods are 20 s)."""
GRACE = 0.5


# --------------------------------------------------------------------------- helpers


def said(text: str) -> Callable[[ClientEvent], bool]:
    return lambda event: isinstance(event, Message) and event.text == text


def comings_and_goings(events: list[ClientEvent], name: str) -> list[tuple[str, str]]:
    """Presence changes telling others that ``name`` came online or went offline.

    A change to or from busy (a chat starting or ending) is neither.
    """
    return [
        (user.name, user.status)
        for e in events
        if isinstance(e, Presence) and not e.full
        for user in e.users
        if user.name == name and user.status in ("online", "offline")
    ]


async def chat_between(
    requester: Client, requester_name: str, invitee: Client, invitee_name: str
) -> str:
    """An accepted 1:1 chat between the two; its conversation id."""
    await requester.request_chat(invitee_name)
    asked = await invitee.wait_for(ChatRequested, lambda r: r.requester == requester_name)
    conversation = await invitee.answer_chat(asked.requester, accept=True)
    assert conversation is not None
    started = await requester.wait_for(ChatStarted)
    assert (started.partner, started.conversation) == (invitee_name, conversation)
    await invitee.wait_for(ChatStarted)
    return conversation


async def connections_of(server: Served | Spread, name: str) -> int:
    """How many open connections the server's status pages (every process's) show signed
    in as ``name``."""
    count = 0
    async with aiohttp.ClientSession() as http:
        for url in server.urls if isinstance(server, Spread) else [server.url]:
            async with http.get(f"{url}/status") as response:
                status = await response.json()
            count += sum(1 for c in status["connections"] if c["name"] == name)
    return count


async def until_connections(server: Served, name: str, count: int) -> None:
    """Wait until the server's status page shows ``count`` open connections of ``name``."""
    async with asyncio.timeout(5):
        while await connections_of(server, name) != count:  # noqa: ASYNC110 (a page to poll)
            await asyncio.sleep(0.01)


async def server_noticed_drop(server: Served, name: str) -> None:
    """Wait until the server has closed every connection of ``name`` on its side."""
    await until_connections(server, name, 0)


async def leave(client: Client, how: Leave) -> None:
    if how == "close":
        await client.close()
    else:
        drop(client)


class Wire:
    """A bare WebSocket: JSON frames exactly as the server wrote them, nothing filtered."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)

    async def send(self, type: str, **fields: Any) -> int:
        request_id = next(self._ids)
        await self.ws.send_str(json.dumps({"type": type, "id": request_id, **fields}))
        return request_id

    async def receive(self, within: float = 5.0) -> dict[str, Any]:
        message = await self.ws.receive(timeout=within)
        assert message.type is aiohttp.WSMsgType.TEXT, f"expected a frame, got {message}"
        frame: dict[str, Any] = json.loads(message.data)
        return frame

    async def frames_until(
        self, last: Callable[[dict[str, Any]], bool], within: float = 5.0
    ) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        async with asyncio.timeout(within):
            while not frames or not last(frames[-1]):
                frames.append(await self.receive(within))
        return frames

    async def close(self) -> None:
        await self.ws.close()

    def drop(self) -> None:
        """Cut the TCP connection with no close frame."""
        transport = self.ws._writer.transport
        assert transport is not None
        transport.abort()

    async def sign_in(self, name: str, **fields: Any) -> dict[str, Any]:
        """Sign in; the ``ok`` must be the first frame the server sends."""
        request_id = await self.send("sign_in", name=name, **fields)
        reply = await self.receive()
        assert (reply["type"], reply["id"]) == ("ok", request_id), reply
        return reply


OpenWire = Callable[[Served], Awaitable[Wire]]


@pytest.fixture
async def open_wire() -> AsyncIterator[OpenWire]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())

        async def open_(server: Served) -> Wire:
            ws = await stack.enter_async_context(http.ws_connect(f"{server.url}/ws"))
            return Wire(ws)

        yield open_


def wire_said(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame["type"] == "message" and frame["text"] == text


OpenClient = Callable[..., Awaitable[Client]]


@pytest.fixture
async def open_client() -> AsyncIterator[OpenClient]:
    """``open_client(server, **options)``: a connected client, not signed in; closed at the end."""
    async with AsyncExitStack() as stack:

        async def open_(server: Running, **options: Any) -> Client:
            return await stack.enter_async_context(Client.connect(server.url, **options))

        yield open_


# --------------------------------------------------------------------------- (a) (b) (c)


async def test_closing_mid_chat_frees_the_partner_at_once(signed_in: SignedIn) -> None:
    alice = await signed_in("alice")
    bob = await signed_in("bob")
    conversation = await chat_between(alice, "alice", bob, "bob")
    carol = await signed_in("carol")
    await wait_status(carol, "alice", "busy")

    await alice.close()

    ended = await bob.wait_for(ChatEnded, timeout=SOON)
    assert (ended.conversation, ended.by, ended.reason) == (conversation, "alice", "closed")
    await wait_left(carol, "alice", within=SOON)
    await wait_status(carol, "bob", "online")
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("bob", "online"),
        ("carol", "online"),
    }
    with pytest.raises(RequestFailed) as refused:
        await bob.say("still there?", conversation=conversation)
    assert refused.value.code is ErrorCode.NOT_IN_CHAT
    await carol.request_chat("bob")
    assert (await bob.wait_for(ChatRequested, timeout=SOON)).requester == "carol"


async def test_dropping_mid_chat_keeps_the_user_busy_for_the_grace_period_then_ends_the_chat(
    start_server: StartServer, signed_in_to: SignedInTo
) -> None:
    grace = 1.0
    server = await start_server(grace=grace)
    alice = await signed_in_to(server, "alice", reconnect=False)
    bob = await signed_in_to(server, "bob", reconnect=False)
    conversation = await chat_between(alice, "alice", bob, "bob")
    carol = await signed_in_to(server, "carol")

    dropped_at = time.monotonic()
    drop(alice)
    await server_noticed_drop(server, "alice")

    # Within the grace period alice is still there and busy, and the chat goes on.
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("alice", "busy"),
        ("bob", "busy"),
        ("carol", "online"),
    }
    await bob.say("are you still there?", conversation=conversation)
    assert time.monotonic() - dropped_at < grace, "the checks above were meant for the grace"

    ended = await bob.wait_for(ChatEnded, timeout=grace + SOON)
    assert time.monotonic() - dropped_at >= grace
    assert (ended.conversation, ended.by, ended.reason) == (conversation, "alice", "disconnected")
    await wait_left(carol, "alice", within=SOON)
    await wait_status(carol, "bob", "online")
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("bob", "online"),
        ("carol", "online"),
    }
    await carol.request_chat("bob")
    assert (await bob.wait_for(ChatRequested, timeout=SOON)).requester == "carol"


async def test_resuming_within_grace_carries_on_unannounced_and_delivers_what_was_missed_once(
    start_server: StartServer, signed_in_to: SignedInTo
) -> None:
    server = await start_server(grace=5.0)
    # The first resume attempt waits 1-2 s: time for others to speak while alice is away.
    policy = ReconnectPolicy(first_delay=2.0, max_delay=2.0)
    alice = await signed_in_to(server, "alice", reconnect=policy)
    bob = await signed_in_to(server, "bob")
    conversation = await chat_between(alice, "alice", bob, "bob")
    carol = await signed_in_to(server, "carol")
    await carol.say("before the drop")
    for client in (alice, bob, carol):
        await events_until(client, said("before the drop"))

    drop(alice)
    assert (await alice.wait_for(Disconnected, timeout=SOON)).reconnecting
    await server_noticed_drop(server, "alice")
    missed = [
        await carol.say("lobby, while alice is away"),
        await bob.say("chat, while alice is away", conversation=conversation),
        await carol.message_user("alice", "direct, while alice is away"),
    ]
    assert await connections_of(server, "alice") == 0, "alice resumed before the others spoke"

    await alice.wait_for(Reconnected, timeout=5)
    await alice.say("back again", conversation=conversation)
    await bob.wait_for(Message, lambda m: m.text == "back again", timeout=SOON)
    await bob.say("welcome back", conversation=conversation)
    await carol.say("sentinel")

    heard = [e for e in await events_until(alice, said("sentinel")) if isinstance(e, Message)]
    by_conversation = {
        c: [(m.seq, m.sender, m.text) for m in heard if m.conversation == c]
        for c in {m.conversation for m in heard}
    }
    lobby, chat, direct = missed
    assert by_conversation == {
        LOBBY: [
            (lobby.seq, "carol", "lobby, while alice is away"),
            (lobby.seq + 1, "carol", "sentinel"),
        ],
        conversation: [
            (chat.seq, "bob", "chat, while alice is away"),
            (chat.seq + 1, "alice", "back again"),
            (chat.seq + 2, "bob", "welcome back"),
        ],
        direct.conversation: [(direct.seq, "carol", "direct, while alice is away")],
    }

    # Nobody was told alice left or came back, and the chat never ended.
    assert comings_and_goings(await events_until(carol, said("sentinel")), "alice") == []
    partner_saw = await events_until(bob, said("sentinel"))
    assert comings_and_goings(partner_saw, "alice") == []
    assert not [e for e in partner_saw if isinstance(e, ChatEnded)]
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("alice", "busy"),
        ("bob", "busy"),
        ("carol", "online"),
    }


# --------------------------------------------------------------------------- (d) (e)


@pytest.mark.parametrize("how", ["close", "drop"])
@pytest.mark.parametrize("who", ["requester", "invitee"])
async def test_leaving_with_a_chat_request_pending_withdraws_it(
    who: str, how: Leave, start_server: StartServer, signed_in_to: SignedInTo
) -> None:
    server = await start_server(grace=GRACE)
    alice = await signed_in_to(server, "alice", reconnect=False)
    bob = await signed_in_to(server, "bob", reconnect=False)
    carol = await signed_in_to(server, "carol")
    await alice.request_chat("bob")
    await bob.wait_for(ChatRequested)

    within = SOON if how == "close" else GRACE + SOON
    if who == "requester":
        await leave(alice, how)
        cancelled = await bob.wait_for(ChatCancelled, timeout=within)
        assert (cancelled.requester, cancelled.reason) == ("alice", "left")
        stayer, stayer_name, leaver_name = bob, "bob", "alice"
    else:
        await leave(bob, how)
        declined = await alice.wait_for(ChatDeclined, timeout=within)
        assert (declined.by, declined.reason) == ("bob", "left")
        stayer, stayer_name, leaver_name = alice, "alice", "bob"
    await wait_left(carol, leaver_name, within=within)
    assert {u.name for u in await carol.users()} == {stayer_name, "carol"}

    # Nothing is left hanging: the one who stayed and a third user can start a chat.
    await chat_between(stayer, stayer_name, carol, "carol")
    assert {(u.name, u.status) for u in await carol.users()} == {
        (stayer_name, "busy"),
        ("carol", "busy"),
    }


BURST = 100


@pytest.mark.parametrize("how", ["close", "drop"])
async def test_a_burst_cut_short_by_a_disconnect_is_stored_and_delivered_once_each(
    how: Leave,
    start_server: StartServer,
    signed_in_to: SignedInTo,
    open_wire: OpenWire,
) -> None:
    server = await start_server(grace=GRACE)
    observer = await open_wire(server)
    await observer.sign_in("observer", password="pw-observer")
    alice = await signed_in_to(server, "alice", reconnect=False)

    # The burst goes out without waiting for a single answer; alice leaves as soon as the
    # first message is through, while the rest are still on their way or in flight.
    burst = [f"burst {n:03d}" for n in range(BURST)]
    for n, text in enumerate(burst):
        await alice.send_raw(json.dumps({"type": "say", "id": f"b{n}", "text": text}))
    frames = await observer.frames_until(wire_said(burst[0]))
    await leave(alice, how)

    within = SOON if how == "close" else GRACE + SOON
    frames += await observer.frames_until(
        lambda f: (
            f.get("type") == "presence" and {"name": "alice", "status": "offline"} in f["users"]
        ),
        within + TEST_LINGER,
    )
    await observer.send("say", text="sentinel")
    frames += await observer.frames_until(wire_said("sentinel"))
    received = [
        (f["seq"], f["text"]) for f in frames if f["type"] == "message" and f["from"] == "alice"
    ]

    auditor = await signed_in_to(server, "auditor")
    stored = await whole_history(auditor, LOBBY)
    assert [m.seq for m in stored] == list(range(1, len(stored) + 1))
    from_alice = [(m.seq, m.text) for m in stored if m.sender == "alice"]
    assert from_alice, "nothing of the burst was stored: the test proves nothing"
    stored_texts = [text for _, text in from_alice]
    assert len(set(stored_texts)) == len(stored_texts)
    assert set(stored_texts) <= set(burst)
    # Each stored message reached the observer once, in seq order; nothing else did.
    assert received == from_alice
    assert {u.name for u in await auditor.users()} == {"observer", "auditor"}


# --------------------------------------------------------------------------- (f) (g) (h)


async def test_signing_out_ends_the_session_at_once_and_revokes_its_token(
    server: Running, open_client: OpenClient, signed_in: SignedIn
) -> None:
    alice = await open_client(server)
    session = await alice.sign_in("alice", "pw-alice")
    bob = await signed_in("bob")
    conversation = await chat_between(alice, "alice", bob, "bob")
    carol = await signed_in("carol")

    await alice.sign_out()

    ended = await bob.wait_for(ChatEnded, timeout=SOON)
    assert (ended.conversation, ended.by, ended.reason) == (conversation, "alice", "closed")
    await wait_left(carol, "alice", within=SOON)
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("bob", "online"),
        ("carol", "online"),
    }
    # The connection stays open, signed out.
    with pytest.raises(RequestFailed) as refused:
        await alice.users()
    assert refused.value.code is ErrorCode.NOT_SIGNED_IN
    # The token no longer signs anyone in, on this connection or another.
    with pytest.raises(RequestFailed) as refused:
        await alice.sign_in("alice", token=session.token)
    assert refused.value.code is ErrorCode.INVALID_TOKEN
    elsewhere = await open_client(server, reconnect=False)
    with pytest.raises(RequestFailed) as refused:
        await elsewhere.sign_in("alice", token=session.token)
    assert refused.value.code is ErrorCode.INVALID_TOKEN
    # The password still does.
    await alice.sign_in("alice", "pw-alice")
    await wait_joined(carol, "alice", within=SOON)


@pytest.mark.parametrize("how", ["close", "drop"])
async def test_a_user_on_two_devices_leaves_only_when_the_last_one_goes(
    how: Leave, start_server: StartServer, signed_in_to: SignedInTo
) -> None:
    server = await start_server(grace=GRACE)
    bob = await signed_in_to(server, "bob")
    phone = await signed_in_to(server, "alice", reconnect=False)
    laptop = await signed_in_to(server, "alice", reconnect=False)

    await leave(phone, how)
    await until_connections(server, "alice", 1)
    if how == "drop":
        await asyncio.sleep(GRACE + 0.6)  # the dropped device's grace period runs out
    await laptop.say("still here")
    seen = await events_until(bob, said("still here"))
    assert comings_and_goings(seen, "alice") == [("alice", "online")]
    assert {(u.name, u.status) for u in await bob.users()} == {
        ("alice", "online"),
        ("bob", "online"),
    }

    await laptop.close()
    await wait_left(bob, "alice", within=SOON)
    assert {u.name for u in await bob.users()} == {"bob"}


async def test_direct_messages_to_an_offline_user_arrive_once_at_their_next_sign_in(
    server: Running, signed_in: SignedIn, open_wire: OpenWire
) -> None:
    alice = await signed_in("alice")
    bob = await open_wire(server)
    await bob.sign_in("bob", password="pw-bob")
    await wait_joined(alice, "bob")
    await bob.close()
    await wait_left(alice, "bob")
    first = await alice.message_user("bob", "psst")
    second = await alice.message_user("bob", "are you there?")

    fields = ("conversation", "seq", "from", "to", "text")
    held = [
        dict(zip(fields, (sent.conversation, sent.seq, "alice", "bob", text), strict=True))
        for sent, text in ((first, "psst"), (second, "are you there?"))
    ]
    for attempt in ("first", "second"):
        bob = await open_wire(server)
        await bob.sign_in("bob", password="pw-bob")
        sentinel = f"sentinel after bob's {attempt} sign-in"
        await alice.say(sentinel)
        frames = await bob.frames_until(wire_said(sentinel))
        dms = [
            {k: f[k] for k in fields} for f in frames if f.get("conversation") not in (None, LOBBY)
        ]
        if attempt == "first":
            # Each once, and before any live event.
            assert dms == held
            first_events = [f for f in frames if f.get("type") not in ("ok", "presence")]
            assert [{k: f.get(k) for k in fields} for f in first_events[: len(held)]] == held
        else:
            assert dms == [], "held messages were delivered a second time"
        await bob.close()


async def test_held_direct_messages_survive_a_sign_in_whose_connection_drops_at_once(
    server_process: ServerProcess, open_wire: OpenWire, signed_in_to: SignedInTo
) -> None:
    # The real server: the in-process test server cancels a request's handler when its
    # connection drops, which ``hubbub serve`` does not do.
    server_process.start()
    alice = await signed_in_to(server_process, "alice", reconnect=False)
    bob = await open_wire(server_process)
    await bob.sign_in("bob", password="pw-bob")
    await wait_joined(alice, "bob")
    await bob.close()
    await wait_left(alice, "bob")
    held = [await alice.message_user("bob", text) for text in ("psst", "are you there?")]

    # Bob signs in, and his network fails before any answer reaches him.
    lost = await open_wire(server_process)
    await lost.send("sign_in", name="bob", password="pw-bob")
    lost.drop()
    # The server signs him in (he joins) and only then finds the connection gone.
    await wait_joined(alice, "bob")
    await server_noticed_drop(server_process, "bob")

    # He signs in again: the messages he never received are still his.
    bob = await open_wire(server_process)
    await bob.sign_in("bob", password="pw-bob")
    await alice.say("sentinel")
    frames = await bob.frames_until(wire_said("sentinel"))
    assert [(f["conversation"], f["seq"], f["text"]) for f in frames if f["type"] == "message"] == [
        (held[0].conversation, held[0].seq, "psst"),
        (held[1].conversation, held[1].seq, "are you there?"),
        (LOBBY, 1, "sentinel"),
    ]


# --------------------------------------------------------------------------- (i)

RESUME_BURST = 300


@pytest.mark.parametrize("reader", ["wire", "client"])
async def test_resuming_with_since_replays_exactly_the_missed_messages_even_mid_burst(
    reader: str,
    server: Running,
    open_client: OpenClient,
    open_wire: OpenWire,
    signed_in: SignedIn,
) -> None:
    first = await open_client(server, reconnect=False)
    session = await first.sign_in("alice", "pw-alice")
    carol = await signed_in("carol")
    for n in range(3):
        await carol.say(f"seen {n}")
        direct = await carol.message_user("alice", f"seen direct {n}")
    seen = [e for e in await events_until(first, said("seen direct 2")) if isinstance(e, Message)]
    dm = direct.conversation
    since = {c: max(m.seq for m in seen if m.conversation == c) for c in (LOBBY, dm)}

    drop(first)
    await server_noticed_drop(server, "alice")
    for n in range(3):
        await carol.say(f"missed {n}")
        await carol.message_user("alice", f"missed direct {n}")

    # Carol keeps talking, in the lobby and to alice, while alice resumes.
    acked: list[int] = []
    under_way = asyncio.Event()

    async def burst() -> None:
        pending = deque(range(RESUME_BURST))

        async def one_after_another() -> None:
            while pending:
                n = pending.popleft()
                if n % 10 == 9:
                    await carol.message_user("alice", f"burst direct {n}")
                else:
                    await carol.say(f"burst {n}")
                acked.append(n)
                if len(acked) == 20:
                    under_way.set()

        await asyncio.gather(*(one_after_another() for _ in range(10)))

    bursting = asyncio.create_task(burst())
    await under_way.wait()
    if reader == "wire":
        wire = await open_wire(server)
        await wire.sign_in("alice", token=session.token, since=since)
        answered_after = len(acked)
        await bursting
        last = await carol.say("sentinel")
        frames = await wire.frames_until(wire_said("sentinel"))
        got = [(f["conversation"], f["seq"]) for f in frames if f["type"] == "message"]
    else:
        alice = await open_client(server, reconnect=False)
        await alice.sign_in("alice", token=session.token, since=since)
        answered_after = len(acked)
        await bursting
        last = await carol.say("sentinel")
        events = await events_until(alice, said("sentinel"))
        got = [(e.conversation, e.seq) for e in events if isinstance(e, Message)]
    assert answered_after < RESUME_BURST, "the resume did not overlap the burst"

    last_dm = (await carol.history(dm, limit=1))[-1].seq
    assert [seq for c, seq in got if c == LOBBY] == list(range(since[LOBBY] + 1, last.seq + 1))
    assert [seq for c, seq in got if c == dm] == list(range(since[dm] + 1, last_dm + 1))
    assert {c for c, _ in got} == {LOBBY, dm}


async def test_resuming_delivers_a_direct_message_missed_in_a_conversation_new_to_the_client(
    server: Running, open_wire: OpenWire, signed_in: SignedIn
) -> None:
    carol = await signed_in("carol")
    alice = await open_wire(server)
    session = await alice.sign_in("alice", password="pw-alice")
    lobby = (await carol.say("hello alice")).seq
    assert (await alice.frames_until(wire_said("hello alice")))[-1]["seq"] == lobby

    # The first direct message to alice is delivered (carol has her answer, so it went to
    # alice's connection, not to the offline hold) but alice's network fails before she
    # reads it. Her client has never seen this conversation, so it cannot ask for it.
    direct = await carol.message_user("alice", "a first direct message")
    alice.drop()
    await server_noticed_drop(server, "alice")

    # She resumes from everything she saw; the direct message must not be lost. The
    # sentinel, sent as soon as she is back, may come live or with the lobby's replay,
    # so only the order within each conversation is fixed; a second sentinel, sent once
    # both have arrived, shows that nothing came twice.
    again = await open_wire(server)
    await again.sign_in("alice", token=session["token"], since={LOBBY: lobby})
    await carol.say("sentinel")
    frames = await again.frames_until(wire_said("sentinel"))
    if not any(frame.get("conversation") == direct.conversation for frame in frames):
        frames += await again.frames_until(lambda f: f.get("conversation") == direct.conversation)
    await carol.say("second sentinel")
    frames += await again.frames_until(wire_said("second sentinel"))
    assert sorted((f["conversation"], f["seq"]) for f in frames if f["type"] == "message") == [
        (direct.conversation, direct.seq),
        (LOBBY, lobby + 1),
        (LOBBY, lobby + 2),
    ]
