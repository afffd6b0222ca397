"""Guests on the pure hub: who may take which name, and how long a guest's room lasts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from hubbub.hub import Decision, Hub, handle
from hubbub.hub.effects import CreateAccount, RemoveMember, UpdateRoom
from hubbub.hub.guests import GUEST_HASH, farewell, sign_in_guest
from hubbub.protocol import CreateRoom, ErrorCode, JoinRoom, MessageUser, Refusal
from hubbub.store import Account, RoomRecord

ALICE = Account(1, "alice", "alice", "$argon2id$real", "user")


def hub() -> Hub:
    made = Hub(new_id=lambda prefix: f"{prefix}:1")
    made.load([RoomRecord("lobby", "Lobby", "lobby", "", False, None, 0.0)], {"lobby": 0})
    for conn in (1, 2, 3):
        made.connect(conn, "127.0.0.1:1", 0.0)
    return made


def feed(decision: Decision, *results: Any) -> tuple[Decision, list[dict[str, Any]]]:
    """Answer a decision's effects with ``results``; every frame it sent on the way."""
    sent = [msgspec.json.decode(d.data) for d in decision.out]
    for result in results:
        assert decision.then is not None, f"no effect left for {result!r}"
        decision = decision.then(result)
        sent += [msgspec.json.decode(d.data) for d in decision.out]
    return decision, sent


@contextlib.contextmanager
def refused(code: ErrorCode) -> Iterator[None]:
    with pytest.raises(Refusal) as caught:
        yield
    assert caught.value.code is code, caught.value.message


def guest(h: Hub, conn: int, name: str, account_id: int) -> None:
    decision = sign_in_guest(h, conn, "g", name, 0.0)
    decision, _ = feed(decision, None)
    assert isinstance(decision.effect, CreateAccount)
    assert decision.effect.password_hash == GUEST_HASH
    feed(decision, Account(account_id, name, name, GUEST_HASH, "user"))


def test_a_guest_takes_a_free_name_as_an_account_no_password_matches() -> None:
    h = hub()
    guest(h, 1, "ian", 5)
    user = h.user_of(1)
    assert user is not None
    assert user.name == "ian"
    assert user.guest


def test_a_name_an_account_holds_or_someone_uses_is_refused() -> None:
    h = hub()
    with refused(ErrorCode.NAME_IN_USE):
        feed(sign_in_guest(h, 1, "g", "Alice", 0.0), ALICE)
    guest(h, 1, "ian", 5)
    with refused(ErrorCode.NAME_IN_USE):
        sign_in_guest(h, 2, "g", "IAN", 0.0)


def test_a_gone_guest_cannot_be_sent_a_direct_message() -> None:
    h = hub()
    guest(h, 1, "ian", 5)
    decision = handle(h, 1, MessageUser(id=1, to="joe", text="hi"), 0.0, 0.0)
    with refused(ErrorCode.UNKNOWN_USER):
        feed(decision, Account(6, "joe", "joe", GUEST_HASH, "user"))


def test_a_guests_room_is_released_when_its_last_member_leaves() -> None:
    h = hub()
    guest(h, 1, "ian", 5)
    guest(h, 2, "ann", 6)
    feed(handle(h, 1, CreateRoom(id=1, name="garden"), 0.0, 0.0), True)
    feed(handle(h, 2, JoinRoom(id=2, room="garden"), 0.0, 0.0), None)
    decision, sent = feed(farewell(h, 1, "bye"), None)
    assert {
        "type": "member_left",
        "room": "room:1",
        "name": "ian",
        "message": "bye",
        "quit": True,
    } in sent
    assert decision.effect is None
    assert h.rooms.name_holder("garden", "garden") is not None
    decision = farewell(h, 2, "")
    assert isinstance(decision.effect, RemoveMember)
    decision, _ = feed(decision, None)
    assert isinstance(decision.effect, UpdateRoom)
    assert decision.effect.archived is True
    assert h.rooms.name_holder("garden", "garden") is None


def test_an_accounts_room_outlives_its_members() -> None:
    h = hub()
    h.attach(3, 1, "alice", "alice", "t", 0.0)
    feed(handle(h, 3, CreateRoom(id=1, name="den"), 0.0, 0.0), True)
    assert farewell(h, 3, "").effect is None
    assert h.rooms.name_holder("den", "den") is not None
