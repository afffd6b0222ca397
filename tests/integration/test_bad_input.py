"""Every bad input a client can send, over a real socket: a documented error, nothing else.

Each case checks three things: the ``error`` frame has the code docs/protocol.md lists for
that input and a sentence for people (with the request's ``id`` where it has one); the same
connection keeps working afterwards; and nobody else notices anything. "Nobody else
notices" is checked with a sentinel: after the bad input a bystander says a lobby message,
and the next event every bystander receives must be exactly that message.

Families of similar inputs run as subtests of one test, on one server and one set of
users: each case is still reported on its own, and the file stays fast (a fresh server
with three freshly hashed accounts per case would cost about 0.15 s each).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from conftest import wait_joined, wait_left, wait_status
from hubbub.client import Client, ClientEvent, Disconnected, RequestFailed
from hubbub.protocol import (
    ChatRequested,
    ChatStarted,
    Error,
    ErrorCode,
    Message,
    Ok,
)
from hubbub.server import ChatServer

if TYPE_CHECKING:
    from conftest import Running


SignedIn = Callable[..., Awaitable[Client]]
Connect = Callable[[], Awaitable[Client]]
ClientRequest = Callable[[Client], Awaitable[object]]

T = TypeVar("T")

EVENT_TIMEOUT = 3.0
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def fullwidth(name: str) -> str:
    """The name in fullwidth letters (U+FF41...), which NFKC turns back into ASCII."""
    return "".join(chr(ord(char) + 0xFEE0) for char in name)


# --------------------------------------------------------------------------- helpers


async def next_event(client: Client) -> ClientEvent:
    """The very next event the client receives, whatever it is."""
    async with asyncio.timeout(EVENT_TIMEOUT):
        try:
            return await anext(client.events())
        except StopAsyncIteration:
            raise AssertionError("the connection is closed: no more events") from None


async def next_reply(client: Client) -> Ok | Error:
    """The next ``ok`` or ``error`` that no request method waited for (a raw frame's answer)."""
    while True:
        event = await next_event(client)
        if isinstance(event, Ok | Error):
            return event
        assert not isinstance(event, Disconnected), f"the connection closed: {event}"


async def raw_reply(client: Client, frame: str | bytes, *, binary: bool = False) -> Ok | Error:
    await client.send_raw(frame, binary=binary)
    return await next_reply(client)


def assert_error(reply: Ok | Error, code: ErrorCode, request_id: int | str | None) -> Error:
    """A documented error with a human message, answering ``request_id`` (None: unreadable)."""
    assert isinstance(reply, Error), f"expected a {code} error, got {reply!r}"
    assert reply.code is code, f"expected {code}, got {reply.code}: {reply.message}"
    assert reply.message.strip(), "the error has no message for people"
    assert (type(reply.id), reply.id) == (type(request_id), request_id)
    return reply


async def refusal(request: Awaitable[object], code: ErrorCode) -> RequestFailed:
    """Run a client request that must fail with ``code`` and a human message."""
    with pytest.raises(RequestFailed) as refused:
        await request
    assert refused.value.code is code, f"expected {code}, got {refused.value}"
    assert refused.value.message.strip(), "the error has no message for people"
    return refused.value


async def outcome(request: Awaitable[T]) -> T | RequestFailed:
    """The result of a request that may be refused; it must be answered within seconds."""
    try:
        async with asyncio.timeout(EVENT_TIMEOUT):
            return await request
    except RequestFailed as refused:
        return refused
    except TimeoutError:
        raise AssertionError(f"the server did not answer within {EVENT_TIMEOUT} s") from None


async def events_until(client: Client, text: str) -> list[ClientEvent]:
    """Every event before the lobby message ``text``, which is taken too."""
    seen: list[ClientEvent] = []
    while True:
        event = await next_event(client)
        if isinstance(event, Message) and event.text == text:
            return seen
        seen.append(event)


@dataclass
class Bystanders:
    """Users who must notice nothing; the first one says the sentinels."""

    clients: dict[str, Client]

    async def hush(self) -> None:
        """Forget every event so far, so that the next one can be judged."""
        # Presence changes are told in batches, one tick apart: let the last one arrive.
        await asyncio.sleep(ChatServer.TICK_SECONDS * 1.5)
        await self._sentinel("hush")

    async def assert_noticed_nothing(self) -> None:
        noticed = await self._sentinel("sentinel")
        assert not noticed, f"bystanders noticed something: {noticed}"

    async def _sentinel(self, prefix: str) -> dict[str, list[ClientEvent]]:
        text = unique(prefix)
        await next(iter(self.clients.values())).say(text)
        noticed = {name: await events_until(client, text) for name, client in self.clients.items()}
        return {name: events for name, events in noticed.items() if events}


@dataclass
class Room:
    """Alice misbehaves; Bob and Carol are bystanders."""

    alice: Client
    bob: Client
    carol: Client

    @property
    def bystanders(self) -> Bystanders:
        return Bystanders({"carol": self.carol, "bob": self.bob})

    @property
    def everyone(self) -> Bystanders:
        return Bystanders({"carol": self.carol, "bob": self.bob, "alice": self.alice})


async def still_works(client: Client, name: str) -> None:
    """The connection still answers requests, signed in as ``name``."""
    assert name in {user.name for user in await client.users()}
    assert await client.calc("6*7") == "42"


@pytest.fixture
async def connect(server: Running) -> AsyncIterator[Connect]:
    """Open connections that are not signed in; all close at the end."""
    async with AsyncExitStack() as stack:

        async def open_one() -> Client:
            return await stack.enter_async_context(Client.connect(server.url, reconnect=False))

        yield open_one


@pytest.fixture
async def room(signed_in: SignedIn) -> Room:
    room = Room(
        await signed_in("alice", reconnect=False),
        await signed_in("bob", reconnect=False),
        await signed_in("carol", reconnect=False),
    )
    # Once alice hears carol came online, every presence change of the three has been told.
    await wait_joined(room.alice, "carol")
    await room.everyone.hush()
    return room


async def check_raw_frames(
    subtests: pytest.Subtests,
    room: Room,
    frames: dict[str, str],
    code: ErrorCode,
    request_id: int | str | None,
) -> None:
    """Alice sends each frame: each gets ``code``, nobody notices, her connection works."""
    for case, frame in frames.items():
        with subtests.test(case):
            assert_error(await raw_reply(room.alice, frame), code, request_id)
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


# --------------------------------------------------------------------------- unreadable frames


async def test_frame_that_is_not_json_is_refused_as_bad_frame(
    room: Room, subtests: pytest.Subtests
) -> None:
    frames = {
        "plain-text": "hello",
        "brace": "{",
        "truncated": '{"type": "say", "id": 1, "text": "hi"',
        "single-quotes": "{'type': 'users', 'id': 1}",
        "trailing-garbage": '{"type": "users", "id": 1} x',
        "empty": "",
    }
    await check_raw_frames(subtests, room, frames, ErrorCode.BAD_FRAME, None)


async def test_json_that_is_not_an_object_is_refused_as_bad_frame(
    room: Room, subtests: pytest.Subtests
) -> None:
    frames = {
        "list": "[1]",
        "string": '"x"',
        "number": "3",
        "null": "null",
        "true": "true",
        "list-of-request": '[{"type": "users", "id": 1}]',
    }
    await check_raw_frames(subtests, room, frames, ErrorCode.BAD_FRAME, None)


async def test_binary_frame_is_refused_as_bad_frame_and_not_carried_out(room: Room) -> None:
    frame = json.dumps({"type": "say", "id": "bin-1", "text": "in a binary frame"}).encode()
    assert_error(await raw_reply(room.alice, frame, binary=True), ErrorCode.BAD_FRAME, None)
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")
    assert "in a binary frame" not in {m.text for m in await room.bob.history("lobby")}


# --------------------------------------------------------------------------- type and fields


async def test_unknown_type_is_refused_with_the_request_id(
    room: Room, subtests: pytest.Subtests
) -> None:
    kinds: list[object] = ["shout", "SAY", "Users", "", "ok", "message", "sign-in", 5, ["say"]]
    frames = {repr(kind): json.dumps({"type": kind, "id": "u-1", "text": "hi"}) for kind in kinds}
    await check_raw_frames(subtests, room, frames, ErrorCode.UNKNOWN_TYPE, "u-1")


async def test_missing_type_is_refused_as_invalid_field(
    room: Room, subtests: pytest.Subtests
) -> None:
    frames = {
        "absent": json.dumps({"id": 7, "text": "hi"}),
        "null": json.dumps({"id": 7, "type": None, "text": "hi"}),
    }
    await check_raw_frames(subtests, room, frames, ErrorCode.INVALID_FIELD, 7)


WRONG_FIELDS: dict[str, dict[str, Any]] = {
    "say-without-text": {"type": "say"},
    "text-as-number": {"type": "say", "text": 42},
    "text-as-null": {"type": "say", "text": None},
    "conversation-as-list": {"type": "say", "text": "hi", "conversation": ["lobby"]},
    "message-without-to": {"type": "message_user", "text": "psst"},
    "to-as-number": {"type": "message_user", "to": 2, "text": "psst"},
    "accept-as-string": {"type": "answer_chat", "from": "bob", "accept": "yes"},
    "accept-as-number": {"type": "answer_chat", "from": "bob", "accept": 1},
    "answer-without-from": {"type": "answer_chat", "accept": True},
    "history-limit-0": {"type": "history", "conversation": "lobby", "limit": 0},
    "history-limit-201": {"type": "history", "conversation": "lobby", "limit": 201},
    "history-limit-as-string": {"type": "history", "conversation": "lobby", "limit": "10"},
    "history-before-as-float": {"type": "history", "conversation": "lobby", "before": 1.5},
    "history-without-conversation": {"type": "history"},
    "status-busy": {"type": "set_status", "status": "busy"},
    "status-unknown": {"type": "set_status", "status": "sleeping"},
    "expression-as-number": {"type": "calc", "expression": 7},
    "request-chat-without-to": {"type": "request_chat"},
    "sign-in-name-as-number": {"type": "sign_in", "name": 5, "password": "pw"},
    "sign-in-since-as-list": {"type": "sign_in", "name": "alice", "password": "p", "since": []},
}


@pytest.mark.parametrize("request_id", [31, "req-31"], ids=["int-id", "str-id"])
async def test_missing_or_wrongly_typed_field_is_refused_as_invalid_field(
    room: Room, subtests: pytest.Subtests, request_id: int | str
) -> None:
    frames = {
        case: json.dumps({**fields, "id": request_id}) for case, fields in WRONG_FIELDS.items()
    }
    await check_raw_frames(subtests, room, frames, ErrorCode.INVALID_FIELD, request_id)


async def test_request_id_that_is_not_a_number_or_string_is_refused_as_invalid_field(
    room: Room, subtests: pytest.Subtests
) -> None:
    frames = {
        "object": json.dumps({"type": "users", "id": {"n": 1}}),
        "list": json.dumps({"type": "users", "id": [1]}),
        "bool": json.dumps({"type": "users", "id": True}),
        "float": json.dumps({"type": "users", "id": 1.5}),
        "null": json.dumps({"type": "users", "id": None}),
        "absent": json.dumps({"type": "users"}),
    }
    await check_raw_frames(subtests, room, frames, ErrorCode.INVALID_FIELD, None)


async def test_string_and_integer_request_ids_are_echoed_exactly(room: Room) -> None:
    for request_id in ["x", "", "ünïcödé ✓", 0, -5, 2**53 + 1, "1"]:
        reply = await raw_reply(room.alice, json.dumps({"type": "users", "id": request_id}))
        assert isinstance(reply, Ok)
        assert (type(reply.id), reply.id) == (type(request_id), request_id)


async def test_deeply_nested_json_is_refused_and_the_connection_keeps_working(
    room: Room, subtests: pytest.Subtests
) -> None:
    # 5,000 levels are 10 KB, well under the frame limit; 40,000 levels are over it.
    for depth, code in [(5_000, ErrorCode.BAD_FRAME), (40_000, ErrorCode.FRAME_TOO_LARGE)]:
        with subtests.test(depth=depth):
            frame = '{"type": "users", "id": "deep", "x": ' + "[" * depth + "]" * depth + "}"
            reply = await raw_reply(room.alice, frame)
            assert reply.id in (None, "deep"), reply
            assert_error(reply, code, reply.id)
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


async def test_history_position_beyond_64_bits_gets_one_answer(
    room: Room, subtests: pytest.Subtests
) -> None:
    """``before``/``after`` past 64 bits: the empty or whole page, or ``invalid_field``."""
    sent = await room.alice.say("the only message")
    await room.everyone.hush()
    huge = 2**64
    cases: dict[str, tuple[dict[str, int], list[int]]] = {
        "after-huge": ({"after": huge}, []),
        "after-minus-huge": ({"after": -huge}, [sent.seq]),
        "before-huge": ({"before": huge}, [sent.seq]),
        "before-minus-huge": ({"before": -huge}, []),
    }
    for case, (position, expected) in cases.items():
        with subtests.test(case):
            page = await outcome(room.alice.history("lobby", **position))
            if isinstance(page, RequestFailed):
                assert page.code is ErrorCode.INVALID_FIELD, page
            else:
                assert [message.seq for message in page] == expected
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


async def test_resume_position_beyond_64_bits_gets_one_answer_and_the_connection_works(
    room: Room, connect: Connect
) -> None:
    newcomer = await connect()
    signed = await outcome(newcomer.sign_in("erin", "secret", since={"lobby": 2**64}))
    if isinstance(signed, RequestFailed):
        assert signed.code is ErrorCode.INVALID_FIELD, signed
        await newcomer.sign_in("erin", "secret")
    await still_works(newcomer, "erin")


# --------------------------------------------------------------------------- frame sizes


def say_frame(request_id: str, size: int, filler: str = "x") -> str:
    """A ``say`` frame of exactly ``size`` UTF-8 bytes, its text made of ``filler``."""
    empty = json.dumps({"type": "say", "id": request_id, "text": ""})
    room_left = size - len(empty.encode())
    width = len(filler.encode())
    text = filler * (room_left // width) + "x" * (room_left % width)
    frame = json.dumps({"type": "say", "id": request_id, "text": text}, ensure_ascii=False)
    assert len(frame.encode()) == size
    return frame


async def test_frame_over_64_kib_is_refused_and_the_connection_keeps_working(room: Room) -> None:
    frame = say_frame("big", 64 * 1024 + 1)
    assert_error(await raw_reply(room.alice, frame), ErrorCode.FRAME_TOO_LARGE, "big")
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_frame_of_exactly_64_kib_is_read(room: Room) -> None:
    # It is read and judged on its content: its text is too long, not the frame.
    frame = say_frame("edge", 64 * 1024)
    assert_error(await raw_reply(room.alice, frame), ErrorCode.TEXT_TOO_LONG, "edge")
    await room.bystanders.assert_noticed_nothing()


async def test_frame_size_limit_counts_utf8_bytes_not_characters(room: Room) -> None:
    frame = say_frame("euro", 64 * 1024 + 1, filler="€")
    assert len(frame) < 64 * 1024 // 2
    assert_error(await raw_reply(room.alice, frame), ErrorCode.FRAME_TOO_LARGE, "euro")
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_frame_just_under_1_mib_is_refused_and_the_connection_keeps_working(
    room: Room,
) -> None:
    frame = say_frame("mib", 1024 * 1024 - 1)
    assert_error(await raw_reply(room.alice, frame), ErrorCode.FRAME_TOO_LARGE, "mib")
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_frame_of_exactly_1_mib_is_refused_and_the_connection_keeps_working(
    room: Room,
) -> None:
    # docs/protocol.md: only frames *over* 1 MiB close the connection.
    frame = say_frame("mib", 1024 * 1024)
    assert_error(await raw_reply(room.alice, frame), ErrorCode.FRAME_TOO_LARGE, "mib")
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_frame_over_1_mib_closes_the_connection_with_1009_and_others_are_served(
    room: Room, signed_in: SignedIn
) -> None:
    await room.alice.send_raw(say_frame("abuse", 1024 * 1024 + 1))
    closed = await room.alice.wait_for(Disconnected, timeout=EVENT_TIMEOUT)
    assert closed.code == 1009

    # The server goes on serving everyone else, and new users.
    sent = await room.carol.say("still serving")
    heard = await room.bob.wait_for(Message, lambda m: m.text == "still serving")
    assert heard.seq == sent.seq
    dave = await signed_in("dave", reconnect=False)
    await dave.say("hello from dave")
    assert (await room.bob.wait_for(Message, lambda m: m.sender == "dave")).text == (
        "hello from dave"
    )
    assert [m.sender for m in await room.bob.history("lobby")][-2:] == ["carol", "dave"]


# --------------------------------------------------------------------------- message text


async def test_text_over_4000_characters_is_refused(room: Room, subtests: pytest.Subtests) -> None:
    texts = {"ascii": "x" * 4001, "emoji": "😀" * 4001, "with-spaces": "a" + " " * 4000}
    for case, text in texts.items():
        with subtests.test(case):
            await refusal(room.alice.say(text), ErrorCode.TEXT_TOO_LONG)
            await refusal(room.alice.message_user("bob", text), ErrorCode.TEXT_TOO_LONG)
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


async def test_text_of_exactly_4000_characters_is_sent_in_full(
    room: Room, subtests: pytest.Subtests
) -> None:
    for case, text in {"ascii": "x" * 4000, "emoji": "😀" * 4000}.items():
        with subtests.test(case):
            sent = await room.alice.say(text)
            heard = await room.bob.wait_for(Message, lambda m, seq=sent.seq: m.seq == seq)
            assert (heard.sender, heard.text) == ("alice", text)


async def test_empty_or_blank_text_is_refused_as_empty_text(
    room: Room, subtests: pytest.Subtests
) -> None:
    texts = {"empty": "", "space": " ", "blanks": "   \t\n", "unicode-blanks": "\u3000\u00a0"}
    for case, text in texts.items():
        with subtests.test(case):
            await refusal(room.alice.say(text), ErrorCode.EMPTY_TEXT)
            await refusal(room.alice.message_user("bob", text), ErrorCode.EMPTY_TEXT)
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


# --------------------------------------------------------------------------- signing in


BAD_NAMES = {
    "nul": "al\x00ice",
    "bell": "bob\x07",
    "tab": "tab\there",
    "newline": "new\nline",
    "delete": "del\x7f",
    "zero-width-space": "zero\u200bwidth",
    "rtl-override": "abc\u202edef",
    "line-separator": "line\u2028sep",
    "empty": "",
    "one-space": " ",
    "only-spaces": "     ",
    "ideographic-space": "\u3000",
    "33-characters": "n" * 33,
    "33-after-nfkc": "\ufb03" * 11,  # the ligature "ffi" is three characters under NFKC
    "leading-space": " erin",
    "trailing-space": "erin ",
    "trailing-nbsp": "erin\u00a0",
}


async def test_invalid_name_is_refused(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    newcomer = await connect()
    for case, name in BAD_NAMES.items():
        with subtests.test(case):
            await refusal(newcomer.sign_in(name, "secret"), ErrorCode.INVALID_NAME)
            await room.everyone.assert_noticed_nothing()
    await newcomer.sign_in("erin", "secret")
    await still_works(newcomer, "erin")


async def test_name_of_32_characters_after_nfkc_is_accepted(
    connect: Connect, subtests: pytest.Subtests
) -> None:
    for case, name in {"ascii": "n" * 32, "nfkc": "\ufb03" * 10 + "xx"}.items():
        with subtests.test(case):
            newcomer = await connect()
            signed = await newcomer.sign_in(name, "secret")
            assert len(signed.name) == 32
            await still_works(newcomer, signed.name)


async def test_variant_of_an_online_name_with_the_wrong_password_is_name_in_use(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    impostor = await connect()
    for variant in ["alice", "ALICE", "Alice", fullwidth("alice"), fullwidth("ALICE")]:
        with subtests.test(variant):
            await refusal(impostor.sign_in(variant, "not alice's"), ErrorCode.NAME_IN_USE)
            await room.everyone.assert_noticed_nothing()
    assert sorted(u.name for u in await room.bob.users()) == ["alice", "bob", "carol"]
    await still_works(room.alice, "alice")
    await impostor.sign_in("erin", "secret")
    await still_works(impostor, "erin")


async def test_variant_of_an_offline_name_with_the_wrong_password_is_wrong_password(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    dave = await connect()
    await dave.sign_in("dave", "dave's secret")
    await wait_joined(room.bob, "dave")
    await dave.close()
    await wait_left(room.bob, "dave")
    await room.everyone.hush()

    impostor = await connect()
    for variant in ["dave", "DAVE", "Dave", fullwidth("dave"), fullwidth("DAVE")]:
        with subtests.test(variant):
            await refusal(impostor.sign_in(variant, "not dave's"), ErrorCode.WRONG_PASSWORD)
            await room.everyone.assert_noticed_nothing()
    signed = await impostor.sign_in(fullwidth("DAVE"), "dave's secret")
    assert signed.name == "dave"
    await still_works(impostor, "dave")


async def test_second_sign_in_on_a_signed_in_connection_is_already_signed_in(
    room: Room, subtests: pytest.Subtests
) -> None:
    for name in ["alice", "bob", "someone-new"]:
        with subtests.test(name):
            await refusal(room.alice.sign_in(name, f"pw-{name}"), ErrorCode.ALREADY_SIGNED_IN)
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")
    assert sorted(u.name for u in await room.bob.users()) == ["alice", "bob", "carol"]


async def test_sign_in_without_a_usable_password_or_token_is_invalid_field(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    newcomer = await connect()
    passwords = {"no-password": None, "empty": "", "1025-characters": "p" * 1025}
    for case, password in passwords.items():
        with subtests.test(case):
            await refusal(newcomer.sign_in("erin", password), ErrorCode.INVALID_FIELD)
            await room.everyone.assert_noticed_nothing()
    # The name was not claimed by any of them: any password claims it now.
    await newcomer.sign_in("erin", "erin's own")
    await still_works(newcomer, "erin")


async def test_bad_token_is_refused_as_invalid_token(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    dave_token = (await (await connect()).sign_in("dave", "pw-dave")).token
    leaver = await connect()
    frank_token = (await leaver.sign_in("frank", "pw-frank")).token
    await wait_joined(room.bob, "frank")
    await leaver.sign_out()
    await wait_left(room.bob, "frank")
    await room.everyone.hush()

    newcomer = await connect()
    tokens = {
        "made-up": ("erin", "made-up"),
        "empty": ("alice", ""),
        "another-users": ("alice", dave_token),
        "revoked-by-sign-out": ("frank", frank_token),
    }
    for case, (name, token) in tokens.items():
        with subtests.test(case):
            await refusal(newcomer.sign_in(name, token=token), ErrorCode.INVALID_TOKEN)
            await room.everyone.assert_noticed_nothing()
    await newcomer.sign_in("frank", "pw-frank")
    await still_works(newcomer, "frank")


# --------------------------------------------------------------------------- before signing in


BEFORE_SIGN_IN: dict[str, ClientRequest] = {
    "sign_out": lambda c: c.sign_out(),
    "say": lambda c: c.say("hi"),
    "say-in-chat": lambda c: c.say("hi", conversation="chat:0123456789abcdef"),
    "message_user": lambda c: c.message_user("bob", "psst"),
    "users": lambda c: c.users(),
    "calc": lambda c: c.calc("1+1"),
    "bad-calc": lambda c: c.calc("1/0"),
    "request_chat": lambda c: c.request_chat("bob"),
    "answer_chat": lambda c: c.answer_chat("bob", accept=True),
    "end_chat": lambda c: c.end_chat(),
    "history": lambda c: c.history("lobby"),
    "set_status": lambda c: c.set_status("away"),
}


async def test_every_request_before_sign_in_is_refused_as_not_signed_in(
    room: Room, connect: Connect, subtests: pytest.Subtests
) -> None:
    stranger = await connect()
    for case, request_ in BEFORE_SIGN_IN.items():
        with subtests.test(case):
            await refusal(request_(stranger), ErrorCode.NOT_SIGNED_IN)
            await room.everyone.assert_noticed_nothing()
    await stranger.sign_in("erin", "secret")
    await still_works(stranger, "erin")


async def test_every_request_after_sign_out_is_refused_as_not_signed_in(
    room: Room, subtests: pytest.Subtests
) -> None:
    await room.alice.sign_out()
    await wait_left(room.bob, "alice")
    await wait_left(room.carol, "alice")
    await room.bystanders.hush()
    for case, request_ in BEFORE_SIGN_IN.items():
        with subtests.test(case):
            await refusal(request_(room.alice), ErrorCode.NOT_SIGNED_IN)
            await room.bystanders.assert_noticed_nothing()
    await room.alice.sign_in("alice", "pw-alice")
    await still_works(room.alice, "alice")


# --------------------------------------------------------------------------- 1:1 chats


async def test_answering_a_request_that_does_not_exist_is_no_such_request(
    room: Room, subtests: pytest.Subtests
) -> None:
    for requester, accept in itertools.product(["bob", "nobody", "alice", "BOB"], [True, False]):
        with subtests.test(requester=requester, accept=accept):
            await refusal(
                room.alice.answer_chat(requester, accept=accept), ErrorCode.NO_SUCH_REQUEST
            )
            await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_answering_someone_elses_request_is_no_such_request(
    room: Room, subtests: pytest.Subtests
) -> None:
    await room.alice.request_chat("bob")
    await room.bob.wait_for(ChatRequested, lambda r: r.requester == "alice")
    await room.everyone.hush()

    for accept in [True, False]:
        with subtests.test("carol answers alice's request to bob", accept=accept):
            await refusal(room.carol.answer_chat("alice", accept=accept), ErrorCode.NO_SUCH_REQUEST)
            await room.everyone.assert_noticed_nothing()
        with subtests.test("alice answers her own request", accept=accept):
            await refusal(room.alice.answer_chat("bob", accept=accept), ErrorCode.NO_SUCH_REQUEST)
            await room.everyone.assert_noticed_nothing()

    # The request is intact: Bob can still accept it.
    conversation = await room.bob.answer_chat("alice", accept=True)
    assert (await room.alice.wait_for(ChatStarted)).conversation == conversation


async def test_chat_requests_that_cannot_be_made_are_refused(room: Room) -> None:
    for name in ["alice", "ALICE", fullwidth("alice")]:
        await refusal(room.alice.request_chat(name), ErrorCode.CANNOT_INVITE_SELF)
    await room.alice.request_chat("bob")
    await room.bob.wait_for(ChatRequested)
    await room.everyone.hush()

    await refusal(room.alice.request_chat("bob"), ErrorCode.REQUEST_PENDING)
    await refusal(room.bob.request_chat("alice"), ErrorCode.REQUEST_PENDING)
    await room.everyone.assert_noticed_nothing()

    await room.bob.answer_chat("alice", accept=True)
    await room.alice.wait_for(ChatStarted)
    await room.everyone.hush()
    await refusal(room.alice.request_chat("carol"), ErrorCode.ALREADY_IN_CHAT)
    await refusal(room.carol.request_chat("bob"), ErrorCode.USER_BUSY)
    await room.everyone.assert_noticed_nothing()


async def test_ending_a_chat_you_are_not_in_is_not_in_chat(room: Room) -> None:
    await refusal(room.alice.end_chat(), ErrorCode.NOT_IN_CHAT)

    # Nor with only a request pending, nor while others are chatting.
    await room.bob.request_chat("carol")
    await room.carol.wait_for(ChatRequested)
    await refusal(room.bob.end_chat(), ErrorCode.NOT_IN_CHAT)
    await refusal(room.carol.end_chat(), ErrorCode.NOT_IN_CHAT)
    await room.carol.answer_chat("bob", accept=True)
    await room.bob.wait_for(ChatStarted)
    await room.everyone.hush()
    await refusal(room.alice.end_chat(), ErrorCode.NOT_IN_CHAT)
    await room.everyone.assert_noticed_nothing()
    assert {(u.name, u.status) for u in await room.alice.users()} == {
        ("alice", "online"),
        ("bob", "busy"),
        ("carol", "busy"),
    }


async def test_saying_something_in_a_chat_you_are_not_in_is_not_in_chat(
    room: Room, subtests: pytest.Subtests
) -> None:
    await room.bob.request_chat("carol")
    await room.carol.wait_for(ChatRequested)
    conversation = await room.carol.answer_chat("bob", accept=True)
    assert conversation is not None
    await room.bob.wait_for(ChatStarted)
    await wait_status(room.alice, "carol", "busy")
    await room.everyone.hush()

    refusals = {
        conversation: ErrorCode.NOT_IN_CHAT,
        "chat:0123456789abcdef": ErrorCode.NOT_IN_CHAT,
        "dm:2:3": ErrorCode.UNKNOWN_CONVERSATION,
        "room:0123456789abcdef": ErrorCode.UNKNOWN_CONVERSATION,
        "nowhere": ErrorCode.UNKNOWN_CONVERSATION,
        "": ErrorCode.UNKNOWN_CONVERSATION,
    }
    for target, code in refusals.items():
        with subtests.test(target):
            await refusal(room.alice.say("let me in", conversation=target), code)
            await room.everyone.assert_noticed_nothing()
    assert await room.bob.history(conversation) == []
    await still_works(room.alice, "alice")


async def test_saying_something_in_a_chat_that_has_ended_is_not_in_chat(room: Room) -> None:
    await room.alice.request_chat("bob")
    await room.bob.wait_for(ChatRequested)
    conversation = await room.bob.answer_chat("alice", accept=True)
    assert conversation is not None
    await room.alice.say("while it lasts", conversation=conversation)
    await room.alice.end_chat()
    await room.everyone.hush()
    await refusal(room.bob.say("too late", conversation=conversation), ErrorCode.NOT_IN_CHAT)
    await room.everyone.assert_noticed_nothing()
    assert [m.text for m in await room.alice.history(conversation)] == ["while it lasts"]


# --------------------------------------------------------------------------- reading history


async def test_history_of_a_conversation_you_cannot_read_is_unknown_conversation(
    room: Room, subtests: pytest.Subtests
) -> None:
    dm = (await room.alice.message_user("bob", "between us")).conversation
    await room.bob.request_chat("alice")
    await room.alice.wait_for(ChatRequested)
    chat = await room.alice.answer_chat("bob", accept=True)
    assert chat is not None
    await room.bob.say("chat secret", conversation=chat)
    await room.everyone.hush()

    # The answer must not tell an existing conversation from a made-up one.
    for real, fake in [(dm, "dm:1:98"), (chat, "chat:ffffffffffffffff")]:
        with subtests.test(real):
            refused_real = await refusal(room.carol.history(real), ErrorCode.UNKNOWN_CONVERSATION)
            refused_fake = await refusal(room.carol.history(fake), ErrorCode.UNKNOWN_CONVERSATION)
            assert refused_real.message.replace(real, "ID") == refused_fake.message.replace(
                fake, "ID"
            )
            await room.everyone.assert_noticed_nothing()
    for made_up in ["nowhere", "", "dm:x:y", "dm:1", "chat:", "lobby2", "LOBBY"]:
        with subtests.test(made_up):
            await refusal(room.carol.history(made_up), ErrorCode.UNKNOWN_CONVERSATION)
            await room.everyone.assert_noticed_nothing()
    await still_works(room.carol, "carol")


# --------------------------------------------------------------------------- other users


async def test_messaging_or_inviting_an_unknown_user_is_unknown_user(
    room: Room, subtests: pytest.Subtests
) -> None:
    for name in ["nobody", "alicee", fullwidth("alicee")]:
        with subtests.test(name):
            await refusal(room.alice.message_user(name, "hello?"), ErrorCode.UNKNOWN_USER)
            await refusal(room.alice.request_chat(name), ErrorCode.UNKNOWN_USER)
            await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_messaging_yourself_is_refused(room: Room) -> None:
    for name in ["alice", "ALICE"]:
        await refusal(room.alice.message_user(name, "note to self"), ErrorCode.CANNOT_MESSAGE_SELF)
    await room.bystanders.assert_noticed_nothing()
    await still_works(room.alice, "alice")


async def test_inviting_an_offline_user_is_user_offline(room: Room, connect: Connect) -> None:
    dave = await connect()
    await dave.sign_in("dave", "pw-dave")
    await wait_joined(room.carol, "dave")
    await wait_joined(room.bob, "dave")
    await dave.close()
    await wait_left(room.bob, "dave")
    await wait_left(room.carol, "dave")
    await room.bystanders.hush()

    await refusal(room.alice.request_chat("dave"), ErrorCode.USER_OFFLINE)
    await refusal(room.alice.request_chat("DAVE"), ErrorCode.USER_OFFLINE)
    await room.bystanders.assert_noticed_nothing()
    # A direct message to an offline user is no error: it waits for them.
    await room.alice.message_user("dave", "for later")


# --------------------------------------------------------------------------- the calculator


CALC_BOMBS: dict[str, tuple[str, str | None]] = {
    "tower-of-powers": ("9**9**9", "result too large at 2"),
    "huge-power": ("10**100000", "result too large at 3"),
    "nesting-over-500-characters": ("(" * 500 + "1" + ")" * 500, "at 501"),
    "nesting-under-500-characters": ("(" * 201 + "1" + ")" * 201, "at 201"),
    "division-by-zero": ("1/0", "division by zero at 2"),
    "import": ("__import__('os')", "at 1"),
    "dunder-class": ("().__class__", "at 1"),
    "attribute": ("a.b", "at 1"),
    "lambda": ("lambda: 1", "at 1"),
    "comprehension": ("[x for x in y]", "at 1"),
    "string": ("'string'", "at 1"),
    "501-characters": ("1+" * 250 + "1", "at 501"),
    "syntax-error": ("2 +", None),
    "unknown-name": ("2 * x", "at 5"),
}


async def test_calculator_bomb_is_refused_with_its_position(
    room: Room, subtests: pytest.Subtests
) -> None:
    loop = asyncio.get_running_loop()
    for case, (expression, ending) in CALC_BOMBS.items():
        with subtests.test(case):
            started = loop.time()
            refused = await refusal(room.alice.calc(expression), ErrorCode.CALC_ERROR)
            assert loop.time() - started < 2.0
            assert re.search(r"\S at \d+$", refused.message), refused.message
            position = int(refused.message.rsplit(" ", 1)[1])
            assert 1 <= position <= len(expression) + 1
            if ending is not None:
                assert refused.message.endswith(ending), refused.message
            await room.bystanders.assert_noticed_nothing()
            await still_works(room.alice, "alice")


async def test_calculator_answers_only_the_requester(room: Room) -> None:
    assert await room.alice.calc("2*(3+4) - sqrt(16)") == "10.0"
    await refusal(room.alice.calc("1/0"), ErrorCode.CALC_ERROR)
    await room.bystanders.assert_noticed_nothing()
