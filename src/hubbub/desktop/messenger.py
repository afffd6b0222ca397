"""The messenger's windows: an Accept / Decline dialog per chat request to me, and the
chat window of the accepted chat (one at a time, as the server allows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.desktop.chat_window import ChatWindow
from hubbub.desktop.dialogs import ChatRequestDialog

if TYPE_CHECKING:
    from hubbub.desktop.app import DesktopApp


class Messenger:
    def __init__(self, app: DesktopApp) -> None:
        self.app = app
        self.window: ChatWindow | None = None
        self.dialogs: dict[str, ChatRequestDialog] = {}

    def ask(self, requester: str) -> None:
        if requester not in self.dialogs:
            app = self.app
            self.dialogs[requester] = ChatRequestDialog(app.root, app.look, requester,
                                                        self._answer)

    def drop(self, requester: str) -> None:
        dialog = self.dialogs.pop(requester, None)
        if dialog is not None:
            dialog.destroy()

    def _answer(self, requester: str, accept: bool) -> None:
        self.dialogs.pop(requester, None)
        self.app.actions.answer_chat(requester, accept)

    def open(self, conversation: str, partner: str) -> None:
        """Open the chat's window (an ended chat's window gives way to it)."""
        app = self.app
        if self.window is not None:
            if self.window.conversation == conversation:
                self.window.deiconify()
                return
            self.window.destroy()
        self.window = ChatWindow(
            app.root,
            app.look,
            conversation=conversation,
            partner=partner,
            on_send=lambda text: app.actions.say(text, conversation),
            on_end=self._end_pressed,
            on_close=self.close,
        )
        app.model.chat_open = conversation
        app.actions.load_history(conversation)

    def over(self, conversation: str, text: str) -> None:
        if self.window is not None and self.window.conversation == conversation:
            self.window.over(text)

    def _end_pressed(self) -> None:
        if self.window is not None and self.window.over_text is None:
            self.app.actions.end_chat()
        else:
            self.close()

    def close(self) -> None:
        """Close the chat window; that ends the chat if it is still going."""
        window = self.window
        if window is None:
            return
        if self.app.model.is_live_chat(window.conversation):
            self.app.actions.end_chat()
        self.window = None
        self.app.model.chat_open = None
        window.destroy()

    def close_all(self) -> None:
        """Signed out: every window goes, nothing is sent."""
        for dialog in self.dialogs.values():
            dialog.destroy()
        self.dialogs.clear()
        if self.window is not None:
            self.window.destroy()
            self.window = None
