"""Random frames never crash the server: each gets exactly one ``ok`` or documented ``error``.

How hypothesis is used here: hypothesis cannot drive an async test whose server comes
from a function-scoped async fixture (it would re-run the test body, fixture and all, per
example). So the test starts one server with the ``server`` fixture, then calls a plain
synchronous ``@given`` function whose only job is to *collect* the frames hypothesis
generates into a list (generate phase only, no example database, no shrinking). The test
then sends that list over one signed-in WebSocket and checks every answer. A failure
reports the exact frame, which is all it takes to reproduce it by hand.

Every frame is answered by exactly one reply: frames that carry a usable ``id`` (an
integer or a string, in a frame that is valid JSON) get a reply with that very ``id``;
every other frame gets a reply with ``id: null``. Replies are ``ok`` or ``error`` with a
code from :class:`hubbub.protocol.ErrorCode` (and never ``internal_error``: no input may
make the store fail). Events in between must be documented event types.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hubbub.client import Client
from hubbub.protocol import ChatStarted, ClientRequest, ErrorCode, Message, ServerEvent

if TYPE_CHECKING:
    from conftest import Running

SEQUENTIAL_FRAMES = 350
PIPELINED_FRAMES = 150
REPLY_TIMEOUT = 5.0
SIGNED_OUT_STRETCH = 8
"""After a fuzzed ``sign_out``, frames sent signed out before the fuzzer signs in again."""

REQUEST_TYPES = sorted(cls.__struct_config__.tag for cls in ClientRequest.__args__)
EVENT_TYPES = {cls.__struct_config__.tag for cls in ServerEvent.__args__}
ERROR_CODES = {code.value for code in ErrorCode} - {ErrorCode.INTERNAL_ERROR, ErrorCode.UNAVAILABLE}
"""What bad input may be answered: never a failure of the server or of its database."""
FIELD_NAMES = [
    "text",
    "to",
    "from",
    "accept",
    "expression",
    "conversation",
    "before",
    "after",
    "limit",
    "status",
    "name",
    "password",
    "token",
    "since",
]
LOGGERS = ("hubbub", "aiohttp", "asyncio")


# --------------------------------------------------------------------------- strategies


READABLE_DEPTH = 500
"""Nesting the server always reads whole. Deeper frames may be refused as unreadable
(bad_frame, id null) or read, depending on the stack, so they are sent without an id."""


@dataclass(frozen=True)
class Nested:
    """A JSON value that is ``depth`` nested empty lists, spliced in as raw text."""

    depth: int

    @property
    def marker(self) -> str:
        return f"@@nested-{self.depth}@@"


big_ints = st.integers(min_value=-(2**80), max_value=2**80) | st.sampled_from(
    [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**30]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | big_ints
    | st.floats()
    | st.text(max_size=30)
    | st.integers(min_value=1, max_value=3000).map(Nested)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
names = st.sampled_from(
    ["buddy", "BUDDY", "fuzzer", "nobody", "", " x", "\uff42\uff55\uff44\uff44\uff59"]
) | st.text(max_size=40)
conversations = st.sampled_from(
    ["lobby"] * 4
    + ["LOBBY", "dm:1:2", "dm:2:1", "dm:1:1", "chat:00", "chat:", "", "dm:1:99999999999"]
) | st.text(max_size=20)
positions = st.none() | st.integers(min_value=-5, max_value=50) | big_ints
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "text": st.text(max_size=40)
    | st.sampled_from(["", " ", "\n"])
    | st.integers(min_value=3995, max_value=4005).map("x".__mul__),
    "to": names,
    "from": names,
    "name": names,
    "accept": st.booleans(),
    "expression": st.sampled_from(
        [
            "1+1",
            "9**9**9",
            "10**100000",
            "1/0",
            "sqrt(-1)",
            "(" * 300 + "1" + ")" * 300,
            "-" * 499 + "1",
            "not " * 100 + "1",
            "__import__('os')",
            "max(" * 100 + "1" + ")" * 100,
            "round(1, 10**9)",
        ]
    )
    | st.text(max_size=60),
    "conversation": conversations,
    "before": positions,
    "after": positions,
    "limit": st.integers(min_value=-5, max_value=300) | big_ints,
    "status": st.sampled_from(["online", "away", "busy"]) | st.text(max_size=10),
    "password": st.sampled_from(["pw-fuzzer", "pw-buddy", "", "p" * 1025]) | st.text(max_size=20),
    "token": st.text(max_size=40),
    "since": st.dictionaries(conversations, positions, max_size=3),
}
field_names = st.sampled_from(FIELD_NAMES) | st.text(max_size=10).filter(
    lambda name: name not in ("id", "type")
)
junk_types = json_values.filter(lambda value: value not in REQUEST_TYPES)
# How the frame's "id" is made: fresh and unique (int, big int or str), absent, or junk.
ID_KINDS = ["int", "int", "int", "str", "str", "str", "big", "absent", "junk"]


@dataclass(frozen=True)
class ObjectSpec:
    type_: Any  # a request type, junk, or ABSENT
    id_kind: str
    junk_id: Any
    fields: dict[str, Any]
    type_first: bool
    ascii_only: bool


@dataclass(frozen=True)
class RawSpec:
    data: str | bytes
    binary: bool


ABSENT = object()


REQUEST_FIELDS: dict[str, tuple[list[str], list[str]]] = {
    # type: (required fields, optional fields)
    "sign_in": (["name"], ["password", "token", "since"]),
    "say": (["text"], ["conversation"]),
    "message_user": (["to", "text"], []),
    "calc": (["expression"], []),
    "request_chat": (["to"], []),
    "answer_chat": (["from", "accept"], []),
    "history": (["conversation"], ["before", "after", "limit"]),
    "set_status": (["status"], []),
}


def field_values(key: str) -> st.SearchStrategy[Any]:
    """Mostly a plausible value for the field, sometimes any JSON value at all."""
    plausible = PLAUSIBLE.get(key, json_values)
    return st.one_of(plausible, plausible, plausible, json_values)


@st.composite
def object_specs(draw: st.DrawFn) -> ObjectSpec:
    """A JSON object: usually a real request type with most of its fields, plus junk."""
    type_kind = draw(st.sampled_from(["real"] * 8 + ["junk", "absent"]))
    type_ = {
        "real": lambda: draw(st.sampled_from(REQUEST_TYPES)),
        "junk": lambda: draw(junk_types),
        "absent": lambda: ABSENT,
    }[type_kind]()
    required, optional = REQUEST_FIELDS.get(type_, ([], [])) if isinstance(type_, str) else ([], [])
    keys = [key for key in required if draw(st.integers(min_value=0, max_value=9))]
    keys += [key for key in optional if key not in keys and draw(st.booleans())]
    keys += draw(st.lists(field_names.filter(lambda k: k not in keys), max_size=2, unique=True))
    return ObjectSpec(
        type_=type_,
        id_kind=draw(st.sampled_from(ID_KINDS)),
        junk_id=draw(
            json_values.filter(lambda v: isinstance(v, bool) or not isinstance(v, int | str))
        ),
        fields={key: draw(field_values(key)) for key in keys},
        type_first=draw(st.booleans()),
        ascii_only=draw(st.booleans()),
    )


raw_specs = {
    "text": st.text(max_size=80).map(lambda text: RawSpec(text, binary=False)),
    "binary": st.binary(max_size=80).map(lambda data: RawSpec(data, binary=True)),
    "json": json_values.map(lambda value: RawSpec(_dumps(value, ascii_only=True)[0], binary=False)),
}


@st.composite
def frame_specs(draw: st.DrawFn) -> ObjectSpec | RawSpec:
    """Four frames in five are JSON objects; the rest raw text, binary, or other JSON."""
    kind = draw(st.sampled_from(["object"] * 12 + list(raw_specs)))
    return draw(object_specs() if kind == "object" else raw_specs[kind])


def collect_frame_specs(count: int) -> list[ObjectSpec | RawSpec]:
    """Let hypothesis generate ``count`` frames, only collecting them (see the module doc)."""
    collected: list[ObjectSpec | RawSpec] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(frame_specs())
    def collect(spec: ObjectSpec | RawSpec) -> None:
        collected.append(spec)

    collect()
    return collected


# --------------------------------------------------------------------------- rendering


@dataclass(frozen=True)
class Frame:
    data: str | bytes
    binary: bool
    expected_id: int | str | None
    """The id the reply must carry: the frame's own, or None if it has no usable one."""
    type_: Any = None


