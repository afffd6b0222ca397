"""The dialog for an incoming 1:1 chat request: Accept, Decline, or answer later."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ChatRequestScreen(ModalScreen[bool | None]):
    """Dismissed with True (accept), False (decline) or None (later, or withdrawn)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer(True)", "Accept"),
        Binding("d", "answer(False)", "Decline"),
        Binding("escape", "later", "Later"),
    ]

    def __init__(self, requester: str) -> None:
        super().__init__()
        self.requester = requester

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"{self.requester} asks you for a 1:1 chat", id="question")
            yield Label("While you chat, you both show as busy.", id="explain")
            with Horizontal(id="answers"):
                yield Button("Accept", variant="success", id="accept")
                yield Button("Decline", variant="error", id="decline")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "accept")

    def action_answer(self, accept: bool) -> None:
        self.dismiss(accept)

    def action_later(self) -> None:
        self.dismiss(None)
