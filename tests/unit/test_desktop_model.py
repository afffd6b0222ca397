"""The desktop client's UI logic: what the windows show and do for every event, no display."""

from __future__ import annotations

import pytest

from hubbub import protocol
from hubbub.client import Disconnected, Reconnected
from hubbub.desktop.effects import (
    AskChat,
    ChatOver,
    DropAsk,
    MarkRead,
    Notify,
    OpenChat,
    Reload,
    SaveToken,
    SessionEnded,
    Show,
)
from hubbub.desktop.model import CONNECTION_LOST, RECONNECTING, Desktop

NOW = 1_700_000_000.0
CHAT = "chat:9f2c"
DM = "dm:1:2"


def reply(
    name: str = "alice",
    *,
    chat: protocol.ChatInfo | None = None,
    requests: tuple[protocol.PendingRequest, ...] = (),
    token: str = "tok",
) -> protocol.SignedIn:
    return protocol.SignedIn(
        id=1, name=name, token=token, status="online", chat=chat, requests=list(requests)
    )


def lobby_info(unread: int = 0, last: int = 0) -> protocol.ConversationInfo:
    return protocol.ConversationInfo(
        id="lobby", kind="room", name="Lobby", last_seq=last, read=last - unread,
        unread=unread, mentions=0, topic="", private=False, archived=False,
    )


def msg(seq: int, sender: str = "bob", text: str = "hi", conversation: str = "lobby",
        mentions: tuple[str, ...] = (), to: str | None = None) -> protocol.Message:
    return protocol.Message(conversation=conversation, seq=seq, ts=NOW + seq, sender=sender,
                            text=text, to=to, mentions=list(mentions))


def presence(*users: tuple[str, protocol.SeenStatus], full: bool = False,
             room: str = "lobby") -> protocol.Presence:
    return protocol.Presence(room=room, users=[protocol.UserStatus(n, s) for n, s in users],
                             full=full)


def room(id_: str = "room:ab", name: str = "design", topic: str = "") -> protocol.RoomInfo:
    return protocol.RoomInfo(id_, name, topic, False, False, "bob", 2)


@pytest.fixture
def desk() -> Desktop:
    model = Desktop()
    assert model.signed_in(reply(), NOW) == [SaveToken("tok")]
    model.state.load_conversations([lobby_info()])
    model.select("lobby")
    return model


def pane_texts(desk: Desktop, conversation: str | None = "lobby", **options: bool) -> list[str]:
    return [f"{line.who}: {line.text}" if line.who else line.text
            for line in desk.pane(conversation, **options)]


# ---------------------------------------------------------------- signing in


def test_sign_in_saves_the_token_and_titles_the_window_with_my_name(desk: Desktop) -> None:
    assert desk.title == "hubbub — alice"
    assert desk.me == "alice"


def test_sign_in_into_a_running_chat_and_pending_requests_opens_them() -> None:
    desk = Desktop()
    effects = desk.signed_in(
        reply(chat=protocol.ChatInfo(CHAT, "bob"),
              requests=(protocol.PendingRequest("carol", "alice", 30.0),)),
        NOW,
    )
    assert effects == [SaveToken("tok"), OpenChat(CHAT, "bob"), AskChat("carol")]


# ---------------------------------------------------------------- messages


def test_own_message_reads_you_and_others_their_name(desk: Desktop) -> None:
    desk.apply(msg(1, sender="alice", text="hello"), NOW)
    desk.apply(msg(2, sender="bob", text="hi alice"), NOW)
    assert pane_texts(desk) == ["You: hello", "bob: hi alice"]
    assert [line.style for line in desk.pane("lobby")] == ["mine", "theirs"]


def test_message_in_the_shown_conversation_is_read_at_once(desk: Desktop) -> None:
    assert desk.apply(msg(1), NOW) == [MarkRead("lobby", 1)]
    assert desk.conversation_rows()[0].badge == ""


