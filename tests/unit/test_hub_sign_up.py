"""Signing up with a password: the hub asks for one commit (the account, its first rooms
and its token together) and enacts the joins once it has it. On the pure hub, and with
the chain run against a real store of each backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from hubbub.hub import Decision, Hub, handle
from hubbub.hub.effects import (
    FindAccount,
    HashPassword,
    IssueToken,
    SignUp,
    TakeHeld,
    VerifyPassword,
)
from hubbub.protocol import LOBBY, ErrorCode, Refusal, SignIn
from hubbub.store import Account, NameTaken, RoomRecord, SignedUp, Store

PASSWORD = "correct horse"


@dataclass
class _Passwords:
    """Password hashing without the cost: the server's real one is argon2, off the loop."""

    async def hash(self, password: str, clean: bool = False) -> str | None:
        return f"hashed:{password}"

    async def verify(self, password_hash: str, password: str, clean: bool = False) -> bool | None:
        return password_hash == f"hashed:{password}"


@dataclass
class _Services:
    store: Store
    passwords: _Passwords


def frames(decision: Decision) -> list[dict[str, Any]]:
    return [msgspec.json.decode(d.data) | {"to": sorted(d.conns)} for d in decision.out]


def feed(decision: Decision, *results: Any) -> tuple[Decision, list[dict[str, Any]]]:
    """Answer a decision's effects with ``results`` by hand; every frame sent on the way."""
    sent = frames(decision)
    for result in results:
        assert decision.then is not None, f"no effect left for {result!r}"
        decision = decision.then(result)
        sent += frames(decision)
    return decision, sent


async def run(
    decision: Decision, services: _Services, before: dict[type, Any] | None = None
) -> tuple[list[type], list[dict[str, Any]]]:
    """Run the chain to its end against the store: the kinds of effect run, the frames sent.
    ``before[kind]()`` is awaited just before an effect of that kind runs."""
    ran: list[type] = []
    sent = frames(decision)
    while decision.effect is not None:
        assert decision.then is not None
        kind = type(decision.effect)
        if before and kind in before:
            await before.pop(kind)()
        ran.append(kind)
        decision = decision.then(await decision.effect.run(services))
        sent += frames(decision)
    return ran, sent


def lobby_hub(members: tuple[tuple[int, str], ...] = (), head: int = 0) -> Hub:
    hub = Hub()
    lobby = RoomRecord(LOBBY, "Lobby", "lobby", "", False, None, 0.0, members=members)
    hub.load([lobby], {LOBBY: head})
    for conn in (1, 2):
        hub.connect(conn, f"127.0.0.{conn}:5000", 0.0)
    return hub


def sign_up_request(name: str = "ann") -> SignIn:
    return SignIn(id=7, name=name, password=PASSWORD, device="laptop")


def signed_up_to(hub: Hub, name: str = "ann") -> Decision:
    """The decision that asks for the sign-up, once the name was found free and hashed."""
    decision, _ = feed(handle(hub, 1, sign_up_request(name), 0.0, 0.0), None, "hashed")
    return decision


def test_a_new_name_is_signed_up_with_one_effect_for_its_account_rooms_and_token() -> None:
    hub = lobby_hub(head=12)
    decision = signed_up_to(hub)

    assert decision.effect == SignUp(
        "ann", "ann", "hashed", (LOBBY,), {LOBBY: 12}, "laptop", "127.0.0.1"
    )


def test_a_signed_up_user_is_in_the_lobby_and_gets_its_token() -> None:
    hub = lobby_hub(members=((1, "bob"),))
    hub.attach(2, 1, "bob", "bob", "bobs", 0.0)
    ann = Account(2, "ann", "ann", "hashed", "user")

    _, sent = feed(signed_up_to(hub), SignedUp(ann, "anns-token"))

    lobby = hub.rooms.get(LOBBY)
    assert lobby is not None
    assert 2 in lobby.members
    [answer] = [f for f in sent if f["type"] == "ok"]
    assert (answer["token"], answer["name"], answer["heads"], answer["to"]) == (
        "anns-token",
        "ann",
        {LOBBY: 0},
        [1],
    )
    assert {
        "type": "member_joined",
        "room": LOBBY,
        "name": "ann",
        "status": "online",
        "to": [2],
    } in sent


def test_a_name_claimed_meanwhile_signs_in_with_the_password_as_usual() -> None:
    hub = lobby_hub()
    decision = signed_up_to(hub)
    ann = Account(3, "ann", "ann", "their hash", "user")

    decision, _ = feed(decision, NameTaken("taken", "ann"))
    assert decision.effect == FindAccount("ann")
    decision, _ = feed(decision, ann)
    assert isinstance(decision.effect, VerifyPassword)
    decision, _ = feed(decision, True)
    assert decision.effect == IssueToken(3, "laptop", "127.0.0.1")
    _, sent = feed(decision, "their-token")

    assert [f["token"] for f in sent if f["type"] == "ok"] == ["their-token"]


def test_a_name_like_one_claimed_meanwhile_is_refused_name_in_use() -> None:
    hub = lobby_hub()
    decision = signed_up_to(hub, "\u0430nn")
    assert decision.then is not None

    with pytest.raises(Refusal) as caught:
        decision.then(NameTaken("looks like", "ann", look_alike=True))

    assert caught.value.code is ErrorCode.NAME_IN_USE
    assert "looks too much like ann" in caught.value.message
    assert hub.user_of(1) is None


async def loaded(store: Store) -> Hub:
    hub = Hub()
    hub.load(await store.load_rooms(), await store.heads())
    hub.connect(1, "127.0.0.1:5000", 0.0)
    return hub


async def test_a_sign_up_on_the_store_is_one_commit_and_its_token_signs_in(store: Store) -> None:
    hub = await loaded(store)
    services = _Services(store, _Passwords())
    commits = [store.commits]

    async def signed_up() -> None:  # then the held messages are taken: a commit on PostgreSQL
        commits.append(store.commits)

    ran, sent = await run(
        handle(hub, 1, sign_up_request(), 0.0, 0.0), services, before={TakeHeld: signed_up}
    )

    assert ran == [FindAccount, HashPassword, SignUp, TakeHeld]
    assert commits[1] == commits[0] + 1
    [answer] = [f for f in sent if f["type"] == "ok"]
    account = await store.find_account("ann")
    assert account is not None
    assert await store.account_for_token(answer["token"]) == account
    assert await store.is_member(LOBBY, account.id)
    assert hub.user_of(1) is not None


async def test_a_name_claimed_on_the_store_meanwhile_signs_in_as_that_account(
    store: Store,
) -> None:
    hub = await loaded(store)
    services = _Services(store, _Passwords())

    async def claim() -> None:
        await store.sign_up("Ann", "ann", f"hashed:{PASSWORD}", [LOBBY], {})

    ran, sent = await run(
        handle(hub, 1, sign_up_request(), 0.0, 0.0), services, before={SignUp: claim}
    )

    assert ran[:4] == [FindAccount, HashPassword, SignUp, FindAccount]
    [answer] = [f for f in sent if f["type"] == "ok"]
    assert answer["name"] == "Ann"
    claimed = await store.account_for_token(answer["token"])
    assert claimed is not None
    assert claimed.name == "Ann"