def _dumps(value: Any, *, ascii_only: bool) -> tuple[str, int]:
    """JSON text for ``value``, with each :class:`Nested` spliced in as raw brackets,
    and the depth of the deepest one (0 if none)."""
    nested: list[Nested] = []

    def default(obj: object) -> str:
        assert isinstance(obj, Nested)
        nested.append(obj)
        return obj.marker

    text = json.dumps(value, ensure_ascii=ascii_only, default=default)
    for item in nested:
        text = text.replace(json.dumps(item.marker), "[" * item.depth + "]" * item.depth, 1)
    return text, max((item.depth for item in nested), default=0)


def _is_strict_json(value: Any) -> bool:
    """No NaN or infinity anywhere (json.dumps writes them, but they are not JSON)."""
    try:
        json.dumps(value, allow_nan=False, default=lambda _: None)
    except ValueError:
        return False
    return True


def render(spec: ObjectSpec | RawSpec, number: int) -> Frame:
    if isinstance(spec, RawSpec):
        return Frame(spec.data, spec.binary, _usable_id(spec))
    request_id: Any = {
        "int": number,
        "str": f"fuzz-{number}",
        "big": -(2**70) - number,
        "junk": spec.junk_id,
    }.get(spec.id_kind, ABSENT)
    head = {} if spec.type_ is ABSENT else {"type": spec.type_}
    obj = {**head, **spec.fields} if spec.type_first else {**spec.fields, **head}
    if request_id is not ABSENT:
        obj["id"] = request_id
    text, deepest = _dumps(obj, ascii_only=spec.ascii_only)
    if deepest >= READABLE_DEPTH and "id" in obj:
        del obj["id"]
        text, _ = _dumps(obj, ascii_only=spec.ascii_only)
    usable = spec.id_kind in ("int", "str", "big") and "id" in obj and _is_strict_json(obj)
    return Frame(
        text,
        binary=False,
        expected_id=request_id if usable else None,
        type_=obj.get("type"),
    )


