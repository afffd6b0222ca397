"""``hubbub chat``: a full-screen chat over the client library and its :class:`ClientState`.

The app feeds the state every event and redraws from it; what the user types goes to a
:class:`Runner`, one line at a time, in order. The library resumes dropped connections;
the app shows "reconnecting…" meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, OptionList, Static

from hubbub import protocol
from hubbub.client import Client, ClientState, ConnectionLost, Disconnected, Reconnected
from hubbub.client.errors import RequestFailed
from hubbub.client.state import Line
from hubbub.tui.login import one_line
from hubbub.tui.request import ChatRequestScreen
from hubbub.tui.runner import Runner
from hubbub.tui.view import frame, names_known
from hubbub.tui.widgets import ChatInput, ChoiceList, MessagePane

HISTORY_PAGE = 100
"""Messages fetched when a conversation is first shown; /search finds older ones."""

CSS = """
#main { height: 1fr; }
#conversations { width: 26; height: 1fr; border: round $primary-darken-2; }
#people { width: 24; height: 1fr; border: round $primary-darken-2; }
#centre { width: 1fr; }
#title { height: 1; background: $boost; padding: 0 1; text-style: bold; }
#messages { height: 1fr; overflow-y: auto; border: round $primary-darken-2; }
#typing { height: 1; padding: 0 1; color: $text-muted; text-style: italic; }
ChatRequestScreen { align: center middle; }
#dialog { width: 52; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
#answers { height: auto; margin-top: 1; }
#answers Button { margin-right: 2; }
"""


class ChatApp(App[None]):
    """The chat window of one signed-in :class:`Client` (its sign-in reply is ``signed_in``)."""

    TITLE = "hubbub"
    CSS = CSS
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "cycle(1)", "Next", priority=True),
        Binding("ctrl+p", "cycle(-1)", "Previous", priority=True),
        Binding("f1", "run('/help')", "Help"),
        Binding("f2", "run('/users')", "Users"),
        Binding("f3", "run('/rooms')", "Rooms"),
        Binding("f4", "away", "Away/Back"),
        Binding("f8", "run('/end')", "End chat"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        client: Client,
        signed_in: protocol.SignedIn,
        *,
        now: Callable[[], float] = time.time,
        on_token: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.client, self.now, self.on_token = client, now, on_token
        self.state = ClientState()
        self.state.signed_in(signed_in, now())
        self.runner = Runner(client, self.state, self, now)
        self.ready = False
        self.connection = ""
        self._jobs: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._notes: list[Line] = []
        self._loaded: set[str] = set()
        self._typed: dict[str, float] = {}
        self._asking: str | None = None
        self._later: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield ChoiceList(id="conversations")
            with Vertical(id="centre"):
                yield Static(id="title")
                yield MessagePane(id="messages")
                yield Static(id="typing")
                yield ChatInput(
                    lambda: names_known(self.state), placeholder="Message, or /help", id="input"
                )
            yield ChoiceList(id="people")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversations").border_title = "Conversations"
        self.query_one("#people").border_title = "People"
        self.query_one(ChatInput).focus()
        self.set_interval(1.0, self.redraw)
        self.run_worker(self._start(), exit_on_error=False)
        self.redraw()

    # ------------------------------------------------------------------ the View protocol

    def note(self, text: str) -> None:
        current = self.state.current
        shown = None if current is None else self.state.conversation(current)
        after = 0 if shown is None else shown.last_seq
        self._notes.append(Line(text, current, self.now(), after))
        self.redraw()

    async def open(self, conversation: str) -> None:
        """Show ``conversation``: its recent history, its members, read to its end."""
        self.state.select(conversation)
        self.redraw()
        try:
            if conversation not in self._loaded:
                page = await self.client.history(conversation, limit=HISTORY_PAGE)
                self.state.add_history(conversation, page)
                self._loaded.add(conversation)
            if conversation.startswith(("lobby", "room:")):
                self.state.load_members(conversation, await self.client.members(conversation))
        except (RequestFailed, ConnectionLost, TimeoutError):
            pass
        self._mark_read()
        self.redraw()

    # ------------------------------------------------------------------ running

    async def _start(self) -> None:
        await self._load_conversations()
        chat = self.state.chat
        known = [conversation.id for conversation in self.state.conversations]
        first = chat.conversation if chat else protocol.LOBBY if protocol.LOBBY in known else None
        if first or known:
            await self.open(first or known[0])
        self.run_worker(self._pump())  # a failure here is a bug: stop rather than freeze
        self.run_worker(self._work(), exit_on_error=False)
        self.ready = True
        self._ask_next()

    async def _pump(self) -> None:
        async for event in self.client.events():
            self.state.apply(event, self.now())
            await self._react(event)
            self.redraw()
        self.connection = "disconnected"
        self.redraw()

    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            try:
                await job()
            except Exception as error:  # a bug: say so, and keep taking commands
                self.log.error(error)
                self.note(f"That failed: {one_line(error)}")
            self.redraw()

    async def _react(self, event: object) -> None:
        match event:
            case protocol.Message() if event.conversation == self.state.current:
                self._mark_read()
            case protocol.Message(to=str()) if event.sender != self._me:
                self.note(f"{event.sender} (private): {event.text}")
            case protocol.ChatRequested():
                self._ask_next()
            case protocol.ChatCancelled():
                self._later.discard(event.requester)
                self._withdraw()
            case protocol.ChatStarted():
                self._withdraw()
                await self.open(event.conversation)
            case protocol.ChatEnded():
                self._echo(event.conversation)
            case protocol.RoomAdded() if event.by != self._me:
                self._echo(event.room.id)
            case protocol.RoomRemoved() if self.state.current is None:
                if remaining := self.state.conversations:
                    await self.open(remaining[0].id)
            case Disconnected(reconnecting=reconnecting):
                self.connection = "reconnecting…" if reconnecting else "disconnected"
            case Reconnected(signed_in=signed_in):
                self.connection = ""
                if self.on_token is not None:
                    self.on_token(signed_in.token)
                await self._load_conversations()

    def _echo(self, conversation: str) -> None:
        """Repeat the news just told about another conversation where the user is looking
        ("bob ended the chat", "bob added you to design")."""
        lines = self.state.lines
        if conversation != self.state.current and lines and lines[-1].conversation == conversation:
            self.note(lines[-1].text)

    async def _load_conversations(self) -> None:
        with contextlib.suppress(RequestFailed, ConnectionLost, TimeoutError):
            self.state.load_conversations(await self.client.conversations())

    def _background(self, job: Coroutine[Any, Any, object]) -> None:
        async def quietly() -> None:
            with contextlib.suppress(RequestFailed, ConnectionLost, TimeoutError):
                await job

        self.run_worker(quietly(), exit_on_error=False)

    def _mark_read(self) -> None:
        seq = self.state.read_current()
        if seq is not None and self.state.current is not None:
            self._background(self.client.mark_read(self.state.current, seq))

    # ------------------------------------------------------------------ chat requests

    def _ask_next(self) -> None:
        if self._asking is not None or not self.ready:
            return
        for request in self.state.requests_to_me:
            if request.requester not in self._later:
                self._asking = request.requester
                screen = ChatRequestScreen(request.requester)
                self.push_screen(screen, callback=functools.partial(self._answered, screen))
                return

    def _answered(self, screen: ChatRequestScreen, answer: bool | None) -> None:
        requester = screen.requester
        self._asking = None
        pending = any(r.requester == requester for r in self.state.requests_to_me)
        if answer is not None:
            self.state.chat_answered(requester)
            self._jobs.put_nowait(lambda: self.runner.answer(requester, answer))
        elif pending:
            self._later.add(requester)
            self.note(f"Answer later with /accept {requester} or /decline {requester}")
        self._ask_next()

    def _withdraw(self) -> None:
        """Close the dialog if its request is gone (withdrawn, expired, or a chat started)."""
        screen = self.screen
        pending = {request.requester for request in self.state.requests_to_me}
        if isinstance(screen, ChatRequestScreen) and screen.requester not in pending:
            screen.dismiss(None)

    # ------------------------------------------------------------------ input and keys

    def on_input_submitted(self, event: Input.Submitted) -> None:
        line = self.query_one(ChatInput).remember()
        if line.strip():
            self._jobs.put_nowait(lambda: self.runner.run(line))
        event.stop()

    def on_input_changed(self, event: Input.Changed) -> None:
        current = self.state.current
        if current is None or not event.value or event.value.startswith("/"):
            return
        now = self.now()
        if now - self._typed.get(current, -protocol.TYPING_EVERY) >= protocol.TYPING_EVERY:
            self._typed[current] = now
            self._background(self.client.typing(current))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key is None:
            return
        if event.option_list.id == "conversations":
            self.run_worker(self.open(key), exit_on_error=False)
        elif key != self._me:
            self.query_one(ChatInput).put(f"/msg {key} ")

    def action_run(self, line: str) -> None:
        self._jobs.put_nowait(lambda: self.runner.run(line))

    def action_away(self) -> None:
        away = self.state.me is not None and self.state.me.status == "away"
        self.action_run("/back" if away else "/away")

    def action_cycle(self, step: int) -> None:
        keys = [conversation.id for conversation in self.state.conversations]
        if keys:
            index = keys.index(self.state.current) if self.state.current in keys else -step
            self.run_worker(self.open(keys[(index + step) % len(keys)]), exit_on_error=False)

    # ------------------------------------------------------------------ drawing

    @property
    def _me(self) -> str:
        return "" if self.state.me is None else self.state.me.name

    def redraw(self) -> None:
        """Draw everything from the state (cheap: widgets skip what did not change)."""
        shown = frame(self.state, self._notes, self.connection, self.now())
        self.sub_title = shown.status
        self.query_one("#conversations", ChoiceList).show(shown.conversations, shown.current)
        self.query_one("#title", Static).update(shown.title)
        self.query_one(MessagePane).show(shown.rows)
        self.query_one("#typing", Static).update(shown.typing)
        self.query_one("#people", ChoiceList).show(shown.people, None)
