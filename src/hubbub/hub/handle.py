"""One entry point: every request becomes a :class:`Decision` of the hub's."""

from __future__ import annotations

from hubbub.hub import admin, blocks, moderation, room_requests, session, sessions, talk
from hubbub.hub.blocks import check_not_blocked
from hubbub.hub.decision import Decision
from hubbub.hub.effects import FindAccount, OpenChat
from hubbub.hub.hub import Hub
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.hub.rereads import STALE_REFUSALS, reread_rooms
from hubbub.protocol import (
    AnswerChat,
    ArchiveRoom,
    Audit,
    Ban,
    BanAccount,
    Block,
    Blocked,
    Calc,
    ChangePassword,
    ChatAnswered,
    ClientRequest,
    Conversations,
    CreateRoom,
    DeleteMessage,
    EditMessage,
    EndChat,
    ErrorCode,
    History,
    Invite,
    JoinRoom,
    Kick,
    LeaveRoom,
    MarkRead,
    Members,
    MessageUser,
    Mute,
    Ok,
    Refusal,
    RequestChat,
    RevokeSession,
    Rooms,
    Say,
    Search,
    Sessions,
    SetRole,
    SetStatus,
    SetTopic,
    SignIn,
    SignOut,
    Typing,
    Unban,
    UnbanAccount,
    Unblock,
    Unmute,
    UserList,
    Users,
)
from hubbub.store import Account

READ_ROOMS_FIRST = (Rooms, Kick, Ban, Unban, Mute, Unmute, SetRole, RequestChat)
"""Requests that several processes decide on the rooms read from the store: the directory
(a room made elsewhere a moment ago is listed), moderators' acts (a role, ban or mute
given elsewhere a moment ago counts) and chat requests (so does a block)."""


def handle(hub: Hub, conn: ConnId, request: ClientRequest, now: float, wall: float) -> Decision:
    """The hub's decision on one request. ``now`` is the monotonic clock, ``wall`` Unix time.

    Raises :class:`Refusal` for a request it turns down.
    """
    flooding = hub.admit(conn, request, now)
    if flooding is not None:
        return Decision(flooding).logged("flooding", type(request).__name__)
    if hub.node is not None and isinstance(request, READ_ROOMS_FIRST):
        return reread_rooms(hub, now, wall, lambda: _decide(hub, conn, request, now, wall))
    try:
        return _decide(hub, conn, request, now, wall)
    except Refusal as refusal:
        if hub.node is None or refusal.code not in STALE_REFUSALS:
            raise
        return reread_rooms(hub, now, wall, lambda: _decide(hub, conn, request, now, wall))


def _decide(hub: Hub, conn: ConnId, request: ClientRequest, now: float, wall: float) -> Decision:
    match request:
        case SignIn():
            return session.sign_in(hub, conn, request, now, wall)
        case SignOut():
            return sessions.sign_out(hub, conn, request, now)
        case Sessions():
            return sessions.sessions(hub, conn, request, wall)
        case RevokeSession():
            return sessions.revoke_session(hub, conn, request, now)
        case ChangePassword():
            return sessions.change_password(hub, conn, request, now)
        case Say():
            return talk.say(hub, conn, request, wall)
        case MessageUser():
            return talk.message_user(hub, conn, request)
        case EditMessage() | DeleteMessage():
            return talk.change(hub, conn, request, wall)
        case Typing():
            return talk.typing(hub, conn, request, now)
        case MarkRead():
            return talk.mark_read(hub, conn, request)
        case History():
            return talk.history(hub, conn, request)
        case Search():
            return talk.search(hub, conn, request)
        case Calc():
            return talk.calculate(hub, conn, request)
        case Users():
            user = hub.signed_in(conn)
            return Decision.answer(conn, UserList(id=request.id, users=hub.visible_users(user)))
        case SetStatus():
            out = hub.set_status(conn, request.status, now)
            return Decision.answer(conn, Ok(id=request.id), out).logged("status", request.status)
        case RequestChat():
            return _request_chat(hub, conn, request, now)
        case AnswerChat():
            return _answer_chat(hub, conn, request, now)
        case EndChat():
            out = hub.end_chat(conn, now)
            return Decision.answer(conn, Ok(id=request.id), out).logged("end_chat")
        case CreateRoom():
            return room_requests.create_room(hub, conn, request, wall)
        case JoinRoom():
            return room_requests.join_room(hub, conn, request)
        case LeaveRoom():
            return room_requests.leave_room(hub, conn, request)
        case SetTopic():
            return _set_topic(hub, conn, request, wall)
        case Invite():
            return room_requests.invite(hub, conn, request)
        case ArchiveRoom():
            return room_requests.archive_room(hub, conn, request)
        case Rooms():
            return room_requests.directory(hub, conn, request)
        case Members():
            return room_requests.members(hub, conn, request)
        case Conversations():
            return room_requests.conversations(hub, conn, request)
        case SetRole():
            return moderation.set_role(hub, conn, request)
        case Kick():
            return moderation.kick(hub, conn, request)
        case Mute():
            return moderation.mute(hub, conn, request, wall)
        case Unmute():
            return moderation.unmute(hub, conn, request, wall)
        case Ban():
            return moderation.ban(hub, conn, request)
        case Unban():
            return moderation.unban(hub, conn, request)
        case BanAccount() | UnbanAccount():
            return admin.ban_account(hub, conn, request, now)
        case Block() | Unblock():
            return blocks.block(hub, conn, request)
        case Blocked():
            return blocks.blocked(hub, conn, request)
        case Audit():
            return admin.audit(hub, conn, request)


def _set_topic(hub: Hub, conn: ConnId, request: SetTopic, wall: float) -> Decision:
    """A topic is text the whole room sees: not from someone muted there."""
    user = hub.signed_in(conn)
    room = room_requests.find_room(hub, user, request.room)
    moderation.check_not_muted(hub, user, room.id, wall)
    return room_requests.set_topic(hub, conn, request)


def _request_chat(hub: Hub, conn: ConnId, request: RequestChat, now: float) -> Decision:
    user = hub.signed_in(conn)
    _, key = normalise_name(request.to)

    def ask() -> Decision:
        out = hub.request_chat(conn, request.to, now)
        return Decision.answer(conn, Ok(id=request.id), out).logged(
            "chat_request", f"to={request.to}"
        )

    online = hub.online(key)
    if online is not None:
        check_not_blocked(hub, user.account_id, online.account_id, online.name)
        return ask()

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.to}")
        check_not_blocked(hub, user.account_id, account.id, account.name)
        return ask()

    return Decision.after(FindAccount(key), found)


def _answer_chat(hub: Hub, conn: ConnId, request: AnswerChat, now: float) -> Decision:
    out = hub.answer_chat(conn, request.requester, request.accept, now)
    verb = "accept" if request.accept else "decline"
    chat = hub.signed_in(conn).chat
    if not request.accept or chat is None:
        return Decision.answer(conn, ChatAnswered(id=request.id, conversation=None), out).logged(
            verb, f"from={request.requester}"
        )
    conversation = chat.conversation
    members = (chat.requester.account_id, chat.invitee.account_id)

    def opened(_: None) -> Decision:
        reply = ChatAnswered(id=request.id, conversation=conversation)
        return Decision.answer(conn, reply).logged(verb, f"from={request.requester}")

    return Decision.after(OpenChat(conversation, members), opened, out)
