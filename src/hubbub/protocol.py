"""The wire protocol: every frame a client or the server may send, as typed msgspec Structs.

One JSON object per WebSocket text frame, tagged on ``"type"``. Requests carry a
client-chosen ``id`` and are answered by exactly one ``ok`` (same ``id``) or ``error``
(same ``id``, a code from :class:`ErrorCode` and a human sentence). Events carry no ``id``.
docs/protocol.md is the reference for people; this module is the reference for code.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal, TypeAlias

import msgspec

RequestId: TypeAlias = int | str
Status: TypeAlias = Literal["online", "busy", "away"]
SeenStatus: TypeAlias = Literal["online", "busy", "away", "offline"]
ChosenStatus: TypeAlias = Literal["online", "away"]
RoomRole: TypeAlias = Literal["moderator", "member"]
"""What ``set_role`` makes a room member (the owner is the room's creator)."""

LOBBY = "lobby"
"""The id of the Lobby: an ordinary public room that every new account joins."""
MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4000
MAX_TOPIC_CHARS = 250
MAX_HISTORY_PAGE = 200
MAX_SEARCH_PAGE = 50
MAX_QUERY_CHARS = 200
MAX_CLIENT_ID_CHARS = 64
MAX_SEQ = 2**63 - 1
MAX_DEVICE_CHARS = 100
MAX_REASON_CHARS = 250
MAX_MUTE_SECONDS = 30 * 24 * 3600
MAX_AUDIT_PAGE = 200
TYPING_EVERY = 3.0
"""A user's typing indicator is delivered at most once per conversation in this many seconds."""
TYPING_LASTS = 6.0
"""Clients hide a typing indicator this many seconds after the last one for that user."""

Seq: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]
"""A position in a conversation, as a client may name it: 0 (before the first) and up."""
ClientId: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CLIENT_ID_CHARS)]
"""A key the client picks for one send, so that a resend stores nothing new."""


class ErrorCode(enum.StrEnum):
    """The closed list of error codes. Adding one means documenting it in docs/protocol.md."""

    BAD_FRAME = "bad_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_FIELD = "invalid_field"
    NOT_SIGNED_IN = "not_signed_in"
    ALREADY_SIGNED_IN = "already_signed_in"
    INVALID_NAME = "invalid_name"
    NAME_IN_USE = "name_in_use"
    WRONG_PASSWORD = "wrong_password"
    INVALID_TOKEN = "invalid_token"
    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    UNKNOWN_USER = "unknown_user"
    USER_OFFLINE = "user_offline"
    USER_BUSY = "user_busy"
    CANNOT_INVITE_SELF = "cannot_invite_self"
    CANNOT_MESSAGE_SELF = "cannot_message_self"
    ALREADY_IN_CHAT = "already_in_chat"
    REQUEST_PENDING = "request_pending"
    NO_SUCH_REQUEST = "no_such_request"
    NOT_IN_CHAT = "not_in_chat"
    UNKNOWN_CONVERSATION = "unknown_conversation"
    CALC_ERROR = "calc_error"
    UNKNOWN_ROOM = "unknown_room"
    ROOM_NAME_TAKEN = "room_name_taken"
    TOPIC_TOO_LONG = "topic_too_long"
    NOT_A_MEMBER = "not_a_member"
    ROOM_ARCHIVED = "room_archived"
    ROOM_FULL = "room_full"
    TOO_MANY_ROOMS = "too_many_rooms"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN_MESSAGE = "unknown_message"
    RATE_LIMITED = "rate_limited"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    BUSY = "busy"
    UNKNOWN_SESSION = "unknown_session"
    MUTED = "muted"
    BANNED = "banned"
    ACCOUNT_BANNED = "account_banned"
    BLOCKED = "blocked"
    UNAVAILABLE = "unavailable"
    INTERNAL_ERROR = "internal_error"