def _usable_id(spec: RawSpec) -> int | str | None:
    if spec.binary:
        return None
    try:
        value = json.loads(spec.data, parse_constant=_reject)
    except (ValueError, RecursionError):
        return None
    request_id = value.get("id") if isinstance(value, dict) else None
    return request_id if isinstance(request_id, int | str) and request_id is not True else None


def _reject(constant: str) -> None:
    raise ValueError(constant)


# --------------------------------------------------------------------------- the connections


@dataclass
class Peer:
    """A raw WebSocket that checks every frame the server sends it against the protocol."""

    ws: aiohttp.ClientWebSocketResponse
    name: str
    problems: list[str] = field(default_factory=list)

    async def next_reply(self, context: str) -> dict[str, Any]:
        """The next ``ok`` or ``error``; events on the way are checked and skipped."""
        while True:
            try:
                message = await self.ws.receive(timeout=REPLY_TIMEOUT)
            except TimeoutError:
                raise AssertionError(f"no reply within {REPLY_TIMEOUT} s to {context}") from None
            assert message.type is aiohttp.WSMsgType.TEXT, (
                f"{self.name}'s connection ended ({message.type.name}, close code "
                f"{self.ws.close_code}) waiting for the reply to {context}"
            )
            frame = json.loads(message.data)
            if frame.get("type") in ("ok", "error"):
                check_reply(frame, context)
                return frame
            assert frame.get("type") in EVENT_TYPES, f"undocumented frame {frame} after {context}"
            assert "id" not in frame, f"an event with an id: {frame}"

    async def request(self, frame: dict[str, Any]) -> dict[str, Any]:
        await self.ws.send_str(json.dumps(frame))
        reply = await self.next_reply(json.dumps(frame))
        assert reply["id"] == frame["id"], f"reply {reply} to {frame}"
        return reply


