"""What each request does: check with the hub, store what must last, then deliver.

Messages follow one rule: the hub says whether the sender may speak, the store commits,
and only then is the message delivered and the sender answered with its ``seq``.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING

from hubbub.calc import CalcError, evaluate, format_result
from hubbub.hub import check_text, normalise_name
from hubbub.protocol import (
    LOBBY,
    AnswerChat,
    Calc,
    CalcResult,
    ChatAnswered,
    ClientRequest,
    EndChat,
    Error,
    ErrorCode,
    History,
    HistoryPage,
    MessageUser,
    Ok,
    Refusal,
    RequestChat,
    Say,
    Sent,
    SetStatus,
    SignIn,
    SignOut,
    UserList,
    Users,
)
from hubbub.server.replay import as_event
from hubbub.server.signin import sign_in, sign_out
from hubbub.store import Draft, dm_conversation

if TYPE_CHECKING:
    from hubbub.hub import ConnId
    from hubbub.server.server import ChatServer


async def handle(server: ChatServer, conn: ConnId, request: ClientRequest) -> Ok | Error | None:
    """Carry out one request; ``None`` means the handler already answered."""
    hub = server.hub
    match request:
        case SignIn():
            await sign_in(server, conn, request)
            return None
        case SignOut():
            return await sign_out(server, conn, request)
        case Say():
            return await say(server, conn, request)
        case MessageUser():
            return await message_user(server, conn, request)
        case Users():
            hub.signed_in(conn)
            return UserList(id=request.id, users=hub.users())
        case Calc():
            return calculate(server, conn, request)
        case RequestChat():
            return await request_chat(server, conn, request)
        case AnswerChat():
            return await answer_chat(server, conn, request)
        case EndChat():
            server.send(hub.end_chat(conn))
            server.log(conn, "end_chat")
            return Ok(id=request.id)
        case History():
            return await history(server, conn, request)
        case SetStatus():
            server.send(hub.set_status(conn, request.status))
            server.log(conn, "status", request.status)
            return Ok(id=request.id)


async def say(server: ChatServer, conn: ConnId, request: Say) -> Sent:
    """Speak in the lobby or in the sender's current 1:1 chat."""
    user = server.hub.signed_in(conn)
    text = check_text(request.text)
    members: tuple[int, ...] | None = None
    if request.conversation != LOBBY:
        chat = user.chat
        if chat is None or chat.conversation != request.conversation:
            raise Refusal(
                ErrorCode.NOT_IN_CHAT,
                f"you can speak in the lobby or your current chat, not {request.conversation!r}",
            )
        members = (chat.requester.account_id, chat.invitee.account_id)
    stored = await server.store.append(
        Draft(
            conversation=request.conversation,
            sender_id=user.account_id,
            sender=user.name,
            text=text,
        )
    )
    server.send(server.hub.deliver(as_event(stored), members))
    return Sent(id=request.id, conversation=stored.conversation, seq=stored.seq, ts=stored.ts)


async def message_user(server: ChatServer, conn: ConnId, request: MessageUser) -> Sent:
    """A private message; an offline recipient gets it at their next sign-in."""
    user = server.hub.signed_in(conn)
    text = check_text(request.text)
    _, key = normalise_name(request.to)
    if key == user.key:
        raise Refusal(ErrorCode.CANNOT_MESSAGE_SELF, "a direct message needs someone else")
    online = server.hub.online(key)
    if online is not None:
        recipient_id, recipient = online.account_id, online.name
    else:
        account = await server.store.find_account(key)
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.to}")
        recipient_id, recipient = account.id, account.name
    stored = await server.store.append(
        Draft(
            conversation=dm_conversation(user.account_id, recipient_id),
            sender_id=user.account_id,
            sender=user.name,
            text=text,
            to=recipient,
        )
    )
    members = (user.account_id, recipient_id)
    server.send(server.hub.deliver(as_event(stored), members))
    server.written_unproven(server.hub.conns_of(members), stored)
    if not server.hub.conns_of([recipient_id]):
        await server.store.hold(recipient_id, stored.conversation, stored.seq)
    server.log(conn, "message_user", f"to={recipient} seq={stored.seq}")
    return Sent(id=request.id, conversation=stored.conversation, seq=stored.seq, ts=stored.ts)


def calculate(server: ChatServer, conn: ConnId, request: Calc) -> CalcResult:
    server.hub.signed_in(conn)
    try:
        value = evaluate(request.expression)
    except CalcError as error:
        raise Refusal(ErrorCode.CALC_ERROR, str(error)) from None
    return CalcResult(id=request.id, expression=request.expression, result=format_result(value))


async def request_chat(server: ChatServer, conn: ConnId, request: RequestChat) -> Ok:
    hub = server.hub
    hub.signed_in(conn)
    _, key = normalise_name(request.to)
    if hub.online(key) is None and await server.store.find_account(key) is None:
        raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.to}")
    server.send(hub.request_chat(conn, request.to, time.monotonic()))
    server.log(conn, "chat_request", f"to={request.to}")
    return Ok(id=request.id)


async def answer_chat(server: ChatServer, conn: ConnId, request: AnswerChat) -> ChatAnswered:
    hub = server.hub
    conversation = f"chat:{secrets.token_hex(8)}"
    server.send(hub.answer_chat(conn, request.requester, request.accept, conversation))
    server.log(conn, "accept" if request.accept else "decline", f"from={request.requester}")
    if not request.accept:
        return ChatAnswered(id=request.id, conversation=None)
    chat = hub.signed_in(conn).chat
    assert chat is not None
    await server.store.open_chat(conversation, (chat.requester.account_id, chat.invitee.account_id))
    return ChatAnswered(id=request.id, conversation=conversation)


async def history(server: ChatServer, conn: ConnId, request: History) -> HistoryPage:
    user = server.hub.signed_in(conn)
    # A chat is announced before its record commits: the live one is readable at once.
    in_chat = user.chat is not None and user.chat.conversation == request.conversation
    if not in_chat and not await server.store.can_read(user.account_id, request.conversation):
        raise Refusal(
            ErrorCode.UNKNOWN_CONVERSATION,
            f"there is no conversation {request.conversation!r} that you can read",
        )
    page = await server.store.history(
        request.conversation, before=request.before, after=request.after, limit=request.limit
    )
    return HistoryPage(
        id=request.id, conversation=request.conversation, messages=[as_event(m) for m in page]
    )
