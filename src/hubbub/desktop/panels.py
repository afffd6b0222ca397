"""The secondary windows of the main window (room directory, new room, topic, search) and
its menu: each opened once, wired to the actions, closed on sign-out."""

from __future__ import annotations

import tkinter as tk
from typing import TYPE_CHECKING, TypeVar

from hubbub import protocol
from hubbub.desktop.dialogs import Dialog, NewRoomDialog, TextDialog
from hubbub.desktop.directory import DirectoryDialog
from hubbub.desktop.search_view import SearchDialog

if TYPE_CHECKING:
    from hubbub.desktop.app import DesktopApp

D = TypeVar("D", bound=Dialog)


class Panels:
    def __init__(self, app: DesktopApp) -> None:
        self.app = app
        self.open: dict[str, Dialog] = {}

    def menu(self) -> None:
        app = self.app
        bar = tk.Menu(app.root)
        account = tk.Menu(bar, tearoff=False)
        account.add_command(label="Sign out", command=app.sign_out)
        account.add_command(label="Quit", accelerator="Ctrl+Q", command=app.quit)
        bar.add_cascade(label="hubbub", menu=account)
        rooms = tk.Menu(bar, tearoff=False)
        rooms.add_command(label="Directory…", accelerator="Ctrl+J", command=self.directory)
        rooms.add_command(label="New room…", accelerator="Ctrl+N", command=self.new_room)
        rooms.add_command(label="Set topic…", accelerator="Ctrl+T", command=self.topic)
        rooms.add_command(label="Leave room", command=app.actions.leave_room)
        bar.add_cascade(label="Rooms", menu=rooms)
        view = tk.Menu(bar, tearoff=False)
        view.add_command(label="Light / dark", accelerator="Ctrl+D", command=app.toggle_theme)
        view.add_command(label="Bigger text", accelerator="Ctrl++",
                         command=lambda: app.resize_text(1))
        view.add_command(label="Smaller text", accelerator="Ctrl+-",
                         command=lambda: app.resize_text(-1))
        bar.add_cascade(label="View", menu=view)
        help_menu = tk.Menu(bar, tearoff=False)
        help_menu.add_command(label="Keyboard shortcuts", command=app.show_shortcuts)
        bar.add_cascade(label="Help", menu=help_menu)
        app.root.configure(menu=bar)

    def close_all(self) -> None:
        for dialog in self.open.values():
            if dialog.winfo_exists():
                dialog.destroy()
        self.open.clear()
        self.app.root["menu"] = ""

    def _existing(self, key: str, kind: type[D]) -> D | None:
        dialog = self.open.get(key)
        if isinstance(dialog, kind) and dialog.winfo_exists():
            dialog.deiconify()
            dialog.lift()
            return dialog
        return None

    # ------------------------------------------------------------------ rooms

    def directory(self) -> DirectoryDialog:
        app = self.app
        dialog = self._existing("directory", DirectoryDialog)
        if dialog is None:
            dialog = DirectoryDialog(app.root, app.look, on_join=self._join,
                                     on_new=self._new_clicked)
            self.open["directory"] = dialog
        app.actions.directory(dialog.show_rooms)
        return dialog

    def _join(self, dialog: DirectoryDialog, room: str) -> None:
        def joined(info: protocol.RoomInfo) -> None:
            dialog.destroy()
            self.app.actions.show(info.id)

        self.app.actions.call(lambda c: c.join_room(room), joined, dialog.show_error)

    def _new_clicked(self) -> None:
        self.new_room()

    def new_room(self) -> NewRoomDialog:
        app = self.app
        dialog = self._existing("new_room", NewRoomDialog)
        if dialog is None:
            dialog = NewRoomDialog(app.root, app.look, self._create)
            self.open["new_room"] = dialog
        return dialog

    def _create(self, dialog: NewRoomDialog, name: str, topic: str, private: bool) -> None:
        def created(info: protocol.RoomInfo) -> None:
            dialog.destroy()
            directory = self.open.get("directory")
            if directory is not None and directory.winfo_exists():
                directory.destroy()
            self.app.actions.show(info.id)

        if not name:
            dialog.show_error("A room needs a name")
            return
        self.app.actions.call(lambda c: c.create_room(name, topic, private), created,
                               dialog.show_error)

    def topic(self) -> TextDialog | None:
        app = self.app
        shown = app.model.shown()
        if shown is None or shown.kind != "room":
            app.actions.note("A topic belongs to a room; show a room first")
            return None
        dialog = self._existing("topic", TextDialog)
        if dialog is not None:
            dialog.destroy()
        dialog = TextDialog(app.root, app.look, f"Topic of {shown.name}", "Topic",
                            shown.topic or "", self._set_topic)
        self.open["topic"] = dialog
        return dialog

    def _set_topic(self, dialog: TextDialog, topic: str) -> None:
        self.app.actions.set_topic(topic, dialog.show_error, lambda _none: dialog.destroy())

    # ------------------------------------------------------------------ search

    def search(self, query: str) -> SearchDialog:
        app = self.app
        dialog = self._existing("search", SearchDialog)
        if dialog is None:
            dialog = SearchDialog(app.root, app.look, query, on_search=self._search,
                                  on_open=app.actions.open_hit, name_of=self._name_of)
            self.open["search"] = dialog
        elif query:
            dialog.query.set(query)
            dialog.search()
        return dialog

    def _search(self, dialog: SearchDialog, query: str, offset: int) -> None:
        self.app.actions.search(
            query, offset, lambda found: dialog.show_results(found, offset), dialog.show_error
        )

    def _name_of(self, conversation: str) -> str:
        shown = self.app.model.state.conversation(conversation)
        return conversation if shown is None else shown.name
