"""The message pane's text: order, names, times, typing, headers. No display."""

from __future__ import annotations

import time

from hubbub.client.pane import clock
from hubbub.client.state import Conversation, Line, ShownMessage
from hubbub.desktop.transcript import header, transcript

T = 1_700_000_000.0


def shown(seq: int, sender: str = "bob", text: str = "hi", **changes: object) -> ShownMessage:
    return ShownMessage("lobby", seq, T + seq * 10, sender, text, **changes)  # type: ignore[arg-type]


def texts(lines: list) -> list[str]:  # type: ignore[type-arg]
    return [f"{line.who}: {line.text}" if line.who else line.text for line in lines]


def test_time_is_the_local_hour_and_minute() -> None:
    assert clock(T) == time.strftime("%H:%M", time.localtime(T))
    assert transcript([shown(1)], [], "alice")[0].time == clock(T + 10)


def test_my_lines_read_you_whatever_the_case_of_my_name() -> None:
    lines = transcript([shown(1, sender="Alice")], [], "alice")
    assert (lines[0].who, lines[0].style) == ("You", "mine")


def test_a_notice_sits_after_the_message_it_came_with() -> None:
    notice = Line("bob left", "lobby", T + 15, after_seq=2)
    lines = transcript([shown(1), shown(2), shown(3)], [notice], "alice")
    assert texts(lines) == ["bob: hi", "bob: hi", "bob left", "bob: hi"]


def test_a_notice_made_before_the_history_loaded_lands_by_its_time() -> None:
    notice = Line("bob joined", "lobby", T + 25, after_seq=0)
    lines = transcript([shown(1), shown(2), shown(3)], [notice], "alice")
    assert texts(lines)[2] == "bob joined"


def test_notices_keep_their_order_when_they_share_a_place() -> None:
    first = Line("first", None, T + 1, 0)
    second = Line("second", None, T + 2, 0)
    assert texts(transcript([], [first, second], "alice")) == ["first", "second"]


def test_line_keys_change_when_a_line_would_look_different() -> None:
    before = transcript([shown(1, text="helo")], [], "alice")[0]
    after = transcript([shown(1, text="hello", edited=True)], [], "alice")[0]
    assert after.text == "hello (edited)"
    assert before.key != after.key


def conversation(kind: str, name: str, **changes: object) -> Conversation:
    fields: dict[str, object] = dict(id="x", kind=kind, name=name, topic=None, private=None,
                                     archived=None, last_seq=0, read=0, unread=0, mentions=0)
    fields.update(changes)
    return Conversation(**fields)  # type: ignore[arg-type]


def test_headers_say_what_the_conversation_is() -> None:
    assert header(None) == ("hubbub", "")
    assert header(conversation("room", "design", topic="pixels")) == ("# design", "pixels")
    assert header(conversation("room", "design", topic="")) == ("# design", "no topic yet")
    old = conversation("room", "old", topic="t", archived=True)
    assert header(old) == ("# old", "t (archived)")
    assert header(conversation("dm", "bob"))[0] == "bob"
    ended = conversation("chat", "bob", archived=True)
    assert header(ended) == ("Chat with bob", "1:1 chat — ended")
