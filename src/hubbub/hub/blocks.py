"""Blocking: a user who blocks another gets no direct messages and no chat requests from them.

The blocked sender is refused ``blocked`` whether the other is online or not, so a
refusal tells them only what they must know: that this person does not take their
messages. Blocking is personal, not moderation: it is not in the audit log. Each way
is refused: you cannot write to someone you block either (unblock them first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.hub.cluster_rooms import BlockSet, enact
from hubbub.hub.decision import Decision
from hubbub.hub.effects import BlockedNames, FindAccount, SetBlock
from hubbub.hub.inputs import normalise_name
from hubbub.hub.outbox import ConnId
from hubbub.protocol import Block, Blocked, BlockedList, ErrorCode, Ok, Refusal, Unblock
from hubbub.store import Account

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub


def check_not_blocked(hub: Hub, sender_id: int, recipient_id: int, recipient: str) -> None:
    """Refuse ``blocked`` if either of the two blocks the other."""
    if sender_id in hub.blocks.get(recipient_id, ()):
        raise Refusal(
            ErrorCode.BLOCKED, f"{recipient} does not take messages or chat requests from you"
        )
    if recipient_id in hub.blocks.get(sender_id, ()):
        raise Refusal(ErrorCode.BLOCKED, f"you block {recipient}; unblock them first")


def block(hub: Hub, conn: ConnId, request: Block | Unblock) -> Decision:
    user = hub.signed_in(conn)
    on = isinstance(request, Block)
    _, key = normalise_name(request.user)
    if key == user.key:
        raise Refusal(ErrorCode.NOT_ALLOWED, "you cannot block yourself")

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.user}")

        def done(_: None) -> Decision:
            out = enact(hub, BlockSet(user.account_id, account.id, on))
            verb = "block" if on else "unblock"
            reply = Decision.answer(conn, Ok(id=request.id), out)
            return reply.logged(verb, f"user={account.name}")

        return Decision.after(SetBlock(user.account_id, account.id, on), done)

    return Decision.after(FindAccount(key), found)


def blocked(hub: Hub, conn: ConnId, request: Blocked) -> Decision:
    user = hub.signed_in(conn)
    return Decision.after(
        BlockedNames(user.account_id),
        lambda names: Decision.answer(conn, BlockedList(id=request.id, blocked=names)),
    )
