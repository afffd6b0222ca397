"""The migrations on a database that 0001 made and filled, on both backends: nothing lost,
everyone in the Lobby, each conversation's count where its messages end."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from conftest import query
from hubbub.store import ConversationSummary, Draft, RoomRecord, open_store
from hubbub.store.database import MIGRATIONS, open_engine, parse_url


def migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = open_engine(parse_url(url))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            (command.downgrade if down else command.upgrade)(config, revision)
    finally:
        engine.dispose()


FILL_AS_0001 = (
    "INSERT INTO accounts VALUES (1, 'Ann', 'ann', 'h1', 'user', 200.0)",
    "INSERT INTO accounts VALUES (2, 'Bob', 'bob', 'h2', 'admin', 100.0)",
    "INSERT INTO accounts VALUES (3, 'Cat', 'cat', 'h3', 'user', 300.0)",
    "INSERT INTO conversations VALUES ('lobby', 'lobby', 10.0)",
    "INSERT INTO conversations VALUES ('dm:1:2', 'dm', 20.0)",
    "INSERT INTO conversations VALUES ('chat:ab', 'chat', 30.0)",
    "INSERT INTO members VALUES ('chat:ab', 1)",
    "INSERT INTO members VALUES ('chat:ab', 3)",
    "INSERT INTO messages VALUES ('lobby', 1, 11.0, 1, 'Ann', 'hello old world', NULL)",
    "INSERT INTO messages VALUES ('lobby', 2, 12.0, 2, 'Bob', 'hi Ann', NULL)",
    "INSERT INTO messages VALUES ('dm:1:2', 1, 21.0, 1, 'Ann', 'old secret', 'Bob')",
    "INSERT INTO messages VALUES ('chat:ab', 1, 31.0, 3, 'Cat', 'meow', NULL)",
    "INSERT INTO held (account_id, conversation, seq) VALUES (2, 'dm:1:2', 1)",
)


def fill_as_0001(url: str) -> None:
    for statement in FILL_AS_0001:
        query(url, statement)


async def test_0002_keeps_the_data_and_puts_every_account_in_the_lobby(database_url: str) -> None:
    db = database_url
    migrate(db, "0001")
    fill_as_0001(db)

    store = await open_store(database_url)
    try:
        lobby = await store.history("lobby")
        [lobby_room] = await store.load_rooms()
        anns = {summary.id: summary for summary in await store.conversations(1)}
        found = await store.search(1, "old")
        held = await store.take_held(2)
        next_seq = (await store.append(Draft("lobby", 3, "Cat", "new here"))).seq
        dm_members = [await store.is_member("dm:1:2", account) for account in (1, 2, 3)]
    finally:
        await store.close()

    assert [(m.seq, m.sender, m.text, m.kind, m.edited) for m in lobby] == [
        (1, "Ann", "hello old world", "message", False),
        (2, "Bob", "hi Ann", "message", False),
    ]
    assert lobby_room == RoomRecord(
        "lobby", "Lobby", "lobby", "", False, None, 10.0, False,
        ((2, "Bob"), (1, "Ann"), (3, "Cat")),
    )  # fmt: skip
    assert anns == {
        "lobby": ConversationSummary("lobby", "room", 2, 0, 1, 0),
        "dm:1:2": ConversationSummary("dm:1:2", "dm", 1, 0, 0, 0, partner="Bob"),
        "chat:ab": ConversationSummary("chat:ab", "chat", 1, 0, 1, 0, partner="Cat"),
    }
    assert [(hit.conversation, hit.seq) for hit in found] == [("dm:1:2", 1), ("lobby", 1)]
    assert [(m.conversation, m.seq, m.to) for m in held] == [("dm:1:2", 1, "Bob")]
    assert next_seq == 3
    assert dm_members == [True, True, False]


async def test_a_fresh_database_has_an_empty_lobby(database_url: str) -> None:
    store = await open_store(database_url)
    try:
        [lobby] = await store.load_rooms()
    finally:
        await store.close()
    assert (lobby.id, lobby.name, lobby.owner_id, lobby.members) == ("lobby", "Lobby", None, ())


async def test_0002_can_be_undone_and_done_again(database_url: str) -> None:
    db = database_url
    migrate(db, "0001")
    fill_as_0001(db)
    migrate(db, "head")

    migrate(db, "0001", down=True)
    assert query(db, "SELECT count(*) FROM messages") == [(4,)]
    assert query(db, "SELECT * FROM members ORDER BY 2") == [("chat:ab", 1), ("chat:ab", 3)]
    migrate(db, "head")

    store = await open_store(database_url)
    try:
        assert [hit.seq for hit in await store.search(2, "hello")] == [1]
    finally:
        await store.close()


async def test_each_conversation_counts_on_from_its_last_message_after_0006(
    database_url: str,
) -> None:
    migrate(database_url, "0001")
    fill_as_0001(database_url)
    migrate(database_url, "head")

    assert query(database_url, "SELECT id, last_seq FROM conversations ORDER BY id") == [
        ("chat:ab", 1), ("dm:1:2", 1), ("lobby", 2),
    ]  # fmt: skip
    store = await open_store(database_url)
    try:
        seqs = [
            (await store.append(Draft(conversation, 1, "Ann", "next"))).seq
            for conversation in ("lobby", "dm:1:2", "lobby", "room:new")
        ]
    finally:
        await store.close()
    assert seqs == [3, 2, 4, 1]
