"""Room moderation: roles, kicks, mutes and bans, and who may do them to whom.

A room's **owner** (its creator) and the server's **admins** appoint **moderators**
(``set_role``). Moderators, the owner and admins kick, mute and ban members and delete
their messages. Nobody acts on themselves, on the owner or on an admin, and only the
owner or an admin acts on a moderator. Every action is stored with its audit row in one
transaction, and only then takes effect and is told: to the affected user (``room_removed``,
``muted``) and to the room (``member_left``, ``moderated``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hubbub.hub.access import may_moderate
from hubbub.hub.cluster_rooms import ModeratorActed, enact
from hubbub.hub.decision import Decision
from hubbub.hub.effects import FindAccount, Moderate
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.hub.room_requests import find_room
from hubbub.protocol import (
    Ban,
    ErrorCode,
    Kick,
    Mute,
    Ok,
    Refusal,
    SetRole,
    Unban,
    Unmute,
)
from hubbub.store import Account, Act

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub
    from hubbub.hub.presence import OnlineUser
    from hubbub.hub.rooms import Room


def check_not_muted(hub: Hub, user: OnlineUser, conversation: str, wall: float) -> None:
    """Refuse ``muted`` (with ``retry_after``) while the user is muted in this room."""
    room = hub.room_of(conversation)
    if room is None:
        return
    until = room.muted_until(user.account_id, wall)
    if until is not None:
        raise Refusal(
            ErrorCode.MUTED,
            f"you are muted in {room.name} for {_duration(until - wall)}",
            retry_after=max(0.01, round(until - wall, 2)),
        )


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def _moderator(hub: Hub, conn: ConnId, ref: str) -> tuple[OnlineUser, Room]:
    user = hub.signed_in(conn)
    room = find_room(hub, user, ref)
    if not may_moderate(hub, user.account_id, room):
        raise Refusal(ErrorCode.NOT_ALLOWED, f"only the moderators of {room.name} can do that")
    return user, room


def check_target(hub: Hub, user: OnlineUser, room: Room, target_id: int, name: str) -> None:
    """Refuse ``not_allowed`` unless ``user`` (a moderator of the room) may act on the
    account: not themselves, the owner or an admin; a moderator only as owner or admin."""
    if target_id == user.account_id:
        raise Refusal(ErrorCode.NOT_ALLOWED, "you cannot moderate yourself")
    if target_id == room.owner_id:
        raise Refusal(ErrorCode.NOT_ALLOWED, f"{name} owns {room.name}")
    if hub.is_admin(target_id):
        raise Refusal(ErrorCode.NOT_ALLOWED, f"{name} is a server admin")
    if target_id in room.moderators and not _owner_or_admin(hub, user, room):
        raise Refusal(
            ErrorCode.NOT_ALLOWED,
            f"only the owner of {room.name} or a server admin can act on a moderator",
        )


def _owner_or_admin(hub: Hub, user: OnlineUser, room: Room) -> bool:
    return room.owner_id == user.account_id or hub.is_admin(user.account_id)


def _member(room: Room, ref: str) -> tuple[int, str]:
    found = room.member(normalise_name(ref)[1])
    if found is None:
        raise Refusal(ErrorCode.NOT_A_MEMBER, f"{ref} is not in {room.name}")
    return found


def _account(hub: Hub, ref: str, then: Callable[[int, str], Decision]) -> Decision:
    """Decide with the (account id, name) of the user named ``ref``, wherever they are."""
    _, key = normalise_name(ref)
    online = hub.online(key)
    if online is not None:
        return then(online.account_id, online.name)

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {ref}")
        return then(account.id, account.name)

    return Decision.after(FindAccount(key), found)


def kick(hub: Hub, conn: ConnId, request: Kick) -> Decision:
    user, room = _moderator(hub, conn, request.room)
    target_id, name = _member(room, request.user)
    check_target(hub, user, room, target_id, name)
    act = Act("kick", user.name, target_id, name, room.id, request.reason)

    def done(_: int) -> Decision:
        out = enact(
            hub, ModeratorActed(room.id, "kicked", target_id, name, user.name, request.reason)
        )
        return Decision.answer(conn, Ok(id=request.id), out).logged(
            "kick", f"room={room.id} user={name}"
        )

    return Decision.after(Moderate(act), done)


def ban(hub: Hub, conn: ConnId, request: Ban) -> Decision:
    """Remove the user from the room (a member or not) until unbanned."""
    user, room = _moderator(hub, conn, request.room)

    def banned(target_id: int, name: str) -> Decision:
        check_target(hub, user, room, target_id, name)
        act = Act("ban", user.name, target_id, name, room.id, request.reason)

        def done(_: int) -> Decision:
            acted = ModeratorActed(room.id, "banned", target_id, name, user.name, request.reason)
            out = enact(hub, acted)
            return Decision.answer(conn, Ok(id=request.id), out).logged(
                "ban", f"room={room.id} user={name}"
            )

        return Decision.after(Moderate(act), done)

    return _account(hub, request.user, banned)


def unban(hub: Hub, conn: ConnId, request: Unban) -> Decision:
    user, room = _moderator(hub, conn, request.room)

    def unbanned(target_id: int, name: str) -> Decision:
        if target_id not in room.banned:
            return Decision.answer(conn, Ok(id=request.id))
        act = Act("unban", user.name, target_id, name, room.id)

        def done(_: int) -> Decision:
            out = enact(hub, ModeratorActed(room.id, "unbanned", target_id, name, user.name))
            return Decision.answer(conn, Ok(id=request.id), out).logged(
                "unban", f"room={room.id} user={name}"
            )

        return Decision.after(Moderate(act), done)

    return _account(hub, request.user, unbanned)


def mute(hub: Hub, conn: ConnId, request: Mute, wall: float) -> Decision:
    user, room = _moderator(hub, conn, request.room)
    target_id, name = _member(room, request.user)
    check_target(hub, user, room, target_id, name)
    until = wall + request.seconds
    act = Act("mute", user.name, target_id, name, room.id, request.reason, until)

    def done(_: int) -> Decision:
        acted = ModeratorActed(room.id, "muted", target_id, name, user.name, request.reason, until)
        out = enact(hub, acted)
        return Decision.answer(conn, Ok(id=request.id), out).logged(
            "mute", f"room={room.id} user={name} seconds={request.seconds}"
        )

    return Decision.after(Moderate(act), done)


def unmute(hub: Hub, conn: ConnId, request: Unmute, wall: float) -> Decision:
    user, room = _moderator(hub, conn, request.room)
    target_id, name = _member(room, request.user)
    check_target(hub, user, room, target_id, name)
    if room.muted_until(target_id, wall) is None:
        return Decision.answer(conn, Ok(id=request.id))
    act = Act("unmute", user.name, target_id, name, room.id)

    def done(_: int) -> Decision:
        out = enact(hub, ModeratorActed(room.id, "unmuted", target_id, name, user.name))
        return Decision.answer(conn, Ok(id=request.id), out).logged(
            "unmute", f"room={room.id} user={name}"
        )

    return Decision.after(Moderate(act), done)


def set_role(hub: Hub, conn: ConnId, request: SetRole) -> Decision:
    """The owner or an admin makes a member a moderator, or a moderator a member again."""
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    if not _owner_or_admin(hub, user, room):
        raise Refusal(
            ErrorCode.NOT_ALLOWED, f"only the owner of {room.name} or an admin appoints moderators"
        )
    target_id, name = _member(room, request.user)
    if target_id == room.owner_id:
        raise Refusal(ErrorCode.NOT_ALLOWED, f"{name} owns {room.name}")
    if room.role_of(target_id) == request.role:
        return Decision.answer(conn, Ok(id=request.id))
    act = Act(request.role, user.name, target_id, name, room.id)

    def done(_: int) -> Decision:
        out = enact(hub, ModeratorActed(room.id, request.role, target_id, name, user.name))
        return Decision.answer(conn, Ok(id=request.id), out).logged(
            "set_role", f"room={room.id} user={name} role={request.role}"
        )

    return Decision.after(Moderate(act), done)
