"""The messenger's 1:1 chat as a client sees it: the current chat and pending requests both ways.

Pure bookkeeping for :mod:`hubbub.client.state`; each change returns the line to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from hubbub import protocol

CHAT_REQUEST_LASTS = 60.0
"""Seconds a chat request waits for its answer before the server lets it expire."""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """A chat request from ``requester`` to ``invitee``, unanswered; gone at ``expires_at``."""

    requester: str
    invitee: str
    expires_at: float


class Chats:
    """The current chat (``current``) and the requests to me and from me, by the other's name.

    Starting a chat clears every pending request: the server withdraws the others.
    """

    def __init__(self) -> None:
        self.current: protocol.ChatInfo | None = None
        self.to_me: dict[str, ChatRequest] = {}
        self.from_me: dict[str, ChatRequest] = {}

    def signed_in(self, reply: protocol.SignedIn, now: float) -> None:
        """Take the chat and requests of a sign-in reply as the whole truth."""
        self.current = reply.chat
        self.to_me.clear()
        self.from_me.clear()
        me = reply.name.casefold()
        for pending in reply.requests:
            request = ChatRequest(pending.requester, pending.invitee, now + pending.expires_in)
            if pending.invitee.casefold() == me:
                self.to_me[pending.requester] = request
            else:
                self.from_me[pending.invitee] = request

    def sent(self, me: str, to: str, now: float, expires_in: float) -> None:
        self.from_me[to] = ChatRequest(me, to, now + expires_in)

    def answered(self, requester: str) -> None:
        self.to_me.pop(requester, None)

    def requested(self, me: str, event: protocol.ChatRequested, now: float) -> str:
        self.to_me[event.requester] = ChatRequest(event.requester, me, now + event.expires_in)
        return f"{event.requester} asks you for a chat"

    def cancelled(self, event: protocol.ChatCancelled) -> str:
        self.to_me.pop(event.requester, None)
        who = event.requester
        if event.reason == "expired":
            return f"{who}'s chat request expired"
        if event.reason == "left":
            return f"{who} left; their chat request is withdrawn"
        return f"{who} is busy now; their chat request is withdrawn"

    def declined(self, event: protocol.ChatDeclined) -> str:
        self.from_me.pop(event.by, None)
        who = event.by
        if event.reason == "declined":
            return f"{who} declined your chat request"
        if event.reason == "expired":
            return f"Your chat request to {who} expired"
        if event.reason == "left":
            return f"{who} left before answering your chat request"
        return f"{who} is busy"

    def started(self, event: protocol.ChatStarted) -> str:
        self.current = protocol.ChatInfo(event.conversation, event.partner)
        self.to_me.clear()
        self.from_me.clear()
        return f"Chat with {event.partner} started"

    def ended(self, me: str, event: protocol.ChatEnded) -> str:
        if self.current is not None and self.current.conversation == event.conversation:
            self.current = None
        if event.by.casefold() == me.casefold():
            return "You ended the chat"
        if event.reason == "ended":
            return f"{event.by} ended the chat"
        if event.reason == "closed":
            return f"{event.by} closed the chat"
        return f"{event.by} was disconnected; the chat is over"
