"""The client-side model every view shares: what a user sees, fed only what the server says."""

from __future__ import annotations

import time
from typing import Literal

import pytest

from hubbub import protocol
from hubbub.client import Disconnected, Reconnected
from hubbub.client.state import DELETED_TEXT, ClientState

Kind = Literal["room", "dm", "chat"]


def msg(
    seq: int,
    sender: str = "bob",
    text: str = "hi",
    conversation: str = "lobby",
    *,
    to: str | None = None,
    mentions: tuple[str, ...] = (),
) -> protocol.Message:
    return protocol.Message(
        conversation=conversation,
        seq=seq,
        ts=float(seq),
        sender=sender,
        text=text,
        to=to,
        mentions=list(mentions),
    )


def edit(seq: int, target: int, text: str, sender: str = "bob") -> protocol.MessageEdited:
    return protocol.MessageEdited(
        conversation="lobby", seq=seq, ts=float(seq), sender=sender, target=target, text=text
    )


def delete(seq: int, target: int, sender: str = "bob") -> protocol.MessageDeleted:
    return protocol.MessageDeleted(
        conversation="lobby", seq=seq, ts=float(seq), sender=sender, target=target
    )


def info(
    id_: str = "lobby",
    *,
    kind: Kind = "room",
    name: str = "Lobby",
    last: int = 0,
    read: int = 0,
    unread: int = 0,
    mentions: int = 0,
) -> protocol.ConversationInfo:
    room = kind == "room"
    return protocol.ConversationInfo(
        id=id_,
        kind=kind,
        name=name,
        last_seq=last,
        read=read,
        unread=unread,
        mentions=mentions,
        topic="" if room else None,
        private=False if room else None,
        archived=False if room else None,
    )


def room_info(
    id_: str = "room:ab", name: str = "design", topic: str = "", archived: bool = False
) -> protocol.RoomInfo:
    return protocol.RoomInfo(id_, name, topic, False, archived, "bob", 2)


def signed_in(
    name: str = "alice",
    *,
    chat: protocol.ChatInfo | None = None,
    requests: tuple[protocol.PendingRequest, ...] = (),
    heads: dict[str, int] | None = None,
) -> protocol.SignedIn:
    return protocol.SignedIn(
        id=1,
        name=name,
        token="tok",
        status="online",
        heads=heads or {},
        chat=chat,
        requests=list(requests),
    )


def presence(
    *users: tuple[str, protocol.SeenStatus], full: bool = False, room: str = "lobby"
) -> protocol.Presence:
    return protocol.Presence(
        room=room, users=[protocol.UserStatus(n, s) for n, s in users], full=full
    )


@pytest.fixture
def state() -> ClientState:
    model = ClientState()
    model.signed_in(signed_in(), now=0.0)
    model.load_conversations([info()])
    return model


def counts(state: ClientState, conversation: str = "lobby") -> tuple[int, int]:
    shown = state.conversation(conversation)
    assert shown is not None
    return shown.unread, shown.mentions


def texts(state: ClientState, conversation: str = "lobby") -> list[str]:
    return [m.text for m in state.messages(conversation)]


def lines(state: ClientState) -> list[str]:
    return [line.text for line in state.lines]


# ---------------------------------------------------------------- unread and read markers


