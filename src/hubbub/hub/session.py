"""Signing in and out, and catching a session up on what it missed: each entry once.

A sign-in attaches the connection to the hub at one instant: every entry delivered
before it is at or below the conversation's head (told in the answer), every later one
comes live. The replay reads what lies between the client's ``since`` and that head,
so nothing is sent twice and nothing falls between the two, by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from hubbub.hub.access import may_read
from hubbub.hub.cluster_rooms import Joined, enact
from hubbub.hub.decision import Decision
from hubbub.hub.effects import (
    AccountForToken,
    FindAccount,
    HashPassword,
    Hold,
    IsMember,
    IssueToken,
    ReadHistory,
    SignUp,
    TakeHeld,
    VerifyPassword,
)
from hubbub.hub.entries import as_event
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.hub.presence import GUEST_ROLE
from hubbub.hub.throttle import host_of
from hubbub.protocol import (
    LOBBY,
    ErrorCode,
    Refusal,
    ResumeGap,
    SignedIn,
    SignIn,
)
from hubbub.store import Account, NameTaken, SignedUp, StoredMessage

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub

MAX_PASSWORD_CHARS = 1024
MAX_RESUMED_CONVERSATIONS = 200
MAX_REPLAYED = 1000
"""Entries replayed per conversation at the most; a ``resume_gap`` tells the client where
the rest starts, for it to page with ``history``."""
BUSY_RETRY = 1.0
"""Seconds a sign-in refused ``busy`` is told to wait."""
REPLAY_PAGE = 250
FIRST_ROOMS = (LOBBY,)
"""The rooms every new account joins at its first sign-in."""


def sign_in(hub: Hub, conn: ConnId, request: SignIn, now: float, wall: float) -> Decision:
    if (current := hub.user_of(conn)) is not None:
        raise Refusal(
            ErrorCode.ALREADY_SIGNED_IN, f"this connection is signed in as {current.name}"
        )
    display, key = normalise_name(request.name)
    hub.flood.check_sign_in(key, now)
    host = host_of(hub.peer_of(conn))
    if request.token is not None:
        token = request.token

        def with_token(account: Account | None) -> Decision:
            if account is None or account.name_key != key:
                raise Refusal(
                    ErrorCode.INVALID_TOKEN,
                    f"this session token is not valid for {display} (signed out, revoked or "
                    f"unused for too long); sign in with the password",
                )
            return attach_account(hub, conn, request, account, token, now)

        used = AccountForToken(token, wall - hub.token_idle, request.device, host)
        return Decision.after(used, with_token)
    password = check_password(request.password)
    clean = hub.throttle.clean(key, host, now)
    attempt = hub.throttle.attempt(key, host, now)

    def issue(account: Account) -> Decision:
        _refuse_banned(hub, account)
        return Decision.after(
            IssueToken(account.id, request.device, host),
            lambda token: attach_account(hub, conn, request, account, token, now),
        )

    def verified(account: Account, right: bool | None) -> Decision:
        hub.throttle.checked(attempt, right)
        if right is None:
            raise busy()
        if right:
            return issue(account)
        if hub.online(key) is not None:
            raise Refusal(
                ErrorCode.NAME_IN_USE, f"{account.name} is signed in elsewhere; choose another name"
            )
        raise Refusal(ErrorCode.WRONG_PASSWORD, f"wrong password for {account.name}")

    def found(account: Account | None) -> Decision:
        if account is not None:
            return Decision.after(
                VerifyPassword(account.password_hash, password, clean),
                lambda right: verified(account, right),
            )
        hub.throttle.did_not_fail(attempt)
        hub.throttle.sign_up(host, now)
        return Decision.after(HashPassword(password, clean), hashed)

    def hashed(password_hash: str | None) -> Decision:
        if password_hash is None:
            raise busy()
        rooms = tuple(room for room in FIRST_ROOMS if hub.rooms.get(room) is not None)
        heads = {room: hub.head(room) for room in rooms}
        new = SignUp(display, key, password_hash, rooms, heads, request.device, host)
        return Decision.after(new, lambda outcome: signed_up(rooms, outcome))

    def signed_up(rooms: tuple[str, ...], outcome: SignedUp | NameTaken) -> Decision:
        if isinstance(outcome, NameTaken):
            if outcome.look_alike:
                raise look_alike(display, outcome)
            # Claimed meanwhile: now it is an account like any other.
            return sign_in(hub, conn, request, now, wall)
        account = outcome.account
        out = Outbox()
        for room in rooms:
            out.extend(enact(hub, Joined(room, account.id, account.name, account.name, "online")))
        decision = attach_account(hub, conn, request, account, outcome.token, now)
        decision.out = out.extended(decision.out)
        return decision

    return Decision.after(FindAccount(key), found)


def look_alike(display: str, taken: NameTaken) -> Refusal:
    """``name_in_use`` for a new name whose look-alike skeleton is someone's."""
    return Refusal(
        ErrorCode.NAME_IN_USE,
        f"{display} looks too much like {taken.holder}, who is already here; choose another name",
    )


def check_password(password: str | None) -> str:
    if password is None:
        raise Refusal(ErrorCode.INVALID_FIELD, "sign_in needs a password or a token")
    if not 1 <= len(password) <= MAX_PASSWORD_CHARS:
        raise Refusal(
            ErrorCode.INVALID_FIELD, f"a password is 1 to {MAX_PASSWORD_CHARS} characters"
        )
    return password


