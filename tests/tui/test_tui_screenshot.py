"""A captured screen of the terminal client, for the README (copied to docs/ by hand)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from hubbub.client import Client
from tui.conftest import OpenTerminal

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


async def test_screenshot_of_the_lobby(
    terminal: OpenTerminal, library: Callable[[str], Awaitable[Client]]
) -> None:
    alice = await terminal("alice", size=(110, 30))
    bob, carol, dora, erin = [await library(name) for name in ("bob", "carol", "dora", "erin")]
    await alice.sees("erin joined")
    design = await alice.client.create_room("design", topic="pixels and type")
    await bob.join_room(design.id)
    await bob.say("morning! the new icons are in the design room", "lobby")
    await carol.say("@alice can you check the release notes before lunch?", "lobby")
    await bob.say("first draft of the icons is up", design.id)
    await bob.message_user("alice", "coffee later?")
    await carol.set_status("away")
    await dora.request_chat("erin")
    await erin.answer_chat("dora", accept=True)
    await alice.sees("bob (private): coffee later?")
    await alice.say("/calc 17.5 * 12")
    await alice.sees("17.5 * 12 = 210.0")
    await alice.say("on it — thanks @carol")
    await alice.sees("alice: on it")
    await alice.until(lambda: "■ dora busy" in alice.people, "dora busy")
    await alice.until(lambda: "◐ carol away" in alice.people, "carol away")
    await bob.typing("lobby")
    await alice.until(lambda: alice.text("#typing") == "bob is typing…", "bob typing")

    ARTIFACTS.mkdir(exist_ok=True)
    with alice.app._context():
        alice.app.save_screenshot("screenshot-terminal.svg", str(ARTIFACTS))
        svg = alice.app.export_screenshot()
    assert svg.startswith("<svg")
    assert "Conversations" in svg
