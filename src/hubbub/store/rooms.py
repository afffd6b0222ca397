"""Rooms, and who is a member of which conversation (rooms, direct messages and chats)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, exists, insert, select, update

from hubbub.names import skeletons
from hubbub.store.claims import refuse_taken
from hubbub.store.conversations import JoinOrder, add_conversations
from hubbub.store.database import Database
from hubbub.store.records import RoomRecord, StoreError
from hubbub.store.schema import accounts, conversations, members, room_moderators, rooms
from hubbub.store.writer import refusing_conflicts

_room_columns = (
    rooms.c.id,
    rooms.c.name,
    rooms.c.name_key,
    rooms.c.topic,
    rooms.c.private,
    rooms.c.owner_id,
    rooms.c.created_at,
    rooms.c.archived,
)


class Rooms:
    """Rooms and membership. Membership rules are the caller's; the store only records them."""

    def __init__(self, database: Database, join_order: JoinOrder) -> None:
        self._database = database
        self._join_order = join_order

    async def load_rooms(self) -> list[RoomRecord]:
        """Every room with its members in the order they joined, oldest room first."""

        def load(connection: Connection) -> list[RoomRecord]:
            found = connection.execute(
                select(*_room_columns).order_by(rooms.c.created_at, rooms.c.id)
            ).all()
            joined: dict[str, list[tuple[int, str]]] = {row.id: [] for row in found}
            for conversation, account_id, name in connection.execute(
                select(members.c.conversation, members.c.account_id, accounts.c.name)
                .join_from(members, accounts)
                .join(rooms, rooms.c.id == members.c.conversation)
                .order_by(members.c.joined_at.asc().nulls_first(), members.c.account_id)
            ):
                joined[conversation].append((account_id, name))
            return [
                RoomRecord(
                    row.id,
                    row.name,
                    row.name_key,
                    row.topic,
                    bool(row.private),
                    row.owner_id,
                    row.created_at,
                    bool(row.archived),
                    tuple(joined[row.id]),
                )
                for row in found
            ]

        return await self._database.read(load)

    async def create_room(self, room: RoomRecord) -> None:
        """Record the room and its members; :class:`NameTaken` if another room has its key
        or one that looks like it (see :func:`hubbub.names.skeletons`)."""
        name_skeletons = skeletons(room.name, room.name_key)

        def create(connection: Connection, now: float) -> None:
            refuse_taken(connection, rooms, room.name_key, name_skeletons)
            known = connection.scalar(
                select(conversations.c.id).where(conversations.c.id == room.id)
            )
            if known is not None:
                raise StoreError(f"the conversation {room.id!r} already exists")
            connection.execute(
                insert(conversations).values(id=room.id, kind="room", created_at=room.created_at)
            )
            connection.execute(
                insert(rooms).values(
                    id=room.id,
                    name=room.name,
                    name_key=room.name_key,
                    name_skeleton=name_skeletons.folded,
                    name_cased_skeleton=name_skeletons.cased,
                    topic=room.topic,
                    private=room.private,
                    archived=room.archived,
                    owner_id=room.owner_id,
                    created_at=room.created_at,
                )
            )
            self._join_order.add_members(
                connection, room.id, (account for account, _ in room.members), now
            )

        await self._database.write(refusing_conflicts(create))

    async def update_room(
        self,
        room_id: str,
        *,
        topic: str | None = None,
        archived: bool | None = None,
        name_key: str | None = None,
    ) -> None:
        """Change what is given of the room's topic, archived state and name key (a new
        key frees the old name: the look-alike skeletons follow the key)."""
        changes: dict[str, object] = {}
        if name_key is not None:
            released = skeletons(name_key, name_key)
            changes["name_key"] = name_key
            changes["name_skeleton"] = released.folded
            changes["name_cased_skeleton"] = released.cased
        if topic is not None:
            changes["topic"] = topic
        if archived is not None:
            changes["archived"] = archived

        def change(connection: Connection, _now: float) -> None:
            found = connection.scalar(select(rooms.c.id).where(rooms.c.id == room_id))
            if found is None:
                raise StoreError(f"there is no room {room_id!r}")
            if changes:
                connection.execute(update(rooms).where(rooms.c.id == room_id).values(changes))

        await self._database.write(change)

    async def add_member(self, conversation: str, account_id: int) -> None:
        """Make the account a member of the (recorded) conversation, if it is not one yet."""

        def add(connection: Connection, now: float) -> None:
            self._join_order.add_members(connection, conversation, [account_id], now)

        await self._database.write(refusing_conflicts(add))

    async def remove_member(self, conversation: str, account_id: int) -> None:
        """The account is no longer a member of the conversation (if it was), nor one of
        its moderators."""

        def remove(connection: Connection, _now: float) -> None:
            connection.execute(
                delete(members).where(
                    members.c.conversation == conversation, members.c.account_id == account_id
                )
            )
            connection.execute(
                delete(room_moderators).where(
                    room_moderators.c.room == conversation,
                    room_moderators.c.account_id == account_id,
                )
            )

        await self._database.write(remove)

    async def is_member(self, conversation: str, account_id: int) -> bool:
        """Whether the account is recorded as a member of the conversation."""
        membership = exists().where(
            members.c.conversation == conversation, members.c.account_id == account_id
        )
        rows = await self._database.rows(select(membership))
        return bool(rows[0][0])

    async def open_chat(self, conversation: str, member_ids: Sequence[int]) -> None:
        """Record a chat (or any conversation) and its members, ordered before later writes."""

        def record_chat(connection: Connection, now: float) -> None:
            add_conversations(connection, [conversation], now)
            self._join_order.add_members(connection, conversation, member_ids, now)

        await self._database.write(refusing_conflicts(record_chat))
