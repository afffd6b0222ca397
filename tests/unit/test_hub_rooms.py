"""The rules of rooms, messages and sign-in, straight on the pure hub: each request is a
decision, and the results of its effects are fed in by hand."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from hubbub.hub import Decision, Hub, Outbox, handle
from hubbub.hub.effects import (
    AddMember,
    Append,
    CreateRoom,
    FindMessage,
    IsMember,
    ReadHistory,
    TakeHeld,
    UpdateRoom,
)
from hubbub.hub.mentions import mentioned
from hubbub.protocol import (
    ArchiveRoom,
    ClientRequest,
    EditMessage,
    ErrorCode,
    History,
    JoinRoom,
    LeaveRoom,
    Members,
    Refusal,
    Rooms,
    Say,
    SignIn,
    Typing,
)
from hubbub.protocol import (
    CreateRoom as CreateRoomRequest,
)
from hubbub.store import Account, RoomRecord, StoredMessage

Step = tuple[Decision, list[dict[str, Any]]]


def frames(outbox: Outbox, conn: int) -> list[dict[str, Any]]:
    return [msgspec.json.decode(d.data) for d in outbox if conn in d.conns]


class Town:
    """A hub whose Lobby holds alice (account and connection 1), bob (2) and carol (3)."""

    def __init__(self) -> None:
        numbers = itertools.count(1)
        self.hub = Hub(new_id=lambda prefix: f"{prefix}:{prefix}{next(numbers)}")
        names = {1: "alice", 2: "bob", 3: "carol"}
        lobby = RoomRecord(
            "lobby", "Lobby", "lobby", "", False, None, 0.0, members=tuple(names.items())
        )
        self.hub.load([lobby], {"lobby": 7})
        for conn, name in names.items():
            self.hub.connect(conn, "127.0.0.1:1", 0.0)
            self.hub.attach(conn, conn, name, name, f"t{conn}", 0.0)
        self.hub.tick(0.5)
        self.sent = Outbox()

    def ask(self, conn: int, request: ClientRequest, *results: Any) -> Decision:
        """Run a request through the hub, answering its effects with ``results`` in order."""
        decision = handle(self.hub, conn, request, 1.0, 1_000_000.0)
        self.sent = Outbox()
        for result in results:
            self.sent.extend(decision.out)
            assert decision.then is not None, f"no effect left for {result!r}"
            decision = decision.then(result)
        self.sent.extend(decision.out)
        return decision

    def heard(self, conn: int) -> list[dict[str, Any]]:
        return frames(self.sent, conn)

    def stored(self, conversation: str, seq: int, text: str, sender: int = 1) -> StoredMessage:
        name = {1: "alice", 2: "bob", 3: "carol"}[sender]
        return StoredMessage(conversation, seq, 5.0, name, text, None, sender_id=sender)

    def make_room(self, name: str = "design", *, private: bool = False) -> str:
        decision = self.ask(1, CreateRoomRequest(id=1, name=name, private=private), True)
        room: str = next(f for f in frames(decision.out, 1) if f["type"] == "ok")["room"]["id"]
        return room


@contextlib.contextmanager
def refused(code: ErrorCode) -> Iterator[None]:
    with pytest.raises(Refusal) as caught:
        yield
    assert caught.value.code is code, f"{caught.value.code}: {caught.value.message}"


def test_creating_a_room_stores_it_then_makes_the_creator_its_owner() -> None:
    town = Town()
    decision = handle(town.hub, 1, CreateRoomRequest(id=1, name="Design", topic="px"), 0.0, 9.0)
    assert isinstance(decision.effect, CreateRoom)
    assert decision.effect.room.owner_id == 1
    decision = decision.then(True) if decision.then else decision
    reply = next(f for f in frames(decision.out, 1) if f["type"] == "ok")
    assert reply["room"]["owner"] == "alice"
    assert reply["room"]["members"] == 1


def test_room_names_are_unique_ignoring_case() -> None:
    town = Town()
    town.make_room("design")
    with refused(ErrorCode.ROOM_NAME_TAKEN):
        town.ask(2, CreateRoomRequest(id=2, name="DESIGN"))


def test_an_account_creates_at_most_ten_rooms_an_hour() -> None:
    town = Town()
    for n in range(10):
        town.ask(1, CreateRoomRequest(id=n, name=f"r{n}"), True)
    with refused(ErrorCode.TOO_MANY_ROOMS):
        town.ask(1, CreateRoomRequest(id=11, name="r11"))


def test_a_private_room_does_not_exist_for_outsiders() -> None:
    town = Town()
    room = town.make_room("secret", private=True)
    for request in (
        JoinRoom(id=2, room="secret"),
        JoinRoom(id=3, room=room),
        Members(id=4, room=room),
    ):
        with refused(ErrorCode.UNKNOWN_ROOM):
            town.ask(2, request)
    with refused(ErrorCode.UNKNOWN_CONVERSATION):
        town.ask(2, History(id=5, conversation=room))
    town.ask(2, Rooms(id=6))
    assert [r["name"] for r in town.heard(2)[0]["rooms"]] == ["Lobby"]


def test_joining_a_public_room_starts_read_at_its_head_and_tells_the_members() -> None:
    town = Town()
    room = town.make_room()
    decision = handle(town.hub, 2, JoinRoom(id=2, room="design"), 1.0, 1.0)
    assert decision.effect == AddMember(room, 2, 0)
    assert decision.then is not None
    done = decision.then(None)
    assert {"type": "member_joined", "room": room, "name": "bob", "status": "online"} in frames(
        done.out, 1
    )
    assert [f["type"] for f in frames(done.out, 2)] == ["room_added", "presence", "ok"]


def test_a_public_room_is_for_members_to_write_and_read() -> None:
    town = Town()
    room = town.make_room()
    with refused(ErrorCode.NOT_A_MEMBER):
        town.ask(2, Say(id=1, text="hi", conversation=room))
    with refused(ErrorCode.NOT_A_MEMBER):
        town.ask(2, History(id=2, conversation=room))
    with refused(ErrorCode.NOT_A_MEMBER):
        town.ask(2, Typing(id=3, conversation=room))


def test_only_the_owner_archives_and_then_nobody_writes() -> None:
    town = Town()
    room = town.make_room()
    town.ask(2, JoinRoom(id=1, room=room), None)
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(2, ArchiveRoom(id=2, room=room))
    decision = town.ask(1, ArchiveRoom(id=3, room=room))
    assert decision.effect == UpdateRoom(room, archived=True)
    town.ask(1, ArchiveRoom(id=3, room=room), None)
    with refused(ErrorCode.ROOM_ARCHIVED):
        town.ask(2, Say(id=4, text="hi", conversation=room))
    with refused(ErrorCode.ROOM_ARCHIVED):
        town.ask(3, JoinRoom(id=5, room=room))


def test_a_message_goes_to_whoever_is_in_the_room_when_it_commits() -> None:
    town = Town()
    room = town.make_room()
    town.ask(2, JoinRoom(id=1, room=room), None)
    decision = town.ask(1, Say(id=2, text="hello", conversation=room))
    assert isinstance(decision.effect, Append)
    town.ask(2, LeaveRoom(id=3, room=room), None)
    assert decision.then is not None
    done = decision.then(town.stored(room, 1, "hello"))
    assert [f["type"] for f in frames(done.out, 1)] == ["message", "ok"]
    assert frames(done.out, 2) == []


def test_a_resend_with_a_known_client_id_is_answered_and_not_delivered() -> None:
    town = Town()
    decision = town.ask(1, Say(id=1, text="once", client_id="k"))
    assert isinstance(decision.effect, Append)
    assert decision.effect.draft.client_id == "k"
    assert decision.then is not None
    original = town.stored("lobby", 8, "once")
    done = decision.then(dataclasses.replace(original, duplicate=True))
    assert frames(done.out, 2) == []
    assert frames(done.out, 1) == [
        {"type": "ok", "id": 1, "conversation": "lobby", "seq": 8, "ts": 5.0, "duplicate": True}
    ]


def test_mentions_name_members_ignoring_case_and_prefer_the_longest_name() -> None:
    members = {"ann": (1, "Ann"), "ann lee": (2, "Ann Lee"), "bob": (3, "bob")}
    assert mentioned("hi @ann lee and @BOB!", members.get) == ((2, "Ann Lee"), (3, "bob"))
    assert mentioned("mail ann@example.com, @annie", members.get) == ()
    assert mentioned("no at sign", members.get) == ()


def test_say_mentions_members_of_the_room_only() -> None:
    town = Town()
    decision = town.ask(1, Say(id=1, text="@bob and @zed look"))
    assert isinstance(decision.effect, Append)
    assert decision.effect.draft.mentions == ((2, "bob"),)


def test_typing_is_told_to_the_others_at_most_every_three_seconds() -> None:
    town = Town()
    first = handle(town.hub, 1, Typing(id=1, conversation="lobby"), 10.0, 0.0)
    assert frames(first.out, 2) == [{"type": "typing", "conversation": "lobby", "name": "alice"}]
    assert [f["type"] for f in frames(first.out, 1)] == ["ok"]
    again = handle(town.hub, 1, Typing(id=2, conversation="lobby"), 12.9, 0.0)
    assert frames(again.out, 2) == []
    later = handle(town.hub, 1, Typing(id=3, conversation="lobby"), 13.0, 0.0)
    assert len(frames(later.out, 2)) == 1


def test_only_the_sender_edits_a_message() -> None:
    town = Town()
    decision = town.ask(2, EditMessage(id=1, conversation="lobby", seq=3, text="mine"))
    assert decision.effect == FindMessage("lobby", 3)
    with refused(ErrorCode.NOT_ALLOWED):
        town.ask(
            2,
            EditMessage(id=1, conversation="lobby", seq=3, text="mine"),
            town.stored("lobby", 3, "x"),
        )
    with refused(ErrorCode.UNKNOWN_MESSAGE):
        town.ask(1, EditMessage(id=1, conversation="lobby", seq=3, text="mine"), None)
    edit = town.ask(
        1, EditMessage(id=1, conversation="lobby", seq=3, text="new"), town.stored("lobby", 3, "x")
    )
    assert isinstance(edit.effect, Append)
    assert (edit.effect.draft.kind, edit.effect.draft.target) == ("edit", 3)


def test_an_old_chat_is_readable_only_if_the_store_says_you_were_in_it() -> None:
    town = Town()
    decision = town.ask(3, History(id=1, conversation="chat:0123456789abcdef"))
    assert decision.effect == IsMember("chat:0123456789abcdef", 3)
    with refused(ErrorCode.UNKNOWN_CONVERSATION):
        town.ask(3, History(id=1, conversation="chat:0123456789abcdef"), False)
    page = town.ask(3, History(id=1, conversation="chat:0123456789abcdef"), True)
    assert isinstance(page.effect, ReadHistory)


def test_a_resume_replays_exactly_up_to_the_head_it_is_told() -> None:
    town = Town()
    town.hub.disconnect(1, clean=False, now=1.0)
    town.hub.connect(9, "127.0.0.1:9", 1.0)
    alice = Account(1, "alice", "alice", "hash", "user")
    decision = town.ask(9, SignIn(id=1, name="alice", token="t1", since={"lobby": 5}), alice)
    assert decision.catch_up
    ok = next(f for f in town.heard(9) if f["type"] == "ok")
    assert ok["heads"] == {"lobby": 7}
    assert decision.effect == ReadHistory("lobby", None, 5, 2)
    assert decision.then is not None
    later = town.stored("lobby", 8, "after the head")
    town.hub.deliver(later)
    held = decision.then([town.stored("lobby", 6, "a"), town.stored("lobby", 7, "b")])
    assert held.effect == TakeHeld(1)
    replayed = [f["seq"] for f in frames(held.out, 9) if f["type"] == "message"]
    assert replayed == [6, 7]


def test_a_full_room_takes_no_one_else(monkeypatch: pytest.MonkeyPatch) -> None:
    town = Town()
    room = town.make_room()
    monkeypatch.setattr("hubbub.hub.room_requests.MAX_ROOM_MEMBERS", 1)
    with refused(ErrorCode.ROOM_FULL):
        town.ask(2, JoinRoom(id=1, room=room))
