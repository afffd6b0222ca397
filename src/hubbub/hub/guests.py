"""Guests: people who connect without credentials (IRC clients that only say NICK and USER).

A guest is an account whose password hash is :data:`GUEST_HASH`, which no password
matches: its messages keep their author in history like anyone's, but nobody holds the
name. The next guest who picks it gets it back (while no one is signed in as it), and a
name that belongs to a real account is refused. A guest is a member of rooms only while
connected: :func:`farewell` takes it out of each of them, which the rooms hear as a quit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from hubbub.hub.cluster_rooms import Parted, enact
from hubbub.hub.decision import Decision
from hubbub.hub.effects import CreateAccount, FindAccount, RemoveMember, UpdateRoom
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.hub.presence import GUEST_ROLE
from hubbub.hub.session import attach_account, look_alike
from hubbub.hub.throttle import host_of
from hubbub.protocol import ErrorCode, Refusal, RequestId, SignIn
from hubbub.store import Account, NameTaken

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub
    from hubbub.hub.rooms import Room

GUEST_HASH = "!guest"
"""The stored password hash of a guest's account: no password verifies against it."""


def is_guest_account(account: Account) -> bool:
    return account.password_hash == GUEST_HASH


def sign_in_guest(hub: Hub, conn: ConnId, request_id: RequestId, name: str, now: float) -> Decision:
    """Sign ``conn`` in as the guest ``name``; answered like a sign-in (``SignedIn``)."""
    if (current := hub.user_of(conn)) is not None:
        raise Refusal(
            ErrorCode.ALREADY_SIGNED_IN, f"this connection is signed in as {current.name}"
        )
    display, key = normalise_name(name)

    def free() -> None:
        if hub.online(key) is not None:
            raise Refusal(ErrorCode.NAME_IN_USE, f"{display} is signed in; choose another name")

    def found(account: Account | None) -> Decision:
        if account is None:
            # A guest's first use of a name stores an account: counted as a sign-up.
            hub.throttle.sign_up(host_of(hub.peer_of(conn)), now)
            return Decision.after(CreateAccount(display, key, GUEST_HASH), created)
        if not is_guest_account(account):
            raise Refusal(
                ErrorCode.NAME_IN_USE,
                f"{account.name} is an account's name: sign in with its password",
            )
        free()
        guest = dataclasses.replace(account, role=GUEST_ROLE)

        def attach() -> Decision:
            free()
            request = SignIn(id=request_id, name=account.name)
            return attach_account(hub, conn, request, guest, "", now)

        # Rooms a guest of this name is still in (the server stopped before it left them).
        return _leave_all(hub, account.id, account.name, "", attach)

    def created(account: Account | NameTaken) -> Decision:
        if isinstance(account, NameTaken):
            if account.look_alike:
                raise look_alike(display, account)
            return Decision.after(FindAccount(key), found)  # claimed meanwhile
        return found(account)

    free()
    return Decision.after(FindAccount(key), found)


def release_if_empty(room: Room, then: Decision) -> Decision:
    """A room a guest made is released when its last member leaves, as IRC channels are:
    archived with its history, and its name is free for the next room (every hub forgot it
    when it applied the last one's :class:`~hubbub.hub.cluster_rooms.Parted`). Then ``then``."""
    if not room.transient or room.members:
        return then
    release = UpdateRoom(room.id, archived=True, name_key=f"{room.key}~{room.id}")
    return Decision.after(release, lambda _: then)


def farewell(hub: Hub, conn: ConnId, message: str) -> Decision:
    """A guest's connection is ending: it leaves each of its rooms, which hear it quit.

    Anyone else keeps their rooms (membership outlives connections); nothing to do.
    """
    user = hub.user_of(conn)
    if user is None or not user.guest:
        return Decision()
    return _leave_all(hub, user.account_id, user.name, message, Decision)


def _leave_all(
    hub: Hub,
    account_id: int,
    name: str,
    message: str,
    then: Callable[[], Decision],
) -> Decision:
    """Take a guest out of every room it is in, one after the other, then ``then()``."""
    rooms = list(hub.rooms.of(account_id))

    def next_room() -> Decision:
        if not rooms:
            return then()
        room = rooms.pop(0)

        def left(_: None) -> Decision:
            out = enact(hub, Parted(room.id, account_id, name, message or None, quit=True))
            decision = release_if_empty(room, next_room())
            decision.out = out.extended(decision.out)
            return decision

        return Decision.after(RemoveMember(room.id, account_id), left)

    return next_room()