class Refusal(Exception):
    """A request the server will not carry out: becomes an ``error`` frame for the requester."""

    def __init__(self, code: ErrorCode, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


# --------------------------------------------------------------------------- requests


class Request(msgspec.Struct, tag_field="type", kw_only=True, frozen=True):
    id: RequestId


class SignIn(Request, tag="sign_in", frozen=True):
    """Sign in with a password (the first sign-in with a free name claims it) or a token.

    ``since`` maps conversation ids to the last ``seq`` the client saw: the server then
    sends later messages of those conversations (up to ``MAX_REPLAYED`` each, then a
    ``resume_gap``) before any live one. ``device`` labels the session in ``sessions``.
    """

    name: str
    password: str | None = None
    token: str | None = None
    since: dict[str, Seq] = msgspec.field(default_factory=dict)
    device: Annotated[str, msgspec.Meta(max_length=MAX_DEVICE_CHARS)] | None = None


class SignOut(Request, tag="sign_out", frozen=True):
    """End this session (every connection using its token); ``everywhere``: every session."""

    everywhere: bool = False


class Sessions(Request, tag="sessions", frozen=True):
    pass


class RevokeSession(Request, tag="revoke_session", frozen=True):
    session: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ChangePassword(Request, tag="change_password", frozen=True):
    old: str
    new: str


class Say(Request, tag="say", frozen=True):
    """Post to a room you are in, your current 1:1 chat, or a direct-message conversation."""

    text: str
    conversation: str = LOBBY
    client_id: ClientId | None = None


class MessageUser(Request, tag="message_user", frozen=True):
    to: str
    text: str
    client_id: ClientId | None = None


class Users(Request, tag="users", frozen=True):
    pass


class Calc(Request, tag="calc", frozen=True):
    expression: str


class RequestChat(Request, tag="request_chat", frozen=True):
    to: str


class AnswerChat(Request, tag="answer_chat", frozen=True):
    requester: str = msgspec.field(name="from")
    accept: bool


class EndChat(Request, tag="end_chat", frozen=True):
    pass


class History(Request, tag="history", frozen=True):
    conversation: str
    before: Seq | None = None
    after: Seq | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_HISTORY_PAGE)] = 50


class SetStatus(Request, tag="set_status", frozen=True):
    status: ChosenStatus


class CreateRoom(Request, tag="create_room", frozen=True):
    name: str
    topic: str = ""
    private: bool = False


class JoinRoom(Request, tag="join_room", frozen=True):
    """``room`` is a room's id (``lobby``, ``room:…``) or its name."""

    room: str


class LeaveRoom(Request, tag="leave_room", frozen=True):
    """``message``: parting words the room's members are told (IRC's PART reason)."""

    room: str
    message: Annotated[str, msgspec.Meta(max_length=MAX_TOPIC_CHARS)] | None = None


class SetTopic(Request, tag="set_topic", frozen=True):
    room: str
    topic: str


class Invite(Request, tag="invite", frozen=True):
    room: str
    user: str


class ArchiveRoom(Request, tag="archive_room", frozen=True):
    room: str


class Rooms(Request, tag="rooms", frozen=True):
    """The directory: every public room, and the private rooms you are in."""


class Members(Request, tag="members", frozen=True):
    room: str


class Conversations(Request, tag="conversations", frozen=True):
    """Everything you are in: rooms, direct-message partners, your current 1:1 chat."""


class MarkRead(Request, tag="mark_read", frozen=True):
    conversation: str
    seq: Seq


class Typing(Request, tag="typing", frozen=True):
    conversation: str


class EditMessage(Request, tag="edit_message", frozen=True):
    conversation: str
    seq: Seq
    text: str


class DeleteMessage(Request, tag="delete_message", frozen=True):
    conversation: str
    seq: Seq


class Search(Request, tag="search", frozen=True):
    query: str
    conversation: str | None = None
    offset: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_SEARCH_PAGE)] = 20


