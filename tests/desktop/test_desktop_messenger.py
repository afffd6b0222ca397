"""The messenger's tutorial in desktop clients' real windows, against ``hubbub serve``:
register, the online list, request, decline, request, accept, chat, end."""

from __future__ import annotations

from conftest import ServerProcess
from desktop.conftest import Desktops, Screen
from desktop.drive import (
    conversations,
    double_click_person,
    main,
    pane,
    people,
    pick_person,
    sign_in,
    type_and_press,
)
from desktop.screens import shoot
from hubbub.desktop.app import DesktopApp
from hubbub.desktop.chat_window import ChatWindow


def chat_window(app: DesktopApp) -> ChatWindow:
    assert app.messenger.window is not None, "a chat window is open"
    return app.messenger.window


def chat_text(app: DesktopApp) -> str:
    return chat_window(app).pane.content()


def say_in_chat(app: DesktopApp, text: str) -> None:
    window = chat_window(app)
    window.entry.insert(0, text)
    window.send_button.invoke()


def test_messenger_tutorial(screen: Screen, server: ServerProcess, desktops: Desktops) -> None:
    # Run the client: the registration form appears. Register with a name.
    john = desktops.open("john", server.url, at=(0, 0))
    desktops.until(lambda: john.signin_view.winfo_ismapped(), "the sign-in window")
    shoot(screen.framebuffer, "desktop-sign-in", john.root)
    sign_in(desktops, john, "John")

    # Alone on the server, John is told so, in the online list and the message pane.
    desktops.until(lambda: main(john).alone.winfo_ismapped(), "the online list's alone line")
    desktops.until(lambda: "No one else is online yet" in pane(john), "the alone notice")
    desktops.until(lambda: "Lobby" in conversations(john), "the Lobby in the list")

    # A second client registers; each sees the other in the online list.
    jesse = desktops.open("jesse", server.url, at=(1110, 0))
    sign_in(desktops, jesse, "Jesse")
    desktops.until(lambda: people(john) == {"Jesse": "online"}, "John to see Jesse online")
    desktops.until(lambda: people(jesse) == {"John": "online"}, "Jesse to see John online")
    assert not main(john).alone.winfo_ismapped()
    desktops.until(lambda: "Jesse joined" in pane(john), "the join line")

    # Jesse clicks John: a request; Jesse waits for the answer, John is asked.
    double_click_person(jesse, "John")
    desktops.until(lambda: "waiting for John's answer…" in main(jesse).waiting.cget("text"),
                   "Jesse's waiting line")
    desktops.until(lambda: "Jesse" in john.messenger.dialogs, "John's Accept / Decline dialog")
    dialog = john.messenger.dialogs["Jesse"]
    assert dialog.title() == "Chat request from Jesse"
    shoot(screen.framebuffer, "desktop-chat-request", dialog)

    # John declines; Jesse is told, and may ask again.
    dialog.decline_button.invoke()
    desktops.until(lambda: "John declined your chat request" in pane(jesse), "the decline")
    assert main(jesse).waiting.cget("text") == ""
    assert not john.messenger.dialogs

    # Jesse asks again (select, Start chat); John accepts: both get a chat window.
    pick_person(jesse, "John")
    main(jesse).chat_button.invoke()
    desktops.until(lambda: "Jesse" in john.messenger.dialogs, "the second request")
    john.messenger.dialogs["Jesse"].accept_button.invoke()
    desktops.until(lambda: jesse.messenger.window is not None and john.messenger.window is not None,
                   "both chat windows")
    assert chat_window(john).title() == "Chat with Jesse"
    assert chat_window(jesse).title() == "Chat with John"
    chat_window(jesse).geometry("+2220+0")
    chat_window(john).geometry("+2220+740")

    # Both are busy, as a third person sees: they cannot be asked for a chat.
    carol = desktops.open("carol", server.url, at=(0, 700))
    sign_in(desktops, carol, "Carol")
    busy = {"John": "busy — in a chat", "Jesse": "busy — in a chat"}
    desktops.until(lambda: people(carol) == busy, "Carol to see both busy")
    pick_person(carol, "John")
    assert str(main(carol).chat_button.cget("state")) == "disabled"
    desktops.until(lambda: people(john) == {"Jesse": "busy — in a chat", "Carol": "online"},
                   "John to see his partner busy")

    # They chat: "You" for one's own lines, the partner's name for theirs.
    say_in_chat(john, "Hello Jesse")
    desktops.until(lambda: "John: Hello Jesse" in chat_text(jesse), "Jesse to read John")
    say_in_chat(jesse, "Yeah John")
    desktops.until(lambda: "Jesse: Yeah John" in chat_text(john), "John to read Jesse")
    say_in_chat(john, "What's up")
    desktops.until(lambda: "John: What's up" in chat_text(jesse), "the third line")
    desktops.until(lambda: "You: What's up" in chat_text(john), "John's own line")
    assert [line.split("  ", 1)[1] for line in chat_text(john).splitlines()[-3:]] == [
        "You: Hello Jesse",
        "Jesse: Yeah John",
        "You: What's up",
    ]
    assert "Hello Jesse" not in pane(carol)
    shoot(screen.framebuffer, "desktop-chat", chat_window(jesse), chat_window(john))

    # Meanwhile the Lobby goes on; a mention of Jesse stands out in her main window.
    type_and_press(carol, "Lunch at noon, anyone?")
    type_and_press(carol, "@Jesse the build is green again")
    desktops.until(lambda: "Carol: @Jesse the build is green again" in pane(jesse), "the Lobby")
    jesse.set_focused(True)
    desktops.until(lambda: conversations(jesse)["John"] == "", "the chat read")
    chat_window(jesse).geometry(f"400x{jesse.root.winfo_rooty() + jesse.root.winfo_height()}")
    shoot(screen.framebuffer, "desktop-main", jesse.root, chat_window(jesse))

    # John closes his chat window: the chat ends, Jesse is told who ended it.
    john_window = chat_window(john)
    john_window.tk.call(john_window.protocol("WM_DELETE_WINDOW"))
    assert john.messenger.window is None
    desktops.until(lambda: "John ended the chat" in chat_text(jesse), "Jesse to be told")
    ended = chat_window(jesse)
    assert ended.title() == "Chat with John — ended"
    assert str(ended.entry.cget("state")) == "disabled"
    shoot(screen.framebuffer, "desktop-chat-ended", ended)

    # Both are free again; Jesse's End chat button now only closes the window.
    free = {"John": "online", "Carol": "online"}
    desktops.until(lambda: people(jesse) == free, "John free again")
    desktops.until(lambda: people(john) == {"Jesse": "online", "Carol": "online"},
                   "Jesse free again")
    ended.end_button.invoke()
    assert jesse.messenger.window is None
