"""Moderation as stored: room moderators, bans and mutes, blocks, account bans, the audit log.

Every moderation or administration :class:`Act` changes its table and adds its audit row
in one transaction, so the log never misses an action and never shows one that did not
happen. The functions here take a connection, so ``hubbub admin`` runs the very same
writes on a database a server may be using (SQLite WAL lets both write), and the server
learns of them from the audit rows (:func:`account_changes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from hubbub.store.database import Database
from hubbub.store.schema import (
    account_bans,
    accounts,
    audit_log,
    blocks,
    dialect_insert,
    members,
    room_bans,
    room_moderators,
    room_mutes,
    tokens,
)

Action = Literal[
    "kick",
    "ban",
    "unban",
    "mute",
    "unmute",
    "moderator",
    "member",
    "ban_account",
    "unban_account",
    "grant",
    "revoke",
    "reset_password",
    "delete_message",
]
ACCOUNT_ACTIONS: frozenset[str] = frozenset(
    {"ban_account", "unban_account", "grant", "revoke", "reset_password"}
)
"""Actions on a whole account: the ones a running server must follow when the CLI does them."""
CLI_ACTOR = "hubbub admin"
"""The actor the audit log names for what the command line did."""


@dataclass(frozen=True, slots=True)
class Act:
    """One moderation or administration action, as the audit log keeps it."""

    action: Action
    actor: str
    target_id: int
    target: str
    room: str | None = None
    reason: str = ""
    until: float | None = None
    password_hash: str | None = None
    """``reset_password`` only: the new hash (never written to the log)."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: float
    actor: str
    action: str
    target: str | None
    room: str | None
    reason: str
    until: float | None


@dataclass(frozen=True, slots=True)
class AccountChange:
    """An audit row about a whole account, for a running server to act on."""

    id: int
    action: str
    target_id: int


@dataclass(frozen=True, slots=True)
class ModerationState:
    """Everything the hub keeps in memory about moderation, read once at start."""

    moderators: tuple[tuple[str, int], ...]
    room_bans: tuple[tuple[str, int], ...]
    mutes: tuple[tuple[str, int, float], ...]
    blocks: tuple[tuple[int, int], ...]
    """(account, the account it blocks)."""
    banned: frozenset[int]
    admins: frozenset[int]
    last_audit: int


def _room_row(room: str, account_id: int) -> dict[str, object]:
    return {"room": room, "account_id": account_id}


def apply(connection: Connection, act: Act, now: float) -> int:
    """Carry out ``act`` and log it; the audit row's id."""
    room, target = act.room, act.target_id
    match act.action:
        case "kick" | "ban":
            assert room is not None
            connection.execute(
                delete(members).where(
                    members.c.conversation == room, members.c.account_id == target
                )
            )
            _forget(connection, room_moderators, room, target)
            if act.action == "ban":
                _insert_ignoring(connection, room_bans, _room_row(room, target))
        case "unban":
            assert room is not None
            _forget(connection, room_bans, room, target)
        case "mute":
            assert room is not None
            upsert = dialect_insert(room_mutes, connection.dialect.name).values(
                room=room, account_id=target, until=act.until
            )
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["room", "account_id"], set_={"until": act.until}
                )
            )
        case "unmute":
            assert room is not None
            _forget(connection, room_mutes, room, target)
        case "moderator":
            assert room is not None
            _insert_ignoring(connection, room_moderators, _room_row(room, target))
        case "member":
            assert room is not None
            _forget(connection, room_moderators, room, target)
        case "ban_account":
            _insert_ignoring(connection, account_bans, {"account_id": target})
            connection.execute(delete(tokens).where(tokens.c.account_id == target))
        case "unban_account":
            connection.execute(delete(account_bans).where(account_bans.c.account_id == target))
        case "grant" | "revoke":
            role = "admin" if act.action == "grant" else "user"
            connection.execute(update(accounts).where(accounts.c.id == target).values(role=role))
        case "delete_message":
            pass
        case "reset_password":
            assert act.password_hash is not None
            connection.execute(
                update(accounts)
                .where(accounts.c.id == target)
                .values(password_hash=act.password_hash)
            )
            connection.execute(delete(tokens).where(tokens.c.account_id == target))
    audit_id = connection.scalar(
        insert(audit_log)
        .values(
            at=now,
            actor=act.actor,
            action=act.action,
            target_id=target,
            target=act.target,
            room=room,
            reason=act.reason,
            until=act.until,
        )
        .returning(audit_log.c.id)
    )
    assert isinstance(audit_id, int)
    return audit_id


