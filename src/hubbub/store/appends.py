"""One group of drafts written in the writer's transaction: numbered, deduplicated, applied.

Everything a draft implies goes into the same transaction as the draft itself: its
mentions, the messages held for offline recipients, the members of a new conversation,
and for an edit or a delete, the change to the message it targets. A draft the store
refuses (a bad target, or a room archived meanwhile by another process:
:class:`RoomArchived`) is answered with a :class:`StoreError` and writes nothing; the
others of its group go ahead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Connection, bindparam, delete, insert, null, select, update

from hubbub.store.conversations import JoinOrder
from hubbub.store.prepared import Prepared, Row
from hubbub.store.records import Draft, EntryKind, RoomArchived, StoredMessage, StoreError
from hubbub.store.schema import held, ignoring_duplicates, mentions, messages
from hubbub.store.sequencing import Sequencer

MESSAGE_COLUMNS = (
    messages.c.conversation,
    messages.c.seq,
    messages.c.ts,
    messages.c.sender,
    messages.c.text,
    messages.c.recipient,
    messages.c.sender_id,
    messages.c.kind,
    messages.c.target,
    messages.c.mentions,
    messages.c.client_id,
    messages.c.edited,
    messages.c.deleted,
)
"""The columns :func:`message_from` reads, in its order."""


def message_from(row: Sequence[Any], *, duplicate: bool = False) -> StoredMessage:
    """The stored message of a row of :data:`MESSAGE_COLUMNS`."""
    (conversation, seq, ts, sender, text, to, sender_id, kind, target, names, client_id,
     edited, deleted) = row  # fmt: skip
    return StoredMessage(
        conversation,
        seq,
        ts,
        sender,
        text,
        to,
        sender_id,
        cast(EntryKind, kind),
        target,
        tuple(json.loads(names)) if names else (),
        client_id,
        bool(edited),
        bool(deleted),
        duplicate,
    )


_at = (
    messages.c.conversation == bindparam("at_conversation"),
    messages.c.seq == bindparam("at_seq"),
)
_INSERT = Prepared(lambda _: insert(messages))
_BY_CLIENT_ID = Prepared(
    lambda _: select(*MESSAGE_COLUMNS).where(
        messages.c.sender_id == bindparam("by_sender"),
        messages.c.client_id == bindparam("by_client_id"),
    )
)
_TARGET = Prepared(
    lambda _: select(messages.c.sender_id, messages.c.kind, messages.c.deleted).where(*_at)
)
_EDIT = Prepared(
    lambda _: (
        update(messages)
        .where(*_at)
        .values(text=bindparam("new_text"), mentions=bindparam("new_mentions"), edited=True)
    )
)
_DELETE = Prepared(
    lambda _: update(messages).where(*_at).values(text="", mentions=null(), deleted=True)
)
_ADD_MENTIONS = Prepared(lambda _: insert(mentions))
_DROP_MENTIONS = Prepared(
    lambda _: delete(mentions).where(
        mentions.c.conversation == bindparam("at_conversation"),
        mentions.c.seq == bindparam("at_seq"),
    )
)
HOLD = Prepared(
    lambda dialect: ignoring_duplicates(held, dialect).values(
        account_id=bindparam("for_account"),
        conversation=bindparam("held_conversation"),
        seq=bindparam("held_seq"),
    )
)


@dataclass(slots=True)
class _State:
    """What an edit or a delete needs to know of its target."""

    sender_id: int
    kind: str
    deleted: bool


class GroupWrite:
    """Writes one group of drafts: :meth:`add` each in order, then :meth:`flush` once."""

    def __init__(
        self,
        connection: Connection,
        now: float,
        sequencer: Sequencer,
        join_order: JoinOrder,
        conversations: Iterable[str],
    ) -> None:
        self._connection = connection
        self._now = now
        self._numbering = sequencer.begin(connection, now, conversations)
        self._join_order = join_order
        self._by_key: dict[tuple[int, str], StoredMessage] = {}
        self._states: dict[tuple[str, int], _State] = {}
        self._rows: list[Row] = []
        self._mentions: list[Row] = []
        self._held: list[Row] = []
        self._changes: list[Callable[[], None]] = []

    def add(self, draft: Draft) -> StoredMessage | StoreError:
        """The draft's record, as it will be once flushed; or why it is refused."""
        if draft.client_id is not None:
            earlier = self._earlier(draft.sender_id, draft.client_id)
            if earlier is not None:
                return earlier
        if self._numbering.archived(draft.conversation):
            return RoomArchived(f"{draft.conversation} is an archived room: it takes no entry")
        if draft.kind != "message":
            refusal = self._check_target(draft)
            if refusal is not None:
                return refusal
        conversation = draft.conversation
        seq, ts, first = self._numbering.next(conversation)
        if first and draft.members:
            self._join_order.add_members(self._connection, conversation, draft.members, self._now)
        text = "" if draft.kind == "delete" else draft.text
        names = tuple(name for _, name in draft.mentions)
        stored = StoredMessage(
            conversation,
            seq,
            ts,
            draft.sender,
            text,
            draft.to,
            draft.sender_id,
            draft.kind,
            draft.target,
            names,
            draft.client_id,
        )
        self._rows.append(
            {
                "conversation": conversation,
                "seq": seq,
                "ts": ts,
                "sender_id": draft.sender_id,
                "sender": draft.sender,
                "text": text,
                "recipient": draft.to,
                "kind": draft.kind,
                "target": draft.target,
                "mentions": _names_json(names),
                "client_id": draft.client_id,
                "edited": False,
                "deleted": False,
            }
        )
        if draft.client_id is not None:
            self._by_key[draft.sender_id, draft.client_id] = stored
        self._held.extend(
            {"for_account": account, "held_conversation": conversation, "held_seq": seq}
            for account in draft.hold_for
        )
        if draft.kind == "message":
            self._states[conversation, seq] = _State(draft.sender_id, "message", False)
            self._mentions.extend(_mention_rows(conversation, seq, draft))
        else:
            assert draft.target is not None
            self._change(draft, draft.target)
        return stored

    def flush(self) -> None:
        """Write everything added, in one go per kind of row where the order allows."""
        _INSERT.run_many(self._connection, self._rows)
        _ADD_MENTIONS.run_many(self._connection, self._mentions)
        for change in self._changes:
            change()
        HOLD.run_many(self._connection, self._held)

    def _earlier(self, sender_id: int, client_id: str) -> StoredMessage | None:
        """The record this (sender, client id) already has, marked ``duplicate``."""
        earlier = self._by_key.get((sender_id, client_id))
        if earlier is not None:
            return replace(earlier, duplicate=True)
        found = _BY_CLIENT_ID.first(
            self._connection, {"by_sender": sender_id, "by_client_id": client_id}
        )
        return None if found is None else message_from(found, duplicate=True)

    def _check_target(self, draft: Draft) -> StoreError | None:
        if draft.target is None:
            return StoreError(f"an {draft.kind} needs the seq of the message it changes")
        key = (draft.conversation, draft.target)
        state = self._states.get(key)
        if state is None:
            found = _TARGET.first(self._connection, {"at_conversation": key[0], "at_seq": key[1]})
            if found is not None:
                state = self._states[key] = _State(found[0], found[1], bool(found[2]))
        if state is None or state.kind != "message" or state.deleted:
            return StoreError(f"there is no message {key[1]} in {key[0]} to {draft.kind}")
        if state.sender_id != draft.sender_id and not (
            draft.kind == "delete" and draft.by_moderator
        ):
            return StoreError(f"message {key[1]} in {key[0]} is not the sender's")
        return None

    def _change(self, draft: Draft, target: int) -> None:
        """Queue the change of the target, and note it for later drafts of the group."""
        at = {"at_conversation": draft.conversation, "at_seq": target}
        connection = self._connection
        if draft.kind == "delete":
            self._states[draft.conversation, target].deleted = True

            def change() -> None:
                _DELETE.run_many(connection, [at])
                _DROP_MENTIONS.run_many(connection, [at])

        else:
            edit = {
                **at,
                "new_text": draft.text,
                "new_mentions": _names_json(tuple(name for _, name in draft.mentions)),
            }
            mentioned = _mention_rows(draft.conversation, target, draft)

            def change() -> None:
                _EDIT.run_many(connection, [edit])
                _DROP_MENTIONS.run_many(connection, [at])
                _ADD_MENTIONS.run_many(connection, mentioned)

        self._changes.append(change)


def _mention_rows(conversation: str, seq: int, draft: Draft) -> list[Row]:
    accounts = dict.fromkeys(account for account, _ in draft.mentions)
    return [{"conversation": conversation, "seq": seq, "account_id": a} for a in accounts]


def _names_json(names: tuple[str, ...]) -> str | None:
    return json.dumps(names, ensure_ascii=False) if names else None
