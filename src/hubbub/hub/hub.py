"""The hub: all live state and every rule of who may do what, and who hears about it.

Driven from one event loop thread, it owns all live state; each method takes one input
(a connection id and what it asked, or the clock) and returns what to send, or a
:class:`~hubbub.hub.decision.Decision` that also names the work to run first. It never
awaits, never locks and never touches a socket, so every rule is tested in
microseconds and no two inputs can race.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from hubbub.hub.access import audience
from hubbub.hub.chat_book import ChatBook
from hubbub.hub.chats import Trigger
from hubbub.hub.cluster import (
    APPLIERS,
    EntryCommitted,
    Roster,
    StatusSet,
    Typed,
    UserGone,
    UserHere,
)
from hubbub.hub.cluster_limits import share_spending
from hubbub.hub.decision import Decision
from hubbub.hub.effects import ReadGap
from hubbub.hub.entries import as_event
from hubbub.hub.flood import FLOODING, FloodControl, refusal
from hubbub.hub.inputs import normalise_name
from hubbub.hub.limits import Limits
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.ordering import InOrder
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.hub.presence import LEAVE_LINGER, Link, OnlineUser, PresenceBoard, Side
from hubbub.hub.rereads import Rereads
from hubbub.hub.rooms import Room, Rooms
from hubbub.hub.throttle import SignInThrottle
from hubbub.protocol import (
    ChatInfo,
    ChosenStatus,
    ClientRequest,
    ErrorCode,
    Notice,
    PendingRequest,
    Refusal,
    SeenStatus,
    TypingEvent,
    UserInfo,
)
from hubbub.store import ModerationState, RoomRecord, StoredMessage, dm_members, kind_of, session_id

SIGNED_OUT = 4012
"""Close code: the session this connection used was signed out, revoked or replaced."""
ALONE = "No one else is online yet — waiting for someone to join…"
TYPING_KEPT = 10.0
"""Seconds a typing throttle entry is remembered; anything past TYPING_EVERY will do."""


def random_id(prefix: str) -> str:
    return f"{prefix}:{secrets.token_hex(8)}"


class Hub:
    """Users, presence, rooms, chat requests, chats and delivery, for one server process."""

    def __init__(
        self,
        *,
        grace: float = 20.0,
        request_ttl: float = 60.0,
        new_id: Callable[[str], str] = random_id,
        limits: Limits | None = None,
        token_idle: float = 30 * 86400.0,
        node: NodeId | None = None,
        leave_linger: float = LEAVE_LINGER,
    ) -> None:
        self.node = node
        """This process's name among several (hub/ops.py); None when it runs alone."""
        self.limits = limits if limits is not None else Limits()
        self.flood = FloodControl(self.limits, shared=node is not None)
        self.throttle = SignInThrottle(self.limits, shared=node is not None)
        self.token_idle = token_idle
        """Seconds a session token may go unused before it expires."""
        self.grace = grace
        self.request_ttl = request_ttl
        self.new_id = new_id
        self.rooms = Rooms()
        self.board = PresenceBoard(leave_linger)
        self.typing_sent: dict[tuple[int, str], float] = {}
        """(account, conversation) → when its last typing event went out."""
        self._links: dict[ConnId, Link] = {}
        self._users: dict[str, OnlineUser] = {}
        self._by_account: dict[int, OnlineUser] = {}
        self.chats = ChatBook(
            self.board,
            self._by_account.get,
            node=node,
            request_ttl=request_ttl,
            new_id=new_id,
        )
        self._waiting: set[OnlineUser] = set()
        """Users with a parked session: the only ones the clock needs to look at."""
        self._heads: dict[str, int] = {}
        """Per conversation, the ``seq`` of the last entry delivered: where a session starts."""
        self._order = InOrder(self._heads)
        self._clock = 0.0
        """The time of the last tick: what an announce counts a request's time left from."""
        self.admins: set[int] = set()
        self.banned: set[int] = set()
        """Accounts banned from the server: they cannot sign in."""
        self.blocks: dict[int, set[int]] = {}
        """Account id → the accounts it blocks."""
        self.audit_seen = 0
        self.rereads = Rereads()
        """Room ops heard while the rooms are read again from the store (hub/rereads.py)."""
        """The last audit row whose account change this hub has followed (see hub/admin.py)."""

    def load(self, rooms: Iterable[RoomRecord], heads: dict[str, int]) -> None:
        """Start from what the store keeps: the rooms and each conversation's last ``seq``."""
        self.rooms.load(rooms)
        self._heads.update(heads)

    def load_moderation(self, state: ModerationState) -> None:
        """Start from the stored moderators, bans, mutes, blocks and admins."""
        for room_id, account_id in state.moderators:
            if (room := self.rooms.get(room_id)) is not None:
                room.moderators.add(account_id)
        for room_id, account_id in state.room_bans:
            if (room := self.rooms.get(room_id)) is not None:
                room.banned.add(account_id)
        for room_id, account_id, until in state.mutes:
            if (room := self.rooms.get(room_id)) is not None:
                room.muted[account_id] = until
        for account_id, blocked_id in state.blocks:
            self.blocks.setdefault(account_id, set()).add(blocked_id)
        self.banned.update(state.banned)
        self.admins.update(state.admins)
        self.audit_seen = state.last_audit

    def is_admin(self, account_id: int) -> bool:
        return account_id in self.admins

    def head(self, conversation: str) -> int:
        return self._heads.get(conversation, 0)

    # ------------------------------------------------------------------ connections

    def connect(self, conn: ConnId, peer: str, now: float) -> None:
        self._links[conn] = Link(conn, peer, now)

    def attach(
        self,
        conn: ConnId,
        account_id: int,
        name: str,
        key: str,
        token: str,
        now: float,
        *,
        guest: bool = False,
    ) -> Outbox:
        """Sign a connection in: resume a parked session, come online, or add a device.

        From this moment the connection hears its rooms live: everything delivered
        before is below :meth:`head`, everything after above it.
        """
        link = self._links[conn]
        if link.user is not None:
            raise Refusal(
                ErrorCode.ALREADY_SIGNED_IN, f"this connection is signed in as {link.user.name}"
            )
        out = Outbox()
        user = self._by_account.get(account_id)
        if user is None:
            user = OnlineUser(account_id, name, key)
            self._users[user.key] = user
            self._by_account[account_id] = user
            self.board.changed(account_id, name, now)
        before = self._side(user)
        user.guest = guest
        user.unpark((token,))
        if not user.parked:
            self._waiting.discard(user)
        user.conns += (conn,)
        link.user, link.token = user, token
        self._tell_here(out, user, before)
        self.rooms.listen(account_id, conn)
        for room in self.rooms.of(account_id):
            out.send_encoded([conn], self.board.snapshot(room), urgent=True)
        if len(self._users) == 1:
            out.send([conn], Notice(code="alone", text=ALONE), urgent=True)
        return out

    def end_sessions(
        self,
        account_id: int,
        now: float,
        *,
        code: int = SIGNED_OUT,
        notice: Notice | None = None,
        ended: Callable[[str], bool] = lambda _token: True,
        spare: ConnId | None = None,
    ) -> Outbox:
        """End the account's sessions whose token is ``ended`` (all of them by default) now:
        their open connections are signed out, told ``notice`` if there is one and closed
        with ``code`` (a sign-out, a ban, a password reset), but ``spare`` stays open,
        signed out; such parked sessions are forgotten."""
        user = self._by_account.get(account_id)
        out = Outbox()
        if user is None:
            return out
        before = self._side(user)
        user.unpark([token for token in user.parked or () if ended(token)])
        if not user.parked:
            self._waiting.discard(user)
        conns = [conn for conn in user.conns if ended(self._links[conn].token)]
        closing = [conn for conn in conns if conn != spare]
        if notice is not None:
            out.send(closing, notice, urgent=True)
        for conn in conns:
            self._unlink(self._links[conn], clean=True, now=now)
        out.extend(self._went(user, before, Trigger.CLOSE, now))
        out.close(closing, code, notice.text if notice is not None else "this session ended")
        return out

    def tokens_of(self, account_id: int) -> set[str]:
        """The tokens the account's open connections and parked sessions use."""
        user = self._by_account.get(account_id)
        if user is None:
            return set()
        return {self._links[conn].token for conn in user.conns} | set(user.parked or ())

    def sessions_in_use(self, account_id: int) -> set[str]:
        """The ids of the account's sessions that an open connection uses, or that are in
        their grace period, here or on another process."""
        user = self._by_account.get(account_id)
        if user is None:
            return set()
        ids = self._sessions_here(account_id)
        for side in (user.elsewhere or {}).values():
            ids.update(side.sessions)
        return ids

    def _sessions_here(self, account_id: int) -> set[str]:
        """The ids of the account's sessions that this process's connections use or that
        are in their grace period here."""
        return {session_id(token) for token in self.tokens_of(account_id)}

    def disconnect(self, conn: ConnId, *, clean: bool, now: float) -> Outbox:
        """A connection closed. Clean: its session ends now. Dropped: parked for a grace period."""
        link = self._links.get(conn)
        if link is None or link.user is None:
            self._links.pop(conn, None)
            return Outbox()
        user = link.user
        before = self._side(user)  # while the link is here: its session id comes through it
        del self._links[conn]
        self._unlink(link, clean=clean, now=now)
        return self._went(user, before, Trigger.CLOSE, now)

    def _unlink(self, link: Link, *, clean: bool, now: float) -> None:
        user = link.user
        assert user is not None
        link.user = None
        user.conns = tuple(conn for conn in user.conns if conn != link.conn)
        self.rooms.unlisten(user.account_id, link.conn)
        if clean:
            user.unpark((link.token,))
        else:
            user.park(link.token, now + self.grace)
            self._waiting.add(user)

    def _went(self, user: OnlineUser, before: Side | None, how: Trigger, now: float) -> Outbox:
        """After the user's connections or sessions here changed: tell the other processes,
        and if it is online nowhere any more, it leaves."""
        out = Outbox()
        if user.here is None and before is not None and self.node is not None:
            out.share(UserGone(user.account_id, how))
        else:
            self._tell_here(out, user, before)
        if not user.online and self._by_account.get(user.account_id) is user:
            out.extend(self._leave(user, how, now))
        return out

    def _side(self, user: OnlineUser) -> Side | None:
        """The user's side on this process, as the others are told it; None if absent.
        A hub alone tells no one, so it does not work out the session ids."""
        here = user.here
        if here is None:
            return None
        if self.node is None:
            return Side(here, ())
        return Side(here, tuple(sorted(self._sessions_here(user.account_id))))

    def _tell_here(self, out: Outbox, user: OnlineUser, before: Side | None) -> None:
        """Share the user's side here if it changed since ``before``."""
        if self.node is None:
            return
        side = self._side(user)
        if side is not None and side != before:
            out.share(self._here_op(user, side))

    @staticmethod
    def _here_op(user: OnlineUser, side: Side) -> UserHere:
        return UserHere(
            user.account_id,
            user.name,
            user.key,
            user.chosen,
            side.connected,
            user.guest,
            side.sessions,
        )

    def tick(self, now: float) -> Outbox:
        """Let time pass: expire chat requests and grace periods, tell presence changes."""
        self._clock = now
        out = self.chats.expire(now)
        for user in list(self._waiting):
            expired = [token for token, until in (user.parked or {}).items() if until <= now]
            before = self._side(user) if expired else None
            user.unpark(expired)
            if not user.parked:
                self._waiting.discard(user)
            if expired:
                out.extend(self._went(user, before, Trigger.DISCONNECT, now))
        out.extend(self.board.flush(now, self.seen_status, self.rooms.of))
        self.flood.prune(now)
        self.throttle.prune(now)
        out.extend(share_spending(self))
        if self.typing_sent:
            stale = [k for k, sent in self.typing_sent.items() if sent + TYPING_KEPT < now]
            for key in stale:
                del self.typing_sent[key]
        return out

    def _leave(self, user: OnlineUser, how: Trigger, now: float) -> Outbox:
        out = self.chats.left(user, how, now)
        del self._users[user.key]
        del self._by_account[user.account_id]
        self._waiting.discard(user)
        self.board.changed(user.account_id, user.name, now)
        return out

    def admit(self, conn: ConnId, request: ClientRequest, now: float) -> Outbox | None:
        """Spend the account's allowance on ``request``: None if it may go on.

        Over the limit it is refused ``rate_limited``; a connection that has been refused
        ``flood_strikes`` times in a row is closed instead (the outbox returned).
        """
        link = self._links.get(conn)
        if link is None or link.user is None:
            return None
        wait = self.flood.wait(link.user.account_id, request, now)
        if not wait:
            link.strikes = 0
            return None
        link.strikes += 1
        if link.strikes < self.limits.flood_strikes:
            raise refusal(wait)
        self.flood.closed(link.user.key, now)
        out = share_spending(self)
        out.close([conn], FLOODING, "too many requests over the rate limit")
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

    def online_account(self, account_id: int) -> OnlineUser | None:
        return self._by_account.get(account_id)

    def seen_status(self, account_id: int) -> SeenStatus:
        user = self._by_account.get(account_id)
        return "offline" if user is None else user.status

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

    def all_users(self) -> list[UserInfo]:
        """Everyone online, for the server console."""
        return [UserInfo(name=u.name, status=u.status) for u in self._users.values()]

    def visible_users(self, user: OnlineUser) -> list[UserInfo]:
        """Everyone online who shares a room with ``user``, and ``user``."""
        seen: dict[int, OnlineUser] = {user.account_id: user}
        for room in self.rooms.of(user.account_id):
            for account_id in room.members:
                other = self._by_account.get(account_id)
                if other is not None:
                    seen[account_id] = other
        return [UserInfo(name=u.name, status=u.status) for u in seen.values()]

    def links(self) -> list[Link]:
        return list(self._links.values())

    def chat_info(self, user: OnlineUser) -> ChatInfo | None:
        if user.chat is None:
            return None
        return ChatInfo(user.chat.conversation, user.chat.partner_of(user).name)

    def pending_requests(self, user: OnlineUser, now: float) -> list[PendingRequest]:
        return self.chats.pending(user, now)

    def participants(self, conversation: str) -> tuple[int, ...] | None:
        """The account ids in a DM or a chat this process knows; None for other ids."""
        kind = kind_of(conversation)
        if kind == "dm":
            return dm_members(conversation)
        if kind == "chat":
            return self.chats.members.get(conversation)
        return None

    def room_of(self, conversation: str) -> Room | None:
        return self.rooms.get(conversation)

    # ------------------------------------------------------------------ status

    def set_status(self, conn: ConnId, status: ChosenStatus, now: float) -> Outbox:
        user = self.signed_in(conn)
        out = Outbox()
        if user.chosen != status:
            self.status_set(user.account_id, status, now)
            if self.node is not None:
                out.share(StatusSet(user.account_id, status))
        return out

    def status_set(self, account_id: int, status: ChosenStatus, now: float) -> None:
        """The account chose a status, here or on another process."""
        user = self._by_account.get(account_id)
        if user is not None and user.chosen != status:
            user.chosen = status
            self.board.changed(user.account_id, user.name, now)

    # ------------------------------------------------------------------ 1:1 chats

    def request_chat(self, conn: ConnId, invitee_name: str, now: float) -> Outbox:
        """Ask a free online user for a 1:1 chat; they have ``request_ttl`` seconds to answer."""
        user = self.signed_in(conn)
        invitee = self._users.get(normalise_name(invitee_name)[1])
        if invitee is None:
            raise Refusal(ErrorCode.USER_OFFLINE, f"{invitee_name} is not online")
        return self.chats.ask(user, invitee, now)

    def answer_chat(self, conn: ConnId, requester_name: str, accept: bool, now: float) -> Outbox:
        """Accept or decline a pending request; accepting starts the chat in a new conversation."""
        user = self.signed_in(conn)
        requester = self._users.get(normalise_name(requester_name)[1])
        return self.chats.answer(user, requester, requester_name, accept, now)

    def end_chat(self, conn: ConnId, now: float) -> Outbox:
        return self.chats.end(self.signed_in(conn), now)

    # ------------------------------------------------------------------ delivery

    def deliver(self, stored: StoredMessage) -> Outbox:
        """Send a committed entry to whoever is in its conversation now (no order check:
        on several processes, entries go through :meth:`committed` or :meth:`in_order`)."""
        self._heads[stored.conversation] = max(self.head(stored.conversation), stored.seq)
        out = Outbox()
        out.send(audience(self, stored.conversation), as_event(stored))
        return out

    def committed(self, stored: StoredMessage) -> Decision:
        """Deliver an entry this process committed; on several, share it and keep the order."""
        if self.node is None:
            return Decision(self.deliver(stored))
        out = Outbox()
        out.share(EntryCommitted(stored))
        return self.in_order(stored, out)

    def in_order(self, stored: StoredMessage, out: Outbox | None = None) -> Decision:
        """Deliver an entry after every earlier one of its conversation, once: one that came
        early waits while the missing ones are read from the store."""
        out = out if out is not None else Outbox()
        for entry in self._order.arrive(stored):
            out.extend(self.deliver(entry))
        return self._fill_gap(stored.conversation, out)

    def _fill_gap(self, conversation: str, out: Outbox) -> Decision:
        gap = self._order.gap(conversation)
        if gap is None:
            return Decision(out)
        after, missing = gap

        def read(entries: list[StoredMessage] | None) -> Decision:
            filled = Outbox()
            for entry in self._order.filled(conversation, entries):
                filled.extend(self.deliver(entry))
            return self._fill_gap(conversation, filled)

        return Decision.after(ReadGap(conversation, after, missing), read, out)

    def typed(self, conversation: str, account_id: int, name: str) -> Outbox:
        """Tell a conversation's listeners that someone is typing (but not that one's own
        devices); the other processes tell theirs."""
        user = self._by_account.get(account_id)
        mine = user.conns if user is not None else ()
        out = Outbox()
        others = [c for c in audience(self, conversation) if c not in mine]
        out.send(others, TypingEvent(conversation=conversation, name=name))
        return out

    def typing(self, conversation: str, user: OnlineUser) -> Outbox:
        out = self.typed(conversation, user.account_id, user.name)
        if self.node is not None:
            out.share(Typed(conversation, user.account_id, user.name))
        return out

    # ------------------------------------------------------------------ other processes

    def apply(self, node: NodeId, op: Op, now: float, wall: float) -> Decision:
        """Follow a change another process made; the decision says what this one's
        connections hear (and maybe what to read first)."""
        applier = APPLIERS.get(type(op))
        if node == self.node or applier is None:
            return Decision()
        self.rereads.heard(node, op)
        return applier(self, node, op, now, wall)

    def announce(self) -> list[Op]:
        """What a process that just said hello must learn from this one: the users online
        here, and the requests and chats they are in."""
        sides = [
            (user, side) for user in self._users.values() if (side := self._side(user)) is not None
        ]
        ops: list[Op] = [self._here_op(user, side) for user, side in sides]
        ops.extend(self.chats.announce(self._clock))
        ops.append(Roster([user.account_id for user, _ in sides], self.chats.asked_here()))
        return ops

    def user_here(self, node: NodeId, op: UserHere, now: float) -> None:
        """The account is online on ``node`` (told at the next tick, like anyone's)."""
        user = self._by_account.get(op.account_id)
        if user is None:
            if op.key in self._users:
                return
            user = OnlineUser(op.account_id, op.name, op.key, op.status, guest=op.guest)
            self._users[user.key] = user
            self._by_account[user.account_id] = user
            self.board.changed(user.account_id, user.name, now)
        user.seen_on(node, Side(op.connected, op.sessions))
        self.status_set(user.account_id, op.status, now)

    def user_gone(self, node: NodeId, account_id: int, how: Trigger, now: float) -> Outbox:
        """The account has nothing left on ``node``: it leaves if it is online nowhere else."""
        user = self._by_account.get(account_id)
        if user is None or not user.gone_from(node):
            return Outbox()
        return self._went(user, self._side(user), how, now)

    def roster(
        self, node: NodeId, account_ids: set[int], asked: set[tuple[int, int]], now: float
    ) -> Outbox:
        """Exactly ``account_ids`` are online on ``node`` and the requests ``asked`` there
        are open: the others left (as if their connection dropped), were answered or
        expired while ops were lost (a Redis outage)."""
        return self._only_online(node, account_ids, now).extended(self.chats.asked_on(node, asked))

    def _only_online(self, node: NodeId, account_ids: set[int], now: float) -> Outbox:
        out = Outbox()
        for user in [u for u in self._users.values() if node in (u.elsewhere or ())]:
            if user.account_id not in account_ids:
                out.extend(self.user_gone(node, user.account_id, Trigger.DISCONNECT, now))
        return out

    def node_gone(self, node: NodeId, now: float) -> Outbox:
        """``node`` stopped: forget what it said. Its users leave unless online elsewhere
        (the others are told after the usual linger), and its pending requests close."""
        return self._only_online(node, set(), now).extended(self.chats.node_gone(node))
