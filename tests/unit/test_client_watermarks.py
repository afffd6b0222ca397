"""What a resuming client asks for, and which entries it never hands over twice."""

from __future__ import annotations

from hubbub import protocol
from hubbub.client.watermarks import Watermarks


def message(seq: int, conversation: str = "lobby") -> protocol.Message:
    return protocol.Message(conversation=conversation, seq=seq, ts=1.0, sender="bob", text="hi")


def edited(seq: int, target: int, conversation: str = "lobby") -> protocol.MessageEdited:
    return protocol.MessageEdited(
        conversation=conversation, seq=seq, ts=1.0, sender="bob", target=target, text="hi!"
    )


def deleted(seq: int, target: int, conversation: str = "lobby") -> protocol.MessageDeleted:
    return protocol.MessageDeleted(
        conversation=conversation, seq=seq, ts=1.0, sender="bob", target=target
    )


def room(room_id: str, head: int) -> protocol.RoomAdded:
    info = protocol.RoomInfo(room_id, "design", "", False, False, "bob", 2)
    return protocol.RoomAdded(room=info, by="bob", head=head)


def test_message_at_or_below_the_mark_is_a_duplicate() -> None:
    marks = Watermarks()
    assert marks.admit(message(3))
    assert not marks.admit(message(3))
    assert not marks.admit(message(2))
    assert marks.admit(message(4))


def test_edits_and_deletes_advance_the_mark_and_are_not_repeated() -> None:
    marks = Watermarks()
    assert marks.admit(message(1))
    assert marks.admit(edited(2, target=1))
    assert marks.admit(deleted(3, target=1))
    assert not marks.admit(edited(2, target=1))
    assert not marks.admit(message(3))
    assert marks.since() == {"lobby": 3}


def test_conversations_are_counted_apart() -> None:
    marks = Watermarks()
    assert marks.admit(message(5, "lobby"))
    assert marks.admit(message(1, "dm:1:2"))
    assert marks.since() == {"lobby": 5, "dm:1:2": 1}


def test_sign_in_heads_are_where_every_conversation_starts() -> None:
    marks = Watermarks()
    marks.signed_in({"lobby": 41, "room:ab": 7, "dm:1:2": 3})
    assert marks.since() == {"lobby": 41, "room:ab": 7, "dm:1:2": 3}


def test_heads_do_not_move_conversations_already_known() -> None:
    marks = Watermarks()
    marks.assume_delivered({"lobby": 10})
    marks.signed_in({"lobby": 41, "room:ab": 7})
    assert marks.since() == {"lobby": 10, "room:ab": 7}


def test_delivered_entries_move_resume_past_the_baseline() -> None:
    marks = Watermarks()
    marks.signed_in({"lobby": 41})
    marks.admit(message(42))
    assert marks.since() == {"lobby": 42}


def test_room_added_starts_a_new_room_at_its_head() -> None:
    marks = Watermarks()
    assert marks.admit(room("room:ab", head=17))
    assert marks.since() == {"room:ab": 17}


def test_room_added_again_does_not_move_a_known_room() -> None:
    marks = Watermarks()
    marks.admit(room("room:ab", head=17))
    marks.admit(message(20, "room:ab"))
    marks.admit(room("room:ab", head=25))
    assert marks.since() == {"room:ab": 20}


def test_new_chat_starts_at_zero() -> None:
    marks = Watermarks()
    assert marks.admit(protocol.ChatStarted(conversation="chat:9f", partner="bob"))
    assert marks.since() == {"chat:9f": 0}


def test_leaving_a_room_stops_resumes_asking_for_it() -> None:
    marks = Watermarks()
    marks.admit(room("room:ab", head=17))
    marks.admit(message(18, "room:ab"))
    assert marks.admit(protocol.RoomRemoved(room="room:ab", reason="left"))
    assert marks.since() == {}


def test_rejoining_a_room_starts_at_its_new_head() -> None:
    marks = Watermarks()
    marks.admit(room("room:ab", head=17))
    marks.admit(message(18, "room:ab"))
    marks.admit(protocol.RoomRemoved(room="room:ab", reason="left"))
    marks.admit(room("room:ab", head=30))
    assert marks.since() == {"room:ab": 30}


def test_events_without_a_place_always_pass() -> None:
    marks = Watermarks()
    typing = protocol.TypingEvent(conversation="lobby", name="bob")
    assert marks.admit(typing)
    assert marks.admit(typing)
    assert marks.since() == {}