def busy() -> Refusal:
    """The password-hashing queue is full: refused at once rather than queued."""
    return Refusal(
        ErrorCode.BUSY,
        f"the server is busy checking other passwords; try again in {BUSY_RETRY:g} s",
        retry_after=BUSY_RETRY,
    )


def attach_account(
    hub: Hub, conn: ConnId, request: SignIn, account: Account, token: str, now: float
) -> Decision:
    if not hub.connected(conn):
        return Decision()
    _refuse_banned(hub, account)
    if account.role == "admin":
        hub.admins.add(account.id)
    else:
        hub.admins.discard(account.id)
    guest = account.role == GUEST_ROLE
    attached = hub.attach(conn, account.id, account.name, account.name_key, token, now, guest=guest)
    user = hub.signed_in(conn)
    heads = {room.id: hub.head(room.id) for room in hub.rooms.of(account.id)}
    chat = hub.chat_info(user)
    if chat is not None:
        heads[chat.conversation] = hub.head(chat.conversation)
    todo: list[_Span] = []
    for conversation, last in list(request.since.items())[:MAX_RESUMED_CONVERSATIONS]:
        try:
            allowed = may_read(hub, user, conversation)
        except Refusal:
            continue
        head = hub.head(conversation)
        heads[conversation] = head
        if last < head:
            todo.append(_Span(conversation, last, head, checked=bool(allowed)))
    out = Outbox()
    out.send(
        [conn],
        SignedIn(
            id=request.id,
            name=user.name,
            token=token,
            status=user.status,
            heads=heads,
            chat=chat,
            requests=hub.pending_requests(user, now),
            role="admin" if hub.is_admin(account.id) else "user",
        ),
        urgent=True,
    )
    out.extend(attached)
    replay = _Replay(hub, conn, account.id, todo)
    decision = replay.next()
    decision.out, decision.catch_up = out.extended(decision.out), True
    return decision


def _refuse_banned(hub: Hub, account: Account) -> None:
    if account.id in hub.banned:
        raise Refusal(ErrorCode.ACCOUNT_BANNED, f"{account.name} is banned from this server")


class _Span(NamedTuple):
    """Entries ``after < seq <= head`` of a conversation to replay; ``checked`` once the
    account is known to be allowed to read it (an old chat asks the store first)."""

    conversation: str
    after: int
    head: int
    checked: bool = True


class _Replay:
    """Pages through the conversations to catch up on, then the held direct messages."""

    def __init__(self, hub: Hub, conn: ConnId, account_id: int, todo: list[_Span]) -> None:
        self.hub, self.conn, self.account_id, self.todo = hub, conn, account_id, todo
        self.seen: dict[str, int] = {}
        self.sent = 0
        self.sent_here = 0

    def next(self) -> Decision:
        if not self.hub.connected(self.conn):
            return Decision().logged("sign_in", f"replay stopped: closed after {self.sent}")
        if not self.todo:
            return Decision.after(TakeHeld(self.account_id), self.held)
        span = self.todo[0]
        if not span.checked:
            return Decision.after(IsMember(span.conversation, self.account_id), self.checked)
        limit = min(REPLAY_PAGE, span.head - span.after, MAX_REPLAYED - self.sent_here)
        read = ReadHistory(span.conversation, after=span.after, limit=limit)
        return Decision.after(read, self.page)

    def checked(self, member: bool) -> Decision:
        span = self.todo.pop(0)
        if member:
            self.todo.insert(0, span._replace(checked=True))
        return self.next()

    def page(self, entries: list[StoredMessage]) -> Decision:
        conversation, _after, head, _checked = self.todo.pop(0)
        out = self.push(e for e in entries if e.seq <= head)
        self.sent_here += len(entries)
        last = entries[-1].seq if entries else head
        if last < head and self.sent_here < MAX_REPLAYED and entries:
            self.todo.insert(0, _Span(conversation, last, head))
        else:
            if last < head and entries:
                gap = ResumeGap(conversation=conversation, after=last, head=head)
                out.send([self.conn], gap, urgent=True)
            self.sent_here = 0
        decision = self.next()
        decision.out = out.extended(decision.out)
        return decision

    def held(self, entries: list[StoredMessage]) -> Decision:
        out = self.push(entries)
        return Decision(out).logged("sign_in", f"replayed={self.sent}" if self.sent else "")

    def push(self, entries: Iterable[StoredMessage]) -> Outbox:
        out = Outbox()
        for entry in entries:
            if entry.seq <= self.seen.get(entry.conversation, 0):
                continue
            self.seen[entry.conversation] = entry.seq
            out.send([self.conn], as_event(entry), urgent=True)
            self.sent += 1
        return out


def hold_again(hub: Hub, entries: Sequence[tuple[int, str, int]]) -> Decision:
    """Direct messages written to a connection that dropped before it could have read them:
    hold them again, and send them to the account's other open connections at once."""
    accounts = list(dict.fromkeys(account_id for account_id, _, _ in entries))

    def deliver_next(_: object = None) -> Decision:
        while accounts and not hub.conns_of([accounts[0]]):
            accounts.pop(0)
        if not accounts:
            return Decision()
        account_id = accounts.pop(0)

        def taken(held: list[StoredMessage]) -> Decision:
            out = Outbox()
            for entry in held:
                out.send(hub.conns_of([account_id]), as_event(entry), urgent=True)
            decision = deliver_next()
            decision.out = out.extended(decision.out)
            return decision

        return Decision.after(TakeHeld(account_id), taken)

    return Decision.after(Hold(tuple(entries)), deliver_next)
