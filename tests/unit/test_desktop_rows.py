"""The main window's lists: conversations with counts, people with status. No display."""

from __future__ import annotations

from hubbub.client.state import Conversation
from hubbub.desktop.rows import badge, conversation_rows, people_rows, waiting_text


def conversation(id_: str, kind: str, name: str, unread: int = 0, mentions: int = 0,
                 archived: bool | None = None) -> Conversation:
    return Conversation(id_, kind, name, None, None, archived, 5, 5 - unread,  # type: ignore[arg-type]
                        unread, mentions)


def test_badge_counts_unread_and_mentions() -> None:
    assert (badge(0, 0), badge(3, 0), badge(3, 1)) == ("", "3", "3 @1")


def test_rooms_first_then_the_chat_then_direct_messages() -> None:
    rows = conversation_rows([
        conversation("dm:1:2", "dm", "bob", unread=1),
        conversation("chat:1", "chat", "carol", archived=True),
        conversation("lobby", "room", "Lobby", unread=2, mentions=1),
        conversation("room:1", "room", "old", archived=True),
    ])
    assert [(r.label, r.badge, r.unread) for r in rows] == [
        ("Lobby", "2 @1", True),
        ("old (archived)", "", False),
        ("carol (ended)", "", False),
        ("bob", "1", True),
    ]


def test_busy_people_and_people_asked_cannot_be_asked_again() -> None:
    rows = people_rows({"bob": "online", "carol": "busy", "dora": "away", "eve": "online"},
                       in_chat=False, asked=["Eve"])
    assert [(r.name, r.label, r.can_request) for r in rows] == [
        ("bob", "online", True),
        ("carol", "busy — in a chat", False),
        ("dora", "away", True),
        ("eve", "waiting for answer", False),
    ]


def test_nobody_can_be_asked_while_i_am_in_a_chat() -> None:
    rows = people_rows({"bob": "online"}, in_chat=True, asked=[])
    assert not rows[0].can_request


def test_waiting_line_names_who_has_to_answer() -> None:
    assert waiting_text([]) == ""
    assert waiting_text(["John"]) == "waiting for John's answer…"
    assert waiting_text(["a", "b", "c"]) == "waiting for answers from a, b and c…"
