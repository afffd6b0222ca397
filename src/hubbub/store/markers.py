"""Where each account has read to, and the list of its conversations with what is unread."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, Select, and_, bindparam, case, func, literal, select
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import ColumnElement

from hubbub.store.database import Database
from hubbub.store.prepared import Prepared, refusable
from hubbub.store.records import ConversationKind, ConversationSummary
from hubbub.store.schema import (
    accounts,
    conversations,
    dialect_insert,
    members,
    mentions,
    messages,
    read_markers,
)


def _mark(dialect: str) -> ClauseElement:
    """Move the account's marker in the conversation to ``read_to``, never back."""
    upsert = dialect_insert(read_markers, dialect).values(
        account_id=bindparam("reader"), conversation=bindparam("read_in"), seq=bindparam("read_to")
    )
    greater = case(
        (upsert.excluded.seq > read_markers.c.seq, upsert.excluded.seq),
        else_=read_markers.c.seq,
    )
    return upsert.on_conflict_do_update(
        index_elements=[read_markers.c.account_id, read_markers.c.conversation],
        set_={"seq": greater},
    )


_MARK = Prepared(_mark)
_MARKER = Prepared(
    lambda _: select(read_markers.c.seq).where(
        read_markers.c.account_id == bindparam("reader"),
        read_markers.c.conversation == bindparam("read_in"),
    )
)


def move_markers(connection: Connection, account_id: int, read_to: Mapping[str, int]) -> None:
    """Move the account's marker in each conversation to its ``read_to``, never back."""
    _MARK.run_many(
        connection,
        [
            {"reader": account_id, "read_in": conversation, "read_to": seq}
            for conversation, seq in read_to.items()
        ],
    )


class Markers:
    """Read markers, which only move forward, and each account's conversation list."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def mark_read(self, account_id: int, conversation: str, seq: int) -> int:
        """Note that the account has read the conversation up to ``seq``; the marker after.

        A marker never moves back: marking an older ``seq`` leaves it where it is.
        """

        def mark(connection: Connection, _now: float) -> int:
            with refusable(connection):
                move_markers(connection, account_id, {conversation: seq})
            marker = _MARKER.first(connection, {"reader": account_id, "read_in": conversation})
            assert marker is not None
            return int(marker[0])

        return await self._database.write(mark)

    async def conversations(self, account_id: int) -> list[ConversationSummary]:
        """Every conversation the account is a member of, with its unread counts, in one query.

        ``unread`` counts messages from others after the marker, neither deleted nor
        change records; ``mentions`` those of them that mention the account.
        """
        rows = await self._database.rows(_summaries(account_id))
        return [
            ConversationSummary(
                row.id,
                cast(ConversationKind, row.kind),
                row.last_seq or 0,
                row.read,
                row.unread,
                row.mentions,
                row.partner,
            )
            for row in rows
        ]


def _summaries(account_id: int) -> Select[Any]:
    mine = members.alias("mine")
    read = func.coalesce(read_markers.c.seq, 0)
    unread_messages = and_(
        messages.c.conversation == mine.c.conversation,
        messages.c.seq > read,
        messages.c.kind == "message",
        messages.c.deleted == literal(False),
        messages.c.sender_id != account_id,
    )
    last_seq = (
        select(func.max(messages.c.seq))
        .where(messages.c.conversation == mine.c.conversation)
        .scalar_subquery()
    )
    unread = select(func.count()).where(unread_messages).scalar_subquery()
    mentioned = (
        select(func.count())
        .select_from(mentions)
        .join(
            messages,
            and_(
                messages.c.conversation == mentions.c.conversation,
                messages.c.seq == mentions.c.seq,
            ),
        )
        .where(mentions.c.account_id == account_id, unread_messages)
        .scalar_subquery()
    )
    other = members.alias("other")
    partner = (
        select(accounts.c.name)
        .join_from(other, accounts)
        .where(other.c.conversation == mine.c.conversation, other.c.account_id != account_id)
        .order_by(other.c.joined_at.asc().nulls_first(), other.c.account_id)
        .limit(1)
        .scalar_subquery()
    )
    is_personal: ColumnElement[bool] = conversations.c.kind.in_(("dm", "chat"))
    return (
        select(
            conversations.c.id,
            conversations.c.kind,
            last_seq.label("last_seq"),
            read.label("read"),
            unread.label("unread"),
            mentioned.label("mentions"),
            case((is_personal, partner), else_=None).label("partner"),
        )
        .join_from(mine, conversations, conversations.c.id == mine.c.conversation)
        .outerjoin(
            read_markers,
            and_(
                read_markers.c.account_id == mine.c.account_id,
                read_markers.c.conversation == mine.c.conversation,
            ),
        )
        .where(mine.c.account_id == account_id)
        .order_by(conversations.c.created_at, conversations.c.id)
    )
