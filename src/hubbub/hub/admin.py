"""Server administration: account bans, the audit log, and following ``hubbub admin``.

Admins (the first account of a server, or one granted with ``hubbub admin grant``) ban
accounts server-wide: the ban and its audit row are stored, every token of the account
is deleted, and every open connection of it is told (``notice``) and closed with
:data:`ACCOUNT_BANNED`. A banned account's sign-in is refused ``account_banned``.

``hubbub admin`` writes the same rows to the database directly; the server reads the
audit rows about accounts that it has not seen yet every second and follows them here
(:func:`follow`), so a ban from the command line closes the account's connections
without a restart. With several processes, the one where an admin bans or unbans over
the protocol also tells the others at once (:class:`AccountActed`), so a sign-in on
another one a moment later is already refused; their follower then changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.hub.decision import Decision
from hubbub.hub.effects import FindAccount, Moderate, ReadAudit
from hubbub.hub.inputs import normalise_name
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.protocol import (
    Audit,
    AuditEntry,
    AuditPage,
    BanAccount,
    ErrorCode,
    Notice,
    Ok,
    Refusal,
    UnbanAccount,
)
from hubbub.store import Account, AccountChange, Act, AuditRecord
from hubbub.store.moderation import Action

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub
    from hubbub.hub.presence import OnlineUser

ACCOUNT_BANNED = 4010
"""Close code: the account was banned from the server."""
PASSWORD_RESET = 4011
"""Close code: an admin reset the account's password; every session of it has ended."""
BANNED_TEXT = "This account is banned from the server."
RESET_TEXT = "An admin reset this account's password; sign in with the new one."


def _admin(hub: Hub, conn: ConnId) -> OnlineUser:
    user = hub.signed_in(conn)
    if not hub.is_admin(user.account_id):
        raise Refusal(ErrorCode.NOT_ALLOWED, "only a server admin can do that")
    return user


def ban_account(hub: Hub, conn: ConnId, request: BanAccount | UnbanAccount, now: float) -> Decision:
    user = _admin(hub, conn)
    banning = isinstance(request, BanAccount)
    reason = request.reason if isinstance(request, BanAccount) else ""

    def found(account: Account | None) -> Decision:
        if account is None:
            raise Refusal(ErrorCode.UNKNOWN_USER, f"there is no user called {request.user}")
        if account.id == user.account_id:
            raise Refusal(ErrorCode.NOT_ALLOWED, "you cannot ban yourself")
        if banning and hub.is_admin(account.id):
            raise Refusal(ErrorCode.NOT_ALLOWED, f"{account.name} is an admin; revoke that first")
        action: Action = "ban_account" if banning else "unban_account"
        act = Act(action, user.name, account.id, account.name, reason=reason)

        def done(_: int) -> Decision:
            out = _apply(hub, action, account.id, now)
            if hub.node is not None:
                out.share(AccountActed(action, account.id))
            return Decision.answer(conn, Ok(id=request.id), out).logged(
                action, f"user={account.name}"
            )

        return Decision.after(Moderate(act), done)

    return Decision.after(FindAccount(normalise_name(request.user)[1]), found)


class AccountActed(Op, frozen=True):
    """An admin banned or unbanned the account on another process."""

    action: str
    account_id: int


def account_acted(hub: Hub, _node: NodeId, op: AccountActed, now: float, _wall: float) -> Decision:
    """Follow another process's ban or unban now, before the audit log says so."""
    return Decision(_apply(hub, op.action, op.account_id, now))


def _apply(hub: Hub, action: str, account_id: int, now: float) -> Outbox:
    """Follow one change to an account, made here or by ``hubbub admin``."""
    match action:
        case "ban_account":
            hub.banned.add(account_id)
            notice = Notice(code="account_banned", text=BANNED_TEXT)
            return hub.end_sessions(account_id, now, code=ACCOUNT_BANNED, notice=notice)
        case "unban_account":
            hub.banned.discard(account_id)
        case "grant":
            hub.admins.add(account_id)
        case "revoke":
            hub.admins.discard(account_id)
        case "reset_password":
            notice = Notice(code="password_reset", text=RESET_TEXT)
            return hub.end_sessions(account_id, now, code=PASSWORD_RESET, notice=notice)
    return Outbox()


def follow(hub: Hub, changes: list[AccountChange], now: float) -> Outbox:
    """Follow the account changes in the audit log that this hub has not seen yet."""
    out = Outbox()
    for change in changes:
        if change.id > hub.audit_seen:
            hub.audit_seen = change.id
            out.extend(_apply(hub, change.action, change.target_id, now))
    return out


def audit(hub: Hub, conn: ConnId, request: Audit) -> Decision:
    _admin(hub, conn)

    def page(records: list[AuditRecord]) -> Decision:
        entries = [_entry(record) for record in records]
        more = entries[-1].id if len(entries) == request.limit else None
        return Decision.answer(conn, AuditPage(id=request.id, entries=entries, next_before=more))

    return Decision.after(ReadAudit(request.before, request.limit), page)


def _entry(record: AuditRecord) -> AuditEntry:
    return AuditEntry(
        id=record.id,
        at=record.at,
        actor=record.actor,
        action=record.action,
        target=record.target,
        room=record.room,
        reason=record.reason,
        until=record.until,
    )