def test_message_from_other_counts_as_unread(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    assert counts(state) == (1, 0)


def test_message_mentioning_me_counts_as_a_mention(state: ClientState) -> None:
    state.apply(msg(1, text="hi @Alice", mentions=("Alice",)), now=1.0)
    state.apply(msg(2, text="hi @carol", mentions=("carol",)), now=1.0)
    assert counts(state) == (2, 1)


def test_my_own_message_marks_everything_before_it_read(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.apply(msg(2, sender="alice"), now=1.0)
    shown = state.conversation("lobby")
    assert shown is not None
    assert (shown.read, shown.unread) == (2, 0)


def test_read_event_from_another_device_clears_unread(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.apply(msg(2), now=1.0)
    state.apply(protocol.ReadMarker(conversation="lobby", seq=2), now=1.0)
    assert counts(state) == (0, 0)


def test_reading_part_way_leaves_the_rest_unread(state: ClientState) -> None:
    for seq in (1, 2, 3):
        state.apply(msg(seq, mentions=("alice",) if seq == 3 else ()), now=1.0)
    state.apply(protocol.ReadMarker(conversation="lobby", seq=1), now=1.0)
    assert counts(state) == (2, 1)


def test_read_marker_never_moves_back(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.apply(protocol.ReadMarker(conversation="lobby", seq=1), now=1.0)
    state.apply(protocol.ReadMarker(conversation="lobby", seq=0), now=1.0)
    assert counts(state) == (0, 0)


def test_server_counts_stand_for_messages_never_seen(state: ClientState) -> None:
    state.load_conversations([info(last=41, read=39, unread=2, mentions=1)])
    state.apply(msg(42, mentions=("alice",)), now=1.0)
    assert counts(state) == (3, 2)


def test_reading_past_what_was_never_seen_is_estimated_from_the_gap(state: ClientState) -> None:
    state.load_conversations([info(last=41, read=30, unread=8)])
    state.apply(protocol.ReadMarker(conversation="lobby", seq=39), now=1.0)
    assert counts(state) == (2, 0)


def test_a_message_seen_before_the_reload_is_not_counted_twice(state: ClientState) -> None:
    state.apply(msg(5), now=1.0)
    state.load_conversations([info(last=5, read=4, unread=1)])
    state.apply(msg(5), now=1.0)
    assert counts(state) == (1, 0)


def test_a_message_after_the_reload_snapshot_is_still_counted(state: ClientState) -> None:
    state.apply(msg(6), now=1.0)  # arrived before the (older) conversations reply was read
    state.load_conversations([info(last=5, read=4, unread=1)])
    assert counts(state) == (2, 0)


def test_selecting_a_conversation_marks_it_read_and_gives_the_seq_to_send(
    state: ClientState,
) -> None:
    state.apply(msg(1), now=1.0)
    state.apply(msg(2), now=1.0)
    assert state.select("lobby") == 2
    assert state.current == "lobby"
    assert counts(state) == (0, 0)


def test_selecting_a_read_conversation_needs_no_mark_read(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.select("lobby")
    assert state.select("lobby") is None


def test_news_in_the_shown_conversation_is_read_on_demand(state: ClientState) -> None:
    state.select("lobby")
    state.apply(msg(1), now=1.0)
    assert counts(state) == (1, 0)
    assert state.read_current() == 1
    assert counts(state) == (0, 0)


# ---------------------------------------------------------------- messages, edits, deletes


def test_the_same_message_twice_is_shown_once(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.apply(msg(1), now=1.0)
    assert texts(state) == ["hi"]
    assert counts(state) == (1, 0)


def test_messages_are_in_seq_order_whatever_order_they_come_in(state: ClientState) -> None:
    state.apply(msg(3, text="c"), now=1.0)
    state.add_history("lobby", [msg(1, text="a"), msg(2, text="b"), msg(3, text="c")])
    assert texts(state) == ["a", "b", "c"]


def test_edit_replaces_text_of_target(state: ClientState) -> None:
    state.apply(msg(1, text="helo"), now=1.0)
    state.apply(edit(2, target=1, text="hello"), now=1.0)
    [shown] = state.messages("lobby")
    assert (shown.text, shown.edited, shown.seq) == ("hello", True, 1)


def test_delete_leaves_a_tombstone(state: ClientState) -> None:
    state.apply(msg(1, text="oops"), now=1.0)
    state.apply(delete(2, target=1), now=1.0)
    [shown] = state.messages("lobby")
    assert (shown.text, shown.deleted) == (DELETED_TEXT, True)


def test_deleted_unread_message_is_no_longer_unread(state: ClientState) -> None:
    state.apply(msg(1, mentions=("alice",)), now=1.0)
    state.apply(msg(2), now=1.0)
    state.apply(delete(3, target=1), now=1.0)
    assert counts(state) == (1, 0)


def test_deleting_a_message_never_seen_lowers_the_server_count(state: ClientState) -> None:
    state.load_conversations([info(last=10, read=5, unread=3)])
    state.apply(delete(11, target=8), now=1.0)
    assert counts(state) == (2, 0)


def test_edits_and_deletes_are_not_unread(state: ClientState) -> None:
    state.apply(msg(1, sender="alice"), now=1.0)
    state.apply(edit(2, target=1, text="x", sender="alice"), now=1.0)
    state.apply(edit(3, target=1, text="y", sender="alice"), now=1.0)
    assert counts(state) == (0, 0)
    assert state.conversation("lobby").last_seq == 3  # type: ignore[union-attr]


def test_an_older_history_page_cannot_undo_a_change(state: ClientState) -> None:
    state.apply(msg(1, text="first"), now=1.0)
    state.apply(msg(2, text="second"), now=1.0)
    state.apply(edit(3, target=1, text="first!"), now=1.0)
    state.apply(delete(4, target=2), now=1.0)
    state.add_history("lobby", [msg(1, text="first"), msg(2, text="second")])
    assert texts(state) == ["first!", DELETED_TEXT]


def test_history_shows_messages_as_they_are_now(state: ClientState) -> None:
    gone = protocol.Message(
        conversation="lobby", seq=1, ts=1.0, sender="bob", text="", deleted=True
    )
    state.add_history("lobby", [gone, msg(2, text="kept"), delete(3, target=1)])
    assert texts(state) == [DELETED_TEXT, "kept"]


def test_first_dm_from_someone_new_is_a_conversation_named_after_them(
    state: ClientState,
) -> None:
    state.apply(msg(1, sender="bob", conversation="dm:1:2", to="alice"), now=1.0)
    dm = state.conversation("dm:1:2")
    assert dm is not None
    assert (dm.kind, dm.name, dm.unread) == ("dm", "bob", 1)


def test_my_first_dm_is_named_after_who_i_wrote_to(state: ClientState) -> None:
    state.apply(msg(1, sender="alice", conversation="dm:1:2", to="bob"), now=1.0)
    dm = state.conversation("dm:1:2")
    assert dm is not None
    assert (dm.name, dm.unread) == ("bob", 0)


# ---------------------------------------------------------------- rooms


def test_joined_room_starts_at_its_head_with_nothing_unread(state: ClientState) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=17), now=1.0)
    room = state.conversation("room:ab")
    assert room is not None
    assert (room.kind, room.name, room.last_seq, room.unread) == ("room", "design", 17, 0)
    state.apply(msg(18, conversation="room:ab"), now=1.0)
    assert counts(state, "room:ab") == (1, 0)


def test_being_invited_says_who_added_me(state: ClientState) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="bob", head=0), now=1.0)
    assert lines(state) == ["bob added you to design"]


def test_new_topic_is_shown_and_says_who_set_it(state: ClientState) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=0), now=1.0)
    state.apply(protocol.RoomChanged(room=room_info(topic="pixels"), by="bob"), now=2.0)
    assert state.conversation("room:ab").topic == "pixels"  # type: ignore[union-attr]
    assert lines(state)[-1] == "bob set the topic: pixels"


