"""Light and dark colours (the web client's palette) and the fonts. Pure data."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.desktop.settings import MAX_FONT, MIN_FONT, ThemeName


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    surface: str
    sidebar: str
    text: str
    muted: str
    border: str
    accent: str
    accent_text: str
    own: str
    mention: str
    spotlight: str
    online: str
    busy: str
    away: str
    danger: str
    banner: str
    banner_text: str


LIGHT = Palette(
    background="#f4f5f8",
    surface="#ffffff",
    sidebar="#eef0f4",
    text="#1c2230",
    muted="#575f70",
    border="#c9ced8",
    accent="#3c56d3",
    accent_text="#ffffff",
    own="#f2f5ff",
    mention="#fff3d6",
    spotlight="#fff0b8",
    online="#18734c",
    busy="#b3323c",
    away="#7a5300",
    danger="#b3323c",
    banner="#fff6e0",
    banner_text="#7a5300",
)

DARK = Palette(
    background="#15181e",
    surface="#1b1f27",
    sidebar="#12151a",
    text="#e5e8ee",
    muted="#9aa3b4",
    border="#3a414e",
    accent="#7b93ff",
    accent_text="#0f1320",
    own="#232b45",
    mention="#3a3020",
    spotlight="#4a4020",
    online="#5fd3a0",
    busy="#f0727b",
    away="#f1cf86",
    danger="#f0727b",
    banner="#3a3020",
    banner_text="#f1cf86",
)


def palette(name: ThemeName) -> Palette:
    return DARK if name == "dark" else LIGHT


def other(name: ThemeName) -> ThemeName:
    return "light" if name == "dark" else "dark"


FAMILIES = ("DejaVu Sans", "Segoe UI", "Helvetica", "Arial")
MONO_FAMILIES = ("DejaVu Sans Mono", "Consolas", "Menlo", "Courier")


def pick_family(available: set[str], wanted: tuple[str, ...], fallback: str) -> str:
    """The first wanted family that is installed, else ``fallback``."""
    for family in wanted:
        if family in available:
            return family
    return fallback


def resized(size: int, step: int) -> int:
    return min(MAX_FONT, max(MIN_FONT, size + step))
