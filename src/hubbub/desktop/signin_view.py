"""The sign-in window (the messenger's registration form): server, name, password."""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from hubbub.desktop.fields import TextField
from hubbub.desktop.signin import Field, Problem

Submit = Callable[[str, str, str], None]


class SignInView(ttk.Frame):
    """The form; :meth:`show_problem` puts an error under the field it is about."""

    def __init__(self, master: tk.Misc, *, server: str, name: str, on_submit: Submit) -> None:
        super().__init__(master)
        self._on_submit = on_submit
        ttk.Frame(self, style="Bar.TFrame", height=8).pack(fill="x")
        bar = ttk.Frame(self, style="Bar.TFrame", padding=(16, 10))
        bar.pack(fill="x")
        ttk.Label(bar, text="hubbub", style="Bar.TLabel", anchor="center").pack(fill="x")
        ttk.Label(self, text="Sign in", style="Band.TLabel").pack(fill="x", pady=(4, 0))
        form = ttk.Frame(self, padding=(28, 16))
        form.pack(fill="both", expand=True)
        form.columnconfigure(0, weight=1)
        self.server = TextField(form, server)
        self.name = TextField(form, name)
        self.password = TextField(form, show="•")
        self.entries: dict[Field, TextField] = {}
        self.errors: dict[Field, ttk.Label] = {}
        row = 0
        fields: tuple[tuple[Field, str, TextField], ...] = (
            ("server", "Server", self.server),
            ("name", "Your name", self.name),
            ("password", "Password", self.password),
        )
        for field, label, entry in fields:
            ttk.Label(form, text=label, style="Bold.TLabel").grid(row=row, sticky="w")
            entry.grid(row=row + 1, sticky="ew", pady=(2, 0))
            entry.bind("<Return>", lambda _e: self.submit())
            error = ttk.Label(form, style="Error.TLabel", wraplength=340)
            error.grid(row=row + 2, sticky="w", pady=(0, 6))
            self.entries[field], self.errors[field] = entry, error
            row += 3
        self.hint = ttk.Label(
            form,
            text="The first sign-in with a free name claims it with that password.",
            style="Muted.TLabel",
            wraplength=340,
        )
        self.hint.grid(row=row, sticky="w")
        self.button = ttk.Button(form, text="Sign in", style="Accent.TButton",
                                 command=self.submit)
        self.button.grid(row=row + 1, pady=(12, 4))
        self.errors["form"] = ttk.Label(form, style="Error.TLabel", wraplength=340)
        self.errors["form"].grid(row=row + 2, sticky="w")
        (self.entries["name"] if server else self.entries["server"]).focus_set()

    def submit(self) -> None:
        if str(self.button.cget("state")) != "disabled":
            self._on_submit(self.server.get(), self.name.get(), self.password.get())

    def show_problem(self, problem: Problem | None) -> None:
        for label in self.errors.values():
            label.configure(text="")
        if problem is not None:
            self.errors[problem.field].configure(text=problem.text)
            if problem.field in self.entries:
                self.entries[problem.field].focus_set()

    def waiting(self, text: str | None) -> None:
        """Show that a sign-in is on its way (``text``), or that the form is usable again."""
        self.button.configure(
            state="disabled" if text else "normal", text=text or "Sign in"
        )