def test_archived_room_is_marked_archived(state: ClientState) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=0), now=1.0)
    state.apply(protocol.RoomChanged(room=room_info(archived=True), by="bob"), now=2.0)
    assert state.conversation("room:ab").archived is True  # type: ignore[union-attr]
    assert lines(state)[-1] == "bob archived the room"


def test_leaving_a_room_removes_it_and_stops_showing_it(state: ClientState) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=0), now=1.0)
    state.select("room:ab")
    state.apply(protocol.RoomRemoved(room="room:ab", reason="left"), now=2.0)
    assert state.conversation("room:ab") is None
    assert state.current is None
    assert lines(state)[-1] == "You left design"


def test_a_kick_says_who_and_why_and_the_room_hears_of_mutes_and_roles(
    state: ClientState,
) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=0), now=1.0)
    state.load_members("room:ab", [protocol.MemberInfo("bob", "online", "member")])
    state.apply(
        protocol.Moderated(room="room:ab", action="moderator", name="bob", by="alice"), now=2.0
    )
    assert [m.role for m in state.members("room:ab")] == ["moderator"]
    assert lines(state)[-1] == "bob is now a moderator (by alice)"
    until = time.mktime((2026, 5, 1, 14, 5, 0, 0, 0, -1))
    muted = protocol.Muted(room="room:ab", until=until, by="alice", note="spam")
    state.apply(muted, now=3.0)
    assert lines(state)[-1] == "You are muted in design until 14:05 by alice (spam)"
    kicked = protocol.RoomRemoved(room="room:ab", reason="kicked", by="alice", note="calm down")
    state.apply(kicked, now=4.0)
    assert state.conversation("room:ab") is None
    assert lines(state)[-1] == "You were kicked from design by alice (calm down)"


