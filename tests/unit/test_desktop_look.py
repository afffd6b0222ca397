"""Themes, fonts and shortcuts as data. No display."""

from __future__ import annotations

from hubbub.desktop import keys
from hubbub.desktop.main_view import MainView
from hubbub.desktop.settings import MAX_FONT, MIN_FONT
from hubbub.desktop.theme import DARK, LIGHT, other, palette, pick_family, resized


def test_light_and_dark_palettes() -> None:
    assert palette("light") is LIGHT
    assert palette("dark") is DARK
    assert other("light") == "dark"
    assert other("dark") == "light"
    assert LIGHT.surface != DARK.surface


def test_text_size_stays_readable() -> None:
    assert resized(MAX_FONT, 1) == MAX_FONT
    assert resized(MIN_FONT, -1) == MIN_FONT
    assert resized(11, 1) == 12


def test_an_installed_family_is_picked_else_tks_own() -> None:
    assert pick_family({"Arial", "DejaVu Sans"}, ("DejaVu Sans", "Arial"), "x") == "DejaVu Sans"
    assert pick_family(set(), ("Nope",), "TkFixedFont") == "TkFixedFont"


def test_every_shortcut_runs_a_main_window_action_and_is_documented() -> None:
    for shortcut in keys.SHORTCUTS:
        assert callable(getattr(MainView, shortcut.action)), shortcut
        assert shortcut.keys in keys.help_text()
    assert len({s.sequence for s in keys.SHORTCUTS}) == len(keys.SHORTCUTS)
