"""Messages: say, direct messages, edits and deletes, typing, read markers, history, search.

Every send follows one rule: the hub checks, the store commits, and only then is the
entry delivered (to whoever is in the conversation at that moment) and the sender
answered with its ``seq``. A resend with a known ``client_id`` stores and delivers nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hubbub.calc import CalcError, evaluate, format_result
from hubbub.hub.access import check_writable, may_moderate, readable
from hubbub.hub.blocks import check_not_blocked
from hubbub.hub.decision import Decision
from hubbub.hub.effects import (
    Append,
    FindAccount,
    FindMessage,
    Moderate,
    MoveReadMarker,
    ReadHistory,
    SearchMessages,
)
from hubbub.hub.entries import as_event
from hubbub.hub.guests import is_guest_account
from hubbub.hub.inputs import check_text, name_key, normalise_name
from hubbub.hub.mentions import mentioned
from hubbub.hub.moderation import check_not_muted, check_target
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.protocol import (
    MAX_QUERY_CHARS,
    TYPING_EVERY,
    Calc,
    CalcResult,
    DeleteMessage,
    EditMessage,
    ErrorCode,
    History,
    HistoryPage,
    MarkRead,
    MessageUser,
    Ok,
    ReadMarker,
    Refusal,
    RequestId,
    Say,
    Search,
    SearchHit,
    SearchResults,
    Sent,
    Typing,
)
from hubbub.store import Account, Act, Draft, Found, StoredMessage, dm_conversation, kind_of

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


def _appended(hub: Hub, draft: Draft, then: Callable[[StoredMessage], Decision]) -> Decision:
    """Store the draft, then decide ``then`` with its record. The store refuses a room
    archived meanwhile by another process (within the bus's delay, before this hub heard
    of it): nothing is stored or delivered, and the sender is told ``room_archived``."""

    def archived() -> Refusal:
        room = hub.room_of(draft.conversation)
        name = room.name if room is not None else draft.conversation
        return Refusal(ErrorCode.ROOM_ARCHIVED, f"{name} was archived just now: it is read-only")

    return Decision.after(Append(draft, archived), then)


def _stored(hub: Hub, conn: ConnId, request_id: RequestId, stored: StoredMessage) -> Decision:
    """Deliver a committed entry (unless it is a resend's), then answer with its place."""
    decision = Decision() if stored.duplicate else hub.committed(stored)
    sent = Sent(
        id=request_id,
        conversation=stored.conversation,
        seq=stored.seq,
        ts=stored.ts,
        duplicate=stored.duplicate,
    )
    decision.out.send([conn], sent, urgent=True)
    return decision


def _mentions(
    hub: Hub, sender_id: int, conversation: str, text: str
) -> tuple[tuple[int, str], ...]:
    """The members of the conversation that ``text`` mentions, but those who block the
    sender: someone you block cannot ping you from a room you share."""
    if "@" not in text:
        return ()
    room = hub.room_of(conversation)
    if room is not None:
        found = mentioned(text, room.member)
    else:
        names: dict[str, tuple[int, str]] = {}
        for account_id in hub.participants(conversation) or ():
            name = hub.rooms.name_of(account_id)
            if name is not None:
                names[name_key(name)] = (account_id, name)
        found = mentioned(text, names.get)
    return tuple(m for m in found if sender_id not in hub.blocks.get(m[0], ()))


def say(hub: Hub, conn: ConnId, request: Say, wall: float) -> Decision:
    user = hub.signed_in(conn)
    text = check_text(request.text)
    conversation = request.conversation
    check_writable(hub, user, conversation)
    check_not_muted(hub, user, conversation, wall)
    to = None
    if kind_of(conversation) == "dm":
        others = [a for a in hub.participants(conversation) or () if a != user.account_id]
        to = hub.rooms.name_of(others[0]) if others else None
        if to is None:
            raise Refusal(ErrorCode.UNKNOWN_CONVERSATION, "write to this person with message_user")
        check_not_blocked(hub, user.account_id, others[0], to)
    elif user.chat is not None and user.chat.conversation == conversation:
        partner = user.chat.partner_of(user)
        check_not_blocked(hub, user.account_id, partner.account_id, partner.name)
    draft = Draft(
        conversation=conversation,
        sender_id=user.account_id,
        sender=user.name,
        text=text,
        to=to,
        client_id=request.client_id,
        mentions=_mentions(hub, user.account_id, conversation, text),
    )
    return _appended(hub, draft, lambda stored: _stored(hub, conn, request.id, stored))


def _connected(hub: Hub, account_id: int) -> bool:
    """Whether the account has an open connection on some process, which delivers to it."""
    user = hub.online_account(account_id)
    return user is not None and user.connected


def message_user(hub: Hub, conn: ConnId, request: MessageUser) -> Decision:
    """A private message; an offline recipient gets it at their next sign-in."""
    user = hub.signed_in(conn)
    text = check_text(request.text)
    _, key = normalise_name(request.to)
    if key == user.key:
        raise Refusal(ErrorCode.CANNOT_MESSAGE_SELF, "a direct message needs someone else")

    def to(recipient_id: int, recipient: str) -> Decision:
        check_not_blocked(hub, user.account_id, recipient_id, recipient)
        conversation = dm_conversation(user.account_id, recipient_id)
        names = {user.key: (user.account_id, user.name), key: (recipient_id, recipient)}
        draft = Draft(
            conversation=conversation,
            sender_id=user.account_id,
            sender=user.name,
            text=text,
            to=recipient,
            client_id=request.client_id,
            mentions=mentioned(text, names.get),
            hold_for=() if _connected(hub, recipient_id) else (recipient_id,),
            members=(user.account_id, recipient_id),
        )

        def stored(entry: StoredMessage) -> Decision:
            return _stored(hub, conn, request.id, entry).logged(
                "message_user", f"to={recipient} seq={entry.seq}"
            )

        return _appended(hub, draft, stored)

    online = hub.online(key)
    if online is not None:
        return to(online.account_id, online.name)

    def found(account: Account | None) -> Decision:
        if account is None or is_guest_account(account):
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.to}")
        return to(account.id, account.name)

    return Decision.after(FindAccount(key), found)