class SetRole(Request, tag="set_role", frozen=True):
    """Make a member of a room a moderator, or a plain member again."""

    room: str
    user: str
    role: RoomRole


Reason: TypeAlias = Annotated[str, msgspec.Meta(max_length=MAX_REASON_CHARS)]
"""Why a moderator acted, in their words; shown to the affected user and kept in the audit log."""


class Kick(Request, tag="kick", frozen=True):
    room: str
    user: str
    reason: Reason = ""


class Mute(Request, tag="mute", frozen=True):
    room: str
    user: str
    seconds: Annotated[int, msgspec.Meta(ge=1, le=MAX_MUTE_SECONDS)]
    reason: Reason = ""


class Unmute(Request, tag="unmute", frozen=True):
    room: str
    user: str


class Ban(Request, tag="ban", frozen=True):
    room: str
    user: str
    reason: Reason = ""


class Unban(Request, tag="unban", frozen=True):
    room: str
    user: str


class BanAccount(Request, tag="ban_account", frozen=True):
    user: str
    reason: Reason = ""


class UnbanAccount(Request, tag="unban_account", frozen=True):
    user: str


class Block(Request, tag="block", frozen=True):
    user: str


class Unblock(Request, tag="unblock", frozen=True):
    user: str


class Blocked(Request, tag="blocked", frozen=True):
    """The users you block."""


class Audit(Request, tag="audit", frozen=True):
    """A page of the audit log, newest first (server admins only)."""

    before: Annotated[int, msgspec.Meta(ge=1, le=MAX_SEQ)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_AUDIT_PAGE)] = 50


ClientRequest: TypeAlias = (
    SignIn
    | SignOut
    | Say
    | MessageUser
    | Users
    | Calc
    | RequestChat
    | AnswerChat
    | EndChat
    | History
    | SetStatus
    | CreateRoom
    | JoinRoom
    | LeaveRoom
    | SetTopic
    | Invite
    | ArchiveRoom
    | Rooms
    | Members
    | Conversations
    | MarkRead
    | Typing
    | EditMessage
    | DeleteMessage
    | Search
    | Sessions
    | RevokeSession
    | ChangePassword
    | SetRole
    | Kick
    | Mute
    | Unmute
    | Ban
    | Unban
    | BanAccount
    | UnbanAccount
    | Block
    | Unblock
    | Blocked
    | Audit
)


# --------------------------------------------------------------------------- replies


class Ok(msgspec.Struct, tag_field="type", tag="ok", kw_only=True, frozen=True):
    """A request succeeded. Subclasses add the request's result beside ``id``."""

    id: RequestId


class ChatInfo(msgspec.Struct, frozen=True):
    """The 1:1 chat a user is in."""

    conversation: str
    partner: str = msgspec.field(name="with")


class PendingRequest(msgspec.Struct, frozen=True):
    """A chat request waiting for its answer, made by ``from`` to ``to``."""

    requester: str = msgspec.field(name="from")
    invitee: str = msgspec.field(name="to")
    expires_in: float


class SignedIn(Ok, tag="ok", frozen=True):
    """``heads``: the latest ``seq`` of each of the user's conversations at this sign-in:
    live ``message`` events start after them, older messages are in ``history`` (or come
    first, for the conversations named in ``since``). ``chat`` and ``requests`` are the
    user's 1:1 chat and pending chat requests (both ways) right now."""

    name: str
    token: str
    status: Status
    heads: dict[str, int] = msgspec.field(default_factory=dict)
    chat: ChatInfo | None = None
    requests: list[PendingRequest] = msgspec.field(default_factory=list)
    role: Literal["user", "admin"] = "user"
    """``admin``: a server admin (see Roles and moderation in docs/protocol.md)."""


class SessionInfo(msgspec.Struct, frozen=True):
    """One of the account's sessions (a token), named by ``id``, never by the token itself.
    ``created`` and ``last_seen`` are Unix times; ``last_seen`` is its latest sign-in."""

    id: str
    device: str | None
    address: str | None
    created: float
    last_seen: float
    current: bool
    connected: bool


