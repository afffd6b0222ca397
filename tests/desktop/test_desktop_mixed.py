"""A desktop user and a library user (hubbub.client.Client) in one Lobby: the broadcast
chat's four actions (send, calculate, private message, users) across both kinds of client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from conftest import ServerProcess
from desktop.conftest import Desktops, Library
from desktop.drive import conversations, main, pane, people, pick_person, sign_in, type_and_press
from hubbub import protocol
from hubbub.client import Client, ClientEvent


def test_desktop_and_library_users_talk(
    server: ServerProcess, desktops: Desktops, library: Library
) -> None:
    dora = desktops.open("dora", server.url)
    sign_in(desktops, dora, "dora")
    lib = library.connect(server.url, "lib")
    desktops.until(lambda: people(dora) == {"lib": "online"}, "dora to see lib online")

    # Send to the room, both ways.
    library.run(lib.say("hello from the library"))
    desktops.until(lambda: "lib: hello from the library" in pane(dora), "the library's line")
    type_and_press(dora, "hi lib")
    heard = library.run(lib.wait_for(protocol.Message, lambda m: m.text == "hi lib"))
    assert (heard.sender, heard.conversation) == ("dora", "lobby")
    desktops.until(lambda: "You: hi lib" in pane(dora), "dora's own line")
    main(dora).entry.insert(0, "and Enter sends too")
    main(dora).entry.focus_force()
    main(dora).entry.event_generate("<Return>")
    library.run(lib.wait_for(protocol.Message, lambda m: m.text == "and Enter sends too"))
    assert main(dora).entry.get() == ""

    # Typing shows under the pane while the other types, both ways.
    library.run(lib.typing("lobby"))
    desktops.until(lambda: main(dora).pane.typing.cget("text") == "lib is typing…", "typing")
    main(dora).entry.focus_force()
    main(dora).entry.event_generate("<Key>", keysym="h")
    typing = library.run(lib.wait_for(protocol.TypingEvent))
    assert (typing.name, typing.conversation) == ("dora", "lobby")

    # Calculate: the answer is shown only to dora; a fault names its position.
    type_and_press(dora, "2*(3+4)", "calc_button")
    desktops.until(lambda: "2*(3+4) = 14" in pane(dora), "the calc answer")
    type_and_press(dora, "1/0", "calc_button")
    desktops.until(lambda: "calc: division by zero at 2" in pane(dora), "the calc error")

    # Private message to the selected user; the library user's reply lands in a DM.
    pick_person(dora, "lib")
    type_and_press(dora, "just between us", "private_button")
    private = library.run(lib.wait_for(protocol.Message, lambda m: m.to is not None))
    assert (private.sender, private.to, private.text) == ("dora", "lib", "just between us")
    desktops.until(lambda: "You → lib (private): just between us" in pane(dora), "the note")
    library.run(lib.message_user("dora", "psst back"))
    desktops.until(lambda: conversations(dora).get("lib") == "1", "the DM's unread badge")
    main(dora).conversations.selection_set(private.conversation)
    desktops.until(lambda: "lib: psst back" in pane(dora), "the DM shown")
    assert conversations(dora)["lib"] == ""
    main(dora).conversations.selection_set("lobby")
    desktops.until(lambda: "hi lib" in pane(dora), "back in the Lobby")

    # Users: everyone online, me included.
    main(dora).users_button.invoke()
    desktops.until(lambda: "Online (2): dora (you), lib" in pane(dora), "the users list")

    # A mention while dora looks elsewhere rings and counts in the title.
    dora.set_focused(False)
    library.run(lib.say("look @dora"))
    desktops.until(lambda: dora.root.title() == "(1) hubbub — dora", "the title to count")
    dora.set_focused(True)
    desktops.until(lambda: dora.root.title() == "hubbub — dora", "the title to clear")

    # The library user never got the calc answers.
    type_and_press(dora, "done")
    seen = library.run(_events_until(lib, lambda e: isinstance(e, protocol.Message)
                                     and e.text == "done"))
    assert not [e for e in seen if isinstance(e, protocol.Message) and "14" in e.text]


async def _events_until(client: Client, last: Callable[[ClientEvent], bool]) -> list[ClientEvent]:
    seen: list[ClientEvent] = []
    async with asyncio.timeout(5):
        async for event in client.events():
            seen.append(event)
            if last(event):
                return seen
    return seen
