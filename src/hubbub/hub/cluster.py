"""Several processes, one chat: the ops about people, presence, entries and 1:1 chats.

A hub with a node id shares an op for each change the other processes must follow; each
of them applies it (:meth:`~hubbub.hub.hub.Hub.apply`) and tells only its own
connections. An op says what happened, never whom to tell: every hub works that out from
its own state, with the same rules it uses for its own users. A user online on another
process is an :class:`~hubbub.hub.presence.OnlineUser` without connections here.

The ops travel in an :class:`Envelope`, one per outbox, encoded with msgpack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import msgspec

from hubbub.hub.admin import AccountActed, account_acted
from hubbub.hub.chats import Trigger
from hubbub.hub.cluster_rooms import RULE_APPLIERS, SharedRules
from hubbub.hub.cluster_sessions import SessionsEnded, sessions_ended
from hubbub.hub.decision import Decision
from hubbub.hub.ops import NodeId, Op
from hubbub.protocol import ChosenStatus
from hubbub.store import StoredMessage

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


class UserHere(Op, frozen=True):
    """The account is online on the sending process: ``connected`` there, or only with a
    session in its grace period, and the ``sessions`` it uses there. Sent when any of
    that changes, and in an announce."""

    account_id: int
    name: str
    key: str
    status: ChosenStatus
    connected: bool
    guest: bool = False
    sessions: tuple[str, ...] = ()
    """Session ids (:func:`~hubbub.store.session_id` of their tokens, never the tokens),
    so a ``sessions`` listing anywhere tells which are in use."""


class UserGone(Op, frozen=True):
    """The account has nothing left on the sending process: ``how`` it went
    (:attr:`Trigger.CLOSE` or :attr:`Trigger.DISCONNECT`), for its chat's end."""

    account_id: int
    how: Trigger


class Roster(Op, frozen=True):
    """Exactly these accounts are online on the sending process, and exactly these
    requests asked there are open (an announce's last op): anyone else said to be there
    went, and any other request was answered or expired, while ops were lost."""

    account_ids: list[int]
    asked: list[tuple[int, int]]


class StatusSet(Op, frozen=True):
    """The account chose a status (online or away): it is the same on every process."""

    account_id: int
    status: ChosenStatus


class EntryCommitted(Op, frozen=True):
    """An entry the sending process committed and delivered: every process delivers it
    to its own audience, in ``seq`` order."""

    entry: StoredMessage


class Typed(Op, frozen=True):
    """Someone is typing in a conversation: each process tells its own listeners."""

    conversation: str
    account_id: int
    name: str


class ChatAsked(Op, frozen=True):
    """A pending chat request; ``origin`` is the process whose clock expires it."""

    requester_id: int
    invitee_id: int
    expires_in: float
    origin: NodeId


class ChatMoved(Op, frozen=True):
    """A chat or request moved along :data:`~hubbub.hub.chats.TRANSITIONS` by one side's
    request or its expiry (accept, decline, expire, end); ``conversation`` is the chat's id.
    What follows from a user leaving is not sent: :class:`UserGone` says it all."""

    requester_id: int
    invitee_id: int
    trigger: Trigger
    actor: str
    conversation: str = ""


class InChat(Op, frozen=True):
    """Two users are in a 1:1 chat (in an announce: it may have started before the hello,
    or its accept been lost)."""

    requester_id: int
    invitee_id: int
    conversation: str


PeopleOp = (
    UserHere
    | UserGone
    | Roster
    | StatusSet
    | EntryCommitted
    | Typed
    | ChatAsked
    | ChatMoved
    | InChat
)
AnyOp = PeopleOp | SharedRules | SessionsEnded | AccountActed
"""Every op a process may receive: extend this union with another family of ops, and
:data:`APPLIERS` with how a hub applies each."""


class Envelope(msgspec.Struct, array_like=True, frozen=True):
    """One outbox's ops, from the process that made them."""

    node: NodeId
    ops: list[AnyOp]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(Envelope)


def encode_envelope(node: NodeId, ops: list[Op]) -> bytes:
    """The envelope's bytes; ``ops`` come from an outbox, where every op is one of AnyOp."""
    return _encoder.encode(Envelope(node, cast("list[AnyOp]", ops)))


def decode_envelope(data: bytes) -> Envelope:
    """The envelope in ``data``; raises :class:`msgspec.DecodeError` for anything else."""
    return _decoder.decode(data)


Applier = Callable[["Hub", NodeId, Any, float, float], Decision]
"""How a hub applies one kind of op: (hub, sending node, op, now, wall) → decision."""


def _user_here(hub: Hub, node: NodeId, op: UserHere, now: float, _wall: float) -> Decision:
    hub.user_here(node, op, now)
    return Decision()


def _user_gone(hub: Hub, node: NodeId, op: UserGone, now: float, _wall: float) -> Decision:
    return Decision(hub.user_gone(node, op.account_id, op.how, now))


def _roster(hub: Hub, node: NodeId, op: Roster, now: float, _wall: float) -> Decision:
    return Decision(hub.roster(node, set(op.account_ids), set(op.asked), now))


def _status_set(hub: Hub, _node: NodeId, op: StatusSet, now: float, _wall: float) -> Decision:
    hub.status_set(op.account_id, op.status, now)
    return Decision()


def _entry(hub: Hub, _node: NodeId, op: EntryCommitted, _now: float, _wall: float) -> Decision:
    return hub.in_order(op.entry)


def _typed(hub: Hub, _node: NodeId, op: Typed, _now: float, _wall: float) -> Decision:
    return Decision(hub.typed(op.conversation, op.account_id, op.name))


def _chat_asked(hub: Hub, _node: NodeId, op: ChatAsked, now: float, _wall: float) -> Decision:
    return Decision(hub.chats.asked(op, now))


def _chat_moved(hub: Hub, _node: NodeId, op: ChatMoved, now: float, _wall: float) -> Decision:
    return Decision(hub.chats.moved(op, now))


def _in_chat(hub: Hub, _node: NodeId, op: InChat, now: float, _wall: float) -> Decision:
    return Decision(hub.chats.in_chat(op, now))


APPLIERS: dict[type[Op], Applier] = {
    UserHere: _user_here,
    UserGone: _user_gone,
    Roster: _roster,
    StatusSet: _status_set,
    EntryCommitted: _entry,
    Typed: _typed,
    ChatAsked: _chat_asked,
    ChatMoved: _chat_moved,
    InChat: _in_chat,
    SessionsEnded: sessions_ended,
    AccountActed: account_acted,
    **RULE_APPLIERS,
}