def test_reload_drops_rooms_no_longer_listed_but_keeps_chats_and_dms(
    state: ClientState,
) -> None:
    state.apply(protocol.RoomAdded(room=room_info(), by="alice", head=0), now=1.0)
    state.apply(msg(1, conversation="dm:1:2", to="alice"), now=1.0)
    state.load_conversations([info(last=3)])
    assert [c.id for c in state.conversations] == ["lobby", "dm:1:2"]


def test_conversations_follow_the_servers_order(state: ClientState) -> None:
    dm = info("dm:1:2", kind="dm", name="bob")
    state.load_conversations([dm, info()])
    assert [c.id for c in state.conversations] == ["dm:1:2", "lobby"]


# ---------------------------------------------------------------- members and presence


def members(state: ClientState, room: str = "lobby") -> list[tuple[str, str]]:
    return [(m.name, m.status) for m in state.members(room)]


def test_members_list_owners_first_then_by_name(state: ClientState) -> None:
    state.load_members(
        "room:ab",
        [
            protocol.MemberInfo("carol", "online", "member"),
            protocol.MemberInfo("Bob", "away", "member"),
            protocol.MemberInfo("dora", "offline", "owner"),
        ],
    )
    assert members(state, "room:ab") == [("dora", "offline"), ("Bob", "away"), ("carol", "online")]


def test_full_presence_shows_members_it_leaves_out_offline(state: ClientState) -> None:
    state.load_members(
        "lobby",
        [
            protocol.MemberInfo("bob", "online", "member"),
            protocol.MemberInfo("carol", "away", "member"),
        ],
    )
    state.apply(presence(("carol", "online"), full=True), now=1.0)
    assert members(state) == [("bob", "offline"), ("carol", "online")]
    assert lines(state) == []


def test_someone_coming_online_is_announced_as_joined(state: ClientState) -> None:
    state.apply(presence(("alice", "online"), full=True), now=1.0)
    state.apply(presence(("bob", "online")), now=2.0)
    assert lines(state) == ["bob joined"]
    assert state.lines[0].conversation == "lobby"
    assert state.online == {"bob": "online"}


def test_my_own_arrival_is_not_announced_to_me(state: ClientState) -> None:
    state.apply(presence(full=True), now=1.0)
    state.apply(presence(("alice", "online"), ("bob", "online")), now=2.0)
    assert lines(state) == ["bob joined"]


def test_someone_going_offline_is_announced_as_left(state: ClientState) -> None:
    state.apply(presence(("bob", "online"), full=True), now=1.0)
    state.apply(presence(("bob", "offline")), now=2.0)
    assert lines(state) == ["bob left"]
    assert state.online == {}


def test_status_changes_of_someone_online_are_not_announced(state: ClientState) -> None:
    state.apply(presence(("bob", "online"), full=True), now=1.0)
    state.apply(presence(("bob", "busy")), now=2.0)
    assert lines(state) == []
    assert state.online == {"bob": "busy"}


def test_online_is_everyone_online_in_any_of_my_rooms_but_me(state: ClientState) -> None:
    state.apply(presence(("alice", "online"), ("bob", "away"), full=True), now=1.0)
    state.apply(presence(("carol", "online"), full=True, room="room:ab"), now=1.0)
    assert state.online == {"bob": "away", "carol": "online"}


