"""Keys and mouse: input history, tab completion, clicks, away and back, typing, answering later."""

from __future__ import annotations

from hubbub.tui.request import ChatRequestScreen
from hubbub.tui.widgets import ChatInput
from tui.conftest import OpenTerminal


async def test_history_completion_and_clicks(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    await terminal("bobby")
    await alice.sees("bobby joined")
    field = alice.app.query_one(ChatInput)

    await alice.say("first line")
    await alice.say("second line")
    await alice.press("up")
    assert field.value == "second line"
    await alice.press("up", "up")
    assert field.value == "first line"
    await alice.press("down", "down")
    assert field.value == ""

    for typed, completed in [
        ("/cr", "/create "),
        ("bo", "bobby: "),
        ("/msg B", "/msg bobby "),
        ("hi @b", "hi @bobby "),
    ]:
        field.value = typed
        await alice.press("tab")
        assert field.value == completed
    field.value = "/s"
    await alice.press("tab", "tab")
    assert field.value == "/search "
    field.value = ""

    await alice.say("/create side")
    await alice.until(lambda: alice.shown != "lobby", "the new room shown")
    await alice.click("#conversations", offset=(3, 1))  # the first row: the Lobby
    await alice.until(lambda: alice.shown == "lobby", "the Lobby shown after a click")
    await alice.until(lambda: any("bobby" in p for p in alice.people), "bobby listed")
    row = next(i for i, p in enumerate(alice.people) if "bobby" in p)
    with alice.app._context():
        await alice.pilot.click("#people", offset=(3, 1 + row))
    await alice.until(lambda: field.value == "/msg bobby ", "the input filled by a click")


async def test_away_typing_and_answering_later(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    await alice.until(lambda: any("bob" in p for p in alice.people), "bob listed")

    await bob.press("f4")
    await alice.until(lambda: "◐ bob away" in alice.people, "bob's away badge")
    await bob.until(lambda: "away" in bob.app.sub_title, "bob away in his header")
    await bob.press("f4")
    await alice.until(lambda: "● bob" in alice.people, "bob back")

    await alice.press("h", "e", "l")
    await bob.until(lambda: bob.text("#typing") == "alice is typing…", "the typing line")
    await alice.press("l", "o", "enter")
    await bob.sees("alice: hello")
    await bob.until(lambda: bob.text("#typing") == "", "the typing line cleared")

    await alice.say("/chat bob")
    await bob.until(lambda: isinstance(bob.app.screen, ChatRequestScreen), "the dialog")
    await bob.press("escape")
    await bob.sees("Answer later with /accept alice or /decline alice")
    await bob.say("/accept alice")
    await alice.until(lambda: (alice.shown or "").startswith("chat:"), "the chat shown")
    await alice.say("/end")
    await bob.sees("alice ended the chat")
