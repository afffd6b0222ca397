"""Driving a desktop client's real widgets as a person would, from the test (Tk) thread."""

from __future__ import annotations

from desktop.conftest import Desktops
from hubbub.desktop.app import DesktopApp
from hubbub.desktop.main_view import MainView


def password_of(name: str) -> str:
    return f"pw-{name}"


def sign_in(desktops: Desktops, app: DesktopApp, name: str, password: str | None = None) -> None:
    """Type the name and password into the sign-in window and press Sign in."""
    form = app.signin_view
    form.name.set(name)
    form.password.set(password_of(name) if password is None else password)
    form.button.invoke()
    desktops.until(lambda: app.main_view is not None, f"{name} to be signed in")
    desktops.until(lambda: main(app).pane.title.cget("text") == "# Lobby", "the Lobby shown")


def main(app: DesktopApp) -> MainView:
    assert app.main_view is not None, "signed in"
    return app.main_view


def pane(app: DesktopApp) -> str:
    return main(app).pane.content()


def people(app: DesktopApp) -> dict[str, str]:
    """The online list: name -> what its status column says."""
    tree = main(app).people
    return {
        str(tree.item(iid, "text")): str(tree.item(iid, "values")[0])
        for iid in tree.get_children()
    }


def conversations(app: DesktopApp) -> dict[str, str]:
    """The conversation list: label -> badge."""
    tree = main(app).conversations
    return {
        str(tree.item(iid, "text")): str(tree.item(iid, "values")[0])
        for section in tree.get_children()
        for iid in tree.get_children(section)
    }


def type_and_press(app: DesktopApp, text: str, button: str = "send_button") -> None:
    view = main(app)
    view.entry.delete(0, "end")
    view.entry.insert(0, text)
    getattr(view, button).invoke()


def pick_person(app: DesktopApp, name: str) -> None:
    main(app).people.selection_set(f"person:{name}")
    main(app).update()


def double_click_person(app: DesktopApp, name: str) -> None:
    """Double-click the person's row, as a mouse would."""
    tree = main(app).people
    iid = f"person:{name}"
    tree.see(iid)
    tree.update()
    x, y, _width, height = tree.bbox(iid)  # type: ignore[misc]
    for _ in range(2):  # two clicks in a row at one place are a double-click to Tk
        tree.event_generate("<ButtonPress-1>", x=x + 5, y=y + height // 2)
        tree.event_generate("<ButtonRelease-1>", x=x + 5, y=y + height // 2)
