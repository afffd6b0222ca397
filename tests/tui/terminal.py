"""One person at a terminal: the app, its pilot, and what they see."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass

from textual.pilot import Pilot

from hubbub import protocol
from hubbub.client import Client
from hubbub.tui.app import ChatApp
from hubbub.tui.widgets import ChatInput, ChoiceList, MessagePane

WITHIN = 5.0


@dataclass
class Terminal:
    name: str
    app: ChatApp
    pilot: Pilot[None]
    client: Client

    @classmethod
    async def start(
        cls,
        stack: AsyncExitStack,
        client: Client,
        reply: protocol.SignedIn,
        size: tuple[int, int],
    ) -> Terminal:
        app = ChatApp(client, reply)
        started: asyncio.Future[Pilot[None]] = asyncio.get_running_loop().create_future()
        stop = asyncio.Event()

        async def host() -> None:
            # The app runs in a task of its own: Textual's context variables are set and
            # reset in one context, whichever task the test's fixtures tear down in.
            async with app.run_test(size=size) as pilot:
                started.set_result(pilot)
                await stop.wait()

        task = asyncio.create_task(host())

        async def close() -> None:
            stop.set()
            await task

        stack.push_async_callback(close)
        done, _ = await asyncio.wait([started, task], return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        person = cls(reply.name, app, started.result(), client)
        await person.until(lambda: app.ready, "the app to start")
        return person

    # ------------------------------------------------------------------ seeing

    @property
    def pane(self) -> list[str]:
        return self.app.query_one(MessagePane).plain

    @property
    def conversations(self) -> list[str]:
        return self.app.query_one("#conversations", ChoiceList).labels

    @property
    def people(self) -> list[str]:
        return self.app.query_one("#people", ChoiceList).labels

    @property
    def shown(self) -> str | None:
        return self.app.state.current

    def text(self, selector: str) -> str:
        return str(self.app.screen.query_one(selector).render())

    async def until(self, ready: Callable[[], bool], what: str, within: float = WITHIN) -> None:
        """Wait until ``ready()``, letting the app run; fail naming ``what`` after ``within``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not ready():
            if loop.time() > deadline:
                raise AssertionError(f"{self.name}: no {what} within {within} s; pane: {self.pane}")
            with self.app._context():
                await self.pilot.pause(0.02)

    async def sees(self, text: str, within: float = WITHIN) -> str:
        """Wait until a line of the pane holds ``text``; that line."""
        await self.until(lambda: any(text in line for line in self.pane), repr(text), within)
        return next(line for line in self.pane if text in line)

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.pane)

    # ------------------------------------------------------------------ doing

    async def say(self, line: str) -> None:
        """Type ``line`` into the input and press Enter."""
        with self.app._context():
            self.app.query_one(ChatInput).value = line
            await self.pilot.press("enter")

    async def press(self, *keys: str) -> None:
        with self.app._context():
            await self.pilot.press(*keys)

    async def click(self, selector: str, offset: tuple[int, int] = (0, 0)) -> None:
        with self.app._context():
            await self.pilot.click(selector, offset=offset)

    async def open(self, name: str) -> None:
        """Show the conversation named ``name`` (as the list names it), by its id."""
        found = [c.id for c in self.app.state.conversations if c.name == name]
        assert found, f"{self.name} has no conversation {name}: {self.conversations}"
        with self.app._context():
            await self.app.open(found[0])
