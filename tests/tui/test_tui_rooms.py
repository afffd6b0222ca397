"""Rooms, unread and mention counts, and search, from terminal apps."""

from __future__ import annotations

from tui.conftest import OpenTerminal


async def test_rooms_topic_invite_join_leave(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    carol = await terminal("carol")

    await alice.say("/create design")
    await alice.until(lambda: "# design" in alice.text("#title"), "the new room shown")
    await alice.say("/topic pixels and type")
    await alice.until(lambda: "pixels and type" in alice.text("#title"), "the topic")
    await alice.say("/invite bob")
    await bob.until(lambda: "# design" in bob.conversations, "design in bob's list")
    await bob.sees("alice added you to design")
    await bob.open("design")
    await bob.say("the release notes are ready")
    await alice.sees("bob: the release notes are ready")

    await carol.say("/rooms")
    await carol.sees("# design — pixels and type (2 members)")
    await carol.say("/join design")
    await carol.until(lambda: carol.text("#title").startswith("# design"), "design shown")
    await carol.sees("bob: the release notes are ready")
    await alice.sees("carol joined the room")
    await carol.say("/leave")
    await alice.sees("carol left the room")
    await carol.until(lambda: carol.shown == "lobby", "the Lobby shown again")
    assert "# design" not in carol.conversations


async def test_unread_mentions_and_search(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    await alice.say("/create quiet")
    await alice.until(lambda: "# quiet" in alice.text("#title"), "the new room shown")

    await bob.say("the release notes are out")
    await bob.say("@alice please read them")
    await alice.until(lambda: "# Lobby 2 @1" in alice.conversations, "unread and mention counts")

    await alice.press("ctrl+p")
    await alice.until(lambda: alice.shown == "lobby", "the Lobby shown")
    await alice.until(lambda: "# Lobby" in alice.conversations, "the counts cleared")
    await alice.sees("bob: @alice please read them")

    await alice.press("f1")
    await alice.sees("/search TEXT")
    await alice.say("/search release notes")
    await alice.sees("Search “release notes”: 1 found")
    await alice.sees("[Lobby]")
    assert any("bob: " in line and "release notes" in line for line in alice.pane[-2:])
