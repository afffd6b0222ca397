"""What typed text means: messages, the broadcast chat's actions and room commands."""

from __future__ import annotations

import pytest

from hubbub.desktop.composer import (
    Calculate,
    CreateRoom,
    JoinRoom,
    LeaveRoom,
    ListUsers,
    Mistake,
    Private,
    Say,
    Search,
    SetTopic,
    TypingThrottle,
    parse,
)
from hubbub.protocol import TYPING_EVERY


@pytest.mark.parametrize(
    ("line", "action"),
    [
        ("hello", Say("hello")),
        ("  spaced  ", Say("  spaced  ")),
        ("//not a command", Say("/not a command")),
        ("/calc 2*(3+4)", Calculate("2*(3+4)")),
        ("/msg bob psst, hi", Private("bob", "psst, hi")),
        ("/users", ListUsers()),
        ("/join design", JoinRoom("design")),
        ("/create pixel art", CreateRoom("pixel art")),
        ("/leave", LeaveRoom()),
        ("/topic pixels and type", SetTopic("pixels and type")),
        ("/topic", SetTopic("")),
        ("/search release notes", Search("release notes")),
        ("/CALC 1+1", Calculate("1+1")),
    ],
)
def test_lines_become_actions(line: str, action: object) -> None:
    assert parse(line) == action


@pytest.mark.parametrize("line", ["/calc", "/msg bob", "/msg", "/join", "/search ", "/nope"])
def test_incomplete_or_unknown_commands_explain_themselves(line: str) -> None:
    assert isinstance(parse(line), Mistake)


def test_blank_input_is_nothing() -> None:
    assert parse("   ") is None


def test_typing_is_told_at_most_once_per_interval_and_again_after_a_send() -> None:
    throttle = TypingThrottle()
    assert throttle.should_tell("lobby", 0.0)
    assert not throttle.should_tell("lobby", TYPING_EVERY - 0.1)
    assert throttle.should_tell("room:1", 1.0)
    assert throttle.should_tell("lobby", TYPING_EVERY)
    throttle.sent("lobby")
    assert throttle.should_tell("lobby", TYPING_EVERY + 0.1)