def check_reply(reply: dict[str, Any], context: str) -> None:
    assert "id" in reply, f"a reply without an id: {reply} to {context}"
    if reply["type"] == "error":
        assert reply.get("code") in ERROR_CODES, f"undocumented error {reply} to {context}"
        message = reply.get("message")
        assert isinstance(message, str), f"error without a message: {reply} to {context}"
        assert message.strip(), f"error without a message: {reply} to {context}"


@pytest.fixture
async def open_peer(server: Running) -> AsyncIterator[Callable[[str], Any]]:
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(aiohttp.ClientSession())

        async def open_one(name: str) -> Peer:
            ws = await stack.enter_async_context(http.ws_connect(f"{server.url}/ws"))
            peer = Peer(ws, name)
            reply = await peer.request(
                {"type": "sign_in", "id": f"{name}-in", "name": name, "password": f"pw-{name}"}
            )
            assert reply["type"] == "ok", reply
            return peer

        yield open_one


async def keep_asking_for_chats(buddy: Peer) -> None:
    """Buddy reads everything sent to it, and asks the fuzzer for a chat whenever free.

    So the fuzzer's random ``answer_chat``/``end_chat``/chat ``say`` sometimes land.
    """
    asked: set[int] = set()

    async def ask() -> None:
        request_id = len(asked) + 1
        asked.add(request_id)
        frame = {"type": "request_chat", "id": request_id, "to": "fuzzer"}
        await buddy.ws.send_str(json.dumps(frame))

    await ask()
    async for message in buddy.ws:
        if message.type is not aiohttp.WSMsgType.TEXT:
            break
        frame = json.loads(message.data)
        kind = frame.get("type")
        if kind in ("ok", "error"):
            if frame.get("id") not in asked:
                buddy.problems.append(f"buddy got a reply to nothing it asked: {frame}")
            elif kind == "error" and frame.get("code") not in ERROR_CODES:
                buddy.problems.append(f"buddy got an undocumented error: {frame}")
        elif kind not in EVENT_TYPES:
            buddy.problems.append(f"buddy got an undocumented frame {frame}")
        if kind in ("chat_declined", "chat_ended", "presence"):
            await ask()


# --------------------------------------------------------------------------- the test


