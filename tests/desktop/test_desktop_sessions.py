"""Signing in and staying signed in: inline errors, the next start resuming with the saved
token (in $XDG_CONFIG_HOME), and a lost server shown as "reconnecting…" then caught up."""

from __future__ import annotations

import json

import pytest

from conftest import ServerProcess, free_port
from desktop.conftest import Desktops, Library
from desktop.drive import main, pane, sign_in, type_and_press
from hubbub.desktop.app import DesktopApp
from hubbub.desktop.model import RECONNECTING
from hubbub.desktop.settings import config_dir


def errors(app: DesktopApp) -> dict[str, str]:
    shown = {field: str(label.cget("text")) for field, label in app.signin_view.errors.items()}
    return {field: text for field, text in shown.items() if text}


def test_sign_in_errors_are_shown_under_their_field(
    server: ServerProcess, desktops: Desktops, library: Library
) -> None:
    library.connect(server.url, "fay")
    app = desktops.open("fay", f"http://127.0.0.1:{free_port()}")
    form = app.signin_view

    form.name.set("fay")
    form.button.invoke()
    assert errors(app) == {"password": "Enter a password (the first sign-in claims the name)"}

    form.password.set("not hers")
    form.button.invoke()
    desktops.until(lambda: "server" in errors(app), "the unreachable server")
    assert errors(app)["server"].startswith("No hubbub server answers at http://127.0.0.1:")

    form.server.set(server.url)
    form.button.invoke()
    desktops.until(lambda: "name" in errors(app), "the name in use")
    assert errors(app) == {"name": "fay is signed in elsewhere with another password"}
    assert str(form.button.cget("state")) == "normal"


def test_the_next_start_resumes_with_the_saved_token(
    server: ServerProcess, desktops: Desktops, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(desktops.root))
    first = DesktopApp(server=server.url, config_dir=config_dir())
    desktops.opened.append(first)
    sign_in(desktops, first, "gus")
    saved = json.loads((desktops.root / "hubbub" / "desktop.json").read_text())
    assert (saved["server"], saved["name"]) == (server.url, "gus")
    assert saved["token"]
    first.quit()

    again = DesktopApp(server=None, config_dir=config_dir())
    desktops.opened.append(again)
    desktops.until(lambda: again.main_view is not None, "the resumed session")
    assert again.root.title() == "hubbub — gus"

    # Signing out forgets the token: the next start asks for the password.
    again.sign_out()
    desktops.until(lambda: again.main_view is None, "the sign-in window again")
    assert again.signin_view.name.get() == "gus"
    assert json.loads((desktops.root / "hubbub" / "desktop.json").read_text())["token"] is None


def test_a_lost_server_shows_reconnecting_and_catches_up(
    server: ServerProcess, desktops: Desktops, library: Library
) -> None:
    hal = desktops.open("hal", server.url)
    sign_in(desktops, hal, "hal")
    type_and_press(hal, "before the fall")
    desktops.until(lambda: "You: before the fall" in pane(hal), "the first line")

    server.kill()
    banner = main(hal).banner
    desktops.until(lambda: banner.winfo_ismapped() and banner.cget("text") == RECONNECTING,
                   "the reconnecting banner")
    server.start()
    ivy = library.connect(server.url, "ivy")
    for n in range(3):
        library.run(ivy.say(f"while you were away {n}"))

    desktops.until(lambda: not banner.winfo_ismapped(), "the resume", within=15)
    desktops.until(lambda: "ivy: while you were away 2" in pane(hal), "the catch-up")
    type_and_press(hal, "back again")
    desktops.until(lambda: "You: back again" in pane(hal), "a line after the resume")
    text = pane(hal)
    for line in ("You: before the fall", "while you were away 0", "while you were away 1",
                 "while you were away 2", "You: back again"):
        assert text.count(line) == 1, (line, text)