class SessionList(Ok, tag="ok", frozen=True):
    sessions: list[SessionInfo]


class Sent(Ok, tag="ok", frozen=True):
    """A stored send. ``duplicate``: this ``client_id`` was sent before; nothing new was stored."""

    conversation: str
    seq: int
    ts: float
    duplicate: bool = False


class UserInfo(msgspec.Struct, frozen=True):
    name: str
    status: Status


class UserList(Ok, tag="ok", frozen=True):
    users: list[UserInfo]


class CalcResult(Ok, tag="ok", frozen=True):
    expression: str
    result: str


class ChatAnswered(Ok, tag="ok", frozen=True):
    conversation: str | None


class HistoryPage(Ok, tag="ok", frozen=True):
    """Stored entries in ``seq`` order: messages (as they are now) and their change records."""

    conversation: str
    messages: list[Stored]


class RoomInfo(msgspec.Struct, frozen=True):
    id: str
    name: str
    topic: str
    private: bool
    archived: bool
    owner: str | None
    members: int


class RoomEntry(RoomInfo, frozen=True):
    """A room in the directory; ``joined`` says whether you are a member."""

    joined: bool


class RoomReply(Ok, tag="ok", frozen=True):
    room: RoomInfo


class RoomList(Ok, tag="ok", frozen=True):
    rooms: list[RoomEntry]


class MemberInfo(msgspec.Struct, frozen=True):
    name: str
    status: SeenStatus
    role: Literal["owner", "moderator", "member"]


class MemberList(Ok, tag="ok", frozen=True):
    room: str
    members: list[MemberInfo]


class BlockedList(Ok, tag="ok", frozen=True):
    blocked: list[str]


class AuditEntry(msgspec.Struct, frozen=True):
    """One moderation or administration action: who did what to whom, where, when, why."""

    id: int
    at: float
    actor: str
    action: str
    target: str | None
    room: str | None
    reason: str
    until: float | None


class AuditPage(Ok, tag="ok", frozen=True):
    entries: list[AuditEntry]
    next_before: int | None


class ConversationInfo(msgspec.Struct, frozen=True):
    """One conversation you are in. ``name`` is the room's name or the other person's.

    ``unread`` counts messages from others after your ``read`` marker; ``mentions``
    those of them that mention you.
    """

    id: str
    kind: Literal["room", "dm", "chat"]
    name: str
    last_seq: int
    read: int
    unread: int
    mentions: int
    topic: str | None = None
    private: bool | None = None
    archived: bool | None = None


class ConversationList(Ok, tag="ok", frozen=True):
    conversations: list[ConversationInfo]


class SearchHit(msgspec.Struct, frozen=True):
    """``highlights``: [start, end) character offsets of the matched words in ``snippet``."""

    conversation: str
    seq: int
    ts: float
    sender: str = msgspec.field(name="from")
    snippet: str
    highlights: list[tuple[int, int]]


class SearchResults(Ok, tag="ok", frozen=True):
    """``next_offset``: the ``offset`` of the next page, or null on the last one."""

    results: list[SearchHit]
    next_offset: int | None


class Error(
    msgspec.Struct, tag_field="type", tag="error", kw_only=True, frozen=True, omit_defaults=True
):
    id: RequestId | None
    code: ErrorCode
    message: str
    retry_after: float | None = None
    """Seconds to wait before trying again: set on ``rate_limited``, ``unavailable``,
    ``too_many_attempts`` and ``busy``."""


# --------------------------------------------------------------------------- events


class Event(msgspec.Struct, tag_field="type", kw_only=True, frozen=True):
    pass