async def test_random_frames_get_one_documented_answer_each_and_never_crash_the_server(
    server: Running,
    open_peer: Callable[[str], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    specs = collect_frame_specs(SEQUENTIAL_FRAMES + PIPELINED_FRAMES)
    frames = [render(spec, number) for number, spec in enumerate(specs, start=1)]
    assert len(frames) >= (SEQUENTIAL_FRAMES + PIPELINED_FRAMES) * 0.9

    buddy: Peer = await open_peer("buddy")
    fuzzer: Peer = await open_peer("fuzzer")
    buddy_task = asyncio.create_task(keep_asking_for_chats(buddy))
    try:
        await send_one_at_a_time(fuzzer, frames[:SEQUENTIAL_FRAMES])
        await send_all_at_once(fuzzer, frames[SEQUENTIAL_FRAMES:])
        assert not buddy.problems, buddy.problems
        assert not buddy_task.done(), "buddy's connection ended"
    finally:
        buddy_task.cancel()

    # The fuzzer's own connection still works (signed in again if the fuzz signed it out).
    users = await fuzzer.request({"type": "users", "id": "after-the-fuzz"})
    if users["type"] == "error":
        assert users["code"] == "not_signed_in", users
        await sign_in_again(fuzzer)
        users = await fuzzer.request({"type": "users", "id": "after-the-fuzz-2"})
    assert users["type"] == "ok", users

    # Newcomers can sign in and chat, with the client library.
    await newcomers_can_chat(server)

    gc.collect()  # so that a failed task's "exception was never retrieved" is logged now
    crashes = [
        f"{record.name}: {record.getMessage()}"
        for record in caplog.records
        if record.levelno >= logging.ERROR and record.name.startswith(LOGGERS)
    ]
    assert not crashes, crashes


async def sign_in_again(fuzzer: Peer) -> None:
    reply = await fuzzer.request(
        {"type": "sign_in", "id": "fuzzer-again", "name": "fuzzer", "password": "pw-fuzzer"}
    )
    assert reply["type"] == "ok", reply


async def send(peer: Peer, frame: Frame) -> None:
    if frame.binary:
        assert isinstance(frame.data, bytes)
        await peer.ws.send_bytes(frame.data)
    else:
        assert isinstance(frame.data, str)
        await peer.ws.send_str(frame.data)


def describe(frame: Frame) -> str:
    """The frame as a failure message shows it: long runs of brackets counted, not drawn."""
    kind = "binary frame" if frame.binary else "frame"
    shown = repr(frame.data)
    shown = re.sub(r"\[{10,}", lambda run: f"<{len(run.group())} x [>", shown)
    shown = re.sub(r"\]{10,}", lambda run: f"<{len(run.group())} x ]>", shown)
    return f"{kind} {shown if len(shown) <= 600 else shown[:600] + '…'}"


async def send_one_at_a_time(fuzzer: Peer, frames: list[Frame]) -> None:
    """Each frame, then its reply: any answer can be pinned to the frame that caused it."""
    signed_out_for: int | None = None
    for frame in frames:
        await send(fuzzer, frame)
        reply = await fuzzer.next_reply(describe(frame))
        assert (type(reply["id"]), reply["id"]) == (type(frame.expected_id), frame.expected_id), (
            f"reply {reply} to {describe(frame)}"
        )
        if reply["type"] == "ok" and frame.type_ == "sign_out":
            signed_out_for = 0
        elif reply["type"] == "ok" and frame.type_ == "sign_in":
            signed_out_for = None
        elif signed_out_for is not None:
            signed_out_for += 1
            if signed_out_for >= SIGNED_OUT_STRETCH:
                await sign_in_again(fuzzer)
                signed_out_for = None


async def send_all_at_once(fuzzer: Peer, frames: list[Frame]) -> None:
    """Every frame without waiting, then every reply, in any order: one per frame."""
    for frame in frames:
        await send(fuzzer, frame)
    expected = Counter(frame.expected_id for frame in frames)
    received: Counter[int | str | None] = Counter()
    while received != expected:
        waiting = expected - received
        reply = await fuzzer.next_reply(f"the pipelined frames (still waiting for {waiting})")
        received[reply["id"]] += 1
        assert received[reply["id"]] <= expected[reply["id"]], f"unexpected reply {reply}"
    # Nothing more comes: the next reply is the next request's.
    await fuzzer.request({"type": "users", "id": "after-the-burst"})


async def newcomers_can_chat(server: Running) -> None:
    async with (
        Client.connect(server.url, reconnect=False) as carol,
        Client.connect(server.url, reconnect=False) as dave,
    ):
        await carol.sign_in("carol", "pw-carol")
        await dave.sign_in("dave", "pw-dave")
        assert {"carol", "dave", "buddy"} <= {user.name for user in await carol.users()}
        sent = await carol.say("still standing")
        heard = await dave.wait_for(Message, lambda m: m.seq == sent.seq)
        assert (heard.sender, heard.text) == ("carol", "still standing")
        await carol.request_chat("dave")
        conversation = await dave.answer_chat("carol", accept=True)
        assert conversation is not None
        assert (await carol.wait_for(ChatStarted)).conversation == conversation
        await dave.say("just us", conversation=conversation)
        assert (await carol.wait_for(Message, lambda m: m.conversation == conversation)).text == (
            "just us"
        )
