"""Text fields read and set without Tk variables.

A ``tk.StringVar`` deletes its Tcl variable when Python collects it, and the collector
may run on the network thread: a Tcl call from there blocks, then fails. So the windows
keep their text in the widgets and use this instead.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk


class TextField(ttk.Entry):
    """A ``ttk.Entry`` with ``get`` and ``set``, like an entry bound to a StringVar."""

    def __init__(self, master: tk.Misc, text: str = "", **options: object) -> None:
        super().__init__(master, **options)  # type: ignore[arg-type]
        self.set(text)

    def set(self, text: str) -> None:
        self.delete(0, "end")
        self.insert(0, text)
