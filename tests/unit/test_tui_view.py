"""What the terminal client shows, as text from the client state's shapes."""

from __future__ import annotations

from hubbub import protocol
from hubbub.client.pane import clock
from hubbub.client.roster import Member
from hubbub.client.state import ClientState, Conversation, Line, ShownMessage
from hubbub.tui.view import (
    conversation_label,
    conversation_title,
    frame,
    names_known,
    people,
    person_label,
    transcript,
)


def conversation(kind: str = "room", **fields: object) -> Conversation:
    base: dict[str, object] = {
        "id": "lobby", "kind": kind, "name": "Lobby", "topic": "" if kind == "room" else None,
        "private": False if kind == "room" else None, "archived": False if kind == "room" else None,
        "last_seq": 0, "read": 0, "unread": 0, "mentions": 0,
    }  # fmt: skip
    base.update(fields)
    return Conversation(**base)  # type: ignore[arg-type]


def message(seq: int, sender: str = "bob", text: str = "hi", **fields: object) -> ShownMessage:
    return ShownMessage("lobby", seq, 1000.0 + seq, sender, text, **fields)  # type: ignore[arg-type]


def test_conversation_labels_show_unread_mentions_status_and_ended_chats() -> None:
    assert conversation_label(conversation(), None) == "# Lobby"
    assert conversation_label(conversation(unread=3, mentions=1), None) == "# Lobby 3 @1"
    dm = conversation("dm", id="dm:1:2", name="bob", unread=1)
    assert conversation_label(dm, "online") == "@ bob 1"
    assert conversation_label(dm, "busy") == "@ bob [busy] 1"
    chat = conversation("chat", id="chat:ab", name="bob", archived=True)
    assert conversation_label(chat, None) == "⇄ bob (ended)"


def test_titles_say_what_is_shown() -> None:
    assert conversation_title(None).startswith("no conversation")
    room = conversation(name="design", topic="pixels", private=True)
    assert conversation_title(room) == "# design (private) — pixels"
    dm = conversation("dm", name="bob")
    assert conversation_title(dm) == "@ bob — private messages"
    chat = conversation("chat", name="bob", archived=True)
    assert conversation_title(chat).startswith("⇄ 1:1 chat with bob (ended)")


def test_people_show_status_badges_and_online_members_first() -> None:
    assert person_label("bob", "busy") == "■ bob busy"
    assert person_label("carol", "away", "owner") == "◐ carol away (owner)"
    assert person_label("alice", "online", me=True) == "● alice (you)"
    members = [Member("amy", "offline", "owner"), Member("bob", "online", "member")]
    assert people(members, {}, room=True) == [
        ("bob", "online", "member"),
        ("amy", "offline", "owner"),
    ]
    assert people(members, {"zed": "busy"}, room=False) == [("zed", "busy", None)]


def test_the_transcript_places_notices_among_messages() -> None:
    messages = [
        message(1),
        message(2, "alice", "mine"),
        message(3, text="hey @Alice", mentions=("alice",)),
    ]
    lines = [
        Line("bob joined", "lobby", 1001.5, 1),  # came after message 1
        Line("you asked bob for a chat", None, 1002.5, 0),  # by time: after message 2
    ]
    rows = transcript(messages, lines, "alice")
    assert [row.text for row in rows] == [
        "hi",
        "bob joined",
        "mine",
        "you asked bob for a chat",
        "hey @Alice",
    ]
    assert [row.kind for row in rows] == ["message", "notice", "own", "notice", "mention"]
    assert rows[0].plain == f"{clock(1001.0)} bob: hi"
    assert rows[1].plain == f"{clock(1001.5)} · bob joined"
    assert len(transcript(messages, lines, "alice", limit=2)) == 2


def test_edited_and_deleted_messages_read_as_such() -> None:
    rows = transcript(
        [message(1, edited=True), message(2, text="message deleted", deleted=True, edited=True)],
        [],
        "x",
    )
    assert [row.text for row in rows] == ["hi (edited)", "message deleted"]


def test_a_frame_draws_the_whole_window_from_the_state() -> None:
    state = ClientState()
    state.signed_in(protocol.SignedIn(id=1, name="alice", token="t", status="online"), 0.0)
    lobby = protocol.ConversationInfo(
        "lobby", "room", "Lobby", 0, 0, 0, 0, "chat here", False, False
    )
    dm = protocol.ConversationInfo("dm:1:2", "dm", "bob", 1, 0, 1, 0)
    state.load_conversations([lobby, dm])
    state.apply(protocol.Presence(room="lobby", users=[], full=True), 1.0)
    for name, status in (("alice", "online"), ("bob", "busy")):
        state.apply(protocol.Presence(room="lobby", users=[protocol.UserStatus(name, status)]), 2.0)
    state.apply(protocol.Message(conversation="lobby", seq=1, ts=3.0, sender="bob", text="hi"), 3.0)
    state.apply(protocol.TypingEvent(conversation="lobby", name="bob"), 4.0)
    state.select("lobby")
    note = Line("2 = 2", "lobby", 5.0, 1)

    shown = frame(state, [note, Line("elsewhere", "dm:1:2", 5.0, 1)], "reconnecting…", now=5.0)
    assert shown.status == "alice · online · reconnecting…"
    assert shown.conversations == [("lobby", "# Lobby", False), ("dm:1:2", "@ bob [busy] 1", True)]
    assert (shown.current, shown.title) == ("lobby", "# Lobby — chat here")
    assert [row.text for row in shown.rows][-2:] == ["hi", "2 = 2"]
    assert shown.typing == "bob is typing…"
    assert frame(state, [], "", now=4.0 + protocol.TYPING_LASTS + 0.1).typing == ""
    assert shown.people == [("alice", "● alice (you)", True), ("bob", "■ bob busy", True)]
    assert names_known(state) == {"alice", "bob"}
    assert frame(state, [], "", now=5.0).status == "alice · online"