def change(hub: Hub, conn: ConnId, request: EditMessage | DeleteMessage, wall: float) -> Decision:
    """Edit or delete one of the sender's own messages, as a change record of its own.

    A room's moderators may delete anyone's message there; that is in the audit log."""
    user = hub.signed_in(conn)
    editing = isinstance(request, EditMessage)
    text = check_text(request.text) if isinstance(request, EditMessage) else ""
    check_writable(hub, user, request.conversation)
    if editing:
        check_not_muted(hub, user, request.conversation, wall)
    room = hub.room_of(request.conversation)

    def found(target: StoredMessage | None) -> Decision:
        if target is None or target.kind != "message" or target.deleted:
            raise Refusal(
                ErrorCode.UNKNOWN_MESSAGE,
                f"there is no message {request.seq} in {request.conversation!r} to change",
            )
        moderating = target.sender_id != user.account_id
        if moderating and (editing or room is None or not may_moderate(hub, user.account_id, room)):
            raise Refusal(
                ErrorCode.NOT_ALLOWED,
                "you can edit only your own messages, and delete others' only as a moderator",
            )
        if moderating:
            assert room is not None, "only a room has moderators"
            check_target(hub, user, room, target.sender_id, target.sender)
        draft = Draft(
            conversation=request.conversation,
            sender_id=user.account_id,
            sender=user.name,
            text=text,
            to=target.to,
            mentions=_mentions(hub, user.account_id, request.conversation, text),
            kind="edit" if editing else "delete",
            target=target.seq,
            by_moderator=moderating,
        )
        if not moderating:
            return _appended(hub, draft, lambda entry: _stored(hub, conn, request.id, entry))
        act = Act(
            "delete_message",
            user.name,
            target.sender_id,
            target.sender,
            request.conversation,
            f"message {target.seq}",
        )

        def deleted(entry: StoredMessage) -> Decision:
            return Decision.after(
                Moderate(act), lambda _: _stored(hub, conn, request.id, entry)
            ).logged("delete_message", f"conversation={request.conversation} seq={target.seq}")

        return _appended(hub, draft, deleted)

    return Decision.after(FindMessage(request.conversation, request.seq), found)


def typing(hub: Hub, conn: ConnId, request: Typing, now: float) -> Decision:
    """Tell the others; at most once per user and conversation every TYPING_EVERY seconds."""
    user = hub.signed_in(conn)
    check_writable(hub, user, request.conversation)
    out = Outbox()
    key = (user.account_id, request.conversation)
    last = hub.typing_sent.get(key)
    if last is None or now - last >= TYPING_EVERY:
        hub.typing_sent[key] = now
        out = hub.typing(request.conversation, user)
    return Decision.answer(conn, Ok(id=request.id), out)


def mark_read(hub: Hub, conn: ConnId, request: MarkRead) -> Decision:
    user = hub.signed_in(conn)
    seq = min(request.seq, hub.head(request.conversation))

    def marked(marker: int) -> Decision:
        out = Outbox()
        out.send(user.conns, ReadMarker(conversation=request.conversation, seq=marker))
        return Decision.answer(conn, Ok(id=request.id), out)

    return readable(
        hub,
        user,
        request.conversation,
        lambda: Decision.after(MoveReadMarker(user.account_id, request.conversation, seq), marked),
    )


def history(hub: Hub, conn: ConnId, request: History) -> Decision:
    user = hub.signed_in(conn)

    def page(entries: list[StoredMessage]) -> Decision:
        reply = HistoryPage(
            id=request.id,
            conversation=request.conversation,
            messages=[as_event(entry) for entry in entries],
        )
        return Decision.answer(conn, reply)

    read = ReadHistory(request.conversation, request.before, request.after, request.limit)
    return readable(hub, user, request.conversation, lambda: Decision.after(read, page))


def search(hub: Hub, conn: ConnId, request: Search) -> Decision:
    user = hub.signed_in(conn)
    query = request.query.strip()
    if not query or len(request.query) > MAX_QUERY_CHARS:
        raise Refusal(
            ErrorCode.INVALID_FIELD, f"a search query is 1 to {MAX_QUERY_CHARS} characters"
        )

    def found(hits: list[Found]) -> Decision:
        results = [
            SearchHit(h.conversation, h.seq, h.ts, h.sender, h.snippet, list(h.highlights))
            for h in hits
        ]
        more = request.offset + request.limit if len(results) == request.limit else None
        return Decision.answer(
            conn, SearchResults(id=request.id, results=results, next_offset=more)
        )

    def run() -> Decision:
        effect = SearchMessages(
            user.account_id, query, request.conversation, request.offset, request.limit
        )
        return Decision.after(effect, found)

    if request.conversation is None:
        return run()
    return readable(hub, user, request.conversation, run)


def calculate(hub: Hub, conn: ConnId, request: Calc) -> Decision:
    hub.signed_in(conn)
    try:
        value = evaluate(request.expression)
    except CalcError as error:
        raise Refusal(ErrorCode.CALC_ERROR, str(error)) from None
    reply = CalcResult(id=request.id, expression=request.expression, result=format_result(value))
    return Decision.answer(conn, reply)
