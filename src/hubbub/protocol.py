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
ChosenStatus: TypeAlias = Literal["online", "away"]

LOBBY = "lobby"
MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_CHARS = 4000
MAX_HISTORY_PAGE = 200
MAX_SEQ = 2**63 - 1

Seq: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=MAX_SEQ)]
"""A position in a conversation, as a client may name it: 0 (before the first) and up."""


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
    INTERNAL_ERROR = "internal_error"


class Refusal(Exception):
    """A request the server will not carry out: becomes an ``error`` frame for the requester."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --------------------------------------------------------------------------- requests


class Request(msgspec.Struct, tag_field="type", kw_only=True, frozen=True):
    id: RequestId


class SignIn(Request, tag="sign_in", frozen=True):
    """Sign in with a password (the first sign-in with a free name claims it) or a token.

    ``since`` maps conversation ids to the last ``seq`` the client saw: the server then
    sends every later message of those conversations before any live one.
    """

    name: str
    password: str | None = None
    token: str | None = None
    since: dict[str, Seq] = msgspec.field(default_factory=dict)


class SignOut(Request, tag="sign_out", frozen=True):
    pass


class Say(Request, tag="say", frozen=True):
    text: str
    conversation: str = LOBBY


class MessageUser(Request, tag="message_user", frozen=True):
    to: str
    text: str


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
)


# --------------------------------------------------------------------------- replies


class Ok(msgspec.Struct, tag_field="type", tag="ok", kw_only=True, frozen=True):
    """A request succeeded. Subclasses add the request's result beside ``id``."""

    id: RequestId


class SignedIn(Ok, tag="ok", frozen=True):
    """``heads``: the latest ``seq`` of the lobby at this sign-in. Older messages are in
    ``history``; a later resume asks for what came after it."""

    name: str
    token: str
    status: Status
    heads: dict[str, int] = msgspec.field(default_factory=dict)


class Sent(Ok, tag="ok", frozen=True):
    conversation: str
    seq: int
    ts: float


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
    conversation: str
    messages: list[Message]


class Error(msgspec.Struct, tag_field="type", tag="error", kw_only=True, frozen=True):
    id: RequestId | None
    code: ErrorCode
    message: str


# --------------------------------------------------------------------------- events


class Event(msgspec.Struct, tag_field="type", kw_only=True, frozen=True):
    pass


class Message(Event, tag="message", frozen=True):
    """A stored message. ``to`` is set on direct messages only."""

    conversation: str
    seq: int
    ts: float
    sender: str = msgspec.field(name="from")
    text: str
    to: str | None = None


class Presence(Event, tag="presence", frozen=True):
    name: str
    status: Status


class UserJoined(Event, tag="user_joined", frozen=True):
    name: str
    status: Status


class UserLeft(Event, tag="user_left", frozen=True):
    name: str


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


class Notice(Event, tag="notice", frozen=True):
    code: Literal["alone"]
    text: str


ServerEvent: TypeAlias = (
    Message
    | Presence
    | UserJoined
    | UserLeft
    | ChatRequested
    | ChatCancelled
    | ChatStarted
    | ChatDeclined
    | ChatEnded
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
