"""The keyboard shortcuts of the main window, in one table (bound, and shown in Help)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shortcut:
    sequence: str
    """The Tk event sequence."""
    keys: str
    """As people write it."""
    action: str
    """The main window's method name that it runs."""
    what: str


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("<Control-f>", "Ctrl+F", "focus_search", "Search messages"),
    Shortcut("<Control-e>", "Ctrl+E", "calculate", "Calculate what is typed"),
    Shortcut("<Control-p>", "Ctrl+P", "private", "Send privately to the selected person"),
    Shortcut("<Control-u>", "Ctrl+U", "list_users", "List everyone online"),
    Shortcut("<Control-r>", "Ctrl+R", "request_chat", "Ask the selected person for a chat"),
    Shortcut("<Control-j>", "Ctrl+J", "open_directory", "Join a room from the directory"),
    Shortcut("<Control-n>", "Ctrl+N", "new_room", "Create a room"),
    Shortcut("<Control-t>", "Ctrl+T", "set_topic", "Set this room's topic"),
    Shortcut("<Control-Next>", "Ctrl+PgDn", "next_conversation", "Next conversation"),
    Shortcut("<Control-Prior>", "Ctrl+PgUp", "previous_conversation", "Previous conversation"),
    Shortcut("<Control-d>", "Ctrl+D", "toggle_theme", "Light or dark theme"),
    Shortcut("<Control-plus>", "Ctrl++", "bigger_text", "Bigger text"),
    Shortcut("<Control-equal>", "Ctrl+=", "bigger_text", "Bigger text"),
    Shortcut("<Control-minus>", "Ctrl+-", "smaller_text", "Smaller text"),
    Shortcut("<Control-q>", "Ctrl+Q", "quit", "Quit"),
)
"""Return sends; Escape closes a dialog; Ctrl+W in the chat window ends the chat."""


def help_text() -> str:
    rows = [f"{s.keys:<10} {s.what}" for s in SHORTCUTS]
    rows += ["Enter      Send", "Escape     Close a dialog", "Ctrl+W     End the 1:1 chat"]
    return "\n".join(rows)
