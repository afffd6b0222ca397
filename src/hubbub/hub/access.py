"""Who may read and write which conversation: rooms, direct messages and 1:1 chats."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from hubbub.hub.decision import Decision
from hubbub.hub.effects import IsMember
from hubbub.protocol import ErrorCode, Refusal
from hubbub.store import kind_of

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub
    from hubbub.hub.presence import OnlineUser
    from hubbub.hub.rooms import Room


def _unknown(conversation: str) -> Refusal:
    return Refusal(
        ErrorCode.UNKNOWN_CONVERSATION,
        f"there is no conversation {conversation!r} that you can read",
    )


def may_read(hub: Hub, user: OnlineUser, conversation: str) -> bool | None:
    """True if ``user`` may read the conversation; None if only the store knows (an old
    chat); refuses otherwise: ``not_a_member`` for a public room, else
    ``unknown_conversation`` (a private room is not shown to exist)."""
    room = hub.room_of(conversation)
    if room is not None:
        if user.account_id in room.members:
            return True
        if room.private:
            raise _unknown(conversation)
        raise Refusal(ErrorCode.NOT_A_MEMBER, f"join {room.name} to read it")
    members = hub.participants(conversation)
    if members is not None:
        if user.account_id in members:
            return True
        raise _unknown(conversation)
    if kind_of(conversation) == "chat":
        return None
    raise _unknown(conversation)


def readable(
    hub: Hub, user: OnlineUser, conversation: str, then: Callable[[], Decision]
) -> Decision:
    """Decide with ``then`` once ``user`` is known to be able to read the conversation."""
    known = may_read(hub, user, conversation)
    if known:
        return then()

    def asked(member: bool) -> Decision:
        if not member:
            raise _unknown(conversation)
        return then()

    return Decision.after(IsMember(conversation, user.account_id), asked)


def check_writable(hub: Hub, user: OnlineUser, conversation: str) -> None:
    """Refuse unless ``user`` may write to the conversation now."""
    room = hub.room_of(conversation)
    if room is not None:
        if room.private and user.account_id not in room.members:
            raise _unknown(conversation)
        room.writable_by(user.account_id)
        return
    if kind_of(conversation) == "chat":
        if user.chat is None or user.chat.conversation != conversation:
            raise Refusal(
                ErrorCode.NOT_IN_CHAT,
                f"you can write to {conversation!r} only while that chat lasts",
            )
        return
    members = hub.participants(conversation)
    if members is None or user.account_id not in members:
        raise _unknown(conversation)


def audience(hub: Hub, conversation: str) -> Iterable[int]:
    """The open connections that hear a conversation live (read them before anything changes)."""
    room = hub.room_of(conversation)
    if room is not None:
        return room.listeners
    return hub.conns_of(hub.participants(conversation) or ())


def may_moderate(hub: Hub, account_id: int, room: Room) -> bool:
    """Whether the account moderates the room: an admin, its owner or a moderator."""
    return hub.is_admin(account_id) or room.role_of(account_id) != "member"
