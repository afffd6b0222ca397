"""The room directory: every public room (and yours), to join; or make a new one."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from hubbub import protocol
from hubbub.desktop import trees
from hubbub.desktop.dialogs import Dialog
from hubbub.desktop.look import Look


class DirectoryDialog(Dialog):
    def __init__(self, master: tk.Misc, look: Look, *,
                 on_join: Callable[[DirectoryDialog, str], None],
                 on_new: Callable[[], None]) -> None:
        super().__init__(master, look, "Rooms")
        ttk.Label(self.body, text="Double-click a room to join it", style="Muted.TLabel").pack(
            anchor="w"
        )
        tree = ttk.Treeview(self.body, columns=("topic", "members", "joined"), height=10,
                            selectmode="browse")
        for column, title, width in (("#0", "Room", 150), ("topic", "Topic", 240),
                                     ("members", "People", 60), ("joined", "", 70)):
            tree.heading(column, text=title, anchor="w")
            tree.column(column, width=width, stretch=column == "topic")
        tree.pack(fill="both", expand=True, pady=(4, 0))
        tree.bind("<Double-Button-1>", lambda _e: self.join())
        tree.bind("<Return>", lambda _e: self.join())
        self.rooms = tree
        self.error.pack(anchor="w", pady=4)
        buttons = ttk.Frame(self.body)
        buttons.pack(fill="x")
        self.join_button = ttk.Button(buttons, text="Join", style="Accent.TButton",
                                      command=self.join)
        self.join_button.pack(side="left")
        ttk.Button(buttons, text="New room…", command=on_new).pack(side="left", padx=4)
        ttk.Button(buttons, text="Close", command=self.cancel).pack(side="right")
        self._on_join = on_join

    def show_rooms(self, rooms: Sequence[protocol.RoomEntry]) -> None:
        items = [
            trees.Item(room.id, room.name,
                       (room.topic, str(room.members), "joined" if room.joined else ""))
            for room in rooms
        ]
        trees.sync(self.rooms, items)
        if items and not self.rooms.selection():
            self.rooms.selection_set(items[0].iid)

    def pick(self, name: str) -> None:
        """Select the room called ``name`` (ignoring case)."""
        for iid in self.rooms.get_children():
            if str(self.rooms.item(iid, "text")).casefold() == name.casefold():
                self.rooms.selection_set(iid)
                self.rooms.see(iid)

    def join(self) -> None:
        picked = self.rooms.selection()
        if picked:
            self._on_join(self, picked[0])