def test_message_elsewhere_counts_as_unread(desk: Desktop) -> None:
    desk.select(None)
    assert desk.apply(msg(1), NOW) == []
    assert desk.apply(msg(2, mentions=("alice",), text="@alice"), NOW) == []
    assert desk.conversation_rows()[0].badge == "2 @1"


def test_mention_while_unfocused_rings_and_counts_in_the_title(desk: Desktop) -> None:
    desk.focus(False)
    effects = desk.apply(msg(1, text="hey @alice", mentions=("alice",)), NOW)
    assert effects == [Notify("bob: hey @alice")]
    assert desk.title == "(1) hubbub — alice"
    assert desk.pane("lobby")[-1].style == "mention"


def test_direct_message_while_unfocused_rings(desk: Desktop) -> None:
    desk.focus(False)
    effects = desk.apply(msg(1, conversation=DM, text="psst", to="alice"), NOW)
    assert effects == [Notify("bob: psst")]
    assert [row.label for row in desk.conversation_rows()] == ["Lobby", "bob"]


def test_plain_room_message_while_unfocused_does_not_ring(desk: Desktop) -> None:
    desk.focus(False)
    assert desk.apply(msg(1), NOW) == []
    assert desk.title == "hubbub — alice"


def test_focus_back_reads_what_is_shown_and_clears_the_title(desk: Desktop) -> None:
    desk.focus(False)
    desk.apply(msg(1, conversation=DM, to="alice"), NOW)
    desk.apply(msg(1), NOW)
    assert desk.focus(True) == [MarkRead("lobby", 1)]
    assert desk.title == "hubbub — alice"


def test_edited_and_deleted_messages_show_as_they_are_now(desk: Desktop) -> None:
    desk.apply(msg(1, text="helo"), NOW)
    desk.apply(msg(2, text="oops"), NOW)
    desk.apply(protocol.MessageEdited(conversation="lobby", seq=3, ts=NOW, sender="bob",
                                      target=1, text="hello"), NOW)
    desk.apply(protocol.MessageDeleted(conversation="lobby", seq=4, ts=NOW, sender="bob",
                                       target=2), NOW)
    assert pane_texts(desk) == ["bob: hello (edited)", "bob: message deleted"]
    assert desk.pane("lobby")[1].style == "deleted"


def test_read_event_from_another_device_clears_the_badge(desk: Desktop) -> None:
    desk.select(None)
    desk.apply(msg(1), NOW)
    desk.apply(protocol.ReadMarker(conversation="lobby", seq=1), NOW)
    assert desk.conversation_rows()[0].badge == ""


def test_typing_line_shows_and_goes_with_the_message(desk: Desktop) -> None:
    desk.apply(protocol.TypingEvent(conversation="lobby", name="bob"), NOW)
    assert desk.typing("lobby", NOW + 1) == "bob is typing…"
    assert desk.typing("lobby", NOW + protocol.TYPING_LASTS + 1) == ""
    desk.apply(protocol.TypingEvent(conversation="lobby", name="bob"), NOW + 10)
    desk.apply(msg(1), NOW + 11)
    assert desk.typing("lobby", NOW + 11) == ""


# ---------------------------------------------------------------- presence and rooms


def test_online_list_with_status_and_nobody_when_alone(desk: Desktop) -> None:
    desk.apply(presence(("alice", "online"), full=True), NOW)
    assert desk.people_rows() == []
    desk.apply(presence(("bob", "online"), ("carol", "busy"), ("dora", "away")), NOW)
    rows = {row.name: (row.label, row.can_request) for row in desk.people_rows()}
    assert rows == {
        "bob": ("online", True),
        "carol": ("busy — in a chat", False),
        "dora": ("away", True),
    }
    desk.apply(presence(("bob", "offline")), NOW + 1)
    assert "bob" not in {row.name for row in desk.people_rows()}


def test_join_and_leave_lines_but_not_my_own_arrival(desk: Desktop) -> None:
    desk.apply(presence(full=True), NOW)
    desk.apply(presence(("alice", "online"), ("bob", "online")), NOW + 1)
    desk.apply(presence(("bob", "offline")), NOW + 2)
    assert pane_texts(desk) == ["bob joined", "bob left"]


