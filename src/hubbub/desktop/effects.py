"""What a server event asks of the windows beyond redrawing them, as plain values.

:class:`~hubbub.desktop.model.Desktop` returns these; the Tk layer carries them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class AskChat:
    """Open the Accept / Decline dialog for ``requester``'s chat request."""

    requester: str


@dataclass(frozen=True, slots=True)
class DropAsk:
    """Close ``requester``'s dialog: the request is answered, withdrawn or expired."""

    requester: str


@dataclass(frozen=True, slots=True)
class OpenChat:
    """Open the 1:1 chat window, titled with the partner's name."""

    conversation: str
    partner: str


@dataclass(frozen=True, slots=True)
class ChatOver:
    """The chat is over: its window says ``text`` and takes no more input."""

    conversation: str
    text: str


@dataclass(frozen=True, slots=True)
class Notify:
    """Draw the user's attention (bell and window title): they are not looking."""

    text: str


@dataclass(frozen=True, slots=True)
class MarkRead:
    """Tell the server the user has read ``conversation`` up to ``seq``."""

    conversation: str
    seq: int


@dataclass(frozen=True, slots=True)
class Show:
    """Show ``conversation`` in the main window (one the user just joined or made)."""

    conversation: str


@dataclass(frozen=True, slots=True)
class Reload:
    """Ask the server for the conversation list again (after a resume)."""


@dataclass(frozen=True, slots=True)
class SaveToken:
    """Remember the session token so that the next start resumes."""

    token: str


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The session is over and cannot be resumed: back to the sign-in window."""

    reason: str


Effect: TypeAlias = (
    AskChat
    | DropAsk
    | OpenChat
    | ChatOver
    | Notify
    | MarkRead
    | Show
    | Reload
    | SaveToken
    | SessionEnded
)
