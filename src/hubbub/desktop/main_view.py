"""The main window: conversations, the message pane with its input, and who is online."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import TYPE_CHECKING

from hubbub.desktop import keys, trees
from hubbub.desktop.look import Look
from hubbub.desktop.model import Desktop
from hubbub.desktop.pane import Pane
from hubbub.desktop.rows import ALONE_TEXT, SECTIONS
from hubbub.desktop.theme import Palette

if TYPE_CHECKING:
    from hubbub.desktop.app import DesktopApp


class MainView(ttk.Frame):
    """Widgets and their wiring; what they show comes from :meth:`render`."""

    def __init__(self, master: tk.Tk, look: Look, app: DesktopApp) -> None:
        super().__init__(master)
        self.app, self.actions = app, app.actions
        self._requestable: set[str] = set()
        self.banner = ttk.Label(self, style="Banner.TLabel")
        self._toolbar().grid(row=1, column=0, sticky="ew")
        body = ttk.Panedwindow(self, orient="horizontal")
        body.grid(row=2, column=0, sticky="nsew")
        body.add(self._conversations(body), weight=0)
        body.add(self._middle(body, look), weight=1)
        body.add(self._people(body), weight=0)
        self.status = ttk.Label(self, style="Status.TLabel", anchor="w")
        self.status.grid(row=3, column=0, sticky="ew")
        self.rowconfigure(2, weight=1)
        self.columnconfigure(0, weight=1)
        self._syncing = False
        for shortcut in keys.SHORTCUTS:
            # On the entries too, so that their own Emacs keys (Ctrl+D, Ctrl+T) do not run.
            for window in (master, self.entry, self.search_entry):
                _bind(window, shortcut.sequence, getattr(self, shortcut.action))
        look.on_repaint(self._repaint)

    def destroy(self) -> None:
        for shortcut in keys.SHORTCUTS:
            self.master.unbind(shortcut.sequence)
        super().destroy()

    # ------------------------------------------------------------------ building

    def _toolbar(self) -> ttk.Frame:
        bar = ttk.Frame(self, padding=(6, 6, 6, 2))
        for text, command in (
            ("Rooms…", self.open_directory),
            ("New room…", self.new_room),
            ("Topic…", self.set_topic),
            ("Leave room", self.actions.leave_room),
        ):
            ttk.Button(bar, text=text, command=command).pack(side="left", padx=(0, 4))
        self.theme_button = ttk.Button(bar, text="Dark", command=self.toggle_theme)
        self.theme_button.pack(side="right")
        self.search_button = ttk.Button(bar, text="Search", command=self.search)
        self.search_button.pack(side="right", padx=4)
        self.search_entry = ttk.Entry(bar, width=24)
        self.search_entry.pack(side="right")
        self.search_entry.bind("<Return>", lambda _e: self.search())
        return bar

    def _conversations(self, body: ttk.Panedwindow) -> ttk.Frame:
        side = ttk.Frame(body, style="Side.TFrame", padding=6)
        ttk.Label(side, text="Conversations", style="Side.TLabel").pack(anchor="w")
        tree = ttk.Treeview(side, show="tree", columns=("badge",), selectmode="browse", height=12)
        tree.column("#0", width=170, stretch=True)
        tree.column("badge", width=54, anchor="e", stretch=False)
        tree.pack(fill="both", expand=True)
        tree.bind("<<TreeviewSelect>>", self._conversation_picked)
        self.conversations = tree
        return side

    def _middle(self, body: ttk.Panedwindow, look: Look) -> ttk.Frame:
        middle = ttk.Frame(body)
        row = ttk.Frame(middle, padding=(6, 4, 6, 6))
        row.pack(side="bottom", fill="x")  # first, so that a short window keeps the input
        self.pane = Pane(middle, look)
        self.pane.pack(fill="both", expand=True)
        self.pane.on_top = self.older
        self.entry = ttk.Entry(row)
        self.entry.pack(side="left", fill="x", expand=True, padx=(0, 4))
        self.entry.bind("<Return>", lambda _e: self.send_message())
        self.entry.bind("<Key>", self._typed, add="+")
        self.send_button = ttk.Button(row, text="Send", style="Accent.TButton",
                                      command=self.send_message)
        self.calc_button = ttk.Button(row, text="Calculate", command=self.calculate)
        self.private_button = ttk.Button(row, text="Private", command=self.private)
        self.users_button = ttk.Button(row, text="Users", command=self.list_users)
        for button in (self.send_button, self.calc_button, self.private_button,
                       self.users_button):
            button.pack(side="left", padx=(0, 4))
        return middle

    def _people(self, body: ttk.Panedwindow) -> ttk.Frame:
        side = ttk.Frame(body, style="Side.TFrame", padding=6)
        ttk.Label(side, text="Online — double-click to chat", style="Side.TLabel").pack(
            anchor="w"
        )
        tree = ttk.Treeview(side, show="tree", columns=("status",), selectmode="browse", height=12)
        tree.column("#0", width=120, stretch=True)
        tree.column("status", width=150, stretch=False)
        self.alone = ttk.Label(side, text=ALONE_TEXT, style="Side.TLabel", wraplength=230)
        tree.pack(fill="both", expand=True)
        tree.bind("<Double-Button-1>", self._person_clicked)
        tree.bind("<Return>", lambda _e: self.request_chat())
        tree.bind("<<TreeviewSelect>>", lambda _e: self._people_buttons())
        self.people = tree
        self.chat_button = ttk.Button(side, text="Start chat", command=self.request_chat)
        self.chat_button.pack(fill="x", pady=(6, 0))
        self.waiting = ttk.Label(side, style="Side.TLabel", wraplength=230)
        self.waiting.pack(anchor="w", pady=(4, 0))
        return side

    # ------------------------------------------------------------------ showing

    def render(self, model: Desktop, now: float) -> None:
        if model.banner:
            self.banner.configure(text=model.banner)
            self.banner.grid(row=0, column=0, sticky="ew")
        else:
            self.banner.grid_remove()
        self._syncing = True
        try:
            self._render_conversations(model)
            self._render_people(model)
        finally:
            self._syncing = False
        current = model.state.current
        self.pane.show_header(*model.header(current))
        spot = model.spotlight
        spotlight = spot[1] if spot is not None and spot[0] == current else None
        self.pane.show(model.pane(current), spotlight)
        self.pane.show_typing(model.typing(current, now))
        self.waiting.configure(text=model.waiting)
        self.status.configure(text=model.status)
        shown = model.shown()
        closed = shown is not None and bool(shown.archived)
        self.send_button.configure(state="disabled" if closed else "normal")

    def _render_conversations(self, model: Desktop) -> None:
        rows = model.conversation_rows()
        sections = [
            (kind, title, [row for row in rows if row.kind == kind]) for kind, title in SECTIONS
        ]
        sections = [s for s in sections if s[2] or s[0] == "room"]
        heads = [trees.Item(f"section:{k}", title, ("",), ("section",)) for k, title, _ in sections]
        trees.sync(self.conversations, heads)
        for kind, _, listed in sections:
            items = [
                trees.Item(r.id, r.label, (r.badge,), ("unread",) if r.unread else ())
                for r in listed
            ]
            trees.sync(self.conversations, items, parent=f"section:{kind}")
        current = model.state.current
        picked = self.conversations.selection()
        if current is not None and self.conversations.exists(current):
            if picked != (current,):
                self.conversations.selection_set(current)
                self.conversations.see(current)
        elif picked:
            self.conversations.selection_remove(*picked)

    def _render_people(self, model: Desktop) -> None:
        rows = model.people_rows()
        items = [
            trees.Item(f"person:{r.name}", r.name, (r.label,), (r.status,)) for r in rows
        ]
        if items:
            self.alone.pack_forget()
        elif not self.alone.winfo_ismapped():
            self.alone.pack(anchor="w", before=self.people, pady=(4, 4))
        trees.sync(self.people, items)
        self._requestable = {r.name for r in rows if r.can_request}
        self._people_buttons()

    def _people_buttons(self) -> None:
        person = self.selected_person()
        free = person is not None and person in self._requestable
        self.chat_button.configure(state="normal" if free else "disabled")
        self.private_button.configure(state="normal" if person else "disabled")

    def selected_person(self) -> str | None:
        picked = self.people.selection()
        if not picked or not picked[0].startswith("person:"):
            return None
        return picked[0].removeprefix("person:")

    def _repaint(self, c: Palette) -> None:
        for tree in (self.conversations, self.people):
            tree.tag_configure("section", foreground=c.muted)
            tree.tag_configure("unread", font=self.app.look.bold_font)
            tree.tag_configure("muted", foreground=c.muted)
            tree.tag_configure("online", foreground=c.online)
            tree.tag_configure("busy", foreground=c.busy)
            tree.tag_configure("away", foreground=c.away)
        self.theme_button.configure(text="Light" if self.app.look.theme == "dark" else "Dark")

    # ------------------------------------------------------------------ user actions

    def _conversation_picked(self, _event: object) -> None:
        picked = self.conversations.selection()
        if self._syncing or not picked or picked[0].startswith("section:"):
            return
        if picked[0] != self.app.model.state.current:
            self.actions.show(picked[0])

    def _person_clicked(self, event: tk.Event[ttk.Treeview]) -> None:
        iid = self.people.identify_row(event.y)
        if iid:
            self.people.selection_set(iid)
            self.request_chat()

    def _typed(self, event: tk.Event[ttk.Entry]) -> None:
        if event.char and event.char.isprintable():
            self.actions.typed()

    def _take_input(self) -> str:
        text = self.entry.get()
        self.entry.delete(0, "end")
        return text

    def send_message(self) -> None:
        text = self.entry.get()
        if self.actions.submit(text):
            self.entry.delete(0, "end")

    def calculate(self) -> None:
        if self.entry.get().strip():
            self.actions.calculate(self._take_input().strip())

    def private(self) -> None:
        person = self.selected_person()
        if person is None:
            self.actions.note("Select someone in the online list to message them privately")
        elif self.entry.get().strip():
            self.actions.private(person, self._take_input())

    def list_users(self) -> None:
        self.actions.list_users()

    def request_chat(self) -> None:
        person = self.selected_person()
        if person is not None and person in self._requestable:
            self.actions.request_chat(person)
        elif person is not None:
            self.actions.note(f"{person} cannot be asked for a chat now")

    def older(self) -> None:
        current = self.app.model.state.current
        if current is not None:
            self.actions.older(current)

    def focus_search(self) -> None:
        self.search_entry.focus_set()

    def search(self) -> None:
        self.app.panels.search(self.search_entry.get().strip())

    def open_directory(self) -> None:
        self.app.panels.directory()

    def new_room(self) -> None:
        self.app.panels.new_room()

    def set_topic(self) -> None:
        self.app.panels.topic()

    def next_conversation(self, step: int = 1) -> None:
        ids = [row.id for row in self.app.model.conversation_rows()]
        current = self.app.model.state.current
        if ids:
            index = ids.index(current) + step if current in ids else 0
            self.actions.show(ids[index % len(ids)])

    def previous_conversation(self) -> None:
        self.next_conversation(-1)

    def toggle_theme(self) -> None:
        self.app.toggle_theme()

    def bigger_text(self) -> None:
        self.app.resize_text(1)

    def smaller_text(self) -> None:
        self.app.resize_text(-1)

    def quit(self) -> None:
        self.app.quit()


def _bind(window: tk.Misc, sequence: str, run: Callable[[], object]) -> None:
    def handler(_event: object) -> str:
        run()
        return "break"

    window.bind(sequence, handler)