def _forget(connection: Connection, table: Table, room: str, account_id: int) -> None:
    connection.execute(delete(table).where(table.c.room == room, table.c.account_id == account_id))


def _insert_ignoring(connection: Connection, table: Table, row: dict[str, object]) -> None:
    connection.execute(dialect_insert(table, connection.dialect.name).on_conflict_do_nothing(), row)


def set_block(connection: Connection, account_id: int, other_id: int, on: bool) -> None:
    """``account_id`` blocks ``other_id`` (``on``) or no longer does."""
    if on:
        _insert_ignoring(connection, blocks, {"account_id": account_id, "blocked_id": other_id})
    else:
        connection.execute(
            delete(blocks).where(blocks.c.account_id == account_id, blocks.c.blocked_id == other_id)
        )


def load_state(connection: Connection) -> ModerationState:
    return ModerationState(
        moderators=tuple(
            (r.room, r.account_id) for r in connection.execute(select(room_moderators))
        ),
        room_bans=tuple((r.room, r.account_id) for r in connection.execute(select(room_bans))),
        mutes=tuple(
            (r.room, r.account_id, r.until) for r in connection.execute(select(room_mutes))
        ),
        blocks=tuple((r.account_id, r.blocked_id) for r in connection.execute(select(blocks))),
        banned=frozenset(connection.scalars(select(account_bans.c.account_id))),
        admins=frozenset(
            connection.scalars(select(accounts.c.id).where(accounts.c.role == "admin"))
        ),
        last_audit=connection.scalar(select(func.coalesce(func.max(audit_log.c.id), 0))) or 0,
    )


def audit_page(connection: Connection, before: int | None, limit: int) -> list[AuditRecord]:
    """Up to ``limit`` audit rows below id ``before`` (or the newest), newest first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    return [
        AuditRecord(r.id, r.at, r.actor, r.action, r.target, r.room, r.reason, r.until)
        for r in connection.execute(query)
    ]


def account_changes(connection: Connection, after: int) -> list[AccountChange]:
    """The audit rows about whole accounts with an id above ``after``, oldest first."""
    query = (
        select(audit_log.c.id, audit_log.c.action, audit_log.c.target_id)
        .where(audit_log.c.id > after, audit_log.c.action.in_(ACCOUNT_ACTIONS))
        .order_by(audit_log.c.id)
    )
    return [AccountChange(r.id, r.action, r.target_id) for r in connection.execute(query)]


def blocked_names(connection: Connection, account_id: int) -> list[str]:
    query = (
        select(accounts.c.name)
        .join_from(blocks, accounts, blocks.c.blocked_id == accounts.c.id)
        .where(blocks.c.account_id == account_id)
        .order_by(accounts.c.name_key)
    )
    return list(connection.scalars(query))


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account as ``hubbub admin users`` lists it."""

    id: int
    name: str
    role: str
    banned: bool
    created_at: float


def list_accounts(connection: Connection, name_key: str | None = None) -> list[AccountRow]:
    """Every account (or the one with ``name_key``), oldest first."""
    query = (
        select(
            accounts.c.id,
            accounts.c.name,
            accounts.c.role,
            account_bans.c.account_id.is_not(None).label("banned"),
            accounts.c.created_at,
        )
        .join_from(accounts, account_bans, isouter=True)
        .order_by(accounts.c.id)
    )
    if name_key is not None:
        query = query.where(accounts.c.name_key == name_key)
    return [
        AccountRow(r.id, r.name, r.role, bool(r.banned), r.created_at)
        for r in connection.execute(query)
    ]


class Moderation:
    """The async face of the functions above, for the server's store."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def moderate(self, act: Act) -> int:
        return await self._database.write(lambda connection, now: apply(connection, act, now))

    async def block(self, account_id: int, other_id: int, on: bool) -> None:
        await self._database.write(
            lambda connection, _now: set_block(connection, account_id, other_id, on)
        )

    async def load(self) -> ModerationState:
        return await self._database.read(load_state)

    async def audit(self, before: int | None, limit: int) -> list[AuditRecord]:
        return await self._database.read(lambda c: audit_page(c, before, limit))

    async def account_changes(self, after: int) -> list[AccountChange]:
        return await self._database.read(lambda c: account_changes(c, after))

    async def blocked_names(self, account_id: int) -> list[str]:
        return await self._database.read(lambda c: blocked_names(c, account_id))