class Message(Event, tag="message", frozen=True, omit_defaults=True):
    """A stored message. ``to`` is set on direct messages only.

    ``mentions``: the members it names as ``@name``. ``client_id``: the sender's key for
    the send, if it gave one. ``edited`` / ``deleted``: set in history once a change
    record has changed it (a deleted message keeps no text).
    """

    conversation: str
    seq: int
    ts: float
    sender: str = msgspec.field(name="from")
    text: str
    to: str | None = None
    mentions: list[str] = msgspec.field(default_factory=list)
    client_id: str | None = None
    edited: bool = False
    deleted: bool = False


class MessageEdited(Event, tag="message_edited", frozen=True):
    """A change record: the message at ``target`` now reads ``text``. Has its own ``seq``."""

    conversation: str
    seq: int
    ts: float
    sender: str = msgspec.field(name="from")
    target: int
    text: str


class MessageDeleted(Event, tag="message_deleted", frozen=True):
    """A change record: the message at ``target`` is deleted. Has its own ``seq``."""

    conversation: str
    seq: int
    ts: float
    sender: str = msgspec.field(name="from")
    target: int


Stored: TypeAlias = Message | MessageEdited | MessageDeleted
"""Everything that has a place (a ``seq``) in a conversation."""


class UserStatus(msgspec.Struct, frozen=True):
    name: str
    status: SeenStatus


class Presence(Event, tag="presence", frozen=True):
    """Who is online in a room. ``full``: the whole list (at sign-in and on joining a room);
    otherwise only the people whose status changed since the last one."""

    room: str
    users: list[UserStatus]
    full: bool = False


class RoomAdded(Event, tag="room_added", frozen=True):
    """You are now a member of ``room`` (you created or joined it, or were invited).

    ``head``: the room's last ``seq`` at that moment; live messages start after it."""

    room: RoomInfo
    by: str
    head: int


class RoomRemoved(Event, tag="room_removed", frozen=True, omit_defaults=True):
    """You are no longer a member of ``room``: you left, or a moderator ``by`` removed you."""

    room: str
    reason: Literal["left", "kicked", "banned"]
    by: str | None = None
    note: str = ""
    """The moderator's reason, if they gave one."""


class Muted(Event, tag="muted", frozen=True, omit_defaults=True):
    """You may not write in ``room`` until ``until`` (Unix time); ``null``: no longer muted."""

    room: str
    until: float | None
    by: str
    note: str = ""


class Moderated(Event, tag="moderated", frozen=True, omit_defaults=True):
    """A moderator acted on a member of a room you are in: shown in the room as a line."""

    room: str
    action: Literal["kicked", "banned", "unbanned", "muted", "unmuted", "moderator", "member"]
    name: str
    by: str
    note: str = ""
    until: float | None = None


class RoomChanged(Event, tag="room_changed", frozen=True):
    """A room you are in changed: its topic, or it was archived."""

    room: RoomInfo
    by: str


class MemberJoined(Event, tag="member_joined", frozen=True):
    room: str
    name: str
    status: SeenStatus


class MemberLeft(Event, tag="member_left", frozen=True, omit_defaults=True):
    """``message``: the parting words, if any. ``quit``: true when the member left because its
    connection ended (a guest's: guests are members only while connected)."""

    room: str
    name: str
    message: str | None = None
    quit: bool = False


class TypingEvent(Event, tag="typing", frozen=True):
    conversation: str
    name: str


class ReadMarker(Event, tag="read", frozen=True):
    """Your read marker in ``conversation`` moved (on this or another of your devices)."""

    conversation: str
    seq: int


class ChatRequested(Event, tag="chat_request", frozen=True):
    requester: str = msgspec.field(name="from")
    expires_in: float


class ChatCancelled(Event, tag="chat_cancelled", frozen=True):
    """The requester's invitation is gone before it was answered (expired, they left...)."""

    requester: str = msgspec.field(name="from")
    reason: Literal["expired", "left", "busy"]


class ChatStarted(Event, tag="chat_started", frozen=True):
    conversation: str
    partner: str = msgspec.field(name="with")


