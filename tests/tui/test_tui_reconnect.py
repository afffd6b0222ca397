"""Drops and reconnects: the app says "reconnecting…", and no message is lost or repeated."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conftest import ServerProcess, drop
from hubbub.client import Client
from tui.conftest import OpenTerminal


async def test_a_dropped_connection_resumes_without_gaps_or_repeats(
    terminal: OpenTerminal, library: Callable[[str], Awaitable[Client]]
) -> None:
    alice = await terminal("alice")
    bob = await library("bob")
    await alice.sees("bob joined")
    await bob.say("before the drop")
    await alice.sees("bob: before the drop")

    drop(alice.client)
    for n in range(5):
        await bob.say(f"while away {n}")
    await bob.say("after the drop")
    await alice.sees("bob: after the drop")
    said = [line.split(" ", 1)[1] for line in alice.pane if " bob: " in line]
    expected = [f"bob: while away {n}" for n in range(5)]
    assert said == ["bob: before the drop", *expected, "bob: after the drop"]
    assert "reconnecting" not in alice.app.sub_title


async def test_the_server_going_away_shows_reconnecting(
    terminal: OpenTerminal, hubbub: ServerProcess
) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    await bob.say("first")
    await alice.sees("bob: first")

    hubbub.kill()
    await alice.until(lambda: "reconnecting…" in alice.app.sub_title, "reconnecting…")
    hubbub.start()
    await alice.until(lambda: "reconnecting" not in alice.app.sub_title, "the resume", 15)
    await bob.until(lambda: "reconnecting" not in bob.app.sub_title, "the resume", 15)
    await bob.say("second")
    await alice.sees("bob: second")
    said = [line.split(" ", 1)[1] for line in alice.pane if " bob: " in line]
    assert said == ["bob: first", "bob: second"]