def test_my_status_follows_what_presence_says_of_me(state: ClientState) -> None:
    state.apply(presence(("alice", "busy")), now=1.0)
    assert state.me is not None
    assert state.me.status == "busy"


def test_members_joining_and_leaving_a_room_change_its_members(state: ClientState) -> None:
    state.apply(protocol.MemberJoined(room="room:ab", name="bob", status="online"), now=1.0)
    assert [(m.name, m.role) for m in state.members("room:ab")] == [("bob", "member")]
    state.apply(protocol.MemberLeft(room="room:ab", name="bob"), now=2.0)
    assert state.members("room:ab") == []
    assert lines(state) == ["bob joined the room", "bob left the room"]


# ---------------------------------------------------------------- typing


def typing(name: str = "bob") -> protocol.TypingEvent:
    return protocol.TypingEvent(conversation="lobby", name=name)


def test_typing_is_shown_while_it_lasts(state: ClientState) -> None:
    state.apply(typing(), now=10.0)
    assert state.typing_names("lobby", now=15.9) == ["bob"]


def test_typing_expires_after_six_seconds(state: ClientState) -> None:
    state.apply(typing(), now=10.0)
    assert state.typing_names("lobby", now=10.0 + protocol.TYPING_LASTS) == []


def test_typing_again_keeps_the_indicator_on(state: ClientState) -> None:
    state.apply(typing(), now=10.0)
    state.apply(typing(), now=13.0)
    assert state.typing_names("lobby", now=18.0) == ["bob"]


def test_typing_stops_when_that_users_message_arrives(state: ClientState) -> None:
    state.apply(typing("bob"), now=10.0)
    state.apply(typing("carol"), now=10.0)
    state.apply(msg(1, sender="bob"), now=11.0)
    assert state.typing_names("lobby", now=11.0) == ["carol"]


def test_my_own_typing_is_not_shown(state: ClientState) -> None:
    state.apply(typing("alice"), now=10.0)
    assert state.typing_names("lobby", now=10.0) == []


# ---------------------------------------------------------------- 1:1 chat and requests


def test_sign_in_restores_the_current_chat_and_requests_both_ways() -> None:
    model = ClientState()
    model.signed_in(
        signed_in(
            chat=protocol.ChatInfo("chat:9f", "bob"),
            requests=(
                protocol.PendingRequest("carol", "alice", 41.5),
                protocol.PendingRequest("alice", "dora", 10.0),
            ),
        ),
        now=100.0,
    )
    assert model.chat == protocol.ChatInfo("chat:9f", "bob")
    assert [(r.requester, r.expires_at) for r in model.requests_to_me] == [("carol", 141.5)]
    assert [r.invitee for r in model.requests_from_me] == ["dora"]
    chat = model.conversation("chat:9f")
    assert chat is not None
    assert (chat.kind, chat.name) == ("chat", "bob")


def test_chat_request_to_me_waits_until_it_is_cancelled(state: ClientState) -> None:
    state.apply(protocol.ChatRequested(requester="bob", expires_in=60.0), now=5.0)
    assert [(r.requester, r.invitee, r.expires_at) for r in state.requests_to_me] == [
        ("bob", "alice", 65.0)
    ]
    state.apply(protocol.ChatCancelled(requester="bob", reason="expired"), now=65.0)
    assert state.requests_to_me == []
    assert lines(state) == ["bob asks you for a chat", "bob's chat request expired"]


def test_answering_a_request_removes_it(state: ClientState) -> None:
    state.apply(protocol.ChatRequested(requester="bob", expires_in=60.0), now=5.0)
    state.chat_answered("bob")
    assert state.requests_to_me == []


def test_my_request_waits_until_it_is_declined(state: ClientState) -> None:
    state.chat_request_sent("bob", now=5.0)
    assert [(r.requester, r.invitee, r.expires_at) for r in state.requests_from_me] == [
        ("alice", "bob", 65.0)
    ]
    state.apply(protocol.ChatDeclined(by="bob", reason="declined"), now=6.0)
    assert state.requests_from_me == []
    assert lines(state) == ["bob declined your chat request"]