class ChatDeclined(Event, tag="chat_declined", frozen=True):
    by: str
    reason: Literal["declined", "expired", "left", "busy"]


class ChatEnded(Event, tag="chat_ended", frozen=True):
    conversation: str
    by: str
    reason: Literal["ended", "closed", "disconnected"]


class ResumeGap(Event, tag="resume_gap", frozen=True):
    """A resume replayed ``conversation`` only up to ``after``: the entries with
    ``after < seq <= head`` were not sent; page them with ``history`` (``after``)."""

    conversation: str
    after: int
    head: int


class Notice(Event, tag="notice", frozen=True):
    code: Literal["alone", "account_banned", "password_reset"]
    text: str


ServerEvent: TypeAlias = (
    Message
    | MessageEdited
    | MessageDeleted
    | Presence
    | RoomAdded
    | RoomRemoved
    | Muted
    | Moderated
    | RoomChanged
    | MemberJoined
    | MemberLeft
    | TypingEvent
    | ReadMarker
    | ChatRequested
    | ChatCancelled
    | ChatStarted
    | ChatDeclined
    | ChatEnded
    | ResumeGap
    | Notice
)
ServerFrame: TypeAlias = ServerEvent | Ok | Error
"""What a client decodes a frame into; an ``ok`` is then decoded again as the reply it expects."""


# --------------------------------------------------------------------------- codec


class _Envelope(msgspec.Struct):
    """Just enough of a bad frame to answer it with its ``id``."""

    type: Any = None
    id: Any = None


_encoder = msgspec.json.Encoder()
_request_decoder = msgspec.json.Decoder(ClientRequest)
_envelope_decoder = msgspec.json.Decoder(_Envelope)
_request_tags = frozenset(cls.__struct_config__.tag for cls in ClientRequest.__args__)


def encode(frame: msgspec.Struct) -> bytes:
    """Serialise a frame once; the bytes may be written to any number of connections."""
    return _encoder.encode(frame)


def decode_request(data: bytes | str) -> ClientRequest:
    """Decode and validate one client frame, or raise :class:`Refusal` with the right code."""
    if len(data) > MAX_FRAME_BYTES // 4 and (size := _byte_length(data)) > MAX_FRAME_BYTES:
        raise Refusal(
            ErrorCode.FRAME_TOO_LARGE,
            f"frames are limited to {MAX_FRAME_BYTES} bytes; this one has {size}",
        )
    try:
        request: ClientRequest = _request_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise _refusal_for(data, exc) from None
    except RecursionError:
        raise Refusal(ErrorCode.BAD_FRAME, "the frame is nested too deeply") from None
    return request


def _byte_length(data: bytes | str) -> int:
    return len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))


def request_id_of(data: bytes | str) -> RequestId | None:
    """The ``id`` of a frame that failed to decode, if it has a usable one."""
    try:
        value = _envelope_decoder.decode(data).id
    except (msgspec.DecodeError, RecursionError):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return value


def _refusal_for(data: bytes | str, exc: msgspec.DecodeError) -> Refusal:
    if not isinstance(exc, msgspec.ValidationError):
        return Refusal(ErrorCode.BAD_FRAME, f"the frame is not valid JSON: {exc}")
    try:
        envelope = _envelope_decoder.decode(data)
    except msgspec.ValidationError:
        return Refusal(ErrorCode.BAD_FRAME, "the frame must be a JSON object")
    except (msgspec.DecodeError, RecursionError) as unreadable:
        return Refusal(ErrorCode.BAD_FRAME, f"the frame cannot be read: {unreadable}")
    if envelope.type is None:
        return Refusal(ErrorCode.INVALID_FIELD, 'the frame has no "type" field')
    if not isinstance(envelope.type, str) or envelope.type not in _request_tags:
        return Refusal(ErrorCode.UNKNOWN_TYPE, f"unknown request type {envelope.type!r}")
    return Refusal(ErrorCode.INVALID_FIELD, str(exc))
