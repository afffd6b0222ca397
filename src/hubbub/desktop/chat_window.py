"""The messenger's chat window: one per accepted 1:1 chat, titled with the partner's name."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from hubbub.desktop.look import Look
from hubbub.desktop.model import Desktop
from hubbub.desktop.pane import Pane
from hubbub.desktop.theme import Palette


class ChatWindow(tk.Toplevel):
    """End chat (or closing the window, or Ctrl+W) ends the chat; once it is over the
    window stays to be read, says who ended it, and takes no more input."""

    def __init__(
        self,
        master: tk.Misc,
        look: Look,
        *,
        conversation: str,
        partner: str,
        on_send: Callable[[str], None],
        on_end: Callable[[], None],
        on_close: Callable[[], None],
    ) -> None:
        super().__init__(master)
        self.conversation, self.partner = conversation, partner
        self.title(f"Chat with {partner}")
        self.geometry("400x520")
        self.minsize(300, 320)
        self._on_send = on_send
        bar = ttk.Frame(self, style="Bar.TFrame", padding=(12, 8))
        bar.pack(fill="x")
        self.name_label = ttk.Label(bar, text=partner, style="Bar.TLabel")
        self.name_label.pack(side="left")
        self.end_button = ttk.Button(bar, text="End chat", command=on_end)
        self.end_button.pack(side="right")
        row = ttk.Frame(self, padding=6)
        row.pack(side="bottom", fill="x")  # first, so that a short window keeps the input
        self.pane = Pane(self, look, header=False)
        self.pane.pack(fill="both", expand=True)
        self.entry = ttk.Entry(row)
        self.entry.pack(side="left", fill="x", expand=True, padx=(0, 4))
        self.entry.bind("<Return>", lambda _e: self.send_text())
        self.send_button = ttk.Button(row, text="Send", style="Accent.TButton",
                                      command=self.send_text)
        self.send_button.pack(side="left")
        self.over_text: str | None = None
        self.protocol("WM_DELETE_WINDOW", on_close)
        self.bind("<Control-w>", lambda _e: on_close())
        self.bind("<Escape>", lambda _e: on_close())
        look.on_repaint(self._repaint)
        self.entry.focus_set()

    def send_text(self) -> None:
        text = self.entry.get()
        if text.strip() and self.over_text is None:
            self._on_send(text)
            self.entry.delete(0, "end")

    def render(self, model: Desktop, now: float) -> None:
        self.pane.show(model.pane(self.conversation, chat_window=True))
        self.pane.show_typing(model.typing(self.conversation, now))

    def over(self, text: str) -> None:
        """The chat has ended: say so, and offer only Close."""
        self.over_text = text
        self.title(f"Chat with {self.partner} — ended")
        self.entry.configure(state="disabled")
        self.send_button.configure(state="disabled")
        self.end_button.configure(text="Close")

    def _repaint(self, c: Palette) -> None:
        self.configure(background=c.background)