def test_notice_when_alone_shows_in_the_pane_and_status_bar(desk: Desktop) -> None:
    text = "No one else is online yet — waiting for someone to join…"
    desk.apply(protocol.Notice(code="alone", text=text), NOW)
    assert pane_texts(desk) == [text]
    assert desk.status == text


def test_member_joined_and_left_lines(desk: Desktop) -> None:
    desk.apply(protocol.MemberJoined(room="lobby", name="bob", status="online"), NOW)
    desk.apply(protocol.MemberLeft(room="lobby", name="bob"), NOW + 1)
    assert pane_texts(desk) == ["bob joined the room", "bob left the room"]


def test_a_room_i_join_is_shown_one_i_am_added_to_is_not(desk: Desktop) -> None:
    mine = protocol.RoomAdded(room=room(), by="alice", head=0)
    assert desk.apply(mine, NOW) == [Show("room:ab")]
    theirs = protocol.RoomAdded(room=room("room:cd", "secret"), by="bob", head=0)
    assert desk.apply(theirs, NOW) == []
    assert [row.label for row in desk.conversation_rows()] == ["Lobby", "design", "secret"]


def test_leaving_the_shown_room_goes_back_to_the_lobby(desk: Desktop) -> None:
    desk.apply(protocol.RoomAdded(room=room(), by="alice", head=0), NOW)
    desk.select("room:ab")
    assert desk.apply(protocol.RoomRemoved(room="room:ab", reason="left"), NOW) == [Show("lobby")]
    assert "design" not in [row.label for row in desk.conversation_rows()]


def test_topic_change_shows_in_the_header_and_as_a_line(desk: Desktop) -> None:
    desk.apply(protocol.RoomAdded(room=room(), by="alice", head=0), NOW)
    desk.select("room:ab")
    desk.apply(protocol.RoomChanged(room=room(topic="pixels"), by="bob"), NOW + 1)
    assert desk.header("room:ab") == ("# design", "pixels")
    assert "bob set the topic: pixels" in pane_texts(desk, "room:ab")
    assert desk.status == "bob set the topic: pixels"


# ---------------------------------------------------------------- the messenger


def test_chat_request_asks_and_rings_when_unfocused(desk: Desktop) -> None:
    assert desk.apply(protocol.ChatRequested(requester="bob", expires_in=60), NOW) == [
        AskChat("bob")
    ]
    desk.focus(False)
    assert desk.apply(protocol.ChatRequested(requester="carol", expires_in=60), NOW) == [
        AskChat("carol"),
        Notify("carol asks you for a chat"),
    ]


def test_withdrawn_request_closes_its_dialog(desk: Desktop) -> None:
    desk.apply(protocol.ChatRequested(requester="bob", expires_in=60), NOW)
    effects = desk.apply(protocol.ChatCancelled(requester="bob", reason="expired"), NOW)
    assert effects == [DropAsk("bob")]
    assert desk.status == "bob's chat request expired"


def test_my_request_waits_for_the_answer_then_is_declined(desk: Desktop) -> None:
    desk.apply(presence(("bob", "online")), NOW)
    desk.state.chat_request_sent("bob", NOW)
    assert desk.waiting == "waiting for bob's answer…"
    assert desk.people_rows()[0].label == "waiting for answer"
    assert not desk.people_rows()[0].can_request
    assert desk.apply(protocol.ChatDeclined(by="bob", reason="declined"), NOW) == []
    assert desk.waiting == ""
    assert pane_texts(desk)[-1] == "bob declined your chat request"


def test_accepted_chat_opens_the_window_and_closes_other_dialogs(desk: Desktop) -> None:
    desk.apply(protocol.ChatRequested(requester="carol", expires_in=60), NOW)
    effects = desk.apply(protocol.ChatStarted(conversation=CHAT, partner="bob"), NOW)
    assert effects == [DropAsk("carol"), OpenChat(CHAT, "bob")]
    assert desk.in_chat
    assert desk.is_live_chat(CHAT)
    assert desk.header(CHAT) == ("Chat with bob", "1:1 chat")


