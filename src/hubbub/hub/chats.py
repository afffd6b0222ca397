"""The messenger's 1:1 chat: a request, its answer, the chat, its end — as one transition table.

A :class:`Chat` starts ``PENDING`` when one user asks another, becomes ``CHATTING`` when
the invitee accepts, and is ``CLOSED`` by every other way out. :data:`TRANSITIONS` is the
whole lifecycle: each row names the next phase and what each side is told. A pair
(phase, trigger) that is not in the table cannot happen; the hub checks before it fires.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from hubbub.hub.ops import NodeId
from hubbub.protocol import ChatCancelled, ChatDeclined, ChatEnded, ChatStarted, Event

if TYPE_CHECKING:
    from hubbub.hub.presence import OnlineUser


class Phase(enum.Enum):
    PENDING = "pending"
    CHATTING = "chatting"
    CLOSED = "closed"


class Trigger(enum.Enum):
    ACCEPT = "invitee accepts"
    DECLINE = "invitee declines"
    EXPIRE = "request expires"
    BUSY = "either side started another chat"
    REQUESTER_LEFT = "requester signed out or dropped"
    INVITEE_LEFT = "invitee signed out or dropped"
    END = "either side ends the chat"
    CLOSE = "either side closed their client"
    DISCONNECT = "either side's connection was lost"


@dataclass(eq=False, slots=True)
class Chat:
    """A chat request and, once accepted, the chat it became."""

    requester: OnlineUser
    invitee: OnlineUser
    expires_at: float
    phase: Phase = Phase.PENDING
    conversation: str = ""
    origin: NodeId | None = None
    """The process whose clock expires the request: None for this one."""

    def partner_of(self, user: OnlineUser) -> OnlineUser:
        return self.invitee if user is self.requester else self.requester


Tell = Callable[[Chat, str], Event]
"""Builds what one side hears, from the chat and the name of the user who caused it."""


@dataclass(frozen=True, slots=True)
class Transition:
    to: Phase
    requester_hears: Tell | None
    invitee_hears: Tell | None


def _declined(reason: Literal["declined", "expired", "left", "busy"]) -> Tell:
    return lambda chat, _actor: ChatDeclined(by=chat.invitee.name, reason=reason)


def _cancelled(reason: Literal["expired", "left", "busy"]) -> Tell:
    return lambda chat, _actor: ChatCancelled(requester=chat.requester.name, reason=reason)


def _ended(reason: Literal["ended", "closed", "disconnected"]) -> Tell:
    return lambda chat, actor: ChatEnded(conversation=chat.conversation, by=actor, reason=reason)


def _started_with(side: Literal["requester", "invitee"]) -> Tell:
    def tell(chat: Chat, _actor: str) -> Event:
        partner = chat.invitee if side == "requester" else chat.requester
        return ChatStarted(conversation=chat.conversation, partner=partner.name)

    return tell


TRANSITIONS: Mapping[tuple[Phase, Trigger], Transition] = {
    (Phase.PENDING, Trigger.ACCEPT): Transition(
        Phase.CHATTING, _started_with("requester"), _started_with("invitee")
    ),
    (Phase.PENDING, Trigger.DECLINE): Transition(Phase.CLOSED, _declined("declined"), None),
    (Phase.PENDING, Trigger.EXPIRE): Transition(
        Phase.CLOSED, _declined("expired"), _cancelled("expired")
    ),
    (Phase.PENDING, Trigger.BUSY): Transition(Phase.CLOSED, _declined("busy"), _cancelled("busy")),
    (Phase.PENDING, Trigger.REQUESTER_LEFT): Transition(Phase.CLOSED, None, _cancelled("left")),
    (Phase.PENDING, Trigger.INVITEE_LEFT): Transition(Phase.CLOSED, _declined("left"), None),
    (Phase.CHATTING, Trigger.END): Transition(Phase.CLOSED, _ended("ended"), _ended("ended")),
    (Phase.CHATTING, Trigger.CLOSE): Transition(Phase.CLOSED, _ended("closed"), _ended("closed")),
    (Phase.CHATTING, Trigger.DISCONNECT): Transition(
        Phase.CLOSED, _ended("disconnected"), _ended("disconnected")
    ),
}


def advance(chat: Chat, trigger: Trigger, actor: str) -> list[tuple[OnlineUser, Event]]:
    """Move ``chat`` along the table and return who must hear what."""
    step = TRANSITIONS[(chat.phase, trigger)]
    chat.phase = step.to
    told: list[tuple[OnlineUser, Event]] = []
    if step.requester_hears is not None:
        told.append((chat.requester, step.requester_hears(chat, actor)))
    if step.invitee_hears is not None:
        told.append((chat.invitee, step.invitee_hears(chat, actor)))
    return told
