"""The messenger's rules, straight on the pure hub: presence, chat requests, chats, grace."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from hubbub.hub import ALONE, LEAVE_LINGER, TRANSITIONS, Hub, Outbox, Phase, Trigger
from hubbub.protocol import ErrorCode, Refusal
from hubbub.store import RoomRecord, StoredMessage


def frames(outbox: Outbox, conn: int) -> list[dict[str, Any]]:
    return [msgspec.json.decode(d.data) for d in outbox if conn in d.conns]


def types(outbox: Outbox, conn: int) -> list[str]:
    return [f["type"] for f in frames(outbox, conn)]


def presence(outbox: Outbox, conn: int) -> list[tuple[str, str]]:
    """The (name, status) changes told to ``conn`` in presence events."""
    return [
        (user["name"], user["status"])
        for frame in frames(outbox, conn)
        if frame["type"] == "presence"
        for user in frame["users"]
    ]


class Room:
    """A hub whose Lobby holds a few users, signed in on connections 1, 2, 3… (account id =
    conn id). Chats get the conversation id "chat:1"."""

    def __init__(
        self, *names: str, grace: float = 20.0, leave_linger: float = LEAVE_LINGER
    ) -> None:
        self.hub = Hub(
            grace=grace,
            request_ttl=60.0,
            new_id=lambda prefix: f"{prefix}:1",
            leave_linger=leave_linger,
        )
        members = tuple((n, name) for n, name in enumerate(names, start=1))
        lobby = RoomRecord("lobby", "Lobby", "lobby", "", False, None, 0.0, members=members)
        self.hub.load([lobby], {})
        self.last = Outbox()
        for conn, name in enumerate(names, start=1):
            self.join(conn, name)
        self.hub.tick(0.0)

    def join(self, conn: int, name: str, account: int | None = None, token: str = "") -> Outbox:
        self.hub.connect(conn, f"127.0.0.1:{5000 + conn}", now=0.0)
        self.last = self.hub.attach(conn, account or conn, name, name, token or f"t{conn}", 0.0)
        return self.last

    def status(self, name: str) -> str:
        return {u.name: u.status for u in self.hub.all_users()}[name]


@contextlib.contextmanager
def refused(code: ErrorCode) -> Iterator[None]:
    with pytest.raises(Refusal) as caught:
        yield
    assert caught.value.code is code, f"{caught.value.code}: {caught.value.message}"
    assert caught.value.message


def test_first_user_is_told_no_one_else_is_online() -> None:
    room = Room("alice")
    assert {"type": "notice", "code": "alone", "text": ALONE} in frames(room.last, 1)


def test_second_user_is_announced_to_the_first_at_the_next_tick_and_not_told_alone() -> None:
    room = Room("alice", "bob")
    room.hub.disconnect(2, clean=True, now=0.0)
    room.hub.tick(10.0)
    last = room.join(2, "bob")
    assert "notice" not in types(last, 2)
    assert frames(last, 2) == [
        {
            "type": "presence",
            "room": "lobby",
            "users": [{"name": "alice", "status": "online"}],
            "full": True,
        }
    ]
    assert presence(room.hub.tick(10.1), 1) == [("bob", "online")]


def test_a_storm_of_sign_ins_is_told_in_one_frame_per_member() -> None:
    room = Room(*[f"user{n}" for n in range(1, 51)])
    for conn in range(2, 51):
        room.hub.disconnect(conn, clean=True, now=0.0)
    room.hub.tick(10.0)
    for conn in range(2, 51):
        room.join(conn, f"user{conn}")
    out = room.hub.tick(10.1)
    assert len(out.deliveries) == 1
    assert len(presence(out, 1)) == 49


def test_users_lists_everyone_signed_in_with_status() -> None:
    room = Room("alice", "bob")
    room.hub.set_status(2, "away", now=0.0)
    everyone = {(u.name, u.status) for u in room.hub.all_users()}
    assert everyone == {("alice", "online"), ("bob", "away")}


def test_status_change_is_told_to_the_room_at_the_next_tick() -> None:
    room = Room("alice", "bob")
    room.hub.set_status(2, "away", now=0.0)
    out = room.hub.tick(0.1)
    assert presence(out, 1) == presence(out, 2) == [("bob", "away")]


def test_chat_request_reaches_invitee_with_requester_name() -> None:
    room = Room("alice", "bob")
    out = room.hub.request_chat(1, "BOB", now=0.0)
    assert frames(out, 2) == [{"type": "chat_request", "from": "alice", "expires_in": 60.0}]
    assert frames(out, 1) == []


def test_accept_starts_chat_for_both_and_shows_both_busy_to_everyone() -> None:
    room = Room("alice", "bob", "carol")
    room.hub.request_chat(1, "bob", now=0.0)
    out = room.hub.answer_chat(2, "alice", True, now=0.0)
    assert {"type": "chat_started", "conversation": "chat:1", "with": "bob"} in frames(out, 1)
    assert {"type": "chat_started", "conversation": "chat:1", "with": "alice"} in frames(out, 2)
    assert presence(room.hub.tick(0.1), 3) == [("alice", "busy"), ("bob", "busy")]
    assert room.status("alice") == room.status("bob") == "busy"


def test_busy_user_cannot_be_invited() -> None:
    room = Room("alice", "bob", "carol")
    room.hub.request_chat(1, "bob", now=0.0)
    room.hub.answer_chat(2, "alice", True, now=0.0)
    with refused(ErrorCode.USER_BUSY):
        room.hub.request_chat(3, "alice", now=0.0)


def test_user_in_a_chat_cannot_invite_someone_else() -> None:
    room = Room("alice", "bob", "carol")
    room.hub.request_chat(1, "bob", now=0.0)
    room.hub.answer_chat(2, "alice", True, now=0.0)
    with refused(ErrorCode.ALREADY_IN_CHAT):
        room.hub.request_chat(1, "carol", now=0.0)


def test_decline_tells_the_requester_who_declined() -> None:
    room = Room("alice", "bob")
    room.hub.request_chat(1, "bob", now=0.0)
    out = room.hub.answer_chat(2, "alice", False, now=0.0)
    assert frames(out, 1) == [{"type": "chat_declined", "by": "bob", "reason": "declined"}]
    assert room.status("alice") == room.status("bob") == "online"


def test_request_to_offline_user_is_refused() -> None:
    room = Room("alice")
    with refused(ErrorCode.USER_OFFLINE):
        room.hub.request_chat(1, "nobody", now=0.0)


def test_request_to_yourself_is_refused() -> None:
    room = Room("alice")
    with refused(ErrorCode.CANNOT_INVITE_SELF):
        room.hub.request_chat(1, "Alice", now=0.0)


def test_asking_twice_or_asking_back_is_refused_while_pending() -> None:
    room = Room("alice", "bob")
    room.hub.request_chat(1, "bob", now=0.0)
    with refused(ErrorCode.REQUEST_PENDING):
        room.hub.request_chat(1, "bob", now=1.0)
    with refused(ErrorCode.REQUEST_PENDING):
        room.hub.request_chat(2, "alice", now=1.0)


def test_pending_request_expires_after_sixty_seconds() -> None:
    room = Room("alice", "bob")
    room.hub.request_chat(1, "bob", now=100.0)
    assert not room.hub.tick(159.0)
    out = room.hub.tick(160.0)
    assert frames(out, 1) == [{"type": "chat_declined", "by": "bob", "reason": "expired"}]
    assert frames(out, 2) == [{"type": "chat_cancelled", "from": "alice", "reason": "expired"}]
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(2, "alice", True, now=0.0)


def test_answering_a_request_that_does_not_exist_or_is_not_yours_is_refused() -> None:
    room = Room("alice", "bob", "carol")
    room.hub.request_chat(1, "bob", now=0.0)
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(3, "alice", True, now=0.0)
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(2, "carol", True, now=0.0)
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(1, "bob", True, now=0.0)


def test_accepting_withdraws_every_other_pending_request_of_both() -> None:
    room = Room("alice", "bob", "carol", "dave")
    room.hub.request_chat(1, "bob", now=0.0)
    room.hub.request_chat(3, "bob", now=0.0)
    room.hub.request_chat(1, "dave", now=0.0)
    out = room.hub.answer_chat(2, "alice", True, now=0.0)
    assert {"type": "chat_declined", "by": "bob", "reason": "busy"} in frames(out, 3)
    assert {"type": "chat_cancelled", "from": "alice", "reason": "busy"} in frames(out, 4)
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(2, "carol", True, now=0.0)


def _chatting(*extra: str) -> Room:
    room = Room("alice", "bob", *extra)
    room.hub.request_chat(1, "bob", now=0.0)
    room.hub.answer_chat(2, "alice", True, now=0.0)
    room.hub.tick(0.05)
    return room


def test_either_side_can_end_the_chat_and_both_become_free() -> None:
    room = _chatting("carol")
    out = room.hub.end_chat(2, now=0.0)
    ended = {"type": "chat_ended", "conversation": "chat:1", "by": "bob", "reason": "ended"}
    assert ended in frames(out, 1)
    assert ended in frames(out, 2)
    assert room.status("alice") == room.status("bob") == "online"
    assert presence(room.hub.tick(0.1), 3) == [("alice", "online"), ("bob", "online")]
    room.hub.request_chat(3, "alice", now=1.0)


def test_ending_a_chat_you_are_not_in_is_refused() -> None:
    room = _chatting("carol")
    with refused(ErrorCode.NOT_IN_CHAT):
        room.hub.end_chat(3, now=0.0)


def test_closing_the_client_ends_the_chat_at_once_and_announces_the_leave() -> None:
    room = _chatting("carol")
    out = room.hub.disconnect(1, clean=True, now=5.0)
    assert {"type": "chat_ended", "conversation": "chat:1", "by": "alice", "reason": "closed"} in (
        frames(out, 2)
    )
    assert ("alice", "offline") not in presence(room.hub.tick(5.0 + LEAVE_LINGER - 0.1), 3)
    assert ("alice", "offline") in presence(room.hub.tick(5.0 + LEAVE_LINGER), 3)
    assert room.status("bob") == "online"
    assert [u.name for u in room.hub.all_users()] == ["bob", "carol"]


def test_the_linger_before_a_leave_is_told_is_the_servers_choice() -> None:
    room = Room("alice", "bob", leave_linger=0.5)
    room.hub.disconnect(1, clean=True, now=5.0)
    assert presence(room.hub.tick(5.4), 2) == []
    assert presence(room.hub.tick(5.5), 2) == [("alice", "offline")]


def test_a_reload_is_not_told_to_anyone() -> None:
    room = Room("alice", "bob")
    room.hub.disconnect(1, clean=True, now=5.0)
    room.join(7, "alice", account=1, token="t7")
    assert presence(room.hub.tick(5.0 + LEAVE_LINGER + 1), 2) == []


def test_dropped_connection_keeps_presence_and_chat_during_grace() -> None:
    room = _chatting()
    assert not room.hub.disconnect(1, clean=False, now=5.0)
    assert room.status("alice") == "busy"
    assert not room.hub.tick(24.9)


def test_resume_within_grace_continues_the_chat_without_a_join_announcement() -> None:
    room = _chatting()
    room.hub.disconnect(1, clean=False, now=5.0)
    out = room.join(7, "alice", account=1, token="t1")
    assert frames(out, 2) == []
    assert room.hub.signed_in(7).chat is not None
    assert not room.hub.tick(60.0)
    assert room.status("alice") == "busy"


def test_grace_expiry_ends_the_chat_as_disconnected_and_announces_the_leave() -> None:
    room = _chatting("carol")
    room.hub.disconnect(1, clean=False, now=5.0)
    out = room.hub.tick(25.0)
    assert {
        "type": "chat_ended",
        "conversation": "chat:1",
        "by": "alice",
        "reason": "disconnected",
    } in frames(out, 2)
    assert ("alice", "offline") in presence(room.hub.tick(25.0 + LEAVE_LINGER), 3)
    assert room.status("bob") == "online"


def test_requester_leaving_cancels_the_pending_request() -> None:
    room = Room("alice", "bob")
    room.hub.request_chat(1, "bob", now=0.0)
    out = room.hub.disconnect(1, clean=True, now=1.0)
    assert {"type": "chat_cancelled", "from": "alice", "reason": "left"} in frames(out, 2)
    with refused(ErrorCode.NO_SUCH_REQUEST):
        room.hub.answer_chat(2, "alice", True, now=0.0)


def test_invitee_signing_out_declines_the_pending_request() -> None:
    room = Room("alice", "bob")
    room.hub.request_chat(1, "bob", now=0.0)
    out = room.hub.end_sessions(2, 0.0, ended=lambda token: token == "t2", spare=2)
    assert frames(out, 1) == [{"type": "chat_declined", "by": "bob", "reason": "left"}]


def test_second_device_is_not_announced_and_user_stays_until_the_last_leaves() -> None:
    room = Room("alice", "bob")
    room.join(3, "bob", account=2, token="t9")
    assert presence(room.hub.tick(0.5), 1) == []
    assert not room.hub.disconnect(2, clean=True, now=1.0)
    assert [u.name for u in room.hub.all_users()] == ["alice", "bob"]
    room.hub.disconnect(3, clean=True, now=1.0)
    assert presence(room.hub.tick(1.0 + LEAVE_LINGER), 1) == [("bob", "offline")]


def test_requests_before_sign_in_are_refused() -> None:
    hub = Hub()
    hub.connect(1, "127.0.0.1:1", now=0.0)
    for attempt in (
        lambda: hub.request_chat(1, "bob", now=0.0),
        lambda: hub.answer_chat(1, "bob", True, now=0.0),
        lambda: hub.end_chat(1, now=0.0),
        lambda: hub.set_status(1, "away", now=0.0),
        lambda: hub.session_token(1),
    ):
        with refused(ErrorCode.NOT_SIGNED_IN):
            attempt()


def test_signing_in_twice_on_one_connection_is_refused() -> None:
    room = Room("alice")
    with refused(ErrorCode.ALREADY_SIGNED_IN):
        room.hub.attach(1, 1, "alice", "alice", "t1", 0.0)


def test_lobby_message_is_encoded_once_for_everyone_signed_in() -> None:
    room = Room("alice", "bob", "carol")
    room.hub.connect(9, "127.0.0.1:9", now=0.0)
    message = StoredMessage("lobby", 1, 1.0, "alice", "hi", None, sender_id=1)
    out = room.hub.deliver(message)
    assert len(out.deliveries) == 1
    assert sorted(out.deliveries[0].conns) == [1, 2, 3]
    assert out.deliveries[0].mark == ("lobby", 1)


def test_chat_message_goes_only_to_the_partners() -> None:
    room = _chatting("carol")
    message = StoredMessage("chat:1", 1, 1.0, "alice", "psst", None, sender_id=1)
    out = room.hub.deliver(message)
    assert sorted(out.deliveries[0].conns) == [1, 2]


def test_transition_table_is_the_whole_lifecycle() -> None:
    assert {(phase, trigger) for phase, trigger in TRANSITIONS} == {
        (Phase.PENDING, Trigger.ACCEPT),
        (Phase.PENDING, Trigger.DECLINE),
        (Phase.PENDING, Trigger.EXPIRE),
        (Phase.PENDING, Trigger.BUSY),
        (Phase.PENDING, Trigger.REQUESTER_LEFT),
        (Phase.PENDING, Trigger.INVITEE_LEFT),
        (Phase.CHATTING, Trigger.END),
        (Phase.CHATTING, Trigger.CLOSE),
        (Phase.CHATTING, Trigger.DISCONNECT),
    }
    assert all(step.to is not Phase.PENDING for step in TRANSITIONS.values())