def test_chat_window_shows_only_its_own_lines(desk: Desktop) -> None:
    desk.apply(protocol.Notice(code="alone", text="alone"), NOW)
    desk.apply(protocol.ChatStarted(conversation=CHAT, partner="bob"), NOW)
    desk.chat_open = CHAT
    assert desk.apply(msg(1, conversation=CHAT, text="Hello"), NOW + 2) == [MarkRead(CHAT, 1)]
    desk.apply(msg(2, sender="alice", conversation=CHAT, text="Yeah"), NOW + 3)
    assert pane_texts(desk, CHAT, chat_window=True) == [
        "Chat with bob started", "bob: Hello", "You: Yeah"
    ]
    assert "alone" in pane_texts(desk, CHAT)


def test_the_other_side_is_told_who_ended_the_chat(desk: Desktop) -> None:
    desk.apply(protocol.ChatStarted(conversation=CHAT, partner="bob"), NOW)
    effects = desk.apply(protocol.ChatEnded(conversation=CHAT, by="bob", reason="ended"), NOW)
    assert effects == [ChatOver(CHAT, "bob ended the chat")]
    assert not desk.in_chat
    assert [row.label for row in desk.conversation_rows()] == ["Lobby", "bob (ended)"]


def test_everyone_is_busy_to_me_while_i_chat(desk: Desktop) -> None:
    desk.apply(presence(("bob", "online"), ("carol", "online")), NOW)
    desk.apply(protocol.ChatStarted(conversation=CHAT, partner="bob"), NOW)
    assert not any(row.can_request for row in desk.people_rows())


# ---------------------------------------------------------------- the connection


def test_drop_shows_reconnecting_and_the_resume_catches_up(desk: Desktop) -> None:
    assert desk.apply(Disconnected(code=1006, reconnecting=True), NOW) == []
    assert desk.banner == RECONNECTING
    effects = desk.apply(Reconnected(attempts=2, signed_in=reply(token="new")), NOW)
    assert effects == [SaveToken("new"), Reload()]
    assert desk.banner is None
    desk.apply(msg(1, text="missed"), NOW)
    desk.apply(msg(1, text="missed"), NOW)
    assert pane_texts(desk) == ["bob: missed"]


def test_chat_that_ended_while_away_is_closed_on_resume(desk: Desktop) -> None:
    desk.apply(protocol.ChatStarted(conversation=CHAT, partner="bob"), NOW)
    desk.chat_open = CHAT
    effects = desk.apply(Reconnected(attempts=1, signed_in=reply()), NOW)
    assert ChatOver(CHAT, "The chat ended while you were away") in effects


def test_a_drop_that_cannot_be_resumed_ends_the_session(desk: Desktop) -> None:
    effects = desk.apply(Disconnected(code=1000, reconnecting=False), NOW)
    assert effects == [SessionEnded(CONNECTION_LOST)]


# ---------------------------------------------------------------- the client's own notes


def test_notes_show_in_the_pane_at_their_time(desk: Desktop) -> None:
    desk.apply(msg(1), NOW)
    desk.note("2*(3+4) = 14", "lobby", NOW + 1.5)  # after message 1 was stamped, before 2
    desk.apply(msg(2, text="later"), NOW + 2)
    assert pane_texts(desk) == ["bob: hi", "2*(3+4) = 14", "bob: later"]
    assert desk.status == "2*(3+4) = 14"


def test_nothing_shown_gives_the_general_notices() -> None:
    desk = Desktop()
    desk.signed_in(reply(), NOW)
    desk.apply(protocol.Notice(code="alone", text="alone"), NOW)
    assert pane_texts(desk, None) == ["alone"]
    assert desk.header(None) == ("hubbub", "")
