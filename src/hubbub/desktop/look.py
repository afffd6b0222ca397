"""The theme and fonts applied to one Tk application, repainted when either changes."""

from __future__ import annotations

import tkinter as tk
import tkinter.font as tkfont
from collections.abc import Callable
from tkinter import ttk

from hubbub.desktop.settings import ThemeName
from hubbub.desktop.theme import FAMILIES, MONO_FAMILIES, Palette, palette, pick_family

Repaint = Callable[[Palette], None]
NAMED_FONTS = ("TkDefaultFont", "TkTextFont", "TkMenuFont", "TkHeadingFont", "TkCaptionFont")


class Look:
    """ttk styles on the ``clam`` theme, named fonts, and a list of widgets that are not
    ttk (Text, Toplevel backgrounds) to repaint by hand."""

    def __init__(self, root: tk.Tk, theme: ThemeName, size: int) -> None:
        self.root = root
        self.style = ttk.Style(root)
        self.style.theme_use("clam")
        installed = set(tkfont.families(root))
        self.family = pick_family(installed, FAMILIES, "TkDefaultFont")
        mono = pick_family(installed, MONO_FAMILIES, "TkFixedFont")
        self.title_font = _font(root, family=self.family, weight="bold")
        self.bold_font = _font(root, family=self.family, weight="bold")
        self.small_font = _font(root, family=self.family)
        self.mono_font = _font(root, family=mono)
        self._repaints: list[Repaint] = []
        self.theme: ThemeName = theme
        self.size = size
        self.colors = palette(theme)
        self.apply(theme, size)

    def on_repaint(self, repaint: Repaint) -> None:
        """Call ``repaint`` now and whenever the theme changes (until its widget is gone)."""
        self._repaints.append(repaint)
        repaint(self.colors)

    def apply(self, theme: ThemeName, size: int) -> None:
        self.theme, self.size, self.colors = theme, size, palette(theme)
        for name in NAMED_FONTS:
            tkfont.nametofont(name, self.root).configure(family=self.family, size=size)
        self.title_font.configure(size=size + 5)
        self.bold_font.configure(size=size)
        self.small_font.configure(size=max(7, size - 2))
        self.mono_font.configure(size=size)
        self._style(self.colors)
        alive: list[Repaint] = []
        for repaint in self._repaints:
            try:
                repaint(self.colors)
            except tk.TclError:
                continue  # the widget is destroyed
            alive.append(repaint)
        self._repaints = alive

    def _style(self, c: Palette) -> None:
        s = self.style
        self.root.configure(background=c.background)
        s.configure(".", background=c.background, foreground=c.text, fieldbackground=c.surface,
                    bordercolor=c.border, lightcolor=c.background, darkcolor=c.background,
                    troughcolor=c.sidebar, selectbackground=c.accent,
                    selectforeground=c.accent_text, insertcolor=c.text)
        s.map(".", foreground=[("disabled", c.muted)])
        s.configure("TEntry", fieldbackground=c.surface, foreground=c.text)
        s.configure("TButton", background=c.sidebar, padding=(8, 3), width=-4)
        s.map("TButton", background=[("active", c.border), ("disabled", c.background)])
        s.configure("Accent.TButton", background=c.accent, foreground=c.accent_text)
        s.map("Accent.TButton", background=[("active", c.accent), ("disabled", c.border)])
        s.configure("Side.TFrame", background=c.sidebar)
        s.configure("Side.TLabel", background=c.sidebar, foreground=c.muted)
        s.configure("Bar.TFrame", background=c.accent)
        s.configure("Bar.TLabel", background=c.accent, foreground=c.accent_text,
                    font=self.title_font)
        s.configure("Band.TLabel", background=c.sidebar, foreground=c.text,
                    font=self.bold_font, anchor="center", padding=8)
        s.configure("Title.TLabel", font=self.title_font)
        s.configure("Bold.TLabel", font=self.bold_font)
        s.configure("Muted.TLabel", foreground=c.muted)
        s.configure("Error.TLabel", foreground=c.danger)
        s.configure("Banner.TLabel", background=c.banner, foreground=c.banner_text,
                    anchor="center", padding=4)
        s.configure("Status.TLabel", background=c.sidebar, foreground=c.muted, padding=(8, 2))
        s.configure("Treeview", background=c.surface, fieldbackground=c.surface,
                    foreground=c.text, rowheight=self.bold_font.metrics("linespace") + 8)
        s.map("Treeview", background=[("selected", c.accent)],
              foreground=[("selected", c.accent_text)])
        s.configure("Treeview.Heading", background=c.sidebar, foreground=c.muted)
        s.configure("TCheckbutton", background=c.background, foreground=c.text)
        s.configure("TPanedwindow", background=c.border)


def _font(root: tk.Tk, **options: str) -> tkfont.Font:
    """A named font that lives as long as the application. (A ``Font`` deletes its Tk font
    when Python collects it, maybe on the network thread, where a Tcl call blocks.)"""
    font = tkfont.Font(root, **options)  # type: ignore[arg-type]
    font.delete_font = False
    return font
