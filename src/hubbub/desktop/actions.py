"""What the user's clicks and keys ask of the server: each sends a request and says what
to do with its answer. Called on the Tk thread; answers come back on it (see network)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from hubbub import protocol
from hubbub.client import Client, ConnectionLost, RequestFailed
from hubbub.desktop import composer
from hubbub.desktop.effects import MarkRead

if TYPE_CHECKING:
    from hubbub.desktop.app import DesktopApp

T = TypeVar("T")
HISTORY_PAGE = 50
AROUND_HIT = 25


def describe(error: Exception) -> str:
    """A failed request, for people."""
    if isinstance(error, RequestFailed):
        return error.message
    if isinstance(error, ConnectionLost):
        return "Not connected to the server — reconnecting…"
    if isinstance(error, TimeoutError):
        return "The server did not answer in time"
    if isinstance(error, ValueError):
        return str(error)
    return f"Something went wrong: {error}"


class Actions:
    def __init__(self, app: DesktopApp) -> None:
        self.app = app
        self.typing = composer.TypingThrottle()
        self._loaded: set[str] = set()

    # ------------------------------------------------------------------ the composer

    def submit(self, line: str, to: str | None = None) -> bool:
        """Carry out a line typed in the main window; False if it was not taken."""
        action = composer.parse(line)
        if action is None:
            return False
        conversation = self.app.model.state.current or protocol.LOBBY
        match action:
            case composer.Say(text):
                self.say(text, conversation)
            case composer.Calculate(expression):
                self.calculate(expression)
            case composer.Private(name, text):
                self.private(name, text)
            case composer.ListUsers():
                self.list_users()
            case composer.JoinRoom(room):
                self.join_room(room)
            case composer.CreateRoom(name):
                self.create_room(name, "", False, self.note_error)
            case composer.LeaveRoom():
                self.leave_room()
            case composer.SetTopic(topic):
                self.set_topic(topic, self.note_error)
            case composer.Search(query):
                self.app.panels.search(query)
            case composer.Mistake(text):
                self.note(text)
                return False
        return True

    def say(self, text: str, conversation: str) -> None:
        self.typing.sent(conversation)
        self.call(lambda c: c.say(text, conversation))

    def calculate(self, expression: str) -> None:
        def answered(result: str) -> None:
            self.note(f"{expression} = {result}")

        def refused(error: Exception) -> None:
            self.note(f"calc: {describe(error)}")

        self.call(lambda c: c.calc(expression), answered, refused)

    def private(self, to: str, text: str) -> None:
        def sent(_: protocol.Sent) -> None:
            self.note(f"You → {to} (private): {text}")

        self.call(lambda c: c.message_user(to, text), sent)

    def list_users(self) -> None:
        me = self.app.model.me.casefold()

        def listed(users: list[protocol.UserInfo]) -> None:
            names = [
                f"{u.name} (you)" if u.name.casefold() == me
                else u.name if u.status == "online" else f"{u.name} ({u.status})"
                for u in users
            ]
            self.note(f"Online ({len(names)}): {', '.join(names)}")

        self.call(lambda c: c.users(), listed)

    def typed(self) -> None:
        conversation = self.app.model.state.current
        if conversation is not None and self.typing.should_tell(conversation, time.time()):
            self.call(lambda c: c.typing(conversation), on_error=lambda _e: None)

    # ------------------------------------------------------------------ the messenger

    def request_chat(self, name: str) -> None:
        def asked(_: None) -> None:
            self.app.model.state.chat_request_sent(name, time.time())
            self.app.model.status = f"waiting for {name}'s answer…"

        self.call(lambda c: c.request_chat(name), asked)

    def answer_chat(self, requester: str, accept: bool) -> None:
        self.app.model.state.chat_answered(requester)
        self.call(lambda c: c.answer_chat(requester, accept=accept))

    def end_chat(self) -> None:
        self.call(lambda c: c.end_chat())

    # ------------------------------------------------------------------ conversations

    def show(self, conversation: str) -> None:
        """Show a conversation in the main window, loading its latest page once."""
        self.app.carry_out(self.app.model.select(conversation))
        if conversation not in self._loaded:
            self._loaded.add(conversation)
            self.load_history(conversation)
        self.app.render()

    def load_history(self, conversation: str, *, before: int | None = None,
                     after: int | None = None) -> None:
        def loaded(page: list[protocol.Stored]) -> None:
            self.app.model.state.add_history(conversation, page)
            if self.app.model.focused and conversation == self.app.model.state.current:
                self.app.carry_out(self.app.model.select(conversation))

        self.call(
            lambda c: c.history(conversation, before=before, after=after, limit=HISTORY_PAGE),
            loaded,
        )

    def older(self, conversation: str) -> None:
        messages = self.app.model.state.messages(conversation)
        if messages and messages[0].seq > 1:
            self.load_history(conversation, before=messages[0].seq)

    def reload(self) -> None:
        """The conversation list from the server: its counts, names and rooms."""
        def loaded(conversations: list[protocol.ConversationInfo]) -> None:
            self.app.model.state.load_conversations(conversations)
            if self.app.model.state.current is None:
                self.show(protocol.LOBBY)

        self.call(lambda c: c.conversations(), loaded)

    def open_hit(self, conversation: str, seq: int) -> None:
        """Show a search hit in its conversation, with the messages around it."""
        self.app.model.spotlight = (conversation, seq)
        self._loaded.add(conversation)
        self.show(conversation)
        self.load_history(conversation, before=seq + 1, after=None)
        self.load_history(conversation, after=seq)

    def mark_read(self, effect: MarkRead) -> None:
        self.call(lambda c: c.mark_read(effect.conversation, effect.seq),
                   on_error=lambda _e: None)

    # ------------------------------------------------------------------ rooms and search

    def join_room(self, room: str, on_error: Callable[[Exception], None] | None = None) -> None:
        self.call(lambda c: c.join_room(room), lambda info: self.show(info.id), on_error)

    def create_room(self, name: str, topic: str, private: bool,
                    on_error: Callable[[Exception], None]) -> None:
        self.call(lambda c: c.create_room(name, topic, private),
                   lambda info: self.show(info.id), on_error)

    def leave_room(self) -> None:
        shown = self.app.model.shown()
        if shown is None or shown.kind != "room":
            self.note("Leave works in a room; this is not one")
            return
        self.call(lambda c: c.leave_room(shown.id))

    def set_topic(self, topic: str, on_error: Callable[[Exception], None],
                  on_done: Callable[[None], None] | None = None) -> None:
        shown = self.app.model.shown()
        if shown is None or shown.kind != "room":
            on_error(ValueError("A topic belongs to a room; show a room first"))
            return
        self.call(lambda c: c.set_topic(shown.id, topic), on_done, on_error)

    def directory(self, on_done: Callable[[list[protocol.RoomEntry]], None]) -> None:
        self.call(lambda c: c.rooms(), on_done)

    def search(self, query: str, offset: int,
               on_done: Callable[[protocol.SearchResults], None],
               on_error: Callable[[Exception], None]) -> None:
        self.call(lambda c: c.search(query, offset=offset), on_done, on_error)

    # ------------------------------------------------------------------ helpers

    def note(self, text: str) -> None:
        model = self.app.model
        model.note(text, model.state.current, time.time())
        self.app.render()

    def note_error(self, error: Exception) -> None:
        self.note(describe(error))

    def call(
        self,
        call: Callable[[Client], Awaitable[T]],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        def done(value: T) -> None:
            if on_done is not None:
                on_done(value)
            self.app.render()

        self.app.network.request(call, done, on_error or self.note_error)
