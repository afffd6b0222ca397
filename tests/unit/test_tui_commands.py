"""The terminal client's input line: commands, tab completion and history, without a terminal."""

from __future__ import annotations

from hubbub.tui.commands import COMMAND_NAMES, Command, Text, Unknown, help_lines, parse
from hubbub.tui.completion import Completer, InputHistory, candidates


def test_plain_text_goes_to_the_conversation_and_slash_lines_are_commands() -> None:
    assert parse("hello there") == Text("hello there")
    assert parse("  ") is None
    assert parse("//not a command") == Text("/not a command")
    assert parse("/MSG bob  psst, you") == Command("msg", "bob  psst, you")
    assert parse("/msg bob  psst, you").split() == ("bob", "psst, you")  # type: ignore[union-attr]
    assert parse("/join  the big room ") == Command("join", "the big room")
    assert parse("/frobnicate now") == Unknown("frobnicate")


def test_every_feature_of_both_products_has_a_command_and_help() -> None:
    wanted = {"msg", "calc", "users", "chat", "end", "away", "back", "join", "leave", "create"}
    wanted |= {"topic", "invite", "rooms", "search", "help", "accept", "decline"}
    assert wanted <= set(COMMAND_NAMES)
    text = "\n".join(help_lines())
    assert all(f"/{name}" in text for name in COMMAND_NAMES)


def test_tab_completes_commands_and_names() -> None:
    names = ["bob", "Bobby", "carol"]
    assert candidates("/ca", names) == ["/calc "]
    assert candidates("/c", names) == ["/calc ", "/chat ", "/create "]
    assert candidates("ca", names) == ["carol: "]
    assert candidates("/msg BO", names) == ["/msg bob ", "/msg Bobby "]
    assert candidates("hi @c", names) == ["hi @carol "]
    assert candidates("hi ", names) == []
    assert candidates("zz", names) == []


def test_tab_again_cycles_through_the_candidates() -> None:
    completer = Completer()
    names = ["bob", "bobby"]
    first = completer.complete("/msg bo", names)
    assert first == "/msg bob "
    second = completer.complete(first, names)
    assert second == "/msg bobby "
    assert completer.complete(second, names) == "/msg bob "
    assert completer.complete("nothing here", names) is None


def test_up_and_down_walk_the_lines_sent_and_keep_the_draft() -> None:
    history = InputHistory()
    for line in ("one", "two", "two", "  "):
        history.add(line)
    assert history.newer() is None
    assert history.older("draft") == "two"
    assert history.older("two") == "one"
    assert history.older("one") is None
    assert history.newer() == "two"
    assert history.newer() == "draft"
    assert history.newer() is None


def test_history_keeps_the_newest_lines() -> None:
    history = InputHistory(limit=2)
    for line in ("a", "b", "c"):
        history.add(line)
    assert [history.older(""), history.older(""), history.older("")] == ["c", "b", None]
