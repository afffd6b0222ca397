"""Room requests: create, join, leave, topic, invite, archive, the directory and members."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from hubbub.hub.access import may_moderate
from hubbub.hub.blocks import check_not_blocked
from hubbub.hub.cluster_rooms import Joined, Parted, RoomOpened, RoomSet, enact
from hubbub.hub.decision import Decision
from hubbub.hub.effects import (
    AddMember,
    CreateRoom,
    FindAccount,
    ListConversations,
    RemoveMember,
    UpdateRoom,
)
from hubbub.hub.guests import release_if_empty
from hubbub.hub.inputs import name_key, normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.hub.rooms import MAX_ROOM_MEMBERS, ROOMS_PER_HOUR, Room
from hubbub.protocol import (
    LOBBY,
    MAX_TOPIC_CHARS,
    ArchiveRoom,
    ConversationInfo,
    ConversationList,
    Conversations,
    ErrorCode,
    Invite,
    JoinRoom,
    LeaveRoom,
    MemberInfo,
    MemberList,
    Members,
    Ok,
    Refusal,
    RoomEntry,
    RoomInfo,
    RoomList,
    RoomReply,
    Rooms,
    SetTopic,
)
from hubbub.protocol import (
    CreateRoom as CreateRoomRequest,
)
from hubbub.store import Account, ConversationSummary, RoomRecord

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub
    from hubbub.hub.presence import OnlineUser


def find_room(hub: Hub, user: OnlineUser, ref: str) -> Room:
    key = None
    with contextlib.suppress(Refusal):
        key = normalise_name(ref)[1]
    return hub.rooms.find(ref, key, user.account_id)


def _check_topic(topic: str) -> str:
    if len(topic) > MAX_TOPIC_CHARS:
        raise Refusal(
            ErrorCode.TOPIC_TOO_LONG,
            f"a topic is at most {MAX_TOPIC_CHARS} characters; this one has {len(topic)}",
        )
    return topic


def create_room(hub: Hub, conn: ConnId, request: CreateRoomRequest, wall: float) -> Decision:
    user = hub.signed_in(conn)
    name, key = normalise_name(request.name)
    topic = _check_topic(request.topic)
    if (holder := hub.rooms.name_holder(name, key)) is not None:
        raise _name_taken(name, key, holder.name)
    if hub.rooms.created_since(user.account_id, wall - 3600) >= ROOMS_PER_HOUR:
        raise Refusal(
            ErrorCode.TOO_MANY_ROOMS, f"you can create {ROOMS_PER_HOUR} rooms an hour; try later"
        )
    record = RoomRecord(
        id=hub.new_id("room"),
        name=name,
        name_key=key,
        topic=topic,
        private=request.private,
        owner_id=user.account_id,
        created_at=wall,
        members=((user.account_id, user.name),),
    )

    def created(done: bool) -> Decision:
        holder = hub.rooms.name_holder(name, key)
        if not done or holder is not None:
            raise _name_taken(name, key, holder.name if holder is not None else name)
        opened = RoomOpened(
            record.id,
            name,
            key,
            topic,
            record.private,
            user.account_id,
            user.name,
            wall,
            user.guest,
        )
        out = enact(hub, opened)
        room = hub.rooms.get(record.id)
        assert room is not None
        return Decision.answer(conn, RoomReply(id=request.id, room=room.info()), out).logged(
            "create_room", f"room={room.id} name={name}"
        )

    return Decision.after(CreateRoom(record), created)


def _name_taken(name: str, key: str, holder: str) -> Refusal:
    """The refusal of a room name that ``holder`` (a room's name) has, or looks like."""
    if name_key(holder) == key:
        return Refusal(ErrorCode.ROOM_NAME_TAKEN, f"there is already a room called {holder}")
    return Refusal(
        ErrorCode.ROOM_NAME_TAKEN,
        f"{name} looks too much like the room {holder}; choose another name",
    )


def _banned_meanwhile(room: Room, account_id: int, sentence: str) -> Decision:
    """A ban was stored while this join or invite was: take the membership back, refuse."""

    def undone(_: None) -> Decision:
        raise Refusal(ErrorCode.BANNED, sentence)

    return Decision.after(RemoveMember(room.id, account_id), undone)


def join_room(hub: Hub, conn: ConnId, request: JoinRoom) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    if user.account_id in room.members:
        return Decision.answer(conn, RoomReply(id=request.id, room=room.info()))
    if room.archived:
        raise Refusal(ErrorCode.ROOM_ARCHIVED, f"{room.name} is archived: nobody can join it")
    if user.account_id in room.banned:
        raise Refusal(ErrorCode.BANNED, f"you are banned from {room.name}")
    if len(room.members) >= MAX_ROOM_MEMBERS:
        raise Refusal(ErrorCode.ROOM_FULL, f"{room.name} has {MAX_ROOM_MEMBERS} members")

    def joined(_: None) -> Decision:
        if user.account_id in room.banned:
            return _banned_meanwhile(room, user.account_id, f"you are banned from {room.name}")
        out = enact(
            hub,
            Joined(
                room.id, user.account_id, user.name, user.name, hub.seen_status(user.account_id)
            ),
        )
        return Decision.answer(conn, RoomReply(id=request.id, room=room.info()), out).logged(
            "join_room", room.id
        )

    return Decision.after(AddMember(room.id, user.account_id, hub.head(room.id)), joined)


def leave_room(hub: Hub, conn: ConnId, request: LeaveRoom) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    if user.account_id not in room.members:
        raise Refusal(ErrorCode.NOT_A_MEMBER, f"you are not in {room.name}")

    def left(_: None) -> Decision:
        out = enact(hub, Parted(room.id, user.account_id, user.name, request.message))
        decision = Decision.answer(conn, Ok(id=request.id), out).logged("leave_room", room.id)
        return release_if_empty(room, decision)

    return Decision.after(RemoveMember(room.id, user.account_id), left)


def set_topic(hub: Hub, conn: ConnId, request: SetTopic) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    room.writable_by(user.account_id)
    if room.id == LOBBY and not may_moderate(hub, user.account_id, room):
        raise Refusal(
            ErrorCode.NOT_ALLOWED, "the Lobby's topic is set by its moderators and the admins"
        )
    topic = _check_topic(request.topic)

    def changed(_: None) -> Decision:
        out = enact(hub, RoomSet(room.id, user.name, topic=topic))
        return Decision.answer(conn, Ok(id=request.id), out)

    return Decision.after(UpdateRoom(room.id, topic=topic), changed)


def invite(hub: Hub, conn: ConnId, request: Invite) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    room.writable_by(user.account_id)
    _, key = normalise_name(request.user)

    def add(account_id: int, name: str) -> Decision:
        if account_id in room.members:
            return Decision.answer(conn, Ok(id=request.id))
        if account_id in room.banned:
            raise Refusal(ErrorCode.BANNED, f"{name} is banned from {room.name}")
        check_not_blocked(hub, user.account_id, account_id, name)
        if len(room.members) >= MAX_ROOM_MEMBERS:
            raise Refusal(ErrorCode.ROOM_FULL, f"{room.name} has {MAX_ROOM_MEMBERS} members")

        def added(_: None) -> Decision:
            if account_id in room.banned:
                return _banned_meanwhile(room, account_id, f"{name} is banned from {room.name}")
            out = enact(
                hub, Joined(room.id, account_id, name, user.name, hub.seen_status(account_id))
            )
            return Decision.answer(conn, Ok(id=request.id), out).logged(
                "invite", f"room={room.id} user={name}"
            )

        return Decision.after(AddMember(room.id, account_id, hub.head(room.id)), added)

    online = hub.online(key)
    if online is not None:
        return add(online.account_id, online.name)

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.user}")
        return add(account.id, account.name)

    return Decision.after(FindAccount(key), found)


