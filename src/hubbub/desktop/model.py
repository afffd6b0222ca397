"""What the desktop windows show, and what each server event asks of them. Pure; no Tk.

:class:`Desktop` wraps the shared :class:`ClientState` with what only a windowed client
has: whether its windows have the user's attention, the chat window, the banner, the
client's own notes (calc answers, user lists, errors), and a search hit to point at.
"""

from __future__ import annotations

from collections import deque

from hubbub import protocol
from hubbub.client import ClientEvent, ClientState, Disconnected, Reconnected
from hubbub.client.pane import typing_text
from hubbub.client.state import Conversation, Line
from hubbub.desktop import rows, transcript
from hubbub.desktop.effects import (
    AskChat,
    ChatOver,
    DropAsk,
    Effect,
    MarkRead,
    Notify,
    OpenChat,
    Reload,
    SaveToken,
    SessionEnded,
    Show,
)

RECONNECTING = "reconnecting…"
CONNECTION_LOST = "The connection to the server was lost. Sign in again."
MAX_NOTES = 500


class Desktop:
    """The model behind the main window, the chat window and the dialogs."""

    def __init__(self) -> None:
        self.state = ClientState()
        self.banner: str | None = None
        """Shown across the top while the connection is down: "reconnecting…"."""
        self.focused = True
        self.missed = 0
        """Notifications since the windows lost the user's attention (for the title)."""
        self.status = ""
        """The latest notice, for the status bar."""
        self.chat_open: str | None = None
        """The conversation of the open chat window, if one is open."""
        self.spotlight: tuple[str, int] | None = None
        """A search hit the pane should show and mark: (conversation, seq)."""
        self._notes: deque[Line] = deque(maxlen=MAX_NOTES)

    @property
    def me(self) -> str:
        return "" if self.state.me is None else self.state.me.name

    # ------------------------------------------------------------------ feeding

    def signed_in(self, reply: protocol.SignedIn, now: float) -> list[Effect]:
        """The sign-in reply: remember the token, open the chat and requests it names."""
        if self.state.me is not None and self.state.me.name.casefold() != reply.name.casefold():
            self._notes.clear()
        self.state.signed_in(reply, now)
        self.banner = None
        return [SaveToken(reply.token), *self._resumed(reply)]

    def apply(self, event: ClientEvent, now: float) -> list[Effect]:
        """Apply one event; what the windows must do about it besides redrawing."""
        asked = [request.requester for request in self.state.requests_to_me]
        was_shown = self.state.current
        self.state.apply(event, now)
        effects: list[Effect] = []
        match event:
            case protocol.Message():
                effects += self._message(event)
            case protocol.ChatRequested():
                effects.append(AskChat(event.requester))
                effects += self._notify(f"{event.requester} asks you for a chat")
            case protocol.ChatCancelled():
                effects.append(DropAsk(event.requester))
            case protocol.ChatStarted():
                effects += [DropAsk(requester) for requester in asked]
                effects.append(OpenChat(event.conversation, event.partner))
            case protocol.ChatEnded():
                effects.append(ChatOver(event.conversation, self._last_line()))
            case protocol.RoomAdded() if event.by.casefold() == self.me.casefold():
                effects.append(Show(event.room.id))
            case protocol.RoomRemoved() if was_shown == event.room:
                effects.append(Show(protocol.LOBBY))
            case Disconnected():
                self.banner = RECONNECTING if event.reconnecting else None
                if not event.reconnecting:
                    effects.append(SessionEnded(CONNECTION_LOST))
            case Reconnected():
                self.banner = None
                effects += [SaveToken(event.signed_in.token), Reload()]
                effects += self._resumed(event.signed_in)
        if isinstance(event, _NEWS):
            self.status = self._last_line()
        return effects

    def note(self, text: str, conversation: str | None, now: float) -> None:
        """A line of the client's own (a calc answer, the users list, an error)."""
        shown = None if conversation is None else self.state.conversation(conversation)
        self._notes.append(Line(text, conversation, now, 0 if shown is None else shown.last_seq))
        self.status = text

    def select(self, conversation: str | None) -> list[Effect]:
        """Show ``conversation`` in the main window; it is read now."""
        if self.spotlight is not None and self.spotlight[0] != conversation:
            self.spotlight = None
        seq = self.state.select(conversation)
        return [] if conversation is None or seq is None else [MarkRead(conversation, seq)]

    def focus(self, focused: bool) -> list[Effect]:
        """The windows got or lost the user's attention; what they show now is read."""
        self.focused = focused
        if not focused:
            return []
        self.missed = 0
        effects: list[Effect] = []
        for conversation in {self.state.current, self.chat_open} - {None}:
            assert conversation is not None
            if (seq := self._read(conversation)) is not None:
                effects.append(MarkRead(conversation, seq))
        return effects

    # ------------------------------------------------------------------ reading

    @property
    def title(self) -> str:
        base = f"hubbub — {self.me}" if self.me else "hubbub"
        return f"({self.missed}) {base}" if self.missed else base

    def pane(self, conversation: str | None, *, chat_window: bool = False) -> list[
        transcript.PaneLine
    ]:
        """The lines of a conversation. The main pane also shows notices for wherever;
        the chat window only its own."""
        if conversation is None:
            return [transcript.notice_line(line) for line in self._general()]
        general = not chat_window
        notices = [
            line
            for line in [*self.state.lines_for(conversation), *self._notes]
            if line.conversation == conversation or (line.conversation is None and general)
        ]
        notices.sort(key=lambda line: line.at)
        return transcript.transcript(self.state.messages(conversation), notices, self.me)

    def header(self, conversation: str | None) -> tuple[str, str]:
        shown = None if conversation is None else self.state.conversation(conversation)
        return transcript.header(shown)

    def typing(self, conversation: str | None, now: float) -> str:
        if conversation is None:
            return ""
        return typing_text(self.state.typing_names(conversation, now))

    def conversation_rows(self) -> list[rows.ConversationRow]:
        return rows.conversation_rows(self.state.conversations)

    def people_rows(self) -> list[rows.PersonRow]:
        asked = [request.invitee for request in self.state.requests_from_me]
        return rows.people_rows(self.state.online, in_chat=self.in_chat, asked=asked)

    @property
    def waiting(self) -> str:
        return rows.waiting_text(request.invitee for request in self.state.requests_from_me)

    @property
    def in_chat(self) -> bool:
        return self.state.chat is not None

    def shown(self) -> Conversation | None:
        current = self.state.current
        return None if current is None else self.state.conversation(current)

    def is_live_chat(self, conversation: str) -> bool:
        chat = self.state.chat
        return chat is not None and chat.conversation == conversation

    # ------------------------------------------------------------------ helpers

    def _message(self, event: protocol.Message) -> list[Effect]:
        if event.sender.casefold() == self.me.casefold():
            return []
        effects: list[Effect] = []
        shown = event.conversation in (self.state.current, self.chat_open)
        if self.focused and shown and (seq := self._read(event.conversation)) is not None:
            effects.append(MarkRead(event.conversation, seq))
        personal = event.conversation.startswith(("dm:", "chat:"))
        if personal or self.me.casefold() in {name.casefold() for name in event.mentions}:
            effects += self._notify(f"{event.sender}: {event.text}")
        return effects

    def _notify(self, text: str) -> list[Effect]:
        if self.focused:
            return []
        self.missed += 1
        return [Notify(text)]

    def _read(self, conversation: str) -> int | None:
        """Mark ``conversation`` read up to its last message, keeping the shown one."""
        shown = self.state.current
        seq = self.state.select(conversation)
        self.state.current = shown
        return seq

    def _resumed(self, reply: protocol.SignedIn) -> list[Effect]:
        effects: list[Effect] = []
        if self.chat_open is not None and (
            reply.chat is None or reply.chat.conversation != self.chat_open
        ):
            effects.append(ChatOver(self.chat_open, "The chat ended while you were away"))
        if reply.chat is not None:
            effects.append(OpenChat(reply.chat.conversation, reply.chat.partner))
        effects += [AskChat(request.requester) for request in self.state.requests_to_me]
        return effects

    def _last_line(self) -> str:
        lines = self.state.lines
        return lines[-1].text if lines else ""

    def _general(self) -> list[Line]:
        return sorted(
            (line for line in [*self.state.lines, *self._notes] if line.conversation is None),
            key=lambda line: line.at,
        )


_NEWS = (
    protocol.ChatRequested,
    protocol.ChatCancelled,
    protocol.ChatDeclined,
    protocol.ChatStarted,
    protocol.ChatEnded,
    protocol.Notice,
    protocol.RoomAdded,
    protocol.RoomRemoved,
    protocol.RoomChanged,
)
"""Events whose line goes to the status bar too."""
