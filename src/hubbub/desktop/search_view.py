"""Search: words in, hits out (newest first); opening a hit shows it in its conversation."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from hubbub import protocol
from hubbub.client.pane import clock
from hubbub.desktop import trees
from hubbub.desktop.dialogs import Dialog
from hubbub.desktop.fields import TextField
from hubbub.desktop.look import Look

Ask = Callable[["SearchDialog", str, int], None]


class SearchDialog(Dialog):
    def __init__(self, master: tk.Misc, look: Look, query: str, *, on_search: Ask,
                 on_open: Callable[[str, int], None],
                 name_of: Callable[[str], str]) -> None:
        super().__init__(master, look, "Search messages")
        self._on_search, self._on_open, self._name_of = on_search, on_open, name_of
        row = ttk.Frame(self.body)
        row.pack(fill="x")
        self.query = self.entry = TextField(row, query, width=40)
        self.entry.pack(side="left", fill="x", expand=True)
        self.entry.bind("<Return>", lambda _e: self.search())
        ttk.Button(row, text="Search", style="Accent.TButton",
                   command=self.search).pack(side="left", padx=(4, 0))
        tree = ttk.Treeview(self.body, columns=("who", "when", "snippet"), height=12,
                            selectmode="browse")
        for column, title, width in (("#0", "Where", 120), ("who", "From", 90),
                                     ("when", "When", 60), ("snippet", "Message", 320)):
            tree.heading(column, text=title, anchor="w")
            tree.column(column, width=width, stretch=column == "snippet")
        tree.pack(fill="both", expand=True, pady=6)
        tree.bind("<Double-Button-1>", lambda _e: self.open())
        tree.bind("<Return>", lambda _e: self.open())
        self.results = tree
        self.error.pack(anchor="w")
        buttons = ttk.Frame(self.body)
        buttons.pack(fill="x")
        self.open_button = ttk.Button(buttons, text="Open", command=self.open)
        self.open_button.pack(side="left")
        self.more_button = ttk.Button(buttons, text="More", state="disabled",
                                      command=lambda: self.search(self._next or 0))
        self.more_button.pack(side="left", padx=4)
        ttk.Button(buttons, text="Close", command=self.cancel).pack(side="right")
        self._next: int | None = None
        self._hits: dict[str, tuple[str, int]] = {}
        self.entry.focus_set()
        if query:
            self.after_idle(self.search)

    def search(self, offset: int = 0) -> None:
        query = self.query.get().strip()
        if query:
            self.error.configure(text="")
            self._on_search(self, query, offset)

    def show_results(self, found: protocol.SearchResults, offset: int) -> None:
        if offset == 0:
            self._hits.clear()
        for hit in found.results:
            self._hits[f"{hit.conversation}#{hit.seq}"] = (hit.conversation, hit.seq)
        items = [
            trees.Item(iid, self._name_of(conversation), self._row(iid, found))
            for iid, (conversation, _) in self._hits.items()
        ]
        trees.sync(self.results, items)
        self._next = found.next_offset
        self.more_button.configure(state="normal" if self._next else "disabled")
        if not self._hits:
            self.error.configure(text="Nothing found")
        elif not self.results.selection():
            self.results.selection_set(items[0].iid)

    def _row(self, iid: str, found: protocol.SearchResults) -> tuple[str, ...]:
        for hit in found.results:
            if f"{hit.conversation}#{hit.seq}" == iid:
                return (hit.sender, clock(hit.ts), hit.snippet)
        return tuple(str(v) for v in self.results.item(iid, "values"))

    def open(self) -> None:
        picked = self.results.selection()
        if picked and picked[0] in self._hits:
            self._on_open(*self._hits[picked[0]])
