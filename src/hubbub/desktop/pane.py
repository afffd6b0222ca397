"""The message pane: a header, the lines of one conversation, and the typing line."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Sequence
from tkinter import ttk

from hubbub.desktop.look import Look
from hubbub.desktop.theme import Palette
from hubbub.desktop.transcript import PaneLine


class Pane(ttk.Frame):
    """Draws :class:`PaneLine` lists. Lines that only grew are appended (the view stays at
    the bottom if it was there); any other change redraws the whole text."""

    def __init__(self, master: tk.Misc, look: Look, *, header: bool = True) -> None:
        super().__init__(master)
        self.look = look
        self.title = ttk.Label(self, style="Title.TLabel", anchor="w")
        self.subtitle = ttk.Label(self, style="Muted.TLabel", anchor="w")
        if header:
            self.title.grid(row=0, column=0, columnspan=2, sticky="ew", padx=8, pady=(6, 0))
            self.subtitle.grid(row=1, column=0, columnspan=2, sticky="ew", padx=8, pady=(0, 4))
        self.text = tk.Text(self, wrap="word", state="disabled", relief="flat", borderwidth=0,
                            padx=10, pady=6, cursor="arrow", takefocus=False, height=8,
                            width=40)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.text.yview)
        self.text.configure(yscrollcommand=scroll.set)
        self.text.grid(row=2, column=0, sticky="nsew")
        scroll.grid(row=2, column=1, sticky="ns")
        self.typing = ttk.Label(self, style="Muted.TLabel", anchor="w")
        self.typing.grid(row=3, column=0, columnspan=2, sticky="ew", padx=10)
        self.rowconfigure(2, weight=1)
        self.columnconfigure(0, weight=1)
        self._keys: list[tuple[object, ...]] = []
        self._spotlight: int | None = None
        self._aimed = False
        """The view was brought to the spotlight once; after that the user scrolls."""
        self.on_top: Callable[[], None] | None = None
        """Called when the user scrolls to the very top (to fetch older messages)."""
        self.text.bind("<MouseWheel>", self._scrolled, add="+")
        self.text.bind("<Button-4>", self._scrolled, add="+")
        look.on_repaint(self._repaint)

    def show_header(self, title: str, subtitle: str) -> None:
        if self.title.cget("text") != title:
            self.title.configure(text=title)
        if self.subtitle.cget("text") != subtitle:
            self.subtitle.configure(text=subtitle)

    def show_typing(self, text: str) -> None:
        if self.typing.cget("text") != text:
            self.typing.configure(text=text)

    def show(self, lines: Sequence[PaneLine], spotlight: int | None = None) -> None:
        """Draw ``lines``; ``spotlight`` is the ``seq`` of a message to mark and bring into
        view once (a search hit). Otherwise the view follows new lines if it was at the
        bottom, and stays where the user scrolled to if not."""
        keys = [line.key for line in lines]
        if keys == self._keys and spotlight == self._spotlight:
            return
        if spotlight != self._spotlight:
            self._aimed = False
        top, bottom = self.text.yview()
        grown = keys[: len(self._keys)] == self._keys and spotlight == self._spotlight
        self.text.configure(state="normal")
        if not grown:
            self.text.delete("1.0", "end")
        for line in lines[len(self._keys) :] if grown else lines:
            self._insert(line, spotlight)
        self.text.configure(state="disabled")
        self._keys, self._spotlight = keys, spotlight
        if spotlight is not None and not self._aimed and self.text.tag_ranges(f"seq{spotlight}"):
            self.text.see(f"seq{spotlight}.first")
            self._aimed = True
        elif bottom >= 0.999:
            self.text.see("end")
        elif not grown:
            self.text.yview_moveto(top)

    def content(self) -> str:
        """The text shown, as people read it."""
        return self.text.get("1.0", "end-1c")

    def _insert(self, line: PaneLine, spotlight: int | None) -> None:
        tags: tuple[str, ...] = (line.style,)
        if line.seq is not None:
            tags += (f"seq{line.seq}",)
            if line.seq == spotlight:
                tags += ("spotlight",)
        self.text.insert("end", f"{line.time}  ", (*tags, "time"))
        if line.who:
            self.text.insert("end", f"{line.who}: ", (*tags, "who"))
        self.text.insert("end", f"{line.text}\n", tags)

    def _scrolled(self, _event: object) -> None:
        if self.on_top is not None and self.text.yview()[0] <= 0.0:
            self.on_top()

    def _repaint(self, c: Palette) -> None:
        look = self.look
        self.text.configure(background=c.surface, foreground=c.text, font="TkTextFont",
                            selectbackground=c.accent, selectforeground=c.accent_text,
                            insertbackground=c.text)
        self.text.tag_configure("time", foreground=c.muted, font=look.small_font)
        self.text.tag_configure("who", font=look.bold_font)
        self.text.tag_configure("mine", background=c.own)
        self.text.tag_configure("mention", background=c.mention)
        self.text.tag_configure("notice", foreground=c.muted)
        self.text.tag_configure("deleted", foreground=c.muted)
        self.text.tag_configure("spotlight", background=c.spotlight)
        self.text.tag_raise("spotlight")