def test_started_chat_is_current_and_withdraws_every_request(state: ClientState) -> None:
    state.chat_request_sent("bob", now=5.0)
    state.apply(protocol.ChatRequested(requester="carol", expires_in=60.0), now=5.0)
    state.apply(protocol.ChatStarted(conversation="chat:9f", partner="bob"), now=6.0)
    assert state.chat == protocol.ChatInfo("chat:9f", "bob")
    assert (state.requests_to_me, state.requests_from_me) == ([], [])
    chat = state.conversation("chat:9f")
    assert chat is not None
    assert (chat.kind, chat.name, chat.unread) == ("chat", "bob", 0)


def test_partner_ending_the_chat_says_so_and_closes_it(state: ClientState) -> None:
    state.apply(protocol.ChatStarted(conversation="chat:9f", partner="bob"), now=6.0)
    state.apply(msg(1, conversation="chat:9f"), now=7.0)
    state.apply(protocol.ChatEnded(conversation="chat:9f", by="bob", reason="ended"), now=8.0)
    assert state.chat is None
    assert state.lines_for("chat:9f")[-1].text == "bob ended the chat"
    chat = state.conversation("chat:9f")
    assert chat is not None
    assert chat.archived is True
    assert texts(state, "chat:9f") == ["hi"]


def test_ending_the_chat_myself_says_so(state: ClientState) -> None:
    state.apply(protocol.ChatStarted(conversation="chat:9f", partner="bob"), now=6.0)
    state.apply(protocol.ChatEnded(conversation="chat:9f", by="alice", reason="ended"), now=8.0)
    assert lines(state)[-1] == "You ended the chat"


# ---------------------------------------------------------------- notices and connection


def test_being_alone_is_a_notice(state: ClientState) -> None:
    text = "No one else is online yet — waiting for someone to join…"
    state.apply(protocol.Notice(code="alone", text=text), now=1.0)
    assert lines(state) == [text]
    assert state.lines[0].conversation is None


def test_lines_for_a_conversation_include_those_for_wherever(state: ClientState) -> None:
    state.apply(protocol.Notice(code="alone", text="alone"), now=1.0)
    state.apply(protocol.MemberJoined(room="room:ab", name="bob", status="online"), now=2.0)
    state.apply(presence(("carol", "offline")), now=3.0)
    assert [line.text for line in state.lines_for("room:ab")] == ["alone", "bob joined the room"]


def test_lines_record_where_they_fall_among_messages(state: ClientState) -> None:
    state.apply(msg(4), now=1.0)
    state.apply(protocol.MemberLeft(room="lobby", name="bob"), now=2.0)
    assert (state.lines[0].after_seq, state.lines[0].at) == (4, 2.0)


def test_drops_and_resumes_show_as_connected_or_not(state: ClientState) -> None:
    assert state.connected
    state.apply(Disconnected(code=1006, reconnecting=True), now=1.0)
    assert not state.connected
    state.apply(Reconnected(attempts=1, signed_in=signed_in()), now=2.0)
    assert state.connected


def test_chat_that_ended_while_away_is_closed_on_resume(state: ClientState) -> None:
    state.apply(protocol.ChatStarted(conversation="chat:9f", partner="bob"), now=6.0)
    state.apply(Reconnected(attempts=1, signed_in=signed_in()), now=9.0)
    assert state.chat is None
    assert state.conversation("chat:9f").archived is True  # type: ignore[union-attr]


def test_sign_in_heads_move_known_conversations_forward(state: ClientState) -> None:
    state.signed_in(signed_in(heads={"lobby": 9, "room:zz": 3}), now=1.0)
    assert state.conversation("lobby").last_seq == 9  # type: ignore[union-attr]
    assert state.conversation("room:zz") is None


def test_signing_in_as_someone_else_starts_afresh(state: ClientState) -> None:
    state.apply(msg(1), now=1.0)
    state.signed_in(signed_in("carol"), now=2.0)
    assert state.conversations == []
    assert state.me is not None
    assert state.me.name == "carol"
