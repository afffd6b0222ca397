import time

from hubbub.client.pane import clock, interleave, typing_text
from hubbub.client.shapes import Line, ShownMessage


def shown(seq: int, ts: float) -> ShownMessage:
    return ShownMessage("lobby", seq, ts, "bob", f"message {seq}")


def test_clock_is_local_hours_and_minutes() -> None:
    assert clock(0.0) == time.strftime("%H:%M", time.localtime(0.0))


def test_typing_line_for_nobody_one_two_and_many() -> None:
    assert typing_text([]) == ""
    assert typing_text(["bob"]) == "bob is typing…"
    assert typing_text(["bob", "carol"]) == "bob and carol are typing…"
    assert typing_text(["bob", "carol", "dora", "eve"]) == "bob, carol and 2 more are typing…"


def test_a_notice_follows_the_message_it_came_with_and_every_earlier_one() -> None:
    messages = [shown(1, 100.0), shown(2, 200.0), shown(3, 300.0)]
    with_second = Line("carol joined", "lobby", 150.0, after_seq=2)
    made_before_loading = Line("dora left", "lobby", 250.0, after_seq=0)
    order = interleave(messages, [with_second, made_before_loading])
    assert order == [messages[0], messages[1], with_second, made_before_loading, messages[2]]
