"""The hub: every rule of who may do what, and who hears about it. Pure Python, no I/O.

Driven from one event loop thread, it owns all live state; each method takes one input
(a connection id and what it asked, or the clock) and returns an :class:`Outbox` of frames
to send. It never awaits, never locks and never touches a socket, so every rule is tested
in microseconds and no two inputs can race.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hubbub.hub.chats import Chat, Trigger, advance
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.hub.presence import Link, OnlineUser
from hubbub.protocol import (
    ChatRequested,
    ChosenStatus,
    ErrorCode,
    Event,
    Message,
    Notice,
    Presence,
    Refusal,
    UserInfo,
    UserJoined,
    UserLeft,
)

ALONE = "No one else is online yet — waiting for someone to join…"


class Hub:
    """Users, presence, chat requests, chats and delivery, for one server process."""

    def __init__(self, *, grace: float = 20.0, request_ttl: float = 60.0) -> None:
        self.grace = grace
        self.request_ttl = request_ttl
        self._links: dict[ConnId, Link] = {}
        self._users: dict[str, OnlineUser] = {}
        self._by_account: dict[int, OnlineUser] = {}
        self._listeners: dict[ConnId, OnlineUser] = {}
        self._requests: dict[tuple[int, int], Chat] = {}
        self._waiting: set[OnlineUser] = set()
        """Users with a parked session: the only ones the clock needs to look at."""
        self.lobby_head = 0
        """The ``seq`` of the last lobby message delivered: where a new session starts."""

    # ------------------------------------------------------------------ connections

    def connect(self, conn: ConnId, peer: str, now: float) -> None:
        self._links[conn] = Link(conn, peer, now)

    def sign_in(
        self, conn: ConnId, account_id: int, name: str, key: str, token: str, role: str = "user"
    ) -> Outbox:
        """Attach a connection to an account: resume a parked session, join, or add a device."""
        link = self._links[conn]
        if link.user is not None:
            raise Refusal(
                ErrorCode.ALREADY_SIGNED_IN, f"this connection is signed in as {link.user.name}"
            )
        out = Outbox()
        user = self._by_account.get(account_id)
        joining = user is None
        if user is None:
            user = OnlineUser(account_id, name, key, role)
            self._users[user.key] = user
            self._by_account[account_id] = user
        user.parked.pop(token, None)
        if not user.parked:
            self._waiting.discard(user)
        user.conns.add(conn)
        link.user, link.token = user, token
        others = list(self._listeners)
        self._listeners[conn] = user
        if joining:
            out.send(others, UserJoined(name=user.name, status=user.status))
        if len(self._users) == 1:
            out.send([conn], Notice(code="alone", text=ALONE))
        return out

    def sign_out(self, conn: ConnId) -> Outbox:
        """End this connection's session for good; the connection stays open, signed out."""
        link = self._links.get(conn)
        if link is None or link.user is None:
            raise Refusal(ErrorCode.NOT_SIGNED_IN, "sign in first")
        return self._detach(link, clean=True, now=0.0)

    def disconnect(self, conn: ConnId, *, clean: bool, now: float) -> Outbox:
        """A connection closed. Clean: its session ends now. Dropped: parked for a grace period."""
        link = self._links.pop(conn, None)
        if link is None or link.user is None:
            return Outbox()
        return self._detach(link, clean=clean, now=now)

    def _detach(self, link: Link, *, clean: bool, now: float) -> Outbox:
        user = link.user
        assert user is not None
        link.user = None
        user.conns.discard(link.conn)
        self._listeners.pop(link.conn, None)
        if clean:
            user.parked.pop(link.token, None)
        else:
            user.parked[link.token] = now + self.grace
            self._waiting.add(user)
        if user.online:
            return Outbox()
        return self._leave(user, Trigger.CLOSE)

    def tick(self, now: float) -> Outbox:
        """Let time pass: expire chat requests and the grace periods of dropped sessions."""
        out = Outbox()
        for chat in [c for c in self._requests.values() if c.expires_at <= now]:
            out.extend(self._close_request(chat, Trigger.EXPIRE, chat.requester.name))
        for user in list(self._waiting):
            expired = [token for token, until in user.parked.items() if until <= now]
            for token in expired:
                del user.parked[token]
            if not user.parked:
                self._waiting.discard(user)
            if expired and not user.online:
                out.extend(self._leave(user, Trigger.DISCONNECT))
        return out

    def _leave(self, user: OnlineUser, how: Trigger) -> Outbox:
        out = Outbox()
        for chat in [c for c in self._requests.values() if user in (c.requester, c.invitee)]:
            left = Trigger.REQUESTER_LEFT if chat.requester is user else Trigger.INVITEE_LEFT
            out.extend(self._close_request(chat, left, user.name))
        if user.chat is not None:
            out.extend(self._finish_chat(user.chat, how, user))
        del self._users[user.key]
        del self._by_account[user.account_id]
        self._waiting.discard(user)
        out.send(self._listeners, UserLeft(name=user.name))
        return out

    # ------------------------------------------------------------------ queries

    def user_of(self, conn: ConnId) -> OnlineUser | None:
        link = self._links.get(conn)
        return None if link is None else link.user

    def signed_in(self, conn: ConnId) -> OnlineUser:
        user = self.user_of(conn)
        if user is None:
            raise Refusal(ErrorCode.NOT_SIGNED_IN, "sign in first")
        return user

    def session_token(self, conn: ConnId) -> str:
        self.signed_in(conn)
        return self._links[conn].token

    def online(self, key: str) -> OnlineUser | None:
        return self._users.get(key)

    def peer_of(self, conn: ConnId) -> str:
        link = self._links.get(conn)
        return "-" if link is None else link.peer

    def connected(self, conn: ConnId) -> bool:
        return conn in self._links

    def conns_of(self, account_ids: Iterable[int]) -> list[ConnId]:
        conns: list[ConnId] = []
        for account_id in dict.fromkeys(account_ids):
            user = self._by_account.get(account_id)
            if user is not None:
                conns.extend(user.conns)
        return conns

    def users(self) -> list[UserInfo]:
        return [UserInfo(name=u.name, status=u.status) for u in self._users.values()]

    def links(self) -> list[Link]:
        return list(self._links.values())

    # ------------------------------------------------------------------ status

    def set_status(self, conn: ConnId, status: ChosenStatus) -> Outbox:
        user = self.signed_in(conn)
        before = user.status
        user.chosen = status
        return self._presence_changed(user, before)

    def _presence_changed(self, user: OnlineUser, before: str) -> Outbox:
        out = Outbox()
        if user.status != before:
            out.send(self._listeners, Presence(name=user.name, status=user.status))
        return out

    # ------------------------------------------------------------------ 1:1 chats

    def request_chat(self, conn: ConnId, invitee_name: str, now: float) -> Outbox:
        """Ask a free online user for a 1:1 chat; they have ``request_ttl`` seconds to answer."""
        user = self.signed_in(conn)
        invitee = self._users.get(normalise_name(invitee_name)[1])
        if invitee is None:
            raise Refusal(ErrorCode.USER_OFFLINE, f"{invitee_name} is not online")
        if invitee is user:
            raise Refusal(ErrorCode.CANNOT_INVITE_SELF, "you cannot ask yourself for a chat")
        if user.chat is not None:
            partner = user.chat.partner_of(user).name
            raise Refusal(
                ErrorCode.ALREADY_IN_CHAT, f"you are in a chat with {partner}; end it first"
            )
        if invitee.chat is not None:
            raise Refusal(ErrorCode.USER_BUSY, f"{invitee.name} is busy in another chat")
        if (user.account_id, invitee.account_id) in self._requests:
            raise Refusal(
                ErrorCode.REQUEST_PENDING, f"you already asked {invitee.name}; wait for the answer"
            )
        if (invitee.account_id, user.account_id) in self._requests:
            raise Refusal(
                ErrorCode.REQUEST_PENDING, f"{invitee.name} already asked you; answer their request"
            )
        chat = Chat(user, invitee, now + self.request_ttl)
        self._requests[(user.account_id, invitee.account_id)] = chat
        out = Outbox()
        out.send(invitee.conns, ChatRequested(requester=user.name, expires_in=self.request_ttl))
        return out

    def answer_chat(
        self, conn: ConnId, requester_name: str, accept: bool, conversation: str
    ) -> Outbox:
        """Accept or decline a pending request; accepting starts the chat in ``conversation``."""
        user = self.signed_in(conn)
        requester = self._users.get(normalise_name(requester_name)[1])
        chat = (
            None
            if requester is None
            else self._requests.get((requester.account_id, user.account_id))
        )
        if chat is None:
            raise Refusal(
                ErrorCode.NO_SUCH_REQUEST, f"there is no chat request from {requester_name} to you"
            )
        if not accept:
            return self._close_request(chat, Trigger.DECLINE, user.name)
        del self._requests[(chat.requester.account_id, user.account_id)]
        out = Outbox()
        for other in [
            c for c in self._requests.values() if {c.requester, c.invitee} & {chat.requester, user}
        ]:
            out.extend(self._close_request(other, Trigger.BUSY, user.name))
        chat.conversation = conversation
        for side in (chat.requester, chat.invitee):
            before = side.status
            side.chat = chat
            out.extend(self._presence_changed(side, before))
        self._tell(out, advance(chat, Trigger.ACCEPT, user.name))
        return out

    def end_chat(self, conn: ConnId) -> Outbox:
        user = self.signed_in(conn)
        if user.chat is None:
            raise Refusal(ErrorCode.NOT_IN_CHAT, "you are not in a chat")
        return self._finish_chat(user.chat, Trigger.END, user)

    def _close_request(self, chat: Chat, trigger: Trigger, actor: str) -> Outbox:
        del self._requests[(chat.requester.account_id, chat.invitee.account_id)]
        out = Outbox()
        self._tell(out, advance(chat, trigger, actor))
        return out

    def _finish_chat(self, chat: Chat, trigger: Trigger, actor: OnlineUser) -> Outbox:
        out = Outbox()
        self._tell(out, advance(chat, trigger, actor.name))
        for side in (chat.requester, chat.invitee):
            before = side.status
            side.chat = None
            out.extend(self._presence_changed(side, before))
        return out

    @staticmethod
    def _tell(out: Outbox, told: list[tuple[OnlineUser, Event]]) -> None:
        for user, event in told:
            out.send(user.conns, event)

    # ------------------------------------------------------------------ messages

    def deliver(self, message: Message, members: Sequence[int] | None) -> Outbox:
        """Send a committed message to everyone signed in, or to ``members``' connections."""
        out = Outbox()
        if members is None:
            self.lobby_head = max(self.lobby_head, message.seq)
            out.send(self._listeners, message)
        else:
            out.send(self.conns_of(members), message)
        return out