def archive_room(hub: Hub, conn: ConnId, request: ArchiveRoom) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    if room.owner_id != user.account_id and not hub.is_admin(user.account_id):
        raise Refusal(
            ErrorCode.NOT_ALLOWED, f"only the owner of {room.name} or a server admin can archive it"
        )
    if room.archived:
        return Decision.answer(conn, Ok(id=request.id))

    def archived(_: None) -> Decision:
        out = enact(hub, RoomSet(room.id, user.name, archived=True))
        return Decision.answer(conn, Ok(id=request.id), out).logged("archive_room", room.id)

    return Decision.after(UpdateRoom(room.id, archived=True), archived)


def directory(hub: Hub, conn: ConnId, request: Rooms) -> Decision:
    user = hub.signed_in(conn)
    entries = [
        _entry(room.info(), user.account_id in room.members)
        for room in hub.rooms
        if user.account_id in room.members or not (room.private or room.archived)
    ]
    entries.sort(key=lambda entry: entry.name.casefold())
    return Decision.answer(conn, RoomList(id=request.id, rooms=entries))


def _entry(info: RoomInfo, joined: bool) -> RoomEntry:
    return RoomEntry(
        id=info.id,
        name=info.name,
        topic=info.topic,
        private=info.private,
        archived=info.archived,
        owner=info.owner,
        members=info.members,
        joined=joined,
    )


def members(hub: Hub, conn: ConnId, request: Members) -> Decision:
    user = hub.signed_in(conn)
    room = find_room(hub, user, request.room)
    listed = [
        MemberInfo(
            name=name,
            status=hub.board.told(account_id),
            role=room.role_of(account_id),
        )
        for account_id, name in room.members.items()
    ]
    return Decision.answer(conn, MemberList(id=request.id, room=room.id, members=listed))


def conversations(hub: Hub, conn: ConnId, request: Conversations) -> Decision:
    user = hub.signed_in(conn)

    def listed(summaries: list[ConversationSummary]) -> Decision:
        found = [_conversation(hub, summary) for summary in summaries]
        chat = hub.chat_info(user)
        if chat is not None and all(c.id != chat.conversation for c in found):
            found.append(
                ConversationInfo(
                    id=chat.conversation,
                    kind="chat",
                    name=chat.partner,
                    last_seq=hub.head(chat.conversation),
                    read=0,
                    unread=0,
                    mentions=0,
                )
            )
        return Decision.answer(conn, ConversationList(id=request.id, conversations=found))

    return Decision.after(ListConversations(user.account_id), listed)


def _conversation(hub: Hub, summary: ConversationSummary) -> ConversationInfo:
    room = hub.room_of(summary.id)
    return ConversationInfo(
        id=summary.id,
        kind=summary.kind,
        name=room.name if room is not None else summary.partner or summary.id,
        last_seq=summary.last_seq,
        read=summary.read,
        unread=summary.unread,
        mentions=summary.mentions,
        topic=room.topic if room is not None else None,
        private=room.private if room is not None else None,
        archived=room.archived if room is not None else None,
    )
