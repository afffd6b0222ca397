"""The 1:1 chat requests and chats a hub knows of, and the rules for asking, answering, ending.

Each move goes through :func:`~hubbub.hub.chats.advance`, which says who hears what; the
book tells only the connections of this process. On several processes the book shares
each move a user asked for (:class:`~hubbub.hub.cluster.ChatAsked`,
:class:`~hubbub.hub.cluster.ChatMoved`) and the other books make the same move; what
follows from a move (other requests closing when a chat starts, a chat ending when a
side leaves) each book works out for itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hubbub.hub.chats import Chat, Trigger, advance
from hubbub.hub.cluster import ChatAsked, ChatMoved, InChat
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.outbox import Outbox
from hubbub.protocol import ChatRequested, ErrorCode, PendingRequest, Refusal

if TYPE_CHECKING:
    from hubbub.hub.presence import OnlineUser, PresenceBoard


class ChatBook:
    """Pending requests by (requester, invitee) account ids, and each chat's two members."""

    def __init__(
        self,
        board: PresenceBoard,
        user_of: Callable[[int], OnlineUser | None],
        *,
        node: NodeId | None,
        request_ttl: float,
        new_id: Callable[[str], str],
    ) -> None:
        self.board = board
        self.user_of = user_of
        self.node = node
        self.request_ttl = request_ttl
        self.new_id = new_id
        self.requests: dict[tuple[int, int], Chat] = {}
        self.chats: dict[str, Chat] = {}
        """The chats going on, by conversation id."""
        self.members: dict[str, tuple[int, int]] = {}
        """Every chat conversation id this hub has seen → its two account ids."""

    # ------------------------------------------------------------------ asked here

    def ask(self, user: OnlineUser, invitee: OnlineUser, now: float) -> Outbox:
        """``user`` asks a free online user; they have ``request_ttl`` seconds to answer."""
        if invitee is user:
            raise Refusal(ErrorCode.CANNOT_INVITE_SELF, "you cannot ask yourself for a chat")
        if user.chat is not None:
            partner = user.chat.partner_of(user).name
            raise Refusal(
                ErrorCode.ALREADY_IN_CHAT, f"you are in a chat with {partner}; end it first"
            )
        if invitee.chat is not None:
            raise Refusal(ErrorCode.USER_BUSY, f"{invitee.name} is busy in another chat")
        if (user.account_id, invitee.account_id) in self.requests:
            raise Refusal(
                ErrorCode.REQUEST_PENDING, f"you already asked {invitee.name}; wait for the answer"
            )
        if (invitee.account_id, user.account_id) in self.requests:
            raise Refusal(
                ErrorCode.REQUEST_PENDING, f"{invitee.name} already asked you; answer their request"
            )
        out = self._ask(Chat(user, invitee, now + self.request_ttl), self.request_ttl)
        if self.node is not None:
            out.share(ChatAsked(user.account_id, invitee.account_id, self.request_ttl, self.node))
        return out

    def answer(
        self, user: OnlineUser, requester: OnlineUser | None, name: str, accept: bool, now: float
    ) -> Outbox:
        """Accept or decline the request of ``requester`` (asked for as ``name``)."""
        chat = (
            None
            if requester is None
            else self.requests.get((requester.account_id, user.account_id))
        )
        if chat is None:
            raise Refusal(ErrorCode.NO_SUCH_REQUEST, f"there is no chat request from {name} to you")
        if not accept:
            out = self._close(chat, Trigger.DECLINE, user.name)
            self._share(out, chat, Trigger.DECLINE, user.name)
            return out
        out = self._start(chat, self.new_id("chat"), now)
        self._share(out, chat, Trigger.ACCEPT, user.name)
        return out

    def end(self, user: OnlineUser, now: float) -> Outbox:
        if user.chat is None:
            raise Refusal(ErrorCode.NOT_IN_CHAT, "you are not in a chat")
        chat = user.chat
        out = self._finish(chat, Trigger.END, user.name, now)
        self._share(out, chat, Trigger.END, user.name)
        return out

    def expire(self, now: float) -> Outbox:
        """Close the requests asked on this process whose time is up."""
        out = Outbox()
        for chat in [c for c in self.requests.values() if c.expires_at <= now and not c.origin]:
            out.extend(self._close(chat, Trigger.EXPIRE, chat.requester.name))
            self._share(out, chat, Trigger.EXPIRE, chat.requester.name)
        return out

    def left(self, user: OnlineUser, how: Trigger, now: float) -> Outbox:
        """``user`` is online nowhere any more: its requests close and its chat ends ``how``."""
        out = Outbox()
        for chat in [c for c in self.requests.values() if user in (c.requester, c.invitee)]:
            gone = Trigger.REQUESTER_LEFT if chat.requester is user else Trigger.INVITEE_LEFT
            out.extend(self._close(chat, gone, user.name))
        if user.chat is not None:
            out.extend(self._finish(user.chat, how, user.name, now))
        return out

    def pending(self, user: OnlineUser, now: float) -> list[PendingRequest]:
        return [
            PendingRequest(c.requester.name, c.invitee.name, max(0.0, c.expires_at - now))
            for c in self.requests.values()
            if user in (c.requester, c.invitee)
        ]

    # ------------------------------------------------------------------ moved elsewhere

    def asked(self, op: ChatAsked, now: float) -> Outbox:
        """A request made on another process (or told in an announce)."""
        requester, invitee = self.user_of(op.requester_id), self.user_of(op.invitee_id)
        pair = (op.requester_id, op.invitee_id)
        if requester is None or invitee is None or pair in self.requests:
            return Outbox()
        origin = None if op.origin == self.node else op.origin
        chat = Chat(requester, invitee, now + op.expires_in, origin=origin)
        return self._ask(chat, op.expires_in)

    def moved(self, op: ChatMoved, now: float) -> Outbox:
        """A request or chat moved on another process: the same move here."""
        if op.trigger is Trigger.END:
            chat = self.chats.get(op.conversation)
            return Outbox() if chat is None else self._finish(chat, op.trigger, op.actor, now)
        pending = self.requests.get((op.requester_id, op.invitee_id))
        if pending is None:
            return Outbox()
        if op.trigger is Trigger.ACCEPT:
            return self._start(pending, op.conversation, now)
        return self._close(pending, op.trigger, op.actor)

    def in_chat(self, op: InChat, now: float) -> Outbox:
        """Two users are in a chat this process did not see start (it said hello since, or
        the accept was lost): it starts here, as if accepted now."""
        requester, invitee = self.user_of(op.requester_id), self.user_of(op.invitee_id)
        if requester is None or invitee is None or requester.chat or invitee.chat:
            return Outbox()
        pair = (op.requester_id, op.invitee_id)
        chat = self.requests.setdefault(pair, Chat(requester, invitee, now))
        return self._start(chat, op.conversation, now)

    def asked_on(self, node: NodeId, pending: set[tuple[int, int]]) -> Outbox:
        """Of the requests asked on ``node``, only ``pending`` are still open there: the
        others were answered or expired while ops were lost, and close as expired."""
        out = Outbox()
        for pair, chat in list(self.requests.items()):
            if chat.origin == node and pair not in pending:
                out.extend(self._close(chat, Trigger.EXPIRE, chat.requester.name))
        return out

    def node_gone(self, node: NodeId) -> Outbox:
        """The requests asked on ``node`` close: no clock is left to expire them."""
        out = Outbox()
        for chat in [c for c in self.requests.values() if c.origin == node]:
            out.extend(self._close(chat, Trigger.REQUESTER_LEFT, chat.requester.name))
        return out

    def announce(self, now: float) -> list[Op]:
        """The requests and chats that involve a user of this process."""
        ops: list[Op] = []
        for chat in self.requests.values():
            if chat.requester.here is not None or chat.invitee.here is not None:
                left = max(0.0, chat.expires_at - now)
                ids = chat.requester.account_id, chat.invitee.account_id
                ops.append(ChatAsked(*ids, left, chat.origin or self.node or ""))
        for chat in self.chats.values():
            if chat.requester.here is not None or chat.invitee.here is not None:
                ids = chat.requester.account_id, chat.invitee.account_id
                ops.append(InChat(*ids, chat.conversation))
        return ops

    def asked_here(self) -> list[tuple[int, int]]:
        """The requests asked on this process still open: (requester, invitee) ids."""
        return [pair for pair, chat in self.requests.items() if not chat.origin]

    # ------------------------------------------------------------------ moves

    def _ask(self, chat: Chat, expires_in: float) -> Outbox:
        self.requests[(chat.requester.account_id, chat.invitee.account_id)] = chat
        out = Outbox()
        out.send(chat.invitee.conns, ChatRequested(chat.requester.name, expires_in))
        return out

    def _start(self, chat: Chat, conversation: str, now: float) -> Outbox:
        """The invitee accepted: other requests of either side close, the chat starts."""
        del self.requests[(chat.requester.account_id, chat.invitee.account_id)]
        sides = {chat.requester, chat.invitee}
        out = Outbox()
        for other in [c for c in self.requests.values() if {c.requester, c.invitee} & sides]:
            out.extend(self._close(other, Trigger.BUSY, chat.invitee.name))
        self._open(chat, conversation, now)
        self._tell(out, chat, Trigger.ACCEPT, chat.invitee.name)
        return out

    def _open(self, chat: Chat, conversation: str, now: float) -> None:
        chat.conversation = conversation
        self.chats[conversation] = chat
        self.members[conversation] = (chat.requester.account_id, chat.invitee.account_id)
        for side in (chat.requester, chat.invitee):
            side.chat = chat
            self.board.changed(side.account_id, side.name, now)

    def _close(self, chat: Chat, trigger: Trigger, actor: str) -> Outbox:
        del self.requests[(chat.requester.account_id, chat.invitee.account_id)]
        out = Outbox()
        self._tell(out, chat, trigger, actor)
        return out

    def _finish(self, chat: Chat, trigger: Trigger, actor: str, now: float) -> Outbox:
        del self.chats[chat.conversation]
        out = Outbox()
        self._tell(out, chat, trigger, actor)
        for side in (chat.requester, chat.invitee):
            side.chat = None
            self.board.changed(side.account_id, side.name, now)
        return out

    @staticmethod
    def _tell(out: Outbox, chat: Chat, trigger: Trigger, actor: str) -> None:
        for user, event in advance(chat, trigger, actor):
            out.send(user.conns, event)

    def _share(self, out: Outbox, chat: Chat, trigger: Trigger, actor: str) -> None:
        if self.node is not None:
            ids = chat.requester.account_id, chat.invitee.account_id
            out.share(ChatMoved(*ids, trigger, actor, chat.conversation))
