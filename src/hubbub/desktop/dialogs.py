"""Small windows: the chat request's Accept / Decline, a topic, a new room, the shortcuts.

None is modal: they never run a nested event loop, so the network keeps flowing and
tests drive them like any other window.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from hubbub.desktop import keys
from hubbub.desktop.fields import TextField
from hubbub.desktop.look import Look


class Dialog(tk.Toplevel):
    """A small window with a body frame and Escape to close."""

    def __init__(self, master: tk.Misc, look: Look, title: str) -> None:
        super().__init__(master)
        self.title(title)
        self.transient(master.winfo_toplevel())
        self.configure(background=look.colors.background)
        self.body = ttk.Frame(self, padding=16)
        self.body.pack(fill="both", expand=True)
        self.error = ttk.Label(self.body, style="Error.TLabel", wraplength=320)
        self.bind("<Escape>", lambda _e: self.cancel())
        self.protocol("WM_DELETE_WINDOW", self.cancel)

    def cancel(self) -> None:
        self.destroy()

    def show_error(self, error: BaseException | str) -> None:
        text = error if isinstance(error, str) else getattr(error, "message", str(error))
        self.error.configure(text=text)


class ChatRequestDialog(Dialog):
    """"NAME wants to chat with you": Accept or Decline. Closing the window declines."""

    def __init__(self, master: tk.Misc, look: Look, requester: str,
                 on_answer: Callable[[str, bool], None]) -> None:
        super().__init__(master, look, f"Chat request from {requester}")
        self.requester = requester
        self._on_answer = on_answer
        ttk.Label(self.body, text=f"{requester} wants to chat with you",
                  style="Bold.TLabel").pack(pady=(0, 12))
        buttons = ttk.Frame(self.body)
        buttons.pack()
        self.accept_button = ttk.Button(buttons, text="Accept", style="Accent.TButton",
                                        command=lambda: self.answer(True))
        self.accept_button.pack(side="left", padx=4)
        self.decline_button = ttk.Button(buttons, text="Decline",
                                         command=lambda: self.answer(False))
        self.decline_button.pack(side="left", padx=4)
        self.accept_button.focus_set()
        self.bind("<Return>", lambda _e: self.answer(True))

    def answer(self, accept: bool) -> None:
        self.destroy()
        self._on_answer(self.requester, accept)

    def cancel(self) -> None:
        self.answer(False)


class TextDialog(Dialog):
    """One line of text (a topic), with OK and Cancel; errors stay in the dialog."""

    def __init__(self, master: tk.Misc, look: Look, title: str, label: str, value: str,
                 on_ok: Callable[[TextDialog, str], None]) -> None:
        super().__init__(master, look, title)
        ttk.Label(self.body, text=label, style="Bold.TLabel").pack(anchor="w")
        self.value = self.entry = TextField(self.body, value, width=44)
        self.entry.pack(fill="x", pady=(2, 0))
        self.error.pack(anchor="w", pady=4)
        buttons = ttk.Frame(self.body)
        buttons.pack(anchor="e")
        self.ok_button = ttk.Button(buttons, text="OK", style="Accent.TButton",
                                    command=lambda: on_ok(self, self.value.get()))
        self.ok_button.pack(side="left", padx=4)
        ttk.Button(buttons, text="Cancel", command=self.cancel).pack(side="left")
        self.entry.bind("<Return>", lambda _e: self.ok_button.invoke())
        self.entry.focus_set()


class NewRoomDialog(Dialog):
    """Name, topic, private: Create. A refused name is explained in the dialog."""

    def __init__(self, master: tk.Misc, look: Look,
                 on_create: Callable[[NewRoomDialog, str, str, bool], None]) -> None:
        super().__init__(master, look, "New room")
        ttk.Label(self.body, text="Name", style="Bold.TLabel").pack(anchor="w")
        self.name = TextField(self.body, width=40)
        self.name.pack(fill="x", pady=(2, 8))
        ttk.Label(self.body, text="Topic (optional)", style="Bold.TLabel").pack(anchor="w")
        self.topic = TextField(self.body, width=40)
        self.topic.pack(fill="x", pady=(2, 8))
        self.private = ttk.Checkbutton(self.body, text="Private: only people invited can see it")
        self.private.state(["!alternate"])
        self.private.pack(anchor="w")
        self.error.pack(anchor="w", pady=4)
        buttons = ttk.Frame(self.body)
        buttons.pack(anchor="e")
        self.create_button = ttk.Button(
            buttons, text="Create", style="Accent.TButton",
            command=lambda: on_create(self, self.name.get().strip(), self.topic.get(),
                                      self.private.instate(["selected"])),
        )
        self.create_button.pack(side="left", padx=4)
        ttk.Button(buttons, text="Cancel", command=self.cancel).pack(side="left")
        self.bind("<Return>", lambda _e: self.create_button.invoke())


class ShortcutsDialog(Dialog):
    def __init__(self, master: tk.Misc, look: Look) -> None:
        super().__init__(master, look, "Keyboard shortcuts")
        ttk.Label(self.body, text=keys.help_text(), font=look.mono_font,
                  justify="left").pack()
        ttk.Button(self.body, text="Close", command=self.cancel).pack(pady=(12, 0))
